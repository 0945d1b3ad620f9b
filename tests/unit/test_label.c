/* SPDX-License-Identifier: MIT */
/*
 * The label format: Fletcher64, seq helpers, geometry, the test vectors of
 * tests/data/README.md (produced by ns_lsa_init and ns_index_encode),
 * every index block rejection, and label decode/encode.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ns/io.h"
#include "ns/label.h"
#include "ns/le.h"
#include "ns/lsa.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_fletcher64(void **state)
{
	/* words 1, 2, 3: lo 1, 3, 6; hi 1, 4, 10 */
	const uint8_t a[12] = { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0 };
	/* words 1, 2, 3, 4 with the 8 bytes at 4 as zero: lo 1,1,1,5; hi 1,2,3,8 */
	const uint8_t b[16] = { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0 };
	uint8_t c[16];
	/* lo wraps at 32 bits and carries nothing into hi */
	const uint8_t d[8] = { 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0 };

	assert_int_equal(ns_fletcher64(a, sizeof(a), SIZE_MAX), 10ull << 32 | 6);
	assert_int_equal(ns_fletcher64(b, sizeof(b), 4), 8ull << 32 | 5);
	assert_int_equal(ns_fletcher64(b, 0, SIZE_MAX), 0);
	/* skipping the last 8 bytes: lo 1, 3, 3, 3; hi 1, 4, 7, 10 */
	assert_int_equal(ns_fletcher64(b, sizeof(b), 8), 10ull << 32 | 3);
	assert_int_equal(ns_fletcher64(d, sizeof(d), SIZE_MAX),
			 (0xffffffffull + 1) << 32 | 1);
	/* the skipped field is not written to */
	memcpy(c, b, sizeof(c));
	ns_fletcher64(c, sizeof(c), 4);
	assert_memory_equal(c, b, sizeof(c));
}

/* labels.md: the pmem type GUID as stored, guid_parse byte order */
static void test_type_guid(void **state)
{
	static const uint8_t want[16] = {
		0x79, 0xd3, 0xf0, 0x66, 0xf3, 0xb4, 0x74, 0x40,
		0xac, 0x43, 0x0d, 0x33, 0x18, 0xb7, 0x8c, 0xdb,
	};

	assert_memory_equal(ns_label_type_guid_pmem, want, 16);
}

/*
 * The cookie a Linux guest computes for one QEMU nvdimm per slot: the two
 * known values of slot 0 (measured: the guest-written areas in tests/data)
 * and of slot 1 (serial 0x123457), and the slot found back from each.
 */
static void test_isetcookie_qemu(void **state)
{
	uint32_t slot;

	assert_int_equal(ns_isetcookie_qemu(1, 0), 0x2468ac00123456ull);
	assert_int_equal(ns_isetcookie_qemu(2, 0), 0xba90120012b4dcull);
	assert_int_equal(ns_isetcookie_qemu(1, 0), NS_ISETCOOKIE_V1_1);
	assert_int_equal(ns_isetcookie_qemu(2, 0), NS_ISETCOOKIE_V1_2);
	assert_int_equal(ns_isetcookie_qemu(1, 1), 0x2468ae00123457ull);
	/* v1.2, by hand: lo = 0x123457 + 0x8086, hi = 0x123457 + 9 * lo */
	assert_int_equal(ns_isetcookie_qemu(2, 1), 0xba901c0012b4ddull);
	for (unsigned minor = 1; minor <= 2; minor++) {
		for (uint32_t s = 0; s <= NS_NVDIMM_SLOT_MAX; s++) {
			uint64_t c = ns_isetcookie_qemu(minor, s);

			assert_true(ns_isetcookie_qemu_slot(minor, c, &slot));
			assert_int_equal(slot, s);
			/* another version's cookie is no slot's */
			assert_false(ns_isetcookie_qemu_slot(3 - minor, c, &slot));
		}
		/* past the last slot, and cookies of nobody */
		assert_false(ns_isetcookie_qemu_slot(minor, ns_isetcookie_qemu(minor,
						     NS_NVDIMM_SLOT_MAX + 1), &slot));
		assert_false(ns_isetcookie_qemu_slot(minor, 0x1234, &slot));
		assert_false(ns_isetcookie_qemu_slot(minor, 0, &slot));
		assert_false(ns_isetcookie_qemu_slot(minor, ns_isetcookie_qemu(minor, 1) ^
						     (1ull << 40), &slot));
	}
}

/* the nvdimm-slot record at the end of an index block */
static void test_slot_record(void **state)
{
	uint8_t blk[256];
	uint32_t slot = 77;

	/* room after the bitmap as the kernel and ndctl write it (ALIGN 64) */
	assert_true(ns_index_slotrec_fits(256, 510));
	assert_true(ns_index_slotrec_fits(256, 1020));
	assert_true(ns_index_slotrec_fits(256, 1016));	/* older kernels' nslot */
	assert_true(ns_index_slotrec_fits(2304, 16348));
	assert_true(ns_index_slotrec_fits(1280, 8182));
	assert_true(ns_index_slotrec_fits(256, 1344));	/* 72 + 168 = 240: just */
	assert_false(ns_index_slotrec_fits(256, 1345));	/* 72 + 176 = 248 */
	assert_false(ns_index_slotrec_fits(64, 0));

	memset(blk, 0, sizeof(blk));
	assert_false(ns_index_slotrec_get(blk, 256, 510, &slot));
	assert_int_equal(slot, 77);
	ns_index_slotrec_put(blk, 256, 3);
	assert_memory_equal(blk + 240, "PMEMFS_SLOT\0\3\0\0\0", 16);
	assert_true(ns_index_slotrec_get(blk, 256, 510, &slot));
	assert_int_equal(slot, 3);
	/* not read where the bitmap may reach */
	assert_false(ns_index_slotrec_get(blk, 256, 1345, &slot));
	/* a slot out of range is no record */
	put_le32(blk + 252, NS_NVDIMM_SLOT_MAX + 1);
	assert_false(ns_index_slotrec_get(blk, 256, 510, &slot));
	/* slot 0 clears it: the block is the kernel's again */
	ns_index_slotrec_put(blk, 256, 0);
	for (size_t i = 0; i < sizeof(blk); i++)
		assert_int_equal(blk[i], 0);
}

static void test_seq(void **state)
{
	static const uint32_t next[][2] = {
		{ 0, 0 }, { 1, 2 }, { 2, 3 }, { 3, 1 }, { 5, 2 }, { 7, 1 },
	};
	static const uint32_t best[][3] = {
		{ 0, 1, 1 }, { 1, 0, 1 }, { 0, 0, 0 }, { 2, 2, 2 },
		{ 1, 2, 2 }, { 2, 1, 2 }, { 2, 3, 3 }, { 3, 2, 3 },
		{ 3, 1, 1 }, { 1, 3, 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(next); i++)
		assert_int_equal(ns_index_seq_next(next[i][0]), next[i][1]);
	for (size_t i = 0; i < ARRAY_SIZE(best); i++)
		if (ns_index_best_seq(best[i][0], best[i][1]) != best[i][2])
			fail_msg("best_seq(%u, %u) != %u", best[i][0],
				 best[i][1], best[i][2]);
}

static void test_geometry(void **state)
{
	/* labels.md's table */
	static const struct {
		uint64_t lsa;
		unsigned ls;
		int rc;
		uint32_t nslot;
		uint64_t isz;
	} cases[] = {
		{ 128 * KIB, 128, 0, 1020, 256 },
		{ 128 * KIB, 256, 0, 510, 256 },
		{ 256 * KIB, 128, 0, 2040, 512 },
		{ 2 * MIB, 256, 0, 8182, 1280 },
		{ 128 * KIB, 512, -EINVAL, 0, 0 },
		{ 1 * KIB, 256, -EINVAL, 0, 0 },
	};
	static const uint64_t isz[][2] = {
		{ 0, 256 }, { 1, 256 }, { 1472, 256 }, { 1473, 512 },
		{ 1016, 256 }, { 8192, 1280 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(isz); i++)
		assert_int_equal(ns_index_size(isz[i][0]), isz[i][1]);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t nslot = 0;
		uint64_t index_size = 0;

		assert_int_equal(ns_lsa_geometry(cases[i].lsa, cases[i].ls,
						 &nslot, &index_size),
				 cases[i].rc);
		if (cases[i].rc)
			continue;
		assert_int_equal(nslot, cases[i].nslot);
		assert_int_equal(index_size, cases[i].isz);
	}
}

/* labels.md's test vectors: 128 KiB area, zeroed before initialisation */
static void test_vectors_kernel(void **state)
{
	static const struct {
		unsigned minor;
		uint64_t sum0, sum1;
	} cases[] = {
		{ 2, 0xe793e3ed18323c1cull, 0xe793e7b218323c1bull },
		{ 1, 0xdb634621e7313e0aull, 0xdb6349e6e7313e09ull },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ns_io *io;
		struct ns_lsa *lsa;
		const uint8_t *b;
		uint32_t nslot = cases[i].minor == 2 ? 510 : 1020;

		assert_int_equal(ns_io_mem_new(128 * KIB, &io), 0);
		assert_int_equal(ns_lsa_init(io, 0, 128 * KIB, cases[i].minor,
					     &lsa), 0);
		b = ns_io_mem_buffer(io);
		assert_memory_equal(b, "NAMESPACE_INDEX\0", 16);
		assert_memory_equal(b + 256, "NAMESPACE_INDEX\0", 16);
		assert_int_equal(get_le64(b + 64), cases[i].sum0);
		assert_int_equal(get_le64(b + 256 + 64), cases[i].sum1);
		assert_int_equal(b[19], cases[i].minor == 2 ? 1 : 0);
		assert_int_equal(get_le32(b + 20), 3);
		assert_int_equal(get_le32(b + 256 + 20), 2);
		assert_int_equal(get_le32(b + 56), nslot);
		assert_int_equal(get_le16(b + 62), cases[i].minor);
		/* bitmap: set below nslot, clear at and past it */
		for (uint32_t s = 0; s < (256 - 72) * 8; s++)
			assert_int_equal(ns_bitmap_test(b + 72, s), s < nslot);
		/* nothing written past the index blocks */
		for (size_t o = 512; o < 128 * KIB; o++)
			if (b[o])
				fail_msg("byte %zu written", o);
		assert_int_equal(ns_lsa_current(lsa), 0);
		ns_lsa_free(&lsa);
		ns_io_destroy(&io);
	}
}

static void make_index(struct ns_index *idx, unsigned minor, uint32_t seq,
		       int block)
{
	memset(idx, 0, sizeof(*idx));
	idx->labelsize = minor == 2 ? 1 : 0;
	idx->seq = seq;
	idx->mysize = 256;
	idx->myoff = block ? 256 : 0;
	idx->otheroff = block ? 0 : 256;
	idx->labeloff = 512;
	idx->nslot = minor == 2 ? 510 : 1020;
	idx->major = 1;
	idx->minor = (uint16_t)minor;
}

/* ndctl leaves the bitmap bits past nslot set up to ALIGN(nslot, 64) */
static void test_vectors_ndctl(void **state)
{
	static const struct {
		unsigned minor;
		uint64_t sum0;
	} cases[] = {
		{ 2, 0x2793e3edd8323c1cull },
		{ 1, 0xeb634621d7313e0aull },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ns_index idx, dec;
		uint8_t bm[184] = { 0 }, blk[256];
		char why[NS_WHY_LEN];

		make_index(&idx, cases[i].minor, 3, 0);
		for (uint32_t s = 0; s < (idx.nslot + 63) / 64 * 64; s++)
			ns_bitmap_set(bm, s);
		memset(blk, 0xee, sizeof(blk));
		ns_index_encode(&idx, bm, blk);
		assert_int_equal(get_le64(blk + 64), cases[i].sum0);
		assert_int_equal(ns_index_validate(blk, sizeof(blk), 128 * KIB,
						   0, &dec, why), 0);
		assert_int_equal(dec.checksum, cases[i].sum0);
		assert_int_equal(dec.nslot, idx.nslot);
	}
}

/* every index block rejection, each on a corrupted copy of a good block */
enum fix { NO_FIX, FIX_SUM };

struct idx_case {
	const char *name;
	int block;		/* which block of a fresh v1.2 128 KiB area */
	unsigned off, width;	/* field to overwrite */
	uint64_t val;
	enum fix fix;		/* recompute the checksum afterwards */
	uint64_t avail;		/* 0: the rest of the area */
	uint64_t myoff_expected;
	const char *why;
};

static const struct idx_case idx_cases[] = {
	{ "good block 0", 0, 0, 0, 0, NO_FIX, 0, 0, NULL },
	{ "good block 1", 1, 0, 0, 0, NO_FIX, 0, 256, NULL },
	{ "truncated", 0, 0, 0, 0, NO_FIX, 71, 0, "truncated" },
	{ "block beyond avail", 0, 0, 0, 0, NO_FIX, 200, 0, "does not fit in the area" },
	{ "signature", 0, 0, 1, 'X', NO_FIX, 0, 0, "signature invalid" },
	{ "signature NUL", 0, 15, 1, ' ', FIX_SUM, 0, 0, "signature invalid" },
	{ "major", 0, 60, 2, 2, FIX_SUM, 0, 0, "version 2.2 unsupported" },
	{ "minor", 0, 62, 2, 3, FIX_SUM, 0, 0, "version 1.3 unsupported" },
	{ "label size field", 0, 19, 1, 2, FIX_SUM, 0, 0, "label size field 2 invalid" },
	{ "checksum bitmap", 0, 100, 1, 0x7f, NO_FIX, 0, 0, "checksum" },
	{ "checksum field", 1, 64, 8, 1, NO_FIX, 0, 256, "checksum 0x1 invalid" },
	{ "checksum padding", 0, 255, 1, 1, NO_FIX, 0, 0, "checksum" },
	{ "seq 0", 0, 20, 4, 0, FIX_SUM, 0, 0, "sequence number 0 invalid" },
	{ "seq 4", 1, 20, 4, 4, FIX_SUM, 0, 256, "sequence number 0x4 invalid" },
	{ "myoff", 0, 24, 8, 256, FIX_SUM, 0, 0, "myoff 0x100 invalid" },
	{ "block 1 as block 0", 1, 0, 0, 0, NO_FIX, 0, 0, "myoff 0x100 invalid" },
	{ "block 1 misplaced", 1, 24, 8, 512, FIX_SUM, 0, 512, "myoff 0x200 invalid" },
	{ "otheroff", 0, 40, 8, 512, FIX_SUM, 0, 0, "otheroff 0x200 invalid" },
	{ "otheroff self", 1, 40, 8, 256, FIX_SUM, 0, 256, "otheroff 0x100 invalid" },
	{ "mysize", 0, 32, 8, 512, FIX_SUM, 0, 0, "mysize 0x200 invalid" },
	{ "mysize 0", 0, 32, 8, 0, FIX_SUM, 0, 0, "mysize 0 invalid" },
	{ "labeloff", 0, 48, 8, 768, FIX_SUM, 0, 0, "labeloff 0x300 invalid" },
	{ "nslot one too many", 0, 56, 4, 511, FIX_SUM, 0, 0, "nslot 511 of 256-byte labels does not fit" },
	{ "nslot huge", 0, 56, 4, UINT32_MAX, FIX_SUM, 0, 0, "nslot 4294967295 of 256-byte labels does not fit" },
};

static void test_index_validate(void **state)
{
	struct ns_io *io;

	assert_int_equal(ns_io_mem_new(128 * KIB, &io), 0);
	assert_int_equal(ns_lsa_init(io, 0, 128 * KIB, 2, NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(idx_cases); i++) {
		const struct idx_case *c = &idx_cases[i];
		uint64_t bo = c->block ? 256 : 0;
		uint8_t buf[128 * KIB], orig[256];
		struct ns_index out;
		char why[NS_WHY_LEN];
		int rc;

		memcpy(buf, ns_io_mem_buffer(io) + bo, 128 * KIB - bo);
		for (unsigned b = 0; b < c->width; b++)
			buf[c->off + b] = (uint8_t)(c->val >> (8 * b));
		if (c->fix == FIX_SUM)
			put_le64(buf + 64, ns_fletcher64(buf, 256, 64));
		memcpy(orig, buf, sizeof(orig));
		strcpy(why, "untouched");
		rc = ns_index_validate(buf, c->avail ? c->avail : 128 * KIB - bo,
				       128 * KIB, c->myoff_expected, &out, why);
		/* validation never writes into the block */
		assert_memory_equal(buf, orig, sizeof(orig));
		if (!c->why) {
			if (rc)
				fail_msg("%s: rejected: %s", c->name, why);
			assert_string_equal(why, "");
			assert_int_equal(out.myoff, bo);
			assert_int_equal(out.nslot, 510);
			assert_int_equal(out.seq, c->block ? 2 : 3);
			assert_int_equal(ns_index_label_size(&out), 256);
			continue;
		}
		if (rc != -EINVAL)
			fail_msg("%s: accepted", c->name);
		if (!strstr(why, c->why))
			fail_msg("%s: reason '%s', want '%s'", c->name, why,
				 c->why);
	}
	ns_io_destroy(&io);
}

/*
 * Older kernels sized the index for cfg / (ls + 1) slots; for a 64 MiB area
 * of 128-byte labels that is a smaller block (65280 bytes, not 65792).
 */
static void test_index_old_geometry(void **state)
{
	const uint64_t lsa = 64 * MIB;
	uint32_t nslot = (uint32_t)(lsa / 129);
	struct ns_index idx = { 0 }, out;
	static uint8_t bm[65536], blk[2 * 65792];
	char why[NS_WHY_LEN];

	assert_int_equal(ns_index_size(lsa / 128), 65792);
	assert_int_equal(ns_index_size(nslot), 65280);
	for (uint32_t s = 0; s < nslot; s++)
		ns_bitmap_set(bm, s);
	idx.seq = 1;
	idx.mysize = 65280;
	idx.otheroff = 65280;
	idx.labeloff = 2 * 65280;
	idx.nslot = nslot;
	idx.major = 1;
	idx.minor = 1;
	ns_index_encode(&idx, bm, blk);
	assert_int_equal(ns_index_validate(blk, sizeof(blk), lsa, 0, &out, why), 0);
	assert_int_equal(out.mysize, 65280);
	assert_int_equal(out.nslot, nslot);
	/* the checksum covers the block's own size, not the current one */
	blk[65280] = 1;
	assert_int_equal(ns_index_validate(blk, sizeof(blk), lsa, 0, &out, why), 0);
	blk[65279] ^= 1;
	assert_int_equal(ns_index_validate(blk, sizeof(blk), lsa, 0, &out, why),
			 -EINVAL);
	assert_non_null(strstr(why, "checksum"));
}

/* a good label: every field distinct, reserved bytes non-zero */
static void make_label(struct ns_label *l, unsigned ls, uint32_t slot)
{
	memset(l, 0, sizeof(*l));
	for (unsigned i = 0; i < ls; i++)
		l->raw[i] = (uint8_t)(0x40 + i);
	for (int i = 0; i < 16; i++)
		l->uuid[i] = (uint8_t)(0xa0 + i);
	strcpy(l->name, "vm1");
	l->flags = 0x80000000u | NS_LABEL_FLAG_ROLABEL;	/* an unknown flag too */
	l->nlabel = 1;
	l->position = 0;
	l->isetcookie = NS_ISETCOOKIE_V1_2;
	l->lbasize = 512;
	l->dpa = 2 * MIB;
	l->rawsize = 64 * MIB;
	l->slot = slot;
	l->align = 0;
	memcpy(l->type_guid, ns_label_type_guid_pmem, 16);
	memset(l->abstraction_guid, 0, 16);
}

static void test_label_roundtrip(void **state)
{
	static const unsigned sizes[] = { 128, 256 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned ls = sizes[i];
		struct ns_label l, d;
		uint8_t buf[256], again[256];
		char why[NS_WHY_LEN];

		make_label(&l, ls, 7);
		memset(buf, 0xcc, sizeof(buf));
		ns_label_encode(&l, ls, buf);
		assert_int_equal(ns_label_decode(buf, ls, 7, &d, why), 0);
		assert_string_equal(why, "");
		assert_memory_equal(d.uuid, l.uuid, 16);
		assert_string_equal(d.name, "vm1");
		assert_int_equal(d.flags, l.flags);
		assert_int_equal(d.nlabel, 1);
		assert_int_equal(d.position, 0);
		assert_int_equal(d.isetcookie, NS_ISETCOOKIE_V1_2);
		assert_int_equal(d.lbasize, 512);
		assert_int_equal(d.dpa, 2 * MIB);
		assert_int_equal(d.rawsize, 64 * MIB);
		assert_int_equal(d.slot, 7);
		assert_memory_equal(d.raw, buf, ls);
		/* fields on the media at their offsets */
		assert_memory_equal(buf + 16, "vm1\0", 4);
		for (int b = 20; b < 80; b++)
			assert_int_equal(buf[b], 0);
		assert_int_equal(get_le32(buf + 80), l.flags);
		assert_int_equal(get_le64(buf + 104), 2 * MIB);
		assert_int_equal(get_le32(buf + 120), 7);
		/* bytes pmemfs does not own come from raw */
		for (int b = 125; b < 128; b++)
			assert_int_equal(buf[b], 0x40 + b);
		if (ls == 256) {
			assert_memory_equal(buf + 128, ns_label_type_guid_pmem, 16);
			for (int b = 160; b < 248; b++)
				assert_int_equal(buf[b], (uint8_t)(0x40 + b));
			assert_int_equal(get_le64(buf + 248),
					 ns_fletcher64(buf, 256, 248));
			assert_memory_equal(d.type_guid, ns_label_type_guid_pmem, 16);
		} else {
			/* a 128-byte label writes 128 bytes only */
			for (int b = 128; b < 256; b++)
				assert_int_equal(buf[b], 0xcc);
		}
		/* decode then encode reproduces the bytes exactly */
		memset(again, 0xcc, sizeof(again));
		ns_label_encode(&d, ls, again);
		assert_memory_equal(again, buf, sizeof(buf));

		/* bytes after the name's NUL survive while the name stays */
		buf[16 + 10] = 0x99;
		if (ls == 256)
			put_le64(buf + 248, ns_fletcher64(buf, 256, 248));
		assert_int_equal(ns_label_decode(buf, ls, 7, &d, why), 0);
		ns_label_encode(&d, ls, again);
		assert_memory_equal(again, buf, ls);
		/* a new name is written NUL-padded */
		strcpy(d.name, "a-much-longer-name");
		d.dpa = 4 * MIB;
		ns_label_encode(&d, ls, again);
		assert_memory_equal(again + 16, "a-much-longer-name\0", 19);
		for (int b = 16 + 19; b < 80; b++)
			assert_int_equal(again[b], 0);
		assert_int_equal(get_le64(again + 104), 4 * MIB);
		assert_int_equal(ns_label_decode(again, ls, 7, &d, why), 0);
		assert_string_equal(d.name, "a-much-longer-name");
		/* the type GUID is not part of a v1.1 label */
		if (ls == 128) {
			static const uint8_t zero[16];

			assert_memory_equal(d.type_guid, zero, 16);
		}
	}
}

struct lbl_case {
	const char *name;
	unsigned off, width;
	uint64_t val;
	enum fix fix;
	uint32_t slot;		/* slot it is decoded as */
	const char *why;
};

static const struct lbl_case lbl_cases[] = {
	{ "good", 0, 0, 0, FIX_SUM, 7, NULL },
	{ "checksum", 100, 1, 0x55, NO_FIX, 7, "checksum" },
	{ "reserved byte under checksum", 200, 1, 0x55, NO_FIX, 7, "checksum" },
	{ "slot field", 120, 4, 8, FIX_SUM, 7, "slot field 8 differs" },
	{ "stored in another slot", 0, 0, 0, FIX_SUM, 9, "slot field 7 differs" },
	{ "nlabel 0", 84, 2, 0, FIX_SUM, 7, "nlabel 0" },
	{ "position", 86, 2, 1, FIX_SUM, 7, "position 1 not below nlabel 1" },
	{ "isetcookie", 88, 8, 0, FIX_SUM, 7, "isetcookie 0" },
	{ "rawsize", 112, 8, 0, FIX_SUM, 7, "rawsize 0" },
	{ "dpa overflow", 104, 8, UINT64_MAX - 4096, FIX_SUM, 7, "overflows" },
	{ "name", 79, 1, 'x', FIX_SUM, 7, "name not NUL-terminated" },
};

static void test_label_reject(void **state)
{
	static const unsigned sizes[] = { 128, 256 };

	for (size_t z = 0; z < ARRAY_SIZE(sizes); z++) {
		unsigned ls = sizes[z];

		for (size_t i = 0; i < ARRAY_SIZE(lbl_cases); i++) {
			const struct lbl_case *c = &lbl_cases[i];
			struct ns_label l, d;
			uint8_t buf[256];
			char why[NS_WHY_LEN];
			int rc;

			/* a v1.1 label has no checksum to break */
			if (ls == 128 && c->fix == NO_FIX)
				continue;
			make_label(&l, ls, 7);
			ns_label_encode(&l, ls, buf);
			if (c->name[0] == 'n' && c->off == 79)
				memset(buf + 16, 'x', 64);
			for (unsigned b = 0; b < c->width; b++)
				buf[c->off + b] = (uint8_t)(c->val >> (8 * b));
			if (ls == 256 && c->fix == FIX_SUM)
				put_le64(buf + 248, ns_fletcher64(buf, 256, 248));
			rc = ns_label_decode(buf, ls, c->slot, &d, why);
			/* filled in all cases, the name always terminated */
			assert_int_equal(d.rawsize, get_le64(buf + 112));
			assert_int_equal(d.dpa, get_le64(buf + 104));
			assert_memory_equal(d.raw, buf, ls);
			assert_true(strlen(d.name) < NS_LABEL_NAME_LEN);
			if (!c->why) {
				assert_int_equal(rc, 0);
				continue;
			}
			if (rc != -EINVAL)
				fail_msg("%u-byte label, %s: accepted", ls, c->name);
			if (!strstr(why, c->why))
				fail_msg("%u-byte label, %s: reason '%s', want '%s'",
					 ls, c->name, why, c->why);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fletcher64),
		cmocka_unit_test(test_type_guid),
		cmocka_unit_test(test_isetcookie_qemu),
		cmocka_unit_test(test_slot_record),
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_vectors_kernel),
		cmocka_unit_test(test_vectors_ndctl),
		cmocka_unit_test(test_index_validate),
		cmocka_unit_test(test_index_old_geometry),
		cmocka_unit_test(test_label_roundtrip),
		cmocka_unit_test(test_label_reject),
	};

	return cmocka_run_group_tests_name("label", tests, NULL, NULL);
}
