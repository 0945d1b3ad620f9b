/* SPDX-License-Identifier: MIT */
/*
 * pmemctl: the ndctl-like CLI. Shared pieces of the commands: messages on
 * stderr in one format, exit codes, and the command functions.
 */
#ifndef PMEMCTL_H
#define PMEMCTL_H

#include <stdarg.h>

#include "msg.h"

/*
 * The region's media errors (sidecar); a stale sidecar (another region
 * file's) is reported as a warning and read as none.
 */
struct ns_region;
struct ctl_badblocks;
int ctl_bb_load_tool(const struct ns_region *r, struct ctl_badblocks *bb);

int cmd_create_region(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_create_namespace(int argc, char **argv);
int cmd_destroy_namespace(int argc, char **argv);
int cmd_rename_namespace(int argc, char **argv);
int cmd_enable_namespace(int argc, char **argv);
int cmd_disable_namespace(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_read_labels(int argc, char **argv);
int cmd_check_labels(int argc, char **argv);
int cmd_init_labels(int argc, char **argv);
int cmd_zero_labels(int argc, char **argv);
int cmd_power_fail(int argc, char **argv);
int cmd_crash_test(int argc, char **argv);
int cmd_inject_error(int argc, char **argv);
int cmd_clear_errors(int argc, char **argv);
int cmd_move_region(int argc, char **argv);

#endif
