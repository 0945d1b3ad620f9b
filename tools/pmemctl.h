/* SPDX-License-Identifier: MIT */
/*
 * pmemctl: the ndctl-like CLI. Shared pieces of the commands: messages on
 * stderr in one format, exit codes, and the command functions.
 */
#ifndef PMEMCTL_H
#define PMEMCTL_H

#include <stdarg.h>

#include "tools/msg.h"

/*
 * The region's media errors (sidecar); a stale sidecar (another region
 * file's) is reported as a warning and read as none.
 */
struct ns_region;
struct ns_badblocks;
int pc_bb_load_tool(const struct ns_region *r, struct ns_badblocks *bb);

#endif
