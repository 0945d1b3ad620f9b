/* SPDX-License-Identifier: MIT */
/*
 * pmemctl create-namespace, destroy-namespace, rename-namespace, and the
 * commands that need a running daemon (enable-namespace,
 * disable-namespace, stats).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "error.h"
#include "json_out.h"
#include "namespace.h"
#include "options.h"
#include "pmemctl.h"
#include "region.h"
#include "target.h"
#include "util.h"

/* ---- create-namespace --------------------------------------------------- */

enum { KEY_READONLY = CTL_OPT_LONG, KEY_SPARSE };

static const struct ctl_opt create_ns_opts[] = {
	CTL_TARGET_OPTS,
	{ "size", 's', required_argument, "SIZE",
	  "namespace size, a multiple of the alignment (default: the largest free extent)" },
	{ "name", 'n', required_argument, "NAME", "name (unique in the region; the file name once mounted)" },
	{ "uuid", 'u', required_argument, "UUID", "uuid (default: random)" },
	{ "align", 'a', required_argument, "SIZE", "alignment, a power of two >= 4 KiB (default 2 MiB)" },
	{ "mode", 'm', required_argument, "MODE", "raw (the only mode: the user formats the namespace)" },
	{ "read-only", KEY_READONLY, no_argument, NULL, "mark it read-only (label flag ROLABEL)" },
	{ "sparse", KEY_SPARSE, no_argument, NULL, "do not preallocate its blocks in the region file" },
	{ "force", 'f', no_argument, NULL, "may use ranges under invalid labels" },
	{ NULL },
};

static const struct ctl_usage create_ns_usage = {
	.name = "create-namespace",
	.args = "--file PATH [-s SIZE] [-n NAME] [-u UUID] [-a ALIGN] [--read-only] [--sparse] [-f]",
	.about = "Create a namespace in the first aligned free extent of the region and\n"
		 "print it as JSON. Its range is preallocated in the region file unless\n"
		 "--sparse, so a full file system shows now, not under a running VM.\n"
		 "\"dpa\" is the namespace's byte offset in the region file.",
	.exits = "  228  ENOSPC: no free extent of SIZE (the message names the largest),\n"
		 "       no free label slot, or no space in the file system\n"
		 "  239  EEXIST: the name or uuid is taken\n"
		 "  234  EINVAL: bad size, alignment, name or uuid\n"
		 "  240  EBUSY: the region is locked by another process\n",
};

int cmd_create_namespace(int argc, char **argv)
{
	struct {
		struct ctl_target t;
		struct ns_namespace_create_opts c;
		uint8_t uuid[16];
	} o = { 0 };
	struct ns_region *r = NULL;
	struct ns_namespace *ns = NULL;
	struct ctl_parser p;
	int c, rc;

	ctl_parser_init(&p, &create_ns_usage, create_ns_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case 's':
			if (ctl_opt_size(&p, &o.c.size) < 0)
				return ctl_exit_code(-EINVAL);
			if (o.c.size == 0)
				return ctl_fail_msg(-EINVAL, "bad value for --size '%s': "
						    "a namespace cannot be empty", p.arg);
			break;
		case 'n':
			o.c.name = p.arg;
			break;
		case 'u':
			if (uuid_parse(p.arg, o.uuid) != 0)
				return ctl_fail_msg(-EINVAL, "bad value for --uuid '%s': "
						    "not a uuid", p.arg);
			o.c.uuid = o.uuid;
			break;
		case 'a':
			if (ctl_opt_size(&p, &o.c.align) < 0)
				return ctl_exit_code(-EINVAL);
			break;
		case 'm':
			if (strcmp(p.arg, "raw") != 0)
				return ctl_fail_msg(-EINVAL, "bad value for --mode '%s': "
						    "pmemfs namespaces are raw; format "
						    "them in the guest or application",
						    p.arg);
			break;
		case KEY_READONLY:
			o.c.readonly = true;
			break;
		case KEY_SPARSE:
			o.c.sparse = true;
			break;
		case 'f':
			o.c.force = true;
			break;
		default:
			rc = ctl_target_opt(&o.t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind < argc)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind]);
	rc = ctl_target_check(&o.t, &p);
	if (rc)
		return rc;

	rc = ctl_target_open(&o.t, CTL_OPEN_WRITE, &r);
	if (rc)
		return rc;
	if (o.c.size == 0) {
		/* ndctl's default: the largest extent of this alignment */
		uint64_t avail, maxext;

		ns_region_space(r, o.c.align ? o.c.align : NS_DEFAULT_ALIGN,
				&avail, &maxext);
		o.c.size = maxext;
		if (maxext == 0) {
			rc = ctl_fail_msg(-ENOSPC, "cannot create namespace in '%s': "
					  "no free space left", o.t.file);
			goto out;
		}
	}
	rc = ns_namespace_create(r, &o.c, &ns);
	if (rc < 0) {
		rc = ctl_fail(rc, "cannot create namespace in '%s'", o.t.file);
		goto out;
	}
	ctl_json_print(ctl_json_namespace(ns, 0));
out:
	ns_region_close(&r);
	return rc;
}

/* ---- destroy-namespace -------------------------------------------------- */

static const struct ctl_opt destroy_ns_opts[] = {
	CTL_TARGET_OPTS,
	{ "force", 'f', no_argument, NULL, "destroy even while a daemon holds it open" },
	{ NULL },
};

static const struct ctl_usage destroy_ns_usage = {
	.name = "destroy-namespace",
	.args = "--file PATH [-f] NAME|UUID|DEV|all...",
	.about = "Destroy namespaces named by name, uuid or device name (namespace0.N);\n"
		 "'all' destroys every served namespace (those 'list' shows). The first\n"
		 "min(8 KiB, size) bytes of each are zeroed before its label is freed,\n"
		 "as ndctl does. A label that is not served (list -i) is destroyed only\n"
		 "when named, which reclaims its range.",
	.exits = "  254  ENOENT: no such namespace (nothing is destroyed then)\n"
		 "  240  EBUSY: the region is locked by another process\n",
};

int cmd_destroy_namespace(int argc, char **argv)
{
	struct {
		struct ctl_target t;
		unsigned flags;
	} o = { 0 };
	struct ns_region *r = NULL;
	struct ns_namespace *ns, **victims = NULL;
	unsigned nvictims = 0, done = 0;
	struct ctl_parser p;
	int c, rc;

	ctl_parser_init(&p, &destroy_ns_usage, destroy_ns_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case 'f':
			o.flags |= NS_DESTROY_FORCE;
			break;
		default:
			rc = ctl_target_opt(&o.t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(&p, "no namespace given (a name, uuid, device or all)");
	rc = ctl_target_check(&o.t, &p);
	if (rc)
		return rc;

	rc = ctl_target_open(&o.t, CTL_OPEN_WRITE, &r);
	if (rc)
		return rc;

	/* Resolve every argument first: an unknown one destroys nothing. */
	for (ns = ns_namespace_get_first(r); ns; ns = ns_namespace_get_next(ns))
		nvictims++;
	victims = calloc(nvictims + 1, sizeof(*victims));
	if (!victims) {
		rc = ctl_fail_msg(-ENOMEM, "out of memory");
		goto out;
	}
	nvictims = 0;
	for (int i = optind; i < argc; i++) {
		bool all = strcmp(argv[i], "all") == 0;
		struct ns_namespace *one = all ? NULL : ns_region_find_namespace(r, argv[i]);

		if (!all && !one) {
			rc = ctl_fail_msg(-ENOENT, "no namespace '%s' in '%s'",
					  argv[i], o.t.file);
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
		rc = ns_namespace_destroy(victims[k], o.flags);
		if (rc < 0) {
			rc = ctl_fail(rc, "cannot destroy namespace '%s' in '%s'",
				      dev, o.t.file);
			break;
		}
		done++;
	}
	ctl_msg("destroyed %u namespace%s", done, done == 1 ? "" : "s");
out:
	free(victims);
	ns_region_close(&r);
	return rc;
}

/* ---- rename-namespace --------------------------------------------------- */

static const struct ctl_opt rename_ns_opts[] = {
	CTL_TARGET_OPTS,
	{ NULL },
};

static const struct ctl_usage rename_ns_usage = {
	.name = "rename-namespace",
	.args = "--file PATH OLD NEW",
	.about = "Give the namespace OLD (name, uuid or device name) the name NEW, and\n"
		 "print it as JSON. The label is rewritten with everything else kept.",
	.exits = "  254  ENOENT: no namespace OLD\n"
		 "  239  EEXIST: NEW is taken\n"
		 "  234  EINVAL: NEW is not a valid name\n"
		 "  240  EBUSY: the region is locked by another process\n",
};

int cmd_rename_namespace(int argc, char **argv)
{
	struct {
		struct ctl_target t;
		const char *from, *to;
	} o = { 0 };
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	struct ctl_parser p;
	int c, rc;

	ctl_parser_init(&p, &rename_ns_usage, rename_ns_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		default:
			rc = ctl_target_opt(&o.t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (argc - optind != 2)
		return ctl_usage_error(&p, "give the namespace and its new name");
	o.from = argv[optind];
	o.to = argv[optind + 1];
	rc = ctl_target_check(&o.t, &p);
	if (rc)
		return rc;

	rc = ctl_target_open(&o.t, CTL_OPEN_WRITE, &r);
	if (rc)
		return rc;
	ns = ns_region_find_namespace(r, o.from);
	if (!ns) {
		rc = ctl_fail_msg(-ENOENT, "no namespace '%s' in '%s'", o.from, o.t.file);
		goto out;
	}
	rc = ns_namespace_rename(ns, o.to);
	if (rc < 0) {
		rc = ctl_fail(rc, "cannot rename namespace '%s' to '%s'", o.from, o.to);
		goto out;
	}
	ctl_json_print(ctl_json_namespace(ns, 0));
out:
	ns_region_close(&r);
	return rc;
}

/* ---- commands of a running daemon --------------------------------------- */

static const struct ctl_opt daemon_opts[] = {
	CTL_TARGET_OPTS,
	{ NULL },
};

static int ctl_needs_daemon(const struct ctl_usage *u, int argc, char **argv)
{
	struct ctl_target t = { 0 };
	struct ctl_parser p;
	int c, rc;

	ctl_parser_init(&p, u, daemon_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		default:
			rc = ctl_target_opt(&t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	return ctl_fail_msg(-EOPNOTSUPP, "needs a running pmemfs daemon "
			    "(not available in offline mode)");
}

#define CTL_DAEMON_EXITS "  161  ENOTSUP: needs a running daemon (not available offline)\n"

static const struct ctl_usage enable_ns_usage = {
	.name = "enable-namespace",
	.args = "NAME|UUID|DEV|all",
	.about = "Serve a namespace again (runtime state of a running daemon, as in\n"
		 "ndctl; there is nothing to enable in a region file).",
	.exits = CTL_DAEMON_EXITS,
};

static const struct ctl_usage disable_ns_usage = {
	.name = "disable-namespace",
	.args = "NAME|UUID|DEV|all",
	.about = "Stop serving a namespace (runtime state of a running daemon, as in\n"
		 "ndctl; there is nothing to disable in a region file).",
	.exits = CTL_DAEMON_EXITS,
};

static const struct ctl_usage stats_usage = {
	.name = "stats",
	.args = "[NAME|UUID|DEV]",
	.about = "A running daemon's per-namespace counters as JSON: requests by type,\n"
		 "bytes written and persisted, fsyncs, errors, flush latency.",
	.exits = CTL_DAEMON_EXITS,
};

int cmd_enable_namespace(int argc, char **argv)
{
	return ctl_needs_daemon(&enable_ns_usage, argc, argv);
}

int cmd_disable_namespace(int argc, char **argv)
{
	return ctl_needs_daemon(&disable_ns_usage, argc, argv);
}

int cmd_stats(int argc, char **argv)
{
	return ctl_needs_daemon(&stats_usage, argc, argv);
}
