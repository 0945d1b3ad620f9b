/* SPDX-License-Identifier: MIT */
/*
 * The core's objects as the protocol's records: one conversion, used by
 * the daemon's handlers (src/fs/control_records.c, which add what only a
 * daemon knows: the served file, media errors, crash testing) and by
 * pmemctl's offline mode (tools/), so that both show a region and a
 * namespace alike.
 */
#ifndef PMEMFS_CTL_RECORD_H
#define PMEMFS_CTL_RECORD_H

#include "ns/label.h"
#include "ns/namespace.h"
#include "ctl/proto.h"
#include "ns/region.h"

/*
 * r as a REGION_INFO: every field, the space free for the default
 * alignment and the nvdimm slot (not sent: ctl_region_info_put leaves it
 * out). The strings are r's.
 */
void ctl_region_info_of(const struct ns_region *r, struct ctl_region_info *ri);

/*
 * ns as an NS_INFO as the core sees it: its state's name and the reason;
 * no path, media errors or crash testing (a daemon's). The strings are
 * ns's and its region's.
 */
void ctl_ns_info_of(const struct ns_namespace *ns, struct ctl_ns_info *ni);

/*
 * A valid index block's fields as an INDEX_INFO's: seq to checksum, the
 * label size included. What only its reader knows (region, num, valid,
 * current, reason, free) x keeps.
 */
void ctl_index_info_of(const struct ns_index *idx, struct ctl_index_info *x);

/*
 * A label's fields as a LABEL_INFO's: uuid to checksum; name points into
 * l. What only its reader knows (region, slot, valid, reason) li keeps.
 */
void ctl_label_info_of(const struct ns_label *l, struct ctl_label_info *li);

#endif
