/* SPDX-License-Identifier: MIT */
/*
 * pmemctl crash-test (crash_test.h): the application's and checker's
 * processes (each in a group of its own, what leaves the group reaped as
 * the subreaper, --timeout), the signals that stop a test, the words of
 * their command lines, and the checker's verdict on a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/crash_test.h"
#include "tools/json_out.h"
#include "tools/msg.h"

double pc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void pc_sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * SIGINT, SIGTERM or SIGHUP (a Ctrl-C, a CI job's timeout): the signal.
 * The run stops where it waits (its processes killed as at --timeout),
 * and crash-test ends as after its last run: the starting content put
 * back, crash testing off if it was off, the temporary files gone. (It
 * died on the spot before: the namespace left as the crash had it, the
 * application running on, a namespace-sized file left in /tmp.)
 */
volatile sig_atomic_t ct_stop;

static void ct_on_signal(int sig)
{
	ct_stop = sig;
}

void ct_signals(void)
{
	struct sigaction sa = { .sa_handler = ct_on_signal, .sa_flags = SA_RESTART };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a reader gone (| head): still clean up */
}

/*
 * The application or checker, in a process group of its own (its pid)
 * with stdin /dev/null: a crash at a moment and --timeout kill the whole
 * group, so a wrapper that does not exec (sh -c 'qemu ...; ...',
 * timeout qemu) does not leave its program running on; nor does anything
 * it left running when it ends (pc_ct_reap).
 */
pid_t pc_ct_spawn(struct pc_ct *ct, char **argv, uint64_t seed, bool capture)
{
	pid_t pid;

	/*
	 * what leaves the group (setsid, a daemon's double fork) and is
	 * orphaned comes to us, not to init: pc_ct_reap_strays kills it
	 */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = fork();

	if (pid > 0)
		(void)setpgid(pid, pid);	/* also in the child: whoever is first */
	if (pid == 0) {
		char s[32];
		int fd = -1, in;

		(void)setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);	/* ignored by crash-test only */
		in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in >= 0)
			dup2(in, 0);

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

/* pid (not reaped) has ended: a zombie, which keeps its group's id ours */
bool pc_ct_ended(pid_t pid)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == pid;
}

/*
 * Our children now, at most max, or -errno: the kernel keeps no list
 * (/proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN), or no
 * descriptor is left for it. pmemctl runs no thread: its own task's list
 * is all of them (one descriptor, also under a low ulimit -n).
 */
static int pc_ct_children(pid_t *out, int max)
{
	char p[64];
	FILE *f;
	long v;
	int n = 0;

	snprintf(p, sizeof(p), "/proc/self/task/%d/children", (int)getpid());
	if (!(f = fopen(p, "re")))
		return -errno;
	while (n < max && fscanf(f, "%ld", &v) == 1)
		out[n++] = (pid_t)v;
	fclose(f);
	return n;
}

/*
 * Kill and reap every child left: the application's or checker's
 * processes that left its group (setsid, a double fork) and came to us as
 * the subreaper (pc_ct_spawn) when their parents died. Their pids are
 * our unreaped children's, nobody else's; each one killed hands its own
 * children to us, so again until none is left. crash-test has no other
 * children at this point.
 */
static void pc_ct_reap_strays(void)
{
	static bool warned;
	pid_t kids[256];
	int n, i, rounds;

	for (rounds = 0; rounds < 10000; rounds++) {
		n = pc_ct_children(kids, (int)(sizeof(kids) / sizeof(kids[0])));
		if (n < 0) {
			if (!warned)
				pc_msg("warning: cannot list crash-test's child processes "
				       "(/proc/self/task/%d/children: %s): what the application "
				       "or checker moves out of its process group is not killed",
				       (int)getpid(), strerror(-n));
			warned = true;
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;	/* the strays that ended */
			return;
		}
		if (n == 0)
			return;
		for (i = 0; i < n; i++)
			kill(kids[i], SIGKILL);
		for (i = 0; i < n; i++)
			while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
				;
	}
}

/*
 * Reap pid, which has ended or was killed; first kill what is left of its
 * process group (while pid is a zombie, its id is nobody else's), then
 * what left the group (pc_ct_reap_strays); returns its wait status.
 * After this, pid is never signalled.
 */
int pc_ct_reap(pid_t pid)
{
	int st = 0;

	kill(-pid, SIGKILL);
	if (!pc_ct_ended(pid))
		kill(pid, SIGKILL);	/* not its group's leader after all */
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			st = -1;
			break;
		}
	pc_ct_reap_strays();
	return st;
}

/* wait for pid up to timeout_ms (then SIGKILL its group); its wait status */
int pc_ct_wait(pid_t pid, int timeout_ms, bool *timed_out)
{
	double end = pc_now_ms() + timeout_ms;

	*timed_out = false;
	for (;;) {
		if (pc_ct_ended(pid))
			return pc_ct_reap(pid);
		if ((pc_now_ms() > end || ct_stop) && !*timed_out) {
			kill(-pid, SIGKILL);
			*timed_out = true;
		}
		pc_sleep_ms(1);
	}
}

/* where the temporary files go: $TMPDIR, else /tmp */
const char *pc_ct_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* the first line of the checker's output, for the report */
static struct json_object *pc_ct_output(const struct pc_ct *ct)
{
	char line[512] = "";
	ssize_t l = pread(ct->out_fd, line, sizeof(line) - 1, 0);

	line[l > 0 ? l : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return json_object_new_string(line);
}

/* word with every {} replaced by path (also inside it: mem-path={}) */
static char *pc_ct_subst(const char *word, const char *path)
{
	size_t n = 0, pl = strlen(path);
	const char *p;
	char *out, *o;

	for (p = word; (p = strstr(p, "{}")); p += 2)
		n++;
	out = malloc(strlen(word) + n * pl + 1);
	if (!out)
		return NULL;
	for (o = out, p = word; *p;) {
		if (p[0] == '{' && p[1] == '}') {
			memcpy(o, path, pl);
			o += pl;
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

void pc_ct_argv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

char **pc_ct_argv(char **from, int n, const char *path)
{
	char **v = calloc((size_t)n + 1, sizeof(*v));
	int i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		if (!(v[i] = pc_ct_subst(from[i], path))) {
			pc_ct_argv_free(v);
			return NULL;
		}
	return v;
}

const char *pc_ct_how(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "signal %d", WTERMSIG(st));
	else
		snprintf(buf, len, "status %#x", st);
	return buf;
}

/* pc_ct_how in words: what a shell means by 127 and 126, a signal's name */
const char *pc_ct_why(int st, bool timed_out, char *buf, size_t len)
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
		pc_ct_how(st, buf, len);
	return buf;
}

/*
 * The last lines of what a run printed (captured in ct->out_fd), on
 * stderr, so that a failure says what the program said; hint: say that
 * --verbose shows all of it (the application's output; the checker's is
 * always captured).
 */
void pc_ct_tail(const struct pc_ct *ct, const char *who, bool hint)
{
	char buf[2048], *p, *start;
	struct stat st;
	off_t from = 0;
	ssize_t l;
	int lines = 0;

	if (fstat(ct->out_fd, &st) < 0 || st.st_size == 0) {
		pc_msg("the %s printed nothing", who);
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
	pc_msg("the %s's last output%s:", who, hint ? " (--verbose shows all of it)" : "");
	for (p = strtok(start, "\n"); p; p = strtok(NULL, "\n"))
		fprintf(stderr, "  | %s\n", p);
}

/*
 * What execvp would find for cmd: 0, -ENOENT (not found: the shell's 127)
 * or -EACCES (found, not an executable file: 126); so that a mistyped
 * application or checker is named before anything is enabled or run.
 */
int pc_ct_findable(const char *cmd)
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

/* The checker's verdict on run (seed s) that crashed as crash says. */
void ct_judge(struct pc_ct *ct, const struct crash_test_cmd *o, uint64_t run,
		     uint64_t s, const char *crash, const char *replay)
{
	struct json_object *f;
	bool timed_out;
	char how[64];
	pid_t pid = pc_ct_spawn(ct, ct->chk, s, true);
	int cst = pc_ct_wait(pid, o->timeout_ms, &timed_out);

	if (ct_stop)
		return;		/* killed by the interruption: no verdict */
	ct->states++;
	if (!timed_out && WIFEXITED(cst) && WEXITSTATUS(cst) == 0) {
		ct->passed++;
		return;
	}
	ct->failed++;
	f = json_object_new_object();
	json_object_object_add(f, "seed", json_object_new_uint64(s));
	json_object_object_add(f, "crash", json_object_new_string(crash));
	json_object_object_add(f, "checker",
			       json_object_new_string(pc_ct_how(cst, how, sizeof(how))));
	json_object_object_add(f, "checker_output", pc_ct_output(ct));
	json_object_object_add(f, "pages_reverted",
			       json_object_new_int64((int64_t)ct->ci.pages_reverted));
	json_object_object_add(f, "pages_kept", json_object_new_int64((int64_t)ct->ci.pages_kept));
	json_object_object_add(f, "replay", json_object_new_string(replay));
	json_object_array_add(ct->fails, f);
	pc_msg("run %" PRIu64 ": seed %" PRIu64 ": power failure %s: checker %s%s "
		"(replay: %s)", run, s, crash, how, timed_out ? ", timed out" : "", replay);
}
