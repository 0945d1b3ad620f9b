/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the control protocol's parsers, on the bytes as a
 * packet delivers them:
 *   - ctl_proto_request_parse(), what the daemon's server thread runs on
 *     every packet it receives (after its MSG_TRUNC and size check, which
 *     refuse packets over CTL_MSG_MAX before any parsing, so those are
 *     skipped here); then, as the server does, the error reply built from
 *     the rejection, which must itself parse as a reply;
 *   - ctl_proto_reply_parse(), what pmemctl runs on every packet from a
 *     daemon, followed by the record getters on whatever it accepted.
 * Each parser gets its own exact-size heap copy, so a read one byte past
 * the packet is an AddressSanitizer report (libnl itself is not
 * instrumented: the checks before genlmsg_parse are what keep it inside).
 *
 * Built by tests/fuzz/meson.build as the other targets are: replay_ctl in
 * every build (suite reliability), ctl_fuzz with CC=clang -Dfuzz=true:
 *   ./tests/fuzz/ctl_fuzz -max_total_time=10 NEWDIR tests/fuzz/corpus/ctl
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "ns/error.h"
#include "ctl/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *copy_of(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (buf == NULL)
		abort();
	if (size)
		memcpy(buf, data, size);
	return buf;
}

/* a volatile sink so that the getters' reads are not optimised away */
static volatile uint64_t sink;

static void touch_request(const struct ctl_request *req)
{
	char ubuf[CTL_UUID_STR_LEN];
	const char *spec = ctl_request_ns_spec(req, ubuf);
	unsigned t;

	if (spec)
		sink += strlen(spec);
	sink += ctl_request_flags(req);
	for (t = 1; t <= CTL_A_MAX; t++) {
		const struct nlattr *a = req->attrs[t];

		if (a == NULL)
			continue;
		switch (ctl_attrs.defs[t].kind) {
		case CTL_KIND_U32:
			sink += nla_get_u32((struct nlattr *)a);
			break;
		case CTL_KIND_U64:
			sink += nla_get_u64((struct nlattr *)a);
			break;
		case CTL_KIND_STRING:
			sink += strlen(nla_get_string((struct nlattr *)a));
			break;
		default:
			sink += (uint64_t)nla_len(a);
			break;
		}
	}
}

static void touch_reply(const struct ctl_reply_msg *r)
{
	struct ctl_ns_info ns;
	struct ctl_region_info rg;
	struct ctl_stats_info st;
	struct ctl_index_info ix;
	struct ctl_label_info lb;
	struct ctl_check_info ck;

	if (r->attrs[CTL_A_ERRMSG])
		sink += strlen(nla_get_string(r->attrs[CTL_A_ERRMSG]));
	if (ctl_ns_info_get(r->attrs[CTL_A_NS_INFO], &ns) == 0)
		sink += ns.size + (ns.path ? strlen(ns.path) : 0) + strlen(ns.dev);
	if (ctl_region_info_get(r->attrs[CTL_A_REGION_INFO], &rg) == 0)
		sink += rg.size + strlen(rg.dev);
	if (ctl_stats_info_get(r->attrs[CTL_A_STATS], &st) == 0)
		sink += st.requests[CTL_REQ_FSYNC] + st.flush_hist[CTL_HIST_BUCKETS - 1];
	if (ctl_index_info_get(r->attrs[CTL_A_INDEX], &ix) == 0)
		sink += ix.nslot;
	if (ctl_label_info_get(r->attrs[CTL_A_LABEL], &lb) == 0)
		sink += lb.rawsize + (lb.name ? strlen(lb.name) : 0);
	if (ctl_check_info_get(r->attrs[CTL_A_CHECK], &ck) == 0)
		sink += ck.labels + strlen(ck.region);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	struct ctl_reply_msg r;
	uint8_t *buf;
	int rc;

	if (size > CTL_MSG_MAX)
		return 0;	/* the server refuses these before parsing */

	/* the daemon's side */
	buf = copy_of(data, size);
	ns_err_clear();
	rc = ctl_proto_request_parse(buf, size, &req);
	if (rc == 0) {
		touch_request(&req);
	} else {
		/* every rejection says why, and its error reply is well formed */
		struct nl_msg *m;
		struct nlmsghdr *nlh;
		uint8_t *rb;

		if (ns_errormsg()[0] == '\0')
			abort();
		m = ctl_proto_error_new(ctl_proto_cmd_info(req.cmd) ? req.cmd : CTL_CMD_UNSPEC,
					req.seq, 0, ns_err_to_errno(rc), ns_errormsg());
		if (m == NULL)
			abort();
		nlh = nlmsg_hdr(m);
		rb = copy_of((const uint8_t *)nlh, nlh->nlmsg_len);
		if (ctl_proto_reply_parse(rb, nlh->nlmsg_len, &r) != 0 ||
		    r.attrs[CTL_A_ERRNO] == NULL)
			abort();
		free(rb);
		nlmsg_free(m);
	}
	free(buf);

	/* the CLI's side */
	buf = copy_of(data, size);
	ns_err_clear();
	rc = ctl_proto_reply_parse(buf, size, &r);
	if (rc == 0)
		touch_reply(&r);
	else if (ns_errormsg()[0] == '\0')
		abort();
	free(buf);
	return 0;
}
