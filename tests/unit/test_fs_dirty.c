/* SPDX-License-Identifier: MIT */
/*
 * A namespace's dirty-extent list (src/fs/flush.c, struct fs_dirty in
 * nsfile.h): fs_dirty_add keeps it sorted, disjoint and not adjacent,
 * merging what overlaps or touches; past FS_DIRTY_MAX extents the whole
 * namespace is dirty; fs_ns_persist_small's FS_PERSIST_SMALL byte limit;
 * fs_ns_persist writes the extents back and clears the list. Linked with
 * flush.c, stats.c, log.c and region_io.c (the region file's layout, which
 * the persist calls) only: no FUSE session, no fault layer. The
 * extents are only ever added and cleared (no split: a persist takes the
 * whole list).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs/nsfile.h"

#define KiB (1ULL << 10)

/* a namespace with only what the dirty list and persist use */
static void ns_setup(struct fs_ns *n)
{
	memset(n, 0, sizeof(*n));
	strcpy(n->devname, "namespace0.0");
	n->size = 1ULL << 30;
	pthread_mutex_init(&n->lock, NULL);
	pthread_mutex_init(&n->flush_lock, NULL);
}

static void ns_teardown(struct fs_ns *n)
{
	pthread_mutex_destroy(&n->lock);
	pthread_mutex_destroy(&n->flush_lock);
}

/* the list is exactly these extents (off, len pairs) */
static void expect_ext(const struct fs_ns *n, unsigned count, const uint64_t *pairs)
{
	unsigned i;

	assert_false(n->dirty.whole);
	assert_int_equal(n->dirty.n, count);
	for (i = 0; i < count; i++) {
		assert_int_equal(n->dirty.ext[i].off, pairs[2 * i]);
		assert_int_equal(n->dirty.ext[i].len, pairs[2 * i + 1]);
	}
}

static void test_dirty_empty_and_zero(void **state)
{
	struct fs_ns n;

	(void)state;
	ns_setup(&n);
	expect_ext(&n, 0, NULL);
	fs_dirty_add(&n, 100, 0);	/* nothing written: no extent */
	expect_ext(&n, 0, NULL);
	fs_dirty_add(&n, 0, 1);
	expect_ext(&n, 1, (const uint64_t[]){ 0, 1 });
	assert_true(n.dirty.sync);
	assert_int_equal(n.dirty.bytes, 1);
	ns_teardown(&n);
}

static void test_dirty_sorted(void **state)
{
	struct fs_ns n;

	(void)state;
	ns_setup(&n);
	fs_dirty_add(&n, 8192, 100);
	fs_dirty_add(&n, 0, 100);
	fs_dirty_add(&n, 4096, 100);
	fs_dirty_add(&n, 1ULL << 29, 4096);
	expect_ext(&n, 4, (const uint64_t[]){ 0, 100, 4096, 100, 8192, 100,
					       1ULL << 29, 4096 });
	assert_int_equal(n.dirty.bytes, 3 * 100 + 4096);
	ns_teardown(&n);
}

static void test_dirty_adjacent(void **state)
{
	struct fs_ns n;

	(void)state;
	ns_setup(&n);
	fs_dirty_add(&n, 1000, 1000);
	/* touching on the right and on the left: one extent */
	fs_dirty_add(&n, 2000, 500);
	expect_ext(&n, 1, (const uint64_t[]){ 1000, 1500 });
	fs_dirty_add(&n, 500, 500);
	expect_ext(&n, 1, (const uint64_t[]){ 500, 2000 });
	/* a one-byte gap on either side stays a gap */
	fs_dirty_add(&n, 2501, 10);
	fs_dirty_add(&n, 0, 499);
	expect_ext(&n, 3, (const uint64_t[]){ 0, 499, 500, 2000, 2501, 10 });
	/* the missing bytes join all three */
	fs_dirty_add(&n, 499, 1);
	expect_ext(&n, 2, (const uint64_t[]){ 0, 2500, 2501, 10 });
	fs_dirty_add(&n, 2500, 1);
	expect_ext(&n, 1, (const uint64_t[]){ 0, 2511 });
	ns_teardown(&n);
}

static void test_dirty_overlap(void **state)
{
	struct fs_ns n;

	(void)state;
	ns_setup(&n);
	fs_dirty_add(&n, 100, 100);
	fs_dirty_add(&n, 150, 100);		/* overlaps the end */
	expect_ext(&n, 1, (const uint64_t[]){ 100, 150 });
	fs_dirty_add(&n, 50, 100);		/* overlaps the start */
	expect_ext(&n, 1, (const uint64_t[]){ 50, 200 });
	fs_dirty_add(&n, 60, 10);		/* inside */
	expect_ext(&n, 1, (const uint64_t[]){ 50, 200 });
	fs_dirty_add(&n, 0, 1000);		/* around */
	expect_ext(&n, 1, (const uint64_t[]){ 0, 1000 });
	/* bytes count what was written, overlaps included */
	assert_int_equal(n.dirty.bytes, 100 + 100 + 100 + 10 + 1000);
	ns_teardown(&n);
}

static void test_dirty_bridge(void **state)
{
	struct fs_ns n;
	unsigned i;

	(void)state;
	ns_setup(&n);
	for (i = 0; i < 10; i++)
		fs_dirty_add(&n, i * 100, 10);	/* [0,10) [100,110) ... [900,910) */
	assert_int_equal(n.dirty.n, 10);
	/* from inside the 3rd to inside the 6th: 3rd..6th become one */
	fs_dirty_add(&n, 205, 300);
	expect_ext(&n, 7, (const uint64_t[]){ 0, 10, 100, 10, 200, 310, 600, 10,
					       700, 10, 800, 10, 900, 10 });
	/* ending exactly where the 7th starts: merged with it too */
	fs_dirty_add(&n, 110, 490);
	expect_ext(&n, 5, (const uint64_t[]){ 0, 10, 100, 510, 700, 10, 800, 10,
					       900, 10 });
	/* everything, from the last byte before the first */
	fs_dirty_add(&n, 9, 892);
	expect_ext(&n, 1, (const uint64_t[]){ 0, 910 });
	ns_teardown(&n);
}

static void test_dirty_limit(void **state)
{
	struct fs_ns n;
	unsigned i;

	(void)state;
	ns_setup(&n);
	for (i = 0; i < FS_DIRTY_MAX; i++)
		fs_dirty_add(&n, (uint64_t)i * 8192, 4096);
	assert_false(n.dirty.whole);
	assert_int_equal(n.dirty.n, FS_DIRTY_MAX);
	/* a full list still merges: no new extent ([0, 12288) now) */
	fs_dirty_add(&n, 4096, 4096);
	assert_false(n.dirty.whole);
	assert_int_equal(n.dirty.n, FS_DIRTY_MAX - 1);
	assert_int_equal(n.dirty.ext[0].len, 12288);
	fs_dirty_add(&n, 13000, 10);	/* inside the gap before 16384: new */
	assert_false(n.dirty.whole);
	assert_int_equal(n.dirty.n, FS_DIRTY_MAX);
	assert_int_equal(n.dirty.ext[FS_DIRTY_MAX - 1].off, (uint64_t)FS_DIRTY_MAX * 8192 - 8192);
	/* one more extent than fits: the whole namespace */
	fs_dirty_add(&n, 1ULL << 29, 1);
	assert_true(n.dirty.whole);
	assert_int_equal(n.dirty.n, 0);
	/* and stays so, still counting bytes */
	fs_dirty_add(&n, 0, 1);
	assert_true(n.dirty.whole);
	assert_int_equal(n.dirty.n, 0);
	assert_int_equal(n.dirty.bytes, FS_DIRTY_MAX * 4096ULL + 4096 + 10 + 1 + 1);
	ns_teardown(&n);
}

/* fs_dirty_mark_sync: O_DIRECT bytes need the fdatasync, not an extent */
static void test_dirty_mark_sync(void **state)
{
	struct fs_ns n;

	(void)state;
	ns_setup(&n);
	fs_dirty_mark_sync(&n, 1 << 20);
	assert_true(n.dirty.sync);
	assert_int_equal(n.dirty.n, 0);
	assert_int_equal(n.dirty.bytes, 1 << 20);
	/* nothing buffered: a short persist */
	assert_true(fs_ns_persist_small(&n));
	ns_teardown(&n);
}

/* fs_ns_persist_small: at most FS_PERSIST_SMALL bytes of extents, not whole */
static void test_dirty_small_limit(void **state)
{
	struct fs_ns n;

	(void)state;
	ns_setup(&n);
	assert_true(fs_ns_persist_small(&n));
	fs_dirty_add(&n, 0, FS_PERSIST_SMALL / 2);
	fs_dirty_add(&n, FS_PERSIST_SMALL, FS_PERSIST_SMALL / 2);
	assert_true(fs_ns_persist_small(&n));		/* exactly the limit */
	fs_dirty_add(&n, 3 * FS_PERSIST_SMALL, 1);
	assert_false(fs_ns_persist_small(&n));		/* one byte more */
	/* overlapping writes count once: the extents, not the writes */
	ns_teardown(&n);
	ns_setup(&n);
	fs_dirty_add(&n, 0, FS_PERSIST_SMALL);
	fs_dirty_add(&n, 0, FS_PERSIST_SMALL);
	assert_true(fs_ns_persist_small(&n));
	/* a persist under way may be long */
	pthread_mutex_lock(&n.flush_lock);
	assert_false(fs_ns_persist_small(&n));
	pthread_mutex_unlock(&n.flush_lock);
	ns_teardown(&n);
	/* the whole namespace is never short */
	ns_setup(&n);
	for (unsigned i = 0; i <= FS_DIRTY_MAX; i++)
		fs_dirty_add(&n, (uint64_t)i * 2, 1);
	assert_true(n.dirty.whole);
	assert_false(fs_ns_persist_small(&n));
	ns_teardown(&n);
}

/* a region file in the test's directory, its layout's state (region_ops.h) */
struct rfile {
	char path[PATH_MAX];
	int fd;
	struct fs_rio *rio;
};

static void rfile_open(struct rfile *f, struct fs_ns *n)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(f->path, sizeof(f->path), "%s/test_fs_dirty.XXXXXX", tmp ? tmp : "/tmp");
	f->fd = mkostemp(f->path, O_CLOEXEC);
	assert_true(f->fd >= 0);
	assert_int_equal(ftruncate(f->fd, 4 << 20), 0);
	assert_int_equal(fs_region_file_open(f->fd, FS_BACKING_BUFFERED, "region0",
					     &f->rio), 0);
	n->rops = &fs_region_file_ops;
	n->rio = f->rio;
	n->dpa = 1 << 20;
	n->size = 2 << 20;
	assert_int_equal(n->rops->ns_open(n), 0);
}

static void rfile_close(struct rfile *f, struct fs_ns *n)
{
	n->rops->ns_close(n);
	fs_region_file_ops.close(f->rio);
	close(f->fd);
	unlink(f->path);
}

/* a persist writes the extents back and clears the list, whole or not */
static void test_dirty_persist_clears(void **state)
{
	static char buf[8192];
	struct rfile f;
	struct fs_ns n;
	unsigned i;

	(void)state;
	ns_setup(&n);
	rfile_open(&f, &n);
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(pwrite(f.fd, buf, sizeof(buf), (off_t)n.dpa + 4096), sizeof(buf));
	fs_dirty_add(&n, 4096, sizeof(buf));
	fs_dirty_add(&n, 65536, 1);
	assert_int_equal(fs_ns_persist(&n), 0);
	expect_ext(&n, 0, NULL);
	assert_false(n.dirty.sync);
	assert_int_equal(n.dirty.bytes, 0);
	assert_int_equal(n.stats.persists, 1);
	assert_int_equal(n.stats.bytes_persisted, sizeof(buf) + 1);
	/* nothing dirty: nothing to do, no pass counted */
	assert_int_equal(fs_ns_persist(&n), 0);
	assert_int_equal(n.stats.persists, 1);
	/* the whole namespace */
	for (i = 0; i <= FS_DIRTY_MAX; i++)
		fs_dirty_add(&n, (uint64_t)i * 2, 1);
	assert_true(n.dirty.whole);
	assert_int_equal(fs_ns_persist(&n), 0);
	assert_false(n.dirty.whole);
	expect_ext(&n, 0, NULL);
	assert_int_equal(n.stats.persists, 2);
	/* after the clear the list starts again */
	fs_dirty_add(&n, 10, 10);
	expect_ext(&n, 1, (const uint64_t[]){ 10, 10 });
	assert_int_equal(fs_ns_persist(&n), 0);
	/* a sticky error: every later persist fails, the list is still taken */
	fs_ns_set_error(&n, EIO, "a test");
	fs_dirty_add(&n, 0, 1);
	assert_int_equal(fs_ns_persist(&n), -EIO);
	expect_ext(&n, 0, NULL);
	assert_int_equal(fs_ns_error(&n), EIO);
	rfile_close(&f, &n);
	ns_teardown(&n);
}

/*
 * Random adds against a byte map: after every add the list is sorted,
 * disjoint and not adjacent, and covers exactly the bytes written, until
 * it turns into the whole namespace.
 */
#define SPACE 2048

static void check_against(const struct fs_ns *n, const unsigned char *map)
{
	uint64_t pos = 0;
	unsigned i;

	for (i = 0; i < n->dirty.n; i++) {
		const struct fs_extent *e = &n->dirty.ext[i];

		assert_true(e->len > 0);
		if (i > 0)	/* a gap of at least one byte before it */
			assert_true(e->off > n->dirty.ext[i - 1].off + n->dirty.ext[i - 1].len);
		for (; pos < e->off; pos++)
			assert_int_equal(map[pos], 0);
		for (; pos < e->off + e->len; pos++)
			assert_int_equal(map[pos], 1);
	}
	for (; pos < SPACE; pos++)
		assert_int_equal(map[pos], 0);
}

static void test_dirty_random(void **state)
{
	static unsigned char map[SPACE];
	struct fs_ns n;
	unsigned seed, round, wholes = 0;

	(void)state;
	for (seed = 1; seed <= 200; seed++) {
		srand(seed);
		memset(map, 0, sizeof(map));
		ns_setup(&n);
		for (round = 0; round < 400; round++) {
			uint64_t off = (uint64_t)(rand() % (SPACE - 1));
			uint64_t len = (uint64_t)(rand() % 24);

			if (off + len > SPACE)
				len = SPACE - off;
			fs_dirty_add(&n, off, len);
			memset(map + off, 1, len);
			if (n.dirty.whole) {
				wholes++;
				break;
			}
			check_against(&n, map);
		}
		ns_teardown(&n);
	}
	/* both ends of the limit were reached */
	assert_true(wholes > 0 && wholes < 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirty_empty_and_zero),
		cmocka_unit_test(test_dirty_sorted),
		cmocka_unit_test(test_dirty_adjacent),
		cmocka_unit_test(test_dirty_overlap),
		cmocka_unit_test(test_dirty_bridge),
		cmocka_unit_test(test_dirty_limit),
		cmocka_unit_test(test_dirty_mark_sync),
		cmocka_unit_test(test_dirty_small_limit),
		cmocka_unit_test(test_dirty_persist_clears),
		cmocka_unit_test(test_dirty_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
