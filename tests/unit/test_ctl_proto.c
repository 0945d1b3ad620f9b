/* SPDX-License-Identifier: MIT */
/*
 * The control protocol's schema and validation: every command built with
 * libnl and parsed back; every nested record through a reply; every
 * malformed request we know of rejected with its errno and a message that
 * names the problem; and what libnl alone would have let through.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>

#include "ns/badblocks.h"
#include "ns/error.h"
#include "ns/label.h"
#include "ctl/proto.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static const uint8_t uuid1[16] = {
	0x6b, 0x1f, 0x3a, 0x9c, 0x10, 0x2d, 0x4e, 0x8f,
	0x9a, 0x55, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
};

/* ---- hand-built messages, so that any byte can be wrong ---- */

struct raw {
	size_t len;
	uint8_t b[CTL_MSG_MAX + 8192] __attribute__((aligned(8)));
};

static struct raw R;	/* too big for the stack */

static void raw_start(struct raw *r, uint16_t type, uint16_t flags, uint8_t cmd,
		      uint8_t version)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = 77 };
	struct genlmsghdr g = { .cmd = cmd, .version = version };

	memset(r->b, 0, sizeof(r->b));
	memcpy(r->b, &h, sizeof(h));
	memcpy(r->b + NLMSG_HDRLEN, &g, sizeof(g));
	r->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* an attribute whose nla_len may lie about its dlen bytes of payload */
static void raw_attr_n(struct raw *r, uint16_t type, uint16_t nla_len,
		       const void *data, size_t dlen)
{
	struct nlattr a = { .nla_len = nla_len, .nla_type = type };

	memcpy(r->b + r->len, &a, sizeof(a));
	if (dlen)
		memcpy(r->b + r->len + NLA_HDRLEN, data, dlen);
	r->len += NLA_ALIGN(NLA_HDRLEN + dlen);
}

static void raw_attr(struct raw *r, uint16_t type, const void *data, size_t dlen)
{
	raw_attr_n(r, type, (uint16_t)(NLA_HDRLEN + dlen), data, dlen);
}

static void raw_u32(struct raw *r, uint16_t type, uint32_t v)
{
	raw_attr(r, type, &v, sizeof(v));
}

static void raw_u64(struct raw *r, uint16_t type, uint64_t v)
{
	raw_attr(r, type, &v, sizeof(v));
}

static void raw_str(struct raw *r, uint16_t type, const char *s)
{
	raw_attr(r, type, s, strlen(s) + 1);
}

static void raw_end(struct raw *r)
{
	struct nlmsghdr *h = (void *)r->b;

	h->nlmsg_len = (uint32_t)r->len;
}

static struct nlmsghdr *raw_hdr(struct raw *r)
{
	return (void *)r->b;
}

/* a valid create-namespace request */
static void raw_create(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u64(r, CTL_A_SIZE, 4 * GiB);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_end(r);
}

/* ---- malformed requests ---- */

static void m_short(struct raw *r)
{
	raw_create(r);
	r->len = 10;
}

static void m_truncated(struct raw *r)
{
	raw_create(r);
	r->len -= 8;	/* nlmsg_len still says the whole message */
}

static void m_len_small(struct raw *r)
{
	raw_create(r);
	raw_hdr(r)->nlmsg_len = 20;
}

static void m_len_large(struct raw *r)
{
	raw_create(r);
	raw_hdr(r)->nlmsg_len = 65535;
}

static void m_len_odd(struct raw *r)
{
	raw_create(r);
	r->len += 2;
	raw_end(r);
}

static void m_type(struct raw *r)
{
	raw_create(r);
	raw_hdr(r)->nlmsg_type = 0x10;	/* GENL_ID_CTRL */
}

static void m_type_done(struct raw *r)
{
	raw_create(r);
	raw_hdr(r)->nlmsg_type = NLMSG_DONE;
}

static void m_not_request(struct raw *r)
{
	raw_create(r);
	raw_hdr(r)->nlmsg_flags = 0;
}

static void m_no_genl(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, 0, 0);
	r->len = NLMSG_HDRLEN;
	raw_end(r);
}

static void m_cmd_unknown(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, 99, CTL_PROTO_VERSION);
	raw_end(r);
}

static void m_cmd_zero(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, 0, CTL_PROTO_VERSION);
	raw_end(r);
}

static void m_version(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_LIST, CTL_PROTO_VERSION + 1);
	raw_end(r);
}

static void m_dup(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u64(r, CTL_A_SIZE, 4 * GiB);
	raw_u64(r, CTL_A_SIZE, 8 * GiB);
	raw_end(r);
}

static void m_unknown_attr(struct raw *r)
{
	raw_create(r);
	raw_u32(r, 99, 1);
	raw_end(r);
}

static void m_attr_zero(struct raw *r)
{
	raw_create(r);
	raw_u32(r, 0, 1);
	raw_end(r);
}

static void m_u64_long(struct raw *r)
{
	uint8_t big[200] = { 0 };

	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_attr(r, CTL_A_SIZE, big, sizeof(big));
	raw_end(r);
}

static void m_u64_short(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u32(r, CTL_A_SIZE, 4096);
	raw_end(r);
}

static void m_u32_long(struct raw *r)
{
	raw_create(r);
	raw_u64(r, CTL_A_FLAGS, CTL_F_SPARSE);
	raw_end(r);
}

static void m_u32_short(struct raw *r)
{
	uint16_t v = 1;

	raw_create(r);
	raw_attr(r, CTL_A_FLAGS, &v, sizeof(v));
	raw_end(r);
}

static void m_uuid_short(struct raw *r)
{
	raw_create(r);
	raw_attr(r, CTL_A_NS_UUID, uuid1, 15);
	raw_end(r);
}

static void m_uuid_long(struct raw *r)
{
	uint8_t u[17] = { 0 };

	raw_create(r);
	raw_attr(r, CTL_A_NS_UUID, u, sizeof(u));
	raw_end(r);
}

static void m_str_unterminated(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u64(r, CTL_A_SIZE, 4 * GiB);
	raw_attr(r, CTL_A_NS_NAME, "vm1", 3);
	raw_end(r);
}

static void m_str_empty(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u64(r, CTL_A_SIZE, 4 * GiB);
	raw_attr(r, CTL_A_NS_NAME, NULL, 0);
	raw_end(r);
}

static void m_str_long(struct raw *r)
{
	char name[101];

	memset(name, 'a', 100);
	name[100] = '\0';
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u64(r, CTL_A_SIZE, 4 * GiB);
	raw_str(r, CTL_A_NS_NAME, name);
	raw_end(r);
}

static void m_str_inner_nul(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u64(r, CTL_A_SIZE, 4 * GiB);
	raw_attr(r, CTL_A_NS_NAME, "vm\0x", 5);
	raw_end(r);
}

static void m_missing_size(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_end(r);
}

static void m_not_for_cmd(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_LIST, CTL_PROTO_VERSION);
	raw_u64(r, CTL_A_SIZE, 4 * GiB);
	raw_end(r);
}

static void m_reply_attr_in_request(struct raw *r)
{
	raw_create(r);
	raw_u32(r, CTL_A_ERRNO, EIO);
	raw_end(r);
}

static void m_no_spec(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_DESTROY_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_end(r);
}

static void m_two_specs(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_DESTROY_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_str(r, CTL_A_NS_DEV, "namespace0.0");
	raw_end(r);
}

static void m_flag_not_for_cmd(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_DESTROY_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u32(r, CTL_A_FLAGS, CTL_F_FORCE | CTL_F_READONLY);
	raw_end(r);
}

static void m_flag_unknown(struct raw *r)
{
	raw_create(r);
	raw_u32(r, CTL_A_FLAGS, CTL_F_SPARSE | 0x100);
	raw_end(r);
}

static void m_nla_len_tiny(struct raw *r)
{
	raw_create(r);
	raw_attr_n(r, CTL_A_ALIGN, 2, NULL, 0);
	raw_end(r);
}

static void m_nla_len_past_end(struct raw *r)
{
	uint64_t v = 2 * MiB;

	raw_create(r);
	raw_attr_n(r, CTL_A_ALIGN, 200, &v, sizeof(v));
	raw_end(r);
}

static void m_byteorder_flag(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u64(r, CTL_A_SIZE | NLA_F_NET_BYTEORDER, 4 * GiB);
	raw_end(r);
}

static void m_nested_flag(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_REGION, "region0");
	raw_u64(r, CTL_A_SIZE | NLA_F_NESTED, 4 * GiB);
	raw_end(r);
}

static void m_nest_in_request(struct raw *r)
{
	struct raw inner;

	uint64_t size = 4 * GiB;

	inner.len = 0;
	raw_str(&inner, CTL_NS_A_DEV, "namespace0.0");
	raw_attr(&inner, CTL_NS_A_UUID, uuid1, 16);
	raw_attr(&inner, CTL_NS_A_SIZE, &size, sizeof(size));
	raw_create(r);
	raw_attr(r, CTL_A_NS_INFO | NLA_F_NESTED, inner.b, inner.len);
	raw_end(r);
}

static void m_bad_nest_in_request(struct raw *r)
{
	struct raw inner;
	uint8_t three[3] = { 1, 2, 3 };

	inner.len = 0;
	raw_attr(&inner, CTL_NS_A_SIZE, three, sizeof(three));
	raw_create(r);
	raw_attr(r, CTL_A_NS_INFO | NLA_F_NESTED, inner.b, inner.len);
	raw_end(r);
}

static void m_pf_no_spec(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_POWER_FAIL, CTL_PROTO_VERSION);
	raw_u32(r, CTL_A_FLAGS, CTL_F_ENABLE);
	raw_end(r);
}

static void m_pf_survive_u64(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_POWER_FAIL, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u64(r, CTL_A_SURVIVE, 50);
	raw_end(r);
}

static void m_pf_seed_short(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_POWER_FAIL, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u32(r, CTL_A_SEED, 7);
	raw_end(r);
}

static void m_pf_flag_uninject(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_POWER_FAIL, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u32(r, CTL_A_FLAGS, CTL_F_KILL | CTL_F_UNINJECT);
	raw_end(r);
}

static void m_pf_offset(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_POWER_FAIL, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u64(r, CTL_A_OFFSET, 4096);
	raw_end(r);
}

static void m_pf_at_fsync_dup(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_POWER_FAIL, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u32(r, CTL_A_AT_FSYNC, 3);
	raw_u32(r, CTL_A_AT_FSYNC, 4);
	raw_end(r);
}

static void m_ie_two_specs(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_INJECT_ERROR, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_attr(r, CTL_A_NS_UUID, uuid1, 16);
	raw_end(r);
}

static void m_ie_length_u32(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_INJECT_ERROR, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u64(r, CTL_A_OFFSET, 0);
	raw_u32(r, CTL_A_LENGTH, 512);
	raw_end(r);
}

static void m_ie_flag_kill(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_INJECT_ERROR, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u32(r, CTL_A_FLAGS, CTL_F_KILL);
	raw_end(r);
}

static void m_ie_survive(struct raw *r)
{
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_INJECT_ERROR, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_u32(r, CTL_A_SURVIVE, 1);
	raw_end(r);
}

static void m_ie_bad_badblock_nest(struct raw *r)
{
	struct raw inner;
	uint64_t off = 512;

	inner.len = 0;
	raw_attr(&inner, CTL_BB_A_OFFSET, &off, sizeof(off));
	raw_start(r, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_INJECT_ERROR, CTL_PROTO_VERSION);
	raw_str(r, CTL_A_NS_NAME, "vm1");
	raw_attr(r, CTL_A_BADBLOCK | NLA_F_NESTED, inner.b, inner.len);
	raw_end(r);
}

static void m_create_flag_kill(struct raw *r)
{
	raw_create(r);
	raw_u32(r, CTL_A_FLAGS, CTL_F_CRASH_TEST | CTL_F_KILL);
	raw_end(r);
}

struct bad_case {
	const char *what;
	void (*build)(struct raw *r);
	int rc;
	const char *msg;	/* the whole message, or a part after '~' */
	uint32_t seq;		/* seq the parser reports (0: not readable) */
};

static const struct bad_case bad_cases[] = {
	{ "shorter than a netlink header", m_short, -EBADMSG,
	  "message of 10 bytes is shorter than a netlink header (16 bytes)", 0 },
	{ "truncated", m_truncated, -EBADMSG, "~does not match the", 77 },
	{ "nlmsg_len too small", m_len_small, -EBADMSG,
	  "~nlmsg_len 20 does not match the", 77 },
	{ "nlmsg_len too large", m_len_large, -EBADMSG,
	  "~nlmsg_len 65535 does not match the", 77 },
	{ "length not a multiple of 4", m_len_odd, -EBADMSG, "~is not a multiple of 4", 77 },
	{ "wrong nlmsg_type", m_type, -EPROTO,
	  "nlmsg_type 0x10 is not the pmemfs control family 0x504d", 77 },
	{ "NLMSG_DONE as a request", m_type_done, -EPROTO,
	  "nlmsg_type 0x3 is not the pmemfs control family 0x504d", 77 },
	{ "not a request", m_not_request, -EBADMSG,
	  "message is not a request (NLM_F_REQUEST not set)", 77 },
	{ "no genetlink header", m_no_genl, -EBADMSG,
	  "message of 16 bytes has no generic netlink header (20 bytes needed)", 77 },
	{ "unknown command", m_cmd_unknown, -EOPNOTSUPP, "unknown command 99", 77 },
	{ "command 0", m_cmd_zero, -EOPNOTSUPP, "unknown command 0", 77 },
	{ "protocol version", m_version, -EPROTONOSUPPORT,
	  "protocol version 2 is not supported (this side speaks version 1)", 77 },
	{ "duplicate attribute", m_dup, -EINVAL, "duplicate attribute 10 (size)", 77 },
	{ "unknown attribute", m_unknown_attr, -EINVAL, "unknown attribute 99", 77 },
	{ "attribute type 0", m_attr_zero, -EINVAL, "unknown attribute 0", 77 },
	{ "200-byte u64", m_u64_long, -EINVAL,
	  "attribute 10 (size) has length 200, expected 8", 77 },
	{ "4-byte u64", m_u64_short, -EINVAL,
	  "attribute 10 (size) has length 4, expected 8", 77 },
	{ "8-byte u32", m_u32_long, -EINVAL,
	  "attribute 12 (flags) has length 8, expected 4", 77 },
	{ "2-byte u32", m_u32_short, -EINVAL,
	  "attribute 12 (flags) has length 2, expected 4", 77 },
	{ "15-byte uuid", m_uuid_short, -EINVAL,
	  "attribute 8 (uuid) has length 15, expected 16", 77 },
	{ "17-byte uuid", m_uuid_long, -EINVAL,
	  "attribute 8 (uuid) has length 17, expected 16", 77 },
	{ "unterminated string", m_str_unterminated, -EINVAL,
	  "attribute 7 (name) is not a NUL-terminated string", 77 },
	{ "empty string attribute", m_str_empty, -EINVAL,
	  "attribute 7 (name) is not a NUL-terminated string", 77 },
	{ "string too long", m_str_long, -EINVAL,
	  "name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 100 bytes, at most 63", 77 },
	{ "NUL inside a string", m_str_inner_nul, -EINVAL,
	  "attribute 7 (name) has a NUL byte inside the string", 77 },
	{ "missing required attribute", m_missing_size, -EINVAL,
	  "missing attribute 10 (size) in create-namespace request", 77 },
	{ "attribute the command does not take", m_not_for_cmd, -EINVAL,
	  "attribute 10 (size) is not valid in a list request", 77 },
	{ "reply attribute in a request", m_reply_attr_in_request, -EINVAL,
	  "attribute 1 (errno) is not valid in a create-namespace request", 77 },
	{ "no namespace named", m_no_spec, -EINVAL,
	  "destroy-namespace request names no namespace: it needs attribute 7 (name), 8 (uuid) or 9 (dev)",
	  77 },
	{ "namespace named twice", m_two_specs, -EINVAL,
	  "destroy-namespace request names the namespace twice: attributes 7 (name) and 9 (dev)",
	  77 },
	{ "flag the command does not take", m_flag_not_for_cmd, -EINVAL,
	  "flag 'read-only' is not valid for destroy-namespace", 77 },
	{ "unknown flag bits", m_flag_unknown, -EINVAL,
	  "unknown flags 0x100 in attribute 12 (flags)", 77 },
	{ "nla_len below its header", m_nla_len_tiny, -EINVAL,
	  "~has length 2, less than its 4-byte header", 77 },
	{ "nla_len past the end", m_nla_len_past_end, -EINVAL,
	  "~attribute 11 at offset", 77 },
	{ "byte-order flag", m_byteorder_flag, -EINVAL,
	  "attribute 10 (size) has flag bits 0x4000", 77 },
	{ "nested flag on a u64", m_nested_flag, -EINVAL,
	  "attribute 10 (size) has flag bits 0x8000", 77 },
	{ "reply nest in a request", m_nest_in_request, -EINVAL,
	  "attribute 17 (ns_info) is not valid in a create-namespace request", 77 },
	{ "malformed nest", m_bad_nest_in_request, -EINVAL,
	  "attribute 17 (ns_info) > attribute 5 (size) has length 3, expected 8", 77 },
	{ "power-fail names no namespace", m_pf_no_spec, -EINVAL,
	  "power-fail request names no namespace: it needs attribute 7 (name), 8 (uuid) or 9 (dev)",
	  77 },
	{ "power-fail: 8-byte survive", m_pf_survive_u64, -EINVAL,
	  "attribute 24 (survive) has length 8, expected 4", 77 },
	{ "power-fail: 4-byte seed", m_pf_seed_short, -EINVAL,
	  "attribute 25 (seed) has length 4, expected 8", 77 },
	{ "power-fail: inject-error's flag", m_pf_flag_uninject, -EINVAL,
	  "flag 'uninject' is not valid for power-fail", 77 },
	{ "power-fail: an offset", m_pf_offset, -EINVAL,
	  "attribute 22 (offset) is not valid in a power-fail request", 77 },
	{ "power-fail: at_fsync twice", m_pf_at_fsync_dup, -EINVAL,
	  "duplicate attribute 27 (at_fsync)", 77 },
	{ "inject-error names two namespaces", m_ie_two_specs, -EINVAL,
	  "inject-error request names the namespace twice: attributes 7 (name) and 8 (uuid)", 77 },
	{ "inject-error: 4-byte length", m_ie_length_u32, -EINVAL,
	  "attribute 23 (length) has length 4, expected 8", 77 },
	{ "inject-error: power-fail's flag", m_ie_flag_kill, -EINVAL,
	  "flag 'kill' is not valid for inject-error", 77 },
	{ "inject-error: survive", m_ie_survive, -EINVAL,
	  "attribute 24 (survive) is not valid in a inject-error request", 77 },
	{ "inject-error: badblock nest without length", m_ie_bad_badblock_nest, -EINVAL,
	  "attribute 29 (badblock) > missing attribute 4 (length)", 77 },
	{ "create-namespace: power-fail's flag", m_create_flag_kill, -EINVAL,
	  "flag 'kill' is not valid for create-namespace", 77 },
};

static void assert_msg(const char *want, const char *what)
{
	const char *got = ns_errormsg();

	if (want[0] == '~') {
		if (strstr(got, want + 1) == NULL)
			fail_msg("%s: message '%s' lacks '%s'", what, got, want + 1);
	} else if (strcmp(got, want) != 0) {
		fail_msg("%s: message '%s', expected '%s'", what, got, want);
	}
}

static void test_malformed_requests(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct ctl_request req;
		uint8_t *copy;
		unsigned t;
		int rc;

		c->build(&R);
		/* exact-size heap copy: a read past the end is a real overread */
		copy = malloc(R.len);
		assert_non_null(copy);
		memcpy(copy, R.b, R.len);
		ns_err_clear();
		rc = ctl_proto_request_parse(copy, R.len, &req);
		if (rc != c->rc)
			fail_msg("%s: rc %d (%s), expected %d", c->what, rc, ns_errormsg(), c->rc);
		assert_msg(c->msg, c->what);
		if (req.seq != c->seq)
			fail_msg("%s: seq %u, expected %u", c->what, req.seq, c->seq);
		for (t = 0; t <= CTL_A_MAX; t++)
			if (req.attrs[t])
				fail_msg("%s: attribute %u left set on failure", c->what, t);
		free(copy);
	}
}

/* the valid base message and the version query in a newer version pass */
static void test_valid_raw_requests(void **state)
{
	struct ctl_request req;

	raw_create(&R);
	assert_int_equal(ctl_proto_request_parse(R.b, R.len, &req), 0);
	assert_int_equal(req.cmd, CTL_CMD_CREATE_NS);
	assert_int_equal(req.seq, 77);
	assert_int_equal(nla_get_u64(req.attrs[CTL_A_SIZE]), 4 * GiB);
	assert_string_equal(nla_get_string(req.attrs[CTL_A_NS_NAME]), "vm1");
	assert_null(req.attrs[CTL_A_NS_UUID]);

	/* a newer client may always ask which version the daemon speaks */
	raw_start(&R, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_VERSION, 7);
	raw_end(&R);
	assert_int_equal(ctl_proto_request_parse(R.b, R.len, &req), 0);
	assert_int_equal(req.cmd, CTL_CMD_VERSION);
	assert_int_equal(req.version, 7);
}

/*
 * Why the own pass exists: libnl 3.7's genlmsg_parse, even with our
 * policy, accepts a duplicate (keeping the last) and skips an unknown
 * attribute. Without a policy it also takes a 200-byte u64.
 */
static void test_libnl_alone_is_lenient(void **state)
{
	struct nlattr *tb[CTL_A_MAX + 1];
	struct ctl_request req;

	m_dup(&R);
	assert_int_equal(genlmsg_parse(raw_hdr(&R), 0, tb, CTL_A_MAX,
				       (struct nla_policy *)ctl_policy), 0);
	assert_int_equal(nla_get_u64(tb[CTL_A_SIZE]), 8 * GiB);
	assert_int_equal(ctl_proto_request_parse(R.b, R.len, &req), -EINVAL);

	m_unknown_attr(&R);
	assert_int_equal(genlmsg_parse(raw_hdr(&R), 0, tb, CTL_A_MAX,
				       (struct nla_policy *)ctl_policy), 0);
	assert_int_equal(ctl_proto_request_parse(R.b, R.len, &req), -EINVAL);

	m_u64_long(&R);
	assert_int_equal(genlmsg_parse(raw_hdr(&R), 0, tb, CTL_A_MAX, NULL), 0);
	assert_int_equal(ctl_proto_request_parse(R.b, R.len, &req), -EINVAL);
	assert_string_equal(ns_errormsg(), "attribute 10 (size) has length 200, expected 8");
}

/* ---- every command, built with libnl ---- */

static struct nl_msg *build_request(unsigned cmd)
{
	struct nl_msg *m = ctl_proto_request_new(cmd);

	assert_non_null(m);
	switch (cmd) {
	case CTL_CMD_LIST:
	case CTL_CMD_READ_LABELS:
	case CTL_CMD_CHECK_LABELS:
		assert_int_equal(ctl_put_string(m, CTL_A_REGION, "region1"), 0);
		break;
	case CTL_CMD_CREATE_NS:
		assert_int_equal(ctl_put_string(m, CTL_A_REGION, "region0"), 0);
		assert_int_equal(ctl_put_u64(m, CTL_A_SIZE, 4 * GiB), 0);
		assert_int_equal(ctl_put_string(m, CTL_A_NS_NAME, "vm1"), 0);
		assert_int_equal(ctl_put_uuid(m, CTL_A_NS_UUID, uuid1), 0);
		assert_int_equal(ctl_put_u64(m, CTL_A_ALIGN, 1 * GiB), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_FLAGS, CTL_F_READONLY | CTL_F_SPARSE |
					     CTL_F_FORCE), 0);
		break;
	case CTL_CMD_DESTROY_NS:
		assert_int_equal(ctl_put_string(m, CTL_A_REGION, "region0"), 0);
		assert_int_equal(ctl_put_uuid(m, CTL_A_NS_UUID, uuid1), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_FLAGS, CTL_F_FORCE), 0);
		break;
	case CTL_CMD_ENABLE_NS:
		assert_int_equal(ctl_put_string(m, CTL_A_NS_DEV, "namespace0.3"), 0);
		break;
	case CTL_CMD_DISABLE_NS:
		assert_int_equal(ctl_put_string(m, CTL_A_NS_NAME, "vm1"), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_FLAGS, CTL_F_FORCE), 0);
		break;
	case CTL_CMD_RENAME_NS:
		assert_int_equal(ctl_put_string(m, CTL_A_NS_NAME, "vm1"), 0);
		assert_int_equal(ctl_put_string(m, CTL_A_NEW_NAME, "vm2"), 0);
		break;
	case CTL_CMD_INIT_LABELS:
		assert_int_equal(ctl_put_string(m, CTL_A_REGION, "region0"), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_FLAGS, CTL_F_FORCE), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_LABEL_VERSION, 1), 0);
		break;
	case CTL_CMD_STATS:
		assert_int_equal(ctl_put_string(m, CTL_A_NS_DEV, "namespace0.0"), 0);
		break;
	case CTL_CMD_POWER_FAIL:
		assert_int_equal(ctl_put_string(m, CTL_A_NS_NAME, "vm1"), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_FLAGS, CTL_F_KILL), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_SURVIVE, 250000), 0);
		assert_int_equal(ctl_put_u64(m, CTL_A_SEED, 42), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_WAIT_MS, 3000), 0);
		break;
	case CTL_CMD_INJECT_ERROR:
		assert_int_equal(ctl_put_string(m, CTL_A_NS_DEV, "namespace0.1"), 0);
		assert_int_equal(ctl_put_u64(m, CTL_A_OFFSET, 8192), 0);
		assert_int_equal(ctl_put_u64(m, CTL_A_LENGTH, 512), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_FLAGS, CTL_F_UNINJECT), 0);
		break;
	case CTL_CMD_MOVE_REGION:
		assert_int_equal(ctl_put_string(m, CTL_A_REGION, "region1"), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_NVDIMM_SLOT, 3), 0);
		break;
	case CTL_CMD_BASELINE:
		assert_int_equal(ctl_put_string(m, CTL_A_NS_NAME, "vm1"), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_FLAGS, CTL_F_ENABLE), 0);
		assert_int_equal(ctl_put_u64(m, CTL_A_BASELINE_MAX, 1 << 20), 0);
		break;
	case CTL_CMD_CRASH_STATE:
		assert_int_equal(ctl_put_string(m, CTL_A_NS_NAME, "vm1"), 0);
		assert_int_equal(ctl_put_u64(m, CTL_A_STATE, 4095), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_MAX_SUBSET, 12), 0);
		assert_int_equal(ctl_put_u32(m, CTL_A_TORN, 10000), 0);
		assert_int_equal(ctl_put_u64(m, CTL_A_SEED, 7), 0);
		break;
	default:
		break;
	}
	return m;
}

static void test_every_command(void **state)
{
	unsigned cmd;

	for (cmd = 1; cmd <= CTL_CMD_MAX; cmd++) {
		struct nl_msg *m = build_request(cmd);
		struct nlmsghdr *nlh = nlmsg_hdr(m);
		struct ctl_request req;
		char ubuf[CTL_UUID_STR_LEN];
		uint8_t *copy = malloc(nlh->nlmsg_len);
		int rc;

		nlh->nlmsg_seq = 1000 + cmd;
		memcpy(copy, nlh, nlh->nlmsg_len);
		rc = ctl_proto_request_parse(copy, nlh->nlmsg_len, &req);
		if (rc)
			fail_msg("%s: rc %d: %s", ctl_proto_cmd_name(cmd), rc, ns_errormsg());
		assert_int_equal(req.cmd, cmd);
		assert_int_equal(req.version, CTL_PROTO_VERSION);
		assert_int_equal(req.seq, 1000 + cmd);

		switch (cmd) {
		case CTL_CMD_VERSION:
			assert_null(ctl_request_ns_spec(&req, ubuf));
			break;
		case CTL_CMD_LIST:
		case CTL_CMD_READ_LABELS:
		case CTL_CMD_CHECK_LABELS:
			assert_string_equal(nla_get_string(req.attrs[CTL_A_REGION]), "region1");
			break;
		case CTL_CMD_CREATE_NS:
			assert_string_equal(nla_get_string(req.attrs[CTL_A_REGION]), "region0");
			assert_int_equal(nla_get_u64(req.attrs[CTL_A_SIZE]), 4 * GiB);
			assert_int_equal(nla_get_u64(req.attrs[CTL_A_ALIGN]), 1 * GiB);
			assert_string_equal(nla_get_string(req.attrs[CTL_A_NS_NAME]), "vm1");
			assert_memory_equal(nla_data(req.attrs[CTL_A_NS_UUID]), uuid1, 16);
			assert_int_equal(ctl_request_flags(&req),
					 CTL_F_READONLY | CTL_F_SPARSE | CTL_F_FORCE);
			break;
		case CTL_CMD_DESTROY_NS:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf),
					    "6b1f3a9c-102d-4e8f-9a55-0123456789ab");
			assert_int_equal(ctl_request_flags(&req), CTL_F_FORCE);
			break;
		case CTL_CMD_ENABLE_NS:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf), "namespace0.3");
			assert_int_equal(ctl_request_flags(&req), 0);
			break;
		case CTL_CMD_DISABLE_NS:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf), "vm1");
			break;
		case CTL_CMD_RENAME_NS:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf), "vm1");
			assert_string_equal(nla_get_string(req.attrs[CTL_A_NEW_NAME]), "vm2");
			break;
		case CTL_CMD_INIT_LABELS:
			assert_int_equal(nla_get_u32(req.attrs[CTL_A_LABEL_VERSION]), 1);
			assert_int_equal(ctl_request_flags(&req), CTL_F_FORCE);
			break;
		case CTL_CMD_STATS:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf), "namespace0.0");
			break;
		case CTL_CMD_POWER_FAIL:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf), "vm1");
			assert_int_equal(ctl_request_flags(&req), CTL_F_KILL);
			assert_int_equal(nla_get_u32(req.attrs[CTL_A_SURVIVE]), 250000);
			assert_int_equal(nla_get_u64(req.attrs[CTL_A_SEED]), 42);
			assert_int_equal(nla_get_u32(req.attrs[CTL_A_WAIT_MS]), 3000);
			break;
		case CTL_CMD_INJECT_ERROR:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf), "namespace0.1");
			assert_int_equal(nla_get_u64(req.attrs[CTL_A_OFFSET]), 8192);
			assert_int_equal(nla_get_u64(req.attrs[CTL_A_LENGTH]), 512);
			assert_int_equal(ctl_request_flags(&req), CTL_F_UNINJECT);
			break;
		case CTL_CMD_MOVE_REGION:
			assert_string_equal(nla_get_string(req.attrs[CTL_A_REGION]), "region1");
			assert_int_equal(nla_get_u32(req.attrs[CTL_A_NVDIMM_SLOT]), 3);
			break;
		case CTL_CMD_BASELINE:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf), "vm1");
			assert_int_equal(nla_get_u64(req.attrs[CTL_A_BASELINE_MAX]), 1 << 20);
			break;
		case CTL_CMD_CRASH_STATE:
			assert_string_equal(ctl_request_ns_spec(&req, ubuf), "vm1");
			assert_int_equal(nla_get_u64(req.attrs[CTL_A_STATE]), 4095);
			assert_int_equal(nla_get_u32(req.attrs[CTL_A_MAX_SUBSET]), 12);
			assert_int_equal(nla_get_u32(req.attrs[CTL_A_TORN]), 10000);
			break;
		}
		free(copy);
		nlmsg_free(m);
	}
}

static void test_cmd_table(void **state)
{
	static const struct {
		unsigned cmd;
		const char *name;
		bool changes, multi;
	} want[] = {
		{ CTL_CMD_VERSION, "version", false, false },
		{ CTL_CMD_LIST, "list", false, true },
		{ CTL_CMD_CREATE_NS, "create-namespace", true, false },
		{ CTL_CMD_DESTROY_NS, "destroy-namespace", true, false },
		{ CTL_CMD_ENABLE_NS, "enable-namespace", true, false },
		{ CTL_CMD_DISABLE_NS, "disable-namespace", true, false },
		{ CTL_CMD_RENAME_NS, "rename-namespace", true, false },
		{ CTL_CMD_READ_LABELS, "read-labels", false, true },
		{ CTL_CMD_CHECK_LABELS, "check-labels", false, true },
		{ CTL_CMD_INIT_LABELS, "init-labels", true, false },
		{ CTL_CMD_STATS, "stats", false, true },
		{ CTL_CMD_POWER_FAIL, "power-fail", true, false },
		{ CTL_CMD_INJECT_ERROR, "inject-error", true, true },
		{ CTL_CMD_STATUS, "status", false, true },
		{ CTL_CMD_MOVE_REGION, "move-region", true, false },
		{ CTL_CMD_CRASH_STATE, "crash-state", true, false },
		{ CTL_CMD_HEALTH, "health", false, true },
		{ CTL_CMD_BASELINE, "baseline", true, false },
	};
	size_t i;

	assert_int_equal(sizeof(want) / sizeof(want[0]), CTL_CMD_MAX);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ctl_cmd_info *ci = ctl_proto_cmd_info(want[i].cmd);

		assert_non_null(ci);
		assert_string_equal(ci->name, want[i].name);
		assert_int_equal(ci->changes, want[i].changes);
		assert_int_equal(ci->multi, want[i].multi);
		/* required attributes are allowed ones */
		assert_int_equal(ci->required & ~ci->allowed, 0);
		assert_int_equal(ci->one_of & ~ci->allowed, 0);
	}
	assert_null(ctl_proto_cmd_info(0));
	assert_null(ctl_proto_cmd_info(CTL_CMD_MAX + 1));
	assert_string_equal(ctl_proto_cmd_name(200), "command 200");
}

/* the libnl policy and our definitions agree for every set */
static void check_set(const struct ctl_attr_set *set)
{
	unsigned t;

	for (t = 0; t <= set->maxtype; t++) {
		const struct ctl_attr_def *d = &set->defs[t];
		const struct nla_policy *p = &set->policy[t];
		static const int nl_type[] = {
			[CTL_KIND_NONE] = NLA_UNSPEC, [CTL_KIND_U8] = NLA_U8,
			[CTL_KIND_U16] = NLA_U16, [CTL_KIND_U32] = NLA_U32,
			[CTL_KIND_U64] = NLA_U64, [CTL_KIND_UUID] = NLA_UNSPEC,
			[CTL_KIND_STRING] = NLA_STRING, [CTL_KIND_NESTED] = NLA_NESTED,
		};

		if (p->type != nl_type[d->kind])
			fail_msg("%s: attribute %u (%s): policy type %u, kind %u",
				 set->name, t, d->name ? d->name : "-", p->type, d->kind);
		if (d->kind == CTL_KIND_STRING)
			assert_int_equal(p->maxlen, d->maxlen);
		if (d->kind == CTL_KIND_UUID)
			assert_true(p->minlen == 16 && p->maxlen == 16);
		if (t == 0)
			assert_int_equal(d->kind, CTL_KIND_NONE);
		if (d->kind == CTL_KIND_NESTED)
			check_set(d->nest);
		else
			assert_null(d->nest);
	}
	assert_true(set->maxtype < 64);
	assert_int_equal(set->required >> (set->maxtype + 1), 0);
}

/*
 * A pmemctl checks replies strictly: a record of an existing command that
 * grew an attribute would be refused by every older pmemctl. These sets'
 * highest attributes stay what pmemctl of 2026-12 knows
 * (control-protocol.md: new information travels in new commands).
 */
static void test_records_frozen(void **state)
{
	(void)state;
	assert_int_equal(CTL_NS_A_MAX, 13);
	assert_int_equal(CTL_REGION_A_MAX, 9);
	assert_int_equal(CTL_STATS_A_MAX, 10);
	assert_int_equal(CTL_INDEX_A_MAX, 16);
	assert_int_equal(CTL_LABEL_A_MAX, 16);
	assert_int_equal(CTL_CHECK_A_MAX, 5);
	assert_int_equal(CTL_CRASH_A_MAX, 14);
	assert_int_equal(CTL_BB_A_MAX, 4);
	assert_int_equal(CTL_HIST_BUCKETS, 24);
	assert_int_equal(CTL_REQ_MAX, 11);
}

static void test_policy_matches_defs(void **state)
{
	check_set(&ctl_attrs);
	assert_string_equal(ctl_proto_attr_name(&ctl_attrs, CTL_A_SIZE), "size");
	assert_string_equal(ctl_proto_attr_name(&ctl_attrs, 99), "?");
}

/* ---- replies and nested records ---- */

/* parse m as a reply into a heap copy the caller frees */
static uint8_t *parse_reply(struct nl_msg *m, struct ctl_reply_msg *out, int want_rc)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	uint8_t *copy = malloc(nlh->nlmsg_len);
	int rc;

	memcpy(copy, nlh, nlh->nlmsg_len);
	rc = ctl_proto_reply_parse(copy, nlh->nlmsg_len, out);
	if (rc != want_rc)
		fail_msg("reply parse rc %d (%s), expected %d", rc, ns_errormsg(), want_rc);
	return copy;
}

/* the status view's records (STATUS parts) survive the wire */
static void test_status_roundtrip(void **state)
{
	struct ctl_daemon_info di = {
		.pid = 4242, .uptime_ms = 90061000, .mount = "/mnt/pmem", .cachestat = true,
	};
	struct ctl_nsst_info si = {
		.region = "region1", .dev = "namespace1.2", .name = "vm1",
		.holders = "17 4242", .holders_known = true, .handles = 2,
		.unpersisted = 1 * MiB, .cache_dirty = 0, .cache_known = false,
		.error = 5, .crash_enabled = true, .crash_at_fsync = 3,
		.crash_logged = 7, .crashed = false, .badblocks = 1024,
		.backing = "direct", .mapped_dirty = 8192,
	};
	struct ctl_daemon_info di2;
	struct ctl_nsst_info si2;
	struct ctl_reply_msg r;
	struct nl_msg *m;
	uint8_t *buf;

	(void)state;
	m = ctl_proto_msg_new(CTL_CMD_STATUS, 9, NLM_F_MULTI);
	assert_int_equal(ctl_daemon_info_put(m, &di), 0);
	assert_int_equal(ctl_nsst_info_put(m, &si), 0);
	buf = parse_reply(m, &r, 0);
	assert_int_equal(r.cmd, CTL_CMD_STATUS);
	assert_int_equal(ctl_daemon_info_get(r.attrs[CTL_A_DAEMON], &di2), 0);
	assert_int_equal(di2.pid, 4242);
	assert_int_equal(di2.uptime_ms, 90061000);
	assert_string_equal(di2.mount, "/mnt/pmem");
	assert_true(di2.cachestat);
	assert_int_equal(ctl_nsst_info_get(r.attrs[CTL_A_NS_STATUS], &si2), 0);
	assert_string_equal(si2.region, "region1");
	assert_string_equal(si2.dev, "namespace1.2");
	assert_string_equal(si2.holders, "17 4242");
	assert_true(si2.holders_known);
	assert_int_equal(si2.handles, 2);
	assert_int_equal(si2.unpersisted, 1 * MiB);
	assert_false(si2.cache_known);
	assert_int_equal(si2.error, 5);
	assert_true(si2.crash_enabled);
	assert_int_equal(si2.crash_at_fsync, 3);
	assert_int_equal(si2.crash_logged, 7);
	assert_int_equal(si2.badblocks, 1024);
	assert_string_equal(si2.backing, "direct");
	assert_int_equal(si2.mapped_dirty, 8192);
	assert_int_equal(ctl_daemon_info_get(NULL, &di2), -EINVAL);
	free(buf);
	nlmsg_free(m);
}

static void test_records_roundtrip(void **state)
{
	struct ctl_ns_info ns = {
		.region = "region0", .dev = "namespace0.4", .name = "vm1",
		.size = 4 * GiB, .dpa = 6 * MiB, .align = 2 * MiB, .readonly = true,
		.state = "active", .reason = NULL, .path = "/mnt/pmem/region0/vm1",
	};
	struct ctl_region_info rg = {
		.dev = "region0", .path = "/srv/region0.img", .size = 64 * GiB,
		.file_size = 64 * GiB + 128 * 1024, .label_size = 128 * 1024,
		.label_version = 2, .available = 60 * GiB, .max_extent = 58 * GiB,
		.iset_id = 0xba90120012b4dcULL,
	};
	struct ctl_stats_info st = {
		.region = "region0", .dev = "namespace0.4", .name = "vm1",
		.bytes_read = 1, .bytes_written = 1ULL << 40, .bytes_persisted = 3,
		.fsyncs = 4, .errors = 5,
	};
	struct ctl_index_info ix = {
		.region = "region0", .num = 1, .valid = true, .current = true,
		.seq = 3, .myoff = 256, .mysize = 256, .otheroff = 0, .labeloff = 512,
		.nslot = 510, .major = 1, .minor = 2, .label_size = 256,
		.checksum = 0x1122334455667788ULL, .free = 500,
	};
	struct ctl_label_info lb = {
		.region = "region0", .slot = 9, .valid = false,
		.reason = "bad checksum", .name = "guest", .flags = 0x1, .nlabel = 1,
		.position = 0, .isetcookie = 0x2468ac00123456ULL, .lbasize = 512,
		.dpa = 2 * MiB, .rawsize = 2 * MiB, .checksum = 42,
	};
	struct ctl_check_info ck = {
		.region = "region0", .ok = false, .labels = 3,
		.problems = "slot 9: bad checksum\nslot 12: dpa past the data area",
	};
	struct ctl_ns_info ns2;
	struct ctl_region_info rg2;
	struct ctl_stats_info st2;
	struct ctl_index_info ix2;
	struct ctl_label_info lb2;
	struct ctl_check_info ck2;
	struct ctl_reply_msg r;
	struct nl_msg *m;
	uint8_t *buf;
	unsigned i;

	memcpy(ns.uuid, uuid1, 16);
	memcpy(lb.uuid, uuid1, 16);
	memset(lb.type_guid, 0x66, 16);
	memset(lb.abstraction_guid, 0x00, 16);
	for (i = 1; i <= CTL_REQ_MAX; i++)
		st.requests[i] = 100 + i;
	for (i = 0; i < CTL_HIST_BUCKETS; i++)
		st.flush_hist[i] = i * i;

	m = ctl_proto_msg_new(CTL_CMD_LIST, 5, NLM_F_MULTI);
	assert_int_equal(ctl_ns_info_put(m, &ns), 0);
	assert_int_equal(ctl_region_info_put(m, &rg), 0);
	assert_int_equal(ctl_stats_info_put(m, &st), 0);
	assert_int_equal(ctl_index_info_put(m, &ix), 0);
	assert_int_equal(ctl_label_info_put(m, &lb), 0);
	assert_int_equal(ctl_check_info_put(m, &ck), 0);
	buf = parse_reply(m, &r, 0);
	assert_int_equal(r.kind, CTL_REPLY_PART);
	assert_int_equal(r.cmd, CTL_CMD_LIST);
	assert_int_equal(r.seq, 5);

	assert_int_equal(ctl_ns_info_get(r.attrs[CTL_A_NS_INFO], &ns2), 0);
	assert_string_equal(ns2.region, "region0");
	assert_string_equal(ns2.dev, "namespace0.4");
	assert_string_equal(ns2.name, "vm1");
	assert_memory_equal(ns2.uuid, uuid1, 16);
	assert_int_equal(ns2.size, 4 * GiB);
	assert_int_equal(ns2.dpa, 6 * MiB);
	assert_int_equal(ns2.align, 2 * MiB);
	assert_true(ns2.readonly);
	assert_string_equal(ns2.state, "active");
	assert_null(ns2.reason);
	assert_string_equal(ns2.path, "/mnt/pmem/region0/vm1");

	assert_int_equal(ctl_region_info_get(r.attrs[CTL_A_REGION_INFO], &rg2), 0);
	assert_string_equal(rg2.dev, "region0");
	assert_string_equal(rg2.path, "/srv/region0.img");
	assert_int_equal(rg2.size, 64 * GiB);
	assert_int_equal(rg2.file_size, 64 * GiB + 128 * 1024);
	assert_int_equal(rg2.label_size, 128 * 1024);
	assert_int_equal(rg2.label_version, 2);
	assert_int_equal(rg2.available, 60 * GiB);
	assert_int_equal(rg2.max_extent, 58 * GiB);
	assert_int_equal(rg2.iset_id, 0xba90120012b4dcULL);
	/* the slot is found back from the cookie (v1.2 slot 0's) */
	assert_true(rg2.has_nvdimm_slot);
	assert_int_equal(rg2.nvdimm_slot, 0);

	assert_int_equal(ctl_stats_info_get(r.attrs[CTL_A_STATS], &st2), 0);
	assert_string_equal(st2.dev, "namespace0.4");
	assert_string_equal(st2.name, "vm1");
	assert_int_equal(st2.bytes_written, 1ULL << 40);
	assert_int_equal(st2.bytes_persisted, 3);
	assert_int_equal(st2.fsyncs, 4);
	assert_int_equal(st2.errors, 5);
	assert_memory_equal(st2.requests, st.requests, sizeof(st.requests));
	assert_memory_equal(st2.flush_hist, st.flush_hist, sizeof(st.flush_hist));

	assert_int_equal(ctl_index_info_get(r.attrs[CTL_A_INDEX], &ix2), 0);
	assert_int_equal(ix2.num, 1);
	assert_true(ix2.valid && ix2.current);
	assert_int_equal(ix2.seq, 3);
	assert_int_equal(ix2.labeloff, 512);
	assert_int_equal(ix2.nslot, 510);
	assert_int_equal(ix2.minor, 2);
	assert_int_equal(ix2.label_size, 256);
	assert_int_equal(ix2.checksum, 0x1122334455667788ULL);
	assert_int_equal(ix2.free, 500);

	assert_int_equal(ctl_label_info_get(r.attrs[CTL_A_LABEL], &lb2), 0);
	assert_int_equal(lb2.slot, 9);
	assert_false(lb2.valid);
	assert_string_equal(lb2.reason, "bad checksum");
	assert_string_equal(lb2.name, "guest");
	assert_memory_equal(lb2.uuid, uuid1, 16);
	assert_memory_equal(lb2.type_guid, lb.type_guid, 16);
	assert_int_equal(lb2.isetcookie, 0x2468ac00123456ULL);
	assert_int_equal(lb2.lbasize, 512);
	assert_int_equal(lb2.rawsize, 2 * MiB);
	assert_int_equal(lb2.checksum, 42);

	assert_int_equal(ctl_check_info_get(r.attrs[CTL_A_CHECK], &ck2), 0);
	assert_string_equal(ck2.region, "region0");
	assert_false(ck2.ok);
	assert_int_equal(ck2.labels, 3);
	assert_string_equal(ck2.problems, ck.problems);

	assert_int_equal(ctl_ns_info_get(NULL, &ns2), -EINVAL);
	free(buf);
	nlmsg_free(m);

	/*
	 * the slot is never on the wire (a pmemctl before it rejects a
	 * REGION_INFO with an attribute it does not know): found back from
	 * the cookie of either label version, 0 included, also without labels;
	 * a cookie that is no slot's has none
	 */
	for (i = 0; i < 6; i++) {
		unsigned minor = i % 2 ? 1 : 2, slot = i < 2 ? 0 : 7;
		const struct nlattr *nest, *a;
		int rem;

		rg.label_version = i < 4 ? minor : 0;
		rg.iset_id = i < 4 || i == 4 ? ns_isetcookie_qemu(minor, slot) : 0x1234;
		rg.has_nvdimm_slot = false;
		m = ctl_proto_msg_new(CTL_CMD_MOVE_REGION, 6, 0);
		assert_int_equal(ctl_region_info_put(m, &rg), 0);
		/* every attribute of the record is one a 2026-12 pmemctl knows */
		nest = nlmsg_find_attr(nlmsg_hdr(m), GENL_HDRLEN, CTL_A_REGION_INFO);
		assert_non_null(nest);
		nla_for_each_nested(a, nest, rem)
			assert_true(nla_type(a) <= CTL_REGION_A_ISET_ID);
		buf = parse_reply(m, &r, 0);
		assert_int_equal(ctl_region_info_get(r.attrs[CTL_A_REGION_INFO], &rg2), 0);
		assert_int_equal(rg2.has_nvdimm_slot, i != 5);
		if (i != 5)
			assert_int_equal(rg2.nvdimm_slot, slot);
		free(buf);
		nlmsg_free(m);
	}
}

static void test_error_and_done(void **state)
{
	struct ctl_reply_msg r;
	struct nl_msg *m;
	uint8_t *buf;
	char longmsg[3000];

	m = ctl_proto_error_new(CTL_CMD_CREATE_NS, 9, 0, ENOSPC,
				"no extent of 4 GiB in region0 (largest free extent 3 GiB)");
	buf = parse_reply(m, &r, 0);
	assert_int_equal(r.kind, CTL_REPLY_SINGLE);
	assert_int_equal(nla_get_u32(r.attrs[CTL_A_ERRNO]), ENOSPC);
	assert_string_equal(nla_get_string(r.attrs[CTL_A_ERRMSG]),
			    "no extent of 4 GiB in region0 (largest free extent 3 GiB)");
	free(buf);
	nlmsg_free(m);

	/* no message: strerror; a long one is cut to fit; a bad errno is EIO */
	m = ctl_proto_error_new(0, 9, NLM_F_MULTI, -3, "");
	buf = parse_reply(m, &r, 0);
	assert_int_equal(r.kind, CTL_REPLY_PART);
	assert_int_equal(r.cmd, 0);
	assert_int_equal(nla_get_u32(r.attrs[CTL_A_ERRNO]), EIO);
	assert_string_equal(nla_get_string(r.attrs[CTL_A_ERRMSG]), strerror(EIO));
	free(buf);
	nlmsg_free(m);

	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	m = ctl_proto_error_new(CTL_CMD_LIST, 9, 0, EINVAL, longmsg);
	buf = parse_reply(m, &r, 0);
	assert_int_equal(strlen(nla_get_string(r.attrs[CTL_A_ERRMSG])), 1023);
	free(buf);
	nlmsg_free(m);

	m = ctl_proto_done_new(9);
	buf = parse_reply(m, &r, 0);
	assert_int_equal(r.kind, CTL_REPLY_DONE);
	assert_int_equal(r.seq, 9);
	free(buf);
	nlmsg_free(m);
}

static void test_malformed_replies(void **state)
{
	struct ctl_reply_msg r;
	struct raw inner;
	uint8_t three[3] = { 0 };
	uint64_t sz = 1;

	/* a nest with a wrong inner length: named down the path */
	inner.len = 0;
	raw_str(&inner, CTL_NS_A_DEV, "namespace0.0");
	raw_attr(&inner, CTL_NS_A_UUID, uuid1, 16);
	raw_attr(&inner, CTL_NS_A_SIZE, three, sizeof(three));
	raw_start(&R, CTL_FAMILY, 0, CTL_CMD_LIST, CTL_PROTO_VERSION);
	raw_attr(&R, CTL_A_NS_INFO | NLA_F_NESTED, inner.b, inner.len);
	raw_end(&R);
	assert_int_equal(ctl_proto_reply_parse(R.b, R.len, &r), -EINVAL);
	assert_string_equal(ns_errormsg(),
			    "attribute 17 (ns_info) > attribute 5 (size) has length 3, expected 8");

	/* a nest without one of its required attributes */
	inner.len = 0;
	raw_str(&inner, CTL_NS_A_DEV, "namespace0.0");
	raw_u64(&inner, CTL_NS_A_SIZE, sz);
	raw_start(&R, CTL_FAMILY, 0, CTL_CMD_LIST, CTL_PROTO_VERSION);
	raw_attr(&R, CTL_A_NS_INFO, inner.b, inner.len);	/* no NLA_F_NESTED: fine */
	raw_end(&R);
	assert_int_equal(ctl_proto_reply_parse(R.b, R.len, &r), -EINVAL);
	assert_string_equal(ns_errormsg(), "attribute 17 (ns_info) > missing attribute 4 (uuid)");

	/* a histogram bucket past the last */
	inner.len = 0;
	raw_u64(&inner, CTL_HIST_BUCKETS + 1, 1);
	{
		struct raw st;

		st.len = 0;
		raw_str(&st, CTL_STATS_A_DEV, "namespace0.0");
		raw_attr(&st, CTL_STATS_A_FLUSH_HIST | NLA_F_NESTED, inner.b, inner.len);
		raw_start(&R, CTL_FAMILY, NLM_F_MULTI, CTL_CMD_STATS, CTL_PROTO_VERSION);
		raw_attr(&R, CTL_A_STATS | NLA_F_NESTED, st.b, st.len);
		raw_end(&R);
	}
	assert_int_equal(ctl_proto_reply_parse(R.b, R.len, &r), -EINVAL);
	assert_string_equal(ns_errormsg(),
			    "attribute 18 (stats) > attribute 10 (flush_hist) > unknown attribute 25");

	/* an error without a message, an errno that is none */
	raw_start(&R, CTL_FAMILY, 0, CTL_CMD_LIST, CTL_PROTO_VERSION);
	raw_u32(&R, CTL_A_ERRNO, EIO);
	raw_end(&R);
	assert_int_equal(ctl_proto_reply_parse(R.b, R.len, &r), -EINVAL);
	assert_string_equal(ns_errormsg(), "error reply without attribute 2 (errmsg)");
	raw_start(&R, CTL_FAMILY, 0, CTL_CMD_LIST, CTL_PROTO_VERSION);
	raw_u32(&R, CTL_A_ERRNO, 0);
	raw_str(&R, CTL_A_ERRMSG, "x");
	raw_end(&R);
	assert_int_equal(ctl_proto_reply_parse(R.b, R.len, &r), -EINVAL);
	assert_string_equal(ns_errormsg(), "attribute 1 (errno) is 0, not an errno");

	/* a reply flagged as a request; a DONE of the wrong size */
	raw_start(&R, CTL_FAMILY, NLM_F_REQUEST, CTL_CMD_LIST, CTL_PROTO_VERSION);
	raw_end(&R);
	assert_int_equal(ctl_proto_reply_parse(R.b, R.len, &r), -EBADMSG);
	raw_start(&R, NLMSG_DONE, NLM_F_MULTI, 0, 0);
	R.len += 4;
	raw_end(&R);	/* 24 bytes: one word too many */
	assert_int_equal(ctl_proto_reply_parse(R.b, R.len, &r), -EBADMSG);
	assert_string_equal(ns_errormsg(), "NLMSG_DONE message of 24 bytes, expected 20");
}

static void test_message_full(void **state)
{
	struct ctl_ns_info ns = { .dev = "namespace0.0", .size = 1 };
	struct nl_msg *m = ctl_proto_msg_new(CTL_CMD_LIST, 1, 0);
	char path[4000];
	int rc = 0, n = 0;

	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ns.path = path;
	while (rc == 0 && n < 100) {
		rc = ctl_ns_info_put(m, &ns);
		n++;
	}
	assert_int_equal(rc, -EMSGSIZE);
	/*
	 * each record takes 4112 bytes (4092, crash_test 8, badblocks 12):
	 * 7 fit after the 20 bytes of headers
	 */
	assert_int_equal(n, 8);
	assert_true(nlmsg_hdr(m)->nlmsg_len <= CTL_MSG_MAX);
	assert_string_equal(ns_errormsg(), "message too large: no room for attribute 17 in 32768 bytes");
	/* the cancelled nest left the message valid */
	{
		struct ctl_reply_msg r;
		uint8_t *buf = parse_reply(m, &r, -EINVAL);	/* 7 duplicates of ns_info */

		assert_string_equal(ns_errormsg(), "duplicate attribute 17 (ns_info)");
		free(buf);
	}
	nlmsg_free(m);
}

static void test_hist_bucket(void **state)
{
	assert_int_equal(ctl_hist_bucket(0), 0);
	assert_int_equal(ctl_hist_bucket(999), 0);		/* < 1 us */
	assert_int_equal(ctl_hist_bucket(1000), 0);		/* [1, 2) us */
	assert_int_equal(ctl_hist_bucket(2000), 1);
	assert_int_equal(ctl_hist_bucket(3999), 1);
	assert_int_equal(ctl_hist_bucket(4000), 2);
	assert_int_equal(ctl_hist_bucket(1000000), 9);		/* 1 ms: [512, 1024) us */
	assert_int_equal(ctl_hist_bucket(8388608000ULL), 23);	/* 2^23 us */
	assert_int_equal(ctl_hist_bucket(UINT64_MAX), CTL_HIST_BUCKETS - 1);
	assert_string_equal(ctl_stat_req_name(CTL_REQ_FSYNC), "fsync");
	assert_null(ctl_stat_req_name(0));
	assert_null(ctl_stat_req_name(CTL_REQ_MAX + 1));
}

/* ---- media error lists (badblocks.h) ---- */

static void bb_expect(const struct ns_badblocks *bb, const uint64_t *want, size_t n)
{
	size_t i;

	if (bb->n != n)
		fail_msg("%zu ranges, expected %zu", bb->n, n);
	for (i = 0; i < n; i++)
		if (bb->v[i].off != want[2 * i] || bb->v[i].len != want[2 * i + 1])
			fail_msg("range %zu is %llu+%llu, expected %llu+%llu", i,
				 (unsigned long long)bb->v[i].off, (unsigned long long)bb->v[i].len,
				 (unsigned long long)want[2 * i], (unsigned long long)want[2 * i + 1]);
}

static void test_badblocks(void **state)
{
	struct ns_badblocks bb = { 0 };
	struct ns_bb_range out[4];
	char dir[] = "/tmp/test-bb-XXXXXX", region[64], side[80], victim[80], line[256];
	struct ns_bb_id id, other;
	FILE *f;
	DIR *dh;
	struct dirent *e;

	/* widened to blocks, merged when touching, sorted */
	assert_int_equal(ns_bb_add(&bb, 1000, 10), 0);
	bb_expect(&bb, (uint64_t[]){ 512, 512 }, 1);
	assert_int_equal(ns_bb_add(&bb, 4096, 512), 0);
	assert_int_equal(ns_bb_add(&bb, 0, 1), 0);
	bb_expect(&bb, (uint64_t[]){ 0, 1024, 4096, 512 }, 2);
	assert_int_equal(ns_bb_add(&bb, 1024, 3072), 0);
	bb_expect(&bb, (uint64_t[]){ 0, 4608 }, 1);
	assert_true(ns_bb_overlaps(&bb, 4607, 1));
	assert_false(ns_bb_overlaps(&bb, 4608, 100));

	/* only whole blocks clear; a middle clear splits */
	assert_int_equal(ns_bb_clear(&bb, 100, 500), 0);
	assert_int_equal(ns_bb_clear(&bb, 1024, 1024), 1024);
	bb_expect(&bb, (uint64_t[]){ 0, 1024, 2048, 2560 }, 2);
	assert_int_equal(ns_bb_clear(&bb, 0, 512), 512);
	assert_int_equal(ns_bb_clear(&bb, 4096, 4096), 512);
	bb_expect(&bb, (uint64_t[]){ 512, 512, 2048, 2048 }, 2);

	/* clipped to a namespace, relative to it */
	assert_int_equal(ns_bb_clip(&bb, 1024, 2048, out, 4), 1);
	assert_int_equal(out[0].off, 1024);
	assert_int_equal(out[0].len, 1024);
	assert_int_equal(ns_bb_bytes(&bb, 0, UINT64_MAX), 2560);
	assert_int_equal(ns_bb_bytes(&bb, 768, 1536), 256 + 256);

	/* the sidecar: round trip, malformed lines, empty removes it */
	assert_non_null(mkdtemp(dir));
	snprintf(region, sizeof(region), "%s/r.img", dir);
	snprintf(side, sizeof(side), "%s.badblocks", region);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(region, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(ns_bb_id_of_path(region, &id), 0);
	assert_int_equal(ns_bb_save(region, &id, &bb), 0);
	ns_bb_reset(&bb);
	assert_int_equal(ns_bb_load(region, &id, &bb), 0);
	bb_expect(&bb, (uint64_t[]){ 512, 512, 2048, 2048 }, 2);
	f = fopen(side, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(strncmp(line, "region ino=", 11), 0);	/* the identity */
	fclose(f);

	/* another region file at the path: stale, read as none */
	other = id;
	other.ino++;
	assert_int_equal(ns_bb_load(region, &other, &bb), NS_BB_STALE);
	assert_non_null(strstr(ns_errormsg(), "another region file"));
	assert_int_equal(bb.n, 0);
	other = id;
	other.btime_nsec = (other.btime_nsec + 1) % 1000000000u;
	if (id.has_btime)
		assert_int_equal(ns_bb_load(region, &other, &bb), NS_BB_STALE);
	/* no check asked, or an old sidecar without identity: read */
	assert_int_equal(ns_bb_load(region, NULL, &bb), 0);
	assert_int_equal(bb.n, 2);
	f = fopen(side, "w");
	assert_non_null(f);
	fputs("# old\n512 512\n", f);
	fclose(f);
	assert_int_equal(ns_bb_load(region, &other, &bb), 0);
	bb_expect(&bb, (uint64_t[]){ 512, 512 }, 1);

	/* a link planted at the sidecar or at any temporary name is never
	 * followed: the victim stays; the save replaces the link */
	f = fopen(victim, "w");
	assert_non_null(f);
	fputs("precious\n", f);
	fclose(f);
	unlink(side);
	assert_int_equal(symlink(victim, side), 0);
	assert_int_equal(ns_bb_load(region, &id, &bb), -ELOOP);
	snprintf(line, sizeof(line), "%s.tmp", side);
	assert_int_equal(symlink(victim, line), 0);
	assert_int_equal(ns_bb_add(&bb, 0, 512), 0);
	assert_int_equal(ns_bb_save(region, &id, &bb), 0);
	f = fopen(victim, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "precious\n");
	fclose(f);
	assert_int_equal(ns_bb_load(region, &id, &bb), 0);
	bb_expect(&bb, (uint64_t[]){ 0, 512 }, 1);
	snprintf(line, sizeof(line), "%s.tmp", side);
	unlink(line);

	f = fopen(side, "w");
	assert_non_null(f);
	fputs("# x\n512 100\n", f);
	fclose(f);
	assert_int_equal(ns_bb_load(region, &id, &bb), -EINVAL);
	assert_non_null(strstr(ns_errormsg(), "line 2"));
	assert_int_equal(bb.n, 0);
	assert_int_equal(ns_bb_save(region, &id, &bb), 0);
	assert_int_equal(access(side, F_OK), -1);
	assert_int_equal(ns_bb_load(region, &id, &bb), 0);	/* no file: none */
	assert_int_equal(bb.n, 0);

	/* create-region's clean-up: a sidecar left there is removed */
	f = fopen(side, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(ns_bb_remove_stale(region), 1);
	assert_int_equal(access(side, F_OK), -1);
	assert_int_equal(ns_bb_remove_stale(region), 0);

	/* nothing else left behind (temporary files) */
	unlink(region);
	unlink(victim);
	dh = opendir(dir);
	assert_non_null(dh);
	while ((e = readdir(dh)))
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")))
			fail_msg("left in the directory: %s", e->d_name);
	closedir(dh);
	assert_int_equal(rmdir(dir), 0);
	ns_bb_free(&bb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_table),
		cmocka_unit_test(test_policy_matches_defs),
		cmocka_unit_test(test_records_frozen),
		cmocka_unit_test(test_every_command),
		cmocka_unit_test(test_valid_raw_requests),
		cmocka_unit_test(test_malformed_requests),
		cmocka_unit_test(test_libnl_alone_is_lenient),
		cmocka_unit_test(test_records_roundtrip),
		cmocka_unit_test(test_status_roundtrip),
		cmocka_unit_test(test_error_and_done),
		cmocka_unit_test(test_malformed_replies),
		cmocka_unit_test(test_message_full),
		cmocka_unit_test(test_hist_bucket),
		cmocka_unit_test(test_badblocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
