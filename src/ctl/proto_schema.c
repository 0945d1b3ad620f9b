/* SPDX-License-Identifier: MIT */
/*
 * The control protocol's tables, generated from the attribute lists of
 * proto_schema.h: the libnl policies (step 5 in proto.h), the attribute
 * definitions of our own pass (step 6) and the per-command rules (step 7).
 */
#include <stdio.h>

#include "ctl/proto.h"
#include "ctl/proto_int.h"

/* ---- one list line -> its policy, definition and required bit ---- */

#define CTL_P_BOOL(a) { .type = NLA_U8, .maxlen = 1 }
#define CTL_P_U32(a) { .type = NLA_U32, .maxlen = 4 }
#define CTL_P_U64(a) { .type = NLA_U64, .maxlen = 8 }
#define CTL_P_UUID(a) { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 }
#define CTL_P_STR(a) { .type = NLA_STRING, .maxlen = CTL_LEN_##a }
#define CTL_P_NEST(a) { .type = NLA_NESTED }

#define CTL_D_BOOL(n, a, what) { n, CTL_KIND_U8, 0, NULL, what }
#define CTL_D_U32(n, a, what) { n, CTL_KIND_U32, 0, NULL, what }
#define CTL_D_U64(n, a, what) { n, CTL_KIND_U64, 0, NULL, what }
#define CTL_D_UUID(n, a, what) { n, CTL_KIND_UUID, 0, NULL, what }
#define CTL_D_STR(n, a, what) { n, CTL_KIND_STRING, CTL_LEN_##a, NULL, what }
#define CTL_D_NEST(n, a, what) { n, CTL_KIND_NESTED, 0, &ctl_##a##_set, what }

#define CTL_PRESENCE_REQ(t) | CTL_BIT(t)
#define CTL_PRESENCE_OPT(t)

#define CTL_POLICY_ENTRY(P, NAME, n, KIND, a, ...) [P##NAME] = CTL_P_##KIND(a),
#define CTL_DEF_ENTRY(P, NAME, n, KIND, a, ...) [P##NAME] = CTL_D_##KIND(n, a, NULL),
#define CTL_TOP_DEF_ENTRY(P, NAME, n, KIND, a, what) [P##NAME] = CTL_D_##KIND(n, a, what),
#define CTL_REQUIRED_ENTRY(P, NAME, n, KIND, a, presence, member) CTL_PRESENCE_##presence(P##NAME)

/*
 * A nested set "setname" from its list: the policy ctl_<tag>_policy
 * (public, for nla_parse_nested), the definitions ctl_<tag>_defs and the
 * set ctl_<tag>_set.
 */
#define CTL_NESTED_SET(tag, LIST, P, setname)                                          \
	const struct nla_policy ctl_##tag##_policy[P##MAX + 1] = {                     \
		LIST(CTL_POLICY_ENTRY, P)                                              \
	};                                                                             \
	static const struct ctl_attr_def ctl_##tag##_defs[P##MAX + 1] = {              \
		LIST(CTL_DEF_ENTRY, P)                                                 \
	};                                                                             \
	static const struct ctl_attr_set ctl_##tag##_set = {                           \
		setname, P##MAX, ctl_##tag##_defs, ctl_##tag##_policy,                 \
		0 LIST(CTL_REQUIRED_ENTRY, P),                                         \
	}

/* ---- the sets, innermost first ---- */

/* CTL_STATS_A_REQUESTS and _FLUSH_HIST: arrays of u64 at types 1..n */
static const struct nla_policy ctl_req_policy[CTL_REQ_MAX + 1] = {
	[1 ... CTL_REQ_MAX] = CTL_P_U64(0),
};

#define CTL_REQ_NAME(P, NAME, n) [P##NAME] = n,
#define CTL_REQ_DEF(P, NAME, n) [P##NAME] = CTL_D_U64(n, 0, NULL),

const char *const ctl_req_names[CTL_REQ_MAX + 1] = {
	CTL_STAT_REQS(CTL_REQ_NAME, CTL_REQ_)
};

static const struct ctl_attr_def ctl_req_defs[CTL_REQ_MAX + 1] = {
	CTL_STAT_REQS(CTL_REQ_DEF, CTL_REQ_)
};

static const struct ctl_attr_set ctl_req_set = {
	"requests", CTL_REQ_MAX, ctl_req_defs, ctl_req_policy, 0,
};

static const struct nla_policy ctl_hist_policy[CTL_HIST_BUCKETS + 1] = {
	[1 ... CTL_HIST_BUCKETS] = CTL_P_U64(0),
};

static const struct ctl_attr_def ctl_hist_defs[CTL_HIST_BUCKETS + 1] = {
	[1 ... CTL_HIST_BUCKETS] = CTL_D_U64("bucket", 0, NULL),
};

static const struct ctl_attr_set ctl_hist_set = {
	"flush_hist", CTL_HIST_BUCKETS, ctl_hist_defs, ctl_hist_policy, 0,
};

CTL_NESTED_SET(ns, CTL_NS_ATTRS, CTL_NS_A_, "ns_info");
CTL_NESTED_SET(region, CTL_REGION_ATTRS, CTL_REGION_A_, "region_info");
CTL_NESTED_SET(stats, CTL_STATS_ATTRS, CTL_STATS_A_, "stats");
CTL_NESTED_SET(index, CTL_INDEX_ATTRS, CTL_INDEX_A_, "index");
CTL_NESTED_SET(label, CTL_LABEL_ATTRS, CTL_LABEL_A_, "label");
CTL_NESTED_SET(check, CTL_CHECK_ATTRS, CTL_CHECK_A_, "check");
CTL_NESTED_SET(crash, CTL_CRASH_ATTRS, CTL_CRASH_A_, "crash");
CTL_NESTED_SET(bb, CTL_BB_ATTRS, CTL_BB_A_, "badblock");
CTL_NESTED_SET(daemon, CTL_DAEMON_ATTRS, CTL_DAEMON_A_, "daemon");
CTL_NESTED_SET(nsst, CTL_NSST_ATTRS, CTL_NSST_A_, "ns_status");
CTL_NESTED_SET(health, CTL_HEALTH_ATTRS, CTL_HEALTH_A_, "health");

const struct nla_policy ctl_policy[CTL_A_MAX + 1] = {
	CTL_ATTRS(CTL_POLICY_ENTRY, CTL_A_)
};

const struct ctl_attr_def ctl_defs[CTL_A_MAX + 1] = {
	CTL_ATTRS(CTL_TOP_DEF_ENTRY, CTL_A_)
};

const struct ctl_attr_set ctl_attrs = {
	"message", CTL_A_MAX, ctl_defs, ctl_policy, 0,
};

_Static_assert(CTL_A_MAX < 64 && CTL_NS_A_MAX < 64 && CTL_REGION_A_MAX < 64 &&
	       CTL_STATS_A_MAX < 64 && CTL_INDEX_A_MAX < 64 &&
	       CTL_LABEL_A_MAX < 64 && CTL_CHECK_A_MAX < 64 &&
	       CTL_CRASH_A_MAX < 64 && CTL_BB_A_MAX < 64 &&
	       CTL_DAEMON_A_MAX < 64 && CTL_NSST_A_MAX < 64 && CTL_HEALTH_A_MAX < 64 &&
	       CTL_HIST_BUCKETS < 64, "attribute sets are tracked in 64-bit masks");

/*
 * The numbers are the wire format: each list's last attribute of 2026-12
 * keeps its number (a line inserted or removed above it would move it).
 */
_Static_assert(CTL_A_NVDIMM_SLOT == 32, "proto_schema.h: CTL_ATTRS renumbered");
_Static_assert(CTL_NS_A_BADBLOCKS == 13, "proto_schema.h: CTL_NS_ATTRS renumbered");
_Static_assert(CTL_REGION_A_ISET_ID == 9, "proto_schema.h: CTL_REGION_ATTRS renumbered");
_Static_assert(CTL_REQ_OTHER == 11, "proto_schema.h: CTL_STAT_REQS renumbered");
_Static_assert(CTL_STATS_A_FLUSH_HIST == 10, "proto_schema.h: CTL_STATS_ATTRS renumbered");
_Static_assert(CTL_INDEX_A_FREE == 16, "proto_schema.h: CTL_INDEX_ATTRS renumbered");
_Static_assert(CTL_LABEL_A_CHECKSUM == 16, "proto_schema.h: CTL_LABEL_ATTRS renumbered");
_Static_assert(CTL_CHECK_A_BADBLOCKS == 5, "proto_schema.h: CTL_CHECK_ATTRS renumbered");
_Static_assert(CTL_CRASH_A_REVERTING == 14, "proto_schema.h: CTL_CRASH_ATTRS renumbered");
_Static_assert(CTL_BB_A_LENGTH == 4, "proto_schema.h: CTL_BB_ATTRS renumbered");
_Static_assert(CTL_DAEMON_A_CACHESTAT == 4, "proto_schema.h: CTL_DAEMON_ATTRS renumbered");
_Static_assert(CTL_NSST_A_MAPPED_DIRTY == 17, "proto_schema.h: CTL_NSST_ATTRS renumbered");
_Static_assert(CTL_HEALTH_A_NOTE == 7, "proto_schema.h: CTL_HEALTH_ATTRS renumbered");

/* ---- commands (step 7) ---- */

#define A(t) CTL_BIT(CTL_A_##t)
#define NS_SPEC (A(NS_NAME) | A(NS_UUID) | A(NS_DEV))

static const struct ctl_cmd_info ctl_cmds[CTL_CMD_MAX + 1] = {
	[CTL_CMD_VERSION] = {
		.name = "version", .verb = "query the version",
	},
	[CTL_CMD_LIST] = {
		.name = "list", .verb = "list", .multi = true,
		.allowed = A(REGION),
	},
	[CTL_CMD_CREATE_NS] = {
		.name = "create-namespace", .verb = "create namespaces",
		.changes = true,
		.allowed = A(REGION) | A(SIZE) | A(NS_NAME) | A(NS_UUID) |
			   A(ALIGN) | A(FLAGS),
		.required = A(REGION) | A(SIZE),
		.flags = CTL_F_READONLY | CTL_F_SPARSE | CTL_F_FORCE | CTL_F_CRASH_TEST,
	},
	[CTL_CMD_DESTROY_NS] = {
		.name = "destroy-namespace", .verb = "destroy namespaces",
		.changes = true,
		.allowed = A(REGION) | NS_SPEC | A(FLAGS),
		.one_of = NS_SPEC, .one_of_required = true,
		.flags = CTL_F_FORCE | CTL_F_KEEP_SERVED,
	},
	[CTL_CMD_ENABLE_NS] = {
		.name = "enable-namespace", .verb = "enable namespaces",
		.changes = true,
		.allowed = A(REGION) | NS_SPEC,
		.one_of = NS_SPEC, .one_of_required = true,
	},
	[CTL_CMD_DISABLE_NS] = {
		.name = "disable-namespace", .verb = "disable namespaces",
		.changes = true,
		.allowed = A(REGION) | NS_SPEC | A(FLAGS),
		.one_of = NS_SPEC, .one_of_required = true,
		.flags = CTL_F_FORCE,
	},
	[CTL_CMD_RENAME_NS] = {
		.name = "rename-namespace", .verb = "rename namespaces",
		.changes = true,
		.allowed = A(REGION) | NS_SPEC | A(NEW_NAME),
		.required = A(NEW_NAME),
		.one_of = NS_SPEC, .one_of_required = true,
	},
	[CTL_CMD_READ_LABELS] = {
		.name = "read-labels", .verb = "read labels", .multi = true,
		.allowed = A(REGION),
	},
	[CTL_CMD_CHECK_LABELS] = {
		.name = "check-labels", .verb = "check labels", .multi = true,
		.allowed = A(REGION),
	},
	[CTL_CMD_INIT_LABELS] = {
		.name = "init-labels", .verb = "initialise labels",
		.changes = true,
		.allowed = A(REGION) | A(FLAGS) | A(LABEL_VERSION),
		.required = A(REGION),
		.flags = CTL_F_FORCE,
	},
	[CTL_CMD_STATS] = {
		.name = "stats", .verb = "read statistics", .multi = true,
		.allowed = A(REGION) | NS_SPEC,
		.one_of = NS_SPEC,
	},
	[CTL_CMD_POWER_FAIL] = {
		.name = "power-fail", .verb = "simulate power failures",
		.changes = true,
		.allowed = A(REGION) | NS_SPEC | A(FLAGS) | A(SURVIVE) | A(SEED) |
			   A(WAIT_MS) | A(AT_FSYNC),
		.one_of = NS_SPEC, .one_of_required = true,
		.flags = CTL_F_FORCE | CTL_F_KILL | CTL_F_ENABLE | CTL_F_DISABLE |
			 CTL_F_STATUS | CTL_F_IMAGE | CTL_F_OWNED,
	},
	[CTL_CMD_INJECT_ERROR] = {
		.name = "inject-error", .verb = "inject media errors", .multi = true,
		.changes = true,
		.allowed = A(REGION) | NS_SPEC | A(FLAGS) | A(OFFSET) | A(LENGTH),
		.one_of = NS_SPEC, .one_of_required = true,
		.flags = CTL_F_UNINJECT | CTL_F_CLEAR,
	},
	[CTL_CMD_STATUS] = {
		.name = "status", .verb = "query the status", .multi = true,
		.allowed = A(REGION),
	},
	[CTL_CMD_MOVE_REGION] = {
		.name = "move-region", .verb = "move regions to another nvdimm slot",
		.changes = true,
		.allowed = A(REGION) | A(NVDIMM_SLOT),
		.required = A(REGION) | A(NVDIMM_SLOT),
	},
	[CTL_CMD_CRASH_STATE] = {
		.name = "crash-state", .verb = "apply crash states",
		.changes = true,
		.allowed = A(REGION) | NS_SPEC | A(FLAGS) | A(STATE) | A(MAX_SUBSET) |
			   A(TORN) | A(SEED) | A(WAIT_MS),
		.one_of = NS_SPEC, .one_of_required = true,
		.flags = CTL_F_FORCE | CTL_F_DISABLE,
	},
	[CTL_CMD_HEALTH] = {
		.name = "health", .verb = "query the health", .multi = true,
		.allowed = A(REGION),
	},
	[CTL_CMD_BASELINE] = {
		.name = "baseline", .verb = "keep and restore baselines",
		.changes = true,
		.allowed = A(REGION) | NS_SPEC | A(FLAGS) | A(BASELINE_MAX) | A(WAIT_MS),
		.one_of = NS_SPEC, .one_of_required = true,
		.flags = CTL_F_FORCE | CTL_F_ENABLE | CTL_F_DISABLE | CTL_F_STATUS,
	},
};

#define CTL_FLAG_NAME(P, NAME, bit, n) { P##NAME, n },
#define CTL_FLAG_OR(P, NAME, bit, n) | P##NAME
#define CTL_FLAG_SUM(P, NAME, bit, n) + P##NAME

const struct ctl_flag_name ctl_flag_names[] = {
	CTL_FLAGS(CTL_FLAG_NAME, CTL_F_)
};
_Static_assert((0u CTL_FLAGS(CTL_FLAG_OR, CTL_F_)) == (0u CTL_FLAGS(CTL_FLAG_SUM, CTL_F_)),
	       "proto_schema.h: two CTL_FLAGS lines share a bit");
_Static_assert(CTL_F_KEEP_SERVED == 1u << 11, "proto_schema.h: CTL_FLAGS renumbered");
const size_t ctl_flag_names_n = sizeof(ctl_flag_names) / sizeof(ctl_flag_names[0]);

const struct ctl_cmd_info *ctl_proto_cmd_info(unsigned cmd)
{
	if (cmd == CTL_CMD_UNSPEC || cmd > CTL_CMD_MAX)
		return NULL;
	return &ctl_cmds[cmd];
}

const char *ctl_proto_cmd_name(unsigned cmd)
{
	static __thread char buf[32];
	const struct ctl_cmd_info *ci = ctl_proto_cmd_info(cmd);

	if (ci)
		return ci->name;
	snprintf(buf, sizeof(buf), "command %u", cmd);
	return buf;
}

const char *ctl_proto_attr_name(const struct ctl_attr_set *set, unsigned type)
{
	if (type == 0 || type > set->maxtype || set->defs[type].kind == CTL_KIND_NONE)
		return "?";
	return set->defs[type].name;
}

