/* SPDX-License-Identifier: MIT */
/*
 * What the files of the control protocol library share among themselves
 * (proto_schema.c, proto_check.c, proto_msg.c, proto_record.c); not for
 * its users, who include proto.h.
 */
#ifndef PMEMFS_CTL_PROTO_INT_H
#define PMEMFS_CTL_PROTO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/proto.h"

/* the top-level definitions (proto_schema.c) */
extern const struct ctl_attr_def ctl_defs[CTL_A_MAX + 1];

/* CTL_F_* bits as the messages name them, in bit order (proto_schema.h CTL_FLAGS) */
struct ctl_flag_name {
	uint32_t bit;
	const char *name;
};
extern const struct ctl_flag_name ctl_flag_names[];
extern const size_t ctl_flag_names_n;

/* "read", "fsync", ... by CTL_REQ_* (proto_schema.c) */
extern const char *const ctl_req_names[CTL_REQ_MAX + 1];

/* -EMSGSIZE with a message naming attribute type (proto_msg.c) */
int ctl_put_fail(int type);

#endif
