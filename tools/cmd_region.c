/* SPDX-License-Identifier: MIT */
/* pmemctl create-region and list. */
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <uuid/uuid.h>

#include "badblocks.h"
#include "client.h"
#include "error.h"
#include "json_out.h"
#include "label.h"
#include "online.h"
#include "namespace.h"
#include "options.h"
#include "pmemctl.h"
#include "progress.h"
#include "record.h"
#include "region.h"
#include "target.h"

/* ---- create-region ---------------------------------------------------- */

enum { KEY_PREALLOC = CTL_OPT_LONG, KEY_WATCH, KEY_NVDIMM_SLOT };

/* --nvdimm-slot N: QEMU's -device nvdimm,slot=N, 0 to 255 */
static int ctl_opt_nvdimm_slot(const struct ctl_parser *p, uint32_t *out)
{
	const char *s = p->arg;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > NS_NVDIMM_SLOT_MAX) {
		ctl_msg("bad value for --%s '%s': the slot QEMU gives the nvdimm "
			"(-device nvdimm,slot=N), a number from 0 to %u",
			p->optname, s, NS_NVDIMM_SLOT_MAX);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static const struct ctl_opt create_region_opts[] = {
	{ "size", 's', required_argument, "SIZE",
	  "size of the whole file (data + label area), a multiple of 2 MiB (>= 4 MiB)" },
	{ "label-size", CTL_KEY_LABEL_SIZE, required_argument, "SIZE",
	  "label area size, a power of two >= 128 KiB (default 128 KiB)" },
	{ "label-version", 'V', required_argument, "1.1|1.2",
	  "label format: 1.2 (256-byte labels, default) or 1.1 (128-byte)" },
	{ "prealloc", KEY_PREALLOC, no_argument, NULL,
	  "allocate every block of the file (default: sparse data area)" },
	{ "nvdimm-slot", KEY_NVDIMM_SLOT, required_argument, "N",
	  "the QEMU nvdimm slot the file will be given in (-device nvdimm,slot=N; "
	  "default 0): its labels carry the interleave-set cookie a guest "
	  "computes for that slot" },
	{ "file", CTL_KEY_FILE, required_argument, "PATH",
	  "the file to create (or give PATH as the argument)" },
	{ 0 },
};

static const struct ctl_usage create_region_usage = {
	.name = "create-region",
	.args = "--size SIZE [--label-size SIZE] [-V 1.1|1.2] [--prealloc]\n"
		"       [--nvdimm-slot N] (PATH | --file PATH)",
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
		 "an existing region). Offline only: it makes a file.",
	.exits = "  239  EEXIST: PATH exists already\n"
		 "  234  EINVAL: bad size, label size or version\n"
		 "  254  ENOENT: the directory of PATH does not exist\n"
		 "  243  EACCES: the directory of PATH is not writable for you\n"
		 "  228  ENOSPC: the file system is full (--prealloc)\n",
};

int cmd_create_region(int argc, char **argv)
{
	struct {
		struct ns_region_create_opts c;
		const char *path;
		bool have_size;
	} o = { .c = { .minor = 2 } };
	struct ns_region_opts ro = { 0 };
	struct ns_region *r = NULL;
	struct ctl_progress pg;
	struct ctl_parser p;
	int c, rc;

	ctl_parser_init(&p, &create_region_usage, create_region_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case 's':
			if (ctl_opt_size(&p, &o.c.size) < 0)
				return ctl_exit_code(-EINVAL);
			o.have_size = true;
			break;
		case CTL_KEY_LABEL_SIZE:
			if (ctl_opt_size(&p, &o.c.label_size) < 0)
				return ctl_exit_code(-EINVAL);
			break;
		case 'V':
			if (ctl_parse_label_version(&p, &o.c.minor) < 0)
				return ctl_exit_code(-EINVAL);
			break;
		case KEY_PREALLOC:
			o.c.prealloc = true;
			break;
		case KEY_NVDIMM_SLOT:
			if (ctl_opt_nvdimm_slot(&p, &o.c.nvdimm_slot) < 0)
				return ctl_exit_code(-EINVAL);
			break;
		case CTL_KEY_FILE:
			o.path = p.arg;
			break;
		}
	}
	if (optind < argc) {
		if (o.path)
			return ctl_usage_error(&p, "give the path once: --file or as the argument");
		o.path = argv[optind++];
	}
	if (optind < argc)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind]);
	if (!o.path)
		return ctl_usage_error(&p, "no region file given");
	if (!o.have_size)
		return ctl_usage_error(&p, "missing --size");

	ctl_progress_init(&pg, "preallocating '%s'", o.path);
	o.c.progress = ctl_progress_cb;
	o.c.progress_arg = &pg;
	rc = ns_region_create(o.path, &o.c, &ro, &r);
	ctl_progress_end(&pg);
	if (rc < 0)
		return ctl_fail_on(rc, o.path, "cannot create region '%s'", o.path);
	/* a new file: media errors left beside it are an earlier region's */
	rc = ctl_bb_remove_stale(o.path);
	if (rc < 0) {
		rc = ctl_fail(rc, "region '%s' created, but", o.path);
		ns_region_close(&r);
		return rc;
	}
	if (rc > 0)
		ctl_msg("%s", ns_errormsg());
	ns_err_clear();
	ctl_json_print(ctl_json_region(r, 0));
	ns_region_close(&r);
	return 0;
}

/* ---- list ---------------------------------------------------------------- */

static const struct ctl_opt list_opts[] = {
	CTL_TARGET_OPTS,
	{ "namespace", 'n', required_argument, "NAME",
	  "only this namespace: name, uuid, device name (namespace0.1) or all" },
	{ "regions", 'R', no_argument, NULL, "list regions" },
	{ "namespaces", 'N', no_argument, NULL, "list namespaces (the default)" },
	{ "human", 'u', no_argument, NULL,
	  "sizes as \"4.00 GiB (4.29 GB)\", ids and offsets in hex; a lone item "
	  "is printed as an object" },
	{ "idle", 'i', no_argument, NULL,
	  "also namespaces that are not served (disabled, interleaved, foreign, "
	  "invalid), with state and reason" },
	{ "media-errors", 'M', no_argument, NULL,
	  "injected media errors: badblock_count and badblocks [{offset, length}] "
	  "in 512-byte blocks, as ndctl" },
	{ "verbose", 'v', no_argument, NULL,
	  "online: the status view (daemon pid and uptime, holders, bytes not yet "
	  "durable, sticky error, crash-test state, backing; see above)" },
	{ "watch", KEY_WATCH, optional_argument, "[SECS]",
	  "print the list again every SECS seconds (default 1), one JSON "
	  "document each, until interrupted" },
	{ 0 },
};

static const struct ctl_usage list_usage = {
	.name = "list",
	.args = CTL_TARGET_ARGS " [-R] [-N] [-r REGION] [-n NAME]\n"
		"       [-u] [-i] [-M] [-v] [--watch [SECS]]",
	.about = "List as JSON, in ndctl's shape: without -R or -N, or with -N alone, an\n"
		 "array of namespaces; -R an array of regions; -R -N {\"regions\": [...]},\n"
		 "each region with a \"namespaces\" array. Nothing to list prints [] (ndctl\n"
		 "prints nothing), exit 0. -r REGION and -n NAME filter as ndctl's do; a\n"
		 "NAME that matches nothing lists nothing. Online, namespaces also show\n"
		 "\"path\" (their file) and \"mount\", regions \"mount\" (and \"crash_test\":\n"
		 "true while power-fail crash testing is on). Without --mount or\n"
		 "--socket, every pmemfs mount is listed, as ndctl lists every region of\n"
		 "the system: region names (region0, ...) are per mount, \"mount\" tells\n"
		 "them apart. With -M, \"badblock_count\" and \"badblocks\" list injected\n"
		 "media errors (inject-error) in 512-byte blocks from the start of each\n"
		 "namespace (of the data area for regions), as ndctl list --media-errors.\n"
		 "Offline, the region file is opened read-only, without its lock.\n\n"
		 "-v (online; ndctl's list -v shows more fields) is the status view:\n"
		 "regions and namespaces get \"daemon\": {\"pid\", \"uptime_s\"} of their\n"
		 "mount; served namespaces \"holders\" (pids that have the file open or\n"
		 "mapped; null if unknown), \"handles\", \"not_durable_bytes\" (bytes an\n"
		 "fsync/msync would still have to make durable, at most the size: the\n"
		 "larger of \"not_durable\": {\"daemon_bytes\" written since the daemon's\n"
		 "last persist, \"page_cache_bytes\" dirty or under write-back on the\n"
		 "namespace's range of the region file, by cachestat(2), null before\n"
		 "Linux 6.5}, plus \"mapped_bytes\", the holders' mapped pages that\n"
		 "/proc/PID/smaps counts dirty, not yet written back to the daemon; the\n"
		 "daemon never looks into its own mount), \"error\" (the sticky\n"
		 "write-back error every fsync returns until remount, or null),\n"
		 "\"crash_state\" (power-fail), \"badblock_count\" and \"backing\" (direct\n"
		 "or buffered). Another user than root and the daemon's sees only its\n"
		 "own processes among the holders.\n"
		 "--watch refreshes, as ndctl monitor follows events: a new document every\n"
		 "SECS seconds (jq reads the stream).\n\n"
		 CTL_TARGET_ABOUT,
	.exits = "  250  ENXIO: the file has no valid label area\n"
		 "  254  ENOENT: no such region\n" CTL_TARGET_EXITS,
};

/* -v: one mount's status, by namespace */
struct ctl_list_status {
	bool have;
	struct ctl_daemon_info daemon;
	struct ctl_nsst_info *v;
	unsigned n;
	struct ctl_response *resp;	/* the records point into it */
};

struct ctl_list_opts {
	bool regions, namespaces, media;
	unsigned verbose;
	const struct ctl_list_status *st;	/* -v, online: the mount's status */
	unsigned flags;
	const char *ns_filter;	/* -n: NULL or "all" for every namespace */
	/* -M: the media errors of each region (by regs[] index) */
	const struct ctl_badblocks *bbs;
};

/* ndctl's "badblock_count" and "badblocks" of [off, off+len) of bb, in sectors */
static void ctl_list_add_badblocks(struct json_object *j, const struct ctl_badblocks *bb,
				   uint64_t off, uint64_t len)
{
	struct json_object *a = json_object_new_array();
	struct ctl_bb_range *v;
	size_t n = bb ? ctl_bb_clip(bb, off, len, NULL, 0) : 0, i;

	v = calloc(n + 1, sizeof(*v));
	if (v && n)
		ctl_bb_clip(bb, off, len, v, n);
	for (i = 0; v && i < n; i++) {
		struct json_object *b = json_object_new_object();

		json_object_object_add(b, "offset",
				       json_object_new_int64((int64_t)(v[i].off / CTL_BB_BLOCK)));
		json_object_object_add(b, "length",
				       json_object_new_int64((int64_t)(v[i].len / CTL_BB_BLOCK)));
		json_object_array_add(a, b);
	}
	free(v);
	json_object_object_add(j, "badblock_count", json_object_new_int64(
		(int64_t)((bb ? ctl_bb_bytes(bb, off, len) : 0) / CTL_BB_BLOCK)));
	json_object_object_add(j, "badblocks", a);
}

static const struct ctl_badblocks *ctl_list_bb(const struct ctl_list_opts *o,
					       const struct ctl_region_info *regs,
					       unsigned nr, const char *region)
{
	unsigned i;

	for (i = 0; o->bbs && region && i < nr; i++)
		if (regs[i].dev && !strcmp(regs[i].dev, region))
			return &o->bbs[i];
	return NULL;
}

static struct json_object *ctl_list_ns(const struct ctl_list_opts *o,
				       const struct ctl_region_info *regs, unsigned nr,
				       const struct ctl_ns_info *ns, const char *mount)
{
	struct json_object *j = ctl_json_ns_info(ns, mount, o->flags);

	if (o->st && o->st->have) {
		json_object_object_add(j, "daemon", ctl_json_daemon_info(&o->st->daemon));
		for (unsigned i = 0; i < o->st->n; i++) {
			const struct ctl_nsst_info *x = &o->st->v[i];

			if (x->dev && ns->dev && !strcmp(x->dev, ns->dev) &&
			    (!x->region || !ns->region || !strcmp(x->region, ns->region))) {
				ctl_json_add_nsst(j, x, ns->size, o->flags);
				break;
			}
		}
	}
	if (o->media)
		ctl_list_add_badblocks(j, ctl_list_bb(o, regs, nr, ns->region), ns->dpa,
				       ns->size);
	return j;
}

/* -n: ndctl's namespace filter (device name, or here also name and uuid) */
static bool ctl_list_ns_match(const struct ctl_list_opts *o, const struct ctl_ns_info *ns)
{
	char uuid[37];

	if (!o->ns_filter || !strcmp(o->ns_filter, "all"))
		return true;
	if ((ns->dev && !strcmp(ns->dev, o->ns_filter)) ||
	    (ns->name && !strcmp(ns->name, o->ns_filter)))
		return true;
	uuid_unparse_lower(ns->uuid, uuid);
	return strcasecmp(uuid, o->ns_filter) == 0;
}

static bool ctl_list_ns_shown(const struct ctl_list_opts *o, const struct ctl_ns_info *ns)
{
	return (ctl_ns_info_active(ns) || (o->flags & CTL_JSON_IDLE)) &&
	       ctl_list_ns_match(o, ns);
}

/*
 * The records of one region source (a file, or a mount's daemon) added to
 * out: namespaces, or regions (with their namespaces under -N).
 */
static void ctl_list_add(const struct ctl_list_opts *o, const struct ctl_region_info *regs,
			 unsigned nr, const struct ctl_ns_info *ns, unsigned nn,
			 const char *mount, struct json_object *out)
{
	unsigned i, k;

	if (!o->regions) {
		for (k = 0; k < nn; k++)
			if (ctl_list_ns_shown(o, &ns[k]))
				json_object_array_add(out, ctl_list_ns(o, regs, nr, &ns[k],
								       mount));
		return;
	}
	for (i = 0; i < nr; i++) {
		struct json_object *jr = ctl_json_region_info(&regs[i], o->flags);
		struct json_object *jn = NULL;

		if (mount)
			json_object_object_add(jr, "mount", json_object_new_string(mount));
		if (o->st && o->st->have)
			json_object_object_add(jr, "daemon",
					       ctl_json_daemon_info(&o->st->daemon));
		if (o->media)
			ctl_list_add_badblocks(jr, o->bbs ? &o->bbs[i] : NULL, 0, UINT64_MAX);
		if (o->namespaces) {
			jn = json_object_new_array();
			for (k = 0; k < nn; k++) {
				if (!ns[k].region || !regs[i].dev ||
				    strcmp(ns[k].region, regs[i].dev) != 0)
					continue;
				if (ctl_list_ns_shown(o, &ns[k]))
					json_object_array_add(jn, ctl_list_ns(o, regs, nr, &ns[k],
									      mount));
			}
			/* -n: a region without the namespace is not shown */
			if (o->ns_filter && strcmp(o->ns_filter, "all") &&
			    json_object_array_length(jn) == 0) {
				json_object_put(jn);
				json_object_put(jr);
				continue;
			}
			json_object_object_add(jr, "namespaces", jn);
		}
		json_object_array_add(out, jr);
	}
}

/*
 * Print what was collected: an empty list is [] (ndctl prints nothing,
 * which a script cannot tell from a failure to print); ndctl prints a lone
 * item unwrapped with --human; -R -N is {"regions": [...]}.
 */
static void ctl_list_print(const struct ctl_list_opts *o, struct json_object *a)
{
	if (o->regions && o->namespaces) {
		struct json_object *w = json_object_new_object();

		json_object_object_add(w, "regions", a);
		ctl_json_print(w);
		return;
	}
	if (json_object_array_length(a) == 0) {
		json_object_put(a);
		puts("[]");
		return;
	}
	if ((o->flags & CTL_JSON_HUMAN) && json_object_array_length(a) == 1) {
		struct json_object *one = json_object_get(json_object_array_get_idx(a, 0));

		json_object_put(a);
		ctl_json_print(one);
		return;
	}
	ctl_json_print(a);
}

static int ctl_list_offline(struct ctl_list_opts *o, const struct ctl_target *t,
			    struct json_object *out)
{
	struct ctl_badblocks bb = { 0 };
	struct ctl_region_info ri;
	struct ctl_ns_info *nsv = NULL;
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	unsigned n = 0;
	int rc;

	rc = ctl_target_open(t, CTL_OPEN_READ, &r);
	if (rc)
		return rc;
	ns_region_foreach_namespace(r, ns)
		n++;
	nsv = calloc(n ? n : 1, sizeof(*nsv));
	if (!nsv) {
		ns_region_close(&r);
		return ctl_fail_msg(-ENOMEM, "out of memory");
	}
	n = 0;
	ns_region_foreach_namespace(r, ns)
		ctl_ns_info_of(ns, &nsv[n++]);
	ctl_region_info_of(r, &ri);
	if (o->media) {
		rc = ctl_bb_load_tool(r, &bb);
		if (rc) {
			rc = ctl_fail(rc, "cannot read the media errors of '%s'", t->file);
			goto out;
		}
		o->bbs = &bb;
	}
	ctl_list_add(o, &ri, 1, nsv, n, NULL, out);
	o->bbs = NULL;
out:
	ctl_bb_free(&bb);
	free(nsv);
	ns_region_close(&r);
	return rc;
}

static void ctl_list_status_free(struct ctl_list_status *st)
{
	ctl_response_free(&st->resp);
	free(st->v);
	memset(st, 0, sizeof(*st));
}

/*
 * -v: the STATUS of the target's mount. A daemon without it (an older
 * pmemfs) is said once and listed without the status fields.
 */
static void ctl_list_status_get(struct ctl_target *t, struct ctl_list_status *st)
{
	static bool said;
	struct nl_msg *req = ctl_target_request(t, CTL_CMD_STATUS);
	unsigned i;
	int rc;

	memset(st, 0, sizeof(*st));
	if (!req)
		return;
	rc = ctl_target_call_quiet(t, req, &st->resp);
	if (rc) {
		if (!said && rc == -EOPNOTSUPP)
			ctl_msg("warning: the daemon of '%s' is older than this pmemctl and "
				"has no status view: listed without -v's fields",
				t->mountpoint);
		else if (!said)
			ctl_msg("warning: no status from the daemon of '%s' (%s): listed "
				"without it", t->mountpoint, ns_errormsg()[0] ?
				ns_errormsg() : ns_strerror(rc));
		said = true;
		ns_err_clear();
		return;
	}
	st->v = calloc(st->resp->nparts + 1, sizeof(*st->v));
	if (!st->v)
		return;
	for (i = 0; i < st->resp->nparts; i++) {
		struct nlattr **a = st->resp->parts[i].attrs;

		if (a[CTL_A_DAEMON])
			st->have = ctl_daemon_info_get(a[CTL_A_DAEMON], &st->daemon) == 0;
		if (a[CTL_A_NS_STATUS])
			ctl_nsst_info_get(a[CTL_A_NS_STATUS], &st->v[st->n++]);
	}
}

/*
 * One mount's daemon: its listing added to out. Failures are returned as
 * a negative errno (message in ns_errormsg(), not reported) or an exit code.
 */
static int ctl_list_online(struct ctl_list_opts *o, struct ctl_target *t,
			   struct json_object *out)
{
	struct ctl_badblocks *bbs;
	struct ctl_listing l;
	int rc;

	rc = ctl_listing_get_quiet(t, &l);
	if (rc)
		return rc;
	bbs = calloc(l.nregions + 1, sizeof(*bbs));
	for (unsigned b = 0; bbs && b < l.nbb; b++)
		for (unsigned k = 0; k < l.nregions; k++)
			if (l.bb[b].region && l.regions[k].dev &&
			    !strcmp(l.bb[b].region, l.regions[k].dev))
				ctl_bb_add(&bbs[k], l.bb[b].offset, l.bb[b].length);
	o->bbs = bbs;
	if (o->verbose) {
		struct ctl_list_status st;

		ctl_list_status_get(t, &st);
		o->st = &st;
		ctl_list_add(o, l.regions, l.nregions, l.ns, l.nns, ctl_online_mount(t), out);
		o->st = NULL;
		ctl_list_status_free(&st);
	} else {
		ctl_list_add(o, l.regions, l.nregions, l.ns, l.nns, ctl_online_mount(t), out);
	}
	o->bbs = NULL;
	for (unsigned k = 0; bbs && k < l.nregions; k++)
		ctl_bb_free(&bbs[k]);
	free(bbs);
	ctl_listing_free(&l);
	return 0;
}

/* One listing of every target, printed; returns 0 or an exit code. */
static int ctl_list_once(struct ctl_list_opts *o, struct ctl_target *t,
			 const struct ctl_parser *p)
{
	struct ctl_target *tv = NULL;
	struct json_object *out;
	size_t nt = 0, i;
	int rc;

	rc = ctl_target_check_all(t, p, &tv, &nt);
	if (rc)
		return rc;
	out = json_object_new_array();
	if (!tv[0].online) {
		rc = ctl_list_offline(o, &tv[0], out);
	} else {
		unsigned found = 0, missing = 0;

		/*
		 * Several mounts: a region that one mount lacks is no error
		 * while another has it; a daemon that does not answer is
		 * reported (naming its mount) and the others still listed.
		 */
		for (i = 0; i < nt; i++) {
			int r1 = ctl_list_online(o, &tv[i], out);

			if (r1 == 0) {
				found++;
			} else if (r1 > 0) {
				rc = rc ? rc : r1;	/* reported */
			} else if (r1 == -ENOENT && nt > 1) {
				missing++;
				ns_err_clear();
			} else {
				const char *why = ns_errormsg()[0] ? ns_errormsg() :
					ns_strerror(r1);

				if (nt > 1)
					ctl_msg("mount '%s': %s", tv[i].mountpoint, why);
				else
					ctl_msg("%s", why);
				ns_err_clear();
				rc = rc ? rc : ctl_exit_code(r1);
			}
		}
		if (!found && missing && !rc)
			rc = ctl_fail_msg(-ENOENT, "no region '%s' in any of the %zu pmemfs "
					  "mounts", t->region, nt);
	}
	if (rc == 0 || json_object_array_length(out))
		ctl_list_print(o, out);
	else
		json_object_put(out);
	fflush(stdout);
	ctl_targets_free(tv, nt);
	return rc;
}

/* --watch [SECS]: whole seconds or a decimal fraction, > 0 */
static int ctl_list_watch_arg(const char *a, unsigned *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(a, &end);
	if (end == a || *end || errno || !(v > 0) || v > 86400) {
		ctl_fail_msg(-EINVAL, "bad value for --watch '%s': seconds, more than 0 "
			     "(e.g. 1 or 0.5)", a);
		return -EINVAL;
	}
	*ms = (unsigned)(v * 1000);
	if (*ms == 0)
		*ms = 1;
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct ctl_list_opts o = { 0 };
	struct ctl_target t = { 0 };
	struct ctl_parser p;
	unsigned watch_ms = 0;
	int c, rc;

	ctl_parser_init(&p, &list_usage, list_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case 'R':
			o.regions = true;
			break;
		case 'N':
			o.namespaces = true;
			break;
		case 'n':
			o.ns_filter = p.arg;
			break;
		case 'u':
			o.flags |= CTL_JSON_HUMAN;
			break;
		case 'i':
			o.flags |= CTL_JSON_IDLE;
			break;
		case 'M':
			o.media = true;
			break;
		case 'v':
			o.verbose++;
			break;
		case KEY_WATCH:
			/* "--watch 2" as well as "--watch=2" (options.h) */
			watch_ms = 1000;
			if (p.arg && ctl_list_watch_arg(p.arg, &watch_ms) < 0)
				return ctl_exit_code(-EINVAL);
			break;
		default:
			rc = ctl_target_opt(&t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind < argc)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind]);
	if (!o.regions)
		o.namespaces = true;
	if (o.verbose && t.file)
		ctl_msg("warning: -v shows a daemon's status: offline (--file) there is none");
	if (!watch_ms)
		return ctl_list_once(&o, &t, &p);
	/* like ndctl monitor: runs until interrupted; a failure is said, not fatal */
	for (;;) {
		struct timespec ts = { watch_ms / 1000, (long)(watch_ms % 1000) * 1000000 };

		rc = ctl_list_once(&o, &t, &p);
		if (rc == CTL_EXIT_USAGE)
			return rc;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

/* ---- move-region --------------------------------------------------------- */

static const struct ctl_opt move_region_opts[] = {
	CTL_TARGET_OPTS,
	{ "nvdimm-slot", KEY_NVDIMM_SLOT, required_argument, "N",
	  "the QEMU nvdimm slot to move the region to (-device nvdimm,slot=N)" },
	{ 0 },
};

static const struct ctl_usage move_region_usage = {
	.name = "move-region",
	.args = CTL_TARGET_ARGS " [-r REGION] --nvdimm-slot N",
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
		 CTL_TARGET_ABOUT,
	.exits = "  228  ENOSPC: fewer free label slots than labels to rewrite\n"
		 "  234  EINVAL: no --nvdimm-slot, or not a slot from 0 to 255\n"
		 "  250  ENXIO: the region has no label area (init-labels first)\n"
		 CTL_TARGET_EXITS,
};

int cmd_move_region(int argc, char **argv)
{
	struct ctl_target t = { 0 };
	struct ns_region *r = NULL;
	struct ctl_parser p;
	uint32_t slot = 0;
	bool have_slot = false;
	unsigned moved = 0;
	int c, rc;

	ctl_parser_init(&p, &move_region_usage, move_region_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case KEY_NVDIMM_SLOT:
			if (ctl_opt_nvdimm_slot(&p, &slot) < 0)
				return ctl_exit_code(-EINVAL);
			have_slot = true;
			break;
		default:
			rc = ctl_target_opt(&t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind < argc)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind]);
	if (!have_slot)
		return ctl_usage_error(&p, "missing --nvdimm-slot");
	rc = ctl_target_check(&t, &p);
	if (rc)
		return rc;
	if (t.online) {
		struct nl_msg *req = ctl_target_request(&t, CTL_CMD_MOVE_REGION);
		struct ctl_response *resp = NULL;
		struct ctl_region_info ri;

		if (!req)
			return ctl_exit_code(-ENOMEM);
		if (((!t.region || !strcmp(t.region, "all")) &&
		     ctl_put_string(req, CTL_A_REGION, "all") < 0) ||
		    ctl_put_u32(req, CTL_A_NVDIMM_SLOT, slot) < 0) {
			nlmsg_free(req);
			return ctl_fail_msg(-ENOMEM, "out of memory");
		}
		rc = ctl_target_call(&t, req, &resp);
		if (rc == 0 && resp->nparts == 1 &&
		    ctl_region_info_get(resp->parts[0].attrs[CTL_A_REGION_INFO], &ri) == 0) {
			struct nlattr *n = resp->parts[0].attrs[CTL_A_COUNT];

			moved = n ? nla_get_u32(n) : 0;
			ctl_msg("%s on '%s' is in nvdimm slot %" PRIu32 " (%u label%s "
				"rewritten)", ri.dev, t.mountpoint, slot, moved,
				moved == 1 ? "" : "s");
			ctl_json_print(ctl_json_region_info(&ri, 0));
		}
		ctl_response_free(&resp);
		ctl_target_close(&t);
		return rc;
	}

	rc = ctl_target_open(&t, CTL_OPEN_WRITE, &r);
	if (rc)
		return rc;
	rc = ns_region_set_nvdimm_slot(r, slot, &moved);
	if (rc < 0) {
		rc = ctl_fail(rc, "cannot move '%s' to nvdimm slot %" PRIu32, t.file, slot);
	} else {
		ctl_msg("'%s' is in nvdimm slot %" PRIu32 " (%u label%s rewritten)",
			t.file, slot, moved, moved == 1 ? "" : "s");
		ctl_json_print(ctl_json_region(r, 0));
	}
	ns_region_close(&r);
	return rc;
}
