/* SPDX-License-Identifier: MIT */
/*
 * Where a command's region comes from: the one seam between the commands
 * and their region source. Offline (now) it is a region file given with
 * --file and opened with the core; online (later) the same commands will
 * reach a running daemon through its control socket, chosen here and
 * nowhere else.
 */
#ifndef PMEMCTL_TARGET_H
#define PMEMCTL_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "options.h"

struct ns_region;

struct ctl_target {
	const char *file;	/* --file PATH: the region file (offline) */
	const char *region;	/* -r/--region: region0, 0 or all */
	uint64_t label_size;	/* --label-size: skip probing (0: probe) */
};

/* keys of the target options (long-only ones) */
enum {
	CTL_KEY_FILE = CTL_OPT_LONG + 100,
	CTL_KEY_LABEL_SIZE,
};

/* The option table entries every region command takes. */
#define CTL_TARGET_OPTS \
	{ "file", CTL_KEY_FILE, required_argument, "PATH", \
	  "the region file to work on (offline mode)" }, \
	{ "region", 'r', required_argument, "REGION", \
	  "region0 (offline, the file is region0), 0 or all" }, \
	{ "label-size", CTL_KEY_LABEL_SIZE, required_argument, "SIZE", \
	  "size of the label area at the end of the file (default: probe)" }

/*
 * Handle a target option if key is one: returns 1 when consumed, 0 when
 * key is not a target option, or a negative code (bad value, message
 * printed).
 */
int ctl_target_opt(struct ctl_target *t, const struct ctl_parser *p, int key);

/*
 * Check that the command has a region to work on. Without --file:
 * "no region file given: use --file PATH" and CTL_EXIT_USAGE (the daemon
 * is not reachable from this CLI yet). A --region that names another
 * region than the file's: ENOENT. Returns 0 or an exit code.
 */
int ctl_target_check(const struct ctl_target *t, const struct ctl_parser *p);

enum ctl_open_mode {
	CTL_OPEN_READ,		/* NS_REGION_RDONLY: no lock, no change */
	CTL_OPEN_WRITE,		/* locked: one writer at a time */
	CTL_OPEN_WRITE_NOLABELS,/* locked, and a missing label area is fine */
};

/*
 * Open the target's region. Errors are reported (naming the file) and
 * returned as an exit code; 0 on success.
 */
int ctl_target_open(const struct ctl_target *t, enum ctl_open_mode mode,
		    struct ns_region **out);

#endif
