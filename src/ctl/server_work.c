/* SPDX-License-Identifier: MIT */
/*
 * The control server's workers: running a request (ctl_conn_request, on
 * a worker), the change worker and the pool, handing a request to them
 * and collecting the connections they hand back (parked or answered), on
 * the I/O thread. See server.c for the whole picture and the locks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "config.h"
#include "ns/error.h"
#include "ctl/server_int.h"

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

void *ctl_worker_thread(void *arg)
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

/* c's request is a VERSION the server answers itself (no handler of the daemon's) */
static bool ctl_conn_builtin(const struct ctl_server *s, const struct ctl_conn *c)
{
	struct genlmsghdr g;

	if (c->reqlen < NLMSG_HDRLEN + GENL_HDRLEN || s->handlers[CTL_CMD_VERSION].fn)
		return false;
	memcpy(&g, c->req + NLMSG_HDRLEN, sizeof(g));
	return g.cmd == CTL_CMD_VERSION;
}

/* I/O thread: c's request was answered (its replies in c->res), or parked */
static void ctl_conn_done(struct ctl_server *s, struct ctl_conn *c, uint64_t now)
{
	if (c->park_ms) {
		c->state = CTL_CONN_PARKED;
		if (c->wait_until == 0)
			c->wait_until = now + c->park_ms;
		c->park_ms = 0;
		return;
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

/*
 * I/O thread: hand c's request to a worker. The built-in VERSION (every
 * pmemctl's first request; nothing to wait for, no lock) is answered
 * here instead: two thread hops fewer per pmemctl run.
 */
void ctl_conn_dispatch(struct ctl_server *s, struct ctl_conn *c, uint64_t now)
{
	bool changes = ctl_conn_changes(s, c);
	struct ctl_jobs *q = changes ? &s->cjobs : &s->jobs;

	if (ctl_conn_builtin(s, c)) {
		c->last_run = true;
		ctl_conn_request(s, c);
		ctl_conn_done(s, c, now);
		return;
	}

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
void ctl_server_collect(struct ctl_server *s, uint64_t now)
{
	struct ctl_conn *c, *next;

	pthread_mutex_lock(&s->qlock);
	c = s->done;
	s->done = NULL;
	pthread_mutex_unlock(&s->qlock);
	for (; c; c = next) {
		next = c->next;
		c->next = NULL;
		ctl_conn_done(s, c, now);
	}
}
