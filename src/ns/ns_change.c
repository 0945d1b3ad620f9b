/* SPDX-License-Identifier: MIT */
/*
 * Changes that commit labels: create, destroy, rename, set read-only and
 * move-region (the labels' cookies for another nvdimm slot). Create
 * takes a range left free by the reserved extents (index.c).
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
#include "ns/namespace_priv.h"
#include "ns/util.h"

#define NS_DESTROY_ZERO_BYTES 8192u
#define NS_LABEL_LBASIZE 512u

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
	const struct ns_place_ops *place = ns_place(r);
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
	rc = place->create_begin(r, &l, o, &note);
	if (rc)
		return rc;
	rc = ns_lsa_commit(r->lsa, NULL, 0, &l, 1, &slot);
	if (rc) {
		/* no label: give back every block the preallocation took */
		int urc = place->create_end(r, note, true);

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
	place->create_end(r, note, false);

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

/* ---- where the data lives: the region file's dpa range ---- */

static int ns_file_create_begin(struct ns_region *r, const struct ns_label *l,
				const struct ns_namespace_create_opts *o, void **note)
{
	char a[32];
	int rc;

	if (o->sparse)
		return 0;
	rc = ns_io_allocate_noted(r->io, l->dpa, l->rawsize, o->progress,
				  o->progress_arg, note);
	if (rc) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		return ns_err(rc, "cannot preallocate %s for a namespace in "
			      "%s: %s%s", ns_format_size(l->rawsize, a, sizeof(a)),
			      r->devname, msg, rc == -EOPNOTSUPP ?
			      " (create it sparse)" : "");
	}
	return 0;
}

static int ns_file_create_end(struct ns_region *r, void *note, bool undo)
{
	return ns_io_alloc_end(r->io, note, undo);
}

/* the first min(8 KiB, size) bytes zeroed, when the range is trusted */
static int ns_file_destroy_begin(struct ns_namespace *ns, void **note)
{
	static const uint8_t zero[NS_DESTROY_ZERO_BYTES];
	struct ns_region *r = ns->region;
	uint64_t n;
	int rc;

	*note = NULL;
	if (ns->state == NS_STATE_INVALID)
		return 0;
	n = ns->label.rawsize < sizeof(zero) ? ns->label.rawsize : sizeof(zero);
	rc = ns_io_write(r->io, zero, (size_t)n, ns->label.dpa);
	if (!rc)
		rc = ns_io_persist(r->io, ns->label.dpa, n);
	return rc;
}

static const struct ns_place_ops ns_place_file = {
	.create_begin = ns_file_create_begin,
	.create_end = ns_file_create_end,
	.destroy_begin = ns_file_destroy_begin,
};

const struct ns_place_ops *ns_place(const struct ns_region *r)
{
	return r->place ? r->place : &ns_place_file;
}

int ns_namespace_destroy(struct ns_namespace *ns, unsigned flags)
{
	struct ns_region *r = ns->region;
	const struct ns_place_ops *place = ns_place(r);
	struct ns_label gone;
	void *note = NULL;
	bool others;
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
	rc = place->destroy_begin(ns, &note);
	if (rc)
		return ns_commit_msg(r, rc, "destroy namespace");
	rc = ns_lsa_commit(r->lsa, &ns->slot, 1, NULL, 0, NULL);
	if (rc) {
		rc = ns_commit_msg(r, rc, "destroy namespace");
		if (place->destroy_end)
			place->destroy_end(r, &ns->label, note, true);
		return rc;
	}
	gone = ns->label;
	others = ns_removal_affects_others(ns);
	ns_bury(r, ns);
	if (place->destroy_end)
		place->destroy_end(r, &gone, note, false);
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
