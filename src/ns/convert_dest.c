/* SPDX-License-Identifier: MIT */
/*
 * convert-region (convert.h): the destination's directory, reached with no
 * link followed, and the temporary beside the destination: made (O_EXCL,
 * O_NOFOLLOW, flock'ed, marked), judged when a crash left one, removed,
 * renamed into place without replacing anything.
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

/* ---- the destination's directory: no link followed on the way ---- */

int ns_cv_open_parent(struct ns_convert *cv)
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

int ns_cv_fsync(int fd, const char *what, const char *name)
{
	while (fsync(fd) < 0) {
		if (errno == EINTR)
			continue;
		return ns_err(-errno, "fsync of %s '%s': %s", what, name, strerror(errno));
	}
	return 0;
}

const char *ns_cv_kind(mode_t m)
{
	return S_ISLNK(m) ? "a symbolic link" : S_ISDIR(m) ? "a directory" :
	       S_ISREG(m) ? "a file" : "a special file";
}

/* flock the parent briefly (making or judging a temporary), 5 s at most */
int ns_cv_parent_lock(struct ns_convert *cv, bool lock)
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
	struct stat st;
	int fd = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) ?
		 openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;

	/* emptied only when it is ours alone: never a file linked from elsewhere */
	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
		    st.st_uid == geteuid() && ftruncate(fd, 0) < 0) {
			/* its blocks go with the name anyway */
		}
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
int ns_cv_tmp_judge(struct ns_convert *cv, bool remove)
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
			    ns_cv_kind(st.st_mode), st.st_uid != geteuid() ? " of another user" : "");
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
		int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
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
void ns_cv_tmp_remove(struct ns_convert *cv)
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

int ns_cv_make_tmp(struct ns_convert *cv, mode_t mode)
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
/* tmp -> base, never replacing anything; then the parent made durable */
int ns_cv_rename(struct ns_convert *cv)
{
	const char *t = cv->plan.tmp;
	struct stat st, mine;
	int rc;

	/* the entry is still the temporary this run made (not swapped since) */
	if (fstat(cv->tmpfd, &mine) < 0 ||
	    fstatat(cv->parentfd, t, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    st.st_dev != mine.st_dev || st.st_ino != mine.st_ino)
		return ns_err(-EIO, "'%s/%s' is no longer the temporary this run made "
			      "(replaced by another process?): not renamed", cv->parent, t);
	rc = renameat2(cv->parentfd, t, cv->parentfd, cv->base, RENAME_NOREPLACE);

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
	/* the result is no temporary: a later run never takes it for one */
	fremovexattr(cv->tmpfd, CV_XATTR);
	return ns_cv_fsync(cv->parentfd, "directory", cv->parent);
}

