// SPDX-License-Identifier: MIT
/*
 * pmemfs: serve the namespaces of region files as fixed-size files that
 * can be mmap'ed, with fsync/msync meaning "durable on the backing medium".
 *
 *   pmemfs [options] REGION_FILE... MOUNTPOINT
 *
 * main: parse options, open (and lock) the regions, mount, daemonise,
 * start the control socket, run the FUSE loop; on SIGTERM/SIGINT/SIGHUP a
 * helper thread writes the mount's dirty pages back (syncfs) while the
 * loop still serves, then the loop stops, the control socket closes,
 * every namespace is persisted and the locks are released.
 *
 * Daemonising: the parent process exits (0) only once the child serves the
 * mount and its control socket, so that `pmemfs r.img /mnt && pmemctl
 * create-namespace ...` works; the child's failure before that is the
 * parent's exit status 1.
 */
#include <errno.h>
#include <limits.h>
#include <paths.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <poll.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <grp.h>
#include <unistd.h>

#include "config.h"
#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "error.h"
#include "client.h"
#include "path.h"
#include "proto.h"
#include "server.h"
#include "region.h"
#include "util.h"

#include "bdi.h"
#include "fs.h"
#include "log.h"
#include "loop.h"

#define PMEMFS_FSTYPE "fuse.pmemfs"

/*
 * Options with a value are kept as strings and converted by check_opts:
 * fuse_opt's %u and %d take "12abc" as 12 and "-1" as 4294967295, and its
 * %s leaks the first of a repeated option. Here the last one wins.
 */
enum pmemfs_value {
	V_UID,			/* default: the mounting user */
	V_GID,
	V_MODE,			/* default 0600 */
	V_CTL,
	V_CTL_GROUP,
	V_LABEL_SIZE,
	V_BACKING,
	V_SPLICE,
	V_DIRTY_RATIO,		/* bdi max_ratio, default 50 */
	V_READAHEAD_KB,		/* default 1024 */
	V_STRICT_LIMIT,		/* default 0 */
	V_FLUSH_THREADS,	/* default 4 */
	V_LOGFILE,		/* default: syslog, else beside the socket */
	V_COUNT
};

struct pmemfs_opts {
	char *val[V_COUNT];	/* NAME=VALUE as given; NULL: the default */
	int foreground;
	int single;
	int debug;
	int allow_other;
	int help;
	int version;
	/* positional arguments: regions..., mountpoint */
	char **paths;
	unsigned npaths;
};

/* the valid ranges, as --help and pmemfs(8) give them */
#define PMEMFS_ID_MAX		4294967294ul	/* (uid_t)-1 means "unchanged" to chown */
#define PMEMFS_RA_KB_MAX	1048576ul	/* 1 GiB */
#define PMEMFS_FLUSH_THREADS_MAX 64ul

enum {
	KEY_DEBUG,
	KEY_ALLOW_OTHER,
	KEY_VALUE,	/* + enum pmemfs_value */
};

#define OPT(t, field, v) { t, offsetof(struct pmemfs_opts, field), v }
#define VALUE_OPT(name, v) FUSE_OPT_KEY(name "=", KEY_VALUE + (v))

static const struct fuse_opt pmemfs_opt_spec[] = {
	VALUE_OPT("uid", V_UID),
	VALUE_OPT("gid", V_GID),
	VALUE_OPT("mode", V_MODE),
	VALUE_OPT("ctl", V_CTL),
	VALUE_OPT("ctl_group", V_CTL_GROUP),
	VALUE_OPT("label_size", V_LABEL_SIZE),
	VALUE_OPT("backing", V_BACKING),
	VALUE_OPT("splice", V_SPLICE),
	VALUE_OPT("dirty_ratio", V_DIRTY_RATIO),
	VALUE_OPT("readahead_kb", V_READAHEAD_KB),
	VALUE_OPT("strict_limit", V_STRICT_LIMIT),
	VALUE_OPT("flush_threads", V_FLUSH_THREADS),
	VALUE_OPT("logfile", V_LOGFILE),
	OPT("-f", foreground, 1),
	OPT("--foreground", foreground, 1),
	OPT("-s", single, 1),
	OPT("-h", help, 1),
	OPT("--help", help, 1),
	OPT("-V", version, 1),
	OPT("--version", version, 1),
	FUSE_OPT_KEY("-d", KEY_DEBUG),
	FUSE_OPT_KEY("--debug", KEY_DEBUG),
	FUSE_OPT_KEY("debug", KEY_DEBUG),
	FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
	FUSE_OPT_END
};

static int pmemfs_opt_proc(void *data, const char *arg, int key,
			   struct fuse_args *outargs)
{
	struct pmemfs_opts *o = data;
	char **p;

	(void)outargs;
	if (key >= KEY_VALUE && key < KEY_VALUE + V_COUNT) {
		char *v = strdup(strchr(arg, '=') + 1);

		if (!v)
			return -1;
		free(o->val[key - KEY_VALUE]);
		o->val[key - KEY_VALUE] = v;
		return 0;
	}
	switch (key) {
	case KEY_DEBUG:
		o->debug = 1;
		o->foreground = 1;
		return 1;	/* libfuse's too */
	case KEY_ALLOW_OTHER:
		o->allow_other = 1;
		return 1;	/* a mount option */
	case FUSE_OPT_KEY_NONOPT:
		p = realloc(o->paths, (o->npaths + 1) * sizeof(*p));
		if (!p)
			return -1;
		o->paths = p;
		o->paths[o->npaths] = strdup(arg);
		if (!o->paths[o->npaths])
			return -1;
		o->npaths++;
		return 0;
	default:
		/* dev, suid, rw, ... from mount(8): libfuse's mount options */
		return 1;
	}
}

static void opts_free(struct pmemfs_opts *o)
{
	unsigned i;

	for (i = 0; i < o->npaths; i++)
		free(o->paths[i]);
	free(o->paths);
	o->paths = NULL;
	o->npaths = 0;
	for (i = 0; i < V_COUNT; i++) {
		free(o->val[i]);
		o->val[i] = NULL;
	}
}

static void usage(const char *prog)
{
	printf("usage: %s [options] REGION_FILE... MOUNTPOINT\n"
	       "\n"
	       "Serve the namespaces of pmem region files as files:\n"
	       "MOUNTPOINT/region<N>/<name>, N the region's position on the command line.\n"
	       "fsync/fdatasync/msync(MS_SYNC) on a namespace file return once every byte\n"
	       "written to it before is durable in the region file. mmap(MAP_SYNC) is\n"
	       "refused (as on virtio-pmem): flush with fsync or msync.\n"
	       "\n"
	       "options:\n"
	       "    -h, --help             this help\n"
	       "    -V, --version          print the version\n"
	       "    -f                     stay in the foreground (log to stderr)\n"
	       "    -o logfile=PATH        once the mount serves, log to PATH (absolute;\n"
	       "                           appended, created 0600) instead of syslog or\n"
	       "                           stderr. Default in the background: syslog; with\n"
	       "                           no syslog daemon on /dev/log, the control\n"
	       "                           socket's path with .log for .sock. The start-up\n"
	       "                           summary on stderr says which\n"
	       "    -d                     debug: log every request (implies -f)\n"
	       "    -s                     single-threaded FUSE loop (default: 16 threads)\n"
	       "    -o uid=N,gid=N         owner of the namespace files, decimal ids\n"
	       "                           0..4294967294 (default: you)\n"
	       "    -o mode=OCTAL          their permission bits, 0..7777 (default 0600;\n"
	       "                           read-only namespaces: without the write bits)\n"
	       "    -o allow_other         other users may open files (implies\n"
	       "                           default_permissions)\n"
	       "    -o ctl=PATH            control socket path (default\n"
	       "                           /run/pmemfs/MAJOR:MINOR.sock as root, else\n"
	       "                           $XDG_RUNTIME_DIR/pmemfs/MAJOR:MINOR.sock; pmemctl\n"
	       "                           finds the default itself, else give it --socket)\n"
	       "    -o ctl_group=GROUP     a group that may query the control socket (mode\n"
	       "                           0660; default 0600). Changes: root and you only\n"
	       "    -o label_size=SIZE     label area size, skipping the probe (bytes or\n"
	       "                           K/M/G/T; a power of two, at least 128K)\n"
	       "    -o dirty_ratio=N       the mount's bdi max_ratio in percent, 1..100\n"
	       "                           (default 50; dirty pages come from mappings:\n"
	       "                           write(2) is written through)\n"
	       "    -o readahead_kb=N      the mount's bdi read_ahead_kb, 0..1048576\n"
	       "                           (default 1024)\n"
	       "    -o strict_limit=0|1    the mount's bdi strict_limit (default 0, Linux >= 6.2)\n"
	       "    -o backing=auto|direct|buffered\n"
	       "                           data path to the region file: O_DIRECT where the\n"
	       "                           file system has it (auto, default), always, or\n"
	       "                           buffered with sync_file_range + FADV_DONTNEED\n"
	       "    -o splice=on|off       receive requests through a pipe per thread, so\n"
	       "                           that page-cache pages (aligned write(2), mmap\n"
	       "                           write-back) are spliced to the region file\n"
	       "                           without a copy (default on); off: read(2), one copy\n"
	       "    -o flush_threads=N     threads persisting FSYNCs, 1..64 (default 4)\n"
	       "    -o dev,suid,rw,...     mount options, passed on (as mount.fuse3 adds them)\n"
	       "\n"
	       "errors on namespace files: create, unlink, rename, link, mkdir: EPERM\n"
	       "(use pmemctl); truncate or fallocate past the size: EPERM (O_TRUNC and a\n"
	       "truncate to the size or below are ignored: cp, cat > and dd work); collapse\n"
	       "and insert ranges: EOPNOTSUPP; open for writing of a read-only namespace:\n"
	       "EROFS; a write reaching past the end is shortened, one starting at or past\n"
	       "it fails with ENOSPC (the size never changes); after a failed write to or\n"
	       "flush of the region file (also an mmap write-back) every fsync, msync and\n"
	       "close of that namespace fails with EIO until remount.\n"
	       "\n"
	       "libfuse options:\n", prog);
	fuse_lowlevel_help();
}

/*
 * The number in -o NAME=S: digits only (base 10, or 8 for a mode), no
 * sign, space or suffix, within min..max (expect says so in the message).
 * 0, or -EINVAL with a message naming the option and the value.
 */
static int opt_number(const char *name, const char *s, int base, unsigned long min,
		      unsigned long max, const char *expect, unsigned long *out)
{
	const char *why = base == 8 ? "not an octal number" : "not a decimal number";
	unsigned long v;
	char *end;

	if (*s == '-') {
		why = "negative";
	} else if (*s >= '0' && *s <= (base == 8 ? '7' : '9')) {
		errno = 0;
		v = strtoul(s, &end, base);
		if (*end == '\0') {
			if (errno == 0 && v >= min && v <= max) {
				*out = v;
				return 0;
			}
			why = "out of range";
		}
	}
	fs_err("%s='%s': %s (expected %s)", name, s, why, expect);
	return -EINVAL;
}

/* a group name or number; 0 or -EINVAL */
static int parse_group(const char *s, gid_t *out)
{
	struct group gr, *res = NULL;
	char buf[4096], *end;
	unsigned long v;

	if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) == 0 && res) {
		*out = res->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s >= '0' && *s <= '9' && *end == '\0' && errno == 0 && v < (gid_t)-1) {
		*out = (gid_t)v;
		return 0;
	}
	return -EINVAL;
}

/*
 * Turn the option strings into the daemon's configuration, the bdi
 * settings, the label size (0: probe) and the control socket's group
 * ((gid_t)-1: none). Every bad value is logged naming the option and the
 * value; 0 or -EINVAL.
 */
static int check_opts(const struct pmemfs_opts *o, struct fs_config *cfg,
		      struct fs_bdi_opts *bdi, uint64_t *label_size, gid_t *ctl_group)
{
	/* the numbers: option, base, range and its words, the default */
	static const struct {
		enum pmemfs_value v;
		const char *name;
		int base;
		unsigned long min, max;
		const char *expect;
	} nums[] = {
		{ V_UID, "uid", 10, 0, PMEMFS_ID_MAX, "a user id 0..4294967294" },
		{ V_GID, "gid", 10, 0, PMEMFS_ID_MAX, "a group id 0..4294967294" },
		{ V_MODE, "mode", 8, 0, 07777, "octal 0..7777" },
		{ V_FLUSH_THREADS, "flush_threads", 10, 1, PMEMFS_FLUSH_THREADS_MAX, "1..64" },
		{ V_DIRTY_RATIO, "dirty_ratio", 10, 1, 100, "a percentage 1..100" },
		{ V_READAHEAD_KB, "readahead_kb", 10, 0, PMEMFS_RA_KB_MAX, "0..1048576 KiB" },
		{ V_STRICT_LIMIT, "strict_limit", 10, 0, 1, "0 or 1" },
	};
	unsigned long n[V_COUNT] = {
		[V_UID] = getuid(),
		[V_GID] = getgid(),
		[V_MODE] = 0600,
		[V_FLUSH_THREADS] = 4,
		[V_DIRTY_RATIO] = 50,
		[V_READAHEAD_KB] = 1024,
		[V_STRICT_LIMIT] = 0,
	};
	const char *backing = o->val[V_BACKING];
	const char *splice = o->val[V_SPLICE];
	const char *ls = o->val[V_LABEL_SIZE];
	const char *group = o->val[V_CTL_GROUP];
	const char *ctl = o->val[V_CTL];
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const char *s = o->val[nums[i].v];

		if (s && opt_number(nums[i].name, s, nums[i].base, nums[i].min, nums[i].max,
				    nums[i].expect, &n[nums[i].v]) < 0)
			return -EINVAL;
	}
	cfg->uid = (uid_t)n[V_UID];
	cfg->gid = (gid_t)n[V_GID];
	cfg->mode = (mode_t)n[V_MODE];
	cfg->flush_threads = (unsigned)n[V_FLUSH_THREADS];
	cfg->allow_other = o->allow_other;
	cfg->timeout = 1.0;
	bdi->max_ratio = (int)n[V_DIRTY_RATIO];
	bdi->readahead_kb = (int)n[V_READAHEAD_KB];
	bdi->strict_limit = (int)n[V_STRICT_LIMIT];

	if (!backing || strcmp(backing, "auto") == 0) {
		cfg->backing = FS_BACKING_AUTO;
	} else if (strcmp(backing, "direct") == 0) {
		cfg->backing = FS_BACKING_DIRECT;
	} else if (strcmp(backing, "buffered") == 0) {
		cfg->backing = FS_BACKING_BUFFERED;
	} else {
		fs_err("backing='%s': expected auto, direct or buffered", backing);
		return -EINVAL;
	}
	if (!splice || strcmp(splice, "on") == 0) {
		cfg->splice = true;
	} else if (strcmp(splice, "off") == 0) {
		cfg->splice = false;
	} else {
		fs_err("splice='%s': expected on or off", splice);
		return -EINVAL;
	}
	*label_size = 0;
	if (ls && ns_parse_size(ls, label_size) < 0) {
		fs_err("label_size='%s': %s", ls, ns_errormsg());
		return -EINVAL;
	}
	*ctl_group = (gid_t)-1;
	if (group && parse_group(group, ctl_group) < 0) {
		fs_err("ctl_group='%s': no such group", group);
		return -EINVAL;
	}
	if (ctl && ctl[0] != '/') {
		fs_err("ctl='%s': the control socket path must be absolute", ctl);
		return -EINVAL;
	}
	if (o->val[V_LOGFILE] && o->val[V_LOGFILE][0] != '/') {
		fs_err("logfile='%s': the log file path must be absolute", o->val[V_LOGFILE]);
		return -EINVAL;
	}
	return 0;
}

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

/*
 * The mount point of the pmemfs mount whose source (its first region
 * file, fsname=) is the canonical path real, or NULL: named when a region
 * file cannot be opened because it is locked, as pmemctl names it.
 */
static char *region_served_on(const char *real)
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
	int p[2], err = 0, rc;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(p[0]);
		close(p[1]);
		return rc;
	}
	if (pid == 0) {
		struct statfs sfs;

		close(p[0]);
		err = statfs(path, &sfs) < 0 ? errno : 0;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	pfd.fd = p[0];
	do {
		rc = poll(&pfd, 1, ms);
	} while (rc < 0 && errno == EINTR);
	if (rc > 0 && read(p[0], &err, sizeof(err)) == (ssize_t)sizeof(err)) {
		close(p[0]);
		waitpid(pid, NULL, 0);
		return -err;
	}
	close(p[0]);
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

/* open every region; same file twice is an error naming both positions */
static int open_regions(struct pmemfs_opts *o, unsigned nregions, uint64_t label_size,
			struct ns_region **regions)
{
	struct stat *st = calloc(nregions, sizeof(*st));
	unsigned i, j;
	int rc = 0;

	if (!st)
		return -ENOMEM;
	for (i = 0; i < nregions; i++) {
		if (stat(o->paths[i], &st[i]) < 0) {
			rc = -errno;
			fs_err("region file '%s': %s", o->paths[i], strerror(errno));
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (st[j].st_dev == st[i].st_dev && st[j].st_ino == st[i].st_ino) {
				fs_err("region file '%s' given twice (region%u and region%u)",
				       o->paths[i], j, i);
				rc = -EINVAL;
				goto out;
			}
		}
	}
	for (i = 0; i < nregions; i++) {
		struct ns_region_opts ro = {
			.id = i,
			.label_size = label_size,
		};
		/* absolute: pmemctl shows it and matches it with the mount source */
		char *abs = realpath(o->paths[i], NULL);
		char *served = NULL, locked[512];

		rc = ns_region_open(abs ? abs : o->paths[i], &ro, &regions[i]);
		if (rc == -NS_E_LOCKED && abs) {
			snprintf(locked, sizeof(locked), "%s", ns_errormsg());
			served = region_served_on(abs);
		}
		free(abs);
		if (rc < 0 && served) {
			fs_err("region file '%s': %s: a pmemfs daemon serves it on '%s' (a "
			       "region is mounted once: use that mount, or unmount it "
			       "first with `fusermount3 -u %s`)", o->paths[i], locked,
			       served, served);
			free(served);
			while (i-- > 0)
				ns_region_close(&regions[i]);
			goto out;
		}
		if (rc < 0) {
			const char *msg = ns_errormsg();

			fs_err("region file '%s': %s%s", o->paths[i],
			       *msg ? msg : ns_strerror(rc),
			       rc == -NS_E_NO_LABELS ?
			       " (region files are made with `pmemctl create-region`; "
			       "`pmemctl init-labels --file FILE` gives an existing file "
			       "an empty label area in its last 128 KiB)" : "");
			while (i-- > 0)
				ns_region_close(&regions[i]);
			goto out;
		}
	}
out:
	free(st);
	return rc;
}

/* subtype=pmemfs,fsname=<first region>[,default_permissions] */
static int build_mount_opts(const struct pmemfs_opts *o, char **mo)
{
	char *fsn = NULL, *s;
	size_t l;
	int rc;

	char *abs = realpath(o->paths[0], NULL);
	int bad;

	bad = fuse_opt_add_opt(mo, "subtype=pmemfs") < 0 ||
	      fuse_opt_add_opt_escaped(&fsn, abs ? abs : o->paths[0]) < 0;
	free(abs);
	if (bad)
		goto fail;
	l = strlen("fsname=") + strlen(fsn) + 1;
	s = malloc(l);
	if (!s)
		goto fail;
	snprintf(s, l, "fsname=%s", fsn);
	rc = fuse_opt_add_opt(mo, s);
	free(s);
	free(fsn);
	if (rc < 0)
		return -ENOMEM;
	/* allow_other without permission checks would open every file */
	if (o->allow_other && fuse_opt_add_opt(mo, "default_permissions") < 0)
		return -ENOMEM;
	return 0;
fail:
	free(fsn);
	return -ENOMEM;
}

/* Type=notify units: READY=1 once mount and socket serve, STOPPING=1 */
static void notify_systemd(const char *state)
{
#if HAVE_LIBSYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

/* --- shutdown: signals are taken by one thread ------------------------ */

/* where the log goes once the mount serves (after the summary) */
enum pmemfs_logto {
	LOGTO_STDERR,		/* -f */
	LOGTO_SYSLOG,
	LOGTO_FILE,		/* -o logfile=, or beside the socket */
	LOGTO_NOWHERE,		/* no syslog, no file: said in the summary */
};

struct pmemfs_run {
	struct fs_daemon *d;
	struct fs_bdi_opts bdi;
	pthread_t loop_thread;
	int loop_done;		/* atomic */

	/*
	 * The start-up summary: printed once the bdi is set (the mount
	 * serves), on stderr before the waiting parent is told (background)
	 * and in the log. ready_lock orders the bdi thread's hand-off with
	 * main's failure path.
	 */
	pthread_mutex_t ready_lock;
	int ready;		/* the waiting parent's pipe, -1: told or -f */
	bool foreground, debug;
	enum pmemfs_logto logto;
	char logwhere[PATH_MAX + 160];	/* the summary's "log:" line */
	char summary[4096];	/* lines before the bdi's, '\n'-separated */
	char warnings[2048];	/* lines, '\n'-separated */
};

static void wake_handler(int sig)
{
	(void)sig;	/* only interrupts the loop's read(2) */
}

static void *signal_main(void *arg)
{
	struct pmemfs_run *run = arg;
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	if (sigwait(&set, &sig) != 0 || sig == SIGUSR2)
		return NULL;
	fs_info("%s: writing back and persisting before exit", strsignal(sig));
	notify_systemd("STOPPING=1");
	fs_daemon_writeback(run->d);
	fuse_session_exit(run->d->se);
	while (!__atomic_load_n(&run->loop_done, __ATOMIC_ACQUIRE)) {
		pthread_kill(run->loop_thread, SIGUSR1);
		usleep(20000);
	}
	return NULL;
}

/* each '\n'-separated line of text, logged at prio */
static void log_lines(int prio, const char *text, const char *prefix)
{
	const char *p = text, *e;

	while (*p) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if (e > p)
			fs_log(prio, "%s%.*s", prefix, (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

static void summary_print(const struct pmemfs_run *run, const char *bdi)
{
	log_lines(LOG_INFO, run->summary, "");
	fs_info("  %s", bdi);
	fs_info("  %s", run->logwhere);
	/* syslog and the file name the priority themselves */
	log_lines(LOG_WARNING, run->warnings, fs_log_is_stderr() ? "warning: " : "");
}

static void detach_done(int *ready, unsigned char status);

/*
 * The mount serves and its bdi is set: the summary goes to stderr (the
 * terminal that started pmemfs, still open in the background), the parent
 * is told to exit 0, and the log moves to syslog or the file, where the
 * summary is written again. Once; bdi is the summary's bdi line.
 */
static void startup_done(struct pmemfs_run *run, const char *bdi)
{
	pthread_mutex_lock(&run->ready_lock);
	if (run->foreground) {
		summary_print(run, bdi);
		if (run->logto == LOGTO_FILE)
			fs_log_to_file(run->debug);
		run->foreground = false;	/* printed */
	} else if (run->ready >= 0) {
		summary_print(run, bdi);
		detach_done(&run->ready, 0);
		if (run->logto == LOGTO_FILE)
			fs_log_to_file(run->debug);
		else
			fs_log_init(true, run->debug);
		if (run->logto != LOGTO_NOWHERE)
			summary_print(run, bdi);
	}
	pthread_mutex_unlock(&run->ready_lock);
}

static void *bdi_main(void *arg)
{
	struct pmemfs_run *run = arg;
	struct fs_daemon *d = run->d;
	unsigned ma = 0, mi = 0;
	char set[512], line[600];

	/*
	 * The kernel sets read-ahead when it processes the INIT reply, which
	 * comes after our init handler: wait for the handler, then make a
	 * request of our own (OPENDIR of the root), which the kernel holds
	 * until INIT is processed. Never from the loop's thread.
	 */
	if (!fs_daemon_wait_init(d, 5000))
		fs_warn("no FUSE INIT after 5 s: setting the bdi anyway");
	else
		fs_daemon_init_barrier(d);
	if (!__atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE)) {
		fs_warn("the mount '%s' is not in /proc/self/mountinfo: bdi settings "
			"left as they are", d->mountpoint);
		startup_done(run, "bdi: not found (the mount is not in /proc/self/mountinfo): "
			     "the kernel's FUSE defaults stay (strict_limit=1, max_ratio=1)");
		return NULL;
	}
	ma = d->dev_major;
	mi = d->dev_minor;
	fs_bdi_configure(ma, mi, &run->bdi, set, sizeof(set));
	snprintf(line, sizeof(line), "bdi %u:%u: %s", ma, mi, set);
	startup_done(run, line);
	return NULL;
}

/* --- the start-up summary ---------------------------------------------- */

/*
 * A file system whose contents are gone after a reboot: "durable" there
 * means in memory. NULL for others.
 */
static const char *volatile_fs(long f_type)
{
	switch (f_type) {
	case TMPFS_MAGIC:
		return "tmpfs";
	case RAMFS_MAGIC:
		return "ramfs";
	case HUGETLBFS_MAGIC:
		return "hugetlbfs";
	default:
		return NULL;
	}
}

/* the name of a common file system type, else NULL */
static const char *fs_name(long f_type)
{
	switch (f_type) {
	case EXT4_SUPER_MAGIC:
		return "ext2/3/4";
	case XFS_SUPER_MAGIC:
		return "xfs";
	case BTRFS_SUPER_MAGIC:
		return "btrfs";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlayfs";
	case NFS_SUPER_MAGIC:
		return "nfs";
	case F2FS_SUPER_MAGIC:
		return "f2fs";
	case 0x65735546:	/* FUSE_SUPER_MAGIC */
		return "fuse";
	case 0x2fc12fc1:	/* ZFS */
		return "zfs";
	default:
		return volatile_fs(f_type);
	}
}

#define APPEND(buf, ...) \
	snprintf((buf) + strlen(buf), sizeof(buf) - strlen(buf), __VA_ARGS__)

/*
 * The summary's lines that are known before the loop serves: each region's
 * backing mode and file system (a warning for one whose contents a reboot
 * loses, logged now too), the receive mode, the control socket.
 */
static void summary_build(struct pmemfs_run *run, const struct fs_daemon *d,
			  const struct fs_loop_plan *plan)
{
	unsigned i;

	APPEND(run->summary, "start-up summary: %u region%s on '%s', pid %ld\n", d->nregions,
	       d->nregions == 1 ? "" : "s", d->mountpoint, (long)getpid());
	for (i = 0; i < d->nregions; i++) {
		const struct fs_region *reg = &d->regions[i];
		const char *path = ns_region_path(reg->r), *vol = NULL, *name;
		struct statfs sfs;
		char fst[48];

		if (fstatfs(ns_region_fd(reg->r), &sfs) == 0) {
			name = fs_name((long)sfs.f_type);
			vol = volatile_fs((long)sfs.f_type);
			if (name)
				snprintf(fst, sizeof(fst), "on %s", name);
			else
				snprintf(fst, sizeof(fst), "on a file system of type 0x%lx",
					 (unsigned long)sfs.f_type);
		} else {
			snprintf(fst, sizeof(fst), "file system unknown (%s)", strerror(errno));
		}
		APPEND(run->summary, "  %s '%s': backing %s, %s\n", ns_region_devname(reg->r),
		       path, reg->rfd.dfd >= 0 ? "direct (O_DIRECT for aligned I/O)" :
		       d->cfg.backing == FS_BACKING_BUFFERED ? "buffered (-o backing=buffered)" :
		       "buffered (the file system has no O_DIRECT)", fst);
		if (vol) {
			fs_warn("%s '%s' is on %s: its contents are lost at a reboot or power "
				"loss; fsync and msync make data durable in memory only",
				ns_region_devname(reg->r), path, vol);
			APPEND(run->warnings, "%s '%s' is on %s: its contents are lost at a "
			       "reboot or power loss; fsync and msync make data durable in "
			       "memory only\n", ns_region_devname(reg->r), path, vol);
		}
	}
	if (plan->splice)
		APPEND(run->summary, "  receive: splice(2) (%s), WRITEs of up to %u KiB\n",
		       plan->why, plan->max_write >> 10);
	else
		APPEND(run->summary, "  receive: read(2) (%s), WRITEs of up to %u KiB\n",
		       plan->why, plan->max_write >> 10);
	if (d->ctl)
		APPEND(run->summary, "  control socket: %s\n", ctl_server_path(d->ctl));
	else
		APPEND(run->summary, "  control socket: none (see the error above)\n");
}

/*
 * Where the log goes after the summary: -o logfile=PATH; -f: stderr;
 * syslog when a syslog daemon listens on /dev/log; else a file beside the
 * control socket (PATH.sock -> PATH.log, in a directory only the user or
 * root writes); else nowhere (said so). run->logwhere says which.
 */
static void choose_log(struct pmemfs_run *run, const struct fs_daemon *d,
		       const struct pmemfs_opts *o)
{
	char path[PATH_MAX];
	const char *sock;
	size_t l;
	int rc;

	if (o->val[V_LOGFILE]) {
		/* opened before mounting (main): a bad path is an error there */
		run->logto = LOGTO_FILE;
		snprintf(run->logwhere, sizeof(run->logwhere), "log: %s (-o logfile)",
			 o->val[V_LOGFILE]);
		return;
	}
	if (o->foreground) {
		run->logto = LOGTO_STDERR;
		snprintf(run->logwhere, sizeof(run->logwhere), "log: stderr (-f)");
		return;
	}
	if (fs_log_syslog_reachable()) {
		run->logto = LOGTO_SYSLOG;
		snprintf(run->logwhere, sizeof(run->logwhere), "log: syslog, as pmemfs[%ld] "
			 "(journalctl -t pmemfs, or /var/log/syslog)", (long)getpid());
		return;
	}
	run->logto = LOGTO_NOWHERE;
	sock = d->ctl ? ctl_server_path(d->ctl) : NULL;
	if (!sock) {
		snprintf(run->logwhere, sizeof(run->logwhere), "log: nowhere: no syslog "
			 "daemon listens on %s and there is no control socket to log beside; "
			 "run with -f or give -o logfile=PATH", _PATH_LOG);
		fs_warn("%s", run->logwhere + strlen("log: "));
		return;
	}
	l = strlen(sock);
	if (l > 5 && strcmp(sock + l - 5, ".sock") == 0)
		l -= 5;
	if (snprintf(path, sizeof(path), "%.*s.log", (int)l, sock) >= (int)sizeof(path)) {
		rc = -ENAMETOOLONG;
	} else {
		rc = fs_log_file_open(path);
	}
	if (rc < 0) {
		snprintf(run->logwhere, sizeof(run->logwhere), "log: nowhere: no syslog "
			 "daemon listens on %s and '%s' cannot be opened (%s); run with -f or "
			 "give -o logfile=PATH", _PATH_LOG, path, strerror(-rc));
		fs_warn("%s", run->logwhere + strlen("log: "));
		return;
	}
	run->logto = LOGTO_FILE;
	snprintf(run->logwhere, sizeof(run->logwhere), "log: %s (no syslog daemon listens "
		 "on %s)", path, _PATH_LOG);
}

/* --- daemonising: the parent waits until the child serves --------------- */

/*
 * Fork; the parent waits for one status byte on a pipe and exits with it
 * (1 when the child dies first). The child gets a session of its own and
 * "/" as its directory; *ready is the pipe's write end.
 */
static int detach(int *ready)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(pfd[0]);
		close(pfd[1]);
		return -err;
	}
	if (pid > 0) {
		unsigned char status = 1;
		ssize_t n;

		close(pfd[1]);
		do
			n = read(pfd[0], &status, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? status : 1);
	}
	close(pfd[0]);
	if (setsid() < 0 || chdir("/") < 0)
		fs_warn("cannot detach from the terminal: %s", strerror(errno));
	*ready = pfd[1];
	return 0;
}

/* Tell the waiting parent (status 0: serving) and let go of the terminal. */
static void detach_done(int *ready, unsigned char status)
{
	int fd;

	if (*ready < 0)
		return;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	while (write(*ready, &status, 1) < 0 && errno == EINTR)
		;
	close(*ready);
	*ready = -1;
}

/* --- the control socket ------------------------------------------------- */

/*
 * The socket at -o ctl=PATH or the default path of the mount's device
 * number. A failure is logged, not fatal: the mount serves its namespaces
 * all the same, they just cannot be changed until a remount.
 */
static void start_control(struct fs_daemon *d, const struct pmemfs_opts *o, gid_t group)
{
	struct fs_ctl_opts co = { .owner = getuid(), .group = group };
	char path[PATH_MAX];
	int rc;

	if (o->val[V_CTL]) {
		co.path = o->val[V_CTL];
	} else if (!__atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE)) {
		fs_err("no control socket: the mount '%s' is not in /proc/self/mountinfo "
		       "(give -o ctl=PATH)", d->mountpoint);
		return;
	} else {
		rc = ctl_path_default(d->dev_major, d->dev_minor, path, sizeof(path));
		if (rc < 0) {
			fs_err("no control socket: %s", ns_errormsg());
			return;
		}
		co.path = path;
	}
	rc = fs_ctl_start(d, &co);
	if (rc == -EADDRINUSE && !o->val[V_CTL]) {
		/*
		 * The path names our device number, which no other live mount
		 * has: whoever answers there is a daemon whose mount is gone
		 * (lazily unmounted, still running). The name is ours now.
		 */
		fs_warn("control socket '%s' was still served by a daemon whose mount is "
			"gone: taking it over", co.path);
		if (unlink(co.path) == 0)
			rc = fs_ctl_start(d, &co);
	}
	if (rc < 0)
		fs_err("no control socket: %s; namespaces cannot be managed on this mount",
		       ns_errormsg());
}

static int block_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wake_handler;	/* no SA_RESTART: read(2) returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static int run_loop(struct fs_daemon *d, const struct pmemfs_opts *o,
		    const struct fs_loop_plan *plan)
{
	/* -s: one thread; else enough for a region's write-back (the kernel
	 * keeps up to 12 background WRITEs in flight) and the requests of
	 * other namespaces beside it */
	return fs_loop_run(d->se, o->single ? 1 : 16, plan);
}

/*
 * The soft limit of open files up to the hard one. The daemon holds a few
 * descriptors per region and none per namespace (nsfile.h), but control
 * clients, splice pipes (two per loop thread) and many regions add up,
 * and systemd's default soft limit is 1024 (the unit raises it too).
 */
static void raise_nofile(void)
{
	struct rlimit rl;
	rlim_t soft;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		fs_warn("getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		return;
	}
	if (rl.rlim_cur == rl.rlim_max || rl.rlim_cur == RLIM_INFINITY)
		return;
	soft = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		fs_warn("cannot raise the open-file limit from %llu to %llu: %s",
			(unsigned long long)soft, (unsigned long long)rl.rlim_max,
			strerror(errno));
		return;
	}
	fs_info("open-file limit raised from %llu to the hard limit %llu",
		(unsigned long long)soft, (unsigned long long)rl.rlim_max);
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct pmemfs_opts o = { 0 };
	struct fs_config cfg = { 0 };
	struct fs_bdi_opts bdi;
	struct stat mst;
	struct fs_daemon d;
	struct pmemfs_run run;
	struct fs_loop_plan plan;
	struct ns_region **regions = NULL;
	char mountpoint[PATH_MAX];
	char *mount_opts = NULL;
	pthread_t sig_thread, bdi_thread;
	bool sig_started = false, bdi_started = false;
	gid_t ctl_group = (gid_t)-1;
	uint64_t label_size = 0;
	unsigned nregions;
	int ret = 1, rc;

	memset(&run, 0, sizeof(run));
	pthread_mutex_init(&run.ready_lock, NULL);
	run.ready = -1;
	fs_log_init(false, false);
	if (fuse_opt_parse(&args, &o, pmemfs_opt_spec, pmemfs_opt_proc) < 0)
		goto out_args;
	if (o.help) {
		usage(argv[0]);
		ret = 0;
		goto out_args;
	}
	if (o.version) {
		printf("pmemfs %s (libfuse %s)\n", PMEMFS_VERSION, fuse_pkgversion());
		ret = 0;
		goto out_args;
	}
	fs_log_init(false, o.debug);
	if (o.npaths < 2) {
		fprintf(stderr, "usage: %s [options] REGION_FILE... MOUNTPOINT "
			"(--help lists the options)\n", argv[0]);
		goto out_args;
	}
	nregions = o.npaths - 1;

	if (check_opts(&o, &cfg, &bdi, &label_size, &ctl_group) < 0)
		goto out_args;
	/* a file as the mount point mounts, and then every access is EIO */
	/*
	 * AT_STATX_DONT_SYNC: a FUSE mount point answers from the kernel's
	 * cache, without asking a daemon that may be stopped or hung (FUSE
	 * honours it; other file systems ignore it); whether a FUSE daemon
	 * answers is served_mountpoint's, with a time limit.
	 */
	if (hung_ancestor(o.paths[nregions]))
		goto out_args;
	if (!realpath(o.paths[nregions], mountpoint) ||
	    stat_cached(mountpoint, &mst) < 0) {
		if (errno == ENOTCONN)
			dead_mountpoint(o.paths[nregions], NULL);
		else
			fs_err("mount point '%s': %s", o.paths[nregions], strerror(errno));
		goto out_args;
	}
	if (!S_ISDIR(mst.st_mode)) {
		fs_err("mount point '%s' is not a directory", o.paths[nregions]);
		goto out_args;
	}
	if (served_mountpoint(o.paths[nregions], mountpoint, &mst))
		goto out_args;
	if (o.val[V_LOGFILE]) {
		rc = fs_log_file_open(o.val[V_LOGFILE]);
		if (rc < 0) {
			fs_err("logfile='%s': %s", o.val[V_LOGFILE], rc == -EINVAL ?
			       "not a regular file" : rc == -EPERM ? "owned by another user" :
			       rc == -ELOOP ? "a symbolic link (not followed)" :
			       rc == -EMLINK ? "has another hard link (not appended to)" :
			       rc == -EACCES ? "a directory on its way belongs to another user "
			       "or every user may write to it (choose a directory only root or "
			       "this user can change)" : strerror(-rc));
			goto out_args;
		}
	}

	raise_nofile();
	regions = calloc(nregions, sizeof(*regions));
	if (!regions)
		goto out_args;
	if (open_regions(&o, nregions, label_size, regions) < 0)
		goto out_regions;
	/* the receive loop's pipes bound the largest WRITE (INIT reply) */
	fs_loop_plan(cfg.splice, &plan);
	cfg.max_write = plan.max_write;
	rc = fs_daemon_init(&d, &cfg, regions, nregions);	/* owns regions */
	if (rc < 0) {
		fs_err("cannot set up the namespaces: %s", strerror(-rc));
		goto out_regions;
	}
	d.mountpoint = mountpoint;

	if (build_mount_opts(&o, &mount_opts) < 0)
		goto out_daemon;
	if (fuse_opt_add_arg(&args, "-o") < 0 || fuse_opt_add_arg(&args, mount_opts) < 0)
		goto out_daemon;

	d.se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &d);
	if (!d.se)
		goto out_daemon;
	if (fuse_session_mount(d.se, mountpoint) != 0)
		goto out_session;
	if (!o.foreground) {
		rc = detach(&run.ready);
		if (rc < 0) {
			fs_err("cannot fork into the background: %s", strerror(-rc));
			goto out_unmount;
		}
	}
	/* the device number names the socket and the bdi; never stat the mount */
	if (fs_bdi_find(mountpoint, PMEMFS_FSTYPE, &d.dev_major, &d.dev_minor) == 0)
		__atomic_store_n(&d.dev_known, true, __ATOMIC_RELEASE);

	run.d = &d;
	run.loop_thread = pthread_self();
	run.bdi = bdi;
	run.foreground = o.foreground;
	run.debug = o.debug;
	rc = block_signals();
	if (rc < 0) {
		fs_err("cannot set up signal handling: %s", strerror(-rc));
		goto out_unmount;
	}
	rc = fs_worker_start(cfg.flush_threads, &d.worker);
	if (rc < 0)
		goto out_unmount;
	start_control(&d, &o, ctl_group);
	/* the summary and the hand-off to the log: bdi_main, once the bdi is set */
	summary_build(&run, &d, &plan);
	choose_log(&run, &d, &o);
	notify_systemd("READY=1");
	if (d.ctl)
		fs_info("control socket '%s' (%s)", ctl_server_path(d.ctl),
			ctl_group == (gid_t)-1 ? "mode 0600" : "mode 0660 with ctl_group");
	if (pthread_create(&sig_thread, NULL, signal_main, &run) == 0)
		sig_started = true;
	if (pthread_create(&bdi_thread, NULL, bdi_main, &run) == 0)
		bdi_started = true;
	if (!sig_started || !bdi_started)
		fs_warn("cannot start a helper thread: signals or bdi settings are not handled");
	if (!bdi_started)
		startup_done(&run, "bdi: not set (no helper thread): the kernel's FUSE "
			     "defaults stay");

	fs_info("serving %u region%s on '%s' (%s loop)", nregions,
		nregions == 1 ? "" : "s", mountpoint, o.single ? "single-threaded" :
		"multithreaded");
	rc = run_loop(&d, &o, &plan);
	__atomic_store_n(&run.loop_done, 1, __ATOMIC_RELEASE);
	notify_systemd("STOPPING=1");
	ret = rc < 0 ? 1 : 0;
	fs_ctl_stop(&d);	/* a request in progress finishes first */

	if (sig_started) {
		pthread_kill(sig_thread, SIGUSR2);
		pthread_join(sig_thread, NULL);
	}
	if (bdi_started)
		pthread_join(bdi_thread, NULL);
	fs_worker_stop(&d.worker);
	rc = fs_daemon_persist_all(&d);
	if (rc < 0) {
		fs_err("persisting the namespaces at exit failed: %s", strerror(-rc));
		ret = 1;
	}
out_unmount:
	fs_ctl_stop(&d);
	pthread_mutex_lock(&run.ready_lock);
	detach_done(&run.ready, 1);
	pthread_mutex_unlock(&run.ready_lock);
	fuse_session_unmount(d.se);
out_session:
	fuse_session_destroy(d.se);
out_daemon:
	fs_daemon_fini(&d);	/* closes the regions: the locks go */
	fs_info("exiting");
out_regions:
	free(regions);
out_args:
	free(mount_opts);
	opts_free(&o);
	fuse_opt_free_args(&args);
	return ret;
}
