/* SPDX-License-Identifier: MIT */
/*
 * JSON objects of pmemctl's output, with ndctl's field names, printed
 * pretty on stdout (JSON_C_TO_STRING_PRETTY, as ndctl does).
 */
#ifndef PMEMCTL_JSON_OUT_H
#define PMEMCTL_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct ns_region;
struct ns_namespace;
struct ns_index;
struct ns_label;
struct ctl_region_info;
struct ctl_ns_info;
struct ctl_index_info;
struct ctl_label_info;
struct ctl_stats_info;
struct ctl_daemon_info;
struct ctl_nsst_info;
struct ns_bb_range;

enum pc_json_flags {
	PC_JSON_HUMAN = 1 << 0,	/* -u: sizes "4.00 GiB (4.29 GB)", ids in hex */
	PC_JSON_IDLE = 1 << 1,		/* -i: state and reason of unserved labels */
};

/* a size: an integer, or with PC_JSON_HUMAN ndctl's "4.00 GiB (4.29 GB)" */
struct json_object *pc_json_size(uint64_t v, unsigned flags);
/* an id or offset: an int64 as ndctl prints it, or with PC_JSON_HUMAN "0x..." */
struct json_object *pc_json_hex(uint64_t v, unsigned flags);
/* always a "0x..." string (checksums) */
struct json_object *pc_json_hexstr(uint64_t v);
/*
 * Bad-block ranges v[0..n) as an array of {off_key, len_key} objects, both
 * in 512-byte blocks (ndctl's "badblocks" shapes).
 */
struct json_object *pc_json_bb_ranges(const struct ns_bb_range *v, size_t n,
				      const char *off_key, const char *len_key);

/*
 * A region: dev, path, size (data area), file_size, label_size,
 * label_version, align, available_size, max_available_extent, type,
 * iset_id, nvdimm_slot (when the cookie is a QEMU nvdimm slot's),
 * persistence_domain.
 */
struct json_object *pc_json_region(const struct ns_region *r, unsigned flags);

/*
 * A namespace: dev, mode, size, uuid, name, align, dpa, readonly (only
 * when set); with PC_JSON_IDLE and an unserved namespace, state and reason.
 */
struct json_object *pc_json_namespace(const struct ns_namespace *ns, unsigned flags);

/*
 * The same from a daemon's records (online). A namespace also gets "path"
 * (its file, when served) and mount (when not NULL); an unserved one
 * (disabled, interleaved, ...) gets state and reason with PC_JSON_IDLE.
 */
struct json_object *pc_json_region_info(const struct ctl_region_info *r, unsigned flags);
struct json_object *pc_json_ns_info(const struct ctl_ns_info *ns, const char *mount,
				     unsigned flags);
/* read-labels -j online: an index block, a label (the offline fields) */
struct json_object *pc_json_index_info(const struct ctl_index_info *x);
struct json_object *pc_json_label_info(const struct ctl_label_info *l, unsigned label_size);
/*
 * stats: region, dev, name, requests {type: count}, bytes_read,
 * bytes_written, bytes_persisted, fsyncs, errors, flush_latency_us: the
 * non-empty buckets as [{"min": us, "max": us or null, "count": n}]
 */
struct json_object *pc_json_stats_info(const struct ctl_stats_info *s);

/*
 * read-labels -j: one index block (sig: its first 16 bytes as on media) /
 * one label
 */
struct json_object *pc_json_index(const uint8_t *sig, const struct ns_index *idx,
				   bool valid, const char *reason, bool current);
struct json_object *pc_json_label(const struct ns_label *l, uint32_t slot,
				   unsigned label_size, bool valid, const char *reason);

/* Print pretty to stdout with a newline, then drop the reference. */
void pc_json_print(struct json_object *j);

/* -v: the daemon of a mount: {"pid": N, "uptime_s": N} */
struct json_object *pc_json_daemon_info(const struct ctl_daemon_info *d);
/*
 * -v: a served namespace's status added to its object j: holders (pids,
 * null when unknown), handles, not_durable_bytes (the larger of the
 * daemon's unpersisted bytes and the page cache's dirty and write-back
 * bytes on its range of the region file, plus the holders' dirty mapped
 * bytes, at most size), not_durable {daemon_bytes, page_cache_bytes
 * (null: unknown, Linux < 6.5), mapped_bytes}, error (sticky, or
 * null), crash_state, badblock_count (512-byte blocks), backing.
 */
void pc_json_add_nsst(struct json_object *j, const struct ctl_nsst_info *s, uint64_t size,
		       unsigned flags);

#endif
