/* SPDX-License-Identifier: MIT */
/*
 * A pmemctl command as data: its options bound to the fields of its own
 * struct, its usage, and its online and/or offline function. The table
 * of commands with their mode (ONLINE, OFFLINE, BOTH) is in pmemctl.c,
 * whose dispatcher parses the options, refuses the wrong mode and opens
 * the target: a command function gets its filled struct (beginning with
 * its struct pc_target when it has one) and its positional arguments.
 */
#ifndef PMEMCTL_COMMAND_H
#define PMEMCTL_COMMAND_H

#include <stddef.h>

#include "tools/options.h"
#include "tools/target.h"

enum pc_mode {
	PC_LOCAL,	/* no region target (create-region makes a file) */
	PC_ONLINE,	/* a daemon's only: --file refused (ENOTSUP 161) */
	PC_OFFLINE,	/* an unmounted region file's only: --file needed */
	PC_BOTH,	/* --file offline, else online */
};

struct pc_args {
	const struct pc_parser *p;	/* for usage errors */
	int argc;			/* the positional arguments */
	char **argv;
	int nrest;			/* PC_CMD_DASHDASH: the words after "--" */
	char **rest;			/* NULL: there was no "--" */
};

/* options end at the first "--"; what follows is the command's (crash-test) */
#define PC_CMD_DASHDASH 1u

struct pc_command {
	const struct pc_usage *usage;
	const struct pc_opt *opts;
	size_t size;			/* of the struct the options fill */
	const void *defaults;		/* its initial value (NULL: zeroes) */
	unsigned flags;
	/* positional arguments and option combinations: 0 or an exit code */
	int (*check)(void *o, const struct pc_args *a);
	/* the command in each mode, the target checked: 0 or an exit code */
	int (*online)(void *o, const struct pc_args *a);
	int (*offline)(void *o, const struct pc_args *a);
	/* instead of both: a command that picks its targets itself (list) */
	int (*run)(void *o, const struct pc_args *a);
};

/* the struct of a command with only the target options */
struct pc_target_cmd {
	struct pc_target t;
};

/* a check for commands that take no positional argument */
int pc_args_none(void *o, const struct pc_args *a);

extern const struct pc_command create_region_cmd, list_cmd, move_region_cmd;
extern const struct pc_command convert_region_cmd;
extern const struct pc_command create_namespace_cmd, destroy_namespace_cmd,
	rename_namespace_cmd, enable_namespace_cmd, disable_namespace_cmd, stats_cmd;
extern const struct pc_command read_labels_cmd, check_labels_cmd, init_labels_cmd,
	zero_labels_cmd;
extern const struct pc_command power_fail_cmd, crash_test_cmd, inject_error_cmd,
	clear_errors_cmd;

#endif
