/* SPDX-License-Identifier: MIT */
/*
 * What the fault commands share (cmd_fault.c): power-fail requests and
 * their JSON, finding a namespace in a daemon's listing, and the option
 * callbacks --seed and --survive of power-fail and crash-test.
 * cmd_power_fail.c, cmd_crash_test.c and cmd_inject.c call these; this
 * file calls none of them.
 */
#ifndef PMEMCTL_FAULT_H
#define PMEMCTL_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "tools/online.h"
#include "tools/options.h"
#include "tools/target.h"

#define PC_NEEDS_DAEMON "  161  ENOTSUP: needs a running daemon; or crash testing is not enabled\n"

/* Resolve spec in a listing of the target; reports ENOENT. */
int pc_fault_find(struct pc_target *t, struct pc_listing *l, const char *spec,
		   const struct ctl_ns_info **out);

bool pc_parse_double(const char *s, double *out);
uint64_t pc_seed_now(void);

/* a power-fail request for ns with flags (and its extra attributes) */
struct pc_pf_req {
	uint32_t flags;
	bool has_survive, has_seed, has_wait, has_at;
	uint32_t survive_ppm, wait_ms, at_fsync;
	uint64_t seed;
};

/* Send it; *ci points into *resp (the caller frees it). Reports failures. */
int pc_pf_call(struct pc_target *t, const struct ctl_ns_info *ns,
		const struct pc_pf_req *r, struct ctl_response **resp,
		struct ctl_crash_info *ci, bool quiet);

struct json_object *pc_json_crash(const struct ctl_crash_info *c, const struct pc_pf_req *r);

/* --survive PERCENT into a uint32_t of parts per million */
int pc_opt_survive(const struct pc_parser *p, const struct pc_opt *o, void *ppm);

/* the hint of a bad --seed */
#define PC_SEED_HINT "an unsigned number"

#endif
