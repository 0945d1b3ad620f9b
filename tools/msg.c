/* SPDX-License-Identifier: MIT */
/*
 * pmemctl's messages on stderr in one format and its exit codes: what
 * every other file of tools/ reports through; it calls none of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ns/error.h"
#include "tools/msg.h"

const char *pc_cmdname = "pmemctl";

int pc_exit_code(int rc)
{
	if (rc == 0)
		return 0;
	return (-ns_err_to_errno(rc)) & 0xff;
}

__attribute__((format(printf, 1, 0)))
static void pc_vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "pmemctl %s: ", pc_cmdname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pc_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pc_vmsg(fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 0)))
static int pc_vfail(int rc, const char *thing, const char *fmt, va_list ap)
{
	const char *why = ns_errormsg();
	char quoted[4096];

	if (!why || !*why)
		why = ns_strerror(rc);
	snprintf(quoted, sizeof(quoted), "'%s'", thing ? thing : "");
	fprintf(stderr, "pmemctl %s: ", pc_cmdname);
	if (!thing || !strstr(why, quoted)) {
		vfprintf(stderr, fmt, ap);
		fputs(": ", stderr);
	}
	fprintf(stderr, "%s\n", why);
	ns_err_clear();
	return pc_exit_code(rc);
}

int pc_fail(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = pc_vfail(rc, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int pc_fail_on(int rc, const char *thing, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = pc_vfail(rc, thing, fmt, ap);
	va_end(ap);
	return rc;
}

int pc_fail_msg(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pc_vmsg(fmt, ap);
	va_end(ap);
	return pc_exit_code(rc);
}
