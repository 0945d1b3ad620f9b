/* SPDX-License-Identifier: MIT */
/*
 * Namespaces: one object per label of the current index, in slot order.
 *
 * The objects, the slot-ordered list and its (re)build, lookups, holders
 * and accessors. The rest of src/ns/namespace.h, by responsibility:
 * ns_change.c (changes that commit labels) -> namespace.c (objects) ->
 * classify.c (states, reasons, shown names) -> index.c (hash chains,
 * reserved extents) and name.c (name checks); namespace_priv.h declares
 * what they share, and calls go the way of the arrows only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "ns/error.h"
#include "ns/namespace_priv.h"

/*
 * The label has no field for the alignment asked for at create time (the
 * kernel writes align = 0, and so do we), so the reported alignment is
 * inferred: the largest power of two dividing dpa and size, capped at the
 * default alignment. A namespace made with the default shows 2 MiB, as
 * ndctl shows its default; one made with -a 4K at an odd offset shows 4 KiB.
 */
#define NS_MAX_ALIGN_REPORTED ((uint64_t)NS_DEFAULT_ALIGN)

/* ---- objects ---- */

struct ns_namespace *ns_alloc_ns(struct ns_region *r, uint32_t slot)
{
	struct ns_namespace *ns = calloc(1, sizeof(*ns));
	char why[NS_WHY_LEN];

	if (!ns)
		return NULL;
	ns->region = r;
	ns->slot = slot;
	ns->id = UINT32_MAX;
	ns->decode_ok = ns_lsa_label(r->lsa, slot, &ns->label, why) == 0;
	ns->state = NS_STATE_INVALID;
	if (!ns->decode_ok)	/* the reason for good: classify keeps it */
		snprintf(ns->reason, sizeof(ns->reason), "%s", why);
	uuid_unparse_lower(ns->label.uuid, ns->uuid_str);
	ns->shown = ns->devname;
	return ns;
}

/* ---- the slot-ordered list ---- */

static void ns_free_list(struct ns_namespace *ns)
{
	while (ns) {
		struct ns_namespace *next = ns->next;

		free(ns);
		ns = next;
	}
}

void ns_region_free_namespaces(struct ns_region *r)
{
	ns_free_list(r->ns);
	ns_free_list(r->dead);
	r->ns = NULL;
	r->dead = NULL;
	ns_index_free(r);
	r->next_id = 0;
	r->names_gen++;
}

bool ns_region_any_held(const struct ns_region *r)
{
	for (const struct ns_namespace *ns = r->ns; ns; ns = ns->next)
		if (ns->holders)
			return true;
	return r->dead != NULL; /* dead ones are on the list only while held */
}

void ns_set_id(struct ns_namespace *ns, unsigned id)
{
	ns->id = id;
	snprintf(ns->devname, sizeof(ns->devname), "namespace%u.%u",
		 ns->region->id, id);
}

/* insert into r->ns keeping slot order, and into the indexes */
void ns_list_insert(struct ns_region *r, struct ns_namespace *ns)
{
	struct ns_namespace *pred = NULL;

	if (r->byslot && ns->slot < r->nbyslot) {
		for (uint32_t s = ns->slot; s-- > 0;)
			if (r->byslot[s]) {
				pred = r->byslot[s];
				break;
			}
		r->byslot[ns->slot] = ns;
	} else {
		for (struct ns_namespace *e = r->ns; e && e->slot < ns->slot; e = e->next)
			pred = e;
	}
	ns->prev = pred;
	ns->next = pred ? pred->next : r->ns;
	if (ns->next)
		ns->next->prev = ns;
	if (pred)
		pred->next = ns;
	else
		r->ns = ns;
	r->nns++;
	ns_index_add(r, ns);
}

void ns_list_remove(struct ns_region *r, struct ns_namespace *ns)
{
	ns_index_del(r, ns);
	if (ns->prev)
		ns->prev->next = ns->next;
	else
		r->ns = ns->next;
	if (ns->next)
		ns->next->prev = ns->prev;
	if (r->byslot && ns->slot < r->nbyslot && r->byslot[ns->slot] == ns)
		r->byslot[ns->slot] = NULL;
	ns->next = ns->prev = NULL;
	r->nns--;
}

static void ns_unlink(struct ns_namespace **head, struct ns_namespace *ns)
{
	for (struct ns_namespace **pp = head; *pp; pp = &(*pp)->next)
		if (*pp == ns) {
			*pp = ns->next;
			ns->next = NULL;
			return;
		}
}

/*
 * An object off r->ns whose label is gone: dead (why) while held, its
 * range still reserved, else freed (true).
 */
static bool ns_bury_old(struct ns_region *r, struct ns_namespace *o, const char *why)
{
	if (!o->holders) {
		free(o);
		return true;
	}
	o->state = NS_STATE_DESTROYED;
	snprintf(o->reason, sizeof(o->reason), "%s", why);
	o->next = r->dead;
	r->dead = o;
	return false;
}

/* a destroyed namespace's label is gone: as above, and the indexes follow */
void ns_bury(struct ns_region *r, struct ns_namespace *ns)
{
	uint64_t dpa = ns->label.dpa, len = ns->label.rawsize;
	unsigned id = ns->id;

	ns_list_remove(r, ns);
	if (ns_bury_old(r, ns, "destroyed while in use")) {
		ns_resv_remove(r, dpa, len);
		ns_id_gone(r, id);
	}
}

int ns_region_build_namespaces(struct ns_region *r)
{
	struct ns_namespace *old = r->ns, *tail = NULL;
	unsigned next_id;
	uint32_t s;
	int rc = 0;

	r->ns = NULL;
	if (r->has_labels) {
		unsigned ls = ns_lsa_label_size(r->lsa);

		ns_lsa_foreach_slot(r->lsa, s) {
			struct ns_namespace *ns = ns_alloc_ns(r, s), *o;

			if (!ns) {
				rc = ns_err(-ENOMEM, "region '%s': out of memory",
					    r->path);
				break;
			}
			/*
			 * keep the object of an unchanged label: old is in slot
			 * order too, so the objects of lower slots are gone first
			 */
			while (old && old->slot < s) {
				o = old;
				old = o->next;
				o->next = NULL;
				ns_bury_old(r, o, "label gone");
			}
			if (old && old->slot == s &&
			    !memcmp(old->label.raw, ns->label.raw, ls)) {
				o = old;
				old = o->next;
				free(ns);
				ns = o;
			}
			ns->next = NULL;
			if (tail)
				tail->next = ns;
			else
				r->ns = ns;
			tail = ns;
		}
	}
	next_id = ns_region_new_id(r);
	for (struct ns_namespace *ns = r->ns; ns; ns = ns->next)
		if (ns->id == UINT32_MAX)
			ns_set_id(ns, next_id++);
	while (old) {
		struct ns_namespace *o = old;

		old = o->next;
		o->next = NULL;
		ns_bury_old(r, o, "label gone");
	}
	ns_index_rebuild(r);
	ns_region_classify(r);
	return rc;
}
/* ---- lookups ---- */

struct ns_namespace *ns_namespace_get_first(struct ns_region *r)
{
	return r->ns;
}

struct ns_namespace *ns_namespace_get_next(struct ns_namespace *ns)
{
	if (ns->state == NS_STATE_DESTROYED)
		return NULL;
	return ns->next;
}

struct ns_namespace *ns_region_find_namespace(struct ns_region *r, const char *spec)
{
	struct ns_namespace *ns, *first = NULL;
	unsigned id;
	uuid_t u;

	if (!spec || !*spec)
		return NULL;
	if (ns_parse_devname(r, spec, &id))
		return ns_find_id(r, id);
	if (uuid_parse(spec, u) == 0) {
		/*
		 * A served one, else the only label with it: labels sharing a
		 * uuid are all invalid, and picking one by its slot would let
		 * a label rewrite (rename) change which one a command acts on.
		 */
		struct ns_namespace *second = NULL;

		for (ns = r->h_uuid[ns_h_uuid(u) & r->hmask]; ns; ns = ns->h_uuid) {
			if (memcmp(ns->label.uuid, u, 16))
				continue;
			if (ns->state != NS_STATE_INVALID)
				return ns;
			if (!first)
				first = ns;
			else if (!second)
				second = ns;
		}
		if (second) {
			if (second->label.dpa < first->label.dpa) {
				ns = first;
				first = second;
				second = ns;
			}
			ns_err(-EINVAL, "uuid %s names more than one label that is not "
			       "served (%s '%s' at [0x%llx, 0x%llx) and %s '%s' at "
			       "[0x%llx, 0x%llx)): name one by its device name", spec,
			       first->devname, first->label.name,
			       (unsigned long long)first->label.dpa,
			       (unsigned long long)(first->label.dpa + first->label.rawsize),
			       second->devname, second->label.name,
			       (unsigned long long)second->label.dpa,
			       (unsigned long long)(second->label.dpa + second->label.rawsize));
			return NULL;
		}
		if (first)
			return first;
	}
	/* a shown name: a label name shown (unique), else nothing */
	ns = ns_find_label_name(r, spec, NULL);
	if (ns && ns->shown == ns->label.name)
		return ns;
	return NULL;
}
/* ---- holders ---- */

void ns_namespace_get(struct ns_namespace *ns)
{
	ns->holders++;
}

void ns_namespace_put(struct ns_namespace *ns)
{
	if (!ns->holders)
		return;
	if (--ns->holders == 0 && ns->state == NS_STATE_DESTROYED) {
		struct ns_region *r = ns->region;
		unsigned id = ns->id;

		ns_unlink(&r->dead, ns);
		ns_resv_remove(r, ns->label.dpa, ns->label.rawsize);
		free(ns);
		ns_id_gone(r, id);
	}
}

unsigned ns_namespace_holders(const struct ns_namespace *ns)
{
	return ns->holders;
}

/* ---- accessors ---- */

struct ns_region *ns_namespace_region(const struct ns_namespace *ns)
{
	return ns->region;
}

unsigned ns_namespace_id(const struct ns_namespace *ns)
{
	return ns->id;
}

const char *ns_namespace_devname(const struct ns_namespace *ns)
{
	return ns->devname;
}

const char *ns_namespace_name(const struct ns_namespace *ns)
{
	return ns->shown;
}

const char *ns_namespace_label_name(const struct ns_namespace *ns)
{
	return ns->label.name;
}

const uint8_t *ns_namespace_uuid(const struct ns_namespace *ns)
{
	return ns->label.uuid;
}

const char *ns_namespace_uuid_str(const struct ns_namespace *ns)
{
	return ns->uuid_str;
}

uint64_t ns_namespace_dpa(const struct ns_namespace *ns)
{
	return ns->label.dpa;
}

uint64_t ns_namespace_size(const struct ns_namespace *ns)
{
	return ns->label.rawsize;
}

/*
 * The largest power of two dividing both dpa and size, at most 1 GiB. A
 * guest may write labels aligned below 4 KiB; the true value is reported.
 */
uint64_t ns_namespace_align(const struct ns_namespace *ns)
{
	uint64_t v = ns->label.dpa | ns->label.rawsize;
	uint64_t low = v & (~v + 1);

	if (!v || low > NS_MAX_ALIGN_REPORTED)
		return NS_MAX_ALIGN_REPORTED;
	return low;
}

uint32_t ns_namespace_flags(const struct ns_namespace *ns)
{
	return ns->label.flags;
}

bool ns_namespace_readonly(const struct ns_namespace *ns)
{
	return ns->label.flags & NS_LABEL_FLAG_ROLABEL;
}

uint32_t ns_namespace_slot(const struct ns_namespace *ns)
{
	return ns->slot;
}

uint64_t ns_namespace_isetcookie(const struct ns_namespace *ns)
{
	return ns->label.isetcookie;
}

enum ns_state ns_namespace_state(const struct ns_namespace *ns)
{
	return ns->state;
}

const char *ns_state_name(enum ns_state st)
{
	switch (st) {
	case NS_STATE_ACTIVE:
		return "active";
	case NS_STATE_INTERLEAVED:
		return "interleaved";
	case NS_STATE_FOREIGN:
		return "foreign";
	case NS_STATE_INVALID:
		return "invalid";
	case NS_STATE_DESTROYED:
		return "destroyed";
	}
	return "unknown";
}

const char *ns_namespace_reason(const struct ns_namespace *ns)
{
	return ns->reason;
}

void ns_namespace_set_userdata(struct ns_namespace *ns, void *p)
{
	ns->userdata = p;
}

void *ns_namespace_get_userdata(const struct ns_namespace *ns)
{
	return ns->userdata;
}
