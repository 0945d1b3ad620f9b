/* SPDX-License-Identifier: MIT */
/*
 * pmemctl's option binding (tools/bind.c over tools/options.c): each
 * OPT_* kind stores into its field, a bad value is reported when met with
 * its message and exit code, pc_opt_given() tells what was given.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/command.h"
#include "tools/msg.h"
#include "tools/options.h"

struct bound {
	bool flag;
	unsigned verbose;
	uint32_t bits;
	const char *name;
	uint64_t size, big;
	uint32_t small;
	unsigned pick;
	int odd;
};

/* a callback: an odd number, else "bad value ...: odd" */
static int odd_cb(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	int v = atoi(p->arg);

	(void)o;
	if (v % 2 == 0) {
		pc_fail_msg(-EINVAL, "bad value for --%s '%s': odd", p->optname, p->arg);
		return -EINVAL;
	}
	*(int *)f = v;
	return 0;
}

static const struct pc_choice picks[] = {
	{ "one", 1 }, { "two", 2 }, { NULL, 0 },
};

#define PC_OPTS_OF struct bound
static const struct pc_opt opts[] = {
	OPT_BOOL("flag", 'f', flag, "a flag"),
	OPT_COUNTER("verbose", 'v', verbose, "more"),
	OPT_BIT("red", 'R', bits, 1, "bit 1"),
	OPT_BIT("green", 'G', bits, 4, "bit 4"),
	OPT_STRING("name", 'n', name, "NAME", "a name"),
	OPT_SIZE("size", 's', size, "SIZE", "a size"),
	OPT_U64("big", 'b', big, "N", "1 to 1000", 1, 1000, "1 to 1000"),
	OPT_U32("small", PC_OPT_LONG, small, "N", "any u32", 0, UINT32_MAX, NULL),
	OPT_CHOICE("pick", 'p', pick, "WHICH", "one or two", picks, "one or two"),
	OPT_CALLBACK("odd", 'o', required_argument, odd, "N", "an odd number", odd_cb),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage usage = {
	.name = "bindtest", .args = "[options]", .about = "binding test",
};

static char errbuf[4096];

/* parse args (NULL-terminated; permuted in argv) into *b; stderr kept in errbuf */
static int parse(struct bound *b, struct pc_parser *p, const char *const *args, char **argv)
{
	FILE *f = tmpfile();
	int saved = dup(2), argc = 0, rc;
	size_t len;

	for (argc = 0; args[argc] && argc < 31; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	assert_non_null(f);
	memset(b, 0, sizeof(*b));
	fflush(stderr);
	dup2(fileno(f), 2);
	pc_cmdname = "bindtest";
	pc_parser_init(p, &usage, opts);
	rc = pc_opts_parse(p, argc, argv, b);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	len = fread(errbuf, 1, sizeof(errbuf) - 1, f);
	errbuf[len] = '\0';
	fclose(f);
	return rc;
}

static void test_kinds(void **state)
{
	static const char *const args[] = { "bindtest", "-fvv", "-R", "--green", "-n", "x", "--size=4k", "pos",
			 "-b", "0x10", "--small", "4294967295", "--pick", "two", "-o", "7",
			 NULL };
	char *argv[32];
	struct pc_parser p;
	struct bound b;

	(void)state;
	assert_int_equal(parse(&b, &p, args, argv), PC_OPTS_DONE);
	assert_true(b.flag);
	assert_int_equal(b.verbose, 2);
	assert_int_equal(b.bits, 5);
	assert_string_equal(b.name, "x");
	assert_int_equal(b.size, 4096);
	assert_int_equal(b.big, 16);
	assert_int_equal(b.small, UINT32_MAX);
	assert_int_equal(b.pick, 2);
	assert_int_equal(b.odd, 7);
	assert_string_equal(argv[optind], "pos");
	assert_true(pc_opt_given(&p, 's'));
	assert_true(pc_opt_given(&p, PC_OPT_LONG));
	assert_string_equal(errbuf, "");
}

static void test_given(void **state)
{
	static const char *const args[] = { "bindtest", "-n", "", NULL };
	char *argv[32];
	struct pc_parser p;
	struct bound b;

	(void)state;
	assert_int_equal(parse(&b, &p, args, argv), PC_OPTS_DONE);
	assert_true(pc_opt_given(&p, 'n'));
	assert_false(pc_opt_given(&p, 's'));
	assert_false(pc_opt_given(&p, 'f'));
}

/* the first bad value is reported, as it is met: exit 234 */
static void test_bad_values(void **state)
{
	static const struct {
		const char *arg[4];
		const char *msg;
	} cases[] = {
		{ { "--size", "4x", "--nope" }, "pmemctl bindtest: bad value for --size '4x': " },
		{ { "-b", "0", "--nope" }, "pmemctl bindtest: bad value for --big '0': 1 to 1000\n" },
		{ { "-b", "-1" }, "pmemctl bindtest: bad value for --big '-1': 1 to 1000\n" },
		{ { "-b", "1001" }, "pmemctl bindtest: bad value for --big '1001': 1 to 1000\n" },
		{ { "--sm", "4294967296" }, "pmemctl bindtest: bad value for --small '4294967296'\n" },
		{ { "--small", "" }, "pmemctl bindtest: bad value for --small ''\n" },
		{ { "-p", "three" }, "pmemctl bindtest: bad value for --pick 'three': one or two\n" },
		{ { "-o", "2" }, "pmemctl bindtest: bad value for --odd '2': odd\n" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[6] = { "bindtest" };
		char *argv[32];
		struct pc_parser p;
		struct bound b;

		memcpy(args + 1, cases[i].arg, sizeof(cases[i].arg));
		assert_int_equal(parse(&b, &p, args, argv), 234);
		assert_non_null(strstr(errbuf, cases[i].msg));
		assert_null(strstr(errbuf, "nope"));
	}
}

/* the parser's own mistakes and --help come through as exit codes */
static void test_usage_and_help(void **state)
{
	static const char *const bad[] = { "bindtest", "--nope", "-s", "4x", NULL };
	static const char *const help[] = { "bindtest", "--help", "-s", "4x", NULL };
	char *argv[32];
	struct pc_parser p;
	struct bound b;
	FILE *out = freopen("/dev/null", "w", stdout);

	(void)state;
	assert_non_null(out);
	assert_int_equal(parse(&b, &p, bad, argv), PC_EXIT_USAGE);
	assert_non_null(strstr(errbuf, "unknown option '--nope'"));
	assert_int_equal(parse(&b, &p, help, argv), 0);
	assert_string_equal(errbuf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_given),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_usage_and_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
