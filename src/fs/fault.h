/* SPDX-License-Identifier: MIT */
/*
 * Crash testing on a served namespace: its fault state, the hooks the
 * dispatch consults (fault_hook.h), power failures and armed crashes.
 * Off by default; a namespace has a struct fs_fault only once crash
 * testing or a media error (media.h) was asked for.
 *
 * The layers, each in its file, none calling into the data path (data.c)
 * or taking the daemon's locks:
 *   fault.c      the state (created on first use), the hooks, and the
 *                control thread's enable / arm / status
 *   undo.c       the undo log (pages only; I/O through the caller's
 *                functions)
 *   powerfail.c  a power failure now (steps 0-4 below)
 *   crash_arm.c  an armed crash firing at an FSYNC: its threads
 *   baseline.c   a baseline to restore (crash-test's starting content)
 *   media.c      media errors
 * (holders.c, the processes holding a file, is no fault layer: power-fail
 * and the control side include holders.h themselves.)
 * They do region I/O through region_io.c and flush.c (below the
 * dispatch), and hold a file through daemon.c's fs_daemon_file_hold.
 *
 * Power failures (see docs/durability.md for the measured facts this
 * follows). With crash testing enabled, the undo log keeps the old
 * contents of every 4 KiB page first changed (WRITE, FALLOCATE) since the
 * last completed FSYNC, read from the region file before the change
 * lands. A completed FSYNC drops the log. A power failure reverts the
 * namespace to its content at the last completed FSYNC (or at enabling,
 * which counts as one), in this order, which held in every run of the
 * prototype:
 *   0. refuse while a handle is open (waiting a while for RELEASEs in
 *      flight), unless forced, or SIGKILL the holders and wait for them;
 *   1. mark the namespace crashed: WRITEs are acknowledged and discarded
 *      (or, with --survive, kept for the pages the seed picks), FSYNC fails
 *      with EIO;
 *   2. under the exclusive lock: write each saved page back (or keep the
 *      new one when the seed picks it), fdatasync the region file, drop
 *      the log;
 *   3. from a thread of our own holding no daemon lock: invalidate the
 *      kernel's cache of the file (its dirty pages come back as WRITEs and
 *      are discarded; live mappings lose their pages);
 *   4. fdatasync again if surviving pages were written meanwhile; clear
 *      the mark.
 * Whether a page survives depends only on the seed and the page number
 * (fs_undo_kept), so a run is reproducible whether the kernel wrote a page
 * back before or during the crash.
 *
 * An armed crash (--at-fsync K) fires at the K-th FSYNC from then: the
 * namespace is marked crashed, the calling process is SIGKILLed before the
 * FSYNC is answered (it gets EIO if it lives long enough to see it), and
 * a thread of ours reverts the namespace (steps 2-4) once it is gone.
 *
 * Locks (after n->lock in fs.h's order; none held across a notification):
 *   f->revert_lock   one power failure (steps 0-4) at a time
 *   f->rw            data changes hold it shared from the log check to the
 *                    write (change_begin to change_end); mode changes,
 *                    FSYNC's log drop and step 2 hold it exclusive
 *   f->lock          the counters (a leaf)
 *   f->undo.lock     the log (undo.h; a leaf)
 *   the media locks  media.h
 */
#ifndef PMEMFS_FS_FAULT_H
#define PMEMFS_FS_FAULT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/crash_arm.h"	/* fs_fault_fire, fs_fault_shutdown */
#include "fs/fault_hook.h"
#include "fs/fs_fuse.h"
#include "fs/media.h"
#include "fs/nsfile.h"
#include "fs/undo.h"

struct fs_inode;
struct fs_daemon;

struct fs_crash_result {
	uint64_t pages_reverted;
	uint64_t pages_kept;
	uint64_t time_ns;
	unsigned killed;
};

/*
 * A crash image (crash_state.c): the pages a power failure reverted, each
 * with its old content (at the last completed FSYNC) and its new one (at
 * the crash), and the pages written while it was reverted (WRITEs that
 * arrived crashed: old the content at the last FSYNC, new with the
 * WRITE's bytes), sorted by page number once the power is back; any mix
 * of them is a state the medium could hold after the crash. While one is
 * held, pin logs the pages changed since the last state was applied (the
 * checker's work, fsynced or not), to be put back before the next state.
 */
struct fs_crash_image {
	bool held;		/* under f->rw */
	bool want;		/* under f->rw: the next revert keeps one */
	bool open;		/* under f->rw: taken, WRITEs while crashed join it */
	pthread_mutex_t lock;	/* n, cap, page[], old, new, slot[] while crashed */
	size_t n, cap, nlate;	/* nlate: pages that joined while crashed */
	uint64_t *page;
	uint8_t *old, *new;	/* n * FS_PAGE each (cap allocated) */
	size_t *slot;		/* nslot: page -> index + 1 (0: free), while taken */
	size_t nslot;
	struct fs_undo pin;
	/*
	 * Under f->rw exclusive, or img->lock while crashed: the image went
	 * over its bound (fs_crash_image_max) and was dropped; need: the
	 * pages it had reached. Cleared when the next crash starts or a
	 * crash-state request drops the image.
	 */
	bool dropped;
	size_t need;
};

struct fs_fault {
	struct fs_fault_hook hook;	/* first: what n->fault points to */
	struct fs_media *media;		/* the namespace's region's */

	pthread_mutex_t revert_lock;
	pthread_rwlock_t rw;
	bool enabled;			/* under rw */
	bool crashed;			/* under rw */
	uint32_t survive_ppm;		/* of the crash in progress, under rw */
	uint64_t seed;
	uint64_t epoch;			/* under rw: bumped by every crash */

	struct fs_undo undo;		/* bounded: fs_fault_undo_max() */
	bool undo_said;			/* its bound was logged since the last FSYNC (atomic) */

	pthread_mutex_t lock;
	uint64_t fsyncs;		/* completed FSYNCs since enabling */
	uint64_t reverts;		/* power failures since enabling */
	uint64_t kept_live;		/* pages written while crashed and kept */
	struct fs_crash_result last;	/* of the last power failure */

	struct fs_crash_image img;

	uint32_t at_fsync;		/* under rw: FSYNCs left before the armed crash */
	uint32_t arm_ppm;
	uint64_t arm_seed;
	int arm_owner;			/* under rw: pidfd of the process it belongs to, or -1 */
	pid_t arm_owner_pid;		/* (for the log) */

	/*
	 * The baseline (baseline.c): the content of every page changed since
	 * it was started, whatever changed it, never dropped by an FSYNC.
	 */
	bool base_held;			/* under rw */
	bool base_said;			/* its bound was logged (atomic) */
	bool base_left;			/* its owner is gone: no longer kept (atomic) */
	int base_owner;			/* pidfd of the process that started it, or -1 */
	struct fs_undo base;
};

/* The namespace's fault state, or NULL. */
static inline struct fs_fault *fs_ns_fault(const struct fs_ns *n)
{
	struct fs_fault_hook *h = __atomic_load_n(&n->fault, __ATOMIC_ACQUIRE);

	return (struct fs_fault *)h;	/* hook is the first member */
}

/* The namespace's fault state, created on first use; NULL when out of memory. */
struct fs_fault *fs_fault_get(struct fs_ns *n);

/* control thread: the options of a power failure */
struct fs_pf_opts {
	uint32_t survive_ppm;
	uint64_t seed;
	bool force;		/* revert under live handles */
	bool kill;		/* SIGKILL the holders first */
	bool image;		/* keep a crash image (crash_state.c) */
	unsigned wait_ms;	/* for holders to let go */
};

/*
 * The most pages an undo log keeps (a quarter of the machine's memory,
 * read once; PMEMFS_TEST_UNDO_PAGES, tests only, lowers it): a WRITE of
 * a page beyond it fails with EIO until the next FSYNC, logged once.
 */
size_t fs_fault_undo_max(void);
/* Enable (with a fresh log: now is the baseline) or disable crash testing. */
int fs_fault_enable(struct fs_ns *n, bool on);
/*
 * Arm (k > 0) or disarm (k == 0) a crash at the k-th FSYNC from now;
 * image: the crash keeps a crash image (dropping any held one); owner
 * (a pid, or 0): the crash point lapses, disarmed at the next FSYNC,
 * once that process has exited. 1: armed, its owner watched (a pidfd);
 * 0: done without an owner; -ESRCH: the owner had exited, nothing armed.
 */
int fs_fault_arm(struct fs_ns *n, uint32_t k, uint32_t ppm, uint64_t seed, bool image,
		 pid_t owner);

struct fs_crash_status {
	bool enabled;
	bool reverting;		/* a power failure is being reverted (f->crashed) */
	uint64_t pages_logged, fsyncs, reverts;
	uint32_t at_fsync;
	struct fs_crash_result last;
};
void fs_fault_status(struct fs_ns *n, struct fs_crash_status *st);

/*
 * powerfail.c: pull the plug now (steps 0-4). From a control thread
 * holding no daemon lock; file must stay valid (the caller's thread is
 * the one that removes files). 0 or a negative errno with an ns_err()
 * message (-EBUSY naming the holders' pids).
 */
int fs_fault_power_fail(struct fs_daemon *d, struct fs_inode *file,
			const struct fs_pf_opts *o, struct fs_crash_result *res);
/*
 * powerfail.c: steps 2-4 (f->revert_lock held, the namespace marked
 * crashed), for crash_arm.c too. Not from a FUSE thread: step 3 notifies
 * the kernel. The first page that could not be put back (-ENXIO: past
 * the end of a shortened region file; -ESTALE: the namespace's own file
 * was changed behind pmemfs, nothing put back), or 0.
 */
int fs_fault_revert(struct fs_daemon *d, struct fs_inode *file, struct fs_fault *f,
		    uint64_t t0, struct fs_crash_result *res);

/*
 * fault_bound.c: 1/div of the machine's memory in units of unit bytes
 * (UINT64_MAX when unknown); a test's setting env (a number of pages,
 * read by the caller once) lowering bound, logged with what it bounds.
 */
uint64_t fs_mem_share(unsigned div, uint64_t unit);
size_t fs_test_lower_bound(const char *env, size_t bound, const char *what);

/*
 * crash_mark.c: the crashed mark around a power failure's, crash state's
 * or restore's writes (steps 1, 3 and 4 there). mark and clear under f->rw
 * held for writing (clear also under f->lock); forget from a control
 * thread holding no lock (after: "a power failure", in its warning).
 */
void fs_crash_mark_locked(struct fs_fault *f, uint32_t survive_ppm, uint64_t seed);
void fs_crash_forget(struct fs_daemon *d, struct fs_inode *file, const char *after);
void fs_crash_clear_locked(struct fs_fault *f);

/*
 * crash_state.c. Under f->rw exclusive: capture the image from the undo
 * log (before step 2 puts the old pages back; -ENOMEM logged, no image),
 * close it once the power is back (step 4: sorted, no page joins it
 * after), or drop a held one. fs_crash_image_late: under f->rw shared, a
 * WRITE of [off, off+len) that arrived crashed while the image is wanted
 * or open (before it lands, if it is kept). fs_crash_state_apply: from a control thread, put
 * state o->state of the held image on the namespace (see there).
 */
void fs_crash_image_capture(struct fs_fault *f, struct fs_ns *n);
/*
 * The most pages a crash image keeps (each 8 KiB: old and new), read once:
 * 256 MiB of image, at most an eighth of the machine's memory; the
 * environment's PMEMFS_TEST_CRASH_IMAGE_PAGES (tests only) sets it.
 */
size_t fs_crash_image_max(void);
void fs_crash_image_release(struct fs_fault *f);
void fs_crash_image_close(struct fs_fault *f, struct fs_ns *n);
void fs_crash_image_late(struct fs_fault *f, struct fs_ns *n, const void *buf, size_t len,
			 uint64_t off);

struct fs_state_opts {
	uint64_t state, seed;
	uint32_t max_subset, torn_ppm, wait_ms;
	bool force, release;
};
struct fs_state_result {
	uint64_t image_pages, states, pages_new, pages_torn, state_id;
};
int fs_crash_state_apply(struct fs_daemon *d, struct fs_inode *file,
			 const struct fs_state_opts *o, struct fs_state_result *res);
/* the order of states: crash_order.h */

/*
 * baseline.c: a baseline of the namespace (pmemctl crash-test): started
 * (max_pages saved at most, 0: no bound), restored (every page changed
 * since the start put back, fdatasync, the kernel's cache invalidated, as
 * a power failure's revert; the undo log dropped: the restored content is
 * the last FSYNC), released, or its status. From a control thread.
 */
struct fs_baseline_result {
	bool held, full;	/* full: a write was refused at the bound since the last restore */
	uint64_t pages, max_pages, restored, time_ns;
};
int fs_baseline_start(struct fs_inode *file, uint64_t max_pages, pid_t owner,
		      struct fs_baseline_result *res);
/*
 * A pidfd of pid, or -1 (a kernel before 5.3: its process is never known
 * to have exited; logged at debug level with whose it is).
 */
int fs_pidfd_of(pid_t pid, const char *whose);
/* the process of a pidfd (>= 0) has exited */
bool fs_pidfd_exited(int fd);
/* the process that started f's baseline has exited (f->base_owner) */
bool fs_baseline_owner_gone(struct fs_fault *f);
/* f's baseline stopped and freed, under f->rw held for writing (fault.c) */
void fs_baseline_stop_locked(struct fs_fault *f);
int fs_baseline_restore(struct fs_daemon *d, struct fs_inode *file, bool force,
			unsigned wait_ms, struct fs_baseline_result *res);
int fs_baseline_release(struct fs_inode *file);
void fs_baseline_status(struct fs_ns *n, struct fs_baseline_result *res);
/*
 * A power failure's or crash state's write of page p (f->rw exclusive):
 * the page saved into a held baseline first (beyond its bound: at most
 * the undo log's pages), then written; not written when it cannot be
 * saved. Inline: powerfail.c and crash_state.c, which baseline.c calls.
 */
static inline int fs_baseline_read_page(void *arg, void *buf, uint64_t p)
{
	struct fs_ns *n = arg;

	return n->rops->read_page(n, buf, p);
}

static inline int fs_baseline_put_page(struct fs_fault *f, struct fs_ns *n, const void *buf,
				       uint64_t p)
{
	if (f && f->base_held) {
		int rc = fs_undo_save_unbounded(&f->base, p * FS_PAGE, FS_PAGE,
						fs_baseline_read_page, n);

		if (rc < 0)
			return rc;
	}
	return n->rops->write_page(n, buf, p);
}

/* fault.c: read page p of the namespace (arg) for a log (an fs_undo_io_fn) */
int fs_fault_save_page(void *arg, void *buf, uint64_t p);

/* CLOCK_MONOTONIC ns; a sleep over EINTR */
uint64_t fs_fault_now_ns(void);
void fs_fault_sleep_ms(unsigned ms);

#endif
