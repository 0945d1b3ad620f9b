/* SPDX-License-Identifier: MIT */
/*
 * check-labels: the walk over a label area's index blocks, label slots and
 * namespaces, and the words of each finding. One walk for the daemon
 * (src/fs/control_labels.c, which sends the lines) and pmemctl's offline
 * mode (tools/cmd_labels.c, which prints them), so both say the same
 * words for the same area.
 */
#ifndef PMEMFS_NS_LABEL_CHECK_H
#define PMEMFS_NS_LABEL_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ns/io.h"
#include "ns/label.h"
#include "ns/lsa.h"
#include "ns/namespace.h"
#include "ns/region.h"

/* room for any finding line (a reason is < 256 bytes) */
#define NS_FINDING_LEN 512
#define NS_NOT_SERVED_LEN NS_FINDING_LEN

/* The label area check-labels looks at. */
struct ns_check_area {
	struct ns_io *io;		/* the region file, read when lsa is NULL */
	uint64_t off, size;		/* the label area in it */
	const struct ns_lsa *lsa;	/* the area loaded; NULL: no valid index block */
	struct ns_region *r;		/* the region on the area; NULL: none */
};

/* What the walk counted. */
struct ns_check_counts {
	unsigned valid_index;	/* valid index blocks, 0 to 2 */
	unsigned labels;	/* labels in use in the current index */
	unsigned served;	/* namespaces the region serves */
	unsigned problems;	/* findings (calls of the finding function) */
};

/* one finding: the whole line, no newline, no region name before it */
typedef void ns_finding_fn(void *arg, const char *line);

/*
 * Walk the area and call fn once per problem, in this order and words:
 *   index block I at offset O of the label area: WHY
 *       (each invalid block; O in bytes from the area's start)
 *   label in slot N: WHY
 *       (each label in use in the current index that does not decode)
 *   label in slot N (namespaceR.N): not served: STATE: REASON
 *       (each namespace of r not served, unless its label is one above)
 * With lsa the index blocks are as it loaded them (what the region uses,
 * probing's rejections included); without, as the area's bytes on io say.
 * A failed read of io is a finding too. *n is set.
 */
void ns_check_labels(const struct ns_check_area *a, ns_finding_fn *fn, void *arg,
		     struct ns_check_counts *n);

/*
 * Index block i (0 or 1) of a label area of size bytes, from its bytes
 * alone: buf holds the first len bytes of the area (len >= the smaller of
 * size and ns_area_head_len(size); read-labels passes the whole area).
 * *off is where the block is (block 1: at block 0's otheroff when block 0
 * is valid, else at the index size of the 256-byte then the 128-byte
 * label geometry, whichever holds a valid block, else the 128-byte one).
 * Fills idx with what is there (zeroes when nothing) and returns true when
 * the block is valid; else why says why not.
 */
bool ns_area_index(const uint8_t *buf, uint64_t len, uint64_t size, int i, uint64_t *off,
		   struct ns_index *idx, char why[NS_WHY_LEN]);
/* how many bytes of an area of size bytes ns_area_index reads at most */
uint64_t ns_area_head_len(uint64_t size);

/*
 * Why the region does not serve ns, as one line in buf:
 * "label in slot N (namespaceR.N): not served: STATE: REASON". Returns buf.
 */
char *ns_namespace_not_served(const struct ns_namespace *ns, char *buf, size_t len);

#endif
