/* SPDX-License-Identifier: MIT */
/*
 * pmemctl power-fail, crash-test, inject-error and clear-errors: fault
 * simulation on a namespace (the daemon's side is src/fs/fault.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "badblocks.h"
#include "client.h"
#include "error.h"
#include "json_out.h"
#include "namespace.h"
#include "online.h"
#include "options.h"
#include "pmemctl.h"
#include "region.h"
#include "target.h"

#define CTL_NEEDS_DAEMON "  161  ENOTSUP: needs a running daemon; or crash testing is not enabled\n"

/* ---- shared ---- */

/* Resolve spec in a listing of the target; reports ENOENT. */
static int ctl_fault_find(struct ctl_target *t, struct ctl_listing *l, const char *spec,
			  const struct ctl_ns_info **out)
{
	int rc = ctl_listing_get(t, l);

	if (rc)
		return rc;
	*out = ctl_listing_find(l, spec);
	if (!*out && ctl_listing_ambiguous()) {
		ctl_listing_free(l);
		return ctl_fail_on(-EINVAL, spec, "namespace '%s'", spec);
	}
	if (!*out) {
		ctl_listing_free(l);
		return ctl_fail_msg(-ENOENT, "no namespace '%s' on '%s'", spec, t->mountpoint);
	}
	return 0;
}

static bool ctl_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno == 0 && *end == '\0';
}

static bool ctl_parse_double(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && *end == '\0' && isfinite(*out);
}

static uint64_t ctl_seed_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid();
}

/* a power-fail request for ns with flags (and its extra attributes) */
struct ctl_pf_req {
	uint32_t flags;
	bool has_survive, has_seed, has_wait, has_at;
	uint32_t survive_ppm, wait_ms, at_fsync;
	uint64_t seed;
};

/* Send it; *ci points into *resp (the caller frees it). Reports failures. */
static int ctl_pf_call(struct ctl_target *t, const struct ctl_ns_info *ns,
		       const struct ctl_pf_req *r, struct ctl_response **resp,
		       struct ctl_crash_info *ci, bool quiet)
{
	struct nl_msg *req = ctl_online_ns_request(CTL_CMD_POWER_FAIL, ns);
	int rc;

	if (!req)
		return ctl_exit_code(-ENOMEM);
	if ((r->flags && ctl_put_u32(req, CTL_A_FLAGS, r->flags) < 0) ||
	    (r->has_survive && ctl_put_u32(req, CTL_A_SURVIVE, r->survive_ppm) < 0) ||
	    (r->has_seed && ctl_put_u64(req, CTL_A_SEED, r->seed) < 0) ||
	    (r->has_wait && ctl_put_u32(req, CTL_A_WAIT_MS, r->wait_ms) < 0) ||
	    (r->has_at && ctl_put_u32(req, CTL_A_AT_FSYNC, r->at_fsync) < 0)) {
		nlmsg_free(req);
		return ctl_fail_msg(-ENOMEM, "out of memory");
	}
	if (quiet) {
		rc = ctl_target_call_quiet(t, req, resp);
		if (rc)
			return rc;
	} else {
		rc = ctl_target_call(t, req, resp);
		if (rc)
			return rc;
	}
	if ((*resp)->nparts != 1 ||
	    ctl_crash_info_get((*resp)->parts[0].attrs[CTL_A_CRASH], ci)) {
		ctl_response_free(resp);
		return quiet ? ns_err(-EPROTO, "the daemon sent no crash-test state") :
			       ctl_fail_msg(-EPROTO, "the daemon sent no crash-test state");
	}
	return 0;
}

static struct json_object *ctl_json_crash(const struct ctl_crash_info *c,
					  const struct ctl_pf_req *r)
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
			json_object_object_add(j, "seed",
					       json_object_new_int64((int64_t)r->seed));
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

/* ---- power-fail ---- */

enum {
	KEY_ENABLE = CTL_OPT_LONG,
	KEY_DISABLE,
	KEY_STATUS,
	KEY_SURVIVE,
	KEY_SEED,
	KEY_KILL,
	KEY_WAIT,
	KEY_AT_FSYNC,
	KEY_RUNS,
	KEY_TIMEOUT,
	KEY_MODE,
	KEY_VERBOSE,
	KEY_OFFSET,
	KEY_LENGTH,
	KEY_BLOCK,
	KEY_COUNT,
	KEY_UNINJECT,
};

static const struct ctl_opt power_fail_opts[] = {
	CTL_TARGET_ONLINE_OPTS,
	CTL_TARGET_REFUSED_FILE,
	{ "enable", KEY_ENABLE, no_argument, NULL,
	  "enable crash testing (the undo log); now counts as the last FSYNC" },
	{ "disable", KEY_DISABLE, no_argument, NULL, "disable crash testing (drops the log)" },
	{ "status", KEY_STATUS, no_argument, NULL, "print the crash-test state only" },
	{ "survive", KEY_SURVIVE, required_argument, "PERCENT",
	  "keep this share of the unflushed pages, chosen by --seed" },
	{ "seed", KEY_SEED, required_argument, "N",
	  "seed of the survivors' choice (default: random, printed)" },
	{ "kill", KEY_KILL, no_argument, NULL, "SIGKILL the processes holding the file first (a descriptor or mapping of that very file: device and inode, not a path)" },
	{ "force", 'f', no_argument, NULL,
	  "revert under open handles and live mappings (they see the reverted content)" },
	{ "wait", KEY_WAIT, required_argument, "SECONDS",
	  "wait this long for holders to let go (default 1, with --kill 5)" },
	{ "at-fsync", KEY_AT_FSYNC, required_argument, "K",
	  "arm: the K-th FSYNC from now kills its caller and reverts (0 disarms)" },
	{ 0 },
};

static const struct ctl_usage power_fail_usage = {
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
		 CTL_NEEDS_DAEMON CTL_TARGET_EXITS,
};

int cmd_power_fail(int argc, char **argv)
{
	struct ctl_target t = { 0 };
	struct ctl_pf_req r = { 0 };
	struct ctl_response *resp = NULL;
	struct ctl_crash_info ci;
	const struct ctl_ns_info *ns;
	struct ctl_listing l;
	struct ctl_parser p;
	unsigned modes = 0;
	double v;
	int c, rc;

	ctl_parser_init(&p, &power_fail_usage, power_fail_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case KEY_ENABLE:
			r.flags |= CTL_F_ENABLE;
			modes++;
			break;
		case KEY_DISABLE:
			r.flags |= CTL_F_DISABLE;
			modes++;
			break;
		case KEY_STATUS:
			r.flags |= CTL_F_STATUS;
			modes++;
			break;
		case KEY_KILL:
			r.flags |= CTL_F_KILL;
			break;
		case 'f':
			r.flags |= CTL_F_FORCE;
			break;
		case KEY_SURVIVE:
			if (!ctl_parse_double(p.arg, &v) || v < 0 || v > 100)
				return ctl_fail_msg(-EINVAL, "bad value for --survive '%s': "
						    "a percentage from 0 to 100", p.arg);
			r.has_survive = true;
			r.survive_ppm = (uint32_t)llround(v * 10000.0);
			break;
		case KEY_SEED:
			if (!ctl_parse_u64(p.arg, &r.seed))
				return ctl_fail_msg(-EINVAL, "bad value for --seed '%s': "
						    "an unsigned number", p.arg);
			r.has_seed = true;
			break;
		case KEY_WAIT:
			if (!ctl_parse_double(p.arg, &v) || v < 0 || v > 3600)
				return ctl_fail_msg(-EINVAL, "bad value for --wait '%s': "
						    "seconds from 0 to 3600", p.arg);
			r.has_wait = true;
			r.wait_ms = (uint32_t)(v * 1000.0);
			if (r.wait_ms == 0)
				r.wait_ms = 1;
			break;
		case KEY_AT_FSYNC: {
			uint64_t k;

			if (!ctl_parse_u64(p.arg, &k) || k > UINT32_MAX)
				return ctl_fail_msg(-EINVAL, "bad value for --at-fsync '%s': "
						    "an FSYNC count (0 disarms)", p.arg);
			r.has_at = true;
			r.at_fsync = (uint32_t)k;
			break;
		}
		default:
			rc = ctl_target_opt(&t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(&p, "no namespace given (a name, uuid or device)");
	if (argc - optind > 1)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind + 1]);
	if (modes > 1)
		return ctl_usage_error(&p, "--enable, --disable and --status exclude each other");
	if ((r.flags & CTL_F_KILL) && (r.flags & CTL_F_FORCE))
		return ctl_usage_error(&p, "--kill and --force exclude each other");
	if (r.has_seed && !r.has_survive)
		return ctl_usage_error(&p, "--seed chooses the survivors: it needs --survive");
	if (modes && (r.flags & (CTL_F_KILL | CTL_F_FORCE)))
		return ctl_usage_error(&p, "--kill and --force apply to a power failure");
	if (r.has_at && (r.flags & (CTL_F_KILL | CTL_F_FORCE | CTL_F_DISABLE | CTL_F_STATUS)))
		return ctl_usage_error(&p, "--at-fsync kills the caller of the FSYNC: it takes "
				       "no --kill, --force, --disable or --status");
	if (r.has_survive && !r.has_seed) {
		r.seed = ctl_seed_now();
		r.has_seed = true;
	}
	rc = ctl_target_check_online(&t, &p);
	if (rc)
		return rc;
	rc = ctl_fault_find(&t, &l, argv[optind], &ns);
	if (rc) {
		ctl_target_close(&t);
		return rc;
	}
	rc = ctl_pf_call(&t, ns, &r, &resp, &ci, false);
	if (rc == 0) {
		ctl_json_print(ctl_json_crash(&ci, &r));
		ctl_response_free(&resp);
	}
	ctl_listing_free(&l);
	ctl_target_close(&t);
	return rc;
}

/* ---- crash-test ---- */

static const struct ctl_opt crash_test_opts[] = {
	CTL_TARGET_ONLINE_OPTS,
	CTL_TARGET_REFUSED_FILE,
	{ "runs", KEY_RUNS, required_argument, "N", "crash runs (default 10)" },
	{ "seed", KEY_SEED, required_argument, "N",
	  "run i uses seed N+i (default: random, printed); --seed S --runs 1 replays seed S" },
	{ "survive", KEY_SURVIVE, required_argument, "PERCENT",
	  "keep this share of the unflushed pages (chosen by the run's seed)" },
	{ "mode", KEY_MODE, required_argument, "MODE",
	  "where to crash: fsync (an FSYNC), moment (a point in time), both (default)" },
	{ "timeout", KEY_TIMEOUT, required_argument, "SECONDS",
	  "limit for each run of the application or checker (default 60)" },
	{ "verbose", KEY_VERBOSE, no_argument, NULL, "show the application's and checker's output" },
	{ 0 },
};

static const struct ctl_usage crash_test_usage = {
	.name = "crash-test",
	.args = "[--mount DIR | --socket PATH] [-r REGION] NAMESPACE [--runs N] [--seed N]\n"
		"       [--survive PERCENT] [--mode fsync|moment|both] [--timeout SECONDS]\n"
		"       [--verbose] -- APP [ARGS...] --check CHECKER [ARGS...]",
	.about = "Crash an application again and again and check what a power failure\n"
		 "leaves. First the application runs once without a crash (counting its\n"
		 "FSYNCs and its time) and the checker must accept the result. Then for\n"
		 "each run: the namespace is set back to its content at the start, the\n"
		 "application runs and is crashed at a random FSYNC (power-fail\n"
		 "--at-fsync) or at a random moment (SIGKILL, then power-fail), both\n"
		 "chosen by the run's seed; the namespace is reverted to its last\n"
		 "completed FSYNC and the checker runs (exit 0: consistent). Crash\n"
		 "testing is enabled for the test if it was not (and disabled after).\n"
		 "In ARGS, {} is replaced by the namespace file's path, which is also in\n"
		 "$PMEMCTL_NAMESPACE_PATH ($PMEMCTL_CRASH_SEED is the run's seed).\n"
		 "Prints JSON: runs, passed, failed, fsyncs (per clean run) and every\n"
		 "failure with its seed, crash point and checker exit status; replay one\n"
		 "with --seed SEED --runs 1 (exact for FSYNC crash points of a\n"
		 "deterministic application; crashes at a moment depend on timing).\n"
		 "An application whose clean run makes no FSYNC is warned about: it\n"
		 "is crashed only at moments, and each crash reverts all it wrote.",
	.exits = "  1    a run failed: the checker found an inconsistent state (or the\n"
		 "       application failed without a crash)\n"
		 "  254  ENOENT: no such namespace\n"
		 CTL_NEEDS_DAEMON CTL_TARGET_EXITS,
};

struct ctl_ct {
	struct ctl_target *t;
	const struct ctl_ns_info *ns;
	char **app, **chk;	/* NULL-terminated, {} replaced */
	int timeout_ms;
	bool verbose;
	char outfile[64];	/* the checker's output of the last run */
	int out_fd;		/* open on it since mkostemp: never reopened by name */
};

static double ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void ctl_sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static pid_t ctl_ct_spawn(struct ctl_ct *ct, char **argv, uint64_t seed, bool capture)
{
	pid_t pid = fork();

	if (pid == 0) {
		char s[32];
		int fd = -1;

		snprintf(s, sizeof(s), "%" PRIu64, seed);
		setenv("PMEMCTL_CRASH_SEED", s, 1);
		setenv("PMEMCTL_NAMESPACE_PATH", ct->ns->path, 1);
		if (capture) {
			/* the file mkostemp made, by its descriptor: a name in
			 * /tmp is never opened again */
			fd = ct->out_fd;
			if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
				fd = -1;
		} else if (!ct->verbose)
			fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		} else {
			dup2(2, 1);	/* our stdout is the JSON */
		}
		execvp(argv[0], argv);
		fprintf(stderr, "pmemctl crash-test: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

/* wait for pid up to timeout_ms (then SIGKILL it); returns its wait status */
static int ctl_ct_wait(pid_t pid, int timeout_ms, bool *timed_out)
{
	double end = ctl_now_ms() + timeout_ms;
	int st = 0;

	*timed_out = false;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return st;
		if (w < 0 && errno != EINTR)
			return -1;
		if (ctl_now_ms() > end && !*timed_out) {
			kill(pid, SIGKILL);
			*timed_out = true;
		}
		ctl_sleep_ms(1);
	}
}

/*
 * copy between the namespace (path, opened here; it exists: nothing is
 * created) and the snapshot (snap_fd, the file mkostemp made, never
 * reopened by name); to_snap says which way; fsync the target
 */
static int ctl_ct_copy(const char *ns_path, int snap_fd, bool to_snap, uint64_t size)
{
	static char buf[1 << 20];
	int nfd = open(ns_path, (to_snap ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	int in = to_snap ? nfd : snap_fd, out = to_snap ? snap_fd : nfd, rc = 0;
	uint64_t off = 0;

	if (nfd < 0) {
		rc = -errno;
		goto out;
	}
	while (off < size) {
		size_t want = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		ssize_t r = pread(in, buf, want, (off_t)off);

		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			goto out;
		}
		if (pwrite(out, buf, (size_t)r, (off_t)off) != r) {
			rc = -errno;
			goto out;
		}
		off += (uint64_t)r;
	}
	if (fsync(out) < 0)
		rc = -errno;
out:
	if (nfd >= 0)
		close(nfd);
	return rc;
}

static int ctl_ct_status(struct ctl_ct *ct, struct ctl_crash_info *ci,
			 struct ctl_response **resp)
{
	struct ctl_pf_req r = { .flags = CTL_F_STATUS };

	ctl_response_free(resp);
	return ctl_pf_call(ct->t, ct->ns, &r, resp, ci, false);
}

static uint64_t ctl_mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* the first line of the checker's output, for the report */
static struct json_object *ctl_ct_output(const struct ctl_ct *ct)
{
	char line[512] = "";
	ssize_t l = pread(ct->out_fd, line, sizeof(line) - 1, 0);

	line[l > 0 ? l : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return json_object_new_string(line);
}

static char **ctl_ct_argv(char **from, int n, const char *path)
{
	char **v = calloc((size_t)n + 1, sizeof(*v));
	int i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = strcmp(from[i], "{}") ? from[i] : (char *)path;
	return v;
}

static const char *ctl_ct_how(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, len, "status %#x", st);
	return buf;
}

/* ctl_ct_how in words: what a shell means by 127 and 126, a signal's name */
static const char *ctl_ct_why(int st, bool timed_out, char *buf, size_t len)
{
	if (timed_out)
		snprintf(buf, len, "killed after --timeout");
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		snprintf(buf, len, "exit 127: a command not found");
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 126)
		snprintf(buf, len, "exit 126: a command not executable");
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "signal %d, %s", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		ctl_ct_how(st, buf, len);
	return buf;
}

/*
 * The last lines of what a run printed (captured in ct->out_fd), on
 * stderr, so that a failure says what the program said; hint: say that
 * --verbose shows all of it (the application's output; the checker's is
 * always captured).
 */
static void ctl_ct_tail(const struct ctl_ct *ct, const char *who, bool hint)
{
	char buf[2048], *p, *start;
	struct stat st;
	off_t from = 0;
	ssize_t l;
	int lines = 0;

	if (fstat(ct->out_fd, &st) < 0 || st.st_size == 0) {
		ctl_msg("the %s printed nothing", who);
		return;
	}
	if (st.st_size > (off_t)sizeof(buf) - 1)
		from = st.st_size - (off_t)sizeof(buf) + 1;
	l = pread(ct->out_fd, buf, sizeof(buf) - 1, from);
	if (l <= 0)
		return;
	buf[l] = '\0';
	/* the last 8 lines, a trailing newline not counted */
	p = buf + l;
	if (p > buf && p[-1] == '\n')
		*--p = '\0';
	start = buf;
	while (p > buf) {
		if (*--p == '\n' && ++lines == 8) {
			start = p + 1;
			break;
		}
	}
	if (from > 0 && start == buf && (start = strchr(buf, '\n')))
		start++;		/* a cut first line: from the next */
	if (!start)
		return;
	ctl_msg("the %s's last output%s:", who, hint ? " (--verbose shows all of it)" : "");
	for (p = strtok(start, "\n"); p; p = strtok(NULL, "\n"))
		fprintf(stderr, "  | %s\n", p);
}

/*
 * What execvp would find for cmd: 0, -ENOENT (not found: the shell's 127)
 * or -EACCES (found, not an executable file: 126); so that a mistyped
 * application or checker is named before anything is enabled or run.
 */
static int ctl_ct_findable(const char *cmd)
{
	const char *path = getenv("PATH"), *p, *e;
	char full[PATH_MAX];
	struct stat st;
	int rc = -ENOENT;

	if (!*cmd)
		return -ENOENT;
	if (strchr(cmd, '/')) {
		if (stat(cmd, &st) < 0)
			return -errno;
		return S_ISREG(st.st_mode) && access(cmd, X_OK) == 0 ? 0 : -EACCES;
	}
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path; ; p = e + 1) {
		size_t dl;

		e = strchr(p, ':');
		dl = e ? (size_t)(e - p) : strlen(p);
		/* an empty entry is the current directory, as execvp takes it */
		if (snprintf(full, sizeof(full), "%.*s%s%s", (int)dl, p, dl ? "/" : "",
			     cmd) < (int)sizeof(full) && stat(full, &st) == 0) {
			if (S_ISREG(st.st_mode) && access(full, X_OK) == 0)
				return 0;
			rc = -EACCES;
		}
		if (!e)
			break;
	}
	return rc;
}

int cmd_crash_test(int argc, char **argv)
{
	struct ctl_target t = { 0 };
	struct ctl_response *resp = NULL;
	struct ctl_crash_info ci;
	const struct ctl_ns_info *ns;
	struct ctl_listing l;
	struct ctl_parser p;
	struct ctl_ct ct = { .timeout_ms = 60000, .out_fd = -1 };
	struct json_object *out = NULL, *fails;
	uint64_t runs = 10, seed = 0, fsyncs = 0;
	uint32_t survive_ppm = 0;
	bool has_seed = false, has_survive = false, enabled_here = false, timed_out;
	bool snap_made = false, out_made = false;
	int snap_fd = -1;
	int mode = 2, dd = -1, chk = -1, c, rc, st, i;
	unsigned passed = 0, failed = 0;
	char snap[64], how[64];
	double v, clean_ms;
	pid_t pid;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dd = i;
			break;
		}
	ctl_parser_init(&p, &crash_test_usage, crash_test_opts);
	while ((c = ctl_parser_next(&p, dd < 0 ? argc : dd, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case KEY_RUNS:
			if (!ctl_parse_u64(p.arg, &runs) || runs == 0 || runs > 1000000)
				return ctl_fail_msg(-EINVAL, "bad value for --runs '%s': "
						    "1 to 1000000", p.arg);
			break;
		case KEY_SEED:
			if (!ctl_parse_u64(p.arg, &seed))
				return ctl_fail_msg(-EINVAL, "bad value for --seed '%s': "
						    "an unsigned number", p.arg);
			has_seed = true;
			break;
		case KEY_SURVIVE:
			if (!ctl_parse_double(p.arg, &v) || v < 0 || v > 100)
				return ctl_fail_msg(-EINVAL, "bad value for --survive '%s': "
						    "a percentage from 0 to 100", p.arg);
			survive_ppm = (uint32_t)llround(v * 10000.0);
			has_survive = true;
			break;
		case KEY_MODE:
			if (!strcmp(p.arg, "fsync"))
				mode = 0;
			else if (!strcmp(p.arg, "moment"))
				mode = 1;
			else if (!strcmp(p.arg, "both"))
				mode = 2;
			else
				return ctl_fail_msg(-EINVAL, "bad value for --mode '%s': fsync, "
						    "moment or both", p.arg);
			break;
		case KEY_TIMEOUT:
			if (!ctl_parse_double(p.arg, &v) || v <= 0 || v > 86400)
				return ctl_fail_msg(-EINVAL, "bad value for --timeout '%s': "
						    "seconds", p.arg);
			ct.timeout_ms = (int)(v * 1000);
			break;
		case KEY_VERBOSE:
			ct.verbose = true;
			break;
		default:
			rc = ctl_target_opt(&t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind >= (dd < 0 ? argc : dd))
		return ctl_usage_error(&p, "no namespace given (a name, uuid or device)");
	if ((dd < 0 ? argc : dd) - optind > 1)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind + 1]);
	if (dd < 0 || dd + 1 >= argc)
		return ctl_usage_error(&p, "no application given: -- APP [ARGS...] --check "
				       "CHECKER [ARGS...]");
	for (i = dd + 1; i < argc; i++)
		if (!strcmp(argv[i], "--check")) {
			chk = i;
			break;
		}
	if (chk < 0 || chk + 1 >= argc)
		return ctl_usage_error(&p, "no checker given: --check CHECKER [ARGS...] after "
				       "the application");
	if (chk == dd + 1)
		return ctl_usage_error(&p, "no application given before --check");
	if (!has_seed)
		seed = ctl_seed_now() % 1000000000u;
	for (i = 0; i < 2; i++) {
		const char *cmd = argv[i ? chk + 1 : dd + 1];
		int f = ctl_ct_findable(cmd);

		if (f == -ENOENT)
			return ctl_fail_msg(f, "the %s '%s' is not found%s (a shell would "
					    "exit 127)", i ? "checker" : "application", cmd,
					    strchr(cmd, '/') ? "" : " in PATH");
		if (f < 0)
			return ctl_fail_msg(f, "the %s '%s' is not an executable file (a "
					    "shell would exit 126)",
					    i ? "checker" : "application", cmd);
	}
	rc = ctl_target_check_online(&t, &p);
	if (rc)
		return rc;
	rc = ctl_fault_find(&t, &l, argv[optind], &ns);
	if (rc) {
		ctl_target_close(&t);
		return rc;
	}
	ct.t = &t;
	ct.ns = ns;
	if (!ns->path) {
		rc = ctl_fail_msg(-NS_E_NOT_SERVED, "namespace '%s' is not served",
				  argv[optind]);
		goto out;
	}
	ct.app = ctl_ct_argv(argv + dd + 1, chk - dd - 1, ns->path);
	ct.chk = ctl_ct_argv(argv + chk + 1, argc - chk - 1, ns->path);
	snprintf(snap, sizeof(snap), "/tmp/pmemctl-crash-XXXXXX");
	snprintf(ct.outfile, sizeof(ct.outfile), "/tmp/pmemctl-check-XXXXXX");
	{
		int fd = mkostemp(snap, O_CLOEXEC), fd2 = mkostemp(ct.outfile, O_CLOEXEC);

		/* kept open: the files are used by descriptor only */
		if (fd >= 0) {
			snap_fd = fd;
			snap_made = true;
		}
		if (fd2 >= 0) {
			ct.out_fd = fd2;
			out_made = true;
		}
		if (fd < 0 || fd2 < 0 || !ct.app || !ct.chk) {
			rc = ctl_fail_msg(-errno, "cannot create temporary files in /tmp");
			goto out;
		}
	}

	/* crash testing on, the starting content saved */
	rc = ctl_ct_status(&ct, &ci, &resp);
	if (rc)
		goto out;
	if (!ci.enabled) {
		struct ctl_pf_req r = { .flags = CTL_F_ENABLE };

		ctl_response_free(&resp);
		rc = ctl_pf_call(&t, ns, &r, &resp, &ci, false);
		if (rc)
			goto out;
		enabled_here = true;
	}
	rc = ctl_ct_copy(ns->path, snap_fd, true, ns->size);
	if (rc) {
		rc = ctl_fail_msg(rc, "cannot save the content of '%s': %s", ns->path,
				  strerror(-rc));
		goto out;
	}

	/* a clean run: the FSYNCs it makes, how long it takes, a happy checker */
	rc = ctl_ct_status(&ct, &ci, &resp);
	if (rc)
		goto out;
	fsyncs = ci.fsyncs;
	clean_ms = ctl_now_ms();
	/* its output kept (unless --verbose shows it): a failure shows the end */
	pid = ctl_ct_spawn(&ct, ct.app, seed, !ct.verbose);
	st = ctl_ct_wait(pid, ct.timeout_ms, &timed_out);
	clean_ms = ctl_now_ms() - clean_ms;
	if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		ctl_fail_msg(-EINVAL, "the application fails without a crash (%s)",
			     ctl_ct_why(st, timed_out, how, sizeof(how)));
		if (!ct.verbose)
			ctl_ct_tail(&ct, "application", true);
		rc = 1;
		goto out;
	}
	rc = ctl_ct_status(&ct, &ci, &resp);
	if (rc)
		goto out;
	fsyncs = ci.fsyncs - fsyncs;
	pid = ctl_ct_spawn(&ct, ct.chk, seed, true);
	st = ctl_ct_wait(pid, ct.timeout_ms, &timed_out);
	if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		ctl_msg("the checker rejects a clean run (%s)",
			ctl_ct_why(st, timed_out, how, sizeof(how)));
		ctl_ct_tail(&ct, "checker", false);
		rc = 1;
		goto out;
	}
	if (fsyncs == 0 && mode == 0) {
		rc = ctl_fail_msg(-EINVAL, "the application makes no FSYNC: --mode fsync has "
				  "no crash point");
		goto out;
	}
	if (fsyncs == 0)
		ctl_msg("warning: the application makes no FSYNC (fsync, fdatasync or "
			"msync MS_SYNC of the namespace file): only crashes at a moment are "
			"tested, and each reverts everything it wrote");

	out = json_object_new_object();
	fails = json_object_new_array();
	for (uint64_t run = 0; run < runs; run++) {
		uint64_t s = seed + run, rng = s, reverts;
		struct ctl_pf_req r = { .has_survive = has_survive, .survive_ppm = survive_ppm,
					.has_seed = has_survive, .seed = s };
		bool at_fsync = fsyncs > 0 && (mode == 0 || (mode == 2 && ctl_mix(&rng) % 2 == 0));
		char crash[64];
		double delay = 0;
		int cst;

		/* the starting content, durable: the last FSYNC before the run */
		rc = ctl_ct_copy(ns->path, snap_fd, false, ns->size);
		if (rc) {
			rc = ctl_fail_msg(rc, "cannot restore '%s': %s", ns->path, strerror(-rc));
			break;
		}
		rc = ctl_ct_status(&ct, &ci, &resp);
		if (rc)
			break;
		reverts = ci.reverts;
		if (at_fsync) {
			struct ctl_pf_req a = r;

			a.has_at = true;
			a.at_fsync = (uint32_t)(1 + ctl_mix(&rng) % fsyncs);
			snprintf(crash, sizeof(crash), "fsync %u of %" PRIu64, a.at_fsync, fsyncs);
			ctl_response_free(&resp);
			rc = ctl_pf_call(&t, ns, &a, &resp, &ci, false);
			if (rc)
				break;
		} else {
			delay = (double)(ctl_mix(&rng) % 1000000) / 1e6 * clean_ms;
			snprintf(crash, sizeof(crash), "after %.1f ms", delay);
		}
		pid = ctl_ct_spawn(&ct, ct.app, s, false);
		if (!at_fsync) {
			double end = ctl_now_ms() + delay;

			while (ctl_now_ms() < end && waitpid(pid, &st, WNOHANG) == 0)
				ctl_sleep_ms(0.2);
			kill(pid, SIGKILL);	/* a no-op on a zombie */
		}
		st = ctl_ct_wait(pid, ct.timeout_ms, &timed_out);
		if (at_fsync && !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)) {
			/* fewer FSYNCs than in the clean run: the power goes at its end */
			struct ctl_pf_req a = { .has_at = true, .at_fsync = 0 };

			ctl_response_free(&resp);
			rc = ctl_pf_call(&t, ns, &a, &resp, &ci, false);
			if (rc)
				break;
			snprintf(crash + strlen(crash), sizeof(crash) - strlen(crash),
				 " (not reached: at the end)");
			at_fsync = false;
		}
		if (at_fsync) {
			/* the daemon reverts once the process is gone */
			double end = ctl_now_ms() + 10000;

			do {
				rc = ctl_ct_status(&ct, &ci, &resp);
				if (rc || (ci.reverts > reverts && !ci.reverting))
					break;
				ctl_sleep_ms(2);
			} while (ctl_now_ms() < end);
			if (rc)
				break;
			if (ci.reverts <= reverts) {
				rc = ctl_fail_msg(-ETIMEDOUT, "the armed power failure did not "
						  "revert '%s' within 10 s", ns->name);
				break;
			}
		} else {
			ctl_response_free(&resp);
			rc = ctl_pf_call(&t, ns, &r, &resp, &ci, false);
			if (rc)
				break;
		}
		pid = ctl_ct_spawn(&ct, ct.chk, s, true);
		cst = ctl_ct_wait(pid, ct.timeout_ms, &timed_out);
		if (!timed_out && WIFEXITED(cst) && WEXITSTATUS(cst) == 0) {
			passed++;
			continue;
		}
		failed++;
		{
			struct json_object *f = json_object_new_object();

			json_object_object_add(f, "seed", json_object_new_int64((int64_t)s));
			json_object_object_add(f, "crash", json_object_new_string(crash));
			json_object_object_add(f, "checker",
				json_object_new_string(ctl_ct_how(cst, how, sizeof(how))));
			json_object_object_add(f, "checker_output", ctl_ct_output(&ct));
			json_object_object_add(f, "pages_reverted",
					       json_object_new_int64((int64_t)ci.pages_reverted));
			json_object_object_add(f, "pages_kept",
					       json_object_new_int64((int64_t)ci.pages_kept));
			json_object_array_add(fails, f);
		}
		ctl_msg("run %" PRIu64 ": seed %" PRIu64 ": power failure %s: checker %s%s "
			"(replay: --seed %" PRIu64 " --runs 1)", run, s, crash, how,
			timed_out ? ", timed out" : "", s);
	}
	if (rc == 0) {
		json_object_object_add(out, "namespace", json_object_new_string(ns->name));
		json_object_object_add(out, "seed", json_object_new_int64((int64_t)seed));
		json_object_object_add(out, "runs", json_object_new_int64((int64_t)runs));
		json_object_object_add(out, "passed", json_object_new_int((int)passed));
		json_object_object_add(out, "failed", json_object_new_int((int)failed));
		json_object_object_add(out, "fsyncs", json_object_new_int64((int64_t)fsyncs));
		{
			char ms[32];

			snprintf(ms, sizeof(ms), "%.1f", clean_ms);
			json_object_object_add(out, "clean_run_ms",
					       json_object_new_double_s(clean_ms, ms));
		}
		json_object_object_add(out, "failures", fails);
		ctl_json_print(out);
		out = NULL;
		rc = failed ? 1 : 0;
	} else {
		json_object_put(fails);
	}
	/* leave the starting content behind */
	if (ctl_ct_copy(ns->path, snap_fd, false, ns->size) < 0)
		ctl_msg("warning: cannot restore the starting content of '%s'", ns->path);
out:
	json_object_put(out);
	if (enabled_here) {
		struct ctl_pf_req r = { .flags = CTL_F_DISABLE };

		ctl_response_free(&resp);
		if (ctl_pf_call(&t, ns, &r, &resp, &ci, true) != 0)
			ctl_msg("warning: cannot disable crash testing of '%s'", ns->name);
	}
	ctl_response_free(&resp);
	if (snap_made) {
		unlink(snap);
		close(snap_fd);
	}
	if (out_made) {
		unlink(ct.outfile);
		close(ct.out_fd);
	}
	free(ct.app);
	free(ct.chk);
	ctl_listing_free(&l);
	ctl_target_close(&t);
	return rc;
}

/* ---- inject-error, clear-errors ---- */

static const struct ctl_opt inject_opts[] = {
	CTL_TARGET_OPTS,
	{ "offset", KEY_OFFSET, required_argument, "BYTES", "start of the range in the namespace" },
	{ "length", KEY_LENGTH, required_argument, "BYTES", "bytes (default 512)" },
	{ "block", 'B', required_argument, "N", "start as a 512-byte block number (ndctl's)" },
	{ "count", 'n', required_argument, "N", "512-byte blocks (ndctl's; default 1)" },
	{ "uninject", 'd', no_argument, NULL, "clear the range instead" },
	{ "status", 's', no_argument, NULL, "print the namespace's media errors only" },
	{ 0 },
};

static const struct ctl_usage inject_usage = {
	.name = "inject-error",
	.args = CTL_TARGET_ARGS " [-r REGION] NAMESPACE\n"
		"       (--offset BYTES [--length BYTES] | -B BLOCK [-n COUNT]) [-d] | -s",
	.about = "Make a range of a namespace fail as a real NVDIMM's poisoned lines do:\n"
		 "reads of it fail with EIO (a mapped access gets SIGBUS; a buffered read\n"
		 "fails for the whole 4 KiB page). A write(2), buffered or O_DIRECT, clears\n"
		 "the blocks it covers entirely, as writing clears poison on pmem (dd bs=512\n"
		 "conv=notrunc seek=BLOCK); one covering part of a poisoned block fails with\n"
		 "EIO and writes nothing; stores through a mapping (SIGBUS) and fallocate\n"
		 "do not clear. The range is widened to whole 512-byte blocks. Errors are\n"
		 "kept beside the region file (REGION_FILE.badblocks), never in the label\n"
		 "area, so they survive a remount; 'list --media-errors' and 'check-labels'\n"
		 "report them.\n"
		 "Prints the namespace's errors in ndctl's --status shape:\n"
		 "{\"dev\", \"badblocks\": [{\"block\", \"count\"}]} (512-byte blocks).\n\n"
		 CTL_TARGET_ABOUT,
	.exits = "  234  EINVAL: the range is not inside the namespace\n"
		 "  254  ENOENT: no such namespace\n"
		 "  228  ENOSPC: too many separate ranges (4096)\n" CTL_TARGET_EXITS,
};

static struct json_object *ctl_json_bb_status(const char *dev, const struct ns_bb_range *v,
					      size_t n)
{
	struct json_object *j = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		struct json_object *b = json_object_new_object();

		json_object_object_add(b, "block",
				       json_object_new_int64((int64_t)(v[i].off / NS_BB_BLOCK)));
		json_object_object_add(b, "count",
				       json_object_new_int64((int64_t)(v[i].len / NS_BB_BLOCK)));
		json_object_array_add(a, b);
	}
	json_object_object_add(j, "dev", json_object_new_string(dev));
	json_object_object_add(j, "badblocks", a);
	return j;
}

/* one inject-error request online; prints the status */
static int ctl_inject_online(struct ctl_target *t, const struct ctl_ns_info *ns,
			     uint32_t flags, bool range, uint64_t off, uint64_t len,
			     struct json_object *arr)
{
	struct nl_msg *req = ctl_online_ns_request(CTL_CMD_INJECT_ERROR, ns);
	struct ctl_response *resp = NULL;
	struct ns_bb_range *v;
	unsigned i, n = 0;
	int rc;

	if (!req)
		return ctl_exit_code(-ENOMEM);
	if ((flags && ctl_put_u32(req, CTL_A_FLAGS, flags) < 0) ||
	    (range && (ctl_put_u64(req, CTL_A_OFFSET, off) < 0 ||
		       ctl_put_u64(req, CTL_A_LENGTH, len) < 0))) {
		nlmsg_free(req);
		return ctl_fail_msg(-ENOMEM, "out of memory");
	}
	rc = ctl_target_call(t, req, &resp);
	if (rc)
		return rc;
	v = calloc(resp->nparts + 1, sizeof(*v));
	for (i = 0; v && i < resp->nparts; i++) {
		struct ctl_bb_info b;

		if (ctl_bb_info_get(resp->parts[i].attrs[CTL_A_BADBLOCK], &b) == 0) {
			v[n].off = b.offset;
			v[n++].len = b.length;
		}
	}
	json_object_array_add(arr, ctl_json_bb_status(ns->dev, v, n));
	free(v);
	ctl_response_free(&resp);
	return 0;
}

/* offline: change the sidecar beside the region file */
static int ctl_inject_offline(struct ctl_target *t, const char *spec, uint32_t flags,
			      bool range, uint64_t off, uint64_t len, struct json_object *arr)
{
	struct ns_region *r = NULL;
	struct ns_namespace *ns;
	struct ns_badblocks bb = { 0 };
	struct ns_bb_range *v = NULL;
	uint64_t dpa, size;
	size_t n;
	int rc;

	rc = ctl_target_open(t, CTL_OPEN_WRITE, &r);
	if (rc)
		return rc;
	ns_err_clear();
	ns = ns_region_find_namespace(r, spec);
	if (!ns && *ns_errormsg()) {
		rc = ctl_fail(-EINVAL, "namespace '%s'", spec);
		goto out;
	}
	if (!ns) {
		rc = ctl_fail_msg(-ENOENT, "no namespace '%s' in '%s'", spec, t->file);
		goto out;
	}
	dpa = ns_namespace_dpa(ns);
	size = ns_namespace_size(ns);
	rc = ctl_bb_load_tool(r, &bb);
	if (rc == 0 && range && (off >= size || len > size - off || len == 0))
		rc = ns_err(-EINVAL, "range %" PRIu64 "+%" PRIu64 " is not inside '%s' "
			    "(%" PRIu64 " bytes)", off, len, spec, size);
	if (rc == 0 && (flags & CTL_F_CLEAR)) {
		rc = (int)ns_bb_clear(&bb, dpa, size);
	} else if (rc == 0 && range && (flags & CTL_F_UNINJECT)) {
		uint64_t s = off - off % NS_BB_BLOCK, e = off + len;

		e = (e + NS_BB_BLOCK - 1) / NS_BB_BLOCK * NS_BB_BLOCK;
		rc = (int)ns_bb_clear(&bb, dpa + s, (e > size ? size : e) - s);
	} else if (rc == 0 && range) {
		rc = ns_bb_add(&bb, dpa + off, len);
	}
	if (rc >= 0 && (range || (flags & CTL_F_CLEAR)))
		rc = ns_bb_save_region(r, &bb);
	if (rc < 0) {
		rc = ctl_fail(rc, "cannot change the media errors of '%s'", spec);
		goto out;
	}
	rc = 0;
	n = ns_bb_clip(&bb, dpa, size, NULL, 0);
	v = calloc(n + 1, sizeof(*v));
	if (v) {
		ns_bb_clip(&bb, dpa, size, v, n);
		json_object_array_add(arr, ctl_json_bb_status(ns_namespace_devname(ns), v, n));
	}
out:
	free(v);
	ns_bb_free(&bb);
	ns_region_close(&r);
	return rc;
}

static void ctl_print_list(struct json_object *arr)
{
	if (json_object_array_length(arr) == 1) {
		struct json_object *one = json_object_get(json_object_array_get_idx(arr, 0));

		json_object_put(arr);
		ctl_json_print(one);
		return;
	}
	ctl_json_print(arr);
}

int cmd_inject_error(int argc, char **argv)
{
	struct ctl_target t = { 0 };
	struct ctl_parser p;
	uint64_t off = 0, len = NS_BB_BLOCK, v;
	bool has_off = false, has_len = false, has_block = false, has_count = false;
	bool status = false;
	uint32_t flags = 0;
	struct json_object *arr;
	int c, rc;

	ctl_parser_init(&p, &inject_usage, inject_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case KEY_OFFSET:
			if (ctl_opt_size(&p, &off) < 0)
				return ctl_exit_code(-EINVAL);
			has_off = true;
			break;
		case KEY_LENGTH:
			if (ctl_opt_size(&p, &len) < 0)
				return ctl_exit_code(-EINVAL);
			if (len == 0)
				return ctl_fail_msg(-EINVAL, "bad value for --length '%s': at "
						    "least 1 byte (it is widened to a "
						    "512-byte block)", p.arg);
			has_len = true;
			break;
		case 'B':
			if (!ctl_parse_u64(p.arg, &v) || v > UINT64_MAX / NS_BB_BLOCK)
				return ctl_fail_msg(-EINVAL, "bad value for --block '%s'", p.arg);
			off = v * NS_BB_BLOCK;
			has_block = true;
			break;
		case 'n':
			if (!ctl_parse_u64(p.arg, &v) || v == 0 || v > UINT64_MAX / NS_BB_BLOCK)
				return ctl_fail_msg(-EINVAL, "bad value for --count '%s': a number "
						    "of 512-byte blocks, at least 1", p.arg);
			len = v * NS_BB_BLOCK;
			has_count = true;
			break;
		case 'd':
			flags |= CTL_F_UNINJECT;
			break;
		case 's':
			status = true;
			break;
		default:
			rc = ctl_target_opt(&t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(&p, "no namespace given (a name, uuid or device)");
	if (argc - optind > 1)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind + 1]);
	if ((has_off || has_len) && (has_block || has_count))
		return ctl_usage_error(&p, "give the range in bytes (--offset/--length) or in "
				       "blocks (--block/--count), not both");
	if ((has_len && !has_off) || (has_count && !has_block))
		return ctl_usage_error(&p, "a length needs its start (--offset or --block)");
	if (status && (has_off || has_block || flags))
		return ctl_usage_error(&p, "--status takes no range and no --uninject");
	if (!status && !has_off && !has_block)
		return ctl_usage_error(&p, "no range given: --offset BYTES or --block N "
				       "(or --status)");
	rc = ctl_target_check(&t, &p);
	if (rc)
		return rc;
	arr = json_object_new_array();
	if (t.online) {
		const struct ctl_ns_info *ns;
		struct ctl_listing l;

		rc = ctl_fault_find(&t, &l, argv[optind], &ns);
		if (rc == 0) {
			rc = ctl_inject_online(&t, ns, flags, !status, off, len, arr);
			ctl_listing_free(&l);
		}
		ctl_target_close(&t);
	} else {
		rc = ctl_inject_offline(&t, argv[optind], flags, !status, off, len, arr);
	}
	if (rc == 0)
		ctl_print_list(arr);
	else
		json_object_put(arr);
	return rc;
}

static const struct ctl_opt clear_opts[] = {
	CTL_TARGET_OPTS,
	{ 0 },
};

static const struct ctl_usage clear_usage = {
	.name = "clear-errors",
	.args = CTL_TARGET_ARGS " [-r REGION] NAMESPACE|all...",
	.about = "Clear every injected media error of the namespaces ('all': every\n"
		 "served one; offline every one in the file) and print their (empty)\n"
		 "error lists as inject-error --status does.\n\n" CTL_TARGET_ABOUT,
	.exits = "  254  ENOENT: no such namespace\n" CTL_TARGET_EXITS,
};

int cmd_clear_errors(int argc, char **argv)
{
	struct ctl_target t = { 0 };
	struct ctl_parser p;
	struct json_object *arr;
	int c, rc = 0, i;

	ctl_parser_init(&p, &clear_usage, clear_opts);
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
	if (optind >= argc)
		return ctl_usage_error(&p, "no namespace given (a name, uuid, device or all)");
	rc = ctl_target_check(&t, &p);
	if (rc)
		return rc;
	arr = json_object_new_array();
	if (t.online) {
		struct ctl_listing l;

		rc = ctl_listing_get(&t, &l);
		for (i = optind; rc == 0 && i < argc; i++) {
			bool all = !strcmp(argv[i], "all");
			const struct ctl_ns_info *one = all ? NULL : ctl_listing_find(&l, argv[i]);

			if (!all && !one && ctl_listing_ambiguous()) {
				rc = ctl_fail_on(-EINVAL, argv[i], "namespace '%s'", argv[i]);
				break;
			}
			if (!all && !one) {
				rc = ctl_fail_msg(-ENOENT, "no namespace '%s' on '%s'", argv[i],
						  t.mountpoint);
				break;
			}
			for (unsigned k = 0; rc == 0 && k < l.nns; k++)
				if (all ? ctl_ns_info_active(&l.ns[k]) : &l.ns[k] == one)
					rc = ctl_inject_online(&t, &l.ns[k], CTL_F_CLEAR, false,
							       0, 0, arr);
		}
		ctl_listing_free(&l);
		ctl_target_close(&t);
	} else {
		for (i = optind; rc == 0 && i < argc; i++) {
			if (!strcmp(argv[i], "all")) {
				struct ns_region *r = NULL;
				struct ns_badblocks bb = { 0 };

				rc = ctl_target_open(&t, CTL_OPEN_WRITE, &r);
				if (rc)
					break;
				rc = ns_bb_save_region(r, &bb);
				if (rc)
					rc = ctl_fail(rc, "cannot clear media errors");
				ns_region_close(&r);
				continue;
			}
			rc = ctl_inject_offline(&t, argv[i], CTL_F_CLEAR, false, 0, 0, arr);
		}
	}
	if (rc == 0)
		ctl_print_list(arr);
	else
		json_object_put(arr);
	return rc;
}

int ctl_bb_load_tool(const struct ns_region *r, struct ns_badblocks *bb)
{
	int rc = ns_bb_load_region(r, bb);

	if (rc == NS_BB_STALE) {
		ctl_msg("warning: %s", ns_errormsg());
		ns_err_clear();
		rc = 0;
	}
	return rc;
}
