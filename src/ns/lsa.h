/* SPDX-License-Identifier: MIT */
/*
 * A label storage area held in memory: both index blocks, which one is
 * current, and the label slots. Changes are never made in place: a commit
 * writes new labels into slots that are free in the current index, then
 * writes the *other* index block with the next seq, which makes it current
 * (the kernel's protocol). A crash at any point leaves the old or the new
 * state. The in-memory copy changes only when a commit has fully succeeded.
 */
#ifndef PMEMFS_NS_LSA_H
#define PMEMFS_NS_LSA_H

#include <stdbool.h>
#include <stdint.h>

#include "ns/io.h"
#include "ns/label.h"

#define NS_LSA_MIN_SIZE (128u * 1024)
#define NS_LSA_DEFAULT_SIZE (128u * 1024)
/* the largest label area probing tries */
#define NS_LSA_MAX_PROBE (64u * 1024 * 1024)

struct ns_lsa;

/*
 * Read the label area of lsa_size bytes at offset off of io and validate
 * both index blocks. Returns 0 (at least one valid index block) or
 * -NS_E_NO_LABELS with the reasons for both blocks in the message.
 * With probing set, also reject an index whose slots cover less than half
 * the area (a smaller LSA nested below, e.g. a guest's, is not the area).
 */
int ns_lsa_load(struct ns_io *io, uint64_t off, uint64_t lsa_size, bool probing,
		struct ns_lsa **out);

/*
 * Find the label area at the end of io: try 128 KiB, 256 KiB, ... up to
 * NS_LSA_MAX_PROBE (and at most io->size) and take the first that loads.
 * Returns -NS_E_NO_LABELS when none does.
 */
int ns_lsa_probe(struct ns_io *io, struct ns_lsa **out);

/*
 * Write a fresh label area of lsa_size bytes at off: kernel-style index
 * blocks (index 0 seq 3 current, index 1 seq 2; bitmap bits set up to
 * nslot, clear past it), version 1.minor (1: 128-byte labels, 2: 256-byte).
 * Slots are left as they are. Persists before returning.
 */
int ns_lsa_init(struct ns_io *io, uint64_t off, uint64_t lsa_size, unsigned minor,
		struct ns_lsa **out);

/*
 * The same with the nvdimm-slot record (label.h) of nvdimm_slot in both
 * blocks (none for slot 0: the blocks are then the kernel's, bit for
 * bit). -ENOSPC when a slot other than 0 is asked and the index blocks
 * have no room for the record.
 */
int ns_lsa_init_slot(struct ns_io *io, uint64_t off, uint64_t lsa_size,
		     unsigned minor, uint32_t nvdimm_slot, struct ns_lsa **out);

/* Overwrite the whole area with zeroes and persist. */
int ns_lsa_zero(struct ns_io *io, uint64_t off, uint64_t lsa_size);

void ns_lsa_free(struct ns_lsa **lsa);

uint64_t ns_lsa_offset(const struct ns_lsa *lsa);
uint64_t ns_lsa_size(const struct ns_lsa *lsa);
unsigned ns_lsa_label_size(const struct ns_lsa *lsa);	/* 128 or 256 */
unsigned ns_lsa_minor(const struct ns_lsa *lsa);	/* 1 or 2 */
uint32_t ns_lsa_nslot(const struct ns_lsa *lsa);
int ns_lsa_current(const struct ns_lsa *lsa);		/* 0 or 1 */

/*
 * Index block i (0 or 1) as read: fills idx and returns true if valid;
 * otherwise returns false and why says why it was rejected.
 */
bool ns_lsa_index(const struct ns_lsa *lsa, int i, struct ns_index *idx,
		  char why[NS_WHY_LEN]);

/*
 * The nvdimm-slot record of the current index block: true and *nvdimm_slot
 * when there is one (pmemfs wrote it: create-region --nvdimm-slot,
 * move-region), false when there is none (slot 0, or an area written by
 * a kernel, ndctl or an older pmemfs).
 */
bool ns_lsa_nvdimm_slot(const struct ns_lsa *lsa, uint32_t *nvdimm_slot);
/* the index blocks have room for the record */
bool ns_lsa_slotrec_fits(const struct ns_lsa *lsa);

/* slot in use in the current index */
bool ns_lsa_slot_used(const struct ns_lsa *lsa, uint32_t slot);
/* number of free slots in the current index */
uint32_t ns_lsa_free_slots(const struct ns_lsa *lsa);

/*
 * Iterate the used slots of the current index in slot order:
 *   for (s = ns_lsa_slot_first(lsa); s != NS_LSA_NO_SLOT; s = ns_lsa_slot_next(lsa, s))
 */
#define NS_LSA_NO_SLOT UINT32_MAX
uint32_t ns_lsa_slot_first(const struct ns_lsa *lsa);
uint32_t ns_lsa_slot_next(const struct ns_lsa *lsa, uint32_t slot);
#define ns_lsa_foreach_slot(lsa, s) \
	for ((s) = ns_lsa_slot_first(lsa); (s) != NS_LSA_NO_SLOT; \
	     (s) = ns_lsa_slot_next(lsa, s))

/* Decode the label in slot (see ns_label_decode for the return value). */
int ns_lsa_label(const struct ns_lsa *lsa, uint32_t slot, struct ns_label *out,
		 char why[NS_WHY_LEN]);

/*
 * One atomic change: free the slots in release[] and add the labels in
 * add[] (their slot field is set to the slot chosen, written back into
 * slots_out[i]). Each new label goes into a slot free in the current index;
 * all label writes are persisted, then the other index block is written
 * with the next seq and persisted. Returns 0, -ENOSPC when there are not
 * enough free slots, -EINVAL for a release of a slot not in use, or the
 * io's error (the in-memory state then stays the old one; reload to see
 * what the medium holds).
 */
int ns_lsa_commit(struct ns_lsa *lsa, const uint32_t *release, unsigned nrelease,
		  const struct ns_label *add, unsigned nadd, uint32_t *slots_out);

/*
 * The same, and the new index block carries the nvdimm-slot record of
 * *nvdimm_slot (cleared for 0) instead of the current block's bytes after
 * the bitmap, which ns_lsa_commit copies verbatim. nvdimm_slot NULL is
 * ns_lsa_commit. -ENOSPC before anything is written when the record does
 * not fit.
 */
int ns_lsa_commit_slot(struct ns_lsa *lsa, const uint32_t *release, unsigned nrelease,
		       const struct ns_label *add, unsigned nadd, uint32_t *slots_out,
		       const uint32_t *nvdimm_slot);

#endif
