/* SPDX-License-Identifier: MIT */
/*
 * The mount point's checks before pmemfs mounts, and which mount serves a
 * region file: refused with a message in the user's terms when the
 * directory is on or inside a dead pmemfs mount (its daemon gone:
 * ENOTCONN), a hung or stopped one (no answer within 3 s), or one a
 * running daemon serves (mounting over it would hide it).
 */
#ifndef PMEMFS_DAEMON_MOUNTPOINT_H
#define PMEMFS_DAEMON_MOUNTPOINT_H

#include <limits.h>

/*
 * given as typed: 0 with its canonical path in mountpoint (an existing
 * directory no pmemfs daemon serves), or -1 with the reason logged.
 */
int pmemfs_mountpoint_check(const char *given, char mountpoint[PATH_MAX]);

/*
 * The mount point of the pmemfs mount whose source (its first region
 * file, fsname=) is the canonical path real (malloc'ed), or NULL: named
 * when a region file cannot be opened because it is locked, as pmemctl
 * names it.
 */
char *pmemfs_region_served_on(const char *real);

#endif
