/* SPDX-License-Identifier: MIT */
/*
 * The control server's connections and replies: the per-connection reply
 * queues, closing a connection and sending what its peer takes, and the
 * reply builder handlers fill (ctl_reply_*), with the error reply and
 * the finish after a handler. See server.c for the threads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "ns/error.h"
#include "ctl/server_int.h"

/* ---- connections ---- */

void ctl_queue_free(struct ctl_queue *q)
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
void ctl_queue_splice(struct ctl_queue *to, struct ctl_queue *from)
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
void ctl_conn_close(struct ctl_conn *c)
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
int ctl_conn_flush(struct ctl_server *s, struct ctl_conn *c)
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
int ctl_reply_fail(struct ctl_queue *c, unsigned cmd, uint32_t seq,
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
int ctl_reply_finish(struct ctl_reply *rep, int rc)
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
