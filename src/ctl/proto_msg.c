/* SPDX-License-Identifier: MIT */
/*
 * Building messages: headers, error replies, DONE, the attribute helpers
 * that say which attribute did not fit, and the request accessors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <uuid/uuid.h>

#include "ns/error.h"
#include "ctl/proto.h"
#include "ctl/proto_int.h"

/* ---- building ---- */

struct nl_msg *ctl_proto_msg_new(unsigned cmd, uint32_t seq, int flags)
{
	struct genlmsghdr g = { .cmd = (uint8_t)cmd, .version = CTL_PROTO_VERSION };
	struct nl_msg *m = nlmsg_alloc_size(CTL_MSG_MAX);
	struct nlmsghdr *nlh;

	if (m == NULL)
		return NULL;
	/* genlmsg_put()'s bytes, without libnl-genl (one library less to load) */
	nlh = nlmsg_put(m, 0, seq, CTL_FAMILY, GENL_HDRLEN, flags);
	if (nlh == NULL) {
		nlmsg_free(m);
		return NULL;
	}
	memcpy(nlmsg_data(nlh), &g, sizeof(g));
	return m;
}

struct nl_msg *ctl_proto_request_new(unsigned cmd)
{
	return ctl_proto_msg_new(cmd, 0, NLM_F_REQUEST);
}

struct nl_msg *ctl_proto_error_new(unsigned cmd, uint32_t seq, int flags, int err,
				   const char *msg)
{
	struct nl_msg *m = ctl_proto_msg_new(cmd, seq, flags);
	char text[CTL_LEN_ERRMSG];

	if (m == NULL)
		return NULL;
	if (err <= 0 || err > 4095)
		err = EIO;
	snprintf(text, sizeof(text), "%s", msg && msg[0] ? msg : strerror(err));
	if (nla_put_u32(m, CTL_A_ERRNO, (uint32_t)err) < 0 ||
	    nla_put_string(m, CTL_A_ERRMSG, text) < 0) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

struct nl_msg *ctl_proto_done_new(uint32_t seq)
{
	struct nl_msg *m = nlmsg_alloc_size(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int32_t)));
	int32_t zero = 0;

	if (m == NULL)
		return NULL;
	if (nlmsg_put(m, 0, seq, NLMSG_DONE, sizeof(zero), NLM_F_MULTI) == NULL) {
		nlmsg_free(m);
		return NULL;
	}
	memcpy(nlmsg_data(nlmsg_hdr(m)), &zero, sizeof(zero));
	return m;
}

int ctl_put_fail(int type)
{
	return ns_err(-EMSGSIZE, "message too large: no room for attribute %d in %d bytes",
		      type, CTL_MSG_MAX);
}

int ctl_put_u8(struct nl_msg *m, int type, uint8_t v)
{
	return nla_put_u8(m, type, v) < 0 ? ctl_put_fail(type) : 0;
}

int ctl_put_u32(struct nl_msg *m, int type, uint32_t v)
{
	return nla_put_u32(m, type, v) < 0 ? ctl_put_fail(type) : 0;
}

int ctl_put_u64(struct nl_msg *m, int type, uint64_t v)
{
	return nla_put_u64(m, type, v) < 0 ? ctl_put_fail(type) : 0;
}

int ctl_put_string(struct nl_msg *m, int type, const char *s)
{
	if (s == NULL)
		return 0;
	return nla_put_string(m, type, s) < 0 ? ctl_put_fail(type) : 0;
}

int ctl_put_uuid(struct nl_msg *m, int type, const uint8_t uuid[16])
{
	return nla_put(m, type, 16, uuid) < 0 ? ctl_put_fail(type) : 0;
}

const char *ctl_request_ns_spec(const struct ctl_request *req,
				char buf[CTL_UUID_STR_LEN])
{
	if (req->attrs[CTL_A_NS_NAME])
		return nla_get_string(req->attrs[CTL_A_NS_NAME]);
	if (req->attrs[CTL_A_NS_DEV])
		return nla_get_string(req->attrs[CTL_A_NS_DEV]);
	if (req->attrs[CTL_A_NS_UUID]) {
		uuid_unparse_lower(nla_data(req->attrs[CTL_A_NS_UUID]), buf);
		return buf;
	}
	return NULL;
}

uint32_t ctl_request_flags(const struct ctl_request *req)
{
	return req->attrs[CTL_A_FLAGS] ? nla_get_u32(req->attrs[CTL_A_FLAGS]) : 0;
}
