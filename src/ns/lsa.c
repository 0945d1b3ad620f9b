/* SPDX-License-Identifier: MIT */
/*
 * The label storage area in memory, and the update protocol.
 *
 * Loading reads both index blocks, validates each (label.c), and takes the
 * current one as the kernel does: the only valid one, or best_seq of the
 * two. A commit never writes anything the current index references: new
 * labels go into slots that are free in the current index, are persisted,
 * and only then is the *other* index block written with the next seq and
 * persisted, which makes it current. A crash before that last write leaves
 * the old state (the current index is untouched); a torn index write
 * leaves a block whose checksum fails, so the old one stays current.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "ns/lsa.h"

struct ns_lsa {
	struct ns_io *io;
	uint64_t off;		/* of the area in the region file */
	uint64_t size;		/* of the area */
	unsigned label_size;	/* 128 or 256, from the current index */
	unsigned minor;		/* 1 or 2 */
	uint32_t nslot;
	uint64_t index_size;	/* mysize of the current index */
	int cur;		/* current index block, 0 or 1 */
	bool valid[2];
	char why[2][NS_WHY_LEN];
	struct ns_index idx[2];
	uint8_t *raw[2];	/* valid blocks' bytes (mysize), else NULL */
	uint8_t *slots;		/* nslot * label_size bytes from labeloff */
};

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static int ns_lsa_check_range(struct ns_io *io, uint64_t off, uint64_t lsa_size,
			      const char *what)
{
	if (off > io->size || lsa_size > io->size - off)
		return ns_err(-EINVAL, "%s: label area of %" PRIu64
			      " bytes at %#" PRIx64 " exceeds the region (%"
			      PRIu64 " bytes)", what, lsa_size, off, io->size);
	if (lsa_size < NS_LSA_MIN_SIZE)
		return ns_err(-EINVAL, "%s: label area of %" PRIu64
			      " bytes is below the minimum of %u", what,
			      lsa_size, NS_LSA_MIN_SIZE);
	return 0;
}

/*
 * Offsets where index block 1 may start when block 0 cannot tell: the
 * current and the older kernels' index sizes for both label sizes, sorted
 * and without duplicates. Returns how many.
 */
static unsigned block1_candidates(uint64_t lsa_size, uint64_t cand[4])
{
	static const unsigned ls[2] = { 128, 256 };
	unsigned n = 0;

	for (unsigned i = 0; i < 2; i++) {
		uint64_t c[2] = { ns_index_size(lsa_size / ls[i]),
				  ns_index_size(lsa_size / (ls[i] + 1)) };

		for (unsigned j = 0; j < 2; j++) {
			unsigned k = 0;

			while (k < n && cand[k] != c[j])
				k++;
			if (k == n)
				cand[n++] = c[j];
		}
	}
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && cand[j - 1] > cand[j]; j--) {
			uint64_t t = cand[j];

			cand[j] = cand[j - 1];
			cand[j - 1] = t;
		}
	return n;
}

static void ns_lsa_reject_small(struct ns_lsa *lsa, int i, uint64_t lsa_size)
{
	const struct ns_index *idx = &lsa->idx[i];
	uint64_t covered = (uint64_t)idx->nslot * ns_index_label_size(idx);

	if (lsa->valid[i] && covered < lsa_size / 2) {
		lsa->valid[i] = false;
		snprintf(lsa->why[i], NS_WHY_LEN, "nslot %" PRIu32
			 " covers %" PRIu64 " of %" PRIu64
			 " bytes: a smaller label area nested below",
			 idx->nslot, covered, lsa_size);
	}
}

int ns_lsa_load(struct ns_io *io, uint64_t off, uint64_t lsa_size, bool probing,
		struct ns_lsa **out)
{
	struct ns_lsa *lsa;
	uint64_t cand[4], head_len, slots_len;
	unsigned ncand;
	uint8_t *head = NULL;
	const struct ns_index *ci;
	int rc;

	*out = NULL;
	rc = ns_lsa_check_range(io, off, lsa_size, "load labels");
	if (rc)
		return rc;

	ncand = block1_candidates(lsa_size, cand);
	head_len = 2 * cand[ncand - 1];
	if (head_len > lsa_size)
		head_len = lsa_size;

	lsa = calloc(1, sizeof(*lsa));
	head = malloc(head_len);
	if (!lsa || !head) {
		rc = ns_err(-ENOMEM, "load labels: out of memory");
		goto fail;
	}
	lsa->io = io;
	lsa->off = off;
	lsa->size = lsa_size;

	rc = ns_io_read(io, head, head_len, off);
	if (rc)
		goto fail;

	/* index 0 is always at the start of the area */
	lsa->valid[0] = ns_index_validate(head, head_len, lsa_size, 0,
					  &lsa->idx[0], lsa->why[0]) == 0;
	if (probing)
		ns_lsa_reject_small(lsa, 0, lsa_size);

	/* index 1 follows index 0; its size is known only from a valid block 0 */
	if (lsa->valid[0]) {
		cand[0] = lsa->idx[0].mysize;
		ncand = 1;
	}
	lsa->why[1][0] = '\0';
	for (unsigned c = 0; c < ncand && cand[c] < head_len; c++) {
		char why[NS_WHY_LEN];
		bool sig_ok;

		if (ns_index_validate(head + cand[c], head_len - cand[c],
				      lsa_size, cand[c], &lsa->idx[1], why) == 0) {
			lsa->valid[1] = true;
			break;
		}
		/* report the most telling failure: a block with a signature */
		sig_ok = memcmp(head + cand[c], NS_INDEX_SIG,
				NS_INDEX_SIG_LEN) == 0;
		if (lsa->why[1][0] == '\0' || sig_ok)
			memcpy(lsa->why[1], why, NS_WHY_LEN);
		if (sig_ok)
			break;
	}
	if (!lsa->valid[1] && lsa->why[1][0] == '\0')
		snprintf(lsa->why[1], NS_WHY_LEN, "block beyond the area");
	if (probing)
		ns_lsa_reject_small(lsa, 1, lsa_size);

	if (!lsa->valid[0] && !lsa->valid[1]) {
		rc = ns_err(-NS_E_NO_LABELS, "no valid index block in the %"
			    PRIu64 "-byte label area at %#" PRIx64
			    ": index 0: %s; index 1: %s", lsa_size, off,
			    lsa->why[0], lsa->why[1]);
		goto fail;
	}
	if (lsa->valid[0] && lsa->valid[1]) {
		uint32_t s1 = lsa->idx[1].seq & 3;

		lsa->cur = ns_index_best_seq(lsa->idx[0].seq, lsa->idx[1].seq)
			== s1 ? 1 : 0;
	} else {
		lsa->cur = lsa->valid[0] ? 0 : 1;
	}

	/* the geometry is the current block's (the other may disagree) */
	ci = &lsa->idx[lsa->cur];
	lsa->label_size = ns_index_label_size(ci);
	lsa->minor = ci->minor;
	lsa->nslot = ci->nslot;
	lsa->index_size = ci->mysize;

	for (int i = 0; i < 2; i++) {
		uint64_t bo = i == 0 ? 0 : lsa->idx[1].myoff;

		if (!lsa->valid[i])
			continue;
		lsa->raw[i] = malloc(lsa->idx[i].mysize);
		if (!lsa->raw[i]) {
			rc = ns_err(-ENOMEM, "load labels: out of memory");
			goto fail;
		}
		memcpy(lsa->raw[i], head + bo, lsa->idx[i].mysize);
	}

	/* validation checked labeloff + nslot * label_size <= lsa_size */
	slots_len = (uint64_t)lsa->nslot * lsa->label_size;
	lsa->slots = malloc(max_u64(slots_len, 1));
	if (!lsa->slots) {
		rc = ns_err(-ENOMEM, "load labels: out of memory");
		goto fail;
	}
	rc = ns_io_read(io, lsa->slots, slots_len, off + ci->labeloff);
	if (rc)
		goto fail;

	free(head);
	*out = lsa;
	return 0;
fail:
	free(head);
	ns_lsa_free(&lsa);
	return rc;
}

int ns_lsa_probe(struct ns_io *io, struct ns_lsa **out)
{
	uint64_t sz, tried = 0;
	int rc;

	*out = NULL;
	for (sz = NS_LSA_MIN_SIZE; sz <= NS_LSA_MAX_PROBE && sz <= io->size;
	     sz *= 2) {
		rc = ns_lsa_load(io, io->size - sz, sz, true, out);
		if (rc != -NS_E_NO_LABELS)
			return rc;
		tried = sz;
	}
	if (!tried)
		return ns_err(-NS_E_NO_LABELS, "region of %" PRIu64
			      " bytes is smaller than a label area (%u bytes)",
			      io->size, NS_LSA_MIN_SIZE);
	return ns_err(-NS_E_NO_LABELS, "no label area found at the end of the "
		      "region (tried %u to %" PRIu64 " bytes)",
		      NS_LSA_MIN_SIZE, tried);
}

int ns_lsa_init(struct ns_io *io, uint64_t off, uint64_t lsa_size, unsigned minor,
		struct ns_lsa **out)
{
	return ns_lsa_init_slot(io, off, lsa_size, minor, 0, out);
}

int ns_lsa_init_slot(struct ns_io *io, uint64_t off, uint64_t lsa_size,
		     unsigned minor, uint32_t nvdimm_slot, struct ns_lsa **out)
{
	struct ns_index idx = { 0 };
	unsigned ls;
	uint32_t nslot;
	uint64_t isz;
	uint8_t *bm = NULL, *blk = NULL;
	struct ns_lsa *lsa = NULL;
	int rc;

	if (out)
		*out = NULL;
	rc = ns_lsa_check_range(io, off, lsa_size, "init labels");
	if (rc)
		return rc;
	if (minor != 1 && minor != 2)
		return ns_err(-EINVAL, "init labels: version 1.%u unsupported "
			      "(1.1 or 1.2)", minor);
	ls = minor == 2 ? 256 : 128;
	if (ns_lsa_geometry(lsa_size, ls, &nslot, &isz))
		return ns_err(-EINVAL, "init labels: label area of %" PRIu64
			      " bytes too small", lsa_size);
	if (nvdimm_slot > NS_NVDIMM_SLOT_MAX)
		return ns_err(-EINVAL, "init labels: nvdimm slot %" PRIu32
			      " out of range (0 to %u)", nvdimm_slot,
			      NS_NVDIMM_SLOT_MAX);
	if (nvdimm_slot && !ns_index_slotrec_fits(isz, nslot))
		return ns_err(-ENOSPC, "init labels: the index blocks of a %"
			      PRIu64 "-byte label area have no room to record "
			      "nvdimm slot %" PRIu32, lsa_size, nvdimm_slot);

	bm = calloc(1, isz);
	blk = malloc(isz);
	if (!bm || !blk) {
		rc = ns_err(-ENOMEM, "init labels: out of memory");
		goto out;
	}
	/* kernel style: bits set for every slot, clear at and past nslot */
	for (uint32_t s = 0; s < nslot; s++)
		ns_bitmap_set(bm, s);

	idx.labelsize = ls == 256 ? 1 : 0;
	idx.mysize = isz;
	idx.labeloff = 2 * isz;
	idx.nslot = nslot;
	idx.major = 1;
	idx.minor = (uint16_t)minor;
	for (int i = 0; i < 2; i++) {
		idx.seq = 3 - (uint32_t)i;
		idx.myoff = i ? isz : 0;
		idx.otheroff = i ? 0 : isz;
		memset(blk, 0, isz);
		ns_index_slotrec_put(blk, isz, nvdimm_slot);
		ns_index_encode_over(&idx, bm, blk);
		rc = ns_io_write(io, blk, isz, off + idx.myoff);
		if (rc)
			goto out;
	}
	rc = ns_io_persist(io, off, 2 * isz);
	if (rc)
		goto out;
	rc = ns_lsa_load(io, off, lsa_size, false, &lsa);
	if (rc)
		goto out;
	if (out)
		*out = lsa;
	else
		ns_lsa_free(&lsa);
out:
	free(bm);
	free(blk);
	return rc;
}

int ns_lsa_zero(struct ns_io *io, uint64_t off, uint64_t lsa_size)
{
	static const uint8_t zero[65536];
	uint64_t done;
	int rc;

	if (off > io->size || lsa_size > io->size - off)
		return ns_err(-EINVAL, "zero labels: label area of %" PRIu64
			      " bytes at %#" PRIx64 " exceeds the region (%"
			      PRIu64 " bytes)", lsa_size, off, io->size);
	for (done = 0; done < lsa_size; done += sizeof(zero)) {
		uint64_t n = lsa_size - done;

		if (n > sizeof(zero))
			n = sizeof(zero);
		rc = ns_io_write(io, zero, n, off + done);
		if (rc)
			return rc;
	}
	return ns_io_persist(io, off, lsa_size);
}

void ns_lsa_free(struct ns_lsa **lsa)
{
	if (!lsa || !*lsa)
		return;
	free((*lsa)->raw[0]);
	free((*lsa)->raw[1]);
	free((*lsa)->slots);
	free(*lsa);
	*lsa = NULL;
}

uint64_t ns_lsa_offset(const struct ns_lsa *lsa)
{
	return lsa->off;
}

uint64_t ns_lsa_size(const struct ns_lsa *lsa)
{
	return lsa->size;
}

unsigned ns_lsa_label_size(const struct ns_lsa *lsa)
{
	return lsa->label_size;
}

unsigned ns_lsa_minor(const struct ns_lsa *lsa)
{
	return lsa->minor;
}

uint32_t ns_lsa_nslot(const struct ns_lsa *lsa)
{
	return lsa->nslot;
}

int ns_lsa_current(const struct ns_lsa *lsa)
{
	return lsa->cur;
}

bool ns_lsa_index(const struct ns_lsa *lsa, int i, struct ns_index *idx,
		  char why[NS_WHY_LEN])
{
	if (i < 0 || i > 1) {
		if (why)
			snprintf(why, NS_WHY_LEN, "no index block %d", i);
		return false;
	}
	if (!lsa->valid[i]) {
		if (why)
			memcpy(why, lsa->why[i], NS_WHY_LEN);
		return false;
	}
	if (idx)
		*idx = lsa->idx[i];
	if (why)
		why[0] = '\0';
	return true;
}

static const uint8_t *cur_bitmap(const struct ns_lsa *lsa)
{
	return lsa->raw[lsa->cur] + NS_INDEX_HDR_SIZE;
}

bool ns_lsa_nvdimm_slot(const struct ns_lsa *lsa, uint32_t *nvdimm_slot)
{
	const struct ns_index *ci = &lsa->idx[lsa->cur];

	return ns_index_slotrec_get(lsa->raw[lsa->cur], ci->mysize, ci->nslot,
				    nvdimm_slot);
}

bool ns_lsa_slotrec_fits(const struct ns_lsa *lsa)
{
	const struct ns_index *ci = &lsa->idx[lsa->cur];

	return ns_index_slotrec_fits(ci->mysize, ci->nslot);
}

bool ns_lsa_slot_used(const struct ns_lsa *lsa, uint32_t slot)
{
	return slot < lsa->nslot && !ns_bitmap_test(cur_bitmap(lsa), slot);
}

uint32_t ns_lsa_free_slots(const struct ns_lsa *lsa)
{
	uint32_t n = 0;

	for (uint32_t s = 0; s < lsa->nslot; s++)
		n += ns_bitmap_test(cur_bitmap(lsa), s);
	return n;
}

uint32_t ns_lsa_slot_next(const struct ns_lsa *lsa, uint32_t slot)
{
	for (uint32_t s = slot + 1; s < lsa->nslot; s++)
		if (!ns_bitmap_test(cur_bitmap(lsa), s))
			return s;
	return NS_LSA_NO_SLOT;
}

uint32_t ns_lsa_slot_first(const struct ns_lsa *lsa)
{
	if (lsa->nslot == 0)
		return NS_LSA_NO_SLOT;
	if (!ns_bitmap_test(cur_bitmap(lsa), 0))
		return 0;
	return ns_lsa_slot_next(lsa, 0);
}

int ns_lsa_label(const struct ns_lsa *lsa, uint32_t slot, struct ns_label *out,
		 char why[NS_WHY_LEN])
{
	if (slot >= lsa->nslot) {
		memset(out, 0, sizeof(*out));
		if (why)
			snprintf(why, NS_WHY_LEN, "slot %" PRIu32
				 " beyond nslot %" PRIu32, slot, lsa->nslot);
		return -EINVAL;
	}
	return ns_label_decode(lsa->slots + (uint64_t)slot * lsa->label_size,
			       lsa->label_size, slot, out, why);
}

int ns_lsa_commit(struct ns_lsa *lsa, const uint32_t *release, unsigned nrelease,
		  const struct ns_label *add, unsigned nadd, uint32_t *slots_out)
{
	return ns_lsa_commit_slot(lsa, release, nrelease, add, nadd, slots_out, NULL);
}

int ns_lsa_commit_slot(struct ns_lsa *lsa, const uint32_t *release, unsigned nrelease,
		       const struct ns_label *add, unsigned nadd, uint32_t *slots_out,
		       const uint32_t *nvdimm_slot)
{
	const int cur = lsa->cur, other = !cur;
	const struct ns_index *ci = &lsa->idx[cur];
	const uint8_t *cbm = cur_bitmap(lsa);
	const unsigned ls = lsa->label_size;
	uint64_t bmlen = lsa->nslot / 8 + (lsa->nslot % 8 != 0);
	struct ns_index ni;
	uint32_t *slots = NULL;
	uint8_t *bm = NULL, *blk = NULL, *lbuf = NULL;
	int rc = 0;

	for (unsigned i = 0; i < nrelease; i++)
		if (!ns_lsa_slot_used(lsa, release[i]))
			return ns_err(-EINVAL, "release of label slot %" PRIu32
				      ": not in use", release[i]);
	if (nvdimm_slot && *nvdimm_slot > NS_NVDIMM_SLOT_MAX)
		return ns_err(-EINVAL, "nvdimm slot %" PRIu32 " out of range "
			      "(0 to %u)", *nvdimm_slot, NS_NVDIMM_SLOT_MAX);
	if (nvdimm_slot && *nvdimm_slot && !ns_lsa_slotrec_fits(lsa))
		return ns_err(-ENOSPC, "the index blocks (%" PRIu64 " bytes, "
			      "%" PRIu32 " slots) have no room to record nvdimm "
			      "slot %" PRIu32, ci->mysize, ci->nslot, *nvdimm_slot);

	slots = calloc(nadd ? nadd : 1, sizeof(*slots));
	bm = malloc(bmlen ? bmlen : 1);
	blk = malloc(ci->mysize);
	lbuf = malloc(nadd ? (size_t)nadd * ls : 1);
	if (!slots || !bm || !blk || !lbuf) {
		rc = ns_err(-ENOMEM, "commit labels: out of memory");
		goto out;
	}
	/* a slot given twice: its bit is already set in the copy (linear) */
	memcpy(bm, cbm, bmlen);
	for (unsigned i = 0; i < nrelease; i++) {
		if (ns_bitmap_test(bm, release[i])) {
			rc = ns_err(-EINVAL, "release of label slot %" PRIu32
				    ": given twice", release[i]);
			goto out;
		}
		ns_bitmap_set(bm, release[i]);
	}

	/* new labels only go where the current index references nothing */
	for (uint32_t s = 0, i = 0; i < nadd; s++) {
		if (s >= lsa->nslot) {
			rc = ns_err(-ENOSPC, "no free label slot: %u needed, %"
				    PRIu32 " free of %" PRIu32, nadd,
				    ns_lsa_free_slots(lsa), lsa->nslot);
			goto out;
		}
		if (ns_bitmap_test(cbm, s))
			slots[i++] = s;
	}

	for (unsigned i = 0; i < nadd; i++) {
		struct ns_label l = add[i];
		uint8_t *p = lbuf + (size_t)i * ls;

		l.slot = slots[i];
		ns_label_encode(&l, ls, p);
		rc = ns_io_write(lsa->io, p, ls, lsa->off + ci->labeloff +
				 (uint64_t)slots[i] * ls);
		if (rc)
			goto out;
	}
	for (unsigned i = 0; i < nadd; i++) {
		rc = ns_io_persist(lsa->io, lsa->off + ci->labeloff +
				   (uint64_t)slots[i] * ls, ls);
		if (rc)
			goto out;
	}

	/* the other block: the current one with the change and the next seq */
	memcpy(bm, cbm, bmlen);
	for (unsigned i = 0; i < nadd; i++)
		ns_bitmap_clear(bm, slots[i]);
	for (unsigned i = 0; i < nrelease; i++)
		ns_bitmap_set(bm, release[i]);
	ni = *ci;
	ni.seq = ns_index_seq_next(ci->seq);
	ni.myoff = ci->otheroff;
	ni.otheroff = ci->myoff;
	/* the bytes after the bitmap as in the current block (the record) */
	memcpy(blk, lsa->raw[cur], ci->mysize);
	if (nvdimm_slot)
		ns_index_slotrec_put(blk, ci->mysize, *nvdimm_slot);
	ns_index_encode_over(&ni, bm, blk);
	ns_index_decode(blk, &ni);	/* picks up the checksum */
	rc = ns_io_write(lsa->io, blk, ni.mysize, lsa->off + ni.myoff);
	if (rc)
		goto out;
	rc = ns_io_persist(lsa->io, lsa->off + ni.myoff, ni.mysize);
	if (rc)
		goto out;

	/* durable: now the in-memory state follows */
	free(lsa->raw[other]);
	lsa->raw[other] = blk;
	blk = NULL;
	lsa->idx[other] = ni;
	lsa->valid[other] = true;
	lsa->why[other][0] = '\0';
	lsa->cur = other;
	for (unsigned i = 0; i < nadd; i++) {
		memcpy(lsa->slots + (uint64_t)slots[i] * ls,
		       lbuf + (size_t)i * ls, ls);
		if (slots_out)
			slots_out[i] = slots[i];
	}
out:
	free(slots);
	free(bm);
	free(blk);
	free(lbuf);
	return rc;
}
