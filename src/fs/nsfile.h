/* SPDX-License-Identifier: MIT */
/*
 * A served namespace: the daemon's side of one namespace file. It reaches
 * its data only through its region's layout (region_ops.h: n->rops, the
 * table; n->rio, the region's state; n->rns, its own). On the region file
 * (region_io.c, fs_region_file_ops) that is the region's two shared
 * descriptors (reopened once per region from the region's fd): a buffered
 * one, and an O_DIRECT one where the file system has O_DIRECT. The backing
 * file is never mapped. No descriptor is held per namespace: a region
 * whose label area describes 16k namespaces mounts under `ulimit -n 1024`.
 *
 * Write-back errors (region_io.c): the kernel reports one to every open
 * file of the region file once (errseq); with one shared file, the first
 * sync call to see it would take it from all the others. The region
 * file's sync does what per-namespace files did: after its sync call
 * (sync_file_range with WAIT, fdatasync, made concurrently on the shared
 * file) it asks a probe file of the region, under the region's lock,
 * whether a write-back error was recorded since the probe last asked
 * (sync_file_range WAIT_AFTER of one byte past the end of any file: no
 * write-back started, no page waited for, errseq checked and advanced). An
 * error counts up the region's err_seq; every namespace whose last seen
 * err_seq is older gets it at its next sync, as from its own file. An
 * error that happened before a sync call returned is in the file's errseq
 * when the probe asks, so no call has to wait for another. The sync
 * call's own EIO/ENOSPC/EDQUOT on the shared file may be a neighbour's: it
 * is retried once, and only what fails again (the file system's own
 * error) or what the probe attributes to the namespace counts.
 *
 * Data path (data.c, the dispatch; region_io.c, the region file's I/O;
 * docs/architecture.md): page-aligned WRITEs go to the O_DIRECT descriptor
 * (spliced from the receive loop's pipe when they are page-cache pages:
 * write(2) through the cache, mmap write-back; else from aligned memory),
 * so the data is cached once (in the FUSE page cache) and never dirty in
 * the region file's page cache;
 * anything else (unaligned, no O_DIRECT, -o backing=buffered, and a
 * write(2) of at most FS_WRITE_CACHED_MAX, which would otherwise wait for
 * the disk before returning) is a buffered pwrite whose range is recorded
 * as a dirty extent.
 *
 * Persist (flush.c, through the layout's sync): on the region file
 * sync_file_range(WAIT_BEFORE|WRITE|WAIT_AFTER) on each dirty extent,
 * fdatasync (metadata: unwritten-extent conversion; device cache), then
 * POSIX_FADV_DONTNEED on the extents. A failure is sticky.
 *
 * Locks: n->flush_lock (one persist of a namespace at a time) before
 * n->lock (dirty extents, handles, writers, destroyed; never held across
 * I/O).
 *
 * Destroyed (pmemctl destroy-namespace --force while open or mapped): the
 * file is gone from the tree, every later WRITE, FALLOCATE and FSYNC gets
 * EIO, and the range stays reserved in the core until the last handle is
 * released. fs_ns_mark_destroyed waits for WRITEs in flight, so that none
 * lands after the first bytes are zeroed.
 */
#ifndef PMEMFS_FS_NSFILE_H
#define PMEMFS_FS_NSFILE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fs/region_ops.h"
#include "fs/stats.h"

struct ns_namespace;
struct fs_fault_hook;
struct fs_media;

/* a page of a namespace (the undo log's unit, the O_DIRECT alignment) */
#define FS_NS_PAGE 4096u

/* dirty extents kept per namespace before falling back to all of it */
#define FS_DIRTY_MAX 64

struct fs_extent {
	uint64_t off;	/* namespace offset */
	uint64_t len;
};

struct fs_dirty {
	unsigned n;
	bool whole;		/* too many extents: the whole namespace */
	bool sync;		/* something to fdatasync (O_DIRECT writes, fallocate) */
	uint64_t bytes;		/* bytes written since the last persist */
	struct fs_extent ext[FS_DIRTY_MAX];	/* sorted, disjoint, not adjacent */
};

struct fs_ns {
	struct ns_namespace *ns;
	char devname[32];
	/* its region's layout (region_ops.h): the table, the region's state */
	const struct fs_region_ops *rops;
	struct fs_rio *rio;	/* not owned */
	void *rns;		/* the layout's state of n (ns_open .. ns_close) */
	uint64_t dpa;		/* namespace offset 0 in the region file */
	uint64_t size;
	bool readonly;

	pthread_mutex_t flush_lock;
	pthread_mutex_t lock;
	struct fs_dirty dirty;	/* under lock */
	unsigned handles;	/* OPEN minus RELEASE, under lock */
	unsigned writers;	/* WRITE/FALLOCATE in flight, under lock */
	bool destroyed;		/* under lock */
	pthread_cond_t idle;	/* with lock: writers dropped to 0 */

	int error;		/* sticky positive errno (atomic), 0 = fine */
	/*
	 * CLOCK_REALTIME ns of the last data change (WRITE, FALLOCATE;
	 * atomic), 0 = none since mount or since mtime was set: the file's
	 * mtime and ctime when later (without the writeback cache the kernel
	 * keeps no times of its own, inode.c).
	 */
	int64_t data_time;
	struct fs_stats stats;

	/*
	 * Fault simulation (fault_hook.h, fault.h): NULL unless crash testing
	 * or a media error was asked for; set once (atomic), freed with n
	 * through its ops. The dispatch knows only the hook.
	 */
	struct fs_fault_hook *fault;
	struct fs_media *media;	/* the region's media errors (set by daemon.c) */

	/* FUSE passthrough (passthrough.h): the backing id (under lock), 0 none
	 * yet, -1 refused; the mount's state once registered */
	int pt_id;
	struct fs_pt *pt;
	/*
	 * Kernel opens (OPEN minus RELEASE, under lock; n->handles also
	 * counts the daemon's own holds) answered with passthrough and
	 * without: the kernel fails (EIO) an open whose I/O mode conflicts
	 * with the inode's open files (fs/fuse/iomode.c), so one kind never
	 * meets the other (fs_pt_open).
	 */
	unsigned pt_opens, cached_opens;
	/*
	 * n was opened with passthrough since it is served (atomic, never
	 * cleared): stores through mappings may have dirtied its layout's
	 * file unseen, so every persist syncs it whole (flush.c).
	 */
	bool pt_used;
	/* the FUSE page cache may be older than the file (under lock): the
	 * next open without passthrough drops it (no keep_cache) */
	bool pt_stale;
	/* fault simulation is starting or on (under lock): no more passthrough */
	bool pt_off;
};

/*
 * nsfile.c: set up n for namespace ns of a region whose layout is rops,
 * opened as rio (region_ops.h): 0 or -errno.
 */
int fs_ns_init(struct fs_ns *n, struct ns_namespace *ns, const struct fs_region_ops *rops,
	       struct fs_rio *rio);
void fs_ns_fini(struct fs_ns *n);

/*
 * n's data will be reached until fs_ns_io_put (a FUSE OPEN until its
 * RELEASE, a power failure): its layout's ns_get (region_ops.h), 0 or
 * -errno (-ENFILE: the daemon's open-file limit; -EIO: its file is not the
 * one served any more).
 */
int fs_ns_io_get(struct fs_ns *n);
void fs_ns_io_put(struct fs_ns *n);

/*
 * A data change may start (0), or the namespace is destroyed (-EIO).
 * fs_ns_write_end() ends what fs_ns_write_begin() let start.
 */
int fs_ns_write_begin(struct fs_ns *n);
void fs_ns_write_end(struct fs_ns *n);
/* Refuse every later data change and wait for those in flight (or undo). */
void fs_ns_mark_destroyed(struct fs_ns *n, bool destroyed);
bool fs_ns_destroyed(struct fs_ns *n);
/* OPENs (and holds, daemon.c) minus RELEASEs now */
unsigned fs_ns_handles(struct fs_ns *n);

/*
 * data.c: the WRITEs this thread serves from now on are small write(2)s
 * (true): the layout's cached write (on the region file a buffered pwrite
 * + dirty extent, not O_DIRECT), so that a write(2)
 * waits for a copy into the region file's page cache, not for the disk;
 * the next persist writes it back and drops the copy (FS_WRITE_CACHED_MAX).
 */
#define FS_WRITE_CACHED_MAX (64u << 10)
void fs_data_write_cached(bool cached);
/*
 * data.c, the dispatch: I/O at namespace offsets (callers check bounds),
 * through the fault hooks when n has them (fault_hook.h).
 */
int fs_data_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off);
/*
 * len bytes of a WRITE's data waiting in pipefd (loop.c, splice mode),
 * taken by the layout from the pipe (the region file: spliced to the
 * O_DIRECT descriptor): 0, -EAGAIN when this write cannot take that path
 * (a cached write, unaligned, no O_DIRECT, faults simulated; nothing was
 * taken from the pipe), or -EIO (sticky error set).
 */
int fs_data_write_pipe(struct fs_ns *n, int pipefd, size_t len, uint64_t off);
/* Reads into a per-thread buffer (*out, valid until the thread's next read). */
int fs_data_read(struct fs_ns *n, size_t len, uint64_t off, void **out);
int fs_data_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len);
/*
 * FSYNC: persist n (fs_ns_persist): 0 or -errno, or FS_HOOK_FIRE (1): an
 * armed crash fires at this FSYNC (the caller hands its request to
 * fs_fault_fire, crash_arm.h).
 */
int fs_data_fsync(struct fs_ns *n);
/* n has fault simulation (its FSYNCs keep the flush worker) */
static inline bool fs_data_hooked(const struct fs_ns *n)
{
	return __atomic_load_n(&n->fault, __ATOMIC_ACQUIRE) != NULL;
}

/* data.c: read len bytes from pipefd into a per-thread buffer (*out) */
int fs_data_drain_pipe(int pipefd, size_t len, void **out);

/* flush.c */
void fs_dirty_add(struct fs_ns *n, uint64_t off, uint64_t len);
/* bytes reached the medium's write path directly (O_DIRECT, fallocate) */
void fs_dirty_mark_sync(struct fs_ns *n, uint64_t bytes);
/* Make everything written to n so far durable; -EIO once anything failed. */
int fs_ns_persist(struct fs_ns *n);
/*
 * A persist of n now would be short: no other persist of n under way and
 * at most FS_PERSIST_SMALL bytes of buffered dirty extents (O_DIRECT data
 * is already on the device and needs only the fdatasync). A hint: the
 * answer may be stale by the time the caller acts on it.
 */
#define FS_PERSIST_SMALL (256u << 10)
bool fs_ns_persist_small(struct fs_ns *n);
/* flush.c: data changed now (or at *ts) (mtime, ctime); forget it (mtime set) */
void fs_ns_touch(struct fs_ns *n);
void fs_ns_touch_at(struct fs_ns *n, const struct timespec *ts);
void fs_ns_untouch(struct fs_ns *n);
/* Record a failed backing write or flush (sticky until remount). */
void fs_ns_set_error(struct fs_ns *n, int err, const char *what);
int fs_ns_error(const struct fs_ns *n);

#endif
