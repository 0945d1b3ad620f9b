/* SPDX-License-Identifier: MIT */
/*
 * The undo log of crash testing: the old contents of every 4 KiB page of
 * a namespace first changed since the last completed FSYNC (see fault.h
 * for when it is kept, docs/durability.md for why). Pages only: the log
 * knows nothing of FUSE, the daemon or the region file; the caller hands
 * it a function that reads a page's current content (fs_undo_save) or
 * puts one back (fs_undo_revert).
 *
 * Locks: u->lock (the log, its bitmaps and buffer pool; a leaf). A page
 * is claimed under it and read without it, so that changes of different
 * pages save in parallel; a change of a page being saved waits for it.
 * The caller keeps fs_undo_revert and fs_undo_drop from running with a
 * save (fault.c: they hold f->rw exclusive, saves hold it shared).
 */
#ifndef PMEMFS_FS_UNDO_H
#define PMEMFS_FS_UNDO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_PAGE 4096u

struct fs_undo_page {
	uint64_t page;		/* namespace page number */
	void *buf;		/* its content before the first change; NULL: a
				 * save that failed (skipped) */
};

struct fs_undo {
	pthread_mutex_t lock;
	uint64_t npages;
	uint64_t *saved;		/* bitmap of pages in the log (atomic words);
					 * NULL while the log is off */
	uint64_t *saving;		/* under lock: pages being read into the log */
	pthread_cond_t saved_cond;	/* with lock: a page's save finished */
	struct fs_undo_page *log;
	size_t nlog, caplog;
	void **pool;			/* page buffers for reuse */
	size_t npool, cappool;
	/*
	 * A baseline log (fs_undo_start_baseline): pages changed since the
	 * last fs_undo_restore (atomic words; NULL in other logs). Any log:
	 * at most max pages saved by a bounded save (0: no bound; a baseline's
	 * or fs_undo_bound's), and whether a bounded save was refused for it
	 * (under lock).
	 */
	uint64_t *touched;
	size_t max;
	bool full;
};

/* Reads (save) or writes (revert) FS_PAGE bytes of page p: 0 or -errno. */
typedef int (*fs_undo_io_fn)(void *arg, void *buf, uint64_t p);

void fs_undo_init(struct fs_undo *u);
void fs_undo_fini(struct fs_undo *u);
/* Start an empty log for npages pages (0 or -ENOMEM); stop it, freeing it. */
int fs_undo_start(struct fs_undo *u, uint64_t npages);
void fs_undo_stop(struct fs_undo *u);
/*
 * Start an empty baseline log: as fs_undo_start, and it tracks the pages
 * changed since the last fs_undo_restore; fs_undo_save keeps at most max
 * pages (0: no bound), then fails with -ENOSPC (u->full set).
 */
int fs_undo_start_baseline(struct fs_undo *u, uint64_t npages, size_t max);
/* a started log's bound: fs_undo_save keeps at most max pages (0: no bound) */
void fs_undo_bound(struct fs_undo *u, size_t max);
bool fs_undo_on(const struct fs_undo *u);
/* a page of [off, off+len) is not saved yet: a save of it would take a new page */
bool fs_undo_saves_new(const struct fs_undo *u, uint64_t off, uint64_t len);

/*
 * Save the pages [off, off+len) touches that are not in the log yet,
 * reading each with read(arg, buf, page): 0, or the first -errno (that
 * page is left out of the log).
 */
int fs_undo_save(struct fs_undo *u, uint64_t off, uint64_t len, fs_undo_io_fn read,
		 void *arg);
/* fs_undo_save beyond u->max (a power failure's own writes, at most its log) */
int fs_undo_save_unbounded(struct fs_undo *u, uint64_t off, uint64_t len,
			   fs_undo_io_fn read, void *arg);
/*
 * A baseline log: put back every saved page changed since the last
 * restore with write(arg, buf, page) (their number in *restored) and
 * forget that they changed (those that could not be written stay
 * changed). The first -errno of a write, or 0; the saved pages stay.
 */
int fs_undo_restore(struct fs_undo *u, fs_undo_io_fn write, void *arg, uint64_t *restored);
/*
 * Put every saved page back with write(arg, buf, page), except the pages
 * fs_undo_kept(seed, ppm, page) keeps: their number in *kept, the others'
 * in *reverted. The first -errno of a write, or 0; the log is unchanged.
 */
int fs_undo_revert(struct fs_undo *u, uint64_t seed, uint32_t ppm, fs_undo_io_fn write,
		   void *arg, uint64_t *reverted, uint64_t *kept);
/* Call fn(arg, page, buf) for every saved page, in log order (u->lock held). */
void fs_undo_each(struct fs_undo *u, void (*fn)(void *arg, uint64_t p, const void *buf),
		  void *arg);
/* Forget every saved page (a completed FSYNC, a revert done). */
void fs_undo_drop(struct fs_undo *u);
/* pages in the log */
size_t fs_undo_count(struct fs_undo *u);

/*
 * Whether page p survives the crash of seed: a splitmix64 hash of seed and
 * p below ppm (parts per million): the same answer for the same seed and
 * page, whenever asked.
 */
bool fs_undo_kept(uint64_t seed, uint32_t ppm, uint64_t p);

#endif
