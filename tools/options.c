/* SPDX-License-Identifier: MIT */
/* Option tables -> the command-line parser, --help text, and usage errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ns/error.h"
#include "tools/options.h"
#include "tools/msg.h"
#include "ns/util.h"

#define PC_KEY_HELP 'h'

static const char pc_exit_codes_head[] =
	"  0    success\n"
	"  129  usage error: unknown option, missing option or value, extra argument\n";

/* what a command's --help says of the codes every command shares */
static const char pc_exit_codes_pointer[] =
	"  Any other failure exits (-errno) & 0xff: pmemctl --help and pmemctl(8)\n"
	"  list the common ones.\n";

static const char pc_exit_codes_tail[] =
	"  N    otherwise (-errno) & 0xff of the failure, as ndctl: EINVAL 234\n"
	"       (bad option value, e.g. a size that does not parse), ENOENT 254,\n"
	"       EBUSY 240 (region locked by another process, namespace in use),\n"
	"       ENOSPC 228, EEXIST 239, ENXIO 250 (no label area), EACCES 243,\n"
	"       EPERM 255, ECONNREFUSED 145 (no daemon answers)\n";

void pc_exit_codes_print(FILE *f)
{
	fputs(pc_exit_codes_head, f);
	fputs(pc_exit_codes_tail, f);
}

void pc_parser_init(struct pc_parser *p, const struct pc_usage *u,
		     const struct pc_opt *opts)
{
	memset(p, 0, sizeof(*p));
	p->usage = u;
	p->opts = opts;
	p->next = 1;
	p->first_arg = 1;
	optind = 1;
}

/* every command takes -h/--help */
static const struct pc_opt pc_opt_help = {
	.name = "help", .key = PC_KEY_HELP, .has_arg = no_argument, .help = "show this help",
};

/* each entry of the table, then --help */
static const struct pc_opt *pc_opt_iter(const struct pc_parser *p,
					  const struct pc_opt *o)
{
	if (!o)
		return p->opts->name ? p->opts : &pc_opt_help;
	if (o == &pc_opt_help)
		return NULL;
	o++;
	return o->name ? o : &pc_opt_help;
}

static void pc_usage_line(const struct pc_parser *p, FILE *f)
{
	fprintf(f, "usage: pmemctl %s %s\n", p->usage->name, p->usage->args);
}

int pc_usage_error(const struct pc_parser *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pmemctl %s: ", p->usage->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pc_usage_line(p, stderr);
	fprintf(stderr, "(pmemctl %s --help for the options)\n", p->usage->name);
	return PC_EXIT_USAGE;
}

/*
 * argv[first_arg, next) holds the positional arguments met so far; the
 * option elements argv[next, end) just parsed move in front of them, so
 * that when parsing ends they follow every option (GNU getopt's
 * permutation) and optind points at the first.
 */
static void pc_parser_rotate(struct pc_parser *p, char **argv, int end)
{
	for (int i = p->next; i < end; i++) {
		char *a = argv[i];

		memmove(&argv[p->first_arg + 1], &argv[p->first_arg],
			(size_t)(i - p->first_arg) * sizeof(*argv));
		argv[p->first_arg++] = a;
	}
	p->next = end;
}

/*
 * A long option "--name" or "--name=value": the entry whose name is name,
 * else the only one (not hidden) that name abbreviates. An abbreviation
 * of several is ambiguous: the message names them all.
 */
static const struct pc_opt *pc_parser_long(const struct pc_parser *p, const char *name,
					     size_t len)
{
	const struct pc_opt *o, *found = NULL;
	unsigned n = 0;
	char cands[512] = "";
	size_t used = 0;

	if (!len) {	/* "--=x" abbreviates nothing */
		pc_usage_error(p, "unknown option '--%s'", name);
		return NULL;
	}
	for (o = pc_opt_iter(p, NULL); o; o = pc_opt_iter(p, o))
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	for (o = pc_opt_iter(p, NULL); o; o = pc_opt_iter(p, o)) {
		if (strncmp(o->name, name, len) || !o->help)
			continue;
		if (!found || found->key != o->key)
			n++;
		found = found ? found : o;
		if (used < sizeof(cands))
			used += (size_t)snprintf(cands + used, sizeof(cands) - used, "%s--%s",
						 used ? ", " : "", o->name);
	}
	if (n == 1)
		return found;
	if (n > 1)
		pc_usage_error(p, "option '--%.*s' is ambiguous: %s", (int)len, name, cands);
	else
		pc_usage_error(p, "unknown option '--%.*s'", (int)len, name);
	return NULL;
}

int pc_parser_next(struct pc_parser *p, int argc, char **argv)
{
	const struct pc_opt *o;
	const char *a;

	p->arg = NULL;
	if (!p->cluster) {
		/* skip positional arguments; "--" ends the options */
		while (p->next < argc && (argv[p->next][0] != '-' || !argv[p->next][1]))
			p->next++;
		if (p->next >= argc) {
			optind = p->first_arg;
			return PC_OPTS_DONE;
		}
		if (!strcmp(argv[p->next], "--")) {
			pc_parser_rotate(p, argv, p->next + 1);
			optind = p->first_arg;
			return PC_OPTS_DONE;
		}
		a = argv[p->next];
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = pc_parser_long(p, a + 2, len);
			if (!o)
				return PC_OPTS_ERROR;
			p->optname = o->name;
			if (o->has_arg == no_argument && eq) {
				pc_usage_error(p, "option '--%s' takes no value (given '%s')",
						o->name, a);
				return PC_OPTS_ERROR;
			}
			if (o->has_arg == required_argument && !eq) {
				if (p->next + 1 >= argc) {
					pc_usage_error(p, "option '--%s' needs a value", o->name);
					return PC_OPTS_ERROR;
				}
				p->arg = argv[p->next + 1];
				pc_parser_rotate(p, argv, p->next + 2);
			} else if (o->has_arg == optional_argument && !eq &&
				   p->next + 1 < argc && argv[p->next + 1][0] >= '0' &&
				   argv[p->next + 1][0] <= '9') {
				/* an optional number may be the next word: "--watch 2" */
				p->arg = argv[p->next + 1];
				pc_parser_rotate(p, argv, p->next + 2);
			} else {
				p->arg = eq ? eq + 1 : NULL;
				pc_parser_rotate(p, argv, p->next + 1);
			}
			goto found;
		}
		p->cluster = a + 1;
	}
	/* a short option, maybe one of a cluster "-iu" or with its value "-s4G" */
	o = NULL;
	for (const struct pc_opt *q = pc_opt_iter(p, NULL); q; q = pc_opt_iter(p, q))
		if (q->key == (unsigned char)*p->cluster) {
			o = q;
			break;
		}
	if (!o) {
		pc_usage_error(p, "unknown option '-%c'", *p->cluster);
		return PC_OPTS_ERROR;
	}
	p->optname = o->name;
	p->cluster++;
	if (o->has_arg == required_argument) {
		if (*p->cluster) {
			p->arg = p->cluster;
			pc_parser_rotate(p, argv, p->next + 1);
		} else if (p->next + 1 < argc) {
			p->arg = argv[p->next + 1];
			pc_parser_rotate(p, argv, p->next + 2);
		} else {
			pc_usage_error(p, "option '-%c' needs a value", o->key);
			return PC_OPTS_ERROR;
		}
		p->cluster = NULL;
	} else if (!*p->cluster) {
		pc_parser_rotate(p, argv, p->next + 1);
		p->cluster = NULL;
	}
found:
	if (o->key == PC_KEY_HELP) {
		pc_usage_print(p);
		return PC_OPTS_HELP;
	}
	return o->key;
}

void pc_usage_print(const struct pc_parser *p)
{
	const struct pc_usage *u = p->usage;
	char spell[64], sizes[64] = "";
	size_t n = 0;

	pc_usage_line(p, stdout);
	printf("\n%s\n\noptions:\n", u->about);
	for (const struct pc_opt *o = pc_opt_iter(p, NULL); o; o = pc_opt_iter(p, o)) {
		if (!o->help)
			continue;
		if (o->key < PC_OPT_LONG)
			snprintf(spell, sizeof(spell), "-%c, --%s%s%s", o->key, o->name,
				 o->argname ? " " : "", o->argname ? o->argname : "");
		else
			snprintf(spell, sizeof(spell), "    --%s%s%s", o->name,
				 o->argname ? " " : "", o->argname ? o->argname : "");
		printf("  %-28s %s\n", spell, o->help);
		/* "SIZE, ALIGN": the value names that take k/m/g/t, each once */
		if (o->argname && (!strcmp(o->argname, "SIZE") || !strcmp(o->argname, "BYTES"))) {
			size_t l = strlen(o->argname);
			const char *at = strstr(sizes, o->argname);

			if (!(at && (at[l] == '\0' || at[l] == ',')) && n + l + 3 < sizeof(sizes))
				n += (size_t)sprintf(sizes + n, "%s%s", n ? ", " : "", o->argname);
		}
	}
	printf("\nexit codes:\n%s", pc_exit_codes_head);
	if (u->exits)
		fputs(u->exits, stdout);
	fputs(pc_exit_codes_pointer, stdout);
	if (n)
		printf("\n%s: bytes, or a number with k/m/g/t (powers of 1024), e.g. 4G, 512MiB\n",
		       sizes);
}

int pc_opt_size(const struct pc_parser *p, uint64_t *out)
{
	int rc = ns_parse_size(p->arg, out);

	if (rc < 0) {
		pc_fail(-EINVAL, "bad value for --%s '%s'", p->optname, p->arg);
		return -EINVAL;
	}
	return 0;
}
