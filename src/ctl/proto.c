/* SPDX-License-Identifier: MIT */
/*
 * The control protocol's schema: command and attribute tables, the libnl
 * policies, the validation that libnl leaves out, and message building.
 * See proto.h for the wire format and the order of the checks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <uuid/uuid.h>

#include "error.h"
#include "label.h"
#include "proto.h"

/* ---- policies (libnl, step 5) ---- */

#define P_U8 { .type = NLA_U8, .maxlen = 1 }
#define P_U16 { .type = NLA_U16, .maxlen = 2 }
#define P_U32 { .type = NLA_U32, .maxlen = 4 }
#define P_U64 { .type = NLA_U64, .maxlen = 8 }
#define P_UUID { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 }
#define P_STR(max) { .type = NLA_STRING, .maxlen = (max) }
#define P_NEST { .type = NLA_NESTED }

/* string limits, the NUL included */
#define L_NAME 64	/* a namespace name: 63 bytes, as a label holds it */
#define L_DEV 32	/* "namespace4294967295.4294967295" */
#define L_PATH 4096
#define L_ERRMSG 1024
#define L_VERSION 64
#define L_STATE 32
#define L_REASON 256
#define L_PROBLEMS 4096

const struct nla_policy ctl_policy[CTL_A_MAX + 1] = {
	[CTL_A_ERRNO] = P_U32,
	[CTL_A_ERRMSG] = P_STR(L_ERRMSG),
	[CTL_A_PROTO_VERSION] = P_U32,
	[CTL_A_DAEMON_VERSION] = P_STR(L_VERSION),
	[CTL_A_MOUNT] = P_STR(L_PATH),
	[CTL_A_REGION] = P_STR(L_DEV),
	[CTL_A_NS_NAME] = P_STR(L_NAME),
	[CTL_A_NS_UUID] = P_UUID,
	[CTL_A_NS_DEV] = P_STR(L_DEV),
	[CTL_A_SIZE] = P_U64,
	[CTL_A_ALIGN] = P_U64,
	[CTL_A_FLAGS] = P_U32,
	[CTL_A_NEW_NAME] = P_STR(L_NAME),
	[CTL_A_LABEL_VERSION] = P_U32,
	[CTL_A_COUNT] = P_U32,
	[CTL_A_REGION_INFO] = P_NEST,
	[CTL_A_NS_INFO] = P_NEST,
	[CTL_A_STATS] = P_NEST,
	[CTL_A_INDEX] = P_NEST,
	[CTL_A_LABEL] = P_NEST,
	[CTL_A_CHECK] = P_NEST,
	[CTL_A_OFFSET] = P_U64,
	[CTL_A_LENGTH] = P_U64,
	[CTL_A_SURVIVE] = P_U32,
	[CTL_A_SEED] = P_U64,
	[CTL_A_WAIT_MS] = P_U32,
	[CTL_A_AT_FSYNC] = P_U32,
	[CTL_A_CRASH] = P_NEST,
	[CTL_A_BADBLOCK] = P_NEST,
	[CTL_A_DAEMON] = P_NEST,
	[CTL_A_NS_STATUS] = P_NEST,
	[CTL_A_NVDIMM_SLOT] = P_U32,
};

const struct nla_policy ctl_ns_policy[CTL_NS_A_MAX + 1] = {
	[CTL_NS_A_REGION] = P_STR(L_DEV),
	[CTL_NS_A_DEV] = P_STR(L_DEV),
	[CTL_NS_A_NAME] = P_STR(L_NAME),
	[CTL_NS_A_UUID] = P_UUID,
	[CTL_NS_A_SIZE] = P_U64,
	[CTL_NS_A_DPA] = P_U64,
	[CTL_NS_A_ALIGN] = P_U64,
	[CTL_NS_A_READONLY] = P_U8,
	[CTL_NS_A_STATE] = P_STR(L_STATE),
	[CTL_NS_A_REASON] = P_STR(L_REASON),
	[CTL_NS_A_PATH] = P_STR(L_PATH),
	[CTL_NS_A_CRASH_TEST] = P_U8,
	[CTL_NS_A_BADBLOCKS] = P_U64,
};

const struct nla_policy ctl_region_policy[CTL_REGION_A_MAX + 1] = {
	[CTL_REGION_A_DEV] = P_STR(L_DEV),
	[CTL_REGION_A_PATH] = P_STR(L_PATH),
	[CTL_REGION_A_SIZE] = P_U64,
	[CTL_REGION_A_FILE_SIZE] = P_U64,
	[CTL_REGION_A_LABEL_SIZE] = P_U64,
	[CTL_REGION_A_LABEL_VERSION] = P_U32,
	[CTL_REGION_A_AVAILABLE] = P_U64,
	[CTL_REGION_A_MAX_EXTENT] = P_U64,
	[CTL_REGION_A_ISET_ID] = P_U64,
};

static const struct nla_policy ctl_req_policy[CTL_REQ_MAX + 1] = {
	[1 ... CTL_REQ_MAX] = P_U64,
};

static const struct nla_policy ctl_hist_policy[CTL_HIST_BUCKETS + 1] = {
	[1 ... CTL_HIST_BUCKETS] = P_U64,
};

const struct nla_policy ctl_stats_policy[CTL_STATS_A_MAX + 1] = {
	[CTL_STATS_A_REGION] = P_STR(L_DEV),
	[CTL_STATS_A_DEV] = P_STR(L_DEV),
	[CTL_STATS_A_NAME] = P_STR(L_NAME),
	[CTL_STATS_A_REQUESTS] = P_NEST,
	[CTL_STATS_A_BYTES_READ] = P_U64,
	[CTL_STATS_A_BYTES_WRITTEN] = P_U64,
	[CTL_STATS_A_BYTES_PERSISTED] = P_U64,
	[CTL_STATS_A_FSYNCS] = P_U64,
	[CTL_STATS_A_ERRORS] = P_U64,
	[CTL_STATS_A_FLUSH_HIST] = P_NEST,
};

const struct nla_policy ctl_index_policy[CTL_INDEX_A_MAX + 1] = {
	[CTL_INDEX_A_REGION] = P_STR(L_DEV),
	[CTL_INDEX_A_NUM] = P_U32,
	[CTL_INDEX_A_VALID] = P_U8,
	[CTL_INDEX_A_CURRENT] = P_U8,
	[CTL_INDEX_A_REASON] = P_STR(L_REASON),
	[CTL_INDEX_A_SEQ] = P_U32,
	[CTL_INDEX_A_MYOFF] = P_U64,
	[CTL_INDEX_A_MYSIZE] = P_U64,
	[CTL_INDEX_A_OTHEROFF] = P_U64,
	[CTL_INDEX_A_LABELOFF] = P_U64,
	[CTL_INDEX_A_NSLOT] = P_U32,
	[CTL_INDEX_A_MAJOR] = P_U32,
	[CTL_INDEX_A_MINOR] = P_U32,
	[CTL_INDEX_A_LABEL_SIZE] = P_U32,
	[CTL_INDEX_A_CHECKSUM] = P_U64,
	[CTL_INDEX_A_FREE] = P_U32,
};

const struct nla_policy ctl_label_policy[CTL_LABEL_A_MAX + 1] = {
	[CTL_LABEL_A_REGION] = P_STR(L_DEV),
	[CTL_LABEL_A_SLOT] = P_U32,
	[CTL_LABEL_A_VALID] = P_U8,
	[CTL_LABEL_A_REASON] = P_STR(L_REASON),
	[CTL_LABEL_A_UUID] = P_UUID,
	[CTL_LABEL_A_NAME] = P_STR(L_NAME),
	[CTL_LABEL_A_FLAGS] = P_U32,
	[CTL_LABEL_A_NLABEL] = P_U32,
	[CTL_LABEL_A_POSITION] = P_U32,
	[CTL_LABEL_A_ISETCOOKIE] = P_U64,
	[CTL_LABEL_A_LBASIZE] = P_U64,
	[CTL_LABEL_A_DPA] = P_U64,
	[CTL_LABEL_A_RAWSIZE] = P_U64,
	[CTL_LABEL_A_TYPE_GUID] = P_UUID,
	[CTL_LABEL_A_ABSTRACTION_GUID] = P_UUID,
	[CTL_LABEL_A_CHECKSUM] = P_U64,
};

const struct nla_policy ctl_check_policy[CTL_CHECK_A_MAX + 1] = {
	[CTL_CHECK_A_REGION] = P_STR(L_DEV),
	[CTL_CHECK_A_OK] = P_U8,
	[CTL_CHECK_A_LABELS] = P_U32,
	[CTL_CHECK_A_PROBLEMS] = P_STR(L_PROBLEMS),
	[CTL_CHECK_A_BADBLOCKS] = P_U64,
};

const struct nla_policy ctl_crash_policy[CTL_CRASH_A_MAX + 1] = {
	[CTL_CRASH_A_REGION] = P_STR(L_DEV),
	[CTL_CRASH_A_DEV] = P_STR(L_DEV),
	[CTL_CRASH_A_NAME] = P_STR(L_NAME),
	[CTL_CRASH_A_ENABLED] = P_U8,
	[CTL_CRASH_A_ACTION] = P_STR(L_STATE),
	[CTL_CRASH_A_PAGES_LOGGED] = P_U64,
	[CTL_CRASH_A_PAGES_REVERTED] = P_U64,
	[CTL_CRASH_A_PAGES_KEPT] = P_U64,
	[CTL_CRASH_A_FSYNCS] = P_U64,
	[CTL_CRASH_A_REVERTS] = P_U64,
	[CTL_CRASH_A_TIME_NS] = P_U64,
	[CTL_CRASH_A_AT_FSYNC] = P_U32,
	[CTL_CRASH_A_KILLED] = P_U32,
	[CTL_CRASH_A_REVERTING] = P_U8,
};

const struct nla_policy ctl_bb_policy[CTL_BB_A_MAX + 1] = {
	[CTL_BB_A_REGION] = P_STR(L_DEV),
	[CTL_BB_A_DEV] = P_STR(L_DEV),
	[CTL_BB_A_OFFSET] = P_U64,
	[CTL_BB_A_LENGTH] = P_U64,
};

const struct nla_policy ctl_daemon_policy[CTL_DAEMON_A_MAX + 1] = {
	[CTL_DAEMON_A_PID] = P_U32,
	[CTL_DAEMON_A_UPTIME_MS] = P_U64,
	[CTL_DAEMON_A_MOUNT] = P_STR(L_PATH),
	[CTL_DAEMON_A_CACHESTAT] = P_U8,
};

const struct nla_policy ctl_nsst_policy[CTL_NSST_A_MAX + 1] = {
	[CTL_NSST_A_REGION] = P_STR(L_DEV),
	[CTL_NSST_A_DEV] = P_STR(L_DEV),
	[CTL_NSST_A_NAME] = P_STR(L_NAME),
	[CTL_NSST_A_HOLDERS] = P_STR(L_ERRMSG),
	[CTL_NSST_A_HOLDERS_KNOWN] = P_U8,
	[CTL_NSST_A_HANDLES] = P_U32,
	[CTL_NSST_A_UNPERSISTED] = P_U64,
	[CTL_NSST_A_CACHE_DIRTY] = P_U64,
	[CTL_NSST_A_CACHE_KNOWN] = P_U8,
	[CTL_NSST_A_ERROR] = P_U32,
	[CTL_NSST_A_CRASH_ENABLED] = P_U8,
	[CTL_NSST_A_CRASH_AT_FSYNC] = P_U32,
	[CTL_NSST_A_CRASH_LOGGED] = P_U64,
	[CTL_NSST_A_CRASHED] = P_U8,
	[CTL_NSST_A_BADBLOCKS] = P_U64,
	[CTL_NSST_A_BACKING] = P_STR(L_STATE),
	[CTL_NSST_A_MAPPED_DIRTY] = P_U64,
};

/* ---- attribute definitions (our own pass, step 6) ---- */

#define D_U8(n) { n, CTL_KIND_U8, 0, NULL }
#define D_U32(n) { n, CTL_KIND_U32, 0, NULL }
#define D_U64(n) { n, CTL_KIND_U64, 0, NULL }
#define D_UUID(n) { n, CTL_KIND_UUID, 0, NULL }
#define D_STR(n, max) { n, CTL_KIND_STRING, max, NULL }
/* a string a user gives (ctl_proto_string_check): what names it */
#define D_USTR(n, max, what) { n, CTL_KIND_STRING, max, NULL, what }
#define D_NEST(n, set) { n, CTL_KIND_NESTED, 0, &(set) }

#define BIT CTL_BIT

static const struct ctl_attr_def ctl_ns_defs[CTL_NS_A_MAX + 1] = {
	[CTL_NS_A_REGION] = D_STR("region", L_DEV),
	[CTL_NS_A_DEV] = D_STR("dev", L_DEV),
	[CTL_NS_A_NAME] = D_STR("name", L_NAME),
	[CTL_NS_A_UUID] = D_UUID("uuid"),
	[CTL_NS_A_SIZE] = D_U64("size"),
	[CTL_NS_A_DPA] = D_U64("dpa"),
	[CTL_NS_A_ALIGN] = D_U64("align"),
	[CTL_NS_A_READONLY] = D_U8("readonly"),
	[CTL_NS_A_STATE] = D_STR("state", L_STATE),
	[CTL_NS_A_REASON] = D_STR("reason", L_REASON),
	[CTL_NS_A_PATH] = D_STR("path", L_PATH),
	[CTL_NS_A_CRASH_TEST] = D_U8("crash_test"),
	[CTL_NS_A_BADBLOCKS] = D_U64("badblocks"),
};

static const struct ctl_attr_set ctl_ns_set = {
	"ns_info", CTL_NS_A_MAX, ctl_ns_defs, ctl_ns_policy,
	BIT(CTL_NS_A_DEV) | BIT(CTL_NS_A_UUID) | BIT(CTL_NS_A_SIZE),
};

static const struct ctl_attr_def ctl_region_defs[CTL_REGION_A_MAX + 1] = {
	[CTL_REGION_A_DEV] = D_STR("dev", L_DEV),
	[CTL_REGION_A_PATH] = D_STR("path", L_PATH),
	[CTL_REGION_A_SIZE] = D_U64("size"),
	[CTL_REGION_A_FILE_SIZE] = D_U64("file_size"),
	[CTL_REGION_A_LABEL_SIZE] = D_U64("label_size"),
	[CTL_REGION_A_LABEL_VERSION] = D_U32("label_version"),
	[CTL_REGION_A_AVAILABLE] = D_U64("available_size"),
	[CTL_REGION_A_MAX_EXTENT] = D_U64("max_available_extent"),
	[CTL_REGION_A_ISET_ID] = D_U64("iset_id"),
};

static const struct ctl_attr_set ctl_region_set = {
	"region_info", CTL_REGION_A_MAX, ctl_region_defs, ctl_region_policy,
	BIT(CTL_REGION_A_DEV),
};

static const char *const ctl_req_names[CTL_REQ_MAX + 1] = {
	[CTL_REQ_LOOKUP] = "lookup",
	[CTL_REQ_GETATTR] = "getattr",
	[CTL_REQ_SETATTR] = "setattr",
	[CTL_REQ_OPEN] = "open",
	[CTL_REQ_READ] = "read",
	[CTL_REQ_WRITE] = "write",
	[CTL_REQ_FLUSH] = "flush",
	[CTL_REQ_FSYNC] = "fsync",
	[CTL_REQ_FALLOCATE] = "fallocate",
	[CTL_REQ_RELEASE] = "release",
	[CTL_REQ_OTHER] = "other",
};

static const struct ctl_attr_def ctl_req_defs[CTL_REQ_MAX + 1] = {
	[CTL_REQ_LOOKUP] = D_U64("lookup"),
	[CTL_REQ_GETATTR] = D_U64("getattr"),
	[CTL_REQ_SETATTR] = D_U64("setattr"),
	[CTL_REQ_OPEN] = D_U64("open"),
	[CTL_REQ_READ] = D_U64("read"),
	[CTL_REQ_WRITE] = D_U64("write"),
	[CTL_REQ_FLUSH] = D_U64("flush"),
	[CTL_REQ_FSYNC] = D_U64("fsync"),
	[CTL_REQ_FALLOCATE] = D_U64("fallocate"),
	[CTL_REQ_RELEASE] = D_U64("release"),
	[CTL_REQ_OTHER] = D_U64("other"),
};

static const struct ctl_attr_set ctl_req_set = {
	"requests", CTL_REQ_MAX, ctl_req_defs, ctl_req_policy, 0,
};

static const struct ctl_attr_def ctl_hist_defs[CTL_HIST_BUCKETS + 1] = {
	[1 ... CTL_HIST_BUCKETS] = D_U64("bucket"),
};

static const struct ctl_attr_set ctl_hist_set = {
	"flush_hist", CTL_HIST_BUCKETS, ctl_hist_defs, ctl_hist_policy, 0,
};

static const struct ctl_attr_def ctl_stats_defs[CTL_STATS_A_MAX + 1] = {
	[CTL_STATS_A_REGION] = D_STR("region", L_DEV),
	[CTL_STATS_A_DEV] = D_STR("dev", L_DEV),
	[CTL_STATS_A_NAME] = D_STR("name", L_NAME),
	[CTL_STATS_A_REQUESTS] = D_NEST("requests", ctl_req_set),
	[CTL_STATS_A_BYTES_READ] = D_U64("bytes_read"),
	[CTL_STATS_A_BYTES_WRITTEN] = D_U64("bytes_written"),
	[CTL_STATS_A_BYTES_PERSISTED] = D_U64("bytes_persisted"),
	[CTL_STATS_A_FSYNCS] = D_U64("fsyncs"),
	[CTL_STATS_A_ERRORS] = D_U64("errors"),
	[CTL_STATS_A_FLUSH_HIST] = D_NEST("flush_hist", ctl_hist_set),
};

static const struct ctl_attr_set ctl_stats_set = {
	"stats", CTL_STATS_A_MAX, ctl_stats_defs, ctl_stats_policy,
	BIT(CTL_STATS_A_DEV),
};

static const struct ctl_attr_def ctl_index_defs[CTL_INDEX_A_MAX + 1] = {
	[CTL_INDEX_A_REGION] = D_STR("region", L_DEV),
	[CTL_INDEX_A_NUM] = D_U32("num"),
	[CTL_INDEX_A_VALID] = D_U8("valid"),
	[CTL_INDEX_A_CURRENT] = D_U8("current"),
	[CTL_INDEX_A_REASON] = D_STR("reason", L_REASON),
	[CTL_INDEX_A_SEQ] = D_U32("seq"),
	[CTL_INDEX_A_MYOFF] = D_U64("myoff"),
	[CTL_INDEX_A_MYSIZE] = D_U64("mysize"),
	[CTL_INDEX_A_OTHEROFF] = D_U64("otheroff"),
	[CTL_INDEX_A_LABELOFF] = D_U64("labeloff"),
	[CTL_INDEX_A_NSLOT] = D_U32("nslot"),
	[CTL_INDEX_A_MAJOR] = D_U32("major"),
	[CTL_INDEX_A_MINOR] = D_U32("minor"),
	[CTL_INDEX_A_LABEL_SIZE] = D_U32("labelsize"),
	[CTL_INDEX_A_CHECKSUM] = D_U64("checksum"),
	[CTL_INDEX_A_FREE] = D_U32("free"),
};

static const struct ctl_attr_set ctl_index_set = {
	"index", CTL_INDEX_A_MAX, ctl_index_defs, ctl_index_policy,
	BIT(CTL_INDEX_A_NUM) | BIT(CTL_INDEX_A_VALID),
};

static const struct ctl_attr_def ctl_label_defs[CTL_LABEL_A_MAX + 1] = {
	[CTL_LABEL_A_REGION] = D_STR("region", L_DEV),
	[CTL_LABEL_A_SLOT] = D_U32("slot"),
	[CTL_LABEL_A_VALID] = D_U8("valid"),
	[CTL_LABEL_A_REASON] = D_STR("reason", L_REASON),
	[CTL_LABEL_A_UUID] = D_UUID("uuid"),
	[CTL_LABEL_A_NAME] = D_STR("name", L_NAME),
	[CTL_LABEL_A_FLAGS] = D_U32("flags"),
	[CTL_LABEL_A_NLABEL] = D_U32("nlabel"),
	[CTL_LABEL_A_POSITION] = D_U32("position"),
	[CTL_LABEL_A_ISETCOOKIE] = D_U64("isetcookie"),
	[CTL_LABEL_A_LBASIZE] = D_U64("lbasize"),
	[CTL_LABEL_A_DPA] = D_U64("dpa"),
	[CTL_LABEL_A_RAWSIZE] = D_U64("rawsize"),
	[CTL_LABEL_A_TYPE_GUID] = D_UUID("type_guid"),
	[CTL_LABEL_A_ABSTRACTION_GUID] = D_UUID("abstraction_guid"),
	[CTL_LABEL_A_CHECKSUM] = D_U64("checksum"),
};

static const struct ctl_attr_set ctl_label_set = {
	"label", CTL_LABEL_A_MAX, ctl_label_defs, ctl_label_policy,
	BIT(CTL_LABEL_A_SLOT) | BIT(CTL_LABEL_A_VALID),
};

static const struct ctl_attr_def ctl_check_defs[CTL_CHECK_A_MAX + 1] = {
	[CTL_CHECK_A_REGION] = D_STR("region", L_DEV),
	[CTL_CHECK_A_OK] = D_U8("ok"),
	[CTL_CHECK_A_LABELS] = D_U32("labels"),
	[CTL_CHECK_A_PROBLEMS] = D_STR("problems", L_PROBLEMS),
	[CTL_CHECK_A_BADBLOCKS] = D_U64("badblocks"),
};

static const struct ctl_attr_set ctl_check_set = {
	"check", CTL_CHECK_A_MAX, ctl_check_defs, ctl_check_policy,
	BIT(CTL_CHECK_A_REGION) | BIT(CTL_CHECK_A_OK),
};

static const struct ctl_attr_def ctl_crash_defs[CTL_CRASH_A_MAX + 1] = {
	[CTL_CRASH_A_REGION] = D_STR("region", L_DEV),
	[CTL_CRASH_A_DEV] = D_STR("dev", L_DEV),
	[CTL_CRASH_A_NAME] = D_STR("name", L_NAME),
	[CTL_CRASH_A_ENABLED] = D_U8("enabled"),
	[CTL_CRASH_A_ACTION] = D_STR("action", L_STATE),
	[CTL_CRASH_A_PAGES_LOGGED] = D_U64("pages_logged"),
	[CTL_CRASH_A_PAGES_REVERTED] = D_U64("pages_reverted"),
	[CTL_CRASH_A_PAGES_KEPT] = D_U64("pages_kept"),
	[CTL_CRASH_A_FSYNCS] = D_U64("fsyncs"),
	[CTL_CRASH_A_REVERTS] = D_U64("reverts"),
	[CTL_CRASH_A_TIME_NS] = D_U64("time_ns"),
	[CTL_CRASH_A_AT_FSYNC] = D_U32("at_fsync"),
	[CTL_CRASH_A_KILLED] = D_U32("killed"),
	[CTL_CRASH_A_REVERTING] = D_U8("reverting"),
};

static const struct ctl_attr_set ctl_crash_set = {
	"crash", CTL_CRASH_A_MAX, ctl_crash_defs, ctl_crash_policy,
	BIT(CTL_CRASH_A_DEV) | BIT(CTL_CRASH_A_ENABLED),
};

static const struct ctl_attr_def ctl_bb_defs[CTL_BB_A_MAX + 1] = {
	[CTL_BB_A_REGION] = D_STR("region", L_DEV),
	[CTL_BB_A_DEV] = D_STR("dev", L_DEV),
	[CTL_BB_A_OFFSET] = D_U64("offset"),
	[CTL_BB_A_LENGTH] = D_U64("length"),
};

static const struct ctl_attr_set ctl_bb_set = {
	"badblock", CTL_BB_A_MAX, ctl_bb_defs, ctl_bb_policy,
	BIT(CTL_BB_A_OFFSET) | BIT(CTL_BB_A_LENGTH),
};

static const struct ctl_attr_def ctl_daemon_defs[CTL_DAEMON_A_MAX + 1] = {
	[CTL_DAEMON_A_PID] = D_U32("pid"),
	[CTL_DAEMON_A_UPTIME_MS] = D_U64("uptime_ms"),
	[CTL_DAEMON_A_MOUNT] = D_STR("mount", L_PATH),
	[CTL_DAEMON_A_CACHESTAT] = D_U8("cachestat"),
};

static const struct ctl_attr_set ctl_daemon_set = {
	"daemon", CTL_DAEMON_A_MAX, ctl_daemon_defs, ctl_daemon_policy,
	BIT(CTL_DAEMON_A_PID),
};

static const struct ctl_attr_def ctl_nsst_defs[CTL_NSST_A_MAX + 1] = {
	[CTL_NSST_A_REGION] = D_STR("region", L_DEV),
	[CTL_NSST_A_DEV] = D_STR("dev", L_DEV),
	[CTL_NSST_A_NAME] = D_STR("name", L_NAME),
	[CTL_NSST_A_HOLDERS] = D_STR("holders", L_ERRMSG),
	[CTL_NSST_A_HOLDERS_KNOWN] = D_U8("holders_known"),
	[CTL_NSST_A_HANDLES] = D_U32("handles"),
	[CTL_NSST_A_UNPERSISTED] = D_U64("unpersisted"),
	[CTL_NSST_A_CACHE_DIRTY] = D_U64("cache_dirty"),
	[CTL_NSST_A_CACHE_KNOWN] = D_U8("cache_known"),
	[CTL_NSST_A_ERROR] = D_U32("error"),
	[CTL_NSST_A_CRASH_ENABLED] = D_U8("crash_enabled"),
	[CTL_NSST_A_CRASH_AT_FSYNC] = D_U32("crash_at_fsync"),
	[CTL_NSST_A_CRASH_LOGGED] = D_U64("crash_logged"),
	[CTL_NSST_A_CRASHED] = D_U8("crashed"),
	[CTL_NSST_A_BADBLOCKS] = D_U64("badblocks"),
	[CTL_NSST_A_BACKING] = D_STR("backing", L_STATE),
	[CTL_NSST_A_MAPPED_DIRTY] = D_U64("mapped_dirty"),
};

static const struct ctl_attr_set ctl_nsst_set = {
	"ns_status", CTL_NSST_A_MAX, ctl_nsst_defs, ctl_nsst_policy,
	BIT(CTL_NSST_A_DEV),
};

static const struct ctl_attr_def ctl_defs[CTL_A_MAX + 1] = {
	[CTL_A_ERRNO] = D_U32("errno"),
	[CTL_A_ERRMSG] = D_STR("errmsg", L_ERRMSG),
	[CTL_A_PROTO_VERSION] = D_U32("proto_version"),
	[CTL_A_DAEMON_VERSION] = D_STR("daemon_version", L_VERSION),
	[CTL_A_MOUNT] = D_USTR("mount", L_PATH, "mount point"),
	[CTL_A_REGION] = D_USTR("region", L_DEV, "region"),
	[CTL_A_NS_NAME] = D_USTR("name", L_NAME, "name"),
	[CTL_A_NS_UUID] = D_UUID("uuid"),
	[CTL_A_NS_DEV] = D_USTR("dev", L_DEV, "device name"),
	[CTL_A_SIZE] = D_U64("size"),
	[CTL_A_ALIGN] = D_U64("align"),
	[CTL_A_FLAGS] = D_U32("flags"),
	[CTL_A_NEW_NAME] = D_USTR("new_name", L_NAME, "new name"),
	[CTL_A_LABEL_VERSION] = D_U32("label_version"),
	[CTL_A_COUNT] = D_U32("count"),
	[CTL_A_REGION_INFO] = D_NEST("region_info", ctl_region_set),
	[CTL_A_NS_INFO] = D_NEST("ns_info", ctl_ns_set),
	[CTL_A_STATS] = D_NEST("stats", ctl_stats_set),
	[CTL_A_INDEX] = D_NEST("index", ctl_index_set),
	[CTL_A_LABEL] = D_NEST("label", ctl_label_set),
	[CTL_A_CHECK] = D_NEST("check", ctl_check_set),
	[CTL_A_OFFSET] = D_U64("offset"),
	[CTL_A_LENGTH] = D_U64("length"),
	[CTL_A_SURVIVE] = D_U32("survive"),
	[CTL_A_SEED] = D_U64("seed"),
	[CTL_A_WAIT_MS] = D_U32("wait_ms"),
	[CTL_A_AT_FSYNC] = D_U32("at_fsync"),
	[CTL_A_CRASH] = D_NEST("crash", ctl_crash_set),
	[CTL_A_BADBLOCK] = D_NEST("badblock", ctl_bb_set),
	[CTL_A_DAEMON] = D_NEST("daemon", ctl_daemon_set),
	[CTL_A_NS_STATUS] = D_NEST("ns_status", ctl_nsst_set),
	[CTL_A_NVDIMM_SLOT] = D_U32("nvdimm_slot"),
};

const struct ctl_attr_set ctl_attrs = {
	"message", CTL_A_MAX, ctl_defs, ctl_policy, 0,
};

_Static_assert(CTL_A_MAX < 64 && CTL_NS_A_MAX < 64 && CTL_REGION_A_MAX < 64 &&
	       CTL_STATS_A_MAX < 64 && CTL_INDEX_A_MAX < 64 &&
	       CTL_LABEL_A_MAX < 64 && CTL_CHECK_A_MAX < 64 &&
	       CTL_CRASH_A_MAX < 64 && CTL_BB_A_MAX < 64 &&
	       CTL_DAEMON_A_MAX < 64 && CTL_NSST_A_MAX < 64 &&
	       CTL_HIST_BUCKETS < 64, "attribute sets are tracked in 64-bit masks");

/* ---- commands (step 7) ---- */

#define A(t) BIT(CTL_A_##t)
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
			 CTL_F_STATUS,
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
};

static const struct {
	uint32_t bit;
	const char *name;
} ctl_flag_names[] = {
	{ CTL_F_READONLY, "read-only" },
	{ CTL_F_SPARSE, "sparse" },
	{ CTL_F_FORCE, "force" },
	{ CTL_F_CRASH_TEST, "crash-test" },
	{ CTL_F_KILL, "kill" },
	{ CTL_F_ENABLE, "enable" },
	{ CTL_F_DISABLE, "disable" },
	{ CTL_F_STATUS, "status" },
	{ CTL_F_UNINJECT, "uninject" },
	{ CTL_F_CLEAR, "clear" },
	{ CTL_F_KEEP_SERVED, "keep-served" },
};

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
		if (seen & BIT(type))
			return ns_err(-EINVAL, "%sduplicate attribute %u (%s)",
				      ctx, type, def->name);
		seen |= BIT(type);

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
			present |= BIT(t);

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

		for (i = 0; i < sizeof(ctl_flag_names) / sizeof(ctl_flag_names[0]); i++) {
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
	nlrc = genlmsg_parse(nlh, 0, attrs, CTL_A_MAX, (struct nla_policy *)ctl_policy);
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

/* ---- building ---- */

struct nl_msg *ctl_proto_msg_new(unsigned cmd, uint32_t seq, int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(CTL_MSG_MAX);

	if (m == NULL)
		return NULL;
	if (genlmsg_put(m, 0, seq, CTL_FAMILY, 0, flags, (uint8_t)cmd,
			CTL_PROTO_VERSION) == NULL) {
		nlmsg_free(m);
		return NULL;
	}
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
	char text[L_ERRMSG];

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

static int ctl_put_fail(int type)
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

/* ---- nested records, table-driven ---- */

enum ctl_fkind { F_STR, F_BOOL, F_U32, F_U64, F_UUID };

struct ctl_field {
	uint16_t type;
	uint8_t kind;		/* enum ctl_fkind */
	uint16_t off;		/* offsetof the struct member */
};

#define FLD(t, k, s, m) { t, k, (uint16_t)offsetof(struct s, m) }

static int ctl_fields_put(struct nl_msg *m, const struct ctl_field *f, size_t n,
			  const void *rec)
{
	const uint8_t *base = rec;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const void *p = base + f[i].off;

		switch (f[i].kind) {
		case F_STR:
			rc = ctl_put_string(m, f[i].type, *(const char *const *)p);
			break;
		case F_BOOL:
			rc = ctl_put_u8(m, f[i].type, *(const bool *)p ? 1 : 0);
			break;
		case F_U32:
			rc = ctl_put_u32(m, f[i].type, *(const uint32_t *)p);
			break;
		case F_U64:
			rc = ctl_put_u64(m, f[i].type, *(const uint64_t *)p);
			break;
		case F_UUID:
			rc = ctl_put_uuid(m, f[i].type, p);
			break;
		}
	}
	return rc;
}

/* fill rec from the attributes of nest that the table knows (lengths checked again) */
static void ctl_fields_get(const struct nlattr *nest, const struct ctl_field *f,
			   size_t n, void *rec)
{
	const struct nlattr *a;
	uint8_t *base = rec;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a), len = nla_len(a);
		const uint8_t *d = nla_data(a);
		void *p;
		size_t i;

		for (i = 0; i < n && f[i].type != type; i++)
			;
		if (i == n)
			continue;
		p = base + f[i].off;

		switch (f[i].kind) {
		case F_STR:
			if (len > 0 && d[len - 1] == '\0')
				*(const char **)p = (const char *)d;
			break;
		case F_BOOL:
			if (len == 1)
				*(bool *)p = d[0] != 0;
			break;
		case F_U32:
			if (len == 4)
				memcpy(p, d, 4);
			break;
		case F_U64:
			if (len == 8)
				memcpy(p, d, 8);
			break;
		case F_UUID:
			if (len == 16)
				memcpy(p, d, 16);
			break;
		}
	}
}

static int ctl_nest_put(struct nl_msg *m, int type, const struct ctl_field *f,
			size_t n, const void *rec)
{
	struct nlattr *nest = nla_nest_start(m, type);
	int rc;

	if (nest == NULL)
		return ctl_put_fail(type);
	rc = ctl_fields_put(m, f, n, rec);
	if (rc) {
		nla_nest_cancel(m, nest);
		return ctl_put_fail(type);
	}
	nla_nest_end(m, nest);
	return 0;
}

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static const struct ctl_field ctl_ns_fields[] = {
	FLD(CTL_NS_A_REGION, F_STR, ctl_ns_info, region),
	FLD(CTL_NS_A_DEV, F_STR, ctl_ns_info, dev),
	FLD(CTL_NS_A_NAME, F_STR, ctl_ns_info, name),
	FLD(CTL_NS_A_UUID, F_UUID, ctl_ns_info, uuid),
	FLD(CTL_NS_A_SIZE, F_U64, ctl_ns_info, size),
	FLD(CTL_NS_A_DPA, F_U64, ctl_ns_info, dpa),
	FLD(CTL_NS_A_ALIGN, F_U64, ctl_ns_info, align),
	FLD(CTL_NS_A_READONLY, F_BOOL, ctl_ns_info, readonly),
	FLD(CTL_NS_A_STATE, F_STR, ctl_ns_info, state),
	FLD(CTL_NS_A_REASON, F_STR, ctl_ns_info, reason),
	FLD(CTL_NS_A_PATH, F_STR, ctl_ns_info, path),
	FLD(CTL_NS_A_CRASH_TEST, F_BOOL, ctl_ns_info, crash_test),
	FLD(CTL_NS_A_BADBLOCKS, F_U64, ctl_ns_info, badblocks),
};

int ctl_ns_info_put(struct nl_msg *m, const struct ctl_ns_info *ns)
{
	return ctl_nest_put(m, CTL_A_NS_INFO, ctl_ns_fields, NFIELDS(ctl_ns_fields), ns);
}

int ctl_ns_info_get(const struct nlattr *nest, struct ctl_ns_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_ns_fields, NFIELDS(ctl_ns_fields), out);
	return 0;
}

static const struct ctl_field ctl_region_fields[] = {
	FLD(CTL_REGION_A_DEV, F_STR, ctl_region_info, dev),
	FLD(CTL_REGION_A_PATH, F_STR, ctl_region_info, path),
	FLD(CTL_REGION_A_SIZE, F_U64, ctl_region_info, size),
	FLD(CTL_REGION_A_FILE_SIZE, F_U64, ctl_region_info, file_size),
	FLD(CTL_REGION_A_LABEL_SIZE, F_U64, ctl_region_info, label_size),
	FLD(CTL_REGION_A_LABEL_VERSION, F_U32, ctl_region_info, label_version),
	FLD(CTL_REGION_A_AVAILABLE, F_U64, ctl_region_info, available),
	FLD(CTL_REGION_A_MAX_EXTENT, F_U64, ctl_region_info, max_extent),
	FLD(CTL_REGION_A_ISET_ID, F_U64, ctl_region_info, iset_id),
};

int ctl_region_info_put(struct nl_msg *m, const struct ctl_region_info *r)
{
	struct nlattr *nest = nla_nest_start(m, CTL_A_REGION_INFO);
	int rc;

	if (nest == NULL)
		return ctl_put_fail(CTL_A_REGION_INFO);
	rc = ctl_fields_put(m, ctl_region_fields, NFIELDS(ctl_region_fields), r);
	if (rc) {
		nla_nest_cancel(m, nest);
		return ctl_put_fail(CTL_A_REGION_INFO);
	}
	nla_nest_end(m, nest);
	return 0;
}

int ctl_region_info_get(const struct nlattr *nest, struct ctl_region_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_region_fields, NFIELDS(ctl_region_fields), out);
	/*
	 * the slot from the cookie, as ns_region_nvdimm_slot finds it; a
	 * region without labels (LABEL_VERSION 0) may have either version's
	 * cookie, and no cookie is both versions' one
	 */
	if (out->label_version)
		out->has_nvdimm_slot = ns_isetcookie_qemu_slot(out->label_version, out->iset_id,
							       &out->nvdimm_slot);
	else
		out->has_nvdimm_slot =
			ns_isetcookie_qemu_slot(2, out->iset_id, &out->nvdimm_slot) ||
			ns_isetcookie_qemu_slot(1, out->iset_id, &out->nvdimm_slot);
	return 0;
}

static const struct ctl_field ctl_stats_fields[] = {
	FLD(CTL_STATS_A_REGION, F_STR, ctl_stats_info, region),
	FLD(CTL_STATS_A_DEV, F_STR, ctl_stats_info, dev),
	FLD(CTL_STATS_A_NAME, F_STR, ctl_stats_info, name),
	FLD(CTL_STATS_A_BYTES_READ, F_U64, ctl_stats_info, bytes_read),
	FLD(CTL_STATS_A_BYTES_WRITTEN, F_U64, ctl_stats_info, bytes_written),
	FLD(CTL_STATS_A_BYTES_PERSISTED, F_U64, ctl_stats_info, bytes_persisted),
	FLD(CTL_STATS_A_FSYNCS, F_U64, ctl_stats_info, fsyncs),
	FLD(CTL_STATS_A_ERRORS, F_U64, ctl_stats_info, errors),
};

const char *ctl_stat_req_name(unsigned req)
{
	return req >= 1 && req <= CTL_REQ_MAX ? ctl_req_names[req] : NULL;
}

unsigned ctl_hist_bucket(uint64_t latency_ns)
{
	uint64_t us = latency_ns / 1000;
	unsigned b;

	if (us == 0)
		return 0;
	b = 63u - (unsigned)__builtin_clzll(us);	/* floor(log2(us)) */
	return b < CTL_HIST_BUCKETS ? b : CTL_HIST_BUCKETS - 1;
}

/* a nest of u64 values at types 1..n */
static int ctl_u64_array_put(struct nl_msg *m, int type, const uint64_t *v, unsigned n)
{
	struct nlattr *nest = nla_nest_start(m, type);
	unsigned i;

	if (nest == NULL)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_u64(m, (int)i + 1, v[i]) < 0) {
			nla_nest_cancel(m, nest);
			return -EMSGSIZE;
		}
	nla_nest_end(m, nest);
	return 0;
}

static void ctl_u64_array_get(const struct nlattr *nest, uint64_t *v, unsigned n)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t >= 1 && (unsigned)t <= n && nla_len(a) == 8)
			memcpy(&v[t - 1], nla_data(a), 8);
	}
}

int ctl_stats_info_put(struct nl_msg *m, const struct ctl_stats_info *s)
{
	struct nlattr *nest = nla_nest_start(m, CTL_A_STATS);

	if (nest == NULL)
		return ctl_put_fail(CTL_A_STATS);
	if (ctl_fields_put(m, ctl_stats_fields, NFIELDS(ctl_stats_fields), s) ||
	    ctl_u64_array_put(m, CTL_STATS_A_REQUESTS, &s->requests[1], CTL_REQ_MAX) ||
	    ctl_u64_array_put(m, CTL_STATS_A_FLUSH_HIST, s->flush_hist, CTL_HIST_BUCKETS)) {
		nla_nest_cancel(m, nest);
		return ctl_put_fail(CTL_A_STATS);
	}
	nla_nest_end(m, nest);
	return 0;
}

int ctl_stats_info_get(const struct nlattr *nest, struct ctl_stats_info *out)
{
	const struct nlattr *a;
	int rem;

	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_stats_fields, NFIELDS(ctl_stats_fields), out);
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) == CTL_STATS_A_REQUESTS)
			ctl_u64_array_get(a, &out->requests[1], CTL_REQ_MAX);
		else if (nla_type(a) == CTL_STATS_A_FLUSH_HIST)
			ctl_u64_array_get(a, out->flush_hist, CTL_HIST_BUCKETS);
	}
	return 0;
}

static const struct ctl_field ctl_index_fields[] = {
	FLD(CTL_INDEX_A_REGION, F_STR, ctl_index_info, region),
	FLD(CTL_INDEX_A_NUM, F_U32, ctl_index_info, num),
	FLD(CTL_INDEX_A_VALID, F_BOOL, ctl_index_info, valid),
	FLD(CTL_INDEX_A_CURRENT, F_BOOL, ctl_index_info, current),
	FLD(CTL_INDEX_A_REASON, F_STR, ctl_index_info, reason),
	FLD(CTL_INDEX_A_SEQ, F_U32, ctl_index_info, seq),
	FLD(CTL_INDEX_A_MYOFF, F_U64, ctl_index_info, myoff),
	FLD(CTL_INDEX_A_MYSIZE, F_U64, ctl_index_info, mysize),
	FLD(CTL_INDEX_A_OTHEROFF, F_U64, ctl_index_info, otheroff),
	FLD(CTL_INDEX_A_LABELOFF, F_U64, ctl_index_info, labeloff),
	FLD(CTL_INDEX_A_NSLOT, F_U32, ctl_index_info, nslot),
	FLD(CTL_INDEX_A_MAJOR, F_U32, ctl_index_info, major),
	FLD(CTL_INDEX_A_MINOR, F_U32, ctl_index_info, minor),
	FLD(CTL_INDEX_A_LABEL_SIZE, F_U32, ctl_index_info, label_size),
	FLD(CTL_INDEX_A_CHECKSUM, F_U64, ctl_index_info, checksum),
	FLD(CTL_INDEX_A_FREE, F_U32, ctl_index_info, free),
};

int ctl_index_info_put(struct nl_msg *m, const struct ctl_index_info *x)
{
	return ctl_nest_put(m, CTL_A_INDEX, ctl_index_fields, NFIELDS(ctl_index_fields), x);
}

int ctl_index_info_get(const struct nlattr *nest, struct ctl_index_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_index_fields, NFIELDS(ctl_index_fields), out);
	return 0;
}

static const struct ctl_field ctl_label_fields[] = {
	FLD(CTL_LABEL_A_REGION, F_STR, ctl_label_info, region),
	FLD(CTL_LABEL_A_SLOT, F_U32, ctl_label_info, slot),
	FLD(CTL_LABEL_A_VALID, F_BOOL, ctl_label_info, valid),
	FLD(CTL_LABEL_A_REASON, F_STR, ctl_label_info, reason),
	FLD(CTL_LABEL_A_UUID, F_UUID, ctl_label_info, uuid),
	FLD(CTL_LABEL_A_NAME, F_STR, ctl_label_info, name),
	FLD(CTL_LABEL_A_FLAGS, F_U32, ctl_label_info, flags),
	FLD(CTL_LABEL_A_NLABEL, F_U32, ctl_label_info, nlabel),
	FLD(CTL_LABEL_A_POSITION, F_U32, ctl_label_info, position),
	FLD(CTL_LABEL_A_ISETCOOKIE, F_U64, ctl_label_info, isetcookie),
	FLD(CTL_LABEL_A_LBASIZE, F_U64, ctl_label_info, lbasize),
	FLD(CTL_LABEL_A_DPA, F_U64, ctl_label_info, dpa),
	FLD(CTL_LABEL_A_RAWSIZE, F_U64, ctl_label_info, rawsize),
	FLD(CTL_LABEL_A_TYPE_GUID, F_UUID, ctl_label_info, type_guid),
	FLD(CTL_LABEL_A_ABSTRACTION_GUID, F_UUID, ctl_label_info, abstraction_guid),
	FLD(CTL_LABEL_A_CHECKSUM, F_U64, ctl_label_info, checksum),
};

int ctl_label_info_put(struct nl_msg *m, const struct ctl_label_info *l)
{
	return ctl_nest_put(m, CTL_A_LABEL, ctl_label_fields, NFIELDS(ctl_label_fields), l);
}

int ctl_label_info_get(const struct nlattr *nest, struct ctl_label_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_label_fields, NFIELDS(ctl_label_fields), out);
	return 0;
}

static const struct ctl_field ctl_check_fields[] = {
	FLD(CTL_CHECK_A_REGION, F_STR, ctl_check_info, region),
	FLD(CTL_CHECK_A_OK, F_BOOL, ctl_check_info, ok),
	FLD(CTL_CHECK_A_LABELS, F_U32, ctl_check_info, labels),
	FLD(CTL_CHECK_A_PROBLEMS, F_STR, ctl_check_info, problems),
	FLD(CTL_CHECK_A_BADBLOCKS, F_U64, ctl_check_info, badblocks),
};

int ctl_check_info_put(struct nl_msg *m, const struct ctl_check_info *c)
{
	return ctl_nest_put(m, CTL_A_CHECK, ctl_check_fields, NFIELDS(ctl_check_fields), c);
}

int ctl_check_info_get(const struct nlattr *nest, struct ctl_check_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_check_fields, NFIELDS(ctl_check_fields), out);
	return 0;
}

static const struct ctl_field ctl_crash_fields[] = {
	FLD(CTL_CRASH_A_REGION, F_STR, ctl_crash_info, region),
	FLD(CTL_CRASH_A_DEV, F_STR, ctl_crash_info, dev),
	FLD(CTL_CRASH_A_NAME, F_STR, ctl_crash_info, name),
	FLD(CTL_CRASH_A_ENABLED, F_BOOL, ctl_crash_info, enabled),
	FLD(CTL_CRASH_A_ACTION, F_STR, ctl_crash_info, action),
	FLD(CTL_CRASH_A_PAGES_LOGGED, F_U64, ctl_crash_info, pages_logged),
	FLD(CTL_CRASH_A_PAGES_REVERTED, F_U64, ctl_crash_info, pages_reverted),
	FLD(CTL_CRASH_A_PAGES_KEPT, F_U64, ctl_crash_info, pages_kept),
	FLD(CTL_CRASH_A_FSYNCS, F_U64, ctl_crash_info, fsyncs),
	FLD(CTL_CRASH_A_REVERTS, F_U64, ctl_crash_info, reverts),
	FLD(CTL_CRASH_A_TIME_NS, F_U64, ctl_crash_info, time_ns),
	FLD(CTL_CRASH_A_AT_FSYNC, F_U32, ctl_crash_info, at_fsync),
	FLD(CTL_CRASH_A_KILLED, F_U32, ctl_crash_info, killed),
	FLD(CTL_CRASH_A_REVERTING, F_BOOL, ctl_crash_info, reverting),
};

int ctl_crash_info_put(struct nl_msg *m, const struct ctl_crash_info *c)
{
	return ctl_nest_put(m, CTL_A_CRASH, ctl_crash_fields, NFIELDS(ctl_crash_fields), c);
}

int ctl_crash_info_get(const struct nlattr *nest, struct ctl_crash_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_crash_fields, NFIELDS(ctl_crash_fields), out);
	return 0;
}

static const struct ctl_field ctl_bb_fields[] = {
	FLD(CTL_BB_A_REGION, F_STR, ctl_bb_info, region),
	FLD(CTL_BB_A_DEV, F_STR, ctl_bb_info, dev),
	FLD(CTL_BB_A_OFFSET, F_U64, ctl_bb_info, offset),
	FLD(CTL_BB_A_LENGTH, F_U64, ctl_bb_info, length),
};

int ctl_bb_info_put(struct nl_msg *m, const struct ctl_bb_info *b)
{
	return ctl_nest_put(m, CTL_A_BADBLOCK, ctl_bb_fields, NFIELDS(ctl_bb_fields), b);
}

int ctl_bb_info_get(const struct nlattr *nest, struct ctl_bb_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_bb_fields, NFIELDS(ctl_bb_fields), out);
	return 0;
}

static const struct ctl_field ctl_daemon_fields[] = {
	FLD(CTL_DAEMON_A_PID, F_U32, ctl_daemon_info, pid),
	FLD(CTL_DAEMON_A_UPTIME_MS, F_U64, ctl_daemon_info, uptime_ms),
	FLD(CTL_DAEMON_A_MOUNT, F_STR, ctl_daemon_info, mount),
	FLD(CTL_DAEMON_A_CACHESTAT, F_BOOL, ctl_daemon_info, cachestat),
};

int ctl_daemon_info_put(struct nl_msg *m, const struct ctl_daemon_info *d)
{
	return ctl_nest_put(m, CTL_A_DAEMON, ctl_daemon_fields, NFIELDS(ctl_daemon_fields), d);
}

int ctl_daemon_info_get(const struct nlattr *nest, struct ctl_daemon_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_daemon_fields, NFIELDS(ctl_daemon_fields), out);
	return 0;
}

static const struct ctl_field ctl_nsst_fields[] = {
	FLD(CTL_NSST_A_REGION, F_STR, ctl_nsst_info, region),
	FLD(CTL_NSST_A_DEV, F_STR, ctl_nsst_info, dev),
	FLD(CTL_NSST_A_NAME, F_STR, ctl_nsst_info, name),
	FLD(CTL_NSST_A_HOLDERS, F_STR, ctl_nsst_info, holders),
	FLD(CTL_NSST_A_HOLDERS_KNOWN, F_BOOL, ctl_nsst_info, holders_known),
	FLD(CTL_NSST_A_HANDLES, F_U32, ctl_nsst_info, handles),
	FLD(CTL_NSST_A_UNPERSISTED, F_U64, ctl_nsst_info, unpersisted),
	FLD(CTL_NSST_A_CACHE_DIRTY, F_U64, ctl_nsst_info, cache_dirty),
	FLD(CTL_NSST_A_CACHE_KNOWN, F_BOOL, ctl_nsst_info, cache_known),
	FLD(CTL_NSST_A_ERROR, F_U32, ctl_nsst_info, error),
	FLD(CTL_NSST_A_CRASH_ENABLED, F_BOOL, ctl_nsst_info, crash_enabled),
	FLD(CTL_NSST_A_CRASH_AT_FSYNC, F_U32, ctl_nsst_info, crash_at_fsync),
	FLD(CTL_NSST_A_CRASH_LOGGED, F_U64, ctl_nsst_info, crash_logged),
	FLD(CTL_NSST_A_CRASHED, F_BOOL, ctl_nsst_info, crashed),
	FLD(CTL_NSST_A_BADBLOCKS, F_U64, ctl_nsst_info, badblocks),
	FLD(CTL_NSST_A_BACKING, F_STR, ctl_nsst_info, backing),
	FLD(CTL_NSST_A_MAPPED_DIRTY, F_U64, ctl_nsst_info, mapped_dirty),
};

int ctl_nsst_info_put(struct nl_msg *m, const struct ctl_nsst_info *s)
{
	return ctl_nest_put(m, CTL_A_NS_STATUS, ctl_nsst_fields, NFIELDS(ctl_nsst_fields), s);
}

int ctl_nsst_info_get(const struct nlattr *nest, struct ctl_nsst_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_nsst_fields, NFIELDS(ctl_nsst_fields), out);
	return 0;
}
