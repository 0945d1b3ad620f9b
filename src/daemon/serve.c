// SPDX-License-Identifier: MIT
/*
 * The serving phase (see serve.h): signals, control socket, workers, the
 * loop and the helper threads.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "ns/error.h"
#include "ctl/path.h"
#include "ctl/server.h"

#include "fs/log.h"
#include "daemon/serve.h"

void pmemfs_notify(const char *state)
{
#if HAVE_LIBSYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

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
	pmemfs_notify("STOPPING=1");
	fs_daemon_writeback(run->d);
	fuse_session_exit(run->d->se);
	while (!__atomic_load_n(&run->loop_done, __ATOMIC_ACQUIRE)) {
		pthread_kill(run->loop_thread, SIGUSR1);
		usleep(20000);
	}
	return NULL;
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
	/*
	 * a write reaching past a file-size limit (ulimit -f) is cut short and
	 * fails with EFBIG: that namespace's error, never the daemon's death
	 */
	if (sigaction(SIGXFSZ, &sa, NULL) < 0)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/*
 * The soft limit of open files up to the hard one. The daemon holds a few
 * descriptors per region and none per namespace (nsfile.h), but control
 * clients, splice pipes (two per loop thread) and many regions add up,
 * and systemd's default soft limit is 1024 (the unit raises it too).
 */
void pmemfs_raise_nofile(void)
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

int pmemfs_serve_start(struct pmemfs_run *run, const struct pmemfs_opts *o,
		       gid_t ctl_group, const struct fs_loop_plan *plan)
{
	struct fs_daemon *d = run->d;
	int rc;

	rc = block_signals();
	if (rc < 0) {
		fs_err("cannot set up signal handling: %s", strerror(-rc));
		return -1;
	}
	rc = fs_worker_start(d->cfg.flush_threads, &d->worker);
	if (rc < 0)
		return -1;
	start_control(d, o, ctl_group);
	/* the summary and the hand-off to the log: bdi thread, once the bdi is set */
	pmemfs_summary_build(run, d, plan);
	pmemfs_choose_log(run, d, o);
	pmemfs_notify("READY=1");
	if (d->ctl)
		fs_info("control socket '%s' (%s)", ctl_server_path(d->ctl),
			ctl_group == (gid_t)-1 ? "mode 0600" : "mode 0660 with ctl_group");
	if (pthread_create(&run->sig_thread, NULL, signal_main, run) == 0)
		run->sig_started = true;
	if (pthread_create(&run->bdi_thread, NULL, pmemfs_bdi_main, run) == 0)
		run->bdi_started = true;
	if (!run->sig_started || !run->bdi_started)
		fs_warn("cannot start a helper thread: signals or bdi settings are not handled");
	if (!run->bdi_started)
		pmemfs_startup_done(run, "bdi: not set (no helper thread): the kernel's FUSE "
				    "defaults stay");
	return 0;
}

int pmemfs_serve(struct pmemfs_run *run, const struct pmemfs_opts *o,
		 const struct fs_loop_plan *plan)
{
	struct fs_daemon *d = run->d;
	int rc;

	fs_info("serving %u region%s on '%s' (%s loop)", d->nregions,
		d->nregions == 1 ? "" : "s", d->mountpoint, o->single ? "single-threaded" :
		"multithreaded");
	/* -s: one thread; else enough for a region's write-back (the kernel
	 * keeps up to 12 background WRITEs in flight) and the requests of
	 * other namespaces beside it */
	rc = fs_loop_run(d->se, o->single ? 1 : 16, plan);
	if (d->pt.refused)	/* -o passthrough=on and INIT said no (startup.c) */
		rc = -1;
	__atomic_store_n(&run->loop_done, 1, __ATOMIC_RELEASE);
	pmemfs_notify("STOPPING=1");
	fs_ctl_stop(d);	/* a request in progress finishes first */

	if (run->sig_started) {
		pthread_kill(run->sig_thread, SIGUSR2);
		pthread_join(run->sig_thread, NULL);
	}
	if (run->bdi_started)
		pthread_join(run->bdi_thread, NULL);
	fs_worker_stop(&d->worker);
	return rc;
}
