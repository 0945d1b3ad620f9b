// SPDX-License-Identifier: MIT
/*
 * The mount point's checks (see mountpoint.h): dead, hung and served
 * pmemfs mounts, found in /proc/self/mountinfo (src/ctl/path.h) and asked
 * on their control socket or with a statfs(2) given 3 s to answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns/child.h"
#include "ns/error.h"
#include "ctl/client.h"
#include "ctl/path.h"
#include "ctl/proto.h"

#include "fs/log.h"
#include "daemon/mountpoint.h"

/*
 * The mount point (or a directory above it) gave ENOTCONN: a FUSE mount
 * whose daemon is gone (killed, crashed) stays until it is unmounted, and
 * every access to it fails so. Said in the user's terms: which pmemfs
 * mount, whether a daemon still answers on its control socket, and the
 * command that clears it. Not cleared here: the mount may be another
 * user's, and programs may still hold files in it (a lazy unmount detaches
 * it from them); the systemd unit clears its own mount point before
 * starting (ExecStartPre=-fusermount3 -uz). dir as given, canon: the
 * same canonical (NULL: not known).
 */
static void dead_mountpoint(const char *dir, const char *canon);

char *pmemfs_region_served_on(const char *real)
{
	struct ctl_mount *v = NULL;
	char *found = NULL;
	size_t n = 0, i;

	if (ctl_path_mounts(NULL, &v, &n) < 0) {
		ns_err_clear();
		return NULL;
	}
	for (i = 0; i < n && !found; i++)
		if (v[i].source && strcmp(v[i].source, real) == 0)
			found = strdup(v[i].mountpoint);
	ctl_path_mounts_free(v, n);
	return found;
}

static void dead_mountpoint(const char *dir, const char *canon)
{
	char path[PATH_MAX], sock[PATH_MAX], *slash;
	struct ctl_mount m = { 0 };
	struct ctl_client *c = NULL;
	bool found = false, answers = false;
	unsigned ups = 0;
	size_t l;

	snprintf(path, sizeof(path), "%s", canon ? canon : dir);
	for (;;) {
		for (l = strlen(path); l > 1 && path[l - 1] == '/'; l--)
			path[l - 1] = '\0';
		if (ctl_path_find_mount(NULL, path, &m) == 0) {
			found = true;
			break;
		}
		ns_err_clear();
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			break;
		*slash = '\0';
		ups++;
	}
	if (!found) {
		fs_err("mount point '%s': %s: a FUSE mount whose daemon is gone? Clear it "
		       "with `fusermount3 -uz MOUNTPOINT` on its mount point (see "
		       "/proc/self/mountinfo), then mount again", dir, strerror(ENOTCONN));
		return;
	}
	if (ctl_path_socket(m.major, m.minor, m.user_id == (uid_t)-1 ? 0 : m.user_id,
			    sock, sizeof(sock)) < 0)
		snprintf(sock, sizeof(sock), "its control socket");
	else if (ctl_client_connect(sock, &c) == 0)
		answers = true;
	ctl_client_close(&c);
	ns_err_clear();
	fs_err("mount point '%s' is %sa dead pmemfs mount (%s; region file '%s' on '%s'): "
	       "%s '%s'%s. Clear it with `fusermount3 -uz %s`%s, then mount again", dir,
	       ups ? "inside " : "", strerror(ENOTCONN), m.source,
	       m.mountpoint, answers ? "a daemon still answers on" :
	       "its daemon is gone, nothing answers on", sock,
	       answers ? " but no longer serves the mount" : "", m.mountpoint,
	       m.user_id != (uid_t)-1 && m.user_id != getuid() ?
	       " (as its owner or root)" : "");
	ctl_path_mount_clear(&m);
}

/* stat(2) from the kernel's cache where the file system has one (FUSE) */
static int stat_cached(const char *path, struct stat *st)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_MODE, &stx) < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_mode = stx.stx_mode;
	st->st_dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	st->st_ino = stx.stx_ino;
	st->st_uid = stx.stx_uid;
	st->st_gid = stx.stx_gid;
	return 0;
}

/* how long a mount's daemon has to answer the statfs of served_mountpoint */
#define MOUNTPOINT_ANSWER_MS 3000

/*
 * statfs(2) of path, given ms to answer: a FUSE mount whose daemon is
 * stopped (kill -STOP) or hung never answers, and a statfs waiting for it
 * would hang this start-up with it. The call is made in a child, killed
 * after ms (a request its daemon already took may keep the child until
 * the daemon answers: it is left, not waited for). 0, -errno, or
 * -ETIMEDOUT.
 */
static int statfs_bounded(const char *path, int ms)
{
	struct pollfd pfd = { .events = POLLIN };
	int fd, err = 0, rc;
	pid_t pid;

	pid = ns_fork_piped(&fd);
	if (pid < 0)
		return (int)pid;
	if (pid == 0) {
		struct statfs sfs;

		err = statfs(path, &sfs) < 0 ? errno : 0;
		if (write(fd, &err, sizeof(err)) < 0)
			_exit(1);
		_exit(0);
	}
	pfd.fd = fd;
	do {
		rc = poll(&pfd, 1, ms);
	} while (rc < 0 && errno == EINTR);
	if (rc > 0 && read(fd, &err, sizeof(err)) == (ssize_t)sizeof(err)) {
		close(fd);
		waitpid(pid, NULL, 0);
		return -err;
	}
	close(fd);
	/* our own child, not yet waited for: its pid cannot have been reused */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, WNOHANG);
	return -ETIMEDOUT;
}

/*
 * given (as typed: nothing resolved yet, since resolving it would wait for
 * a daemon) is inside a pmemfs mount whose daemon does not answer within
 * MOUNTPOINT_ANSWER_MS: said so, true. Found in /proc/self/mountinfo by
 * the path's text (the current directory in front of a relative one).
 */
static bool hung_ancestor(const char *given)
{
	char abs[PATH_MAX];
	struct ctl_mount *v = NULL;
	size_t n = 0, i;
	bool hung = false;

	if (given[0] == '/') {
		snprintf(abs, sizeof(abs), "%s", given);
	} else {
		size_t l;

		if (!getcwd(abs, sizeof(abs)))
			return false;
		l = strlen(abs);
		snprintf(abs + l, sizeof(abs) - l, "/%s", given);
	}
	if (ctl_path_mounts(NULL, &v, &n) < 0) {
		ns_err_clear();
		return false;
	}
	for (i = 0; i < n && !hung; i++) {
		const char *mp = v[i].mountpoint;
		size_t l = strlen(mp);

		if (!(l == 1 || (!strncmp(abs, mp, l) && (abs[l] == '/' || !abs[l]))))
			continue;
		if (statfs_bounded(mp, MOUNTPOINT_ANSWER_MS) != -ETIMEDOUT)
			continue;
		fs_err("mount point '%s' is %s a pmemfs mount (region file '%s', mounted "
		       "on '%s') whose daemon does not answer within %d s: stopped (kill "
		       "-STOP) or hung; let it go on (kill -CONT) or unmount it (fusermount3 "
		       "-u '%s'), or choose another directory", given,
		       abs[l] && l > 1 ? "inside" : "on", v[i].source, mp,
		       MOUNTPOINT_ANSWER_MS / 1000, mp);
		hung = true;
	}
	ctl_path_mounts_free(v, n);
	return hung;
}

/*
 * The mount point is on a pmemfs mount that a daemon serves (its stat
 * answered): mounting over it would hide that daemon, and pmemctl --mount
 * would then talk to the new one about paths that are not there. Refused,
 * naming the region files it serves (asked on its control socket; the
 * mount's source when the socket does not answer). Whether the daemon
 * answers: statfs(2), which FUSE always sends to it (stat may be answered
 * from the kernel's cache). A dead mount (ENOTCONN) is refused as one
 * (dead_mountpoint). Returns true when refused.
 */
static bool served_mountpoint(const char *given, const char *mountpoint,
			      const struct stat *mst)
{
	struct ctl_mount *v = NULL;
	struct ctl_client *c = NULL;
	struct ctl_response *resp = NULL;
	struct nl_msg *req;
	char sock[PATH_MAX], names[2048] = "";
	size_t n = 0, i, o = 0;
	bool served = false;
	int rc;

	if (ctl_path_mounts(NULL, &v, &n) < 0) {
		ns_err_clear();
		return false;
	}
	for (i = 0; i < n; i++)
		if (v[i].major == major(mst->st_dev) && v[i].minor == minor(mst->st_dev))
			break;
	if (i == n)
		goto out;
	rc = statfs_bounded(mountpoint, MOUNTPOINT_ANSWER_MS);
	if (rc == -ENOTCONN) {
		/* stat answered from the kernel's cache: dead all the same */
		dead_mountpoint(given, mountpoint);
		served = true;
		goto out;
	}
	if (rc == -ETIMEDOUT) {
		fs_err("mount point '%s' is on a pmemfs mount (region file '%s', mounted on "
		       "'%s') whose daemon does not answer within %d s: stopped (kill "
		       "-STOP) or hung; let it go on (kill -CONT) or unmount it (fusermount3 "
		       "-u '%s'), or choose another directory", mountpoint, v[i].source,
		       v[i].mountpoint, MOUNTPOINT_ANSWER_MS / 1000, v[i].mountpoint);
		served = true;
		goto out;
	}
	if (rc < 0)
		goto out;
	served = true;
	if (ctl_path_socket(v[i].major, v[i].minor, v[i].user_id == (uid_t)-1 ? 0 :
			    v[i].user_id, sock, sizeof(sock)) == 0 &&
	    ctl_client_connect(sock, &c) == 0 &&
	    (req = ctl_proto_request_new(CTL_CMD_LIST)) != NULL) {
		ctl_client_set_timeout(c, 2000);
		if (ctl_client_call(c, req, &resp) == 0) {
			unsigned k;

			for (k = 0; k < resp->nparts && o < sizeof(names); k++) {
				struct nlattr *a = resp->parts[k].attrs[CTL_A_REGION_INFO];
				struct ctl_region_info ri;

				if (a && ctl_region_info_get(a, &ri) == 0 && ri.path)
					o += (size_t)snprintf(names + o, sizeof(names) - o,
							      "%s'%s'", o ? ", " : "", ri.path);
			}
		}
		nlmsg_free(req);
	}
	ctl_response_free(&resp);
	ctl_client_close(&c);
	ns_err_clear();
	if (!names[0])
		snprintf(names, sizeof(names), "'%s'", v[i].source);
	fs_err("mount point '%s' is on a pmemfs mount a running daemon serves (region file%s %s, "
	       "mounted on '%s'): mounting over it would hide it; unmount it first "
	       "(fusermount3 -u '%s') or choose another directory", mountpoint,
	       strchr(names, ',') ? "s" : "", names, v[i].mountpoint, v[i].mountpoint);
out:
	ctl_path_mounts_free(v, n);
	return served;
}


int pmemfs_mountpoint_check(const char *given, char mountpoint[PATH_MAX])
{
	struct stat mst;

	/* a file as the mount point mounts, and then every access is EIO */
	/*
	 * AT_STATX_DONT_SYNC: a FUSE mount point answers from the kernel's
	 * cache, without asking a daemon that may be stopped or hung (FUSE
	 * honours it; other file systems ignore it); whether a FUSE daemon
	 * answers is served_mountpoint's, with a time limit.
	 */
	if (hung_ancestor(given))
		return -1;
	if (!realpath(given, mountpoint) || stat_cached(mountpoint, &mst) < 0) {
		if (errno == ENOTCONN)
			dead_mountpoint(given, NULL);
		else
			fs_err("mount point '%s': %s", given, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(mst.st_mode)) {
		fs_err("mount point '%s' is not a directory", given);
		return -1;
	}
	if (served_mountpoint(given, mountpoint, &mst))
		return -1;
	return 0;
}
