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
 *
 * This file: start/stop and the I/O thread (accept, evict, read, send).
 * The workers are in server_work.c, the reply queues and the reply
 * builder in server_conn.c, the socket file's checks in server_sock.c;
 * server_int.h has what they share and which may call which.
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

#include <linux/netlink.h>

#include "ns/error.h"
#include "ctl/server_int.h"

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
			if (gone == 0 && c->state == CTL_CONN_IDLE && c->out.head && !(re & POLLOUT)) {
				gone = ctl_conn_flush(s, c);	/* replies of a new request */
				/*
				 * all sent: a request pipelined behind it (pmemctl
				 * sends VERSION and its request at once) is read
				 * now, not after another poll; none there is EAGAIN
				 */
				if (gone == 0 && !c->out.head)
					gone = ctl_conn_read(s, c, now);
			}
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
