/* SPDX-License-Identifier: MIT */
/* pmemctl create-region and list. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "error.h"
#include "json_out.h"
#include "namespace.h"
#include "options.h"
#include "pmemctl.h"
#include "region.h"
#include "target.h"

/* ---- create-region ---------------------------------------------------- */

enum { KEY_PREALLOC = CTL_OPT_LONG };

static const struct ctl_opt create_region_opts[] = {
	{ "size", 's', required_argument, "SIZE",
	  "size of the whole file (data + label area), a multiple of 2 MiB" },
	{ "label-size", CTL_KEY_LABEL_SIZE, required_argument, "SIZE",
	  "label area size, a power of two >= 128 KiB (default 128 KiB)" },
	{ "label-version", 'V', required_argument, "1.1|1.2",
	  "label format: 1.2 (256-byte labels, default) or 1.1 (128-byte)" },
	{ "prealloc", KEY_PREALLOC, no_argument, NULL,
	  "allocate every block of the file (default: sparse data area)" },
	{ "file", CTL_KEY_FILE, required_argument, "PATH",
	  "the file to create (or give PATH as the argument)" },
	{ NULL },
};

static const struct ctl_usage create_region_usage = {
	.name = "create-region",
	.args = "--size SIZE [--label-size SIZE] [-V 1.1|1.2] [--prealloc] PATH",
	.about = "Create a new region file at PATH (never overwrites one): SIZE bytes,\n"
		 "of which the last --label-size bytes hold an empty NVDIMM label area\n"
		 "(the layout QEMU uses for -device nvdimm,label-size=...). Prints the\n"
		 "region as JSON.",
	.exits = "  239  EEXIST: PATH exists already\n"
		 "  234  EINVAL: bad size, label size or version\n",
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

	rc = ns_region_create(o.path, &o.c, &ro, &r);
	if (rc < 0)
		return ctl_fail_on(rc, o.path, "cannot create region '%s'", o.path);
	ctl_json_print(ctl_json_region(r, 0));
	ns_region_close(&r);
	return 0;
}

/* ---- list --------------------------------------------------------------- */

static const struct ctl_opt list_opts[] = {
	CTL_TARGET_OPTS,
	{ "regions", 'R', no_argument, NULL, "list the region" },
	{ "namespaces", 'N', no_argument, NULL, "list namespaces (the default)" },
	{ "human", 'u', no_argument, NULL,
	  "sizes as \"4.00 GiB (4.29 GB)\", ids and offsets in hex" },
	{ "idle", 'i', no_argument, NULL,
	  "also labels that are not served (interleaved, foreign, invalid), "
	  "with state and reason" },
	{ NULL },
};

static const struct ctl_usage list_usage = {
	.name = "list",
	.args = "--file PATH [-R] [-N] [-u] [-i]",
	.about = "List as JSON, in ndctl's shape: without -R or -N, or with -N alone, an\n"
		 "array of namespaces; -R an array of regions; -R -N regions, each with a\n"
		 "\"namespaces\" array. Nothing to list prints nothing (exit 0). Opens the\n"
		 "region read-only, without its lock.",
	.exits = "  250  ENXIO: the file has no valid label area\n",
};

int cmd_list(int argc, char **argv)
{
	struct {
		struct ctl_target t;
		bool regions, namespaces;
		unsigned flags;
	} o = { 0 };
	struct json_object *jnss, *out = NULL;
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	struct ctl_parser p;
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
		case 'u':
			o.flags |= CTL_JSON_HUMAN;
			break;
		case 'i':
			o.flags |= CTL_JSON_IDLE;
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
	if (!o.regions)
		o.namespaces = true;

	rc = ctl_target_open(&o.t, CTL_OPEN_READ, &r);
	if (rc)
		return rc;

	jnss = json_object_new_array();
	if (o.namespaces) {
		ns_region_foreach_namespace(r, ns) {
			if (ns_namespace_state(ns) != NS_STATE_ACTIVE &&
			    !(o.flags & CTL_JSON_IDLE))
				continue;
			json_object_array_add(jnss, ctl_json_namespace(ns, o.flags));
		}
	}
	if (o.regions) {
		struct json_object *jr = ctl_json_region(r, o.flags);

		if (o.namespaces)
			json_object_object_add(jr, "namespaces", json_object_get(jnss));
		out = json_object_new_array();
		json_object_array_add(out, jr);
	} else if (json_object_array_length(jnss) > 0) {
		out = json_object_get(jnss);
	}
	json_object_put(jnss);
	if (out)
		ctl_json_print(out);
	ns_region_close(&r);
	return 0;
}
