/* SPDX-License-Identifier: MIT */
/*
 * pmemctl crash-test --states (crash_test.h): many states of one crash
 * point. The daemon keeps a crash image of the point (power-fail with
 * flag IMAGE); crash-state puts state i of it on the namespace, and the
 * checker judges each (ct_judge).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "tools/crash_test.h"
#include "tools/json_out.h"
#include "tools/msg.h"
#include "tools/online.h"

struct ct_state_res {
	uint64_t image_pages, states, pages_new, pages_torn, id;
};

/* crash-state: put state i of the crash image on the namespace (or drop it) */
static int ct_state_call(struct pc_ct *ct, const struct crash_test_cmd *o, uint64_t seed,
			 uint64_t i, bool release, struct ct_state_res *res)
{
	struct nl_msg *req = pc_online_ns_request(CTL_CMD_CRASH_STATE, ct->ns);
	struct ctl_response *resp = NULL;
	struct nlattr *const *at;
	int rc;

	if (!req)
		return pc_exit_code(-ENOMEM);
	if ((release && ctl_put_u32(req, CTL_A_FLAGS, CTL_F_DISABLE) < 0) ||
	    ctl_put_u64(req, CTL_A_STATE, i) < 0 || ctl_put_u64(req, CTL_A_SEED, seed) < 0 ||
	    ctl_put_u32(req, CTL_A_MAX_SUBSET, o->max_subset) < 0 ||
	    (o->torn_ppm && ctl_put_u32(req, CTL_A_TORN, o->torn_ppm) < 0)) {
		nlmsg_free(req);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	rc = pc_target_call_quiet(ct->t, req, &resp);
	if (rc == -E2BIG && !release)
		return rc;	/* the image went over the daemon's bound: ct_states */
	if (rc < 0)
		return pc_fail_msg(rc, "%s", ns_errormsg()[0] ? ns_errormsg() : ns_strerror(rc));
	at = resp->nparts == 1 ? resp->parts[0].attrs : NULL;
	if (!at || !at[CTL_A_IMAGE_PAGES] || !at[CTL_A_STATES]) {
		ctl_response_free(&resp);
		return pc_fail_msg(-EPROTO, "the daemon sent no crash state");
	}
	res->image_pages = nla_get_u64(at[CTL_A_IMAGE_PAGES]);
	res->states = nla_get_u64(at[CTL_A_STATES]);
	res->pages_new = at[CTL_A_PAGES_NEW] ? nla_get_u64(at[CTL_A_PAGES_NEW]) : 0;
	res->pages_torn = at[CTL_A_PAGES_TORN] ? nla_get_u64(at[CTL_A_PAGES_TORN]) : 0;
	res->id = at[CTL_A_STATE_ID] ? nla_get_u64(at[CTL_A_STATE_ID]) : i;
	ctl_response_free(&resp);
	return 0;
}

/* before anything runs: the daemon knows crash-state (an old one refuses) */
int ct_states_probe(struct pc_ct *ct, const struct crash_test_cmd *o)
{
	struct ct_state_res res;

	return ct_state_call(ct, o, 0, 0, true, &res);
}

static int ct_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The states of run's crash point (seed s): each put on the namespace
 * and judged; a failure names its state. The image dropped after.
 */
int ct_states(struct pc_ct *ct, const struct crash_test_cmd *o, uint64_t run,
		     uint64_t s, const char *crash, const char *replay)
{
	char state_replay[160];
	uint64_t i = o->has_state ? o->state : 0, total = 1, n = 0, d, k, *ids = NULL;
	struct ct_state_res res;
	double t0 = pc_now_ms();
	char what[160];
	int rc = 0;

	for (;; i++) {
		unsigned failed = ct->failed;

		rc = ct_state_call(ct, o, s, i, false, &res);
		if (rc == -E2BIG && n == 0) {
			/* no image: the namespace holds the plain revert, judged */
			if (!ct->images_over++)
				pc_msg("%s (said once: JSON's images_over_bound counts such "
				       "points)", ns_errormsg());
			snprintf(what, sizeof(what), "%s, plain revert (crash image over its "
				 "bound)", crash);
			ct_judge(ct, o, run, s, what, replay);
			ct->distinct++;
			rc = 0;
			break;
		}
		if (rc)
			break;
		total = res.states ? res.states : o->samples;
		if (!ids)
			ids = calloc(o->has_state ? 1 : total, sizeof(*ids));
		if (ids)
			ids[n] = res.id;
		n++;
		snprintf(what, sizeof(what), "%s, state %" PRIu64 " of %" PRIu64 "%s", crash, i,
			 total, res.states ? "" : " sampled");
		snprintf(state_replay, sizeof(state_replay), "%s --state %" PRIu64, replay, i);
		ct_judge(ct, o, run, s, what, state_replay);
		if (ct->failed > failed) {
			struct json_object *f = json_object_array_get_idx(ct->fails,
				json_object_array_length(ct->fails) - 1);

			json_object_object_add(f, "state", json_object_new_uint64(i));
			json_object_object_add(f, "image_pages",
					       json_object_new_int64((int64_t)res.image_pages));
			json_object_object_add(f, "pages_new",
					       json_object_new_int64((int64_t)res.pages_new));
			json_object_object_add(f, "pages_torn",
					       json_object_new_int64((int64_t)res.pages_torn));
			pc_msg("run %" PRIu64 ": state %" PRIu64 " (%" PRIu64 " of %" PRIu64
			       " pages new, %" PRIu64 " torn): replay: %s", run, i, res.pages_new,
			       res.image_pages, res.pages_torn, state_replay);
		}
		if (o->has_state || i + 1 >= total || ct_stop)
			break;
	}
	ct->states_ms += pc_now_ms() - t0;	/* ct_judge counted them */
	if (ids) {
		qsort(ids, n, sizeof(*ids), ct_cmp_u64);
		for (d = 0, k = 0; k < n; k++)
			d += k == 0 || ids[k] != ids[k - 1];
		ct->distinct += d;
		free(ids);
	}
	if (rc == 0)
		rc = ct_state_call(ct, o, s, 0, true, &res);
	return rc;
}

/*
 * --states' part of the summary: states (= states_checked), the distinct
 * ones, and state_checks_per_s over the time spent on states alone
 * (applying each, its checker), where states_per_s counts every run's
 * restore, application and revert too
 */
void ct_states_report(const struct pc_ct *ct, struct json_object *out)
{
	double per_s = ct->states_ms > 0 ? (double)ct->states * 1000.0 / ct->states_ms : 0;
	char v[32];

	json_object_object_add(out, "states", json_object_new_int64((int64_t)ct->states));
	json_object_object_add(out, "distinct_states",
			       json_object_new_int64((int64_t)ct->distinct));
	json_object_object_add(out, "images_over_bound",
			       json_object_new_int64((int64_t)ct->images_over));
	snprintf(v, sizeof(v), "%.1f", per_s);
	json_object_object_add(out, "state_checks_per_s", json_object_new_double_s(per_s, v));
}
