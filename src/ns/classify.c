/* SPDX-License-Identifier: MIT */
/*
 * Classification (ns_region_classify) is a pure function of the set of
 * labels of the current index, the region's cookie and the data area's
 * size: where a label sits (its slot) never changes any outcome, so a
 * rename (which moves the label to another slot) changes nothing that is
 * served, and a region reopened shows what the open one showed. Each
 * label, the first rule that applies:
 *   1. the label does not decode (checksum, slot, nlabel, ...) -> INVALID
 *   2. its range ends past the data area                     -> INVALID
 *   3. its range overlaps the range of another decodable label -> INVALID,
 *      and so is every label it overlaps (the reason names both labels
 *      and both ranges)
 *   4. its uuid is that of another decodable label -> INVALID, all of them
 *   5. nlabel > 1                                            -> INTERLEAVED
 *   6. isetcookie is not the region's                        -> FOREIGN
 *   7. otherwise                                              -> ACTIVE
 * Steps 3 and 4 replace "first in slot order wins". The kernel is order-
 * independent too, but coarser for overlaps: it reserves every label's
 * DPA range when the DIMM probes (nd_label_reserve_dpa) and a collision
 * fails the whole DIMM's probe, so nothing of it is served; here only the
 * colliding labels are INVALID and the others stay served. Every label of a
 * duplicated uuid is dropped by the kernel as well ("duplicate entry for
 * uuid", namespace_devs.c). Only labels live in the current index take
 * part: an update writes the new copy into a slot free in the current
 * index and frees the old slot in the same index write, so the two copies
 * of an update are never live together (two live labels with one uuid,
 * even identical ones, are a crafted or broken area).
 * The full pass is O(n log n) (sorts by range, uuid and name); a create
 * classifies its new label against the others in O(n), and a destroy of a
 * label that conflicted with none recomputes nothing.
 *
 * Shown names: the label's name when it passes ns_name_validate() and no
 * other decodable label of the region carries the same name; otherwise the
 * device name (both duplicates lose it, so which one keeps a name never
 * depends on slot order).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/namespace_priv.h"

/* [dpa, end) with end saturated (decode refuses a range that wraps) */
static uint64_t ns_end(const struct ns_label *l)
{
	uint64_t end;

	if (__builtin_add_overflow(l->dpa, l->rawsize, &end))
		return UINT64_MAX;
	return end;
}

/*
 * Sort keys: two 64-bit words compared first, the namespace for ties.
 * Comparing the keys alone keeps the sorts in a small array instead of
 * chasing each label's object (what made large areas slow).
 */
struct ns_key {
	uint64_t a, b;
	struct ns_namespace *ns;
};

/* a total order that does not involve the slot unless all else is equal */
static int ns_cmp_range_tie(const struct ns_namespace *x, const struct ns_namespace *y)
{
	int c = memcmp(x->label.uuid, y->label.uuid, 16);

	if (c)
		return c;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int ns_cmp_key_words(const struct ns_key *x, const struct ns_key *y)
{
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	return 0;
}

/* a = dpa, b = end */
static int ns_cmp_range(const void *p, const void *q)
{
	const struct ns_key *x = p, *y = q;
	int c = ns_cmp_key_words(x, y);

	return c ? c : ns_cmp_range_tie(x->ns, y->ns);
}

/* a, b = the uuid's two halves; ties by range */
static int ns_cmp_uuid(const void *p, const void *q)
{
	const struct ns_key *x = p, *y = q;
	const struct ns_label *l = &x->ns->label, *m = &y->ns->label;
	int c = ns_cmp_key_words(x, y);

	if (c)
		return c;
	if (l->dpa != m->dpa)
		return l->dpa < m->dpa ? -1 : 1;
	if (ns_end(l) != ns_end(m))
		return ns_end(l) < ns_end(m) ? -1 : 1;
	return ns_cmp_range_tie(x->ns, y->ns);
}

/* a = a hash of the name; equal names end up next to each other */
static int ns_cmp_name(const void *p, const void *q)
{
	const struct ns_key *x = p, *y = q;
	int c = ns_cmp_key_words(x, y);

	return c ? c : strcmp(x->ns->label.name, y->ns->label.name);
}

/* how a label is named in another label's reason: its name, else its uuid */
static const char *ns_label_ref(const struct ns_namespace *ns, char *buf, size_t len)
{
	char why[96];

	if (ns->label.name[0] && !ns_name_check(ns->label.name, why, sizeof(why)))
		snprintf(buf, len, "'%s'", ns->label.name);
	else
		snprintf(buf, len, "uuid %s", ns->uuid_str);
	return buf;
}

static void ns_reason_overlap(struct ns_namespace *ns, const struct ns_namespace *e)
{
	const struct ns_label *l = &ns->label, *m = &e->label;
	char a[NS_LABEL_NAME_LEN + 8], b[NS_LABEL_NAME_LEN + 8];

	if (ns->reason[0])
		return;
	snprintf(ns->reason, sizeof(ns->reason),
		 "range [%#" PRIx64 ", %#" PRIx64 ") of %s overlaps range [%#"
		 PRIx64 ", %#" PRIx64 ") of %s: overlapping labels are all "
		 "invalid", l->dpa, ns_end(l), ns_label_ref(ns, a, sizeof(a)),
		 m->dpa, ns_end(m), ns_label_ref(e, b, sizeof(b)));
}

static void ns_reason_dup(struct ns_namespace *ns, const struct ns_namespace *e)
{
	const struct ns_label *m = &e->label;
	char b[NS_LABEL_NAME_LEN + 8];

	if (ns->reason[0])
		return;
	snprintf(ns->reason, sizeof(ns->reason),
		 "uuid %s is also the uuid of the label with range [%#" PRIx64
		 ", %#" PRIx64 ")%s%s: labels sharing a uuid are all invalid",
		 ns->uuid_str, m->dpa, ns_end(m), e->label.name[0] ? " named " : "",
		 e->label.name[0] ? ns_label_ref(e, b, sizeof(b)) : "");
}

/* the state of a label that conflicts with no other (steps 5-7) */
static void ns_classify_final(struct ns_region *r, struct ns_namespace *ns)
{
	const struct ns_label *l = &ns->label;

	if (ns->reason[0])
		return;
	if (l->nlabel > 1) {
		ns->state = NS_STATE_INTERLEAVED;
		snprintf(ns->reason, sizeof(ns->reason),
			 "label %u of an interleave set of %u: not served "
			 "from one region file", l->position, l->nlabel);
	} else if (l->isetcookie != r->isetcookie) {
		ns->state = NS_STATE_FOREIGN;
		snprintf(ns->reason, sizeof(ns->reason),
			 "interleave-set cookie %#" PRIx64
			 " is not the region's %#" PRIx64,
			 l->isetcookie, r->isetcookie);
	} else if (r->place && r->place->missing && r->place->missing(r, ns)) {
		ns->state = NS_STATE_INVALID;	/* reason: where its data is not */
	} else {
		ns->state = NS_STATE_ACTIVE;
	}
}

/* steps 1 and 2, which look at the label alone */
static void ns_classify_alone(struct ns_region *r, struct ns_namespace *ns)
{
	const struct ns_label *l = &ns->label;

	ns->state = NS_STATE_INVALID;
	if (!ns->decode_ok)
		return;		/* reason: the decode error, set by ns_alloc_ns */
	ns->reason[0] = '\0';
	if (ns_end(l) > r->data_size)
		snprintf(ns->reason, sizeof(ns->reason),
			 "range [%#" PRIx64 ", %#" PRIx64 ") reaches past the "
			 "data area: it ends at %" PRIu64 " bytes, the data "
			 "area is %" PRIu64 " bytes", l->dpa, ns_end(l), ns_end(l),
			 r->data_size);
}

static bool ns_name_showable(const struct ns_namespace *ns)
{
	char why[96];

	return ns->decode_ok && ns->label.name[0] &&
	       !ns_name_check(ns->label.name, why, sizeof(why));
}

/*
 * The whole classification, O(n log n): the decodable labels sorted by
 * range find every overlap in one sweep (a label overlaps an earlier one
 * iff it starts before the largest end so far, a later one iff the next
 * one starts before its end), sorted by uuid the duplicates are adjacent,
 * and sorted by name the names shown twice.
 */
void ns_region_classify(struct ns_region *r)
{
	struct ns_key *v = NULL;
	unsigned n = 0, m = 0;

	r->names_gen++;

	for (struct ns_namespace *ns = r->ns; ns; ns = ns->next) {
		ns_classify_alone(r, ns);
		n++;
	}
	if (n)
		v = malloc(sizeof(*v) * n);
	if (!v && n) {
		/* no memory to compare: serve nothing rather than guess */
		for (struct ns_namespace *ns = r->ns; ns; ns = ns->next) {
			if (!ns->reason[0])
				snprintf(ns->reason, sizeof(ns->reason),
					 "out of memory while checking the labels");
			ns->shown = ns->devname;
		}
		return;
	}

	/* 3. overlaps: every label of an overlap is invalid */
	for (struct ns_namespace *ns = r->ns; ns; ns = ns->next)
		if (ns->decode_ok)
			v[m++] = (struct ns_key){ ns->label.dpa, ns_end(&ns->label), ns };
	if (m > 1)
		qsort(v, m, sizeof(*v), ns_cmp_range);
	for (unsigned i = 0, imax = 0; i < m; i++) {
		if (i > 0 && v[i].a < v[imax].b)
			ns_reason_overlap(v[i].ns, v[imax].ns);
		if (i + 1 < m && v[i + 1].a < v[i].b)
			ns_reason_overlap(v[i].ns, v[i + 1].ns);
		if (i == 0 || v[i].b > v[imax].b)
			imax = i;
	}
	/* 4. shared uuids: every label of the group is invalid */
	for (unsigned i = 0; i < m; i++) {
		const uint8_t *u = v[i].ns->label.uuid;

		v[i].a = ns_get_u64(u);
		v[i].b = ns_get_u64(u + 8);
	}
	if (m > 1)
		qsort(v, m, sizeof(*v), ns_cmp_uuid);
	for (unsigned i = 0; i < m; i++) {
		if (i > 0 && v[i].a == v[i - 1].a && v[i].b == v[i - 1].b)
			ns_reason_dup(v[i].ns, v[i - 1].ns);
		else if (i + 1 < m && v[i].a == v[i + 1].a && v[i].b == v[i + 1].b)
			ns_reason_dup(v[i].ns, v[i + 1].ns);
	}
	for (unsigned i = 0; i < m; i++)
		ns_classify_final(r, v[i].ns);

	/* shown names: a valid name no other decodable label carries */
	for (struct ns_namespace *ns = r->ns; ns; ns = ns->next)
		ns->shown = ns->devname;
	for (unsigned i = 0; i < m; i++) {
		v[i].a = ns_name_hash(v[i].ns->label.name);
		v[i].b = 0;
	}
	if (m > 1)
		qsort(v, m, sizeof(*v), ns_cmp_name);
	for (unsigned i = 0; i < m; i++) {
		const char *name = v[i].ns->label.name;
		bool unique = (i == 0 || v[i].a != v[i - 1].a ||
			       strcmp(name, v[i - 1].ns->label.name)) &&
			      (i + 1 == m || v[i].a != v[i + 1].a ||
			       strcmp(name, v[i + 1].ns->label.name));

		if (unique && ns_name_showable(v[i].ns))
			v[i].ns->shown = v[i].ns->label.name;
	}
	free(v);
}

/*
 * After adding ns to a classified region: when ns conflicts with no other
 * label, no other label's outcome changes and ns's own is steps 5-7. Its
 * range came from the free space left by every decodable label's range
 * (ns_namespace_create), so no overlap is possible; a uuid or a name in
 * common (looked up in the indexes, O(1)) falls back to the full pass, so
 * the outcome is always the full pass's.
 */
void ns_region_classify_added(struct ns_region *r, struct ns_namespace *ns)
{
	ns_classify_alone(r, ns);
	if (!ns->decode_ok || ns->reason[0] ||
	    ns_find_uuid(r, ns->label.uuid, ns) ||
	    (ns->label.name[0] && ns_find_label_name(r, ns->label.name, ns))) {
		ns_region_classify(r);
		return;
	}
	ns_classify_final(r, ns);
	ns->shown = ns_name_showable(ns) ? ns->label.name : ns->devname;
}

/*
 * Whether removing ns's label can change another label's outcome: not
 * when ns took part in no overlap or shared uuid (it was not INVALID for
 * a reason of its own that could hide one: decodable and inside the data
 * area, and not invalid at all) and no other label shares its name.
 */
bool ns_removal_affects_others(const struct ns_namespace *ns)
{
	if (!ns->decode_ok || ns->state == NS_STATE_INVALID)
		return true;
	if (ns->label.name[0] && ns->shown != ns->label.name)
		return true;	/* a name that is not shown may be shared */
	return false;
}
