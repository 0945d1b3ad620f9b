/* SPDX-License-Identifier: MIT */
/*
 * The label storage area: the real label areas in $PMEMFS_TESTDATA
 * (kernel-written nmem1-4, QEMU-guest-written v1.1 and v1.2), probing
 * (including a guest's label area nested below the region's), commits
 * reloaded from the bytes they left, ENOSPC, v1.1 areas kept v1.1, and a
 * crash after every single write of a long sequence of commits.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ns/error.h"
#include "ns/io.h"
#include "ns/label.h"
#include "ns/le.h"
#include "ns/lsa.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* read a 128 KiB label area from the reference test data */
static void read_blob(const char *name, uint8_t *buf)
{
	const char *dir = getenv("PMEMFS_TESTDATA");
	char path[4096];
	FILE *f;
	size_t n;

	if (!dir)
		fail_msg("PMEMFS_TESTDATA not set");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open '%s'", path);
	n = fread(buf, 1, 128 * KIB, f);
	fclose(f);
	if (n != 128 * KIB)
		fail_msg("'%s': %zu bytes, want %llu", path, n, 128 * KIB);
}

/* a zeroed region of size bytes with blob as its last 128 KiB */
static struct ns_io *region_with_blob(uint64_t size, const char *blob)
{
	struct ns_io *io;

	assert_int_equal(ns_io_mem_new(size, &io), 0);
	if (blob)
		read_blob(blob, ns_io_mem_buffer(io) + size - 128 * KIB);
	return io;
}

static void assert_hex(const uint8_t *b, const char *hex)
{
	char s[3];

	for (size_t i = 0; hex[2 * i]; i++) {
		snprintf(s, sizeof(s), "%02x", b[i]);
		if (memcmp(s, hex + 2 * i, 2) != 0)
			fail_msg("byte %zu is %s, want %.2s (%s)", i, s,
				 hex + 2 * i, hex);
	}
}

static void test_blob_nmem(void **state)
{
	static const char *const blobs[] = {
		"nmem1.bin", "nmem2.bin", "nmem3.bin", "nmem4.bin",
	};
	const uint64_t size = 32 * MIB;

	for (size_t i = 0; i < ARRAY_SIZE(blobs); i++) {
		struct ns_io *io = region_with_blob(size, blobs[i]);
		struct ns_lsa *lsa, *probed;
		struct ns_index idx;
		struct ns_label l;
		char why[NS_WHY_LEN];
		uint32_t s, nused = 0;

		assert_int_equal(ns_lsa_load(io, size - 128 * KIB, 128 * KIB,
					     false, &lsa), 0);
		assert_int_equal(ns_lsa_offset(lsa), size - 128 * KIB);
		assert_int_equal(ns_lsa_size(lsa), 128 * KIB);
		assert_int_equal(ns_lsa_current(lsa), 1);
		assert_false(ns_lsa_index(lsa, 0, &idx, why));
		assert_string_equal(why, "sequence number 0 invalid");
		assert_true(ns_lsa_index(lsa, 1, &idx, why));
		assert_int_equal(idx.seq, 3);
		assert_int_equal(idx.myoff, 256);
		assert_int_equal(idx.otheroff, 0);
		assert_int_equal(idx.mysize, 256);
		assert_int_equal(idx.labeloff, 512);
		assert_int_equal(idx.nslot, 1016);
		assert_int_equal(idx.major, 1);
		assert_int_equal(idx.minor, 1);
		assert_int_equal(ns_lsa_nslot(lsa), 1016);
		assert_int_equal(ns_lsa_label_size(lsa), 128);
		assert_int_equal(ns_lsa_minor(lsa), 1);
		assert_int_equal(ns_lsa_free_slots(lsa), 1015);
		ns_lsa_foreach_slot(lsa, s) {
			assert_int_equal(s, 0);
			nused++;
		}
		assert_int_equal(nused, 1);
		assert_true(ns_lsa_slot_used(lsa, 0));
		assert_false(ns_lsa_slot_used(lsa, 1));
		assert_false(ns_lsa_slot_used(lsa, 1016));

		assert_int_equal(ns_lsa_label(lsa, 0, &l, why), 0);
		assert_hex(l.uuid, "6830f0397914423ebad622bda8fde8d6");
		assert_string_equal(l.name, "");
		assert_int_equal(l.flags, NS_LABEL_FLAG_UPDATING);
		assert_int_equal(l.nlabel, 4);
		assert_int_equal(l.position, i);
		assert_int_equal(l.isetcookie, 577576580528799483ull);
		assert_int_equal(l.lbasize, 0);
		assert_int_equal(l.dpa, 16 * MIB);
		assert_int_equal(l.rawsize, 16 * MIB);
		assert_int_equal(l.slot, 0);
		assert_int_equal(ns_lsa_label(lsa, 1016, &l, why), -EINVAL);

		assert_int_equal(ns_lsa_probe(io, &probed), 0);
		assert_int_equal(ns_lsa_offset(probed), size - 128 * KIB);
		assert_int_equal(ns_lsa_size(probed), 128 * KIB);
		assert_int_equal(ns_lsa_nslot(probed), 1016);
		ns_lsa_free(&probed);
		ns_lsa_free(&lsa);
		assert_null(lsa);
		ns_io_destroy(&io);
	}
}

static void test_blob_qemu(void **state)
{
	static const struct {
		const char *blob;
		unsigned minor, ls;
		uint32_t nslot;
		uint64_t cookie;
	} cases[] = {
		{ "qemu-guest-v1.1-fsdax.lsa", 1, 128, 1020, 0x2468ac00123456ull },
		{ "qemu-guest-v1.2-fsdax.lsa", 2, 256, 510, 0xba90120012b4dcull },
	};
	const uint64_t size = 256 * MIB;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ns_io *io = region_with_blob(size, cases[i].blob);
		struct ns_lsa *lsa;
		struct ns_index idx;
		struct ns_label l;
		char why[NS_WHY_LEN];
		uint32_t s, nused = 0;

		/* found by probing, as the region's own label area */
		assert_int_equal(ns_lsa_probe(io, &lsa), 0);
		assert_int_equal(ns_lsa_offset(lsa), size - 128 * KIB);
		assert_int_equal(ns_lsa_size(lsa), 128 * KIB);
		assert_int_equal(ns_lsa_current(lsa), 0);
		assert_true(ns_lsa_index(lsa, 0, &idx, why));
		assert_int_equal(idx.seq, 2);
		assert_int_equal(idx.nslot, cases[i].nslot);
		assert_int_equal(idx.minor, cases[i].minor);
		assert_int_equal(idx.labelsize, cases[i].minor == 2 ? 1 : 0);
		assert_true(ns_lsa_index(lsa, 1, &idx, why));
		assert_int_equal(idx.seq, 1);
		assert_int_equal(idx.myoff, 256);
		assert_int_equal(ns_lsa_minor(lsa), cases[i].minor);
		assert_int_equal(ns_lsa_label_size(lsa), cases[i].ls);
		assert_int_equal(ns_lsa_nslot(lsa), cases[i].nslot);
		assert_int_equal(ns_lsa_free_slots(lsa), cases[i].nslot - 1);
		ns_lsa_foreach_slot(lsa, s) {
			assert_int_equal(s, 1);
			nused++;
		}
		assert_int_equal(nused, 1);

		assert_int_equal(ns_lsa_label(lsa, 1, &l, why), 0);
		assert_int_equal(l.flags, 0);
		assert_int_equal(l.nlabel, 1);
		assert_int_equal(l.position, 0);
		assert_int_equal(l.isetcookie, cases[i].cookie);
		assert_int_equal(l.lbasize, 512);
		assert_int_equal(l.dpa, 0);
		assert_int_equal(l.rawsize, 251658240);
		assert_int_equal(l.slot, 1);
		assert_int_equal(l.align, 0);
		assert_string_equal(l.name, "");
		if (cases[i].minor == 2) {
			assert_hex(l.uuid, "32e0563393a040e9bd9945af7b668905");
			assert_memory_equal(l.type_guid, ns_label_type_guid_pmem, 16);
			assert_hex(l.type_guid, "79d3f066f3b47440ac430d3318b78cdb");
			assert_hex(l.abstraction_guid,
				   "ba0064269ffb7746bcb0968f11d0d225");
		} else {
			assert_hex(l.uuid, "ef3587f599564ff687e304aac3e3e641");
		}
		/* the guest's first write (UPDATING) is in slot 0, now free */
		assert_false(ns_lsa_slot_used(lsa, 0));
		assert_int_equal(ns_lsa_label(lsa, 0, &l, why), 0);
		assert_int_equal(l.flags, NS_LABEL_FLAG_UPDATING);
		ns_lsa_free(&lsa);
		ns_io_destroy(&io);
	}
}

static void test_probe(void **state)
{
	static const struct {
		uint64_t region, lsa;
		unsigned minor;
	} cases[] = {
		{ 4 * MIB, 128 * KIB, 2 },
		{ 4 * MIB, 128 * KIB, 1 },
		{ 4 * MIB, 256 * KIB, 2 },
		{ 4 * MIB, 256 * KIB, 1 },
		{ 8 * MIB, 2 * MIB, 2 },
		{ 256 * KIB, 256 * KIB, 2 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ns_io *io;
		struct ns_lsa *lsa;
		uint32_t nslot;
		uint64_t isz;

		assert_int_equal(ns_io_mem_new(cases[i].region, &io), 0);
		assert_int_equal(ns_lsa_init(io, cases[i].region - cases[i].lsa,
					     cases[i].lsa, cases[i].minor, NULL), 0);
		assert_int_equal(ns_lsa_probe(io, &lsa), 0);
		assert_int_equal(ns_lsa_offset(lsa), cases[i].region - cases[i].lsa);
		assert_int_equal(ns_lsa_size(lsa), cases[i].lsa);
		assert_int_equal(ns_lsa_minor(lsa), cases[i].minor);
		assert_int_equal(ns_lsa_geometry(cases[i].lsa,
						 cases[i].minor == 2 ? 256 : 128,
						 &nslot, &isz), 0);
		assert_int_equal(ns_lsa_nslot(lsa), nslot);
		assert_int_equal(ns_lsa_free_slots(lsa), nslot);
		assert_int_equal(ns_lsa_slot_first(lsa), NS_LSA_NO_SLOT);
		ns_lsa_free(&lsa);

		/* zeroed: nothing found, and the message says what was tried */
		assert_int_equal(ns_lsa_zero(io, cases[i].region - cases[i].lsa,
					     cases[i].lsa), 0);
		ns_err_clear();
		assert_int_equal(ns_lsa_probe(io, &lsa), -NS_E_NO_LABELS);
		assert_null(lsa);
		assert_non_null(strstr(ns_errormsg(), "no label area found"));
		ns_io_destroy(&io);
	}

	struct ns_io *io;
	struct ns_lsa *lsa;

	assert_int_equal(ns_io_mem_new(64 * KIB, &io), 0);
	assert_int_equal(ns_lsa_probe(io, &lsa), -NS_E_NO_LABELS);
	assert_non_null(strstr(ns_errormsg(), "smaller than a label area"));
	ns_io_destroy(&io);
}

/* load's message names both blocks' reasons */
static void test_load_errors(void **state)
{
	struct ns_io *io;
	struct ns_lsa *lsa;
	char why[NS_WHY_LEN];
	uint8_t *b;

	assert_int_equal(ns_io_mem_new(1 * MIB, &io), 0);
	b = ns_io_mem_buffer(io);
	assert_int_equal(ns_lsa_load(io, 0, 128 * KIB, false, &lsa), -NS_E_NO_LABELS);
	assert_non_null(strstr(ns_errormsg(),
			       "index 0: signature invalid; index 1: signature invalid"));
	assert_int_equal(ns_lsa_load(io, 1 * MIB - 64 * KIB, 128 * KIB, false,
				     &lsa), -EINVAL);
	assert_int_equal(ns_lsa_load(io, 0, 64 * KIB, false, &lsa), -EINVAL);

	/* one block broken: the other is current, the reason kept */
	assert_int_equal(ns_lsa_init(io, 0, 128 * KIB, 2, NULL), 0);
	b[100] ^= 1;
	assert_int_equal(ns_lsa_load(io, 0, 128 * KIB, false, &lsa), 0);
	assert_int_equal(ns_lsa_current(lsa), 1);
	assert_false(ns_lsa_index(lsa, 0, NULL, why));
	assert_non_null(strstr(why, "checksum"));
	ns_lsa_free(&lsa);
	b[256 + 20] = 0;
	assert_int_equal(ns_lsa_load(io, 0, 128 * KIB, false, &lsa), -NS_E_NO_LABELS);
	assert_non_null(strstr(ns_errormsg(), "index 0: checksum"));
	assert_non_null(strstr(ns_errormsg(), "index 1: checksum"));
	ns_io_destroy(&io);
}

/*
 * Which block is current when both are valid (the kernel's best_seq; equal
 * seqs pick index 1), and whose geometry counts when they disagree.
 */
static void test_current(void **state)
{
	static const struct {
		uint32_t seq0, seq1;
		int cur;
		uint32_t nslot0, nslot1;	/* 0: as initialised (510) */
	} cases[] = {
		{ 3, 2, 0, 0, 0 }, { 2, 3, 1, 0, 0 }, { 1, 2, 1, 0, 0 },
		{ 2, 1, 0, 0, 0 }, { 3, 1, 1, 0, 0 }, { 1, 3, 0, 0, 0 },
		{ 2, 2, 1, 0, 0 }, { 1, 1, 1, 0, 0 }, { 7, 2, 0, 0, 0 },
		{ 3, 1, 1, 0, 100 }, { 3, 1, 1, 100, 0 }, { 1, 3, 0, 100, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ns_io *io;
		struct ns_lsa *lsa;
		struct ns_index idx[2];
		uint8_t *b;
		uint32_t want_nslot;

		assert_int_equal(ns_io_mem_new(128 * KIB, &io), 0);
		assert_int_equal(ns_lsa_init(io, 0, 128 * KIB, 2, NULL), 0);
		b = ns_io_mem_buffer(io);
		put_le32(b + 20, cases[i].seq0);
		put_le32(b + 256 + 20, cases[i].seq1);
		if (cases[i].nslot0)
			put_le32(b + 56, cases[i].nslot0);
		if (cases[i].nslot1)
			put_le32(b + 256 + 56, cases[i].nslot1);
		for (int k = 0; k < 2; k++)
			put_le64(b + 256 * k + 64,
				 ns_fletcher64(b + 256 * k, 256, 64));
		assert_int_equal(ns_lsa_load(io, 0, 128 * KIB, false, &lsa), 0);
		assert_true(ns_lsa_index(lsa, 0, &idx[0], NULL));
		assert_true(ns_lsa_index(lsa, 1, &idx[1], NULL));
		if (ns_lsa_current(lsa) != cases[i].cur)
			fail_msg("seqs %u/%u: current %d, want %d",
				 cases[i].seq0, cases[i].seq1,
				 ns_lsa_current(lsa), cases[i].cur);
		want_nslot = cases[i].cur ? cases[i].nslot1 : cases[i].nslot0;
		assert_int_equal(ns_lsa_nslot(lsa), want_nslot ? want_nslot : 510);
		assert_int_equal(ns_lsa_free_slots(lsa), ns_lsa_nslot(lsa));
		ns_lsa_free(&lsa);
		ns_io_destroy(&io);
	}
}

/*
 * A namespace given to QEMU as an nvdimm backend holds the guest's label
 * area at its end; when that namespace ends where the region's own label
 * area begins, the guest's area lies just below the region's. It must
 * never be taken for a larger label area of the region.
 */
enum below { BELOW_ZERO, BELOW_V11_128K, BELOW_V12_256K };

static void test_nested(void **state)
{
	static const struct {
		const char *guest;	/* blob, or NULL for a fresh v1.2 area */
		enum below region;	/* the region's own area at the end */
	} cases[] = {
		{ "qemu-guest-v1.2-fsdax.lsa", BELOW_ZERO },
		{ "qemu-guest-v1.1-fsdax.lsa", BELOW_ZERO },
		{ NULL, BELOW_ZERO },
		{ "qemu-guest-v1.2-fsdax.lsa", BELOW_V11_128K },
		{ NULL, BELOW_V11_128K },
		{ "qemu-guest-v1.2-fsdax.lsa", BELOW_V12_256K },
		{ NULL, BELOW_V12_256K },
	};
	const uint64_t size = 16 * MIB;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t own = cases[i].region == BELOW_V12_256K ? 256 * KIB : 128 * KIB;
		uint64_t guest_off = size - own - 128 * KIB;
		struct ns_io *io;
		struct ns_lsa *lsa;
		int rc;

		assert_int_equal(ns_io_mem_new(size, &io), 0);
		if (cases[i].guest)
			read_blob(cases[i].guest, ns_io_mem_buffer(io) + guest_off);
		else
			assert_int_equal(ns_lsa_init(io, guest_off, 128 * KIB, 2,
						     NULL), 0);
		if (cases[i].region == BELOW_V11_128K)
			assert_int_equal(ns_lsa_init(io, size - own, own, 1, NULL), 0);
		if (cases[i].region == BELOW_V12_256K)
			assert_int_equal(ns_lsa_init(io, size - own, own, 2, NULL), 0);

		ns_err_clear();
		rc = ns_lsa_probe(io, &lsa);
		if (cases[i].region == BELOW_ZERO) {
			if (rc != -NS_E_NO_LABELS)
				fail_msg("case %zu: nested area taken (%d)", i, rc);
			/* without the probing rule it would have been */
			if (cases[i].guest && strstr(cases[i].guest, "v1.1")) {
				ns_io_destroy(&io);
				continue;
			}
			assert_int_equal(ns_lsa_load(io, guest_off, 256 * KIB,
						     false, &lsa), 0);
			ns_lsa_free(&lsa);
			assert_int_equal(ns_lsa_load(io, guest_off, 256 * KIB,
						     true, &lsa), -NS_E_NO_LABELS);
			assert_non_null(strstr(ns_errormsg(), "nested"));
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(ns_lsa_offset(lsa), size - own);
			assert_int_equal(ns_lsa_size(lsa), own);
			assert_int_equal(ns_lsa_minor(lsa),
					 cases[i].region == BELOW_V11_128K ? 1 : 2);
			assert_int_equal(ns_lsa_slot_first(lsa), NS_LSA_NO_SLOT);
			ns_lsa_free(&lsa);
		}
		ns_io_destroy(&io);
	}
}

static void make_label(struct ns_label *l, unsigned k, unsigned minor)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < 16; i++)
		l->uuid[i] = (uint8_t)(k * 31 + i);
	snprintf(l->name, sizeof(l->name), "ns%u", k);
	l->nlabel = 1;
	l->isetcookie = minor == 2 ? NS_ISETCOOKIE_V1_2 : NS_ISETCOOKIE_V1_1;
	l->lbasize = 512;
	l->dpa = (uint64_t)k * 2 * MIB;
	l->rawsize = 2 * MIB;
	l->slot = 12345;	/* set by commit */
	memcpy(l->type_guid, ns_label_type_guid_pmem, 16);
	l->raw[125] = (uint8_t)k;	/* a reserved byte, kept verbatim */
}

/* the labels in use: slot numbers and their bytes */
struct snap {
	unsigned n;
	unsigned ls;
	uint32_t slot[1024];
	uint8_t bytes[1024][256];
};

static void snap_take(const struct ns_lsa *lsa, struct snap *s)
{
	uint32_t slot;

	s->n = 0;
	s->ls = ns_lsa_label_size(lsa);
	ns_lsa_foreach_slot(lsa, slot) {
		struct ns_label l;
		char why[NS_WHY_LEN];

		if (ns_lsa_label(lsa, slot, &l, why))
			fail_msg("slot %u: %s", slot, why);
		s->slot[s->n] = slot;
		memcpy(s->bytes[s->n], l.raw, s->ls);
		s->n++;
	}
}

static bool snap_equal(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n || a->ls != b->ls)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (a->slot[i] != b->slot[i] ||
		    memcmp(a->bytes[i], b->bytes[i], a->ls) != 0)
			return false;
	return true;
}

/* reload from the medium and check it says what memory says */
static void assert_reload_equal(struct ns_io *io, const struct ns_lsa *lsa)
{
	static struct snap a, b;
	struct ns_lsa *re;
	struct ns_index i1, i2;

	assert_int_equal(ns_lsa_load(io, ns_lsa_offset(lsa), ns_lsa_size(lsa),
				     false, &re), 0);
	assert_int_equal(ns_lsa_current(re), ns_lsa_current(lsa));
	assert_int_equal(ns_lsa_minor(re), ns_lsa_minor(lsa));
	assert_int_equal(ns_lsa_nslot(re), ns_lsa_nslot(lsa));
	assert_int_equal(ns_lsa_free_slots(re), ns_lsa_free_slots(lsa));
	for (int i = 0; i < 2; i++) {
		bool v1 = ns_lsa_index(lsa, i, &i1, NULL);
		bool v2 = ns_lsa_index(re, i, &i2, NULL);

		assert_int_equal(v1, v2);
		if (v1)
			assert_memory_equal(&i1, &i2, sizeof(i1));
	}
	snap_take(lsa, &a);
	snap_take(re, &b);
	assert_true(snap_equal(&a, &b));
	ns_lsa_free(&re);
}

static void test_commit(void **state)
{
	static const unsigned minors[] = { 2, 1 };
	const uint64_t size = 4 * MIB, lsa_size = 128 * KIB;

	for (size_t m = 0; m < ARRAY_SIZE(minors); m++) {
		unsigned minor = minors[m];
		struct ns_io *io;
		struct ns_lsa *lsa;
		struct ns_label add[3], l;
		struct ns_index idx;
		uint32_t slots[3], rel[2];
		uint8_t *b, *saved;
		char why[NS_WHY_LEN];
		const uint64_t off = size - lsa_size;

		assert_int_equal(ns_io_mem_new(size, &io), 0);
		b = ns_io_mem_buffer(io) + off;
		saved = malloc(lsa_size);
		assert_non_null(saved);
		assert_int_equal(ns_lsa_init(io, off, lsa_size, minor, &lsa), 0);
		unsigned ls = ns_lsa_label_size(lsa);

		/* add three: slots 0, 1, 2; index 1 becomes current, seq 1 */
		for (unsigned i = 0; i < 3; i++)
			make_label(&add[i], i + 1, minor);
		memcpy(saved, b, lsa_size);
		assert_int_equal(ns_lsa_commit(lsa, NULL, 0, add, 3, slots), 0);
		assert_int_equal(slots[0], 0);
		assert_int_equal(slots[1], 1);
		assert_int_equal(slots[2], 2);
		assert_int_equal(ns_lsa_current(lsa), 1);
		assert_true(ns_lsa_index(lsa, 1, &idx, why));
		assert_int_equal(idx.seq, 1);
		/* the old current block was not touched */
		assert_memory_equal(b, saved, 256);
		/* the new block is on the medium with the slots used */
		assert_int_equal(get_le32(b + 256 + 20), 1);
		assert_int_equal(b[256 + 72], 0xf8);
		for (unsigned i = 0; i < 3; i++) {
			assert_int_equal(ns_lsa_label(lsa, i, &l, why), 0);
			assert_string_equal(l.name, add[i].name);
			assert_int_equal(l.slot, i);
			assert_int_equal(l.dpa, add[i].dpa);
			assert_int_equal(l.raw[125], i + 1);
			assert_int_equal(get_le32(b + 512 + i * ls + 120), i);
		}
		assert_reload_equal(io, lsa);

		/* release slot 1: index 0 current again, seq 2 */
		rel[0] = 1;
		memcpy(saved, b, lsa_size);
		assert_int_equal(ns_lsa_commit(lsa, rel, 1, NULL, 0, NULL), 0);
		assert_int_equal(ns_lsa_current(lsa), 0);
		assert_true(ns_lsa_index(lsa, 0, &idx, why));
		assert_int_equal(idx.seq, 2);
		assert_false(ns_lsa_slot_used(lsa, 1));
		assert_memory_equal(b + 256, saved + 256, lsa_size - 256);
		assert_reload_equal(io, lsa);

		/*
		 * replace slot 0 in one commit: the new label goes to slot 1
		 * (free in the current index), never to slot 0, which the
		 * current index still references
		 */
		rel[0] = 0;
		make_label(&add[0], 9, minor);
		memcpy(saved, b, lsa_size);
		assert_int_equal(ns_lsa_commit(lsa, rel, 1, add, 1, slots), 0);
		assert_int_equal(slots[0], 1);
		assert_memory_equal(b + 512, saved + 512, ls);	/* slot 0 kept */
		assert_false(ns_lsa_slot_used(lsa, 0));
		assert_true(ns_lsa_slot_used(lsa, 1));
		assert_true(ns_lsa_slot_used(lsa, 2));
		assert_int_equal(ns_lsa_label(lsa, 1, &l, why), 0);
		assert_string_equal(l.name, "ns9");
		assert_int_equal(ns_lsa_current(lsa), 1);
		assert_true(ns_lsa_index(lsa, 1, &idx, why));
		assert_int_equal(idx.seq, 3);
		assert_reload_equal(io, lsa);
		/* and now slot 0 is free to take */
		make_label(&add[0], 10, minor);
		assert_int_equal(ns_lsa_commit(lsa, NULL, 0, add, 1, slots), 0);
		assert_int_equal(slots[0], 0);
		assert_true(ns_lsa_index(lsa, 0, &idx, why));
		assert_int_equal(idx.seq, 1);	/* 3 -> 1 */
		assert_reload_equal(io, lsa);

		/* bad releases change nothing */
		static const struct {
			uint32_t rel[2];
			unsigned n;
			const char *msg;
		} bad[] = {
			{ { 5 }, 1, "label slot 5: not in use" },
			{ { 2, 2 }, 2, "label slot 2: given twice" },
			{ { 100000 }, 1, "label slot 100000: not in use" },
		};
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			memcpy(saved, b, lsa_size);
			assert_int_equal(ns_lsa_commit(lsa, bad[i].rel, bad[i].n,
						       add, 1, slots), -EINVAL);
			assert_non_null(strstr(ns_errormsg(), bad[i].msg));
			assert_memory_equal(b, saved, lsa_size);
		}
		assert_reload_equal(io, lsa);
		assert_int_equal(ns_lsa_free_slots(lsa), ns_lsa_nslot(lsa) - 3);
		ns_lsa_free(&lsa);
		free(saved);
		ns_io_destroy(&io);
	}
}

static void test_enospc(void **state)
{
	const uint64_t lsa_size = 128 * KIB;
	struct ns_io *io;
	struct ns_lsa *lsa;
	struct ns_label *add;
	uint32_t *slots, rel = 5, nslot;
	uint8_t *saved;

	assert_int_equal(ns_io_mem_new(lsa_size, &io), 0);
	assert_int_equal(ns_lsa_init(io, 0, lsa_size, 2, &lsa), 0);
	nslot = ns_lsa_nslot(lsa);
	assert_int_equal(nslot, 510);
	add = calloc(nslot + 1, sizeof(*add));
	slots = calloc(nslot + 1, sizeof(*slots));
	saved = malloc(lsa_size);
	assert_non_null(add);
	assert_non_null(slots);
	assert_non_null(saved);
	for (unsigned i = 0; i <= nslot; i++)
		make_label(&add[i], i + 1, 2);

	/* one more than there are slots */
	assert_int_equal(ns_lsa_commit(lsa, NULL, 0, add, nslot + 1, slots),
			 -ENOSPC);
	assert_non_null(strstr(ns_errormsg(), "no free label slot: 511 needed, 510 free"));
	/* every slot */
	assert_int_equal(ns_lsa_commit(lsa, NULL, 0, add, nslot, slots), 0);
	assert_int_equal(slots[nslot - 1], nslot - 1);
	assert_int_equal(ns_lsa_free_slots(lsa), 0);
	assert_reload_equal(io, lsa);

	memcpy(saved, ns_io_mem_buffer(io), lsa_size);
	assert_int_equal(ns_lsa_commit(lsa, NULL, 0, &add[nslot], 1, slots), -ENOSPC);
	/* a slot released in the same commit is not free yet */
	assert_int_equal(ns_lsa_commit(lsa, &rel, 1, &add[nslot], 1, slots), -ENOSPC);
	assert_non_null(strstr(ns_errormsg(), "no free label slot: 1 needed, 0 free"));
	assert_memory_equal(ns_io_mem_buffer(io), saved, lsa_size);
	assert_reload_equal(io, lsa);

	assert_int_equal(ns_lsa_commit(lsa, &rel, 1, NULL, 0, NULL), 0);
	assert_int_equal(ns_lsa_commit(lsa, NULL, 0, &add[nslot], 1, slots), 0);
	assert_int_equal(slots[0], 5);
	assert_int_equal(ns_lsa_free_slots(lsa), 0);
	assert_reload_equal(io, lsa);
	ns_lsa_free(&lsa);
	free(add);
	free(slots);
	free(saved);
	ns_io_destroy(&io);
}

/* a guest-written v1.1 area stays v1.1, written in its own format */
static void test_v11_stays(void **state)
{
	const uint64_t size = 256 * MIB, off = size - 128 * KIB;
	struct ns_io *io = region_with_blob(size, "qemu-guest-v1.1-fsdax.lsa");
	struct ns_lsa *lsa;
	struct ns_label add, l;
	uint32_t slot, rel = 1;
	uint8_t guest_label[128];
	const uint8_t *b = ns_io_mem_buffer(io) + off;
	char why[NS_WHY_LEN];

	memcpy(guest_label, b + 512 + 128, 128);
	assert_int_equal(ns_lsa_probe(io, &lsa), 0);
	make_label(&add, 1, 1);
	add.dpa = 240 * MIB;
	add.rawsize = 8 * MIB;
	assert_int_equal(ns_lsa_commit(lsa, NULL, 0, &add, 1, &slot), 0);
	assert_int_equal(slot, 0);
	assert_int_equal(ns_lsa_minor(lsa), 1);
	/* index 1 now current with seq 3, still 1.1 with 128-byte labels */
	assert_int_equal(ns_lsa_current(lsa), 1);
	assert_int_equal(get_le32(b + 256 + 20), 3);
	assert_int_equal(get_le16(b + 256 + 62), 1);
	assert_int_equal(b[256 + 19], 0);
	assert_int_equal(get_le32(b + 256 + 56), 1020);
	assert_int_equal(b[256 + 72], 0xfc);
	/* the new label fills slot 0's 128 bytes; the guest's label is intact */
	assert_memory_equal(b + 512 + 16, "ns1\0", 4);
	assert_int_equal(get_le64(b + 512 + 104), 240 * MIB);
	assert_memory_equal(b + 512 + 128, guest_label, 128);
	assert_reload_equal(io, lsa);
	ns_lsa_free(&lsa);

	assert_int_equal(ns_lsa_probe(io, &lsa), 0);
	assert_int_equal(ns_lsa_minor(lsa), 1);
	assert_int_equal(ns_lsa_label_size(lsa), 128);
	assert_int_equal(ns_lsa_label(lsa, 0, &l, why), 0);
	assert_int_equal(l.rawsize, 8 * MIB);
	assert_int_equal(l.isetcookie, NS_ISETCOOKIE_V1_1);
	assert_int_equal(ns_lsa_label(lsa, 1, &l, why), 0);
	assert_int_equal(l.rawsize, 251658240);
	/* rewrite the guest's label (rename) keeping all its other bytes */
	strcpy(l.name, "guest");
	assert_int_equal(ns_lsa_commit(lsa, &rel, 1, &l, 1, &slot), 0);
	assert_int_equal(slot, 2);
	assert_memory_equal(b + 512 + 2 * 128 + 16, "guest\0", 6);
	assert_memory_equal(b + 512 + 2 * 128 + 80, guest_label + 80, 40);
	assert_memory_equal(b + 512 + 2 * 128 + 124, guest_label + 124, 4);
	assert_int_equal(get_le32(b + 512 + 2 * 128 + 120), 2);
	assert_int_equal(get_le16(b + 62), 1);
	assert_reload_equal(io, lsa);
	ns_lsa_free(&lsa);
	ns_io_destroy(&io);
}

/*
 * An area laid out by an older kernel (index sized for cfg / (ls + 1)
 * slots): 64 MiB of 128-byte labels, index blocks of 65280 bytes, not the
 * current 65792. Found by probing, and committed to in its own geometry.
 */
static void test_old_geometry(void **state)
{
	const uint64_t lsa_size = 64 * MIB, size = 72 * MIB;
	const uint64_t off = size - lsa_size, isz = 65280;
	const uint32_t nslot = (uint32_t)(lsa_size / 129);
	struct ns_io *io;
	struct ns_lsa *lsa;
	struct ns_index idx = { 0 };
	struct ns_label add;
	uint8_t *bm, *blk;
	uint32_t slot;

	assert_int_equal(ns_io_mem_new(size, &io), 0);
	bm = calloc(1, isz);
	blk = malloc(isz);
	assert_non_null(bm);
	assert_non_null(blk);
	for (uint32_t s = 0; s < nslot; s++)
		ns_bitmap_set(bm, s);
	idx.mysize = isz;
	idx.labeloff = 2 * isz;
	idx.nslot = nslot;
	idx.major = 1;
	idx.minor = 1;
	for (int i = 0; i < 2; i++) {
		idx.seq = 3 - (uint32_t)i;
		idx.myoff = i ? isz : 0;
		idx.otheroff = i ? 0 : isz;
		ns_index_encode(&idx, bm, blk);
		assert_int_equal(ns_io_write(io, blk, isz, off + idx.myoff), 0);
	}
	assert_int_equal(ns_lsa_probe(io, &lsa), 0);
	assert_int_equal(ns_lsa_size(lsa), lsa_size);
	assert_int_equal(ns_lsa_nslot(lsa), nslot);
	assert_true(ns_lsa_index(lsa, 1, &idx, NULL));
	assert_int_equal(idx.myoff, isz);
	make_label(&add, 1, 1);
	assert_int_equal(ns_lsa_commit(lsa, NULL, 0, &add, 1, &slot), 0);
	assert_int_equal(slot, 0);
	assert_int_equal(ns_lsa_current(lsa), 1);
	assert_int_equal(get_le64(ns_io_mem_buffer(io) + off + isz + 24), isz);
	assert_memory_equal(ns_io_mem_buffer(io) + off + 2 * isz + 16, "ns1", 4);
	assert_reload_equal(io, lsa);
	ns_lsa_free(&lsa);
	free(bm);
	free(blk);
	ns_io_destroy(&io);
}

/* ------------------------------------------------------------------ */
/* crash after every single write of a sequence of commits */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

#define CRASH_OPS 120

struct crash_stats {
	unsigned ops, adds, releases, replaces;
	unsigned points, torn_points, old_state, new_state;
};

static void crash_sequence(unsigned minor, struct crash_stats *st)
{
	const uint64_t size = 2 * MIB, lsa_size = 128 * KIB;
	const uint64_t off = size - lsa_size;
	struct ns_io *io;
	struct ns_lsa *lsa;
	struct snap *before = malloc(sizeof(*before));
	struct snap *after = malloc(sizeof(*after));
	struct snap *got = malloc(sizeof(*got));
	uint8_t *before_buf = malloc(lsa_size), *after_buf = malloc(lsa_size);
	uint8_t *medium;
	unsigned next_label = 1;

	assert_non_null(before);
	assert_non_null(after);
	assert_non_null(got);
	assert_non_null(before_buf);
	assert_non_null(after_buf);
	assert_int_equal(ns_io_mem_new(size, &io), 0);
	medium = ns_io_mem_buffer(io) + off;
	assert_int_equal(ns_lsa_init(io, off, lsa_size, minor, &lsa), 0);

	for (unsigned op = 0; op < CRASH_OPS; op++) {
		struct ns_label add[3];
		uint32_t rel[2], slots[3];
		unsigned nadd = 0, nrel = 0;
		uint32_t used[1024], nused = 0, s;
		unsigned kind = rnd() % 3;
		unsigned long w0, w;
		int rc;

		ns_lsa_foreach_slot(lsa, s)
			used[nused++] = s;
		if (nused == 0 || (nused < 8 && kind == 0) || nused < 2)
			kind = 0;
		if (kind == 0) {		/* add 1..3 */
			nadd = 1 + rnd() % 3;
			st->adds++;
		} else if (kind == 1) {		/* release 1..2 */
			nrel = 1 + rnd() % 2;
			rel[0] = used[rnd() % nused];
			do
				rel[1] = used[rnd() % nused];
			while (nrel == 2 && rel[1] == rel[0]);
			st->releases++;
		} else {			/* replace = release + add */
			nrel = 1;
			nadd = 1;
			rel[0] = used[rnd() % nused];
			st->replaces++;
		}
		for (unsigned i = 0; i < nadd; i++)
			make_label(&add[i], next_label++, minor);

		/* the uninterrupted commit: the state after, and its writes */
		snap_take(lsa, before);
		memcpy(before_buf, medium, lsa_size);
		w0 = ns_io_mem_writes(io);
		rc = ns_lsa_commit(lsa, rel, nrel, add, nadd, slots);
		if (rc)
			fail_msg("op %u: commit: %s", op, ns_errormsg());
		w = ns_io_mem_writes(io) - w0;
		assert_int_equal(w, nadd + 1);	/* the labels, then the index */
		snap_take(lsa, after);
		memcpy(after_buf, medium, lsa_size);
		assert_false(snap_equal(before, after));

		/*
		 * Crash after k writes for every k: after 0..w-1 writes the
		 * commit is interrupted at a write; after w writes at the
		 * final persist. Torn: the interrupted write leaves half.
		 */
		for (int torn = 0; torn < 2; torn++) {
			for (unsigned long k = 0; k <= (torn ? w - 1 : w); k++) {
				struct ns_lsa *l2, *l3;
				bool is_after;

				memcpy(medium, before_buf, lsa_size);
				assert_int_equal(ns_lsa_load(io, off, lsa_size,
							     false, &l2), 0);
				ns_io_mem_crash_after(io, (long)k, torn);
				rc = ns_lsa_commit(l2, rel, nrel, add, nadd, slots);
				ns_io_mem_crash_after(io, -1, false);
				assert_int_equal(rc, -EIO);
				/* memory keeps the old state on failure */
				snap_take(l2, got);
				assert_true(snap_equal(got, before));
				ns_lsa_free(&l2);

				/* power back: what does the medium say? */
				rc = ns_lsa_load(io, off, lsa_size, false, &l3);
				if (rc)
					fail_msg("op %u k %lu torn %d: reload: %s",
						 op, k, torn, ns_errormsg());
				snap_take(l3, got);
				is_after = snap_equal(got, after);
				if (!is_after && !snap_equal(got, before))
					fail_msg("op %u k %lu torn %d: neither "
						 "old nor new state", op, k, torn);
				/* only a complete index write makes it new */
				if (!torn && k == w)
					assert_true(is_after);
				if (k < w - 1 || (!torn && k == w - 1))
					assert_false(is_after);
				st->points++;
				st->torn_points += (unsigned)torn;
				if (is_after) {
					st->new_state++;
				} else {
					/* and the recovered area takes the commit */
					st->old_state++;
					assert_int_equal(ns_lsa_commit(l3, rel, nrel,
								      add, nadd,
								      slots), 0);
					snap_take(l3, got);
					assert_true(snap_equal(got, after));
				}
				ns_lsa_free(&l3);
			}
		}
		memcpy(medium, after_buf, lsa_size);
		st->ops++;
	}
	assert_reload_equal(io, lsa);
	ns_lsa_free(&lsa);
	ns_io_destroy(&io);
	free(before);
	free(after);
	free(got);
	free(before_buf);
	free(after_buf);
}

static void test_crash(void **state)
{
	static const unsigned minors[] = { 2, 1 };

	for (size_t m = 0; m < ARRAY_SIZE(minors); m++) {
		struct crash_stats st = { 0 };

		rng_state = 0x9e3779b97f4a7c15ull + m;
		crash_sequence(minors[m], &st);
		assert_true(st.ops >= 100);
		assert_true(st.adds > 10 && st.releases > 10 && st.replaces > 10);
		print_message("v1.%u: %u commits (%u add, %u release, %u replace), "
			      "%u crash points (%u torn): %u old state, %u new state\n",
			      minors[m], st.ops, st.adds, st.releases, st.replaces,
			      st.points, st.torn_points, st.old_state,
			      st.new_state);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blob_nmem),
		cmocka_unit_test(test_blob_qemu),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_current),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_commit),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_v11_stays),
		cmocka_unit_test(test_old_geometry),
		cmocka_unit_test(test_crash),
	};

	return cmocka_run_group_tests_name("lsa", tests, NULL, NULL);
}
