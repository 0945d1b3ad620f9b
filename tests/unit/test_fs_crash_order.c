// SPDX-License-Identifier: MIT
/*
 * The order of crash states (src/fs/crash_order.c): every n <= 12 gives
 * each of the 2^n masks once, by popcount then value, all old first and
 * all new last; above max_subset or with torn pages the states are
 * sampled; a sampled state is a function of (seed, state, page), its torn
 * pages' sector masks in 1..254 and their share near the one asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fs/crash_order.h"

static void test_enumerated_order(void **state)
{
	static uint8_t seen[1u << 12];
	unsigned n;

	(void)state;
	for (n = 0; n <= 12; n++) {
		uint64_t states = fs_crash_states(n, 12, 0), i, prev = 0;

		assert_int_equal(states, UINT64_C(1) << n);
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < states; i++) {
			uint64_t m = fs_crash_state_mask(n, i);

			assert_true(m < states);
			assert_int_equal(seen[m], 0);
			seen[m] = 1;
			if (i > 0) {
				int pc = __builtin_popcountll(m), pp = __builtin_popcountll(prev);

				assert_true(pc > pp || (pc == pp && m > prev));
			}
			prev = m;
		}
		assert_int_equal(fs_crash_state_mask(n, 0), 0);
		assert_int_equal(fs_crash_state_mask(n, states - 1), states - 1);
	}
	/* 3 pages: 0, 1, 2, 4, 3, 5, 6, 7 */
	{
		const uint64_t want[] = { 0, 1, 2, 4, 3, 5, 6, 7 };

		for (n = 0; n < 8; n++)
			assert_int_equal(fs_crash_state_mask(3, n), want[n]);
	}
	/* the largest enumeration: its last state and a middle one */
	assert_int_equal(fs_crash_state_mask(30, (UINT64_C(1) << 30) - 1), (UINT64_C(1) << 30) - 1);
	assert_int_equal(__builtin_popcountll(fs_crash_state_mask(30, UINT64_C(1) << 29)), 15);
}

static void test_sampled_when(void **state)
{
	(void)state;
	assert_int_equal(fs_crash_states(13, 12, 0), 0);
	assert_int_equal(fs_crash_states(4, 3, 0), 0);
	assert_int_equal(fs_crash_states(3, 3, 0), 8);
	assert_int_equal(fs_crash_states(0, 0, 0), 1);
	assert_int_equal(fs_crash_states(2, 12, 1), 0);	/* torn: sampled */
	assert_int_equal(fs_crash_states(31, 40, 0), 0);	/* over the limit */
}

static void test_pick(void **state)
{
	unsigned torn = 0, total = 0, nw = 0, s1, s2;
	uint64_t st;
	size_t k;

	(void)state;
	for (st = 0; st < 200; st++)
		for (k = 0; k < 50; k++) {
			int a = fs_crash_pick(7, st, 300000, k, &s1);
			int b = fs_crash_pick(7, st, 300000, k, &s2);

			assert_int_equal(a, b);
			total++;
			if (a == FS_PICK_TORN) {
				assert_int_equal(s1, s2);
				assert_true(s1 >= 1 && s1 <= 254);
				torn++;
			} else if (a == FS_PICK_NEW) {
				nw++;
			}
		}
	/* 30% torn, half of the rest new: loose bounds over 10,000 pages */
	assert_true(torn > total * 25 / 100 && torn < total * 35 / 100);
	assert_true(nw > (total - torn) * 45 / 100 && nw < (total - torn) * 55 / 100);
	/* no torn share: never torn; another seed: another state */
	for (k = 0, torn = 0, nw = 0; k < 64; k++) {
		torn += fs_crash_pick(7, 1, 0, k, &s1) == FS_PICK_TORN;
		nw += fs_crash_pick(7, 1, 0, k, &s1) != fs_crash_pick(8, 1, 0, k, &s2);
	}
	assert_int_equal(torn, 0);
	assert_true(nw > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enumerated_order),
		cmocka_unit_test(test_sampled_when),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
