/* SPDX-License-Identifier: MIT */
/* pmemctl init-labels (online and offline) and zero-labels (offline only). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ns/badblocks.h"
#include "ns/error.h"
#include "tools/json_out.h"
#include "ns/label.h"
#include "ns/lsa.h"
#include "ns/namespace.h"
#include "tools/online.h"
#include "ctl/client.h"
#include "tools/command.h"
#include "tools/options.h"
#include "tools/pmemctl.h"
#include "ns/region.h"
#include "tools/target.h"
#include "ns/util.h"

/* ---- init-labels, zero-labels ------------------------------------------- */

struct init_labels_cmd {
	struct pc_target t;
	bool force;
	unsigned minor;
};

#define PC_OPTS_OF struct init_labels_cmd
static const struct pc_opt init_labels_opts[] = {
	PC_TARGET_OPTS,
	OPT_BOOL("force", 'f', force,
		 "overwrite a valid label area (every namespace is forgotten), also one of another size than --label-size"),
	OPT_CHOICE("label-version", 'V', minor, "1.1|1.2",
		   "label format (default: the current one, 1.2 for a new area)",
		   pc_label_versions, "use 1.1 or 1.2"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage init_labels_usage = {
	.name = "init-labels",
	.args = PC_TARGET_ARGS " [-r REGION] [-f] [-V 1.1|1.2]",
	.about = "Write a fresh, empty label area (both index blocks) at the end of the\n"
		 "region file. Offline a valid area is kept unless -f, as ndctl does.\n"
		 "Online the daemon refuses while the region has namespaces unless -f;\n"
		 "with -f their files disappear (refused while one is open or mapped).\n"
		 "Data is not touched, except that a --label-size larger than the valid\n"
		 "area's takes its place from the end of the data area: that needs -f,\n"
		 "like any size other than the valid area's, and the message says which\n"
		 "namespaces' data it would overwrite; with -f the old area's index\n"
		 "blocks are zeroed after the new area is written.\n\n" PC_TARGET_ABOUT,
	.exits = "  239  EEXIST: the file has a valid label area / namespaces (use -f)\n"
		 "  240  EBUSY: offline, the region is locked by another process; online,\n"
		 "       a namespace is open or mapped\n"
		 "  234  EINVAL: bad --label-size or label version\n"
		 "  254  ENOENT: no such region file, region (-r) or pmemfs mount (--mount)\n"
		 PC_TARGET_EXITS,
};

static int init_labels_online(void *obj, const struct pc_args *a)
{
	struct init_labels_cmd *o = obj;
	struct nl_msg *req = pc_target_region_request(&o->t, CTL_CMD_INIT_LABELS);
	struct ctl_response *resp = NULL;
	struct ctl_region_info ri;
	char sz[32];
	int rc;

	(void)a;
	if (!req)
		return pc_exit_code(-ENOMEM);
	if ((o->force && ctl_put_u32(req, CTL_A_FLAGS, CTL_F_FORCE) < 0) ||
	    (o->minor && ctl_put_u32(req, CTL_A_LABEL_VERSION, o->minor) < 0)) {
		nlmsg_free(req);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	rc = pc_target_call(&o->t, req, &resp);
	if (rc == 0 && resp->nparts == 1 &&
	    ctl_region_info_get(resp->parts[0].attrs[CTL_A_REGION_INFO], &ri) == 0)
		pc_msg("initialised the label area of %s on '%s' (v1.%u, %s)",
			ri.dev, o->t.mountpoint, ri.label_version,
			ns_format_size(ri.label_size, sz, sizeof(sz)));
	ctl_response_free(&resp);
	return rc;
}

/*
 * Offline init-labels (init) or zero-labels: rewrite the label area of
 * t's region file, minor and force as ns_region_init_labels /
 * ns_region_zero_labels take them, and say what became of it.
 */
static int labels_offline(const struct pc_target *t, bool init, unsigned minor,
			  bool force)
{
	struct ns_region *r = NULL;
	char sz[32];
	int rc;

	rc = pc_target_open(t, PC_OPEN_WRITE_NOLABELS, &r);
	if (rc)
		return rc;
	rc = init ? ns_region_init_labels(r, minor, force) :
		    ns_region_zero_labels(r, force);
	if (rc == -NS_E_LABELS_EXIST && (!init || !ns_region_has_labels(r))) {
		/* a valid area of another size: the message says what it holds */
		rc = pc_fail_msg(rc, "%s", ns_errormsg());
	} else if (rc == -NS_E_LABELS_EXIST) {
		rc = pc_fail_msg(rc, "'%s' has a valid label area: use -f to "
				  "overwrite it (its namespaces are forgotten)",
				  t->file);
	} else if (rc < 0) {
		rc = pc_fail_on(rc, t->file, "cannot %s the label area of '%s'",
				 init ? "initialise" : "zero", t->file);
	} else if (init) {
		pc_msg("initialised the label area of '%s' (v1.%u, %s)", t->file,
			ns_region_label_minor(r),
			ns_format_size(ns_region_label_size(r), sz, sizeof(sz)));
	} else {
		pc_msg("zeroed the label area of '%s' (%s)", t->file,
			ns_format_size(ns_region_label_size(r), sz, sizeof(sz)));
	}
	ns_region_close(&r);
	return rc;
}

static int init_labels_offline(void *obj, const struct pc_args *a)
{
	struct init_labels_cmd *o = obj;

	(void)a;
	return labels_offline(&o->t, true, o->minor, o->force);
}

const struct pc_command init_labels_cmd = {
	.usage = &init_labels_usage, .opts = init_labels_opts,
	.size = sizeof(struct init_labels_cmd), .check = pc_args_none,
	.online = init_labels_online, .offline = init_labels_offline,
};

struct zero_labels_cmd {
	struct pc_target t;
	bool force;
};

#define PC_OPTS_OF struct zero_labels_cmd
static const struct pc_opt zero_labels_opts[] = {
	PC_TARGET_OPT("file", PC_KEY_FILE, "PATH", "the unmounted region file"),
	PC_TARGET_OPT("label-size", PC_KEY_LABEL_SIZE, "SIZE",
		       "size of the label area at the end of the file (default: probe)"),
	/* online mode: refused ("works offline only") */
	PC_TARGET_OPT("mount", PC_KEY_MOUNT, "DIR", NULL),
	PC_TARGET_OPT("socket", PC_KEY_SOCKET, "PATH", NULL),
	OPT_BOOL("force", 'f', force,
		 "also over a valid label area of another size (it goes too; a larger --label-size zeroes data)"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage zero_labels_usage = {
	.name = "zero-labels",
	.args = "--file PATH [-f] [--label-size SIZE]",
	.about = "Overwrite the whole label area with zeroes: every namespace is\n"
		 "forgotten (their data is not touched). init-labels makes the region\n"
		 "usable again. Offline only: unmount the region first (a daemon cannot\n"
		 "serve a region without a label area).",
	.exits = "  239  EEXIST: the file holds a valid label area of another size (use -f)\n"
		 "  240  EBUSY: the region is locked by another process (a daemon)\n"
		 "  234  EINVAL: bad --label-size\n"
		 "  254  ENOENT: no such region file\n",
};

/* offline only: the dispatcher refuses online mode (zero-labels "works offline only") */
static int zero_labels_offline(void *obj, const struct pc_args *a)
{
	struct zero_labels_cmd *o = obj;

	(void)a;
	return labels_offline(&o->t, false, 0, o->force);
}

const struct pc_command zero_labels_cmd = {
	.usage = &zero_labels_usage, .opts = zero_labels_opts,
	.size = sizeof(struct zero_labels_cmd), .check = pc_args_none,
	.offline = zero_labels_offline,
};
