/* SPDX-License-Identifier: MIT */
/*
 * pmemctl's side of the control socket: connect, send one request, receive
 * its reply (one message, or the parts of a multi-part reply up to
 * NLMSG_DONE), each message validated as the server validates requests.
 *
 *   struct nl_msg *req = ctl_proto_request_new(CTL_CMD_LIST);
 *   struct ctl_response *resp;
 *   rc = ctl_client_call(c, req, &resp);	// req is not freed
 *   for (i = 0; i < resp->nparts; i++)
 *           if (resp->parts[i].attrs[CTL_A_NS_INFO]) ...ctl_ns_info_get()...
 *   ctl_response_free(&resp);
 */
#ifndef PMEMFS_CTL_CLIENT_H
#define PMEMFS_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <netlink/msg.h>

#include "ctl/proto.h"

struct ctl_client;

/* default time to wait for each reply message */
#define CTL_CLIENT_TIMEOUT_MS 30000

/*
 * Connect to the daemon's socket at path. Returns 0, or -ECONNREFUSED
 * when no daemon answers there (no such socket, or nobody listening; the
 * message says which), -EACCES when the socket is not ours to use, or
 * another negative errno; all with a message naming the path.
 */
int ctl_client_connect(const char *path, struct ctl_client **out);

/* Close; NULL-safe; sets *c to NULL. */
void ctl_client_close(struct ctl_client **c);

/* How long to wait for each message of a reply (ms, > 0). */
void ctl_client_set_timeout(struct ctl_client *c, int timeout_ms);

/* The connected socket (for poll loops and tests). */
int ctl_client_fd(const struct ctl_client *c);

struct ctl_response_part {
	unsigned cmd;
	struct nlattr *attrs[CTL_A_MAX + 1];
	void *buf;		/* the message; attrs point into it */
	size_t len;
};

struct ctl_response {
	bool multi;		/* came as a multi-part reply */
	unsigned nparts;	/* 1 for a single reply; 0..n for multi-part */
	struct ctl_response_part *parts;
};

void ctl_response_free(struct ctl_response **r);

/*
 * Send req (its seq is set here; req stays the caller's) and wait for the
 * whole reply. Returns 0 with *out set, or a negative errno with *out
 * NULL and an ns_err() message:
 *   - the daemon's failure: -errno it sent, its message as it sent it
 *   - -ETIMEDOUT: no message within the timeout
 *   - -ECONNRESET: the daemon closed the connection
 *   - -EBADMSG etc.: a malformed reply ("malformed reply: ...")
 */
int ctl_client_call(struct ctl_client *c, struct nl_msg *req,
		    struct ctl_response **out);

/*
 * Pipelining: send n requests (1..CTL_CLIENT_PIPELINE_MAX; their seqs set
 * here, in order; they stay the caller's) in one system call without
 * waiting for a reply, then receive each reply with ctl_client_reply(),
 * in the same order. The daemon reads a connection's next request only
 * after the replies to the one before are sent (every version since the
 * protocol's first), so the replies come in request order. Returns 0 or
 * a negative errno with a message, as ctl_client_call().
 *
 *   struct nl_msg *both[] = { version_req, list_req };
 *   rc = ctl_client_pipeline(c, both, 2);
 *   rc = rc ? rc : ctl_client_reply(c, version_req, &v);
 *   rc = rc ? rc : ctl_client_reply(c, list_req, &l);
 */
#define CTL_CLIENT_PIPELINE_MAX 4
int ctl_client_pipeline(struct ctl_client *c, struct nl_msg *const *reqs, unsigned n);

/*
 * Wait for the whole reply to req, sent by ctl_client_pipeline(); as
 * ctl_client_call() does once it has sent req.
 */
int ctl_client_reply(struct ctl_client *c, struct nl_msg *req,
		     struct ctl_response **out);

/*
 * Send len raw bytes as one packet and receive the reply as
 * ctl_client_call does, whatever its seq (raw test clients, fuzz replay).
 */
int ctl_client_call_raw(struct ctl_client *c, const void *buf, size_t len,
			struct ctl_response **out);

#endif
