/* SPDX-License-Identifier: MIT */
/*
 * Namespace index blocks and namespace labels: checksums, geometry,
 * decoding, encoding and validation. See label.h for the field tables and
 * docs/on-media-format.md for where they come from.
 *
 * Everything is decoded and encoded field by field with the le.h helpers,
 * never by overlaying structs on buffers. Values read from the medium are
 * untrusted: all arithmetic on them is 64-bit and overflow-checked, and
 * no checksum is ever computed by writing into the buffer under test.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ns/label.h"
#include "ns/le.h"

/* pmem type GUID 66f0d379-b4f3-4074-ac43-0d3318b78cdb in guid_parse order */
const uint8_t ns_label_type_guid_pmem[16] = {
	0x79, 0xd3, 0xf0, 0x66, 0xf3, 0xb4, 0x74, 0x40,
	0xac, 0x43, 0x0d, 0x33, 0x18, 0xb7, 0x8c, 0xdb,
};

/* index block header offsets */
enum {
	IDX_SIG = 0,
	IDX_FLAGS = 16,
	IDX_LABELSIZE = 19,
	IDX_SEQ = 20,
	IDX_MYOFF = 24,
	IDX_MYSIZE = 32,
	IDX_OTHEROFF = 40,
	IDX_LABELOFF = 48,
	IDX_NSLOT = 56,
	IDX_MAJOR = 60,
	IDX_MINOR = 62,
	IDX_CHECKSUM = 64,
};

/* label offsets */
enum {
	LBL_UUID = 0,
	LBL_NAME = 16,
	LBL_FLAGS = 80,
	LBL_NLABEL = 84,
	LBL_POSITION = 86,
	LBL_ISETCOOKIE = 88,
	LBL_LBASIZE = 96,
	LBL_DPA = 104,
	LBL_RAWSIZE = 112,
	LBL_SLOT = 120,
	LBL_ALIGN = 124,
	LBL_TYPE_GUID = 128,
	LBL_ABSTRACTION_GUID = 144,
	LBL_CHECKSUM = 248,
};

static const char ns_index_sig[NS_INDEX_SIG_LEN] = NS_INDEX_SIG;

__attribute__((format(printf, 3, 4)))
static int reject(char why[NS_WHY_LEN], int code, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, NS_WHY_LEN, fmt, ap);
		va_end(ap);
	}
	return code;
}

uint64_t ns_fletcher64(const void *buf, size_t len, size_t skip)
{
	const uint8_t *p = buf;
	uint32_t lo = 0;
	uint64_t hi = 0;

	for (size_t i = 0; i + 4 <= len; i += 4) {
		uint32_t w = (skip != SIZE_MAX && i >= skip && i - skip < 8) ?
			0 : get_le32(p + i);

		lo += w;
		hi += lo;
	}
	return hi << 32 | lo;
}

uint32_t ns_index_seq_next(uint32_t seq)
{
	static const uint32_t next[4] = { 0, 2, 3, 1 };

	return next[seq & 3];
}

uint32_t ns_index_best_seq(uint32_t a, uint32_t b)
{
	a &= 3;
	b &= 3;
	if (a == 0 || a == b)
		return b;
	if (b == 0)
		return a;
	return ns_index_seq_next(a) == b ? b : a;
}

uint64_t ns_index_size(uint64_t nslot)
{
	uint64_t bytes = nslot / 8 + (nslot % 8 != 0);

	return (NS_INDEX_HDR_SIZE + bytes + NS_INDEX_ALIGN - 1) /
	       NS_INDEX_ALIGN * NS_INDEX_ALIGN;
}

int ns_lsa_geometry(uint64_t lsa_size, unsigned label_size, uint32_t *nslot,
		    uint64_t *index_size)
{
	uint64_t k, isz, n;

	if (label_size != 128 && label_size != 256)
		return -EINVAL;
	k = ns_index_size(lsa_size / label_size) / NS_INDEX_ALIGN;
	isz = k * NS_INDEX_ALIGN;
	if (lsa_size < 2 * isz)
		return -EINVAL;
	n = (lsa_size - 2 * isz) / label_size;
	/* the kernel wants at least 4 slots */
	if (n < 4 || n > UINT32_MAX)
		return -EINVAL;
	*nslot = (uint32_t)n;
	*index_size = isz;
	return 0;
}

void ns_index_decode(const uint8_t *buf, struct ns_index *out)
{
	memcpy(out->flags, buf + IDX_FLAGS, 3);
	out->labelsize = buf[IDX_LABELSIZE];
	out->seq = get_le32(buf + IDX_SEQ);
	out->myoff = get_le64(buf + IDX_MYOFF);
	out->mysize = get_le64(buf + IDX_MYSIZE);
	out->otheroff = get_le64(buf + IDX_OTHEROFF);
	out->labeloff = get_le64(buf + IDX_LABELOFF);
	out->nslot = get_le32(buf + IDX_NSLOT);
	out->major = get_le16(buf + IDX_MAJOR);
	out->minor = get_le16(buf + IDX_MINOR);
	out->checksum = get_le64(buf + IDX_CHECKSUM);
}

void ns_index_encode(const struct ns_index *idx, const uint8_t *bitmap,
		     uint8_t *buf)
{
	memset(buf, 0, idx->mysize);
	ns_index_encode_over(idx, bitmap, buf);
}

void ns_index_encode_over(const struct ns_index *idx, const uint8_t *bitmap,
			  uint8_t *buf)
{
	uint64_t bmlen = idx->nslot / 8 + (idx->nslot % 8 != 0);

	memset(buf, 0, NS_INDEX_HDR_SIZE);
	memcpy(buf + IDX_SIG, ns_index_sig, NS_INDEX_SIG_LEN);
	memcpy(buf + IDX_FLAGS, idx->flags, 3);
	buf[IDX_LABELSIZE] = idx->labelsize;
	put_le32(buf + IDX_SEQ, idx->seq);
	put_le64(buf + IDX_MYOFF, idx->myoff);
	put_le64(buf + IDX_MYSIZE, idx->mysize);
	put_le64(buf + IDX_OTHEROFF, idx->otheroff);
	put_le64(buf + IDX_LABELOFF, idx->labeloff);
	put_le32(buf + IDX_NSLOT, idx->nslot);
	put_le16(buf + IDX_MAJOR, idx->major);
	put_le16(buf + IDX_MINOR, idx->minor);
	if (bitmap && NS_INDEX_HDR_SIZE + bmlen <= idx->mysize)
		memcpy(buf + NS_INDEX_HDR_SIZE, bitmap, bmlen);
	put_le64(buf + IDX_CHECKSUM,
		 ns_fletcher64(buf, idx->mysize, IDX_CHECKSUM));
}

/* ---- pmemfs's nvdimm-slot record (label.h) ---- */

bool ns_index_slotrec_fits(uint64_t mysize, uint32_t nslot)
{
	uint64_t bm = (((uint64_t)nslot + 63) / 64) * 8;

	return mysize >= NS_INDEX_HDR_SIZE + NS_INDEX_SLOTREC_SIZE &&
	       NS_INDEX_HDR_SIZE + bm <= mysize - NS_INDEX_SLOTREC_SIZE;
}

bool ns_index_slotrec_get(const uint8_t *buf, uint64_t mysize, uint32_t nslot,
			  uint32_t *slot)
{
	const uint8_t *p = buf + mysize - NS_INDEX_SLOTREC_SIZE;
	uint32_t v;

	if (!ns_index_slotrec_fits(mysize, nslot) ||
	    memcmp(p, NS_INDEX_SLOTREC_TAG, sizeof(NS_INDEX_SLOTREC_TAG)) != 0)
		return false;
	v = get_le32(p + 12);
	if (v > NS_NVDIMM_SLOT_MAX)
		return false;
	*slot = v;
	return true;
}

void ns_index_slotrec_put(uint8_t *buf, uint64_t mysize, uint32_t slot)
{
	uint8_t *p = buf + mysize - NS_INDEX_SLOTREC_SIZE;

	memset(p, 0, NS_INDEX_SLOTREC_SIZE);
	if (!slot)
		return;
	memcpy(p, NS_INDEX_SLOTREC_TAG, sizeof(NS_INDEX_SLOTREC_TAG));
	put_le32(p + 12, slot);
}

/* ---- the interleave-set cookie of a QEMU nvdimm (label.h) ---- */

uint64_t ns_isetcookie_qemu(unsigned minor, uint32_t nvdimm_slot)
{
	uint8_t info[48];
	size_t len;

	/* region_offset 0; serial; v1.1 pad 0 / v1.2 vendor, date, location 0 */
	memset(info, 0, sizeof(info));
	put_le32(info + 8, NS_QEMU_NVDIMM_SERIAL + nvdimm_slot);
	if (minor >= 2) {
		put_le16(info + 12, NS_QEMU_NVDIMM_VENDOR);
		len = 48;
	} else {
		len = 16;
	}
	return ns_fletcher64(info, len, SIZE_MAX);
}

bool ns_isetcookie_qemu_slot(unsigned minor, uint64_t cookie, uint32_t *nvdimm_slot)
{
	/* the low 32 bits are the sum of the words: serial (+ vendor) */
	uint32_t lo = (uint32_t)cookie, base = NS_QEMU_NVDIMM_SERIAL;
	uint32_t s;

	if (minor >= 2)
		base += NS_QEMU_NVDIMM_VENDOR;
	s = lo - base;
	if (lo < base || s > NS_NVDIMM_SLOT_MAX || ns_isetcookie_qemu(minor, s) != cookie)
		return false;
	*nvdimm_slot = s;
	return true;
}

unsigned ns_index_label_size(const struct ns_index *idx)
{
	if (idx->major > 1 || (idx->major == 1 && idx->minor >= 2))
		return 128u << (idx->labelsize & 7);
	return 128;
}

/*
 * Validation in the kernel's order (drivers/nvdimm/label.c,
 * __nd_label_validate). The index size the kernel expects is
 * index_size(cfg / ls) today and was index_size(cfg / (ls + 1)) in older
 * kernels (whose nslot formula gave 1016 for 128 KiB of 128-byte labels);
 * a block of either size is accepted. The checksum covers the block's own
 * mysize when that is one of the two, else the current size.
 */
int ns_index_validate(const uint8_t *buf, uint64_t avail, uint64_t lsa_size,
		      uint64_t myoff_expected, struct ns_index *out,
		      char why[NS_WHY_LEN])
{
	struct ns_index idx;
	uint64_t ls, cand_new, cand_old, size, sum, want_other, slots, end;

	if (avail < NS_INDEX_HDR_SIZE)
		return reject(why, -EINVAL, "index block at %#" PRIx64
			      " truncated: %" PRIu64 " bytes left in the area",
			      myoff_expected, avail);

	/* 1. signature */
	if (memcmp(buf + IDX_SIG, ns_index_sig, NS_INDEX_SIG_LEN) != 0)
		return reject(why, -EINVAL, "signature invalid");

	ns_index_decode(buf, &idx);

	/* 2. version and label size */
	if (idx.major != 1 || (idx.minor != 1 && idx.minor != 2))
		return reject(why, -EINVAL, "version %u.%u unsupported",
			      idx.major, idx.minor);
	if (idx.minor >= 2 && idx.labelsize > 1)
		return reject(why, -EINVAL, "label size field %u invalid",
			      idx.labelsize);
	ls = ns_index_label_size(&idx);

	/* 3. checksum over the index size */
	cand_new = ns_index_size(lsa_size / ls);
	cand_old = ns_index_size(lsa_size / (ls + 1));
	size = (idx.mysize == cand_old) ? cand_old : cand_new;
	if (size > avail)
		return reject(why, -EINVAL, "index block of %" PRIu64
			      " bytes does not fit in the area", size);
	sum = ns_fletcher64(buf, size, IDX_CHECKSUM);
	if (sum != idx.checksum)
		return reject(why, -EINVAL, "checksum %#" PRIx64
			      " invalid (computed %#" PRIx64 ")",
			      idx.checksum, sum);

	/* 4. sequence number */
	if ((idx.seq & 3) == 0)
		return reject(why, -EINVAL, "sequence number %#" PRIx32
			      " invalid", idx.seq);

	/* 5. myoff and otheroff */
	if (idx.myoff != myoff_expected ||
	    (myoff_expected != 0 && myoff_expected != size))
		return reject(why, -EINVAL, "myoff %#" PRIx64 " invalid "
			      "(block at %#" PRIx64 ", index size %#" PRIx64 ")",
			      idx.myoff, myoff_expected, size);
	want_other = myoff_expected == 0 ? size : 0;
	if (idx.otheroff != want_other)
		return reject(why, -EINVAL, "otheroff %#" PRIx64
			      " invalid (expected %#" PRIx64 ")",
			      idx.otheroff, want_other);

	/* 6. mysize */
	if (idx.mysize != cand_new && idx.mysize != cand_old)
		return reject(why, -EINVAL, "mysize %#" PRIx64 " invalid "
			      "(expected %#" PRIx64 " or %#" PRIx64 ")",
			      idx.mysize, cand_new, cand_old);

	/* 7. labeloff */
	if (idx.labeloff != 2 * idx.mysize)
		return reject(why, -EINVAL, "labeloff %#" PRIx64
			      " invalid (expected %#" PRIx64 ")",
			      idx.labeloff, 2 * idx.mysize);

	/* 8. slots fit in the area (and the bitmap in the block) */
	if (__builtin_mul_overflow((uint64_t)idx.nslot, ls, &slots) ||
	    __builtin_add_overflow(idx.labeloff, slots, &end) ||
	    end > lsa_size)
		return reject(why, -EINVAL, "nslot %" PRIu32 " of %" PRIu64
			      "-byte labels does not fit in %" PRIu64 " bytes",
			      idx.nslot, ls, lsa_size);
	if (NS_INDEX_HDR_SIZE + idx.nslot / 8 + (idx.nslot % 8 != 0) >
	    idx.mysize)
		return reject(why, -EINVAL, "bitmap of %" PRIu32
			      " slots does not fit in %" PRIu64 " bytes",
			      idx.nslot, idx.mysize);

	if (out)
		*out = idx;
	if (why)
		why[0] = '\0';
	return 0;
}

int ns_label_decode(const uint8_t *buf, unsigned label_size, uint32_t slot,
		    struct ns_label *out, char why[NS_WHY_LEN])
{
	uint64_t sum, end;
	bool has_nul;

	memset(out, 0, sizeof(*out));
	memcpy(out->raw, buf, label_size);
	memcpy(out->uuid, buf + LBL_UUID, 16);
	memcpy(out->name, buf + LBL_NAME, NS_LABEL_NAME_LEN);
	has_nul = memchr(out->name, '\0', NS_LABEL_NAME_LEN) != NULL;
	out->name[NS_LABEL_NAME_LEN - 1] = '\0';
	out->flags = get_le32(buf + LBL_FLAGS);
	out->nlabel = get_le16(buf + LBL_NLABEL);
	out->position = get_le16(buf + LBL_POSITION);
	out->isetcookie = get_le64(buf + LBL_ISETCOOKIE);
	out->lbasize = get_le64(buf + LBL_LBASIZE);
	out->dpa = get_le64(buf + LBL_DPA);
	out->rawsize = get_le64(buf + LBL_RAWSIZE);
	out->slot = get_le32(buf + LBL_SLOT);
	out->align = buf[LBL_ALIGN];
	if (label_size >= 256) {
		memcpy(out->type_guid, buf + LBL_TYPE_GUID, 16);
		memcpy(out->abstraction_guid, buf + LBL_ABSTRACTION_GUID, 16);
		out->checksum = get_le64(buf + LBL_CHECKSUM);
		sum = ns_fletcher64(buf, 256, LBL_CHECKSUM);
		if (sum != out->checksum)
			return reject(why, -EINVAL, "label in slot %" PRIu32
				      ": checksum %#" PRIx64 " invalid "
				      "(computed %#" PRIx64 ")", slot,
				      out->checksum, sum);
	}
	if (out->slot != slot)
		return reject(why, -EINVAL, "label in slot %" PRIu32
			      ": slot field %" PRIu32 " differs", slot,
			      out->slot);
	if (out->nlabel == 0)
		return reject(why, -EINVAL, "label in slot %" PRIu32
			      ": nlabel 0", slot);
	if (out->position >= out->nlabel)
		return reject(why, -EINVAL, "label in slot %" PRIu32
			      ": position %u not below nlabel %u", slot,
			      out->position, out->nlabel);
	if (out->isetcookie == 0)
		return reject(why, -EINVAL, "label in slot %" PRIu32
			      ": isetcookie 0", slot);
	if (out->rawsize == 0)
		return reject(why, -EINVAL, "label in slot %" PRIu32
			      ": rawsize 0", slot);
	if (__builtin_add_overflow(out->dpa, out->rawsize, &end))
		return reject(why, -EINVAL, "label in slot %" PRIu32
			      ": dpa %#" PRIx64 " + rawsize %#" PRIx64
			      " overflows", slot, out->dpa, out->rawsize);
	if (!has_nul)
		return reject(why, -EINVAL, "label in slot %" PRIu32
			      ": name not NUL-terminated", slot);
	if (why)
		why[0] = '\0';
	return 0;
}

void ns_label_encode(const struct ns_label *l, unsigned label_size, uint8_t *buf)
{
	size_t n = strnlen(l->name, NS_LABEL_NAME_LEN - 1);

	memcpy(buf, l->raw, label_size);
	memcpy(buf + LBL_UUID, l->uuid, 16);
	/*
	 * The name: keep the raw 64 bytes when they hold the same string
	 * (bytes after its NUL stay verbatim), else write it NUL-padded.
	 */
	if (strnlen((const char *)l->raw + LBL_NAME, NS_LABEL_NAME_LEN) != n ||
	    memcmp(l->raw + LBL_NAME, l->name, n) != 0) {
		memset(buf + LBL_NAME, 0, NS_LABEL_NAME_LEN);
		memcpy(buf + LBL_NAME, l->name, n);
	}
	put_le32(buf + LBL_FLAGS, l->flags);
	put_le16(buf + LBL_NLABEL, l->nlabel);
	put_le16(buf + LBL_POSITION, l->position);
	put_le64(buf + LBL_ISETCOOKIE, l->isetcookie);
	put_le64(buf + LBL_LBASIZE, l->lbasize);
	put_le64(buf + LBL_DPA, l->dpa);
	put_le64(buf + LBL_RAWSIZE, l->rawsize);
	put_le32(buf + LBL_SLOT, l->slot);
	buf[LBL_ALIGN] = l->align;
	if (label_size >= 256) {
		memcpy(buf + LBL_TYPE_GUID, l->type_guid, 16);
		memcpy(buf + LBL_ABSTRACTION_GUID, l->abstraction_guid, 16);
		put_le64(buf + LBL_CHECKSUM,
			 ns_fletcher64(buf, 256, LBL_CHECKSUM));
	}
}
