/* SPDX-License-Identifier: MIT */
/*
 * Media errors: ranges of a region's data area (src/ns/badblocks.h, kept
 * in a sidecar beside the region file). A READ that touches one fails
 * with EIO (a mapped access gets SIGBUS); a WRITE that covers whole
 * 512-byte blocks of one clears them, as writing clears poison on pmem; a
 * WRITE that covers only part of a poisoned block fails with EIO. The
 * dispatch (data.c) consults these through fault.c's hooks; the control
 * side injects and lists them. No FUSE, no namespace object: ranges are
 * region offsets (dpa), names for messages are passed in.
 *
 * Locks:
 *   m->save_lock  one sidecar save at a time (realpath, two fsyncs); a
 *                 change of the list by a control command takes it before
 *                 m->lock; a WRITE that cleared blocks takes it after
 *                 dropping m->lock, with a copy of the list and its
 *                 generation (an older copy is never saved over a newer one)
 *   m->lock       the list (leaf; never held across a sidecar save by the
 *                 data path: READs take it); taken under the daemon lock
 *                 by list -M (fs_media_clip)
 */
#ifndef PMEMFS_FS_MEDIA_H
#define PMEMFS_FS_MEDIA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ns/badblocks.h"

struct ns_region;

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

/* A region's list, loaded from its sidecar. */
void fs_media_init(struct fs_media *m, const struct ns_region *r);
void fs_media_fini(struct fs_media *m);
/* bytes of media errors in [dpa, dpa+len) of the data area (m may be NULL) */
uint64_t fs_media_bytes(struct fs_media *m, uint64_t dpa, uint64_t len);

/*
 * inject-error (control thread): inject (or with uninject clear)
 * [off, off+len) of the namespace at [dpa, dpa+size) of m's region;
 * clear_all clears all of its errors. Saved to the sidecar before it
 * returns. what names the namespace in messages.
 */
int fs_media_change(struct fs_media *m, uint64_t dpa, uint64_t size, const char *what,
		    uint64_t off, uint64_t len, bool uninject, bool clear_all);
/*
 * The ranges inside [dpa, dpa+size), clipped to it, in *out (free(); n in
 * *nout): 0 or -ENOMEM.
 */
int fs_media_clip(struct fs_media *m, uint64_t dpa, uint64_t size,
		  struct ns_bb_range **out, size_t *nout);

/* the data path's questions (fault.c's hooks; m may be NULL) */
/* a READ of [dpa, dpa+len) touches a media error */
bool fs_media_hit(struct fs_media *m, uint64_t dpa, uint64_t len);
/* a WRITE of [dpa, dpa+len) covers part of a poisoned 512-byte block */
bool fs_media_partial(struct fs_media *m, uint64_t dpa, uint64_t len);
/*
 * a WRITE landed on [off, off+len) of the namespace devname at dpa: its
 * whole blocks are good again (the sidecar saved, outside m->lock)
 */
void fs_media_written(struct fs_media *m, const char *devname, uint64_t dpa, uint64_t off,
		      uint64_t len);

#endif
