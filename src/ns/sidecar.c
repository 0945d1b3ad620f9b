/* SPDX-License-Identifier: MIT */
/*
 * Files beside a region file, read and written one way (sidecar.h).
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
#include "ns/sidecar.h"

/* ---- the identity of a region file (badblocks.h: struct ns_bb_id) ---- */

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

int ns_bb_id_of_at(int dfd, const char *name, struct ns_bb_id *id)
{
	struct statx stx;

	memset(id, 0, sizeof(*id));
	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_BTIME, &stx) < 0)
		return -errno;
	if (!S_ISREG(stx.stx_mode))
		return -EINVAL;
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

void ns_bb_id_text(const struct ns_bb_id *id, char *buf, size_t len)
{
	if (id->has_btime)
		snprintf(buf, len, "ino=%" PRIu64 " btime=%" PRId64 ".%09" PRIu32, id->ino,
			 id->btime_sec, id->btime_nsec);
	else
		snprintf(buf, len, "ino=%" PRIu64 " btime=-", id->ino);
}

/* "region ino=N btime=S.NS|-" (after "region"); false when malformed */
bool ns_bb_id_parse(const char *p, struct ns_bb_id *id)
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
bool ns_bb_id_matches(const struct ns_bb_id *had, const struct ns_bb_id *is)
{
	if (had->ino != is->ino)
		return false;
	if (had->has_btime && is->has_btime)
		return had->btime_sec == is->btime_sec && had->btime_nsec == is->btime_nsec;
	return true;	/* no birth time on one side: the inode is all we have */
}

/* ---- reading and writing ---- */

int ns_sidecar_path(const char *region_path, const char *suffix, char *buf, size_t len)
{
	/* beside the real file: the daemon (which resolves its region paths)
	 * and pmemctl --file through a link use the same sidecar */
	char *real = realpath(region_path, NULL);
	const char *p = real ? real : region_path;
	int rc = 0;

	if ((size_t)snprintf(buf, len, "%s%s", p, suffix) >= len)
		rc = ns_err(-ENAMETOOLONG, "region path '%s' is too long", region_path);
	free(real);
	return rc;
}

int ns_sidecar_open_read(const char *region_path, const char *path, const char *what,
			 FILE **out)
{
	struct stat st;
	FILE *f;
	int rc, fd;

	*out = NULL;
	/* never through a link, never block on a FIFO planted there */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		if (errno == ELOOP)
			return ns_err(-ELOOP, "%s '%s' is a symbolic link: not followed", what,
				      path);
		return ns_err(-errno, "cannot read %s '%s': %s", what, path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ns_err(-EINVAL, "%s '%s' is not a regular file", what, path);
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		/* whoever can write the directory is not the region's owner */
		struct stat rs;

		if (stat(region_path, &rs) < 0 || rs.st_uid != st.st_uid) {
			close(fd);
			ns_err(-EPERM, "%s '%s' is owned by uid %u, who owns neither the region "
			       "file nor this process (uid %u): ignored", what, path,
			       (unsigned)st.st_uid, (unsigned)geteuid());
			return NS_SIDECAR_FOREIGN;
		}
	}
	f = fdopen(fd, "r");
	if (!f) {
		rc = -errno;
		close(fd);
		return ns_err(rc, "cannot read %s '%s': %s", what, path, strerror(-rc));
	}
	*out = f;
	return 0;
}

int ns_sidecar_open_dir(const char *path, const char *suffix, const struct ns_bb_id *id,
			const char *what, const char **base)
{
	char dir[PATH_MAX], *slash;
	struct ns_bb_id is;
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
		return ns_err(-errno, "cannot open the directory '%s' of %s '%s': %s", dir,
			      what, path, strerror(errno));
	if (id && id->known) {
		/* base minus the suffix is the region file, this one, not a link */
		char rname[NAME_MAX + 1];
		size_t bl = strlen(*base), sl = strlen(suffix);
		size_t l = bl > sl ? bl - sl : 0;

		snprintf(rname, sizeof(rname), "%.*s", (int)l, *base);
		if (ns_bb_id_of_at(dfd, rname, &is) < 0 || !ns_bb_id_matches(id, &is)) {
			close(dfd);
			return ns_err(-ESTALE, "the region file is no longer '%s/%s': %s '%s' "
				      "not written", dir, rname, what, path);
		}
	}
	return dfd;
}

int ns_sidecar_may_replace(int dfd, const char *base, const char *path, const char *what,
			   unsigned long long max_bytes)
{
	struct stat st;

	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT || errno == ENAMETOOLONG ? 0 :
		       ns_err(-errno, "cannot check %s '%s': %s", what, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ns_err(-EISDIR, "'%s' is a directory where the region's %s belongs: "
			      "remove it", path, what);
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes)
		return ns_err(-EEXIST, "'%s' is a file of %lld bytes, not %s pmemfs writes "
			      "(at most %llu): neither replaced nor removed; move it away",
			      path, (long long)st.st_size, what, max_bytes);
	return 0;
}

int ns_sidecar_replace(const char *path, const char *suffix, const struct ns_bb_id *id,
		       const char *what, const char *header, const char *text,
		       unsigned long long max_bytes)
{
	char tmp[NAME_MAX + 1], idt[96];
	const char *base;
	FILE *f = NULL;
	int rc, fd = -1, dfd, tries;

	dfd = ns_sidecar_open_dir(path, suffix, id, what, &base);
	if (dfd < 0)
		return dfd;
	/* never over another region file or anyone's data at that name */
	rc = ns_sidecar_may_replace(dfd, base, path, what, max_bytes);
	if (rc < 0) {
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
			return ns_err(-ENAMETOOLONG, "%s '%s': name too long", what, path);
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
		return ns_err(rc, "cannot write %s '%s': %s", what, path, strerror(-rc));
	}
	fputs(header, f);
	if (id && id->known) {
		ns_bb_id_text(id, idt, sizeof(idt));
		fprintf(f, "region %s\n", idt);
	}
	fputs(text, f);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		rc = -errno;
		fclose(f);
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return ns_err(rc, "cannot write %s '%s': %s", what, path, strerror(-rc));
	}
	/* rename replaces whatever has the name (a link: the link) */
	if (fclose(f) != 0 || renameat(dfd, tmp, dfd, base) < 0) {
		rc = -errno;
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return ns_err(rc, "cannot write %s '%s': %s", what, path, strerror(-rc));
	}
	fsync(dfd);	/* the rename itself; a failure leaves the old or new file */
	close(dfd);
	return 0;
}

int ns_sidecar_remove_stale(const char *region_path, const char *suffix, const char *what,
			    const char *was, unsigned long long max_bytes)
{
	char path[PATH_MAX];
	const char *base;
	struct stat st;
	int rc, dfd;

	rc = ns_sidecar_path(region_path, suffix, path, sizeof(path));
	if (rc)
		return rc;
	dfd = ns_sidecar_open_dir(path, suffix, NULL, what, &base);
	if (dfd < 0)
		return dfd;
	/* a region name too long for a sidecar (ENAMETOOLONG) has none */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		rc = errno == ENOENT || errno == ENAMETOOLONG ? 0 :
		     ns_err(-errno, "cannot check for %s '%s': %s", what, path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = ns_err(-EISDIR, "'%s' is a directory, in the place of the region's "
			    "%s: remove it", path, what);
	else if ((rc = ns_sidecar_may_replace(dfd, base, path, what, max_bytes)) < 0)
		;	/* another region file, someone's data: kept */
	else if (unlinkat(dfd, base, 0) < 0)
		rc = ns_err(-errno, "cannot remove the stale %s '%s': %s", what, path,
			    strerror(errno));
	else
		rc = (ns_err(0, "removed '%s': %s of an earlier region at this path", path,
			     was), 1);
	close(dfd);
	return rc;
}

int ns_sidecar_next_line(FILE *f, char *line, size_t len, unsigned *lineno, char **p)
{
	while (fgets(line, (int)len, f)) {
		char *q = line;
		int c;

		++*lineno;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!strchr(line, '\n') && !feof(f)) {
			if (*q != '#')
				return -E2BIG;
			/* a comment of any length (the header names the region
			 * file's path, up to PATH_MAX): the rest skipped */
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (*q == '#' || *q == '\n' || *q == '\0')
			continue;
		*p = q;
		return 1;
	}
	return ferror(f) ? -EIO : 0;
}
