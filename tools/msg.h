/* SPDX-License-Identifier: MIT */
/*
 * pmemctl's messages on stderr ("pmemctl <cmd>: ...") and exit codes
 * (tools/msg.c): the bottom of tools/, called by every other file.
 */
#ifndef PMEMCTL_MSG_H
#define PMEMCTL_MSG_H

#include <stdarg.h>

/* The command being run ("create-namespace"), for messages. */
extern const char *pc_cmdname;

/*
 * Exit code of a core return code: 0 for 0, else (-errno) & 0xff, a
 * -NS_E_* code first mapped with ns_err_to_errno() (ENOSPC 228, EBUSY 240,
 * ENOENT 254, EINVAL 234, EEXIST 239, ENXIO 250, ENOTSUP 161).
 */
int pc_exit_code(int rc);

/* "pmemctl <cmd>: <message>\n" on stderr. */
void pc_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report a failed core call and return its exit code:
 *   "pmemctl <cmd>: <what, formatted>: <ns_errormsg() or ns_strerror(rc)>"
 * e.g. pc_fail(rc, "cannot create namespace in '%s'", path).
 */
int pc_fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The same, for a failure about thing (a file): when the core's message
 * already names it ('thing' in quotes), that message is the whole story and
 * is printed alone ("pmemctl list: region 'r.img' is in use by another
 * process"); otherwise as pc_fail().
 */
int pc_fail_on(int rc, const char *thing, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report a failure with an errno-style code and own message; returns its exit code. */
int pc_fail_msg(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
