/* SPDX-License-Identifier: MIT */
/*
 * convert-region: a region file made into a region directory, or a region
 * directory into a region file (region.h), offline and crash-safe.
 *
 * The source is never written: it is opened read-only and held with an
 * OFD read lock for the whole conversion, which a daemon's or an offline
 * writer's lock conflicts with (both ways: no daemon serves it meanwhile).
 * The result is built under a temporary name beside the destination,
 * ".pmemctl-convert.<name>", reached only through the destination's parent
 * directory (opened component by component, no symbolic link followed),
 * every file made O_EXCL|O_NOFOLLOW; every file is fsynced, then the
 * directories; the result is opened with the core and compared with the
 * source (label area, namespaces), then renamed into place without
 * replacing anything (renameat2 RENAME_NOREPLACE) and the parent fsynced.
 * A failure removes the temporary; a crash leaves at most it, which the
 * next run removes once it has shown it is one (its exact name, the
 * user's, no other entries than a conversion makes, not locked by a
 * running conversion, and its marker xattr where the file system has
 * xattrs).
 *
 * Data: the label area and every namespace's bytes, by FICLONERANGE where
 * the file system shares blocks (btrfs, xfs with reflink=1), else by
 * copy_file_range, else read/write; holes of the source are not copied.
 * Namespace files (dir) and namespace ranges (file) end up allocated
 * (fallocate: before the copy, or after a clone for the source's holes);
 * a region file's free ranges stay holes.
 */
#ifndef PMEMFS_NS_CONVERT_H
#define PMEMFS_NS_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "ns/region.h"
#include "ns/util.h"

struct ns_convert;

struct ns_convert_opts {
	bool to_dir;		/* the source is a region file, the result a directory */
	ns_progress_fn *progress;	/* NULL, or told how the copy goes */
	void *progress_arg;
	void (*note)(const char *msg);	/* warnings and what was done (NULL: stderr) */
};

/* what the conversion will do, known before anything is written */
struct ns_convert_plan {
	uint64_t region_size;	/* the whole region file */
	uint64_t label_size;
	unsigned nns;		/* namespaces */
	uint64_t ns_bytes;	/* the sum of their sizes */
	uint64_t data_bytes;	/* of those and the label area: in written blocks of the source */
	uint64_t need;		/* bytes the destination's file system must have free */
	uint64_t avail;		/* what it has (statvfs: f_bavail) */
	int reflink;		/* 1: blocks can be shared; 0: not; -1: not known */
	char reflink_why[160];	/* why not (0 and -1) */
	bool leftover;		/* a temporary of an interrupted run is there (run removes it) */
	char tmp[256];		/* the temporary's name, beside the destination */
};

enum ns_convert_method {
	NS_CONVERT_CLONE = 1 << 0,	/* FICLONERANGE: blocks shared */
	NS_CONVERT_CFR = 1 << 1,	/* copy_file_range */
	NS_CONVERT_RW = 1 << 2,		/* read and write */
};

struct ns_convert_stats {
	uint64_t cloned;	/* bytes shared by FICLONERANGE */
	uint64_t copied;	/* bytes copied (copy_file_range or read/write) */
	uint64_t holes;		/* bytes not copied: holes of the source */
	unsigned methods;	/* enum ns_convert_method, those used */
};

/*
 * Open the source (read-only, read-locked: -NS_E_LOCKED while a daemon or
 * a writer holds it), check it (the layout opts asks to leave, what
 * check-labels reports: -EINVAL naming every problem), open the
 * destination's parent (-ELOOP for a symbolic link on the way, -EEXIST
 * when dst exists) and make the plan. Nothing is written (the reflink
 * probe clones into an unnamed O_TMPFILE). *out or -errno with a message.
 */
int ns_convert_open(const char *src, const char *dst, const struct ns_convert_opts *o,
		    struct ns_convert **out);
const struct ns_convert_plan *ns_convert_get_plan(const struct ns_convert *cv);
/* the source region (its namespaces, for the caller's report) */
struct ns_region *ns_convert_source(const struct ns_convert *cv);

/* -ENOSPC naming both sizes when the plan's need exceeds the free space */
int ns_convert_check_space(const struct ns_convert *cv);

/*
 * Build the result and rename it into place (see the top). 0 with *st,
 * or -errno with a message; on failure nothing of the destination is
 * left (the temporary removed).
 */
int ns_convert_run(struct ns_convert *cv, struct ns_convert_stats *st);

/* Release the source (its lock) and the parent; NULL-safe. */
void ns_convert_close(struct ns_convert **cv);

/* "reflink", "copy_file_range", "read/write", joined by "+"; "none" */
const char *ns_convert_method_name(unsigned methods, char *buf, size_t len);

/* "4.0 GiB", "512.0 MiB", "12 KiB": a size for messages, one decimal */
const char *ns_convert_size(uint64_t v, char *buf, size_t len);

#endif
