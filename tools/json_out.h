/* SPDX-License-Identifier: MIT */
/*
 * JSON objects of pmemctl's output, with ndctl's field names, printed
 * pretty on stdout (JSON_C_TO_STRING_PRETTY, as ndctl does).
 */
#ifndef PMEMCTL_JSON_OUT_H
#define PMEMCTL_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

struct ns_region;
struct ns_namespace;
struct ns_index;
struct ns_label;

enum ctl_json_flags {
	CTL_JSON_HUMAN = 1 << 0,	/* -u: sizes "4.00 GiB (4.29 GB)", ids in hex */
	CTL_JSON_IDLE = 1 << 1,		/* -i: state and reason of unserved labels */
};

/* a size: an integer, or with CTL_JSON_HUMAN ndctl's "4.00 GiB (4.29 GB)" */
struct json_object *ctl_json_size(uint64_t v, unsigned flags);
/* an id or offset: an int64 as ndctl prints it, or with CTL_JSON_HUMAN "0x..." */
struct json_object *ctl_json_hex(uint64_t v, unsigned flags);
/* always a "0x..." string (checksums) */
struct json_object *ctl_json_hexstr(uint64_t v);

/*
 * A region: dev, path, size (data area), file_size, label_size,
 * label_version, align, available_size, max_available_extent, type,
 * iset_id, persistence_domain.
 */
struct json_object *ctl_json_region(const struct ns_region *r, unsigned flags);

/*
 * A namespace: dev, mode, size, uuid, name, align, dpa, readonly (only
 * when set); with CTL_JSON_IDLE and an unserved namespace, state and reason.
 */
struct json_object *ctl_json_namespace(const struct ns_namespace *ns, unsigned flags);

/*
 * read-labels -j: one index block (sig: its first 16 bytes as on media) /
 * one label
 */
struct json_object *ctl_json_index(const uint8_t *sig, const struct ns_index *idx,
				   bool valid, const char *reason, bool current);
struct json_object *ctl_json_label(const struct ns_label *l, uint32_t slot,
				   unsigned label_size, bool valid, const char *reason);

/* Print pretty to stdout with a newline, then drop the reference. */
void ctl_json_print(struct json_object *j);

#endif
