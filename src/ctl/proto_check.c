/* SPDX-License-Identifier: MIT */
/*
 * Validation of received messages (steps 2-7 in proto.h): framing, the
 * headers, libnl's parse, our own pass over the raw attributes against
 * the tables of proto_schema.c, and what each command takes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/errno.h>

#include "ns/error.h"
#include "ctl/proto.h"
#include "ctl/proto_int.h"

/* "name 'aaaa...' is 64 bytes, at most 63": n bytes at s, no NUL counted */
static int ctl_string_too_long(const struct ctl_attr_def *def, const char *s, size_t n)
{
	char shown[36];
	size_t i;

	for (i = 0; i < n && i < 32; i++)
		shown[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ? '?' : s[i];
	snprintf(shown + i, sizeof(shown) - i, "%s", i < n ? "..." : "");
	return ns_err(-EINVAL, "%s '%s' is %zu bytes, at most %u", def->what, shown, n,
		      def->maxlen - 1u);
}

int ctl_proto_string_check(unsigned type, const char *s)
{
	const struct ctl_attr_def *def;
	size_t n;

	if (type == 0 || type > CTL_A_MAX || !s)
		return 0;
	def = &ctl_defs[type];
	if (def->kind != CTL_KIND_STRING || !def->what)
		return 0;
	n = strlen(s);
	return n + 1 > def->maxlen ? ctl_string_too_long(def, s, n) : 0;
}

bool ctl_proto_schema_refusal(int rc, const char *msg)
{
	if (!msg)
		return false;
	if (rc == -EOPNOTSUPP)
		return strncmp(msg, "unknown command ", 16) == 0;
	if (rc != -EINVAL)
		return false;
	/* the messages of ctl_attrs_check and ctl_request_check below */
	return strstr(msg, "unknown attribute ") != NULL ||
	       (strncmp(msg, "attribute ", 10) == 0 && strstr(msg, " is not valid in a ")) ||
	       (strncmp(msg, "flag '", 6) == 0 && strstr(msg, "' is not valid for ")) ||
	       strncmp(msg, "unknown flags ", 14) == 0;
}

/* ---- our own pass over the raw attributes ---- */

static size_t ctl_kind_len(enum ctl_kind k)
{
	switch (k) {
	case CTL_KIND_U8:
		return 1;
	case CTL_KIND_U16:
		return 2;
	case CTL_KIND_U32:
		return 4;
	case CTL_KIND_U64:
		return 8;
	case CTL_KIND_UUID:
		return 16;
	default:
		return 0;
	}
}

/* lowest set bit's index of a non-zero mask */
static unsigned ctl_first_bit(uint64_t m)
{
	return (unsigned)__builtin_ctzll(m);
}

/*
 * Check the len bytes of attributes at p (4-byte aligned) against set.
 * ctx prefixes messages ("attribute 17 (ns_info) > ") for nested sets.
 */
static int ctl_attrs_check(const struct ctl_attr_set *set, const uint8_t *p,
			   size_t len, const char *ctx)
{
	uint64_t seen = 0;
	size_t off = 0;

	while (off < len) {
		const struct ctl_attr_def *def;
		const uint8_t *data;
		struct nlattr hdr;
		size_t rem = len - off, plen, want;
		unsigned type, flags;

		if (rem < NLA_HDRLEN)
			return ns_err(-EINVAL, "%s%zu bytes after the last attribute",
				      ctx, rem);
		memcpy(&hdr, p + off, sizeof(hdr));
		type = hdr.nla_type & NLA_TYPE_MASK;
		flags = hdr.nla_type & ~NLA_TYPE_MASK;
		if (hdr.nla_len < NLA_HDRLEN)
			return ns_err(-EINVAL,
				      "%sattribute %u at offset %zu has length %u, less than its %d-byte header",
				      ctx, type, off, hdr.nla_len, NLA_HDRLEN);
		if (NLA_ALIGN((size_t)hdr.nla_len) > rem)
			return ns_err(-EINVAL,
				      "%sattribute %u at offset %zu has length %u, past the end (%zu bytes left)",
				      ctx, type, off, hdr.nla_len, rem);
		def = type >= 1 && type <= set->maxtype ? &set->defs[type] : NULL;
		if (def == NULL || def->kind == CTL_KIND_NONE)
			return ns_err(-EINVAL, "%sunknown attribute %u", ctx, type);
		if ((flags & NLA_F_NET_BYTEORDER) ||
		    ((flags & NLA_F_NESTED) && def->kind != CTL_KIND_NESTED))
			return ns_err(-EINVAL, "%sattribute %u (%s) has flag bits %#x",
				      ctx, type, def->name, flags);
		if (seen & CTL_BIT(type))
			return ns_err(-EINVAL, "%sduplicate attribute %u (%s)",
				      ctx, type, def->name);
		seen |= CTL_BIT(type);

		data = p + off + NLA_HDRLEN;
		plen = hdr.nla_len - NLA_HDRLEN;
		switch (def->kind) {
		case CTL_KIND_STRING:
			/* a user's string (an old pmemctl did not check it): user terms */
			if (plen > def->maxlen && def->what && data[plen - 1] == '\0' &&
			    !memchr(data, '\0', plen - 1))
				return ctl_string_too_long(def, (const char *)data, plen - 1);
			if (plen > def->maxlen)
				return ns_err(-EINVAL,
					      "%sattribute %u (%s) has length %zu, at most %u allowed",
					      ctx, type, def->name, plen, def->maxlen);
			if (plen == 0 || data[plen - 1] != '\0')
				return ns_err(-EINVAL,
					      "%sattribute %u (%s) is not a NUL-terminated string",
					      ctx, type, def->name);
			if (memchr(data, '\0', plen - 1))
				return ns_err(-EINVAL,
					      "%sattribute %u (%s) has a NUL byte inside the string",
					      ctx, type, def->name);
			break;
		case CTL_KIND_NESTED: {
			char sub[256];
			int rc;

			snprintf(sub, sizeof(sub), "%sattribute %u (%s) > ",
				 ctx, type, def->name);
			rc = ctl_attrs_check(def->nest, data, plen, sub);
			if (rc)
				return rc;
			break;
		}
		default:
			want = ctl_kind_len(def->kind);
			if (plen != want)
				return ns_err(-EINVAL,
					      "%sattribute %u (%s) has length %zu, expected %zu",
					      ctx, type, def->name, plen, want);
			break;
		}
		off += NLA_ALIGN((size_t)hdr.nla_len);
	}

	if (set->required & ~seen) {
		unsigned t = ctl_first_bit(set->required & ~seen);

		return ns_err(-EINVAL, "%smissing attribute %u (%s)",
			      ctx, t, set->defs[t].name);
	}
	return 0;
}

/* step 7: what the command takes */
static int ctl_request_check(const struct ctl_cmd_info *ci,
			     struct nlattr *const attrs[CTL_A_MAX + 1])
{
	uint64_t present = 0, sel;
	unsigned t;

	for (t = 1; t <= CTL_A_MAX; t++)
		if (attrs[t])
			present |= CTL_BIT(t);

	if (present & ~ci->allowed) {
		t = ctl_first_bit(present & ~ci->allowed);
		return ns_err(-EINVAL, "attribute %u (%s) is not valid in a %s request",
			      t, ctl_defs[t].name, ci->name);
	}
	if (ci->required & ~present) {
		t = ctl_first_bit(ci->required & ~present);
		return ns_err(-EINVAL, "missing attribute %u (%s) in %s request",
			      t, ctl_defs[t].name, ci->name);
	}
	sel = present & ci->one_of;
	if (sel & (sel - 1)) {
		unsigned a = ctl_first_bit(sel), b = ctl_first_bit(sel & (sel - 1));

		return ns_err(-EINVAL,
			      "%s request names the namespace twice: attributes %u (%s) and %u (%s)",
			      ci->name, a, ctl_defs[a].name, b, ctl_defs[b].name);
	}
	if (ci->one_of_required && sel == 0)
		return ns_err(-EINVAL,
			      "%s request names no namespace: it needs attribute %u (name), %u (uuid) or %u (dev)",
			      ci->name, CTL_A_NS_NAME, CTL_A_NS_UUID, CTL_A_NS_DEV);
	if (attrs[CTL_A_FLAGS]) {
		uint32_t f = nla_get_u32(attrs[CTL_A_FLAGS]);
		size_t i;

		for (i = 0; i < ctl_flag_names_n; i++) {
			if ((f & ctl_flag_names[i].bit) && !(ci->flags & ctl_flag_names[i].bit))
				return ns_err(-EINVAL, "flag '%s' is not valid for %s",
					      ctl_flag_names[i].name, ci->name);
			f &= ~ctl_flag_names[i].bit;
		}
		if (f)
			return ns_err(-EINVAL, "unknown flags %#x in attribute %u (flags)",
				      f, CTL_A_FLAGS);
	}
	return 0;
}

/* steps 2-3 (framing) common to requests and replies */
static int ctl_frame_check(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;

	if (len < NLMSG_HDRLEN)
		return ns_err(-EBADMSG,
			      "message of %zu bytes is shorter than a netlink header (%d bytes)",
			      len, NLMSG_HDRLEN);
	if (nlh->nlmsg_len != len)
		return ns_err(-EBADMSG, "nlmsg_len %u does not match the %zu bytes received",
			      nlh->nlmsg_len, len);
	if (len % NLMSG_ALIGNTO)
		return ns_err(-EBADMSG, "nlmsg_len %zu is not a multiple of %d",
			      len, NLMSG_ALIGNTO);
	return 0;
}

/* steps 4 (genl header and version) to 6 */
static int ctl_genl_check(struct nlmsghdr *nlh, size_t len, bool reply,
			  unsigned *cmd, unsigned *version, struct nlattr **attrs)
{
	const struct genlmsghdr *gh;
	int rc, nlrc;

	if (len < NLMSG_HDRLEN + GENL_HDRLEN)
		return ns_err(-EBADMSG,
			      "message of %zu bytes has no generic netlink header (%zu bytes needed)",
			      len, (size_t)(NLMSG_HDRLEN + GENL_HDRLEN));
	gh = nlmsg_data(nlh);
	*cmd = gh->cmd;
	*version = gh->version;
	/* replies to requests whose command could not be read carry cmd 0 */
	if (ctl_proto_cmd_info(gh->cmd) == NULL && !(reply && gh->cmd == CTL_CMD_UNSPEC))
		return ns_err(-EOPNOTSUPP, "unknown command %u", gh->cmd);
	if (gh->version != CTL_PROTO_VERSION && gh->cmd != CTL_CMD_VERSION)
		return ns_err(-EPROTONOSUPPORT,
			      "protocol version %u is not supported (this side speaks version %u)",
			      gh->version, CTL_PROTO_VERSION);

	/*
	 * libnl first, then our own pass; when libnl refuses, our pass
	 * (stricter) says precisely why.
	 */
	/* genlmsg_parse(nlh, 0, ...) is this; without libnl-genl */
	nlrc = nlmsg_parse(nlh, GENL_HDRLEN, attrs, CTL_A_MAX, (struct nla_policy *)ctl_policy);
	rc = ctl_attrs_check(&ctl_attrs, (const uint8_t *)nlh + NLMSG_HDRLEN + GENL_HDRLEN,
			     len - NLMSG_HDRLEN - GENL_HDRLEN, "");
	if (rc)
		return rc;
	if (nlrc < 0)
		return ns_err(-EINVAL, "attributes refused by libnl: %s", nl_geterror(nlrc));
	return 0;
}

int ctl_proto_request_parse(void *buf, size_t len, struct ctl_request *req)
{
	struct nlmsghdr *nlh = buf;
	const struct ctl_cmd_info *ci;
	int rc;

	memset(req, 0, sizeof(*req));
	rc = ctl_frame_check(buf, len);
	if (len >= NLMSG_HDRLEN)
		req->seq = nlh->nlmsg_seq;
	if (rc)
		goto fail;
	if (nlh->nlmsg_type != CTL_FAMILY) {
		rc = ns_err(-EPROTO, "nlmsg_type %#x is not the pmemfs control family %#x",
			    nlh->nlmsg_type, CTL_FAMILY);
		goto fail;
	}
	if (!(nlh->nlmsg_flags & NLM_F_REQUEST)) {
		rc = ns_err(-EBADMSG, "message is not a request (NLM_F_REQUEST not set)");
		goto fail;
	}
	rc = ctl_genl_check(nlh, len, false, &req->cmd, &req->version, req->attrs);
	if (rc)
		goto fail;
	ci = ctl_proto_cmd_info(req->cmd);
	rc = ctl_request_check(ci, req->attrs);
	if (rc)
		goto fail;
	return 0;
fail:
	memset(req->attrs, 0, sizeof(req->attrs));
	return rc;
}

int ctl_proto_reply_parse(void *buf, size_t len, struct ctl_reply_msg *out)
{
	struct nlmsghdr *nlh = buf;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ctl_frame_check(buf, len);
	if (rc)
		return rc;
	out->seq = nlh->nlmsg_seq;
	if (nlh->nlmsg_flags & NLM_F_REQUEST)
		return ns_err(-EBADMSG, "reply has NLM_F_REQUEST set");
	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (len != NLMSG_HDRLEN + sizeof(int32_t))
			return ns_err(-EBADMSG, "NLMSG_DONE message of %zu bytes, expected %zu",
				      len, NLMSG_HDRLEN + sizeof(int32_t));
		out->kind = CTL_REPLY_DONE;
		return 0;
	}
	if (nlh->nlmsg_type != CTL_FAMILY)
		return ns_err(-EPROTO, "nlmsg_type %#x is not the pmemfs control family %#x",
			      nlh->nlmsg_type, CTL_FAMILY);
	out->kind = (nlh->nlmsg_flags & NLM_F_MULTI) ? CTL_REPLY_PART : CTL_REPLY_SINGLE;
	rc = ctl_genl_check(nlh, len, true, &out->cmd, &out->version, out->attrs);
	if (rc == 0 && out->attrs[CTL_A_ERRNO]) {
		uint32_t e = nla_get_u32(out->attrs[CTL_A_ERRNO]);

		if (e == 0 || e > 4095)
			rc = ns_err(-EINVAL, "attribute %u (errno) is %u, not an errno",
				    CTL_A_ERRNO, e);
		else if (!out->attrs[CTL_A_ERRMSG])
			rc = ns_err(-EINVAL, "error reply without attribute %u (errmsg)",
				    CTL_A_ERRMSG);
	}
	if (rc)
		memset(out->attrs, 0, sizeof(out->attrs));
	return rc;
}
