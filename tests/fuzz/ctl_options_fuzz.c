// SPDX-License-Identifier: MIT
/*
 * Fuzz pmemctl's option parser (tools/options.c), which replaced
 * getopt_long and promises its syntax: clusters ("-iu"), "-sVALUE",
 * "--opt=value", unique prefixes, "--", and permutation. The oracle is
 * glibc's getopt_long on the same words and an equivalent table: the same
 * options with the same values, in the same order, the same positional
 * arguments after them in the same order, and an error (or --help) where
 * getopt_long has one. Where the two are meant to differ the table does
 * not go: hidden options and the optional number as the next word
 * ("--watch 2") are the unit test's (unit/ctl_options). A difference
 * aborts.
 *
 * Input: argv words separated by NUL bytes (at most 32), after "pmemctl".
 * options.c is included, so that the replay build needs no pmemctl.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/options.c"

/* tables of the parser alone, without bindings (bind.c is not linked) */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* options.c reports bad values through these (pmemctl.c has main) */
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

enum { K_READONLY = PC_OPT_LONG, K_REGIONS };

static const struct pc_opt opts[] = {
	{ "size", 's', required_argument, "SIZE", "size" },
	{ "name", 'n', required_argument, "NAME", "name" },
	{ "idle", 'i', no_argument, NULL, "idle" },
	{ "human", 'u', no_argument, NULL, "human" },
	{ "region", 'r', required_argument, "REGION", "region" },
	{ "regions", K_REGIONS, no_argument, NULL, "regions" },
	{ "read-only", K_READONLY, no_argument, NULL, "read-only" },
	{ 0 },
};

static const struct option longopts[] = {
	{ "size", required_argument, NULL, 's' },
	{ "name", required_argument, NULL, 'n' },
	{ "idle", no_argument, NULL, 'i' },
	{ "human", no_argument, NULL, 'u' },
	{ "region", required_argument, NULL, 'r' },
	{ "regions", no_argument, NULL, K_REGIONS },
	{ "read-only", no_argument, NULL, K_READONLY },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static const struct pc_usage usage = { .name = "fuzz", .args = "ARGS", .about = "fuzz" };

#define MAXW 32

/* what one parser made of argv: "key[value]"... "|" positional, ... */
static void ours(int argc, char **argv, char *out, size_t len)
{
	struct pc_parser p;
	size_t o = 0;
	int k;

	pc_parser_init(&p, &usage, opts);
	while ((k = pc_parser_next(&p, argc, argv)) >= 0)
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%d[%s]", k,
				      p.arg ? p.arg : "-");
	if (k != PC_OPTS_DONE) {
		snprintf(out, len, "%s", k == PC_OPTS_HELP ? "HELP" : "ERR");
		return;
	}
	o += (size_t)snprintf(out + o, o < len ? len - o : 0, "|");
	for (int i = optind; i < argc; i++)
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s,", argv[i]);
}

static void glibc(int argc, char **argv, char *out, size_t len)
{
	size_t o = 0;
	int k;

	optind = 0;	/* a full reinitialisation */
	opterr = 0;
	while ((k = getopt_long(argc, argv, "s:n:iur:h", longopts, NULL)) != -1) {
		if (k == '?' || k == ':') {
			snprintf(out, len, "ERR");
			return;
		}
		if (k == 'h') {
			snprintf(out, len, "HELP");
			return;
		}
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%d[%s]", k,
				      optarg ? optarg : "-");
	}
	o += (size_t)snprintf(out + o, o < len ? len - o : 0, "|");
	for (int i = optind; i < argc; i++)
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s,", argv[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a1[MAXW + 2], *a2[MAXW + 2], *words[MAXW + 1];
	static char r1[16384], r2[16384];
	int argc = 1, saved, out = -1;
	size_t i = 0;

	if (size > 4096)
		return 0;
	a1[0] = a2[0] = (char *)"pmemctl";
	while (i < size && argc <= MAXW) {
		const uint8_t *z = memchr(data + i, 0, size - i);
		size_t l = z ? (size_t)(z - (data + i)) : size - i;
		char *w = malloc(l + 1);

		if (!w)
			abort();
		memcpy(w, data + i, l);
		w[l] = '\0';
		words[argc - 1] = w;
		a1[argc] = a2[argc] = w;
		argc++;
		i += l + 1;
	}
	a1[argc] = a2[argc] = NULL;
	/* the parsers' messages and --help go to stdout/stderr: not wanted */
	fflush(stdout);
	fflush(stderr);
	saved = dup(2);
	out = dup(1);
	freopen("/dev/null", "w", stderr);
	freopen("/dev/null", "w", stdout);
	ours(argc, a1, r1, sizeof(r1));
	glibc(argc, a2, r2, sizeof(r2));
	fflush(stdout);
	fflush(stderr);
	dup2(saved, 2);
	dup2(out, 1);
	close(saved);
	close(out);
	if (strcmp(r1, r2)) {
		fprintf(stderr, "ctl_options_fuzz: tools/options.c and getopt_long differ\n"
			"  options.c:   %s\n  getopt_long: %s\n", r1, r2);
		abort();
	}
	for (int k = 0; k < argc - 1; k++)
		free(words[k]);
	return 0;
}
