// SPDX-License-Identifier: MIT
/*
 * The health file's parser (src/ns/health.c): what it accepts and what
 * makes the count unknown, each rejection naming the file and the line;
 * and a save read back (a real file in a temporary directory).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ns/badblocks.h"
#include "ns/error.h"
#include "ns/health.h"

static int parse(const char *text, struct ns_health *h, struct ns_bb_id *had)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	rc = ns_health_parse(f, "h", had, h);
	fclose(f);
	return rc;
}

static void test_good(void **state)
{
	struct ns_health h;
	struct ns_bb_id id;

	(void)state;
	assert_int_equal(parse("# c\nregion ino=12 btime=5.000000007\nshutdown_count 3\n"
			       "shutdown_state dirty\nmounted pid=42 since=99\n", &h, &id), 0);
	assert_true(h.count_known && h.state_known && h.dirty && h.mounted);
	assert_int_equal(h.shutdown_count, 3);
	assert_int_equal(h.pid, 42);
	assert_int_equal(h.since, 99);
	assert_true(id.known && id.has_btime);
	assert_int_equal(id.ino, 12);
	assert_int_equal(parse("shutdown_state clean\nshutdown_count unknown\n", &h, &id), 0);
	assert_false(h.count_known);
	assert_true(h.state_known);
	assert_false(h.dirty || h.mounted || id.known);
	assert_int_equal(parse("shutdown_count 18446744073709551615\nshutdown_state unknown\n",
			       &h, &id), 0);
	assert_true(h.count_known && !h.state_known);
	assert_int_equal(h.shutdown_count, UINT64_MAX);
}

static void test_bad(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "shutdown_count 1\nshutdown_state sideways\n", "'h' line 2" },
		{ "shutdown_count -1\nshutdown_state clean\n", "'h' line 1" },
		{ "shutdown_count 1x\nshutdown_state clean\n", "'h' line 1" },
		{ "shutdown_count 99999999999999999999\nshutdown_state clean\n", "'h' line 1" },
		{ "shutdown_count 1\nshutdown_count 2\nshutdown_state clean\n", "'h' line 2" },
		{ "shutdown_count 1\nshutdown_state clean\nwhat 3\n", "'h' line 3" },
		{ "shutdown_count 1\nshutdown_state clean\nmounted pid=x since=1\n", "line 3" },
		{ "region ino=x\nshutdown_count 1\nshutdown_state clean\n", "'h' line 1" },
		{ "shutdown_count 1\n", "no \"shutdown_count\" or \"shutdown_state\" line" },
		{ "", "no \"shutdown_count\"" },
		{ "\x7f\x45\x4c\x46\x02\x01\x01\n", "'h' line 1" },
	};
	struct ns_health h;
	struct ns_bb_id id;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h.count_known = true;
		if (parse(bad[i].text, &h, &id) != -EINVAL)
			fail_msg("case %zu accepted", i);
		if (!strstr(ns_errormsg(), bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, ns_errormsg(), bad[i].msg);
		assert_false(h.count_known);
		assert_false(h.state_known);
	}
}

/* a line longer than the buffer is refused, not read as two lines */
static void test_long_line(void **state)
{
	char text[1024];
	struct ns_health h;
	struct ns_bb_id id;

	(void)state;
	memset(text, ' ', sizeof(text));
	memcpy(text, "shutdown_state clean\n", 21);
	memcpy(text + 600, "shutdown_count 1\n", 17);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(parse(text, &h, &id), -EINVAL);
	assert_non_null(strstr(ns_errormsg(), "line too long"));
}

static void test_save_load(void **state)
{
	char dir[] = "/tmp/test_health.XXXXXX", region[64], side[80];
	struct ns_health h = { .count_known = true, .shutdown_count = 7, .state_known = true,
			       .dirty = true, .mounted = true, .pid = 5, .since = 6 };
	struct ns_health got;
	struct ns_bb_id id, other;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(region, sizeof(region), "%s/r.img", dir);
	snprintf(side, sizeof(side), "%s.health", region);
	f = fopen(region, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(ns_bb_id_of_path(region, &id), 0);
	/* none: a new region */
	assert_int_equal(ns_health_load(region, &id, &got), 0);
	assert_true(got.count_known && got.state_known && !got.dirty);
	assert_int_equal(got.shutdown_count, 0);
	assert_int_equal(ns_health_save(region, &id, &h), 0);
	assert_int_equal(ns_health_load(region, &id, &got), 0);
	assert_true(got.count_known && got.state_known && got.dirty && got.mounted);
	assert_int_equal(got.shutdown_count, 7);
	assert_int_equal(got.pid, 5);
	assert_int_equal(got.since, 6);
	/* recorded for another file at this path: a new medium */
	other = id;
	other.ino++;
	assert_int_equal(ns_health_load(region, &other, &got), NS_HEALTH_STALE);
	assert_true(got.count_known);
	assert_int_equal(got.shutdown_count, 0);
	/* a large file is not read (nor a health file) */
	f = fopen(side, "w");
	assert_non_null(f);
	for (int i = 0; i < 1000; i++)
		fputs("# padding\n", f);
	fputs("shutdown_count 1\nshutdown_state clean\n", f);
	fclose(f);
	assert_int_equal(ns_health_load(region, &id, &got), NS_HEALTH_UNKNOWN);
	assert_non_null(strstr(ns_errormsg(), "bytes, at most 4096: not read"));
	/* a link is not followed */
	unlink(side);
	assert_int_equal(symlink(region, side), 0);
	assert_int_equal(ns_health_load(region, &id, &got), NS_HEALTH_UNKNOWN);
	assert_false(got.count_known);
	assert_non_null(strstr(ns_errormsg(), "symbolic link"));
	/* the save replaces the link, never writes its target */
	assert_int_equal(ns_health_save(region, &id, &h), 0);
	f = fopen(region, "r");
	assert_non_null(f);
	assert_int_equal(fgetc(f), EOF);
	fclose(f);
	unlink(side);
	unlink(region);
	rmdir(dir);
}

/*
 * A region file whose path is long (the header comment names it: over the
 * 256-byte line buffer) keeps its health and media errors: a comment of
 * any length is skipped, where a data line that long is refused.
 */
static void test_long_path(void **state)
{
	char dir[] = "/tmp/test_health.XXXXXX", sub[PATH_MAX], region[PATH_MAX];
	struct ns_health h = { .count_known = true, .shutdown_count = 4, .state_known = true };
	struct ns_badblocks bb = { 0 };
	struct ns_health got;
	struct ns_bb_id id;
	char name[201];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_true(snprintf(sub, sizeof(sub), "%s/%s", dir, name) < (int)sizeof(sub));
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_true(snprintf(region, sizeof(region), "%s/%s.img", sub, name) <
		    (int)sizeof(region));
	f = fopen(region, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(ns_bb_id_of_path(region, &id), 0);
	assert_int_equal(ns_health_save(region, &id, &h), 0);
	assert_int_equal(ns_health_load(region, &id, &got), 0);
	assert_true(got.count_known);
	assert_int_equal(got.shutdown_count, 4);
	assert_int_equal(ns_bb_add(&bb, 4096, 512), 0);
	assert_int_equal(ns_bb_save(region, &id, &bb), 0);
	ns_bb_free(&bb);
	assert_int_equal(ns_bb_load(region, &id, &bb), 0);
	assert_int_equal(bb.n, 1);
	ns_bb_free(&bb);
	ns_health_remove_stale(region);
	ns_bb_remove_stale(region);
	unlink(region);
	rmdir(sub);
	rmdir(dir);
}

/* one more unclean shutdown: + 1, unknown stays unknown, the largest stays */
static void test_count_up(void **state)
{
	struct ns_health h = { .count_known = true, .shutdown_count = 41 };

	(void)state;
	ns_health_count_up(&h);
	assert_int_equal(h.shutdown_count, 42);
	h.shutdown_count = UINT64_MAX;
	ns_health_count_up(&h);
	assert_true(h.shutdown_count == UINT64_MAX);
	h.count_known = false;
	h.shutdown_count = 0;
	ns_health_count_up(&h);
	assert_int_equal(h.shutdown_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_count_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
