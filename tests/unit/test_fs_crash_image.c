// SPDX-License-Identifier: MIT
/*
 * The crash image (src/fs/crash_state.c) on a real region file: pages a
 * power failure reverts (the undo log's) and pages WRITEs arriving crashed
 * touch (fs_crash_image_late), before the capture (step 2) and after it,
 * whole pages and parts of pages, logged pages and others: each page once,
 * sorted by page number at the close; old = its content at the last
 * FSYNC, new = at the crash with every late WRITE's bytes on it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/region.h"

#include "fs/fault.h"
#include "fs/nsfile.h"
#include "fs/region_ops.h"

#include "fs_ns_fixture.h"

#define PG 4096u

static struct fs_fault *f;

static int setup(void **state)
{
	(void)state;
	if (fixture_setup(&fs_region_file_ops, "crash-image"))
		return -1;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	pthread_rwlock_init(&f->rw, NULL);
	pthread_mutex_init(&f->lock, NULL);
	pthread_mutex_init(&f->img.lock, NULL);
	fs_undo_init(&f->undo);
	fs_undo_init(&f->img.pin);
	return fs_undo_start(&f->undo, ns.size / PG);
}

static int teardown(void **state)
{
	(void)state;
	fs_crash_image_release(f);
	fs_undo_fini(&f->img.pin);
	fs_undo_fini(&f->undo);
	free(f);
	return fixture_teardown();
}

static int read_page(void *arg, void *buf, uint64_t p)
{
	(void)arg;
	return ns.rops->read_page(&ns, buf, p);
}

static void put(uint64_t off, const void *buf, size_t len)
{
	assert_int_equal(ns.rops->write(&ns, buf, len, off, false), 0);
}

/* a page of byte b */
static void page_of(uint8_t *p, int b)
{
	memset(p, b, PG);
}

static size_t index_of(uint64_t page)
{
	for (size_t k = 0; k < f->img.n; k++)
		if (f->img.page[k] == page)
			return k;
	fail_msg("page %llu not in the image", (unsigned long long)page);
	return 0;
}

static void test_late_pages(void **state)
{
	static uint8_t a[PG], b[2 * PG], want[PG], part[100];
	size_t k;

	(void)state;
	/* the last FSYNC: pages 0..9 hold byte 0x10 + page */
	for (unsigned p = 0; p < 10; p++) {
		page_of(a, 0x10 + (int)p);
		put((uint64_t)p * PG, a, PG);
	}
	/* changed since: pages 2 and 6 (logged), the region has 0xa2, 0xa6 */
	page_of(a, 0xa2);
	assert_int_equal(fs_undo_save(&f->undo, 2 * PG, PG, read_page, NULL), 0);
	put(2 * PG, a, PG);
	page_of(a, 0xa6);
	assert_int_equal(fs_undo_save(&f->undo, 6 * PG, PG, read_page, NULL), 0);
	put(6 * PG, a, PG);

	/* the power goes; before step 2 a WRITE arrives crashed: 100 bytes at
	 * 50 of page 6 (logged) and a whole page 8 (not) */
	f->crashed = true;
	f->img.want = true;
	memset(part, 0xc6, sizeof(part));
	fs_crash_image_late(f, &ns, part, sizeof(part), 6 * PG + 50);
	page_of(a, 0xc8);
	fs_crash_image_late(f, &ns, a, PG, 8 * PG);
	/* step 2 */
	fs_crash_image_capture(f, &ns);
	f->img.want = false;
	assert_true(f->img.held && f->img.open);
	/* step 3: parts of page 2 (logged) and page 4 (not), across them a
	 * WRITE of 2 pages from the middle of page 4 to the middle of page 6 */
	memset(part, 0xd2, sizeof(part));
	fs_crash_image_late(f, &ns, part, sizeof(part), 2 * PG + PG - sizeof(part));
	memset(b, 0xe0, sizeof(b));
	fs_crash_image_late(f, &ns, b, 2 * PG, 4 * PG + PG / 2);
	/* step 4 */
	fs_crash_image_close(f, &ns);
	assert_false(f->img.open);
	assert_int_equal(f->img.n, 5);		/* 2, 4, 5, 6, 8 */
	assert_int_equal(f->img.nlate, 4);	/* 6, 8 before step 2, 4, 5 after */
	for (k = 1; k < f->img.n; k++)
		assert_true(f->img.page[k - 1] < f->img.page[k]);

	/* page 2: old at the FSYNC; new = the crash's + its last 100 bytes */
	k = index_of(2);
	page_of(want, 0x12);
	assert_memory_equal(f->img.old + k * PG, want, PG);
	page_of(want, 0xa2);
	memset(want + PG - 100, 0xd2, 100);
	assert_memory_equal(f->img.new + k * PG, want, PG);
	/* page 4: not logged; old its content, new its second half 0xe0 */
	k = index_of(4);
	page_of(want, 0x14);
	assert_memory_equal(f->img.old + k * PG, want, PG);
	memset(want + PG / 2, 0xe0, PG / 2);
	assert_memory_equal(f->img.new + k * PG, want, PG);
	/* page 5: whole */
	k = index_of(5);
	page_of(want, 0x15);
	assert_memory_equal(f->img.old + k * PG, want, PG);
	page_of(want, 0xe0);
	assert_memory_equal(f->img.new + k * PG, want, PG);
	/* page 6: logged, joined before step 2: old the log's (not the region's
	 * 0xa6 at the crash), new = 0xa6 with the early bytes and the late half */
	k = index_of(6);
	page_of(want, 0x16);
	assert_memory_equal(f->img.old + k * PG, want, PG);
	page_of(want, 0xa6);
	memset(want + 50, 0xc6, 100);
	memset(want, 0xe0, PG / 2);
	assert_memory_equal(f->img.new + k * PG, want, PG);
	/* page 8: not logged, joined before step 2 */
	k = index_of(8);
	page_of(want, 0x18);
	assert_memory_equal(f->img.old + k * PG, want, PG);
	page_of(want, 0xc8);
	assert_memory_equal(f->img.new + k * PG, want, PG);

	/* closed: a WRITE crashed later (a crash state being applied) is not
	 * taken (fault.c asks only while wanted or open) and the image stays */
	assert_false(f->img.want || f->img.open);
	/* released: nothing left */
	fs_crash_image_release(f);
	assert_int_equal(f->img.n, 0);
	assert_null(f->img.page);
	f->crashed = false;
}

/* a power failure that did not want an image, or whose capture never
 * came (the namespace's files gone): the pages taken early are dropped */
static void test_no_capture(void **state)
{
	static uint8_t a[PG];

	(void)state;
	f->crashed = true;
	f->img.want = true;
	page_of(a, 0x77);
	fs_crash_image_late(f, &ns, a, PG, 3 * PG);
	assert_int_equal(f->img.n, 1);
	f->img.want = false;		/* step 2 without its files */
	fs_crash_image_close(f, &ns);
	assert_int_equal(f->img.n, 0);
	assert_false(f->img.held);
	f->crashed = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_late_pages),
		cmocka_unit_test(test_no_capture),
	};

	(void)fill;	/* (the fixture's; not needed here) */
	return cmocka_run_group_tests(tests, setup, teardown);
}
