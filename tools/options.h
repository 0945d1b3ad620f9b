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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* exit code of a malformed command line (ndctl's, git's) */
#define CTL_EXIT_USAGE 129

/* keys of long-only options start here (past every short option letter) */
#define CTL_OPT_LONG 256

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
};

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

/* -V/--label-version 1.1|1.2 -> minor 1|2; 0 or -EINVAL (message printed) */
int ctl_parse_label_version(const struct ctl_parser *p, unsigned *minor);

/* The exit codes every command shares, one "  N  why" a line. */
void ctl_exit_codes_print(FILE *f);

#endif
