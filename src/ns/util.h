/* SPDX-License-Identifier: MIT */
/* Small parsing and formatting helpers shared by the core, daemon and CLI. */
#ifndef PMEMFS_NS_UTIL_H
#define PMEMFS_NS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a size: plain bytes or a number with a k/K/m/M/g/G/t/T suffix
 * (powers of 1024), optionally followed by "iB" or "B" ("4G", "4GiB",
 * "2097152"). A decimal fraction is taken when it makes whole bytes
 * ("1.5G" = 1610612736, "0.5M"); one that does not is refused, naming the
 * bytes ("1.1G": 1181116006.4). Returns 0, or -EINVAL / -ERANGE with a
 * message naming the string ("invalid size '4X': unknown suffix 'X'").
 */
int ns_parse_size(const char *s, uint64_t *out);

/* "4 GiB", "2 MiB", "131072 bytes": exact when a unit divides it */
const char *ns_format_size(uint64_t v, char *buf, size_t len);

/*
 * Progress of a long operation (preallocating a large region or namespace):
 * called with done == 0 before the first step, after every step of at most
 * NS_PROGRESS_STEP bytes, and with done == total at the end. Never called
 * after a failure. arg is the caller's.
 */
typedef void ns_progress_fn(uint64_t done, uint64_t total, void *arg);
#define NS_PROGRESS_STEP (64u * 1024 * 1024)

static inline int ns_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

#endif
