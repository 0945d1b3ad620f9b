/* SPDX-License-Identifier: MIT */
/*
 * Per-command option tables for pmemctl (in the spirit of git's
 * parse-options): each command describes its options once, in a table of
 * struct ctl_opt, and that one table drives the parser and the --help
 * text. Values go into a struct local to the command.
 */
#ifndef PMEMCTL_OPTIONS_H
#define PMEMCTL_OPTIONS_H

#include <getopt.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* exit code of a malformed command line (ndctl's, git's) */
#define CTL_EXIT_USAGE 129

/* keys of long-only options start here (past every short option letter) */
#define CTL_OPT_LONG 256

struct ctl_parser;

struct ctl_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short letter, or CTL_OPT_LONG + n for long-only */
	int has_arg;		/* no_argument, required_argument, or optional_argument
				   (--opt=VALUE, or a number as the next word: "--watch 2") */
	/*
	 * shown in --help; "SIZE" or "BYTES" for a value parsed with
	 * ctl_opt_size(), whose suffixes --help then explains
	 */
	const char *argname;
	/*
	 * NULL: a hidden option, accepted by its full name only but not shown
	 * in --help (nor in the man page or completion): an option of the
	 * other mode that the command refuses with a clearer message than
	 * "unknown option" (--file of an online-only command)
	 */
	const char *help;

	/*
	 * The binding (ctl_opts_parse, tools/bind.c): what the option does
	 * to the command's struct, at the field off bytes into it. Left
	 * out (CTL_OPT_KEY), the parser only returns the key.
	 */
	enum ctl_opt_type {
		CTL_OPT_KEY,		/* nothing bound */
		CTL_OPT_BOOL,		/* bool = true */
		CTL_OPT_COUNTER,	/* unsigned += 1 */
		CTL_OPT_BIT,		/* uint32_t |= val */
		CTL_OPT_STRING,		/* const char * = the value */
		CTL_OPT_SIZE,		/* uint64_t = ctl_opt_size() of the value */
		CTL_OPT_U32,		/* uint32_t / uint64_t = a number in */
		CTL_OPT_U64,		/*   [min, max], else "bad value ...: hint" */
		CTL_OPT_CHOICE,		/* unsigned = the val of the choice named */
		CTL_OPT_CALLBACK,	/* cb(parser, option, field) */
	} type;
	size_t off;
	uint64_t val, min, max;		/* BIT; U32, U64 */
	const char *hint;		/* U32, U64, CHOICE: what a good value is */
	const struct ctl_choice *choices;	/* CHOICE: ends with { NULL } */
	/* CALLBACK: 0, or a negative errno with its message printed */
	int (*cb)(const struct ctl_parser *p, const struct ctl_opt *o, void *field);
};

struct ctl_choice {
	const char *name;
	unsigned val;
};

/*
 * Table entries bound to a field of the command's struct, in the manner
 * of ndctl's util/parse-options.h (OPT_BOOLEAN, OPT_STRING, OPT_U64,
 * OPT_CALLBACK): define CTL_OPTS_OF as the struct type before the table.
 * Short is a letter, or CTL_OPT_LONG + n for a long-only option.
 */
/* -V/--label-version: 1.1 and 1.2, minor 1 and 2 ("use 1.1 or 1.2") */
extern const struct ctl_choice ctl_label_versions[];

#define CTL_OFF(field) offsetof(CTL_OPTS_OF, field)
#define OPT_BOOL(l, s, field, h) \
	{ l, s, no_argument, NULL, h, .type = CTL_OPT_BOOL, .off = CTL_OFF(field) }
#define OPT_COUNTER(l, s, field, h) \
	{ l, s, no_argument, NULL, h, .type = CTL_OPT_COUNTER, .off = CTL_OFF(field) }
#define OPT_BIT(l, s, field, bit, h) \
	{ l, s, no_argument, NULL, h, .type = CTL_OPT_BIT, .off = CTL_OFF(field), .val = (bit) }
#define OPT_STRING(l, s, field, arg, h) \
	{ l, s, required_argument, arg, h, .type = CTL_OPT_STRING, .off = CTL_OFF(field) }
#define OPT_SIZE(l, s, field, arg, h) \
	{ l, s, required_argument, arg, h, .type = CTL_OPT_SIZE, .off = CTL_OFF(field) }
#define OPT_U32(l, s, field, arg, h, lo, hi, why) \
	{ l, s, required_argument, arg, h, .type = CTL_OPT_U32, .off = CTL_OFF(field), \
	  .min = (lo), .max = (hi), .hint = why }
#define OPT_U64(l, s, field, arg, h, lo, hi, why) \
	{ l, s, required_argument, arg, h, .type = CTL_OPT_U64, .off = CTL_OFF(field), \
	  .min = (lo), .max = (hi), .hint = why }
#define OPT_CHOICE(l, s, field, arg, h, list, why) \
	{ l, s, required_argument, arg, h, .type = CTL_OPT_CHOICE, .off = CTL_OFF(field), \
	  .choices = list, .hint = why }
#define OPT_CALLBACK(l, s, has, field, arg, h, fn) \
	{ l, s, has, arg, h, .type = CTL_OPT_CALLBACK, .off = CTL_OFF(field), .cb = fn }
#define OPT_END { 0 }

/* What `pmemctl <cmd> --help` prints besides the option table. */
struct ctl_usage {
	const char *name;	/* "create-namespace" */
	const char *args;	/* after the command name: "--file PATH -s SIZE [options]" */
	const char *about;	/* one paragraph: what the command does */
	/*
	 * The exit codes the command can return besides 0 and 129, one
	 * "  N    why\n" a line (continued with 7 spaces); --help adds a
	 * pointer to pmemctl --help for the codes every command shares.
	 */
	const char *exits;
};

struct ctl_parser {
	const struct ctl_usage *usage;
	const struct ctl_opt *opts;	/* terminated by a { NULL } entry */
	const char *arg;		/* the current option's value */
	const char *optname;		/* the current option's long name, for messages */
	/* parser state */
	int next;			/* the next element of argv to look at */
	int first_arg;			/* the positional arguments met: argv[first_arg, next) */
	const char *cluster;		/* the rest of "-abc" after an option letter */
	uint64_t seen;			/* ctl_opts_parse: the entries given, by index */
};

/* ctl_parser_next() results besides an option key */
enum {
	CTL_OPTS_DONE = -1,	/* no more options; positional args from optind */
	CTL_OPTS_HELP = -2,	/* --help printed: exit 0 */
	CTL_OPTS_ERROR = -3,	/* message printed: exit CTL_EXIT_USAGE */
};

void ctl_parser_init(struct ctl_parser *p, const struct ctl_usage *u,
		     const struct ctl_opt *opts);

/*
 * The next option of argv, as GNU getopt_long parses it: "-s 4G", "-s4G",
 * "-iu", "--size 4G", "--size=4G", a long name abbreviated to any unique
 * prefix ("--lab" for --label-size), "--" ending the options, and
 * permutation, so options may follow positional arguments: when it returns
 * CTL_OPTS_DONE, argv[optind, argc) are the positional arguments in their
 * order. Returns the option's key with p->arg set, or one of CTL_OPTS_*.
 * Mistakes are reported in the spelling the user typed, with the usage
 * line: "unknown option '--x'" or "'-x'", "option '--reg' is ambiguous:
 * --region, --regions", "option '--human' takes no value (given
 * '--hum=1')", "option '--size' needs a value" (or '-s').
 */
int ctl_parser_next(struct ctl_parser *p, int argc, char **argv);

/* Print the full help of the command to stdout. */
void ctl_usage_print(const struct ctl_parser *p);

/*
 * Report a malformed command line ("missing --size", "unexpected argument
 * 'x'") with the usage line; returns CTL_EXIT_USAGE.
 */
int ctl_usage_error(const struct ctl_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parse a SIZE value of option p->optname with ns_parse_size. A value that
 * is not a size is a bad value of a valid option, not a malformed command
 * line: message and -EINVAL (exit 234). Returns 0 or -EINVAL.
 */
int ctl_opt_size(const struct ctl_parser *p, uint64_t *out);

/*
 * Parse argv's options into obj as the table binds them (each value
 * checked when met, as ndctl and git do: the first bad one is reported).
 * Returns CTL_OPTS_DONE (positional arguments from optind), or an exit
 * code: 0 after --help, CTL_EXIT_USAGE, or a bad value's (234).
 */
int ctl_opts_parse(struct ctl_parser *p, int argc, char **argv, void *obj);

/* The option with this key was given (after ctl_opts_parse). */
bool ctl_opt_given(const struct ctl_parser *p, int key);

/* The exit codes every command shares, one "  N  why" a line. */
void ctl_exit_codes_print(FILE *f);

#endif
