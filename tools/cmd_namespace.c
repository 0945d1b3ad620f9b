/* SPDX-License-Identifier: MIT */
/*
 * pmemctl destroy-namespace, rename-namespace, and the
 * commands that need a running daemon (enable-namespace,
 * disable-namespace, stats).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "ns/error.h"
#include "ctl/client.h"
#include "tools/command.h"
#include "tools/json_out.h"
#include "ns/namespace.h"
#include "tools/online.h"
#include "tools/options.h"
#include "tools/pmemctl.h"
#include "tools/progress.h"
#include "ns/region.h"
#include "tools/target.h"
#include "ns/util.h"

/* ---- destroy-namespace -------------------------------------------------- */

struct destroy_ns_cmd {
	struct pc_target t;
	uint32_t flags;
};

#define PC_OPTS_OF struct destroy_ns_cmd
static const struct pc_opt destroy_ns_opts[] = {
	PC_TARGET_OPTS,
	OPT_BIT("force", 'f', flags, NS_DESTROY_FORCE,
		"online: destroy even an enabled namespace, or one that is open or mapped"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage destroy_ns_usage = {
	.name = "destroy-namespace",
	.args = PC_TARGET_ARGS " [-r REGION] [-f] NAME|UUID|DEV|all...",
	.about = "Destroy namespaces named by name, uuid or device name (namespace0.N);\n"
		 "'all' destroys every namespace 'list -i' shows served or disabled. The\n"
		 "first min(8 KiB, size) bytes of each are zeroed before its label is\n"
		 "freed, as ndctl does. A label that is not served for another reason\n"
		 "(list -i) is destroyed only when named, which reclaims its range.\n"
		 "Prints \"destroyed N namespace(s)\" on stderr.\n\n"
		 "Online, as ndctl, an enabled (served) namespace is destroyed only with\n"
		 "-f or after disable-namespace; one whose file is open or mapped is\n"
		 "refused naming the processes that hold it (after waiting up to a second\n"
		 "for a close in flight) unless -f. With -f its file disappears at once,\n"
		 "later writes through the old handles fail (EIO at fsync/msync), and its\n"
		 "range is not reused until they are closed. Each namespace is done on\n"
		 "its own, as in ndctl: 'all' without -f destroys the disabled ones and\n"
		 "refuses the enabled ones, naming them (\"destroyed N namespaces, refused\n"
		 "M (enabled or in use): ...\"). Offline (--file) nothing is enabled and\n"
		 "-f is not needed.\n\n"
		 PC_TARGET_ABOUT,
	.exits = "  254  ENOENT: no such namespace (nothing is destroyed then)\n"
		 "  240  EBUSY: online, the namespace is enabled (disable it or use -f) or\n"
		 "       open or mapped (use -f), for any of those named; the others\n"
		 "       are destroyed. Offline, the region is locked by another process\n"
		 PC_TARGET_EXITS,
};

/* Resolve every argument in a listing first: an unknown one destroys nothing. */
static int pc_resolve_online(struct pc_target *t, struct pc_listing *l, int argc,
			      char *const *argv, const struct ctl_ns_info ***out, unsigned *n)
{
	const struct ctl_ns_info **v;
	unsigned k;
	int rc;

	*out = NULL;
	*n = 0;
	rc = pc_listing_get(t, l);
	if (rc)
		return rc;
	v = calloc(l->nns + 1, sizeof(*v));
	if (!v)
		return pc_fail_msg(-ENOMEM, "out of memory");
	for (int i = 0; i < argc; i++) {
		bool all = strcmp(argv[i], "all") == 0;
		const struct ctl_ns_info *one = all ? NULL : pc_listing_find(l, argv[i]);

		if (!all && !one && pc_listing_ambiguous()) {
			free(v);
			return pc_fail_on(-EINVAL, argv[i], "namespace '%s'", argv[i]);
		}
		if (!all && !one) {
			free(v);
			if (t->region && strcmp(t->region, "all"))
				return pc_fail_msg(-ENOENT, "no namespace '%s' in %s on '%s'",
						    argv[i], t->region, t->mountpoint);
			return pc_fail_msg(-ENOENT, "no namespace '%s' on '%s'", argv[i],
					    t->mountpoint);
		}
		for (unsigned j = 0; j < l->nns; j++) {
			const struct ctl_ns_info *x = &l->ns[j];
			bool dup = false;

			if (all ? !pc_ns_info_active(x) : x != one)
				continue;
			for (k = 0; k < *n; k++)
				dup |= v[k] == x;
			if (!dup)
				v[(*n)++] = x;
		}
	}
	*out = v;
	return 0;
}

/* "all" also takes every disabled namespace (those list -i shows disabled) */
static void pc_resolve_disabled(const struct pc_listing *l, int argc, char *const *argv,
				 const struct ctl_ns_info **v, unsigned *n)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "all"))
			continue;
		for (unsigned j = 0; j < l->nns; j++) {
			bool dup = false;

			if (!l->ns[j].state || strcmp(l->ns[j].state, "disabled"))
				continue;
			for (unsigned k = 0; k < *n; k++)
				dup |= v[k] == &l->ns[j];
			if (!dup)
				v[(*n)++] = &l->ns[j];
		}
	}
}

/*
 * One destroy request. Without -f it carries KEEP_SERVED: a daemon older
 * than the rule that an enabled namespace needs -f refuses the unknown bit
 * (EINVAL) instead of destroying what it serves; then *old is set and the
 * rule is kept here, from the listing's state.
 */
static int pc_destroy_one(struct pc_target *t, const struct ctl_ns_info *ns, bool force,
			   bool *old)
{
	struct ctl_response *resp = NULL;
	uint32_t flags = force ? CTL_F_FORCE : *old ? 0 : CTL_F_KEEP_SERVED;
	struct nl_msg *req;
	int rc;

	if (!force && *old && pc_ns_info_active(ns))
		return pc_fail_msg(-EBUSY, "namespace '%s' in %s is enabled (served as %s): "
				    "disable it first (disable-namespace), or use -f to "
				    "destroy it anyway", ns->name ? ns->name : ns->dev,
				    ns->region ? ns->region : "its region",
				    ns->path ? ns->path : "a file");
	req = pc_online_ns_request(CTL_CMD_DESTROY_NS, ns);
	if (!req)
		return pc_exit_code(-ENOMEM);
	if (flags && ctl_put_u32(req, CTL_A_FLAGS, flags) < 0) {
		nlmsg_free(req);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	rc = pc_target_call_quiet(t, req, &resp);
	ctl_response_free(&resp);
	if (rc == -EINVAL && flags == CTL_F_KEEP_SERVED && strstr(ns_errormsg(), "unknown flags")) {
		ns_err_clear();
		*old = true;
		return pc_destroy_one(t, ns, force, old);
	}
	if (rc < 0)
		return pc_fail_msg(rc, "%s", ns_errormsg()[0] ? ns_errormsg() : ns_strerror(rc));
	return 0;
}

/*
 * As ndctl: each namespace on its own, a refused one (enabled, or open
 * or mapped; EBUSY) does not stop the others; any other failure does.
 * The exit code is the first failure's.
 */
static int destroy_ns_online(void *obj, const struct pc_args *a)
{
	struct destroy_ns_cmd *od = obj;
	struct pc_target *t = &od->t;
	bool force = od->flags & NS_DESTROY_FORCE;
	int argc = a->argc;
	char **argv = a->argv;
	const struct ctl_ns_info **v = NULL;
	struct pc_listing l;
	unsigned n = 0, done = 0, refused = 0, k;
	char names[8 * 66] = "";	/* the first 8 names (<= 63 bytes) */
	size_t o = 0;
	bool old = false;
	int rc, first = 0;

	rc = pc_resolve_online(t, &l, argc, argv, &v, &n);
	if (rc) {
		pc_listing_free(&l);
		return rc;
	}
	pc_resolve_disabled(&l, argc, argv, v, &n);
	for (k = 0; k < n; k++) {
		const char *name = v[k]->name ? v[k]->name : v[k]->dev;

		rc = pc_destroy_one(t, v[k], force, &old);
		if (rc == 0) {
			done++;
			continue;
		}
		if (!first)
			first = rc;
		if (rc != pc_exit_code(-EBUSY))
			break;
		if (refused++ < 8 && o < sizeof(names))
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
					      o ? ", " : "", name);
	}
	if (refused && n > 1)
		pc_msg("destroyed %u namespace%s, refused %u (enabled or in use): %s%s",
			done, done == 1 ? "" : "s", refused, names, refused > 8 ? ", ..." : "");
	else
		pc_msg("destroyed %u namespace%s", done, done == 1 ? "" : "s");
	free(v);
	pc_listing_free(&l);
	return first;
}

static int destroy_ns_check(void *obj, const struct pc_args *a)
{
	(void)obj;
	if (!a->argc)
		return pc_usage_error(a->p, "no namespace given (a name, uuid, device or all)");
	return 0;
}

static int destroy_ns_offline(void *obj, const struct pc_args *a)
{
	struct destroy_ns_cmd *o = obj;
	struct ns_region *r = NULL;
	struct ns_namespace *ns, **victims = NULL;
	unsigned nvictims = 0, done = 0;
	int argc = a->argc;
	char **argv = a->argv;
	int rc;

	rc = pc_target_open(&o->t, PC_OPEN_WRITE, &r);
	if (rc)
		return rc;

	/* Resolve every argument first: an unknown one destroys nothing. */
	for (ns = ns_namespace_get_first(r); ns; ns = ns_namespace_get_next(ns))
		nvictims++;
	victims = calloc(nvictims + 1, sizeof(*victims));
	if (!victims) {
		rc = pc_fail_msg(-ENOMEM, "out of memory");
		goto out;
	}
	nvictims = 0;
	for (int i = 0; i < argc; i++) {
		bool all = strcmp(argv[i], "all") == 0;
		struct ns_namespace *one;

		ns_err_clear();
		one = all ? NULL : ns_region_find_namespace(r, argv[i]);
		if (!all && !one && *ns_errormsg()) {
			rc = pc_fail_on(-EINVAL, argv[i], "namespace '%s'", argv[i]);
			goto out;
		}
		if (!all && !one) {
			rc = pc_fail_msg(-ENOENT, "no namespace '%s' in '%s'",
					  argv[i], o->t.file);
			goto out;
		}
		ns_region_foreach_namespace(r, ns) {
			bool dup = false;

			if (all ? ns_namespace_state(ns) != NS_STATE_ACTIVE : ns != one)
				continue;
			for (unsigned k = 0; k < nvictims; k++)
				dup |= victims[k] == ns;
			if (!dup)
				victims[nvictims++] = ns;
		}
	}
	for (unsigned k = 0; k < nvictims; k++) {
		char dev[64];

		snprintf(dev, sizeof(dev), "%s", ns_namespace_devname(victims[k]));
		rc = ns_namespace_destroy(victims[k], o->flags);
		if (rc < 0) {
			rc = pc_fail(rc, "cannot destroy namespace '%s' in '%s'",
				      dev, o->t.file);
			break;
		}
		done++;
	}
	pc_msg("destroyed %u namespace%s", done, done == 1 ? "" : "s");
out:
	free(victims);
	ns_region_close(&r);
	return rc;
}

const struct pc_command destroy_namespace_cmd = {
	.usage = &destroy_ns_usage, .opts = destroy_ns_opts, .size = sizeof(struct destroy_ns_cmd),
	.check = destroy_ns_check, .online = destroy_ns_online, .offline = destroy_ns_offline,
};

/* ---- rename-namespace --------------------------------------------------- */

struct rename_ns_cmd {
	struct pc_target t;
};

#define PC_OPTS_OF struct rename_ns_cmd
static const struct pc_opt rename_ns_opts[] = {
	PC_TARGET_OPTS,
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage rename_ns_usage = {
	.name = "rename-namespace",
	.args = PC_TARGET_ARGS " [-r REGION] OLD NEW",
	.about = "Give the namespace OLD (name, uuid or device name) the name NEW, and\n"
		 "print it as JSON. The label is rewritten with everything else kept.\n"
		 "Online, its file takes the new name at once (open handles keep working).\n\n"
		 PC_TARGET_ABOUT,
	.exits = "  254  ENOENT: no namespace OLD\n"
		 "  239  EEXIST: NEW is taken\n"
		 "  234  EINVAL: NEW is not a valid name\n"
		 "  240  EBUSY: offline, the region is locked by another process\n"
		 "  228  ENOSPC: no free label slot (a label is never rewritten in place)\n"
		 PC_TARGET_EXITS,
};

/* A request naming the namespace spec as given (the daemon resolves it). */
static struct nl_msg *pc_spec_request(const struct pc_target *t, unsigned cmd,
				       const char *spec)
{
	struct nl_msg *req = pc_target_request(t, cmd);
	unsigned type = CTL_A_NS_NAME;
	uuid_t u;
	int rc;

	if (!req)
		return NULL;
	if (uuid_parse(spec, u) == 0) {
		rc = ctl_put_uuid(req, CTL_A_NS_UUID, u);
	} else {
		if (strncmp(spec, "namespace", 9) == 0 && strchr(spec, '.'))
			type = CTL_A_NS_DEV;
		/* longer than any name or device can be: no such namespace */
		if (ctl_proto_string_check(type, spec) < 0) {
			nlmsg_free(req);
			pc_fail_msg(-ENOENT, "no such namespace: %s", ns_errormsg());
			return NULL;
		}
		rc = ctl_put_string(req, type, spec);
	}
	if (rc < 0) {
		nlmsg_free(req);
		pc_fail_msg(-ENOMEM, "%s", ns_errormsg());
		return NULL;
	}
	return req;
}

/* Send req; print the namespace of the reply as JSON unless quiet. */
static int pc_ns_call(struct pc_target *t, struct nl_msg *req, bool quiet)
{
	struct ctl_response *resp = NULL;
	struct ctl_ns_info ni;
	int rc;

	if (!req)
		return pc_exit_code(-ENOENT);
	rc = pc_target_call(t, req, &resp);
	if (rc)
		return rc;
	if (!quiet) {
		if (resp->nparts != 1 ||
		    ctl_ns_info_get(resp->parts[0].attrs[CTL_A_NS_INFO], &ni)) {
			ctl_response_free(&resp);
			return pc_fail_msg(-EPROTO, "the daemon sent no namespace");
		}
		pc_json_print(pc_json_ns_info(&ni, pc_online_mount(t), 0));
	}
	ctl_response_free(&resp);
	return 0;
}

static int rename_ns_check(void *obj, const struct pc_args *a)
{
	(void)obj;
	if (a->argc != 2)
		return pc_usage_error(a->p, "give the namespace and its new name");
	if (!*a->argv[1])
		return pc_fail_msg(-EINVAL, "invalid name '': empty");
	return 0;
}

static int rename_ns_online(void *obj, const struct pc_args *a)
{
	struct rename_ns_cmd *o = obj;
	const char *from = a->argv[0], *to = a->argv[1];
	struct nl_msg *req;

	/* the new name's rules here, as offline (the daemon checks again) */
	if (ns_name_validate(to) < 0)
		return pc_fail_msg(-EINVAL, "%s", ns_errormsg());
	req = pc_spec_request(&o->t, CTL_CMD_RENAME_NS, from);
	if (req && ctl_put_string(req, CTL_A_NEW_NAME, to) < 0) {
		nlmsg_free(req);
		return pc_fail_msg(-ENOMEM, "%s", ns_errormsg());
	}
	return pc_ns_call(&o->t, req, false);
}

static int rename_ns_offline(void *obj, const struct pc_args *a)
{
	struct rename_ns_cmd *o = obj;
	const char *from = a->argv[0], *to = a->argv[1];
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	int rc;

	rc = pc_target_open(&o->t, PC_OPEN_WRITE, &r);
	if (rc)
		return rc;
	ns_err_clear();
	ns = ns_region_find_namespace(r, from);
	if (!ns && *ns_errormsg()) {
		rc = pc_fail_on(-EINVAL, from, "namespace '%s'", from);
		goto out;
	}
	if (!ns) {
		rc = pc_fail_msg(-ENOENT, "no namespace '%s' in '%s'", from, o->t.file);
		goto out;
	}
	rc = ns_namespace_rename(ns, to);
	if (rc < 0) {
		rc = pc_fail(rc, "cannot rename namespace '%s' to '%s'", from, to);
		goto out;
	}
	pc_json_print(pc_json_namespace(ns, 0));
out:
	ns_region_close(&r);
	return rc;
}

const struct pc_command rename_namespace_cmd = {
	.usage = &rename_ns_usage, .opts = rename_ns_opts, .size = sizeof(struct rename_ns_cmd),
	.check = rename_ns_check, .online = rename_ns_online, .offline = rename_ns_offline,
};

/* ---- commands of a running daemon: enable, disable, stats -------------- */

struct enable_ns_cmd {
	struct pc_target t;
	bool force;
};

#define PC_OPTS_OF struct enable_ns_cmd
static const struct pc_opt enable_ns_opts[] = {
	PC_TARGET_ONLINE_OPTS,
	PC_TARGET_REFUSED_FILE,
	OPT_END,
};

static const struct pc_opt disable_ns_opts[] = {
	PC_TARGET_ONLINE_OPTS,
	PC_TARGET_REFUSED_FILE,
	OPT_BOOL("force", 'f', force, "disable even while its file is open or mapped"),
	OPT_END,
};
#undef PC_OPTS_OF

#define PC_DAEMON_EXITS "  161  ENOTSUP: needs a running daemon (not available offline)\n"

static const struct pc_usage enable_ns_usage = {
	.name = "enable-namespace",
	.args = "[--mount DIR | --socket PATH] [-r REGION] NAME|UUID|DEV|all...",
	.about = "Serve disabled namespaces again: their files reappear in the mount\n"
		 "(runtime state of a running daemon, as in ndctl; a remount enables\n"
		 "every namespace). Prints \"enabled N namespace(s)\" on stderr.",
	.exits = "  254  ENOENT: no such namespace (nothing is enabled then)\n"
		 "  250  ENXIO: the label is not one pmemfs serves (list -i says why)\n"
		 "  240  EBUSY: still open through the file it had before it was disabled\n"
		 "       (the message names the processes that hold it)\n"
		 PC_DAEMON_EXITS PC_TARGET_EXITS,
};

static const struct pc_usage disable_ns_usage = {
	.name = "disable-namespace",
	.args = "[--mount DIR | --socket PATH] [-r REGION] [-f] NAME|UUID|DEV|all...",
	.about = "Stop serving namespaces: their files disappear from the mount, their\n"
		 "labels and data stay (runtime state of a running daemon, as in ndctl;\n"
		 "a remount or enable-namespace serves them again). A namespace whose\n"
		 "file is open or mapped is refused unless -f (the open handles keep\n"
		 "working). Prints \"disabled N namespace(s)\" on stderr.",
	.exits = "  254  ENOENT: no such namespace (nothing is disabled then)\n"
		 "  240  EBUSY: the file is open or mapped (use -f)\n"
		 PC_DAEMON_EXITS PC_TARGET_EXITS,
};

static int pc_enable_disable(struct enable_ns_cmd *o, const struct pc_args *a,
			      unsigned cmd, const char *verb)
{
	const struct ctl_ns_info **v = NULL;
	struct pc_listing l;
	unsigned n = 0, done = 0, k;
	int rc;

	if (!a->argc)
		return pc_usage_error(a->p, "no namespace given (a name, uuid, device or all)");
	rc = pc_resolve_online(&o->t, &l, a->argc, a->argv, &v, &n);
	/* "all" enables every disabled namespace, not only the served ones */
	if (rc == 0 && cmd == CTL_CMD_ENABLE_NS)
		pc_resolve_disabled(&l, a->argc, a->argv, v, &n);
	for (k = 0; rc == 0 && k < n; k++) {
		struct nl_msg *req = pc_online_ns_request(cmd, v[k]);

		if (req && o->force && ctl_put_u32(req, CTL_A_FLAGS, CTL_F_FORCE) < 0) {
			nlmsg_free(req);
			req = NULL;
		}
		rc = pc_ns_call(&o->t, req, true);
		if (rc == 0)
			done++;
	}
	if (rc == 0 || done)
		pc_msg("%s %u namespace%s", verb, done, done == 1 ? "" : "s");
	free(v);
	pc_listing_free(&l);
	return rc;
}

static int enable_ns_online(void *o, const struct pc_args *a)
{
	return pc_enable_disable(o, a, CTL_CMD_ENABLE_NS, "enabled");
}

static int disable_ns_online(void *o, const struct pc_args *a)
{
	return pc_enable_disable(o, a, CTL_CMD_DISABLE_NS, "disabled");
}

/* usage checked after the target (online only): as before the table */
const struct pc_command enable_namespace_cmd = {
	.usage = &enable_ns_usage, .opts = enable_ns_opts, .size = sizeof(struct enable_ns_cmd),
	.online = enable_ns_online,
};

const struct pc_command disable_namespace_cmd = {
	.usage = &disable_ns_usage, .opts = disable_ns_opts, .size = sizeof(struct enable_ns_cmd),
	.online = disable_ns_online,
};

/* ---- stats ---- */

#define PC_OPTS_OF struct enable_ns_cmd
static const struct pc_opt stats_opts[] = {
	PC_TARGET_ONLINE_OPTS,
	PC_TARGET_REFUSED_FILE,
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage stats_usage = {
	.name = "stats",
	.args = "[--mount DIR | --socket PATH] [-r REGION] [NAME|UUID|DEV]",
	.about = "A running daemon's counters of every served namespace (or one) as a\n"
		 "JSON array: requests by type (lookup, getattr, open, read, write,\n"
		 "flush, fsync, fallocate, release, ...), bytes_read, bytes_written,\n"
		 "bytes_persisted, fsyncs, errors (requests answered with an error), and\n"
		 "flush_latency_us: the persist latency histogram, the non-empty buckets\n"
		 "as {\"min\": us, \"max\": us, \"count\": n}. Counters start at mount.\n"
		 "bytes_persisted counts what came through the daemon: stores through a\n"
		 "mapping passed through (list -v: \"backing\":\"passthrough\") go to the\n"
		 "namespace's file directly and are made durable uncounted.",
	.exits = "  254  ENOENT: no such namespace\n"
		 "  250  ENXIO: the namespace is not served (disabled, ...)\n"
		 PC_DAEMON_EXITS PC_TARGET_EXITS,
};

static int stats_online(void *obj, const struct pc_args *a)
{
	struct pc_target *t = obj;
	struct ctl_response *resp = NULL;
	struct json_object *arr;
	struct nl_msg *req;
	int rc;

	if (a->argc > 1)
		return pc_usage_error(a->p, "unexpected argument '%s'", a->argv[1]);
	req = a->argc ? pc_spec_request(t, CTL_CMD_STATS, a->argv[0]) :
			pc_target_request(t, CTL_CMD_STATS);
	if (!req)
		return pc_exit_code(a->argc ? -ENOENT : -EINVAL);
	rc = pc_target_call(t, req, &resp);
	if (rc == 0) {
		arr = json_object_new_array();
		for (unsigned i = 0; i < resp->nparts; i++) {
			struct ctl_stats_info si;

			if (ctl_stats_info_get(resp->parts[i].attrs[CTL_A_STATS], &si) == 0)
				json_object_array_add(arr, pc_json_stats_info(&si));
		}
		pc_json_print(arr);
		ctl_response_free(&resp);
	}
	return rc;
}

const struct pc_command stats_cmd = {
	.usage = &stats_usage, .opts = stats_opts, .size = sizeof(struct enable_ns_cmd),
	.online = stats_online,
};
