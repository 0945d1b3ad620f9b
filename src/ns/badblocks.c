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
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ns/badblocks.h"
#include "ns/error.h"
#include "ns/region.h"

int ns_bb_path(const char *region_path, char *buf, size_t len)
{
	/* beside the real file: the daemon (which resolves its region paths)
	 * and pmemctl --file through a link use the same sidecar */
	char *real = realpath(region_path, NULL);
	const char *p = real ? real : region_path;
	int rc = 0;

	if ((size_t)snprintf(buf, len, "%s.badblocks", p) >= len)
		rc = ns_err(-ENAMETOOLONG, "region path '%s' is too long", region_path);
	free(real);
	return rc;
}

static void id_from_statx(const struct statx *stx, struct ns_bb_id *id)
{
	memset(id, 0, sizeof(*id));
	id->known = true;
	id->ino = stx->stx_ino;
	if (stx->stx_mask & STATX_BTIME) {
		id->has_btime = true;
		id->btime_sec = stx->stx_btime.tv_sec;
		id->btime_nsec = stx->stx_btime.tv_nsec;
	}
}

int ns_bb_id_of_fd(int fd, struct ns_bb_id *id)
{
	struct statx stx;

	memset(id, 0, sizeof(*id));
	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_BTIME, &stx) < 0)
		return -errno;
	id_from_statx(&stx, id);
	return 0;
}

int ns_bb_id_of_path(const char *path, struct ns_bb_id *id)
{
	struct statx stx;

	memset(id, 0, sizeof(*id));
	if (statx(AT_FDCWD, path, 0, STATX_INO | STATX_BTIME, &stx) < 0)
		return -errno;
	id_from_statx(&stx, id);
	return 0;
}

void ns_bb_id_of_region(const struct ns_region *r, struct ns_bb_id *id)
{
	int fd = ns_region_fd(r);

	memset(id, 0, sizeof(*id));
	if (fd >= 0)
		ns_bb_id_of_fd(fd, id);
}

static void id_text(const struct ns_bb_id *id, char *buf, size_t len)
{
	if (id->has_btime)
		snprintf(buf, len, "ino=%" PRIu64 " btime=%" PRId64 ".%09" PRIu32, id->ino,
			 id->btime_sec, id->btime_nsec);
	else
		snprintf(buf, len, "ino=%" PRIu64 " btime=-", id->ino);
}

/* "region ino=N btime=S.NS|-" (after "region"); false when malformed */
static bool id_parse(const char *p, struct ns_bb_id *id)
{
	unsigned long long ino;
	long long sec;
	unsigned nsec;
	int n = 0;

	memset(id, 0, sizeof(*id));
	if (sscanf(p, " ino=%llu btime=-%n", &ino, &n) == 1 && n > 0) {
		id->known = true;
		id->ino = ino;
	} else if (sscanf(p, " ino=%llu btime=%lld.%u%n", &ino, &sec, &nsec, &n) == 3 &&
		   nsec < 1000000000u) {
		id->known = id->has_btime = true;
		id->ino = ino;
		id->btime_sec = sec;
		id->btime_nsec = nsec;
	} else {
		return false;
	}
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\n' || *p == '\0';
}

/* the sidecar recorded `had` and the region file is `is`: the same file? */
static bool id_matches(const struct ns_bb_id *had, const struct ns_bb_id *is)
{
	if (had->ino != is->ino)
		return false;
	if (had->has_btime && is->has_btime)
		return had->btime_sec == is->btime_sec && had->btime_nsec == is->btime_nsec;
	return true;	/* no birth time on one side: the inode is all we have */
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
	char line[256];
	unsigned lineno = 0;
	int rc;

	ns_bb_reset(bb);
	memset(had, 0, sizeof(*had));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long off, len;
		char *p = line, *end;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (strncmp(p, "region ", 7) == 0) {
			if (had->known || bb->n || !id_parse(p + 6, had))
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
	struct stat st;
	FILE *f;
	int rc, fd;

	ns_bb_reset(bb);
	rc = ns_bb_path(region_path, path, sizeof(path));
	if (rc)
		return rc;
	/* never through a link, never block on a FIFO planted there */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP)
			return ns_err(-ELOOP, "media errors '%s' is a symbolic link: not "
				      "followed", path);
		return ns_err(-errno, "cannot read media errors '%s': %s", path,
			      strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ns_err(-EINVAL, "media errors '%s' is not a regular file", path);
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		/* whoever can write the directory is not the region's owner */
		struct stat rs;

		if (stat(region_path, &rs) < 0 || rs.st_uid != st.st_uid) {
			close(fd);
			ns_err(-EPERM, "media errors '%s' belong to uid %u, who owns neither "
			       "the region file nor this process (uid %u): ignored", path,
			       (unsigned)st.st_uid, (unsigned)geteuid());
			return NS_BB_STALE;
		}
	}
	f = fdopen(fd, "r");
	if (!f) {
		rc = -errno;
		close(fd);
		return ns_err(rc, "cannot read media errors '%s': %s", path, strerror(-rc));
	}
	rc = ns_bb_parse(f, path, &had, bb);
	fclose(f);
	if (rc)
		return rc;
	if (id && id->known && had.known && !id_matches(&had, id)) {
		char a[96], b[96];
		size_t n = bb->n;

		id_text(&had, a, sizeof(a));
		id_text(id, b, sizeof(b));
		ns_bb_reset(bb);
		ns_err(-ESTALE, "media errors '%s' were recorded for another region file "
		       "at this path (%s; this one is %s): %zu range%s ignored", path, a, b,
		       n, n == 1 ? "" : "s");
		return NS_BB_STALE;
	}
	return 0;
}

/* the directory of the sidecar, opened, holding the region file (id) */
static int open_dir(const char *path, const struct ns_bb_id *id, const char **base)
{
	char dir[PATH_MAX], *slash;
	struct statx stx;
	int dfd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash) {
		*base = path;
		snprintf(dir, sizeof(dir), ".");
	} else {
		*base = path + (slash - dir) + 1;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ns_err(-errno, "cannot open the directory '%s' of media errors "
			      "'%s': %s", dir, path, strerror(errno));
	if (id && id->known) {
		/* base minus ".badblocks" is the region file, this one, not a link */
		char rname[NAME_MAX + 1];
		size_t l = strlen(*base) - strlen(".badblocks");
		struct ns_bb_id is;

		snprintf(rname, sizeof(rname), "%.*s", (int)l, *base);
		if (statx(dfd, rname, AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_BTIME, &stx) < 0 ||
		    !S_ISREG(stx.stx_mode) ||
		    (id_from_statx(&stx, &is), !id_matches(id, &is))) {
			close(dfd);
			return ns_err(-ESTALE, "the region file is no longer '%s/%s': media "
				      "errors '%s' not written", dir, rname, path);
		}
	}
	return dfd;
}

int ns_bb_save(const char *region_path, const struct ns_bb_id *id,
		const struct ns_badblocks *bb)
{
	char path[PATH_MAX], tmp[NAME_MAX + 1], idt[96];
	const char *base;
	FILE *f = NULL;
	size_t i;
	int rc, fd = -1, dfd, tries;

	rc = ns_bb_path(region_path, path, sizeof(path));
	if (rc)
		return rc;
	dfd = open_dir(path, id, &base);
	if (dfd < 0)
		return dfd;
	if (bb->n == 0) {
		/* unlink removes a link itself, never its target */
		if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
			rc = ns_err(-errno, "cannot remove media errors '%s': %s", path,
				    strerror(errno));
		close(dfd);
		return rc;
	}
	/* a fresh name each time, created here or not at all */
	for (tries = 0; tries < 100; tries++) {
		uint64_t r = 0;

		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL) ^
			    ((uint64_t)tries << 48) ^ (uint64_t)(uintptr_t)&r;
		if ((size_t)snprintf(tmp, sizeof(tmp), ".%.200s.%016" PRIx64 ".tmp", base, r) >=
		    sizeof(tmp)) {
			close(dfd);
			return ns_err(-ENAMETOOLONG, "media errors '%s': name too long", path);
		}
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		if (fd >= 0) {
			close(fd);
			unlinkat(dfd, tmp, 0);
		}
		close(dfd);
		return ns_err(rc, "cannot write media errors '%s': %s", path, strerror(-rc));
	}
	fprintf(f, "# pmemfs media errors of region file '%s': data-area byte offset "
		"and length, whole 512-byte blocks\n", region_path);
	if (id && id->known) {
		id_text(id, idt, sizeof(idt));
		fprintf(f, "region %s\n", idt);
	}
	for (i = 0; i < bb->n; i++)
		fprintf(f, "%" PRIu64 " %" PRIu64 "\n", bb->v[i].off, bb->v[i].len);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		rc = -errno;
		fclose(f);
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return ns_err(rc, "cannot write media errors '%s': %s", path, strerror(-rc));
	}
	/* rename replaces whatever has the name (a link: the link) */
	if (fclose(f) != 0 || renameat(dfd, tmp, dfd, base) < 0) {
		rc = -errno;
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return ns_err(rc, "cannot write media errors '%s': %s", path, strerror(-rc));
	}
	fsync(dfd);	/* the rename itself; a failure leaves the old or new file */
	close(dfd);
	return 0;
}

int ns_bb_remove_stale(const char *region_path)
{
	char path[PATH_MAX];
	const char *base;
	struct stat st;
	int rc, dfd;

	rc = ns_bb_path(region_path, path, sizeof(path));
	if (rc)
		return rc;
	dfd = open_dir(path, NULL, &base);
	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = errno == ENOENT ? 0 : ns_err(-errno, "cannot check for media errors "
						  "'%s': %s", path, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		rc = ns_err(-EISDIR, "'%s' is a directory where the region's media "
			    "errors belong: remove it", path);
	} else if (unlinkat(dfd, base, 0) < 0) {
		rc = ns_err(-errno, "cannot remove stale media errors '%s': %s", path,
			    strerror(errno));
	} else {
		ns_err(0, "removed '%s': media errors of an earlier region at this path",
		       path);
		rc = 1;
	}
	close(dfd);
	return rc;
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
