/* SPDX-License-Identifier: MIT */
/*
 * The indexes of a region's namespaces (hash chains by uuid, label name
 * and id, the namespace of each slot) and its reserved extents, so that a
 * create or destroy costs no walk of every namespace. Calls no other
 * namespace file.
 *
 * Reservations: every label reserves its range (the part inside the data
 * area), whatever its state, and so does a destroyed namespace until its
 * last holder lets go. With force, create may also use ranges reserved
 * only by labels that do not decode (their range is garbage); the range
 * of a decodable INVALID label (an overlap, a shared uuid, past the end)
 * stays reserved even with force, since it describes someone's data:
 * destroy one of the labels first (plain free space is tried first).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "ns/namespace_priv.h"

/* ---- indexes (internal.h): no walk of every namespace per change ---- */

uint64_t ns_get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

uint64_t ns_name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static uint32_t ns_mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return (uint32_t)(x >> 32);
}

uint32_t ns_h_uuid(const uint8_t *u)
{
	return ns_mix(ns_get_u64(u) ^ (ns_get_u64(u + 8) * 0x9e3779b97f4a7c15ULL));
}

static bool ns_has_name_key(const struct ns_namespace *ns)
{
	return ns->decode_ok && ns->label.name[0];
}

void ns_index_add(struct ns_region *r, struct ns_namespace *ns)
{
	uint32_t b;

	b = ns_h_uuid(ns->label.uuid) & r->hmask;
	ns->h_uuid = r->h_uuid[b];
	r->h_uuid[b] = ns;
	if (ns_has_name_key(ns)) {
		b = ns_mix(ns_name_hash(ns->label.name)) & r->hmask;
		ns->h_name = r->h_name[b];
		r->h_name[b] = ns;
	}
	if (ns->id != UINT32_MAX) {
		b = ns_mix(ns->id) & r->hmask;
		ns->h_id = r->h_id[b];
		r->h_id[b] = ns;
	}
}

/* unlink ns from the chain at head, linked through the member at off */
static void ns_chain_del(struct ns_namespace **head, struct ns_namespace *ns,
			 size_t off)
{
	for (struct ns_namespace **pp = head; *pp;
	     pp = (struct ns_namespace **)((char *)*pp + off))
		if (*pp == ns) {
			*pp = *(struct ns_namespace **)((char *)ns + off);
			return;
		}
}

void ns_index_del(struct ns_region *r, struct ns_namespace *ns)
{
	ns_chain_del(&r->h_uuid[ns_h_uuid(ns->label.uuid) & r->hmask], ns,
		     offsetof(struct ns_namespace, h_uuid));
	if (ns_has_name_key(ns))
		ns_chain_del(&r->h_name[ns_mix(ns_name_hash(ns->label.name)) & r->hmask],
			     ns, offsetof(struct ns_namespace, h_name));
	if (ns->id != UINT32_MAX)
		ns_chain_del(&r->h_id[ns_mix(ns->id) & r->hmask], ns,
			     offsetof(struct ns_namespace, h_id));
	ns->h_uuid = ns->h_name = ns->h_id = NULL;
}

/* the one-bucket chains: every lookup walks every label (no memory) */
static void ns_index_one_bucket(struct ns_region *r)
{
	if (r->h_uuid != &r->h_one[0]) {
		free(r->h_uuid);
		free(r->h_name);
		free(r->h_id);
	}
	memset(r->h_one, 0, sizeof(r->h_one));
	r->h_uuid = &r->h_one[0];
	r->h_name = &r->h_one[1];
	r->h_id = &r->h_one[2];
	r->hmask = 0;
}

void ns_index_free(struct ns_region *r)
{
	ns_index_one_bucket(r);
	free(r->byslot);
	free(r->resv);
	r->byslot = NULL;
	r->nbyslot = 0;
	r->resv = NULL;
	r->nresv = r->capresv = 0;
	r->resv_ok = false;
	r->nns = 0;
}

unsigned ns_region_new_id(const struct ns_region *r)
{
	unsigned next = 0;

	for (const struct ns_namespace *ns = r->ns; ns; ns = ns->next)
		if (ns->id != UINT32_MAX && ns->id >= next)
			next = ns->id + 1;
	for (const struct ns_namespace *ns = r->dead; ns; ns = ns->next)
		if (ns->id >= next)
			next = ns->id + 1;
	return next;
}

/*
 * (Re)index r->ns after it was rebuilt: prev links, slots, hash chains
 * (sized for every slot of the area, so they never grow), next_id. On
 * ENOMEM the chains have one bucket (slower, same answers) and inserts
 * walk the list for their place.
 */
void ns_index_rebuild(struct ns_region *r)
{
	struct ns_namespace *prev = NULL;
	uint32_t nslot = r->has_labels ? ns_lsa_nslot(r->lsa) : 0, size = 16;

	ns_index_free(r);
	while (size < nslot && size < (1u << 30))
		size <<= 1;
	if (nslot) {
		struct ns_namespace **u = calloc(size, sizeof(*u));
		struct ns_namespace **n = calloc(size, sizeof(*n));
		struct ns_namespace **i = calloc(size, sizeof(*i));

		if (u && n && i) {
			r->h_uuid = u;
			r->h_name = n;
			r->h_id = i;
			r->hmask = size - 1;
		} else {
			free(u);
			free(n);
			free(i);
		}
		r->byslot = calloc(nslot, sizeof(*r->byslot));
		if (r->byslot)
			r->nbyslot = nslot;
	}
	for (struct ns_namespace *ns = r->ns; ns; ns = ns->next) {
		ns->prev = prev;
		prev = ns;
		ns->h_uuid = ns->h_name = ns->h_id = NULL;
		if (r->byslot && ns->slot < r->nbyslot)
			r->byslot[ns->slot] = ns;
		ns_index_add(r, ns);
		r->nns++;
	}
	r->next_id = ns_region_new_id(r);
	r->names_gen++;
}

struct ns_namespace *ns_find_id(struct ns_region *r, unsigned id)
{
	for (struct ns_namespace *ns = r->h_id[ns_mix(id) & r->hmask]; ns; ns = ns->h_id)
		if (ns->id == id)
			return ns;
	return NULL;
}

/* the first live namespace other than self whose uuid is u */
struct ns_namespace *ns_find_uuid(struct ns_region *r, const uint8_t *u,
				 const struct ns_namespace *self)
{
	struct ns_namespace *ns;

	for (ns = r->h_uuid[ns_h_uuid(u) & r->hmask]; ns; ns = ns->h_uuid)
		if (ns != self && !memcmp(ns->label.uuid, u, 16))
			return ns;
	return NULL;
}

/* the first decodable live label other than self named name */
struct ns_namespace *ns_find_label_name(struct ns_region *r, const char *name,
					 const struct ns_namespace *self)
{
	struct ns_namespace *ns;

	for (ns = r->h_name[ns_mix(ns_name_hash(name)) & r->hmask]; ns; ns = ns->h_name)
		if (ns != self && !strcmp(ns->label.name, name))
			return ns;
	return NULL;
}

/* an id no longer used by anyone: next_id shrinks back as far as it can */
void ns_id_gone(struct ns_region *r, unsigned id)
{
	if (id == UINT32_MAX || id + 1 != r->next_id)
		return;
	while (r->next_id > 0) {
		unsigned cand = r->next_id - 1;
		bool used = ns_find_id(r, cand) != NULL;

		for (struct ns_namespace *d = r->dead; d && !used; d = d->next)
			used = d->id == cand;
		if (used)
			break;
		r->next_id--;
	}
}

/* ---- the sorted reserved extents ---- */

int ns_region_reserved(const struct ns_region *r, bool force,
		       struct ns_extent **used, unsigned *n)
{
	unsigned count = 0, i = 0;
	struct ns_extent *v;

	*used = NULL;
	*n = 0;
	for (const struct ns_namespace *ns = r->ns; ns; ns = ns->next)
		count++;
	for (const struct ns_namespace *ns = r->dead; ns; ns = ns->next)
		count++;
	if (!count)
		return 0;
	v = calloc(count, sizeof(*v));
	if (!v)
		return ns_err(-ENOMEM, "region '%s': out of memory", r->path);
	for (const struct ns_namespace *ns = r->ns; ns; ns = ns->next) {
		if (force && !ns->decode_ok)
			continue;
		v[i].start = ns->label.dpa;
		v[i].len = ns->label.rawsize;	/* alloc clips and handles wrap */
		i++;
	}
	for (const struct ns_namespace *ns = r->dead; ns; ns = ns->next) {
		v[i].start = ns->label.dpa;
		v[i].len = ns->label.rawsize;
		i++;
	}
	*used = v;
	*n = i;
	return 0;
}

static int ns_extent_cmp_start(const void *a, const void *b)
{
	const struct ns_extent *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int ns_region_reserved_sorted(struct ns_region *r, const struct ns_extent **used,
			      unsigned *n)
{
	if (!r->resv_ok) {
		struct ns_extent *v = NULL;
		unsigned m = 0;
		int rc = ns_region_reserved(r, false, &v, &m);

		if (rc)
			return rc;
		if (m > 1)
			qsort(v, m, sizeof(*v), ns_extent_cmp_start);
		free(r->resv);
		r->resv = v;
		r->nresv = r->capresv = m;
		r->resv_ok = true;
	}
	*used = r->resv;
	*n = r->nresv;
	return 0;
}

/* the first index whose start is >= start */
static unsigned ns_resv_lower(const struct ns_region *r, uint64_t start)
{
	unsigned lo = 0, hi = r->nresv;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (r->resv[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void ns_resv_insert(struct ns_region *r, uint64_t start, uint64_t len)
{
	unsigned i;

	if (!r->resv_ok)
		return;
	if (r->nresv == r->capresv) {
		unsigned cap = r->capresv ? r->capresv * 2 : 64;
		struct ns_extent *v = realloc(r->resv, sizeof(*v) * cap);

		if (!v) {
			r->resv_ok = false;	/* rebuilt on the next use */
			return;
		}
		r->resv = v;
		r->capresv = cap;
	}
	i = ns_resv_lower(r, start);
	memmove(r->resv + i + 1, r->resv + i, sizeof(*r->resv) * (r->nresv - i));
	r->resv[i].start = start;
	r->resv[i].len = len;
	r->nresv++;
}

void ns_resv_remove(struct ns_region *r, uint64_t start, uint64_t len)
{
	if (!r->resv_ok)
		return;
	for (unsigned i = ns_resv_lower(r, start); i < r->nresv && r->resv[i].start == start; i++)
		if (r->resv[i].len == len) {
			memmove(r->resv + i, r->resv + i + 1,
				sizeof(*r->resv) * (r->nresv - i - 1));
			r->nresv--;
			return;
		}
	r->resv_ok = false;	/* not found: cannot happen; rebuild */
}
