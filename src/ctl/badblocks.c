/* SPDX-License-Identifier: MIT */
/*
 * Injected media errors of a region, kept in a sidecar file (badblocks.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "badblocks.h"
#include "error.h"

int ctl_bb_path(const char *region_path, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s.badblocks", region_path) >= len)
		return ns_err(-ENAMETOOLONG, "region path '%s' is too long", region_path);
	return 0;
}

void ctl_bb_reset(struct ctl_badblocks *bb)
{
	bb->n = 0;
}

void ctl_bb_free(struct ctl_badblocks *bb)
{
	free(bb->v);
	bb->v = NULL;
	bb->n = bb->cap = 0;
}

static int bb_reserve(struct ctl_badblocks *bb, size_t n)
{
	struct ctl_bb_range *v;
	size_t cap;

	if (n <= bb->cap)
		return 0;
	cap = bb->cap ? bb->cap * 2 : 16;
	while (cap < n)
		cap *= 2;
	v = realloc(bb->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	bb->v = v;
	bb->cap = cap;
	return 0;
}

int ctl_bb_add(struct ctl_badblocks *bb, uint64_t off, uint64_t len)
{
	uint64_t end;
	size_t i, j;

	if (len == 0)
		return 0;
	if (__builtin_add_overflow(off, len, &end) || end > UINT64_MAX - CTL_BB_BLOCK)
		return ns_err(-EINVAL, "range %" PRIu64 "+%" PRIu64 " overflows", off, len);
	off -= off % CTL_BB_BLOCK;
	end = (end + CTL_BB_BLOCK - 1) / CTL_BB_BLOCK * CTL_BB_BLOCK;
	/* first range that ends at or after off: merge from there */
	for (i = 0; i < bb->n && bb->v[i].off + bb->v[i].len < off; i++)
		;
	for (j = i; j < bb->n && bb->v[j].off <= end; j++) {
		if (bb->v[j].off < off)
			off = bb->v[j].off;
		if (bb->v[j].off + bb->v[j].len > end)
			end = bb->v[j].off + bb->v[j].len;
	}
	if (j > i) {
		bb->v[i].off = off;
		bb->v[i].len = end - off;
		memmove(&bb->v[i + 1], &bb->v[j], (bb->n - j) * sizeof(bb->v[0]));
		bb->n -= j - i - 1;
		return 0;
	}
	if (bb->n >= CTL_BB_MAX)
		return ns_err(-ENOSPC, "too many media error ranges (at most %u)", CTL_BB_MAX);
	if (bb_reserve(bb, bb->n + 1))
		return ns_err(-ENOMEM, "out of memory for media error ranges");
	memmove(&bb->v[i + 1], &bb->v[i], (bb->n - i) * sizeof(bb->v[0]));
	bb->v[i].off = off;
	bb->v[i].len = end - off;
	bb->n++;
	return 0;
}

int64_t ctl_bb_clear(struct ctl_badblocks *bb, uint64_t off, uint64_t len)
{
	uint64_t end, cleared = 0;
	size_t i = 0;

	if (__builtin_add_overflow(off, len, &end))
		end = UINT64_MAX;
	/* only whole blocks */
	off = (off + CTL_BB_BLOCK - 1) / CTL_BB_BLOCK * CTL_BB_BLOCK;
	end -= end % CTL_BB_BLOCK;
	if (end <= off)
		return 0;
	while (i < bb->n) {
		struct ctl_bb_range *r = &bb->v[i];
		uint64_t re = r->off + r->len;

		if (re <= off || r->off >= end) {
			i++;
			continue;
		}
		if (r->off >= off && re <= end) {		/* all of it */
			cleared += r->len;
			memmove(r, r + 1, (bb->n - i - 1) * sizeof(*r));
			bb->n--;
		} else if (r->off < off && re > end) {		/* the middle: split */
			if (bb_reserve(bb, bb->n + 1))
				return ns_err(-ENOMEM, "out of memory for media error ranges");
			r = &bb->v[i];
			memmove(r + 2, r + 1, (bb->n - i - 1) * sizeof(*r));
			bb->n++;
			r[1].off = end;
			r[1].len = re - end;
			r->len = off - r->off;
			cleared += end - off;
			i += 2;
		} else if (r->off < off) {			/* its tail */
			cleared += re - off;
			r->len = off - r->off;
			i++;
		} else {					/* its head */
			cleared += end - r->off;
			r->len = re - end;
			r->off = end;
			i++;
		}
	}
	return (int64_t)cleared;
}

bool ctl_bb_overlaps(const struct ctl_badblocks *bb, uint64_t off, uint64_t len)
{
	size_t i;

	for (i = 0; i < bb->n; i++) {
		if (bb->v[i].off >= off + len)
			break;
		if (bb->v[i].off + bb->v[i].len > off)
			return true;
	}
	return false;
}

size_t ctl_bb_clip(const struct ctl_badblocks *bb, uint64_t off, uint64_t len,
		   struct ctl_bb_range *out, size_t max)
{
	uint64_t end = off + len;
	size_t i, n = 0;

	for (i = 0; i < bb->n; i++) {
		uint64_t s = bb->v[i].off, e = s + bb->v[i].len;

		if (e <= off || s >= end)
			continue;
		if (s < off)
			s = off;
		if (e > end)
			e = end;
		if (n < max) {
			out[n].off = s - off;
			out[n].len = e - s;
		}
		n++;
	}
	return n;
}

uint64_t ctl_bb_bytes(const struct ctl_badblocks *bb, uint64_t off, uint64_t len)
{
	uint64_t end = off + len, sum = 0;
	size_t i;

	for (i = 0; i < bb->n; i++) {
		uint64_t s = bb->v[i].off, e = s + bb->v[i].len;

		if (e <= off || s >= end)
			continue;
		sum += (e > end ? end : e) - (s < off ? off : s);
	}
	return sum;
}

int ctl_bb_load(const char *region_path, struct ctl_badblocks *bb)
{
	char path[PATH_MAX], line[256];
	unsigned lineno = 0;
	FILE *f;
	int rc;

	ctl_bb_reset(bb);
	rc = ctl_bb_path(region_path, path, sizeof(path));
	if (rc)
		return rc;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return ns_err(-errno, "cannot read media errors '%s': %s", path,
			      strerror(errno));
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long off, len;
		char *p = line, *end;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		errno = 0;
		off = strtoull(p, &end, 10);
		if (errno || end == p || (*end != ' ' && *end != '\t'))
			goto bad;
		p = end;
		len = strtoull(p, &end, 10);
		if (errno || end == p || (*end != '\n' && *end != '\0') || len == 0 ||
		    off % CTL_BB_BLOCK || len % CTL_BB_BLOCK || off + len < off)
			goto bad;
		rc = ctl_bb_add(bb, off, len);
		if (rc) {
			fclose(f);
			return rc;
		}
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	ctl_bb_reset(bb);
	return ns_err(-EINVAL, "media errors '%s' line %u: expected \"OFFSET LENGTH\" in "
		      "multiples of 512 bytes", path, lineno);
}

int ctl_bb_save(const char *region_path, const struct ctl_badblocks *bb)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;
	size_t i;
	int rc, fd;

	rc = ctl_bb_path(region_path, path, sizeof(path));
	if (rc)
		return rc;
	if (bb->n == 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			return ns_err(-errno, "cannot remove media errors '%s': %s", path,
				      strerror(errno));
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return ns_err(rc, "cannot write media errors '%s': %s", tmp, strerror(-rc));
	}
	fprintf(f, "# pmemfs media errors of region file '%s': data-area byte offset "
		"and length, whole 512-byte blocks\n", region_path);
	for (i = 0; i < bb->n; i++)
		fprintf(f, "%" PRIu64 " %" PRIu64 "\n", bb->v[i].off, bb->v[i].len);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		rc = -errno;
		fclose(f);
		unlink(tmp);
		return ns_err(rc, "cannot write media errors '%s': %s", tmp, strerror(-rc));
	}
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
		return ns_err(rc, "cannot write media errors '%s': %s", path, strerror(-rc));
	}
	return 0;
}
