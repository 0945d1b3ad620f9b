/* SPDX-License-Identifier: MIT */
/*
 * convert-region (convert.h): the bytes. Blocks shared by FICLONERANGE
 * where the file system can, else the source's data copied
 * (copy_file_range, else read/write) with its holes skipped; every byte
 * of a destination range allocated (fallocate).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "ns/convert_priv.h"
#include "ns/error.h"

/* ---- the source: allocated bytes of a range ---- */

/* bytes of [off, off + len) of fd with data (FIEMAP, else SEEK_DATA, else len) */
uint64_t ns_cv_allocated(int fd, uint64_t off, uint64_t len)
{
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + 64 * sizeof(struct fiemap_extent)];
	} u;
	uint64_t pos = off, end = off + len, got = 0;

	while (pos < end) {
		struct fiemap *fm = &u.fm;

		memset(&u, 0, sizeof(u));
		fm->fm_start = pos;
		fm->fm_length = end - pos;
		fm->fm_extent_count = 64;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0)
			goto seek;
		if (!fm->fm_mapped_extents)
			return got;
		for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent *e = &fm->fm_extents[i];
			uint64_t a = e->fe_logical > pos ? e->fe_logical : pos;
			uint64_t b = e->fe_logical + e->fe_length < end ?
				     e->fe_logical + e->fe_length : end;

			/*
			 * unwritten (preallocated) extents hold no data: xfs
			 * does not share them (the clone has a hole there,
			 * which the fallocate after it allocates anew)
			 */
			if (b > a && !(e->fe_flags & FIEMAP_EXTENT_UNWRITTEN))
				got += b - a;
			pos = b > pos ? b : pos;
			if (e->fe_flags & FIEMAP_EXTENT_LAST)
				return got;
		}
	}
	return got;
seek:
	for (pos = off, got = 0; pos < end;) {
		off_t d = lseek(fd, (off_t)pos, SEEK_DATA), h;

		if (d < 0)
			return errno == ENXIO ? got : len;
		if ((uint64_t)d >= end)
			break;
		h = lseek(fd, d, SEEK_HOLE);
		if (h < 0 || (uint64_t)h > end)
			h = (off_t)end;
		got += (uint64_t)h - (uint64_t)d;
		pos = (uint64_t)h;
	}
	return got;
}

/* the source file of ns's bytes and where they start in it */

/* ---- the copy ---- */

static void cv_progress(struct ns_convert *cv, uint64_t n)
{
	cv->done += n;
	if (cv->o.progress)
		cv->o.progress(cv->done, cv->total, cv->o.progress_arg);
}

/* [s, s + n) of sfd to d of dfd: copy_file_range, else read/write */
static int cv_copy_seg(struct ns_convert *cv, int sfd, uint64_t s, int dfd, uint64_t d,
		       uint64_t n, struct ns_convert_stats *st)
{
	static char *buf;

	while (n) {
		size_t step = n < CV_STEP ? (size_t)n : CV_STEP;
		ssize_t got;

		if (cv->cfr_ok) {
			loff_t si = (loff_t)s, di = (loff_t)d;

			got = copy_file_range(sfd, &si, dfd, &di, step, 0);
			if (got < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
					errno == EOPNOTSUPP || errno == EBADF)) {
				cv->cfr_ok = false;
				continue;
			}
			if (got > 0)
				st->methods |= NS_CONVERT_CFR;
		} else {
			if (!buf && !(buf = malloc(CV_BUF)))
				return ns_err(-ENOMEM, "out of memory");
			if (step > CV_BUF)
				step = CV_BUF;
			got = pread(sfd, buf, step, (off_t)s);
			if (got > 0) {
				ssize_t w = 0;

				for (ssize_t k; w < got; w += k) {
					k = pwrite(dfd, buf + w, (size_t)(got - w), (off_t)(d + (uint64_t)w));
					if (k < 0 && errno == EINTR)
						k = 0;
					else if (k <= 0)
						return -(k < 0 ? errno : EIO);
				}
				st->methods |= NS_CONVERT_RW;
			}
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return ns_err(-EIO, "the source ended early (at byte %" PRIu64 ")", s);
		s += (uint64_t)got;
		d += (uint64_t)got;
		n -= (uint64_t)got;
		st->copied += (uint64_t)got;
		cv_progress(cv, (uint64_t)got);
	}
	return 0;
}

/*
 * [s, s + len) of sfd to d of dfd, a new file: shared blocks where the
 * file system can, else the data copied (holes skipped); then every byte
 * of the range allocated. 0 or -errno (the caller names the file).
 */
int ns_cv_copy(struct ns_convert *cv, int sfd, uint64_t s, int dfd, uint64_t d,
		   uint64_t len, struct ns_convert_stats *st)
{
	uint64_t pos = s, end = s + len;
	int rc;

	if (cv->clone_ok) {
		struct file_clone_range fcr = { .src_fd = sfd, .src_offset = s,
						.src_length = len, .dest_offset = d };

		if (ioctl(dfd, FICLONERANGE, &fcr) == 0) {
			st->cloned += len;
			st->methods |= NS_CONVERT_CLONE;
			cv_progress(cv, len);
			/* the source's holes: allocated now, never in a mapping's fault */
			return fallocate(dfd, 0, (off_t)d, (off_t)len) < 0 ? -errno : 0;
		}
		if (errno != EINVAL)	/* EINVAL: this range's alignment only */
			cv->clone_ok = false;
	}
	if (fallocate(dfd, 0, (off_t)d, (off_t)len) < 0)
		return -errno;
	while (pos < end) {
		off_t a = lseek(sfd, (off_t)pos, SEEK_DATA), b;

		if (a < 0 && errno == ENXIO)
			a = (off_t)end;
		else if (a < 0)
			a = (off_t)pos;	/* no hole information: all data */
		if ((uint64_t)a > end)
			a = (off_t)end;
		st->holes += (uint64_t)a - pos;
		cv_progress(cv, (uint64_t)a - pos);
		if ((uint64_t)a >= end)
			break;
		b = lseek(sfd, a, SEEK_HOLE);
		if (b < 0 || (uint64_t)b > end)
			b = (off_t)end;
		rc = cv_copy_seg(cv, sfd, (uint64_t)a, dfd, d + ((uint64_t)a - s),
				 (uint64_t)(b - a), st);
		if (rc)
			return rc;
		pos = (uint64_t)b;
	}
	return 0;
}

