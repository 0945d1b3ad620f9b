/* SPDX-License-Identifier: MIT */
/*
 * The nested records (struct ctl_*_info in proto.h) put into and got from
 * messages, through field tables generated from the attribute lists of
 * proto_schema.h: each list line with a member gives one table entry (type,
 * kind, offset), checked at compile time against the member's size.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include <netlink/attr.h>

#include "ns/label.h"
#include "ctl/proto.h"
#include "ctl/proto_int.h"

enum ctl_fkind { F_STR, F_BOOL, F_U32, F_U64, F_UUID };

struct ctl_field {
	uint16_t type;
	uint8_t kind;		/* enum ctl_fkind */
	uint16_t off;		/* offsetof the struct member */
};

/* an entry for member m of struct T, which must be sz bytes */
#define CTL_FLD(t, k, T, m, sz)                                                            \
	{ t, k,                                                                            \
	  (uint16_t)(offsetof(struct T, m) +                                               \
		     0 * sizeof(char[sizeof(((struct T *)0)->m) == (sz) ? 1 : -1])) },

#define CTL_FLD_STR(t, T, m) CTL_FLD(t, F_STR, T, m, sizeof(const char *))
#define CTL_FLD_BOOL(t, T, m) CTL_FLD(t, F_BOOL, T, m, sizeof(bool))
#define CTL_FLD_U32(t, T, m) CTL_FLD(t, F_U32, T, m, 4)
#define CTL_FLD_U64(t, T, m) CTL_FLD(t, F_U64, T, m, 8)
#define CTL_FLD_UUID(t, T, m) CTL_FLD(t, F_UUID, T, m, 16)
#define CTL_FLD_NEST(t, T, m)	/* put and got by hand */

#define CTL_FIELD_ENTRY(P, T, NAME, n, KIND, a, presence, member) \
	CTL_FLD_##KIND(P##NAME, T, member)

/* the field table T_fields of struct T from LIST (enum prefix P) */
#define CTL_FIELDS(T, LIST, P)                                   \
	static const struct ctl_field T##_fields[] = {            \
		LIST(CTL_FIELD_ENTRY, P, T)                       \
	}

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

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


/*
 * T_put() and T_get() of a record whose every attribute is a field of
 * struct T, nested in attribute type: ctl_ns_info_put(), ctl_ns_info_get()
 * and so on.
 */
#define CTL_RECORD(T, LIST, P, type)                                              \
	CTL_FIELDS(T, LIST, P);                                                   \
	int T##_put(struct nl_msg *m, const struct T *rec)                        \
	{                                                                         \
		return ctl_nest_put(m, type, T##_fields, NFIELDS(T##_fields), rec); \
	}                                                                         \
	int T##_get(const struct nlattr *nest, struct T *out)                     \
	{                                                                         \
		memset(out, 0, sizeof(*out));                                     \
		if (nest == NULL)                                                 \
			return -EINVAL;                                           \
		ctl_fields_get(nest, T##_fields, NFIELDS(T##_fields), out);       \
		return 0;                                                         \
	}

CTL_RECORD(ctl_ns_info, CTL_NS_ATTRS, CTL_NS_A_, CTL_A_NS_INFO)
CTL_RECORD(ctl_index_info, CTL_INDEX_ATTRS, CTL_INDEX_A_, CTL_A_INDEX)
CTL_RECORD(ctl_label_info, CTL_LABEL_ATTRS, CTL_LABEL_A_, CTL_A_LABEL)
CTL_RECORD(ctl_check_info, CTL_CHECK_ATTRS, CTL_CHECK_A_, CTL_A_CHECK)
CTL_RECORD(ctl_crash_info, CTL_CRASH_ATTRS, CTL_CRASH_A_, CTL_A_CRASH)
CTL_RECORD(ctl_bb_info, CTL_BB_ATTRS, CTL_BB_A_, CTL_A_BADBLOCK)
CTL_RECORD(ctl_daemon_info, CTL_DAEMON_ATTRS, CTL_DAEMON_A_, CTL_A_DAEMON)
CTL_RECORD(ctl_nsst_info, CTL_NSST_ATTRS, CTL_NSST_A_, CTL_A_NS_STATUS)
CTL_RECORD(ctl_health_info, CTL_HEALTH_ATTRS, CTL_HEALTH_A_, CTL_A_HEALTH)

/* the region: nvdimm_slot is not on the wire but found back from ISET_ID */
CTL_FIELDS(ctl_region_info, CTL_REGION_ATTRS, CTL_REGION_A_);

int ctl_region_info_put(struct nl_msg *m, const struct ctl_region_info *r)
{
	return ctl_nest_put(m, CTL_A_REGION_INFO, ctl_region_info_fields,
			    NFIELDS(ctl_region_info_fields), r);
}

int ctl_region_info_get(const struct nlattr *nest, struct ctl_region_info *out)
{
	memset(out, 0, sizeof(*out));
	if (nest == NULL)
		return -EINVAL;
	ctl_fields_get(nest, ctl_region_info_fields,
		       NFIELDS(ctl_region_info_fields), out);
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
	/* the layout from the path (proto.h): a region directory is one */
	if (out->path && out->path[0] == '/') {
		struct stat st;

		out->layout_dir = stat(out->path, &st) == 0 && S_ISDIR(st.st_mode);
	}
	return 0;
}

/*
 * The stats: REQUESTS and FLUSH_HIST are arrays of u64, nested after the
 * table's fields (their place in CTL_STATS_ATTRS is only their number).
 */
CTL_FIELDS(ctl_stats_info, CTL_STATS_ATTRS, CTL_STATS_A_);

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
	if (ctl_fields_put(m, ctl_stats_info_fields, NFIELDS(ctl_stats_info_fields), s) ||
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
	ctl_fields_get(nest, ctl_stats_info_fields, NFIELDS(ctl_stats_info_fields), out);
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) == CTL_STATS_A_REQUESTS)
			ctl_u64_array_get(a, &out->requests[1], CTL_REQ_MAX);
		else if (nla_type(a) == CTL_STATS_A_FLUSH_HIST)
			ctl_u64_array_get(a, out->flush_hist, CTL_HIST_BUCKETS);
	}
	return 0;
}
