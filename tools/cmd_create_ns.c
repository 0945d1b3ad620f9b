/* SPDX-License-Identifier: MIT */
/* pmemctl create-namespace, online and offline. */
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

/* ---- create-namespace --------------------------------------------------- */

enum { KEY_READONLY = PC_OPT_LONG, KEY_SPARSE, KEY_CRASH_TEST };

struct create_ns_cmd {
	struct pc_target t;
	struct ns_namespace_create_opts c;
	uint8_t uuid[16];
	bool crash_test;
};

static int create_ns_size(const struct pc_parser *p, const struct pc_opt *o, void *f);
static int create_ns_name(const struct pc_parser *p, const struct pc_opt *o, void *f);
static int create_ns_uuid(const struct pc_parser *p, const struct pc_opt *o, void *f);
static int create_ns_mode(const struct pc_parser *p, const struct pc_opt *o, void *f);
static int create_ns_type(const struct pc_parser *p, const struct pc_opt *o, void *f);

#define PC_OPTS_OF struct create_ns_cmd
static const struct pc_opt create_ns_opts[] = {
	PC_TARGET_OPTS,
	OPT_CALLBACK("size", 's', required_argument, c.size, "SIZE",
		     "namespace size, a multiple of the alignment (default: the largest free extent)",
		     create_ns_size),
	OPT_CALLBACK("name", 'n', required_argument, c.name, "NAME",
		     "name (unique in the region; the file name once mounted)", create_ns_name),
	OPT_CALLBACK("uuid", 'u', required_argument, uuid, "UUID", "uuid (default: random)",
		     create_ns_uuid),
	OPT_SIZE("align", 'a', c.align, "SIZE", "alignment, a power of two >= 4 KiB (default 2 MiB)"),
	OPT_CALLBACK("mode", 'm', required_argument, c, "MODE",
		     "raw (the only mode: the user formats the namespace)", create_ns_mode),
	OPT_CALLBACK("type", 't', required_argument, c, "TYPE", "pmem (the only type)",
		     create_ns_type),
	OPT_BOOL("read-only", KEY_READONLY, c.readonly, "mark it read-only (label flag ROLABEL)"),
	OPT_BOOL("sparse", KEY_SPARSE, c.sparse, "do not preallocate its blocks in the region file (refused on a region directory)"),
	OPT_BOOL("force", 'f', c.force, "may use ranges under labels that do not decode (garbage)"),
	OPT_BOOL("crash-test", KEY_CRASH_TEST, crash_test,
		 "online: enable crash testing at once (see power-fail)"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage create_ns_usage = {
	.name = "create-namespace",
	.args = PC_TARGET_ARGS " [-r REGION]\n"
		"       [-s SIZE] [-n NAME] [-u UUID] [-a SIZE] [-t pmem] [-m raw] [--read-only]\n"
		"       [--sparse] [-f] [--crash-test]",
	.about = "Create a namespace in the first aligned free extent of the region and\n"
		 "print it as JSON (default size: the largest free extent). Its range is\n"
		 "preallocated in the region file unless --sparse, so a full file system\n"
		 "shows now, not under a running VM; a preallocation that fails gives back\n"
		 "the blocks it took. \"dpa\" is the namespace's byte offset\n"
		 "in the region file. Online, its file (\"path\") is in the mount when the\n"
		 "command returns; -r may be left out when the mount serves one region.\n"
		 "A size that is not a multiple of 2 MiB is warned about: a guest's\n"
		 "virtio-pmem device cannot map it. -t pmem and -m raw are what every\n"
		 "pmemfs namespace is (ndctl's other types and modes are refused).\n\n"
		 PC_TARGET_ABOUT,
	.exits = "  228  ENOSPC: no free extent of SIZE (the message names the largest),\n"
		 "       no free label slot, or no space in the file system\n"
		 "  251  EIO: the region file failed a write or was truncated behind pmemfs\n"
		 "  239  EEXIST: the name or uuid is taken\n"
		 "  234  EINVAL: bad size, alignment, name or uuid; several regions and no -r\n"
		 "  240  EBUSY: offline, the region is locked by another process\n"
		 "  254  ENOENT: no such region file, region (-r) or pmemfs mount (--mount)\n"
		 "  250  ENXIO: the region file has no label area\n"
		 PC_TARGET_EXITS,
};

/*
 * ndctl's --mode and --type: pmemfs namespaces are what ndctl calls raw
 * pmem; the other modes and types are refused by name.
 */
static int pc_check_mode(const char *m)
{
	static const char *const ndctl_modes[] = {
		"fsdax", "devdax", "sector", "memory", "dax", "safe",
	};

	if (!strcmp(m, "raw"))
		return 0;
	for (size_t i = 0; i < sizeof(ndctl_modes) / sizeof(ndctl_modes[0]); i++)
		if (!strcmp(m, ndctl_modes[i]))
			return pc_fail_msg(-EINVAL, "mode %s is not supported: pmemfs "
					    "namespaces are raw (-m raw); format them in "
					    "the guest or application", m);
	return pc_fail_msg(-EINVAL, "bad value for --mode '%s': pmemfs namespaces are "
			    "raw (ndctl's modes are raw, sector, fsdax, devdax)", m);
}

static int pc_check_type(const char *t)
{
	if (!strcmp(t, "pmem"))
		return 0;
	if (!strcmp(t, "blk"))
		return pc_fail_msg(-EINVAL, "type blk is not supported: pmemfs namespaces "
				    "are pmem (-t pmem)");
	return pc_fail_msg(-EINVAL, "bad value for --type '%s': pmemfs namespaces are "
			    "pmem (ndctl's types are pmem and blk)", t);
}

static int create_ns_mode(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	(void)o, (void)f;
	return pc_check_mode(p->arg) ? -EINVAL : 0;
}

static int create_ns_type(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	(void)o, (void)f;
	return pc_check_type(p->arg) ? -EINVAL : 0;
}

static int create_ns_size(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	(void)o;
	if (pc_opt_size(p, f) < 0)
		return -EINVAL;
	if (*(uint64_t *)f == 0) {
		pc_fail_msg(-EINVAL, "bad value for --size '%s': a namespace cannot be empty",
			     p->arg);
		return -EINVAL;
	}
	return 0;
}

static int create_ns_name(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	(void)o;
	/* the core takes "" as no name; on the command line it is a mistake */
	if (!*p->arg) {
		pc_fail_msg(-EINVAL, "invalid name '': empty");
		return -EINVAL;
	}
	*(const char **)f = p->arg;
	return 0;
}

static int create_ns_uuid(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	(void)o;
	if (uuid_parse(p->arg, f) != 0) {
		pc_fail_msg(-EINVAL, "bad value for --uuid '%s': not a uuid", p->arg);
		return -EINVAL;
	}
	return 0;
}

static void pc_warn_size(uint64_t size)
{
	char buf[32];

	if (size && size % NS_REGION_SIZE_ALIGN)
		pc_msg("warning: size %s is not a multiple of 2 MiB: a guest's "
			"virtio-pmem device cannot map it",
			ns_format_size(size, buf, sizeof(buf)));
}

static int create_ns_online(void *obj, const struct pc_args *a)
{
	struct create_ns_cmd *o = obj;
	struct pc_target *t = &o->t;
	const struct ns_namespace_create_opts *c = &o->c;
	bool crash_test = o->crash_test;
	struct ctl_response *resp = NULL;
	struct ctl_ns_info ni;
	struct nl_msg *req;
	uint32_t flags;
	int rc;

	if (pc_opt_given(a->p, 'u'))
		o->c.uuid = o->uuid;
	flags = (c->readonly ? CTL_F_READONLY : 0) | (c->sparse ? CTL_F_SPARSE : 0) |
		(c->force ? CTL_F_FORCE : 0) | (crash_test ? CTL_F_CRASH_TEST : 0);
	/* no --region: the daemon takes its only region, or says to choose */
	req = pc_target_region_request(t, CTL_CMD_CREATE_NS);
	if (!req)
		return pc_exit_code(-ENOMEM);
	/* the name's rules here, as offline: the daemon's limit is the same */
	if (c->name && ns_name_validate(c->name) < 0) {
		nlmsg_free(req);
		return pc_fail_msg(-EINVAL, "%s", ns_errormsg());
	}
	if (ctl_put_u64(req, CTL_A_SIZE, c->size) < 0 ||
	    (c->align && ctl_put_u64(req, CTL_A_ALIGN, c->align) < 0) ||
	    (c->name && ctl_put_string(req, CTL_A_NS_NAME, c->name) < 0) ||
	    (c->uuid && ctl_put_uuid(req, CTL_A_NS_UUID, c->uuid) < 0) ||
	    (flags && ctl_put_u32(req, CTL_A_FLAGS, flags) < 0))
		goto nomem;
	rc = pc_target_call(t, req, &resp);
	if (rc)
		return rc;
	if (resp->nparts != 1 || ctl_ns_info_get(resp->parts[0].attrs[CTL_A_NS_INFO], &ni)) {
		ctl_response_free(&resp);
		return pc_fail_msg(-EPROTO, "the daemon sent no namespace");
	}
	pc_warn_size(ni.size);
	pc_json_print(pc_json_ns_info(&ni, pc_online_mount(t), 0));
	ctl_response_free(&resp);
	return 0;
nomem:
	nlmsg_free(req);
	return pc_fail_msg(-ENOMEM, "%s", ns_errormsg());
}

static int create_ns_offline(void *obj, const struct pc_args *a)
{
	struct create_ns_cmd *o = obj;
	struct ns_region *r = NULL;
	struct ns_namespace *ns = NULL;
	struct pc_progress pg;
	int rc;

	if (pc_opt_given(a->p, 'u'))
		o->c.uuid = o->uuid;
	if (o->crash_test)
		return pc_fail_msg(-ENOTSUP, "--crash-test is runtime state of a daemon: "
				    "create the namespace online, or enable it later with "
				    "'pmemctl power-fail NAME --enable'");

	rc = pc_target_open(&o->t, PC_OPEN_WRITE, &r);
	if (rc)
		return rc;
	if (o->c.size == 0) {
		/* ndctl's default: the largest extent of this alignment */
		rc = ns_region_default_size(r, o->c.align, &o->c.size);
		if (rc < 0) {
			rc = pc_fail(rc, "cannot create namespace in '%s'", o->t.file);
			goto out;
		}
	}
	pc_progress_init(&pg, "preallocating namespace in '%s'", o->t.file);
	o->c.progress = pc_progress_cb;
	o->c.progress_arg = &pg;
	rc = ns_namespace_create(r, &o->c, &ns);
	pc_progress_end(&pg);
	if (rc < 0) {
		rc = pc_fail(rc, "cannot create namespace in '%s'", o->t.file);
		goto out;
	}
	pc_warn_size(ns_namespace_size(ns));
	pc_json_print(pc_json_namespace(ns, 0));
out:
	ns_region_close(&r);
	return rc;
}

const struct pc_command create_namespace_cmd = {
	.usage = &create_ns_usage, .opts = create_ns_opts, .size = sizeof(struct create_ns_cmd),
	.check = pc_args_none, .online = create_ns_online, .offline = create_ns_offline,
};
