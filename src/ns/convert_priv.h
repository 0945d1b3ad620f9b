/* SPDX-License-Identifier: MIT */
/*
 * Private to convert.c (the plan and the run), convert_dest.c (the
 * destination's directory and the temporary) and convert_copy.c (the
 * bytes): the conversion object and what they share.
 */
#ifndef PMEMFS_NS_CONVERT_PRIV_H
#define PMEMFS_NS_CONVERT_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ns/convert.h"
#include "ns/namespace.h"
#include "ns/region.h"

#define CV_PREFIX ".pmemctl-convert."
#define CV_XATTR "user.pmemctl-convert"
#define CV_STEP (64u * 1024 * 1024)	/* one copy call, one progress step */
#define CV_BUF (1u << 20)		/* read/write */

struct ns_convert {
	struct ns_convert_opts o;
	struct ns_region *src;
	int parentfd;		/* the destination's directory */
	char *dst;		/* as given */
	char *parent;		/* its directory, as given ("." when none) */
	char base[NAME_MAX + 1];
	struct ns_convert_plan plan;
	int tmpfd;		/* the temporary: the file, or the directory */
	int regfd;		/* its region file (the file itself, or DIR/region) */
	bool made;		/* the temporary exists and is ours to remove */
	bool clone_ok, cfr_ok;
	uint64_t done, total;	/* progress */
};

/*
 * Calls go one way: convert.c -> convert_dest.c, convert_copy.c.
 */
/* convert_dest.c */
/* fsync, EINTR retried: 0 or -errno with the message naming what */
int ns_cv_fsync(int fd, const char *what, const char *name);
const char *ns_cv_kind(mode_t m);
/* cv->parentfd, cv->parent and cv->base from cv->dst; -ELOOP for a link */
int ns_cv_open_parent(struct ns_convert *cv);
/* flock the parent (lock) or release it; 5 s at most */
int ns_cv_parent_lock(struct ns_convert *cv, bool lock);
/* plan.tmp is a crash's temporary (0), removed with remove; else -errno */
int ns_cv_tmp_judge(struct ns_convert *cv, bool remove);
/* make plan.tmp (locked, marked) and its region file: cv->tmpfd, cv->regfd */
int ns_cv_make_tmp(struct ns_convert *cv, mode_t mode);
/* what ns_cv_make_tmp and the run made, removed (cv->made) */
void ns_cv_tmp_remove(struct ns_convert *cv);
/* plan.tmp renamed to base without replacing anything, the parent fsynced */
int ns_cv_rename(struct ns_convert *cv);

/* convert_copy.c */
/* bytes of [off, off + len) of fd in written blocks (FIEMAP, SEEK_DATA, or len) */
uint64_t ns_cv_allocated(int fd, uint64_t off, uint64_t len);
/*
 * [s, s + len) of sfd to d of dfd (a new file): shared (FICLONERANGE) or
 * copied without the holes; the range allocated. 0 or -errno.
 */
int ns_cv_copy(struct ns_convert *cv, int sfd, uint64_t s, int dfd, uint64_t d,
	       uint64_t len, struct ns_convert_stats *st);

#endif
