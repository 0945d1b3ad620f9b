/* SPDX-License-Identifier: MIT */
/*
 * On-media format of the NVDIMM namespace label storage area (LSA), as the
 * Linux kernel (drivers/nvdimm/label.h), ndctl and QEMU guests write it.
 * All fields little-endian. See docs/on-media-format.md.
 *
 *   [ index 0 ][ index 1 ][ slot 0 ][ slot 1 ] ... [ slot nslot-1 ]
 *
 * Namespace index block: 72-byte header, then the free bitmap (bit set =
 * slot free; bit s is bit s%8 of byte s/8), padded to the index size.
 *   off  0 sig[16]     "NAMESPACE_INDEX\0"
 *   off 16 flags[3]    0
 *   off 19 labelsize   log2(label size) - 7 (0 = 128, 1 = 256), from v1.2
 *   off 20 seq  le32   low two bits in {1,2,3}; 0 = invalid
 *   off 24 myoff le64  this block's offset in the LSA
 *   off 32 mysize le64 index size
 *   off 40 otheroff le64 the other block's offset
 *   off 48 labeloff le64 first slot's offset (2 * index size)
 *   off 56 nslot le32  number of label slots
 *   off 60 major le16  1
 *   off 62 minor le16  1 (128-byte labels) or 2 (256-byte labels)
 *   off 64 checksum le64 Fletcher64 of the whole block, this field as 0
 *   last 16 bytes: pmemfs's nvdimm-slot record when present (see below)
 *
 * Namespace label (v1.1: the first 128 bytes; v1.2: 256 bytes):
 *   off   0 uuid[16]     RFC 4122 bytes as printed
 *   off  16 name[64]     NUL-terminated, at most 63 bytes used
 *   off  80 flags le32   ROLABEL 0x1, LOCAL 0x2, BTT 0x4, UPDATING 0x8
 *   off  84 nlabel le16  DIMMs in the interleave set (1 for a region file)
 *   off  86 position le16 position in the set (0)
 *   off  88 isetcookie le64 interleave-set cookie, non-zero
 *   off  96 lbasize le64 512 as the kernel writes it (old v1.1: 0)
 *   off 104 dpa le64     start of the namespace in the data area
 *   off 112 rawsize le64 size in bytes
 *   off 120 slot le32    must equal the slot it is stored in
 *   off 124 align u8     0 as the kernel writes it
 *   off 125 reserved[3]
 *   off 128 type_guid[16]        v1.2: pmem 66f0d379-b4f3-4074-ac43-0d3318b78cdb
 *   off 144 abstraction_guid[16] v1.2: null = raw, or fsdax/devdax/btt
 *   off 160 reserved2[88]
 *   off 248 checksum le64 v1.2: Fletcher64 of the 256 bytes, this field as 0
 */
#ifndef PMEMFS_NS_LABEL_H
#define PMEMFS_NS_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NS_INDEX_SIG "NAMESPACE_INDEX"	/* 15 chars + NUL = 16 bytes */
#define NS_INDEX_SIG_LEN 16
#define NS_INDEX_HDR_SIZE 72
#define NS_INDEX_ALIGN 256
#define NS_LABEL_NAME_LEN 64		/* bytes on media, NUL included */

#define NS_LABEL_FLAG_ROLABEL 0x1u
#define NS_LABEL_FLAG_LOCAL 0x2u
#define NS_LABEL_FLAG_BTT 0x4u
#define NS_LABEL_FLAG_UPDATING 0x8u

/* interleave-set cookies a QEMU guest computes for one nvdimm in slot 0 */
#define NS_ISETCOOKIE_V1_1 0x2468ac00123456ULL
#define NS_ISETCOOKIE_V1_2 0xba90120012b4dcULL

/*
 * QEMU's nvdimm in slot N (-device nvdimm,slot=N) has serial number
 * 0x123456 + N (hw/acpi/nvdimm.c, nvdimm_slot_to_sn), vendor 0x8086,
 * region offset 0 and no manufacturing date or location. Slots are those
 * of -m ...,slots=S: QEMU takes at most 256 (ACPI_MAX_RAM_SLOTS).
 */
#define NS_QEMU_NVDIMM_SERIAL 0x123456u
#define NS_QEMU_NVDIMM_VENDOR 0x8086u
#define NS_NVDIMM_SLOT_MAX 255u

/*
 * The interleave-set cookie a Linux guest computes for one QEMU nvdimm in
 * nvdimm_slot, for labels of version 1.minor (drivers/acpi/nfit/core.c,
 * acpi_nfit_init_interleave_set): Fletcher64 of the set's one mapping,
 * v1.1 { le64 region_offset; le32 serial_number; le32 pad } (16 bytes),
 * v1.2 { le64 region_offset; le32 serial_number; le16 vendor_id;
 * le16 manufacturing_date; u8 manufacturing_location; u8 reserved[31] }
 * (48 bytes). Slot 0: NS_ISETCOOKIE_V1_1 / _V1_2; slot 1: 0x2468ae00123457
 * (v1.1), 0xba901c0012b4dd (v1.2).
 */
uint64_t ns_isetcookie_qemu(unsigned minor, uint32_t nvdimm_slot);

/*
 * The nvdimm slot whose cookie (ns_isetcookie_qemu, version 1.minor) is
 * cookie: true with *nvdimm_slot set, false when it is no slot's up to
 * NS_NVDIMM_SLOT_MAX.
 */
bool ns_isetcookie_qemu_slot(unsigned minor, uint64_t cookie, uint32_t *nvdimm_slot);

/* v1.2 type GUID (pmem), as stored on media (guid_parse byte order) */
extern const uint8_t ns_label_type_guid_pmem[16];

/* Why a block or label was rejected; a short sentence, no trailing dot. */
#define NS_WHY_LEN 128

struct ns_index {
	uint8_t flags[3];
	uint8_t labelsize;	/* log2(label size) - 7 */
	uint32_t seq;
	uint64_t myoff;
	uint64_t mysize;
	uint64_t otheroff;
	uint64_t labeloff;
	uint32_t nslot;
	uint16_t major;
	uint16_t minor;
	uint64_t checksum;	/* as read; computed on encode */
};

struct ns_label {
	uint8_t uuid[16];
	char name[NS_LABEL_NAME_LEN];	/* always NUL-terminated after decode */
	uint32_t flags;
	uint16_t nlabel;
	uint16_t position;
	uint64_t isetcookie;
	uint64_t lbasize;
	uint64_t dpa;
	uint64_t rawsize;
	uint32_t slot;
	uint8_t align;
	uint8_t type_guid[16];		/* v1.2 only */
	uint8_t abstraction_guid[16];	/* v1.2 only */
	uint64_t checksum;		/* v1.2 only; as read */
	/*
	 * The label's bytes as read (or zero for a new label). Encoding starts
	 * from these, so fields pmemfs does not own (reserved bytes, GUIDs,
	 * unknown flags, lbasize) are kept verbatim when a label is rewritten.
	 */
	uint8_t raw[256];
};

/*
 * Fletcher64 of len bytes (len a multiple of 4), little-endian u32 words:
 *   lo += w; hi += lo; result = hi << 32 | lo.
 * The 8 bytes at skip (a multiple of 4) are taken as zero without touching
 * the buffer; pass SIZE_MAX to skip nothing.
 */
uint64_t ns_fletcher64(const void *buf, size_t len, size_t skip);

/* next seq in the cycle 1 -> 2 -> 3 -> 1; 0 for an invalid seq */
uint32_t ns_index_seq_next(uint32_t seq);

/*
 * Which of two valid index blocks is current, given their seqs (the
 * kernel's best_seq): returns a or b.
 */
uint32_t ns_index_best_seq(uint32_t a, uint32_t b);

/* index size for nslot slots: ALIGN(72 + ceil(nslot / 8), 256) */
uint64_t ns_index_size(uint64_t nslot);

/*
 * Geometry of a new label area of lsa_size bytes with label_size (128 or
 * 256) labels, as the current kernel lays it out: nslot and index size.
 * Returns 0, or -EINVAL when the area is too small.
 */
int ns_lsa_geometry(uint64_t lsa_size, unsigned label_size, uint32_t *nslot,
		    uint64_t *index_size);

/* Decode the 72-byte header (no validation). */
void ns_index_decode(const uint8_t *buf, struct ns_index *out);

/*
 * Encode a whole index block of idx->mysize bytes into buf: the header,
 * then bitmap (ceil(nslot/8) bytes), zero padding, then the checksum.
 */
void ns_index_encode(const struct ns_index *idx, const uint8_t *bitmap,
		     uint8_t *buf);

/*
 * The same over the idx->mysize bytes already in buf: header and bitmap
 * are written, the bytes after the bitmap are kept as they are (a commit
 * copies them from the current block, as the kernel does), checksum.
 */
void ns_index_encode_over(const struct ns_index *idx, const uint8_t *bitmap,
			  uint8_t *buf);

/*
 * pmemfs's nvdimm-slot record: the last 16 bytes of an index block, in
 * the padding after the free bitmap (covered by the checksum, meaningless
 * to the kernel and ndctl, which copy a block's bytes verbatim when they
 * write the next one): "PMEMFS_SLOT\0" then le32 slot. Absent = slot 0.
 * It fits when the bitmap as the kernel and ndctl write it
 * (ALIGN(nslot, 64) / 8 bytes from offset 72) ends before it.
 */
#define NS_INDEX_SLOTREC_TAG "PMEMFS_SLOT"	/* 11 chars + NUL = 12 bytes */
#define NS_INDEX_SLOTREC_SIZE 16
bool ns_index_slotrec_fits(uint64_t mysize, uint32_t nslot);
/* the record of a block of mysize bytes at buf: true and *slot, or false */
bool ns_index_slotrec_get(const uint8_t *buf, uint64_t mysize, uint32_t nslot,
			  uint32_t *slot);
/* write (slot != 0) or clear (slot 0: zeroes) the record; checksum not updated */
void ns_index_slotrec_put(uint8_t *buf, uint64_t mysize, uint32_t slot);

/*
 * Validate the index block at buf (buf holds at least the bytes from this
 * block's offset to the end of the LSA, lsa_size - myoff_expected) of an
 * LSA of lsa_size bytes, expected at offset myoff_expected, in the
 * kernel's order: signature, label size, checksum, seq, myoff/otheroff,
 * mysize, labeloff, slots fit. Arithmetic is 64-bit and overflow-checked.
 * Returns 0 and fills out, or -EINVAL with the reason in why.
 */
int ns_index_validate(const uint8_t *buf, uint64_t avail, uint64_t lsa_size,
		      uint64_t myoff_expected, struct ns_index *out,
		      char why[NS_WHY_LEN]);

/* label size in bytes from an index: 128 << labelsize for minor >= 2, else 128 */
unsigned ns_index_label_size(const struct ns_index *idx);

/* slot s free in a bitmap */
static inline bool ns_bitmap_test(const uint8_t *bm, uint32_t s)
{
	return bm[s / 8] & (1u << (s % 8));
}

static inline void ns_bitmap_set(uint8_t *bm, uint32_t s)
{
	bm[s / 8] |= (uint8_t)(1u << (s % 8));
}

static inline void ns_bitmap_clear(uint8_t *bm, uint32_t s)
{
	bm[s / 8] &= (uint8_t)~(1u << (s % 8));
}

/*
 * Decode a label of label_size (128 or 256) bytes found in slot.
 * Always fills out (so a bad label can still be reported); returns 0, or
 * -EINVAL with the reason in why: bad checksum (v1.2), slot field not the
 * slot, nlabel 0, position >= nlabel, isetcookie 0, rawsize 0,
 * dpa + rawsize overflowing, name not NUL-terminated.
 */
int ns_label_decode(const uint8_t *buf, unsigned label_size, uint32_t slot,
		    struct ns_label *out, char why[NS_WHY_LEN]);

/*
 * Encode l into buf (label_size bytes), starting from l->raw so that fields
 * pmemfs does not own are kept; computes the v1.2 checksum.
 */
void ns_label_encode(const struct ns_label *l, unsigned label_size, uint8_t *buf);

#endif
