/* SPDX-License-Identifier: MIT */
/*
 * The interleave-set cookie a region uses (region.c's comment says when it
 * is taken): the option, else the most common cookie of the decodable
 * labels with nlabel 1, else the default of the QEMU nvdimm slot the
 * current index records. Called by region.c (open, init-labels, reload)
 * and ns_change.c (move-region); it calls neither, so that calls between
 * the files go one way (region.c -> namespace.c, ns_change.c -> namespace.c).
 */
#include <stdint.h>
#include <stdlib.h>

#include "ns/internal.h"

/* the cookie of the slot the current index records (slot 0 without one) */
static uint64_t ns_default_cookie(const struct ns_region *r)
{
	uint32_t slot = 0;

	if (r->has_labels && !ns_lsa_nvdimm_slot(r->lsa, &slot))
		slot = 0;
	/* ns_region_label_minor, read here: region.c calls this file */
	return ns_isetcookie_qemu(r->has_labels ? ns_lsa_minor(r->lsa) : 2, slot);
}

static int ns_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The region's cookie: the option, the labels' most common one, the
 * default. A tie goes to the version's default cookie if it is among the
 * tied, else to the smallest: never to slot order, which a rename changes.
 */
void ns_region_pick_cookie(struct ns_region *r)
{
	uint64_t *cookies = NULL, def;
	unsigned n = 0, best_count = 0;
	uint64_t best = 0;
	uint32_t s;

	if (r->isetcookie_opt) {
		r->isetcookie = r->isetcookie_opt;
		return;
	}
	def = ns_default_cookie(r);
	r->isetcookie = def;
	if (!r->has_labels)
		return;
	cookies = malloc(sizeof(*cookies) * (ns_lsa_nslot(r->lsa) + 1));
	if (!cookies)
		return;
	ns_lsa_foreach_slot(r->lsa, s) {
		struct ns_label l;

		if (ns_lsa_label(r->lsa, s, &l, NULL) == 0 && l.nlabel == 1)
			cookies[n++] = l.isetcookie;
	}
	qsort(cookies, n, sizeof(*cookies), ns_cmp_u64);
	for (unsigned i = 0, j; i < n; i = j) {
		for (j = i; j < n && cookies[j] == cookies[i]; j++)
			;
		if (j - i > best_count ||
		    (j - i == best_count && cookies[i] == def)) {
			best_count = j - i;
			best = cookies[i];
		}
	}
	if (best_count)
		r->isetcookie = best;
	free(cookies);
}
