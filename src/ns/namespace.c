/* SPDX-License-Identifier: MIT */
/*
 * Namespaces: one object per label of the current index, in slot order.
 *
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
 * Reservations: every label reserves its range (the part inside the data
 * area), whatever its state, and so does a destroyed namespace until its
 * last holder lets go. With force, create may also use ranges reserved
 * only by labels that do not decode (their range is garbage); the range
 * of a decodable INVALID label (an overlap, a shared uuid, past the end)
 * stays reserved even with force, since it describes someone's data:
 * destroy one of the labels first (plain free space is tried first).
 *
 * Shown names: the label's name when it passes ns_name_validate() and no
 * other decodable label of the region carries the same name; otherwise the
 * device name (both duplicates lose it, so which one keeps a name never
 * depends on slot order).
 *
 * Destroy zeroes the first min(8 KiB, size) bytes only when the range is
 * trusted (not INVALID): an INVALID label's range may be garbage or another
 * namespace's data. Rename and set-readonly are refused for namespaces that
 * are not ACTIVE (their labels belong to someone else or are broken).
 * After an I/O error the in-memory state stays the old one;
 * ns_region_reload() shows what the medium holds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "ns/error.h"
#include "ns/internal.h"
#include "ns/util.h"

#define NS_DESTROY_ZERO_BYTES 8192u
#define NS_LABEL_LBASIZE 512u
/*
 * The label has no field for the alignment asked for at create time (the
 * kernel writes align = 0, and so do we), so the reported alignment is
 * inferred: the largest power of two dividing dpa and size, capped at the
 * default alignment. A namespace made with the default shows 2 MiB, as
 * ndctl shows its default; one made with -a 4K at an odd offset shows 4 KiB.
 */
#define NS_MAX_ALIGN_REPORTED ((uint64_t)NS_DEFAULT_ALIGN)

/* ---- names ---- */

static bool ns_is_devname_form(const char *s)
{
	const char *p;

	if (strncmp(s, "namespace", 9) != 0)
		return false;
	p = s + 9;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != '.')
		return false;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0';
}

/* 0, or -EINVAL with the rule broken in why */
static int ns_name_check(const char *name, char *why, size_t len)
{
	size_t n = strlen(name);
	uuid_t u;

	if (n == 0) {
		snprintf(why, len, "empty");
		return -EINVAL;
	}
	if (n > NS_LABEL_NAME_LEN - 1) {
		snprintf(why, len, "longer than %u bytes", NS_LABEL_NAME_LEN - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c > 0x7e) {
			snprintf(why, len, "byte %zu (0x%02x) is not printable ASCII",
				 i, c);
			return -EINVAL;
		}
		if (c == '/') {
			snprintf(why, len, "contains '/'");
			return -EINVAL;
		}
	}
	if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "all")) {
		snprintf(why, len, "reserved");
		return -EINVAL;
	}
	if (ns_is_devname_form(name)) {
		snprintf(why, len, "has the form of a device name (namespaceX.Y)");
		return -EINVAL;
	}
	if (uuid_parse(name, u) == 0) {
		snprintf(why, len, "has the form of a uuid");
		return -EINVAL;
	}
	return 0;
}

int ns_name_validate(const char *name)
{
	char why[96];

	if (!name)
		return ns_err(-EINVAL, "invalid name: none given");
	if (strlen(name) > NS_LABEL_NAME_LEN - 1) {
		/* the user's count, as the control protocol says it too */
		char shown[36];
		size_t i;

		for (i = 0; i < 32; i++)
			shown[i] = ((unsigned char)name[i] < 0x20 ||
				    (unsigned char)name[i] > 0x7e) ? '?' : name[i];
		memcpy(shown + i, "...", 4);
		return ns_err(-EINVAL, "name '%s' is %zu bytes, at most %u", shown,
			      strlen(name), NS_LABEL_NAME_LEN - 1);
	}
	if (ns_name_check(name, why, sizeof(why))) {
		/* print only what is printable, and not too much of it */
		char shown[NS_LABEL_NAME_LEN + 4];
		size_t i;

		for (i = 0; name[i] && i < NS_LABEL_NAME_LEN - 1; i++)
			shown[i] = ((unsigned char)name[i] < 0x20 ||
				    (unsigned char)name[i] > 0x7e) ? '?' : name[i];
		if (name[i])
			memcpy(shown + i, "...", 4);
		else
			shown[i] = '\0';
		return ns_err(-EINVAL, "invalid name '%s': %s", shown, why);
	}
	return 0;
}

/* ---- objects ---- */

static struct ns_namespace *ns_alloc_ns(struct ns_region *r, uint32_t slot)
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

/* ---- indexes (internal.h): no walk of every namespace per change ---- */

static uint64_t ns_get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t ns_name_hash(const char *s)
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

static uint32_t ns_h_uuid(const uint8_t *u)
{
	return ns_mix(ns_get_u64(u) ^ (ns_get_u64(u + 8) * 0x9e3779b97f4a7c15ULL));
}

static bool ns_has_name_key(const struct ns_namespace *ns)
{
	return ns->decode_ok && ns->label.name[0];
}

static void ns_index_add(struct ns_region *r, struct ns_namespace *ns)
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

static void ns_index_del(struct ns_region *r, struct ns_namespace *ns)
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

static void ns_index_free(struct ns_region *r)
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

static unsigned ns_region_new_id(const struct ns_region *r)
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
static void ns_index_rebuild(struct ns_region *r)
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

static struct ns_namespace *ns_find_id(struct ns_region *r, unsigned id)
{
	for (struct ns_namespace *ns = r->h_id[ns_mix(id) & r->hmask]; ns; ns = ns->h_id)
		if (ns->id == id)
			return ns;
	return NULL;
}

/* the first live namespace other than self whose uuid is u */
static struct ns_namespace *ns_find_uuid(struct ns_region *r, const uint8_t *u,
					 const struct ns_namespace *self)
{
	struct ns_namespace *ns;

	for (ns = r->h_uuid[ns_h_uuid(u) & r->hmask]; ns; ns = ns->h_uuid)
		if (ns != self && !memcmp(ns->label.uuid, u, 16))
			return ns;
	return NULL;
}

/* the first decodable live label other than self named name */
static struct ns_namespace *ns_find_label_name(struct ns_region *r, const char *name,
					       const struct ns_namespace *self)
{
	struct ns_namespace *ns;

	for (ns = r->h_name[ns_mix(ns_name_hash(name)) & r->hmask]; ns; ns = ns->h_name)
		if (ns != self && !strcmp(ns->label.name, name))
			return ns;
	return NULL;
}

/* an id no longer used by anyone: next_id shrinks back as far as it can */
static void ns_id_gone(struct ns_region *r, unsigned id)
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

static void ns_resv_insert(struct ns_region *r, uint64_t start, uint64_t len)
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

static void ns_resv_remove(struct ns_region *r, uint64_t start, uint64_t len)
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

static void ns_set_id(struct ns_namespace *ns, unsigned id)
{
	ns->id = id;
	snprintf(ns->devname, sizeof(ns->devname), "namespace%u.%u",
		 ns->region->id, id);
}

/* insert into r->ns keeping slot order, and into the indexes */
static void ns_list_insert(struct ns_region *r, struct ns_namespace *ns)
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

static void ns_list_remove(struct ns_region *r, struct ns_namespace *ns)
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
static void ns_bury(struct ns_region *r, struct ns_namespace *ns)
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
static void ns_region_classify_added(struct ns_region *r, struct ns_namespace *ns)
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
static bool ns_removal_affects_others(const struct ns_namespace *ns)
{
	if (!ns->decode_ok || ns->state == NS_STATE_INVALID)
		return true;
	if (ns->label.name[0] && ns->shown != ns->label.name)
		return true;	/* a name that is not shown may be shared */
	return false;
}

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

/* the id N of "namespaceR.N" when spec is exactly r's device name form */
static bool ns_parse_devname(const struct ns_region *r, const char *spec, unsigned *id)
{
	char canon[32];
	unsigned rid, n;

	if (!ns_is_devname_form(spec) || sscanf(spec, "namespace%u.%u", &rid, &n) != 2 ||
	    rid != r->id)
		return false;
	snprintf(canon, sizeof(canon), "namespace%u.%u", rid, n);
	if (strcmp(canon, spec))
		return false;	/* leading zeros, overflow: no device has that name */
	*id = n;
	return true;
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

/* a name unused by every label and shown name of r, ns itself excepted */
static int ns_name_unique(struct ns_region *r, const struct ns_namespace *self,
			  const char *name)
{
	struct ns_namespace *e = ns_find_label_name(r, name, self);
	unsigned id;

	/* a shown name is a label name or a device name */
	if (!e && ns_parse_devname(r, name, &id)) {
		e = ns_find_id(r, id);
		if (e == self)
			e = NULL;
	}
	if (e)
		return ns_err(-EEXIST, "name '%s' is already used by %s in %s",
			      name, e->devname, r->devname);
	return 0;
}

static int ns_region_ready(struct ns_region *r, const char *what)
{
	int rc = ns_region_check_writable(r, what);

	if (rc)
		return rc;
	if (!r->has_labels)
		return ns_err(-NS_E_NO_LABELS, "%s: %s has no label area "
			      "(init-labels first)", what, r->devname);
	return 0;
}

static int ns_commit_msg(struct ns_region *r, int rc, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", ns_errormsg());
	return ns_err(rc, "%s in %s: %s", what, r->devname, msg);
}

/* ---- create ---- */

static int ns_check_geometry(struct ns_region *r, uint64_t size, uint64_t align)
{
	char a[32], b[32];

	if (!ns_is_pow2(align))
		return ns_err(-EINVAL, "invalid alignment %" PRIu64
			      ": not a power of two", align);
	if (align < NS_MIN_ALIGN)
		return ns_err(-EINVAL, "invalid alignment %" PRIu64
			      ": below the minimum of %u", align, NS_MIN_ALIGN);
	if (size == 0)
		return ns_err(-EINVAL, "invalid size 0");
	if (size % align)
		return ns_err(-EINVAL, "invalid size %s: not a multiple of the "
			      "alignment %s", ns_format_size(size, a, sizeof(a)),
			      ns_format_size(align, b, sizeof(b)));
	return 0;
}

static int ns_find_space(struct ns_region *r, uint64_t size, uint64_t align,
			 bool force, uint64_t *dpa)
{
	const struct ns_extent *sorted;
	struct ns_extent *used = NULL;
	unsigned n;
	uint64_t avail, max;
	char a[32], b[32];
	int rc;

	/* every label's range: the region's sorted extents, no copy */
	rc = ns_region_reserved_sorted(r, &sorted, &n);
	if (rc)
		return rc;
	rc = ns_alloc_find_sorted(sorted, n, r->data_size, align, size, dpa);
	if (rc == -ENOSPC && force) {
		rc = ns_region_reserved(r, true, &used, &n);
		if (rc)
			return rc;
		rc = ns_alloc_find(used, n, r->data_size, align, size, dpa);
	}
	if (rc == -ENOSPC) {
		/*
		 * "largest free extent" as list shows it (max_available_extent,
		 * at the default alignment): when that is large enough, the
		 * alignment asked for is what does not fit, so say that.
		 */
		uint64_t shown = align < NS_DEFAULT_ALIGN ? align : NS_DEFAULT_ALIGN;
		char c[32];

		if (used)
			ns_alloc_stats(used, n, r->data_size, shown, &avail, &max);
		else
			ns_alloc_stats_sorted(sorted, n, r->data_size, shown, &avail, &max);
		if (max >= size && align > shown)
			rc = ns_err(-ENOSPC, "no free extent of %s aligned to %s in %s: "
				    "the largest free extent is %s but holds no %s-aligned "
				    "range of %s (use a smaller --align)",
				    ns_format_size(size, a, sizeof(a)),
				    ns_format_size(align, b, sizeof(b)), r->devname,
				    ns_format_size(max, c, sizeof(c)), b, a);
		else
			rc = ns_err(-ENOSPC, "no free extent of %s in %s (largest free "
				    "extent %s)", ns_format_size(size, a, sizeof(a)),
				    r->devname, ns_format_size(max, b, sizeof(b)));
	}
	free(used);
	return rc;
}

int ns_namespace_create(struct ns_region *r, const struct ns_namespace_create_opts *o,
			struct ns_namespace **out)
{
	const char *name = o && o->name ? o->name : "";
	uint64_t align, dpa = 0;
	struct ns_label l;
	struct ns_namespace *ns;
	uint32_t slot;
	void *note = NULL;
	uuid_t u;
	char a[32];
	int rc;

	if (out)
		*out = NULL;
	rc = ns_region_ready(r, "create namespace");
	if (rc)
		return rc;
	if (!o)
		return ns_err(-EINVAL, "create namespace: no options");
	align = o->align ? o->align : NS_DEFAULT_ALIGN;
	if (name[0]) {
		rc = ns_name_validate(name);
		if (rc)
			return rc;
		rc = ns_name_unique(r, NULL, name);
		if (rc)
			return rc;
	}
	if (o->uuid) {
		char s[37];

		memcpy(u, o->uuid, 16);
		uuid_unparse_lower(u, s);
		if (uuid_is_null(u))
			return ns_err(-EINVAL, "invalid uuid %s: null", s);
		ns = ns_find_uuid(r, u, NULL);
		if (ns)
			return ns_err(-EEXIST, "uuid %s is already used by "
				      "%s in %s", s, ns->devname, r->devname);
	} else {
		do
			uuid_generate_random(u);
		while (ns_find_uuid(r, u, NULL));
	}
	rc = ns_check_geometry(r, o->size, align);
	if (rc)
		return rc;
	if (r->nns >= ns_lsa_nslot(r->lsa) && ns_lsa_free_slots(r->lsa) == 0)
		return ns_err(-ENOSPC, "no free label slot in %s (%" PRIu32
			      " slots)", r->devname, ns_lsa_nslot(r->lsa));
	rc = ns_find_space(r, o->size, align, o->force, &dpa);
	if (rc)
		return rc;
	if (!o->sparse) {
		rc = ns_io_allocate_noted(r->io, dpa, o->size, o->progress,
					  o->progress_arg, &note);
		if (rc) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", ns_errormsg());
			return ns_err(rc, "cannot preallocate %s for a namespace in "
				      "%s: %s%s", ns_format_size(o->size, a, sizeof(a)),
				      r->devname, msg, rc == -EOPNOTSUPP ?
				      " (create it sparse)" : "");
		}
	}

	memset(&l, 0, sizeof(l));
	memcpy(l.uuid, u, 16);
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.flags = o->readonly ? NS_LABEL_FLAG_ROLABEL : 0;
	l.nlabel = 1;
	l.position = 0;
	l.isetcookie = r->isetcookie;
	l.lbasize = NS_LABEL_LBASIZE;
	l.dpa = dpa;
	l.rawsize = o->size;
	l.align = 0;
	if (ns_lsa_label_size(r->lsa) >= 256)
		memcpy(l.type_guid, ns_label_type_guid_pmem, 16);
	/* abstraction_guid stays null: a raw namespace */
	rc = ns_lsa_commit(r->lsa, NULL, 0, &l, 1, &slot);
	if (rc) {
		/* no label: give back every block the preallocation took */
		int urc = ns_io_alloc_end(r->io, note, true);

		rc = ns_commit_msg(r, rc, "create namespace");
		if (urc) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", ns_errormsg());
			rc = ns_err(rc, "%s; giving back the %s it preallocated "
				    "failed too: %s", msg,
				    ns_format_size(o->size, a, sizeof(a)), strerror(-urc));
		}
		return rc;
	}
	ns_io_alloc_end(r->io, note, false);

	ns = ns_alloc_ns(r, slot);
	if (!ns) {
		/* committed, but no object: rebuild from the labels */
		rc = ns_region_build_namespaces(r);
		return rc ? rc : ns_err(-ENOMEM, "create namespace: out of memory");
	}
	ns_set_id(ns, r->next_id++);
	ns_list_insert(r, ns);
	ns_resv_insert(r, ns->label.dpa, ns->label.rawsize);
	ns_region_classify_added(r, ns);
	if (out)
		*out = ns;
	return 0;
}

/* ---- destroy ---- */

int ns_namespace_destroy(struct ns_namespace *ns, unsigned flags)
{
	static const uint8_t zero[NS_DESTROY_ZERO_BYTES];
	struct ns_region *r = ns->region;
	bool others;
	uint64_t n;
	int rc;

	rc = ns_region_check_writable(r, "destroy namespace");
	if (rc)
		return rc;
	if (ns->state == NS_STATE_DESTROYED)
		return ns_err(-ENOENT, "destroy namespace: %s in %s is already "
			      "destroyed", ns->devname, r->devname);
	if (ns->holders && !(flags & NS_DESTROY_FORCE))
		return ns_err(-EBUSY, "namespace '%s' in %s is in use (force to "
			      "destroy it anyway)", ns->shown, r->devname);
	if (ns->state != NS_STATE_INVALID) {
		n = ns->label.rawsize < sizeof(zero) ? ns->label.rawsize : sizeof(zero);
		rc = ns_io_write(r->io, zero, (size_t)n, ns->label.dpa);
		if (!rc)
			rc = ns_io_persist(r->io, ns->label.dpa, n);
		if (rc)
			return ns_commit_msg(r, rc, "destroy namespace");
	}
	rc = ns_lsa_commit(r->lsa, &ns->slot, 1, NULL, 0, NULL);
	if (rc)
		return ns_commit_msg(r, rc, "destroy namespace");
	others = ns_removal_affects_others(ns);
	ns_bury(r, ns);
	if (others)
		ns_region_classify(r);
	return 0;
}

/* ---- relabel: rename, set read-only ---- */

static int ns_relabel(struct ns_namespace *ns, const struct ns_label *l,
		      const char *what)
{
	struct ns_region *r = ns->region;
	struct ns_label fresh;
	char why[NS_WHY_LEN];
	uint32_t slot;
	int rc;

	rc = ns_lsa_commit(r->lsa, &ns->slot, 1, l, 1, &slot);
	if (rc)
		return ns_commit_msg(r, rc, what);
	ns_list_remove(r, ns);
	ns->slot = slot;
	ns->decode_ok = ns_lsa_label(r->lsa, slot, &fresh, why) == 0;
	ns->label = fresh;	/* the same range: the reserved extents stay */
	uuid_unparse_lower(ns->label.uuid, ns->uuid_str);
	if (!ns->decode_ok)
		snprintf(ns->reason, sizeof(ns->reason), "%s", why);
	ns_list_insert(r, ns);
	ns_region_classify(r);
	return 0;
}

static int ns_check_changeable(struct ns_namespace *ns, const char *what)
{
	struct ns_region *r = ns->region;
	int rc = ns_region_check_writable(r, what);

	if (rc)
		return rc;
	if (ns->state == NS_STATE_DESTROYED)
		return ns_err(-ENOENT, "%s: %s in %s is destroyed", what,
			      ns->devname, r->devname);
	if (ns->state != NS_STATE_ACTIVE)
		return ns_err(-NS_E_NOT_SERVED, "%s: %s in %s is not served (%s: %s)",
			      what, ns->devname, r->devname,
			      ns_state_name(ns->state), ns->reason);
	return 0;
}

int ns_namespace_rename(struct ns_namespace *ns, const char *name)
{
	struct ns_label l;
	int rc;

	rc = ns_check_changeable(ns, "rename namespace");
	if (rc)
		return rc;
	if (!name)
		name = "";
	if (name[0]) {
		rc = ns_name_validate(name);
		if (rc)
			return rc;
		rc = ns_name_unique(ns->region, ns, name);
		if (rc)
			return rc;
	}
	if (!strcmp(ns->label.name, name))
		return 0;
	l = ns->label;
	memset(l.name, 0, sizeof(l.name));
	memcpy(l.name, name, strlen(name));
	return ns_relabel(ns, &l, "rename namespace");
}

int ns_namespace_set_readonly(struct ns_namespace *ns, bool readonly)
{
	struct ns_label l;
	int rc;

	rc = ns_check_changeable(ns, "set read-only");
	if (rc)
		return rc;
	if (ns_namespace_readonly(ns) == readonly)
		return 0;
	l = ns->label;
	if (readonly)
		l.flags |= NS_LABEL_FLAG_ROLABEL;
	else
		l.flags &= ~NS_LABEL_FLAG_ROLABEL;
	return ns_relabel(ns, &l, "set read-only");
}

/* ---- move-region: the labels' cookies for another nvdimm slot ---- */

int ns_region_set_nvdimm_slot(struct ns_region *r, uint32_t nvdimm_slot,
			      unsigned *rewritten)
{
	struct ns_namespace **v = NULL, *ns;
	struct ns_label *add = NULL;
	uint32_t *rel = NULL, *slots = NULL, cur_slot, nfree;
	unsigned n = 0, i;
	uint64_t cookie;
	int rc;

	if (rewritten)
		*rewritten = 0;
	rc = ns_region_ready(r, "move region");
	if (rc)
		return rc;
	if (nvdimm_slot > NS_NVDIMM_SLOT_MAX)
		return ns_err(-EINVAL, "move region: nvdimm slot %" PRIu32 " out of "
			      "range (QEMU has slots 0 to %u)", nvdimm_slot,
			      NS_NVDIMM_SLOT_MAX);
	if (r->isetcookie_opt)
		return ns_err(-EINVAL, "move region: the cookie of %s is fixed by "
			      "its open options", r->devname);
	cookie = ns_isetcookie_qemu(ns_lsa_minor(r->lsa), nvdimm_slot);
	for (ns = r->ns; ns; ns = ns->next)
		if (ns->decode_ok && ns->label.nlabel == 1 &&
		    ns->label.isetcookie != cookie)
			n++;
	if (!ns_lsa_nvdimm_slot(r->lsa, &cur_slot))
		cur_slot = 0;
	if (n == 0 && cur_slot == nvdimm_slot && r->isetcookie == cookie)
		return 0;	/* there already */
	nfree = ns_lsa_free_slots(r->lsa);
	if (n > nfree) {
		unsigned k = (n - nfree + 1) / 2;

		return ns_err(-ENOSPC, "%s has %u label%s, %" PRIu32 " free label "
			      "slot%s: moving to nvdimm slot %" PRIu32 " writes a new "
			      "copy of every label into a free slot in one commit "
			      "(labels are never rewritten in place); destroy at "
			      "least %u namespace%s first", r->devname, n,
			      n == 1 ? "" : "s", nfree, nfree == 1 ? "" : "s",
			      nvdimm_slot, k, k == 1 ? "" : "s");
	}
	if (nvdimm_slot && !ns_lsa_slotrec_fits(r->lsa))
		return ns_err(-ENOSPC, "move region: the index blocks of %s have no "
			      "room to record nvdimm slot %" PRIu32, r->devname,
			      nvdimm_slot);
	v = calloc(n + 1, sizeof(*v));
	add = calloc(n + 1, sizeof(*add));
	rel = calloc(n + 1, sizeof(*rel));
	slots = calloc(n + 1, sizeof(*slots));
	if (!v || !add || !rel || !slots) {
		rc = ns_err(-ENOMEM, "move region: out of memory");
		goto out;
	}
	i = 0;
	for (ns = r->ns; ns; ns = ns->next)
		if (ns->decode_ok && ns->label.nlabel == 1 &&
		    ns->label.isetcookie != cookie) {
			v[i] = ns;
			rel[i] = ns->slot;
			add[i] = ns->label;	/* raw bytes kept but the cookie */
			add[i].isetcookie = cookie;
			i++;
		}
	rc = ns_lsa_commit_slot(r->lsa, rel, n, add, n, slots, &nvdimm_slot);
	if (rc) {
		rc = ns_commit_msg(r, rc, "move region");
		goto out;
	}
	for (i = 0; i < n; i++)
		ns_list_remove(r, v[i]);
	for (i = 0; i < n; i++) {
		struct ns_label fresh;
		char why[NS_WHY_LEN];

		ns = v[i];
		ns->slot = slots[i];
		ns->decode_ok = ns_lsa_label(r->lsa, slots[i], &fresh, why) == 0;
		ns->label = fresh;	/* the same range: the reserved extents stay */
		if (!ns->decode_ok)
			snprintf(ns->reason, sizeof(ns->reason), "%s", why);
		ns_list_insert(r, ns);
	}
	ns_region_pick_cookie(r);
	ns_region_classify(r);
	r->names_gen++;
	if (rewritten)
		*rewritten = n;
out:
	free(v);
	free(add);
	free(rel);
	free(slots);
	return rc;
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
