/* SPDX-License-Identifier: MIT */
/* First-fit aligned allocation among reserved extents, and free-space stats. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ns/alloc.h"
#include "ns/error.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define MAXU 8

struct alloc_case {
	const char *what;
	struct ns_extent used[MAXU];
	unsigned n;
	uint64_t data_size, align, size;
	int rc;			/* 0 or -ENOSPC / -EINVAL */
	uint64_t start;		/* when rc == 0 */
	uint64_t available;	/* ns_alloc_stats at align */
	uint64_t max_extent;
	const char *msg;	/* when rc != 0 */
};

static const struct alloc_case cases[] = {
	{ "empty region", { { 0 } }, 0, 64 * MiB, 2 * MiB, 4 * MiB,
	  0, 0, 64 * MiB, 64 * MiB, NULL },
	{ "whole region exactly", { { 0 } }, 0, 64 * MiB, 2 * MiB, 64 * MiB,
	  0, 0, 64 * MiB, 64 * MiB, NULL },
	{ "one byte too big", { { 0 } }, 0, 64 * MiB, 2 * MiB, 66 * MiB,
	  -ENOSPC, 0, 64 * MiB, 64 * MiB,
	  "no free extent of 66 MiB (largest free extent 64 MiB)" },
	{ "data area not a multiple of align: tail unusable",
	  { { 0 } }, 0, 64 * MiB - 128 * KiB, 2 * MiB, 62 * MiB,
	  0, 0, 62 * MiB, 62 * MiB, NULL },
	{ "after the first namespace", { { 0, 4 * MiB } }, 1, 64 * MiB, 2 * MiB, 2 * MiB,
	  0, 4 * MiB, 60 * MiB, 60 * MiB, NULL },
	{ "fragmented: first fit skips small holes",
	  { { 0, 2 * MiB }, { 4 * MiB, 2 * MiB }, { 8 * MiB, 2 * MiB }, { 14 * MiB, 50 * MiB } }, 4,
	  64 * MiB, 2 * MiB, 4 * MiB,
	  0, 10 * MiB, 8 * MiB, 4 * MiB, NULL },
	{ "fragmented: first small hole",
	  { { 0, 2 * MiB }, { 4 * MiB, 2 * MiB }, { 8 * MiB, 2 * MiB }, { 14 * MiB, 50 * MiB } }, 4,
	  64 * MiB, 2 * MiB, 2 * MiB,
	  0, 2 * MiB, 8 * MiB, 4 * MiB, NULL },
	{ "fragmented: enough in total but no single extent",
	  { { 0, 2 * MiB }, { 4 * MiB, 2 * MiB }, { 8 * MiB, 2 * MiB }, { 14 * MiB, 50 * MiB } }, 4,
	  64 * MiB, 2 * MiB, 6 * MiB,
	  -ENOSPC, 0, 8 * MiB, 4 * MiB,
	  "no free extent of 6 MiB (largest free extent 4 MiB)" },
	{ "exact fit in a hole", { { 0, 2 * MiB }, { 6 * MiB, 58 * MiB } }, 2,
	  64 * MiB, 2 * MiB, 4 * MiB,
	  0, 2 * MiB, 4 * MiB, 4 * MiB, NULL },
	{ "full region", { { 0, 64 * MiB } }, 1, 64 * MiB, 2 * MiB, 2 * MiB,
	  -ENOSPC, 0, 0, 0, "no free extent of 2 MiB (largest free extent 0 bytes)" },
	{ "hole smaller than its alignment is useless",
	  { { 0, 1 * MiB }, { 3 * MiB, 61 * MiB } }, 2, 64 * MiB, 2 * MiB, 2 * MiB,
	  -ENOSPC, 0, 0, 0, "no free extent of 2 MiB (largest free extent 0 bytes)" },
	{ "hole [1M,3M) holds a 4K-aligned 2M",
	  { { 0, 1 * MiB }, { 3 * MiB, 61 * MiB } }, 2, 64 * MiB, 4 * KiB, 2 * MiB,
	  0, 1 * MiB, 2 * MiB, 2 * MiB, NULL },
	{ "alignment pushes start: 1 GiB aligned",
	  { { 0, 4 * KiB } }, 1, 3 * GiB, GiB, GiB,
	  0, GiB, 2 * GiB, 2 * GiB, NULL },
	{ "unaligned reservation end rounds up",
	  { { 0, 2 * MiB + 4 * KiB } }, 1, 16 * MiB, 2 * MiB, 2 * MiB,
	  0, 4 * MiB, 12 * MiB, 12 * MiB, NULL },
	{ "unsorted reservations",
	  { { 40 * MiB, 24 * MiB }, { 0, 8 * MiB }, { 20 * MiB, 4 * MiB } }, 3,
	  64 * MiB, 2 * MiB, 12 * MiB,
	  0, 8 * MiB, 28 * MiB, 16 * MiB, NULL },
	{ "unsorted: second hole first fit",
	  { { 40 * MiB, 24 * MiB }, { 0, 8 * MiB }, { 20 * MiB, 4 * MiB } }, 3,
	  64 * MiB, 2 * MiB, 14 * MiB,
	  0, 24 * MiB, 28 * MiB, 16 * MiB, NULL },
	{ "overlapping reservations",
	  { { 0, 10 * MiB }, { 4 * MiB, 2 * MiB }, { 8 * MiB, 8 * MiB }, { 2 * MiB, 1 * MiB } }, 4,
	  64 * MiB, 2 * MiB, 2 * MiB,
	  0, 16 * MiB, 48 * MiB, 48 * MiB, NULL },
	{ "identical reservations",
	  { { 2 * MiB, 2 * MiB }, { 2 * MiB, 2 * MiB } }, 2, 8 * MiB, 2 * MiB, 4 * MiB,
	  0, 4 * MiB, 6 * MiB, 4 * MiB, NULL },
	{ "reservation past the end is clipped",
	  { { 60 * MiB, 100 * MiB } }, 1, 64 * MiB, 2 * MiB, 60 * MiB,
	  0, 0, 60 * MiB, 60 * MiB, NULL },
	{ "reservation wholly past the end ignored",
	  { { 100 * MiB, 4 * MiB } }, 1, 64 * MiB, 2 * MiB, 64 * MiB,
	  0, 0, 64 * MiB, 64 * MiB, NULL },
	{ "reservation wrapping around 2^64 is clipped",
	  { { 32 * MiB, UINT64_MAX } }, 1, 64 * MiB, 2 * MiB, 32 * MiB,
	  0, 0, 32 * MiB, 32 * MiB, NULL },
	{ "zero-length reservations reserve nothing",
	  { { 0, 0 }, { 2 * MiB, 0 } }, 2, 8 * MiB, 2 * MiB, 8 * MiB,
	  0, 0, 8 * MiB, 8 * MiB, NULL },
	{ "sizes named in GiB", { { 0, 1 * GiB }, { 4 * GiB, 1 * GiB } }, 2,
	  5 * GiB, 2 * MiB, 4 * GiB,
	  -ENOSPC, 0, 3 * GiB, 3 * GiB,
	  "no free extent of 4 GiB (largest free extent 3 GiB)" },
	{ "alignment not a power of two", { { 0 } }, 0, 64 * MiB, 3 * MiB, 3 * MiB,
	  -EINVAL, 0, 0, 0, "alignment 3145728 is not a power of two" },
	{ "size zero", { { 0 } }, 0, 64 * MiB, 2 * MiB, 0,
	  -EINVAL, 0, 64 * MiB, 64 * MiB, "size 0: nothing to allocate" },
	{ "empty data area", { { 0 } }, 0, 0, 2 * MiB, 2 * MiB,
	  -ENOSPC, 0, 0, 0, "no free extent of 2 MiB (largest free extent 0 bytes)" },
};

static void test_alloc_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct alloc_case *c = &cases[i];
		struct ns_extent copy[MAXU];
		uint64_t start = 0xdead, avail = 1, max = 1;
		int rc;

		memcpy(copy, c->used, sizeof(copy));
		ns_err_clear();
		rc = ns_alloc_find(c->used, c->n, c->data_size, c->align, c->size, &start);
		if (rc != c->rc)
			fail_msg("%s: rc %d, want %d (%s)", c->what, rc, c->rc, ns_errormsg());
		if (rc == 0 && start != c->start)
			fail_msg("%s: start %llu, want %llu", c->what,
				 (unsigned long long)start, (unsigned long long)c->start);
		if (rc != 0) {
			assert_int_equal(start, 0xdead);
			if (strcmp(ns_errormsg(), c->msg) != 0)
				fail_msg("%s: message '%s', want '%s'", c->what,
					 ns_errormsg(), c->msg);
		}
		/* the caller's array is not reordered */
		assert_memory_equal(copy, c->used, sizeof(copy));

		ns_alloc_stats(c->used, c->n, c->data_size, c->align, &avail, &max);
		if (avail != c->available || max != c->max_extent)
			fail_msg("%s: stats %llu/%llu, want %llu/%llu", c->what,
				 (unsigned long long)avail, (unsigned long long)max,
				 (unsigned long long)c->available,
				 (unsigned long long)c->max_extent);
	}
}

/*
 * Brute force cross-check: random reservations on a 4 KiB grid; the result
 * must be the lowest aligned start whose range is free, stats must match a
 * page-by-page count.
 */
static void test_alloc_random(void **state)
{
	const uint64_t page = 4 * KiB, npages = 256, data = npages * page;
	unsigned seed = 12345;

	for (int iter = 0; iter < 2000; iter++) {
		struct ns_extent used[MAXU];
		unsigned n = (unsigned)(rand_r(&seed) % MAXU);
		uint8_t busy[256] = { 0 };
		uint64_t align = page << (rand_r(&seed) % 4);
		uint64_t size = align * (1 + (uint64_t)(rand_r(&seed) % 8));
		uint64_t start = 0, avail, max, want_avail = 0, want_max = 0;
		int64_t want = -1;
		int rc;

		for (unsigned i = 0; i < n; i++) {
			used[i].start = (uint64_t)(rand_r(&seed) % 300) * page / 2;
			used[i].len = (uint64_t)(rand_r(&seed) % 40) * page / 2;
			for (uint64_t b = used[i].start; b < used[i].start + used[i].len; b++)
				if (b < data)
					busy[b / page] = 1;
		}
		for (uint64_t s = 0; s + size <= data && want < 0; s += align) {
			int ok = 1;

			for (uint64_t p = s / page; p < (s + size) / page; p++)
				ok &= !busy[p];
			if (ok)
				want = (int64_t)s;
		}
		/* free runs of aligned units */
		for (uint64_t s = 0, run = 0; s < data; s += align) {
			int ok = 1;

			for (uint64_t p = s / page; p < (s + align) / page && p < npages; p++)
				ok &= !busy[p];
			ok &= s + align <= data;
			if (ok) {
				run += align;
				want_avail += align;
				if (run > want_max)
					want_max = run;
			} else {
				run = 0;
			}
		}
		rc = ns_alloc_find(used, n, data, align, size, &start);
		if (want < 0) {
			assert_int_equal(rc, -ENOSPC);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(start, (uint64_t)want);
		}
		ns_alloc_stats(used, n, data, align, &avail, &max);
		assert_int_equal(avail, want_avail);
		assert_int_equal(max, want_max);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_table),
		cmocka_unit_test(test_alloc_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
