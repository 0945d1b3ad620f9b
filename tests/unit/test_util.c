/* SPDX-License-Identifier: MIT */
/* ns_parse_size and ns_format_size: tables of good and bad input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/util.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define TiB (1ULL << 40)

static const struct {
	const char *in;
	uint64_t want;
} good[] = {
	{ "0", 0 },
	{ "1", 1 },
	{ "2097152", 2 * MiB },
	{ "512B", 512 },
	{ "4k", 4 * KiB },
	{ "4K", 4 * KiB },
	{ "4KiB", 4 * KiB },
	{ "4KB", 4 * KiB },
	{ "2m", 2 * MiB },
	{ "2M", 2 * MiB },
	{ "2MiB", 2 * MiB },
	{ "4g", 4 * GiB },
	{ "4G", 4 * GiB },
	{ "4GiB", 4 * GiB },
	{ "4GB", 4 * GiB },
	{ "1t", TiB },
	{ "16T", 16 * TiB },
	{ "16TiB", 16 * TiB },
	{ "007", 7 },				/* decimal, not octal */
	{ "18446744073709551615", UINT64_MAX },
	{ "16777215T", 16777215 * TiB },	/* largest T that fits */
	/* fractions that make whole bytes */
	{ "1.5G", 1610612736 },
	{ "1.5GiB", 1610612736 },
	{ "2.25G", 2415919104 },
	{ "0.5M", 512 * KiB },
	{ "1.0", 1 },
	{ "3.000", 3 },
	{ "0.0009765625M", 1 * KiB },
	{ "1.5k", 1536 },
	{ "16777215.5T", 16777215 * TiB + TiB / 2 },
};

static const struct {
	const char *in;
	int code;
	const char *msg;
} bad[] = {
	{ "", -EINVAL, "invalid size '': empty" },
	{ "-1", -EINVAL, "invalid size '-1': negative" },
	{ "-4G", -EINVAL, "invalid size '-4G': negative" },
	{ "G", -EINVAL, "invalid size 'G': not a number" },
	{ " 4G", -EINVAL, "invalid size ' 4G': not a number" },
	{ "+4G", -EINVAL, "invalid size '+4G': not a number" },
	{ "0x10", -EINVAL, "invalid size '0x10': unknown suffix 'x10'" },
	{ "4X", -EINVAL, "invalid size '4X': unknown suffix 'X'" },
	{ "4 G", -EINVAL, "invalid size '4 G': unknown suffix ' G'" },
	{ "4Gx", -EINVAL, "invalid size '4Gx': unknown suffix 'Gx'" },
	{ "4GiBx", -EINVAL, "invalid size '4GiBx': unknown suffix 'GiBx'" },
	{ "4Gi", -EINVAL, "invalid size '4Gi': unknown suffix 'Gi'" },
	{ "4iB", -EINVAL, "invalid size '4iB': unknown suffix 'iB'" },
	{ "4BB", -EINVAL, "invalid size '4BB': unknown suffix 'BB'" },
	{ "1.1G", -EINVAL, "invalid size '1.1G': not a whole number of bytes (1181116006.4 bytes)" },
	{ "1.5", -EINVAL, "invalid size '1.5': not a whole number of bytes (1.5 bytes)" },
	{ "0.1k", -EINVAL, "invalid size '0.1k': not a whole number of bytes (102.4 bytes)" },
	{ "1.G", -EINVAL, "invalid size '1.G': no digits after '.'" },
	{ "1.", -EINVAL, "invalid size '1.': no digits after '.'" },
	{ ".5G", -EINVAL, "invalid size '.5G': not a number" },
	{ "1.5.5G", -EINVAL, "invalid size '1.5.5G': unknown suffix '.5G'" },
	{ "1.5X", -EINVAL, "invalid size '1.5X': unknown suffix 'X'" },
	{ "0.0000000000000000001T", -EINVAL,
	  "invalid size '0.0000000000000000001T': more than 18 decimal places" },
	{ "16777215.99999999999T", -EINVAL,
	  "invalid size '16777215.99999999999T': not a whole number of bytes (18446744073709551605.00488372224 bytes)" },
	{ "16777216.5T", -ERANGE, "invalid size '16777216.5T': too large" },
	{ "18446744073709551615.5", -EINVAL,
	  "invalid size '18446744073709551615.5': not a whole number of bytes (18446744073709551615.5 bytes)" },
	{ "4P", -EINVAL, "invalid size '4P': unknown suffix 'P'" },
	{ "18446744073709551616", -ERANGE, "invalid size '18446744073709551616': too large" },
	{ "99999999999999999999999", -ERANGE, "invalid size '99999999999999999999999': too large" },
	{ "16777216T", -ERANGE, "invalid size '16777216T': too large" },
	{ "17179869184G", -ERANGE, "invalid size '17179869184G': too large" },
};

static void test_parse_good(void **state)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint64_t v = 12345;

		if (ns_parse_size(good[i].in, &v) != 0)
			fail_msg("'%s' rejected: %s", good[i].in, ns_errormsg());
		if (v != good[i].want)
			fail_msg("'%s' parsed as %llu, want %llu", good[i].in,
				 (unsigned long long)v, (unsigned long long)good[i].want);
	}
}

static void test_parse_bad(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 12345;
		int rc;

		ns_err_clear();
		rc = ns_parse_size(bad[i].in, &v);
		if (rc != bad[i].code)
			fail_msg("'%s': got %d, want %d", bad[i].in, rc, bad[i].code);
		assert_string_equal(ns_errormsg(), bad[i].msg);
		/* the output is left alone on failure */
		assert_int_equal(v, 12345);
	}
}

static void test_parse_null(void **state)
{
	uint64_t v;

	assert_int_equal(ns_parse_size(NULL, &v), -EINVAL);
	assert_string_equal(ns_errormsg(), "invalid size '': empty");
}

static const struct {
	uint64_t v;
	const char *want;
} fmt[] = {
	{ 0, "0 bytes" },
	{ 1, "1 byte" },
	{ 512, "512 bytes" },
	{ 4096, "4096 bytes" },
	{ 128 * KiB, "131072 bytes" },
	{ MiB, "1 MiB" },
	{ 2 * MiB, "2 MiB" },
	{ 3 * MiB, "3 MiB" },
	{ 1023 * MiB, "1023 MiB" },
	{ GiB, "1 GiB" },
	{ 3 * GiB, "3 GiB" },
	{ 4 * GiB, "4 GiB" },
	{ 4 * GiB + 2 * MiB, "4098 MiB" },
	{ 4 * GiB + 4 * KiB, "4294971392 bytes" },
	{ 256 * MiB - 128 * KiB, "268304384 bytes" },
	{ TiB, "1 TiB" },
	{ 5 * TiB, "5 TiB" },
	{ 1ULL << 63, "8388608 TiB" },
	{ UINT64_MAX, "18446744073709551615 bytes" },
};

static void test_format(void **state)
{
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		char buf[48];

		assert_ptr_equal(ns_format_size(fmt[i].v, buf, sizeof(buf)), buf);
		assert_string_equal(buf, fmt[i].want);
	}
}

/* what ns_format_size prints, ns_parse_size reads back (for unit forms) */
static void test_format_parse_roundtrip(void **state)
{
	static const uint64_t vals[] = { 2 * MiB, 3 * GiB, 7 * TiB, 12345 };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		char buf[48], *sp;
		uint64_t v;

		ns_format_size(vals[i], buf, sizeof(buf));
		sp = strchr(buf, ' ');
		assert_non_null(sp);
		if (strcmp(sp, " bytes") == 0)
			*sp = '\0';
		else
			memmove(sp, sp + 1, strlen(sp));
		assert_int_equal(ns_parse_size(buf, &v), 0);
		assert_int_equal(v, vals[i]);
	}
}

static void test_format_truncates(void **state)
{
	char buf[4];

	ns_format_size(4 * GiB, buf, sizeof(buf));
	assert_string_equal(buf, "4 G");
}

static void test_is_pow2(void **state)
{
	assert_false(ns_is_pow2(0));
	assert_true(ns_is_pow2(1));
	assert_true(ns_is_pow2(4096));
	assert_false(ns_is_pow2(4097));
	assert_false(ns_is_pow2(6144));
	assert_true(ns_is_pow2(1ULL << 63));
	assert_false(ns_is_pow2(UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_parse_roundtrip),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_is_pow2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
