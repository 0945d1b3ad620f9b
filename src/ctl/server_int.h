/* SPDX-License-Identifier: MIT */
/*
 * What src/ctl/server*.c share: the server's, the connections' and the
 * replies' structs and the calls between those files. Nothing else
 * includes it. Calls go one way:
 *
 *   server.c (start/stop, the I/O thread: accept, read, send, evict)
 *     -> server_work.c (the workers, dispatch, parked requests)
 *     -> server_conn.c (reply queues, closing and flushing connections,
 *                       the reply builder)
 *   server.c -> server_sock.c (the socket's directory, path and bind)
 */
#ifndef PMEMFS_CTL_SERVER_INT_H
#define PMEMFS_CTL_SERVER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "ctl/server.h"

#define CTL_DEFAULT_MAX_CLIENTS 64
#define CTL_DEFAULT_IDLE_MS 60000
#define CTL_DEFAULT_STALL_MS 10000
/* bound of one connection's queued reply bytes (a list of ~100k namespaces) */
#define CTL_QUEUE_MAX (64u << 20)
#define CTL_DEFAULT_WORKERS 4
/* all slots taken: a connection silent this long makes room for a newcomer */
#define CTL_EVICT_MS 1000
/*
 * descriptors held in reserve (/dev/null) for connections: the receive
 * threads' pipes and the regions may take every other one (ulimit -n 64)
 */
#define CTL_SPARE_FDS 2

struct ctl_outmsg {
	struct ctl_outmsg *next;
	size_t len;
	uint8_t data[];
};

struct ctl_queue {
	struct ctl_outmsg *head, *tail;
	size_t bytes;
};

enum ctl_conn_state {
	CTL_CONN_IDLE,			/* reading requests, sending replies */
	CTL_CONN_RUNNING,		/* its request is on a worker (or queued for one) */
	CTL_CONN_PARKED,		/* its request waits for a wake or wait_until */
};

struct ctl_conn {
	int fd;				/* -1: free slot */
	struct ucred cred;
	struct ctl_queue out;		/* replies not yet sent */
	uint64_t deadline;		/* ms, CLOCK_MONOTONIC */
	uint64_t last_active;		/* ms: accepted, read from, or sent to last */
	uint64_t *open;			/* the server's count of open connections */

	enum ctl_conn_state state;
	uint8_t *req;			/* the request (RUNNING, PARKED) */
	size_t reqlen;
	uint64_t wait_until;		/* ms: the last run of a parked request; 0: not parked */
	bool last_run;			/* RUNNING: ctl_reply_may_wait() is false */
	uint64_t wakes_seen;		/* s->wakes when it was last dispatched */
	short revents;			/* of the last poll (0: not polled) */
	/* set by the worker */
	struct ctl_queue res;		/* the replies it built */
	unsigned park_ms;		/* > 0: park (the handler asked to wait) */
	struct ctl_conn *next;		/* on the job or the done list */
};

struct ctl_worker {
	struct ctl_server *s;
	bool changes;			/* runs the commands that change things */
	pthread_t thread;
};

struct ctl_jobs {
	struct ctl_conn *head, *tail;
};

struct ctl_server {
	char *path;
	char *mount;
	uid_t owner;
	const struct ctl_handler *handlers;
	void *arg;
	unsigned max_clients;
	int idle_ms;
	int stall_ms;

	int lfd;
	int efd;
	int wfd;			/* eventfd: a worker finished, or ctl_server_wake() */
	uint64_t wakes;			/* __atomic: ctl_server_wake() calls */
	dev_t sock_dev;			/* the socket file we bound */
	ino_t sock_ino;
	pthread_t thread;
	bool thread_started;

	struct ctl_conn *conns;		/* max_clients slots */
	/*
	 * 3 + the connections polled, packed: poll(2) refuses more entries
	 * than RLIMIT_NOFILE, even unused ones (fd -1), so a slot per possible
	 * client would end the thread under a small limit (ulimit -n 64)
	 */
	struct pollfd *pfds;
	unsigned *pconn;		/* pfds[3 + k] is conns[pconn[k]] */
	void (*log)(const char *msg);	/* may be NULL */
	uint64_t accept_resume;		/* ms: out of descriptors, accept again then */
	uint64_t fd_logged;		/* ms: when that was last logged */
	int spare[CTL_SPARE_FDS];	/* -1: given to a connection */
	bool poll_failed;		/* logged once until a poll succeeds */
	uint8_t *rbuf;			/* CTL_MSG_MAX, one packet */

	/* the workers */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	pthread_cond_t cqcond;		/* for the change worker */
	struct ctl_jobs jobs;		/* requests for the pool, in order */
	struct ctl_jobs cjobs;		/* changes, for the change worker, in order */
	struct ctl_conn *done;		/* handed back to the I/O thread */
	bool stopping;
	unsigned nworkers;		/* the pool and the change worker */
	unsigned workers_started;
	struct ctl_worker *workers;
	bool qlock_init;

	struct ctl_server_counters counters;	/* __atomic */
};

struct ctl_reply {
	struct ctl_queue *q;		/* the connection's res */
	unsigned cmd;
	uint32_t seq;
	struct nl_msg *single;		/* ctl_reply_msg */
	struct nl_msg *part;		/* the part being filled */
	unsigned nparts;		/* parts queued */
	bool multi;			/* ctl_reply_part was called */
	bool multi_cmd;			/* the command replies in parts */
	bool last_run;			/* may not park again */
	unsigned park_ms;		/* ctl_reply_wait() */
};

static inline uint64_t ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline void ctl_count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* server_conn.c: reply queues, connections, the reply builder */
void ctl_queue_free(struct ctl_queue *q);
void ctl_queue_splice(struct ctl_queue *to, struct ctl_queue *from);
void ctl_conn_close(struct ctl_conn *c);
int ctl_conn_flush(struct ctl_server *s, struct ctl_conn *c);
int ctl_reply_fail(struct ctl_queue *c, unsigned cmd, uint32_t seq,
		   bool in_multi, int rc);
int ctl_reply_finish(struct ctl_reply *rep, int rc);

/* server_work.c: the workers and parked requests */
void *ctl_worker_thread(void *arg);
void ctl_conn_dispatch(struct ctl_server *s, struct ctl_conn *c, uint64_t now);
void ctl_server_collect(struct ctl_server *s, uint64_t now);

/* server_sock.c: the socket's directory checks, bind and listen */
int ctl_server_listen(struct ctl_server *s, gid_t group);

#endif
