/* SPDX-License-Identifier: MIT */
/*
 * A region's health as the daemon keeps it (src/ns/health.h: the file
 * beside the region and its format): the "mounted" mark written once the
 * region's lock is held (an earlier daemon's mark found then is an
 * unclean end: count + 1, dirty, logged), + 1 and dirty for every
 * simulated power failure (fs_fault_revert), and the mark cleared at the
 * daemon's end (dirty + 1 when its final persist failed). A failed save
 * is logged, never fails a revert or a mount. A read-only region counts
 * nothing. Called from the main thread (init, end) and from control or
 * armed-crash threads (power failures), never from a FUSE thread.
 *
 * Lock: h->lock (leaf) over h->h and the file's saves.
 */
#ifndef PMEMFS_FS_HEALTH_H
#define PMEMFS_FS_HEALTH_H

#include <pthread.h>
#include <stdbool.h>

#include "ns/health.h"

struct ns_region;

struct fs_health {
	pthread_mutex_t lock;
	struct ns_health h;		/* under lock */
	const char *region_path;	/* the file is beside it */
	const char *devname;		/* "region0", for messages */
	struct ns_bb_id id;		/* the region file's, recorded in it */
	bool rdonly;			/* counts nothing */
	bool marked;			/* the mounted mark was written */
	unsigned failures;		/* saves that failed (logged: the first few) */
	char note[256];			/* why the count is unknown ("" known) */
};

/* loaded, an earlier unclean end counted, this daemon's mark written */
void fs_health_init(struct fs_health *hl, const struct ns_region *r);
/* the daemon went to the background: the mark names its new pid */
void fs_health_moved(struct fs_health *hl);
/* a simulated power failure of one of its namespaces: + 1, dirty */
void fs_health_power_fail(struct fs_health *hl, const char *what);
/* the daemon ends: the mark cleared; clean, or dirty + 1 */
void fs_health_end(struct fs_health *hl, bool clean);
/* a copy of the state, and the note (may be NULL) */
void fs_health_get(struct fs_health *hl, struct ns_health *out, char *note, size_t len);
void fs_health_fini(struct fs_health *hl);

#endif
