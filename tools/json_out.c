/* SPDX-License-Identifier: MIT */
/* JSON output of pmemctl: ndctl's field names and number formats. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "tools/json_out.h"
#include "ns/badblocks.h"
#include "ctl/proto.h"
#include "ctl/record.h"
#include "ns/label.h"
#include "ns/le.h"
#include "ns/namespace.h"
#include "ns/region.h"

/*
 * ndctl's human size (after mdadm's human_size_brief): below 5000 KiB the
 * plain number; then hundredths of MiB (below 2 GiB), GiB (below 2 TiB) or
 * TiB, rounded to nearest, with the decimal unit beside it:
 * "4.00 GiB (4.29 GB)".
 */
static void pc_human_size(uint64_t v, char *buf, size_t len)
{
	static const struct {
		uint64_t below;
		uint64_t bin, dec;
		const char *unit;
	} scale[] = {
		{ 2ULL << 30, 1ULL << 20, 1000000ULL, "M" },
		{ 2ULL << 40, 1ULL << 30, 1000000000ULL, "G" },
		{ UINT64_MAX, 1ULL << 40, 1000000000000ULL, "T" },
	};
	unsigned i = 0;
	unsigned __int128 cb, cd;

	while (i < 2 && v >= scale[i].below)
		i++;
	cb = ((unsigned __int128)v * 200 / scale[i].bin + 1) / 2;
	cd = ((unsigned __int128)v * 200 / scale[i].dec + 1) / 2;
	snprintf(buf, len, "%" PRIu64 ".%02u %siB (%" PRIu64 ".%02u %sB)",
		 (uint64_t)(cb / 100), (unsigned)(cb % 100), scale[i].unit,
		 (uint64_t)(cd / 100), (unsigned)(cd % 100), scale[i].unit);
}

struct json_object *pc_json_size(uint64_t v, unsigned flags)
{
	char buf[64];

	if (!(flags & PC_JSON_HUMAN) || v < 5000 * 1024)
		return json_object_new_int64((int64_t)v);
	pc_human_size(v, buf, sizeof(buf));
	return json_object_new_string(buf);
}

struct json_object *pc_json_hexstr(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#" PRIx64, v);
	return json_object_new_string(buf);
}

struct json_object *pc_json_bb_ranges(const struct ns_bb_range *v, size_t n,
				      const char *off_key, const char *len_key)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		struct json_object *b = json_object_new_object();

		json_object_object_add(b, off_key,
				       json_object_new_int64((int64_t)(v[i].off / NS_BB_BLOCK)));
		json_object_object_add(b, len_key,
				       json_object_new_int64((int64_t)(v[i].len / NS_BB_BLOCK)));
		json_object_array_add(a, b);
	}
	return a;
}

struct json_object *pc_json_hex(uint64_t v, unsigned flags)
{
	if (flags & PC_JSON_HUMAN)
		return pc_json_hexstr(v);
	return json_object_new_int64((int64_t)v);
}

static struct json_object *pc_json_bytes_str(const char *s, size_t max);
static struct json_object *pc_json_guid(const uint8_t g[16]);

static void pc_add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void pc_add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

static void pc_add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

struct json_object *pc_json_region_info(const struct ctl_region_info *r, unsigned flags)
{
	struct json_object *j = json_object_new_object();

	pc_add_str(j, "dev", r->dev ? r->dev : "");
	if (r->path)
		pc_add_str(j, "path", r->path);
	pc_add(j, "size", pc_json_size(r->size, flags));
	pc_add(j, "file_size", pc_json_size(r->file_size, flags));
	pc_add(j, "label_size", pc_json_size(r->label_size, flags));
	if (r->label_version)
		pc_add_str(j, "label_version", r->label_version == 1 ? "1.1" : "1.2");
	pc_add_int(j, "align", NS_DEFAULT_ALIGN);
	pc_add(j, "available_size", pc_json_size(r->available, flags));
	pc_add(j, "max_available_extent", pc_json_size(r->max_extent, flags));
	pc_add_str(j, "type", "pmem");
	pc_add(j, "iset_id", pc_json_hex(r->iset_id, flags));
	/* QEMU's -device nvdimm,slot=N whose guest sees these labels */
	if (r->has_nvdimm_slot)
		pc_add_int(j, "nvdimm_slot", r->nvdimm_slot);
	/* data is durable only after fsync/msync: no platform domain */
	pc_add_str(j, "persistence_domain", "none");
	/*
	 * a region directory's namespaces are files of their own (ns-<uuid>);
	 * a region file (at dpa) shows no key: its records stay as they were
	 */
	if (r->layout_dir)
		pc_add_str(j, "layout", "dir");
	return j;
}

struct json_object *pc_json_region(const struct ns_region *r, unsigned flags)
{
	struct ctl_region_info ri;

	ctl_region_info_of(r, &ri);
	return pc_json_region_info(&ri, flags);
}

struct json_object *pc_json_ns_info(const struct ctl_ns_info *ns, const char *mount,
				     unsigned flags)
{
	struct json_object *j = json_object_new_object();
	bool active = !ns->state || !strcmp(ns->state, "active");
	char uuid[37];

	uuid_unparse_lower(ns->uuid, uuid);
	pc_add_str(j, "dev", ns->dev ? ns->dev : "");
	pc_add_str(j, "mode", "raw");
	pc_add(j, "size", pc_json_size(ns->size, flags));
	pc_add_str(j, "uuid", uuid);
	pc_add_str(j, "name", ns->name ? ns->name : "");
	pc_add_int(j, "align", (int64_t)ns->align);
	pc_add(j, "dpa", pc_json_hex(ns->dpa, flags));
	if (ns->readonly)
		pc_add(j, "readonly", json_object_new_boolean(1));
	if (ns->path)
		pc_add_str(j, "path", ns->path);
	if (ns->crash_test)
		pc_add(j, "crash_test", json_object_new_boolean(1));
	if (mount)
		pc_add_str(j, "mount", mount);
	if ((flags & PC_JSON_IDLE) && !active) {
		pc_add_str(j, "state", ns->state);
		pc_add_str(j, "reason", ns->reason ? ns->reason : "");
	}
	return j;
}

struct json_object *pc_json_namespace(const struct ns_namespace *ns, unsigned flags)
{
	struct ctl_ns_info ni;

	ctl_ns_info_of(ns, &ni);
	return pc_json_ns_info(&ni, NULL, flags);
}

/* an index block's fields, "major" to "checksum" (after "signature") */
static void pc_add_index_fields(struct json_object *j, const struct ctl_index_info *x)
{
	pc_add(j, "major", json_object_new_int((int)x->major));
	pc_add(j, "minor", json_object_new_int((int)x->minor));
	pc_add_int(j, "labelsize", x->label_size);
	pc_add_int(j, "seq", x->seq);
	pc_add_int(j, "myoff", (int64_t)x->myoff);
	pc_add_int(j, "mysize", (int64_t)x->mysize);
	pc_add_int(j, "otheroff", (int64_t)x->otheroff);
	pc_add_int(j, "labeloff", (int64_t)x->labeloff);
	pc_add_int(j, "nslot", x->nslot);
	pc_add(j, "checksum", pc_json_hexstr(x->checksum));
}

struct json_object *pc_json_index_info(const struct ctl_index_info *x)
{
	struct json_object *j = json_object_new_object();

	if (x->valid) {
		pc_add_str(j, "signature", "NAMESPACE_INDEX");
		pc_add_index_fields(j, x);
	}
	pc_add(j, "valid", json_object_new_boolean(x->valid));
	if (!x->valid)
		pc_add_str(j, "reason", x->reason ? x->reason : "");
	pc_add(j, "current", json_object_new_boolean(x->current));
	if (x->current)
		pc_add_int(j, "free", x->free);
	return j;
}

/*
 * A label record; slot_field, when not NULL, is the label's own slot
 * field, printed as "slot_field" (after "rawsize") where it differs.
 */
static struct json_object *pc_json_label_rec(const struct ctl_label_info *l,
					      unsigned label_size, const uint32_t *slot_field)
{
	struct json_object *j = json_object_new_object();
	char uuid[37];

	uuid_unparse_lower(l->uuid, uuid);
	pc_add_int(j, "slot", l->slot);
	pc_add_str(j, "uuid", uuid);
	pc_add(j, "name", pc_json_bytes_str(l->name ? l->name : "", NS_LABEL_NAME_LEN));
	pc_add_int(j, "flags", l->flags);
	pc_add_int(j, "nlabel", l->nlabel);
	pc_add_int(j, "position", l->position);
	pc_add_int(j, "isetcookie", (int64_t)l->isetcookie);
	pc_add_int(j, "lbasize", (int64_t)l->lbasize);
	pc_add_int(j, "dpa", (int64_t)l->dpa);
	pc_add_int(j, "rawsize", (int64_t)l->rawsize);
	if (slot_field)
		pc_add_int(j, "slot_field", *slot_field);
	if (label_size >= 256) {
		pc_add(j, "type_guid", pc_json_guid(l->type_guid));
		pc_add(j, "abstraction_guid", pc_json_guid(l->abstraction_guid));
		pc_add(j, "checksum", pc_json_hexstr(l->checksum));
	}
	pc_add(j, "valid", json_object_new_boolean(l->valid));
	if (!l->valid)
		pc_add_str(j, "reason", l->reason ? l->reason : "");
	return j;
}

struct json_object *pc_json_label_info(const struct ctl_label_info *l, unsigned label_size)
{
	return pc_json_label_rec(l, label_size, NULL);
}

struct json_object *pc_json_stats_info(const struct ctl_stats_info *s)
{
	struct json_object *j = json_object_new_object();
	struct json_object *req = json_object_new_object();
	struct json_object *hist = json_object_new_array();
	unsigned i;

	if (s->region)
		pc_add_str(j, "region", s->region);
	pc_add_str(j, "dev", s->dev ? s->dev : "");
	if (s->name)
		pc_add_str(j, "name", s->name);
	for (i = 1; i <= CTL_REQ_MAX; i++)
		if (ctl_stat_req_name(i))
			pc_add_int(req, ctl_stat_req_name(i), (int64_t)s->requests[i]);
	pc_add(j, "requests", req);
	pc_add_int(j, "bytes_read", (int64_t)s->bytes_read);
	pc_add_int(j, "bytes_written", (int64_t)s->bytes_written);
	pc_add_int(j, "bytes_persisted", (int64_t)s->bytes_persisted);
	pc_add_int(j, "fsyncs", (int64_t)s->fsyncs);
	pc_add_int(j, "errors", (int64_t)s->errors);
	for (i = 0; i < CTL_HIST_BUCKETS; i++) {
		struct json_object *b;

		if (!s->flush_hist[i])
			continue;
		b = json_object_new_object();
		pc_add_int(b, "min", i ? (int64_t)1 << i : 0);
		pc_add(b, "max", i + 1 < CTL_HIST_BUCKETS ?
			json_object_new_int64((int64_t)1 << (i + 1)) : NULL);
		pc_add_int(b, "count", (int64_t)s->flush_hist[i]);
		json_object_array_add(hist, b);
	}
	pc_add(j, "flush_latency_us", hist);
	return j;
}

struct json_object *pc_json_daemon_info(const struct ctl_daemon_info *d)
{
	struct json_object *j = json_object_new_object();

	pc_add_int(j, "pid", d->pid);
	pc_add_int(j, "uptime_s", (int64_t)(d->uptime_ms / 1000));
	return j;
}

/* "EIO (Input/output error)" */
static struct json_object *pc_json_errno(int e)
{
	char buf[128];
	const char *name = NULL;

#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	name = strerrorname_np(e);
#endif
	if (name)
		snprintf(buf, sizeof(buf), "%s (%s)", name, strerror(e));
	else
		snprintf(buf, sizeof(buf), "errno %d (%s)", e, strerror(e));
	return json_object_new_string(buf);
}

void pc_json_add_nsst(struct json_object *j, const struct ctl_nsst_info *s, uint64_t size,
		       unsigned flags)
{
	struct json_object *h = NULL, *nd = json_object_new_object(), *c;
	uint64_t total = s->unpersisted;

	if (s->holders_known) {
		const char *p = s->holders ? s->holders : "";
		char *end;

		h = json_object_new_array();
		while (*p) {
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			json_object_array_add(h, json_object_new_int64(pid));
			p = end;
		}
	}
	pc_add(j, "holders", h);
	pc_add_int(j, "handles", s->handles);
	/* the daemon's bytes include those the page cache still holds */
	if (s->cache_known && s->cache_dirty > total)
		total = s->cache_dirty;
	/* mapped pages not yet written back to the daemon come on top */
	total += s->mapped_dirty;
	if (size && total > size)
		total = size;
	pc_add(j, "not_durable_bytes", pc_json_size(total, flags));
	pc_add(nd, "daemon_bytes", pc_json_size(s->unpersisted, flags));
	pc_add(nd, "page_cache_bytes",
		s->cache_known ? pc_json_size(s->cache_dirty, flags) : NULL);
	pc_add(nd, "mapped_bytes", s->holders_known ?
		pc_json_size(s->mapped_dirty, flags) : NULL);
	pc_add(j, "not_durable", nd);
	pc_add(j, "error", s->error ? pc_json_errno((int)s->error) : NULL);
	c = json_object_new_object();
	pc_add(c, "enabled", json_object_new_boolean(s->crash_enabled));
	pc_add(c, "armed_at_fsync", s->crash_at_fsync ?
		json_object_new_int64(s->crash_at_fsync) : NULL);
	pc_add_int(c, "pages_logged", (int64_t)s->crash_logged);
	pc_add(c, "crashed", json_object_new_boolean(s->crashed));
	pc_add(j, "crash_state", c);
	pc_add_int(j, "badblock_count", (int64_t)(s->badblocks / 512));
	pc_add_str(j, "backing", s->backing ? s->backing : "");
}

/* Bytes from media as a JSON string: printable ASCII kept, others as \xNN. */
static struct json_object *pc_json_bytes_str(const char *s, size_t max)
{
	char out[4 * NS_LABEL_NAME_LEN + 1];
	size_t o = 0;

	for (size_t i = 0; i < max && s[i] && o + 5 <= sizeof(out); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return json_object_new_string(out);
}

struct json_object *pc_json_index(const uint8_t *sig, const struct ns_index *idx,
				   bool valid, const char *reason, bool current)
{
	struct json_object *j = json_object_new_object();
	struct ctl_index_info x = { 0 };

	ctl_index_info_of(idx, &x);
	pc_add(j, "signature", pc_json_bytes_str((const char *)sig, NS_INDEX_SIG_LEN));
	pc_add_index_fields(j, &x);
	pc_add(j, "valid", json_object_new_boolean(valid));
	if (!valid)
		pc_add_str(j, "reason", reason);
	pc_add(j, "current", json_object_new_boolean(current));
	return j;
}

/* A GUID as stored on media (guid_parse order: le32, le16, le16, 8 bytes). */
static struct json_object *pc_json_guid(const uint8_t g[16])
{
	char buf[40];

	snprintf(buf, sizeof(buf),
		 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 get_le32(g), get_le16(g + 4), get_le16(g + 6), g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
	return json_object_new_string(buf);
}

struct json_object *pc_json_label(const struct ns_label *l, uint32_t slot,
				   unsigned label_size, bool valid, const char *reason)
{
	struct ctl_label_info li = { .slot = slot, .valid = valid, .reason = reason };

	ctl_label_info_of(l, &li);
	return pc_json_label_rec(&li, label_size, l->slot != slot ? &l->slot : NULL);
}

void pc_json_print(struct json_object *j)
{
	fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_NOSLASHESCAPE),
	      stdout);
	fputc('\n', stdout);
	json_object_put(j);
}
