/* SPDX-License-Identifier: MIT */
/*
 * Start-up of the daemon once its regions are open: daemonising (the
 * parent exits 0 only once the child serves, 1 when it fails or dies
 * first), the start-up summary (regions, backing, receive mode, control
 * socket, bdi, where the log goes), and the hand-off of the log from
 * stderr to syslog or a file. The bdi thread (pmemfs_bdi_main) sets the
 * mount's bdi once the kernel's INIT is processed and then calls
 * pmemfs_startup_done().
 */
#ifndef PMEMFS_DAEMON_STARTUP_H
#define PMEMFS_DAEMON_STARTUP_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "fs/bdi.h"
#include "fs/fs.h"
#include "fs/loop.h"

#include "daemon/options.h"

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

	/* helper threads (serve.h) */
	pthread_t sig_thread, bdi_thread;
	bool sig_started, bdi_started;
};

/* Before anything else: nothing told, no thread. */
void pmemfs_run_init(struct pmemfs_run *run);

/*
 * -o logfile=PATH, opened before mounting so that a bad path is an error
 * of the command: 0, or -1 with the reason logged in the option's terms.
 */
int pmemfs_logfile_open(const char *path);

/*
 * Fork; the parent waits for one status byte on a pipe and exits with it
 * (1 when the child dies first). The child gets a session of its own and
 * "/" as its directory; *ready is the pipe's write end.
 */
int pmemfs_detach(int *ready);
/* Tell the waiting parent (status 0: serving) and let go of the terminal. */
void pmemfs_detach_done(int *ready, unsigned char status);
/*
 * main's unwinding: a parent still waiting is told 1 and exits so (under
 * ready_lock; nothing once it was told 0).
 */
void pmemfs_startup_failed(struct pmemfs_run *run);

/*
 * The summary's lines known before the loop serves, and where the log
 * goes after it (run->logto, run->logwhere).
 */
void pmemfs_summary_build(struct pmemfs_run *run, const struct fs_daemon *d,
			  const struct fs_loop_plan *plan);
void pmemfs_choose_log(struct pmemfs_run *run, const struct fs_daemon *d,
		       const struct pmemfs_opts *o);

/*
 * The mount serves and its bdi is set: the summary goes to stderr, the
 * parent is told to exit 0, the log moves to syslog or the file. Once; bdi
 * is the summary's bdi line.
 */
void pmemfs_startup_done(struct pmemfs_run *run, const char *bdi);

/* The bdi thread (arg: the run): sets the bdi, then pmemfs_startup_done. */
void *pmemfs_bdi_main(void *arg);

#endif
