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
 * The sidecar belongs to one region file, not to a path: a region deleted
 * and created again at the same path is a new medium and must not inherit
 * the old one's errors. It records the identity of the region file it was
 * written for (inode number and birth time, which a new file at the same
 * path does not share; the inode alone where the file system gives no
 * birth time); a sidecar whose identity does not match the region file is
 * stale: ignored (NS_BB_STALE, with a message saying why), and replaced
 * at the next change. create-region removes a sidecar it finds beside the
 * new file, saying so. Within one region the errors stay physical: a
 * namespace destroyed and another created over the range sees them, so
 * they are not tied to a namespace UUID (a remount must show what the
 * running daemon showed).
 *
 * The sidecar lives beside the region file's real path (symbolic links in
 * the path given are resolved), so pmemctl --file and the daemon use the
 * same one.
 *
 * File format (text, one item a line, '#' comments):
 *   # pmemfs media errors of region file '/path/r.img'
 *   region ino=<inode> btime=<seconds>.<nanoseconds>|-   the region's identity
 *   <offset> <length>          decimal bytes, multiples of 512
 * Files without a "region" line (pmemfs before the identity was recorded)
 * are read as before: their identity cannot be checked; the next change
 * writes it.
 *
 * Saving never follows a link nor reuses a name: a new file with a fresh
 * random name is created with O_CREAT|O_EXCL|O_NOFOLLOW in the region's
 * directory (opened once, and checked to hold the region file), fsynced,
 * and renamed over the old sidecar (a rename replaces a symbolic link
 * there, never its target); an empty list removes the file. Reading
 * refuses a symbolic link or anything but a regular file (a FIFO would
 * block the daemon).
 */
#ifndef PMEMFS_NS_BADBLOCKS_H
#define PMEMFS_NS_BADBLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NS_BB_BLOCK 512u
/* ranges a sidecar may hold (each injection adds at most one) */
#define NS_BB_MAX 4096u

struct ns_bb_range {
	uint64_t off;	/* data-area byte offset, a multiple of 512 */
	uint64_t len;	/* bytes, a multiple of 512, > 0 */
};

struct ns_badblocks {
	struct ns_bb_range *v;
	size_t n, cap;
};

/* the identity of a region file, recorded in its sidecar */
struct ns_bb_id {
	bool known;		/* false: nothing to check (no region file) */
	uint64_t ino;
	bool has_btime;		/* the file system reports a birth time */
	int64_t btime_sec;
	uint32_t btime_nsec;
};

/* ns_bb_load: the sidecar belongs to another region file; bb is empty */
#define NS_BB_STALE 1

struct ns_region;

/* identity of an open region file; -errno */
int ns_bb_id_of_fd(int fd, struct ns_bb_id *id);
/* identity of the region file at path (links followed); -errno */
int ns_bb_id_of_path(const char *path, struct ns_bb_id *id);
/* identity of the regular file name in directory dfd (no link); -errno */
int ns_bb_id_of_at(int dfd, const char *name, struct ns_bb_id *id);
/* identity of an open region (its fd); a region without one: !known */
void ns_bb_id_of_region(const struct ns_region *r, struct ns_bb_id *id);

/* "ino=N btime=S.NS|-" of id into buf (the "region" line's) */
void ns_bb_id_text(const struct ns_bb_id *id, char *buf, size_t len);
/* that text (after "region") into id; false when malformed */
bool ns_bb_id_parse(const char *p, struct ns_bb_id *id);
/* a sidecar recorded had and the region file is is: the same file? */
bool ns_bb_id_matches(const struct ns_bb_id *had, const struct ns_bb_id *is);

/* "<real path of region_path>.badblocks" into buf; -ENAMETOOLONG */
int ns_bb_path(const char *region_path, char *buf, size_t len);

/*
 * Read the sidecar of region_path into bb (emptied first). No file is an
 * empty list. A malformed line is -EINVAL with a message naming the file
 * and the line. With id (may be NULL: no check), a sidecar recorded for
 * another region file is NS_BB_STALE: bb stays empty, ns_errormsg() says
 * why (callers log it). So is one owned by a user other than root, this
 * process's and the region file's owner (planted in a shared directory: the
 * identity line is no proof, anyone who can stat the region can write it).
 */
int ns_bb_load(const char *region_path, const struct ns_bb_id *id,
		struct ns_badblocks *bb);

/*
 * The sidecar's text (the format above) read from f into bb (emptied
 * first) and the identity it records into *had (!known without a "region"
 * line); name is the file's, for messages. ns_bb_load's parser, apart
 * for the fuzz target (tests/fuzz/badblocks_fuzz.c): 0, -EINVAL with a
 * message naming name and the line, -ENOSPC past NS_BB_MAX ranges,
 * -ENOMEM; on an error bb is empty.
 */
int ns_bb_parse(FILE *f, const char *name, struct ns_bb_id *had,
		 struct ns_badblocks *bb);

/*
 * Write bb as the sidecar of region_path, recording id (or remove it when
 * empty). See the top comment for how it is written.
 */
int ns_bb_save(const char *region_path, const struct ns_bb_id *id,
		const struct ns_badblocks *bb);

/*
 * A region file was just created at region_path: remove a sidecar left
 * there by an earlier region. 1 when one was removed (ns_errormsg() says
 * which), 0 when there was none, -errno.
 */
int ns_bb_remove_stale(const char *region_path);

/* Convenience for an open region: its path and identity. */
int ns_bb_load_region(const struct ns_region *r, struct ns_badblocks *bb);
int ns_bb_save_region(const struct ns_region *r, const struct ns_badblocks *bb);

/*
 * Mark [off, off+len) bad, widened to whole 512-byte blocks. -ENOSPC past
 * NS_BB_MAX ranges, -ENOMEM.
 */
int ns_bb_add(struct ns_badblocks *bb, uint64_t off, uint64_t len);

/*
 * Clear the whole blocks inside [off, off+len) (a partly covered block
 * stays bad). Returns the bytes cleared, or -ENOMEM (a range split in two).
 */
int64_t ns_bb_clear(struct ns_badblocks *bb, uint64_t off, uint64_t len);

/* Some byte of [off, off+len) is in a bad block. */
bool ns_bb_overlaps(const struct ns_badblocks *bb, uint64_t off, uint64_t len);

/*
 * The bad ranges inside [off, off+len), clipped to it and made relative to
 * off, into out (up to max); returns how many there are (may exceed max).
 */
size_t ns_bb_clip(const struct ns_badblocks *bb, uint64_t off, uint64_t len,
		   struct ns_bb_range *out, size_t max);

/* Bytes of bad blocks inside [off, off+len). */
uint64_t ns_bb_bytes(const struct ns_badblocks *bb, uint64_t off, uint64_t len);

void ns_bb_reset(struct ns_badblocks *bb);	/* empty, keeps the memory */
void ns_bb_free(struct ns_badblocks *bb);

#endif
