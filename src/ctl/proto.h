/* SPDX-License-Identifier: MIT */
/*
 * The pmemfs control protocol: the schema shared by the daemon (server.h)
 * and pmemctl (client.h).
 *
 * Wire format: one generic-netlink shaped message per AF_UNIX SOCK_SEQPACKET
 * packet,
 *
 *   struct nlmsghdr   nlmsg_len = the packet's length (a multiple of 4)
 *                     nlmsg_type = CTL_FAMILY (NLMSG_DONE ends a multi-part reply)
 *                     nlmsg_flags = NLM_F_REQUEST on requests, NLM_F_MULTI on parts
 *                     nlmsg_seq = chosen by the client, echoed in every reply
 *   struct genlmsghdr cmd = enum ctl_proto_cmd, version = CTL_PROTO_VERSION
 *   attributes        enum ctl_attr, some nested (CTL_A_*_INFO ...)
 *
 * built with libnl-3 (nlmsg_alloc_size, nlmsg_put + the genl header, nla_put_*)
 * and parsed with nlmsg_parse past the genl header (genlmsg_parse without
 * libnl-genl) against ctl_policy. libnl's parser is lenient (it
 * skips unknown attributes, keeps the last of duplicates, takes over-long
 * fixed-size attributes, and trusts nlmsg_len), so every message is
 * checked around it, in this order:
 *
 *   1. the packet was not truncated (recvmsg MSG_TRUNC; the transport does this)
 *   2. at least a netlink header; nlmsg_len == the bytes received, a multiple of 4
 *   3. nlmsg_type == CTL_FAMILY; NLM_F_REQUEST set (requests) or not (replies)
 *   4. a genetlink header; a known command; the protocol version
 *      (CTL_CMD_VERSION is answered in any version)
 *   5. nlmsg_parse (as genlmsg_parse) with ctl_policy
 *   6. our own pass over the raw attributes, nested ones included: no
 *      unknown types, no duplicates, no flag bits but NLA_F_NESTED on
 *      nests, exact lengths for u8/u16/u32/u64 and 16-byte UUIDs, strings
 *      NUL-terminated with no NUL inside and not too long, the attribute
 *      stream consumed exactly, required attributes of nested sets present
 *   7. requests: only the attributes the command takes, the required ones
 *      present, at most one namespace selector, only the command's flags
 *
 * Every rejection is a negative errno and an ns_err() message naming the
 * problem ("attribute 10 (size) has length 200, expected 8").
 *
 * Replies: a single message with the request's cmd and seq, or parts
 * (NLM_F_MULTI, one region/namespace/label each) ended by an NLMSG_DONE
 * message (a nlmsghdr and a 4-byte 0). A failure is a message carrying
 * CTL_A_ERRNO (positive errno) and CTL_A_ERRMSG (what failed and why); a
 * failure after some parts were sent is sent as a last part before DONE.
 */
#ifndef PMEMFS_CTL_PROTO_H
#define PMEMFS_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "ctl/proto_schema.h"

/* nlmsg_type of every pmemfs control message ("PM"); >= NLMSG_MIN_TYPE */
#define CTL_FAMILY 0x504d
/* genlmsghdr.version this library speaks */
#define CTL_PROTO_VERSION 1
/* the largest message either side sends or accepts, headers included */
#define CTL_MSG_MAX 32768
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL */
#define CTL_UUID_STR_LEN 37

enum ctl_proto_cmd {
	CTL_CMD_UNSPEC,
	CTL_CMD_VERSION,	/* -> PROTO_VERSION, DAEMON_VERSION, MOUNT */
	CTL_CMD_LIST,		/* [REGION] -> parts: REGION_INFO or NS_INFO each */
	CTL_CMD_CREATE_NS,	/* REGION SIZE [NS_NAME NS_UUID ALIGN FLAGS] -> NS_INFO */
	CTL_CMD_DESTROY_NS,	/* spec [REGION FLAGS(force)] -> COUNT */
	CTL_CMD_ENABLE_NS,	/* spec [REGION] -> NS_INFO */
	CTL_CMD_DISABLE_NS,	/* spec [REGION FLAGS(force)] -> NS_INFO */
	CTL_CMD_RENAME_NS,	/* spec NEW_NAME [REGION] -> NS_INFO */
	CTL_CMD_READ_LABELS,	/* [REGION] -> parts: INDEX or LABEL each */
	CTL_CMD_CHECK_LABELS,	/* [REGION] -> parts: CHECK, one per region */
	CTL_CMD_INIT_LABELS,	/* REGION [FLAGS(force) LABEL_VERSION] -> REGION_INFO */
	CTL_CMD_STATS,		/* [REGION] [spec] -> parts: STATS, one per namespace */
	/*
	 * spec [REGION FLAGS(enable|disable|status|force|kill) SURVIVE SEED
	 * WAIT_MS AT_FSYNC] -> CRASH: crash testing of a namespace (enable,
	 * disable, status, arm a crash at an FSYNC, or pull the plug now)
	 */
	CTL_CMD_POWER_FAIL,
	/*
	 * spec [REGION OFFSET LENGTH FLAGS(uninject|clear)] -> parts: BADBLOCK
	 * each (the namespace's media errors after the change): OFFSET and
	 * LENGTH inject (or with uninject clear) a range, clear clears all,
	 * neither is a status query
	 */
	CTL_CMD_INJECT_ERROR,
	/*
	 * [REGION] -> parts: DAEMON (first), then NS_STATUS for each served
	 * namespace: the status view (pmemctl list -v)
	 */
	CTL_CMD_STATUS,
	/*
	 * REGION NVDIMM_SLOT -> REGION_INFO COUNT: move the region to another
	 * QEMU nvdimm slot (every label's cookie rewritten in one commit;
	 * COUNT labels rewritten)
	 */
	CTL_CMD_MOVE_REGION,
	/*
	 * spec [REGION STATE MAX_SUBSET TORN SEED WAIT_MS FLAGS(force|disable)]
	 * -> STATE IMAGE_PAGES STATES PAGES_NEW PAGES_TORN STATE_ID: put crash
	 * state STATE of the namespace's crash image (power-fail with flag
	 * image) on it; disable: drop the image
	 */
	CTL_CMD_CRASH_STATE,
	/* [REGION] -> parts: HEALTH, one per region (pmemctl list -R -H) */
	CTL_CMD_HEALTH,
	/*
	 * spec [REGION FLAGS(enable|disable|status|force) BASELINE_MAX WAIT_MS]
	 * -> BASELINE_PAGES BASELINE_MAX BASELINE_FULL PAGES_RESTORED
	 * RESTORE_NS: a baseline of the namespace (pmemctl crash-test):
	 * enable starts one, disable releases it, status reports it, no flag
	 * restores it (fault.h)
	 */
	CTL_CMD_BASELINE,
	__CTL_CMD_MAX,
};
#define CTL_CMD_MAX (__CTL_CMD_MAX - 1)

/* Top-level attributes of requests and replies (proto_schema.h CTL_ATTRS) */
enum ctl_attr {
	CTL_A_UNSPEC,
	CTL_ATTRS(CTL_SCHEMA_ENUM, CTL_A_)
	__CTL_A_MAX,
};
#define CTL_A_MAX (__CTL_A_MAX - 1)

/* CTL_A_FLAGS bits: CTL_F_FORCE ... (proto_schema.h CTL_FLAGS) */
#define CTL_SCHEMA_FLAG(prefix, NAME, bit, n) prefix##NAME = 1u << (bit),
enum ctl_flag {
	CTL_FLAGS(CTL_SCHEMA_FLAG, CTL_F_)
};

/* CTL_A_NS_INFO: a namespace (LIST part, CREATE/ENABLE/... reply) */
enum ctl_ns_attr {
	CTL_NS_A_UNSPEC,
	CTL_NS_ATTRS(CTL_SCHEMA_ENUM, CTL_NS_A_)
	__CTL_NS_A_MAX,
};
#define CTL_NS_A_MAX (__CTL_NS_A_MAX - 1)

/* CTL_A_REGION_INFO: a region (LIST part, INIT_LABELS reply) */
enum ctl_region_attr {
	CTL_REGION_A_UNSPEC,
	CTL_REGION_ATTRS(CTL_SCHEMA_ENUM, CTL_REGION_A_)
	__CTL_REGION_A_MAX,
};
#define CTL_REGION_A_MAX (__CTL_REGION_A_MAX - 1)

/* FUSE request types counted per namespace (CTL_STATS_A_REQUESTS) */
enum ctl_stat_req {
	CTL_REQ_UNSPEC,
	CTL_STAT_REQS(CTL_SCHEMA_ENUM, CTL_REQ_)
	__CTL_REQ_MAX,
};
#define CTL_REQ_MAX (__CTL_REQ_MAX - 1)

/*
 * Flush latency histogram: bucket b (0-based) counts flushes that took
 * [2^b, 2^(b+1)) microseconds; bucket 0 also takes those under 1 us, the
 * last one everything from 2^(CTL_HIST_BUCKETS-1) us (8.4 s) up.
 * On the wire: CTL_STATS_A_FLUSH_HIST nests attribute b + 1 = u64 count.
 */
#define CTL_HIST_BUCKETS 24

/* CTL_A_STATS: one namespace's counters (STATS part) */
enum ctl_stats_attr {
	CTL_STATS_A_UNSPEC,
	CTL_STATS_ATTRS(CTL_SCHEMA_ENUM, CTL_STATS_A_)
	__CTL_STATS_A_MAX,
};
#define CTL_STATS_A_MAX (__CTL_STATS_A_MAX - 1)

/* CTL_A_INDEX: one namespace index block as read (READ_LABELS part) */
enum ctl_index_attr {
	CTL_INDEX_A_UNSPEC,
	CTL_INDEX_ATTRS(CTL_SCHEMA_ENUM, CTL_INDEX_A_)
	__CTL_INDEX_A_MAX,
};
#define CTL_INDEX_A_MAX (__CTL_INDEX_A_MAX - 1)

/* CTL_A_LABEL: one used label slot of the current index (READ_LABELS part) */
enum ctl_label_attr {
	CTL_LABEL_A_UNSPEC,
	CTL_LABEL_ATTRS(CTL_SCHEMA_ENUM, CTL_LABEL_A_)
	__CTL_LABEL_A_MAX,
};
#define CTL_LABEL_A_MAX (__CTL_LABEL_A_MAX - 1)

/* CTL_A_CHECK: check-labels result of one region (CHECK_LABELS part) */
enum ctl_check_attr {
	CTL_CHECK_A_UNSPEC,
	CTL_CHECK_ATTRS(CTL_SCHEMA_ENUM, CTL_CHECK_A_)
	__CTL_CHECK_A_MAX,
};
#define CTL_CHECK_A_MAX (__CTL_CHECK_A_MAX - 1)

/* CTL_A_CRASH: a namespace's crash-test state (POWER_FAIL reply) */
enum ctl_crash_attr {
	CTL_CRASH_A_UNSPEC,
	CTL_CRASH_ATTRS(CTL_SCHEMA_ENUM, CTL_CRASH_A_)
	__CTL_CRASH_A_MAX,
};
#define CTL_CRASH_A_MAX (__CTL_CRASH_A_MAX - 1)

/* CTL_A_BADBLOCK: one media error range (INJECT_ERROR and LIST parts) */
enum ctl_bb_attr {
	CTL_BB_A_UNSPEC,
	CTL_BB_ATTRS(CTL_SCHEMA_ENUM, CTL_BB_A_)
	__CTL_BB_A_MAX,
};
#define CTL_BB_A_MAX (__CTL_BB_A_MAX - 1)

/* CTL_A_DAEMON: the daemon of the mount (STATUS part) */
enum ctl_daemon_attr {
	CTL_DAEMON_A_UNSPEC,
	CTL_DAEMON_ATTRS(CTL_SCHEMA_ENUM, CTL_DAEMON_A_)
	__CTL_DAEMON_A_MAX,
};
#define CTL_DAEMON_A_MAX (__CTL_DAEMON_A_MAX - 1)

/* CTL_A_NS_STATUS: a served namespace's status (STATUS part) */
enum ctl_nsst_attr {
	CTL_NSST_A_UNSPEC,
	CTL_NSST_ATTRS(CTL_SCHEMA_ENUM, CTL_NSST_A_)
	__CTL_NSST_A_MAX,
};
#define CTL_NSST_A_MAX (__CTL_NSST_A_MAX - 1)

/* CTL_A_HEALTH: a region's health (HEALTH part) */
enum ctl_health_attr {
	CTL_HEALTH_A_UNSPEC,
	CTL_HEALTH_ATTRS(CTL_SCHEMA_ENUM, CTL_HEALTH_A_)
	__CTL_HEALTH_A_MAX,
};
#define CTL_HEALTH_A_MAX (__CTL_HEALTH_A_MAX - 1)

/* libnl policies (step 5 above; nested ones for nla_parse_nested) */
extern const struct nla_policy ctl_policy[CTL_A_MAX + 1];
extern const struct nla_policy ctl_ns_policy[CTL_NS_A_MAX + 1];
extern const struct nla_policy ctl_region_policy[CTL_REGION_A_MAX + 1];
extern const struct nla_policy ctl_stats_policy[CTL_STATS_A_MAX + 1];
extern const struct nla_policy ctl_index_policy[CTL_INDEX_A_MAX + 1];
extern const struct nla_policy ctl_label_policy[CTL_LABEL_A_MAX + 1];
extern const struct nla_policy ctl_check_policy[CTL_CHECK_A_MAX + 1];
extern const struct nla_policy ctl_crash_policy[CTL_CRASH_A_MAX + 1];
extern const struct nla_policy ctl_bb_policy[CTL_BB_A_MAX + 1];
extern const struct nla_policy ctl_daemon_policy[CTL_DAEMON_A_MAX + 1];
extern const struct nla_policy ctl_nsst_policy[CTL_NSST_A_MAX + 1];
extern const struct nla_policy ctl_health_policy[CTL_HEALTH_A_MAX + 1];

/* What our own pass knows about an attribute type (step 6). */
enum ctl_kind {
	CTL_KIND_NONE,		/* not a valid type in its set */
	CTL_KIND_U8,
	CTL_KIND_U16,
	CTL_KIND_U32,
	CTL_KIND_U64,
	CTL_KIND_UUID,		/* exactly 16 bytes */
	CTL_KIND_STRING,	/* NUL-terminated, at most maxlen bytes with the NUL */
	CTL_KIND_NESTED,	/* attributes of the set nest */
};

struct ctl_attr_set;

struct ctl_attr_def {
	const char *name;
	enum ctl_kind kind;
	uint16_t maxlen;			/* CTL_KIND_STRING */
	const struct ctl_attr_set *nest;	/* CTL_KIND_NESTED */
	const char *what;	/* a string a user gives, in the user's words ("name"); or NULL */
};

struct ctl_attr_set {
	const char *name;
	unsigned maxtype;			/* < 64 */
	const struct ctl_attr_def *defs;	/* maxtype + 1 entries */
	const struct nla_policy *policy;	/* maxtype + 1 entries */
	uint64_t required;			/* bit t: type t must be present */
};

/* top-level set; its nests reach every other set */
extern const struct ctl_attr_set ctl_attrs;

/* Per-command rules (step 7) and what the server needs to know. */
struct ctl_cmd_info {
	const char *name;	/* "create-namespace", as pmemctl spells it */
	const char *verb;	/* "create namespaces": "uid 1000 may not <verb> on /mnt" */
	bool changes;		/* changes state: root and the mount's owner only */
	bool multi;		/* the reply is multi-part */
	uint64_t allowed;	/* bit t: the request may carry CTL_A type t */
	uint64_t required;	/* bit t: ... must carry it */
	uint64_t one_of;	/* at most one of these (the namespace selector) */
	bool one_of_required;	/* ... and exactly one */
	uint32_t flags;		/* CTL_F_* bits the command takes */
};

#define CTL_BIT(t) (UINT64_C(1) << (t))

/* NULL for a command number that is not one (0 included) */
const struct ctl_cmd_info *ctl_proto_cmd_info(unsigned cmd);
/* "create-namespace"; "command 99" style for unknown ones (static buffer per thread) */
const char *ctl_proto_cmd_name(unsigned cmd);
/* "size" for CTL_A_SIZE; "?" when not a type of the set */
const char *ctl_proto_attr_name(const struct ctl_attr_set *set, unsigned type);

/*
 * Check a string a user gave for request attribute type (CTL_A_NS_NAME,
 * CTL_A_NEW_NAME, CTL_A_NS_DEV, CTL_A_REGION, CTL_A_MOUNT) against its
 * limit before it is sent: 0, or -EINVAL with an ns_err() message in the
 * user's terms, the NUL not counted ("name 'aaaa...' is 64 bytes, at most
 * 63"). The daemon says the same to a client that sent it anyway.
 */
int ctl_proto_string_check(unsigned type, const char *s);

/*
 * Whether msg (with rc) is a refusal of the schema itself, as step 4-7
 * word them: an attribute, flag or command the receiver does not know.
 * Between pmemctl and its daemon that means two versions (the daemon's
 * refusal: it is older; a reply pmemctl refuses: the daemon is newer).
 */
bool ctl_proto_schema_refusal(int rc, const char *msg);

/*
 * A parsed request: attrs[t] is CTL_A type t or NULL, pointing into the
 * buffer given to ctl_proto_request_parse (which must outlive it).
 * cred is filled by the server.
 */
struct ctl_request {
	unsigned cmd;		/* enum ctl_proto_cmd */
	unsigned version;	/* genlmsghdr.version */
	uint32_t seq;
	struct nlattr *attrs[CTL_A_MAX + 1];
	struct ucred cred;	/* the peer, SO_PEERCRED */
};

/*
 * Validate a received request of len bytes at buf (4-byte aligned; steps
 * 2-7 above) and fill req. Returns 0, or a negative errno with an ns_err()
 * message: -EBADMSG (framing, lengths), -EPROTO (not our family),
 * -EOPNOTSUPP (unknown command), -EPROTONOSUPPORT (protocol version),
 * -EINVAL (attributes). req->seq and req->cmd are set as far as the
 * headers could be read, so that an error reply can carry them; attrs are
 * all NULL on failure.
 */
int ctl_proto_request_parse(void *buf, size_t len, struct ctl_request *req);

enum ctl_reply_kind {
	CTL_REPLY_SINGLE,	/* a whole reply */
	CTL_REPLY_PART,		/* one part of a multi-part reply (NLM_F_MULTI) */
	CTL_REPLY_DONE,		/* NLMSG_DONE: the end of a multi-part reply */
};

/* A parsed reply message (pointers into the buffer). */
struct ctl_reply_msg {
	enum ctl_reply_kind kind;
	unsigned cmd;
	unsigned version;
	uint32_t seq;
	struct nlattr *attrs[CTL_A_MAX + 1];	/* all NULL for DONE */
};

/*
 * Validate a received reply (steps 2-6; a message with CTL_A_ERRNO must
 * carry CTL_A_ERRMSG too and a errno in 1..4095). Returns 0 or -EBADMSG /
 * -EPROTO / -EPROTONOSUPPORT / -EINVAL with a message.
 */
int ctl_proto_reply_parse(void *buf, size_t len, struct ctl_reply_msg *out);

/*
 * A new message of up to CTL_MSG_MAX bytes with both headers:
 * nlmsg_type CTL_FAMILY, the given flags, seq, cmd, CTL_PROTO_VERSION.
 * NULL when out of memory.
 */
struct nl_msg *ctl_proto_msg_new(unsigned cmd, uint32_t seq, int flags);

/* A request of cmd (NLM_F_REQUEST; the client sets the seq). */
struct nl_msg *ctl_proto_request_new(unsigned cmd);

/*
 * An error reply: CTL_A_ERRNO = err (positive errno; anything else
 * becomes EIO) and CTL_A_ERRMSG = msg (cut at 1023 bytes; "" becomes
 * strerror(err)). flags: 0, or NLM_F_MULTI for a failure inside a
 * multi-part reply.
 */
struct nl_msg *ctl_proto_error_new(unsigned cmd, uint32_t seq, int flags, int err,
				   const char *msg);

/* An NLMSG_DONE message ending a multi-part reply. */
struct nl_msg *ctl_proto_done_new(uint32_t seq);

/*
 * Attribute helpers that return 0 or -EMSGSIZE with a message naming the
 * attribute when the message is full (libnl's own nla_put_* return libnl
 * codes). A NULL string is not put and is not an error.
 */
int ctl_put_u8(struct nl_msg *m, int type, uint8_t v);
int ctl_put_u32(struct nl_msg *m, int type, uint32_t v);
int ctl_put_u64(struct nl_msg *m, int type, uint64_t v);
int ctl_put_string(struct nl_msg *m, int type, const char *s);
int ctl_put_uuid(struct nl_msg *m, int type, const uint8_t uuid[16]);

/*
 * The namespace a request names: NS_NAME or NS_DEV as they are, NS_UUID as
 * a lowercase UUID string in buf; NULL when it names none. This is what
 * ns_region_find_namespace() takes.
 */
const char *ctl_request_ns_spec(const struct ctl_request *req,
				char buf[CTL_UUID_STR_LEN]);

/* CTL_A_FLAGS of a request, 0 when absent */
uint32_t ctl_request_flags(const struct ctl_request *req);

/*
 * A record's struct: one member an attribute of its list in proto_schema.h
 * (its member column, in list order), of the attribute's KIND: STR a
 * string, BOOL bool, U32 and U64 the integer, UUID 16 bytes, NEST an array
 * of u64 by the nested set (ARG): requests by enum ctl_stat_req, flush_hist
 * by bucket (CTL_HIST_BUCKETS).
 */
#define CTL_MEMBER_STR(a, m) const char *m;
#define CTL_MEMBER_BOOL(a, m) bool m;
#define CTL_MEMBER_U32(a, m) uint32_t m;
#define CTL_MEMBER_U64(a, m) uint64_t m;
#define CTL_MEMBER_UUID(a, m) uint8_t m[16];
#define CTL_MEMBER_NEST(a, m) CTL_MEMBER_NEST_##a(m)
#define CTL_MEMBER_NEST_req(m) uint64_t m[CTL_REQ_MAX + 1];
#define CTL_MEMBER_NEST_hist(m) uint64_t m[CTL_HIST_BUCKETS];
#define CTL_MEMBER(ctx, NAME, n, KIND, a, presence, member) CTL_MEMBER_##KIND(a, member)

/*
 * Nested records. *_put() adds one nest (CTL_A_NS_INFO ...) to m and
 * returns 0 or -EMSGSIZE (the nest is cancelled); NULL strings are left
 * out. *_get() reads a nest of a validated message into out (zeroed
 * first; strings point into the message, NULL when absent) and returns 0,
 * or -EINVAL when nest is NULL.
 */
struct ctl_ns_info {
	CTL_NS_ATTRS(CTL_MEMBER, ~)
};
int ctl_ns_info_put(struct nl_msg *m, const struct ctl_ns_info *ns);
int ctl_ns_info_get(const struct nlattr *nest, struct ctl_ns_info *out);

struct ctl_region_info {
	CTL_REGION_ATTRS(CTL_MEMBER, ~)
	/*
	 * the QEMU nvdimm slot whose cookie iset_id is: not on the wire (an
	 * older pmemctl rejects a REGION_INFO with an attribute it does not
	 * know), found back from ISET_ID by ctl_region_info_get
	 */
	bool has_nvdimm_slot;
	uint32_t nvdimm_slot;
	/*
	 * a region directory (create-region --layout dir), not on the wire
	 * either (the same rule): ctl_region_info_get finds it back from PATH,
	 * which the daemon gives absolute and which is on the client's host
	 * (the control socket is a Unix socket): a directory is one
	 */
	bool layout_dir;
};
int ctl_region_info_put(struct nl_msg *m, const struct ctl_region_info *r);
int ctl_region_info_get(const struct nlattr *nest, struct ctl_region_info *out);

struct ctl_stats_info {
	CTL_STATS_ATTRS(CTL_MEMBER, ~)
};
int ctl_stats_info_put(struct nl_msg *m, const struct ctl_stats_info *s);
int ctl_stats_info_get(const struct nlattr *nest, struct ctl_stats_info *out);
/* "read", "fsync", ... for CTL_REQ_*; NULL for others */
const char *ctl_stat_req_name(unsigned req);
/* the bucket a flush of latency_ns falls in */
unsigned ctl_hist_bucket(uint64_t latency_ns);

struct ctl_index_info {
	CTL_INDEX_ATTRS(CTL_MEMBER, ~)
};
int ctl_index_info_put(struct nl_msg *m, const struct ctl_index_info *x);
int ctl_index_info_get(const struct nlattr *nest, struct ctl_index_info *out);

struct ctl_label_info {
	CTL_LABEL_ATTRS(CTL_MEMBER, ~)
};
int ctl_label_info_put(struct nl_msg *m, const struct ctl_label_info *l);
int ctl_label_info_get(const struct nlattr *nest, struct ctl_label_info *out);

struct ctl_check_info {
	CTL_CHECK_ATTRS(CTL_MEMBER, ~)
};
int ctl_check_info_put(struct nl_msg *m, const struct ctl_check_info *c);
int ctl_check_info_get(const struct nlattr *nest, struct ctl_check_info *out);

struct ctl_crash_info {
	CTL_CRASH_ATTRS(CTL_MEMBER, ~)
};
int ctl_crash_info_put(struct nl_msg *m, const struct ctl_crash_info *c);
int ctl_crash_info_get(const struct nlattr *nest, struct ctl_crash_info *out);

struct ctl_bb_info {
	CTL_BB_ATTRS(CTL_MEMBER, ~)
};
int ctl_bb_info_put(struct nl_msg *m, const struct ctl_bb_info *b);
int ctl_bb_info_get(const struct nlattr *nest, struct ctl_bb_info *out);

struct ctl_daemon_info {
	CTL_DAEMON_ATTRS(CTL_MEMBER, ~)
};
int ctl_daemon_info_put(struct nl_msg *m, const struct ctl_daemon_info *d);
int ctl_daemon_info_get(const struct nlattr *nest, struct ctl_daemon_info *out);

struct ctl_nsst_info {
	CTL_NSST_ATTRS(CTL_MEMBER, ~)
};
int ctl_nsst_info_put(struct nl_msg *m, const struct ctl_nsst_info *s);
int ctl_nsst_info_get(const struct nlattr *nest, struct ctl_nsst_info *out);

struct ctl_health_info {
	CTL_HEALTH_ATTRS(CTL_MEMBER, ~)
};
int ctl_health_info_put(struct nl_msg *m, const struct ctl_health_info *h);
int ctl_health_info_get(const struct nlattr *nest, struct ctl_health_info *out);

#endif
