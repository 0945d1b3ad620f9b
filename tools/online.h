/* SPDX-License-Identifier: MIT */
/*
 * Pieces of online mode several commands share: a daemon's listing
 * (regions and namespaces as records) and finding namespaces in it the
 * way the core does (device name, uuid, shown name).
 */
#ifndef PMEMCTL_ONLINE_H
#define PMEMCTL_ONLINE_H

#include <stdbool.h>

#include "ctl/proto.h"
#include "tools/target.h"

struct pc_listing {
	struct ctl_response *resp;	/* the records point into it */
	struct ctl_region_info *regions;
	unsigned nregions;
	struct ctl_ns_info *ns;		/* every namespace, served or not */
	unsigned nns;
	struct ctl_bb_info *bb;		/* media errors, data-area offsets */
	unsigned nbb;
};

/* LIST of the target's --region. Reports failures; returns 0 or an exit code. */
int pc_listing_get(struct pc_target *t, struct pc_listing *l);
/* The same without reporting a failure of the call: a negative errno with
 * its message in ns_errormsg(), or (out of memory, reported) an exit code. */
int pc_listing_get_quiet(struct pc_target *t, struct pc_listing *l);
void pc_listing_free(struct pc_listing *l);

/* the namespace spec names (device name, uuid, or shown name), or NULL */
const struct ctl_ns_info *pc_listing_find(const struct pc_listing *l, const char *spec);
/* after pc_listing_find() said NULL: it was ambiguous (the message says why) */
bool pc_listing_ambiguous(void);

/* the region record named dev, or NULL */
const struct ctl_region_info *pc_listing_region(const struct pc_listing *l,
						 const char *dev);

/* the record is served (has a file) */
bool pc_ns_info_active(const struct ctl_ns_info *ns);

/*
 * A request of cmd naming namespace ns exactly (its device name and
 * region). NULL when out of memory (reported).
 */
struct nl_msg *pc_online_ns_request(unsigned cmd, const struct ctl_ns_info *ns);

/* The mount point to show in JSON: known from the daemon, else NULL. */
const char *pc_online_mount(const struct pc_target *t);

#endif
