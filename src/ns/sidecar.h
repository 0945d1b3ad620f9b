/* SPDX-License-Identifier: MIT */
/*
 * Files the core keeps beside a region file ("sidecars": the media errors
 * "<region>.badblocks", badblocks.h; the health "<region>.health",
 * health.h), read and written one way:
 *
 *   - beside the region file's real path (links in the path given are
 *     resolved), so the daemon and pmemctl --file use the same file;
 *   - written by creating a fresh random name ".<name>.<random>.tmp" with
 *     O_CREAT|O_EXCL|O_NOFOLLOW in the region's directory (opened once, and
 *     checked to hold the region file, by its identity), writing, fsync,
 *     renameat over the old file (a rename replaces a symbolic link there,
 *     never its target) and fsync of the directory;
 *   - read with O_NOFOLLOW|O_NONBLOCK, a regular file only (a FIFO would
 *     block), and not at all when its owner is a user other than root,
 *     this process's and the region file's (planted in a shared directory:
 *     an identity line inside is no proof, anyone who can stat the region
 *     can write it).
 */
#ifndef PMEMFS_NS_SIDECAR_H
#define PMEMFS_NS_SIDECAR_H

#include <stdbool.h>
#include <stdio.h>

struct ns_bb_id;

/* "<real path of region_path><suffix>" into buf; -ENAMETOOLONG */
int ns_sidecar_path(const char *region_path, const char *suffix, char *buf, size_t len);

/*
 * Open the sidecar at path (of region_path) for reading: 0 and *out, 1
 * when there is none, NS_SIDECAR_FOREIGN when another user owns it
 * (ignored, ns_errormsg() says so), -ELOOP (a symbolic link, not
 * followed), -EINVAL (not a regular file) or -errno with a message naming
 * the file as what ("media errors", "health file").
 */
#define NS_SIDECAR_FOREIGN 2
int ns_sidecar_open_read(const char *region_path, const char *path, const char *what,
			 FILE **out);

/*
 * Replace the sidecar at path (the region file's name plus suffix) by
 * text, as the top comment says; with id, only while the directory still
 * holds that region file. 0 or -errno with a message naming what.
 */
int ns_sidecar_replace(const char *path, const char *suffix, const struct ns_bb_id *id,
		       const char *what, const char *header, const char *text,
		       unsigned long long max_bytes);

/*
 * May the entry base of dfd (the sidecar at path) be replaced or removed?
 * 0: nothing is there, a link (only the link goes, never its target) or
 * a file of at most max_bytes (the largest sidecar pmemfs writes there);
 * else -EEXIST (a larger file: another region file, someone's data, is
 * never replaced nor removed) or -EISDIR, with a message naming what.
 */
int ns_sidecar_may_replace(int dfd, const char *base, const char *path, const char *what,
			   unsigned long long max_bytes);

/*
 * The directory of the sidecar at path opened (O_DIRECTORY), *base its
 * name in it; with id, checked to hold that region file (the name minus
 * suffix) and not a link: -ESTALE otherwise. A descriptor or -errno.
 */
int ns_sidecar_open_dir(const char *path, const char *suffix, const struct ns_bb_id *id,
			const char *what, const char **base);

/*
 * A region file was just created at region_path: remove the sidecar
 * (region_path's real path + suffix) an earlier region left there; unlink
 * removes a symbolic link itself, never its target. 1 when one was
 * removed (ns_errormsg() says "removed 'PATH': <was> of an earlier region
 * at this path"), 0 when there was none (or the name is too long for
 * one), -errno with a message naming what (a directory in its place:
 * -EISDIR; a file larger than max_bytes, not one pmemfs wrote: -EEXIST,
 * kept).
 */
int ns_sidecar_remove_stale(const char *region_path, const char *suffix, const char *what,
			    const char *was, unsigned long long max_bytes);

/*
 * The next line of a sidecar's text that is neither blank nor a comment
 * ('#'), its leading blanks skipped: 1 with *p in line, 0 at the end,
 * -E2BIG for a line longer than len - 1 (a comment may be longer: the
 * header names the region file's path), -EIO for a read error. *lineno
 * counts every line read.
 */
int ns_sidecar_next_line(FILE *f, char *line, size_t len, unsigned *lineno, char **p);

#endif
