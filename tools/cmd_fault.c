/* SPDX-License-Identifier: MIT */
/*
 * What pmemctl's fault commands share (fault.h): power-fail requests and
 * their JSON, a namespace of a daemon's listing, --survive. The commands
 * are cmd_power_fail.c, cmd_crash_test.c and cmd_inject.c (the daemon's
 * side is src/fs/fault.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>	/* isfinite: a macro, no libm */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ns/badblocks.h"
#include "ctl/client.h"
#include "ns/error.h"
#include "tools/fault.h"
#include "tools/json_out.h"
#include "ns/namespace.h"
#include "tools/online.h"
#include "tools/options.h"
#include "tools/pmemctl.h"
#include "ns/region.h"
#include "tools/target.h"


/* ---- shared ---- */

int pc_fault_find(struct pc_target *t, struct pc_listing *l, const char *spec,
		   const struct ctl_ns_info **out)
{
	int rc = pc_listing_get(t, l);

	if (rc)
		return rc;
	*out = pc_listing_find(l, spec);
	if (!*out && pc_listing_ambiguous()) {
		pc_listing_free(l);
		return pc_fail_on(-EINVAL, spec, "namespace '%s'", spec);
	}
	if (!*out) {
		pc_listing_free(l);
		return pc_fail_msg(-ENOENT, "no namespace '%s' on '%s'", spec, t->mountpoint);
	}
	return 0;
}

bool pc_parse_double(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && *end == '\0' && isfinite(*out);
}

uint64_t pc_seed_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid();
}

int pc_pf_call(struct pc_target *t, const struct ctl_ns_info *ns,
		const struct pc_pf_req *r, struct ctl_response **resp,
		struct ctl_crash_info *ci, bool quiet)
{
	struct nl_msg *req = pc_online_ns_request(CTL_CMD_POWER_FAIL, ns);
	int rc;

	if (!req)
		return pc_exit_code(-ENOMEM);
	if ((r->flags && ctl_put_u32(req, CTL_A_FLAGS, r->flags) < 0) ||
	    (r->has_survive && ctl_put_u32(req, CTL_A_SURVIVE, r->survive_ppm) < 0) ||
	    (r->has_seed && ctl_put_u64(req, CTL_A_SEED, r->seed) < 0) ||
	    (r->has_wait && ctl_put_u32(req, CTL_A_WAIT_MS, r->wait_ms) < 0) ||
	    (r->has_at && ctl_put_u32(req, CTL_A_AT_FSYNC, r->at_fsync) < 0)) {
		nlmsg_free(req);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	if (quiet) {
		rc = pc_target_call_quiet(t, req, resp);
		if (rc)
			return rc;
	} else {
		rc = pc_target_call(t, req, resp);
		if (rc)
			return rc;
	}
	if ((*resp)->nparts != 1 ||
	    ctl_crash_info_get((*resp)->parts[0].attrs[CTL_A_CRASH], ci)) {
		ctl_response_free(resp);
		return quiet ? ns_err(-EPROTO, "the daemon sent no crash-test state") :
			       pc_fail_msg(-EPROTO, "the daemon sent no crash-test state");
	}
	return 0;
}

struct json_object *pc_json_crash(const struct ctl_crash_info *c, const struct pc_pf_req *r)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "dev", json_object_new_string(c->dev ? c->dev : ""));
	json_object_object_add(j, "name", json_object_new_string(c->name ? c->name : ""));
	json_object_object_add(j, "action", json_object_new_string(c->action ? c->action : ""));
	json_object_object_add(j, "crash_test", json_object_new_boolean(c->enabled));
	if (c->action && !strcmp(c->action, "reverted")) {
		json_object_object_add(j, "pages_reverted",
				       json_object_new_int64((int64_t)c->pages_reverted));
		json_object_object_add(j, "pages_kept",
				       json_object_new_int64((int64_t)c->pages_kept));
		if (r && r->has_survive) {
			char pct[32];

			snprintf(pct, sizeof(pct), "%g", (double)r->survive_ppm / 10000.0);
			json_object_object_add(j, "survive_percent",
				json_object_new_double_s((double)r->survive_ppm / 10000.0, pct));
			json_object_object_add(j, "seed", json_object_new_uint64(r->seed));
		}
		json_object_object_add(j, "killed", json_object_new_int((int)c->killed));
		{
			char ms[32];

			snprintf(ms, sizeof(ms), "%.3f", (double)c->time_ns / 1e6);
			json_object_object_add(j, "time_ms",
					       json_object_new_double_s((double)c->time_ns / 1e6, ms));
		}
	} else if (c->enabled) {
		json_object_object_add(j, "pages_logged",
				       json_object_new_int64((int64_t)c->pages_logged));
		json_object_object_add(j, "at_fsync", json_object_new_int((int)c->at_fsync));
		/*
		 * crashed: the namespace went through a power failure since
		 * crash testing was enabled (the one an --at-fsync armed
		 * included), or one is being reverted; not the daemon's
		 * reverting flag alone, which is clear again once the revert
		 * is done, so that after an armed crash "crashed" was false
		 */
		json_object_object_add(j, "crashed",
				       json_object_new_boolean(c->reverts > 0 || c->reverting));
		json_object_object_add(j, "reverting", json_object_new_boolean(c->reverting));
		if (c->reverts) {
			json_object_object_add(j, "last_pages_reverted",
					       json_object_new_int64((int64_t)c->pages_reverted));
			json_object_object_add(j, "last_pages_kept",
					       json_object_new_int64((int64_t)c->pages_kept));
		}
	}
	json_object_object_add(j, "fsyncs", json_object_new_int64((int64_t)c->fsyncs));
	json_object_object_add(j, "reverts", json_object_new_int64((int64_t)c->reverts));
	return j;
}


int pc_opt_survive(const struct pc_parser *p, const struct pc_opt *o, void *ppm)
{
	double v, x;
	uint32_t n;

	/* the option's own name: --survive, crash-test's --torn */
	if (!pc_parse_double(p->arg, &v) || v < 0 || v > 100) {
		pc_fail_msg(-EINVAL, "bad value for --%s '%s': a percentage from 0 to 100",
			     o->name, p->arg);
		return -EINVAL;
	}
	/* v * 10000 rounded half up, as llround() (0 <= x <= 1e6; no libm) */
	x = v * 10000.0;
	n = (uint32_t)x;
	*(uint32_t *)ppm = n + (x - n >= 0.5);
	return 0;
}
