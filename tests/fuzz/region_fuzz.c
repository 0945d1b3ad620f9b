// SPDX-License-Identifier: MIT
/*
 * Fuzz the whole label-area reader: a region on a memory io whose label
 * area comes from the input, opened with ns_region_open_io (probing or a
 * given label size), then every index, slot, label and namespace walked
 * as the daemon and pmemctl do, and optionally one change (create, rename,
 * read-only, destroy, init-labels) followed by a reopen of the same bytes
 * that must show the change.
 *
 * Input: a 4-byte header, then the label area's leading bytes.
 *   byte 0  bit 0-1  label size given to open: 0 probe, 1 128 KiB,
 *                    2 256 KiB, 3 the area's own size
 *           bit 2    NS_REGION_NOLABELS_OK
 *           bit 3    NS_REGION_RDONLY
 *           bit 4    apply a change (byte 3 chooses which)
 *           bit 5    the area is 256 KiB (else 128 KiB), or the rest of
 *                    the input rounded up to a power of two if longer
 *           bit 6    isetcookie option: the v1.1 default (else 0: labels)
 *   byte 1-2 le16    data area size in 4 KiB pages, low 10 bits (< 4 MiB)
 *   byte 3           the change and its arguments
 *   rest             the label area's first bytes (the rest of it zero),
 *                    placed at the end of the region: [ data | area ]
 *
 * The region buffer is the memory io's own, allocated at exactly the
 * region's size, so a read past the end of the file is an ASan report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "ns/io.h"
#include "ns/label.h"
#include "ns/lsa.h"
#include "ns/namespace.h"
#include "ns/region.h"
#include "ns/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define HDR 4

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "region_fuzz: invariant broken: %s (%s)\n", what,
			ns_errormsg());
		abort();
	}
}

/* read everything the label area says, through the lsa API */
static void walk_lsa(struct ns_lsa *lsa)
{
	char why[NS_WHY_LEN];
	struct ns_index idx;
	struct ns_label l;
	uint32_t s, n = 0;

	check(ns_lsa_label_size(lsa) == 128 || ns_lsa_label_size(lsa) == 256,
	      "label size is 128 or 256");
	check(ns_lsa_current(lsa) == 0 || ns_lsa_current(lsa) == 1, "current index 0 or 1");
	check(ns_lsa_index(lsa, ns_lsa_current(lsa), &idx, why), "current index is valid");
	(void)ns_lsa_index(lsa, !ns_lsa_current(lsa), &idx, why);
	check(ns_lsa_free_slots(lsa) <= ns_lsa_nslot(lsa), "free slots <= nslot");
	ns_lsa_foreach_slot(lsa, s) {
		check(s < ns_lsa_nslot(lsa), "used slot < nslot");
		check(ns_lsa_slot_used(lsa, s), "walked slot is used");
		(void)ns_lsa_label(lsa, s, &l, why);
		check(++n <= ns_lsa_nslot(lsa), "slot walk ends");
	}
	check(n + ns_lsa_free_slots(lsa) == ns_lsa_nslot(lsa), "used + free == nslot");
}

static void walk_region(struct ns_region *r)
{
	static const uint64_t aligns[] = { 4 * KiB, 2 * MiB, 1024 * MiB };
	struct ns_namespace *ns;
	uint64_t avail, maxext;
	unsigned n = 0;
	size_t i;

	check(ns_region_data_size(r) <= ns_region_size(r), "data area within the file");
	if (ns_region_has_labels(r)) {
		check(ns_region_lsa(r) != NULL, "labels without an lsa");
		walk_lsa(ns_region_lsa(r));
		check(ns_region_label_minor(r) == 1 || ns_region_label_minor(r) == 2,
		      "minor 1 or 2");
	}
	for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		ns_region_space(r, aligns[i], &avail, &maxext);
		check(maxext <= avail && avail <= ns_region_data_size(r),
		      "max extent <= available <= data size");
	}
	ns_region_foreach_namespace(r, ns) {
		enum ns_state st = ns_namespace_state(ns);
		const char *name = ns_namespace_name(ns);

		check(ns_namespace_region(ns) == r, "namespace's region");
		check(ns_state_name(st) != NULL, "state has a name");
		check(name && *name, "shown name not empty");
		(void)ns_namespace_label_name(ns);
		(void)ns_namespace_uuid(ns);
		(void)ns_namespace_align(ns);
		(void)ns_namespace_flags(ns);
		(void)ns_namespace_readonly(ns);
		(void)ns_namespace_slot(ns);
		(void)ns_namespace_isetcookie(ns);
		(void)ns_namespace_reason(ns);
		check(strlen(ns_namespace_devname(ns)) > 0, "devname not empty");
		check(strlen(ns_namespace_uuid_str(ns)) == 36, "uuid string of 36 chars");
		if (st == NS_STATE_ACTIVE) {
			/* what the daemon serves lies inside the data area */
			check(ns_namespace_size(ns) > 0, "active namespace has a size");
			check(ns_namespace_dpa(ns) <= ns_region_data_size(r) &&
			      ns_namespace_size(ns) <= ns_region_data_size(r) - ns_namespace_dpa(ns),
			      "active namespace inside the data area");
			check(ns_region_find_namespace(r, name) != NULL, "found by its name");
			check(ns_region_find_namespace(r, ns_namespace_devname(ns)) != NULL,
			      "found by its devname");
		}
		check(++n < 100000, "namespace walk ends");
	}
	(void)ns_region_find_namespace(r, "all");
	(void)ns_region_find_namespace(r, "");
}

/*
 * A copy of the region for a reopen. Everything below the input's label
 * area is zero and stays zero (the only data writes are destroy's
 * zeroing), unless the region's label area starts lower (a bigger area
 * found by probing, or written by init-labels): copy from the lower of
 * the two. Leaving the rest of the new buffer untouched (unmapped zero
 * pages) saves most of an exec's time.
 */
static uint64_t input_lsa_off;

static void copy_labels(struct ns_region *r, struct ns_io *io, const uint8_t *buf,
			uint64_t rsize)
{
	uint64_t from = input_lsa_off;

	if (ns_region_lsa(r) && ns_lsa_offset(ns_region_lsa(r)) < from)
		from = ns_lsa_offset(ns_region_lsa(r));
	memcpy(ns_io_mem_buffer(io) + from, buf + from, rsize - from);
}

/* the region of buf's bytes opened again: must hold uuid with dpa and size */
static void check_reopen(struct ns_region *r, const uint8_t *buf, uint64_t rsize, const struct ns_region_opts *o,
			 const char *uuid, bool present, uint64_t dpa, uint64_t size)
{
	struct ns_region *c = NULL;
	struct ns_namespace *ns;
	struct ns_io *io = NULL;

	if (ns_io_mem_new(rsize, &io))
		return;
	copy_labels(r, io, buf, rsize);
	check(ns_region_open_io(io, "reopen", o, &c) == 0, "reopen after a change");
	walk_region(c);
	ns = ns_region_find_namespace(c, uuid);
	if (present) {
		check(ns != NULL, "changed namespace present after reopen");
		check(ns_namespace_dpa(ns) == dpa && ns_namespace_size(ns) == size,
		      "changed namespace keeps dpa and size after reopen");
	} else {
		check(ns == NULL || ns_namespace_state(ns) == NS_STATE_DESTROYED,
		      "destroyed namespace gone after reopen");
	}
	ns_region_close(&c);
}

static void change(struct ns_region *r, uint8_t op, const struct ns_region_opts *o)
{
	static const char *const names[] = { "fuzz", "vm1", "", "a.b", "x" };
	uint8_t uuid[16] = { 0xf0, 0x22, 0x5a, 0x11, 0x9e, 0x4b, 0x47, 0x00,
			     0x80, 0x00, 0, 0, 0, 0, 0, 0 };
	uint8_t *buf = ns_io_mem_buffer(ns_region_io(r));
	uint64_t rsize = ns_region_size(r);
	struct ns_namespace *ns = ns_namespace_get_first(r);
	char ustr[40];
	int rc;

	uuid[15] = op;
	switch (op & 7) {
	case 0:
	case 1: {
		struct ns_namespace_create_opts co = {
			.size = (uint64_t)((op >> 3) + 1) * ((op & 1) ? 4 * KiB : 2 * MiB),
			.align = (op & 1) ? 4 * KiB : 0,
			.name = names[(op >> 3) % 5],
			.uuid = uuid,
			.sparse = (op >> 5) & 1,
			.force = (op >> 6) & 1,
		};
		struct ns_namespace *nns = NULL;

		rc = ns_namespace_create(r, &co, &nns);
		if (rc == 0) {
			check(nns != NULL, "create returned the namespace");
			check(ns_namespace_state(nns) == NS_STATE_ACTIVE, "new namespace active");
			snprintf(ustr, sizeof(ustr), "%s", ns_namespace_uuid_str(nns));
			check_reopen(r, buf, rsize, o, ustr, true, ns_namespace_dpa(nns),
				     ns_namespace_size(nns));
		}
		break;
	}
	case 2:
		if (ns && ns_namespace_state(ns) == NS_STATE_ACTIVE &&
		    ns_namespace_rename(ns, names[(op >> 3) % 5]) == 0) {
			snprintf(ustr, sizeof(ustr), "%s", ns_namespace_uuid_str(ns));
			check_reopen(r, buf, rsize, o, ustr, true, ns_namespace_dpa(ns),
				     ns_namespace_size(ns));
		}
		break;
	case 3:
		if (ns && ns_namespace_state(ns) == NS_STATE_ACTIVE &&
		    ns_namespace_set_readonly(ns, (op >> 3) & 1) == 0) {
			snprintf(ustr, sizeof(ustr), "%s", ns_namespace_uuid_str(ns));
			check_reopen(r, buf, rsize, o, ustr, true, ns_namespace_dpa(ns),
				     ns_namespace_size(ns));
		}
		break;
	case 4:
	case 5:
		if (ns) {
			uint32_t slot = ns_namespace_slot(ns);
			bool held = (op >> 3) & 1;

			snprintf(ustr, sizeof(ustr), "%s", ns_namespace_uuid_str(ns));
			if (held)
				ns_namespace_get(ns);
			rc = ns_namespace_destroy(ns, (op & 1) ? NS_DESTROY_FORCE : 0);
			if (held)
				ns_namespace_put(ns);
			/* the uuid may be shared by several invalid labels: check one */
			if (rc == 0 && ns_lsa_slot_used(ns_region_lsa(r), slot) == false) {
				struct ns_region *c = NULL;
				struct ns_io *io = NULL;

				if (ns_io_mem_new(rsize, &io) == 0) {
					copy_labels(r, io, buf, rsize);
					check(ns_region_open_io(io, "reopen", o, &c) == 0,
					      "reopen after destroy");
					check(!ns_lsa_slot_used(ns_region_lsa(c), slot),
					      "destroyed slot free after reopen");
					walk_region(c);
					ns_region_close(&c);
				}
			}
		}
		break;
	case 6:
		(void)ns_region_init_labels(r, (op >> 3) % 3, (op >> 5) & 1);
		break;
	case 7:
		(void)ns_region_reload(r);
		break;
	}
	walk_region(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_region_opts o = { 0 };
	struct ns_region *r = NULL;
	struct ns_io *io = NULL;
	uint64_t dsize, lsize, rsize;
	size_t body;
	uint8_t flags;

	if (size < HDR)
		return 0;
	flags = data[0];
	dsize = (uint64_t)((data[1] | data[2] << 8) & 0x03ff) * 4 * KiB;
	body = size - HDR;
	lsize = (flags & 0x20) ? 256 * KiB : 128 * KiB;
	while (lsize < body)
		lsize *= 2;
	if (lsize > 4 * MiB)
		return 0;
	rsize = dsize + lsize;

	switch (flags & 3) {
	case 0: o.label_size = 0; break;
	case 1: o.label_size = 128 * KiB; break;
	case 2: o.label_size = 256 * KiB; break;
	case 3: o.label_size = lsize; break;
	}
	if (flags & 4)
		o.flags |= NS_REGION_NOLABELS_OK;
	if (flags & 8)
		o.flags |= NS_REGION_RDONLY;
	if (flags & 0x40)
		o.isetcookie = NS_ISETCOOKIE_V1_1;

	if (ns_io_mem_new(rsize, &io))
		return 0;
	memcpy(ns_io_mem_buffer(io) + dsize, data + HDR, body);
	input_lsa_off = dsize;

	/* the probe on its own, as pmemctl read-labels runs it */
	{
		struct ns_lsa *lsa = NULL;

		if (ns_lsa_probe(io, &lsa) == 0) {
			check(ns_lsa_offset(lsa) + ns_lsa_size(lsa) == rsize,
			      "probed area ends at the end of the file");
			walk_lsa(lsa);
			ns_lsa_free(&lsa);
		}
	}

	if (ns_region_open_io(io, "fuzz", &o, &r)) {
		ns_io_destroy(&io);
		return 0;
	}
	walk_region(r);
	if ((flags & 0x10) && !(flags & 8))
		change(r, data[3], &o);
	ns_region_close(&r);
	return 0;
}
