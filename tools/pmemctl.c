/* SPDX-License-Identifier: MIT */
/*
 * pmemctl: manage pmemfs regions and namespaces, ndctl style.
 *   pmemctl <command> [options]
 * The command table maps names to functions; each command parses its own
 * options (options.h) and reaches its region through target.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "options.h"
#include "pmemctl.h"

struct ctl_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct ctl_command ctl_commands[] = {
	{ "create-region", cmd_create_region, "create a region file with an empty label area" },
	{ "list", cmd_list, "list regions and namespaces as JSON" },
	{ "create-namespace", cmd_create_namespace, "create a namespace in a region" },
	{ "destroy-namespace", cmd_destroy_namespace, "destroy namespaces (zeroes their first 8 KiB)" },
	{ "rename-namespace", cmd_rename_namespace, "give a namespace a new name" },
	{ "enable-namespace", cmd_enable_namespace, "serve a disabled namespace again (online only)" },
	{ "disable-namespace", cmd_disable_namespace, "stop serving a namespace (online only)" },
	{ "read-labels", cmd_read_labels, "dump the label area, raw or as JSON (-j)" },
	{ "check-labels", cmd_check_labels, "validate the index blocks and every label" },
	{ "init-labels", cmd_init_labels, "write a fresh, empty label area" },
	{ "zero-labels", cmd_zero_labels, "zero the whole label area (offline only)" },
	{ "stats", cmd_stats, "per-namespace I/O counters as JSON (online only)" },
	{ "power-fail", cmd_power_fail, "crash testing: pull the plug on a namespace (online only)" },
	{ "crash-test", cmd_crash_test, "crash an application repeatedly and check its data" },
	{ "inject-error", cmd_inject_error, "make a range of a namespace fail like poisoned pmem" },
	{ "clear-errors", cmd_clear_errors, "clear the injected media errors of namespaces" },
	{ "move-region", cmd_move_region, "move a region to another QEMU nvdimm slot (its labels' cookie)" },
};

#define CTL_NCOMMANDS (sizeof(ctl_commands) / sizeof(ctl_commands[0]))

/* edit distance of a and b (insert, delete, replace, swap of neighbours) */
static size_t ctl_distance(const char *a, const char *b)
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
static void ctl_suggest_command(const char *cmd)
{
	const char *pick[CTL_NCOMMANDS];
	size_t n = 0;

	for (size_t i = 0; i < CTL_NCOMMANDS; i++)
		if (ctl_distance(cmd, ctl_commands[i].name) <= 2 ||
		    (strlen(cmd) >= 3 &&
		     !strncmp(cmd, ctl_commands[i].name, strlen(cmd))))
			pick[n++] = ctl_commands[i].name;
	if (!n)
		return;
	fprintf(stderr, "did you mean %s", n > 1 ? "one of these?\n" : "this?\n");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "\t%s\n", pick[i]);
}

static void ctl_main_usage(FILE *f)
{
	fprintf(f, "usage: pmemctl [--version] [--help] <command> [options]\n\n"
		   "commands:\n");
	for (size_t i = 0; i < CTL_NCOMMANDS; i++)
		fprintf(f, "  %-19s %s\n", ctl_commands[i].name, ctl_commands[i].summary);
	fprintf(f, "\nOnline (the default), commands go to the daemon of a pmemfs mount:\n"
		   "the only one mounted, or --mount DIR, or --socket PATH. Offline they\n"
		   "work on an unmounted region file: --file PATH.\n"
		   "'pmemctl <command> --help' shows a command's options and exit codes.\n"
		   "\nexit codes:\n");
	ctl_exit_codes_print(f);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		ctl_main_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			/* "pmemctl help <cmd>" = "pmemctl <cmd> --help" */
			char *hargv[] = { argv[2], (char *)"--help", NULL };

			for (size_t i = 0; i < CTL_NCOMMANDS; i++)
				if (strcmp(argv[2], ctl_commands[i].name) == 0) {
					ctl_cmdname = ctl_commands[i].name;
					return ctl_commands[i].fn(2, hargv);
				}
		}
		ctl_main_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0 ||
	    strcmp(cmd, "version") == 0) {
		printf("%s\n", PMEMFS_VERSION);
		return 0;
	}
	for (size_t i = 0; i < CTL_NCOMMANDS; i++) {
		if (strcmp(cmd, ctl_commands[i].name) == 0) {
			ctl_cmdname = ctl_commands[i].name;
			return ctl_commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "pmemctl: unknown command '%s'\n", cmd);
	ctl_suggest_command(cmd);
	fprintf(stderr, "(pmemctl --help lists the commands)\n");
	return CTL_EXIT_USAGE;
}
