/* SPDX-License-Identifier: MIT */
/*
 * Size parsing and formatting. Sizes are decimal numbers (no octal, no hex,
 * no sign) with an optional binary unit: "2097152", "4G", "4GiB", "4GB",
 * "512k"; a fraction is taken when it makes whole bytes ("1.5G" is
 * 1610612736; "1.1G" is refused). Every rejection names the string and
 * the reason.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ns/error.h"
#include "ns/util.h"

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

/*
 * A fraction: frac / 10^nd of a unit of 2^shift bytes must be whole bytes
 * ("1.5G", "0.25M"). Adds them to *v; -EINVAL names the bytes it would be.
 */
static int ns_parse_fraction(const char *s, uint64_t frac, unsigned nd, int shift,
			     uint64_t *v)
{
	unsigned __int128 f = (unsigned __int128)frac << shift, t;
	uint64_t pow10 = 1, whole, rest;
	char digits[24];

	for (unsigned i = 0; i < nd; i++)
		pow10 *= 10;
	whole = (uint64_t)(f / pow10);
	rest = (uint64_t)(f % pow10);
	if (rest) {
		/* rest / 10^nd as nd decimal digits, trailing zeros dropped */
		snprintf(digits, sizeof(digits), "%0*" PRIu64, (int)nd, rest);
		for (size_t l = strlen(digits); l > 1 && digits[l - 1] == '0'; l--)
			digits[l - 1] = '\0';
		t = ((unsigned __int128)*v << shift) + whole;
		if (t > UINT64_MAX)
			return ns_err(-ERANGE, "invalid size '%s': too large", s);
		return ns_err(-EINVAL, "invalid size '%s': not a whole number of bytes "
			      "(%" PRIu64 ".%s bytes)", s, (uint64_t)t, digits);
	}
	if (shift && *v > (UINT64_MAX >> shift))
		return ns_err(-ERANGE, "invalid size '%s': too large", s);
	if (__builtin_add_overflow(*v << shift, whole, v))
		return ns_err(-ERANGE, "invalid size '%s': too large", s);
	return 0;
}

int ns_parse_size(const char *s, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0, frac = 0;
	unsigned nd = 0;
	bool dot = false;
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
	if (*p == '.') {
		/* a fraction is taken when it is whole bytes: 1.5G */
		dot = true;
		if (p[1] < '0' || p[1] > '9')
			return ns_err(-EINVAL, "invalid size '%s': no digits after '.'", s);
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (nd == 18) {
				if (*p != '0')
					return ns_err(-EINVAL, "invalid size '%s': more "
						      "than 18 decimal places", s);
				continue;
			}
			frac = frac * 10 + (uint64_t)(*p - '0');
			nd++;
		}
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
	if (dot) {
		int rc = ns_parse_fraction(s, frac, nd, shift, &v);

		if (rc)
			return rc;
		*out = v;
		return 0;
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
