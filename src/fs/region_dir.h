/* SPDX-License-Identifier: MIT */
/*
 * The region directory layout's own parts (private to region_dir.c, the
 * data path and the table, and region_dir_fd.c, the namespace files'
 * descriptors on demand; region_dir.c calls region_dir_fd.c, never the
 * other way). See region_dir.c's top for the design.
 */
#ifndef PMEMFS_FS_REGION_DIR_H
#define PMEMFS_FS_REGION_DIR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/nsfile.h"
#include "fs/region_ops.h"

/* the region's state: the core region (its directory descriptor) */
struct rdir_rio {
	struct ns_region *r;
	enum fs_backing backing;
};

/* a namespace's state (n->rns): its own file, its descriptors on demand */
struct rdir_ns {
	/*
	 * buffered, O_RDWR, and O_DIRECT (or -1): -1 while closed; changed
	 * under mu and n->flush_lock (closing) or mu (opening); stable for a
	 * caller that holds a pin or n->flush_lock
	 */
	int fd;
	int dfd;
	bool pt;	/* atomic: the passthrough backing file (buffered only) */
	bool pt_no;	/* why not was logged: never again */
	bool wrote;	/* atomic: written since its last sync (fdatasync at close) */
	bool no_direct;	/* ns_open found no O_DIRECT on the file (backing=auto) */
	bool bad;	/* under mu: no longer the file served, never reopened */
	int64_t seen_mtime;	/* under mu: the file's mtime last looked at (pt) */
	dev_t dev;	/* the file served (ns_open) */
	ino_t ino;
	pthread_mutex_t mu;	/* opening and closing fd, dfd */
	struct fs_ns *n;
	/* under cache.lock: the pins (ns_get minus ns_put), the idle list */
	unsigned pins;
	bool idle;
	struct rdir_ns *prev, *next;
};

static inline struct rdir_rio *rd_of(struct fs_rio *rio)
{
	return (struct rdir_rio *)rio;
}

static inline struct rdir_ns *rn_of(const struct fs_ns *n)
{
	return n->rns;
}

/* x is passed through: its data path is the file's page cache */
static inline bool pt_on(const struct rdir_ns *x)
{
	return __atomic_load_n(&x->pt, __ATOMIC_ACQUIRE);
}

/* something was written through x's descriptors (their close fdatasyncs) */
static inline void mark_wrote(struct rdir_ns *x)
{
	if (!__atomic_load_n(&x->wrote, __ATOMIC_RELAXED))
		__atomic_store_n(&x->wrote, true, __ATOMIC_RELAXED);
}

/* region_dir_fd.c: the table's ns_open, ns_close, ns_get, ns_put */
int rdir_ns_open(struct fs_ns *n);
void rdir_ns_close(struct fs_ns *n);
int rdir_ns_get(struct fs_ns *n);
void rdir_ns_put(struct fs_ns *n);
/* region_dir_fd.c: SIGIO (a broken lease) ignored, once for the process */
void rdir_sigio_ignore(void);
/*
 * Passed through, a mapping's stores reach the file, not the daemon: a
 * change of the file's mtime since it was last looked at (x->seen_mtime)
 * is a data change at that time, for the namespace's mtime and ctime
 * (fs_ns_touch_at; the daemon never sets the file's own times, so a time
 * set on the namespace stays until the next store). init: only note the
 * mtime. x->mu held; nothing while the file is closed.
 */
void rdir_fold_mtime(struct rdir_ns *x, bool init);

#endif
