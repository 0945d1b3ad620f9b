/* SPDX-License-Identifier: MIT */
/*
 * The mount's backing-device info (/sys/class/bdi/<major>:<minor>): the
 * kernel throttles every FUSE mount's dirty pages to ~1% of memory
 * (strict_limit=1, max_ratio=1); pmemfs lifts that. The device number is
 * found in /proc/self/mountinfo, never by stat'ing the mount point (from
 * the FUSE loop that deadlocks).
 */
#ifndef PMEMFS_FS_BDI_H
#define PMEMFS_FS_BDI_H

#include <stdbool.h>
#include <stddef.h>

struct fs_bdi_opts {
	int strict_limit;	/* 0 or 1; -1: leave */
	int max_ratio;		/* percent 1..100; -1: leave */
	int readahead_kb;	/* -1: leave */
};

/*
 * The device number of the mount at mountpoint (absolute, canonical) with
 * file-system type fstype (e.g. "fuse.pmemfs"; the last such mount when
 * several are stacked). 0 or -ENOENT (also for an fstype other than
 * "fuse.pmemfs": the parser, src/ctl/path.c's, reads only pmemfs mounts).
 */
int fs_bdi_find(const char *mountpoint, const char *fstype, unsigned *major,
		unsigned *minor);

/*
 * Apply o to the bdi of major:minor; logs what was set and what is
 * missing. summary (len bytes, may be NULL) gets the settings in force
 * afterwards as the kernel reports them, and for a knob the kernel lacks,
 * what holds instead: "strict_limit=0, max_ratio=50, read_ahead_kb=1024".
 */
void fs_bdi_configure(unsigned major, unsigned minor, const struct fs_bdi_opts *o,
		      char *summary, size_t len);

#endif
