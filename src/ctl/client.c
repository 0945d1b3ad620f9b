/* SPDX-License-Identifier: MIT */
/* The CLI's side of the control socket. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl/client.h"
#include "ns/error.h"

/* a reply of more parts than this is refused (a runaway daemon) */
#define CTL_CLIENT_MAX_PARTS (1u << 22)

struct ctl_client {
	int fd;
	uint32_t seq;
	int timeout_ms;
	char *path;
	uint8_t *rbuf;		/* CTL_MSG_MAX */
};

int ctl_client_connect(const char *path, struct ctl_client **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_client *c;
	int fd, err;

	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return ns_err(-ENAMETOOLONG, "control socket path '%s' is longer than %zu bytes",
			      path, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ns_err(-errno, "cannot create socket: %s", strerror(errno));
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		if (err == EINTR)
			continue;
		close(fd);
		if (err == ENOENT)
			return ns_err(-ECONNREFUSED, "no pmemfs daemon at '%s': no such socket",
				      path);
		if (err == ECONNREFUSED)
			return ns_err(-ECONNREFUSED, "no pmemfs daemon at '%s': nobody listening",
				      path);
		if (err == EACCES || err == EPERM)
			return ns_err(-EACCES, "permission denied on control socket '%s'", path);
		return ns_err(-err, "cannot connect to '%s': %s", path, strerror(err));
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->path = strdup(path);
	if (c)
		c->rbuf = malloc(CTL_MSG_MAX);
	if (c == NULL || c->path == NULL || c->rbuf == NULL) {
		close(fd);
		if (c) {
			free(c->path);
			free(c->rbuf);
		}
		free(c);
		return ns_err(-ENOMEM, "out of memory");
	}
	c->fd = fd;
	c->timeout_ms = CTL_CLIENT_TIMEOUT_MS;
	*out = c;
	return 0;
}

void ctl_client_close(struct ctl_client **cp)
{
	struct ctl_client *c = cp ? *cp : NULL;

	if (c == NULL)
		return;
	close(c->fd);
	free(c->path);
	free(c->rbuf);
	free(c);
	*cp = NULL;
}

void ctl_client_set_timeout(struct ctl_client *c, int timeout_ms)
{
	if (timeout_ms > 0)
		c->timeout_ms = timeout_ms;
}

int ctl_client_fd(const struct ctl_client *c)
{
	return c->fd;
}

void ctl_response_free(struct ctl_response **rp)
{
	struct ctl_response *r = rp ? *rp : NULL;
	unsigned i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nparts; i++)
		free(r->parts[i].buf);
	free(r->parts);
	free(r);
	*rp = NULL;
}

/*
 * Receive one packet into c->rbuf within the timeout; returns its length.
 * A packet already there (the parts of a reply come in a burst) is taken
 * without a poll.
 */
static ssize_t ctl_client_recv(struct ctl_client *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct iovec iov = { .iov_base = c->rbuf, .iov_len = CTL_MSG_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int rc;

	do
		n = recvmsg(c->fd, &mh, MSG_TRUNC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		do
			rc = poll(&pfd, 1, c->timeout_ms);
		while (rc < 0 && errno == EINTR);
		if (rc < 0)
			return ns_err(-errno, "poll: %s", strerror(errno));
		if (rc == 0)
			return ns_err(-ETIMEDOUT, "no reply from the daemon at '%s' within %d ms",
				      c->path, c->timeout_ms);
		do
			n = recvmsg(c->fd, &mh, MSG_TRUNC);
		while (n < 0 && errno == EINTR);
	}
	if (n < 0) {
		if (errno == ECONNRESET)
			return ns_err(-ECONNRESET, "the daemon at '%s' closed the connection",
				      c->path);
		return ns_err(-errno, "cannot receive from '%s': %s", c->path, strerror(errno));
	}
	if (n == 0)
		return ns_err(-ECONNRESET, "the daemon at '%s' closed the connection", c->path);
	if ((size_t)n > CTL_MSG_MAX || (mh.msg_flags & MSG_TRUNC))
		return ns_err(-EMSGSIZE, "malformed reply: message of %zd bytes exceeds %d bytes",
			      n, CTL_MSG_MAX);
	return n;
}

/* Keep the message in c->rbuf as a part of r (copied; attrs re-pointed). */
static int ctl_response_add(struct ctl_response *r, const struct ctl_reply_msg *msg,
			    const uint8_t *buf, size_t len)
{
	struct ctl_response_part *p;
	unsigned t;

	if (r->nparts >= CTL_CLIENT_MAX_PARTS)
		return ns_err(-E2BIG, "malformed reply: more than %u parts",
			      CTL_CLIENT_MAX_PARTS);
	if ((r->nparts & (r->nparts - 1)) == 0) {	/* 0, 1, 2, 4, ...: grow */
		unsigned cap = r->nparts ? r->nparts * 2 : 1;
		void *np = realloc(r->parts, cap * sizeof(*r->parts));

		if (np == NULL)
			return ns_err(-ENOMEM, "out of memory");
		r->parts = np;
	}
	p = &r->parts[r->nparts];
	memset(p, 0, sizeof(*p));
	p->buf = malloc(len);
	if (p->buf == NULL)
		return ns_err(-ENOMEM, "out of memory");
	memcpy(p->buf, buf, len);
	p->len = len;
	p->cmd = msg->cmd;
	for (t = 0; t <= CTL_A_MAX; t++)
		if (msg->attrs[t])
			p->attrs[t] = (void *)((uint8_t *)p->buf +
					       ((const uint8_t *)msg->attrs[t] - buf));
	r->nparts++;
	return 0;
}

/*
 * The daemon's failure as our return code and message; a refusal of what
 * this client sent as unknown (an attribute, flag or command) said first
 * as what it means: the daemon is older than this client.
 */
static int ctl_reply_error(const struct ctl_client *c, const struct ctl_reply_msg *msg)
{
	int err = (int)nla_get_u32(msg->attrs[CTL_A_ERRNO]);
	const char *m = nla_get_string(msg->attrs[CTL_A_ERRMSG]);

	if (ctl_proto_schema_refusal(-err, m))
		return ns_err(-err, "the daemon at '%s' is older than this pmemctl and does not "
			      "know this request (remount with this version's pmemfs, or use "
			      "the pmemctl of the daemon's version); it said: %s", c->path, m);
	return ns_err(-err, "%s", m);
}

static int ctl_client_receive(struct ctl_client *c, bool check_seq, uint32_t seq,
			      struct ctl_response **out)
{
	struct ctl_response *r;
	int rc = 0;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return ns_err(-ENOMEM, "out of memory");

	for (;;) {
		struct ctl_reply_msg msg;
		ssize_t n = ctl_client_recv(c);

		if (n < 0) {
			rc = (int)n;
			break;
		}
		rc = ctl_proto_reply_parse(c->rbuf, (size_t)n, &msg);
		if (rc && ctl_proto_schema_refusal(rc, ns_errormsg())) {
			rc = ns_err(rc, "the daemon at '%s' is newer than this pmemctl: its "
				    "reply carries what this pmemctl does not know (use the "
				    "pmemctl of the daemon's version); malformed reply: %s",
				    c->path, ns_errormsg());
			break;
		}
		if (rc) {
			rc = ns_err(rc, "malformed reply from '%s': %s", c->path,
				    ns_errormsg());
			break;
		}
		if (check_seq && msg.seq != seq) {
			rc = ns_err(-EBADMSG, "malformed reply from '%s': seq %u, expected %u",
				    c->path, msg.seq, seq);
			break;
		}
		if (msg.kind == CTL_REPLY_DONE) {
			r->multi = true;	/* alone: a multi-part reply of no part */
			break;
		}
		if (msg.kind == CTL_REPLY_SINGLE && r->multi) {
			rc = ns_err(-EBADMSG,
				    "malformed reply from '%s': a single reply inside a multi-part one",
				    c->path);
			break;
		}
		if (msg.attrs[CTL_A_ERRNO]) {
			/* kept: the drain below reuses c->rbuf, where msg points */
			char keep[2048];

			rc = ctl_reply_error(c, &msg);
			snprintf(keep, sizeof(keep), "%s", ns_errormsg());
			/* drain to DONE so the connection stays usable */
			if (msg.kind == CTL_REPLY_PART) {
				struct ctl_reply_msg d;
				ssize_t m = ctl_client_recv(c);

				if (m > 0)
					ctl_proto_reply_parse(c->rbuf, (size_t)m, &d);
			}
			ns_err(rc, "%s", keep);
			break;
		}
		if (msg.kind == CTL_REPLY_PART)
			r->multi = true;
		rc = ctl_response_add(r, &msg, c->rbuf, (size_t)n);
		if (rc || msg.kind == CTL_REPLY_SINGLE)
			break;
	}
	if (rc) {
		ctl_response_free(&r);
		return rc;
	}
	*out = r;
	return 0;
}

static int ctl_client_send_fail(const struct ctl_client *c, int err)
{
	if (err == EPIPE || err == ECONNRESET)
		return ns_err(-ECONNRESET, "the daemon at '%s' closed the connection", c->path);
	return ns_err(-err, "cannot send to '%s': %s", c->path, strerror(err));
}

static int ctl_client_send(struct ctl_client *c, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ctl_client_send_fail(c, errno);
	return 0;
}

int ctl_client_pipeline(struct ctl_client *c, struct nl_msg *const *reqs, unsigned n)
{
	struct mmsghdr mm[CTL_CLIENT_PIPELINE_MAX];
	struct iovec iov[CTL_CLIENT_PIPELINE_MAX];
	unsigned i, sent = 0;
	int k;

	if (n == 0 || n > CTL_CLIENT_PIPELINE_MAX)
		return ns_err(-EINVAL, "cannot send %u requests at once (1 to %u)", n,
			      CTL_CLIENT_PIPELINE_MAX);
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = nlmsg_hdr(reqs[i]);

		nlh->nlmsg_seq = ++c->seq;
		iov[i] = (struct iovec){ .iov_base = nlh, .iov_len = nlh->nlmsg_len };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	/* one packet each, in order; a signal may cut the batch short */
	while (sent < n) {
		k = sendmmsg(c->fd, mm + sent, n - sent, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return ctl_client_send_fail(c, errno);
		sent += (unsigned)k;
	}
	return 0;
}

int ctl_client_reply(struct ctl_client *c, struct nl_msg *req,
		     struct ctl_response **out)
{
	return ctl_client_receive(c, true, nlmsg_hdr(req)->nlmsg_seq, out);
}

int ctl_client_call(struct ctl_client *c, struct nl_msg *req, struct ctl_response **out)
{
	int rc;

	*out = NULL;
	rc = ctl_client_pipeline(c, &req, 1);
	if (rc)
		return rc;
	return ctl_client_reply(c, req, out);
}

int ctl_client_call_raw(struct ctl_client *c, const void *buf, size_t len,
			struct ctl_response **out)
{
	int rc;

	*out = NULL;
	rc = ctl_client_send(c, buf, len);
	if (rc)
		return rc;
	return ctl_client_receive(c, false, 0, out);
}
