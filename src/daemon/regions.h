/* SPDX-License-Identifier: MIT */
/*
 * The region files of the command line, opened (and locked) for the
 * daemon: each error names the file and what to do (a region file another
 * pmemfs serves names that mount; a file with no label area names the
 * pmemctl commands that make one).
 */
#ifndef PMEMFS_DAEMON_REGIONS_H
#define PMEMFS_DAEMON_REGIONS_H

#include <stdint.h>

#include "daemon/options.h"

struct ns_region;

/*
 * Open o->paths[0..nregions) as region0..N-1 into regions: 0, or -errno
 * (logged) with none left open. The same file twice is an error naming
 * both positions.
 */
int pmemfs_open_regions(const struct pmemfs_opts *o, unsigned nregions,
			uint64_t label_size, struct ns_region **regions);

#endif
