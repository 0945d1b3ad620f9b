/* SPDX-License-Identifier: MIT */
/*
 * convert-region (convert.h): the plan, the copy and the temporary.
 *
 * Locks: the source's OFD read lock (the whole run); the destination's
 * parent directory flock'ed only while a temporary is made or a leftover
 * one is judged, so that two runs never take each other's temporary for a
 * crash's; the temporary flock'ed from its creation to its rename.
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

#include "ns/convert.h"
#include "ns/error.h"
#include "ns/namespace_priv.h"
#include "ns/label_check.h"

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

const char *ns_convert_size(uint64_t v, char *buf, size_t len)
{
	static const char *unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int i = -1;

	if (v < 1024) {
		snprintf(buf, len, "%" PRIu64 " bytes", v);
		return buf;
	}
	while (d >= 1024 && i < 3) {
		d /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", d, unit[i]);
	return buf;
}

const char *ns_convert_method_name(unsigned m, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s", m & NS_CONVERT_CLONE ? "reflink" : "",
		 (m & NS_CONVERT_CLONE) && (m & ~NS_CONVERT_CLONE) ? "+" : "",
		 m & NS_CONVERT_CFR ? "copy_file_range" : "",
		 (m & NS_CONVERT_CFR) && (m & NS_CONVERT_RW) ? "+" : "",
		 m & NS_CONVERT_RW ? "read/write" : "", m ? "" : "none");
	return buf;
}

static void cv_note(const struct ns_convert *cv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void cv_note(const struct ns_convert *cv, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cv->o.note)
		cv->o.note(msg);
	else
		fprintf(stderr, "%s\n", msg);
}

static int cv_fsync(int fd, const char *what, const char *name)
{
	while (fsync(fd) < 0) {
		if (errno == EINTR)
			continue;
		return ns_err(-errno, "fsync of %s '%s': %s", what, name, strerror(errno));
	}
	return 0;
}

/* ---- the destination's directory: no link followed on the way ---- */

static int cv_open_parent(struct ns_convert *cv)
{
	char *p = strdup(cv->dst), *slash, *comp, *save = NULL, *walked;
	size_t n = strlen(p ? p : "");
	int fd, nfd;

	if (!p)
		return ns_err(-ENOMEM, "out of memory");
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	slash = strrchr(p, '/');
	snprintf(cv->base, sizeof(cv->base), "%s", slash ? slash + 1 : p);
	if (slash == p)
		cv->parent = strdup("/");
	else if (slash) {
		*slash = '\0';
		cv->parent = strdup(p);
	} else {
		cv->parent = strdup(".");
	}
	free(p);
	if (!cv->parent)
		return ns_err(-ENOMEM, "out of memory");
	if (!cv->base[0] || !strcmp(cv->base, ".") || !strcmp(cv->base, "..") ||
	    strlen(cv->base) + strlen(CV_PREFIX) > NAME_MAX)
		return ns_err(-EINVAL, "destination '%s': not a name a new %s can "
			      "have%s", cv->dst, cv->o.to_dir ? "directory" : "file",
			      cv->base[0] && strlen(cv->base) + strlen(CV_PREFIX) > NAME_MAX ?
			      " (too long for its temporary name)" : "");
	fd = open(cv->parent[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	walked = calloc(1, strlen(cv->parent) + 2);
	p = strdup(cv->parent);
	if (fd < 0 || !walked || !p) {
		int e = fd < 0 ? errno : ENOMEM;

		if (fd >= 0)
			close(fd);
		free(walked);
		free(p);
		return ns_err(-e, "cannot open the directory of '%s': %s", cv->dst,
			      strerror(e));
	}
	if (cv->parent[0] == '/')
		strcat(walked, "/");
	for (comp = strtok_r(p, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		struct stat st;

		if (walked[0] && strcmp(walked, "/"))
			strcat(walked, "/");
		strcat(walked, comp);
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			int e = errno;
			bool link = fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISLNK(st.st_mode);

			close(fd);
			free(p);
			if (link) {
				ns_err(-ELOOP, "'%s' in the destination's path is a symbolic "
				       "link: refused (convert-region follows no link it did "
				       "not create; give the real path)", walked);
				free(walked);
				return -ELOOP;
			}
			ns_err(-e, "cannot open directory '%s' of the destination: %s",
			       walked, strerror(e));
			free(walked);
			return -e;
		}
		close(fd);
		fd = nfd;
	}
	free(p);
	free(walked);
	cv->parentfd = fd;
	return 0;
}

static const char *cv_kind(mode_t m)
{
	return S_ISLNK(m) ? "a symbolic link" : S_ISDIR(m) ? "a directory" :
	       S_ISREG(m) ? "a file" : "a special file";
}

/* flock the parent briefly (making or judging a temporary), 5 s at most */
static int cv_parent_lock(struct ns_convert *cv, bool lock)
{
	if (!lock)
		return flock(cv->parentfd, LOCK_UN), 0;
	for (int i = 0; i < 500; i++) {
		if (flock(cv->parentfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return ns_err(-errno, "cannot lock directory '%s': %s", cv->parent,
				      strerror(errno));
		usleep(10000);
	}
	return ns_err(-EBUSY, "directory '%s' stays locked by another process", cv->parent);
}

/* ---- the temporary: ours, and removed ---- */

static bool cv_tmp_name_ok(const char *name)
{
	if (!strcmp(name, "region"))
		return true;
	if (strncmp(name, "ns-", 3) || strlen(name) != 3 + 36)
		return false;
	for (const char *c = name + 3; *c; c++)
		if (!strchr("0123456789abcdef-", *c))
			return false;
	return true;
}

/* a regular file of ours with one name, emptied (blocks freed now) and removed */
static int cv_remove_file(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0) {
		if (ftruncate(fd, 0) < 0) { /* blocks go with the name anyway */ }
		close(fd);
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * Is the entry tmp of the parent one a conversion left (see convert.h)?
 * 0 (and, with remove, it is gone), or -errno with the message saying
 * why it is not removed.
 */
static int cv_tmp_judge(struct ns_convert *cv, bool remove)
{
	const char *t = cv->plan.tmp;
	struct stat st;
	char v[8];
	int fd, rc = 0;

	fd = openat(cv->parentfd, t, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = ns_err(-errno, "'%s/%s' (a temporary of convert-region?) cannot be "
			    "opened: %s%s: not removed", cv->parent, t, strerror(errno),
			    errno == ELOOP ? " (a symbolic link)" : "");
		goto out;
	}
	if ((!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) || st.st_uid != geteuid() ||
	    (S_ISREG(st.st_mode) && st.st_nlink != 1)) {
		rc = ns_err(-EEXIST, "'%s/%s' is %s%s that convert-region did not "
			    "make: not removed (remove it yourself)", cv->parent, t,
			    cv_kind(st.st_mode), st.st_uid != geteuid() ? " of another user" : "");
		goto out;
	}
	if (fgetxattr(fd, CV_XATTR, v, sizeof(v)) < 0 && errno != ENOTSUP) {
		rc = ns_err(-EEXIST, "'%s/%s' lacks the mark convert-region gives its "
			    "temporaries: not removed (remove it yourself)", cv->parent, t);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = ns_err(-EBUSY, "'%s/%s' is being built by another convert-region "
			    "(wait for it)", cv->parent, t);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		int d = dup(fd);
		DIR *dir = d >= 0 ? fdopendir(d) : NULL;
		struct dirent *e;

		if (!dir) {
			if (d >= 0)
				close(d);
			rc = ns_err(-errno, "cannot list '%s/%s': %s", cv->parent, t,
				    strerror(errno));
			goto out;
		}
		while ((e = readdir(dir)) != NULL) {
			struct stat es;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (!cv_tmp_name_ok(e->d_name) ||
			    fstatat(fd, e->d_name, &es, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(es.st_mode) || es.st_nlink != 1 || es.st_uid != geteuid()) {
				rc = ns_err(-EEXIST, "'%s/%s' holds '%s', which convert-region "
					    "does not make: not removed (remove it yourself)",
					    cv->parent, t, e->d_name);
				break;
			}
			if (remove && (rc = cv_remove_file(fd, e->d_name)) != 0) {
				rc = ns_err(rc, "cannot remove '%s/%s/%s': %s", cv->parent, t,
					    e->d_name, strerror(-rc));
				break;
			}
		}
		closedir(dir);
		if (!rc && remove && unlinkat(cv->parentfd, t, AT_REMOVEDIR) < 0)
			rc = ns_err(-errno, "cannot remove '%s/%s': %s", cv->parent, t,
				    strerror(errno));
	} else if (remove) {
		rc = cv_remove_file(cv->parentfd, t);
		if (rc)
			rc = ns_err(rc, "cannot remove '%s/%s': %s", cv->parent, t,
				    strerror(-rc));
	}
	if (!rc && remove)
		fsync(cv->parentfd);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* a failed run: what it made goes */
static void cv_tmp_remove(struct ns_convert *cv)
{
	if (!cv->made)
		return;
	if (cv->o.to_dir) {
		struct ns_namespace *ns;
		char name[48];

		ns_region_foreach_namespace(cv->src, ns)
			cv_remove_file(cv->tmpfd, ns_region_ns_file_name(ns, name, sizeof(name)));
		cv_remove_file(cv->tmpfd, "region");
		unlinkat(cv->parentfd, cv->plan.tmp, AT_REMOVEDIR);
	} else {
		cv_remove_file(cv->parentfd, cv->plan.tmp);
	}
	fsync(cv->parentfd);
	cv->made = false;
}

/* ---- the source: allocated bytes of a range ---- */

/* bytes of [off, off + len) of fd with blocks (FIEMAP, else SEEK_DATA, else len) */
static uint64_t cv_allocated(int fd, uint64_t off, uint64_t len)
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

			if (b > a)
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
static int cv_src_of(struct ns_convert *cv, struct ns_namespace *ns, int *fd, uint64_t *off)
{
	if (!cv->o.to_dir)
		return *off = 0, ns_region_ns_file_open(cv->src, ns, O_RDONLY, fd);
	*fd = cv->src->fd;
	*off = ns_namespace_dpa(ns);
	return 0;
}

static void cv_src_done(struct ns_convert *cv, int fd)
{
	if (!cv->o.to_dir && fd >= 0)
		close(fd);
}

/* ---- the plan ---- */

struct cv_findings {
	char text[1536];
	unsigned n;
};

static void cv_finding(void *arg, const char *line)
{
	struct cv_findings *f = arg;
	size_t l = strlen(f->text);

	if (l + 4 < sizeof(f->text))
		snprintf(f->text + l, sizeof(f->text) - l, "%s%s", f->n ? "; " : "", line);
	f->n++;
}

/* what check-labels reports, and the rest a conversion cannot carry */
static int cv_check_source(struct ns_convert *cv)
{
	struct ns_region *r = cv->src;
	struct ns_check_area a = { .io = r->io, .off = r->size - r->label_size,
				   .size = r->label_size, .lsa = ns_region_lsa(r), .r = r };
	struct ns_check_counts n;
	struct cv_findings f = { .n = 0 };
	char bb[PATH_MAX + 16];
	struct stat st;

	ns_check_labels(&a, cv_finding, &f, &n);
	if (f.n)
		return ns_err(-EINVAL, "'%s' has %u problem%s that check-labels reports, "
			      "which a conversion would not carry: %s (see `pmemctl "
			      "check-labels --file %s`; a namespace of more than one dpa "
			      "range or of another nvdimm slot is refused too)", r->path,
			      f.n, f.n == 1 ? "" : "s", f.text, r->path);
	snprintf(bb, sizeof(bb), "%s.badblocks", ns_region_file_path(r));
	if (stat(bb, &st) == 0)
		cv_note(cv, "warning: the media errors injected into '%s' (%s) are not "
			"carried over (inject them again in the result)", r->path, bb);
	if (!cv->o.to_dir) {
		DIR *dir;
		struct dirent *e;
		int d = dup(r->dirfd);

		if (d < 0 || !(dir = fdopendir(d))) {
			if (d >= 0)
				close(d);
			return 0;
		}
		while ((e = readdir(dir)) != NULL) {
			uint8_t u[16];

			if (strncmp(e->d_name, "ns-", 3) ||
			    (uuid_parse(e->d_name + 3, u) == 0 && ns_find_uuid(r, u, NULL)))
				continue;
			cv_note(cv, "warning: '%s/%s' is named by no label: not converted "
				"(it stays in the source)", r->path, e->d_name);
		}
		closedir(dir);
	}
	return 0;
}

/* can blocks of the source be shared with a new file in the parent? */
static void cv_probe_reflink(struct ns_convert *cv)
{
	struct ns_convert_plan *p = &cv->plan;
	struct file_clone_range fcr = {
		.src_fd = cv->src->fd,
		.src_offset = p->region_size - p->label_size,
		.src_length = p->label_size,
	};
	int fd = openat(cv->parentfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		p->reflink = -1;
		snprintf(p->reflink_why, sizeof(p->reflink_why), "not known (no O_TMPFILE "
			 "in '%s' to try it: %s)", cv->parent, strerror(errno));
		return;
	}
	p->reflink = ioctl(fd, FICLONERANGE, &fcr) == 0;
	if (!p->reflink)
		snprintf(p->reflink_why, sizeof(p->reflink_why), "%s", errno == EXDEV ?
			 "the source and the destination are on different file systems" :
			 errno == EOPNOTSUPP || errno == ENOTTY || errno == EINVAL ?
			 "the destination's file system shares no blocks (no reflink)" :
			 strerror(errno));
	close(fd);
}

static int cv_plan(struct ns_convert *cv)
{
	struct ns_convert_plan *p = &cv->plan;
	struct ns_region *r = cv->src;
	struct ns_namespace *ns;
	struct statvfs sv;

	p->region_size = r->size;
	p->label_size = r->label_size;
	p->alloc_bytes = cv_allocated(r->fd, r->size - r->label_size, r->label_size);
	ns_region_foreach_namespace(r, ns) {
		uint64_t off;
		int fd, rc = cv_src_of(cv, ns, &fd, &off);

		if (rc)
			return rc;
		p->nns++;
		p->ns_bytes += ns_namespace_size(ns);
		p->alloc_bytes += cv_allocated(fd, off, ns_namespace_size(ns));
		cv_src_done(cv, fd);
	}
	cv_probe_reflink(cv);
	/* every namespace byte and the label area end up allocated */
	p->need = p->ns_bytes + p->label_size;
	if (p->reflink == 1)
		p->need -= p->alloc_bytes < p->need ? p->alloc_bytes : p->need;
	if (fstatvfs(cv->parentfd, &sv) < 0)
		return ns_err(-errno, "statvfs of '%s': %s", cv->parent, strerror(errno));
	p->avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

int ns_convert_open(const char *src, const char *dst, const struct ns_convert_opts *o,
		    struct ns_convert **out)
{
	struct ns_region_opts ro = { .flags = NS_REGION_RDONLY };
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	struct ns_convert *cv;
	struct stat st;
	int rc;

	*out = NULL;
	if (stat(src, &st) < 0)
		return ns_err(-errno, "cannot open region '%s': %s", src, strerror(errno));
	if (S_ISDIR(st.st_mode) == o->to_dir)
		return ns_err(-EINVAL, "'%s' is a region %s already: --layout %s converts "
			      "a region %s", src, o->to_dir ? "directory" : "file",
			      o->to_dir ? "dir" : "file", o->to_dir ? "file" : "directory");
	cv = calloc(1, sizeof(*cv));
	if (!cv)
		return ns_err(-ENOMEM, "out of memory");
	cv->o = *o;
	cv->parentfd = cv->tmpfd = cv->regfd = -1;
	cv->clone_ok = cv->cfr_ok = true;
	cv->dst = strdup(dst);
	if (!cv->dst) {
		rc = ns_err(-ENOMEM, "out of memory");
		goto fail;
	}
	rc = ns_region_open(src, &ro, &cv->src);
	if (rc)
		goto fail;
	/* a daemon's or a writer's write lock conflicts with it, both ways */
	if (fcntl(cv->src->fd, F_OFD_SETLK, &fl) < 0) {
		fl.l_type = F_WRLCK;
		fl.l_pid = 0;
		if (fcntl(cv->src->fd, F_OFD_GETLK, &fl) == 0 && fl.l_pid > 0)
			rc = ns_err(-NS_E_LOCKED, "region '%s' is in use by another process "
				    "(pid %d)", src, (int)fl.l_pid);
		else
			rc = ns_err(-NS_E_LOCKED, "region '%s' is in use by another process",
				    src);
		goto fail;
	}
	/* what the labels say now that no writer can change them */
	rc = ns_region_reload(cv->src);
	if (!rc)
		rc = cv_check_source(cv);
	if (!rc)
		rc = cv_open_parent(cv);
	if (rc)
		goto fail;
	if (fstatat(cv->parentfd, cv->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = ns_err(-EEXIST, "destination '%s' exists (%s): refused, nothing "
			    "touched", dst, cv_kind(st.st_mode));
		goto fail;
	}
	/* cv_open_parent: base + prefix fit in NAME_MAX */
	memcpy(cv->plan.tmp, CV_PREFIX, strlen(CV_PREFIX));
	memcpy(cv->plan.tmp + strlen(CV_PREFIX), cv->base, strlen(cv->base) + 1);
	if (fstatat(cv->parentfd, cv->plan.tmp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = cv_parent_lock(cv, true);
		if (!rc)
			rc = cv_tmp_judge(cv, false);
		cv_parent_lock(cv, false);
		if (rc)
			goto fail;
		cv->plan.leftover = true;
	}
	rc = cv_plan(cv);
	if (rc)
		goto fail;
	*out = cv;
	return 0;
fail:
	ns_convert_close(&cv);
	return rc;
}

const struct ns_convert_plan *ns_convert_get_plan(const struct ns_convert *cv)
{
	return &cv->plan;
}

struct ns_region *ns_convert_source(const struct ns_convert *cv)
{
	return cv->src;
}

int ns_convert_check_space(const struct ns_convert *cv)
{
	char a[32], b[32];

	if (cv->plan.need <= cv->plan.avail)
		return 0;
	return ns_err(-ENOSPC, "needs %s, the file system of '%s' has %s free%s",
		      ns_convert_size(cv->plan.need, a, sizeof(a)), cv->parent,
		      ns_convert_size(cv->plan.avail, b, sizeof(b)),
		      cv->plan.reflink == 1 ? " (with reflinks: the source's holes)" : "");
}

void ns_convert_close(struct ns_convert **pcv)
{
	struct ns_convert *cv = pcv ? *pcv : NULL;

	if (!cv)
		return;
	cv_tmp_remove(cv);
	if (cv->regfd >= 0 && cv->regfd != cv->tmpfd)
		close(cv->regfd);
	if (cv->tmpfd >= 0)
		close(cv->tmpfd);
	if (cv->parentfd >= 0)
		close(cv->parentfd);
	ns_region_close(&cv->src);
	free(cv->parent);
	free(cv->dst);
	free(cv);
	*pcv = NULL;
}

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
static int cv_copy(struct ns_convert *cv, int sfd, uint64_t s, int dfd, uint64_t d,
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

static int cv_make_tmp(struct ns_convert *cv, mode_t mode)
{
	const char *t = cv->plan.tmp;
	int rc;

	if (cv->o.to_dir) {
		mode_t dm = 0700 | (mode & 0060 ? 0050 : 0) | (mode & 0006 ? 0005 : 0);

		if (mkdirat(cv->parentfd, t, dm) < 0)
			return ns_err(-errno, "cannot create '%s/%s': %s", cv->parent, t,
				      strerror(errno));
		cv->made = true;
		cv->tmpfd = openat(cv->parentfd, t, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				   O_CLOEXEC);
	} else {
		cv->tmpfd = openat(cv->parentfd, t, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
				   O_CLOEXEC, mode);
		cv->made = cv->tmpfd >= 0;
	}
	if (cv->tmpfd < 0)
		return ns_err(-errno, "cannot create '%s/%s': %s", cv->parent, t,
			      strerror(errno));
	if (flock(cv->tmpfd, LOCK_EX | LOCK_NB) < 0)
		return ns_err(-errno, "cannot lock '%s/%s': %s", cv->parent, t,
			      strerror(errno));
	/* the mark a later run knows it by (where the file system has xattrs) */
	if (fsetxattr(cv->tmpfd, CV_XATTR, "1", 1, 0) < 0 && errno != ENOTSUP)
		return ns_err(-errno, "cannot mark '%s/%s': %s", cv->parent, t,
			      strerror(errno));
	if (!cv->o.to_dir) {
		cv->regfd = cv->tmpfd;
		return 0;
	}
	cv->regfd = openat(cv->tmpfd, "region", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			   O_CLOEXEC, mode);
	if (cv->regfd < 0)
		return ns_err(-errno, "cannot create '%s/%s/region': %s", cv->parent, t,
			      strerror(errno));
	rc = 0;
	return rc;
}

/* the result, opened with the core, says what the source says */
static int cv_verify(struct ns_convert *cv)
{
	struct ns_region_opts ro = { .flags = NS_REGION_RDONLY, .label_size = cv->plan.label_size };
	struct ns_region *r = NULL, *s = cv->src;
	struct ns_namespace *ns, *m;
	char path[PATH_MAX];
	unsigned n = 0, k = 0;
	int rc;

	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", cv->parentfd, cv->plan.tmp);
	if (access(path, F_OK) < 0)
		snprintf(path, sizeof(path), "%s/%s", cv->parent, cv->plan.tmp);
	rc = ns_region_open(path, &ro, &r);
	if (rc) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		return ns_err(rc, "the result does not open as a region: %s", msg);
	}
	rc = -EIO;
	if (r->size != s->size || r->label_size != s->label_size ||
	    r->isetcookie != s->isetcookie) {
		ns_err(rc, "the result's region differs from the source's (size, label "
		       "area or cookie)");
		goto out;
	}
	ns_region_foreach_namespace(r, ns)
		n++;
	ns_region_foreach_namespace(s, ns) {
		k++;
		m = ns_region_find_namespace(r, ns_namespace_uuid_str(ns));
		if (!m || ns_namespace_state(m) != NS_STATE_ACTIVE ||
		    ns_namespace_dpa(m) != ns_namespace_dpa(ns) ||
		    ns_namespace_size(m) != ns_namespace_size(ns) ||
		    ns_namespace_flags(m) != ns_namespace_flags(ns) ||
		    strcmp(ns_namespace_label_name(m), ns_namespace_label_name(ns))) {
			ns_err(rc, "the result's namespace %s differs from the source's%s%s",
			       ns_namespace_uuid_str(ns), m ? ": " : " (missing)",
			       m ? ns_namespace_reason(m) : "");
			goto out;
		}
	}
	if (n != k) {
		ns_err(rc, "the result has %u namespaces, the source %u", n, k);
		goto out;
	}
	rc = 0;
out:
	ns_region_close(&r);
	return rc;
}

/* tmp -> base, never replacing anything; then the parent made durable */
static int cv_rename(struct ns_convert *cv)
{
	const char *t = cv->plan.tmp;
	struct stat st;
	int rc = renameat2(cv->parentfd, t, cv->parentfd, cv->base, RENAME_NOREPLACE);

	if (rc < 0 && (errno == EINVAL || errno == ENOSYS)) {
		/* a file system without RENAME_NOREPLACE */
		if (!cv->o.to_dir) {
			rc = linkat(cv->parentfd, t, cv->parentfd, cv->base, 0);
			if (rc == 0)
				unlinkat(cv->parentfd, t, 0);
		} else if (fstatat(cv->parentfd, cv->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			errno = EEXIST;
		} else {
			rc = renameat(cv->parentfd, t, cv->parentfd, cv->base);
		}
	}
	if (rc < 0)
		return ns_err(-errno, "cannot rename '%s/%s' to '%s': %s%s", cv->parent, t,
			      cv->dst, strerror(errno), errno == EEXIST ?
			      " (it appeared meanwhile: refused, not touched)" : "");
	cv->made = false;
	return cv_fsync(cv->parentfd, "directory", cv->parent);
}

int ns_convert_run(struct ns_convert *cv, struct ns_convert_stats *st)
{
	struct ns_region *s = cv->src;
	uint64_t lo = s->size - s->label_size;
	struct ns_namespace *ns;
	struct stat sst;
	char name[48], msg[1024];
	int rc;

	memset(st, 0, sizeof(*st));
	if (fstat(s->fd, &sst) < 0)
		return ns_err(-errno, "stat of '%s': %s", s->path, strerror(errno));
	cv->total = cv->plan.ns_bytes + s->label_size;
	rc = cv_parent_lock(cv, true);
	if (rc)
		return rc;
	if (cv->plan.leftover) {
		rc = cv_tmp_judge(cv, true);
		if (!rc)
			cv_note(cv, "removed '%s/%s', left by an interrupted convert-region",
				cv->parent, cv->plan.tmp);
	}
	if (!rc)
		rc = cv_make_tmp(cv, sst.st_mode & 0666);
	cv_parent_lock(cv, false);
	if (rc)
		goto fail;
	if (geteuid() == 0 && (sst.st_uid || sst.st_gid)) {
		/* root converting a user's region: the result stays theirs */
		if (fchown(cv->tmpfd, sst.st_uid, sst.st_gid) < 0 ||
		    (cv->regfd != cv->tmpfd && fchown(cv->regfd, sst.st_uid, sst.st_gid) < 0))
			cv_note(cv, "warning: the result keeps root as its owner: %s",
				strerror(errno));
	}
	if (ftruncate(cv->regfd, (off_t)s->size) < 0) {
		rc = ns_err(-errno, "cannot size '%s/%s' to %" PRIu64 " bytes: %s",
			    cv->parent, cv->plan.tmp, s->size, strerror(errno));
		goto fail;
	}
	ns_err_clear();
	rc = cv_copy(cv, s->fd, lo, cv->regfd, lo, s->label_size, st);
	if (rc) {
		rc = ns_err(rc, "cannot copy the label area of '%s': %s", s->path,
			    ns_errormsg()[0] ? ns_errormsg() : strerror(-rc));
		goto fail;
	}
	ns_region_foreach_namespace(s, ns) {
		uint64_t off, len = ns_namespace_size(ns);
		int sfd, dfd;

		ns_region_ns_file_name(ns, name, sizeof(name));
		ns_err_clear();
		rc = cv_src_of(cv, ns, &sfd, &off);
		if (rc)
			goto fail;
		if (cv->o.to_dir) {
			dfd = openat(cv->tmpfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
				     O_CLOEXEC, sst.st_mode & 0666);
			if (dfd < 0 || ftruncate(dfd, (off_t)len) < 0) {
				rc = -errno;
				if (dfd >= 0)
					close(dfd);
				rc = ns_err(rc, "cannot create '%s/%s/%s': %s", cv->parent,
					    cv->plan.tmp, name, strerror(-rc));
				goto fail;
			}
			if (geteuid() == 0 && (sst.st_uid || sst.st_gid) &&
			    fchown(dfd, sst.st_uid, sst.st_gid) < 0) { /* said above */ }
			rc = cv_copy(cv, sfd, off, dfd, 0, len, st);
			if (!rc)
				rc = cv_fsync(dfd, "namespace file", name);
			close(dfd);
		} else {
			rc = cv_copy(cv, sfd, 0, cv->regfd, ns_namespace_dpa(ns), len, st);
		}
		cv_src_done(cv, sfd);
		if (rc) {
			snprintf(msg, sizeof(msg), "%s", ns_errormsg()[0] ? ns_errormsg() :
				 strerror(-rc));
			rc = ns_err(rc, "cannot copy namespace %s ('%s', %s) into '%s/%s': "
				    "%s", ns_namespace_devname(ns), ns_namespace_name(ns),
				    name, cv->parent, cv->plan.tmp, msg);
			goto fail;
		}
	}
	rc = cv_fsync(cv->regfd, "file", cv->plan.tmp);
	if (!rc && cv->o.to_dir)
		rc = cv_fsync(cv->tmpfd, "directory", cv->plan.tmp);
	if (!rc)
		rc = cv_verify(cv);
	if (!rc)
		rc = cv_rename(cv);
	if (!rc)
		return 0;
fail:
	snprintf(msg, sizeof(msg), "%s", ns_errormsg()[0] ? ns_errormsg() : strerror(-rc));
	cv_tmp_remove(cv);
	return ns_err(rc, "%s (nothing of '%s' left; '%s' unchanged)", msg, cv->dst, s->path);
}
