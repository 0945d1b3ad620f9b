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
#include <sys/stat.h>
#include <unistd.h>

#include "ns/badblocks.h"
#include "ns/error.h"
#include "ns/region.h"
#include "ns/sidecar.h"

/*
 * the largest media errors file written: NS_BB_MAX lines of two 20-digit
 * numbers, the header (the region path) and the identity line; a larger
 * file at that name is not ours (ns_sidecar_may_replace)
 */
#define NS_BB_FILE_MAX (NS_BB_MAX * 42ull + PATH_MAX + 512)

int ns_bb_path(const char *region_path, char *buf, size_t len)
{
	return ns_sidecar_path(region_path, ".badblocks", buf, len);
}

void ns_bb_reset(struct ns_badblocks *bb)
{
	bb->n = 0;
}

void ns_bb_free(struct ns_badblocks *bb)
{
	free(bb->v);
	bb->v = NULL;
	bb->n = bb->cap = 0;
}

static int bb_reserve(struct ns_badblocks *bb, size_t n)
{
	struct ns_bb_range *v;
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

int ns_bb_add(struct ns_badblocks *bb, uint64_t off, uint64_t len)
{
	uint64_t end;
	size_t i, j;

	if (len == 0)
		return 0;
	if (__builtin_add_overflow(off, len, &end) || end > UINT64_MAX - NS_BB_BLOCK)
		return ns_err(-EINVAL, "range %" PRIu64 "+%" PRIu64 " overflows", off, len);
	off -= off % NS_BB_BLOCK;
	end = (end + NS_BB_BLOCK - 1) / NS_BB_BLOCK * NS_BB_BLOCK;
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
	if (bb->n >= NS_BB_MAX)
		return ns_err(-ENOSPC, "too many media error ranges (at most %u)", NS_BB_MAX);
	if (bb_reserve(bb, bb->n + 1))
		return ns_err(-ENOMEM, "out of memory for media error ranges");
	memmove(&bb->v[i + 1], &bb->v[i], (bb->n - i) * sizeof(bb->v[0]));
	bb->v[i].off = off;
	bb->v[i].len = end - off;
	bb->n++;
	return 0;
}

int64_t ns_bb_clear(struct ns_badblocks *bb, uint64_t off, uint64_t len)
{
	uint64_t end, cleared = 0;
	size_t i = 0;

	if (__builtin_add_overflow(off, len, &end))
		end = UINT64_MAX;
	/* only whole blocks */
	off = (off + NS_BB_BLOCK - 1) / NS_BB_BLOCK * NS_BB_BLOCK;
	end -= end % NS_BB_BLOCK;
	if (end <= off)
		return 0;
	while (i < bb->n) {
		struct ns_bb_range *r = &bb->v[i];
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

bool ns_bb_overlaps(const struct ns_badblocks *bb, uint64_t off, uint64_t len)
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

size_t ns_bb_clip(const struct ns_badblocks *bb, uint64_t off, uint64_t len,
		   struct ns_bb_range *out, size_t max)
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

uint64_t ns_bb_bytes(const struct ns_badblocks *bb, uint64_t off, uint64_t len)
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

int ns_bb_parse(FILE *f, const char *name, struct ns_bb_id *had,
		 struct ns_badblocks *bb)
{
	char line[256], *p;
	unsigned lineno = 0;
	int rc;

	ns_bb_reset(bb);
	memset(had, 0, sizeof(*had));
	while ((rc = ns_sidecar_next_line(f, line, sizeof(line), &lineno, &p)) > 0) {
		unsigned long long off, len;
		char *end;

		if (strncmp(p, "region ", 7) == 0) {
			if (had->known || bb->n || !ns_bb_id_parse(p + 6, had))
				goto bad;
			continue;
		}
		errno = 0;
		off = strtoull(p, &end, 10);
		if (errno || end == p || (*end != ' ' && *end != '\t'))
			goto bad;
		p = end;
		len = strtoull(p, &end, 10);
		if (errno || end == p || (*end != '\n' && *end != '\0') || len == 0 ||
		    off % NS_BB_BLOCK || len % NS_BB_BLOCK || off + len < off)
			goto bad;
		rc = ns_bb_add(bb, off, len);
		if (rc) {
			ns_bb_reset(bb);
			return rc;
		}
	}
	if (rc == -EIO) {
		ns_bb_reset(bb);
		return ns_err(-EIO, "media errors '%s': read error", name);
	}
	if (rc == 0)
		return 0;
bad:
	ns_bb_reset(bb);
	return ns_err(-EINVAL, "media errors '%s' line %u: expected \"OFFSET LENGTH\" in "
		      "multiples of 512 bytes, or \"region ino=N btime=S.NS\" before them",
		      name, lineno);
}

int ns_bb_load(const char *region_path, const struct ns_bb_id *id,
		struct ns_badblocks *bb)
{
	char path[PATH_MAX];
	struct ns_bb_id had = { 0 };
	FILE *f;
	int rc;

	ns_bb_reset(bb);
	rc = ns_bb_path(region_path, path, sizeof(path));
	if (rc)
		return rc;
	rc = ns_sidecar_open_read(region_path, path, "media errors", &f);
	if (rc == 1)
		return 0;
	if (rc == NS_SIDECAR_FOREIGN)
		return NS_BB_STALE;
	if (rc < 0)
		return rc;
	rc = ns_bb_parse(f, path, &had, bb);
	fclose(f);
	if (rc)
		return rc;
	if (id && id->known && had.known && !ns_bb_id_matches(&had, id)) {
		char a[96], b[96];
		size_t n = bb->n;

		ns_bb_id_text(&had, a, sizeof(a));
		ns_bb_id_text(id, b, sizeof(b));
		ns_bb_reset(bb);
		ns_err(-ESTALE, "media errors '%s' were recorded for another region file "
		       "at this path (%s; this one is %s): %zu range%s ignored", path, a, b,
		       n, n == 1 ? "" : "s");
		return NS_BB_STALE;
	}
	return 0;
}

int ns_bb_save(const char *region_path, const struct ns_bb_id *id,
		const struct ns_badblocks *bb)
{
	char path[PATH_MAX], hdr[PATH_MAX + 128];
	const char *base;
	char *text = NULL;
	size_t i, tlen = 0;
	FILE *t;
	int rc, dfd;

	rc = ns_bb_path(region_path, path, sizeof(path));
	if (rc)
		return rc;
	if (bb->n == 0) {
		dfd = ns_sidecar_open_dir(path, ".badblocks", id, "media errors", &base);
		if (dfd < 0)
			return dfd;
		/* unlink removes a link itself, never its target; nor another region */
		rc = ns_sidecar_may_replace(dfd, base, path, "media errors", NS_BB_FILE_MAX);
		if (rc == 0 && unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
			rc = ns_err(-errno, "cannot remove media errors '%s': %s", path,
				    strerror(errno));
		close(dfd);
		return rc;
	}
	t = open_memstream(&text, &tlen);
	if (!t)
		return ns_err(-ENOMEM, "out of memory for media errors '%s'", path);
	for (i = 0; i < bb->n; i++)
		fprintf(t, "%" PRIu64 " %" PRIu64 "\n", bb->v[i].off, bb->v[i].len);
	if (fclose(t) != 0 || !text) {
		free(text);
		return ns_err(-ENOMEM, "out of memory for media errors '%s'", path);
	}
	snprintf(hdr, sizeof(hdr), "# pmemfs media errors of region file '%s': data-area "
		 "byte offset and length, whole 512-byte blocks\n", region_path);
	rc = ns_sidecar_replace(path, ".badblocks", id, "media errors", hdr, text,
				NS_BB_FILE_MAX);
	free(text);
	return rc;
}

int ns_bb_remove_stale(const char *region_path)
{
	return ns_sidecar_remove_stale(region_path, ".badblocks", "media errors",
				       "media errors", NS_BB_FILE_MAX);
}

int ns_bb_load_region(const struct ns_region *r, struct ns_badblocks *bb)
{
	struct ns_bb_id id;

	ns_bb_id_of_region(r, &id);
	return ns_bb_load(ns_region_file_path(r), &id, bb);
}

int ns_bb_save_region(const struct ns_region *r, const struct ns_badblocks *bb)
{
	struct ns_bb_id id;

	ns_bb_id_of_region(r, &id);
	return ns_bb_save(ns_region_file_path(r), &id, bb);
}
