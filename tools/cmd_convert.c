/* SPDX-License-Identifier: MIT */
/* pmemctl convert-region: the core's conversion (ns/convert.h) as a command. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "ns/convert.h"
#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/region.h"
#include "tools/command.h"
#include "tools/json_out.h"
#include "tools/options.h"
#include "tools/pmemctl.h"
#include "tools/progress.h"
#include "tools/target.h"

enum { KEY_LAYOUT = PC_OPT_LONG, KEY_DRY_RUN };
enum { LAYOUT_FILE, LAYOUT_DIR };
static const struct pc_choice convert_layouts[] = {
	{ "file", LAYOUT_FILE }, { "dir", LAYOUT_DIR }, { NULL, 0 },
};

struct convert_region_cmd {
	unsigned layout;
	bool dry_run;
	bool force;
	const char *src, *dst;
};

#define PC_OPTS_OF struct convert_region_cmd
static const struct pc_opt convert_region_opts[] = {
	OPT_CHOICE("layout", KEY_LAYOUT, layout, "file|dir",
		   "the layout to make: dir (SOURCE is a region file) or file "
		   "(SOURCE is a region directory)", convert_layouts, "use file or dir"),
	OPT_BOOL("dry-run", KEY_DRY_RUN, dry_run,
		 "print the plan and the space it needs, write nothing"),
	OPT_BOOL("force", 'f', force,
		 "go on when the free space looks too small (a copy that runs out "
		 "of space still fails and leaves nothing)"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage convert_region_usage = {
	.name = "convert-region",
	.args = "--layout dir|file [--dry-run] [-f] SOURCE DEST",
	.about = "Convert an unmounted region between the two layouts: --layout dir\n"
		 "makes the region file SOURCE into a new region directory DEST (its\n"
		 "label area in DEST/region, each namespace's bytes in DEST/ns-<uuid>);\n"
		 "--layout file makes the region directory SOURCE into a new region file\n"
		 "DEST (the label area at its end, each namespace at its dpa, the free\n"
		 "ranges left as holes): the layout QEMU's -device nvdimm,label-size=...\n"
		 "needs, whose guest sees the whole region with its labels. Labels,\n"
		 "UUIDs, names, dpa ranges and the nvdimm slot stay as they are, and so\n"
		 "does the region's health (list -R -H: shutdown_count and state, from\n"
		 "SOURCE's health file to DEST's, recorded for DEST; a corrupt one makes\n"
		 "DEST's count unknown too, with a warning).\n\n"
		 "SOURCE is never written, and held locked so that no pmemfs daemon\n"
		 "serves it meanwhile; DEST is built under .pmemctl-convert.<name>\n"
		 "beside it, fsynced, checked against SOURCE, and renamed into place\n"
		 "without replacing anything: a crash or a failure leaves SOURCE as it\n"
		 "was and no DEST (a temporary a crash left is removed by the next run).\n"
		 "Remove SOURCE yourself once you no longer need it. Blocks are shared\n"
		 "(reflink) where the file system can (btrfs, xfs with reflink=1) and\n"
		 "copied otherwise (copy_file_range, else read/write); holes are not\n"
		 "copied, but every namespace byte of DEST is allocated. Refused before\n"
		 "anything is written when the file system of DEST has less free space\n"
		 "than that needs (with reflinks: the source's bytes in no written block;\n"
		 "else the namespaces and the label area), while SOURCE is mounted or\n"
		 "locked, when check-labels reports a problem in it (a namespace of\n"
		 "another nvdimm slot, of more than one dpa range, an invalid label; in a\n"
		 "region directory a namespace file missing or of the wrong size), when\n"
		 "DEST exists, or when a symbolic link is on the way to DEST. Prints the\n"
		 "plan and what was done as JSON: method (reflink, copy_file_range,\n"
		 "read/write), bytes_cloned, bytes_copied, bytes_holes, space_needed,\n"
		 "space_free, seconds. Offline only.",
	.exits = "  239  EEXIST: DEST exists (nothing touched)\n"
		 "  228  ENOSPC: too little free space for DEST (said in sizes)\n"
		 "  240  EBUSY: SOURCE is mounted or locked by another process\n"
		 "  234  EINVAL: SOURCE has the other layout or problems check-labels reports\n"
		 "  216  ELOOP: a symbolic link on the way to DEST\n",
};

static int convert_region_check(void *obj, const struct pc_args *a)
{
	struct convert_region_cmd *o = obj;

	if (!pc_opt_given(a->p, KEY_LAYOUT))
		return pc_usage_error(a->p, "missing --layout dir|file (the layout to make)");
	if (a->argc != 2)
		return pc_usage_error(a->p, a->argc < 2 ? "give SOURCE and DEST" :
				      "unexpected argument '%s'", a->argv[a->argc > 2 ? 2 : 0]);
	o->src = a->argv[0];
	o->dst = a->argv[1];
	return 0;
}

static void convert_note(const char *msg)
{
	pc_msg("%s", msg);
}

static struct json_object *convert_plan_json(const struct convert_region_cmd *o,
					     const struct ns_convert *cv)
{
	const struct ns_convert_plan *p = ns_convert_get_plan(cv);
	struct ns_region *r = ns_convert_source(cv);
	struct json_object *j = json_object_new_object(), *arr = json_object_new_array();
	struct ns_namespace *ns;

	json_object_object_add(j, "source", json_object_new_string(o->src));
	json_object_object_add(j, "destination", json_object_new_string(o->dst));
	json_object_object_add(j, "layout", json_object_new_string(
				       o->layout == LAYOUT_DIR ? "dir" : "file"));
	json_object_object_add(j, "file_size", json_object_new_int64((int64_t)p->region_size));
	json_object_object_add(j, "label_size", json_object_new_int64((int64_t)p->label_size));
	ns_region_foreach_namespace(r, ns)
		json_object_array_add(arr, pc_json_namespace(ns, 0));
	json_object_object_add(j, "namespaces", arr);
	json_object_object_add(j, "namespace_bytes", json_object_new_int64((int64_t)p->ns_bytes));
	json_object_object_add(j, "data_bytes", json_object_new_int64((int64_t)p->data_bytes));
	json_object_object_add(j, "reflink", p->reflink < 0 ? NULL :
			       json_object_new_boolean(p->reflink));
	if (p->reflink != 1)
		json_object_object_add(j, "reflink_reason", json_object_new_string(p->reflink_why));
	json_object_object_add(j, "space_needed", json_object_new_int64((int64_t)p->need));
	json_object_object_add(j, "space_free", json_object_new_int64((int64_t)p->avail));
	json_object_object_add(j, "temporary", json_object_new_string(p->tmp));
	if (p->leftover)
		json_object_object_add(j, "leftover_removed", json_object_new_boolean(!o->dry_run));
	return j;
}

static int convert_region_run(void *obj, const struct pc_args *a)
{
	struct convert_region_cmd *o = obj;
	struct ns_convert_opts co = { .to_dir = o->layout == LAYOUT_DIR, .note = convert_note };
	const struct ns_convert_plan *p;
	struct ns_convert_stats st;
	struct ns_convert *cv = NULL;
	struct json_object *j;
	struct pc_progress pg;
	struct timespec t0, t1;
	char x[32], y[32], z[32], m[64];
	int rc;

	(void)a;
	pc_progress_init(&pg, "converting '%s'", o->src);
	co.progress = pc_progress_cb;
	co.progress_arg = &pg;
	rc = ns_convert_open(o->src, o->dst, &co, &cv);
	if (rc == -NS_E_LOCKED) {
		char msg[1024], *mnt = pc_target_mounted_at(o->src);

		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		ns_err_clear();
		rc = mnt ? pc_fail_msg(rc, "%s: it is mounted on '%s', and convert-region "
				       "works offline only: unmount it first (fusermount3 -u "
				       "%s)", msg, mnt, mnt) :
			   pc_fail_msg(rc, "%s (a pmemfs daemon or another pmemctl holds "
				       "it: convert-region works offline only)", msg);
		free(mnt);
		return rc;
	}
	if (rc)
		return pc_fail(rc, "cannot convert '%s'", o->src);
	p = ns_convert_get_plan(cv);
	if (p->leftover && o->dry_run)
		pc_msg("'%s' left by an interrupted convert-region would be removed", p->tmp);
	rc = ns_convert_check_space(cv);
	if (rc && o->force) {
		pc_msg("warning: %s: going on (--force)", ns_errormsg());
		ns_err_clear();
		rc = 0;
	}
	if (o->dry_run || rc) {
		j = convert_plan_json(o, cv);
		json_object_object_add(j, "dry_run", json_object_new_boolean(o->dry_run));
		json_object_object_add(j, "fits", json_object_new_boolean(rc == 0));
		pc_json_print(j);
		if (rc)
			rc = pc_fail(rc, "cannot convert '%s' to '%s'", o->src, o->dst);
		ns_convert_close(&cv);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ns_convert_run(cv, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pc_progress_end(&pg);
	if (rc) {
		rc = pc_fail(rc, "cannot convert '%s' to '%s'", o->src, o->dst);
		ns_convert_close(&cv);
		return rc;
	}
	ns_convert_method_name(st.methods, m, sizeof(m));
	j = convert_plan_json(o, cv);
	json_object_object_add(j, "method", json_object_new_string(m));
	json_object_object_add(j, "bytes_cloned", json_object_new_int64((int64_t)st.cloned));
	json_object_object_add(j, "bytes_copied", json_object_new_int64((int64_t)st.copied));
	json_object_object_add(j, "bytes_holes", json_object_new_int64((int64_t)st.holes));
	json_object_object_add(j, "seconds", json_object_new_double(
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
	pc_json_print(j);
	pc_msg("'%s' is now also the region %s '%s' (%u namespace%s; %s: %s shared, "
	       "%s copied, %s of holes not copied)%s; '%s' is unchanged: remove it "
	       "when you no longer need it", o->src, o->layout == LAYOUT_DIR ?
	       "directory" : "file", o->dst, p->nns, p->nns == 1 ? "" : "s", m,
	       ns_convert_size(st.cloned, x, sizeof(x)),
	       ns_convert_size(st.copied, y, sizeof(y)),
	       ns_convert_size(st.holes, z, sizeof(z)),
	       o->layout == LAYOUT_FILE ? " (its free ranges are holes: a sparse file)" : "",
	       o->src);
	ns_convert_close(&cv);
	return 0;
}

const struct pc_command convert_region_cmd = {
	.usage = &convert_region_usage, .opts = convert_region_opts,
	.size = sizeof(struct convert_region_cmd), .check = convert_region_check,
	.run = convert_region_run,
};
