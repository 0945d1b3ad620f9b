/* SPDX-License-Identifier: MIT */
/*
 * The daemon's log: stderr in the foreground; once daemonised syslog, or
 * a file (-o logfile=PATH, or beside the control socket when no syslog
 * daemon listens on /dev/log). libfuse's own messages are routed here too.
 */
#ifndef PMEMFS_FS_LOG_H
#define PMEMFS_FS_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Switch to syslog (true) or stderr (false); may be called again. */
void fs_log_init(bool use_syslog, bool debug);

/*
 * Whether a syslog daemon (rsyslog, journald's /dev/log) accepts messages
 * on the log socket (_PATH_LOG): connect(2) to it, datagram then stream.
 */
bool fs_log_syslog_reachable(void);

/*
 * Open path (append, created 0600, no link followed, a regular file of the
 * effective user only, with no other hard link, in directories only root
 * or the effective user can change) for fs_log_to_file(); 0 or -errno
 * (-EINVAL: not a regular file, -EPERM: another user's, -EMLINK: another
 * hard link, -EACCES: a directory on its way another user can change).
 */
int fs_log_file_open(const char *path);

/* Switch to the file opened by fs_log_file_open(): timestamped lines. */
void fs_log_to_file(bool debug);

/* the log goes to stderr (no priority shown) */
bool fs_log_is_stderr(void);

void fs_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define fs_err(...) fs_log(LOG_ERR, __VA_ARGS__)
#define fs_warn(...) fs_log(LOG_WARNING, __VA_ARGS__)
#define fs_info(...) fs_log(LOG_INFO, __VA_ARGS__)
#define fs_debug(...) fs_log(LOG_DEBUG, __VA_ARGS__)

#endif
