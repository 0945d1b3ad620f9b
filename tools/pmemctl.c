/* SPDX-License-Identifier: MIT */
/*
 * pmemctl: manage pmemfs regions and namespaces, ndctl style.
 *   pmemctl <command> [options]
 * The command table maps names to commands (command.h) and says which
 * mode each has; pc_dispatch() parses a command's options into its
 * struct, picks online or offline, and runs it.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ns/error.h"
#include "tools/options.h"
#include "tools/command.h"
#include "tools/msg.h"
#include "tools/target.h"

/*
 * The commands, as git's commands[]: name, mode (which of online and
 * offline the command has: pc_dispatch() refuses the other, opens the
 * target and calls the command's function for the mode), definition.
 */
struct pc_command_row {
	const char *name;
	enum pc_mode mode;
	const struct pc_command *cmd;
	const char *summary;
};

static const struct pc_command_row pc_commands[] = {
	{ "create-region", PC_LOCAL, &create_region_cmd, "create a region file with an empty label area" },
	{ "list", PC_BOTH, &list_cmd, "list regions and namespaces as JSON" },
	{ "create-namespace", PC_BOTH, &create_namespace_cmd, "create a namespace in a region" },
	{ "destroy-namespace", PC_BOTH, &destroy_namespace_cmd, "destroy namespaces (zeroes their first 8 KiB)" },
	{ "rename-namespace", PC_BOTH, &rename_namespace_cmd, "give a namespace a new name" },
	{ "enable-namespace", PC_ONLINE, &enable_namespace_cmd, "serve a disabled namespace again (online only)" },
	{ "disable-namespace", PC_ONLINE, &disable_namespace_cmd, "stop serving a namespace (online only)" },
	{ "read-labels", PC_BOTH, &read_labels_cmd, "dump the label area, raw or as JSON (-j)" },
	{ "check-labels", PC_BOTH, &check_labels_cmd, "validate the index blocks and every label" },
	{ "init-labels", PC_BOTH, &init_labels_cmd, "write a fresh, empty label area" },
	{ "zero-labels", PC_OFFLINE, &zero_labels_cmd, "zero the whole label area (offline only)" },
	{ "stats", PC_ONLINE, &stats_cmd, "per-namespace I/O counters as JSON (online only)" },
	{ "power-fail", PC_ONLINE, &power_fail_cmd, "crash testing: pull the plug on a namespace (online only)" },
	{ "crash-test", PC_ONLINE, &crash_test_cmd, "crash an application repeatedly and check its data" },
	{ "inject-error", PC_BOTH, &inject_error_cmd, "make a range of a namespace fail like poisoned pmem" },
	{ "clear-errors", PC_BOTH, &clear_errors_cmd, "clear the injected media errors of namespaces" },
	{ "move-region", PC_BOTH, &move_region_cmd, "move a region to another QEMU nvdimm slot (its labels' cookie)" },
	{ "convert-region", PC_LOCAL, &convert_region_cmd, "convert a region file to a region directory or back (offline)" },
};

#define PC_NCOMMANDS (sizeof(pc_commands) / sizeof(pc_commands[0]))

/*
 * The mode's target for a command of the table: online only, --file is
 * refused ("needs a running pmemfs daemon", ENOTSUP 161); offline only,
 * --file is needed (a usage error saying the command works offline only).
 */
static int pc_pick_mode(const struct pc_command_row *row, struct pc_target *t,
			 const struct pc_parser *p)
{
	switch (row->mode) {
	case PC_ONLINE:
		return pc_target_check_online(t, p);
	case PC_OFFLINE:
		t->offline_only = true;
		if (!t->file)
			return pc_usage_error(p, "no region file given: %s works offline "
					       "only, on an unmounted region: use --file PATH",
					       row->name);
		return pc_target_check(t, p);
	default:
		return pc_target_check(t, p);
	}
}

/* Parse, check, pick the mode, run: the one path of every command. */
static int pc_dispatch(const struct pc_command_row *row, int argc, char **argv)
{
	const struct pc_command *c = row->cmd;
	struct pc_parser p;
	struct pc_args a = { .p = &p };
	struct pc_target *t;
	int end = argc, rc;
	void *o;

	pc_cmdname = row->name;
	if (c->flags & PC_CMD_DASHDASH)
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "--")) {
				end = i;
				break;
			}
	o = calloc(1, c->size);
	if (!o)
		return pc_fail_msg(-ENOMEM, "out of memory");
	if (c->defaults)
		memcpy(o, c->defaults, c->size);
	t = o;
	pc_parser_init(&p, c->usage, c->opts);
	rc = pc_opts_parse(&p, end, argv, o);
	if (rc != PC_OPTS_DONE)
		goto out;
	a.argc = end - optind;
	a.argv = argv + optind;
	if (end < argc) {
		a.rest = argv + end + 1;
		a.nrest = argc - end - 1;
	}
	rc = c->check ? c->check(o, &a) : 0;
	if (rc)
		goto out;
	if (c->run) {
		rc = c->run(o, &a);
		goto out;
	}
	rc = pc_pick_mode(row, t, &p);
	if (rc)
		goto out;
	if (t->online) {
		rc = c->online(o, &a);
		pc_target_close(t);
	} else {
		rc = c->offline(o, &a);
	}
out:
	free(o);
	return rc;
}

/* edit distance of a and b (insert, delete, replace, swap of neighbours) */
static size_t pc_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[32][32];

	if (la >= 32 || lb >= 32)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		for (size_t j = 0; j <= lb; j++) {
			size_t v;

			if (!i || !j) {
				d[i][j] = i + j;
				continue;
			}
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/*
 * "did you mean": the commands within two edits of what was typed, or
 * that begin with it (as git does for a mistyped command)
 */
static void pc_suggest_command(const char *cmd)
{
	const char *pick[PC_NCOMMANDS];
	size_t n = 0;

	for (size_t i = 0; i < PC_NCOMMANDS; i++)
		if (pc_distance(cmd, pc_commands[i].name) <= 2 ||
		    (strlen(cmd) >= 3 &&
		     !strncmp(cmd, pc_commands[i].name, strlen(cmd))))
			pick[n++] = pc_commands[i].name;
	if (!n)
		return;
	fprintf(stderr, "did you mean %s", n > 1 ? "one of these?\n" : "this?\n");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "\t%s\n", pick[i]);
}

static void pc_main_usage(FILE *f)
{
	fprintf(f, "usage: pmemctl [--version] [--help] <command> [options]\n\n"
		   "commands:\n");
	for (size_t i = 0; i < PC_NCOMMANDS; i++)
		fprintf(f, "  %-19s %s\n", pc_commands[i].name, pc_commands[i].summary);
	fprintf(f, "\nOnline (the default), commands go to the daemon of a pmemfs mount:\n"
		   "the only one mounted, or --mount DIR, or --socket PATH. Offline they\n"
		   "work on an unmounted region file: --file PATH.\n"
		   "'pmemctl <command> --help' shows a command's options and exit codes.\n"
		   "\nexit codes:\n");
	pc_exit_codes_print(f);
}

int main(int argc, char **argv)
{
	const char *cmd;

	/*
	 * a file reaching past the file-size limit (ulimit -f) is an error
	 * (EFBIG) the command reports and cleans up after, not the death of
	 * pmemctl with half a region file left
	 */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		pc_main_usage(stderr);
		return PC_EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			/* "pmemctl help <cmd>" = "pmemctl <cmd> --help" */
			char *hargv[] = { argv[2], (char *)"--help", NULL };

			for (size_t i = 0; i < PC_NCOMMANDS; i++)
				if (strcmp(argv[2], pc_commands[i].name) == 0)
					return pc_dispatch(&pc_commands[i], 2, hargv);
		}
		pc_main_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0 ||
	    strcmp(cmd, "version") == 0) {
		printf("%s\n", PMEMFS_VERSION);
		return 0;
	}
	for (size_t i = 0; i < PC_NCOMMANDS; i++) {
		if (strcmp(cmd, pc_commands[i].name) == 0)
			return pc_dispatch(&pc_commands[i], argc - 1, argv + 1);
	}
	fprintf(stderr, "pmemctl: unknown command '%s'\n", cmd);
	pc_suggest_command(cmd);
	fprintf(stderr, "(pmemctl --help lists the commands)\n");
	return PC_EXIT_USAGE;
}
