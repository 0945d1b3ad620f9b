/* SPDX-License-Identifier: MIT */
/*
 * pmemctl crash-test: run an application, crash it again and again (at an
 * FSYNC or a moment, power-fail's undo log), and let a checker judge what
 * is left. Online only. This file is the test itself: its options, the
 * clean run, each run's crash point and the report; its parts are in
 * crash_test.h (processes, the starting content, crash states).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl/client.h"
#include "tools/command.h"
#include "tools/crash_test.h"
#include "ns/error.h"
#include "tools/fault.h"
#include "tools/json_out.h"
#include "tools/msg.h"
#include "tools/online.h"
#include "tools/target.h"

enum {
	KEY_RUNS = PC_OPT_LONG,
	KEY_SEED,
	KEY_SURVIVE,
	KEY_MODE,
	KEY_TIMEOUT,
	KEY_VERBOSE,
	KEY_MOMENT_AFTER,
	KEY_SWEEP,
	KEY_AT_FSYNC,
	KEY_STATES,
	KEY_MAX_SUBSET,
	KEY_SAMPLES,
	KEY_TORN,
	KEY_STATE,
	KEY_BASELINE_MAX,
};

static const struct crash_test_cmd crash_test_defaults = {
	.runs = 10, .mode = CT_BOTH, .timeout_ms = 60000, .max_subset = 12, .samples = 64,
};

static const struct pc_choice ct_modes[] = {
	{ "fsync", CT_FSYNC }, { "moment", CT_MOMENT }, { "both", CT_BOTH }, { NULL, 0 },
};

/* --moment-after SECONDS, 0 or more, into milliseconds */
static int ct_opt_after(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	double v;

	(void)o;
	if (!pc_parse_double(p->arg, &v) || v < 0 || v > 86400) {
		pc_fail_msg(-EINVAL, "bad value for --moment-after '%s': seconds (0 to 86400)",
			    p->arg);
		return -EINVAL;
	}
	*(double *)f = v * 1000;
	return 0;
}

/* --timeout SECONDS, more than 0, into milliseconds */
static int ct_opt_timeout(const struct pc_parser *p, const struct pc_opt *o, void *f)
{
	double v;

	(void)o;
	if (!pc_parse_double(p->arg, &v) || v <= 0 || v > 86400) {
		pc_fail_msg(-EINVAL, "bad value for --timeout '%s': seconds", p->arg);
		return -EINVAL;
	}
	*(int *)f = (int)(v * 1000);
	return 0;
}

#define PC_OPTS_OF struct crash_test_cmd
static const struct pc_opt crash_test_opts[] = {
	PC_TARGET_ONLINE_OPTS,
	PC_TARGET_REFUSED_FILE,
	OPT_U64("runs", KEY_RUNS, runs, "N", "crash runs (default 10)", 1, 1000000,
		"1 to 1000000"),
	OPT_U64("seed", KEY_SEED, seed, "N",
		"run i uses seed N+i (default: random, printed); --seed S --runs 1 replays seed S",
		0, UINT64_MAX, PC_SEED_HINT),
	OPT_CALLBACK("survive", KEY_SURVIVE, required_argument, survive_ppm, "PERCENT",
		     "keep this share of the unflushed pages (chosen by the run's seed)",
		     pc_opt_survive),
	OPT_CHOICE("mode", KEY_MODE, mode, "MODE",
		   "where to crash: fsync (an FSYNC), moment (a point in time), both (default)",
		   ct_modes, "fsync, moment or both"),
	OPT_CALLBACK("timeout", KEY_TIMEOUT, required_argument, timeout_ms, "SECONDS",
		     "limit for each run of the application or checker (default 60)",
		     ct_opt_timeout),
	OPT_BOOL("verbose", KEY_VERBOSE, verbose, "show the application's and checker's output"),
	OPT_CALLBACK("moment-after", KEY_MOMENT_AFTER, required_argument, moment_after_ms,
		     "SECONDS", "crash moments only after this time into the run (e.g. a "
		     "guest's boot; default 0)", ct_opt_after),
	OPT_BOOL("sweep", KEY_SWEEP, sweep,
		 "crash run i of N at FSYNC ceil((i+1)*F/N) of the clean run's F "
		 "(the same points each time)"),
	OPT_U32("at-fsync", KEY_AT_FSYNC, at_fsync, "K",
		"crash every run at FSYNC K (replays a --sweep failure)", 1, UINT32_MAX,
		"1 or more"),
	OPT_BOOL("states", KEY_STATES, states,
		 "check many crash states at each crash point, not one (see the description)"),
	OPT_U32("max-subset", KEY_MAX_SUBSET, max_subset, "N",
		"with at most N unflushed pages check every subset of them (default 12; "
		"implies --states)", 0, 30, "0 to 30"),
	OPT_U32("samples", KEY_SAMPLES, samples, "K",
		"above N pages (or with --torn) check K seeded states (default 64; implies "
		"--states)", 1, 1000000, "1 to 1000000"),
	OPT_CALLBACK("torn", KEY_TORN, required_argument, torn_ppm, "PERCENT",
		     "tear this share of the pages at 512-byte sectors (sampled states; "
		     "implies --states)", pc_opt_survive),
	OPT_U64("state", KEY_STATE, state, "I",
		"check only state I at each crash point (replays a failure; implies --states)",
		0, UINT64_MAX, "an unsigned number"),
	OPT_SIZE("baseline-max", KEY_BASELINE_MAX, baseline_max, "SIZE",
		 "keep at most SIZE of the starting content in the daemon (default: the "
		 "daemon's, 1G); 0: restore from a copy in $TMPDIR"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage crash_test_usage = {
	.name = "crash-test",
	.args = "[--mount DIR | --socket PATH] [-r REGION] NAMESPACE [--runs N] [--seed N]\n"
		"       [--survive PERCENT] [--mode fsync|moment|both] [--timeout SECONDS]\n"
		"       [--moment-after SECONDS] [--sweep] [--at-fsync K]\n"
		"       [--states] [--max-subset N] [--samples K] [--torn PERCENT] [--state I]\n"
		"       [--baseline-max SIZE] [--verbose] -- APP [ARGS...] --check CHECKER [ARGS...]",
	.about = "Crash an application again and again and check what a power failure\n"
		 "leaves. First the application runs once without a crash (counting its\n"
		 "FSYNCs and its time) and the checker must accept the result. Then for\n"
		 "each run: the namespace is set back to its content at the start, the\n"
		 "application runs and is crashed at a random FSYNC (power-fail\n"
		 "--at-fsync) or at a random moment (SIGKILL, then power-fail), both\n"
		 "chosen by the run's seed; the namespace is reverted to its last\n"
		 "completed FSYNC and the checker runs (exit 0: consistent). Crash\n"
		 "testing is enabled for the test if it was not (and disabled after).\n"
		 "Its crash points are its own: killed by SIGKILL, it leaves none armed\n"
		 "(one left by power-fail --at-fsync is disarmed, with a warning).\n"
		 "One crash-test runs on a namespace at a time.\n"
		 "The starting content is kept by the daemon as a baseline: the\n"
		 "original of every page changed after the start (by the application,\n"
		 "the checker, a revert), in its memory, at most --baseline-max of it;\n"
		 "each run puts back only the pages changed since the last one. A\n"
		 "daemon without baselines (an older pmemfs), one that refuses it, and\n"
		 "--baseline-max 0 use a copy of the whole namespace in $TMPDIR (/tmp)\n"
		 "instead; a test that outgrows the bound (a WRITE beyond it fails with\n"
		 "EIO) starts over with the copy. Where $TMPDIR has room, a copy is\n"
		 "also made once beside the baseline: a daemon that dies mid-test\n"
		 "loses its baseline, and that copy is then kept and named. The\n"
		 "namespace is left with its starting content.\n"
		 "With --sweep, run i of N crashes at FSYNC ceil((i+1)*F/N) of the clean\n"
		 "run's F (K = F/N, 2F/N, ..., F: the same points every time, for CI);\n"
		 "the seed still decides the rest (--survive's pages). --moment-after\n"
		 "draws moments from that time to the clean run's end (past a guest's\n"
		 "boot). A crash point counts as reached when the daemon's armed power\n"
		 "failure fired, whatever the application's exit status (a wrapper that\n"
		 "does not exec, timeout(1)); else the power goes at the end. The\n"
		 "application and the checker run in a process group of their own,\n"
		 "stdin /dev/null: a crash at a moment and --timeout kill the whole\n"
		 "group, and what they leave running is killed when they end, also\n"
		 "what left the group (setsid, a daemon's double fork).\n"
		 "In ARGS, every {} is replaced by the namespace file's path, also\n"
		 "inside a word (mem-path={}); it is also in $PMEMCTL_NAMESPACE_PATH\n"
		 "($PMEMCTL_CRASH_SEED is the run's seed). A literal {} has to be\n"
		 "spelled otherwise (in sh -c, '{''}').\n"
		 "Prints JSON: runs, passed, failed, fsyncs (per clean run), the\n"
		 "summary (crash_points, states_checked, states_per_s, each run's\n"
		 "point in points; restore: baseline or copy, restore_ms per restore,\n"
		 "pages_restored) and every failure with its seed, crash point,\n"
		 "checker exit status and replay: the options that replay it (--seed\n"
		 "SEED --runs 1, with --at-fsync K after --sweep; exact for FSYNC crash\n"
		 "points of a deterministic application; crashes at a moment depend on\n"
		 "timing). The summary is also printed on stderr.\n"
		 "An application whose clean run makes no FSYNC is warned about: it\n"
		 "is crashed only at moments, and each crash reverts all it wrote.\n"
		 "With --states each crash point keeps a crash image (the old and new\n"
		 "content of each unflushed page, those the kernel wrote back only\n"
		 "after the crash too) and the checker runs on many states\n"
		 "of it: with n <= N pages (--max-subset) every subset of them that\n"
		 "survives, 2^n states in a fixed order: the pages by page number, page\n"
		 "k is bit k of a mask, the masks by popcount, then by value (state 0:\n"
		 "all old, a plain power failure; the last: all new); above N, or with\n"
		 "--torn, K states (--samples) drawn from the run's seed and the state\n"
		 "number, torn pages holding a seeded mix of old and new 512-byte\n"
		 "sectors. JSON adds states (checked), distinct_states, state_checks_per_s;\n"
		 "a failure gives its state: --seed SEED --runs 1 --state I replays it.\n"
		 "A crash image over the daemon's bound (256 MiB by default) is dropped:\n"
		 "that point's plain revert is checked, said once, counted in JSON's\n"
		 "images_over_bound.",
	.exits = "  1    a run failed: the checker found an inconsistent state (or the\n"
		 "       application failed without a crash)\n"
		 "  240  EBUSY: another crash-test runs on the namespace\n"
		 "  252  EINTR: interrupted (SIGINT, SIGTERM, SIGHUP): the run's processes\n"
		 "       killed, the starting content put back, no JSON\n"
		 "  254  ENOENT: no such namespace\n"
		 PC_NEEDS_DAEMON PC_TARGET_EXITS,
};

static int pc_ct_status(struct pc_ct *ct, struct ctl_crash_info *ci,
			 struct ctl_response **resp)
{
	struct pc_pf_req r = { .flags = CTL_F_STATUS };

	ctl_response_free(resp);
	return pc_pf_call(ct->t, ct->ns, &r, resp, ci, false);
}

/*
 * The baseline outgrew its bound: its content back, the baseline gone,
 * the copy made, and the test from its clean run again.
 */
static int ct_fallback(struct pc_ct *ct)
{
	int rc;

	pc_msg("the application or its checker changed more than the baseline of '%s' "
		"keeps (%" PRIu64 " MiB, --baseline-max; a WRITE beyond it failed with EIO): "
		"starting over with a copy of the namespace in %s", ct->ns->name,
		ct->base_max >> 20, pc_ct_tmpdir());
	ct->restart = false;
	rc = ct_restore(ct);
	if (rc)
		return rc;
	ct_base_end(ct);
	if (!ct->snap_made) {	/* else the copy made beside the baseline */
		rc = ct_copy_start(ct);
		if (rc)
			return rc;
	}
	ct->passed = ct->failed = 0;
	ct->states = ct->distinct = ct->restores = ct->restored_pages = 0;
	ct->states_ms = ct->runs_ms = ct->restore_ms = 0;
	json_object_put(ct->fails);
	json_object_put(ct->points);
	ct->fails = ct->points = NULL;
	return 0;
}

static uint64_t pc_mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}


/* --state, --max-subset, --samples, --torn: each one means --states */
static void ct_states_opts(struct crash_test_cmd *o, const struct pc_args *a)
{
	o->has_state = pc_opt_given(a->p, KEY_STATE);
	if (o->has_state || pc_opt_given(a->p, KEY_MAX_SUBSET) ||
	    pc_opt_given(a->p, KEY_SAMPLES) || pc_opt_given(a->p, KEY_TORN))
		o->states = true;
}

static int crash_test_check(void *obj, const struct pc_args *a)
{
	struct crash_test_cmd *o = obj;
	int i;

	o->has_survive = pc_opt_given(a->p, KEY_SURVIVE);
	o->has_baseline_max = pc_opt_given(a->p, KEY_BASELINE_MAX);
	ct_states_opts(o, a);
	if (a->argc == 0)
		return pc_usage_error(a->p, "no namespace given (a name, uuid or device)");
	if (a->argc > 1)
		return pc_usage_error(a->p, "unexpected argument '%s'", a->argv[1]);
	if (!a->rest || a->nrest == 0)
		return pc_usage_error(a->p, "no application given: -- APP [ARGS...] --check "
				       "CHECKER [ARGS...]");
	for (o->chk = -1, i = 0; i < a->nrest; i++)
		if (!strcmp(a->rest[i], "--check")) {
			o->chk = i;
			break;
		}
	if (o->chk < 0 || o->chk + 1 >= a->nrest)
		return pc_usage_error(a->p, "no checker given: --check CHECKER [ARGS...] after "
				       "the application");
	if (o->chk == 0)
		return pc_usage_error(a->p, "no application given before --check");
	if (o->mode == CT_MOMENT && (o->sweep || o->at_fsync))
		return pc_usage_error(a->p, "--%s crashes at an FSYNC: not with --mode moment",
				      o->sweep ? "sweep" : "at-fsync");
	if (o->mode == CT_FSYNC && pc_opt_given(a->p, KEY_MOMENT_AFTER))
		return pc_usage_error(a->p, "--moment-after is for crashes at a moment: not "
				      "with --mode fsync");
	if (!pc_opt_given(a->p, KEY_SEED))
		o->seed = pc_seed_now() % 1000000000u;
	for (i = 0; i < 2; i++) {
		const char *cmd = a->rest[i ? o->chk + 1 : 0];
		int f = pc_ct_findable(cmd);

		if (f == -ENOENT)
			return pc_fail_msg(f, "the %s '%s' is not found%s (a shell would "
					    "exit 127)", i ? "checker" : "application", cmd,
					    strchr(cmd, '/') ? "" : " in PATH");
		if (f < 0)
			return pc_fail_msg(f, "the %s '%s' is not an executable file (a "
					    "shell would exit 126)",
					    i ? "checker" : "application", cmd);
	}
	return 0;
}


/* The argv of both, temporary files, crash testing on, the content saved. */
static int ct_prepare(struct pc_ct *ct, const struct crash_test_cmd *o,
		      const struct pc_args *a)
{
	const struct ctl_ns_info *ns = ct->ns;
	int fd, rc;

	if (!ns->path)
		return pc_fail_msg(-NS_E_NOT_SERVED, "namespace '%s' is not served",
				    a->argv[0]);
	ct->app = pc_ct_argv(a->rest, o->chk, ns->path);
	ct->chk = pc_ct_argv(a->rest + o->chk + 1, a->nrest - o->chk - 1, ns->path);
	if (!ct->app || !ct->chk)
		return pc_fail_msg(-ENOMEM, "out of memory");
	snprintf(ct->outfile, sizeof(ct->outfile), "%s/pmemctl-check-XXXXXX",
		 pc_ct_tmpdir());
	fd = mkostemp(ct->outfile, O_CLOEXEC);
	/* kept open: the file is used by descriptor only */
	if (fd < 0)
		return pc_fail_msg(-errno, "cannot create a temporary file in %s: %s",
				   pc_ct_tmpdir(), strerror(errno));
	ct->out_fd = fd;
	ct->out_made = true;

	rc = pc_ct_status(ct, &ct->ci, &ct->resp);
	if (rc)
		return rc;
	if (!ct->ci.enabled) {
		struct pc_pf_req r = { .flags = CTL_F_ENABLE };

		ctl_response_free(&ct->resp);
		rc = pc_pf_call(ct->t, ns, &r, &ct->resp, &ct->ci, false);
		if (rc)
			return rc;
		ct->enabled_here = true;
	}
	rc = ct_base_begin(ct, o);
	if (rc)
		return rc;
	return o->states ? ct_states_probe(ct, o) : 0;
}

/* every run crashes at an FSYNC (no moment) */
static bool ct_fsync_only(const struct crash_test_cmd *o)
{
	return o->mode == CT_FSYNC || o->sweep || o->at_fsync;
}

/* A clean run: the FSYNCs it makes, how long it takes, a happy checker. */
static int ct_clean_run(struct pc_ct *ct, const struct crash_test_cmd *o)
{
	bool timed_out;
	char how[64];
	pid_t pid;
	int rc, st;

	rc = pc_ct_status(ct, &ct->ci, &ct->resp);
	if (rc)
		return rc;
	if (ct->ci.at_fsync) {
		/*
		 * a crash point nobody waits for (one crash-test runs at a
		 * time): left by a crash-test killed by SIGKILL, or power-fail
		 * --at-fsync; it would kill the clean run
		 */
		struct pc_pf_req d = { .has_at = true, .at_fsync = 0 };

		pc_msg("warning: '%s' had a crash point armed (at FSYNC %" PRIu64 " from now: "
		       "left by a crash-test killed by SIGKILL, or power-fail --at-fsync): "
		       "disarmed", ct->ns->name, (uint64_t)ct->ci.at_fsync);
		ctl_response_free(&ct->resp);
		rc = pc_pf_call(ct->t, ct->ns, &d, &ct->resp, &ct->ci, false);
		if (rc)
			return rc;
	}
	ct->fsyncs = ct->ci.fsyncs;
	ct->clean_ms = pc_now_ms();
	/* its output kept (unless --verbose shows it): a failure shows the end */
	pid = pc_ct_spawn(ct, ct->app, o->seed, !ct->verbose);
	st = pc_ct_wait(pid, ct->timeout_ms, &timed_out);
	ct->clean_ms = pc_now_ms() - ct->clean_ms;
	if (ct_stop)
		return -EINTR;	/* crash_test_online says so */
	if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (ct_base_full(ct)) {
			ct->restart = true;	/* failed at the bound: the copy */
			return 0;
		}
		pc_fail_msg(-EINVAL, "the application fails without a crash (%s)",
			     pc_ct_why(st, timed_out, how, sizeof(how)));
		if (!ct->verbose)
			pc_ct_tail(ct, "application", true);
		return 1;
	}
	rc = pc_ct_status(ct, &ct->ci, &ct->resp);
	if (rc)
		return rc;
	ct->fsyncs = ct->ci.fsyncs - ct->fsyncs;
	pid = pc_ct_spawn(ct, ct->chk, o->seed, true);
	st = pc_ct_wait(pid, ct->timeout_ms, &timed_out);
	if (ct_stop)
		return -EINTR;
	if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (ct_base_full(ct)) {
			ct->restart = true;
			return 0;
		}
		pc_msg("the checker rejects a clean run (%s)",
			pc_ct_why(st, timed_out, how, sizeof(how)));
		pc_ct_tail(ct, "checker", false);
		return 1;
	}
	if (ct->fsyncs == 0 && ct_fsync_only(o))
		return pc_fail_msg(-EINVAL, "the application makes no FSYNC: %s has no crash "
				    "point", o->at_fsync ? "--at-fsync" : o->sweep ? "--sweep" :
				    "--mode fsync");
	if (o->at_fsync > ct->fsyncs)
		return pc_fail_msg(-EINVAL, "--at-fsync %" PRIu32 ": the clean run makes only "
				    "%" PRIu64 " FSYNC%s", o->at_fsync, ct->fsyncs,
				    ct->fsyncs == 1 ? "" : "s");
	if (!ct_fsync_only(o) && o->moment_after_ms > 0 && o->moment_after_ms >= ct->clean_ms)
		return pc_fail_msg(-EINVAL, "--moment-after %g: the clean run ends after %.3f s: "
				    "no moment is left", o->moment_after_ms / 1000,
				    ct->clean_ms / 1000);
	if (ct->fsyncs == 0)
		pc_msg("warning: the application makes no FSYNC (fsync, fdatasync or "
			"msync MS_SYNC of the namespace file): only crashes at a moment are "
			"tested, and each reverts everything it wrote");
	return 0;
}

/*
 * Crash at the armed FSYNC: the application runs into it, or ends first
 * (then the power goes at its end); the daemon reverts once it is gone.
 * Reached is the daemon's word, not the application's wait status: the
 * armed power failure fired (at_fsync counted down to 0) or its revert
 * is running or done. A wrapper that does not exec the process it kills
 * (sh -c 'app; ...', timeout(1)) exits 137 or anything; an application
 * killed by --timeout before its point died of SIGKILL without a crash.
 * *at_fsync is cleared when the crash point was not reached.
 */
static int ct_crash_at_fsync(struct pc_ct *ct, pid_t pid, uint64_t reverts, bool *at_fsync,
			     char *crash, size_t len)
{
	struct ctl_crash_info *ci = &ct->ci;
	bool timed_out, reached;
	double end;
	int rc;

	(void)pc_ct_wait(pid, ct->timeout_ms, &timed_out);
	rc = pc_ct_status(ct, ci, &ct->resp);
	if (rc)
		return rc;
	reached = ci->at_fsync == 0 || ci->reverting || ci->reverts > reverts;
	if (!reached) {
		/* fewer FSYNCs than in the clean run: the power goes at its end */
		struct pc_pf_req a = { .has_at = true, .at_fsync = 0 };

		ctl_response_free(&ct->resp);
		rc = pc_pf_call(ct->t, ct->ns, &a, &ct->resp, ci, false);
		if (rc)
			return rc;
		snprintf(crash + strlen(crash), len - strlen(crash), " (not reached: %s)",
			 timed_out ? "killed after --timeout" : "at the end");
		*at_fsync = false;
		return 0;
	}
	end = pc_now_ms() + 10000;
	do {
		rc = pc_ct_status(ct, ci, &ct->resp);
		if (rc || (ci->reverts > reverts && !ci->reverting))
			break;
		pc_sleep_ms(2);
	} while (pc_now_ms() < end);
	if (rc)
		return rc;
	if (ci->reverts <= reverts)
		return pc_fail_msg(-ETIMEDOUT, "the armed power failure did not "
				    "revert '%s' within 10 s", ct->ns->name);
	return 0;
}

/*
 * Run number run's crash point: FSYNC *k (returns true) or a moment
 * *delay ms into the run. --at-fsync K: K. --sweep: K_i = ceil((i+1)*F/runs)
 * (F/runs, 2F/runs, ..., F; deterministic, for CI). Else drawn from the
 * run's seed as always (so old seeds replay): FSYNC or moment by a coin
 * under --mode both, K uniform in 1..F, a moment uniform in
 * [--moment-after, the clean run's time].
 */
static bool ct_point(const struct pc_ct *ct, const struct crash_test_cmd *o, uint64_t run,
		     uint32_t *k, double *delay)
{
	uint64_t rng = o->seed + run, f = ct->fsyncs;
	bool at_fsync;

	if (o->at_fsync) {
		*k = o->at_fsync;
		return true;
	}
	if (o->sweep) {
		unsigned __int128 x = (unsigned __int128)(run + 1) * f + o->runs - 1;

		*k = (uint32_t)(x / o->runs);
		return true;
	}
	at_fsync = f > 0 && (o->mode == CT_FSYNC || (o->mode == CT_BOTH && pc_mix(&rng) % 2 == 0));
	if (at_fsync)
		*k = (uint32_t)(1 + pc_mix(&rng) % f);
	else
		*delay = o->moment_after_ms + (double)(pc_mix(&rng) % 1000000) / 1e6 *
			 (ct->clean_ms - o->moment_after_ms);
	return at_fsync;
}


/*
 * Arm a's crash point as this process's own: the daemon disarms it once
 * crash-test has exited (killed by SIGKILL, it would kill the next process
 * that FSYNCs). A daemon older than that gets a plain one, said once.
 */
static int ct_arm(struct pc_ct *ct, struct pc_pf_req *a)
{
	int rc;

	ctl_response_free(&ct->resp);
	if (!ct->arm_unowned) {
		a->flags |= CTL_F_OWNED;
		rc = pc_pf_call(ct->t, ct->ns, a, &ct->resp, &ct->ci, true);
		a->flags &= ~CTL_F_OWNED;
		if (rc > 0)	/* quiet: the exit code of out of memory, unsaid */
			return pc_fail_msg(-ENOMEM, "out of memory");
		/* the flag refused as unknown (pmemctl's words: the daemon is older) */
		if (rc < 0 && !(strstr(ns_errormsg(), "is older than this pmemctl") &&
				strstr(ns_errormsg(), "unknown flags")))
			return pc_fail_msg(rc, "%s", ns_errormsg()[0] ? ns_errormsg() :
					   ns_strerror(rc));
		if (rc == 0)
			return 0;
		pc_msg("note: the daemon of '%s' is older than this pmemctl: a crash point "
		       "stays armed if crash-test is killed by SIGKILL (disarm it with "
		       "'pmemctl power-fail %s --at-fsync 0')", ct->t->mountpoint,
		       ct->ns->name);
		ns_err_clear();
		ct->arm_unowned = true;
	}
	return pc_pf_call(ct->t, ct->ns, a, &ct->resp, &ct->ci, false);
}

/* Run number run: from the starting content, crash, revert, check. */
static int ct_run(struct pc_ct *ct, const struct crash_test_cmd *o, uint64_t run)
{
	const struct ctl_ns_info *ns = ct->ns;
	uint64_t s = o->seed + run, reverts;
	struct pc_pf_req r = { .has_survive = o->has_survive, .survive_ppm = o->survive_ppm,
				.has_seed = o->has_survive, .seed = s,
				.flags = o->states ? CTL_F_IMAGE : 0 };
	uint32_t k = 0;
	double delay = 0;
	bool at_fsync = ct_point(ct, o, run, &k, &delay);
	char crash[64], replay[96];
	pid_t pid;
	int rc;

	/* the starting content, durable: the last FSYNC before the run */
	rc = ct_restore(ct);
	if (rc || ct->restart)
		return rc;
	rc = pc_ct_status(ct, &ct->ci, &ct->resp);
	if (rc)
		return rc;
	reverts = ct->ci.reverts;
	if (at_fsync) {
		struct pc_pf_req a = r;

		a.has_at = true;
		a.at_fsync = k;
		snprintf(crash, sizeof(crash), "fsync %u of %" PRIu64, a.at_fsync, ct->fsyncs);
		rc = ct_arm(ct, &a);
		if (rc)
			return rc;
	} else {
		snprintf(crash, sizeof(crash), "after %.1f ms", delay);
	}
	pid = pc_ct_spawn(ct, ct->app, s, false);
	if (at_fsync) {
		rc = ct_crash_at_fsync(ct, pid, reverts, &at_fsync, crash, sizeof(crash));
		if (rc)
			return rc;
	} else {
		double end = pc_now_ms() + delay;

		while (pc_now_ms() < end && !pc_ct_ended(pid) && !ct_stop)
			pc_sleep_ms(0.2);
		/*
		 * its whole group killed (the application, or a wrapper's
		 * program) and reaped: pc_ct_reap signals it only while it is
		 * not reaped (a zombie at worst); once reaped, its pid may be
		 * another process's: never signalled
		 */
		pc_ct_reap(pid);
	}
	if (!at_fsync) {
		ctl_response_free(&ct->resp);
		rc = pc_pf_call(ct->t, ns, &r, &ct->resp, &ct->ci, false);
		if (rc)
			return rc;
	}
	json_object_array_add(ct->points, json_object_new_string(crash));
	/* the options that replay it: its seed, and a swept point */
	snprintf(replay, sizeof(replay), "--seed %" PRIu64 " --runs 1", s);
	if (o->sweep && !o->at_fsync && at_fsync)
		snprintf(replay + strlen(replay), sizeof(replay) - strlen(replay),
			 " --at-fsync %" PRIu32, k);
	if (o->states)
		return ct_states(ct, o, run, s, crash, replay);
	ct_judge(ct, o, run, s, crash, replay);
	return 0;
}

/*
 * The summary at the end: crash points, states checked (one per point
 * today; several once a point's page subsets are checked), states per
 * second over the crash runs (restore, run, revert, checker), each run's
 * point, and on stderr a line with the failing seeds' replays.
 */
static void ct_summary(const struct pc_ct *ct, struct json_object *out)
{
	double per_s = ct->runs_ms > 0 ? (double)ct->states * 1000 / ct->runs_ms : 0;
	size_t i, nf = json_object_array_length(ct->fails);
	char num[32];

	json_object_object_add(out, "crash_points",
			       json_object_new_int64((int64_t)json_object_array_length(ct->points)));
	json_object_object_add(out, "states_checked", json_object_new_int64((int64_t)ct->states));
	snprintf(num, sizeof(num), "%.2f", per_s);
	json_object_object_add(out, "states_per_s", json_object_new_double_s(per_s, num));
	snprintf(num, sizeof(num), "%.1f", ct->runs_ms);
	json_object_object_add(out, "runs_ms", json_object_new_double_s(ct->runs_ms, num));
	json_object_object_add(out, "points", json_object_get(ct->points));
	/* how the starting content came back: a baseline's pages, or the copy */
	json_object_object_add(out, "restore", json_object_new_string(ct->base ? "baseline" :
									 "copy"));
	per_s = ct->restores ? ct->restore_ms / (double)ct->restores : 0;
	snprintf(num, sizeof(num), "%.2f", per_s);
	json_object_object_add(out, "restore_ms", json_object_new_double_s(per_s, num));
	if (ct->base)
		json_object_object_add(out, "pages_restored",
				       json_object_new_int64((int64_t)ct->restored_pages));
	per_s = ct->runs_ms > 0 ? (double)ct->states * 1000 / ct->runs_ms : 0;
	fprintf(stderr, "pmemctl crash-test: %s: %zu crash point%s, %" PRIu64 " state%s checked "
		"in %.1f s (%.2f/s): %u passed, %u failed\n", ct->ns->name,
		json_object_array_length(ct->points),
		json_object_array_length(ct->points) == 1 ? "" : "s", ct->states,
		ct->states == 1 ? "" : "s", ct->runs_ms / 1000, per_s, ct->passed, ct->failed);
	for (i = 0; i < nf; i++) {
		struct json_object *f = json_object_array_get_idx(ct->fails, i), *v;

		fprintf(stderr, "  failed: %s (%s)\n",
			json_object_object_get_ex(f, "replay", &v) ? json_object_get_string(v) : "",
			json_object_object_get_ex(f, "crash", &v) ? json_object_get_string(v) : "");
	}
}

static void ct_report(const struct pc_ct *ct, const struct crash_test_cmd *o)
{
	struct json_object *out = json_object_new_object();
	char ms[32];

	json_object_object_add(out, "namespace", json_object_new_string(ct->ns->name));
	json_object_object_add(out, "seed", json_object_new_uint64(o->seed));
	json_object_object_add(out, "runs", json_object_new_int64((int64_t)o->runs));
	json_object_object_add(out, "passed", json_object_new_int((int)ct->passed));
	json_object_object_add(out, "failed", json_object_new_int((int)ct->failed));
	json_object_object_add(out, "fsyncs", json_object_new_int64((int64_t)ct->fsyncs));
	snprintf(ms, sizeof(ms), "%.1f", ct->clean_ms);
	json_object_object_add(out, "clean_run_ms", json_object_new_double_s(ct->clean_ms, ms));
	if (o->states)
		ct_states_report(ct, out);
	json_object_object_add(out, "failures", json_object_get(ct->fails));
	ct_summary(ct, out);
	pc_json_print(out);
}

/* Crash testing off again if the test turned it on; temporary files gone. */
static void ct_cleanup(struct pc_ct *ct)
{
	if (ct->enabled_here) {
		struct pc_pf_req r = { .flags = CTL_F_DISABLE };

		ctl_response_free(&ct->resp);
		if (pc_pf_call(ct->t, ct->ns, &r, &ct->resp, &ct->ci, true) != 0)
			pc_msg("warning: cannot disable crash testing of '%s'", ct->ns->name);
	}
	ctl_response_free(&ct->resp);
	if (ct->snap_made) {
		unlink(ct->snap);
		close(ct->snap_fd);
	}
	if (ct->out_made) {
		unlink(ct->outfile);
		close(ct->out_fd);
	}
	json_object_put(ct->fails);
	json_object_put(ct->points);
	pc_ct_argv_free(ct->app);
	pc_ct_argv_free(ct->chk);
}

/*
 * One crash-test per namespace at a time: a second one's arming, FSYNC
 * counts, restores and reverts mixed with the first's (a clean run counted
 * the other's FSYNCs, an armed crash point was replaced by the other's).
 * Held by a socket bound to an abstract name made of the serving daemon's
 * pid (SO_PEERCRED of the control connection) and the namespace's uuid
 * (no file: the kernel lets it go when crash-test ends, also by SIGKILL);
 * *fd stays open until then. Not the namespace file's device and inode:
 * the kernel gives a new mount the device number of one unmounted, so a
 * crash-test left running on an unmounted namespace refused one on
 * another region. A socket that cannot be made leaves the test
 * unguarded, never fails it.
 */
static int ct_exclusive(const struct pc_ct *ct, int *fd)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct ucred cr = { 0 };
	socklen_t cl = sizeof(cr);
	char u[33];
	int len, e, i;

	*fd = -1;
	if (!ct->ns->path || !ct->t->client)
		return 0;	/* ct_prepare says what is wrong with it */
	if (getsockopt(ctl_client_fd(ct->t->client), SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0)
		cr.pid = 0;	/* the uuid alone */
	for (i = 0; i < 16; i++)
		snprintf(u + 2 * i, 3, "%02x", ct->ns->uuid[i]);
	len = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "pmemctl-crash-test/%d/%s",
		       (int)cr.pid, u);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return 0;
	if (bind(*fd, (struct sockaddr *)&a,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) == 0)
		return 0;
	e = errno;
	close(*fd);
	*fd = -1;
	if (e != EADDRINUSE)
		return 0;
	return pc_fail_msg(-EBUSY, "another crash-test runs on '%s' (its crash points, "
			    "FSYNC counts and restores would mix with this one's): wait until it "
			    "ends", ct->ns->name);
}

static int crash_test_online(void *obj, const struct pc_args *a)
{
	struct crash_test_cmd *o = obj;
	struct pc_ct ct = { .t = &o->t, .timeout_ms = o->timeout_ms, .verbose = o->verbose,
			     .out_fd = -1, .snap_fd = -1 };
	struct pc_listing l;
	bool saved;
	int rc, excl;

	rc = pc_fault_find(&o->t, &l, a->argv[0], &ct.ns);
	if (rc)
		return rc;
	if ((rc = ct_exclusive(&ct, &excl)) != 0) {
		pc_listing_free(&l);
		return rc;
	}
	ct_signals();
	rc = ct_prepare(&ct, o, a);
	saved = rc == 0;
	while (rc == 0) {
		double t0;

		rc = ct_clean_run(&ct, o);
		if (rc == 0 && !ct.restart) {
			t0 = pc_now_ms();
			ct.fails = json_object_new_array();
			ct.points = json_object_new_array();
			for (uint64_t run = 0; rc == 0 && !ct.restart && run < o->runs && !ct_stop;
			     run++)
				rc = ct_run(&ct, o, run);
			ct.runs_ms = pc_now_ms() - t0;
			/* the starting content back (the last run's bound said too) */
			if (rc == 0 && !ct.restart && !ct_stop)
				rc = ct_restore(&ct);
		}
		if (rc == 0 && ct.restart) {
			rc = ct_fallback(&ct);
			continue;
		}
		if (rc == 0 && !ct_stop) {
			saved = false;	/* restored */
			ct_report(&ct, o);
			rc = ct.failed ? 1 : 0;
		}
		break;
	}
	/*
	 * leave the starting content behind, also when the clean run failed
	 * or left no crash point (what it wrote stayed behind before)
	 */
	if (saved && (ct.base || ct.snap_made) && ct_restore(&ct) != 0) {
		if (ct.snap_made) {
			/* the only copy of it: kept, not removed */
			pc_msg("warning: cannot restore the starting content of '%s': it is "
			       "kept in '%s' (%" PRIu64 " bytes; put it back with dd "
			       "conv=notrunc once the namespace is served)", ct.ns->path,
			       ct.snap, ct.ns->size);
			close(ct.snap_fd);
			ct.snap_made = false;
		} else {
			pc_msg("warning: cannot restore the starting content of '%s'",
			       ct.ns->path);
		}
		saved = false;
	}
	ct_base_end(&ct);
	if (ct_stop)
		rc = pc_fail_msg(-EINTR, "interrupted by %s: the run stopped, its processes "
				  "killed%s", strsignal(ct_stop),
				  saved ? ", the starting content put back" : "");
	ct_cleanup(&ct);
	pc_listing_free(&l);
	if (excl >= 0)
		close(excl);
	return rc;
}

const struct pc_command crash_test_cmd = {
	.usage = &crash_test_usage, .opts = crash_test_opts,
	.size = sizeof(struct crash_test_cmd), .defaults = &crash_test_defaults,
	.flags = PC_CMD_DASHDASH, .check = crash_test_check, .online = crash_test_online,
};
