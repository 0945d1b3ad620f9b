/* SPDX-License-Identifier: MIT */
/* Online mode helpers: a daemon's listing, namespaces found in it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "ctl/client.h"
#include "ns/error.h"
#include "tools/online.h"
#include "tools/pmemctl.h"

int pc_listing_get(struct pc_target *t, struct pc_listing *l)
{
	int rc = pc_listing_get_quiet(t, l);

	if (rc < 0)
		return pc_fail_msg(rc, "%s", ns_errormsg()[0] ? ns_errormsg() :
				    ns_strerror(rc));
	return rc;
}

int pc_listing_get_quiet(struct pc_target *t, struct pc_listing *l)
{
	unsigned i, nr = 0, nn = 0, nb = 0;
	struct nl_msg *req;
	int rc;

	memset(l, 0, sizeof(*l));
	req = pc_target_request(t, CTL_CMD_LIST);
	if (!req)
		return pc_exit_code(-ENOMEM);
	rc = pc_target_call_quiet(t, req, &l->resp);
	if (rc)
		return rc;
	for (i = 0; i < l->resp->nparts; i++) {
		nr += l->resp->parts[i].attrs[CTL_A_REGION_INFO] != NULL;
		nn += l->resp->parts[i].attrs[CTL_A_NS_INFO] != NULL;
		nb += l->resp->parts[i].attrs[CTL_A_BADBLOCK] != NULL;
	}
	l->regions = calloc(nr ? nr : 1, sizeof(*l->regions));
	l->ns = calloc(nn ? nn : 1, sizeof(*l->ns));
	l->bb = calloc(nb ? nb : 1, sizeof(*l->bb));
	if (!l->regions || !l->ns || !l->bb) {
		pc_listing_free(l);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	for (i = 0; i < l->resp->nparts; i++) {
		struct nlattr **a = l->resp->parts[i].attrs;

		if (a[CTL_A_REGION_INFO])
			ctl_region_info_get(a[CTL_A_REGION_INFO], &l->regions[l->nregions++]);
		if (a[CTL_A_NS_INFO])
			ctl_ns_info_get(a[CTL_A_NS_INFO], &l->ns[l->nns++]);
		if (a[CTL_A_BADBLOCK])
			ctl_bb_info_get(a[CTL_A_BADBLOCK], &l->bb[l->nbb++]);
	}
	return 0;
}

void pc_listing_free(struct pc_listing *l)
{
	ctl_response_free(&l->resp);
	free(l->regions);
	free(l->ns);
	free(l->bb);
	memset(l, 0, sizeof(*l));
}

bool pc_ns_info_active(const struct ctl_ns_info *ns)
{
	return ns->state && strcmp(ns->state, "active") == 0;
}

static bool same_region(const struct ctl_ns_info *a, const struct ctl_ns_info *b)
{
	return !a->region || !b->region || !strcmp(a->region, b->region);
}

/*
 * The one record matching by uuid (u) or by name: in one region a served
 * one before the others (as the daemon does); several in other regions,
 * or several unserved ones in one region, are ambiguous: NULL with the
 * message set. The first one in the listing is never picked silently: the
 * listing's order is the labels' slot order.
 */
static const struct ctl_ns_info *find_one(const struct pc_listing *l, const char *spec,
					  const uuid_t u, bool *ambiguous)
{
	const struct ctl_ns_info *best = NULL, *other = NULL;
	unsigned i;

	for (i = 0; i < l->nns; i++) {
		const struct ctl_ns_info *x = &l->ns[i];

		if (u ? memcmp(x->uuid, u, sizeof(uuid_t)) != 0
		      : (!x->name || strcmp(x->name, spec) != 0))
			continue;
		if (!best) {
			best = x;
			continue;
		}
		if (!same_region(best, x)) {
			*ambiguous = true;
			ns_err(-EINVAL, "'%s' names namespaces in %s and %s: name the "
			       "region with -r", spec, best->region, x->region);
			return NULL;
		}
		if (pc_ns_info_active(x) && !pc_ns_info_active(best)) {
			best = x;
			other = NULL;
		} else if (pc_ns_info_active(x) == pc_ns_info_active(best)) {
			other = x;
		}
	}
	if (other) {
		const struct ctl_ns_info *t = best;

		if (other->dpa < best->dpa) {	/* named in dpa order */
			best = other;
			other = t;
		}
		*ambiguous = true;
		ns_err(-EINVAL, "'%s' names more than one namespace in %s (%s at dpa "
		       "0x%llx and %s at dpa 0x%llx): name one by its device name",
		       spec, best->region ? best->region : "the region", best->dev,
		       (unsigned long long)best->dpa, other->dev,
		       (unsigned long long)other->dpa);
		return NULL;
	}
	return best;
}

bool pc_listing_ambiguous(void)
{
	return *ns_errormsg() != '\0';
}

const struct ctl_ns_info *pc_listing_find(const struct pc_listing *l, const char *spec)
{
	const struct ctl_ns_info *x;
	bool ambiguous = false;
	uuid_t u;
	unsigned i;

	ns_err_clear();
	for (i = 0; i < l->nns; i++)
		if (l->ns[i].dev && !strcmp(l->ns[i].dev, spec))
			return &l->ns[i];
	if (uuid_parse(spec, u) == 0) {
		x = find_one(l, spec, u, &ambiguous);
		if (x || ambiguous)
			return x;
	}
	return find_one(l, spec, NULL, &ambiguous);
}

const struct ctl_region_info *pc_listing_region(const struct pc_listing *l,
						 const char *dev)
{
	unsigned i;

	for (i = 0; dev && i < l->nregions; i++)
		if (l->regions[i].dev && !strcmp(l->regions[i].dev, dev))
			return &l->regions[i];
	return NULL;
}

struct nl_msg *pc_online_ns_request(unsigned cmd, const struct ctl_ns_info *ns)
{
	struct nl_msg *m = ctl_proto_request_new(cmd);

	if (!m || ctl_put_string(m, CTL_A_NS_DEV, ns->dev) < 0 ||
	    (ns->region && ctl_put_string(m, CTL_A_REGION, ns->region) < 0)) {
		nlmsg_free(m);
		pc_fail_msg(-ENOMEM, "out of memory");
		return NULL;
	}
	return m;
}

const char *pc_online_mount(const struct pc_target *t)
{
	return t->mountpoint[0] ? t->mountpoint : NULL;
}
