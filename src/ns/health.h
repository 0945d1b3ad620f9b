/* SPDX-License-Identifier: MIT */
/*
 * A region's health, in the shape ndctl gives a DIMM's (ndctl list -D -H:
 * "health_state", "shutdown_state", "shutdown_count"): how many times the
 * region lost power uncleanly, and whether its last shutdown was clean.
 * Kept beside the region file in "<region file>.health" (a region
 * directory's: DIR/region.health), written and read as every sidecar is
 * (sidecar.h); the daemon (src/fs/health.c) counts, pmemctl --file reads.
 *
 * The count goes up on every simulated power failure (power-fail, an
 * armed crash, crash-test) and on every end of the daemon that was not
 * clean, found at the next mount: the daemon writes a "mounted" line
 * once it holds the region's lock and writes the file without it at a
 * clean end (after its final persist succeeded); a mount that finds the
 * line set knows the daemon before it is gone without that end.
 * shutdown_state is the last shutdown's: "dirty" from a power failure or
 * an unclean end until the next clean end, then "clean" (as ndctl shows a
 * DIMM's last shutdown).
 *
 * File format (text, one item a line, '#' comments, each key once):
 *   # pmemfs health of region file '/path/r.img'
 *   region ino=<inode> btime=<seconds>.<nanoseconds>|-   its identity
 *   shutdown_count <N>|unknown
 *   shutdown_state clean|dirty|unknown
 *   mounted pid=<P> since=<unix seconds>                 while served
 * "unknown": an earlier file could not be read (corrupt, a link, another
 * user's): the count is lost, and stays unknown (a count that restarted
 * at 0 would read as a fact) until the file is removed by hand.
 */
#ifndef PMEMFS_NS_HEALTH_H
#define PMEMFS_NS_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ns/badblocks.h"	/* struct ns_bb_id */

struct ns_health {
	bool count_known;	/* false: "unknown" */
	uint64_t shutdown_count;
	bool state_known;	/* false: "unknown" */
	bool dirty;		/* the last shutdown was not clean */
	bool mounted;		/* the "mounted" line */
	uint32_t pid;		/* of the mounted line */
	int64_t since;
};

/* ns_health_load: the file could not be used; h says "unknown" */
#define NS_HEALTH_UNKNOWN 1
/* ns_health_load: the file belongs to another region file; h is new */
#define NS_HEALTH_STALE 2

/* "<real path of region_path>.health" into buf; -ENAMETOOLONG */
int ns_health_path(const char *region_path, char *buf, size_t len);

/*
 * The health of region_path's region into h. No file: a new region (count
 * 0, clean), 0. A file that cannot be used (a symbolic link, not a regular
 * file, another user's, unreadable, malformed): NS_HEALTH_UNKNOWN, the
 * count unknown, ns_errormsg() says why. One recorded for another region
 * file at this path (id, may be NULL): NS_HEALTH_STALE, a new region's.
 */
int ns_health_load(const char *region_path, const struct ns_bb_id *id,
		   struct ns_health *h);

/* The file's text (the format above) from f; name for messages. 0 or -EINVAL. */
int ns_health_parse(FILE *f, const char *name, struct ns_bb_id *had, struct ns_health *h);

/*
 * A region file was just created at region_path: remove a health file left
 * there by an earlier region (a new medium starts at 0). 1 when one was
 * removed (ns_errormsg() says which), 0 when there was none, -errno.
 */
int ns_health_remove_stale(const char *region_path);

/* h's lines (after the identity line) into buf: 0, or -ENAMETOOLONG */
int ns_health_format(const struct ns_health *h, char *buf, size_t len);

/*
 * One more unclean shutdown (a known count only): the count stays at its
 * largest value rather than wrap to 0 (a planted or very old file's count)
 */
void ns_health_count_up(struct ns_health *h);

/* Write h as the health of region_path (recording id). 0 or -errno with a message. */
int ns_health_save(const char *region_path, const struct ns_bb_id *id,
		   const struct ns_health *h);

#endif
