/* SPDX-License-Identifier: MIT */
/*
 * The daemon's side of the control socket: an AF_UNIX SOCK_SEQPACKET
 * listener served by one I/O thread of its own and a pool of workers
 * (never the FUSE request threads). The I/O thread polls the listener and
 * every connection without blocking: requests are read one packet at a time, replies are queued per
 * connection and written as the peer takes them, so a client that never
 * sends, or never reads, costs one slot and blocks nobody. Each request is
 * validated (proto.h) and checked against the peer's SO_PEERCRED before
 * its handler runs; a malformed one gets an error reply, nothing else.
 *
 * Handlers run on workers, never two at once for one connection: a
 * connection's requests are answered in order. Commands that change
 * something run one at a time, in the order they came, on a worker of
 * their own; the others on a pool (opts.workers), several at once, so
 * that no change, however slow, holds a list. A handler gets the
 * request's attributes and a reply builder. It returns 0, or a negative
 * errno (or -NS_E_*) with an ns_err() message, which becomes the error
 * reply, or ctl_reply_wait() to be run again later (see there): no
 * handler blocks waiting for another client.
 *
 *   static const struct ctl_handler handlers[CTL_CMD_MAX + 1] = {
 *           [CTL_CMD_LIST] = { daemon_ctl_list, false },
 *           [CTL_CMD_CREATE_NS] = { daemon_ctl_create, true },
 *   };
 *   struct ctl_server_opts o = { .path = path, .owner = uid, .group = -1,
 *                                .mount = "/mnt/pmem", .handlers = handlers,
 *                                .arg = daemon };
 *   rc = ctl_server_start(&o, &srv);  ...  ctl_server_stop(&srv);
 */
#ifndef PMEMFS_CTL_SERVER_H
#define PMEMFS_CTL_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <netlink/msg.h>

#include "ctl/proto.h"

struct ctl_server;
struct ctl_reply;

typedef int ctl_handler_fn(const struct ctl_request *req, struct ctl_reply *rep,
			   void *arg);

struct ctl_handler {
	ctl_handler_fn *fn;	/* NULL: EOPNOTSUPP (VERSION is answered built in) */
	/*
	 * The command changes state: only uid 0 and the owner may run it.
	 * A command the protocol marks as changing (ctl_cmd_info.changes) is
	 * treated so whatever this says.
	 */
	bool changes;
};

struct ctl_server_opts {
	const char *path;	/* socket path (ctl_path_default() or -o ctl=) */
	uid_t owner;		/* the mount's owner: may change things */
	gid_t group;		/* (gid_t)-1: socket 0600; else 0660 and this group */
	const char *mount;	/* mount point, for messages and VERSION; NULL: path */
	const struct ctl_handler *handlers;	/* CTL_CMD_MAX + 1 entries, by command */
	void *arg;		/* handed to every handler */
	unsigned max_clients;	/* 0: 64; further connections are closed at once */
	int idle_timeout_ms;	/* 0: 60000; a silent connection is closed after it */
	int stall_timeout_ms;	/* 0: 10000; a peer that takes no reply data */
	unsigned workers;	/* 0: 4; commands that change nothing run at once */
	/* the server thread's trouble (out of descriptors, ...), or NULL */
	void (*log)(const char *msg);
};

/*
 * Create the socket and start serving. The socket's directory is created
 * 0755 when missing; an existing socket file is replaced only when nothing
 * answers on it (-EADDRINUSE when a daemon does; -EEXIST when the path is
 * not a socket). The socket gets mode 0600 (0660 with a group) before it
 * listens. Returns 0 or a negative errno with a message.
 */
int ctl_server_start(const struct ctl_server_opts *o, struct ctl_server **out);

/*
 * Stop: wake the thread (eventfd), join it, let each worker finish the
 * handler it runs and join it, close every connection (queued and parked
 * requests and queued replies are dropped), remove the socket file.
 * NULL-safe; sets *s to NULL.
 */
void ctl_server_stop(struct ctl_server **s);

/* The socket path being served. */
const char *ctl_server_path(const struct ctl_server *s);

/*
 * Counters since start (read from any thread; for tests and logs):
 * requests handled, requests rejected before any handler (malformed or
 * refused), connections accepted, connections dropped (a timeout, a send
 * error, or no free slot), and the connections open now.
 */
struct ctl_server_counters {
	uint64_t handled;
	uint64_t rejected;
	uint64_t accepted;
	uint64_t dropped;
	uint64_t open;
};
void ctl_server_counters(const struct ctl_server *s, struct ctl_server_counters *c);

/*
 * Reply builders for handlers.
 *
 * ctl_reply_msg(): the single reply (created on first call, same message
 * after), to put attributes in. A handler that builds nothing sends an
 * empty success reply, or for a multi-part command (ctl_cmd_info.multi)
 * an empty multi-part reply (just NLMSG_DONE). A multi-part command may
 * still answer with a single message (STATS of one namespace).
 *
 * ctl_reply_part(): a new part of a multi-part reply; the previous part is
 * queued for sending. After the handler returns, the last part and the
 * NLMSG_DONE are queued; a multi-part reply with no part is just DONE.
 * If the handler fails after parts were queued, the failure is sent as a
 * last part before DONE.
 *
 * Both return NULL when out of memory, when the connection's queue is over
 * its bound, or when mixed (a part after ctl_reply_msg or the other way
 * round); the handler should then return -ENOMEM / -EINVAL.
 */
struct nl_msg *ctl_reply_msg(struct ctl_reply *rep);
struct nl_msg *ctl_reply_part(struct ctl_reply *rep);

/*
 * Waiting for something another client does (a RELEASE of a busy
 * namespace): a handler that finds it must wait, and may
 * (ctl_reply_may_wait()), returns ctl_reply_wait(rep, ms) before building
 * any reply part, with every lock dropped. Its request is parked: the
 * connection reads nothing else meanwhile, no worker is held, and the
 * handler runs again from the start (so it looks at the state afresh)
 * after each ctl_server_wake(), and one last time ms after it first
 * parked, when ctl_reply_may_wait() is false and it must answer. A
 * client that hangs up while parked has its request dropped unanswered.
 */
#define CTL_REPLY_WAIT 1
bool ctl_reply_may_wait(const struct ctl_reply *rep);
int ctl_reply_wait(struct ctl_reply *rep, unsigned ms);

/*
 * Run every parked request again (from any thread, with any locks held:
 * it only writes an eventfd). NULL-safe.
 */
void ctl_server_wake(struct ctl_server *s);

#endif
