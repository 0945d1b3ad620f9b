/* SPDX-License-Identifier: MIT */
/*
 * Regions on real files in a temporary directory: create (sparse and
 * preallocated, refusals), open (lock, read-only, label probing and sizes),
 * and label areas written by others: a QEMU guest's v1.1 and v1.2 areas,
 * the kernel's interleaved nmem blobs, and a guest's LSA nested below the
 * region's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/io.h"
#include "ns/label.h"
#include "ns/le.h"
#include "ns/lsa.h"
#include "ns/namespace.h"
#include "ns/region.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define LSA (128 * KiB)

static char tmpdir[256];

static const char *tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/pmemfs-test-region-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void read_file(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void write_file(const char *path, uint64_t off, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* a sparse file of size bytes */
static void make_file(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static uint8_t *testdata(const char *name, size_t *len)
{
	const char *dir = getenv("PMEMFS_TESTDATA");
	char path[512];
	struct stat st;
	uint8_t *b;

	if (!dir)
		dir = "tests/data";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st))
		fail_msg("test data '%s' missing (PMEMFS_TESTDATA)", path);
	b = malloc((size_t)st.st_size);
	assert_non_null(b);
	read_file(path, 0, b, (size_t)st.st_size);
	*len = (size_t)st.st_size;
	return b;
}

/* a sparse file of size bytes ending with the test data blob */
static void make_file_with_blob(const char *path, uint64_t size, const char *blob)
{
	size_t len;
	uint8_t *b = testdata(blob, &len);

	make_file(path, size);
	write_file(path, size - len, b, len);
	free(b);
}

static uint64_t allocated(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_blocks * 512;
}

/* mappings of path in this process (none: a mapping of a region file is SIGBUS waiting) */
static unsigned mappings_of(const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	unsigned n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, '/');

		line[strcspn(line, "\n")] = '\0';
		if (sp && !strcmp(sp, path))
			n++;
	}
	fclose(f);
	return n;
}

static unsigned count_ns(struct ns_region *r)
{
	struct ns_namespace *ns;
	unsigned n = 0;

	ns_region_foreach_namespace(r, ns)
		n++;
	return n;
}

static struct ns_region *open_ok(const char *path, const struct ns_region_opts *o)
{
	struct ns_region *r = NULL;

	if (ns_region_open(path, o, &r))
		fail_msg("open '%s': %s", path, ns_errormsg());
	return r;
}

/* ---- create ---- */

static void test_create_sparse(void **state)
{
	const char *p = tpath("sparse.img");
	struct ns_region_create_opts c = { .size = 64 * MiB };
	struct ns_region *r = NULL;
	uint8_t idx[512];
	struct stat st;

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 64 * MiB);
	assert_int_equal(st.st_mode & 0777, 0600 & ~0u);
	/* the label area is allocated, the data area is not */
	assert_true(allocated(p) >= LSA);
	assert_true(allocated(p) < 2 * MiB);

	assert_string_equal(ns_region_path(r), p);
	assert_string_equal(ns_region_devname(r), "region0");
	assert_true(ns_region_fd(r) >= 0);
	assert_int_equal(ns_region_size(r), 64 * MiB);
	assert_int_equal(ns_region_data_size(r), 64 * MiB - LSA);
	assert_true(ns_region_has_labels(r));
	assert_int_equal(ns_region_label_size(r), LSA);
	assert_int_equal(ns_region_label_minor(r), 2);
	assert_int_equal(ns_region_isetcookie(r), NS_ISETCOOKIE_V1_2);
	assert_int_equal(count_ns(r), 0);
	/* nothing maps the region file: label writes are pwrite + fdatasync */
	assert_int_equal(mappings_of(p), 0);

	/* a fresh kernel-style v1.2 area on the file */
	read_file(p, 64 * MiB - LSA, idx, sizeof(idx));
	assert_memory_equal(idx, "NAMESPACE_INDEX", 16);
	assert_memory_equal(idx + 256, "NAMESPACE_INDEX", 16);
	assert_int_equal(idx[19], 1);			/* labelsize 256 */
	assert_int_equal(get_le32(idx + 20), 3);	/* seq */
	assert_int_equal(get_le32(idx + 256 + 20), 2);
	assert_int_equal(get_le32(idx + 56), 510);	/* nslot */
	assert_int_equal(get_le16(idx + 62), 2);	/* minor */

	/* a namespace of a sparse region: preallocated unless sparse */
	{
		struct ns_namespace_create_opts o = { .size = 8 * MiB, .name = "pre" };
		uint64_t before = allocated(p);

		assert_int_equal(ns_namespace_create(r, &o, NULL), 0);
		assert_true(allocated(p) >= before + 8 * MiB);
		before = allocated(p);
		o = (struct ns_namespace_create_opts){ .size = 8 * MiB, .name = "sp",
						       .sparse = true };
		assert_int_equal(ns_namespace_create(r, &o, NULL), 0);
		assert_true(allocated(p) < before + 1 * MiB);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_size, 64 * MiB);	/* never resized */
	}
	ns_region_close(&r);
	assert_null(r);
	ns_region_close(&r);	/* NULL is fine */

	/* reopened: both namespaces, labels read back from the file */
	r = open_ok(p, NULL);
	assert_int_equal(count_ns(r), 2);
	assert_int_equal(ns_namespace_dpa(ns_region_find_namespace(r, "sp")), 8 * MiB);
	ns_region_close(&r);
	unlink(p);
}

static void test_create_prealloc(void **state)
{
	const char *p = tpath("prealloc.img");
	struct ns_region_create_opts c = { .size = 16 * MiB, .prealloc = true, .minor = 1,
					   .label_size = 256 * KiB };
	struct ns_region *r = NULL;

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	assert_true(allocated(p) >= 16 * MiB);
	assert_int_equal(ns_region_label_size(r), 256 * KiB);
	assert_int_equal(ns_region_label_minor(r), 1);
	assert_int_equal(ns_lsa_nslot(ns_region_lsa(r)), 2040);
	assert_int_equal(ns_region_isetcookie(r), NS_ISETCOOKIE_V1_1);
	ns_region_close(&r);
	/* probing finds the 256 KiB area */
	r = open_ok(p, NULL);
	assert_int_equal(ns_region_label_size(r), 256 * KiB);
	assert_int_equal(ns_region_data_size(r), 16 * MiB - 256 * KiB);
	ns_region_close(&r);
	unlink(p);
}

static void test_create_refusals(void **state)
{
	static const struct {
		const char *what;
		uint64_t size, label_size;
		unsigned minor;
		const char *msg;	/* after "create region 'PATH': " or "region 'PATH': " */
	} t[] = {
		{ "size 0", 0, 0, 0,
		  "size must be greater than 0: at least 4 MiB (a label area of 131072 bytes and one 2 MiB namespace)" },
		{ "no namespace fits", 2 * MiB, 0, 0,
		  "size 2 MiB leaves 1966080 bytes for data after a label area of 131072 bytes: no 2 MiB namespace fits (at least 4 MiB)" },
		{ "no namespace fits, 1 MiB label area", 2 * MiB, 1 * MiB, 0,
		  "size 2 MiB leaves 1 MiB for data after a label area of 1 MiB: no 2 MiB namespace fits (at least 4 MiB)" },
		{ "odd size", 5 * MiB, 0, 0, "size 5 MiB is not a multiple of 2 MiB" },
		{ "1 byte more", 4 * MiB + 1, 0, 0, "size 4194305 bytes is not a multiple of 2 MiB" },
		{ "label size not pow2", 4 * MiB, 192 * KiB, 0,
		  "invalid label size 196608 bytes: a power of two of at least 128 KiB is needed" },
		{ "label size small", 4 * MiB, 64 * KiB, 0,
		  "invalid label size 65536 bytes: a power of two of at least 128 KiB is needed" },
		{ "no room for data", 2 * MiB, 2 * MiB, 0,
		  "size 2 MiB leaves no room for data after a label area of 2 MiB" },
		{ "label bigger than size", 2 * MiB, 4 * MiB, 0,
		  "size 2 MiB leaves no room for data after a label area of 4 MiB" },
		{ "version", 4 * MiB, 0, 3, "label version 1.3 unsupported (1.1 or 1.2)" },
	};
	const char *p = tpath("bad.img");

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ns_region_create_opts c = { .size = t[i].size,
						   .label_size = t[i].label_size,
						   .minor = t[i].minor };
		struct ns_region *r = (void *)1;
		char want[512], want2[512];
		struct stat st;

		assert_int_equal(ns_region_create(p, &c, NULL, &r), -EINVAL);
		assert_null(r);
		snprintf(want, sizeof(want), "create region '%s': %s", p, t[i].msg);
		snprintf(want2, sizeof(want2), "region '%s': %s", p, t[i].msg);
		if (strcmp(ns_errormsg(), want) && strcmp(ns_errormsg(), want2))
			fail_msg("%s: '%s'", t[i].what, ns_errormsg());
		assert_int_equal(stat(p, &st), -1);
		assert_int_equal(errno, ENOENT);
	}

	/* an existing file is never overwritten */
	{
		struct ns_region_create_opts c = { .size = 4 * MiB };
		struct ns_region *r = NULL;
		char want[512], back[6];

		make_file(p, 4096);
		write_file(p, 0, "keep!", 5);
		assert_int_equal(ns_region_create(p, &c, NULL, &r), -EEXIST);
		snprintf(want, sizeof(want), "cannot create region '%s': File exists", p);
		assert_string_equal(ns_errormsg(), want);
		read_file(p, 0, back, 5);
		assert_memory_equal(back, "keep!", 5);
		{
			struct stat st;

			assert_int_equal(stat(p, &st), 0);
			assert_int_equal(st.st_size, 4096);
		}
		unlink(p);
	}
}

/* ---- open ---- */

static void test_lock(void **state)
{
	const char *p = tpath("lock.img");
	struct ns_region_create_opts c = { .size = 16 * MiB };
	struct ns_region_opts ro = { .flags = NS_REGION_RDONLY };
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .name = "a" };
	struct ns_region *r = NULL, *r2 = NULL, *rd = NULL;
	char want[512];
	pid_t pid;
	int status;

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	/* a second writer in the same process conflicts */
	assert_int_equal(ns_region_open(p, NULL, &r2), -NS_E_LOCKED);
	assert_null(r2);
	snprintf(want, sizeof(want), "region '%s' is in use by another process", p);
	assert_non_null(strstr(ns_errormsg(), want));
	/* and so does one in another process */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ns_region *x = NULL;

		_exit(ns_region_open(p, NULL, &x) == -NS_E_LOCKED ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* readers need no lock, and see changes after a reload */
	assert_int_equal(mappings_of(p), 0);	/* no writer maps the file */
	rd = open_ok(p, &ro);
	assert_int_equal(mappings_of(p), 0);	/* nor does a reader */
	assert_int_equal(count_ns(rd), 0);
	assert_int_equal(ns_namespace_create(r, &o, NULL), 0);
	assert_int_equal(ns_region_reload(rd), 0);
	assert_int_equal(count_ns(rd), 1);
	assert_non_null(ns_region_find_namespace(rd, "a"));
	assert_int_equal(ns_namespace_create(rd, &o, NULL), -EROFS);

	/* closing the writer releases the lock */
	ns_region_close(&r);
	r2 = open_ok(p, NULL);
	ns_region_close(&r2);
	ns_region_close(&rd);
	unlink(p);
}

static void test_open_errors(void **state)
{
	const char *p = tpath("errors.img");
	struct ns_region_opts nolabels = { .flags = NS_REGION_NOLABELS_OK };
	struct ns_region *r = NULL;
	char want[512];

	assert_int_equal(ns_region_open(tpath("missing.img"), NULL, &r), -ENOENT);
	snprintf(want, sizeof(want), "cannot open region '%s': No such file or directory",
		 tpath("missing.img"));
	assert_string_equal(ns_errormsg(), want);

	/* no labels */
	make_file(p, 4 * MiB);
	assert_int_equal(ns_region_open(p, NULL, &r), -NS_E_NO_LABELS);
	assert_null(r);
	snprintf(want, sizeof(want), "region '%s': ", p);
	assert_memory_equal(ns_errormsg(), want, strlen(want));
	r = open_ok(p, &nolabels);
	assert_false(ns_region_has_labels(r));
	assert_int_equal(ns_region_label_size(r), LSA);
	assert_int_equal(ns_region_data_size(r), 4 * MiB - LSA);
	assert_int_equal(count_ns(r), 0);
	/* init-labels makes it usable, in the file */
	assert_int_equal(ns_region_init_labels(r, 0, false), 0);
	ns_region_close(&r);
	r = open_ok(p, NULL);
	assert_int_equal(ns_region_label_minor(r), 2);
	ns_region_close(&r);

	/* label_size given: validated, and it must fit */
	{
		static const struct {
			uint64_t ls;
			int rc;
			const char *msg;
		} t[] = {
			{ 192 * KiB, -EINVAL, "invalid label size 196608 bytes: a power of two of at least 128 KiB is needed" },
			{ 4 * KiB, -EINVAL, "invalid label size 4096 bytes: a power of two of at least 128 KiB is needed" },
			{ 4 * MiB, -NS_E_SIZE_MISMATCH, "is 4 MiB, too small for a label area of 4 MiB and data" },
			{ 8 * MiB, -NS_E_SIZE_MISMATCH, "is 4 MiB, too small for a label area of 8 MiB and data" },
			{ 256 * KiB, -NS_E_NO_LABELS, "" },
		};

		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			struct ns_region_opts o = { .label_size = t[i].ls };

			assert_int_equal(ns_region_open(p, &o, &r), t[i].rc);
			if (!strstr(ns_errormsg(), t[i].msg) || !strstr(ns_errormsg(), p))
				fail_msg("label size %llu: '%s'", (unsigned long long)t[i].ls,
					 ns_errormsg());
		}
		{
			struct ns_region_opts o = { .label_size = LSA };

			r = open_ok(p, &o);
			ns_region_close(&r);
		}
	}

	/* a file too small for any label area */
	make_file(p, 64 * KiB);
	assert_int_equal(ns_region_open(p, NULL, &r), -NS_E_SIZE_MISMATCH);
	snprintf(want, sizeof(want), "region '%s' is 65536 bytes, too small for a label "
		 "area of 131072 bytes and data", p);
	assert_string_equal(ns_errormsg(), want);
	unlink(p);

	/* not a file */
	assert_true(ns_region_open(tmpdir, NULL, &r) < 0);
	assert_null(r);
}

/* the v1.1 guest's labels describe 240 MiB; the file holds 64 MiB */
static void test_labels_past_file(void **state)
{
	const char *p = tpath("small.img");
	struct ns_region *r;
	struct ns_namespace *ns;
	struct ns_namespace_create_opts o = { .size = 2 * MiB };

	make_file_with_blob(p, 64 * MiB, "qemu-guest-v1.1-fsdax.lsa");
	r = open_ok(p, NULL);
	assert_int_equal(count_ns(r), 1);
	ns = ns_namespace_get_first(r);
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INVALID);
	assert_string_equal(ns_namespace_reason(ns),
		"range [0, 0xf000000) reaches past the data area: it ends at 251658240 "
		"bytes, the data area is 66977792 bytes");
	/* its in-file part stays reserved until the user destroys it */
	assert_int_equal(ns_namespace_create(r, &o, NULL), -ENOSPC);
	assert_int_equal(ns_namespace_destroy(ns, 0), 0);
	assert_int_equal(ns_namespace_create(r, &o, NULL), 0);
	ns_region_close(&r);
	unlink(p);
}

/* ---- label areas written by QEMU guests and the kernel ---- */

static void check_guest(const char *blob, unsigned minor, uint64_t cookie)
{
	const char *p = tpath("guest.img");
	const uint64_t size = 256 * MiB;
	struct ns_region *r;
	struct ns_namespace *ns, *mine = NULL;
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .name = "mine", .sparse = true };
	uint64_t avail, max;
	unsigned ls = minor == 2 ? 256 : 128;
	uint8_t lbl[256];
	size_t bloblen;
	uint8_t *orig = testdata(blob, &bloblen);

	make_file_with_blob(p, size, blob);
	r = open_ok(p, NULL);
	assert_int_equal(ns_region_label_size(r), LSA);
	assert_int_equal(ns_region_label_minor(r), minor);
	assert_int_equal(ns_region_data_size(r), 268304384);	/* the guest's region size */
	assert_int_equal(ns_region_isetcookie(r), cookie);
	assert_int_equal(count_ns(r), 1);
	ns = ns_namespace_get_first(r);
	assert_int_equal(ns_namespace_state(ns), NS_STATE_ACTIVE);
	assert_int_equal(ns_namespace_size(ns), 251658240);
	assert_int_equal(ns_namespace_dpa(ns), 0);
	assert_int_equal(ns_namespace_isetcookie(ns), cookie);
	assert_int_equal(ns_namespace_slot(ns), 1);
	assert_string_equal(ns_namespace_label_name(ns), "");
	assert_string_equal(ns_namespace_name(ns), "namespace0.0");
	assert_int_equal(ns_namespace_flags(ns), 0);
	assert_string_equal(ns_namespace_uuid_str(ns),
			    minor == 1 ? "ef3587f5-9956-4ff6-87e3-04aac3e3e641" :
			    ns_namespace_uuid_str(ns));
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(max, 14 * MiB);	/* [240M, 256M - 128K) in 2 MiB units */

	/* a new namespace is written in the area's format, with its cookie */
	assert_int_equal(ns_namespace_create(r, &o, &mine), 0);
	assert_int_equal(ns_namespace_dpa(mine), 240 * MiB);
	assert_int_equal(ns_namespace_isetcookie(mine), cookie);
	read_file(p, size - LSA + 512 + (uint64_t)ns_namespace_slot(mine) * ls, lbl, ls);
	assert_string_equal((const char *)lbl + 16, "mine");
	assert_int_equal(get_le64(lbl + 88), cookie);
	assert_int_equal(get_le64(lbl + 96), 512);
	assert_int_equal(get_le64(lbl + 104), 240 * MiB);
	assert_int_equal(get_le64(lbl + 112), 2 * MiB);
	if (minor == 2) {
		assert_memory_equal(lbl + 128, ns_label_type_guid_pmem, 16);
		assert_int_equal(get_le64(lbl + 248), ns_fletcher64(lbl, 256, 248));
	}
	/* the guest's label is untouched */
	read_file(p, size - LSA + 512 + ls, lbl, ls);
	assert_memory_equal(lbl, orig + 512 + ls, ls);
	ns_region_close(&r);

	/* and a fresh open agrees (v1.2: the fsdax abstraction GUID is still there) */
	r = open_ok(p, NULL);
	assert_int_equal(count_ns(r), 2);
	ns = ns_region_find_namespace(r, "mine");
	assert_non_null(ns);
	assert_int_equal(ns_namespace_state(ns), NS_STATE_ACTIVE);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "namespace0.0")),
			 NS_STATE_ACTIVE);
	ns_region_close(&r);
	free(orig);
	unlink(p);
}

static void test_guest_v11(void **state)
{
	check_guest("qemu-guest-v1.1-fsdax.lsa", 1, 0x2468ac00123456ULL);
}

static void test_guest_v12(void **state)
{
	check_guest("qemu-guest-v1.2-fsdax.lsa", 2, 0xba90120012b4dcULL);
}

static void test_cookie_option(void **state)
{
	const char *p = tpath("cookie.img");
	struct ns_region_opts o = { .isetcookie = 0x1234 };
	struct ns_region *r;
	struct ns_namespace *ns;

	make_file_with_blob(p, 256 * MiB, "qemu-guest-v1.2-fsdax.lsa");
	r = open_ok(p, &o);
	assert_int_equal(ns_region_isetcookie(r), 0x1234);
	ns = ns_namespace_get_first(r);
	assert_int_equal(ns_namespace_state(ns), NS_STATE_FOREIGN);
	ns_region_close(&r);
	unlink(p);
}

/* ---- QEMU nvdimm slots: create-region --nvdimm-slot, move-region ---- */

#define COOKIE_V11_SLOT1 0x2468ae00123457ULL
#define COOKIE_V12_SLOT1 0xba901c0012b4ddULL

static void assert_slot(struct ns_region *r, uint32_t want)
{
	uint32_t slot = 99;

	assert_true(ns_region_nvdimm_slot(r, &slot));
	assert_int_equal(slot, want);
	assert_int_equal(ns_region_isetcookie(r),
			 ns_isetcookie_qemu(ns_region_label_minor(r), want));
}

/* the record in both index blocks of a 128 KiB v1.2 area at the file's end */
static uint32_t record_of(const char *p, uint64_t size, int block)
{
	uint8_t idx[256];
	uint32_t slot;

	read_file(p, size - LSA + (block ? 256 : 0), idx, sizeof(idx));
	if (!ns_index_slotrec_get(idx, 256, get_le32(idx + 56), &slot))
		return UINT32_MAX;
	return slot;
}

static void test_create_nvdimm_slot(void **state)
{
	const char *p = tpath("slot1.img");
	struct ns_region_create_opts c = { .size = 64 * MiB, .nvdimm_slot = 1 };
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .name = "a", .sparse = true };
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	uint8_t lbl[256];

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	/* an empty area: the slot is the index blocks' record */
	assert_int_equal(ns_region_isetcookie(r), COOKIE_V12_SLOT1);
	assert_slot(r, 1);
	assert_int_equal(record_of(p, 64 * MiB, 0), 1);
	assert_int_equal(record_of(p, 64 * MiB, 1), 1);
	assert_int_equal(ns_namespace_create(r, &o, &ns), 0);
	assert_int_equal(ns_namespace_isetcookie(ns), COOKIE_V12_SLOT1);
	read_file(p, 64 * MiB - LSA + 512 + (uint64_t)ns_namespace_slot(ns) * 256, lbl, 256);
	assert_int_equal(get_le64(lbl + 88), COOKIE_V12_SLOT1);
	/* a commit keeps the record (the new block copies the bytes after the bitmap) */
	assert_int_equal(record_of(p, 64 * MiB, 0), 1);
	assert_int_equal(record_of(p, 64 * MiB, 1), 1);
	ns_region_close(&r);
	r = open_ok(p, NULL);
	assert_slot(r, 1);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "a")), NS_STATE_ACTIVE);
	/* init-labels keeps the region's slot, in the new version too */
	assert_int_equal(ns_region_init_labels(r, 1, true), 0);
	assert_int_equal(ns_region_isetcookie(r), COOKIE_V11_SLOT1);
	assert_slot(r, 1);
	ns_region_close(&r);
	r = open_ok(p, NULL);
	assert_int_equal(ns_region_isetcookie(r), COOKIE_V11_SLOT1);
	/* zero-labels forgets it with the rest of the area */
	assert_int_equal(ns_region_zero_labels(r, false), 0);
	assert_int_equal(ns_region_init_labels(r, 2, false), 0);
	assert_slot(r, 0);
	ns_region_close(&r);
	unlink(p);

	/* slot 0 writes no record: the kernel's blocks, bit for bit */
	c.nvdimm_slot = 0;
	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	assert_int_equal(record_of(p, 64 * MiB, 0), UINT32_MAX);
	assert_slot(r, 0);
	ns_region_close(&r);
	unlink(p);

	/* out of range: refused before a file is made */
	c.nvdimm_slot = NS_NVDIMM_SLOT_MAX + 1;
	assert_int_equal(ns_region_create(p, &c, NULL, &r), -EINVAL);
	assert_non_null(strstr(ns_errormsg(), "nvdimm slot 256 out of range"));
	assert_int_equal(access(p, F_OK), -1);
}

static void test_move_region(void **state)
{
	const char *p = tpath("move.img");
	struct ns_region_create_opts c = { .size = 64 * MiB };
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .sparse = true };
	struct ns_region *r = NULL;
	struct ns_namespace *a, *b, *ns;
	uint32_t sa, sb, cur_before;
	unsigned n = 99;
	uint8_t before[256], after[256];

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	o.name = "a";
	assert_int_equal(ns_namespace_create(r, &o, &a), 0);
	o.name = "b";
	o.readonly = true;
	assert_int_equal(ns_namespace_create(r, &o, &b), 0);
	ns_namespace_get(a);	/* held (open): a move is no reason to refuse */
	sa = ns_namespace_slot(a);
	sb = ns_namespace_slot(b);
	read_file(p, 64 * MiB - LSA + 512 + (uint64_t)sb * 256, before, 256);

	assert_int_equal(ns_region_set_nvdimm_slot(r, 1, &n), 0);
	assert_int_equal(n, 2);
	assert_slot(r, 1);
	/* the same objects, served, in new label slots */
	assert_ptr_equal(ns_region_find_namespace(r, "a"), a);
	assert_ptr_equal(ns_region_find_namespace(r, "b"), b);
	assert_string_equal(ns_namespace_devname(a), "namespace0.0");
	assert_int_equal(ns_namespace_holders(a), 1);
	assert_int_equal(ns_namespace_state(a), NS_STATE_ACTIVE);
	assert_int_equal(ns_namespace_state(b), NS_STATE_ACTIVE);
	assert_true(ns_namespace_slot(a) != sa && ns_namespace_slot(b) != sb);
	assert_int_equal(ns_namespace_isetcookie(a), COOKIE_V12_SLOT1);
	assert_true(ns_namespace_readonly(b));
	/* on media: only the cookie, the slot field and the checksum changed */
	read_file(p, 64 * MiB - LSA + 512 + (uint64_t)ns_namespace_slot(b) * 256, after, 256);
	assert_int_equal(get_le64(after + 88), COOKIE_V12_SLOT1);
	assert_int_equal(get_le32(after + 120), ns_namespace_slot(b));
	assert_int_equal(get_le64(after + 248), ns_fletcher64(after, 256, 248));
	memcpy(after + 88, before + 88, 8);
	memcpy(after + 120, before + 120, 4);
	memcpy(after + 248, before + 248, 8);
	assert_memory_equal(after, before, 256);
	assert_int_equal(record_of(p, 64 * MiB, ns_lsa_current(ns_region_lsa(r))), 1);

	/* moved there already: nothing is written */
	cur_before = ns_lsa_current(ns_region_lsa(r));
	assert_int_equal(ns_region_set_nvdimm_slot(r, 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ns_lsa_current(ns_region_lsa(r)), cur_before);
	ns_namespace_put(a);
	ns_region_close(&r);

	/* a fresh open agrees */
	r = open_ok(p, NULL);
	assert_slot(r, 1);
	assert_int_equal(count_ns(r), 2);
	ns_region_foreach_namespace(r, ns)
		assert_int_equal(ns_namespace_state(ns), NS_STATE_ACTIVE);
	/* back to slot 0: the record is cleared */
	assert_int_equal(ns_region_set_nvdimm_slot(r, 0, &n), 0);
	assert_int_equal(n, 2);
	assert_slot(r, 0);
	assert_int_equal(record_of(p, 64 * MiB, ns_lsa_current(ns_region_lsa(r))), UINT32_MAX);
	assert_int_equal(ns_region_set_nvdimm_slot(r, NS_NVDIMM_SLOT_MAX + 1, NULL), -EINVAL);
	ns_region_close(&r);

	/* an empty region: one commit for the record alone */
	unlink(p);
	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	assert_int_equal(ns_region_set_nvdimm_slot(r, 7, &n), 0);
	assert_int_equal(n, 0);
	assert_slot(r, 7);
	ns_region_close(&r);
	r = open_ok(p, NULL);
	assert_slot(r, 7);
	ns_region_close(&r);
	/* read-only: refused */
	{
		struct ns_region_opts ro = { .flags = NS_REGION_RDONLY };

		r = open_ok(p, &ro);
		assert_int_equal(ns_region_set_nvdimm_slot(r, 1, NULL), -EROFS);
		ns_region_close(&r);
	}
	unlink(p);
}

/* fewer free label slots than labels: refused, both counts named, nothing written */
static void test_move_region_full(void **state)
{
	const char *p = tpath("full.img");
	struct ns_region_create_opts c = { .size = 16 * MiB };
	struct ns_namespace_create_opts o = { .size = 4 * KiB, .align = 4 * KiB,
					      .sparse = true };
	struct ns_region *r = NULL;
	uint8_t *area = malloc(LSA), *again = malloc(LSA);
	unsigned n = 99;

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	for (int i = 0; i < 300; i++)
		assert_int_equal(ns_namespace_create(r, &o, NULL), 0);
	assert_int_equal(ns_lsa_free_slots(ns_region_lsa(r)), 210);
	read_file(p, 16 * MiB - LSA, area, LSA);
	assert_int_equal(ns_region_set_nvdimm_slot(r, 1, &n), -ENOSPC);
	assert_non_null(strstr(ns_errormsg(), "region0 has 300 labels, 210 free label slots"));
	assert_non_null(strstr(ns_errormsg(), "destroy at least 45 namespaces"));
	read_file(p, 16 * MiB - LSA, again, LSA);
	assert_memory_equal(area, again, LSA);
	assert_slot(r, 0);
	/* 45 fewer: 255 labels, 255 free slots: it fits */
	for (int i = 0; i < 45; i++)
		assert_int_equal(ns_namespace_destroy(ns_namespace_get_first(r), 0), 0);
	assert_int_equal(ns_region_set_nvdimm_slot(r, 1, &n), 0);
	assert_int_equal(n, 255);
	assert_int_equal(ns_lsa_free_slots(ns_region_lsa(r)), 255);
	assert_slot(r, 1);
	ns_region_close(&r);
	free(area);
	free(again);
	unlink(p);
}

/* write the record of slot into the current index block of p (a crafted area) */
static void put_record(const char *p, uint64_t size, int block, uint32_t slot)
{
	uint8_t idx[256];
	int fd = open(p, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, idx, 256, (off_t)(size - LSA + (block ? 256 : 0))), 256);
	ns_index_slotrec_put(idx, 256, slot);
	put_le64(idx + 64, ns_fletcher64(idx, 256, 64));
	assert_int_equal(pwrite(fd, idx, 256, (off_t)(size - LSA + (block ? 256 : 0))), 256);
	close(fd);
}

/*
 * The labels decide, the record only when there are none (or to break a
 * tie): a guest in slot 1 that wrote labels into an area recorded for
 * slot 7 is in slot 1, until its last label is gone.
 */
static void test_record_vs_labels(void **state)
{
	const char *p = tpath("prec.img");
	struct ns_region_create_opts c = { .size = 64 * MiB, .nvdimm_slot = 1 };
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .name = "g", .sparse = true };
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	int cur;

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	assert_int_equal(ns_namespace_create(r, &o, NULL), 0);
	cur = ns_lsa_current(ns_region_lsa(r));
	ns_region_close(&r);
	put_record(p, 64 * MiB, cur, 7);
	r = open_ok(p, NULL);
	assert_slot(r, 1);
	ns = ns_region_find_namespace(r, "g");
	assert_int_equal(ns_namespace_state(ns), NS_STATE_ACTIVE);
	/* the record survives the commit, and rules once no label is left */
	assert_int_equal(ns_namespace_destroy(ns, 0), 0);
	ns_region_close(&r);
	r = open_ok(p, NULL);
	assert_slot(r, 7);
	ns_region_close(&r);
	/* a crafted record of a slot out of range is no record: slot 0 */
	put_record(p, 64 * MiB, 0, 0);
	put_record(p, 64 * MiB, 1, 0);
	{
		uint8_t idx[256];
		int fd = open(p, O_RDWR);

		for (int b = 0; b < 2; b++) {
			assert_int_equal(pread(fd, idx, 256, (off_t)(64 * MiB - LSA + 256 * b)), 256);
			memcpy(idx + 240, "PMEMFS_SLOT", 12);
			put_le32(idx + 252, 4096);
			put_le64(idx + 64, ns_fletcher64(idx, 256, 64));
			assert_int_equal(pwrite(fd, idx, 256, (off_t)(64 * MiB - LSA + 256 * b)), 256);
		}
		close(fd);
	}
	r = open_ok(p, NULL);
	assert_slot(r, 0);
	ns_region_close(&r);
	unlink(p);
}

/*
 * A guest's area (slot 0 cookie, fsdax abstraction) moved to slot 1: the
 * guest's label keeps every byte but cookie, slot and checksum.
 */
static void test_move_guest_area(void **state)
{
	const char *p = tpath("gmove.img");
	struct ns_region *r;
	struct ns_namespace *g;
	uint8_t lbl[256];
	size_t bloblen;
	uint8_t *orig = testdata("qemu-guest-v1.2-fsdax.lsa", &bloblen);
	unsigned n;

	make_file_with_blob(p, 256 * MiB, "qemu-guest-v1.2-fsdax.lsa");
	r = open_ok(p, NULL);
	assert_slot(r, 0);
	g = ns_namespace_get_first(r);
	assert_int_equal(ns_region_set_nvdimm_slot(r, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_ptr_equal(ns_namespace_get_first(r), g);
	assert_int_equal(ns_namespace_state(g), NS_STATE_ACTIVE);
	read_file(p, 256 * MiB - LSA + 512 + (uint64_t)ns_namespace_slot(g) * 256, lbl, 256);
	assert_int_equal(get_le64(lbl + 88), COOKIE_V12_SLOT1);
	assert_int_equal(get_le64(lbl + 248), ns_fletcher64(lbl, 256, 248));
	memcpy(lbl + 88, orig + 512 + 256 + 88, 8);
	memcpy(lbl + 120, orig + 512 + 256 + 120, 4);
	memcpy(lbl + 248, orig + 512 + 256 + 248, 8);
	assert_memory_equal(lbl, orig + 512 + 256, 256);	/* the fsdax GUID kept */
	ns_region_close(&r);
	free(orig);
	unlink(p);
}

static void test_nmem_blobs(void **state)
{
	static const char *const blobs[] = { "nmem1.bin", "nmem2.bin", "nmem3.bin", "nmem4.bin" };
	const char *p = tpath("nmem.img");

	for (unsigned i = 0; i < 4; i++) {
		struct ns_namespace_create_opts o = { .size = 16 * MiB, .sparse = true };
		struct ns_namespace *ns, *a = NULL, *b = NULL;
		struct ns_region *r;
		uint64_t avail, max;
		char want[128];

		make_file_with_blob(p, 64 * MiB, blobs[i]);
		r = open_ok(p, NULL);
		assert_int_equal(ns_region_label_minor(r), 1);
		/* interleaved labels do not set the cookie: the v1.1 default */
		assert_int_equal(ns_region_isetcookie(r), NS_ISETCOOKIE_V1_1);
		assert_int_equal(count_ns(r), 1);
		ns = ns_namespace_get_first(r);
		assert_int_equal(ns_namespace_state(ns), NS_STATE_INTERLEAVED);
		snprintf(want, sizeof(want), "label %u of an interleave set of 4: not "
			 "served from one region file", i);
		assert_string_equal(ns_namespace_reason(ns), want);
		assert_int_equal(ns_namespace_dpa(ns), 16 * MiB);
		assert_int_equal(ns_namespace_size(ns), 16 * MiB);
		assert_int_equal(ns_namespace_flags(ns), NS_LABEL_FLAG_UPDATING);
		/* its range is reserved */
		ns_region_space(r, 0, &avail, &max);
		assert_int_equal(avail, 16 * MiB + 30 * MiB);
		assert_int_equal(max, 30 * MiB);
		assert_int_equal(ns_namespace_create(r, &o, &a), 0);
		assert_int_equal(ns_namespace_create(r, &o, &b), 0);
		assert_int_equal(ns_namespace_dpa(a), 0);
		assert_int_equal(ns_namespace_dpa(b), 32 * MiB);
		assert_int_equal(ns_namespace_state(a), NS_STATE_ACTIVE);
		ns_region_close(&r);
		unlink(p);
	}
}

/*
 * A namespace used as a QEMU nvdimm backend holds the guest's LSA in its
 * last 128 KiB. When it ends where the region's LSA starts, the 256 KiB
 * probe would start exactly at the guest's index blocks: they must not be
 * taken for the region's.
 */
static void test_nested_guest_lsa(void **state)
{
	const char *p = tpath("nested.img");
	struct ns_region_create_opts c = { .size = 64 * MiB };
	struct ns_region_opts nolabels = { .flags = NS_REGION_NOLABELS_OK };
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	size_t len;
	uint8_t *guest = testdata("qemu-guest-v1.1-fsdax.lsa", &len);
	uint64_t data;

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	data = ns_region_data_size(r);
	{
		struct ns_namespace_create_opts o = { .size = data, .align = 4 * KiB,
						      .name = "vm", .sparse = true };

		assert_int_equal(ns_namespace_create(r, &o, &ns), 0);
		assert_int_equal(ns_namespace_dpa(ns) + ns_namespace_size(ns), data);
	}
	ns_region_close(&r);
	write_file(p, data - len, guest, len);

	r = open_ok(p, NULL);
	assert_int_equal(ns_region_label_size(r), LSA);
	assert_int_equal(ns_region_label_minor(r), 2);
	assert_int_equal(count_ns(r), 1);
	assert_non_null(ns_region_find_namespace(r, "vm"));
	/* without the region's own labels, the guest's are still not taken */
	assert_int_equal(ns_region_zero_labels(r, false), 0);
	ns_region_close(&r);
	assert_int_equal(ns_region_open(p, NULL, &r), -NS_E_NO_LABELS);
	r = open_ok(p, &nolabels);
	assert_false(ns_region_has_labels(r));
	assert_int_equal(ns_region_label_size(r), LSA);
	ns_region_close(&r);
	free(guest);
	unlink(p);
}

/* destroy on a file: the first 8 KiB of the namespace read back as zeroes */
static void test_destroy_on_file(void **state)
{
	const char *p = tpath("destroy.img");
	struct ns_region_create_opts c = { .size = 16 * MiB };
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .name = "d" };
	struct ns_region *r = NULL;
	struct ns_namespace *a, *d;
	uint8_t *pat = malloc(4 * MiB), *back = malloc(4 * MiB);

	assert_non_null(pat);
	assert_non_null(back);
	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	o.name = "a";
	assert_int_equal(ns_namespace_create(r, &o, &a), 0);
	o.name = "d";
	assert_int_equal(ns_namespace_create(r, &o, &d), 0);
	memset(pat, 0x3c, 4 * MiB);
	write_file(p, 0, pat, 4 * MiB);
	assert_int_equal(ns_namespace_destroy(d, 0), 0);
	read_file(p, 0, back, 4 * MiB);
	memset(pat + 2 * MiB, 0, 8 * KiB);
	assert_memory_equal(back, pat, 4 * MiB);
	ns_region_close(&r);
	r = open_ok(p, NULL);
	assert_int_equal(count_ns(r), 1);
	ns_region_close(&r);
	free(pat);
	free(back);
	unlink(p);
}

/*
 * The file io: writes that straddle the mapped label area go partly through
 * pwrite, partly through the mapping; both reach the same file bytes, and
 * persist covers both parts.
 */
static void test_file_io_straddle(void **state)
{
	const char *p = tpath("io.img");
	struct ns_region_create_opts c = { .size = 4 * MiB };
	struct ns_region *r = NULL;
	struct ns_io *io;
	uint64_t lsa_off = 4 * MiB - LSA;
	uint8_t w[3 * 4096], back[3 * 4096], orig[3 * 4096];

	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	io = ns_region_io(r);
	assert_int_equal(io->size, 4 * MiB);
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 7 + 1);
	/* inside the label area's slots */
	assert_int_equal(ns_io_write(io, w, sizeof(w), lsa_off + 64 * KiB - 4096), 0);
	assert_int_equal(ns_io_persist(io, lsa_off + 64 * KiB - 4096, sizeof(w)), 0);
	read_file(p, lsa_off + 64 * KiB - 4096, back, sizeof(back));
	assert_memory_equal(back, w, sizeof(w));
	/* data | index blocks: saved, overwritten, checked, restored */
	read_file(p, lsa_off - 4096, orig, sizeof(orig));
	assert_int_equal(ns_io_write(io, w, sizeof(w), lsa_off - 4096), 0);
	assert_int_equal(ns_io_persist(io, lsa_off - 4096, sizeof(w)), 0);
	read_file(p, lsa_off - 4096, back, sizeof(back));
	assert_memory_equal(back, w, sizeof(w));
	memset(back, 0, sizeof(back));
	assert_int_equal(ns_io_read(io, back, sizeof(back), lsa_off - 4096), 0);
	assert_memory_equal(back, w, sizeof(w));
	assert_int_equal(ns_io_write(io, orig, sizeof(orig), lsa_off - 4096), 0);
	assert_int_equal(ns_io_persist(io, 0, 4 * MiB), 0);
	/* out of range */
	assert_int_equal(ns_io_write(io, w, sizeof(w), 4 * MiB - 4096), -EINVAL);
	assert_int_equal(ns_io_read(io, back, 1, 4 * MiB), -EINVAL);
	/* allocate: KEEP_SIZE, the file is never resized */
	assert_int_equal(ns_io_allocate(io, 0, 1 * MiB), 0);
	{
		struct stat st;

		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_size, 4 * MiB);
	}
	/* the index blocks are back: still a region */
	ns_region_close(&r);
	r = open_ok(p, NULL);
	ns_region_close(&r);
	unlink(p);
}

/*
 * A file io whose writes fail (EIO) once armed, and that arms itself when
 * a preallocation succeeds: the label commit after it fails, as it does on
 * a full btrfs (copy-on-write of the label slot), on EIO, ...
 */
struct fail_io {
	struct ns_io io;
	struct ns_io *in;
	bool armed;
};

static struct ns_io *fail_in(struct ns_io *io)
{
	return ((struct fail_io *)io)->in;
}

static int fail_read(struct ns_io *io, void *buf, size_t len, uint64_t off)
{
	return fail_in(io)->ops->read(fail_in(io), buf, len, off);
}

static int fail_write(struct ns_io *io, const void *buf, size_t len, uint64_t off)
{
	if (((struct fail_io *)io)->armed)
		return ns_err(-EIO, "write: injected I/O error");
	return fail_in(io)->ops->write(fail_in(io), buf, len, off);
}

static int fail_persist(struct ns_io *io, uint64_t off, uint64_t len)
{
	if (((struct fail_io *)io)->armed)
		return ns_err(-EIO, "persist: injected I/O error");
	return fail_in(io)->ops->persist(fail_in(io), off, len);
}

static int fail_allocate(struct ns_io *io, uint64_t off, uint64_t len)
{
	int rc = fail_in(io)->ops->allocate(fail_in(io), off, len);

	if (!rc)
		((struct fail_io *)io)->armed = true;
	return rc;
}

static void *fail_alloc_begin(struct ns_io *io, uint64_t off, uint64_t len)
{
	return fail_in(io)->ops->alloc_begin(fail_in(io), off, len);
}

static int fail_alloc_end(struct ns_io *io, void *note, bool undo)
{
	return fail_in(io)->ops->alloc_end(fail_in(io), note, undo);
}

static void fail_destroy(struct ns_io *io)
{
	ns_io_destroy(&((struct fail_io *)io)->in);
	free(io);
}

static const struct ns_io_ops fail_ops = {
	.read = fail_read, .write = fail_write, .persist = fail_persist,
	.allocate = fail_allocate, .alloc_begin = fail_alloc_begin,
	.alloc_end = fail_alloc_end, .destroy = fail_destroy,
};

/* a create whose preallocation succeeded and whose label commit failed gives every block back */
static void test_create_commit_fails_gives_back(void **state)
{
	const char *p = tpath("commitfail.img");
	struct ns_region_create_opts c = { .size = 64 * MiB, .minor = 2 };
	struct ns_namespace_create_opts o = { .size = 16 * MiB, .name = "pre" };
	struct ns_region *r = NULL;
	struct fail_io *f = calloc(1, sizeof(*f));
	static uint8_t pat[64 * KiB], back[4096];
	uint64_t before;
	int fd, rc;

	(void)state;
	assert_non_null(f);
	assert_int_equal(ns_region_create(p, &c, NULL, &r), 0);
	ns_region_close(&r);
	/* 1 MiB already written at 4 MiB (inside the range): it must stay */
	memset(pat, 0x5a, sizeof(pat));
	for (uint64_t o4 = 4 * MiB; o4 < 5 * MiB; o4 += sizeof(pat))
		write_file(p, o4, pat, sizeof(pat));
	fd = open(p, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ns_io_file_new(fd, p, &f->in), 0);
	f->io.ops = &fail_ops;
	f->io.size = f->in->size;
	assert_int_equal(ns_region_open_io(&f->io, p, NULL, &r), 0);
	before = allocated(p);
	assert_true(before < 2 * MiB);

	rc = ns_namespace_create(r, &o, NULL);
	assert_int_equal(rc, -EIO);
	assert_true(f->armed);	/* the preallocation did succeed */
	/* the message is about the create, not the give-back */
	assert_non_null(strstr(ns_errormsg(), "create namespace"));
	if (allocated(p) >= before + 1 * MiB)
		fail_msg("a failed create kept %llu KiB of the 16 MiB it preallocated",
			 (unsigned long long)((allocated(p) - before) / KiB));
	/* holes again where they were holes; what was written before stays */
	assert_int_equal(lseek(fd, 0, SEEK_HOLE), 0);
	assert_int_equal(lseek(fd, 0, SEEK_DATA), (off_t)(4 * MiB));
	assert_int_equal(lseek(fd, 4 * MiB, SEEK_HOLE), (off_t)(5 * MiB));
	assert_true(lseek(fd, 5 * MiB, SEEK_DATA) >= (off_t)(64 * MiB - LSA));
	read_file(p, 4 * MiB + 8192, back, sizeof(back));
	assert_memory_equal(back, pat, sizeof(back));
	ns_region_close(&r);
	close(fd);
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_sparse),
		cmocka_unit_test(test_create_prealloc),
		cmocka_unit_test(test_create_refusals),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_labels_past_file),
		cmocka_unit_test(test_guest_v11),
		cmocka_unit_test(test_guest_v12),
		cmocka_unit_test(test_cookie_option),
		cmocka_unit_test(test_create_nvdimm_slot),
		cmocka_unit_test(test_move_region),
		cmocka_unit_test(test_move_region_full),
		cmocka_unit_test(test_move_guest_area),
		cmocka_unit_test(test_record_vs_labels),
		cmocka_unit_test(test_nmem_blobs),
		cmocka_unit_test(test_nested_guest_lsa),
		cmocka_unit_test(test_destroy_on_file),
		cmocka_unit_test(test_file_io_straddle),
		cmocka_unit_test(test_create_commit_fails_gives_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
