// SPDX-License-Identifier: MIT
/* The core's objects as the protocol's records (record.h). */
#include <string.h>

#include "ctl/record.h"

void ctl_region_info_of(const struct ns_region *r, struct ctl_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->dev = ns_region_devname(r);
	ri->path = ns_region_path(r);
	ri->size = ns_region_data_size(r);
	ri->file_size = ns_region_size(r);
	ri->label_size = ns_region_label_size(r);
	ri->label_version = ns_region_has_labels(r) ? ns_region_label_minor(r) : 0;
	ri->iset_id = ns_region_isetcookie(r);
	ri->has_nvdimm_slot = ns_region_nvdimm_slot(r, &ri->nvdimm_slot);
	ri->layout_dir = ns_region_is_dir(r);
	ns_region_space(r, NS_DEFAULT_ALIGN, &ri->available, &ri->max_extent);
}

void ctl_ns_info_of(const struct ns_namespace *ns, struct ctl_ns_info *ni)
{
	memset(ni, 0, sizeof(*ni));
	ni->region = ns_region_devname(ns_namespace_region(ns));
	ni->dev = ns_namespace_devname(ns);
	ni->name = ns_namespace_name(ns);
	memcpy(ni->uuid, ns_namespace_uuid(ns), sizeof(ni->uuid));
	ni->size = ns_namespace_size(ns);
	ni->dpa = ns_namespace_dpa(ns);
	ni->align = ns_namespace_align(ns);
	ni->readonly = ns_namespace_readonly(ns);
	ni->state = ns_state_name(ns_namespace_state(ns));
	ni->reason = ns_namespace_reason(ns);
}

void ctl_index_info_of(const struct ns_index *idx, struct ctl_index_info *x)
{
	x->seq = idx->seq;
	x->myoff = idx->myoff;
	x->mysize = idx->mysize;
	x->otheroff = idx->otheroff;
	x->labeloff = idx->labeloff;
	x->nslot = idx->nslot;
	x->major = idx->major;
	x->minor = idx->minor;
	x->label_size = ns_index_label_size(idx);
	x->checksum = idx->checksum;
}

void ctl_label_info_of(const struct ns_label *l, struct ctl_label_info *li)
{
	memcpy(li->uuid, l->uuid, sizeof(li->uuid));
	li->name = l->name;
	li->flags = l->flags;
	li->nlabel = l->nlabel;
	li->position = l->position;
	li->isetcookie = l->isetcookie;
	li->lbasize = l->lbasize;
	li->dpa = l->dpa;
	li->rawsize = l->rawsize;
	memcpy(li->type_guid, l->type_guid, sizeof(li->type_guid));
	memcpy(li->abstraction_guid, l->abstraction_guid, sizeof(li->abstraction_guid));
	li->checksum = l->checksum;
}
