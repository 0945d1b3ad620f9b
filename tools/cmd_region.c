/* SPDX-License-Identifier: MIT */
/* pmemctl create-region and move-region. */
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <uuid/uuid.h>

#include "ns/badblocks.h"
#include "ctl/client.h"
#include "tools/command.h"
#include "ns/error.h"
#include "ns/health.h"
#include "tools/json_out.h"
#include "ns/label.h"
#include "tools/online.h"
#include "ns/namespace.h"
#include "tools/options.h"
#include "tools/pmemctl.h"
#include "tools/progress.h"
#include "ns/region.h"
#include "tools/target.h"

/* ---- create-region ---------------------------------------------------- */

enum { KEY_PREALLOC = PC_OPT_LONG, KEY_NVDIMM_SLOT, KEY_LAYOUT };

enum { LAYOUT_FILE, LAYOUT_DIR };
static const struct pc_choice create_region_layouts[] = {
	{ "file", LAYOUT_FILE }, { "dir", LAYOUT_DIR }, { NULL, 0 },
};

/* --nvdimm-slot N: QEMU's -device nvdimm,slot=N, 0 to 255 (an option callback) */
static int pc_opt_nvdimm_slot(const struct pc_parser *p, const struct pc_opt *o, void *out)
{
	const char *s = p->arg;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > NS_NVDIMM_SLOT_MAX) {
		pc_msg("bad value for --%s '%s': the slot QEMU gives the nvdimm "
			"(-device nvdimm,slot=N), a number from 0 to %u",
			p->optname, s, NS_NVDIMM_SLOT_MAX);
		return -EINVAL;
	}
	(void)o;
	*(uint32_t *)out = (uint32_t)v;
	return 0;
}

struct create_region_cmd {
	struct ns_region_create_opts c;
	const char *path;
	unsigned layout;
};

#define PC_OPTS_OF struct create_region_cmd
static const struct pc_opt create_region_opts[] = {
	OPT_SIZE("size", 's', c.size, "SIZE",
		 "size of the whole file (data + label area), a multiple of 2 MiB (>= 4 MiB)"),
	OPT_SIZE("label-size", PC_KEY_LABEL_SIZE, c.label_size, "SIZE",
		 "label area size, a power of two >= 128 KiB (default 128 KiB)"),
	OPT_CHOICE("label-version", 'V', c.minor, "1.1|1.2",
		   "label format: 1.2 (256-byte labels, default) or 1.1 (128-byte)",
		   pc_label_versions, "use 1.1 or 1.2"),
	OPT_BOOL("prealloc", KEY_PREALLOC, c.prealloc,
		 "allocate every block of the file (default: sparse data area)"),
	OPT_CALLBACK("nvdimm-slot", KEY_NVDIMM_SLOT, required_argument, c.nvdimm_slot, "N",
		     "the QEMU nvdimm slot the file will be given in (-device nvdimm,slot=N; "
		     "default 0): its labels carry the interleave-set cookie a guest "
		     "computes for that slot", pc_opt_nvdimm_slot),
	OPT_CHOICE("layout", KEY_LAYOUT, layout, "file|dir",
		   "file: one region file (default); dir: a directory PATH holding the "
		   "label area in PATH/region and each namespace in a file of its own",
		   create_region_layouts, "use file or dir"),
	OPT_STRING("file", PC_KEY_FILE, path, "PATH",
		   "the file to create (or give PATH as the argument)"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct create_region_cmd create_region_defaults = { .c = { .minor = 2 } };

static const struct pc_usage create_region_usage = {
	.name = "create-region",
	.args = "--size SIZE [--label-size SIZE] [-V 1.1|1.2] [--prealloc]\n"
		"       [--nvdimm-slot N] [--layout file|dir] (PATH | --file PATH)",
	.about = "Create a new region file at PATH (never overwrites one): SIZE bytes,\n"
		 "of which the last --label-size bytes hold an empty NVDIMM label area\n"
		 "(the layout QEMU uses for -device nvdimm,label-size=...). Prints the\n"
		 "region as JSON. Media errors left at PATH.badblocks by an earlier\n"
		 "region file at PATH are removed, saying so. SIZE must hold the label\n"
		 "area and one 2 MiB namespace (4 MiB with the default label area): a\n"
		 "smaller region would have nothing available.\n\n"
		 "A guest sees only the namespaces whose labels carry the cookie it\n"
		 "computes for the nvdimm's slot: give each region file of one guest\n"
		 "its own --nvdimm-slot and the same slot= to QEMU (move-region moves\n"
		 "an existing region). Offline only: it makes a file.\n\n"
		 "--layout dir makes PATH a region directory instead: PATH/region is a\n"
		 "sparse region file of SIZE holding the label area (the same format,\n"
		 "capacity and dpa ranges), and every namespace created later gets a\n"
		 "preallocated file of its own, PATH/ns-<uuid>, holding its bytes at\n"
		 "offset 0 (named ns-<uuid>.new until its label is committed and\n"
		 "ns-<uuid>.gone while it is destroyed: the next open that writes\n"
		 "finishes or undoes what a crash left). pmemctl and pmemfs take PATH\n"
		 "wherever they take a region file.",
	.exits = "  239  EEXIST: PATH exists already\n"
		 "  234  EINVAL: bad size, label size or version\n"
		 "  254  ENOENT: the directory of PATH does not exist\n"
		 "  243  EACCES: the directory of PATH is not writable for you\n"
		 "  228  ENOSPC: the file system is full (--prealloc)\n",
};

static int create_region_check(void *obj, const struct pc_args *a)
{
	struct create_region_cmd *o = obj;

	if (a->argc) {
		if (o->path)
			return pc_usage_error(a->p, "give the path once: --file or as the argument");
		o->path = a->argv[0];
	}
	if (a->argc > 1)
		return pc_usage_error(a->p, "unexpected argument '%s'", a->argv[1]);
	if (!o->path)
		return pc_usage_error(a->p, "no region file given");
	if (!pc_opt_given(a->p, 's'))
		return pc_usage_error(a->p, "missing --size");
	if (o->layout == LAYOUT_DIR && o->c.prealloc)
		return pc_usage_error(a->p, "--prealloc with --layout dir: the region "
				      "file of a directory holds only labels; each "
				      "namespace file is preallocated when it is created");
	o->c.dir = o->layout == LAYOUT_DIR;
	return 0;
}

/* offline only, without a region to open: it makes the file */
/* the files beside a region that a new region at its path must not inherit */
static int (*const remove_stale[])(const char *region_path) = {
	ns_bb_remove_stale,	/* its media errors */
	ns_health_remove_stale,	/* its shutdown count */
};

static int create_region_run(void *obj, const struct pc_args *a)
{
	struct create_region_cmd *o = obj;
	struct ns_region_opts ro = { 0 };
	struct ns_region *r = NULL;
	struct pc_progress pg;
	int rc;

	(void)a;
	pc_progress_init(&pg, "preallocating '%s'", o->path);
	o->c.progress = pc_progress_cb;
	o->c.progress_arg = &pg;
	rc = ns_region_create(o->path, &o->c, &ro, &r);
	pc_progress_end(&pg);
	if (rc < 0)
		return pc_fail_on(rc, o->path, "cannot create region '%s'", o->path);
	/*
	 * a new file: media errors and health left beside it are an earlier
	 * region's (a new medium counts from 0)
	 */
	for (size_t i = 0; i < sizeof(remove_stale) / sizeof(remove_stale[0]); i++) {
		rc = remove_stale[i](o->path);
		if (rc < 0) {
			rc = pc_fail(rc, "region '%s' created, but", o->path);
			ns_region_close(&r);
			return rc;
		}
		if (rc > 0)
			pc_msg("%s", ns_errormsg());
		ns_err_clear();
	}
	pc_json_print(pc_json_region(r, 0));
	ns_region_close(&r);
	return 0;
}

const struct pc_command create_region_cmd = {
	.usage = &create_region_usage, .opts = create_region_opts,
	.size = sizeof(struct create_region_cmd), .defaults = &create_region_defaults,
	.check = create_region_check, .run = create_region_run,
};

/* ---- move-region --------------------------------------------------------- */

struct move_region_cmd {
	struct pc_target t;
	uint32_t slot;
};

#define PC_OPTS_OF struct move_region_cmd
static const struct pc_opt move_region_opts[] = {
	PC_TARGET_OPTS,
	OPT_CALLBACK("nvdimm-slot", KEY_NVDIMM_SLOT, required_argument, slot, "N",
		     "the QEMU nvdimm slot to move the region to (-device nvdimm,slot=N)",
		     pc_opt_nvdimm_slot),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage move_region_usage = {
	.name = "move-region",
	.args = PC_TARGET_ARGS " [-r REGION] --nvdimm-slot N",
	.about = "Move a region to another QEMU nvdimm slot: every label (namespace) gets\n"
		 "the interleave-set cookie a guest computes for the nvdimm in slot N\n"
		 "(QEMU -device nvdimm,slot=N), so that the guest shows its namespaces.\n"
		 "Labels are never rewritten in place: each gets a new copy in a free\n"
		 "label slot, all in one label commit (a crash leaves the region in the\n"
		 "old slot or the new one, never mixed); refused, naming both counts,\n"
		 "when there are fewer free label slots than labels. Data is not\n"
		 "touched. Online the daemon moves it while its namespaces stay served\n"
		 "(open files and mappings too); a namespace whose label already had\n"
		 "that slot's cookie is served from then on. An empty region records\n"
		 "the slot in its index blocks. Prints the region as JSON (its\n"
		 "\"nvdimm_slot\"); list -R shows the slot of every region.\n\n"
		 PC_TARGET_ABOUT,
	.exits = "  228  ENOSPC: fewer free label slots than labels to rewrite\n"
		 "  234  EINVAL: no --nvdimm-slot, or not a slot from 0 to 255\n"
		 "  250  ENXIO: the region has no label area (init-labels first)\n"
		 PC_TARGET_EXITS,
};

static int move_region_check(void *obj, const struct pc_args *a)
{
	(void)obj;
	if (a->argc)
		return pc_usage_error(a->p, "unexpected argument '%s'", a->argv[0]);
	if (!pc_opt_given(a->p, KEY_NVDIMM_SLOT))
		return pc_usage_error(a->p, "missing --nvdimm-slot");
	return 0;
}

static int move_region_online(void *obj, const struct pc_args *a)
{
	struct move_region_cmd *o = obj;
	struct nl_msg *req = pc_target_region_request(&o->t, CTL_CMD_MOVE_REGION);
	struct ctl_response *resp = NULL;
	struct ctl_region_info ri;
	unsigned moved;
	int rc;

	(void)a;
	if (!req)
		return pc_exit_code(-ENOMEM);
	if (ctl_put_u32(req, CTL_A_NVDIMM_SLOT, o->slot) < 0) {
		nlmsg_free(req);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	rc = pc_target_call(&o->t, req, &resp);
	if (rc == 0 && resp->nparts == 1 &&
	    ctl_region_info_get(resp->parts[0].attrs[CTL_A_REGION_INFO], &ri) == 0) {
		struct nlattr *n = resp->parts[0].attrs[CTL_A_COUNT];

		moved = n ? nla_get_u32(n) : 0;
		pc_msg("%s on '%s' is in nvdimm slot %" PRIu32 " (%u label%s "
			"rewritten)", ri.dev, o->t.mountpoint, o->slot, moved,
			moved == 1 ? "" : "s");
		pc_json_print(pc_json_region_info(&ri, 0));
	}
	ctl_response_free(&resp);
	return rc;
}

static int move_region_offline(void *obj, const struct pc_args *a)
{
	struct move_region_cmd *o = obj;
	struct ns_region *r = NULL;
	unsigned moved = 0;
	int rc;

	(void)a;
	rc = pc_target_open(&o->t, PC_OPEN_WRITE, &r);
	if (rc)
		return rc;
	rc = ns_region_set_nvdimm_slot(r, o->slot, &moved);
	if (rc < 0) {
		rc = pc_fail(rc, "cannot move '%s' to nvdimm slot %" PRIu32, o->t.file, o->slot);
	} else {
		pc_msg("'%s' is in nvdimm slot %" PRIu32 " (%u label%s rewritten)",
			o->t.file, o->slot, moved, moved == 1 ? "" : "s");
		pc_json_print(pc_json_region(r, 0));
	}
	ns_region_close(&r);
	return rc;
}

const struct pc_command move_region_cmd = {
	.usage = &move_region_usage, .opts = move_region_opts,
	.size = sizeof(struct move_region_cmd), .check = move_region_check,
	.online = move_region_online, .offline = move_region_offline,
};
