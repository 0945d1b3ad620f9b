// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include <fuse_log.h>

#include "log.h"

static bool log_syslog;
static bool log_debug;

/* libfuse's messages: fmt is libfuse's printf format */
__attribute__((format(printf, 2, 0)))
static void fs_log_fuse(enum fuse_log_level level, const char *fmt, va_list ap)
{
	int prio = (int)level;

	if (prio == LOG_DEBUG && !log_debug)
		return;
	if (log_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		vfprintf(stderr, fmt, ap);
	}
}

void fs_log_init(bool use_syslog, bool debug)
{
	log_debug = debug;
	if (use_syslog && !log_syslog)
		openlog("pmemfs", LOG_PID, LOG_DAEMON);
	log_syslog = use_syslog;
	fuse_set_log_func(fs_log_fuse);
}

void fs_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		flockfile(stderr);
		fputs("pmemfs: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
	}
	va_end(ap);
}
