/* SPDX-License-Identifier: MIT */
/*
 * A second region layout plugs in beside the region file (region_ops.h):
 * the data path (the dispatch data.c, persist flush.c, the namespace
 * object nsfile.c) and the undo log's page I/O (undo.c, as fault.c and
 * powerfail.c drive it) run over a layout defined here, one store per
 * namespace at offset 0 (the shape of issue 19's region directory), kept
 * in memory: a "cache" that WRITEs change and a "medium" that only a sync
 * changes, so that what a persist hands down is seen. region_io.c is not
 * linked: nothing above the interface needs the region file's layout.
 * The core region (labels) is a real region file in a temporary
 * directory; its data area must stay untouched.
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
#include <unistd.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/region.h"

#include "fs/nsfile.h"
#include "fs/region_ops.h"
#include "fs/undo.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)

/* ---- the layout: one store per namespace, in memory ---- */

struct fs_rio {
	struct ns_region *r;	/* what open was given */
	unsigned ns_opens, ns_closes;
	int fail_sync;		/* the next sync fails with this errno */
	void *rbuf;		/* a READ's buffer (one thread here) */
	size_t rcap;
};

struct mem_ns {
	uint8_t *cache;		/* what READs see */
	uint8_t *medium;	/* what a sync made durable */
	bool *unlisted;		/* pages written and not in a dirty extent */
	uint64_t npages;
	unsigned writes, cached_writes, pipe_writes, syncs, listed_syncs;
};

static struct mem_ns *M(const struct fs_ns *n)
{
	return n->rns;
}

static int mem_open(struct ns_region *r, enum fs_backing backing, struct fs_rio **out)
{
	struct fs_rio *rio = calloc(1, sizeof(*rio));

	(void)backing;
	if (!rio)
		return -ENOMEM;
	rio->r = r;
	*out = rio;
	return 0;
}

static void mem_close(struct fs_rio *rio)
{
	free(rio->rbuf);
	free(rio);
}

static bool mem_direct(const struct fs_rio *rio)
{
	(void)rio;
	return false;
}

/* bytes of pages whose cache differs from the medium */
static int mem_cachestat(struct fs_rio *rio, const struct fs_ns *n, uint64_t *bytes)
{
	(void)rio;
	*bytes = 0;
	for (uint64_t p = 0; n && p < M(n)->npages; p++)
		if (memcmp(M(n)->cache + p * FS_NS_PAGE, M(n)->medium + p * FS_NS_PAGE,
			   FS_NS_PAGE))
			*bytes += FS_NS_PAGE;
	return 0;
}

static int mem_ns_open(struct fs_ns *n)
{
	struct mem_ns *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->npages = n->size / FS_NS_PAGE;
	m->cache = calloc(1, n->size);
	m->medium = calloc(1, n->size);
	m->unlisted = calloc(m->npages, sizeof(bool));
	if (!m->cache || !m->medium || !m->unlisted) {
		free(m->cache), free(m->medium), free(m->unlisted), free(m);
		return -ENOMEM;
	}
	n->rns = m;
	n->rio->ns_opens++;
	return 0;
}

static void mem_ns_close(struct fs_ns *n)
{
	struct mem_ns *m = M(n);

	free(m->cache), free(m->medium), free(m->unlisted), free(m);
	n->rns = NULL;
	n->rio->ns_closes++;
}

static int mem_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off, bool cached)
{
	memcpy(M(n)->cache + off, buf, len);
	fs_dirty_add(n, off, len);
	fs_stats_add(&n->stats.bytes_written, len);
	M(n)->writes++;
	M(n)->cached_writes += cached;
	return 0;
}

static int mem_write_pipe(struct fs_ns *n, int pipefd, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(pipefd, M(n)->cache + off + done, len - done);

		if (r <= 0) {
			fs_ns_set_error(n, r < 0 ? errno : EPIPE, "reading the pipe");
			return -EIO;
		}
		done += (size_t)r;
	}
	fs_dirty_add(n, off, len);
	M(n)->pipe_writes++;
	return 0;
}

static int mem_read(struct fs_ns *n, size_t len, uint64_t off, void **out)
{
	struct fs_rio *rio = n->rio;

	if (rio->rcap < len) {
		free(rio->rbuf);
		rio->rbuf = malloc(len);
		if (!rio->rbuf)
			return -ENOMEM;
		rio->rcap = len;
	}
	memcpy(rio->rbuf, M(n)->cache + off, len);
	fs_stats_add(&n->stats.bytes_read, len);
	*out = rio->rbuf;
	return 0;
}

static int mem_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		memset(M(n)->cache + off, 0, len);
		fs_dirty_add(n, off, len);
	}
	return 0;	/* mode 0: every byte is reserved already */
}

static int mem_read_page(struct fs_ns *n, void *buf, uint64_t p)
{
	if (p >= M(n)->npages)
		return -EINVAL;
	memcpy(buf, M(n)->cache + p * FS_NS_PAGE, FS_NS_PAGE);
	return 0;
}

static int mem_write_page(struct fs_ns *n, const void *buf, uint64_t p)
{
	if (p >= M(n)->npages)
		return -ENXIO;
	memcpy(M(n)->cache + p * FS_NS_PAGE, buf, FS_NS_PAGE);
	M(n)->unlisted[p] = true;	/* as an O_DIRECT page write: for the sync */
	return 0;
}

static void to_medium(struct mem_ns *m, uint64_t off, uint64_t len)
{
	memcpy(m->medium + off, m->cache + off, len);
}

static int mem_sync(struct fs_ns *n, const struct fs_dirty *d, const char **what)
{
	struct mem_ns *m = M(n);
	int err = n->rio->fail_sync;

	m->syncs++;
	if (err) {
		n->rio->fail_sync = 0;
		if (what)
			*what = "a sync of the memory layout";
		return err;
	}
	if (d) {
		m->listed_syncs++;
		if (d->whole)
			to_medium(m, 0, n->size);
		for (unsigned i = 0; !d->whole && i < d->n; i++)
			to_medium(m, d->ext[i].off, d->ext[i].len);
	}
	for (uint64_t p = 0; p < m->npages; p++) {
		if (m->unlisted[p])
			to_medium(m, p * FS_NS_PAGE, FS_NS_PAGE);
		m->unlisted[p] = false;
	}
	return 0;
}

static const struct fs_region_ops mem_ops = {
	.name = "memory (a test's)",
	.open = mem_open,
	.close = mem_close,
	.direct = mem_direct,
	.cachestat = mem_cachestat,
	.ns_open = mem_ns_open,
	.ns_close = mem_ns_close,
	.write = mem_write,
	.write_pipe = mem_write_pipe,
	.read = mem_read,
	.fallocate = mem_fallocate,
	.read_page = mem_read_page,
	.write_page = mem_write_page,
	.sync = mem_sync,
};

/* ---- a core region with one namespace, served over mem_ops ---- */

#include "fs_ns_fixture.h"

static int setup(void **state)
{
	(void)state;
	return fixture_setup(&mem_ops, "fs-rops");
}

static int teardown(void **state)
{
	(void)state;
	return fixture_teardown();
}

static void check_read(uint64_t off, const void *want, size_t len)
{
	void *got = NULL;

	assert_int_equal(fs_data_read(&ns, len, off, &got), 0);
	assert_memory_equal(got, want, len);
}

/* the medium holds want at off (durable), or does not (not yet) */
static void check_medium(uint64_t off, const void *want, size_t len, bool durable)
{
	if (durable)
		assert_memory_equal(M(&ns)->medium + off, want, len);
	else
		assert_memory_not_equal(M(&ns)->medium + off, want, len);
}

static uint64_t dirty_bytes(void)
{
	uint64_t b = 1;

	assert_int_equal(ns.rops->cachestat(ns.rio, &ns, &b), 0);
	return b;
}

static void test_served_over_it(void **state)
{
	(void)state;
	assert_ptr_equal(ns.rops, &mem_ops);
	assert_ptr_equal(ns.rio->r, region);
	assert_int_equal(ns.rio->ns_opens, 1);
	assert_non_null(ns.rns);
	assert_int_equal(ns.size, 4 * MiB);
	assert_false(fs_data_hooked(&ns));
}

static void test_write_read_persist(void **state)
{
	static char a[64 * KiB] __attribute__((aligned(4096)));
	char b[3000], c[4096];

	(void)state;
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	fill(c, sizeof(c), 3);
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), 256 * KiB), 0);
	assert_int_equal(fs_data_write(&ns, b, sizeof(b), 100), 0);
	/* a small write(2): the layout is told (cached) */
	fs_data_write_cached(true);
	assert_int_equal(fs_data_write(&ns, c, sizeof(c), 1 * MiB), 0);
	fs_data_write_cached(false);
	assert_int_equal(M(&ns)->writes, 3);
	assert_int_equal(M(&ns)->cached_writes, 1);
	assert_int_equal(ns.dirty.n, 3);

	check_read(256 * KiB, a, sizeof(a));
	check_read(100, b, sizeof(b));
	check_read(1 * MiB, c, sizeof(c));
	/* written, not durable: the layout's cache says so */
	check_medium(256 * KiB, a, sizeof(a), false);
	check_medium(100, b, sizeof(b), false);
	assert_int_equal(dirty_bytes(), sizeof(a) + 4096 + 4096);

	/* FSYNC: one sync of the layout, with the dirty extents */
	assert_int_equal(fs_data_fsync(&ns), 0);
	assert_int_equal(M(&ns)->syncs, 1);
	assert_int_equal(M(&ns)->listed_syncs, 1);
	check_medium(256 * KiB, a, sizeof(a), true);
	check_medium(100, b, sizeof(b), true);
	check_medium(1 * MiB, c, sizeof(c), true);
	assert_int_equal(dirty_bytes(), 0);
	assert_int_equal(ns.dirty.n, 0);
	assert_int_equal(ns.stats.persists, 1);
	assert_int_equal(ns.stats.bytes_persisted, sizeof(a) + sizeof(b) + sizeof(c));
	assert_int_equal(fs_ns_error(&ns), 0);
	/* nothing dirty: no sync */
	assert_int_equal(fs_data_fsync(&ns), 0);
	assert_int_equal(M(&ns)->syncs, 1);
}

static void test_write_pipe_and_fallocate(void **state)
{
	static char a[8 * KiB];
	char z[4096] = { 0 };
	int p[2];

	(void)state;
	fill(a, sizeof(a), 4);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], a, sizeof(a)), (ssize_t)sizeof(a));
	assert_int_equal(fs_data_write_pipe(&ns, p[0], sizeof(a), 512 * KiB), 0);
	assert_int_equal(M(&ns)->pipe_writes, 1);
	/* a cached write never comes from the pipe: the dispatch says so */
	fs_data_write_cached(true);
	assert_int_equal(fs_data_write_pipe(&ns, p[0], 4096, 0), -EAGAIN);
	fs_data_write_cached(false);
	assert_int_equal(M(&ns)->pipe_writes, 1);
	close(p[0]);
	close(p[1]);
	check_read(512 * KiB, a, sizeof(a));

	assert_int_equal(fs_data_fallocate(&ns, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					   512 * KiB, 4096), 0);
	check_read(512 * KiB, z, sizeof(z));
	check_read(516 * KiB, a + 4096, 4096);
	assert_int_equal(fs_data_fsync(&ns), 0);
	check_medium(512 * KiB, z, sizeof(z), true);
	check_medium(516 * KiB, a + 4096, 4096, true);
}

/* the undo log's pages, as fault.c saves them and powerfail.c puts them back */
static int save_page(void *arg, void *buf, uint64_t p)
{
	struct fs_ns *n = arg;

	return n->rops->read_page(n, buf, p);
}

static int put_page(void *arg, void *buf, uint64_t p)
{
	struct fs_ns *n = arg;

	return n->rops->write_page(n, buf, p);
}

static void test_undo_pages(void **state)
{
	static char old[3 * 4096], now[3 * 4096];
	const uint64_t off = 2 * MiB;
	uint64_t reverted = 0, kept = 0;
	struct fs_undo u;

	(void)state;
	fill(old, sizeof(old), 5);
	assert_int_equal(fs_data_write(&ns, old, sizeof(old), off), 0);
	assert_int_equal(fs_data_fsync(&ns), 0);

	fs_undo_init(&u);
	assert_int_equal(fs_undo_start(&u, ns.size / FS_PAGE), 0);
	/* a change: its pages saved first (change_begin), then written */
	fill(now, sizeof(now), 6);
	assert_int_equal(fs_undo_save(&u, off + 100, sizeof(now) - 200, save_page, &ns), 0);
	assert_int_equal(fs_undo_count(&u), 3);
	assert_int_equal(fs_data_write(&ns, now + 100, sizeof(now) - 200, off + 100), 0);
	check_read(off + 100, now + 100, sizeof(now) - 200);

	/* the power fails: nothing kept, the pages go back, then the sync */
	assert_int_equal(fs_undo_revert(&u, 1, 0, put_page, &ns, &reverted, &kept), 0);
	assert_int_equal(reverted, 3);
	assert_int_equal(kept, 0);
	assert_int_equal(ns.rops->sync(&ns, NULL, NULL), 0);
	fs_undo_drop(&u);
	fs_undo_stop(&u);
	fs_undo_fini(&u);
	check_read(off, old, sizeof(old));
	check_medium(off, old, sizeof(old), true);
	/* past the end the layout has no page: nothing written */
	assert_int_equal(ns.rops->write_page(&ns, old, ns.size / FS_NS_PAGE), -ENXIO);
}

/* a sync that fails is sticky through the data path, whatever the layout */
static void test_sync_error_sticky(void **state)
{
	char a[4096];

	(void)state;
	fill(a, sizeof(a), 7);
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), 3 * MiB), 0);
	ns.rio->fail_sync = EIO;
	assert_int_equal(fs_data_fsync(&ns), -EIO);
	assert_int_equal(fs_ns_error(&ns), EIO);
	check_medium(3 * MiB, a, sizeof(a), false);
	/* the next sync works, the error stays */
	assert_int_equal(fs_data_write(&ns, a, sizeof(a), 3 * MiB), 0);
	assert_int_equal(fs_data_fsync(&ns), -EIO);
	assert_int_equal(fs_ns_error(&ns), EIO);
}

/* last: the region file (the core's labels) never saw a byte of data */
static void test_region_file_untouched(void **state)
{
	static char buf[1 * MiB], zero[1 * MiB];
	int fd = open(rpath, O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	for (uint64_t off = 0; off < ns.size; off += sizeof(buf)) {
		assert_int_equal(pread(fd, buf, sizeof(buf), (off_t)(ns.dpa + off)),
				 (ssize_t)sizeof(buf));
		assert_memory_equal(buf, zero, sizeof(buf));
	}
	close(fd);
	/* and the namespace leaves the layout when it stops being served */
	fs_ns_fini(&ns);
	assert_int_equal(rio->ns_closes, 1);
	assert_null(ns.rns);
	assert_int_equal(fs_ns_init(&ns, core, &mem_ops, rio), 0);
	assert_int_equal(rio->ns_opens, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served_over_it),
		cmocka_unit_test(test_write_read_persist),
		cmocka_unit_test(test_write_pipe_and_fallocate),
		cmocka_unit_test(test_undo_pages),
		cmocka_unit_test(test_sync_error_sticky),
		cmocka_unit_test(test_region_file_untouched),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
