// SPDX-License-Identifier: MIT
/*
 * Opening the region files named on the command line (see regions.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ns/error.h"
#include "ns/region.h"

#include "fs/log.h"
#include "daemon/mountpoint.h"
#include "daemon/regions.h"

/* the core's notes (a region directory's orphans removed) go to the log */
static void regions_core_log(const char *msg)
{
	fs_info("%s", msg);
}

int pmemfs_open_regions(const struct pmemfs_opts *o, unsigned nregions,
			uint64_t label_size, struct ns_region **regions)
{
	struct stat *st = calloc(nregions, sizeof(*st));
	unsigned i, j;
	int rc = 0;

	if (!st)
		return -ENOMEM;
	for (i = 0; i < nregions; i++) {
		if (stat(o->paths[i], &st[i]) < 0) {
			rc = -errno;
			fs_err("region file '%s': %s", o->paths[i], strerror(errno));
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (st[j].st_dev == st[i].st_dev && st[j].st_ino == st[i].st_ino) {
				fs_err("region file '%s' given twice (region%u and region%u)",
				       o->paths[i], j, i);
				rc = -EINVAL;
				goto out;
			}
		}
	}
	ns_region_set_logger(regions_core_log);
	for (i = 0; i < nregions; i++) {
		struct ns_region_opts ro = {
			.id = i,
			.label_size = label_size,
		};
		/* absolute: pmemctl shows it and matches it with the mount source */
		char *abs = realpath(o->paths[i], NULL);
		char *served = NULL, locked[512];

		rc = ns_region_open(abs ? abs : o->paths[i], &ro, &regions[i]);
		if (rc == -NS_E_LOCKED && abs) {
			snprintf(locked, sizeof(locked), "%s", ns_errormsg());
			served = pmemfs_region_served_on(abs);
		}
		free(abs);
		if (rc < 0 && served) {
			fs_err("region file '%s': %s: a pmemfs daemon serves it on '%s' (a "
			       "region is mounted once: use that mount, or unmount it "
			       "first with `fusermount3 -u %s`)", o->paths[i], locked,
			       served, served);
			free(served);
			while (i-- > 0)
				ns_region_close(&regions[i]);
			goto out;
		}
		if (rc < 0) {
			const char *msg = ns_errormsg();

			fs_err("region file '%s': %s%s", o->paths[i],
			       *msg ? msg : ns_strerror(rc),
			       rc == -NS_E_NO_LABELS ?
			       " (region files are made with `pmemctl create-region`; "
			       "`pmemctl init-labels --file FILE` gives an existing file "
			       "an empty label area in its last 128 KiB)" : "");
			while (i-- > 0)
				ns_region_close(&regions[i]);
			goto out;
		}
	}
out:
	free(st);
	return rc;
}
