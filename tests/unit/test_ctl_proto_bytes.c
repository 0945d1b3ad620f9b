/* SPDX-License-Identifier: MIT */
/*
 * The control protocol's encoding and tables, byte for byte: every record
 * type, every request, an error reply and a DONE message built with fixed
 * values, and the whole schema (every set's attribute definitions, libnl
 * policies and required masks, every command's rules), dumped as text and
 * compared with $PMEMFS_TESTDATA/ctl-proto-encoding.txt. The fixture was
 * written by this program built against the protocol code before its
 * schema was declared once (src/ctl/proto_schema.h); a difference is a
 * change of the wire format or of what a receiver accepts.
 *
 * test_ctl_proto_bytes --dump prints the dump instead (to renew the
 * fixture after a deliberate, compatible protocol change).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>

#include "ns/error.h"
#include "ctl/proto.h"

struct dump {
	char *buf;
	size_t len, cap;
};

static void out(struct dump *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (d->len + (size_t)n + 1 > d->cap) {
		d->cap = (d->len + (size_t)n + 1) * 2;
		d->buf = realloc(d->buf, d->cap);
		assert_non_null(d->buf);
	}
	va_start(ap, fmt);
	vsnprintf(d->buf + d->len, d->cap - d->len, fmt, ap);
	va_end(ap);
	d->len += (size_t)n;
}

static void out_msg(struct dump *d, const char *what, struct nl_msg *m)
{
	const struct nlmsghdr *nlh;
	const uint8_t *p;
	uint32_t i;

	assert_non_null(m);
	nlh = nlmsg_hdr(m);
	p = (const uint8_t *)nlh;
	out(d, "msg %s len %u:", what, nlh->nlmsg_len);
	for (i = 0; i < nlh->nlmsg_len; i++)
		out(d, "%s%02x", i % 32 ? "" : "\n ", p[i]);
	out(d, "\n");
}

static const uint8_t U1[16] = { 0x6b, 0x1f, 0x3a, 0x9c, 0x10, 0x2d, 0x4e, 0x8f,
				0x9a, 0x55, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab };
static const uint8_t U2[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t U3[16] = { 0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
				0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f };

/*
 * Put a record into a reply, parse the reply, get the record back and put
 * it again: the second encoding must equal the first (get reads every
 * field put wrote).
 */
#define RECORD(d, what, cmd, type, T, rec)                                            \
	do {                                                                          \
		struct nl_msg *m1 = ctl_proto_msg_new(cmd, 41, NLM_F_MULTI);          \
		struct nl_msg *m2 = ctl_proto_msg_new(cmd, 41, NLM_F_MULTI);          \
		struct ctl_reply_msg r;                                               \
		struct T back;                                                        \
		uint8_t *copy;                                                        \
		uint32_t n;                                                           \
                                                                                      \
		assert_int_equal(T##_put(m1, &(rec)), 0);                             \
		out_msg(d, what, m1);                                                 \
		n = nlmsg_hdr(m1)->nlmsg_len;                                         \
		copy = malloc(n);                                                     \
		memcpy(copy, nlmsg_hdr(m1), n);                                       \
		if (ctl_proto_reply_parse(copy, n, &r))                               \
			fail_msg("%s: %s", what, ns_errormsg());                      \
		assert_int_equal(T##_get(r.attrs[type], &back), 0);                   \
		assert_int_equal(T##_put(m2, &back), 0);                              \
		assert_int_equal(nlmsg_hdr(m2)->nlmsg_len, n);                        \
		assert_memory_equal(nlmsg_hdr(m2), nlmsg_hdr(m1), n);                 \
		free(copy);                                                           \
		nlmsg_free(m1);                                                       \
		nlmsg_free(m2);                                                       \
	} while (0)

static void dump_records(struct dump *d)
{
	struct ctl_ns_info ns = {
		.region = "region3", .dev = "namespace3.7", .name = "vm-disk",
		.size = 0x123456789000ULL, .dpa = 0x1000000, .align = 0x200000,
		.readonly = true, .state = "active", .reason = "because",
		.path = "/mnt/pmem/namespace3.7", .crash_test = true, .badblocks = 4096,
	};
	struct ctl_ns_info ns0 = { .dev = "namespace0.0", .size = 1 };
	struct ctl_region_info rg = {
		.dev = "region1", .path = "/srv/r1.img", .size = 0x40000000,
		.file_size = 0x40020000, .label_size = 0x20000, .label_version = 2,
		.available = 0x30000000, .max_extent = 0x20000000,
		.iset_id = 0x1122334455667788ULL,
	};
	struct ctl_stats_info st = {
		.region = "region0", .dev = "namespace0.0", .name = "db",
		.bytes_read = 11, .bytes_written = 22, .bytes_persisted = 33,
		.fsyncs = 44, .errors = 55,
	};
	struct ctl_index_info ix = {
		.region = "region2", .num = 1, .valid = true, .current = true,
		.reason = "bad checksum", .seq = 3, .myoff = 0x100, .mysize = 0x200,
		.otheroff = 0x300, .labeloff = 0x400, .nslot = 510, .major = 1,
		.minor = 2, .label_size = 256, .checksum = 0xdeadbeefcafef00dULL,
		.free = 507,
	};
	struct ctl_label_info lb = {
		.region = "region2", .slot = 9, .valid = true, .reason = "torn",
		.name = "label-name", .flags = 0x8, .nlabel = 1, .position = 0,
		.isetcookie = 0xabcdef0123456789ULL, .lbasize = 512, .dpa = 0x2000,
		.rawsize = 0x100000, .checksum = 0x0102030405060708ULL,
	};
	struct ctl_check_info ck = {
		.region = "region0", .ok = true, .labels = 7,
		.problems = "one\ntwo", .badblocks = 1536,
	};
	struct ctl_crash_info cr = {
		.region = "region0", .dev = "namespace0.1", .name = "t", .enabled = true,
		.action = "reverted", .pages_logged = 1, .pages_reverted = 2,
		.pages_kept = 3, .fsyncs = 4, .reverts = 5, .time_ns = 6,
		.at_fsync = 7, .killed = 8, .reverting = true,
	};
	struct ctl_bb_info bb = {
		.region = "region0", .dev = "namespace0.1", .offset = 4096, .length = 512,
	};
	struct ctl_daemon_info dm = {
		.pid = 4242, .uptime_ms = 90061000, .mount = "/mnt/pmem", .cachestat = true,
	};
	struct ctl_nsst_info ss = {
		.region = "region1", .dev = "namespace1.2", .name = "vm1",
		.holders = "17 4242", .holders_known = true, .handles = 2,
		.unpersisted = 1048576, .cache_dirty = 12288, .cache_known = true,
		.error = 5, .crash_enabled = true, .crash_at_fsync = 3,
		.crash_logged = 7, .crashed = true, .badblocks = 1024,
		.backing = "direct", .mapped_dirty = 8192,
	};
	struct ctl_health_info hh = {
		.region = "region0", .count_known = true, .shutdown_count = 3,
		.state_known = true, .dirty = true, .note = "why",
	};
	unsigned i;

	memcpy(ns.uuid, U1, 16);
	memcpy(lb.uuid, U1, 16);
	memcpy(lb.type_guid, U2, 16);
	memcpy(lb.abstraction_guid, U3, 16);
	for (i = 0; i <= CTL_REQ_MAX; i++)
		st.requests[i] = 1000 + i;
	for (i = 0; i < CTL_HIST_BUCKETS; i++)
		st.flush_hist[i] = 2000 + i;

	RECORD(d, "ns_info", CTL_CMD_LIST, CTL_A_NS_INFO, ctl_ns_info, ns);
	RECORD(d, "ns_info-minimal", CTL_CMD_LIST, CTL_A_NS_INFO, ctl_ns_info, ns0);
	RECORD(d, "region_info", CTL_CMD_LIST, CTL_A_REGION_INFO, ctl_region_info, rg);
	RECORD(d, "stats", CTL_CMD_STATS, CTL_A_STATS, ctl_stats_info, st);
	RECORD(d, "index", CTL_CMD_READ_LABELS, CTL_A_INDEX, ctl_index_info, ix);
	RECORD(d, "label", CTL_CMD_READ_LABELS, CTL_A_LABEL, ctl_label_info, lb);
	RECORD(d, "check", CTL_CMD_CHECK_LABELS, CTL_A_CHECK, ctl_check_info, ck);
	RECORD(d, "crash", CTL_CMD_POWER_FAIL, CTL_A_CRASH, ctl_crash_info, cr);
	RECORD(d, "badblock", CTL_CMD_INJECT_ERROR, CTL_A_BADBLOCK, ctl_bb_info, bb);
	RECORD(d, "daemon", CTL_CMD_STATUS, CTL_A_DAEMON, ctl_daemon_info, dm);
	RECORD(d, "ns_status", CTL_CMD_STATUS, CTL_A_NS_STATUS, ctl_nsst_info, ss);
	RECORD(d, "health", CTL_CMD_HEALTH, CTL_A_HEALTH, ctl_health_info, hh);
}

/* every top-level attribute by its enum name, a request of every command */
static void dump_messages(struct dump *d)
{
	struct nl_msg *m;
	unsigned cmd;

	m = ctl_proto_msg_new(CTL_CMD_VERSION, 5, 0);
	assert_int_equal(ctl_put_u32(m, CTL_A_PROTO_VERSION, CTL_PROTO_VERSION), 0);
	assert_int_equal(ctl_put_string(m, CTL_A_DAEMON_VERSION, "1.2.3"), 0);
	assert_int_equal(ctl_put_string(m, CTL_A_MOUNT, "/mnt/p"), 0);
	assert_int_equal(ctl_put_string(m, CTL_A_REGION, "region0"), 0);
	assert_int_equal(ctl_put_string(m, CTL_A_NS_NAME, "n"), 0);
	assert_int_equal(ctl_put_uuid(m, CTL_A_NS_UUID, U1), 0);
	assert_int_equal(ctl_put_string(m, CTL_A_NS_DEV, "namespace0.0"), 0);
	assert_int_equal(ctl_put_u64(m, CTL_A_SIZE, 1ULL << 30), 0);
	assert_int_equal(ctl_put_u64(m, CTL_A_ALIGN, 4096), 0);
	assert_int_equal(ctl_put_u32(m, CTL_A_FLAGS, CTL_F_FORCE | CTL_F_KEEP_SERVED), 0);
	assert_int_equal(ctl_put_string(m, CTL_A_NEW_NAME, "m"), 0);
	assert_int_equal(ctl_put_u32(m, CTL_A_LABEL_VERSION, 2), 0);
	assert_int_equal(ctl_put_u32(m, CTL_A_COUNT, 3), 0);
	assert_int_equal(ctl_put_u64(m, CTL_A_OFFSET, 512), 0);
	assert_int_equal(ctl_put_u64(m, CTL_A_LENGTH, 1024), 0);
	assert_int_equal(ctl_put_u32(m, CTL_A_SURVIVE, 500000), 0);
	assert_int_equal(ctl_put_u64(m, CTL_A_SEED, 99), 0);
	assert_int_equal(ctl_put_u32(m, CTL_A_WAIT_MS, 250), 0);
	assert_int_equal(ctl_put_u32(m, CTL_A_AT_FSYNC, 2), 0);
	assert_int_equal(ctl_put_u32(m, CTL_A_NVDIMM_SLOT, 17), 0);
	out_msg(d, "all-top-level", m);
	nlmsg_free(m);

	for (cmd = 1; cmd <= CTL_CMD_MAX; cmd++) {
		char what[64];

		m = ctl_proto_request_new(cmd);
		assert_int_equal(ctl_put_string(m, CTL_A_REGION, "all"), 0);
		snprintf(what, sizeof(what), "request-%s", ctl_proto_cmd_name(cmd));
		out_msg(d, what, m);
		nlmsg_free(m);
	}
	m = ctl_proto_error_new(CTL_CMD_CREATE_NS, 12, 0, ENOSPC, "no room for 2 GiB");
	out_msg(d, "error", m);
	nlmsg_free(m);
	m = ctl_proto_error_new(CTL_CMD_LIST, 13, NLM_F_MULTI, -5, "");
	out_msg(d, "error-multi-bad-errno", m);
	nlmsg_free(m);
	m = ctl_proto_done_new(14);
	out_msg(d, "done", m);
	nlmsg_free(m);
}

static void dump_set(struct dump *d, const struct ctl_attr_set *set, const char *path)
{
	char sub[256];
	unsigned t;

	out(d, "set %s name %s maxtype %u required %#llx\n", path, set->name,
	    set->maxtype, (unsigned long long)set->required);
	for (t = 0; t <= set->maxtype; t++) {
		const struct ctl_attr_def *a = &set->defs[t];
		const struct nla_policy *p = &set->policy[t];

		out(d, " %u def %s kind %d maxlen %u what %s nest %s"
		       " policy type %u minlen %u maxlen %u name %s\n",
		    t, a->name ? a->name : "-", (int)a->kind, a->maxlen,
		    a->what ? a->what : "-", a->nest ? a->nest->name : "-",
		    p->type, p->minlen, p->maxlen, ctl_proto_attr_name(set, t));
	}
	for (t = 1; t <= set->maxtype; t++)
		if (set->defs[t].kind == CTL_KIND_NESTED) {
			snprintf(sub, sizeof(sub), "%s/%u", path, t);
			dump_set(d, set->defs[t].nest, sub);
		}
}

static void dump_tables(struct dump *d)
{
	char longstr[5000];
	unsigned i;

	dump_set(d, &ctl_attrs, "top");
	for (i = 0; i <= CTL_CMD_MAX + 1; i++) {
		const struct ctl_cmd_info *c = ctl_proto_cmd_info(i);

		if (!c) {
			out(d, "cmd %u none name %s\n", i, ctl_proto_cmd_name(i));
			continue;
		}
		out(d, "cmd %u name %s verb %s changes %d multi %d allowed %#llx required %#llx"
		       " one_of %#llx one_of_required %d flags %#x\n",
		    i, c->name, c->verb, c->changes, c->multi,
		    (unsigned long long)c->allowed, (unsigned long long)c->required,
		    (unsigned long long)c->one_of, c->one_of_required, c->flags);
	}
	for (i = 0; i <= CTL_REQ_MAX + 1; i++)
		out(d, "req %u %s\n", i, ctl_stat_req_name(i) ? ctl_stat_req_name(i) : "-");
	memset(longstr, 'x', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	for (i = 0; i <= CTL_A_MAX + 1; i++) {
		int rc = ctl_proto_string_check(i, longstr);

		out(d, "string_check %u rc %d %s\n", i, rc, rc ? ns_errormsg() : "");
	}
}

static char *dump_all(void)
{
	struct dump d = { 0 };

	dump_tables(&d);
	dump_records(&d);
	dump_messages(&d);
	return d.buf;
}

static char *read_fixture(void)
{
	const char *dir = getenv("PMEMFS_TESTDATA");
	char path[4096];
	char *buf;
	long n;
	FILE *f;

	if (!dir)
		fail_msg("PMEMFS_TESTDATA not set");
	snprintf(path, sizeof(path), "%s/ctl-proto-encoding.txt", dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_encoding_unchanged(void **state)
{
	char *want = read_fixture(), *got = dump_all();
	const char *w = want, *g = got;
	unsigned line = 1;

	(void)state;
	while (*w && *w == *g) {
		if (*w == '\n')
			line++;
		w++;
		g++;
	}
	if (*w != *g) {
		const char *we = strchr(w, '\n'), *ge = strchr(g, '\n');

		fail_msg("differs from ctl-proto-encoding.txt at line %u:\n want: %.*s\n got:  %.*s",
			 line, we ? (int)(we - w) : (int)strlen(w), w,
			 ge ? (int)(ge - g) : (int)strlen(g), g);
	}
	free(want);
	free(got);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_unchanged),
	};

	if (argc == 2 && strcmp(argv[1], "--dump") == 0) {
		char *s = dump_all();

		fputs(s, stdout);
		free(s);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
