/* SPDX-License-Identifier: MIT */
/*
 * Errors of the core. Every function that can fail returns 0 or a negative
 * code: either -errno, or -NS_E_* for failures that have no good errno.
 * The function that fails also leaves a human message ("what and why") in a
 * thread-local buffer, read with ns_errormsg(), as pmem2_errormsg() does.
 */
#ifndef PMEMFS_NS_ERROR_H
#define PMEMFS_NS_ERROR_H

#include <stdarg.h>

enum ns_errcode {
	NS_E_FIRST = 1000,
	/* no valid namespace index block at any probed label-area size */
	NS_E_NO_LABELS = NS_E_FIRST,
	/* the label area parses but cannot be used (unsupported version...) */
	NS_E_BAD_LABELS,
	/* the file's size does not fit its label area or its labels */
	NS_E_SIZE_MISMATCH,
	/* another process holds the region's lock */
	NS_E_LOCKED,
	/* init-labels on an initialised label area without force */
	NS_E_LABELS_EXIST,
	/* the namespace is not served (interleaved, foreign cookie, invalid) */
	NS_E_NOT_SERVED,
	NS_E_LAST,
};

/*
 * Record a message for the calling thread and return code unchanged, so
 * that `return ns_err(-ENOSPC, "no extent of %s ...", ...);` reads well.
 * code is -errno or -NS_E_*.
 */
int ns_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ns_verr(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The calling thread's last message ("" when none). */
const char *ns_errormsg(void);

/* Clear the calling thread's message. */
void ns_err_clear(void);

/* A short fixed description of code (-errno or -NS_E_*). */
const char *ns_strerror(int code);

/*
 * The errno a project code stands for when it must become an exit code or
 * an errno reply (NS_E_LOCKED -> EBUSY, ...). -errno maps to errno.
 * Returns a positive errno.
 */
int ns_err_to_errno(int code);

#endif
