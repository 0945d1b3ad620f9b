/* SPDX-License-Identifier: MIT */
/*
 * The serving phase of the daemon, once mounted: signals (taken by one
 * thread: SIGTERM, SIGINT and SIGHUP write the mount's dirty pages back
 * while the loop still serves, then stop it), the flush workers, the
 * control socket, systemd's notifications, the receive loop and the
 * helper threads' end.
 */
#ifndef PMEMFS_DAEMON_SERVE_H
#define PMEMFS_DAEMON_SERVE_H

#include <sys/types.h>

#include "fs/loop.h"

#include "daemon/options.h"
#include "daemon/startup.h"

/* Type=notify units: READY=1 once mount and socket serve, STOPPING=1 */
void pmemfs_notify(const char *state);

/* The soft limit of open files up to the hard one (logged). */
void pmemfs_raise_nofile(void);

/*
 * Mounted (run->d, run->bdi, foreground, debug set): block the signals,
 * start the flush workers and the control socket, build the summary,
 * choose the log, tell systemd, start the signal and bdi threads. 0, or
 * -1 (logged) when the daemon cannot serve.
 */
int pmemfs_serve_start(struct pmemfs_run *run, const struct pmemfs_opts *o,
		       gid_t ctl_group, const struct fs_loop_plan *plan);

/*
 * Run the receive loop until it stops, then stop the control socket, the
 * helper threads and the flush workers. The loop's result (0 or < 0).
 */
int pmemfs_serve(struct pmemfs_run *run, const struct pmemfs_opts *o,
		 const struct fs_loop_plan *plan);

#endif
