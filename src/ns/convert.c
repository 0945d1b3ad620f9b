/* SPDX-License-Identifier: MIT */
/*
 * convert-region (convert.h): the source and its checks, the plan, the
 * run (convert_dest.c makes the temporary and renames it, convert_copy.c
 * moves the bytes).
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

#include "ns/convert_priv.h"
#include "ns/error.h"
#include "ns/health.h"
#include "ns/label_check.h"

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

static int cv_src_of(struct ns_convert *cv, struct ns_namespace *ns, int *fd, uint64_t *off)
{
	if (!cv->o.to_dir)
		return *off = 0, ns_region_ns_file_open(cv->src, ns, O_RDONLY, fd);
	*fd = ns_region_fd(cv->src);
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
	struct ns_check_area a = { .io = ns_region_io(r),
				   .off = ns_region_size(r) - ns_region_label_size(r),
				   .size = ns_region_label_size(r), .lsa = ns_region_lsa(r), .r = r };
	struct ns_check_counts n;
	struct cv_findings f = { .n = 0 };
	char bb[PATH_MAX + 16];
	struct stat st;

	ns_check_labels(&a, cv_finding, &f, &n);
	if (f.n)
		return ns_err(-EINVAL, "'%s' has %u problem%s that check-labels reports, "
			      "which a conversion would not carry: %s (see `pmemctl "
			      "check-labels --file %s`; a namespace of more than one dpa "
			      "range or of another nvdimm slot is refused too)", ns_region_path(r),
			      f.n, f.n == 1 ? "" : "s", f.text, ns_region_path(r));
	snprintf(bb, sizeof(bb), "%s.badblocks", ns_region_file_path(r));
	if (stat(bb, &st) == 0)
		cv_note(cv, "warning: the media errors injected into '%s' (%s) are not "
			"carried over (inject them again in the result)", ns_region_path(r), bb);
	if (!cv->o.to_dir) {
		DIR *dir;
		struct dirent *e;
		int d = open(ns_region_path(r), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (d < 0 || !(dir = fdopendir(d))) {
			if (d >= 0)
				close(d);
			return 0;
		}
		while ((e = readdir(dir)) != NULL) {
			uint8_t u[16];

			/* (a name is never a uuid: ns_name_validate) */
			if (strncmp(e->d_name, "ns-", 3) ||
			    (uuid_parse(e->d_name + 3, u) == 0 &&
			     ns_region_find_namespace(r, e->d_name + 3)))
				continue;
			cv_note(cv, "warning: '%s/%s' is named by no label: not converted "
				"(it stays in the source)", ns_region_path(r), e->d_name);
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
		.src_fd = ns_region_fd(cv->src),
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

	p->region_size = ns_region_size(r);
	p->label_size = ns_region_label_size(r);
	p->data_bytes = ns_cv_allocated(ns_region_fd(r), p->region_size - p->label_size,
					p->label_size);
	ns_region_foreach_namespace(r, ns) {
		uint64_t off;
		int fd, rc = cv_src_of(cv, ns, &fd, &off);

		if (rc)
			return rc;
		p->nns++;
		p->ns_bytes += ns_namespace_size(ns);
		p->data_bytes += ns_cv_allocated(fd, off, ns_namespace_size(ns));
		cv_src_done(cv, fd);
	}
	cv_probe_reflink(cv);
	/* every namespace byte and the label area end up allocated */
	p->need = p->ns_bytes + p->label_size;
	if (p->reflink == 1)
		p->need -= p->data_bytes < p->need ? p->data_bytes : p->need;
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
	struct stat st, srcst;
	int rc;

	*out = NULL;
	if (stat(src, &srcst) < 0)
		return ns_err(-errno, "cannot open region '%s': %s", src, strerror(errno));
	if (S_ISDIR(srcst.st_mode) == o->to_dir)
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
	if (fcntl(ns_region_fd(cv->src), F_OFD_SETLK, &fl) < 0) {
		fl.l_type = F_WRLCK;
		fl.l_pid = 0;
		if (fcntl(ns_region_fd(cv->src), F_OFD_GETLK, &fl) == 0 && fl.l_pid > 0)
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
		rc = ns_cv_open_parent(cv);
	if (rc)
		goto fail;
	/* a region directory's entries are its own: DEST goes elsewhere */
	if (!o->to_dir && fstat(cv->parentfd, &st) == 0 && st.st_dev == srcst.st_dev &&
	    st.st_ino == srcst.st_ino) {
		rc = ns_err(-EINVAL, "destination '%s' is inside the region directory "
			    "'%s': the source is never written; put it elsewhere", dst, src);
		goto fail;
	}
	if (fstatat(cv->parentfd, cv->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = ns_err(-EEXIST, "destination '%s' exists (%s): refused, nothing "
			    "touched", dst, ns_cv_kind(st.st_mode));
		goto fail;
	}
	/* cv_open_parent: base + prefix fit in NAME_MAX */
	memcpy(cv->plan.tmp, CV_PREFIX, strlen(CV_PREFIX));
	memcpy(cv->plan.tmp + strlen(CV_PREFIX), cv->base, strlen(cv->base) + 1);
	if (fstatat(cv->parentfd, cv->plan.tmp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (st.st_dev == srcst.st_dev && st.st_ino == srcst.st_ino) {
			rc = ns_err(-EINVAL, "'%s' is the temporary name of '%s': give "
				    "the destination another name", src, dst);
			goto fail;
		}
		rc = ns_cv_parent_lock(cv, true);
		if (!rc)
			rc = ns_cv_tmp_judge(cv, false);
		ns_cv_parent_lock(cv, false);
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
		      cv->plan.reflink == 1 ? " (with reflinks: for the source's bytes in no written "
		      "block)" : "");
}

void ns_convert_close(struct ns_convert **pcv)
{
	struct ns_convert *cv = pcv ? *pcv : NULL;

	if (!cv)
		return;
	ns_cv_tmp_remove(cv);
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
	if (ns_region_size(r) != ns_region_size(s) || ns_region_label_size(r) != ns_region_label_size(s) ||
	    ns_region_isetcookie(r) != ns_region_isetcookie(s)) {
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

/*
 * The temporary made (a leftover of a crash removed first), the label area
 * and every namespace copied, every file fsynced, then the directory; the
 * result checked, renamed into place.
 */
/*
 * SOURCE's health (health.h) carried to DEST's region file (DEST, or
 * DEST/region), recorded with DEST's identity: a converted region keeps
 * its shutdown count and state, and a "mounted" mark an unclean end of
 * its daemon left (DEST's first mount counts it, as SOURCE's would). A
 * SOURCE without a health file (or with one of another region file at
 * its path): none at DEST either, a stale one there removed. An unusable
 * one (corrupt, a link, another user's): DEST's count is unknown too,
 * with a warning, as a count restarted at 0 would read as a fact. After
 * the rename (DEST's region file has its final identity, and a DEST.health
 * of someone else's DEST is never touched): a failure is a warning.
 */
static void cv_carry_health(struct ns_convert *cv)
{
	struct ns_region *s = cv->src;
	const char *spath = ns_region_file_path(s);
	char dreg[PATH_MAX], hp[PATH_MAX];
	struct ns_bb_id sid, did;
	struct ns_health h;
	struct stat st;
	int rc;

	if ((size_t)snprintf(dreg, sizeof(dreg), "%s%s", cv->dst,
			     cv->o.to_dir ? "/region" : "") >= sizeof(dreg))
		return;
	ns_bb_id_of_region(s, &sid);
	ns_err_clear();
	rc = ns_health_load(spath, &sid, &h);
	if (rc == NS_HEALTH_STALE ||
	    (rc == 0 && (ns_health_path(spath, hp, sizeof(hp)) ||
			 fstatat(AT_FDCWD, hp, &st, AT_SYMLINK_NOFOLLOW) < 0))) {
		ns_err_clear();
		if (ns_health_remove_stale(dreg) == 1)
			cv_note(cv, "%s", ns_errormsg());
		ns_err_clear();
		return;
	}
	if (rc == NS_HEALTH_UNKNOWN)
		cv_note(cv, "warning: the health of '%s' cannot be read (%s): the shutdown "
			"count of '%s' is unknown too (remove its health file to count from "
			"0)", ns_region_path(s), ns_errormsg(), cv->dst);
	ns_err_clear();
	rc = ns_bb_id_of_path(dreg, &did);
	if (rc == 0)
		rc = ns_health_save(dreg, &did, &h);
	if (rc < 0)
		cv_note(cv, "warning: the health of '%s' (its shutdown count) is not carried "
			"to '%s': %s", ns_region_path(s), cv->dst,
			ns_errormsg()[0] ? ns_errormsg() : strerror(-rc));
	ns_err_clear();
}

int ns_convert_run(struct ns_convert *cv, struct ns_convert_stats *st)
{
	struct ns_region *s = cv->src;
	uint64_t lo = ns_region_size(s) - ns_region_label_size(s);
	struct ns_namespace *ns;
	struct stat sst;
	char name[48], msg[1024];
	int rc;

	memset(st, 0, sizeof(*st));
	if (fstat(ns_region_fd(s), &sst) < 0)
		return ns_err(-errno, "stat of '%s': %s", ns_region_path(s), strerror(errno));
	cv->total = cv->plan.ns_bytes + ns_region_label_size(s);
	rc = ns_cv_parent_lock(cv, true);
	if (rc)
		return rc;
	if (cv->plan.leftover) {
		rc = ns_cv_tmp_judge(cv, true);
		if (!rc)
			cv_note(cv, "removed '%s/%s', left by an interrupted convert-region",
				cv->parent, cv->plan.tmp);
	}
	if (!rc)
		rc = ns_cv_make_tmp(cv, sst.st_mode & 0666);
	ns_cv_parent_lock(cv, false);
	if (rc)
		goto fail;
	if (geteuid() == 0 && (sst.st_uid || sst.st_gid)) {
		/* root converting a user's region: the result stays theirs */
		if (fchown(cv->tmpfd, sst.st_uid, sst.st_gid) < 0 ||
		    (cv->regfd != cv->tmpfd && fchown(cv->regfd, sst.st_uid, sst.st_gid) < 0))
			cv_note(cv, "warning: the result keeps root as its owner: %s",
				strerror(errno));
	}
	if (ftruncate(cv->regfd, (off_t)ns_region_size(s)) < 0) {
		rc = ns_err(-errno, "cannot size '%s/%s' to %" PRIu64 " bytes: %s",
			    cv->parent, cv->plan.tmp, ns_region_size(s), strerror(errno));
		goto fail;
	}
	ns_err_clear();
	rc = ns_cv_copy(cv, ns_region_fd(s), lo, cv->regfd, lo, ns_region_label_size(s), st);
	if (rc) {
		rc = ns_err(rc, "cannot copy the label area of '%s': %s", ns_region_path(s),
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
			    fchown(dfd, sst.st_uid, sst.st_gid) < 0)
				cv_note(cv, "warning: '%s' keeps root as its owner: %s", name,
					strerror(errno));
			rc = ns_cv_copy(cv, sfd, off, dfd, 0, len, st);
			if (!rc)
				rc = ns_cv_fsync(dfd, "namespace file", name);
			close(dfd);
		} else {
			rc = ns_cv_copy(cv, sfd, 0, cv->regfd, ns_namespace_dpa(ns), len, st);
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
	rc = ns_cv_fsync(cv->regfd, "file", cv->plan.tmp);
	if (!rc && cv->o.to_dir)
		rc = ns_cv_fsync(cv->tmpfd, "directory", cv->plan.tmp);
	if (!rc)
		rc = cv_verify(cv);
	if (!rc)
		rc = ns_cv_rename(cv);
	if (!rc) {
		cv_carry_health(cv);
		return 0;
	}
fail:
	snprintf(msg, sizeof(msg), "%s", ns_errormsg()[0] ? ns_errormsg() : strerror(-rc));
	ns_cv_tmp_remove(cv);
	return ns_err(rc, "%s (nothing of '%s' left; '%s' unchanged)", msg, cv->dst,
		      ns_region_path(s));
}
