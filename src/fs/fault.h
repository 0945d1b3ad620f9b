/* SPDX-License-Identifier: MIT */
/*
 * Fault simulation on a served namespace: power failures (crash testing)
 * and media errors. Both are off by default; a namespace has a struct
 * fs_fault only once either was asked for (n->fault, published once and
 * kept until the namespace is freed), so the data path of every other
 * namespace pays one predictable branch on a NULL pointer.
 *
 * Power failures (see docs/durability.md for the measured facts this
 * follows). With crash testing enabled, the daemon keeps an
 * undo log: the old contents of every 4 KiB page first changed (WRITE,
 * FALLOCATE) since the last completed FSYNC, read from the region file
 * before the change lands. A completed FSYNC drops the log. A power
 * failure reverts the namespace to its content at the last completed FSYNC
 * (or at enabling, which counts as one), in this order, which held in
 * every run of the prototype:
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
 * Whether a page survives depends only on the seed and the page number,
 * so a run is reproducible whether the kernel wrote a page back before or
 * during the crash.
 *
 * An armed crash (--at-fsync K) fires at the K-th FSYNC from then: the
 * namespace is marked crashed, the calling process is SIGKILLed before the
 * FSYNC is answered (it gets EIO if it lives long enough to see it), and
 * a thread of ours reverts the namespace (steps 2-4) once it is gone.
 *
 * Media errors: ranges of the region's data area (src/ctl/badblocks.h,
 * kept in a sidecar beside the region file). A READ that touches one
 * fails with EIO (a mapped access gets SIGBUS); a WRITE that covers whole
 * 512-byte blocks of one clears them, as writing clears poison on pmem.
 *
 * Locks (after n->lock in fs.h's order; none held across a notification):
 *   f->revert_lock   one power failure (steps 0-4) at a time
 *   f->rw            data changes hold it shared from the log check to the
 *                    write; mode changes, FSYNC's log drop and step 2 hold
 *                    it exclusive
 *   f->lock          the log (bitmap, pages, buffer pool), counters
 *   media->save_lock one sidecar save at a time (realpath, two fsyncs);
 *                    a change of the list by a control command takes it
 *                    before media->lock; a WRITE that cleared blocks takes
 *                    it after dropping media->lock, with a copy of the list
 *                    and its generation (an older copy is never saved over
 *                    a newer one)
 *   media->lock      a region's media error list (leaf; never held across
 *                    a sidecar save by the data path: READs take it);
 *                    taken under the daemon lock by list -M
 *                    (fs_ctl_put_region_badblocks)
 */
#ifndef PMEMFS_FS_FAULT_H
#define PMEMFS_FS_FAULT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "badblocks.h"
#include "fs_fuse.h"

struct fs_ns;
struct fs_inode;
struct fs_daemon;

#define FS_PAGE 4096u

/* A region's media errors (one per struct fs_region). */
struct fs_media {
	pthread_mutex_t lock;
	struct ns_badblocks bb;	/* under lock */
	uint64_t gen;			/* under lock: changes of bb */
	pthread_mutex_t save_lock;	/* one sidecar save at a time */
	uint64_t saved_gen;		/* under save_lock: gen of the saved sidecar */
	const char *region_path;	/* the sidecar is beside it */
	struct ns_bb_id id;		/* the region file's, recorded in it */
	uint64_t bytes;			/* atomic: bytes of bad blocks, 0 = none */
};

struct fs_undo_page {
	uint64_t page;		/* namespace page number */
	void *buf;		/* its content before the first change; NULL: a
				 * save that failed (skipped) */
};

struct fs_crash_result {
	uint64_t pages_reverted;
	uint64_t pages_kept;
	uint64_t time_ns;
	unsigned killed;
};

struct fs_fault {
	struct fs_media *media;		/* the namespace's region's */

	pthread_mutex_t revert_lock;
	pthread_rwlock_t rw;
	bool enabled;			/* under rw */
	bool crashed;			/* under rw */
	uint32_t survive_ppm;		/* of the crash in progress, under rw */
	uint64_t seed;
	uint64_t epoch;			/* under rw: bumped by every crash */

	pthread_mutex_t lock;
	uint64_t npages;
	uint64_t *saved;		/* bitmap of pages in the log (atomic words) */
	uint64_t *saving;		/* under lock: pages being read into the log */
	pthread_cond_t saved_cond;	/* with lock: a page's save finished */
	struct fs_undo_page *log;
	size_t nlog, caplog;
	void **pool;			/* page buffers for reuse */
	size_t npool, cappool;
	uint64_t fsyncs;		/* completed FSYNCs since enabling */
	uint64_t reverts;		/* power failures since enabling */
	uint64_t kept_live;		/* pages written while crashed and kept */
	struct fs_crash_result last;	/* of the last power failure */

	uint32_t at_fsync;		/* under rw: FSYNCs left before the armed crash */
	uint32_t arm_ppm;
	uint64_t arm_seed;
};

/* The namespace's fault state, or NULL (the data path's one branch). */
static inline struct fs_fault *fs_ns_fault(const struct fs_ns *n);

/* The namespace's fault state, created on first use; NULL when out of memory. */
struct fs_fault *fs_fault_get(struct fs_ns *n);
void fs_fault_free(struct fs_fault *f);

/* data path (data.c calls these only when n->fault is set) */
int fs_fault_write(struct fs_ns *n, struct fs_fault *f, const void *buf, size_t len,
		   uint64_t off);
int fs_fault_fallocate(struct fs_ns *n, struct fs_fault *f, int mode, uint64_t off,
		       uint64_t len);
/* -EIO when [off, off+len) of n touches a media error */
int fs_fault_read_check(struct fs_ns *n, struct fs_fault *f, uint64_t off, size_t len);

/*
 * FSYNC (flush worker): fs_fault_fsync_begin returns 0 (persist, then
 * call fs_fault_fsync_end with *token), -EIO (crashed: fail it), or 1 (the
 * armed crash fires: call fs_fault_fire, which answers the request).
 */
int fs_fault_fsync_begin(struct fs_fault *f, uint64_t *token);
int fs_fault_fsync_end(struct fs_fault *f, uint64_t token);
void fs_fault_fire(struct fs_daemon *d, struct fs_inode *file, fuse_req_t req);

/* control thread: the options of a power failure */
struct fs_pf_opts {
	uint32_t survive_ppm;
	uint64_t seed;
	bool force;		/* revert under live handles */
	bool kill;		/* SIGKILL the holders first */
	unsigned wait_ms;	/* for holders to let go */
};

/* Enable (with a fresh log: now is the baseline) or disable crash testing. */
int fs_fault_enable(struct fs_ns *n, bool on);
/* Arm (k > 0) or disarm (k == 0) a crash at the k-th FSYNC from now. */
int fs_fault_arm(struct fs_ns *n, uint32_t k, uint32_t ppm, uint64_t seed);
/*
 * Pull the plug now (steps 0-4). From a control thread holding no daemon
 * lock; file must stay valid (the caller's thread is the one that removes
 * files). 0 or a negative errno with an ns_err() message (-EBUSY naming
 * the holders' pids).
 */
int fs_fault_power_fail(struct fs_daemon *d, struct fs_inode *file,
			const struct fs_pf_opts *o, struct fs_crash_result *res);

/*
 * Up to max pids of the processes that have inode ino of the mount open or
 * mapped, found by device and inode (never by a path string; the daemon
 * itself is left out); 0 while the mount's device number is unknown.
 * Reads /proc: call with no daemon lock held.
 */
unsigned fs_holders_find(struct fs_daemon *d, uint64_t ino, pid_t *pids, unsigned max);
/* "pid 123 (nsio), pid 456 (qemu-system-x86)" */
void fs_holders_text(const pid_t *pids, unsigned n, char *buf, size_t len);

struct fs_crash_status {
	bool enabled;
	bool reverting;		/* a power failure is being reverted (f->crashed) */
	uint64_t pages_logged, fsyncs, reverts;
	uint32_t at_fsync;
	struct fs_crash_result last;
};
void fs_fault_status(struct fs_ns *n, struct fs_crash_status *st);

/*
 * The processes holding files of the mount major:minor (descriptors or
 * mappings), found in one pass over /proc by the files' identity: each
 * (inode, pid) once, in *out (free()); 0 or -errno. For a mapping, the
 * bytes its smaps counts dirty (Shared_Dirty + Private_Dirty: dirty in
 * the page tables or the mount's page cache, not yet written back to us).
 */
struct fs_holder {
	uint64_t ino;
	pid_t pid;
	bool mapped;		/* a mapping (not only a descriptor) */
	uint64_t mapped_dirty;	/* bytes of its mappings smaps says are dirty */
};
int fs_holders_scan(unsigned major, unsigned minor, struct fs_holder **out, size_t *n);

/* Wait for armed-crash threads still reverting (daemon shutdown). */
void fs_fault_shutdown(void);

/* media errors: a region's list, loaded from its sidecar */
void fs_media_init(struct fs_media *m, const struct ns_region *r);
void fs_media_fini(struct fs_media *m);
/* bytes of media errors in [dpa, dpa+len) of the data area */
uint64_t fs_media_bytes(struct fs_media *m, uint64_t dpa, uint64_t len);

/*
 * inject-error (control thread): inject (or with uninject clear)
 * [off, off+len) of the namespace at [dpa, dpa+size) of m's region;
 * clear_all clears all of its errors. Saved to the sidecar before it
 * returns. what names the namespace in messages.
 */
int fs_media_change(struct fs_media *m, uint64_t dpa, uint64_t size, const char *what,
		    uint64_t off, uint64_t len, bool uninject, bool clear_all);

#include "nsfile.h"

static inline struct fs_fault *fs_ns_fault(const struct fs_ns *n)
{
	return __atomic_load_n(&n->fault, __ATOMIC_ACQUIRE);
}

#endif
