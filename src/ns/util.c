/* SPDX-License-Identifier: MIT */
/*
 * Size parsing and formatting. Sizes are decimal numbers (no octal, no hex,
 * no sign, no fraction) with an optional binary unit: "2097152", "4G",
 * "4GiB", "4GB", "512k". Every rejection names the string and the reason.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "util.h"

static int ns_unit_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	case 't':
	case 'T':
		return 40;
	default:
		return -1;
	}
}

int ns_parse_size(const char *s, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	int shift = 0;

	if (!s || !*s)
		return ns_err(-EINVAL, "invalid size '%s': empty", s ? s : "");
	if (*p == '-')
		return ns_err(-EINVAL, "invalid size '%s': negative", s);
	if (*p < '0' || *p > '9')
		return ns_err(-EINVAL, "invalid size '%s': not a number", s);
	for (; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return ns_err(-ERANGE, "invalid size '%s': too large", s);
	}
	if (*p) {
		const char *suffix = p;

		shift = ns_unit_shift(*p);
		if (shift > 0) {
			p++;
			if (p[0] == 'i' && p[1] == 'B')
				p += 2;
			else if (p[0] == 'B')
				p++;
		} else if (*p == 'B') {
			/* "512B": plain bytes */
			shift = 0;
			p++;
		}
		if (shift < 0 || *p)
			return ns_err(-EINVAL, "invalid size '%s': unknown suffix '%s'",
				      s, suffix);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return ns_err(-ERANGE, "invalid size '%s': too large", s);
	*out = v << shift;
	return 0;
}

const char *ns_format_size(uint64_t v, char *buf, size_t len)
{
	static const struct {
		unsigned shift;
		const char *unit;
	} units[] = {
		{ 40, "TiB" },
		{ 30, "GiB" },
		{ 20, "MiB" },
	};

	if (!buf || !len)
		return buf;
	for (size_t i = 0; v && i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t m = ((uint64_t)1 << units[i].shift) - 1;

		if (!(v & m)) {
			snprintf(buf, len, "%" PRIu64 " %s", v >> units[i].shift,
				 units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64 " %s", v, v == 1 ? "byte" : "bytes");
	return buf;
}
