/* SPDX-License-Identifier: MIT */
/*
 * pmemctl list: regions and namespaces as JSON in ndctl's shape, of every
 * pmemfs mount (online) or of a region file (offline); -v the status view.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "ctl/record.h"
#include "ns/region.h"
#include "tools/target.h"

enum { KEY_WATCH = PC_OPT_LONG };

/* ---- list ---------------------------------------------------------------- */

static const struct pc_usage list_usage = {
	.name = "list",
	.args = PC_TARGET_ARGS " [-R] [-N] [-r REGION] [-n NAME]\n"
		"       [-u] [-i] [-M] [-H] [-v] [--watch [SECS]]",
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
		 "With -R -H, each region's \"health\" in the shape ndctl list -D -H gives\n"
		 "a DIMM's: {\"health_state\": \"ok\" (\"unknown\" when its health file could\n"
		 "not be read), \"shutdown_state\": \"clean\" or \"dirty\" (the last\n"
		 "shutdown's), \"shutdown_count\": N (dirty shutdowns: simulated power\n"
		 "failures and ends of the daemon without a clean unmount, found at the\n"
		 "next mount)}; a field that is not known is left out, as ndctl does. Kept\n"
		 "in REGION_FILE.health (a region directory's: DIR/region.health).\n"
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
		 "\"crash_state\" (power-fail), \"badblock_count\" and \"backing\" (direct,\n"
		 "buffered, or passthrough: opened with FUSE passthrough, its mappings are\n"
		 "its file's own). Another user than root and the daemon's sees only its\n"
		 "own processes among the holders.\n"
		 "--watch refreshes, as ndctl monitor follows events: a new document every\n"
		 "SECS seconds (jq reads the stream).\n\n"
		 PC_TARGET_ABOUT,
	.exits = "  250  ENXIO: the file has no valid label area\n"
		 "  254  ENOENT: no such region\n" PC_TARGET_EXITS,
};

/* -H: a region's health (online from the daemon, offline from its file) */
struct pc_health_view {
	const char *region;	/* "region0" */
	struct ns_health h;
};

/* -v: one mount's status, by namespace */
struct pc_list_status {
	bool have;
	struct ctl_daemon_info daemon;
	struct ctl_nsst_info *v;
	unsigned n;
	struct ctl_response *resp;	/* the records point into it */
};

struct pc_list_opts {
	bool regions, namespaces, media, health;
	/* -H: the health of each region (NULL: not known, an older daemon) */
	const struct pc_health_view *hv;
	unsigned nhv;
	unsigned verbose;
	const struct pc_list_status *st;	/* -v, online: the mount's status */
	unsigned flags;
	const char *ns_filter;	/* -n: NULL or "all" for every namespace */
	/* -M: the media errors of each region (by regs[] index) */
	const struct ns_badblocks *bbs;
};

struct list_cmd {
	struct pc_target t;
	struct pc_list_opts l;
	unsigned watch_ms;	/* --watch: 0 once */
};

static int pc_list_watch_arg(const struct pc_parser *p, const struct pc_opt *o, void *f);

#define PC_OPTS_OF struct list_cmd
static const struct pc_opt list_opts[] = {
	PC_TARGET_OPTS,
	OPT_STRING("namespace", 'n', l.ns_filter, "NAME",
		   "only this namespace: name, uuid, device name (namespace0.1) or all"),
	OPT_BOOL("regions", 'R', l.regions, "list regions"),
	OPT_BOOL("namespaces", 'N', l.namespaces, "list namespaces (the default)"),
	OPT_BIT("human", 'u', l.flags, PC_JSON_HUMAN,
		"sizes as \"4.00 GiB (4.29 GB)\", ids and offsets in hex; a lone item "
		"is printed as an object"),
	OPT_BIT("idle", 'i', l.flags, PC_JSON_IDLE,
		"also namespaces that are not served (disabled, interleaved, foreign, "
		"invalid), with state and reason"),
	OPT_BOOL("media-errors", 'M', l.media,
		 "injected media errors: badblock_count and badblocks [{offset, length}] "
		 "in 512-byte blocks, as ndctl"),
	OPT_BOOL("health", 'H', l.health,
		 "with -R: each region's health, as ndctl list -D -H: health_state, "
		 "shutdown_state, shutdown_count"),
	OPT_COUNTER("verbose", 'v', l.verbose,
		    "online: the status view (daemon pid and uptime, holders, bytes not yet "
		    "durable, sticky error, crash-test state, backing; see above)"),
	OPT_CALLBACK("watch", KEY_WATCH, optional_argument, watch_ms, "[SECS]",
		     "print the list again every SECS seconds (default 1), one JSON "
		     "document each, until interrupted", pc_list_watch_arg),
	OPT_END,
};
#undef PC_OPTS_OF


/* ndctl's DIMM "health" (ndctl/json-smart.c): the fields that are known */
static void pc_list_add_health(struct json_object *jr, const struct pc_list_opts *o,
				const char *region)
{
	const struct ns_health *h = NULL;
	struct json_object *j;

	for (unsigned i = 0; o->hv && region && i < o->nhv; i++)
		if (o->hv[i].region && !strcmp(o->hv[i].region, region))
			h = &o->hv[i].h;
	if (!h)
		return;
	j = json_object_new_object();
	json_object_object_add(j, "health_state",
			       json_object_new_string(h->count_known ? "ok" : "unknown"));
	if (h->state_known)
		json_object_object_add(j, "shutdown_state",
				       json_object_new_string(h->dirty ? "dirty" : "clean"));
	if (h->count_known)
		json_object_object_add(j, "shutdown_count",
				       json_object_new_uint64(h->shutdown_count));
	json_object_object_add(jr, "health", j);
}

/* ndctl's "badblock_count" and "badblocks" of [off, off+len) of bb, in sectors */
static void pc_list_add_badblocks(struct json_object *j, const struct ns_badblocks *bb,
				   uint64_t off, uint64_t len)
{
	struct json_object *a;
	struct ns_bb_range *v;
	size_t n = bb ? ns_bb_clip(bb, off, len, NULL, 0) : 0;

	v = calloc(n + 1, sizeof(*v));
	if (v && n)
		ns_bb_clip(bb, off, len, v, n);
	a = pc_json_bb_ranges(v, v ? n : 0, "offset", "length");
	free(v);
	json_object_object_add(j, "badblock_count", json_object_new_int64(
		(int64_t)((bb ? ns_bb_bytes(bb, off, len) : 0) / NS_BB_BLOCK)));
	json_object_object_add(j, "badblocks", a);
}

static const struct ns_badblocks *pc_list_bb(const struct pc_list_opts *o,
					       const struct ctl_region_info *regs,
					       unsigned nr, const char *region)
{
	unsigned i;

	for (i = 0; o->bbs && region && i < nr; i++)
		if (regs[i].dev && !strcmp(regs[i].dev, region))
			return &o->bbs[i];
	return NULL;
}

static struct json_object *pc_list_ns(const struct pc_list_opts *o,
				       const struct ctl_region_info *regs, unsigned nr,
				       const struct ctl_ns_info *ns, const char *mount)
{
	struct json_object *j = pc_json_ns_info(ns, mount, o->flags);

	if (o->st && o->st->have) {
		json_object_object_add(j, "daemon", pc_json_daemon_info(&o->st->daemon));
		for (unsigned i = 0; i < o->st->n; i++) {
			const struct ctl_nsst_info *x = &o->st->v[i];

			if (x->dev && ns->dev && !strcmp(x->dev, ns->dev) &&
			    (!x->region || !ns->region || !strcmp(x->region, ns->region))) {
				pc_json_add_nsst(j, x, ns->size, o->flags);
				break;
			}
		}
	}
	if (o->media)
		pc_list_add_badblocks(j, pc_list_bb(o, regs, nr, ns->region), ns->dpa,
				       ns->size);
	return j;
}

/* -n: ndctl's namespace filter (device name, or here also name and uuid) */
static bool pc_list_ns_match(const struct pc_list_opts *o, const struct ctl_ns_info *ns)
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

static bool pc_list_ns_shown(const struct pc_list_opts *o, const struct ctl_ns_info *ns)
{
	return (pc_ns_info_active(ns) || (o->flags & PC_JSON_IDLE)) &&
	       pc_list_ns_match(o, ns);
}

/*
 * The records of one region source (a file, or a mount's daemon) added to
 * out: namespaces, or regions (with their namespaces under -N).
 */
static void pc_list_add(const struct pc_list_opts *o, const struct ctl_region_info *regs,
			 unsigned nr, const struct ctl_ns_info *ns, unsigned nn,
			 const char *mount, struct json_object *out)
{
	unsigned i, k;

	if (!o->regions) {
		for (k = 0; k < nn; k++)
			if (pc_list_ns_shown(o, &ns[k]))
				json_object_array_add(out, pc_list_ns(o, regs, nr, &ns[k],
								       mount));
		return;
	}
	for (i = 0; i < nr; i++) {
		struct json_object *jr = pc_json_region_info(&regs[i], o->flags);
		struct json_object *jn = NULL;

		if (mount)
			json_object_object_add(jr, "mount", json_object_new_string(mount));
		if (o->st && o->st->have)
			json_object_object_add(jr, "daemon",
					       pc_json_daemon_info(&o->st->daemon));
		if (o->media)
			pc_list_add_badblocks(jr, o->bbs ? &o->bbs[i] : NULL, 0, UINT64_MAX);
		if (o->health)
			pc_list_add_health(jr, o, regs[i].dev);
		if (o->namespaces) {
			jn = json_object_new_array();
			for (k = 0; k < nn; k++) {
				if (!ns[k].region || !regs[i].dev ||
				    strcmp(ns[k].region, regs[i].dev) != 0)
					continue;
				if (pc_list_ns_shown(o, &ns[k]))
					json_object_array_add(jn, pc_list_ns(o, regs, nr, &ns[k],
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
static void pc_list_print(const struct pc_list_opts *o, struct json_object *a)
{
	if (o->regions && o->namespaces) {
		struct json_object *w = json_object_new_object();

		json_object_object_add(w, "regions", a);
		pc_json_print(w);
		return;
	}
	if (json_object_array_length(a) == 0) {
		json_object_put(a);
		puts("[]");
		return;
	}
	if ((o->flags & PC_JSON_HUMAN) && json_object_array_length(a) == 1) {
		struct json_object *one = json_object_get(json_object_array_get_idx(a, 0));

		json_object_put(a);
		pc_json_print(one);
		return;
	}
	pc_json_print(a);
}

/*
 * -H offline: the region's health file as the next mount will find it: a
 * "mounted" mark of a daemon that no longer holds the region's lock is an
 * unclean end that mount counts (health.h), shown counted.
 */
static void pc_list_health_offline(struct pc_list_opts *o, const struct ns_region *r,
				    const char *dev, struct pc_health_view *hv)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct ns_bb_id id;
	int rc;

	ns_bb_id_of_region(r, &id);
	hv->region = dev;
	rc = ns_health_load(ns_region_file_path(r), &id, &hv->h);
	if (rc == NS_HEALTH_UNKNOWN)
		pc_msg("warning: %s: the shutdown count is unknown: %s (remove the file to "
			"count from 0 again)", dev, ns_errormsg());
	else if (rc == NS_HEALTH_STALE)
		pc_msg("warning: %s: %s", dev, ns_errormsg());
	else if (!hv->h.count_known)
		pc_msg("warning: %s: the shutdown count is unknown: an earlier health file "
			"could not be read (remove it to count from 0 again)", dev);
	ns_err_clear();
	if (hv->h.mounted && !(fcntl(ns_region_fd(r), F_OFD_GETLK, &fl) == 0 &&
			       fl.l_type != F_UNLCK)) {
		ns_health_count_up(&hv->h);
		hv->h.dirty = hv->h.state_known = true;
	}
	o->hv = hv;
	o->nhv = 1;
}

static int pc_list_offline(struct pc_list_opts *o, const struct pc_target *t,
			    struct json_object *out)
{
	struct pc_health_view hv = { 0 };
	struct ns_badblocks bb = { 0 };
	struct ctl_region_info ri;
	struct ctl_ns_info *nsv = NULL;
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	unsigned n = 0;
	int rc;

	rc = pc_target_open(t, PC_OPEN_READ, &r);
	if (rc)
		return rc;
	ns_region_foreach_namespace(r, ns)
		n++;
	nsv = calloc(n ? n : 1, sizeof(*nsv));
	if (!nsv) {
		ns_region_close(&r);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	n = 0;
	ns_region_foreach_namespace(r, ns)
		ctl_ns_info_of(ns, &nsv[n++]);
	ctl_region_info_of(r, &ri);
	if (o->media) {
		rc = pc_bb_load_tool(r, &bb);
		if (rc) {
			rc = pc_fail(rc, "cannot read the media errors of '%s'", t->file);
			goto out;
		}
		o->bbs = &bb;
	}
	if (o->health && o->regions)
		pc_list_health_offline(o, r, ri.dev, &hv);
	pc_list_add(o, &ri, 1, nsv, n, NULL, out);
	o->bbs = NULL;
	o->hv = NULL;
out:
	ns_bb_free(&bb);
	free(nsv);
	ns_region_close(&r);
	return rc;
}

static void pc_list_status_free(struct pc_list_status *st)
{
	ctl_response_free(&st->resp);
	free(st->v);
	memset(st, 0, sizeof(*st));
}

/*
 * An optional request of -v or -H (req; NULL: nothing sent) into *resp:
 * 0, or -1 when the daemon has no answer for it, said once per *said
 * ("older than this pmemctl" for an unknown command) and listed without
 * what (the status fields, the health fields).
 */
static int pc_list_optional_call(struct pc_target *t, struct nl_msg *req,
				 struct ctl_response **resp, bool *said,
				 const char *has_no, const char *none_of, const char *fields)
{
	int rc;

	if (!req)
		return -1;
	rc = pc_target_call_quiet(t, req, resp);
	if (rc == 0)
		return 0;
	if (!*said && rc == -EOPNOTSUPP)
		pc_msg("warning: the daemon of '%s' is older than this pmemctl and %s: "
			"listed without %s", t->mountpoint, has_no, fields);
	else if (!*said)
		pc_msg("warning: no %s from the daemon of '%s' (%s): listed without it",
			none_of, t->mountpoint,
			ns_errormsg()[0] ? ns_errormsg() : ns_strerror(rc));
	*said = true;
	ns_err_clear();
	return -1;
}

/*
 * -v: the STATUS of the target's mount (req, sent ahead with the LIST).
 * A daemon without it (an older pmemfs) is said once and listed without
 * the status fields.
 */
static void pc_list_status_get(struct pc_target *t, struct nl_msg *req,
				struct pc_list_status *st)
{
	static bool said;
	unsigned i;

	memset(st, 0, sizeof(*st));
	if (pc_list_optional_call(t, req, &st->resp, &said, "has no status view", "status",
				  "-v's fields") < 0)
		return;
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

struct pc_list_health {
	struct pc_health_view *v;
	struct ctl_response *resp;	/* the region names point into it */
};

/*
 * -H online: the HEALTH of the target's regions. A daemon without it (an
 * older pmemfs) is said once and listed without "health".
 */
static void pc_list_health_get(struct pc_target *t, struct pc_list_opts *o,
				struct pc_list_health *hl)
{
	static bool said;
	struct nl_msg *req = pc_target_request(t, CTL_CMD_HEALTH);
	unsigned i, n = 0;

	if (pc_list_optional_call(t, req, &hl->resp, &said, "keeps no health", "health",
				  "-H's fields") < 0)
		return;
	hl->v = calloc(hl->resp->nparts + 1, sizeof(*hl->v));
	if (!hl->v)
		return;
	for (i = 0; i < hl->resp->nparts; i++) {
		struct nlattr **a = hl->resp->parts[i].attrs;
		struct ctl_health_info hi;

		if (!a[CTL_A_HEALTH] || ctl_health_info_get(a[CTL_A_HEALTH], &hi) != 0)
			continue;
		hl->v[n].region = hi.region;
		hl->v[n].h.count_known = hi.count_known;
		hl->v[n].h.shutdown_count = hi.shutdown_count;
		hl->v[n].h.state_known = hi.state_known;
		hl->v[n].h.dirty = hi.dirty;
		if (hi.note)
			pc_msg("warning: %s: the shutdown count is unknown: %s", hi.region,
				hi.note);
		n++;
	}
	o->hv = hl->v;
	o->nhv = n;
}

/*
 * One mount's daemon: its listing added to out. Failures are returned as
 * a negative errno (message in ns_errormsg(), not reported) or an exit code.
 */
static int pc_list_online(struct pc_list_opts *o, struct pc_target *t,
			   struct json_object *out)
{
	struct nl_msg *status = NULL;
	struct pc_list_health health = { 0 };
	struct ns_badblocks *bbs;
	struct pc_listing l;
	int rc;

	/* -v: STATUS in the same round trip as the LIST */
	if (o->verbose) {
		status = pc_target_request(t, CTL_CMD_STATUS);
		pc_target_send_ahead(t, status);
	}
	rc = pc_listing_get_quiet(t, &l);
	if (rc)
		return rc;
	bbs = calloc(l.nregions + 1, sizeof(*bbs));
	for (unsigned b = 0; bbs && b < l.nbb; b++)
		for (unsigned k = 0; k < l.nregions; k++)
			if (l.bb[b].region && l.regions[k].dev &&
			    !strcmp(l.bb[b].region, l.regions[k].dev))
				ns_bb_add(&bbs[k], l.bb[b].offset, l.bb[b].length);
	o->bbs = bbs;
	if (o->verbose) {
		struct pc_list_status st;

		/* the reply sent ahead is read first */
		pc_list_status_get(t, status, &st);
		if (o->health && o->regions)
			pc_list_health_get(t, o, &health);
		o->st = &st;
		pc_list_add(o, l.regions, l.nregions, l.ns, l.nns, pc_online_mount(t), out);
		o->st = NULL;
		pc_list_status_free(&st);
	} else {
		if (o->health && o->regions)
			pc_list_health_get(t, o, &health);
		pc_list_add(o, l.regions, l.nregions, l.ns, l.nns, pc_online_mount(t), out);
	}
	o->bbs = NULL;
	o->hv = NULL;
	free(health.v);
	ctl_response_free(&health.resp);
	for (unsigned k = 0; bbs && k < l.nregions; k++)
		ns_bb_free(&bbs[k]);
	free(bbs);
	pc_listing_free(&l);
	return 0;
}

/* One listing of every target, printed; returns 0 or an exit code. */
static int pc_list_once(struct pc_list_opts *o, struct pc_target *t,
			 const struct pc_parser *p)
{
	struct pc_target *tv = NULL;
	struct json_object *out;
	size_t nt = 0, i;
	int rc;

	rc = pc_target_check_all(t, p, &tv, &nt);
	if (rc)
		return rc;
	out = json_object_new_array();
	if (!tv[0].online) {
		rc = pc_list_offline(o, &tv[0], out);
	} else {
		unsigned found = 0, missing = 0;

		/*
		 * Several mounts: a region that one mount lacks is no error
		 * while another has it; a daemon that does not answer is
		 * reported (naming its mount) and the others still listed.
		 */
		for (i = 0; i < nt; i++) {
			int r1 = pc_list_online(o, &tv[i], out);

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
					pc_msg("mount '%s': %s", tv[i].mountpoint, why);
				else
					pc_msg("%s", why);
				ns_err_clear();
				rc = rc ? rc : pc_exit_code(r1);
			}
		}
		if (!found && missing && !rc)
			rc = pc_fail_msg(-ENOENT, "no region '%s' in any of the %zu pmemfs "
					  "mounts", t->region, nt);
	}
	if (rc == 0 || json_object_array_length(out))
		pc_list_print(o, out);
	else
		json_object_put(out);
	fflush(stdout);
	pc_targets_free(tv, nt);
	return rc;
}

/* --watch [SECS]: whole seconds or a decimal fraction, > 0 ("--watch 2" as well) */
static int pc_list_watch_arg(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	const char *a = p->arg;
	unsigned *ms = f;
	char *end;
	double v;

	(void)o;
	*ms = 1000;
	if (!a)
		return 0;
	errno = 0;
	v = strtod(a, &end);
	if (end == a || *end || errno || !(v > 0) || v > 86400) {
		pc_fail_msg(-EINVAL, "bad value for --watch '%s': seconds, more than 0 "
			     "(e.g. 1 or 0.5)", a);
		return -EINVAL;
	}
	*ms = (unsigned)(v * 1000);
	if (*ms == 0)
		*ms = 1;
	return 0;
}

/* online and offline: every mount's listing, or the file's (pc_list_once) */
static int list_run(void *obj, const struct pc_args *a)
{
	struct list_cmd *o = obj;
	int rc;

	if (!o->l.regions)
		o->l.namespaces = true;
	if (o->l.health && !o->l.regions)
		pc_msg("warning: -H shows regions' health: add -R");
	if (o->l.verbose && o->t.file)
		pc_msg("warning: -v shows a daemon's status: offline (--file) there is none");
	if (!o->watch_ms)
		return pc_list_once(&o->l, &o->t, a->p);
	/* like ndctl monitor: runs until interrupted; a failure is said, not fatal */
	for (;;) {
		struct timespec ts = { o->watch_ms / 1000, (long)(o->watch_ms % 1000) * 1000000 };

		rc = pc_list_once(&o->l, &o->t, a->p);
		if (rc == PC_EXIT_USAGE)
			return rc;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

const struct pc_command list_cmd = {
	.usage = &list_usage, .opts = list_opts, .size = sizeof(struct list_cmd),
	.check = pc_args_none, .run = list_run,
};
