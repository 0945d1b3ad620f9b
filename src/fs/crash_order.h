/* SPDX-License-Identifier: MIT */
/*
 * The order of crash states (crash-test --states; crash_state.c applies
 * them). Pure functions of numbers: no I/O, no daemon.
 *
 * A crash image has n pages sorted by page number; page k is bit k of a
 * mask (set: the new content). With n <= max_subset (and no torn pages
 * asked for) there are 2^n states: state i is the i-th mask in the order
 * of popcount, then value (state 0 all old, a plain power failure; state
 * 2^n - 1 all new, as if the FSYNC had completed). Otherwise the states
 * are sampled: state i picks page k from a splitmix64 hash of (seed, i,
 * k): new or old by one bit, or torn (below torn_ppm parts per million):
 * the old page with the 512-byte sectors of a mask in 1..254 new. The
 * same (seed, i) gives the same state, whenever asked.
 */
#ifndef PMEMFS_FS_CRASH_ORDER_H
#define PMEMFS_FS_CRASH_ORDER_H

#include <stddef.h>
#include <stdint.h>

#define FS_SECTOR 512u
/* enumerating more than 2^30 states is never what one wants */
#define FS_MAX_SUBSET_LIMIT 30u

enum { FS_PICK_OLD, FS_PICK_NEW, FS_PICK_TORN };

/* splitmix64's finaliser of z + the golden ratio */
uint64_t fs_crash_mix(uint64_t z);
/* the states of an image of n pages: 2^n, or 0 (sampled) */
uint64_t fs_crash_states(size_t n, uint32_t max_subset, uint32_t torn_ppm);
/* the i-th of the n-bit masks by popcount, then by value (i < 2^n) */
uint64_t fs_crash_state_mask(unsigned n, uint64_t i);
/* a sampled state's page k: FS_PICK_*; *sectors: a torn page's new ones */
int fs_crash_pick(uint64_t seed, uint64_t state, uint32_t torn_ppm, size_t k,
		  unsigned *sectors);

#endif
