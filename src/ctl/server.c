/* SPDX-License-Identifier: MIT */
/*
 * The control socket's server: one I/O thread and a pool of workers.
 *
 * The I/O thread polls an eventfd (stop), the listener, an eventfd the
 * workers and ctl_server_wake() write (wake), and every connection; all
 * sockets are non-blocking. It reads a request, hands it to the workers
 * and does not read that connection again until the reply is queued and
 * sent, so one request is in flight per connection and replies leave in
 * request order; a reader that stalls only fills its own queue.
 *
 * Workers run the handlers: commands that change something (ctl_handler
 * .changes) on one worker of their own, one at a time, in the order they
 * came; the others (list, stats, ...) on a pool, several at once, so a
 * slow change never holds a look. Each builds its reply in
 * a queue of the connection's own that only it touches until it hands the
 * connection back (the done list); the I/O thread then moves the replies
 * to the send queue. A handler that would wait for another client (a
 * busy namespace's RELEASE) parks its request instead of blocking its
 * worker: the I/O thread runs it again after ctl_server_wake() or when the
 * wait it asked for is over, the last time with ctl_reply_may_wait() false.
 * A parked connection whose peer hangs up is closed and its request
 * dropped: nothing is done for a client that left.
 *
 * Locks: qlock (the job and done lists, stopping) is a leaf; the I/O
 * thread owns every connection in state IDLE or PARKED, a worker the one
 * it runs (RUNNING).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "config.h"
#include "ns/error.h"
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

static uint64_t ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ctl_count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* ---- connections ---- */

static void ctl_queue_free(struct ctl_queue *q)
{
	struct ctl_outmsg *m, *next;

	for (m = q->head; m; m = next) {
		next = m->next;
		free(m);
	}
	q->head = q->tail = NULL;
	q->bytes = 0;
}

/* append all of from to to */
static void ctl_queue_splice(struct ctl_queue *to, struct ctl_queue *from)
{
	if (from->head == NULL)
		return;
	if (to->tail)
		to->tail->next = from->head;
	else
		to->head = from->head;
	to->tail = from->tail;
	to->bytes += from->bytes;
	from->head = from->tail = NULL;
	from->bytes = 0;
}

/* I/O thread; never for a RUNNING connection (a worker has it) */
static void ctl_conn_close(struct ctl_conn *c)
{
	ctl_queue_free(&c->out);
	ctl_queue_free(&c->res);
	free(c->req);
	c->req = NULL;
	c->reqlen = 0;
	c->state = CTL_CONN_IDLE;
	c->wait_until = 0;
	c->park_ms = 0;
	if (c->fd >= 0) {
		__atomic_sub_fetch(c->open, 1, __ATOMIC_RELAXED);
		close(c->fd);
	}
	c->fd = -1;
}

/* Queue a copy of m's bytes; force ignores the queue bound (error replies). */
static int ctl_queue_add(struct ctl_queue *q, struct nl_msg *m, bool force)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct ctl_outmsg *o;
	size_t len = nlh->nlmsg_len;

	if (!force && q->bytes + len > CTL_QUEUE_MAX)
		return ns_err(-ENOBUFS, "reply larger than %u bytes", CTL_QUEUE_MAX);
	o = malloc(sizeof(*o) + len);
	if (o == NULL)
		return ns_err(-ENOMEM, "out of memory queueing a reply");
	o->next = NULL;
	o->len = len;
	memcpy(o->data, nlh, len);
	if (q->tail)
		q->tail->next = o;
	else
		q->head = o;
	q->tail = o;
	q->bytes += len;
	return 0;
}

/* Send what the peer takes. Returns 0, or -1 when the connection is gone. */
static int ctl_conn_flush(struct ctl_server *s, struct ctl_conn *c)
{
	while (c->out.head) {
		struct ctl_outmsg *o = c->out.head;
		ssize_t n = send(c->fd, o->data, o->len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;	/* EPIPE, ECONNRESET: the peer left */
		}
		c->out.head = o->next;
		if (c->out.head == NULL)
			c->out.tail = NULL;
		c->out.bytes -= o->len;
		free(o);
		c->last_active = ctl_now_ms();
		c->deadline = c->last_active + (uint64_t)s->stall_ms;
	}
	c->deadline = ctl_now_ms() + (uint64_t)s->idle_ms;
	return 0;
}

/* ---- replies ---- */

struct nl_msg *ctl_reply_msg(struct ctl_reply *rep)
{
	if (rep->multi)
		return NULL;
	if (rep->single == NULL)
		rep->single = ctl_proto_msg_new(rep->cmd, rep->seq, 0);
	return rep->single;
}

struct nl_msg *ctl_reply_part(struct ctl_reply *rep)
{
	if (rep->single)
		return NULL;
	rep->multi = true;
	if (rep->part) {
		int rc = ctl_queue_add(rep->q, rep->part, false);

		nlmsg_free(rep->part);
		rep->part = NULL;
		if (rc)
			return NULL;
		rep->nparts++;
	}
	rep->part = ctl_proto_msg_new(rep->cmd, rep->seq, NLM_F_MULTI);
	return rep->part;
}

bool ctl_reply_may_wait(const struct ctl_reply *rep)
{
	return !rep->last_run;
}

int ctl_reply_wait(struct ctl_reply *rep, unsigned ms)
{
	rep->park_ms = ms ? ms : 1;
	return CTL_REPLY_WAIT;
}

/* Queue an error reply (and DONE when inside a multi-part one). */
static int ctl_reply_fail(struct ctl_queue *c, unsigned cmd, uint32_t seq,
			  bool in_multi, int rc)
{
	const char *msg = ns_errormsg();
	struct nl_msg *m;
	int qrc;

	m = ctl_proto_error_new(cmd, seq, in_multi ? NLM_F_MULTI : 0,
				ns_err_to_errno(rc), msg[0] ? msg : ns_strerror(rc));
	if (m == NULL)
		return -ENOMEM;
	qrc = ctl_queue_add(c, m, true);
	nlmsg_free(m);
	if (qrc == 0 && in_multi) {
		m = ctl_proto_done_new(seq);
		if (m == NULL)
			return -ENOMEM;
		qrc = ctl_queue_add(c, m, true);
		nlmsg_free(m);
	}
	return qrc;
}

/* After the handler: queue what it built, or the failure. */
static int ctl_reply_finish(struct ctl_reply *rep, int rc)
{
	struct ctl_queue *c = rep->q;
	int qrc = 0;

	/* a multi-part command that found nothing to send: just DONE */
	if (rc >= 0 && !rep->multi && !rep->single && rep->multi_cmd)
		rep->multi = true;
	if (rc >= 0 && rep->multi) {
		if (rep->part) {
			qrc = ctl_queue_add(c, rep->part, false);
			if (qrc == 0)
				rep->nparts++;
		}
		if (qrc == 0) {
			struct nl_msg *done = ctl_proto_done_new(rep->seq);

			qrc = done ? ctl_queue_add(c, done, true) : -ENOMEM;
			nlmsg_free(done);
		}
		rc = qrc;
	} else if (rc >= 0) {
		if (rep->single == NULL)
			rep->single = ctl_proto_msg_new(rep->cmd, rep->seq, 0);
		qrc = rep->single ? ctl_queue_add(c, rep->single, false) : -ENOMEM;
		rc = qrc;
	}
	nlmsg_free(rep->part);
	nlmsg_free(rep->single);
	rep->part = rep->single = NULL;
	if (rc < 0)
		return ctl_reply_fail(c, rep->cmd, rep->seq, rep->nparts > 0, rc);
	return 0;
}

/* VERSION, when the daemon gives no handler of its own */
static int ctl_version_reply(struct ctl_server *s, struct ctl_reply *rep)
{
	struct nl_msg *m = ctl_reply_msg(rep);

	if (m == NULL)
		return -ENOMEM;
	if (ctl_put_u32(m, CTL_A_PROTO_VERSION, CTL_PROTO_VERSION) ||
	    ctl_put_string(m, CTL_A_DAEMON_VERSION, PMEMFS_VERSION) ||
	    ctl_put_string(m, CTL_A_MOUNT, s->mount))
		return -EMSGSIZE;
	return 0;
}

/*
 * Run c's request (on a worker): its replies go to c->res; c->park_ms is
 * set instead when the handler parks it.
 */
static void ctl_conn_request(struct ctl_server *s, struct ctl_conn *c)
{
	const struct ctl_handler *h;
	const struct ctl_cmd_info *ci;
	struct ctl_request req;
	struct ctl_reply rep;
	int rc;

	c->park_ms = 0;
	ns_err_clear();
	rc = ctl_proto_request_parse(c->req, c->reqlen, &req);
	if (rc)
		goto reject;
	ci = ctl_proto_cmd_info(req.cmd);
	h = &s->handlers[req.cmd];
	if (h->fn == NULL && req.cmd != CTL_CMD_VERSION) {
		rc = ns_err(-EOPNOTSUPP, "%s is not supported by this daemon", ci->name);
		goto reject;
	}
	if ((h->changes || ci->changes) && c->cred.uid != 0 && c->cred.uid != s->owner) {
		rc = ns_err(-EACCES, "permission denied: uid %u may not %s on %s",
			    (unsigned)c->cred.uid, ci->verb, s->mount);
		goto reject;
	}

	req.cred = c->cred;
	memset(&rep, 0, sizeof(rep));
	rep.q = &c->res;
	rep.cmd = req.cmd;
	rep.seq = req.seq;
	rep.multi_cmd = ci->multi;
	rep.last_run = c->last_run;
	ns_err_clear();
	if (h->fn)
		rc = h->fn(&req, &rep, s->arg);
	else
		rc = ctl_version_reply(s, &rep);
	if (rc == CTL_REPLY_WAIT) {
		if (rep.park_ms && !rep.last_run && rep.nparts == 0) {
			nlmsg_free(rep.part);
			nlmsg_free(rep.single);
			c->park_ms = rep.park_ms;
			return;	/* run again later */
		}
		/* a handler bug: parked on its last run, or after sending parts */
		rc = ns_err(-EINVAL, "internal error: %s asked to wait when it may not",
			    ci->name);
	}
	ctl_count(&s->counters.handled);
	if (ctl_reply_finish(&rep, rc))
		ctl_queue_free(&c->res);	/* out of memory: the connection goes */
	return;

reject:
	ctl_count(&s->counters.rejected);
	/* the reply names a command the client can parse, or none */
	if (ctl_reply_fail(&c->res, ctl_proto_cmd_info(req.cmd) ? req.cmd : CTL_CMD_UNSPEC,
			   req.seq, false, rc))
		ctl_queue_free(&c->res);
}

/* ---- the workers ---- */

static void ctl_wake_io(struct ctl_server *s)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is full, the I/O thread will look anyway */
	while (write(s->wfd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void ctl_server_wake(struct ctl_server *s)
{
	if (s == NULL)
		return;
	__atomic_add_fetch(&s->wakes, 1, __ATOMIC_SEQ_CST);
	ctl_wake_io(s);
}

static void *ctl_worker_thread(void *arg)
{
	struct ctl_worker *w = arg;
	struct ctl_server *s = w->s;
	struct ctl_jobs *q = w->changes ? &s->cjobs : &s->jobs;
	pthread_cond_t *cond = w->changes ? &s->cqcond : &s->qcond;

	for (;;) {
		struct ctl_conn *c;

		pthread_mutex_lock(&s->qlock);
		while (!s->stopping && q->head == NULL)
			pthread_cond_wait(cond, &s->qlock);
		if (s->stopping) {
			pthread_mutex_unlock(&s->qlock);
			return NULL;
		}
		c = q->head;
		q->head = c->next;
		if (q->head == NULL)
			q->tail = NULL;
		pthread_mutex_unlock(&s->qlock);

		ctl_conn_request(s, c);

		pthread_mutex_lock(&s->qlock);
		c->next = s->done;
		s->done = c;
		pthread_mutex_unlock(&s->qlock);
		ctl_wake_io(s);
	}
}

/* c's request changes something (a malformed one does not: it is refused) */
static bool ctl_conn_changes(const struct ctl_server *s, const struct ctl_conn *c)
{
	const struct ctl_cmd_info *ci;
	struct genlmsghdr g;
	unsigned cmd;

	if (c->reqlen < NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	memcpy(&g, c->req + NLMSG_HDRLEN, sizeof(g));
	cmd = g.cmd;
	ci = cmd <= CTL_CMD_MAX ? ctl_proto_cmd_info(cmd) : NULL;
	return ci && (ci->changes || s->handlers[cmd].changes);
}

/* I/O thread: hand c's request to a worker */
static void ctl_conn_dispatch(struct ctl_server *s, struct ctl_conn *c, uint64_t now)
{
	bool changes = ctl_conn_changes(s, c);
	struct ctl_jobs *q = changes ? &s->cjobs : &s->jobs;

	c->state = CTL_CONN_RUNNING;
	c->last_run = c->wait_until && now >= c->wait_until;
	/* before the handler looks: a wake during its run is not lost */
	c->wakes_seen = __atomic_load_n(&s->wakes, __ATOMIC_SEQ_CST);
	c->next = NULL;
	pthread_mutex_lock(&s->qlock);
	if (q->tail)
		q->tail->next = c;
	else
		q->head = c;
	q->tail = c;
	pthread_cond_signal(changes ? &s->cqcond : &s->qcond);
	pthread_mutex_unlock(&s->qlock);
}

/* I/O thread: the connections the workers handed back */
static void ctl_server_collect(struct ctl_server *s, uint64_t now)
{
	struct ctl_conn *c, *next;

	pthread_mutex_lock(&s->qlock);
	c = s->done;
	s->done = NULL;
	pthread_mutex_unlock(&s->qlock);
	for (; c; c = next) {
		next = c->next;
		c->next = NULL;
		if (c->park_ms) {
			c->state = CTL_CONN_PARKED;
			if (c->wait_until == 0)
				c->wait_until = now + c->park_ms;
			c->park_ms = 0;
			continue;
		}
		free(c->req);
		c->req = NULL;
		c->reqlen = 0;
		c->wait_until = 0;
		c->state = CTL_CONN_IDLE;
		ctl_queue_splice(&c->out, &c->res);
		if (c->out.head == NULL) {
			/* nothing to send (out of memory): the client sees the close */
			ctl_count(&s->counters.dropped);
			ctl_conn_close(c);
		}
		/* sent by the loop: POLLOUT, or a flush of new replies */
	}
}

/* Read one packet. Returns -1 to close the connection. */
static int ctl_conn_read(struct ctl_server *s, struct ctl_conn *c, uint64_t now)
{
	struct iovec iov = { .iov_base = s->rbuf, .iov_len = CTL_MSG_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	/* MSG_TRUNC in flags: n is the packet's real length */
	n = recvmsg(c->fd, &mh, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
	if (n == 0)
		return -1;	/* the peer closed */
	c->last_active = now;
	c->deadline = now + (uint64_t)s->idle_ms;
	if ((size_t)n > CTL_MSG_MAX || (mh.msg_flags & MSG_TRUNC)) {
		const struct nlmsghdr *nlh = (const void *)s->rbuf;

		ctl_count(&s->counters.rejected);
		ns_err(-EMSGSIZE, "message of %zd bytes exceeds the %d-byte limit",
		       n, CTL_MSG_MAX);
		return ctl_reply_fail(&c->out, CTL_CMD_UNSPEC, nlh->nlmsg_seq, false,
				      -EMSGSIZE) ? -1 : 0;
	}
	c->req = malloc((size_t)n ? (size_t)n : 1);
	if (c->req == NULL)
		return -1;
	memcpy(c->req, s->rbuf, (size_t)n);
	c->reqlen = (size_t)n;
	c->wait_until = 0;
	ctl_conn_dispatch(s, c, now);
	return 0;
}
__attribute__((format(printf, 2, 3)))
static void ctl_server_log(struct ctl_server *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!s->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->log(msg);
}

/*
 * All slots taken: the connection silent the longest, if it has been
 * silent for CTL_EVICT_MS with nothing in flight (no request running or
 * parked, no reply queued), else NULL. A client that holds connections
 * it does not use cannot lock the others out; one that just connected
 * and is about to send (pmemctl), or was just answered and is about to
 * send its next request, is never the one evicted. Silence is measured
 * from last_active, not from the deadline (which is a stall or an idle
 * timeout, by what the connection does).
 */
static struct ctl_conn *ctl_server_evictable(struct ctl_server *s)
{
	uint64_t now = ctl_now_ms();
	struct ctl_conn *victim = NULL;
	unsigned i;

	for (i = 0; i < s->max_clients; i++) {
		struct ctl_conn *c = &s->conns[i];

		if (c->fd < 0 || c->state != CTL_CONN_IDLE || c->out.head ||
		    c->last_active + CTL_EVICT_MS > now)
			continue;
		if (!victim || c->last_active < victim->last_active)
			victim = c;
	}
	return victim;
}

/* Out of descriptors: give one spare up for accept(2); false if none. */
static bool ctl_spare_take(struct ctl_server *s)
{
	unsigned i;

	for (i = 0; i < CTL_SPARE_FDS; i++)
		if (s->spare[i] >= 0) {
			close(s->spare[i]);
			s->spare[i] = -1;
			return true;
		}
	return false;
}

/* Hold the spares again where descriptors came free (cheap when full). */
static void ctl_spare_refill(struct ctl_server *s)
{
	unsigned i;

	for (i = 0; i < CTL_SPARE_FDS; i++)
		if (s->spare[i] < 0 &&
		    (s->spare[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			break;
}

static void ctl_server_accept(struct ctl_server *s)
{
	for (;;) {
		struct ctl_conn *c = NULL;
		socklen_t sl = sizeof(struct ucred);
		struct ucred cred;
		unsigned i;
		int fd;

		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE) && ctl_spare_take(s))
			fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			       errno == ENOMEM)) {
			/*
			 * The connection stays queued and the socket readable:
			 * polling it again at once would spin. Wait 100 ms.
			 */
			int err = errno;
			uint64_t now = ctl_now_ms();

			if (!s->fd_logged || now - s->fd_logged >= 10000) {
				s->fd_logged = now;	/* at most every 10 s */
				ctl_server_log(s, "control socket '%s': out of descriptors "
					       "(%s): new connections wait until some close",
					       s->path, strerror(err));
			}
			s->accept_resume = now + 100;
			return;
		}
		s->accept_resume = 0;
		if (fd < 0)
			return;	/* EAGAIN, or a peer that left already */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) < 0) {
			close(fd);
			continue;
		}
		for (i = 0; i < s->max_clients && c == NULL; i++)
			if (s->conns[i].fd < 0)
				c = &s->conns[i];
		if (c == NULL && (c = ctl_server_evictable(s)) != NULL) {
			/* full of silent connections: the oldest makes room */
			ctl_count(&s->counters.dropped);
			ctl_conn_close(c);
		}
		if (c == NULL) {
			/* full: the client sees ECONNRESET (counted first, so it can tell) */
			ctl_count(&s->counters.dropped);
			close(fd);
			continue;
		}
		ctl_count(&s->counters.accepted);
		ctl_count(&s->counters.open);
		c->open = &s->counters.open;
		c->fd = fd;
		c->cred = cred;
		c->last_active = ctl_now_ms();
		c->deadline = c->last_active + (uint64_t)s->idle_ms;
	}
}

static void *ctl_server_thread(void *arg)
{
	struct ctl_server *s = arg;

	for (;;) {
		uint64_t now = ctl_now_ms(), next = UINT64_MAX, wakes;
		unsigned i, n;
		int timeout, rc;

		ctl_spare_refill(s);

		s->pfds[0] = (struct pollfd){ .fd = s->efd, .events = POLLIN };
		s->pfds[1] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
		s->pfds[2] = (struct pollfd){ .fd = s->wfd, .events = POLLIN };
		if (s->accept_resume) {
			if (now < s->accept_resume) {
				s->pfds[1].fd = -1;	/* out of descriptors: not yet */
				next = s->accept_resume;
			}
		}
		n = 3;
		for (i = 0; i < s->max_clients; i++) {
			struct ctl_conn *c = &s->conns[i];
			struct pollfd *p = &s->pfds[n];

			c->revents = 0;
			if (c->fd < 0 || c->state == CTL_CONN_RUNNING)
				continue;	/* a worker has it: no timeout either */
			*p = (struct pollfd){ .fd = c->fd, .events = c->out.head ? POLLOUT : POLLIN };
			s->pconn[n - 3] = i;
			n++;
			if (c->state == CTL_CONN_PARKED) {
				p->events = 0;	/* POLLHUP: the client left */
				if (c->wait_until < next)
					next = c->wait_until;
				continue;
			}
			if (c->deadline < next)
				next = c->deadline;
		}
		if (next == UINT64_MAX)
			timeout = -1;
		else
			timeout = next <= now ? 0 : (int)(next - now > INT_MAX ? INT_MAX : next - now);

		rc = poll(s->pfds, n, timeout);
		if (rc < 0 && errno != EINTR) {
			/* never end silently: every pmemctl would wait for nothing */
			if (!s->poll_failed)
				ctl_server_log(s, "control socket '%s': poll of %u descriptors "
					       "failed: %s; retrying", s->path, n,
					       strerror(errno));
			s->poll_failed = true;
			usleep(100000);
			continue;
		}
		s->poll_failed = false;
		if (rc > 0 && (s->pfds[0].revents & POLLIN))
			break;
		for (i = 3; rc > 0 && i < n; i++)
			s->conns[s->pconn[i - 3]].revents = s->pfds[i].revents;

		now = ctl_now_ms();
		if (rc > 0 && (s->pfds[2].revents & POLLIN)) {
			uint64_t cnt;

			while (read(s->wfd, &cnt, sizeof(cnt)) < 0 && errno == EINTR)
				;
			ctl_server_collect(s, now);
		}
		/*
		 * A RELEASE (or whatever a handler waits for) since a parked
		 * request last ran, also while it ran: it runs again.
		 */
		wakes = __atomic_load_n(&s->wakes, __ATOMIC_SEQ_CST);
		for (i = 0; i < s->max_clients; i++) {
			struct ctl_conn *c = &s->conns[i];

			if (c->fd >= 0 && c->state == CTL_CONN_PARKED && c->wakes_seen != wakes)
				ctl_conn_dispatch(s, c, now);
		}
		for (i = 0; i < s->max_clients; i++) {
			struct ctl_conn *c = &s->conns[i];
			short re = c->revents;
			int gone = 0;

			if (c->fd < 0 || c->state == CTL_CONN_RUNNING)
				continue;
			if (c->state == CTL_CONN_PARKED) {
				if (re & (POLLERR | POLLHUP | POLLNVAL)) {
					/* the client left: its request is dropped, not run */
					ctl_count(&s->counters.dropped);
					ctl_conn_close(c);
				} else if (now >= c->wait_until) {
					ctl_conn_dispatch(s, c, now);	/* the last run */
				}
				continue;
			}
			if (c->out.head && (re & (POLLOUT | POLLERR | POLLHUP)))
				gone = ctl_conn_flush(s, c);
			else if (!c->out.head && (re & POLLIN))
				gone = ctl_conn_read(s, c, now);
			else if (re & (POLLERR | POLLHUP | POLLNVAL))
				gone = -1;
			if (gone == 0 && c->state == CTL_CONN_IDLE && c->out.head && !(re & POLLOUT))
				gone = ctl_conn_flush(s, c);	/* replies of a new request */
			if (gone == 0 && c->state == CTL_CONN_IDLE && c->deadline <= now)
				gone = -1;	/* silent too long, or not reading */
			if (gone) {
				if (c->out.head || c->deadline <= now)
					ctl_count(&s->counters.dropped);
				ctl_conn_close(c);
			}
		}
		/* after the connections, so that slots freed just now are reusable */
		if (rc > 0 && (s->pfds[1].revents & POLLIN))
			ctl_server_accept(s);
	}
	return NULL;
}

/* ---- setup ---- */

/* mkdir -p of path's directory, new components 0755 whatever the umask */
/*
 * The socket's directory must be one nobody else can change: owned by
 * root or by us, and not writable by group or others unless sticky (as
 * /tmp). Another user's directory there (pre-created, or a link to one)
 * could have the socket replaced between bind and chmod, a link put in
 * its place, or a server of theirs answering our clients.
 */
static int ctl_dir_safe(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return ns_err(-errno, "cannot stat '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ns_err(-ENOTDIR, "'%s' is not a directory", dir);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return ns_err(-EPERM, "control socket directory '%s' belongs to uid %u, "
			      "not to root or to the daemon's user: refused (another user "
			      "could replace the socket)", dir, (unsigned)st.st_uid);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return ns_err(-EPERM, "control socket directory '%s' is writable by %s "
			      "(mode %04o) and not sticky: refused (another user could "
			      "replace the socket)", dir,
			      (st.st_mode & S_IWOTH) ? "others" : "its group",
			      (unsigned)(st.st_mode & 07777));
	return 0;
}

static int ctl_mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL)
		return ctl_dir_safe(".");
	if (p == dir)
		return ctl_dir_safe("/");
	*p = '\0';
	for (p = dir + 1; ; p++) {
		char save = *p;

		if (save != '/' && save != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == 0) {
			if (chmod(dir, 0755) < 0)
				return ns_err(-errno, "cannot set mode 0755 on '%s': %s",
					      dir, strerror(errno));
		} else if (errno != EEXIST) {
			return ns_err(-errno, "cannot create directory '%s': %s",
				      dir, strerror(errno));
		}
		*p = save;
		if (save == '\0')
			break;
	}
	return ctl_dir_safe(dir);
}

/* An existing file at path: replace a stale socket, refuse anything else. */
static int ctl_replace_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc, err;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ns_err(-errno, "cannot stat '%s': %s",
						    path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return ns_err(-EEXIST, "control socket path '%s' exists and is not a socket",
			      path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ns_err(-errno, "cannot create socket: %s", strerror(errno));
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	err = errno;
	close(fd);
	if (rc == 0 || err == EAGAIN || err == EINPROGRESS)
		return ns_err(-EADDRINUSE,
			      "control socket '%s' is in use: another daemon answers on it",
			      path);
	if (err != ECONNREFUSED)
		return ns_err(-err, "cannot probe control socket '%s': %s", path, strerror(err));
	if (unlink(path) < 0 && errno != ENOENT)
		return ns_err(-errno, "cannot remove stale control socket '%s': %s",
			      path, strerror(errno));
	return 0;
}

static int ctl_server_listen(struct ctl_server *s, gid_t group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t mode = group == (gid_t)-1 ? 0600 : 0660;
	struct stat st;
	int rc;

	if (strlen(s->path) >= sizeof(sa.sun_path))
		return ns_err(-ENAMETOOLONG, "control socket path '%s' is longer than %zu bytes",
			      s->path, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);

	rc = ctl_mkdir_parent(s->path);
	if (rc)
		return rc;
	rc = ctl_replace_stale(s->path, &sa);
	if (rc)
		return rc;

	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->lfd < 0)
		return ns_err(-errno, "cannot create socket: %s", strerror(errno));
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return ns_err(-errno, "cannot bind control socket '%s': %s",
			      s->path, strerror(errno));
	/* mode and group before listen(): nobody connects in between; never
	 * through a link (the directory is ours, but still) */
	if (fchmodat(AT_FDCWD, s->path, mode, AT_SYMLINK_NOFOLLOW) < 0 &&
	    !((errno == EOPNOTSUPP || errno == ENOSYS) && lstat(s->path, &st) == 0 &&
	      S_ISSOCK(st.st_mode) && chmod(s->path, mode) == 0))
		rc = ns_err(-errno, "cannot set mode %04o on '%s': %s",
			    (unsigned)mode, s->path, strerror(errno));
	else if (group != (gid_t)-1 && lchown(s->path, (uid_t)-1, group) < 0)
		rc = ns_err(-errno, "cannot give '%s' to group %u: %s",
			    s->path, (unsigned)group, strerror(errno));
	else if (lstat(s->path, &st) < 0)
		rc = ns_err(-errno, "cannot stat '%s': %s", s->path, strerror(errno));
	else if (listen(s->lfd, 64) < 0)
		rc = ns_err(-errno, "cannot listen on '%s': %s", s->path, strerror(errno));
	if (rc) {
		unlink(s->path);
		return rc;
	}
	s->sock_dev = st.st_dev;
	s->sock_ino = st.st_ino;
	return 0;
}

static void ctl_server_free(struct ctl_server *s)
{
	unsigned i;

	for (i = 0; i < CTL_SPARE_FDS; i++)
		if (s->spare[i] >= 0)
			close(s->spare[i]);

	if (s->conns)
		for (i = 0; i < s->max_clients; i++)
			ctl_conn_close(&s->conns[i]);
	if (s->lfd >= 0) {
		struct stat st;

		close(s->lfd);
		/* remove the socket file only if it is still ours */
		if (s->sock_ino && lstat(s->path, &st) == 0 &&
		    st.st_dev == s->sock_dev && st.st_ino == s->sock_ino)
			unlink(s->path);
	}
	if (s->efd >= 0)
		close(s->efd);
	if (s->wfd >= 0)
		close(s->wfd);
	if (s->qlock_init) {
		pthread_mutex_destroy(&s->qlock);
		pthread_cond_destroy(&s->qcond);
		pthread_cond_destroy(&s->cqcond);
	}
	free(s->workers);
	free(s->conns);
	free(s->pfds);
	free(s->pconn);
	free(s->rbuf);
	free(s->path);
	free(s->mount);
	free(s);
}

int ctl_server_start(const struct ctl_server_opts *o, struct ctl_server **out)
{
	struct ctl_server *s;
	sigset_t all, old;
	unsigned i;
	int rc;

	*out = NULL;
	if (o->path == NULL || o->path[0] == '\0' || o->handlers == NULL)
		return ns_err(-EINVAL, "control socket needs a path and a handler table");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ns_err(-ENOMEM, "out of memory");
	s->lfd = s->efd = s->wfd = -1;
	for (i = 0; i < CTL_SPARE_FDS; i++)
		s->spare[i] = -1;
	s->owner = o->owner;
	s->handlers = o->handlers;
	s->arg = o->arg;
	s->max_clients = o->max_clients ? o->max_clients : CTL_DEFAULT_MAX_CLIENTS;
	s->idle_ms = o->idle_timeout_ms > 0 ? o->idle_timeout_ms : CTL_DEFAULT_IDLE_MS;
	s->stall_ms = o->stall_timeout_ms > 0 ? o->stall_timeout_ms : CTL_DEFAULT_STALL_MS;
	s->path = strdup(o->path);
	s->mount = strdup(o->mount ? o->mount : o->path);
	s->conns = calloc(s->max_clients, sizeof(*s->conns));
	s->pfds = calloc(3 + s->max_clients, sizeof(*s->pfds));
	s->pconn = calloc(s->max_clients, sizeof(*s->pconn));
	s->log = o->log;
	s->rbuf = malloc(CTL_MSG_MAX);
	s->nworkers = 1 + (o->workers ? o->workers : CTL_DEFAULT_WORKERS);
	s->workers = calloc(s->nworkers, sizeof(*s->workers));
	if (!s->path || !s->mount || !s->conns || !s->pfds || !s->pconn || !s->rbuf ||
	    !s->workers) {
		ctl_server_free(s);
		return ns_err(-ENOMEM, "out of memory");
	}
	for (i = 0; i < s->max_clients; i++)
		s->conns[i].fd = -1;
	ctl_spare_refill(s);

	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qcond, NULL);
	pthread_cond_init(&s->cqcond, NULL);
	s->qlock_init = true;
	s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->wfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->efd < 0 || s->wfd < 0) {
		rc = ns_err(-errno, "cannot create eventfd: %s", strerror(errno));
		ctl_server_free(s);
		return rc;
	}
	rc = ctl_server_listen(s, o->group);
	if (rc) {
		ctl_server_free(s);
		return rc;
	}

	/* the threads take no signals: they belong to the daemon's main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = 0;
	for (i = 0; i < s->nworkers && rc == 0; i++) {
		s->workers[i].s = s;
		s->workers[i].changes = i == 0;
		rc = pthread_create(&s->workers[i].thread, NULL, ctl_worker_thread,
				    &s->workers[i]);
		if (rc == 0)
			s->workers_started++;
	}
	if (rc == 0) {
		rc = pthread_create(&s->thread, NULL, ctl_server_thread, s);
		s->thread_started = rc == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		rc = ns_err(-rc, "cannot start the control socket threads: %s", strerror(rc));
		ctl_server_stop(&s);
		return rc;
	}
	*out = s;
	return 0;
}

void ctl_server_stop(struct ctl_server **sp)
{
	struct ctl_server *s = sp ? *sp : NULL;
	uint64_t one = 1;

	if (s == NULL)
		return;
	if (s->thread_started) {
		while (write(s->efd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
		pthread_join(s->thread, NULL);
	}
	/* a worker finishes the request it runs; queued ones are dropped */
	pthread_mutex_lock(&s->qlock);
	s->stopping = true;
	pthread_cond_broadcast(&s->qcond);
	pthread_cond_broadcast(&s->cqcond);
	pthread_mutex_unlock(&s->qlock);
	for (unsigned i = 0; i < s->workers_started; i++)
		pthread_join(s->workers[i].thread, NULL);
	ctl_server_free(s);
	*sp = NULL;
}

const char *ctl_server_path(const struct ctl_server *s)
{
	return s->path;
}

void ctl_server_counters(const struct ctl_server *s, struct ctl_server_counters *c)
{
	c->handled = __atomic_load_n(&s->counters.handled, __ATOMIC_RELAXED);
	c->rejected = __atomic_load_n(&s->counters.rejected, __ATOMIC_RELAXED);
	c->accepted = __atomic_load_n(&s->counters.accepted, __ATOMIC_RELAXED);
	c->dropped = __atomic_load_n(&s->counters.dropped, __ATOMIC_RELAXED);
	c->open = __atomic_load_n(&s->counters.open, __ATOMIC_RELAXED);
}
