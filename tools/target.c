/* SPDX-License-Identifier: MIT */
/*
 * The region source of a command: a region file opened with the core
 * (offline), or a pmemfs daemon's control socket (online).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "ctl/client.h"
#include "ns/error.h"
#include "ctl/path.h"
#include "tools/pmemctl.h"
#include "ctl/proto.h"
#include "ns/region.h"
#include "tools/target.h"

int pc_target_opt(struct pc_target *t, const struct pc_parser *p, int key)
{
	int rc;

	switch (key) {
	case PC_KEY_FILE:
		t->file = p->arg;
		return 1;
	case PC_KEY_MOUNT:
		t->mount = p->arg;
		return 1;
	case PC_KEY_SOCKET:
		t->socket = p->arg;
		return 1;
	case 'r':
		/* longer than any region can be named: say so before sending it */
		if (ctl_proto_string_check(CTL_A_REGION, p->arg) < 0) {
			pc_fail(-EINVAL, "bad value for --region");
			return -EINVAL;
		}
		t->region = p->arg;
		return 1;
	case PC_KEY_LABEL_SIZE:
		rc = pc_opt_size(p, &t->label_size);
		return rc < 0 ? rc : 1;
	default:
		return 0;
	}
}

int pc_target_bind(const struct pc_parser *p, const struct pc_opt *o, void *t)
{
	int rc = pc_target_opt(t, p, o->key);

	return rc < 0 ? rc : 0;
}

static void pc_target_copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* The socket of mount m (the daemon runs as the mount's user_id). */
static int pc_target_from_mount(struct pc_target *t, const struct ctl_mount *m)
{
	uid_t uid = m->user_id == (uid_t)-1 ? 0 : m->user_id;
	int rc = ctl_path_socket(m->major, m->minor, uid, t->sockpath, sizeof(t->sockpath));

	if (rc < 0)
		return pc_fail(rc, "cannot find the control socket of '%s'", m->mountpoint);
	pc_target_copy(t->mountpoint, sizeof(t->mountpoint), m->mountpoint);
	return 0;
}

/* the pmemfs mounts of mountinfo, read once per command */
struct pc_mounts {
	struct ctl_mount *v;
	size_t n;
};

/*
 * Online: the socket of --socket, of --mount, or of the only pmemfs mount
 * among ms (NULL: mountinfo not read yet, read here).
 */
static int pc_target_resolve(struct pc_target *t, const struct pc_parser *p,
			     const struct pc_mounts *ms)
{
	struct pc_mounts own = { 0 };
	struct ctl_mount m;
	size_t i;
	int rc;

	t->online = true;
	if (t->socket && t->mount)
		return pc_usage_error(p, "give --mount DIR or --socket PATH, not both");
	if (t->socket) {
		pc_target_copy(t->sockpath, sizeof(t->sockpath), t->socket);
		return 0;
	}
	if (t->mount) {
		rc = ctl_path_find_mount(NULL, t->mount, &m);
		if (rc < 0)
			return pc_fail_msg(rc, "%s", ns_errormsg());
		rc = pc_target_from_mount(t, &m);
		ctl_path_mount_clear(&m);
		return rc;
	}
	if (!ms) {
		rc = ctl_path_mounts(NULL, &own.v, &own.n);
		if (rc < 0)
			return pc_fail(rc, "cannot look for pmemfs mounts");
		ms = &own;
	}
	if (ms->n == 0) {
		rc = pc_fail_msg(-ECONNREFUSED, "no pmemfs daemon: nothing is mounted with "
				  "type fuse.pmemfs (mount one, give --socket PATH, or work "
				  "on an unmounted region file with --file PATH)");
	} else if (ms->n > 1) {
		char list[2048];
		size_t o = 0;

		list[0] = '\0';
		for (i = 0; i < ms->n && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s'%s' (%s)",
					      i ? ", " : "", ms->v[i].mountpoint,
					      ms->v[i].source);
		rc = pc_usage_error(p, "%zu pmemfs mounts: choose one with --mount DIR: %s",
				     ms->n, list);
	} else {
		rc = pc_target_from_mount(t, &ms->v[0]);
	}
	ctl_path_mounts_free(own.v, own.n);
	return rc;
}

/* pc_target_check() with the mounts already read (ms NULL: not read) */
static int pc_target_check_in(struct pc_target *t, const struct pc_parser *p,
			      const struct pc_mounts *ms)
{
	if (t->file && (t->mount || t->socket))
		return pc_usage_error(p, "--file is offline, --mount and --socket online: "
				       "give one of them");
	if (!t->file)
		return pc_target_resolve(t, p, ms);
	if (!*t->file)
		return pc_usage_error(p, "--file needs a path");
	if (t->region && strcmp(t->region, "region0") != 0 &&
	    strcmp(t->region, "0") != 0 && strcmp(t->region, "all") != 0)
		return pc_fail_msg(-ENOENT,
				    "no region '%s': offline, the file '%s' is region0",
				    t->region, t->file);
	return 0;
}

int pc_target_check(struct pc_target *t, const struct pc_parser *p)
{
	return pc_target_check_in(t, p, NULL);
}

/*
 * Every pmemfs mount, as ndctl lists every region of the system: without
 * --file, --mount or --socket and with several mounts, one target per
 * mount (each with t's --region); otherwise t itself, checked.
 */
int pc_target_check_all(struct pc_target *t, const struct pc_parser *p,
			 struct pc_target **out, size_t *nout)
{
	struct pc_mounts ms = { 0 };
	struct pc_target *ts;
	size_t i;
	int rc;

	*out = NULL;
	*nout = 0;
	if (t->file || t->mount || t->socket) {
		rc = pc_target_check(t, p);
		goto one;
	}
	rc = ctl_path_mounts(NULL, &ms.v, &ms.n);
	if (rc < 0)
		return pc_fail(rc, "cannot look for pmemfs mounts");
	if (ms.n < 2) {
		/* none or one: t itself, from the mounts just read */
		rc = pc_target_check_in(t, p, &ms);
		ctl_path_mounts_free(ms.v, ms.n);
		goto one;
	}
	ts = calloc(ms.n, sizeof(*ts));
	if (!ts) {
		ctl_path_mounts_free(ms.v, ms.n);
		return pc_fail_msg(-ENOMEM, "out of memory");
	}
	for (i = 0, rc = 0; i < ms.n && rc == 0; i++) {
		ts[i].region = t->region;
		ts[i].online = true;
		rc = pc_target_from_mount(&ts[i], &ms.v[i]);
	}
	ctl_path_mounts_free(ms.v, ms.n);
	if (rc) {
		free(ts);
		return rc;
	}
	*out = ts;
	*nout = ms.n;
	return 0;
one:
	if (rc)
		return rc;
	ts = malloc(sizeof(*ts));
	if (!ts)
		return pc_fail_msg(-ENOMEM, "out of memory");
	*ts = *t;
	*out = ts;
	*nout = 1;
	return 0;
}

void pc_targets_free(struct pc_target *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pc_target_close(&v[i]);
	free(v);
}

int pc_target_check_online(struct pc_target *t, const struct pc_parser *p)
{
	if (t->file)
		return pc_fail_msg(-EOPNOTSUPP, "needs a running pmemfs daemon "
				    "(not available in offline mode)");
	return pc_target_resolve(t, p, NULL);
}

char *pc_target_mounted_at(const char *path)
{
	struct ctl_mount *v = NULL;
	char *real = realpath(path, NULL), *found = NULL;
	size_t n = 0, i;

	if (!real || ctl_path_mounts(NULL, &v, &n) < 0) {
		free(real);
		return NULL;
	}
	for (i = 0; i < n && !found; i++)
		if (strcmp(v[i].source, real) == 0)
			found = strdup(v[i].mountpoint);
	ctl_path_mounts_free(v, n);
	free(real);
	ns_err_clear();
	return found;
}

int pc_target_open(const struct pc_target *t, enum pc_open_mode mode,
		    struct ns_region **out)
{
	struct ns_region_opts o = {
		.id = 0,
		.label_size = t->label_size,
	};
	int rc;

	if (mode == PC_OPEN_READ)
		o.flags |= NS_REGION_RDONLY;
	if (mode == PC_OPEN_WRITE_NOLABELS)
		o.flags |= NS_REGION_NOLABELS_OK;
	rc = ns_region_open(t->file, &o, out);
	if (rc == -NS_E_LOCKED) {
		char msg[1024], *mnt;

		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		mnt = pc_target_mounted_at(t->file);
		if (mnt && t->offline_only)
			rc = pc_fail_msg(rc, "%s: it is mounted on '%s', and this command "
					  "works offline only: unmount it first "
					  "(fusermount3 -u %s)", msg, mnt, mnt);
		else if (mnt)
			rc = pc_fail_msg(rc, "%s: it is mounted on '%s': use --mount %s "
					  "(without --file)", msg, mnt, mnt);
		else
			rc = pc_fail_msg(rc, "%s (if a pmemfs daemon serves it, use "
					  "--mount MOUNTPOINT instead of --file)", msg);
		free(mnt);
		ns_err_clear();
		return rc;
	}
	if (rc < 0)
		return pc_fail_on(rc, t->file, "cannot open region '%s'", t->file);
	return 0;
}

/* ---- online ---- */

struct nl_msg *pc_target_request(const struct pc_target *t, unsigned cmd)
{
	struct nl_msg *m = ctl_proto_request_new(cmd);

	if (!m) {
		pc_fail_msg(-ENOMEM, "out of memory");
		return NULL;
	}
	if (t->region && strcmp(t->region, "all") != 0 &&
	    (ctl_proto_string_check(CTL_A_REGION, t->region) < 0 ||
	     ctl_put_string(m, CTL_A_REGION, t->region) < 0)) {
		pc_fail(-EINVAL, "bad value for --region");
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

struct nl_msg *pc_target_region_request(const struct pc_target *t, unsigned cmd)
{
	struct nl_msg *m = pc_target_request(t, cmd);

	if (m && (!t->region || !strcmp(t->region, "all")) &&
	    ctl_put_string(m, CTL_A_REGION, "all") < 0) {
		pc_fail_msg(-ENOMEM, "out of memory");
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/* The hint for an unreachable daemon: which socket, and what to try. */
static int pc_target_connect_fail(const struct pc_target *t, int rc)
{
	struct statfs sfs;
	char msg[1024];

	snprintf(msg, sizeof(msg), "%s", ns_errormsg());
	/*
	 * Nobody answers and the mount gives ENOTCONN: its daemon is gone
	 * (killed, crashed) and the dead mount stays until unmounted. statfs
	 * is always sent to the daemon; a live one (started with -o ctl=PATH)
	 * answers it.
	 */
	if (rc == -ECONNREFUSED && !t->socket && t->mountpoint[0] &&
	    statfs(t->mountpoint, &sfs) < 0 && errno == ENOTCONN)
		return ns_err(rc, "%s: the pmemfs mount '%s' is dead, its daemon is gone (%s); "
			      "clear it with `fusermount3 -uz %s`, then mount again", msg,
			      t->mountpoint, strerror(ENOTCONN), t->mountpoint);
	if (rc == -ECONNREFUSED && !t->socket)
		return ns_err(rc, "%s (is the daemon of '%s' running? one started with "
			      "-o ctl=PATH needs --socket PATH)", msg, t->mountpoint);
	if (rc == -EACCES)
		return ns_err(rc, "%s: its daemon runs as another user (ask it for "
			      "-o ctl_group=GROUP, or run as root)", msg);
	return rc;
}

/*
 * Connect and send VERSION with reqs (the first request, and the one
 * sent ahead behind it), in one round trip: the daemon answers them in
 * order, and one of another protocol version refuses them unread (their
 * genetlink header carries our version: docs/control-protocol.md), so
 * nothing is done before the version is checked here. On success the
 * replies of reqs are next on the connection (ctl_client_reply).
 */
static int pc_target_connect(struct pc_target *t, struct nl_msg *const *reqs, unsigned n)
{
	struct ctl_response *resp = NULL;
	struct nl_msg *req, *all[3];
	int rc;

	rc = ctl_client_connect(t->sockpath, &t->client);
	if (rc < 0)
		return pc_target_connect_fail(t, rc);
	/* the protocol version, and the mount point (--socket gives none) */
	req = ctl_proto_request_new(CTL_CMD_VERSION);
	if (!req) {
		ctl_client_close(&t->client);
		return ns_err(-ENOMEM, "out of memory");
	}
	all[0] = req;
	all[1] = reqs[0];
	all[2] = n > 1 ? reqs[1] : NULL;
	rc = ctl_client_pipeline(t->client, all, n + 1);
	if (rc == 0)
		rc = ctl_client_reply(t->client, req, &resp);
	nlmsg_free(req);
	if (rc < 0) {
		ctl_client_close(&t->client);
		return rc;
	}
	if (resp->nparts != 1 || !resp->parts[0].attrs[CTL_A_PROTO_VERSION]) {
		rc = ns_err(-EPROTO, "the daemon at '%s' sent no protocol version",
			    t->sockpath);
	} else if (nla_get_u32(resp->parts[0].attrs[CTL_A_PROTO_VERSION]) !=
		   CTL_PROTO_VERSION) {
		rc = ns_err(-EPROTONOSUPPORT, "the daemon at '%s' speaks control protocol "
			    "%u, this pmemctl %u: use the pmemctl of the daemon's version",
			    t->sockpath,
			    nla_get_u32(resp->parts[0].attrs[CTL_A_PROTO_VERSION]),
			    CTL_PROTO_VERSION);
	} else if (resp->parts[0].attrs[CTL_A_MOUNT]) {
		pc_target_copy(t->mountpoint, sizeof(t->mountpoint),
				nla_get_string(resp->parts[0].attrs[CTL_A_MOUNT]));
	}
	ctl_response_free(&resp);
	if (rc < 0)
		ctl_client_close(&t->client);
	return rc;
}

int pc_target_call_quiet(struct pc_target *t, struct nl_msg *req,
			  struct ctl_response **out)
{
	struct nl_msg *reqs[2] = { req, t->ahead };
	unsigned n = 1;
	int rc;

	*out = NULL;
	if (!req)
		return ns_err(-ENOMEM, "out of memory");
	if (req == t->ahead) {
		t->ahead = NULL;
		if (t->ahead_sent) {
			/* sent with the call before: its reply is next */
			t->ahead_sent = false;
			rc = ctl_client_reply(t->client, req, out);
			nlmsg_free(req);
			return rc;
		}
	} else if (t->ahead && !t->ahead_sent) {
		n = 2;	/* req, and the one sent ahead behind it */
	}
	rc = t->client ? ctl_client_pipeline(t->client, reqs, n) :
			 pc_target_connect(t, reqs, n);
	if (rc == 0 && n == 2)
		t->ahead_sent = true;
	if (rc == 0)
		rc = ctl_client_reply(t->client, req, out);
	nlmsg_free(req);
	return rc;
}

void pc_target_send_ahead(struct pc_target *t, struct nl_msg *req)
{
	nlmsg_free(t->ahead);
	t->ahead = req;
	t->ahead_sent = false;
}

int pc_target_call(struct pc_target *t, struct nl_msg *req, struct ctl_response **out)
{
	int rc = pc_target_call_quiet(t, req, out);

	if (rc < 0)
		return pc_fail_msg(rc, "%s", ns_errormsg()[0] ? ns_errormsg() :
				    ns_strerror(rc));
	return 0;
}

void pc_target_close(struct pc_target *t)
{
	ctl_client_close(&t->client);
	nlmsg_free(t->ahead);
	t->ahead = NULL;
	t->ahead_sent = false;
}
