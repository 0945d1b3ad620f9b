// SPDX-License-Identifier: MIT
/*
 * The order of crash states (crash_order.h): the masks of an enumerated
 * image, the pages of a sampled state.
 */
#include "fs/crash_order.h"

uint64_t fs_crash_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* C(b, c), exact for b <= 63 */
static uint64_t choose(unsigned b, unsigned c)
{
	uint64_t r = 1;
	unsigned i;

	if (c > b)
		return 0;
	if (c > b - c)
		c = b - c;
	for (i = 1; i <= c; i++)
		r = r * (b - c + i) / i;	/* r * (b-c+i) is C(b-c+i, i) * i */
	return r;
}

uint64_t fs_crash_states(size_t n, uint32_t max_subset, uint32_t torn_ppm)
{
	if (torn_ppm || n > max_subset || n > FS_MAX_SUBSET_LIMIT)
		return 0;	/* sampled */
	return UINT64_C(1) << n;
}

uint64_t fs_crash_state_mask(unsigned n, uint64_t i)
{
	uint64_t mask = 0, cnt;
	unsigned c = 0, b;

	/* the popcount: C(n, 0) masks of 0 bits first, then C(n, 1), ... */
	while (c <= n && i >= (cnt = choose(n, c))) {
		i -= cnt;
		c++;
	}
	/* the i-th smallest value with c of n bits set, from the top bit */
	for (b = n; b-- > 0 && c > 0;) {
		cnt = choose(b, c);	/* values with bit b clear */
		if (i >= cnt) {
			i -= cnt;
			mask |= UINT64_C(1) << b;
			c--;
		}
	}
	return mask;
}

int fs_crash_pick(uint64_t seed, uint64_t state, uint32_t torn_ppm, size_t k,
		  unsigned *sectors)
{
	uint64_t h = fs_crash_mix(fs_crash_mix(seed ^ fs_crash_mix(state)) + k);

	if (torn_ppm && (h >> 1) % 1000000 < torn_ppm) {
		*sectors = 1 + (unsigned)((h >> 24) % 254);
		return FS_PICK_TORN;
	}
	return h & 1 ? FS_PICK_NEW : FS_PICK_OLD;
}
