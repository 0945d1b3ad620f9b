/* SPDX-License-Identifier: MIT */
/* pmemctl power-fail: crash testing of a namespace (online only). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctl/client.h"
#include "tools/command.h"
#include "ns/error.h"
#include "tools/fault.h"
#include "tools/json_out.h"
#include "tools/msg.h"
#include "tools/online.h"
#include "tools/target.h"

enum {
	KEY_ENABLE = PC_OPT_LONG,
	KEY_DISABLE,
	KEY_STATUS,
	KEY_SURVIVE,
	KEY_SEED,
	KEY_KILL,
	KEY_WAIT,
	KEY_AT_FSYNC,
};

struct power_fail_cmd {
	struct pc_target t;
	struct pc_pf_req r;
	unsigned modes;		/* --enable, --disable, --status given */
};

/* --enable, --disable, --status: one of them (the field is the struct) */
static int pf_opt_mode(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	struct power_fail_cmd *c = f;

	(void)p;
	c->r.flags |= (uint32_t)o->val;
	c->modes++;
	return 0;
}

/* --wait SECONDS, 0 to 3600, into milliseconds (at least 1) */
static int pf_opt_wait(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	uint32_t *ms = f;
	double v;

	(void)o;
	if (!pc_parse_double(p->arg, &v) || v < 0 || v > 3600) {
		pc_fail_msg(-EINVAL, "bad value for --wait '%s': seconds from 0 to 3600", p->arg);
		return -EINVAL;
	}
	*ms = (uint32_t)(v * 1000.0);
	if (*ms == 0)
		*ms = 1;
	return 0;
}

#define PF_MODE(l, s, bit, h) \
	{ l, s, no_argument, NULL, h, .type = PC_OPT_CALLBACK, .off = 0, .val = (bit), \
	  .cb = pf_opt_mode }

#define PC_OPTS_OF struct power_fail_cmd
static const struct pc_opt power_fail_opts[] = {
	PC_TARGET_ONLINE_OPTS,
	PC_TARGET_REFUSED_FILE,
	PF_MODE("enable", KEY_ENABLE, CTL_F_ENABLE,
		"enable crash testing (the undo log); now counts as the last FSYNC"),
	PF_MODE("disable", KEY_DISABLE, CTL_F_DISABLE, "disable crash testing (drops the log)"),
	PF_MODE("status", KEY_STATUS, CTL_F_STATUS, "print the crash-test state only"),
	OPT_CALLBACK("survive", KEY_SURVIVE, required_argument, r.survive_ppm, "PERCENT",
		     "keep this share of the unflushed pages, chosen by --seed", pc_opt_survive),
	OPT_U64("seed", KEY_SEED, r.seed, "N",
		"seed of the survivors' choice (default: random, printed)", 0, UINT64_MAX,
		PC_SEED_HINT),
	OPT_BIT("kill", KEY_KILL, r.flags, CTL_F_KILL, "SIGKILL the processes holding the file first (a descriptor or mapping of that very file: device and inode, not a path)"),
	OPT_BIT("force", 'f', r.flags, CTL_F_FORCE,
		"revert under open handles and live mappings (they see the reverted content)"),
	OPT_CALLBACK("wait", KEY_WAIT, required_argument, r.wait_ms, "SECONDS",
		     "wait this long for holders to let go (default 1, with --kill 5)", pf_opt_wait),
	OPT_U32("at-fsync", KEY_AT_FSYNC, r.at_fsync, "K",
		"arm: the K-th FSYNC from now kills its caller and reverts (0 disarms)",
		0, UINT32_MAX, "an FSYNC count (0 disarms)"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage power_fail_usage = {
	.name = "power-fail",
	.args = "[--mount DIR | --socket PATH] [-r REGION] NAMESPACE\n"
		"       [--enable | --disable | --status]\n"
		"       [--survive PERCENT [--seed N]] [--kill | --force] [--wait SECONDS]\n"
		"       [--at-fsync K]",
	.about = "Simulate a power failure on a namespace with crash testing enabled\n"
		 "(--enable here, or create-namespace --crash-test; runtime state, off\n"
		 "again after a remount). While enabled, the daemon keeps the old content\n"
		 "of every page first written since the last completed FSYNC (fsync,\n"
		 "fdatasync, msync MS_SYNC); a completed FSYNC drops it. Without --enable,\n"
		 "--disable, --status or --at-fsync the namespace is reverted now to\n"
		 "exactly its content at the last completed FSYNC, in the region file and\n"
		 "in every view of the file (the kernel's cache is invalidated: mappings\n"
		 "re-read). With --survive a reproducible (--seed) share of the unflushed\n"
		 "pages is kept, as if the kernel had written them back. It refuses while\n"
		 "a process holds the file (naming the pids) unless --kill or --force.\n"
		 "Prints JSON: pages_reverted, pages_kept, fsyncs (completed since\n"
		 "enabling), reverts, time_ms, killed.\n\n"
		 "--at-fsync K arms a crash point: the K-th FSYNC from now is not\n"
		 "acknowledged; its caller is SIGKILLed and the namespace reverts to the\n"
		 "state before that FSYNC (once the caller is gone). --status shows\n"
		 "at_fsync (FSYNCs left, 0 once fired), crashed (a power failure has\n"
		 "happened since enabling), reverting (one is being reverted now) and\n"
		 "reverts (how many).\n\n"
		 "Granularity: 4 KiB pages in the order the kernel writes them back, not\n"
		 "cache lines in program store order. FSYNC carries no range: an msync of\n"
		 "one range makes durable every page already written back.",
	.exits = "  240  EBUSY: the file is open or mapped (the message names the pids)\n"
		 "  250  ENXIO: the namespace is not served\n"
		 "  254  ENOENT: no such namespace\n"
		 PC_NEEDS_DAEMON PC_TARGET_EXITS,
};

static int power_fail_check(void *obj, const struct pc_args *a)
{
	struct power_fail_cmd *o = obj;
	struct pc_pf_req *r = &o->r;

	r->has_survive = pc_opt_given(a->p, KEY_SURVIVE);
	r->has_seed = pc_opt_given(a->p, KEY_SEED);
	r->has_wait = pc_opt_given(a->p, KEY_WAIT);
	r->has_at = pc_opt_given(a->p, KEY_AT_FSYNC);
	if (a->argc == 0)
		return pc_usage_error(a->p, "no namespace given (a name, uuid or device)");
	if (a->argc > 1)
		return pc_usage_error(a->p, "unexpected argument '%s'", a->argv[1]);
	if (o->modes > 1)
		return pc_usage_error(a->p, "--enable, --disable and --status exclude each other");
	if ((r->flags & CTL_F_KILL) && (r->flags & CTL_F_FORCE))
		return pc_usage_error(a->p, "--kill and --force exclude each other");
	if (r->has_seed && !r->has_survive)
		return pc_usage_error(a->p, "--seed chooses the survivors: it needs --survive");
	if (o->modes && (r->flags & (CTL_F_KILL | CTL_F_FORCE)))
		return pc_usage_error(a->p, "--kill and --force apply to a power failure");
	if (r->has_at && (r->flags & (CTL_F_KILL | CTL_F_FORCE | CTL_F_DISABLE | CTL_F_STATUS)))
		return pc_usage_error(a->p, "--at-fsync kills the caller of the FSYNC: it takes "
				       "no --kill, --force, --disable or --status");
	if (r->has_survive && !r->has_seed) {
		r->seed = pc_seed_now();
		r->has_seed = true;
	}
	return 0;
}

static int power_fail_online(void *obj, const struct pc_args *a)
{
	struct power_fail_cmd *o = obj;
	struct ctl_response *resp = NULL;
	struct ctl_crash_info ci;
	const struct ctl_ns_info *ns;
	struct pc_listing l;
	int rc;

	rc = pc_fault_find(&o->t, &l, a->argv[0], &ns);
	if (rc)
		return rc;
	rc = pc_pf_call(&o->t, ns, &o->r, &resp, &ci, false);
	if (rc == 0) {
		pc_json_print(pc_json_crash(&ci, &o->r));
		ctl_response_free(&resp);
	}
	pc_listing_free(&l);
	return rc;
}

const struct pc_command power_fail_cmd = {
	.usage = &power_fail_usage, .opts = power_fail_opts,
	.size = sizeof(struct power_fail_cmd), .check = power_fail_check,
	.online = power_fail_online,
};
