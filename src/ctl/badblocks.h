/* SPDX-License-Identifier: MIT */
/*
 * Injected media errors ("bad blocks") of a region, kept beside the region
 * file in a sidecar "<region file>.badblocks", never in the label area (a
 * kernel or guest reading the labels would not understand them). The
 * daemon (src/fs) and pmemctl (offline list, check-labels) read it the
 * same way, so it survives a remount.
 *
 * Ranges are byte offsets into the region's data area (the dpa space), in
 * whole 512-byte blocks, sorted, disjoint and merged when they touch: a
 * media error is physical, so a namespace created later over the same
 * range sees it too, as on real pmem.
 *
 * File format (text, one range a line, '#' comments):
 *   # pmemfs media errors of region file '/path/r.img'
 *   <offset> <length>          decimal bytes, multiples of 512
 * Written to a temporary file, fsynced and renamed over the old one; an
 * empty list removes the file.
 */
#ifndef PMEMFS_CTL_BADBLOCKS_H
#define PMEMFS_CTL_BADBLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_BB_BLOCK 512u
/* ranges a sidecar may hold (each injection adds at most one) */
#define CTL_BB_MAX 4096u

struct ctl_bb_range {
	uint64_t off;	/* data-area byte offset, a multiple of 512 */
	uint64_t len;	/* bytes, a multiple of 512, > 0 */
};

struct ctl_badblocks {
	struct ctl_bb_range *v;
	size_t n, cap;
};

/* "<region_path>.badblocks" into buf; -ENAMETOOLONG */
int ctl_bb_path(const char *region_path, char *buf, size_t len);

/*
 * Read the sidecar of region_path into bb (emptied first). No file is an
 * empty list. A malformed line is -EINVAL with a message naming the file
 * and the line.
 */
int ctl_bb_load(const char *region_path, struct ctl_badblocks *bb);

/* Write bb as the sidecar of region_path (or remove it when empty). */
int ctl_bb_save(const char *region_path, const struct ctl_badblocks *bb);

/*
 * Mark [off, off+len) bad, widened to whole 512-byte blocks. -ENOSPC past
 * CTL_BB_MAX ranges, -ENOMEM.
 */
int ctl_bb_add(struct ctl_badblocks *bb, uint64_t off, uint64_t len);

/*
 * Clear the whole blocks inside [off, off+len) (a partly covered block
 * stays bad). Returns the bytes cleared, or -ENOMEM (a range split in two).
 */
int64_t ctl_bb_clear(struct ctl_badblocks *bb, uint64_t off, uint64_t len);

/* Some byte of [off, off+len) is in a bad block. */
bool ctl_bb_overlaps(const struct ctl_badblocks *bb, uint64_t off, uint64_t len);

/*
 * The bad ranges inside [off, off+len), clipped to it and made relative to
 * off, into out (up to max); returns how many there are (may exceed max).
 */
size_t ctl_bb_clip(const struct ctl_badblocks *bb, uint64_t off, uint64_t len,
		   struct ctl_bb_range *out, size_t max);

/* Bytes of bad blocks inside [off, off+len). */
uint64_t ctl_bb_bytes(const struct ctl_badblocks *bb, uint64_t off, uint64_t len);

void ctl_bb_reset(struct ctl_badblocks *bb);	/* empty, keeps the memory */
void ctl_bb_free(struct ctl_badblocks *bb);

#endif
