/* SPDX-License-Identifier: MIT */
/* Option tables -> getopt_long, --help text, and usage errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "options.h"
#include "pmemctl.h"
#include "util.h"

#define CTL_KEY_HELP 'h'

static const char ctl_exit_codes_head[] =
	"  0    success\n"
	"  129  usage error: unknown option, missing option or value, extra argument\n";

static const char ctl_exit_codes_tail[] =
	"  N    otherwise (-errno) & 0xff of the failure, as ndctl: EINVAL 234\n"
	"       (bad option value, e.g. a size that does not parse), ENOENT 254,\n"
	"       EBUSY 240 (region locked by another process, namespace in use),\n"
	"       ENOSPC 228, EEXIST 239, ENXIO 250 (no label area), EACCES 243,\n"
	"       EPERM 255, ECONNREFUSED 145 (no daemon answers)\n";

void ctl_exit_codes_print(FILE *f)
{
	fputs(ctl_exit_codes_head, f);
	fputs(ctl_exit_codes_tail, f);
}

void ctl_parser_init(struct ctl_parser *p, const struct ctl_usage *u,
		     const struct ctl_opt *opts)
{
	char *s = p->shortopts;
	unsigned n = 0;

	memset(p, 0, sizeof(*p));
	p->usage = u;
	p->opts = opts;
	/* leading ':' makes getopt report a missing value as ':' */
	*s++ = ':';
	for (const struct ctl_opt *o = opts; o->name; o++, n++) {
		if (n == CTL_MAX_OPTS)
			break;	/* a programming error; caught by the tests' --help runs */
		p->longopts[n] = (struct option){ o->name, o->has_arg, NULL, o->key };
		if (o->key < CTL_OPT_LONG) {
			*s++ = (char)o->key;
			if (o->has_arg == required_argument)
				*s++ = ':';
		}
	}
	p->longopts[n++] = (struct option){ "help", no_argument, NULL, CTL_KEY_HELP };
	p->longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	*s++ = 'h';
	*s = '\0';
	optind = 1;
	opterr = 0;
}

static const struct ctl_opt *ctl_opt_find(const struct ctl_parser *p, int key)
{
	for (const struct ctl_opt *o = p->opts; o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

static void ctl_usage_line(const struct ctl_parser *p, FILE *f)
{
	fprintf(f, "usage: pmemctl %s %s\n", p->usage->name, p->usage->args);
}

int ctl_usage_error(const struct ctl_parser *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pmemctl %s: ", p->usage->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ctl_usage_line(p, stderr);
	fprintf(stderr, "(pmemctl %s --help for the options)\n", p->usage->name);
	return CTL_EXIT_USAGE;
}

int ctl_parser_next(struct ctl_parser *p, int argc, char **argv)
{
	int c, longidx = -1;
	const struct ctl_opt *o;

	c = getopt_long(argc, argv, p->shortopts, p->longopts, &longidx);
	if (c == -1)
		return CTL_OPTS_DONE;
	if (c == '?') {
		if (optopt && optopt < CTL_OPT_LONG && optopt != '?')
			ctl_usage_error(p, "unknown option '-%c'", optopt);
		else
			ctl_usage_error(p, "unknown option '%s'", argv[optind - 1]);
		return CTL_OPTS_ERROR;
	}
	if (c == ':') {
		o = ctl_opt_find(p, optopt);
		if (o && (optopt >= CTL_OPT_LONG || strncmp(argv[optind - 1], "--", 2) == 0))
			ctl_usage_error(p, "option '--%s' needs a value", o->name);
		else
			ctl_usage_error(p, "option '-%c' needs a value", optopt);
		return CTL_OPTS_ERROR;
	}
	if (c == CTL_KEY_HELP) {
		ctl_usage_print(p);
		return CTL_OPTS_HELP;
	}
	o = ctl_opt_find(p, c);
	p->arg = optarg;
	p->optname = o ? o->name : "?";
	return c;
}

void ctl_usage_print(const struct ctl_parser *p)
{
	const struct ctl_usage *u = p->usage;
	char spell[64];

	ctl_usage_line(p, stdout);
	printf("\n%s\n\noptions:\n", u->about);
	for (const struct ctl_opt *o = p->opts; o->name; o++) {
		if (o->key < CTL_OPT_LONG)
			snprintf(spell, sizeof(spell), "-%c, --%s%s%s", o->key, o->name,
				 o->argname ? " " : "", o->argname ? o->argname : "");
		else
			snprintf(spell, sizeof(spell), "    --%s%s%s", o->name,
				 o->argname ? " " : "", o->argname ? o->argname : "");
		printf("  %-28s %s\n", spell, o->help);
	}
	printf("  %-28s %s\n", "-h, --help", "show this help");
	printf("\nexit codes:\n%s", ctl_exit_codes_head);
	if (u->exits)
		fputs(u->exits, stdout);
	fputs(ctl_exit_codes_tail, stdout);
	printf("\nSIZE: bytes, or a number with k/m/g/t (powers of 1024), e.g. 4G, 512MiB\n");
}

int ctl_opt_size(const struct ctl_parser *p, uint64_t *out)
{
	int rc = ns_parse_size(p->arg, out);

	if (rc < 0) {
		ctl_fail(-EINVAL, "bad value for --%s '%s'", p->optname, p->arg);
		return -EINVAL;
	}
	return 0;
}

int ctl_parse_label_version(const struct ctl_parser *p, unsigned *minor)
{
	if (strcmp(p->arg, "1.1") == 0) {
		*minor = 1;
	} else if (strcmp(p->arg, "1.2") == 0) {
		*minor = 2;
	} else {
		ctl_fail_msg(-EINVAL, "bad value for --%s '%s': use 1.1 or 1.2",
			     p->optname, p->arg);
		return -EINVAL;
	}
	return 0;
}
