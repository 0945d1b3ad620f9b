/* SPDX-License-Identifier: MIT */
/* JSON output of pmemctl: ndctl's field names and number formats. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <uuid/uuid.h>

#include "json_out.h"
#include "label.h"
#include "le.h"
#include "namespace.h"
#include "region.h"

/*
 * ndctl's human size (after mdadm's human_size_brief): below 5000 KiB the
 * plain number; then hundredths of MiB (below 2 GiB), GiB (below 2 TiB) or
 * TiB, rounded to nearest, with the decimal unit beside it:
 * "4.00 GiB (4.29 GB)".
 */
static void ctl_human_size(uint64_t v, char *buf, size_t len)
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

struct json_object *ctl_json_size(uint64_t v, unsigned flags)
{
	char buf[64];

	if (!(flags & CTL_JSON_HUMAN) || v < 5000 * 1024)
		return json_object_new_int64((int64_t)v);
	ctl_human_size(v, buf, sizeof(buf));
	return json_object_new_string(buf);
}

struct json_object *ctl_json_hexstr(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#" PRIx64, v);
	return json_object_new_string(buf);
}

struct json_object *ctl_json_hex(uint64_t v, unsigned flags)
{
	if (flags & CTL_JSON_HUMAN)
		return ctl_json_hexstr(v);
	return json_object_new_int64((int64_t)v);
}

static void ctl_add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void ctl_add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

static void ctl_add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

struct json_object *ctl_json_region(const struct ns_region *r, unsigned flags)
{
	struct json_object *j = json_object_new_object();
	uint64_t avail = 0, maxext = 0;

	ns_region_space(r, NS_DEFAULT_ALIGN, &avail, &maxext);
	ctl_add_str(j, "dev", ns_region_devname(r));
	ctl_add_str(j, "path", ns_region_path(r));
	ctl_add(j, "size", ctl_json_size(ns_region_data_size(r), flags));
	ctl_add(j, "file_size", ctl_json_size(ns_region_size(r), flags));
	ctl_add(j, "label_size", ctl_json_size(ns_region_label_size(r), flags));
	if (ns_region_has_labels(r))
		ctl_add_str(j, "label_version",
			    ns_region_label_minor(r) == 1 ? "1.1" : "1.2");
	ctl_add_int(j, "align", NS_DEFAULT_ALIGN);
	ctl_add(j, "available_size", ctl_json_size(avail, flags));
	ctl_add(j, "max_available_extent", ctl_json_size(maxext, flags));
	ctl_add_str(j, "type", "pmem");
	ctl_add(j, "iset_id", ctl_json_hex(ns_region_isetcookie(r), flags));
	/* data is durable only after fsync/msync: no platform domain */
	ctl_add_str(j, "persistence_domain", "none");
	return j;
}

struct json_object *ctl_json_namespace(const struct ns_namespace *ns, unsigned flags)
{
	struct json_object *j = json_object_new_object();
	enum ns_state st = ns_namespace_state(ns);

	ctl_add_str(j, "dev", ns_namespace_devname(ns));
	ctl_add_str(j, "mode", "raw");
	ctl_add(j, "size", ctl_json_size(ns_namespace_size(ns), flags));
	ctl_add_str(j, "uuid", ns_namespace_uuid_str(ns));
	ctl_add_str(j, "name", ns_namespace_name(ns));
	ctl_add_int(j, "align", (int64_t)ns_namespace_align(ns));
	ctl_add(j, "dpa", ctl_json_hex(ns_namespace_dpa(ns), flags));
	if (ns_namespace_readonly(ns))
		ctl_add(j, "readonly", json_object_new_boolean(1));
	if ((flags & CTL_JSON_IDLE) && st != NS_STATE_ACTIVE) {
		ctl_add_str(j, "state", ns_state_name(st));
		ctl_add_str(j, "reason", ns_namespace_reason(ns));
	}
	return j;
}

/* Bytes from media as a JSON string: printable ASCII kept, others as \xNN. */
static struct json_object *ctl_json_bytes_str(const char *s, size_t max)
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

struct json_object *ctl_json_index(const uint8_t *sig, const struct ns_index *idx,
				   bool valid, const char *reason, bool current)
{
	struct json_object *j = json_object_new_object();

	ctl_add(j, "signature", ctl_json_bytes_str((const char *)sig, NS_INDEX_SIG_LEN));
	ctl_add(j, "major", json_object_new_int(idx->major));
	ctl_add(j, "minor", json_object_new_int(idx->minor));
	ctl_add_int(j, "labelsize", ns_index_label_size(idx));
	ctl_add_int(j, "seq", idx->seq);
	ctl_add_int(j, "myoff", (int64_t)idx->myoff);
	ctl_add_int(j, "mysize", (int64_t)idx->mysize);
	ctl_add_int(j, "otheroff", (int64_t)idx->otheroff);
	ctl_add_int(j, "labeloff", (int64_t)idx->labeloff);
	ctl_add_int(j, "nslot", idx->nslot);
	ctl_add(j, "checksum", ctl_json_hexstr(idx->checksum));
	ctl_add(j, "valid", json_object_new_boolean(valid));
	if (!valid)
		ctl_add_str(j, "reason", reason);
	ctl_add(j, "current", json_object_new_boolean(current));
	return j;
}

/* A GUID as stored on media (guid_parse order: le32, le16, le16, 8 bytes). */
static struct json_object *ctl_json_guid(const uint8_t g[16])
{
	char buf[40];

	snprintf(buf, sizeof(buf),
		 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 get_le32(g), get_le16(g + 4), get_le16(g + 6), g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
	return json_object_new_string(buf);
}

struct json_object *ctl_json_label(const struct ns_label *l, uint32_t slot,
				   unsigned label_size, bool valid, const char *reason)
{
	struct json_object *j = json_object_new_object();
	char uuid[37];

	uuid_unparse_lower(l->uuid, uuid);
	ctl_add_int(j, "slot", slot);
	ctl_add_str(j, "uuid", uuid);
	ctl_add(j, "name", ctl_json_bytes_str(l->name, sizeof(l->name)));
	ctl_add_int(j, "flags", l->flags);
	ctl_add_int(j, "nlabel", l->nlabel);
	ctl_add_int(j, "position", l->position);
	ctl_add_int(j, "isetcookie", (int64_t)l->isetcookie);
	ctl_add_int(j, "lbasize", (int64_t)l->lbasize);
	ctl_add_int(j, "dpa", (int64_t)l->dpa);
	ctl_add_int(j, "rawsize", (int64_t)l->rawsize);
	if (l->slot != slot)
		ctl_add_int(j, "slot_field", l->slot);
	if (label_size >= 256) {
		ctl_add(j, "type_guid", ctl_json_guid(l->type_guid));
		ctl_add(j, "abstraction_guid", ctl_json_guid(l->abstraction_guid));
		ctl_add(j, "checksum", ctl_json_hexstr(l->checksum));
	}
	ctl_add(j, "valid", json_object_new_boolean(valid));
	if (!valid)
		ctl_add_str(j, "reason", reason);
	return j;
}

void ctl_json_print(struct json_object *j)
{
	fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_NOSLASHESCAPE),
	      stdout);
	fputc('\n', stdout);
	json_object_put(j);
}
