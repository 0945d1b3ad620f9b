// SPDX-License-Identifier: MIT
/*
 * The bounds on crash testing's memory (fault.h), in the daemon's heap:
 * a share of the machine's memory, and a test's setting that lowers one.
 * A baseline may take half of it, the undo log a quarter, a crash image
 * an eighth: one namespace's crash testing never takes it all.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs/fault.h"
#include "fs/log.h"

uint64_t fs_mem_share(unsigned div, uint64_t unit)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || size <= 0 || div == 0 || unit == 0)
		return UINT64_MAX;
	return (uint64_t)pages * (uint64_t)size / div / unit;
}

size_t fs_test_lower_bound(const char *env, size_t bound, const char *what)
{
	const char *e = getenv(env);
	unsigned long long v;
	char *end;

	if (e && *e) {
		errno = 0;
		v = strtoull(e, &end, 10);
		if (errno == 0 && *end == 0 && v > 0 && v < bound) {
			bound = (size_t)v;
			fs_info("%s bounded to %zu pages (%s, a test's setting)", what, bound,
				env);
		}
	}
	return bound ? bound : 1;
}
