// SPDX-License-Identifier: MIT
/*
 * Armed crashes (fault.h): the FSYNC the dispatch said fires is answered
 * with EIO after its caller is SIGKILLed, and a detached thread of ours
 * reverts the namespace (powerfail.c's steps 2-4) once the caller is
 * gone, holding the file through daemon.c as an OPEN does.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs/fault.h"
#include "fs/fs.h"
#include "fs/log.h"

/* how long an armed crash waits for the killed process to be gone (ms) */
#define FS_PF_DEATH_WAIT_MS 5000u

/* pid is gone or a zombie (its files and mappings are released) */
static bool pid_gone(pid_t pid)
{
	char p[64], buf[512], *s;
	FILE *f;
	bool gone = true;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f) && (s = strrchr(buf, ')')) && s[1] == ' ')
		gone = s[2] == 'Z' || s[2] == 'X';
	fclose(f);
	return gone;
}

static pid_t tgid_of(pid_t tid)
{
	char p[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)tid);
	f = fopen(p, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

static pthread_mutex_t fire_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fire_cond = PTHREAD_COND_INITIALIZER;
static unsigned fire_running;

struct fire_job {
	struct fs_daemon *d;
	struct fs_inode *file;
	pid_t pid;
	uint64_t t0;
};

static void fire_run(struct fire_job *j)
{
	struct fs_ns *n = j->file->ns;
	struct fs_fault *f = fs_ns_fault(n);
	struct fs_crash_result res = { 0 };
	uint64_t end = fs_fault_now_ns() + (uint64_t)FS_PF_DEATH_WAIT_MS * 1000000;

	/* its files and mappings are released once it is gone */
	while (j->pid > 0 && !pid_gone(j->pid) && fs_fault_now_ns() < end)
		fs_fault_sleep_ms(2);
	if (j->pid > 0 && !pid_gone(j->pid))
		fs_warn("%s: pid %d is still alive %u ms after SIGKILL; reverting anyway",
			n->devname, (int)j->pid, FS_PF_DEATH_WAIT_MS);
	pthread_mutex_lock(&f->revert_lock);
	res.killed = j->pid > 0;
	(void)fs_fault_revert(j->d, j->file, f, j->t0, &res);	/* errors: sticky, logged */
	pthread_mutex_unlock(&f->revert_lock);
	fs_daemon_file_drop(j->d, j->file);
}

static void *fire_main(void *arg)
{
	struct fire_job *j = arg;

	fire_run(j);
	free(j);
	pthread_mutex_lock(&fire_lock);
	fire_running--;
	pthread_cond_broadcast(&fire_cond);
	pthread_mutex_unlock(&fire_lock);
	return NULL;
}

void fs_fault_fire(struct fs_daemon *d, struct fs_inode *file, fuse_req_t req)
{
	struct fs_ns *n = file->ns;
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fire_job *j = calloc(1, sizeof(*j));
	pid_t pid = ctx && ctx->pid > 0 ? tgid_of(ctx->pid) : 0;
	pthread_attr_t attr;
	pthread_t t;

	if (pid == getpid())
		pid = 0;
	/* the caller dies before its flush is acknowledged */
	if (pid > 0 && kill(pid, SIGKILL) < 0)
		fs_warn("%s: cannot kill pid %d at the armed FSYNC: %s", n->devname, (int)pid,
			strerror(errno));
	fs_info("%s: armed power failure at this FSYNC: pid %d killed", n->devname, (int)pid);
	fs_stats_add(&n->stats.fsyncs, 1);
	fs_stats_add(&n->stats.errors, 1);
	fuse_reply_err(req, EIO);
	fs_daemon_file_hold(d, file);
	if (j) {
		j->d = d;
		j->file = file;
		j->pid = pid;
		j->t0 = fs_fault_now_ns();
		pthread_mutex_lock(&fire_lock);
		fire_running++;
		pthread_mutex_unlock(&fire_lock);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, fire_main, j) == 0) {
			pthread_attr_destroy(&attr);
			return;
		}
		pthread_attr_destroy(&attr);
		pthread_mutex_lock(&fire_lock);
		fire_running--;
		pthread_mutex_unlock(&fire_lock);
		/* no thread: revert here (a flush worker is no FUSE thread) */
		fire_run(j);
		free(j);
		return;
	}
	fs_err("%s: out of memory reverting after an armed power failure", n->devname);
	fs_daemon_file_drop(d, file);
}

void fs_fault_shutdown(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&fire_lock);
	while (fire_running)
		if (pthread_cond_timedwait(&fire_cond, &fire_lock, &ts) != 0)
			break;
	pthread_mutex_unlock(&fire_lock);
}
