// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <fuse_log.h>

#include "fs/log.h"

enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG, LOG_TO_FILE };

static int log_target;		/* enum log_target (atomic) */
static bool log_debug;
static bool log_opened;		/* openlog() called */
static int log_fd = -1;		/* fs_log_file_open() */

static int target(void)
{
	return __atomic_load_n(&log_target, __ATOMIC_ACQUIRE);
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT:
		return "crit";
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* one line, one write(2) with O_APPEND: lines of threads do not mix */
__attribute__((format(printf, 2, 0)))
static void file_line(int prio, const char *fmt, va_list ap)
{
	char buf[2048];
	struct timespec ts;
	struct tm tm;
	size_t o = 0;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	o = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(buf + o, sizeof(buf) - o, ".%03ldZ pmemfs[%ld] %s: ",
		     ts.tv_nsec / 1000000, (long)getpid(), prio_name(prio));
	if (n > 0)
		o += (size_t)n;
	if (o < sizeof(buf)) {
		n = vsnprintf(buf + o, sizeof(buf) - o, fmt, ap);
		if (n > 0)
			o += (size_t)n;
	}
	if (o > sizeof(buf) - 2)
		o = sizeof(buf) - 2;
	while (o > 0 && buf[o - 1] == '\n')	/* libfuse's end in one */
		o--;
	buf[o++] = '\n';
	if (write(log_fd, buf, o) < 0) {
		/* nowhere left to say so */
	}
}

/*
 * One message to the current target; ours gets "pmemfs: " and a newline
 * on stderr, libfuse's (ours false) carry their own newline there.
 */
__attribute__((format(printf, 3, 0)))
static void log_va(int prio, bool ours, const char *fmt, va_list ap)
{
	switch (target()) {
	case LOG_TO_SYSLOG:
		vsyslog(prio, fmt, ap);
		break;
	case LOG_TO_FILE:
		file_line(prio, fmt, ap);
		break;
	default:
		if (!ours) {
			vfprintf(stderr, fmt, ap);
			break;
		}
		flockfile(stderr);
		fputs("pmemfs: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
	}
}

/* libfuse's messages: fmt is libfuse's printf format */
__attribute__((format(printf, 2, 0)))
static void fs_log_fuse(enum fuse_log_level level, const char *fmt, va_list ap)
{
	int prio = (int)level;

	if (prio == LOG_DEBUG && !log_debug)
		return;
	log_va(prio, false, fmt, ap);
}

void fs_log_init(bool use_syslog, bool debug)
{
	log_debug = debug;
	if (use_syslog && !log_opened) {
		openlog("pmemfs", LOG_PID, LOG_DAEMON);
		log_opened = true;
	}
	__atomic_store_n(&log_target, use_syslog ? LOG_TO_SYSLOG : LOG_TO_STDERR,
			 __ATOMIC_RELEASE);
	fuse_set_log_func(fs_log_fuse);
}

bool fs_log_syslog_reachable(void)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t i;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", _PATH_LOG);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		int ok;

		if (fd < 0)
			continue;
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return true;
	}
	return false;
}

/*
 * Every directory (and symbolic link) on the way to path's last component,
 * as given and as resolved, belongs to root or to us, and not every user
 * may rename or replace what is in it (not writable by others unless
 * sticky, as /tmp; writable by its group is the owner's choice, as
 * Ubuntu's /var/log for syslog): else another user could put a link or
 * another file there that this daemon, maybe root, would then append to.
 */
static int log_dir_safe(const char *path)
{
	char buf[PATH_MAX], real[PATH_MAX], *slash;
	uid_t me = geteuid();
	int pass, rc;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	slash = strrchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (!buf[0])
		snprintf(buf, sizeof(buf), "/");
	if (!realpath(buf, real))
		return -errno;
	for (pass = 0; pass < 2; pass++) {
		char *p = pass ? real : buf;

		/* each prefix: "/", "/a", "/a/b", ..., p */
		for (size_t i = 0;; i++) {
			struct stat st;
			size_t end = i ? i : 1;
			char c;

			if (i && p[i] != '/' && p[i] != '\0')
				continue;
			c = p[end];
			p[end] = '\0';
			rc = lstat(p, &st) < 0 ? -errno : 0;
			if (rc == 0 && ((st.st_uid != 0 && st.st_uid != me) ||
					(S_ISDIR(st.st_mode) && (st.st_mode & S_IWOTH) &&
					 !(st.st_mode & S_ISVTX))))
				rc = -EACCES;
			p[end] = c;
			if (rc < 0)
				return rc;
			if (!p[i] || (!i && !p[1]))
				break;
		}
	}
	return 0;
}

int fs_log_file_open(const char *path)
{
	struct stat st;
	int fd, rc;

	rc = log_dir_safe(path);
	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
		  O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EPERM : -EINVAL;
	}
	/* a hard link of another file of ours (fs.protected_hardlinks off) */
	if (st.st_nlink != 1) {
		close(fd);
		return -EMLINK;
	}
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	return 0;
}

void fs_log_to_file(bool debug)
{
	log_debug = debug;
	if (log_fd < 0)
		return;
	__atomic_store_n(&log_target, LOG_TO_FILE, __ATOMIC_RELEASE);
	fuse_set_log_func(fs_log_fuse);
}

bool fs_log_is_stderr(void)
{
	return target() == LOG_TO_STDERR;
}

void fs_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	log_va(prio, true, fmt, ap);
	va_end(ap);
}
