/* SPDX-License-Identifier: MIT */
/*
 * The undo log of crash testing (src/fs/undo.c) alone, on an in-memory
 * "namespace": pages saved once, before their first change; a revert puts
 * them back, except those the seed keeps (the same ones for the same
 * seed, whenever asked); a drop forgets; a failed save leaves a hole the
 * revert skips; saves of the same pages from several threads at once; a
 * baseline log restores only the pages changed since its last restore and
 * keeps at most its bound.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fs/undo.h"

#define NPAGES 64u

struct disk {
	unsigned char b[NPAGES][FS_PAGE];
	unsigned reads, writes;
	uint64_t fail_page;	/* a read of it fails (UINT64_MAX: none) */
};

static int disk_read(void *arg, void *buf, uint64_t p)
{
	struct disk *d = arg;

	__atomic_add_fetch(&d->reads, 1, __ATOMIC_RELAXED);
	if (p == d->fail_page)
		return -EIO;
	memcpy(buf, d->b[p], FS_PAGE);
	return 0;
}

static int disk_write(void *arg, void *buf, uint64_t p)
{
	struct disk *d = arg;

	d->writes++;
	memcpy(d->b[p], buf, FS_PAGE);
	return 0;
}

static struct disk *disk_new(void)
{
	struct disk *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	for (unsigned p = 0; p < NPAGES; p++)
		memset(d->b[p], (int)(p + 1), FS_PAGE);
	d->fail_page = UINT64_MAX;
	return d;
}

/* a change of [off, off+len) as the data path makes it: save, then write */
static void change(struct fs_undo *u, struct disk *d, uint64_t off, uint64_t len, int v)
{
	assert_int_equal(fs_undo_save(u, off, len, disk_read, d), 0);
	for (uint64_t o = off; o < off + len; o++)
		d->b[o / FS_PAGE][o % FS_PAGE] = (unsigned char)v;
}

static void test_save_revert(void **state)
{
	struct disk *d = disk_new(), *orig = disk_new();
	struct fs_undo u;
	uint64_t rev, kept;

	(void)state;
	fs_undo_init(&u);
	assert_false(fs_undo_on(&u));
	assert_int_equal(fs_undo_start(&u, NPAGES), 0);
	assert_true(fs_undo_on(&u));
	change(&u, d, 100, 10, 0xaa);			/* page 0 */
	change(&u, d, 3 * FS_PAGE - 1, 2, 0xbb);	/* pages 2 and 3 */
	change(&u, d, 50, 1, 0xcc);			/* page 0 again: not saved twice */
	assert_int_equal(fs_undo_count(&u), 3);
	assert_int_equal(d->reads, 3);
	assert_int_equal(fs_undo_revert(&u, 1, 0, disk_write, d, &rev, &kept), 0);
	assert_int_equal(rev, 3);
	assert_int_equal(kept, 0);
	assert_memory_equal(d->b, orig->b, sizeof(d->b));
	/* the log is unchanged by a revert; a drop empties it */
	assert_int_equal(fs_undo_count(&u), 3);
	fs_undo_drop(&u);
	assert_int_equal(fs_undo_count(&u), 0);
	/* after the drop (an FSYNC) the pages are saved anew, as they are now */
	change(&u, d, 0, 1, 0x11);
	change(&u, d, 1, 1, 0x22);
	assert_int_equal(fs_undo_revert(&u, 1, 0, disk_write, d, &rev, &kept), 0);
	assert_int_equal(rev, 1);
	assert_memory_equal(d->b, orig->b, sizeof(d->b));
	fs_undo_stop(&u);
	assert_false(fs_undo_on(&u));
	fs_undo_fini(&u);
	free(d);
	free(orig);
}

static void test_keep_with_seed(void **state)
{
	struct disk *d = disk_new(), *orig = disk_new();
	const uint64_t seed = 0x5eed;
	const uint32_t ppm = 500000;
	struct fs_undo u;
	uint64_t rev, kept, want_kept = 0;

	(void)state;
	/* the same answer for the same seed and page; all or nothing at the ends */
	for (uint64_t p = 0; p < NPAGES; p++) {
		assert_int_equal(fs_undo_kept(seed, ppm, p), fs_undo_kept(seed, ppm, p));
		assert_false(fs_undo_kept(seed, 0, p));
		assert_true(fs_undo_kept(seed, 1000000, p));
		want_kept += fs_undo_kept(seed, ppm, p);
	}
	/*
	 * The pages a seed keeps are part of a crash test's reproducibility
	 * (pmemctl power-fail --seed): the same from one version to the next.
	 * Recorded from the hash as it was before the undo log had a file.
	 */
	uint64_t mask = 0, mask7 = 0;

	for (uint64_t p = 0; p < NPAGES; p++) {
		mask |= (uint64_t)fs_undo_kept(seed, ppm, p) << p;
		mask7 |= (uint64_t)fs_undo_kept(7, 100000, p) << p;
	}
	assert_int_equal(mask, 0xf2351a88a42a005bull);
	assert_int_equal(mask7, 0x4101200001004100ull);
	/* half of 64 pages, not none or all (else the test proves nothing) */
	assert_true(want_kept > 8 && want_kept < NPAGES - 8);
	/* another seed picks other pages */
	bool differ = false;

	for (uint64_t p = 0; p < NPAGES; p++)
		differ |= fs_undo_kept(seed, ppm, p) != fs_undo_kept(seed + 1, ppm, p);
	assert_true(differ);

	fs_undo_init(&u);
	assert_int_equal(fs_undo_start(&u, NPAGES), 0);
	change(&u, d, 0, NPAGES * FS_PAGE, 0xee);
	assert_int_equal(fs_undo_count(&u), NPAGES);
	assert_int_equal(fs_undo_revert(&u, seed, ppm, disk_write, d, &rev, &kept), 0);
	assert_int_equal(kept, want_kept);
	assert_int_equal(rev, NPAGES - want_kept);
	for (uint64_t p = 0; p < NPAGES; p++) {
		if (fs_undo_kept(seed, ppm, p)) {
			assert_int_equal(d->b[p][0], 0xee);
			assert_int_equal(d->b[p][FS_PAGE - 1], 0xee);
		} else {
			assert_memory_equal(d->b[p], orig->b[p], FS_PAGE);
		}
	}
	fs_undo_fini(&u);
	free(d);
	free(orig);
}

static void test_failed_save(void **state)
{
	struct disk *d = disk_new(), *orig = disk_new();
	struct fs_undo u;
	uint64_t rev, kept;

	(void)state;
	fs_undo_init(&u);
	assert_int_equal(fs_undo_start(&u, NPAGES), 0);
	d->fail_page = 5;
	assert_int_equal(fs_undo_save(&u, 4 * FS_PAGE, 3 * FS_PAGE, disk_read, d), -EIO);
	/* page 4 saved, 5 a hole, 6 not reached */
	d->fail_page = UINT64_MAX;
	memset(d->b[4], 0x44, FS_PAGE);
	assert_int_equal(fs_undo_revert(&u, 0, 0, disk_write, d, &rev, &kept), 0);
	assert_int_equal(rev, 1);
	assert_memory_equal(d->b[4], orig->b[4], FS_PAGE);
	/* the hole is not a saved page: a later change saves it */
	change(&u, d, 5 * FS_PAGE, 1, 0x55);
	assert_int_equal(fs_undo_revert(&u, 0, 0, disk_write, d, &rev, &kept), 0);
	assert_memory_equal(d->b, orig->b, sizeof(d->b));
	fs_undo_fini(&u);
	free(d);
	free(orig);
}

struct racer {
	struct fs_undo *u;
	struct disk *d;
};

static void *race(void *arg)
{
	struct racer *r = arg;

	for (int i = 0; i < 200; i++)
		assert_int_equal(fs_undo_save(r->u, 0, NPAGES * FS_PAGE, disk_read, r->d), 0);
	return NULL;
}

static void test_parallel_saves(void **state)
{
	struct disk *d = disk_new();
	struct fs_undo u;
	struct racer r = { &u, d };
	pthread_t t[4];

	(void)state;
	fs_undo_init(&u);
	assert_int_equal(fs_undo_start(&u, NPAGES), 0);
	for (int round = 0; round < 20; round++) {
		d->reads = 0;
		for (int i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&t[i], NULL, race, &r), 0);
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		/* each page read once, however many saved it at once */
		assert_int_equal(d->reads, NPAGES);
		assert_int_equal(fs_undo_count(&u), NPAGES);
		fs_undo_drop(&u);	/* the buffers go to the pool, reused next round */
	}
	fs_undo_fini(&u);
	free(d);
}

/*
 * A baseline: the original content of every page changed since the start;
 * a restore writes back only those changed since the last restore (none
 * twice), keeps the saved pages; a bounded save beyond max fails -ENOSPC
 * (full set), an unbounded one (a revert's own write) goes on.
 */
static void test_baseline(void **state)
{
	struct disk *d = disk_new(), *orig = disk_new();
	struct fs_undo u;
	uint64_t n;

	(void)state;
	fs_undo_init(&u);
	assert_int_equal(fs_undo_start_baseline(&u, NPAGES, 4), 0);
	change(&u, d, 0, 2 * FS_PAGE, 0xaa);		/* pages 0, 1 */
	change(&u, d, 10 * FS_PAGE + 100, 10, 0xbb);	/* page 10 */
	assert_int_equal(fs_undo_restore(&u, disk_write, d, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(d->b, orig->b, sizeof(d->b));
	/* nothing changed since: nothing written */
	d->writes = 0;
	assert_int_equal(fs_undo_restore(&u, disk_write, d, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(d->writes, 0);
	/* a page saved before is changed again: restored from its original */
	change(&u, d, FS_PAGE, 1, 0xcc);
	assert_int_equal(fs_undo_restore(&u, disk_write, d, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(d->b, orig->b, sizeof(d->b));
	assert_int_equal(fs_undo_count(&u), 3);
	/* the bound: one more page, then -ENOSPC and full */
	change(&u, d, 20 * FS_PAGE, 1, 0xdd);
	assert_false(u.full);
	assert_int_equal(fs_undo_save(&u, 21 * FS_PAGE, 1, disk_read, d), -ENOSPC);
	assert_true(u.full);
	assert_int_equal(fs_undo_count(&u), 4);
	/* a revert's write goes beyond it */
	assert_int_equal(fs_undo_save_unbounded(&u, 22 * FS_PAGE, FS_PAGE, disk_read, d), 0);
	memset(d->b[22], 0xee, FS_PAGE);
	assert_int_equal(fs_undo_restore(&u, disk_write, d, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(d->b, orig->b, sizeof(d->b));
	fs_undo_stop(&u);
	assert_false(u.full);
	assert_null(u.touched);
	fs_undo_fini(&u);
	free(d);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_revert),
		cmocka_unit_test(test_keep_with_seed),
		cmocka_unit_test(test_failed_save),
		cmocka_unit_test(test_parallel_saves),
		cmocka_unit_test(test_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
