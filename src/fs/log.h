/* SPDX-License-Identifier: MIT */
/*
 * The daemon's log: stderr in the foreground, syslog once daemonised.
 * libfuse's own messages are routed here too.
 */
#ifndef PMEMFS_FS_LOG_H
#define PMEMFS_FS_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Switch to syslog (true) or stderr (false); may be called again. */
void fs_log_init(bool use_syslog, bool debug);

void fs_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define fs_err(...) fs_log(LOG_ERR, __VA_ARGS__)
#define fs_warn(...) fs_log(LOG_WARNING, __VA_ARGS__)
#define fs_info(...) fs_log(LOG_INFO, __VA_ARGS__)
#define fs_debug(...) fs_log(LOG_DEBUG, __VA_ARGS__)

#endif
