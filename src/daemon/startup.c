// SPDX-License-Identifier: MIT
/*
 * Start-up (see startup.h): the summary, where the log goes, the bdi
 * thread, daemonising and the hand-off to the waiting parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <paths.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/region.h"
#include "ctl/server.h"

#include "fs/log.h"
#include "daemon/startup.h"

void pmemfs_run_init(struct pmemfs_run *run)
{
	memset(run, 0, sizeof(*run));
	pthread_mutex_init(&run->ready_lock, NULL);
	run->ready = -1;
}

int pmemfs_logfile_open(const char *path)
{
	int rc = fs_log_file_open(path);

	if (rc < 0) {
		fs_err("logfile='%s': %s", path, rc == -EINVAL ?
		       "not a regular file" : rc == -EPERM ? "owned by another user" :
		       rc == -ELOOP ? "a symbolic link (not followed)" :
		       rc == -EMLINK ? "has another hard link (not appended to)" :
		       rc == -EACCES ? "a directory on its way belongs to another user "
		       "or every user may write to it (choose a directory only root or "
		       "this user can change)" : strerror(-rc));
		return -1;
	}
	return 0;
}

void pmemfs_startup_failed(struct pmemfs_run *run)
{
	pthread_mutex_lock(&run->ready_lock);
	pmemfs_detach_done(&run->ready, 1);
	pthread_mutex_unlock(&run->ready_lock);
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

void pmemfs_startup_done(struct pmemfs_run *run, const char *bdi)
{
	pthread_mutex_lock(&run->ready_lock);
	if (run->foreground) {
		summary_print(run, bdi);
		if (run->logto == LOGTO_FILE)
			fs_log_to_file(run->debug);
		run->foreground = false;	/* printed */
	} else if (run->ready >= 0) {
		summary_print(run, bdi);
		pmemfs_detach_done(&run->ready, 0);
		if (run->logto == LOGTO_FILE)
			fs_log_to_file(run->debug);
		else
			fs_log_init(true, run->debug);
		if (run->logto != LOGTO_NOWHERE)
			summary_print(run, bdi);
	}
	pthread_mutex_unlock(&run->ready_lock);
}

void *pmemfs_bdi_main(void *arg)
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
	if (d->pt.refused) {
		/* -o passthrough=on, and INIT showed it cannot be (logged there):
		 * the loop stops, main unmounts and the parent exits 1 */
		fuse_session_exit(d->se);
		while (!__atomic_load_n(&run->loop_done, __ATOMIC_ACQUIRE)) {
			pthread_kill(run->loop_thread, SIGUSR1);
			usleep(20000);
		}
		return NULL;
	}
	snprintf(run->summary + strlen(run->summary), sizeof(run->summary) -
		 strlen(run->summary), "  FUSE passthrough: %s%s%s\n",
		 d->pt.active ? "on (" : "off: ", d->pt.why, d->pt.active ? ")" : "");
	if (!__atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE)) {
		fs_warn("the mount '%s' is not in /proc/self/mountinfo: bdi settings "
			"left as they are", d->mountpoint);
		pmemfs_startup_done(run, "bdi: not found (the mount is not in "
				    "/proc/self/mountinfo): the kernel's FUSE defaults stay "
				    "(strict_limit=1, max_ratio=1)");
		return NULL;
	}
	ma = d->dev_major;
	mi = d->dev_minor;
	fs_bdi_configure(ma, mi, &run->bdi, set, sizeof(set));
	snprintf(line, sizeof(line), "bdi %u:%u: %s", ma, mi, set);
	pmemfs_startup_done(run, line);
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
void pmemfs_summary_build(struct pmemfs_run *run, const struct fs_daemon *d,
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
		       path, reg->rops->direct(reg->rio) ? "direct (O_DIRECT for aligned I/O)" :
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
void pmemfs_choose_log(struct pmemfs_run *run, const struct fs_daemon *d,
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

int pmemfs_detach(int *ready)
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

void pmemfs_detach_done(int *ready, unsigned char status)
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
