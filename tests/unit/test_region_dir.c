/* SPDX-License-Identifier: MIT */
/*
 * Region directories on real files in a temporary directory: the names
 * of their entries (ns-<uuid>, .new, .gone), what an open does with the
 * leftovers of a crash (a writer renames or removes them by whether a
 * label names the uuid, a reader changes nothing and says so), and the
 * entries pmemfs did not make (kept, never followed, taking out only the
 * namespace they are the file of).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/region.h"
#include "ns/region_dir.h"

#define MiB (1ULL << 20)

static char tmpdir[256];
static char logged[8192];

static void catch_log(const char *msg)
{
	size_t n = strlen(logged);

	snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/pmemfs-test-rdir-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	ns_region_set_logger(catch_log);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	ns_region_set_logger(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* DIR/name of the test's region directory d */
static const char *at(const char *d, const char *name)
{
	static char buf[4][600];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s/%s", tmpdir, d, name);
	return buf[i];
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* a region directory d with one namespace "a": its file name in name */
static struct ns_region *make(const char *d, char *name, size_t len)
{
	struct ns_region_create_opts c = { .size = 32 * MiB, .dir = true };
	struct ns_namespace_create_opts o = { .size = 4 * MiB, .name = "a" };
	struct ns_namespace *ns;
	struct ns_region *r;
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, d);
	assert_int_equal(ns_region_create(path, &c, NULL, &r), 0);
	assert_int_equal(ns_namespace_create(r, &o, &ns), 0);
	ns_region_ns_file_name(ns, name, len);
	return r;
}

static struct ns_region *reopen(const char *d, bool rdonly)
{
	struct ns_region_opts o = { .flags = rdonly ? NS_REGION_RDONLY : 0 };
	struct ns_region *r;
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, d);
	logged[0] = '\0';
	assert_int_equal(ns_region_open(path, &o, &r), 0);
	return r;
}

static void test_names(void **state)
{
	uint8_t u[16], v[16];
	char b[NS_DIR_NAME_LEN];

	(void)state;
	assert_int_equal(ns_dir_parse("ns-0badc0de-1111-2222-3333-444444444444", u),
			 NS_DIR_PLAIN);
	assert_int_equal(ns_dir_parse("ns-0badc0de-1111-2222-3333-444444444444.new", v),
			 NS_DIR_NEW);
	assert_memory_equal(u, v, 16);
	assert_int_equal(ns_dir_parse("ns-0badc0de-1111-2222-3333-444444444444.gone", v),
			 NS_DIR_GONE);
	assert_string_equal(ns_dir_name_of(u, NS_DIR_GONE, b, sizeof(b)),
			    "ns-0badc0de-1111-2222-3333-444444444444.gone");
	/* none of pmemfs's names: kept as they are, never resolved */
	assert_int_equal(ns_dir_parse("ns-0BADC0DE-1111-2222-3333-444444444444.new", v),
			 NS_DIR_OTHER);
	assert_int_equal(ns_dir_parse("ns-0badc0de-1111-2222-3333-444444444444.old", v),
			 NS_DIR_OTHER);
	assert_int_equal(ns_dir_parse("ns-0badc0de-1111-2222-3333-444444444444.new.x", v),
			 NS_DIR_OTHER);
	assert_int_equal(ns_dir_parse("ns-0badc0de", v), NS_DIR_OTHER);
	assert_int_equal(ns_dir_parse("region", v), NS_DIR_OTHER);
}

/* a create's and a destroy's step files, with and without their label */
static void test_open_resolves(void **state)
{
	char a[NS_DIR_NAME_LEN], an[NS_DIR_NAME_LEN + 8], ag[NS_DIR_NAME_LEN + 8];
	const char *orphan = "ns-0badc0de-1111-2222-3333-444444444444";
	struct ns_namespace *ns;
	struct ns_region *r = make("res", a, sizeof(a));
	int fd;

	ns_region_close(&r);
	snprintf(an, sizeof(an), "%s.new", a);
	snprintf(ag, sizeof(ag), "%s.gone", a);
	/* a's file still .new (the commit was made): a reader leaves it */
	assert_int_equal(rename(at("res", a), at("res", an)), 0);
	r = reopen("res", true);
	ns = ns_region_find_namespace(r, "a");
	assert_non_null(ns);
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INVALID);
	assert_non_null(strstr(ns_namespace_reason(ns), ".new"));
	assert_non_null(strstr(logged, "left as it is"));
	ns_region_close(&r);
	assert_true(exists(at("res", an)));
	/* a writer renames it and serves a */
	r = reopen("res", false);
	assert_true(exists(at("res", a)) && !exists(at("res", an)));
	assert_non_null(strstr(logged, "renamed to"));
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "a")),
			 NS_STATE_ACTIVE);
	ns_region_close(&r);
	/* .gone with its label: renamed back */
	assert_int_equal(rename(at("res", a), at("res", ag)), 0);
	r = reopen("res", false);
	assert_true(exists(at("res", a)) && !exists(at("res", ag)));
	assert_non_null(strstr(logged, "renamed back"));
	ns_region_close(&r);
	/* .new and .gone no label names: removed; a plain one: kept */
	fd = open(at("res", "ns-0badc0de-1111-2222-3333-555555555555.new"), O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = open(at("res", "ns-0badc0de-1111-2222-3333-666666666666.gone"), O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = open(at("res", orphan), O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	r = reopen("res", false);
	assert_false(exists(at("res", "ns-0badc0de-1111-2222-3333-555555555555.new")));
	assert_false(exists(at("res", "ns-0badc0de-1111-2222-3333-666666666666.gone")));
	assert_true(exists(at("res", orphan)));
	assert_non_null(strstr(logged, "kept namespace file"));
	assert_true(exists(at("res", a)));
	ns_region_close(&r);
}

/* entries pmemfs did not make: never followed, renamed or removed */
static void test_bad_entries(void **state)
{
	char a[NS_DIR_NAME_LEN], an[NS_DIR_NAME_LEN + 8], victim[600];
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .name = "b" };
	struct ns_region *r = make("bad", a, sizeof(a));
	struct ns_namespace *ns;

	(void)state;
	ns_region_close(&r);
	snprintf(victim, sizeof(victim), "%s/victim", tmpdir);
	assert_int_equal(close(open(victim, O_CREAT | O_WRONLY, 0600)), 0);
	/* a's file a link, with its label; a .new link and a .gone dir without */
	assert_int_equal(unlink(at("bad", a)), 0);
	assert_int_equal(symlink(victim, at("bad", a)), 0);
	assert_int_equal(symlink(victim, at("bad", "ns-0badc0de-1111-2222-3333-777777777777.new")), 0);
	assert_int_equal(mkdir(at("bad", "ns-0badc0de-1111-2222-3333-888888888888.gone"), 0700), 0);
	r = reopen("bad", false);
	ns = ns_region_find_namespace(r, "a");
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INVALID);
	assert_non_null(strstr(ns_namespace_reason(ns), "symbolic link"));
	assert_non_null(strstr(logged, "777777777777.new' is a symbolic link: skipped"));
	assert_non_null(strstr(logged, "888888888888.gone' is a directory: skipped"));
	/* the region goes on: a create, a destroy of a (its label only) */
	assert_int_equal(ns_namespace_create(r, &o, NULL), 0);
	assert_int_equal(ns_namespace_destroy(ns, 0), 0);
	ns_region_close(&r);
	assert_true(exists(at("bad", a)));
	assert_true(exists(at("bad", "ns-0badc0de-1111-2222-3333-777777777777.new")));
	assert_true(exists(at("bad", "ns-0badc0de-1111-2222-3333-888888888888.gone")));
	assert_true(exists(victim));
	/* a's file a .new link with its label: not renamed, a not served */
	r = make("bad2", a, sizeof(a));
	ns_region_close(&r);
	snprintf(an, sizeof(an), "%s.new", a);
	assert_int_equal(unlink(at("bad2", a)), 0);
	assert_int_equal(symlink(victim, at("bad2", an)), 0);
	r = reopen("bad2", false);
	assert_false(exists(at("bad2", a)));
	assert_non_null(strstr(ns_namespace_reason(ns_region_find_namespace(r, "a")),
			       "is a symbolic link"));
	ns_region_close(&r);
}

/* a create refuses a uuid whose file is there, before making anything */
static void test_create_taken(void **state)
{
	static const uint8_t u[16] = { 0x0b, 0xad, 0xc0, 0xde, 0x11, 0x11, 0x22, 0x22,
				       0x33, 0x33, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44 };
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .name = "t", .uuid = u };
	char a[NS_DIR_NAME_LEN];
	struct ns_region *r = make("taken", a, sizeof(a));

	(void)state;
	assert_int_equal(close(open(at("taken", "ns-0badc0de-1111-2222-3333-444444444444"),
				    O_CREAT | O_WRONLY, 0600)), 0);
	assert_int_equal(ns_namespace_create(r, &o, NULL), -EEXIST);
	assert_non_null(strstr(ns_errormsg(), "already there"));
	assert_false(exists(at("taken", "ns-0badc0de-1111-2222-3333-444444444444.new")));
	assert_null(ns_region_find_namespace(r, "t"));
	ns_region_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_open_resolves),
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_create_taken),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
