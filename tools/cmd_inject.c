/* SPDX-License-Identifier: MIT */
/*
 * pmemctl inject-error and clear-errors: media errors of a namespace, kept
 * by the daemon (online) or in the sidecar beside the region file (offline).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ns/badblocks.h"
#include "ctl/client.h"
#include "tools/command.h"
#include "ns/error.h"
#include "tools/fault.h"
#include "tools/json_out.h"
#include "tools/msg.h"
#include "ns/namespace.h"
#include "tools/online.h"
#include "tools/pmemctl.h"
#include "ns/region.h"
#include "tools/target.h"

enum { KEY_OFFSET = PC_OPT_LONG, KEY_LENGTH };

struct inject_cmd {
	struct pc_target t;
	uint64_t off, len;	/* bytes */
	uint32_t flags;		/* CTL_F_UNINJECT */
	bool status;
};

static const struct inject_cmd inject_defaults = { .len = NS_BB_BLOCK };

static bool pc_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno == 0 && *end == '\0';
}


static int inject_opt_length(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	(void)o;
	if (pc_opt_size(p, f) < 0)
		return -EINVAL;
	if (*(uint64_t *)f == 0) {
		pc_fail_msg(-EINVAL, "bad value for --length '%s': at least 1 byte (it is "
			     "widened to a 512-byte block)", p->arg);
		return -EINVAL;
	}
	return 0;
}

/* -B N: ndctl's block number, into a byte offset */
static int inject_opt_block(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	uint64_t v;

	(void)o;
	if (!pc_parse_u64(p->arg, &v) || v > UINT64_MAX / NS_BB_BLOCK) {
		pc_fail_msg(-EINVAL, "bad value for --block '%s'", p->arg);
		return -EINVAL;
	}
	*(uint64_t *)f = v * NS_BB_BLOCK;
	return 0;
}

/* -n N: ndctl's block count, into bytes */
static int inject_opt_count(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	uint64_t v;

	(void)o;
	if (!pc_parse_u64(p->arg, &v) || v == 0 || v > UINT64_MAX / NS_BB_BLOCK) {
		pc_fail_msg(-EINVAL, "bad value for --count '%s': a number of 512-byte "
			     "blocks, at least 1", p->arg);
		return -EINVAL;
	}
	*(uint64_t *)f = v * NS_BB_BLOCK;
	return 0;
}

#define PC_OPTS_OF struct inject_cmd
static const struct pc_opt inject_opts[] = {
	PC_TARGET_OPTS,
	OPT_SIZE("offset", KEY_OFFSET, off, "BYTES", "start of the range in the namespace"),
	OPT_CALLBACK("length", KEY_LENGTH, required_argument, len, "BYTES", "bytes (default 512)",
		     inject_opt_length),
	OPT_CALLBACK("block", 'B', required_argument, off, "N",
		     "start as a 512-byte block number (ndctl's)", inject_opt_block),
	OPT_CALLBACK("count", 'n', required_argument, len, "N",
		     "512-byte blocks (ndctl's; default 1)", inject_opt_count),
	OPT_BIT("uninject", 'd', flags, CTL_F_UNINJECT, "clear the range instead"),
	OPT_BOOL("status", 's', status, "print the namespace's media errors only"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage inject_usage = {
	.name = "inject-error",
	.args = PC_TARGET_ARGS " [-r REGION] NAMESPACE\n"
		"       (--offset BYTES [--length BYTES] | -B BLOCK [-n COUNT]) [-d] | -s",
	.about = "Make a range of a namespace fail as a real NVDIMM's poisoned lines do:\n"
		 "reads of it fail with EIO (a mapped access gets SIGBUS; a buffered read\n"
		 "fails for the whole 4 KiB page). A write(2), buffered or O_DIRECT, clears\n"
		 "the blocks it covers entirely, as writing clears poison on pmem (dd bs=512\n"
		 "conv=notrunc seek=BLOCK); one covering part of a poisoned block fails with\n"
		 "EIO and writes nothing; stores through a mapping (SIGBUS) and fallocate\n"
		 "do not clear. The range is widened to whole 512-byte blocks. Errors are\n"
		 "kept beside the region file (REGION_FILE.badblocks), never in the label\n"
		 "area, so they survive a remount; 'list --media-errors' and 'check-labels'\n"
		 "report them.\n"
		 "Prints the namespace's errors in ndctl's --status shape:\n"
		 "{\"dev\", \"badblocks\": [{\"block\", \"count\"}]} (512-byte blocks).\n\n"
		 PC_TARGET_ABOUT,
	.exits = "  234  EINVAL: the range is not inside the namespace\n"
		 "  254  ENOENT: no such namespace\n"
		 "  228  ENOSPC: too many separate ranges (4096)\n" PC_TARGET_EXITS,
};

static struct json_object *pc_json_bb_status(const char *dev, const struct ns_bb_range *v,
					      size_t n)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "dev", json_object_new_string(dev));
	json_object_object_add(j, "badblocks", pc_json_bb_ranges(v, n, "block", "count"));
	return j;
}

/* one inject-error request online; prints the status */
static int pc_inject_online(struct pc_target *t, const struct ctl_ns_info *ns,
			     uint32_t flags, bool range, uint64_t off, uint64_t len,
			     struct json_object *arr)
{
	struct nl_msg *req = pc_online_ns_request(CTL_CMD_INJECT_ERROR, ns);
	struct ctl_response *resp = NULL;
	struct ns_bb_range *v;
	unsigned i, n = 0;
	int rc;

	if (!req)
		return pc_exit_code(-ENOMEM);
	if ((flags && ctl_put_u32(req, CTL_A_FLAGS, flags) < 0) ||
	    (range && (ctl_put_u64(req, CTL_A_OFFSET, off) < 0 ||
		       ctl_put_u64(req, CTL_A_LENGTH, len) < 0))) {
		nlmsg_free(req);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	rc = pc_target_call(t, req, &resp);
	if (rc)
		return rc;
	v = calloc(resp->nparts + 1, sizeof(*v));
	for (i = 0; v && i < resp->nparts; i++) {
		struct ctl_bb_info b;

		if (ctl_bb_info_get(resp->parts[i].attrs[CTL_A_BADBLOCK], &b) == 0) {
			v[n].off = b.offset;
			v[n++].len = b.length;
		}
	}
	json_object_array_add(arr, pc_json_bb_status(ns->dev, v, n));
	free(v);
	ctl_response_free(&resp);
	return 0;
}

/* offline: change the sidecar beside the region file */
static int pc_inject_offline(struct pc_target *t, const char *spec, uint32_t flags,
			      bool range, uint64_t off, uint64_t len, struct json_object *arr)
{
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	struct ns_badblocks bb = { 0 };
	struct ns_bb_range *v = NULL;
	uint64_t dpa, size;
	size_t n;
	int rc;

	rc = pc_target_open(t, PC_OPEN_WRITE, &r);
	if (rc)
		return rc;
	ns_err_clear();
	ns = ns_region_find_namespace(r, spec);
	if (!ns && *ns_errormsg()) {
		rc = pc_fail(-EINVAL, "namespace '%s'", spec);
		goto out;
	}
	if (!ns) {
		rc = pc_fail_msg(-ENOENT, "no namespace '%s' in '%s'", spec, t->file);
		goto out;
	}
	dpa = ns_namespace_dpa(ns);
	size = ns_namespace_size(ns);
	rc = pc_bb_load_tool(r, &bb);
	if (rc == 0 && range && (off >= size || len > size - off || len == 0))
		rc = ns_err(-EINVAL, "range %" PRIu64 "+%" PRIu64 " is not inside '%s' "
			    "(%" PRIu64 " bytes)", off, len, spec, size);
	if (rc == 0 && (flags & CTL_F_CLEAR)) {
		rc = (int)ns_bb_clear(&bb, dpa, size);
	} else if (rc == 0 && range && (flags & CTL_F_UNINJECT)) {
		uint64_t s = off - off % NS_BB_BLOCK, e = off + len;

		e = (e + NS_BB_BLOCK - 1) / NS_BB_BLOCK * NS_BB_BLOCK;
		rc = (int)ns_bb_clear(&bb, dpa + s, (e > size ? size : e) - s);
	} else if (rc == 0 && range) {
		rc = ns_bb_add(&bb, dpa + off, len);
	}
	if (rc >= 0 && (range || (flags & CTL_F_CLEAR)))
		rc = ns_bb_save_region(r, &bb);
	if (rc < 0) {
		rc = pc_fail(rc, "cannot change the media errors of '%s'", spec);
		goto out;
	}
	rc = 0;
	n = ns_bb_clip(&bb, dpa, size, NULL, 0);
	v = calloc(n + 1, sizeof(*v));
	if (v) {
		ns_bb_clip(&bb, dpa, size, v, n);
		json_object_array_add(arr, pc_json_bb_status(ns_namespace_devname(ns), v, n));
	}
out:
	free(v);
	ns_bb_free(&bb);
	ns_region_close(&r);
	return rc;
}

/*
 * Ends a command that gathered records in arr: on success prints them (a
 * lone record as an object, not an array of one), on failure drops them;
 * returns rc.
 */
static int pc_print_list(struct json_object *arr, int rc)
{
	if (rc) {
		json_object_put(arr);
		return rc;
	}
	if (json_object_array_length(arr) == 1) {
		struct json_object *one = json_object_get(json_object_array_get_idx(arr, 0));

		json_object_put(arr);
		pc_json_print(one);
		return 0;
	}
	pc_json_print(arr);
	return 0;
}

static int inject_check(void *obj, const struct pc_args *a)
{
	struct inject_cmd *o = obj;
	bool has_off = pc_opt_given(a->p, KEY_OFFSET), has_len = pc_opt_given(a->p, KEY_LENGTH);
	bool has_block = pc_opt_given(a->p, 'B'), has_count = pc_opt_given(a->p, 'n');

	if (a->argc == 0)
		return pc_usage_error(a->p, "no namespace given (a name, uuid or device)");
	if (a->argc > 1)
		return pc_usage_error(a->p, "unexpected argument '%s'", a->argv[1]);
	if ((has_off || has_len) && (has_block || has_count))
		return pc_usage_error(a->p, "give the range in bytes (--offset/--length) or in "
				       "blocks (--block/--count), not both");
	if ((has_len && !has_off) || (has_count && !has_block))
		return pc_usage_error(a->p, "a length needs its start (--offset or --block)");
	if (o->status && (has_off || has_block || o->flags))
		return pc_usage_error(a->p, "--status takes no range and no --uninject");
	if (!o->status && !has_off && !has_block)
		return pc_usage_error(a->p, "no range given: --offset BYTES or --block N "
				       "(or --status)");
	return 0;
}

static int inject_online(void *obj, const struct pc_args *a)
{
	struct inject_cmd *o = obj;
	struct json_object *arr = json_object_new_array();
	const struct ctl_ns_info *ns;
	struct pc_listing l;
	int rc;

	rc = pc_fault_find(&o->t, &l, a->argv[0], &ns);
	if (rc == 0) {
		rc = pc_inject_online(&o->t, ns, o->flags, !o->status, o->off, o->len, arr);
		pc_listing_free(&l);
	}
	return pc_print_list(arr, rc);
}

static int inject_offline(void *obj, const struct pc_args *a)
{
	struct inject_cmd *o = obj;
	struct json_object *arr = json_object_new_array();
	int rc;

	rc = pc_inject_offline(&o->t, a->argv[0], o->flags, !o->status, o->off, o->len, arr);
	return pc_print_list(arr, rc);
}

const struct pc_command inject_error_cmd = {
	.usage = &inject_usage, .opts = inject_opts, .size = sizeof(struct inject_cmd),
	.defaults = &inject_defaults, .check = inject_check,
	.online = inject_online, .offline = inject_offline,
};

/* ---- clear-errors ---- */

#define PC_OPTS_OF struct pc_target_cmd
static const struct pc_opt clear_opts[] = {
	PC_TARGET_OPTS,
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage clear_usage = {
	.name = "clear-errors",
	.args = PC_TARGET_ARGS " [-r REGION] NAMESPACE|all...",
	.about = "Clear every injected media error of the namespaces ('all': every\n"
		 "served one; offline every one in the file) and print their (empty)\n"
		 "error lists as inject-error --status does.\n\n" PC_TARGET_ABOUT,
	.exits = "  254  ENOENT: no such namespace\n" PC_TARGET_EXITS,
};

static int clear_check(void *obj, const struct pc_args *a)
{
	(void)obj;
	if (a->argc == 0)
		return pc_usage_error(a->p, "no namespace given (a name, uuid, device or all)");
	return 0;
}

static int clear_online(void *obj, const struct pc_args *a)
{
	struct pc_target *t = obj;
	struct json_object *arr = json_object_new_array();
	struct pc_listing l;
	int rc, i;

	rc = pc_listing_get(t, &l);
	for (i = 0; rc == 0 && i < a->argc; i++) {
		bool all = !strcmp(a->argv[i], "all");
		const struct ctl_ns_info *one = all ? NULL : pc_listing_find(&l, a->argv[i]);

		if (!all && !one && pc_listing_ambiguous()) {
			rc = pc_fail_on(-EINVAL, a->argv[i], "namespace '%s'", a->argv[i]);
			break;
		}
		if (!all && !one) {
			rc = pc_fail_msg(-ENOENT, "no namespace '%s' on '%s'", a->argv[i],
					  t->mountpoint);
			break;
		}
		for (unsigned k = 0; rc == 0 && k < l.nns; k++)
			if (all ? pc_ns_info_active(&l.ns[k]) : &l.ns[k] == one)
				rc = pc_inject_online(t, &l.ns[k], CTL_F_CLEAR, false, 0, 0, arr);
	}
	pc_listing_free(&l);
	return pc_print_list(arr, rc);
}

static int clear_offline(void *obj, const struct pc_args *a)
{
	struct pc_target *t = obj;
	struct json_object *arr = json_object_new_array();
	int rc = 0, i;

	for (i = 0; rc == 0 && i < a->argc; i++) {
		if (!strcmp(a->argv[i], "all")) {
			struct ns_region *r = NULL;
			struct ns_badblocks bb = { 0 };

			rc = pc_target_open(t, PC_OPEN_WRITE, &r);
			if (rc)
				break;
			rc = ns_bb_save_region(r, &bb);
			if (rc)
				rc = pc_fail(rc, "cannot clear media errors");
			ns_region_close(&r);
			continue;
		}
		rc = pc_inject_offline(t, a->argv[i], CTL_F_CLEAR, false, 0, 0, arr);
	}
	return pc_print_list(arr, rc);
}

const struct pc_command clear_errors_cmd = {
	.usage = &clear_usage, .opts = clear_opts, .size = sizeof(struct pc_target_cmd),
	.check = clear_check, .online = clear_online, .offline = clear_offline,
};

int pc_bb_load_tool(const struct ns_region *r, struct ns_badblocks *bb)
{
	int rc = ns_bb_load_region(r, bb);

	if (rc == NS_BB_STALE) {
		pc_msg("warning: %s", ns_errormsg());
		ns_err_clear();
		rc = 0;
	}
	return rc;
}
