// SPDX-License-Identifier: MIT
/* check-labels' walk and words (label_check.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "ns/label_check.h"

char *ns_namespace_not_served(const struct ns_namespace *ns, char *buf, size_t len)
{
	snprintf(buf, len, "label in slot %" PRIu32 " (%s): not served: %s: %s",
		 ns_namespace_slot(ns), ns_namespace_devname(ns),
		 ns_state_name(ns_namespace_state(ns)), ns_namespace_reason(ns));
	return buf;
}

uint64_t ns_area_head_len(uint64_t size)
{
	/* no index block of the area is larger, nor starts later */
	uint64_t m = ns_index_size(size / 128);

	if (m < NS_INDEX_ALIGN)
		m = NS_INDEX_ALIGN;
	return 2 * m;
}

/* where index block 1 is, from the bytes (see ns_area_index) */
static uint64_t ns_area_index1(const uint8_t *buf, uint64_t len, uint64_t size)
{
	static const unsigned ls[2] = { 256, 128 };
	char why[NS_WHY_LEN];
	struct ns_index idx;
	uint64_t cand[2] = { 0, 0 };

	if (ns_index_validate(buf, len, size, 0, &idx, why) == 0)
		return idx.otheroff;
	for (int i = 0; i < 2; i++) {
		uint32_t nslot;

		if (ns_lsa_geometry(size, ls[i], &nslot, &cand[i]) < 0)
			cand[i] = NS_INDEX_ALIGN;
		if (cand[i] < len &&
		    ns_index_validate(buf + cand[i], len - cand[i], size, cand[i], &idx,
				      why) == 0)
			return cand[i];
	}
	return cand[1];
}

bool ns_area_index(const uint8_t *buf, uint64_t len, uint64_t size, int i, uint64_t *off,
		   struct ns_index *idx, char why[NS_WHY_LEN])
{
	uint64_t o = i == 0 ? 0 : ns_area_index1(buf, len, size);

	*off = o;
	memset(idx, 0, sizeof(*idx));
	if (o + NS_INDEX_HDR_SIZE > size) {
		snprintf(why, NS_WHY_LEN, "offset %" PRIu64 " is outside the area", o);
		return false;
	}
	if (o + NS_INDEX_HDR_SIZE > len) {
		snprintf(why, NS_WHY_LEN, "offset %" PRIu64 " was not read", o);
		return false;
	}
	if (ns_index_validate(buf + o, len - o, size, o, idx, why) < 0) {
		ns_index_decode(buf + o, idx);	/* show what is there */
		return false;
	}
	return true;
}

static void ns_finding(ns_finding_fn *fn, void *arg, struct ns_check_counts *n,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void ns_finding(ns_finding_fn *fn, void *arg, struct ns_check_counts *n,
		       const char *fmt, ...)
{
	char line[NS_FINDING_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n->problems++;
	fn(arg, line);
}

#define NS_INDEX_LINE "index block %d at offset %" PRIu64 " of the label area: %s"

/* the index blocks as the lsa loaded them */
static void ns_check_index_lsa(const struct ns_lsa *lsa, ns_finding_fn *fn, void *arg,
			       struct ns_check_counts *n)
{
	struct ns_index idx0 = { 0 };
	char why[NS_WHY_LEN];
	bool valid0 = ns_lsa_index(lsa, 0, &idx0, NULL);

	for (int i = 0; i < 2; i++) {
		why[0] = '\0';
		if (ns_lsa_index(lsa, i, NULL, why)) {
			n->valid_index++;
			continue;
		}
		/* an lsa has a valid block: block 1 invalid means block 0 valid */
		ns_finding(fn, arg, n, NS_INDEX_LINE, i,
			   (i == 0 || !valid0) ? 0 : idx0.otheroff, why);
	}
}

/* the index blocks as the area's bytes say (no valid block loaded) */
static void ns_check_index_raw(const struct ns_check_area *a, ns_finding_fn *fn, void *arg,
			       struct ns_check_counts *n)
{
	uint64_t len = ns_area_head_len(a->size);
	char why[NS_WHY_LEN];
	uint8_t *buf;
	int rc;

	if (len > a->size)
		len = a->size;
	buf = malloc(len ? len : 1);
	if (!buf) {
		ns_finding(fn, arg, n, "label area of %" PRIu64 " bytes: out of memory "
			   "to read its index blocks", a->size);
		return;
	}
	rc = ns_io_read(a->io, buf, len, a->off);
	if (rc < 0) {
		ns_finding(fn, arg, n, "label area of %" PRIu64 " bytes: cannot read its "
			   "index blocks: %s", a->size, ns_errormsg());
		ns_err_clear();
		free(buf);
		return;
	}
	for (int i = 0; i < 2; i++) {
		struct ns_index idx;
		uint64_t off;

		why[0] = '\0';
		if (ns_area_index(buf, len, a->size, i, &off, &idx, why))
			n->valid_index++;
		else
			ns_finding(fn, arg, n, NS_INDEX_LINE, i, off, why);
	}
	free(buf);
}

/* the label in slot does not decode (and was reported as such) */
static bool ns_check_undecodable(const struct ns_lsa *lsa, uint32_t slot)
{
	char why[NS_WHY_LEN];
	struct ns_label l;

	return lsa && slot < ns_lsa_nslot(lsa) && ns_lsa_slot_used(lsa, slot) &&
	       ns_lsa_label(lsa, slot, &l, why) != 0;
}

void ns_check_labels(const struct ns_check_area *a, ns_finding_fn *fn, void *arg,
		     struct ns_check_counts *n)
{
	const struct ns_lsa *lsa = a->lsa;
	struct ns_namespace *ns;
	char why[NS_WHY_LEN];
	uint32_t s;

	memset(n, 0, sizeof(*n));
	if (lsa)
		ns_check_index_lsa(lsa, fn, arg, n);
	else
		ns_check_index_raw(a, fn, arg, n);
	if (lsa) {
		ns_lsa_foreach_slot(lsa, s) {
			struct ns_label l;

			n->labels++;
			why[0] = '\0';
			/* why names the slot: "label in slot N: ..." */
			if (ns_lsa_label(lsa, s, &l, why) != 0)
				ns_finding(fn, arg, n, "%s", why);
		}
	}
	if (!a->r)
		return;
	ns_region_foreach_namespace(a->r, ns) {
		char line[NS_FINDING_LEN];

		if (ns_namespace_state(ns) == NS_STATE_ACTIVE) {
			n->served++;
			continue;
		}
		if (ns_check_undecodable(lsa, ns_namespace_slot(ns)))
			continue;
		n->problems++;
		fn(arg, ns_namespace_not_served(ns, line, sizeof(line)));
	}
}
