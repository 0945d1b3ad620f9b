/* SPDX-License-Identifier: MIT */
/*
 * Free-space accounting of a region's data area: first-fit allocation of
 * aligned extents among reserved ranges (every label of the current index,
 * served or not, plus ranges of destroyed namespaces still held open).
 */
#ifndef PMEMFS_NS_ALLOC_H
#define PMEMFS_NS_ALLOC_H

#include <stdint.h>

struct ns_extent {
	uint64_t start;
	uint64_t len;
};

/*
 * Find the first aligned extent of size bytes in [0, data_size) that
 * overlaps none of used[0..n) (in any order, may overlap each other, may
 * reach past data_size). align is a power of two. Returns 0 and *start,
 * or -ENOSPC with a message naming the largest free aligned extent.
 */
int ns_alloc_find(const struct ns_extent *used, unsigned n, uint64_t data_size,
		  uint64_t align, uint64_t size, uint64_t *start);

/*
 * available: the sum of the free extents' aligned parts (what could be
 * allocated in several namespaces of this alignment); max_extent: the
 * largest single aligned free extent (ndctl's max_available_extent).
 */
void ns_alloc_stats(const struct ns_extent *used, unsigned n, uint64_t data_size,
		    uint64_t align, uint64_t *available, uint64_t *max_extent);

/*
 * The same on extents already sorted by start (no copy, no sort: linear;
 * they may still overlap, reach past the data area or wrap).
 */
int ns_alloc_find_sorted(const struct ns_extent *used, unsigned n, uint64_t data_size,
			 uint64_t align, uint64_t size, uint64_t *start);
void ns_alloc_stats_sorted(const struct ns_extent *used, unsigned n, uint64_t data_size,
			   uint64_t align, uint64_t *available, uint64_t *max_extent);

#endif
