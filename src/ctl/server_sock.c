/* SPDX-License-Identifier: MIT */
/*
 * The control socket's file: its directory made and checked (nobody else
 * may change it), a stale socket replaced, bind with the mode and group
 * set before listen(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ns/error.h"
#include "ctl/server_int.h"

/* mkdir -p of path's directory, new components 0755 whatever the umask */
/*
 * The socket's directory must be one nobody else can change: owned by
 * root or by us, and not writable by group or others unless sticky (as
 * /tmp). Another user's directory there (pre-created, or a link to one)
 * could have the socket replaced between bind and chmod, a link put in
 * its place, or a server of theirs answering our clients.
 */
static int ctl_dir_safe(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return ns_err(-errno, "cannot stat '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ns_err(-ENOTDIR, "'%s' is not a directory", dir);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return ns_err(-EPERM, "control socket directory '%s' belongs to uid %u, "
			      "not to root or to the daemon's user: refused (another user "
			      "could replace the socket)", dir, (unsigned)st.st_uid);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return ns_err(-EPERM, "control socket directory '%s' is writable by %s "
			      "(mode %04o) and not sticky: refused (another user could "
			      "replace the socket)", dir,
			      (st.st_mode & S_IWOTH) ? "others" : "its group",
			      (unsigned)(st.st_mode & 07777));
	return 0;
}

static int ctl_mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL)
		return ctl_dir_safe(".");
	if (p == dir)
		return ctl_dir_safe("/");
	*p = '\0';
	for (p = dir + 1; ; p++) {
		char save = *p;

		if (save != '/' && save != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == 0) {
			if (chmod(dir, 0755) < 0)
				return ns_err(-errno, "cannot set mode 0755 on '%s': %s",
					      dir, strerror(errno));
		} else if (errno != EEXIST) {
			return ns_err(-errno, "cannot create directory '%s': %s",
				      dir, strerror(errno));
		}
		*p = save;
		if (save == '\0')
			break;
	}
	return ctl_dir_safe(dir);
}

/* An existing file at path: replace a stale socket, refuse anything else. */
static int ctl_replace_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc, err;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ns_err(-errno, "cannot stat '%s': %s",
						    path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return ns_err(-EEXIST, "control socket path '%s' exists and is not a socket",
			      path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ns_err(-errno, "cannot create socket: %s", strerror(errno));
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	err = errno;
	close(fd);
	if (rc == 0 || err == EAGAIN || err == EINPROGRESS)
		return ns_err(-EADDRINUSE,
			      "control socket '%s' is in use: another daemon answers on it",
			      path);
	if (err != ECONNREFUSED)
		return ns_err(-err, "cannot probe control socket '%s': %s", path, strerror(err));
	if (unlink(path) < 0 && errno != ENOENT)
		return ns_err(-errno, "cannot remove stale control socket '%s': %s",
			      path, strerror(errno));
	return 0;
}

int ctl_server_listen(struct ctl_server *s, gid_t group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t mode = group == (gid_t)-1 ? 0600 : 0660;
	struct stat st;
	int rc;

	if (strlen(s->path) >= sizeof(sa.sun_path))
		return ns_err(-ENAMETOOLONG, "control socket path '%s' is longer than %zu bytes",
			      s->path, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);

	rc = ctl_mkdir_parent(s->path);
	if (rc)
		return rc;
	rc = ctl_replace_stale(s->path, &sa);
	if (rc)
		return rc;

	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->lfd < 0)
		return ns_err(-errno, "cannot create socket: %s", strerror(errno));
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return ns_err(-errno, "cannot bind control socket '%s': %s",
			      s->path, strerror(errno));
	/* mode and group before listen(): nobody connects in between; never
	 * through a link (the directory is ours, but still) */
	if (fchmodat(AT_FDCWD, s->path, mode, AT_SYMLINK_NOFOLLOW) < 0 &&
	    !((errno == EOPNOTSUPP || errno == ENOSYS) && lstat(s->path, &st) == 0 &&
	      S_ISSOCK(st.st_mode) && chmod(s->path, mode) == 0))
		rc = ns_err(-errno, "cannot set mode %04o on '%s': %s",
			    (unsigned)mode, s->path, strerror(errno));
	else if (group != (gid_t)-1 && lchown(s->path, (uid_t)-1, group) < 0)
		rc = ns_err(-errno, "cannot give '%s' to group %u: %s",
			    s->path, (unsigned)group, strerror(errno));
	else if (lstat(s->path, &st) < 0)
		rc = ns_err(-errno, "cannot stat '%s': %s", s->path, strerror(errno));
	else if (listen(s->lfd, 64) < 0)
		rc = ns_err(-errno, "cannot listen on '%s': %s", s->path, strerror(errno));
	if (rc) {
		unlink(s->path);
		return rc;
	}
	s->sock_dev = st.st_dev;
	s->sock_ino = st.st_ino;
	return 0;
}
