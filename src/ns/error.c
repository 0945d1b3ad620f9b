/* SPDX-License-Identifier: MIT */
/*
 * Errors of the core: a thread-local message buffer (as pmem2_errormsg()
 * keeps one) and fixed descriptions of the project codes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ns/error.h"

#define NS_ERRMSG_LEN 512

static __thread char ns_errmsg_buf[NS_ERRMSG_LEN];

int ns_verr(int code, const char *fmt, va_list ap)
{
	int saved = errno;

	vsnprintf(ns_errmsg_buf, sizeof(ns_errmsg_buf), fmt, ap);
	errno = saved;
	return code;
}

int ns_err(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ns_verr(code, fmt, ap);
	va_end(ap);
	return code;
}

const char *ns_errormsg(void)
{
	return ns_errmsg_buf;
}

void ns_err_clear(void)
{
	ns_errmsg_buf[0] = '\0';
}

/* indexed by code - NS_E_FIRST; one entry per enum ns_errcode value */
static const char *const ns_errtext[NS_E_LAST - NS_E_FIRST] = {
	[NS_E_NO_LABELS - NS_E_FIRST] = "no valid label area",
	[NS_E_BAD_LABELS - NS_E_FIRST] = "label area unusable",
	[NS_E_SIZE_MISMATCH - NS_E_FIRST] = "region size does not fit its labels",
	[NS_E_LOCKED - NS_E_FIRST] = "region locked by another process",
	[NS_E_LABELS_EXIST - NS_E_FIRST] = "label area already initialised",
	[NS_E_NOT_SERVED - NS_E_FIRST] = "namespace not served",
};

const char *ns_strerror(int code)
{
	int c = code < 0 ? -code : code;

	if (c == 0)
		return "success";
	if (c >= NS_E_FIRST && c < NS_E_LAST)
		return ns_errtext[c - NS_E_FIRST];
	return strerror(c);
}

int ns_err_to_errno(int code)
{
	int c = code < 0 ? -code : code;

	switch (c) {
	case 0:
		return 0;
	case NS_E_NO_LABELS:
		return ENXIO;
	case NS_E_BAD_LABELS:
		return EINVAL;
	case NS_E_SIZE_MISMATCH:
		return EINVAL;
	case NS_E_LOCKED:
		return EBUSY;
	case NS_E_LABELS_EXIST:
		return EEXIST;
	case NS_E_NOT_SERVED:
		return ENXIO;
	default:
		if (c >= NS_E_FIRST)
			return EIO;
		return c;
	}
}
