/* SPDX-License-Identifier: MIT */
/*
 * pmemctl's option parser (tools/options.c): getopt_long's syntax
 * (clusters, -sVALUE, --opt=value, unique prefixes, "--", permutation) and
 * mistakes named as the user typed them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/options.h"

/* tables of the parser alone, without bindings (bind.c is not linked) */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tools/pmemctl.h"

/* options.c reports bad values through these (msg.c, not linked here) */
int pc_fail(int rc, const char *fmt, ...)
{
	(void)fmt;
	return (-rc) & 0xff;
}

int pc_fail_msg(int rc, const char *fmt, ...)
{
	(void)fmt;
	return (-rc) & 0xff;
}

enum { K_READONLY = PC_OPT_LONG, K_REGIONS, K_FILE };

static const struct pc_opt opts[] = {
	{ "size", 's', required_argument, "SIZE", "size" },
	{ "name", 'n', required_argument, "NAME", "name" },
	{ "idle", 'i', no_argument, NULL, "idle" },
	{ "human", 'u', no_argument, NULL, "human" },
	{ "region", 'r', required_argument, "REGION", "region" },
	{ "regions", K_REGIONS, no_argument, NULL, "regions" },
	{ "read-only", K_READONLY, no_argument, NULL, "read-only" },
	{ "file", K_FILE, required_argument, "PATH", NULL },	/* hidden */
	{ 0 },
};

static const struct pc_usage usage = {
	.name = "test",
	.args = "[-s SIZE] [-n NAME] [-i] [-u] [-r REGION] [--regions] [--read-only] ARGS",
	.about = "test",
};

/* what the parser printed on stderr for one call sequence */
static char errbuf[4096];

struct run {
	int keys[16];
	const char *args[16];
	int n;
	int last;	/* PC_OPTS_DONE / _ERROR / _HELP */
};

static void parse(int argc, char **argv, struct run *r)
{
	struct pc_parser p;
	FILE *f = tmpfile();
	int saved = dup(2), c;
	size_t len;

	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	memset(r, 0, sizeof(*r));
	pc_parser_init(&p, &usage, opts);
	while ((c = pc_parser_next(&p, argc, argv)) >= 0 && r->n < 16) {
		r->keys[r->n] = c;
		r->args[r->n++] = p.arg;
	}
	r->last = c;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	len = fread(errbuf, 1, sizeof(errbuf) - 1, f);
	errbuf[len] = '\0';
	fclose(f);
}

/* a writable copy of a NULL-terminated argv (the parser permutes it) */
static char **mkargv(const char *const *src)
{
	static char *argv[32];
	static char strs[32][64];
	int i;

	for (i = 0; src[i] && i < 31; i++) {
		snprintf(strs[i], sizeof(strs[i]), "%s", src[i]);
		argv[i] = strs[i];
	}
	argv[i] = NULL;
	return argv;
}

#define ARGV(...) mkargv((const char *const[]){ "test", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((const char *[]){ "test", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(r, ...) parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), r)

static void test_permutation(void **state)
{
	char **argv = ARGV("a", "-s", "4G", "b", "--name=x", "-", "--", "-i", "c");
	struct run r;

	(void)state;
	parse(9 + 1, argv, &r);
	assert_int_equal(r.last, PC_OPTS_DONE);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.keys[0], 's');
	assert_string_equal(r.args[0], "4G");
	assert_int_equal(r.keys[1], 'n');
	assert_string_equal(r.args[1], "x");
	/* positional arguments in their order after the options, "--" dropped */
	assert_int_equal(10 - optind, 5);
	assert_string_equal(argv[optind], "a");
	assert_string_equal(argv[optind + 1], "b");
	assert_string_equal(argv[optind + 2], "-");
	assert_string_equal(argv[optind + 3], "-i");
	assert_string_equal(argv[optind + 4], "c");
	assert_string_equal(errbuf, "");
}

static void test_clusters_and_values(void **state)
{
	struct run r;

	(void)state;
	PARSE(&r, "-iu", "-s4G", "-iunNAME", "-n", "-dash", "--size", "-1");
	assert_int_equal(r.last, PC_OPTS_DONE);
	assert_int_equal(r.n, 8);
	assert_int_equal(r.keys[0], 'i');
	assert_int_equal(r.keys[1], 'u');
	assert_int_equal(r.keys[2], 's');
	assert_string_equal(r.args[2], "4G");
	assert_int_equal(r.keys[3], 'i');
	assert_int_equal(r.keys[4], 'u');
	assert_int_equal(r.keys[5], 'n');
	assert_string_equal(r.args[5], "NAME");
	assert_int_equal(r.keys[6], 'n');
	assert_string_equal(r.args[6], "-dash");
	assert_int_equal(r.keys[7], 's');
	assert_string_equal(r.args[7], "-1");
	assert_int_equal(optind, 8);	/* no positional argument */
}

static void test_prefixes(void **state)
{
	struct run r;

	(void)state;
	/* exact beats prefix: --region is not ambiguous with --regions */
	PARSE(&r, "--region", "0", "--regions", "--si=1M", "--read", "--hu");
	assert_int_equal(r.last, PC_OPTS_DONE);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.keys[0], 'r');
	assert_string_equal(r.args[0], "0");
	assert_int_equal(r.keys[1], K_REGIONS);
	assert_int_equal(r.keys[2], 's');
	assert_string_equal(r.args[2], "1M");
	assert_int_equal(r.keys[3], K_READONLY);
	assert_int_equal(r.keys[4], 'u');

	PARSE(&r, "--reg", "0");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "test: option '--reg' is ambiguous: --region, --regions\n"));
	assert_non_null(strstr(errbuf, "usage: pmemctl test "));

	PARSE(&r, "--re");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "option '--re' is ambiguous: --region, --regions, --read-only\n"));
	/* --help takes part: --h is --human or --help */
	PARSE(&r, "--h");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "option '--h' is ambiguous: --human, --help\n"));
	{
		FILE *saved = stdout, *null = fopen("/dev/null", "w");

		assert_non_null(null);
		stdout = null;
		PARSE(&r, "--he");
		stdout = saved;
		fclose(null);
	}
	assert_int_equal(r.last, PC_OPTS_HELP);
}

static void test_hidden(void **state)
{
	struct run r;

	(void)state;
	PARSE(&r, "--file", "x", "--file=y");
	assert_int_equal(r.last, PC_OPTS_DONE);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.keys[0], K_FILE);
	assert_string_equal(r.args[0], "x");
	assert_string_equal(r.args[1], "y");
	/* by its full name only, and no candidate of a prefix */
	PARSE(&r, "--fil", "x");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "unknown option '--fil'"));
}

static void test_mistakes(void **state)
{
	struct run r;

	(void)state;
	PARSE(&r, "--hum=1");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "option '--human' takes no value (given '--hum=1')"));
	assert_null(strstr(errbuf, "'-u'"));

	PARSE(&r, "--nosuch=1");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "unknown option '--nosuch'\n"));

	PARSE(&r, "--=x");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "unknown option '--=x'\n"));

	PARSE(&r, "-iQ");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_int_equal(r.n, 1);
	assert_non_null(strstr(errbuf, "unknown option '-Q'\n"));

	PARSE(&r, "a", "--size");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "option '--size' needs a value\n"));

	PARSE(&r, "-is");
	assert_int_equal(r.last, PC_OPTS_ERROR);
	assert_non_null(strstr(errbuf, "option '-s' needs a value\n"));
}

static void test_help(void **state)
{
	struct run r;
	FILE *saved = stdout;
	FILE *f = tmpfile();
	char out[8192];
	size_t len;

	(void)state;
	assert_non_null(f);
	stdout = f;
	PARSE(&r, "x", "-ih");
	stdout = saved;
	assert_int_equal(r.last, PC_OPTS_HELP);
	rewind(f);
	len = fread(out, 1, sizeof(out) - 1, f);
	out[len] = '\0';
	fclose(f);
	assert_non_null(strstr(out, "usage: pmemctl test [-s SIZE]"));
	assert_non_null(strstr(out, "  -h, --help "));
	/* hidden: not listed */
	assert_null(strstr(out, "--file"));
	/* a SIZE is taken: its suffixes explained; shared codes by a pointer */
	assert_non_null(strstr(out, "\nSIZE: bytes, or a number with k/m/g/t"));
	assert_non_null(strstr(out, "pmemctl --help and pmemctl(8)"));
	assert_null(strstr(out, "ECONNREFUSED"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permutation),
		cmocka_unit_test(test_clusters_and_values),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_hidden),
		cmocka_unit_test(test_mistakes),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
