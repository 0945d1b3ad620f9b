/* SPDX-License-Identifier: MIT */
/*
 * Per-command option tables for pmemctl (in the spirit of git's
 * parse-options): each command describes its options once, in a table of
 * struct pc_opt, and that one table drives the parser and the --help
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
#define PC_EXIT_USAGE 129

/* keys of long-only options start here (past every short option letter) */
#define PC_OPT_LONG 256

struct pc_parser;

struct pc_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short letter, or PC_OPT_LONG + n for long-only */
	int has_arg;		/* no_argument, required_argument, or optional_argument
				   (--opt=VALUE, or a number as the next word: "--watch 2") */
	/*
	 * shown in --help; "SIZE" or "BYTES" for a value parsed with
	 * pc_opt_size(), whose suffixes --help then explains
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
	 * The binding (pc_opts_parse, tools/bind.c): what the option does
	 * to the command's struct, at the field off bytes into it. Left
	 * out (PC_OPT_KEY), the parser only returns the key.
	 */
	enum pc_opt_type {
		PC_OPT_KEY,		/* nothing bound */
		PC_OPT_BOOL,		/* bool = true */
		PC_OPT_COUNTER,	/* unsigned += 1 */
		PC_OPT_BIT,		/* uint32_t |= val */
		PC_OPT_STRING,		/* const char * = the value */
		PC_OPT_SIZE,		/* uint64_t = pc_opt_size() of the value */
		PC_OPT_U32,		/* uint32_t / uint64_t = a number in */
		PC_OPT_U64,		/*   [min, max], else "bad value ...: hint" */
		PC_OPT_CHOICE,		/* unsigned = the val of the choice named */
		PC_OPT_CALLBACK,	/* cb(parser, option, field) */
	} type;
	size_t off;
	uint64_t val, min, max;		/* BIT; U32, U64 */
	const char *hint;		/* U32, U64, CHOICE: what a good value is */
	const struct pc_choice *choices;	/* CHOICE: ends with { NULL } */
	/* CALLBACK: 0, or a negative errno with its message printed */
	int (*cb)(const struct pc_parser *p, const struct pc_opt *o, void *field);
};

struct pc_choice {
	const char *name;
	unsigned val;
};

/*
 * Table entries bound to a field of the command's struct, in the manner
 * of ndctl's util/parse-options.h (OPT_BOOLEAN, OPT_STRING, OPT_U64,
 * OPT_CALLBACK): define PC_OPTS_OF as the struct type before the table.
 * Short is a letter, or PC_OPT_LONG + n for a long-only option.
 */
/* -V/--label-version: 1.1 and 1.2, minor 1 and 2 ("use 1.1 or 1.2") */
extern const struct pc_choice pc_label_versions[];

#define PC_OFF(field) offsetof(PC_OPTS_OF, field)
#define OPT_BOOL(l, s, field, h) \
	{ l, s, no_argument, NULL, h, .type = PC_OPT_BOOL, .off = PC_OFF(field) }
#define OPT_COUNTER(l, s, field, h) \
	{ l, s, no_argument, NULL, h, .type = PC_OPT_COUNTER, .off = PC_OFF(field) }
#define OPT_BIT(l, s, field, bit, h) \
	{ l, s, no_argument, NULL, h, .type = PC_OPT_BIT, .off = PC_OFF(field), .val = (bit) }
#define OPT_STRING(l, s, field, arg, h) \
	{ l, s, required_argument, arg, h, .type = PC_OPT_STRING, .off = PC_OFF(field) }
#define OPT_SIZE(l, s, field, arg, h) \
	{ l, s, required_argument, arg, h, .type = PC_OPT_SIZE, .off = PC_OFF(field) }
#define OPT_U32(l, s, field, arg, h, lo, hi, why) \
	{ l, s, required_argument, arg, h, .type = PC_OPT_U32, .off = PC_OFF(field), \
	  .min = (lo), .max = (hi), .hint = why }
#define OPT_U64(l, s, field, arg, h, lo, hi, why) \
	{ l, s, required_argument, arg, h, .type = PC_OPT_U64, .off = PC_OFF(field), \
	  .min = (lo), .max = (hi), .hint = why }
#define OPT_CHOICE(l, s, field, arg, h, list, why) \
	{ l, s, required_argument, arg, h, .type = PC_OPT_CHOICE, .off = PC_OFF(field), \
	  .choices = list, .hint = why }
#define OPT_CALLBACK(l, s, has, field, arg, h, fn) \
	{ l, s, has, arg, h, .type = PC_OPT_CALLBACK, .off = PC_OFF(field), .cb = fn }
#define OPT_END { 0 }

/* What `pmemctl <cmd> --help` prints besides the option table. */
struct pc_usage {
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

struct pc_parser {
	const struct pc_usage *usage;
	const struct pc_opt *opts;	/* terminated by a { NULL } entry */
	const char *arg;		/* the current option's value */
	const char *optname;		/* the current option's long name, for messages */
	/* parser state */
	int next;			/* the next element of argv to look at */
	int first_arg;			/* the positional arguments met: argv[first_arg, next) */
	const char *cluster;		/* the rest of "-abc" after an option letter */
	uint64_t seen;			/* pc_opts_parse: the entries given, by index */
};

/* pc_parser_next() results besides an option key */
enum {
	PC_OPTS_DONE = -1,	/* no more options; positional args from optind */
	PC_OPTS_HELP = -2,	/* --help printed: exit 0 */
	PC_OPTS_ERROR = -3,	/* message printed: exit PC_EXIT_USAGE */
};

void pc_parser_init(struct pc_parser *p, const struct pc_usage *u,
		     const struct pc_opt *opts);

/*
 * The next option of argv, as GNU getopt_long parses it: "-s 4G", "-s4G",
 * "-iu", "--size 4G", "--size=4G", a long name abbreviated to any unique
 * prefix ("--lab" for --label-size), "--" ending the options, and
 * permutation, so options may follow positional arguments: when it returns
 * PC_OPTS_DONE, argv[optind, argc) are the positional arguments in their
 * order. Returns the option's key with p->arg set, or one of CTL_OPTS_*.
 * Mistakes are reported in the spelling the user typed, with the usage
 * line: "unknown option '--x'" or "'-x'", "option '--reg' is ambiguous:
 * --region, --regions", "option '--human' takes no value (given
 * '--hum=1')", "option '--size' needs a value" (or '-s').
 */
int pc_parser_next(struct pc_parser *p, int argc, char **argv);

/* Print the full help of the command to stdout. */
void pc_usage_print(const struct pc_parser *p);

/*
 * Report a malformed command line ("missing --size", "unexpected argument
 * 'x'") with the usage line; returns PC_EXIT_USAGE.
 */
int pc_usage_error(const struct pc_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parse a SIZE value of option p->optname with ns_parse_size. A value that
 * is not a size is a bad value of a valid option, not a malformed command
 * line: message and -EINVAL (exit 234). Returns 0 or -EINVAL.
 */
int pc_opt_size(const struct pc_parser *p, uint64_t *out);

/*
 * Parse argv's options into obj as the table binds them (each value
 * checked when met, as ndctl and git do: the first bad one is reported).
 * Returns PC_OPTS_DONE (positional arguments from optind), or an exit
 * code: 0 after --help, PC_EXIT_USAGE, or a bad value's (234).
 */
int pc_opts_parse(struct pc_parser *p, int argc, char **argv, void *obj);

/* The option with this key was given (after pc_opts_parse). */
bool pc_opt_given(const struct pc_parser *p, int key);

/* The exit codes every command shares, one "  N  why" a line. */
void pc_exit_codes_print(FILE *f);

#endif
