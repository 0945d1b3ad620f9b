/* SPDX-License-Identifier: MIT */
/*
 * Namespaces on memory-io regions: create, destroy, rename, read-only,
 * lookup and iteration; every validation rule; reservations by labels
 * pmemfs does not serve; held namespaces; and crash consistency of every
 * change at every io write, whole and torn.
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
#include <uuid/uuid.h>

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
#define GiB (1ULL << 30)
#define LSA (128 * KiB)

/* ---- helpers ---- */

/*
 * calloc, wrapped for this test (-Wl,--wrap=calloc): with
 * fail_index_tables set, the namespace index's hash tables (a power of
 * two, at least 16, of pointers) cannot be had, as under memory pressure.
 */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static bool fail_index_tables;
static unsigned index_tables_refused;

void *__wrap_calloc(size_t n, size_t size)
{
	if (fail_index_tables && size == sizeof(void *) && n >= 16 && !(n & (n - 1))) {
		index_tables_refused++;
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

static struct ns_region *mem_region(uint64_t size, unsigned minor)
{
	struct ns_region *r = NULL;
	struct ns_io *io = NULL;

	assert_int_equal(ns_io_mem_new(size, &io), 0);
	assert_int_equal(ns_lsa_init(io, size - LSA, LSA, minor, NULL), 0);
	if (ns_region_open_io(io, "mem", NULL, &r))
		fail_msg("open: %s", ns_errormsg());
	return r;
}

static uint8_t *buf_of(struct ns_region *r)
{
	return ns_io_mem_buffer(ns_region_io(r));
}

/* a new region on a copy of r's bytes */
static struct ns_region *reopen_copy_opts(struct ns_region *r, const struct ns_region_opts *o)
{
	struct ns_region *c = NULL;
	struct ns_io *io = NULL;
	uint64_t size = ns_region_size(r);

	assert_int_equal(ns_io_mem_new(size, &io), 0);
	memcpy(ns_io_mem_buffer(io), buf_of(r), size);
	if (ns_region_open_io(io, "copy", o, &c))
		fail_msg("reopen: %s", ns_errormsg());
	return c;
}

static struct ns_region *reopen_copy(struct ns_region *r)
{
	return reopen_copy_opts(r, NULL);
}

static uint8_t *snapshot(struct ns_region *r)
{
	uint8_t *b = malloc(ns_region_size(r));

	assert_non_null(b);
	memcpy(b, buf_of(r), ns_region_size(r));
	return b;
}

static void assert_unchanged(struct ns_region *r, const uint8_t *before)
{
	assert_memory_equal(buf_of(r), before, ns_region_size(r));
}

static unsigned count_ns(struct ns_region *r)
{
	struct ns_namespace *ns;
	unsigned n = 0;

	ns_region_foreach_namespace(r, ns)
		n++;
	return n;
}

static struct ns_namespace *create(struct ns_region *r, uint64_t size, uint64_t align,
				   const char *name)
{
	struct ns_namespace_create_opts o = { .size = size, .align = align, .name = name };
	struct ns_namespace *ns = NULL;

	if (ns_namespace_create(r, &o, &ns))
		fail_msg("create %s: %s", name ? name : "(null)", ns_errormsg());
	assert_non_null(ns);
	return ns;
}

static struct ns_label mk_label(const char *uuid, const char *name, uint64_t dpa,
				uint64_t size, uint64_t cookie, uint16_t nlabel,
				uint16_t pos, unsigned minor)
{
	struct ns_label l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(uuid_parse(uuid, l.uuid), 0);
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.nlabel = nlabel;
	l.position = pos;
	l.isetcookie = cookie;
	l.lbasize = 512;
	l.dpa = dpa;
	l.rawsize = size;
	if (minor == 2)
		memcpy(l.type_guid, ns_label_type_guid_pmem, 16);
	return l;
}

/* commit hand-made labels as a guest would, then reload */
static void add_labels(struct ns_region *r, const struct ns_label *l, unsigned n)
{
	uint32_t slots[16];

	assert_int_equal(ns_lsa_commit(ns_region_lsa(r), NULL, 0, l, n, slots), 0);
	assert_int_equal(ns_region_reload(r), 0);
}

/* byte offset of label slot s in the region */
static uint64_t slot_off(struct ns_region *r, uint32_t s)
{
	struct ns_lsa *lsa = ns_region_lsa(r);
	struct ns_index idx;

	assert_true(ns_lsa_index(lsa, ns_lsa_current(lsa), &idx, NULL));
	return ns_lsa_offset(lsa) + idx.labeloff + (uint64_t)s * ns_lsa_label_size(lsa);
}

/* ---- create and the label written ---- */

static void check_new_label(unsigned minor)
{
	struct ns_region *r = mem_region(64 * MiB, minor);
	struct ns_namespace *ns = create(r, 4 * MiB, 0, "vm1");
	const uint8_t *p = buf_of(r) + slot_off(r, ns_namespace_slot(ns));
	uint64_t cookie = minor == 1 ? NS_ISETCOOKIE_V1_1 : NS_ISETCOOKIE_V1_2;
	uuid_t u;

	assert_int_equal(ns_namespace_state(ns), NS_STATE_ACTIVE);
	assert_string_equal(ns_namespace_reason(ns), "");
	assert_string_equal(ns_namespace_devname(ns), "namespace0.0");
	assert_string_equal(ns_namespace_name(ns), "vm1");
	assert_int_equal(ns_namespace_dpa(ns), 0);
	assert_int_equal(ns_namespace_size(ns), 4 * MiB);
	assert_int_equal(ns_namespace_align(ns), 2 * MiB);
	assert_int_equal(ns_namespace_isetcookie(ns), cookie);
	assert_int_equal(ns_region_isetcookie(r), cookie);
	assert_false(ns_namespace_readonly(ns));
	assert_int_equal(uuid_parse(ns_namespace_uuid_str(ns), u), 0);
	assert_memory_equal(u, ns_namespace_uuid(ns), 16);
	assert_false(uuid_is_null(u));

	/* the bytes on media */
	assert_memory_equal(p, ns_namespace_uuid(ns), 16);
	assert_string_equal((const char *)p + 16, "vm1");
	assert_int_equal(get_le32(p + 80), 0);			/* flags */
	assert_int_equal(get_le16(p + 84), 1);			/* nlabel */
	assert_int_equal(get_le16(p + 86), 0);			/* position */
	assert_int_equal(get_le64(p + 88), cookie);
	assert_int_equal(get_le64(p + 96), 512);		/* lbasize */
	assert_int_equal(get_le64(p + 104), 0);			/* dpa */
	assert_int_equal(get_le64(p + 112), 4 * MiB);		/* rawsize */
	assert_int_equal(get_le32(p + 120), ns_namespace_slot(ns));
	assert_int_equal(p[124], 0);				/* align */
	if (minor == 2) {
		static const uint8_t null_guid[16];

		assert_memory_equal(p + 128, ns_label_type_guid_pmem, 16);
		assert_memory_equal(p + 144, null_guid, 16);
		assert_int_equal(get_le64(p + 248), ns_fletcher64(p, 256, 248));
	} else {
		/* a 128-byte label: the next slot's bytes are untouched zeroes */
		static const uint8_t zero[128];

		assert_int_equal(ns_lsa_label_size(ns_region_lsa(r)), 128);
		assert_memory_equal(p + 128, zero, 128);
	}

	/* second one: first fit after the first, next id */
	ns = create(r, 2 * MiB, 0, NULL);
	assert_int_equal(ns_namespace_dpa(ns), 4 * MiB);
	assert_string_equal(ns_namespace_devname(ns), "namespace0.1");
	assert_string_equal(ns_namespace_name(ns), "namespace0.1");
	assert_string_equal(ns_namespace_label_name(ns), "");
	ns_region_close(&r);
}

static void test_create_v12(void **state)
{
	check_new_label(2);
}

static void test_create_v11(void **state)
{
	check_new_label(1);
}

static void test_create_options(void **state)
{
	struct ns_region *r = mem_region(64 * MiB, 2);
	uint8_t want[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
			     0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	struct ns_namespace_create_opts o = {
		.size = 64 * KiB, .align = 4 * KiB, .name = "ro", .uuid = want,
		.readonly = true, .sparse = true,
	};
	struct ns_namespace *ns = NULL, *ns2;
	struct ns_region *c;

	assert_int_equal(ns_namespace_create(r, &o, &ns), 0);
	assert_memory_equal(ns_namespace_uuid(ns), want, 16);
	assert_string_equal(ns_namespace_uuid_str(ns), "12345678-9abc-4def-8123-456789abcdef");
	assert_true(ns_namespace_readonly(ns));
	assert_int_equal(ns_namespace_flags(ns), NS_LABEL_FLAG_ROLABEL);
	assert_int_equal(ns_namespace_align(ns), 64 * KiB);

	/* out is optional; a 4 KiB-aligned one packs right after */
	o = (struct ns_namespace_create_opts){ .size = 12 * KiB, .align = 4 * KiB };
	assert_int_equal(ns_namespace_create(r, &o, NULL), 0);
	ns2 = ns_region_find_namespace(r, "namespace0.1");
	assert_non_null(ns2);
	assert_int_equal(ns_namespace_dpa(ns2), 64 * KiB);
	assert_int_equal(ns_namespace_align(ns2), 4 * KiB);

	/* what a fresh open of the same bytes sees */
	c = reopen_copy(r);
	ns = ns_region_find_namespace(c, "ro");
	assert_non_null(ns);
	assert_true(ns_namespace_readonly(ns));
	assert_memory_equal(ns_namespace_uuid(ns), want, 16);
	ns_region_close(&c);

	/* set_readonly round trip */
	ns = ns_region_find_namespace(r, "ro");
	assert_int_equal(ns_namespace_set_readonly(ns, false), 0);
	assert_false(ns_namespace_readonly(ns));
	c = reopen_copy(r);
	assert_false(ns_namespace_readonly(ns_region_find_namespace(c, "ro")));
	ns_region_close(&c);
	ns_region_close(&r);
}

/* ---- validation: each rule, and the buffer stays byte for byte ---- */

struct bad_case {
	const char *what;
	const char *name;
	uint64_t size, align;
	int rc;
	const char *msg;
};

static void test_create_validation(void **state)
{
	static const char long64[] =
		"0123456789012345678901234567890123456789012345678901234567890123";
	static const struct bad_case cases[] = {
		{ "64-byte name", long64, 2 * MiB, 0, -EINVAL,
		  "name '01234567890123456789012345678901...' is 64 bytes, at most 63" },
		{ "slash", "a/b", 2 * MiB, 0, -EINVAL, "invalid name 'a/b': contains '/'" },
		{ "dot", ".", 2 * MiB, 0, -EINVAL, "invalid name '.': reserved" },
		{ "dotdot", "..", 2 * MiB, 0, -EINVAL, "invalid name '..': reserved" },
		{ "all", "all", 2 * MiB, 0, -EINVAL, "invalid name 'all': reserved" },
		{ "devname", "namespace0.1", 2 * MiB, 0, -EINVAL,
		  "invalid name 'namespace0.1': has the form of a device name (namespaceX.Y)" },
		{ "devname 2", "namespace12.345", 2 * MiB, 0, -EINVAL,
		  "invalid name 'namespace12.345': has the form of a device name (namespaceX.Y)" },
		{ "uuid", "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", 2 * MiB, 0, -EINVAL,
		  "invalid name '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9': has the form of a uuid" },
		{ "uuid upper", "0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9", 2 * MiB, 0, -EINVAL,
		  "invalid name '0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9': has the form of a uuid" },
		{ "control", "a\tb", 2 * MiB, 0, -EINVAL,
		  "invalid name 'a?b': byte 1 (0x09) is not printable ASCII" },
		{ "non-ascii", "caf\xc3\xa9", 2 * MiB, 0, -EINVAL,
		  "invalid name 'caf?" "?': byte 3 (0xc3) is not printable ASCII" },
		{ "duplicate", "taken", 2 * MiB, 0, -EEXIST,
		  "name 'taken' is already used by namespace0.0 in region0" },
		{ "size 0", "x", 0, 0, -EINVAL, "invalid size 0" },
		{ "size not multiple", "x", 3 * MiB, 0, -EINVAL,
		  "invalid size 3 MiB: not a multiple of the alignment 2 MiB" },
		{ "size not multiple 4k", "x", 6 * KiB, 4 * KiB, -EINVAL,
		  "invalid size 6144 bytes: not a multiple of the alignment 4096 bytes" },
		{ "align not pow2", "x", 12 * KiB, 6 * KiB, -EINVAL,
		  "invalid alignment 6144: not a power of two" },
		{ "align too small", "x", 4 * KiB, 2 * KiB, -EINVAL,
		  "invalid alignment 2048: below the minimum of 4096" },
		{ "too big", "x", 1 * GiB, 0, -ENOSPC,
		  "no free extent of 1 GiB in region0 (largest free extent 60 MiB)" },
	};
	struct ns_region *r = mem_region(64 * MiB, 2);
	uint8_t *before;

	create(r, 2 * MiB, 0, "taken");
	before = snapshot(r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct ns_namespace_create_opts o = {
			.size = c->size, .align = c->align, .name = c->name,
		};
		unsigned long w = ns_io_mem_writes(ns_region_io(r));
		struct ns_namespace *ns = (void *)1;
		int rc = ns_namespace_create(r, &o, &ns);

		if (rc != c->rc)
			fail_msg("%s: rc %d want %d (%s)", c->what, rc, c->rc, ns_errormsg());
		if (strcmp(ns_errormsg(), c->msg))
			fail_msg("%s: message\n  '%s'\nwant\n  '%s'", c->what, ns_errormsg(), c->msg);
		assert_null(ns);
		assert_int_equal(ns_io_mem_writes(ns_region_io(r)), w);
		assert_unchanged(r, before);
		assert_int_equal(count_ns(r), 1);
	}
	free(before);
	ns_region_close(&r);
}

static void test_name_rules(void **state)
{
	static const struct {
		const char *name;
		int ok;
	} t[] = {
		{ "vm1", 1 }, { "with space", 1 }, { "~!@#$%^&*()_+", 1 },
		{ "namespace", 1 }, { "namespace0", 1 }, { "namespace0.", 1 },
		{ "namespace0.x", 1 }, { "namespacea.1", 1 }, { "xnamespace0.1", 1 },
		{ "namespace0.1x", 1 }, { "...", 1 }, { "All", 1 }, { ".a", 1 },
		{ "0b1c2d3e4f5046178293a4b5c6d7e8f9", 1 },	/* not the UUID form */
		{ "012345678901234567890123456789012345678901234567890123456789012", 1 },
		{ "", 0 }, { ".", 0 }, { "..", 0 }, { "all", 0 }, { "/", 0 },
		{ "a/", 0 }, { "namespace0.0", 0 }, { "namespace99.99", 0 },
		{ "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", 0 }, { "\x7f", 0 },
		{ "\n", 0 },
		{ "0123456789012345678901234567890123456789012345678901234567890123", 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = ns_name_validate(t[i].name);

		if ((rc == 0) != t[i].ok)
			fail_msg("'%s': rc %d (%s)", t[i].name, rc, ns_errormsg());
	}
	assert_int_equal(ns_name_validate(NULL), -EINVAL);
}

static void test_uuid_rules(void **state)
{
	struct ns_region *r = mem_region(64 * MiB, 2);
	struct ns_namespace *ns = create(r, 2 * MiB, 0, "a");
	uint8_t u[16], null_uuid[16] = { 0 };
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .uuid = u };
	uint8_t *before = snapshot(r);
	char msg[160];

	memcpy(u, ns_namespace_uuid(ns), 16);
	assert_int_equal(ns_namespace_create(r, &o, NULL), -EEXIST);
	snprintf(msg, sizeof(msg), "uuid %s is already used by namespace0.0 in region0",
		 ns_namespace_uuid_str(ns));
	assert_string_equal(ns_errormsg(), msg);
	o.uuid = null_uuid;
	assert_int_equal(ns_namespace_create(r, &o, NULL), -EINVAL);
	assert_string_equal(ns_errormsg(),
			    "invalid uuid 00000000-0000-0000-0000-000000000000: null");
	assert_unchanged(r, before);
	free(before);
	ns_region_close(&r);
}

/* ---- allocation through namespaces ---- */

static void test_enospc_and_first_fit(void **state)
{
	struct ns_region *r = mem_region(64 * MiB, 2);	/* data: 64 MiB - 128 KiB */
	struct ns_namespace *a, *b, *c;
	uint64_t avail, max;

	a = create(r, 20 * MiB, 0, "a");
	b = create(r, 10 * MiB, 0, "b");
	c = create(r, 20 * MiB, 0, "c");
	assert_int_equal(ns_namespace_dpa(b), 20 * MiB);
	assert_int_equal(ns_namespace_dpa(c), 30 * MiB);
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(avail, 12 * MiB);	/* [50M, 64M-128K) aligned down */
	assert_int_equal(max, 12 * MiB);
	assert_int_equal(ns_namespace_destroy(b, 0), 0);
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(avail, 22 * MiB);
	assert_int_equal(max, 12 * MiB);
	ns_region_space(r, 4 * KiB, &avail, &max);
	assert_int_equal(avail, 10 * MiB + 14 * MiB - 128 * KiB);
	assert_int_equal(max, 14 * MiB - 128 * KiB);

	{
		struct ns_namespace_create_opts o = { .size = 14 * MiB };

		assert_int_equal(ns_namespace_create(r, &o, NULL), -ENOSPC);
		assert_string_equal(ns_errormsg(),
			"no free extent of 14 MiB in region0 (largest free extent 12 MiB)");
	}
	/* first fit: the hole left by b, not the tail */
	b = create(r, 4 * MiB, 0, "b2");
	assert_int_equal(ns_namespace_dpa(b), 20 * MiB);
	b = create(r, 12 * MiB, 0, "tail");
	assert_int_equal(ns_namespace_dpa(b), 50 * MiB);
	b = create(r, 6 * MiB, 0, "hole");
	assert_int_equal(ns_namespace_dpa(b), 24 * MiB);
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(avail, 0);
	assert_int_equal(max, 0);
	(void)a;
	ns_region_close(&r);
}

/* ---- destroy ---- */

static void check_destroy_zeroes(uint64_t size)
{
	struct ns_region *r = mem_region(16 * MiB, 2);
	uint64_t data = ns_region_data_size(r);
	struct ns_namespace *g, *ns;
	uint64_t dpa, z = size < 8192 ? size : 8192;
	uint8_t *p = buf_of(r);

	g = create(r, 4 * KiB, 4 * KiB, "guard");	/* so ns does not start at 0 */
	ns = create(r, size, 4 * KiB, "victim");
	dpa = ns_namespace_dpa(ns);
	assert_int_equal(dpa, 4 * KiB);
	memset(p, 0xa5, data);
	assert_int_equal(ns_namespace_destroy(ns, 0), 0);
	for (uint64_t i = 0; i < data; i++) {
		uint8_t want = (i >= dpa && i < dpa + z) ? 0 : 0xa5;

		if (p[i] != want)
			fail_msg("size %llu: byte %llu is %#x, want %#x",
				 (unsigned long long)size, (unsigned long long)i, p[i], want);
	}
	assert_null(ns_region_find_namespace(r, "victim"));
	assert_int_equal(count_ns(r), 1);
	assert_ptr_equal(ns_namespace_get_first(r), g);
	ns_region_close(&r);
}

static void test_destroy_zeroes(void **state)
{
	check_destroy_zeroes(4 * KiB);
	check_destroy_zeroes(8 * KiB);
	check_destroy_zeroes(12 * KiB);
	check_destroy_zeroes(2 * MiB);
}

static void test_held(void **state)
{
	struct ns_region *r = mem_region(16 * MiB, 2);
	struct ns_namespace *a, *b;
	struct ns_namespace_create_opts o = { .size = 8 * MiB };
	uint8_t *before;
	uint64_t avail, max;

	a = create(r, 8 * MiB, 0, "a");
	ns_namespace_get(a);
	ns_namespace_get(a);
	assert_int_equal(ns_namespace_holders(a), 2);
	before = snapshot(r);
	assert_int_equal(ns_namespace_destroy(a, 0), -EBUSY);
	assert_string_equal(ns_errormsg(),
			    "namespace 'a' in region0 is in use (force to destroy it anyway)");
	assert_int_equal(ns_region_init_labels(r, 0, true), -EBUSY);
	assert_int_equal(ns_region_zero_labels(r, false), -EBUSY);
	assert_unchanged(r, before);
	free(before);

	assert_int_equal(ns_namespace_destroy(a, NS_DESTROY_FORCE), 0);
	assert_int_equal(ns_namespace_state(a), NS_STATE_DESTROYED);
	assert_string_equal(ns_state_name(ns_namespace_state(a)), "destroyed");
	assert_int_equal(count_ns(r), 0);
	assert_null(ns_region_find_namespace(r, "a"));
	assert_null(ns_region_find_namespace(r, "namespace0.0"));
	/* the label is gone from the medium ... */
	{
		struct ns_region *c = reopen_copy(r);

		assert_int_equal(count_ns(c), 0);
		ns_region_close(&c);
	}
	/* ... but the range stays reserved while held */
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(max, 6 * MiB);
	assert_int_equal(ns_namespace_create(r, &o, NULL), -ENOSPC);
	b = create(r, 2 * MiB, 0, "b");
	assert_int_equal(ns_namespace_dpa(b), 8 * MiB);
	/* its device name is not reused while it is held */
	assert_string_equal(ns_namespace_devname(b), "namespace0.1");
	assert_int_equal(ns_namespace_destroy(a, NS_DESTROY_FORCE), -ENOENT);
	assert_int_equal(ns_namespace_rename(a, "x"), -ENOENT);
	assert_int_equal(ns_region_init_labels(r, 0, true), -EBUSY);

	ns_namespace_put(a);
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(max, 4 * MiB);	/* one holder left: [10M, 16M-128K) */
	ns_namespace_put(a);			/* frees a */
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(max, 8 * MiB);
	b = create(r, 8 * MiB, 0, "c");
	assert_int_equal(ns_namespace_dpa(b), 0);

	/* a held namespace that is not destroyed is just released */
	ns_namespace_get(b);
	ns_namespace_put(b);
	ns_namespace_put(b);	/* extra put: ignored */
	assert_int_equal(ns_namespace_holders(b), 0);
	assert_int_equal(ns_namespace_destroy(b, 0), 0);
	ns_region_close(&r);
}

/* ---- rename ---- */

static void test_rename(void **state)
{
	struct ns_region *r = mem_region(64 * MiB, 2);
	struct ns_namespace *a = create(r, 2 * MiB, 0, "a");
	struct ns_namespace *b = create(r, 2 * MiB, 0, "b");
	uint32_t old_slot = ns_namespace_slot(a);
	uint8_t *p, *before, raw[256];
	struct ns_region *c;

	/* a guest-set abstraction GUID and reserved bytes survive a rename */
	{
		struct ns_label l;
		uint32_t slot;

		l = mk_label("266400ba-fb9f-4677-bcb0-968f11d0d225", "g", 8 * MiB, 2 * MiB,
			     NS_ISETCOOKIE_V1_2, 1, 0, 2);
		memcpy(l.abstraction_guid, "\xba\x00\x64\x26\x9f\xfb\x77\x46\xbc\xb0\x96\x8f\x11\xd0\xd2\x25", 16);
		memset(l.raw + 160, 0x5a, 88);	/* reserved2 */
		l.raw[125] = 0x77;			/* reserved */
		l.flags = 0x100;			/* an unknown flag */
		l.lbasize = 4096;
		assert_int_equal(ns_lsa_commit(ns_region_lsa(r), NULL, 0, &l, 1, &slot), 0);
		assert_int_equal(ns_region_reload(r), 0);
	}
	/* reload kept the objects of unchanged labels */
	assert_ptr_equal(ns_region_find_namespace(r, "a"), a);
	assert_ptr_equal(ns_region_find_namespace(r, "b"), b);
	{
		struct ns_namespace *g = ns_region_find_namespace(r, "g");
		uint32_t s;

		assert_non_null(g);
		assert_string_equal(ns_namespace_devname(g), "namespace0.2");
		memcpy(raw, buf_of(r) + slot_off(r, ns_namespace_slot(g)), 256);
		assert_int_equal(ns_namespace_rename(g, "renamed"), 0);
		s = ns_namespace_slot(g);
		assert_string_equal(ns_namespace_name(g), "renamed");
		assert_string_equal(ns_namespace_devname(g), "namespace0.2");
		p = buf_of(r) + slot_off(r, s);
		/* identical except name, slot and checksum */
		assert_memory_equal(p, raw, 16);
		assert_string_equal((const char *)p + 16, "renamed");
		assert_memory_equal(p + 80, raw + 80, 120 - 80);
		assert_int_equal(get_le32(p + 120), s);
		assert_memory_equal(p + 124, raw + 124, 248 - 124);
		assert_int_equal(get_le64(p + 248), ns_fletcher64(p, 256, 248));
		assert_int_equal(ns_namespace_flags(g), 0x100);
		/* and the read-only flag keeps the unknown one */
		assert_int_equal(ns_namespace_set_readonly(g, true), 0);
		assert_int_equal(ns_namespace_flags(g), 0x101);
	}

	/* a's label moves to a new slot; the walk stays in slot order */
	assert_int_equal(ns_namespace_rename(a, "a2"), 0);
	assert_int_not_equal(ns_namespace_slot(a), old_slot);
	{
		struct ns_namespace *ns;
		uint32_t last = 0;
		int first = 1;

		ns_region_foreach_namespace(r, ns) {
			if (!first)
				assert_true(ns_namespace_slot(ns) > last);
			last = ns_namespace_slot(ns);
			first = 0;
		}
	}
	c = reopen_copy(r);
	assert_non_null(ns_region_find_namespace(c, "a2"));
	assert_null(ns_region_find_namespace(c, "a"));
	ns_region_close(&c);

	/* refused renames leave the bytes alone */
	before = snapshot(r);
	assert_int_equal(ns_namespace_rename(a, "b"), -EEXIST);
	assert_string_equal(ns_errormsg(), "name 'b' is already used by namespace0.1 in region0");
	assert_int_equal(ns_namespace_rename(a, "all"), -EINVAL);
	assert_int_equal(ns_namespace_rename(a, "namespace0.1"), -EINVAL);
	assert_int_equal(ns_namespace_rename(a, "a2"), 0);	/* no change, no write */
	assert_unchanged(r, before);
	free(before);
	/* clearing the name shows the device name */
	assert_int_equal(ns_namespace_rename(a, ""), 0);
	assert_string_equal(ns_namespace_name(a), "namespace0.0");
	assert_int_equal(ns_namespace_rename(a, NULL), 0);
	ns_region_close(&r);
}

/* ---- lookup and iteration ---- */

static void test_find_and_iterate(void **state)
{
	struct ns_region_opts ro = { .id = 3 };
	struct ns_region *r0 = mem_region(64 * MiB, 2), *r;
	struct ns_namespace *a, *b, *ns;
	char upper[37];
	unsigned i = 0;

	create(r0, 2 * MiB, 0, "alpha");
	create(r0, 2 * MiB, 0, NULL);
	create(r0, 2 * MiB, 0, "gamma");
	r = reopen_copy_opts(r0, &ro);
	ns_region_close(&r0);
	assert_string_equal(ns_region_devname(r), "region3");
	assert_int_equal(ns_region_id(r), 3);

	a = ns_region_find_namespace(r, "alpha");
	b = ns_region_find_namespace(r, "namespace3.1");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(ns_namespace_devname(a), "namespace3.0");
	assert_int_equal(ns_namespace_id(a), 0);
	assert_ptr_equal(ns_namespace_region(a), r);
	assert_ptr_equal(ns_region_find_namespace(r, ns_namespace_uuid_str(b)), b);
	for (size_t k = 0; k < 37; k++)
		upper[k] = (char)(ns_namespace_uuid_str(b)[k] >= 'a' &&
				  ns_namespace_uuid_str(b)[k] <= 'f' ?
				  ns_namespace_uuid_str(b)[k] - 32 :
				  ns_namespace_uuid_str(b)[k]);
	assert_ptr_equal(ns_region_find_namespace(r, upper), b);
	assert_ptr_equal(ns_region_find_namespace(r, "namespace3.1"), b);
	assert_null(ns_region_find_namespace(r, "namespace0.1"));
	assert_null(ns_region_find_namespace(r, "beta"));
	assert_null(ns_region_find_namespace(r, ""));
	assert_null(ns_region_find_namespace(r, NULL));

	ns_region_foreach_namespace(r, ns) {
		static const char *const names[] = { "alpha", "namespace3.1", "gamma" };

		assert_string_equal(ns_namespace_name(ns), names[i]);
		assert_int_equal(ns_namespace_id(ns), i);
		i++;
	}
	assert_int_equal(i, 3);

	ns_namespace_set_userdata(a, &i);
	assert_ptr_equal(ns_namespace_get_userdata(a), &i);
	assert_null(ns_namespace_get_userdata(b));

	/* a new namespace gets max + 1 */
	assert_int_equal(ns_namespace_destroy(b, 0), 0);
	ns = create(r, 2 * MiB, 0, "delta");
	assert_string_equal(ns_namespace_devname(ns), "namespace3.3");
	ns_region_close(&r);
}

/* ---- labels pmemfs does not serve ---- */

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"
#define U3 "33333333-3333-4333-8333-333333333333"
#define U4 "44444444-4444-4444-8444-444444444444"
#define U5 "55555555-5555-4555-8555-555555555555"
#define U6 "66666666-6666-4666-8666-666666666666"

static void test_unserved_reserve(void **state)
{
	struct ns_region *r = mem_region(32 * MiB, 2);	/* data: 32 MiB - 128 KiB */
	struct ns_label l[5] = {
		mk_label(U1, "mine", 0, 4 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
		mk_label(U2, "foreign", 4 * MiB, 4 * MiB, 0x1234, 1, 0, 2),
		mk_label(U3, "inter", 8 * MiB, 4 * MiB, NS_ISETCOOKIE_V1_2, 4, 1, 2),
		mk_label(U4, "bad", 12 * MiB, 4 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
		mk_label(U5, "over", 2 * MiB, 2 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
	};
	struct ns_namespace *ns;
	struct ns_region *c;
	uint64_t avail, max, bad_off;
	uint8_t *before;

	add_labels(r, l, 5);
	/* corrupt the checksum of "bad" on the medium and open again */
	ns = ns_region_find_namespace(r, "bad");
	bad_off = slot_off(r, ns_namespace_slot(ns)) + 248;
	buf_of(r)[bad_off] ^= 0xff;
	c = reopen_copy(r);
	ns_region_close(&r);
	r = c;

	assert_int_equal(count_ns(r), 5);
	/* "over" overlaps "mine": both are invalid, whatever their slots */
	ns = ns_region_find_namespace(r, "mine");
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INVALID);
	assert_string_equal(ns_namespace_reason(ns),
			    "range [0, 0x400000) of 'mine' overlaps range [0x200000, "
			    "0x400000) of 'over': overlapping labels are all invalid");
	ns = ns_region_find_namespace(r, "foreign");
	assert_int_equal(ns_namespace_state(ns), NS_STATE_FOREIGN);
	assert_string_equal(ns_namespace_reason(ns),
			    "interleave-set cookie 0x1234 is not the region's 0xba90120012b4dc");
	ns = ns_region_find_namespace(r, "inter");
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INTERLEAVED);
	assert_string_equal(ns_state_name(NS_STATE_INTERLEAVED), "interleaved");
	ns = ns_region_find_namespace(r, U4);
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INVALID);
	assert_non_null(strstr(ns_namespace_reason(ns), "checksum"));
	/* an invalid label's name is not shown */
	assert_string_equal(ns_namespace_name(ns), ns_namespace_devname(ns));
	ns = ns_region_find_namespace(r, "over");
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INVALID);
	assert_string_equal(ns_namespace_reason(ns),
			    "range [0x200000, 0x400000) of 'over' overlaps range [0, "
			    "0x400000) of 'mine': overlapping labels are all invalid");

	/* every one reserves its range: free is [16M, 32M-128K) */
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(avail, 14 * MiB);
	{
		struct ns_namespace_create_opts o = { .size = 16 * MiB };

		before = snapshot(r);
		assert_int_equal(ns_namespace_create(r, &o, NULL), -ENOSPC);
		assert_unchanged(r, before);
		free(before);
		/*
		 * force: the range of the label that does not decode ("bad"
		 * [12M,16M)) is usable, so the tail grows to [12M, 32M-128K);
		 * foreign and interleaved stay reserved, and so do the
		 * overlapping "mine" and "over" (decodable: someone's data)
		 */
		o.force = true;
		o.name = "forced";
		o.size = 20 * MiB;
		assert_int_equal(ns_namespace_create(r, &o, NULL), -ENOSPC);
		assert_string_equal(ns_errormsg(),
			"no free extent of 20 MiB in region0 (largest free extent 18 MiB)");
		o.size = 18 * MiB;
		assert_int_equal(ns_namespace_create(r, &o, &ns), 0);
		assert_int_equal(ns_namespace_dpa(ns), 12 * MiB);
		assert_int_equal(ns_namespace_state(ns), NS_STATE_ACTIVE);
		/* and a fresh open agrees: the new label is served */
		c = reopen_copy(r);
		assert_int_equal(ns_namespace_state(ns_region_find_namespace(c, "forced")),
				 NS_STATE_ACTIVE);
		ns_region_close(&c);
		ns_region_close(&r);
	}
	(void)max;

	/* unserved namespaces cannot be renamed, but can be destroyed */
	r = mem_region(32 * MiB, 2);
	add_labels(r, l, 3);
	ns = ns_region_find_namespace(r, "foreign");
	before = snapshot(r);
	assert_int_equal(ns_namespace_rename(ns, "x"), -NS_E_NOT_SERVED);
	assert_int_equal(ns_namespace_set_readonly(ns, true), -NS_E_NOT_SERVED);
	assert_unchanged(r, before);
	free(before);
	assert_int_equal(ns_namespace_destroy(ns, 0), 0);
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(avail, 22 * MiB);
	assert_int_equal(max, 18 * MiB);
	ns_region_close(&r);
}

static void test_force_prefers_free_space(void **state)
{
	struct ns_region *r = mem_region(32 * MiB, 2);
	struct ns_label l = mk_label(U4, "bad", 0, 4 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2);
	struct ns_namespace_create_opts o = { .size = 4 * MiB, .force = true };
	struct ns_namespace *ns;
	struct ns_region *c;

	add_labels(r, &l, 1);
	buf_of(r)[slot_off(r, ns_namespace_slot(ns_region_find_namespace(r, "bad"))) + 248] ^= 1;
	c = reopen_copy(r);
	ns_region_close(&r);
	assert_int_equal(ns_namespace_create(c, &o, &ns), 0);
	assert_int_equal(ns_namespace_dpa(ns), 4 * MiB);
	ns_region_close(&c);
}

static void test_range_past_data_area(void **state)
{
	struct ns_region *r = mem_region(32 * MiB, 2);
	struct ns_label l = mk_label(U1, "big", 30 * MiB, 4 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2);
	struct ns_namespace *ns;
	uint64_t avail, max;

	add_labels(r, &l, 1);
	ns = ns_namespace_get_first(r);
	assert_int_equal(ns_namespace_state(ns), NS_STATE_INVALID);
	assert_string_equal(ns_namespace_reason(ns),
		"range [0x1e00000, 0x2200000) reaches past the data area: it ends at "
		"35651584 bytes, the data area is 33423360 bytes");
	/* the part inside the data area is still reserved */
	ns_region_space(r, 0, &avail, &max);
	assert_int_equal(avail, 30 * MiB);
	assert_int_equal(ns_namespace_destroy(ns, 0), 0);
	assert_int_equal(count_ns(r), 0);
	ns_region_close(&r);
}

static void test_guest_names(void **state)
{
	struct ns_region *r = mem_region(64 * MiB, 2);
	struct ns_label l[6] = {
		mk_label(U1, "", 0, 2 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
		mk_label(U2, "dup", 2 * MiB, 2 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
		mk_label(U3, "dup", 4 * MiB, 2 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
		mk_label(U4, "all", 6 * MiB, 2 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
		mk_label(U5, "namespace0.0", 8 * MiB, 2 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
		mk_label(U6, "good", 10 * MiB, 2 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
	};
	static const char *const shown[] = {
		"namespace0.0", "namespace0.1", "namespace0.2", "namespace0.3",
		"namespace0.4", "good",
	};
	struct ns_namespace *ns;
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .name = "dup" };
	unsigned i = 0;

	add_labels(r, l, 6);
	ns_region_foreach_namespace(r, ns) {
		assert_int_equal(ns_namespace_state(ns), NS_STATE_ACTIVE);
		assert_string_equal(ns_namespace_name(ns), shown[i]);
		assert_string_equal(ns_namespace_label_name(ns), l[i].name);
		i++;
	}
	/* the label name "namespace0.0" does not capture the lookup */
	ns = ns_region_find_namespace(r, "namespace0.0");
	assert_memory_equal(ns_namespace_uuid(ns), l[0].uuid, 16);
	assert_null(ns_region_find_namespace(r, "dup"));
	/* a duplicated guest name cannot be taken a third time */
	assert_int_equal(ns_namespace_create(r, &o, NULL), -EEXIST);
	/* renaming one duplicate gives the other its name back */
	ns = ns_region_find_namespace(r, "namespace0.1");
	assert_int_equal(ns_namespace_rename(ns, "dup2"), 0);
	ns = ns_region_find_namespace(r, "dup");
	assert_non_null(ns);
	assert_string_equal(ns_namespace_devname(ns), "namespace0.2");
	ns_region_close(&r);
}

/* the most common cookie among nlabel-1 labels is the region's; ties: slot order */
static void test_cookie_majority(void **state)
{
	struct ns_region *r = mem_region(64 * MiB, 2);
	struct ns_label l[4] = {
		mk_label(U1, "b1", 0, 2 * MiB, 0xb, 1, 0, 2),
		mk_label(U2, "a1", 2 * MiB, 2 * MiB, 0xa, 1, 0, 2),
		mk_label(U3, "a2", 4 * MiB, 2 * MiB, 0xa, 1, 0, 2),
		mk_label(U4, "i", 6 * MiB, 2 * MiB, 0xc, 4, 0, 2),	/* interleaved: not counted */
	};
	struct ns_namespace *ns;

	add_labels(r, l, 4);
	assert_int_equal(ns_region_isetcookie(r), 0xa);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "b1")), NS_STATE_FOREIGN);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "a1")), NS_STATE_ACTIVE);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "a2")), NS_STATE_ACTIVE);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "i")), NS_STATE_INTERLEAVED);
	/* new labels carry the region's cookie */
	ns = create(r, 2 * MiB, 0, "new");
	assert_int_equal(ns_namespace_isetcookie(ns), 0xa);
	ns_region_close(&r);

	/* a tie: the smaller cookie wins, in either slot order */
	r = mem_region(64 * MiB, 2);
	add_labels(r, l, 2);
	assert_int_equal(ns_region_isetcookie(r), 0xa);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "b1")), NS_STATE_FOREIGN);
	ns_region_close(&r);
	r = mem_region(64 * MiB, 2);
	add_labels(r, &l[1], 1);
	add_labels(r, &l[0], 1);
	assert_int_equal(ns_region_isetcookie(r), 0xa);
	ns_region_close(&r);
	/* a tie with the version's default: the default wins */
	l[0].isetcookie = NS_ISETCOOKIE_V1_2;
	r = mem_region(64 * MiB, 2);
	add_labels(r, &l[1], 1);
	add_labels(r, &l[0], 1);
	assert_int_equal(ns_region_isetcookie(r), NS_ISETCOOKIE_V1_2);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(r, "a1")), NS_STATE_FOREIGN);
	ns_region_close(&r);
}

/* ---- classification does not depend on slot order (issue 16, item 6) ---- */

#define OI_MAX 6

struct oi_case {
	const char *what;
	unsigned n;
	struct ns_label l[OI_MAX];
	/* the expected state of each label, by index in l[] */
	enum ns_state want[OI_MAX];
};

/* every namespace's outcome, as one string sorted by label (not by slot) */
static char *oi_outcome(struct ns_region *r)
{
	char *lines[64], *out;
	size_t len = 1, n = 0;
	struct ns_namespace *ns;

	ns_region_foreach_namespace(r, ns) {
		const char *why = ns_namespace_reason(ns);

		/* a decode failure names the slot: where, not what */
		if (!strncmp(why, "label in slot ", 14) && strstr(why, ": "))
			why = strstr(why, ": ") + 2;
		assert_true(n < 64);
		assert_true(asprintf(&lines[n++], "%s %#llx+%#llx '%s' %s [%s] shown %s\n",
				     ns_namespace_uuid_str(ns),
				     (unsigned long long)ns_namespace_dpa(ns),
				     (unsigned long long)ns_namespace_size(ns),
				     ns_namespace_label_name(ns),
				     ns_state_name(ns_namespace_state(ns)), why,
				     ns_namespace_name(ns) == ns_namespace_label_name(ns) ?
				     "name" : "devname") > 0);
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *t = lines[j];

			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]);
	out = calloc(1, len);
	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		free(lines[i]);
	}
	return out;
}

/* no served namespace shares a byte or a uuid with another decodable label */
static void oi_check_served_alone(struct ns_region *r)
{
	struct ns_namespace *a, *b;

	ns_region_foreach_namespace(r, a) {
		if (ns_namespace_state(a) != NS_STATE_ACTIVE)
			continue;
		ns_region_foreach_namespace(r, b) {
			uint64_t a0 = ns_namespace_dpa(a), a1 = a0 + ns_namespace_size(a);
			uint64_t b0 = ns_namespace_dpa(b), b1 = b0 + ns_namespace_size(b);

			/* labels that do not decode (nlabel 0, rawsize 0) lie */
			if (a == b || (ns_namespace_state(b) == NS_STATE_INVALID &&
				       (strstr(ns_namespace_reason(b), "nlabel 0") ||
					strstr(ns_namespace_reason(b), "rawsize 0"))))
				continue;
			if (a0 < b1 && b0 < a1)
				fail_msg("%s is served but overlaps %s", ns_namespace_devname(a),
					 ns_namespace_devname(b));
			if (!memcmp(ns_namespace_uuid(a), ns_namespace_uuid(b), 16))
				fail_msg("%s is served but shares its uuid with %s",
					 ns_namespace_devname(a), ns_namespace_devname(b));
		}
	}
}

static bool oi_next_perm(unsigned *p, unsigned n)
{
	unsigned i = n - 1, j = n - 1;

	while (i > 0 && p[i - 1] >= p[i])
		i--;
	if (i == 0)
		return false;
	while (p[j] <= p[i - 1])
		j--;
	unsigned t = p[i - 1];
	p[i - 1] = p[j];
	p[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	return true;
}

/* the labels of c in the slot order p, on a fresh region of version minor */
static struct ns_region *oi_region(const struct oi_case *c, const unsigned *p,
				   unsigned minor)
{
	struct ns_region *r = mem_region(16 * MiB, minor);
	struct ns_label l[OI_MAX];

	for (unsigned i = 0; i < c->n; i++) {
		l[i] = c->l[p[i]];
		if (minor == 1)
			memset(l[i].type_guid, 0, 16);
	}
	add_labels(r, l, c->n);
	return r;
}

static void oi_run(const struct oi_case *c, unsigned minor)
{
	unsigned p[OI_MAX], perms = 0;
	char *first = NULL;

	for (unsigned i = 0; i < c->n; i++)
		p[i] = i;
	do {
		struct ns_region *r = oi_region(c, p, minor), *re;
		struct ns_namespace *ns;
		char *o, *o2;

		o = oi_outcome(r);
		if (!first)
			first = strdup(o);
		else if (strcmp(first, o))
			fail_msg("v1.%u %s: slot order changed the outcome:\n%s---\n%s",
				 minor, c->what, first, o);
		/* the expected states, found by uuid + range */
		for (unsigned i = 0; i < c->n; i++) {
			bool found = false;

			ns_region_foreach_namespace(r, ns)
				if (!memcmp(ns_namespace_uuid(ns), c->l[i].uuid, 16) &&
				    ns_namespace_dpa(ns) == c->l[i].dpa &&
				    ns_namespace_size(ns) == c->l[i].rawsize) {
					found = true;
					if (ns_namespace_state(ns) != c->want[i])
						fail_msg("v1.%u %s: label %u is %s (%s), "
							 "expected %s", minor, c->what, i,
							 ns_state_name(ns_namespace_state(ns)),
							 ns_namespace_reason(ns),
							 ns_state_name(c->want[i]));
				}
			assert_true(found);
		}
		oi_check_served_alone(r);
		/*
		 * rename every served namespace (its label moves to a free
		 * slot): nothing else changes, and a reopen shows the same
		 */
		ns_region_foreach_namespace(r, ns) {
			char nm[32];

			if (ns_namespace_state(ns) != NS_STATE_ACTIVE)
				continue;
			snprintf(nm, sizeof(nm), "%s-r", ns_namespace_label_name(ns));
			assert_int_equal(ns_namespace_rename(ns, nm), 0);
			break;
		}
		o2 = oi_outcome(r);
		re = reopen_copy(r);
		free(o);
		o = oi_outcome(re);
		if (strcmp(o, o2))
			fail_msg("v1.%u %s: a reopen after a rename differs:\n%s---\n%s",
				 minor, c->what, o2, o);
		oi_check_served_alone(re);
		/* an unserved label is not renamed, and its rename fails cleanly */
		ns_region_foreach_namespace(r, ns)
			if (ns_namespace_state(ns) == NS_STATE_INVALID)
				assert_int_equal(ns_namespace_rename(ns, "zz"), -NS_E_NOT_SERVED);
		free(o);
		free(o2);
		ns_region_close(&re);
		ns_region_close(&r);
		perms++;
	} while (oi_next_perm(p, c->n));
	free(first);
	(void)perms;
}

static void test_order_independent(void **state)
{
	const uint64_t C = NS_ISETCOOKIE_V1_2, data = 16 * MiB - LSA;
	struct oi_case cases[] = {
		{ "two overlapping (the issue's a [0,4M) b [2M,6M))", 3, {
			mk_label(U1, "a", 0, 4 * MiB, C, 1, 0, 2),
			mk_label(U2, "b", 2 * MiB, 4 * MiB, C, 1, 0, 2),
			mk_label(U3, "c", 8 * MiB, 2 * MiB, C, 1, 0, 2) },
		  { NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_ACTIVE } },
		{ "a chain of three overlaps", 4, {
			mk_label(U1, "a", 0, 4 * MiB, C, 1, 0, 2),
			mk_label(U2, "b", 2 * MiB, 4 * MiB, C, 1, 0, 2),
			mk_label(U3, "c", 5 * MiB, 3 * MiB, C, 1, 0, 2),
			mk_label(U4, "d", 8 * MiB, 2 * MiB, C, 1, 0, 2) },
		  { NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_ACTIVE } },
		{ "two nested in one", 4, {
			mk_label(U1, "big", 0, 8 * MiB, C, 1, 0, 2),
			mk_label(U2, "in1", 2 * MiB, 2 * MiB, C, 1, 0, 2),
			mk_label(U3, "in2", 4 * MiB, 2 * MiB, C, 1, 0, 2),
			mk_label(U4, "out", 8 * MiB, 2 * MiB, C, 1, 0, 2) },
		  { NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_ACTIVE } },
		{ "touching ranges do not overlap", 3, {
			mk_label(U1, "a", 0, 2 * MiB, C, 1, 0, 2),
			mk_label(U2, "b", 2 * MiB, 2 * MiB, C, 1, 0, 2),
			mk_label(U3, "c", 4 * MiB, 2 * MiB, C, 1, 0, 2) },
		  { NS_STATE_ACTIVE, NS_STATE_ACTIVE, NS_STATE_ACTIVE } },
		{ "a shared uuid, disjoint ranges", 3, {
			mk_label(U1, "a", 0, 2 * MiB, C, 1, 0, 2),
			mk_label(U1, "b", 4 * MiB, 2 * MiB, C, 1, 0, 2),
			mk_label(U2, "c", 8 * MiB, 2 * MiB, C, 1, 0, 2) },
		  { NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_ACTIVE } },
		{ "identical copies live in two slots", 3, {
			mk_label(U1, "a", 0, 2 * MiB, C, 1, 0, 2),
			mk_label(U1, "a", 0, 2 * MiB, C, 1, 0, 2),
			mk_label(U2, "c", 8 * MiB, 2 * MiB, C, 1, 0, 2) },
		  { NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_ACTIVE } },
		{ "a shared uuid, one label foreign", 2, {
			mk_label(U1, "a", 0, 2 * MiB, C, 1, 0, 2),
			mk_label(U1, "b", 4 * MiB, 2 * MiB, 0x1234, 1, 0, 2) },
		  { NS_STATE_INVALID, NS_STATE_INVALID } },
		{ "an interleave set's two positions in one file", 3, {
			mk_label(U1, "i", 0, 2 * MiB, C, 2, 0, 2),
			mk_label(U1, "i", 4 * MiB, 2 * MiB, C, 2, 1, 2),
			mk_label(U2, "j", 8 * MiB, 2 * MiB, C, 4, 2, 2) },
		  { NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_INTERLEAVED } },
		{ "a label past the end over a good one", 3, {
			mk_label(U1, "tail", data - 2 * MiB, 2 * MiB, C, 1, 0, 2),
			mk_label(U2, "past", data - 1 * MiB, 4 * MiB, C, 1, 0, 2),
			mk_label(U3, "c", 0, 2 * MiB, C, 1, 0, 2) },
		  { NS_STATE_INVALID, NS_STATE_INVALID, NS_STATE_ACTIVE } },
		{ "a zero-size label inside a good one", 2, {
			mk_label(U1, "a", 0, 4 * MiB, C, 1, 0, 2),
			mk_label(U2, "zero", 2 * MiB, 0, C, 1, 0, 2) },
		  { NS_STATE_ACTIVE, NS_STATE_INVALID } },
		{ "an undecodable label (nlabel 0) over a good one", 2, {
			mk_label(U1, "a", 0, 4 * MiB, C, 1, 0, 2),
			mk_label(U2, "junk", 2 * MiB, 4 * MiB, C, 0, 0, 2) },
		  { NS_STATE_ACTIVE, NS_STATE_INVALID } },
		{ "a cookie tie", 2, {
			mk_label(U1, "x", 0, 2 * MiB, 0xb, 1, 0, 2),
			mk_label(U2, "y", 4 * MiB, 2 * MiB, 0xa, 1, 0, 2) },
		  { NS_STATE_FOREIGN, NS_STATE_ACTIVE } },
		{ "a shared name and an overlap", 4, {
			mk_label(U1, "same", 0, 2 * MiB, C, 1, 0, 2),
			mk_label(U2, "same", 4 * MiB, 2 * MiB, C, 1, 0, 2),
			mk_label(U3, "o1", 8 * MiB, 4 * MiB, C, 1, 0, 2),
			mk_label(U4, "o2", 10 * MiB, 4 * MiB, C, 1, 0, 2) },
		  { NS_STATE_ACTIVE, NS_STATE_ACTIVE, NS_STATE_INVALID, NS_STATE_INVALID } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		oi_run(&cases[i], 2);
		/* v1.1 areas: the same labels, 128 bytes, the v1.1 cookie */
		for (unsigned j = 0; j < cases[i].n; j++)
			if (cases[i].l[j].isetcookie == C)
				cases[i].l[j].isetcookie = NS_ISETCOOKIE_V1_1;
		oi_run(&cases[i], 1);
	}
}

/*
 * The sequence: with a [0,4M) in slot 0 and b [2M,6M) in slot 1,
 * neither is served, neither can be renamed; create does not hand out
 * their bytes, not even with force; destroying one is how the user picks
 * the other, and then it is served in the open region and after a reopen.
 */
static void test_overlap_pick_by_destroy(void **state)
{
	struct ns_region *r = mem_region(32 * MiB, 2), *c;
	struct ns_label l[2] = {
		mk_label(U1, "a", 0, 4 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
		mk_label(U2, "b", 2 * MiB, 4 * MiB, NS_ISETCOOKIE_V1_2, 1, 0, 2),
	};
	struct ns_namespace_create_opts o = { .size = 2 * MiB, .force = true };
	struct ns_namespace *a, *b, *ns;

	add_labels(r, l, 2);
	a = ns_region_find_namespace(r, "a");
	b = ns_region_find_namespace(r, "b");
	assert_int_equal(ns_namespace_state(a), NS_STATE_INVALID);
	assert_int_equal(ns_namespace_state(b), NS_STATE_INVALID);
	assert_string_equal(ns_namespace_reason(b),
			    "range [0x200000, 0x600000) of 'b' overlaps range [0, 0x400000) "
			    "of 'a': overlapping labels are all invalid");
	assert_int_equal(ns_namespace_rename(a, "a2"), -NS_E_NOT_SERVED);
	assert_int_equal(ns_namespace_create(r, &o, &ns), 0);
	assert_int_equal(ns_namespace_dpa(ns), 6 * MiB);
	assert_int_equal(ns_namespace_destroy(ns, 0), 0);
	assert_int_equal(ns_namespace_destroy(a, 0), 0);
	b = ns_region_find_namespace(r, "b");
	assert_int_equal(ns_namespace_state(b), NS_STATE_ACTIVE);
	c = reopen_copy(r);
	assert_int_equal(ns_namespace_state(ns_region_find_namespace(c, "b")), NS_STATE_ACTIVE);
	ns_region_close(&c);
	ns_region_close(&r);
}

/* ---- region-level label operations on memory ---- */

static void test_labels_lifecycle(void **state)
{
	struct ns_region_opts o = { .flags = NS_REGION_NOLABELS_OK };
	struct ns_namespace_create_opts co = { .size = 2 * MiB };
	struct ns_region *r = NULL, *c;
	struct ns_io *io = NULL;
	uint8_t *before;

	assert_int_equal(ns_io_mem_new(16 * MiB, &io), 0);
	assert_int_equal(ns_region_open_io(io, "mem", NULL, &r), -NS_E_NO_LABELS);
	assert_null(r);
	assert_int_equal(ns_region_open_io(io, "mem", &o, &r), 0);
	assert_false(ns_region_has_labels(r));
	assert_null(ns_region_lsa(r));
	assert_int_equal(ns_region_label_size(r), LSA);
	assert_int_equal(ns_region_data_size(r), 16 * MiB - LSA);
	assert_int_equal(ns_namespace_create(r, &co, NULL), -NS_E_NO_LABELS);
	assert_int_equal(ns_region_init_labels(r, 1, false), 0);
	assert_true(ns_region_has_labels(r));
	assert_int_equal(ns_region_label_minor(r), 1);
	assert_int_equal(ns_region_isetcookie(r), NS_ISETCOOKIE_V1_1);
	create(r, 2 * MiB, 0, "x");

	before = snapshot(r);
	assert_int_equal(ns_region_init_labels(r, 0, false), -NS_E_LABELS_EXIST);
	assert_unchanged(r, before);
	free(before);

	/* forced: every namespace is gone, the version can change */
	assert_int_equal(ns_region_init_labels(r, 2, true), 0);
	assert_int_equal(count_ns(r), 0);
	assert_int_equal(ns_region_label_minor(r), 2);
	assert_int_equal(ns_region_isetcookie(r), NS_ISETCOOKIE_V1_2);
	create(r, 2 * MiB, 0, "y");
	c = reopen_copy(r);
	assert_int_equal(ns_region_label_minor(c), 2);
	assert_int_equal(count_ns(c), 1);
	ns_region_close(&c);
	/* minor 0 keeps the version */
	assert_int_equal(ns_region_init_labels(r, 0, true), 0);
	assert_int_equal(ns_region_label_minor(r), 2);
	assert_int_equal(ns_region_init_labels(r, 3, true), -EINVAL);

	assert_int_equal(ns_region_zero_labels(r, false), 0);
	assert_false(ns_region_has_labels(r));
	for (uint64_t i = 16 * MiB - LSA; i < 16 * MiB; i++)
		assert_int_equal(buf_of(r)[i], 0);
	assert_int_equal(count_ns(r), 0);
	ns_region_close(&r);
}

static void test_readonly_region(void **state)
{
	struct ns_region_opts o = { .flags = NS_REGION_RDONLY };
	struct ns_region *r = mem_region(16 * MiB, 2), *c;
	struct ns_namespace_create_opts co = { .size = 2 * MiB };
	struct ns_namespace *ns;

	create(r, 2 * MiB, 0, "x");
	c = reopen_copy_opts(r, &o);
	ns_region_close(&r);
	ns = ns_region_find_namespace(c, "x");
	assert_int_equal(ns_namespace_create(c, &co, NULL), -EROFS);
	assert_string_equal(ns_errormsg(), "create namespace: region 'copy' is open read-only");
	assert_int_equal(ns_namespace_destroy(ns, NS_DESTROY_FORCE), -EROFS);
	assert_int_equal(ns_namespace_rename(ns, "y"), -EROFS);
	assert_int_equal(ns_namespace_set_readonly(ns, true), -EROFS);
	assert_int_equal(ns_region_init_labels(c, 0, true), -EROFS);
	assert_int_equal(ns_region_zero_labels(c, false), -EROFS);
	ns_region_close(&c);
}

/* ---- crash consistency ---- */

enum op_kind { OP_CREATE, OP_DESTROY, OP_RENAME, OP_READONLY, OP_INIT, OP_BAD, OP_MOVE };

struct op {
	enum op_kind kind;
	char target[37];	/* uuid of the namespace acted on */
	char name[64];
	uint8_t uuid[16];
	uint64_t size, align;
	bool readonly, sparse;
	unsigned minor;
	uint32_t nvdimm_slot;	/* OP_MOVE */
};

struct snap_ns {
	uint8_t uuid[16];
	char name[64];
	uint64_t dpa, size;
	uint32_t flags;
};

#define SNAP_MAX 600
struct snap {
	unsigned n;
	uint64_t cookie;	/* the region's (move-region changes it) */
	struct snap_ns ns[SNAP_MAX];
};

static int snap_cmp(const void *a, const void *b)
{
	return memcmp(((const struct snap_ns *)a)->uuid, ((const struct snap_ns *)b)->uuid, 16);
}

static void take_snap(struct ns_region *r, struct snap *s)
{
	struct ns_namespace *ns;

	memset(s, 0, sizeof(*s));
	s->cookie = ns_region_isetcookie(r);
	ns_region_foreach_namespace(r, ns) {
		struct snap_ns *e = &s->ns[s->n++];

		assert_true(s->n < SNAP_MAX);
		assert_int_equal(ns_namespace_state(ns), NS_STATE_ACTIVE);
		memcpy(e->uuid, ns_namespace_uuid(ns), 16);
		snprintf(e->name, sizeof(e->name), "%s", ns_namespace_label_name(ns));
		e->dpa = ns_namespace_dpa(ns);
		e->size = ns_namespace_size(ns);
		e->flags = ns_namespace_flags(ns);
	}
	qsort(s->ns, s->n, sizeof(s->ns[0]), snap_cmp);
}

static bool snap_eq(const struct snap *a, const struct snap *b)
{
	return a->n == b->n && a->cookie == b->cookie &&
	       !memcmp(a->ns, b->ns, sizeof(a->ns[0]) * a->n);
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	return (unsigned)rand_r(seed) % n;
}

static void gen_op(unsigned *seed, const struct snap *s, struct op *op, unsigned step)
{
	unsigned k = rnd(seed, 100);

	memset(op, 0, sizeof(*op));
	if (s->n == 0 && k >= 40 && k < 88)
		k = 0;
	if (k < 40) {
		op->kind = OP_CREATE;
		op->align = 4 * KiB << rnd(seed, 3);
		op->size = op->align * (1 + rnd(seed, 24));
		if (rnd(seed, 4))
			snprintf(op->name, sizeof(op->name), "ns%u", rnd(seed, 40));
		for (int i = 0; i < 16; i++)
			op->uuid[i] = (uint8_t)rnd(seed, 256);
		op->uuid[6] = (op->uuid[6] & 0x0f) | 0x40;
		op->uuid[8] = (op->uuid[8] & 0x3f) | 0x80;
		op->readonly = rnd(seed, 5) == 0;
		op->sparse = rnd(seed, 2);
	} else if (k < 88) {
		const struct snap_ns *t = &s->ns[rnd(seed, s->n)];

		uuid_unparse_lower(t->uuid, op->target);
		if (k < 62) {
			op->kind = OP_DESTROY;
		} else if (k < 80) {
			op->kind = OP_RENAME;
			if (rnd(seed, 5))
				snprintf(op->name, sizeof(op->name), "ns%u", rnd(seed, 40));
		} else {
			op->kind = OP_READONLY;
			op->readonly = !(t->flags & NS_LABEL_FLAG_ROLABEL);
		}
	} else if (k < 92) {
		op->kind = OP_INIT;
		op->minor = rnd(seed, 3);
	} else if (k < 97) {
		op->kind = OP_MOVE;
		op->nvdimm_slot = rnd(seed, 3);
	} else {
		op->kind = OP_BAD;
		snprintf(op->name, sizeof(op->name), rnd(seed, 2) ? "bad/name" : "all");
		op->size = 4 * KiB;
		op->align = 4 * KiB;
	}
	(void)step;
}

static int apply(struct ns_region *r, const struct op *op)
{
	struct ns_namespace *ns = NULL;

	if (op->target[0]) {
		ns = ns_region_find_namespace(r, op->target);
		assert_non_null(ns);
	}
	switch (op->kind) {
	case OP_CREATE:
	case OP_BAD: {
		struct ns_namespace_create_opts o = {
			.size = op->size, .align = op->align, .name = op->name,
			.uuid = op->kind == OP_CREATE ? op->uuid : NULL,
			.readonly = op->readonly, .sparse = op->sparse,
		};

		return ns_namespace_create(r, &o, NULL);
	}
	case OP_DESTROY:
		return ns_namespace_destroy(ns, 0);
	case OP_RENAME:
		return ns_namespace_rename(ns, op->name);
	case OP_READONLY:
		return ns_namespace_set_readonly(ns, op->readonly);
	case OP_INIT:
		return ns_region_init_labels(r, op->minor, true);
	case OP_MOVE:
		return ns_region_set_nvdimm_slot(r, op->nvdimm_slot, NULL);
	}
	return -1;
}

static const char *const op_names[] = { "create", "destroy", "rename", "readonly",
					"init-labels", "bad input", "move-region" };

static void test_crash_consistency(void **state)
{
	const uint64_t size = 4 * MiB;
	const unsigned steps = 200;
	struct ns_region *main_r = mem_region(size, 2);
	struct snap *before = malloc(sizeof(*before)), *after = malloc(sizeof(*after)),
		    *got = malloc(sizeof(*got));
	unsigned seed = 20261122, ok_ops = 0, crash_points = 0, saw_before = 0,
		 saw_after = 0, saw_none = 0, refused = 0;
	unsigned per_kind[7] = { 0 };

	assert_non_null(before);
	assert_non_null(after);
	assert_non_null(got);
	for (unsigned step = 0; step < steps; step++) {
		uint8_t *base = snapshot(main_r);
		struct ns_io *mio = ns_region_io(main_r);
		unsigned long w0, w;
		struct op op;
		int rc;

		take_snap(main_r, before);
		gen_op(&seed, before, &op, step);
		w0 = ns_io_mem_writes(mio);
		rc = apply(main_r, &op);
		w = ns_io_mem_writes(mio) - w0;
		take_snap(main_r, after);
		per_kind[op.kind]++;
		if (rc) {
			/* refused: not a byte changed */
			assert_int_equal(w, 0);
			assert_unchanged(main_r, base);
			assert_true(snap_eq(before, after));
			if (op.kind == OP_BAD)
				assert_int_equal(rc, -EINVAL);
			refused++;
		} else {
			ok_ops++;
		}
		/* a fresh open of the bytes shows what the open region shows */
		{
			struct ns_region *c = reopen_copy(main_r);

			take_snap(c, got);
			if (!snap_eq(got, after))
				fail_msg("step %u (%s): reopened state differs", step,
					 op_names[op.kind]);
			ns_region_close(&c);
		}

		for (unsigned long k = 0; k < w; k++) {
			for (int torn = 0; torn < 2; torn++) {
				struct ns_io *xio = NULL, *yio = NULL;
				struct ns_region *x = NULL, *y = NULL;
				int xrc;

				assert_int_equal(ns_io_mem_new(size, &xio), 0);
				memcpy(ns_io_mem_buffer(xio), base, size);
				assert_int_equal(ns_region_open_io(xio, "x", NULL, &x), 0);
				ns_io_mem_crash_after(xio, (long)k, torn);
				xrc = apply(x, &op);
				if (xrc == 0)
					fail_msg("step %u (%s): crash after %lu of %lu writes "
						 "not reported", step, op_names[op.kind], k, w);

				assert_int_equal(ns_io_mem_new(size, &yio), 0);
				memcpy(ns_io_mem_buffer(yio), ns_io_mem_buffer(xio), size);
				if (ns_region_open_io(yio, "y", NULL, &y))
					fail_msg("step %u (%s): crash after %lu%s: reopen: %s",
						 step, op_names[op.kind], k, torn ? " torn" : "",
						 ns_errormsg());
				take_snap(y, got);
				if (snap_eq(got, before)) {
					saw_before++;
				} else if (snap_eq(got, after)) {
					saw_after++;
				} else if (op.kind == OP_INIT && got->n == 0 &&
					   got->cookie == before->cookie) {
					/*
					 * init-labels frees every label with two commits
					 * before it writes the new area: the old namespaces
					 * or none (on-media-format.md). A torn write whose
					 * second half equals the block already there (the
					 * state two commits ago) is a whole write.
					 */
					saw_none++;
				} else {
					fail_msg("step %u (%s): crash after %lu of %lu writes%s: "
						 "state is neither before nor after", step,
						 op_names[op.kind], k, w, torn ? " (torn)" : "");
				}
				/* and the recovered region takes changes again */
				{
					struct ns_namespace_create_opts o = {
						.size = 4 * KiB, .align = 4 * KiB, .sparse = true,
					};
					int crc = ns_namespace_create(y, &o, NULL);

					assert_true(crc == 0 || crc == -ENOSPC);
				}
				crash_points++;
				ns_region_close(&x);
				ns_region_close(&y);
			}
		}
		free(base);
	}
	print_message("crash test: %u operations (%u changed the labels, %u refused: "
		      "create %u, destroy %u, rename %u, readonly %u, init-labels %u, "
		      "bad input %u, move-region %u), %u crash points (%u recovered the "
		      "old state, %u the new one, %u an init-labels without its "
		      "namespaces yet)\n", steps, ok_ops, refused, per_kind[0],
		      per_kind[1], per_kind[2], per_kind[3], per_kind[4], per_kind[5],
		      per_kind[6], crash_points, saw_before, saw_after, saw_none);
	assert_true(ok_ops >= 100);
	assert_true(per_kind[OP_MOVE] >= 5);
	assert_true(crash_points >= 400);
	assert_true(saw_after > 0);
	free(before);
	free(after);
	free(got);
	ns_region_close(&main_r);
}

/*
 * The indexes a create or destroy updates in place (by uuid, name, id,
 * slot; the sorted reserved extents; the shown-name generation) always
 * answer what a region opened afresh from the same bytes answers:
 * random creates, destroys (some while held), renames, read-only flips
 * and guest labels with duplicate names, each followed by the check.
 */
static void churn_check(struct ns_region *r, unsigned step)
{
	bool nomem = fail_index_tables;
	struct ns_region *c;
	struct ns_namespace *ns;
	uint64_t a1, m1, a2, m2;
	char *o1, *o2;

	fail_index_tables = false;	/* the fresh open has its tables */
	c = reopen_copy(r);
	fail_index_tables = nomem;
	o1 = oi_outcome(r);
	o2 = oi_outcome(c);

	if (strcmp(o1, o2))
		fail_msg("step %u: the open region and a fresh open differ:\n%s---\n%s",
			 step, o1, o2);
	free(o1);
	free(o2);
	ns_region_foreach_namespace(r, ns) {
		assert_ptr_equal(ns_region_find_namespace(r, ns_namespace_devname(ns)), ns);
		if (ns_namespace_state(ns) != NS_STATE_INVALID)
			assert_ptr_equal(ns_region_find_namespace(r, ns_namespace_uuid_str(ns)), ns);
		if (ns_namespace_name(ns) != ns_namespace_devname(ns))
			assert_ptr_equal(ns_region_find_namespace(r, ns_namespace_name(ns)), ns);
	}
	ns_region_space(r, 4096, &a1, &m1);
	ns_region_space(c, 4096, &a2, &m2);
	if (a1 != a2 || m1 != m2)
		fail_msg("step %u: free space %llu/%llu, a fresh open says %llu/%llu", step,
			 (unsigned long long)a1, (unsigned long long)m1,
			 (unsigned long long)a2, (unsigned long long)m2);
	ns_region_close(&c);
}

static void index_churn(bool nomem)
{
	struct ns_region *r;
	struct ns_namespace *held[8] = { 0 };
	unsigned seed = 16, nheld = 0;

	fail_index_tables = nomem;
	index_tables_refused = 0;
	r = mem_region(8 * MiB, 2);
	if (nomem)
		assert_true(index_tables_refused > 0);

	for (unsigned step = 0; step < 300; step++) {
		unsigned op = rnd(&seed, 10), n = count_ns(r), k;
		struct ns_namespace *ns = NULL;
		char name[32];

		if (n) {
			k = rnd(&seed, n);
			ns_region_foreach_namespace(r, ns)
				if (k-- == 0)
					break;
		}
		snprintf(name, sizeof(name), "n%u", rnd(&seed, 40));
		if (op < 4 || !ns) {
			struct ns_namespace_create_opts o = {
				.size = (1 + rnd(&seed, 16)) * 4096, .align = 4096,
				.name = rnd(&seed, 4) ? name : NULL,
			};

			(void)ns_namespace_create(r, &o, NULL);	/* EEXIST, ENOSPC: fine */
		} else if (op < 7) {
			if (nheld < 8 && rnd(&seed, 3) == 0) {
				ns_namespace_get(ns);
				held[nheld++] = ns;
				assert_int_equal(ns_namespace_destroy(ns, NS_DESTROY_FORCE), 0);
			} else if (!ns_namespace_holders(ns)) {
				assert_int_equal(ns_namespace_destroy(ns, 0), 0);
			}
		} else if (op == 7) {
			(void)ns_namespace_rename(ns, rnd(&seed, 5) ? name : "");
		} else if (op == 8) {
			(void)ns_namespace_set_readonly(ns, !ns_namespace_readonly(ns));
		} else {
			/* a guest's label reusing a name: both lose it */
			struct ns_label l = mk_label(U1, name, 7 * MiB, 4096,
						     NS_ISETCOOKIE_V1_2, 1, 0, 2);

			if (nheld == 0 && !ns_region_find_namespace(r, U1) &&
			    ns_lsa_free_slots(ns_region_lsa(r)))
				add_labels(r, &l, 1);
		}
		if (nheld && rnd(&seed, 4) == 0)
			ns_namespace_put(held[--nheld]);
		if (!nheld)
			churn_check(r, step);
	}
	while (nheld)
		ns_namespace_put(held[--nheld]);
	churn_check(r, 300);
	ns_region_close(&r);
	fail_index_tables = false;
}

static void test_index_churn(void **state)
{
	index_churn(false);
}

/* the same without memory for the index's tables: one bucket, same answers */
static void test_index_churn_nomem(void **state)
{
	index_churn(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_v12),
		cmocka_unit_test(test_create_v11),
		cmocka_unit_test(test_create_options),
		cmocka_unit_test(test_create_validation),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_uuid_rules),
		cmocka_unit_test(test_enospc_and_first_fit),
		cmocka_unit_test(test_destroy_zeroes),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_find_and_iterate),
		cmocka_unit_test(test_unserved_reserve),
		cmocka_unit_test(test_force_prefers_free_space),
		cmocka_unit_test(test_range_past_data_area),
		cmocka_unit_test(test_guest_names),
		cmocka_unit_test(test_cookie_majority),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_overlap_pick_by_destroy),
		cmocka_unit_test(test_labels_lifecycle),
		cmocka_unit_test(test_readonly_region),
		cmocka_unit_test(test_crash_consistency),
		cmocka_unit_test(test_index_churn),
		cmocka_unit_test(test_index_churn_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
