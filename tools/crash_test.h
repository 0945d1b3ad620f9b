/* SPDX-License-Identifier: MIT */
/*
 * pmemctl crash-test's parts, driven by cmd_crash_test.c (options, the
 * clean run, each run's crash point, the report):
 *   crash_test_proc.c     the application's and checker's processes
 *                         (spawn, wait, reap, strays, signals) and the
 *                         checker's verdict
 *   crash_test_content.c  the starting content: a baseline in the daemon,
 *                         or a copy in $TMPDIR, and its restore
 *   crash_test_states.c   crash states (--states): many states of one
 *                         crash point
 * The arrows point one way: cmd_crash_test.c to the three, states and
 * content to proc.
 */
#ifndef PMEMCTL_CRASH_TEST_H
#define PMEMCTL_CRASH_TEST_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "ctl/client.h"
#include "tools/target.h"

enum { CT_FSYNC, CT_MOMENT, CT_BOTH };

struct crash_test_cmd {
	struct pc_target t;
	uint64_t runs, seed;
	uint32_t survive_ppm;
	bool has_survive;
	unsigned mode;		/* CT_* */
	int timeout_ms;
	bool verbose;
	int chk;		/* "--check" in the words after "--" */
	double moment_after_ms;	/* --moment-after: moments drawn after this */
	bool sweep;		/* --sweep: FSYNC K_i = ceil((i+1)*F/runs) */
	uint32_t at_fsync;	/* --at-fsync K: every run at FSYNC K (0: not given) */
	/* crash states (ct_states): every subset up to max_subset pages, else samples */
	bool states, has_state;
	uint32_t max_subset, samples, torn_ppm;
	uint64_t state;
	uint64_t baseline_max;	/* --baseline-max: bytes; 0: the copy */
	bool has_baseline_max;
};

/* One crash-test: what its parts share. */
struct pc_ct {
	struct pc_target *t;
	const struct ctl_ns_info *ns;
	char **app, **chk;	/* NULL-terminated, {} replaced */
	int timeout_ms;
	bool verbose;
	char outfile[PATH_MAX];	/* the checker's output of the last run */
	int out_fd;		/* open on it since mkostemp: never reopened by name */

	/* the test */
	bool base;		/* the daemon keeps the starting content (a baseline) */
	bool restart;		/* the baseline outgrew its bound: start over with the copy */
	uint64_t base_max;	/* its bound in bytes (the daemon's answer) */
	uint64_t restores, restored_pages;
	double restore_ms;	/* every restore's time */
	char snap[PATH_MAX];	/* the namespace's starting content */
	int snap_fd;
	bool snap_made, out_made, enabled_here;
	bool arm_unowned;	/* the daemon is older than the flag 'owned' */
	struct ctl_response *resp;	/* of the last request; ci points into it */
	struct ctl_crash_info ci;
	uint64_t fsyncs;	/* of the clean run */
	double clean_ms;
	unsigned passed, failed;
	struct json_object *fails;
	/* the summary (ct_summary): */
	struct json_object *points;	/* each run's crash point */
	uint64_t states;	/* states the checker judged (one per crash point today) */
	double runs_ms;		/* the crash runs' wall time */
	/* crash states (ct_states): distinct ones, the time spent on them */
	uint64_t distinct;
	double states_ms;
	uint64_t images_over;	/* points whose image went over the daemon's bound */
};

/* ---- crash_test_proc.c ---- */

double pc_now_ms(void);
void pc_sleep_ms(double ms);
/* where the temporary files go: $TMPDIR, else /tmp */
const char *pc_ct_tmpdir(void);

/* the signal (SIGINT, SIGTERM, SIGHUP) that stops the test, or 0 */
extern volatile sig_atomic_t ct_stop;
/* catch them (ct_stop), and ignore SIGPIPE */
void ct_signals(void);

/* the application or checker started (capture: its output into ct->out_fd) */
pid_t pc_ct_spawn(struct pc_ct *ct, char **argv, uint64_t seed, bool capture);
/* pid (not reaped) has ended */
bool pc_ct_ended(pid_t pid);
/* pid reaped, its group and strays killed; its wait status */
int pc_ct_reap(pid_t pid);
/* wait for pid up to timeout_ms (then SIGKILL its group); its wait status */
int pc_ct_wait(pid_t pid, int timeout_ms, bool *timed_out);

/* the words after "--", every {} replaced by path; NULL when out of memory */
char **pc_ct_argv(char **from, int n, const char *path);
void pc_ct_argv_free(char **v);
/* a wait status as "exit N" or "signal N"; pc_ct_why: in words */
const char *pc_ct_how(int st, char *buf, size_t len);
const char *pc_ct_why(int st, bool timed_out, char *buf, size_t len);
/* the last lines of what a run printed (ct->out_fd), on stderr */
void pc_ct_tail(const struct pc_ct *ct, const char *who, bool hint);
/* what execvp would find for cmd: 0, -ENOENT or -EACCES */
int pc_ct_findable(const char *cmd);
/* The checker's verdict on run (seed s) that crashed as crash says. */
void ct_judge(struct pc_ct *ct, const struct crash_test_cmd *o, uint64_t run,
	      uint64_t s, const char *crash, const char *replay);

/* ---- crash_test_content.c ---- */

/* the starting content kept: a baseline in the daemon, else the copy */
int ct_base_begin(struct pc_ct *ct, const struct crash_test_cmd *o);
/* the copy: the namespace's content now into a new file in $TMPDIR */
int ct_copy_start(struct pc_ct *ct);
/* the starting content put back (ct->restart: the baseline hit its bound) */
int ct_restore(struct pc_ct *ct);
/* a change was refused at the baseline's bound (since the last restore) */
bool ct_base_full(struct pc_ct *ct);
/* the baseline released (a warning if it cannot be) */
void ct_base_end(struct pc_ct *ct);

/* ---- crash_test_states.c ---- */

/* before anything runs: the daemon knows crash-state (an old one refuses) */
int ct_states_probe(struct pc_ct *ct, const struct crash_test_cmd *o);
/* the states of run's crash point (seed s), each judged; the image dropped */
int ct_states(struct pc_ct *ct, const struct crash_test_cmd *o, uint64_t run,
	      uint64_t s, const char *crash, const char *replay);
/* --states' part of the summary */
void ct_states_report(const struct pc_ct *ct, struct json_object *out);

#endif
