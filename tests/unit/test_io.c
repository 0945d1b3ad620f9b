/* SPDX-License-Identifier: MIT */
/*
 * The byte-I/O interface on its memory implementation: bounds checks,
 * write counting, crash injection and torn writes; and the error helpers
 * every failure goes through.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/io.h"

#define IO_SIZE 4096u

enum op { OP_READ, OP_WRITE, OP_PERSIST, OP_ALLOCATE };

static const char *const op_name[] = { "read", "write", "persist", "allocate" };

static int do_op(struct ns_io *io, enum op op, uint64_t off, uint64_t len)
{
	static uint8_t buf[2 * IO_SIZE];

	switch (op) {
	case OP_READ:
		return ns_io_read(io, buf, (size_t)len, off);
	case OP_WRITE:
		return ns_io_write(io, buf, (size_t)len, off);
	case OP_PERSIST:
		return ns_io_persist(io, off, len);
	case OP_ALLOCATE:
		return ns_io_allocate(io, off, len);
	}
	return -1;
}

static void test_bounds(void **state)
{
	static const struct {
		uint64_t off, len;
		int rc;
	} cases[] = {
		{ 0, IO_SIZE, 0 },
		{ 0, 0, 0 },
		{ IO_SIZE, 0, 0 },
		{ IO_SIZE - 8, 8, 0 },
		{ IO_SIZE - 8, 9, -EINVAL },
		{ IO_SIZE, 1, -EINVAL },
		{ IO_SIZE + 1, 0, -EINVAL },
		{ 0, IO_SIZE + 1, -EINVAL },
		/* off + len wraps around to a small number */
		{ UINT64_MAX, 2, -EINVAL },
		{ 8, UINT64_MAX - 7, -EINVAL },
	};
	struct ns_io *io;

	assert_int_equal(ns_io_mem_new(IO_SIZE, &io), 0);
	assert_int_equal(io->size, IO_SIZE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (enum op op = OP_READ; op <= OP_ALLOCATE; op++) {
			/* read/write take a size_t; skip lengths it cannot hold */
			if ((op == OP_READ || op == OP_WRITE) &&
			    cases[i].len > IO_SIZE * 2)
				continue;
			ns_err_clear();
			int rc = do_op(io, op, cases[i].off, cases[i].len);

			if (rc != cases[i].rc)
				fail_msg("%s off %llu len %llu: rc %d, want %d",
					 op_name[op],
					 (unsigned long long)cases[i].off,
					 (unsigned long long)cases[i].len, rc,
					 cases[i].rc);
			if (rc) {
				assert_non_null(strstr(ns_errormsg(),
						       op_name[op]));
				assert_non_null(strstr(ns_errormsg(),
						       "outside the region"));
			}
		}
	}
	/* rejected and empty writes count nothing */
	assert_int_equal(ns_io_mem_writes(io), 2);
	ns_io_destroy(&io);
	assert_null(io);
	ns_io_destroy(&io); /* NULL is fine */
}

static void test_read_write(void **state)
{
	struct ns_io *io;
	uint8_t w[100], r[100];

	assert_int_equal(ns_io_mem_new(IO_SIZE, &io), 0);
	for (size_t i = 0; i < sizeof(r); i++)
		assert_int_equal(ns_io_mem_buffer(io)[i * 40], 0);
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(ns_io_write(io, w, sizeof(w), 1000), 0);
	assert_memory_equal(ns_io_mem_buffer(io) + 1000, w, sizeof(w));
	assert_int_equal(ns_io_mem_buffer(io)[999], 0);
	assert_int_equal(ns_io_mem_buffer(io)[1100], 0);
	assert_int_equal(ns_io_read(io, r, sizeof(r), 1000), 0);
	assert_memory_equal(r, w, sizeof(w));
	assert_int_equal(ns_io_persist(io, 0, IO_SIZE), 0);
	assert_int_equal(ns_io_allocate(io, 0, IO_SIZE), 0);
	assert_int_equal(ns_io_mem_writes(io), 1);
	ns_io_destroy(&io);
}

/* After `allowed` writes, every write and persist fails and stores nothing. */
static void test_crash(void **state)
{
	static const long allowed[] = { 0, 1, 3 };

	for (size_t c = 0; c < sizeof(allowed) / sizeof(allowed[0]); c++) {
		struct ns_io *io;
		uint8_t block[64], zero[64] = { 0 };

		assert_int_equal(ns_io_mem_new(IO_SIZE, &io), 0);
		memset(block, 0xa5, sizeof(block));
		/* writes before arming do not count against the allowance */
		assert_int_equal(ns_io_write(io, block, 8, 4000), 0);
		ns_io_mem_crash_after(io, allowed[c], false);
		for (long i = 0; i < allowed[c]; i++) {
			assert_int_equal(ns_io_persist(io, 0, IO_SIZE), 0);
			assert_int_equal(ns_io_write(io, block, sizeof(block),
						     (uint64_t)i * 64), 0);
		}
		/* the crash comes right after the last allowed write */
		for (int i = 0; i < 3; i++) {
			uint64_t off = 1024 + (uint64_t)i * 64;

			ns_err_clear();
			assert_int_equal(ns_io_write(io, block, sizeof(block),
						     off), -EIO);
			assert_non_null(strstr(ns_errormsg(), "injected crash"));
			assert_memory_equal(ns_io_mem_buffer(io) + off, zero,
					    sizeof(zero));
			assert_int_equal(ns_io_persist(io, 0, 8), -EIO);
		}
		assert_int_equal(ns_io_mem_writes(io), 1 + allowed[c]);
		/* reads still work: the medium is what survived */
		assert_int_equal(ns_io_read(io, block, 8, 4000), 0);
		/* disarmed, the io works again */
		ns_io_mem_crash_after(io, -1, false);
		assert_int_equal(ns_io_write(io, block, sizeof(block), 1024), 0);
		assert_int_equal(ns_io_persist(io, 0, IO_SIZE), 0);
		ns_io_destroy(&io);
	}
}

/* A torn write stores the first half, rounded down to 8 bytes, once. */
static void test_torn(void **state)
{
	static const struct {
		size_t len, stored;
	} cases[] = {
		{ 1, 0 }, { 8, 0 }, { 15, 0 }, { 16, 8 }, { 24, 8 },
		{ 100, 48 }, { 256, 128 }, { 4096, 2048 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct ns_io *io;
		uint8_t w[IO_SIZE];
		const uint8_t *b;

		assert_int_equal(ns_io_mem_new(IO_SIZE, &io), 0);
		b = ns_io_mem_buffer(io);
		memset(w, 0x5a, sizeof(w));
		ns_io_mem_crash_after(io, 1, true);
		assert_int_equal(ns_io_write(io, w, 8, 0), 0);
		assert_int_equal(ns_io_write(io, w, cases[c].len, 0), -EIO);
		for (size_t i = 0; i < IO_SIZE; i++) {
			uint8_t want = i < 8 || i < cases[c].stored ? 0x5a : 0;

			if (b[i] != want)
				fail_msg("len %zu: byte %zu is %#x, want %#x",
					 cases[c].len, i, b[i], want);
		}
		/* only the first failing write is torn */
		memset(w, 0x77, sizeof(w));
		assert_int_equal(ns_io_write(io, w, cases[c].len, 0), -EIO);
		assert_int_equal(b[0], 0x5a);
		ns_io_destroy(&io);
	}
}

static void test_errors(void **state)
{
	static const struct {
		int code, errnum;
		const char *text;
	} cases[] = {
		{ -NS_E_NO_LABELS, ENXIO, "no valid label area" },
		{ -NS_E_BAD_LABELS, EINVAL, "label area unusable" },
		{ -NS_E_SIZE_MISMATCH, EINVAL, "region size does not fit its labels" },
		{ -NS_E_LOCKED, EBUSY, "region locked by another process" },
		{ -NS_E_LABELS_EXIST, EEXIST, "label area already initialised" },
		{ -NS_E_NOT_SERVED, ENXIO, "namespace not served" },
		{ -ENOSPC, ENOSPC, NULL },
		{ -EIO, EIO, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ns_err_to_errno(cases[i].code), cases[i].errnum);
		assert_string_equal(ns_strerror(cases[i].code),
				    cases[i].text ? cases[i].text :
				    strerror(-cases[i].code));
	}

	ns_err_clear();
	assert_string_equal(ns_errormsg(), "");
	assert_int_equal(ns_err(-ENOSPC, "no extent of %d GiB in '%s'", 4,
				"region0"), -ENOSPC);
	assert_string_equal(ns_errormsg(), "no extent of 4 GiB in 'region0'");
	/* a long message is cut, never overflows */
	char big[2000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ns_err(-EINVAL, "%s", big);
	assert_in_range(strlen(ns_errormsg()), 100, sizeof(big) - 2);
	ns_err_clear();
	assert_string_equal(ns_errormsg(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_torn),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
