/* SPDX-License-Identifier: MIT */
/*
 * src/fs's data path with no fault layer linked in: the dispatch
 * (data.c), the region file's I/O (region_io.c) and persist (flush.c) on
 * a namespace of a region file in a temporary directory. WRITE (O_DIRECT,
 * buffered, cached, spliced), READ, FALLOCATE and FSYNC, durable as
 * cachestat(2) sees it; a region file shortened behind us; and the
 * dispatch's contract with a fault hook (fault_hook.h), played here by
 * the test, not by fault.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/region.h"

#include "fs/fault_hook.h"
#include "fs/nsfile.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)

#include "fs_ns_fixture.h"

static int setup(void **state)
{
	(void)state;
	return fixture_setup(&fs_region_file_ops, "fs-data");
}

static int teardown(void **state)
{
	(void)state;
	return fixture_teardown();
}

/* the region file's bytes at namespace offset off, read past the daemon */
static void file_bytes(uint64_t off, void *buf, size_t len)
{
	int fd = open(rpath, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)(ns.dpa + off)), (ssize_t)len);
	close(fd);
}

static void check_read(uint64_t off, const void *want, size_t len)
{
	void *got = NULL;
	char *file = malloc(len);

	assert_non_null(file);
	assert_int_equal(fs_data_read(&ns, len, off, &got), 0);
	assert_memory_equal(got, want, len);
	file_bytes(off, file, len);
	assert_memory_equal(file, want, len);
	free(file);
}

#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif
struct cstat_range {
	uint64_t off, len;
};
struct cstat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/* nothing of the namespace's range dirty or under write-back (Linux >= 6.5) */
static void assert_durable(void)
{
	struct cstat_range r = { ns.dpa, ns.size };
	struct cstat cs = { 0 };
	int fd = open(rpath, O_RDONLY | O_CLOEXEC);
	long rc;

	assert_true(fd >= 0);
	rc = syscall(SYS_cachestat, fd, &r, &cs, 0);
	close(fd);
	if (rc < 0) {
		print_message("cachestat(2): %s: durability not checked\n", strerror(errno));
		return;
	}
	assert_int_equal(cs.nr_dirty, 0);
	assert_int_equal(cs.nr_writeback, 0);
}

static void test_no_hook(void **state)
{
	(void)state;
	assert_null(ns.fault);
	assert_false(fs_data_hooked(&ns));
	assert_int_equal(ns.size, 4 * MiB);
}

static void test_write_read_fsync(void **state)
{
	static char a[64 * KiB] __attribute__((aligned(4096)));
	char b[3000], c[5000];

	(void)state;
	/* page-aligned: O_DIRECT where the file system has it */
	fill(a, sizeof(a), 1);
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), 256 * KiB), 0);
	/* unaligned: buffered, a dirty extent */
	fill(b, sizeof(b), 2);
	assert_int_equal(fs_data_write(&ns, b, sizeof(b), 100), 0);
	assert_true(ns.dirty.n >= 1);
	/* a small write(2): cached, even when aligned */
	fill(c, sizeof(c), 3);
	fs_data_write_cached(true);
	assert_int_equal(fs_data_write(&ns, c, 4096, 1 * MiB), 0);
	fs_data_write_cached(false);
	/* unaligned memory, aligned offset: through the bounce buffer */
	assert_int_equal(fs_data_write(&ns, c + 1, 4096, 2 * MiB), 0);

	check_read(256 * KiB, a, sizeof(a));
	check_read(100, b, sizeof(b));
	check_read(1 * MiB, c, 4096);
	check_read(2 * MiB, c + 1, 4096);

	assert_int_equal(fs_data_fsync(&ns), 0);
	assert_int_equal(ns.dirty.n, 0);
	assert_false(ns.dirty.whole);
	assert_int_equal(fs_ns_error(&ns), 0);
	assert_durable();
	assert_true(ns.stats.bytes_written >= sizeof(a) + sizeof(b) + 8192);
}

static void test_write_pipe(void **state)
{
	static char a[8 * KiB] __attribute__((aligned(4096)));
	int p[2];
	int rc;

	(void)state;
	fill(a, sizeof(a), 4);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], a, sizeof(a)), (ssize_t)sizeof(a));
	rc = fs_data_write_pipe(&ns, p[0], sizeof(a), 512 * KiB);
	if (rc == -EAGAIN) {	/* no O_DIRECT here: the caller drains it */
		void *mem = NULL;

		assert_int_equal(fs_data_drain_pipe(p[0], sizeof(a), &mem), 0);
		rc = fs_data_write(&ns, mem, sizeof(a), 512 * KiB);
	}
	assert_int_equal(rc, 0);
	close(p[0]);
	close(p[1]);
	check_read(512 * KiB, a, sizeof(a));
	assert_int_equal(fs_data_fsync(&ns), 0);
	assert_durable();
}

static void test_fallocate(void **state)
{
	char a[8192], z[8192] = { 0 };

	(void)state;
	fill(a, sizeof(a), 5);
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), 3 * MiB), 0);
	assert_int_equal(fs_data_fallocate(&ns, FALLOC_FL_PUNCH_HOLE, 3 * MiB, 4096), 0);
	check_read(3 * MiB, z, 4096);
	check_read(3 * MiB + 4096, a + 4096, 4096);
	assert_int_equal(fs_data_fallocate(&ns, 0, 3 * MiB, 8192), 0);	/* reserve */
	check_read(3 * MiB + 4096, a + 4096, 4096);
	assert_int_equal(fs_data_fsync(&ns), 0);
	assert_durable();
}

/* ---- the dispatch's contract with a fault hook (a fake one) ---- */

struct fake {
	struct fs_fault_hook hook;
	int begin_rc;		/* what change_begin answers */
	uint64_t keep_mod;	/* FS_HOOK_LOST: pages p with p % keep_mod == 0 land */
	unsigned begins, ends, reads, fsync_begins, fsync_ends, frees, losts;
	uint64_t lost_off, lost_len;
	const void *lost_buf;
	bool lost_region_old;	/* the region still held the old bytes when told */
	int end_rc;
	uint64_t end_kept;
	int read_rc, fsync_rc;
};

static struct fake *fk(struct fs_fault_hook *h)
{
	return (struct fake *)h;
}

static int f_begin(struct fs_fault_hook *h, struct fs_ns *n, bool falloc, int mode,
		   uint64_t off, uint64_t len)
{
	(void)n, (void)falloc, (void)mode, (void)off, (void)len;
	fk(h)->begins++;
	return fk(h)->begin_rc;
}

static bool f_kept(struct fs_fault_hook *h, uint64_t page)
{
	return page % fk(h)->keep_mod == 0;
}

static char hook_old[4 * 4096];

static void f_lost(struct fs_fault_hook *h, struct fs_ns *n, const void *buf, size_t len,
		   uint64_t off)
{
	static char now[4 * 4096];

	(void)n;
	fk(h)->losts++;
	fk(h)->lost_off = off;
	fk(h)->lost_len = len;
	fk(h)->lost_buf = buf;
	/* told before any kept page lands */
	file_bytes(off, now, len < sizeof(now) ? len : sizeof(now));
	fk(h)->lost_region_old = memcmp(now, hook_old, len < sizeof(now) ? len : sizeof(now)) == 0;
}

static void f_end(struct fs_fault_hook *h, struct fs_ns *n, bool falloc, uint64_t off,
		  uint64_t len, int rc, uint64_t kept)
{
	(void)n, (void)falloc, (void)off, (void)len;
	fk(h)->ends++;
	fk(h)->end_rc = rc;
	fk(h)->end_kept = kept;
}

static int f_read(struct fs_fault_hook *h, struct fs_ns *n, uint64_t off, size_t len)
{
	(void)n, (void)off, (void)len;
	fk(h)->reads++;
	return fk(h)->read_rc;
}

static int f_fsync_begin(struct fs_fault_hook *h, struct fs_ns *n, uint64_t *token)
{
	(void)n;
	*token = 42;
	fk(h)->fsync_begins++;
	return fk(h)->fsync_rc;
}

static int f_fsync_end(struct fs_fault_hook *h, uint64_t token)
{
	assert_int_equal(token, 42);
	fk(h)->fsync_ends++;
	return 0;
}

static void f_free(struct fs_fault_hook *h)
{
	fk(h)->frees++;
}

static const struct fs_fault_ops fake_ops = {
	.change_begin = f_begin, .kept = f_kept, .lost = f_lost, .change_end = f_end,
	.read_check = f_read, .fsync_begin = f_fsync_begin, .fsync_end = f_fsync_end,
	.free = f_free,
};

static void test_hook_contract(void **state)
{
	static char a[4 * 4096] __attribute__((aligned(4096)));
	static char now[4 * 4096];
	char *old = hook_old;
	struct fake f = { .hook.ops = &fake_ops, .keep_mod = 2 };
	const uint64_t off = 1536 * KiB;
	void *got;
	int p[2];

	(void)state;
	fill(old, sizeof(hook_old), 6);
	assert_int_equal(fs_data_write(&ns, old, sizeof(hook_old), off), 0);
	ns.fault = &f.hook;
	assert_true(fs_data_hooked(&ns));

	/* a refusal: nothing written, no change_end */
	f.begin_rc = -EIO;
	fill(a, sizeof(a), 7);
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), off), -EIO);
	assert_int_equal(f.ends, 0);
	assert_int_equal(f.losts, 0);
	file_bytes(off, now, sizeof(now));
	assert_memory_equal(now, old, sizeof(hook_old));

	/* the power is off: only the pages the hook keeps land */
	f.begin_rc = FS_HOOK_LOST;
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), off), 0);
	assert_int_equal(f.ends, 1);
	assert_int_equal(f.end_kept, 2);
	/* the whole lost WRITE told once, before its kept pages landed */
	assert_int_equal(f.losts, 1);
	assert_int_equal(f.lost_off, off);
	assert_int_equal(f.lost_len, sizeof(a));
	assert_ptr_equal(f.lost_buf, a);
	assert_true(f.lost_region_old);
	file_bytes(off, now, sizeof(now));
	for (unsigned i = 0; i < 4; i++) {
		uint64_t pg = off / 4096 + i;

		assert_memory_equal(now + i * 4096, (pg % 2 ? old : a) + i * 4096, 4096);
	}
	/* a FALLOCATE with the power off changes nothing */
	assert_int_equal(fs_data_fallocate(&ns, FALLOC_FL_PUNCH_HOLE, off, 4096), 0);
	assert_int_equal(f.ends, 2);
	file_bytes(off, now, 4096);
	assert_memory_equal(now, a, 4096);

	/* go on: written, change_end told the result */
	f.begin_rc = 0;
	assert_int_equal(fs_data_write(&ns, old, sizeof(hook_old), off), 0);
	assert_int_equal(f.ends, 3);
	assert_int_equal(f.losts, 1);	/* a FALLOCATE or a WRITE with power: not lost */
	assert_int_equal(f.end_rc, 0);
	check_read(off, old, sizeof(hook_old));

	/* a READ the hook refuses; the splice path is closed to hooked writes */
	f.read_rc = -EIO;
	assert_int_equal(fs_data_read(&ns, 4096, off, &got), -EIO);
	f.read_rc = 0;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fs_data_write_pipe(&ns, p[0], 4096, off), -EAGAIN);
	close(p[0]);
	close(p[1]);

	/* FSYNC: the armed crash is the caller's; a refusal; a persist */
	f.fsync_rc = FS_HOOK_FIRE;
	assert_int_equal(fs_data_fsync(&ns), FS_HOOK_FIRE);
	assert_int_equal(f.fsync_ends, 0);
	f.fsync_rc = -EIO;
	assert_int_equal(fs_data_fsync(&ns), -EIO);
	f.fsync_rc = 0;
	assert_int_equal(fs_data_fsync(&ns), 0);
	assert_int_equal(f.fsync_ends, 1);
	assert_durable();

	ns.fault = NULL;
	assert_int_equal(f.frees, 0);
}

/* the fake hook lives on test_hook_contract's stack: gone when it fails */
static int hook_teardown(void **state)
{
	(void)state;
	ns.fault = NULL;
	return 0;
}

/* last: the region file shortened behind the daemon */
static void test_truncated_behind(void **state)
{
	char a[4096];
	int fd;

	(void)state;
	fill(a, sizeof(a), 8);
	fd = open(rpath, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(ns.dpa + 2 * MiB)), 0);
	close(fd);
	/* inside what is left: fine; past it: EIO, sticky, the file not grown */
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), 4096), 0);
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), 3 * MiB), -EIO);
	assert_int_equal(fs_ns_error(&ns), EIO);
	assert_int_equal(fs_data_fsync(&ns), -EIO);
	fd = open(rpath, O_RDONLY | O_CLOEXEC);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)(ns.dpa + 2 * MiB));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_hook),
		cmocka_unit_test(test_write_read_fsync),
		cmocka_unit_test(test_write_pipe),
		cmocka_unit_test(test_fallocate),
		cmocka_unit_test_teardown(test_hook_contract, hook_teardown),
		cmocka_unit_test(test_truncated_behind),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
