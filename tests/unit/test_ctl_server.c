/* SPDX-License-Identifier: MIT */
/*
 * The control socket for real: a server thread on a socket in a temporary
 * directory with a table of test handlers, and real clients (this process,
 * or a child running as another uid when we are root). Also the socket
 * locations and mount discovery (path.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ctl/client.h"
#include "ns/error.h"
#include "ctl/path.h"
#include "ctl/proto.h"
#include "ctl/server.h"

#define MiB (1ULL << 20)
#define NOBODY 65534
#define MOUNT "/mnt/test"

/* ---- test handlers ---- */

struct tstate {
	unsigned list_n;	/* LIST parts */
	size_t list_pad;	/* extra bytes of path per LIST part */
	unsigned calls[CTL_CMD_MAX + 1];	/* __atomic */
	uid_t last_uid;
	/* DISABLE_NS parks until gate (__atomic), for park_ms at most */
	unsigned park_ms;
	int gate;
	unsigned parks;		/* __atomic: runs that parked */
	unsigned last_runs;	/* __atomic: runs with ctl_reply_may_wait() false */
	int wake_in_run;	/* __atomic: the next run wakes the server itself */
	/* RENAME_NS sleeps (blocks its worker) until slow_gate (__atomic) */
	int slow_gate;
	int slow_in;		/* __atomic: it is sleeping */
	/* READ_LABELS (a query) does the same when rl_block is set */
	int rl_block;
	int rl_gate;		/* __atomic */
	unsigned rl_in;		/* __atomic: it is sleeping */
};

static struct tstate T;
static struct ctl_server *srv;

static void count_call(const struct ctl_request *req)
{
	__atomic_add_fetch(&T.calls[req->cmd], 1, __ATOMIC_SEQ_CST);
	T.last_uid = req->cred.uid;
}

static unsigned calls(unsigned cmd)
{
	return __atomic_load_n(&T.calls[cmd], __ATOMIC_SEQ_CST);
}

static unsigned all_calls(void)
{
	unsigned c, n = 0;

	for (c = 0; c <= CTL_CMD_MAX; c++)
		n += calls(c);
	return n;
}

static int h_list(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct tstate *t = arg;
	/* queries run on a pool of workers: nothing shared between calls, and
	 * the sizes taken before the call is counted (a test changes them
	 * once it sees the count) */
	const unsigned list_n = t->list_n;
	const size_t list_pad = t->list_pad;
	char *path = malloc(CTL_MSG_MAX);
	unsigned i;
	int rc = 0;

	count_call(req);
	if (path == NULL)
		return ns_err(-ENOMEM, "no memory for a path");
	for (i = 0; i < list_n && rc == 0; i++) {
		struct nl_msg *m = ctl_reply_part(rep);
		char dev[32], name[64];
		struct ctl_ns_info ns = {
			.region = "region0", .dev = dev, .name = name,
			.size = (uint64_t)(i + 1) * 2 * MiB, .dpa = (uint64_t)i * 2 * MiB,
			.align = 2 * MiB, .state = "active", .path = path,
		};
		int n;

		if (m == NULL) {
			rc = ns_err(-ENOMEM, "cannot start part %u", i);
			break;
		}
		snprintf(dev, sizeof(dev), "namespace0.%u", i);
		snprintf(name, sizeof(name), "ns%u", i);
		n = snprintf(path, CTL_MSG_MAX, MOUNT "/region0/ns%u", i);
		memset(path + n, 'x', list_pad);
		path[n + list_pad] = '\0';
		memset(ns.uuid, (int)i, 16);
		rc = ctl_ns_info_put(m, &ns);
	}
	free(path);
	return rc;
}

static int h_create(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct nl_msg *m = ctl_reply_msg(rep);
	struct ctl_ns_info ns = {
		.region = nla_get_string(req->attrs[CTL_A_REGION]),
		.dev = "namespace0.0",
		.size = nla_get_u64(req->attrs[CTL_A_SIZE]),
		.readonly = ctl_request_flags(req) & CTL_F_READONLY,
		.state = "active",
	};

	count_call(req);
	if (m == NULL)
		return -ENOMEM;
	if (req->attrs[CTL_A_NS_NAME])
		ns.name = nla_get_string(req->attrs[CTL_A_NS_NAME]);
	if (req->attrs[CTL_A_NS_UUID])
		memcpy(ns.uuid, nla_data(req->attrs[CTL_A_NS_UUID]), 16);
	return ctl_ns_info_put(m, &ns);
}

static int h_destroy(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	char buf[CTL_UUID_STR_LEN];
	const char *spec = ctl_request_ns_spec(req, buf);

	count_call(req);
	if (!(ctl_request_flags(req) & CTL_F_FORCE))
		return ns_err(-EBUSY, "namespace '%s' is open: use --force", spec);
	return ctl_put_u32(ctl_reply_msg(rep), CTL_A_COUNT, 1);
}

/* three parts, then a failure */
static int h_read_labels(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct tstate *t = arg;
	unsigned i;

	count_call(req);
	if (t->rl_block) {
		__atomic_store_n(&t->rl_in, 1, __ATOMIC_SEQ_CST);
		for (i = 0; i < 5000 && !__atomic_load_n(&t->rl_gate, __ATOMIC_SEQ_CST); i++)
			usleep(1000);
	}
	for (i = 0; i < 3; i++) {
		struct ctl_label_info l = { .region = "region0", .slot = i, .valid = true };
		struct nl_msg *m = ctl_reply_part(rep);

		if (m == NULL || ctl_label_info_put(m, &l))
			return -ENOMEM;
	}
	return ns_err(-EIO, "cannot read label slot 3: input/output error");
}

static int h_init_labels(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	count_call(req);
	return 0;	/* an empty success reply */
}

static int h_stats(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	count_call(req);
	return 0;	/* nothing built: an empty success reply */
}

/* waits for something another client does: parks, never blocks */
static int h_disable(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct tstate *t = arg;

	count_call(req);
	if (__atomic_load_n(&t->gate, __ATOMIC_SEQ_CST))
		return ctl_put_u32(ctl_reply_msg(rep), CTL_A_COUNT, 1);
	if (ctl_reply_may_wait(rep)) {
		/* what it waits for happens between its look and its return */
		if (__atomic_exchange_n(&t->wake_in_run, 0, __ATOMIC_SEQ_CST))
			ctl_server_wake(srv);
		__atomic_add_fetch(&t->parks, 1, __ATOMIC_SEQ_CST);
		return ctl_reply_wait(rep, t->park_ms);
	}
	__atomic_add_fetch(&t->last_runs, 1, __ATOMIC_SEQ_CST);
	return ns_err(-EBUSY, "still held");
}

/* a slow change (a label commit on a slow disk): blocks its worker */
static int h_rename(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct tstate *t = arg;
	uint64_t i;

	count_call(req);
	__atomic_store_n(&t->slow_in, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < 5000 && !__atomic_load_n(&t->slow_gate, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	__atomic_store_n(&t->slow_in, 0, __ATOMIC_SEQ_CST);
	return 0;
}

static const struct ctl_handler handlers[CTL_CMD_MAX + 1] = {
	[CTL_CMD_LIST] = { h_list, false },
	[CTL_CMD_CREATE_NS] = { h_create, true },
	/* says "no change": the protocol's table overrules it */
	[CTL_CMD_DESTROY_NS] = { h_destroy, false },
	[CTL_CMD_READ_LABELS] = { h_read_labels, false },
	[CTL_CMD_INIT_LABELS] = { h_init_labels, true },
	[CTL_CMD_DISABLE_NS] = { h_disable, true },
	[CTL_CMD_RENAME_NS] = { h_rename, true },
	/* a query the daemon chooses to restrict */
	[CTL_CMD_STATS] = { h_stats, true },
};

/* ---- fixture ---- */

static char dir[64];
static char sockpath[sizeof(((struct sockaddr_un *)0)->sun_path)];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static struct ctl_server_opts default_opts(void)
{
	struct ctl_server_opts o = {
		.path = sockpath, .owner = getuid(), .group = (gid_t)-1,
		.mount = MOUNT, .handlers = handlers, .arg = &T,
	};
	return o;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ctltest.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0)
		return -1;
	/* run/pmemfs/ does not exist: the server creates it */
	snprintf(sockpath, sizeof(sockpath), "%s/run/pmemfs/0:42.sock", dir);
	memset(&T, 0, sizeof(T));
	T.list_n = 500;
	srv = NULL;
	return 0;
}

static int teardown(void **state)
{
	ctl_server_stop(&srv);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void start(const struct ctl_server_opts *o)
{
	int rc = ctl_server_start(o, &srv);

	if (rc)
		fail_msg("ctl_server_start: %d: %s", rc, ns_errormsg());
}

static struct ctl_client *connect_ok(void)
{
	struct ctl_client *c;
	int rc = ctl_client_connect(sockpath, &c);

	if (rc)
		fail_msg("ctl_client_connect: %d: %s", rc, ns_errormsg());
	ctl_client_set_timeout(c, 5000);
	return c;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* a request of cmd with the attributes the tests use */
static struct nl_msg *req_new(unsigned cmd)
{
	struct nl_msg *m = ctl_proto_request_new(cmd);

	assert_non_null(m);
	switch (cmd) {
	case CTL_CMD_CREATE_NS:
		ctl_put_string(m, CTL_A_REGION, "region0");
		ctl_put_u64(m, CTL_A_SIZE, 4 * MiB);
		ctl_put_string(m, CTL_A_NS_NAME, "vm1");
		break;
	case CTL_CMD_DESTROY_NS:
	case CTL_CMD_ENABLE_NS:
	case CTL_CMD_DISABLE_NS:
		ctl_put_string(m, CTL_A_NS_NAME, "vm1");
		break;
	case CTL_CMD_RENAME_NS:
		ctl_put_string(m, CTL_A_NS_NAME, "vm1");
		ctl_put_string(m, CTL_A_NEW_NAME, "vm2");
		break;
	case CTL_CMD_INIT_LABELS:
		ctl_put_string(m, CTL_A_REGION, "region0");
		break;
	}
	return m;
}

/* call cmd; returns rc, the response in *out when asked for */
static int call(struct ctl_client *c, unsigned cmd, struct ctl_response **out)
{
	struct nl_msg *m = req_new(cmd);
	struct ctl_response *r;
	int rc = ctl_client_call(c, m, &r);

	nlmsg_free(m);
	if (out)
		*out = r;
	else
		ctl_response_free(&r);
	return rc;
}

static void assert_version_ok(struct ctl_client *c)
{
	struct ctl_response *r;
	int rc = call(c, CTL_CMD_VERSION, &r);

	if (rc)
		fail_msg("version: %d: %s", rc, ns_errormsg());
	assert_int_equal(r->nparts, 1);
	assert_int_equal(nla_get_u32(r->parts[0].attrs[CTL_A_PROTO_VERSION]), CTL_PROTO_VERSION);
	ctl_response_free(&r);
}

/* LIST arrives complete and in order */
static void assert_list_complete(struct ctl_client *c, unsigned n)
{
	struct ctl_response *r;
	unsigned i;
	int rc = call(c, CTL_CMD_LIST, &r);

	if (rc)
		fail_msg("list: %d: %s", rc, ns_errormsg());
	assert_true(r->multi);
	assert_int_equal(r->nparts, n);
	for (i = 0; i < n; i++) {
		struct ctl_ns_info ns;
		char dev[32];
		uint8_t u[16];

		assert_int_equal(ctl_ns_info_get(r->parts[i].attrs[CTL_A_NS_INFO], &ns), 0);
		snprintf(dev, sizeof(dev), "namespace0.%u", i);
		assert_string_equal(ns.dev, dev);
		assert_int_equal(ns.size, (uint64_t)(i + 1) * 2 * MiB);
		memset(u, (int)i, 16);
		assert_memory_equal(ns.uuid, u, 16);
	}
	ctl_response_free(&r);
}

/* ---- tests ---- */

static void test_socket_mode_and_stop(void **state)
{
	struct ctl_server_opts o = default_opts();
	char sub[128];
	struct stat st;

	start(&o);
	assert_int_equal(lstat(sockpath, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(sub, sizeof(sub), "%s/run/pmemfs", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_string_equal(ctl_server_path(srv), sockpath);

	ctl_server_stop(&srv);
	assert_null(srv);
	assert_int_equal(lstat(sockpath, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_socket_group_mode(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct stat st;

	o.group = getgid();
	start(&o);
	assert_int_equal(lstat(sockpath, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, getgid());
}

static void test_version(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *c;
	struct ctl_response *r;

	start(&o);
	c = connect_ok();
	assert_int_equal(call(c, CTL_CMD_VERSION, &r), 0);
	assert_false(r->multi);
	assert_int_equal(r->nparts, 1);
	assert_int_equal(r->parts[0].cmd, CTL_CMD_VERSION);
	assert_int_equal(nla_get_u32(r->parts[0].attrs[CTL_A_PROTO_VERSION]), CTL_PROTO_VERSION);
	assert_non_null(r->parts[0].attrs[CTL_A_DAEMON_VERSION]);
	assert_string_equal(nla_get_string(r->parts[0].attrs[CTL_A_MOUNT]), MOUNT);
	ctl_response_free(&r);
	ctl_client_close(&c);
	assert_null(c);
}

static void test_request_response(void **state)
{
	static const uint8_t u[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct ctl_server_opts o = default_opts();
	struct ctl_client *c;
	struct ctl_response *r;
	struct ctl_ns_info ns;
	struct nl_msg *m;

	start(&o);
	c = connect_ok();
	m = ctl_proto_request_new(CTL_CMD_CREATE_NS);
	ctl_put_string(m, CTL_A_REGION, "region0");
	ctl_put_u64(m, CTL_A_SIZE, 64 * MiB);
	ctl_put_string(m, CTL_A_NS_NAME, "vm7");
	ctl_put_uuid(m, CTL_A_NS_UUID, u);
	ctl_put_u32(m, CTL_A_FLAGS, CTL_F_READONLY);
	assert_int_equal(ctl_client_call(c, m, &r), 0);
	nlmsg_free(m);
	assert_int_equal(r->nparts, 1);
	assert_int_equal(r->parts[0].cmd, CTL_CMD_CREATE_NS);
	assert_int_equal(ctl_ns_info_get(r->parts[0].attrs[CTL_A_NS_INFO], &ns), 0);
	assert_string_equal(ns.region, "region0");
	assert_string_equal(ns.name, "vm7");
	assert_int_equal(ns.size, 64 * MiB);
	assert_memory_equal(ns.uuid, u, 16);
	assert_true(ns.readonly);
	ctl_response_free(&r);
	assert_int_equal(calls(CTL_CMD_CREATE_NS), 1);
	assert_int_equal(T.last_uid, getuid());

	/* an empty success reply */
	assert_int_equal(call(c, CTL_CMD_INIT_LABELS, &r), 0);
	assert_int_equal(r->nparts, 1);
	assert_null(r->parts[0].attrs[CTL_A_ERRNO]);
	ctl_response_free(&r);
	ctl_client_close(&c);
}

static void test_handler_error(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *c;
	struct ctl_response *r = (void *)1;

	start(&o);
	c = connect_ok();
	assert_int_equal(call(c, CTL_CMD_DESTROY_NS, &r), -EBUSY);
	assert_null(r);
	assert_string_equal(ns_errormsg(), "namespace 'vm1' is open: use --force");
	/* the connection goes on */
	assert_version_ok(c);

	/* no handler for the command */
	assert_int_equal(call(c, CTL_CMD_ENABLE_NS, NULL), -EOPNOTSUPP);
	assert_string_equal(ns_errormsg(), "enable-namespace is not supported by this daemon");

	/* a failure after three parts: reported, and the connection drained */
	assert_int_equal(call(c, CTL_CMD_READ_LABELS, &r), -EIO);
	assert_null(r);
	assert_string_equal(ns_errormsg(), "cannot read label slot 3: input/output error");
	assert_version_ok(c);
	ctl_client_close(&c);
}

static void test_multi_500(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *c;
	struct ctl_response *r;

	start(&o);
	c = connect_ok();
	assert_list_complete(c, 500);
	/* twice on one connection */
	assert_list_complete(c, 500);

	/* no part at all: just DONE */
	T.list_n = 0;
	assert_int_equal(call(c, CTL_CMD_LIST, &r), 0);
	assert_true(r->multi);
	assert_int_equal(r->nparts, 0);
	ctl_response_free(&r);
	ctl_client_close(&c);
}

/* parts too big for the socket buffer: still complete */
static void test_multi_large(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *c;

	T.list_n = 2000;
	T.list_pad = 3000;	/* ~6 MiB in all */
	start(&o);
	c = connect_ok();
	assert_list_complete(c, 2000);
	ctl_client_close(&c);
}

static void test_silent_and_stalled_clients(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *silent, *stalled, *c;
	struct nl_msg *m;
	uint64_t t0;

	start(&o);
	silent = connect_ok();		/* connects, never sends */

	/* asks for ~9 MiB and never reads */
	T.list_n = 3000;
	T.list_pad = 3000;
	stalled = connect_ok();
	m = req_new(CTL_CMD_LIST);
	assert_int_equal(send(ctl_client_fd(stalled), nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, 0),
			 (ssize_t)nlmsg_hdr(m)->nlmsg_len);
	nlmsg_free(m);
	while (calls(CTL_CMD_LIST) == 0)
		usleep(1000);

	T.list_n = 500;
	T.list_pad = 0;
	t0 = now_ms();
	c = connect_ok();
	assert_version_ok(c);
	assert_list_complete(c, 500);
	assert_true(now_ms() - t0 < 2000);
	ctl_client_close(&c);
	ctl_client_close(&stalled);
	ctl_client_close(&silent);
}

static void test_disconnect_mid_reply(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_server_counters k;
	struct ctl_client *quitter, *c;
	struct nl_msg *m;
	char buf[CTL_MSG_MAX];
	uint64_t t0;

	T.list_n = 3000;
	T.list_pad = 3000;
	start(&o);
	quitter = connect_ok();
	m = req_new(CTL_CMD_LIST);
	assert_int_equal(send(ctl_client_fd(quitter), nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, 0),
			 (ssize_t)nlmsg_hdr(m)->nlmsg_len);
	nlmsg_free(m);
	assert_true(recv(ctl_client_fd(quitter), buf, sizeof(buf), 0) > 0);	/* one part */
	ctl_client_close(&quitter);

	/* the server notices (a send error) and drops it */
	t0 = now_ms();
	do {
		usleep(2000);
		ctl_server_counters(srv, &k);
	} while (k.dropped == 0 && now_ms() - t0 < 3000);
	assert_int_equal(k.dropped, 1);

	T.list_n = 500;
	T.list_pad = 0;
	c = connect_ok();
	assert_list_complete(c, 500);
	ctl_client_close(&c);
}

/* send cmd on c without waiting for the reply, with seq */
static void send_req(struct ctl_client *c, unsigned cmd, uint32_t seq)
{
	struct nl_msg *m = req_new(cmd);

	nlmsg_hdr(m)->nlmsg_seq = seq;
	assert_int_equal(send(ctl_client_fd(c), nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, 0),
			 (ssize_t)nlmsg_hdr(m)->nlmsg_len);
	nlmsg_free(m);
}

/* the first packet of a reply on c, within ms: its seq; its errno in *err */
static uint32_t recv_seq(struct ctl_client *c, int ms, int *err)
{
	static uint8_t buf[CTL_MSG_MAX];
	struct pollfd p = { .fd = ctl_client_fd(c), .events = POLLIN };
	struct nlmsghdr *nlh = (void *)buf;
	ssize_t n;

	assert_int_equal(poll(&p, 1, ms), 1);
	n = recv(ctl_client_fd(c), buf, sizeof(buf), 0);
	assert_true(n >= (ssize_t)NLMSG_HDRLEN);
	*err = 0;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		*err = -((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
	return nlh->nlmsg_seq;
}

/* no data on c for ms */
static void assert_no_reply(struct ctl_client *c, int ms)
{
	struct pollfd p = { .fd = ctl_client_fd(c), .events = POLLIN };

	assert_int_equal(poll(&p, 1, ms), 0);
}

static void wait_atomic(unsigned *v, unsigned want)
{
	uint64_t t0 = now_ms();

	while (__atomic_load_n(v, __ATOMIC_SEQ_CST) < want && now_ms() - t0 < 5000)
		usleep(1000);
	assert_true(__atomic_load_n(v, __ATOMIC_SEQ_CST) >= want);
}

/*
 * A slow command (one that changes things and takes long: a label commit
 * on a slow disk) holds no other client: LIST and VERSION of others
 * answer while it runs, and its own reply comes when it is done.
 */
static void test_slow_change_holds_nobody(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *slow, *c;
	uint64_t t0;
	int err;

	T.list_n = 50;
	start(&o);
	slow = connect_ok();
	send_req(slow, CTL_CMD_RENAME_NS, 11);
	wait_atomic((unsigned *)&T.slow_in, 1);
	c = connect_ok();
	t0 = now_ms();
	assert_version_ok(c);
	assert_list_complete(c, 50);
	/* today's single thread: both waited for the whole 5 s rename */
	assert_true(now_ms() - t0 < 2500);
	assert_int_equal(__atomic_load_n(&T.slow_in, __ATOMIC_SEQ_CST), 1);
	assert_no_reply(slow, 0);
	__atomic_store_n(&T.slow_gate, 1, __ATOMIC_SEQ_CST);
	assert_int_equal(recv_seq(slow, 5000, &err), 11);
	assert_int_equal(err, 0);
	ctl_client_close(&c);
	ctl_client_close(&slow);
}

/*
 * pmemctl's first request, VERSION, needs no worker (the server answers
 * it on its I/O thread): answered while the only query worker is busy.
 * Requests pipelined on one connection (VERSION with the command, as
 * pmemctl sends them: ctl_client_pipeline) are answered in order.
 */
static void test_version_needs_no_worker(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_response *v = NULL, *l = NULL;
	struct ctl_client *busy, *c;
	struct nl_msg *both[2];
	uint64_t t0;
	int err;

	o.workers = 1;
	T.list_n = 3;
	T.rl_block = 1;
	start(&o);
	busy = connect_ok();
	send_req(busy, CTL_CMD_READ_LABELS, 31);	/* holds the query worker */
	wait_atomic(&T.rl_in, 1);
	c = connect_ok();
	ctl_client_set_timeout(c, 2000);
	both[0] = req_new(CTL_CMD_VERSION);
	both[1] = req_new(CTL_CMD_LIST);
	assert_int_equal(ctl_client_pipeline(c, both, 2), 0);
	t0 = now_ms();
	/* before: behind the busy worker, for its 5 s */
	if (ctl_client_reply(c, both[0], &v))
		fail_msg("version while the worker is busy: %s", ns_errormsg());
	assert_true(now_ms() - t0 < 1500);
	assert_int_equal(nla_get_u32(v->parts[0].attrs[CTL_A_PROTO_VERSION]),
			 CTL_PROTO_VERSION);
	assert_no_reply(c, 100);	/* LIST waits for the worker */
	__atomic_store_n(&T.rl_gate, 1, __ATOMIC_SEQ_CST);
	assert_int_equal(ctl_client_reply(c, both[1], &l), 0);
	assert_true(l->multi);
	assert_int_equal(l->nparts, 3);
	assert_int_equal(recv_seq(busy, 5000, &err), 31);
	assert_version_ok(c);	/* the connection goes on */
	ctl_response_free(&v);
	ctl_response_free(&l);
	nlmsg_free(both[0]);
	nlmsg_free(both[1]);
	ctl_client_close(&c);
	ctl_client_close(&busy);
}

/*
 * A parked request: no worker is held (other changes and lists run), the
 * connection's next request waits its turn (replies in order), a wake
 * runs it again, the end of its wait runs it a last time, and a client
 * that hangs up has its request dropped.
 */
static void test_parked_request(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_server_counters k;
	struct ctl_client *w, *c;
	struct ctl_response *r;
	unsigned runs;
	uint64_t t0;
	int err;

	T.list_n = 20;
	T.park_ms = 2000;
	start(&o);
	c = connect_ok();

	/* parked: others' changes and lists go on */
	w = connect_ok();
	send_req(w, CTL_CMD_DISABLE_NS, 21);
	send_req(w, CTL_CMD_VERSION, 22);	/* pipelined behind it */
	wait_atomic(&T.parks, 1);
	t0 = now_ms();
	assert_int_equal(call(c, CTL_CMD_CREATE_NS, NULL), 0);
	assert_list_complete(c, 20);
	assert_true(now_ms() - t0 < 1500);
	assert_no_reply(w, 0);
	assert_int_equal(calls(CTL_CMD_VERSION), 0);
	/* a wake runs it again: still waiting, parked again, nothing sent */
	runs = calls(CTL_CMD_DISABLE_NS);
	ctl_server_wake(srv);
	wait_atomic(&T.parks, 2);
	assert_int_equal(calls(CTL_CMD_DISABLE_NS), runs + 1);
	assert_no_reply(w, 50);
	/* what it waited for happened: its reply, then the next request's */
	__atomic_store_n(&T.gate, 1, __ATOMIC_SEQ_CST);
	t0 = now_ms();
	ctl_server_wake(srv);
	assert_int_equal(recv_seq(w, 1500, &err), 21);
	assert_int_equal(err, 0);
	assert_true(now_ms() - t0 < 1500);
	assert_int_equal(recv_seq(w, 1500, &err), 22);
	assert_int_equal(err, 0);
	assert_int_equal(T.last_runs, 0);

	/* nothing happens: the last run, after park_ms, answers busy */
	__atomic_store_n(&T.gate, 0, __ATOMIC_SEQ_CST);
	T.park_ms = 300;
	t0 = now_ms();
	assert_int_equal(call(w, CTL_CMD_DISABLE_NS, &r), -EBUSY);
	assert_true(now_ms() - t0 >= 290);
	assert_int_equal(T.last_runs, 1);

	/* a wake while it runs (before it parks) is not lost: it runs again */
	T.park_ms = 3000;
	__atomic_store_n(&T.wake_in_run, 1, __ATOMIC_SEQ_CST);
	send_req(w, CTL_CMD_DISABLE_NS, 24);
	wait_atomic(&T.parks, 4);
	t0 = now_ms();
	wait_atomic(&T.parks, 5);	/* the second run, long before 3 s */
	assert_true(now_ms() - t0 < 1500);
	__atomic_store_n(&T.gate, 1, __ATOMIC_SEQ_CST);
	ctl_server_wake(srv);
	assert_int_equal(recv_seq(w, 1500, &err), 24);
	assert_int_equal(err, 0);
	__atomic_store_n(&T.gate, 0, __ATOMIC_SEQ_CST);

	/* the client leaves while parked: dropped, never run again */
	T.park_ms = 1000;
	ctl_server_counters(srv, &k);
	runs = calls(CTL_CMD_DISABLE_NS);
	send_req(w, CTL_CMD_DISABLE_NS, 23);
	wait_atomic(&T.parks, 6);
	ctl_client_close(&w);
	t0 = now_ms();
	for (;;) {
		struct ctl_server_counters k2;

		ctl_server_counters(srv, &k2);
		if (k2.dropped > k.dropped)
			break;
		assert_true(now_ms() - t0 < 3000);
		usleep(2000);
	}
	__atomic_store_n(&T.gate, 1, __ATOMIC_SEQ_CST);
	ctl_server_wake(srv);
	usleep(1200 * 1000);	/* past its deadline */
	assert_int_equal(calls(CTL_CMD_DISABLE_NS), runs + 1);
	assert_int_equal(T.last_runs, 1);
	assert_version_ok(c);
	ctl_client_close(&c);
}

static void test_idle_timeout(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_server_counters k;
	struct ctl_client *c;
	struct pollfd pfd;
	char b;
	uint64_t t0;

	o.idle_timeout_ms = 200;
	start(&o);
	c = connect_ok();
	assert_version_ok(c);		/* activity resets the clock */
	t0 = now_ms();
	pfd = (struct pollfd){ .fd = ctl_client_fd(c), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 3000), 1);
	assert_int_equal(recv(ctl_client_fd(c), &b, 1, 0), 0);	/* closed by the server */
	assert_true(now_ms() - t0 >= 150);
	ctl_server_counters(srv, &k);
	assert_int_equal(k.dropped, 1);
	ctl_client_close(&c);
}

/* close *c and wait until the server has only `open` connections left */
static void close_and_wait_open(uint64_t open, struct ctl_client **c)
{
	struct ctl_server_counters k;
	uint64_t t0 = now_ms();

	ctl_client_close(c);
	do {
		ctl_server_counters(srv, &k);
		if (k.open == open)
			return;
		usleep(1000);
	} while (now_ms() - t0 < 3000);
	fail_msg("server has %llu connections open, expected %llu",
		 (unsigned long long)k.open, (unsigned long long)open);
}

static void test_max_clients(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *a, *b, *extra, *d;
	struct ctl_server_counters k;

	o.max_clients = 2;
	start(&o);
	a = connect_ok();
	b = connect_ok();
	assert_version_ok(a);
	assert_version_ok(b);
	extra = connect_ok();	/* the kernel takes it; the server closes it */
	assert_int_equal(call(extra, CTL_CMD_VERSION, NULL), -ECONNRESET);
	ctl_client_close(&extra);
	ctl_server_counters(srv, &k);
	assert_int_equal(k.accepted, 2);
	assert_int_equal(k.dropped, 1);
	assert_int_equal(k.open, 2);
	close_and_wait_open(1, &a);
	d = connect_ok();
	assert_version_ok(d);
	assert_version_ok(b);
	ctl_client_close(&d);
	ctl_client_close(&b);
}

/*
 * All slots taken: the connection silent for 1 s makes room; one that was
 * just answered (a pmemctl between two requests) is never evicted, even
 * when it connected long before; and when none is silent, the newcomer is
 * the one refused.
 */
static void test_evict_silent_not_answered(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *a, *b, *extra, *late;
	struct ctl_server_counters k;

	o.max_clients = 2;
	start(&o);
	a = connect_ok();
	b = connect_ok();
	assert_version_ok(a);
	assert_version_ok(b);
	usleep(1300 * 1000);	/* both silent for more than 1 s */
	assert_version_ok(b);	/* b: just answered */
	extra = connect_ok();	/* evicts a, the silent one */
	assert_version_ok(extra);
	assert_version_ok(b);	/* b still served */
	ctl_server_counters(srv, &k);
	assert_int_equal(k.accepted, 3);
	assert_int_equal(k.dropped, 1);
	assert_int_equal(k.open, 2);
	assert_true(call(a, CTL_CMD_VERSION, NULL) < 0);	/* a was closed */
	/* b and extra both just answered: nobody to evict, the newcomer goes */
	late = connect_ok();
	assert_int_equal(call(late, CTL_CMD_VERSION, NULL), -ECONNRESET);
	assert_version_ok(b);
	assert_version_ok(extra);
	ctl_server_counters(srv, &k);
	assert_int_equal(k.accepted, 3);
	assert_int_equal(k.dropped, 2);
	ctl_client_close(&late);
	ctl_client_close(&a);
	ctl_client_close(&extra);
	ctl_client_close(&b);
}

/* malformed packets over the socket: an error each, no handler, still serving */
static void test_malformed_over_socket(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_server_counters k;
	struct ctl_client *c, *c2;
	struct ctl_response *r;
	static uint8_t huge[100000];
	uint8_t zeros[200] = { 0 };
	struct {
		const char *what;
		struct nl_msg *m;
		uint32_t len;	/* bytes to send (0: nlmsg_len) */
		int rc;
		const char *msg;
	} cases[] = {
		{ "duplicate", NULL, 0, -EINVAL, "duplicate attribute 10 (size)" },
		{ "unknown attribute", NULL, 0, -EINVAL, "unknown attribute 120" },
		{ "200-byte u64", NULL, 0, -EINVAL, "attribute 10 (size) has length 200, expected 8" },
		{ "unterminated", NULL, 0, -EINVAL,
		  "attribute 7 (name) is not a NUL-terminated string" },
		{ "missing size", NULL, 0, -EINVAL,
		  "missing attribute 10 (size) in create-namespace request" },
		{ "nlmsg_len lies", NULL, 0, -EBADMSG, NULL },
		{ "truncated", NULL, 24, -EBADMSG, NULL },
		{ "wrong type", NULL, 0, -EPROTO,
		  "nlmsg_type 0x10 is not the pmemfs control family 0x504d" },
		{ "version", NULL, 0, -EPROTONOSUPPORT,
		  "protocol version 9 is not supported (this side speaks version 1)" },
		{ "unknown command", NULL, 0, -EOPNOTSUPP, "unknown command 99" },
	};
	unsigned ncases = sizeof(cases) / sizeof(cases[0]), i;

	for (i = 0; i < ncases; i++) {
		cases[i].m = ctl_proto_request_new(CTL_CMD_CREATE_NS);
		ctl_put_string(cases[i].m, CTL_A_REGION, "region0");
		if (i != 4 && i != 2)
			ctl_put_u64(cases[i].m, CTL_A_SIZE, MiB);
	}
	ctl_put_u64(cases[0].m, CTL_A_SIZE, 2 * MiB);
	nla_put_u32(cases[1].m, 120, 1);
	nla_put(cases[2].m, CTL_A_SIZE, sizeof(zeros), zeros);
	nla_put(cases[3].m, CTL_A_NS_NAME, 3, "vm1");
	nlmsg_hdr(cases[5].m)->nlmsg_len += 100;
	nlmsg_hdr(cases[7].m)->nlmsg_type = 0x10;
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(cases[8].m)))->version = 9;
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(cases[9].m)))->cmd = 99;

	start(&o);
	c = connect_ok();
	for (i = 0; i < ncases; i++) {
		struct nlmsghdr *h = nlmsg_hdr(cases[i].m);
		size_t len = cases[i].len ? cases[i].len :
			     (i == 5 ? h->nlmsg_len - 100 : h->nlmsg_len);
		int rc = ctl_client_call_raw(c, h, len, &r);

		if (rc != cases[i].rc)
			fail_msg("%s: rc %d (%s), expected %d", cases[i].what, rc,
				 ns_errormsg(), cases[i].rc);
		/*
		 * the daemon's words; a refusal of the schema (unknown
		 * attribute, command) after what it means to a user of the
		 * client: the daemon is older than the client
		 */
		if (cases[i].msg && ctl_proto_schema_refusal(rc, cases[i].msg)) {
			const char *m = ns_errormsg(), *tail = strstr(m, "; it said: ");

			if (!strstr(m, "is older than this pmemctl") || !tail ||
			    strcmp(tail + 11, cases[i].msg))
				fail_msg("%s: '%s'", cases[i].what, m);
		} else if (cases[i].msg) {
			assert_string_equal(ns_errormsg(), cases[i].msg);
		}
		nlmsg_free(cases[i].m);
	}

	/* larger than any message: refused whole */
	memset(huge, 0, sizeof(huge));
	assert_int_equal(ctl_client_call_raw(c, huge, sizeof(huge), &r), -EMSGSIZE);
	assert_string_equal(ns_errormsg(), "message of 100000 bytes exceeds the 32768-byte limit");
	/* shorter than a header */
	assert_int_equal(ctl_client_call_raw(c, "abc", 3, &r), -EBADMSG);
	assert_string_equal(ns_errormsg(),
			    "message of 3 bytes is shorter than a netlink header (16 bytes)");

	assert_int_equal(all_calls(), 0);
	ctl_server_counters(srv, &k);
	assert_int_equal(k.rejected, ncases + 2);
	assert_int_equal(k.handled, 0);
	/* the same connection still works */
	assert_version_ok(c);

	/* an empty packet reads as end of stream: the server closes that connection */
	c2 = connect_ok();
	assert_int_equal(ctl_client_call_raw(c2, "", 0, &r), -ECONNRESET);
	ctl_client_close(&c2);
	assert_version_ok(c);
	ctl_client_close(&c);
}

/* the checks of a refused or allowed non-root client, run as that uid */
static int client_checks(bool owner)
{
	struct ctl_client *c;
	struct ctl_response *r;
	char want[200];
	int rc;

	if (ctl_client_connect(sockpath, &c)) {
		fprintf(stderr, "connect: %s\n", ns_errormsg());
		return 10;
	}
	ctl_client_set_timeout(c, 5000);
	/* queries: anyone */
	rc = call(c, CTL_CMD_LIST, &r);
	if (rc || r->nparts != T.list_n) {
		fprintf(stderr, "list: %d %s\n", rc, ns_errormsg());
		return 11;
	}
	ctl_response_free(&r);
	if (owner) {
		if (call(c, CTL_CMD_CREATE_NS, NULL) || call(c, CTL_CMD_INIT_LABELS, NULL)) {
			fprintf(stderr, "owner refused: %s\n", ns_errormsg());
			return 12;
		}
		ctl_client_close(&c);
		return 0;
	}
	static const struct {
		unsigned cmd;
		const char *verb;
	} refused[] = {
		{ CTL_CMD_CREATE_NS, "create namespaces" },
		{ CTL_CMD_DESTROY_NS, "destroy namespaces" },
		{ CTL_CMD_INIT_LABELS, "initialise labels" },
		{ CTL_CMD_STATS, "read statistics" },
	};
	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		rc = call(c, refused[i].cmd, NULL);
		snprintf(want, sizeof(want), "permission denied: uid %u may not %s on " MOUNT,
			 (unsigned)geteuid(), refused[i].verb);
		if (rc != -EACCES || strcmp(ns_errormsg(), want) != 0) {
			fprintf(stderr, "%s: rc %d '%s', expected '%s'\n",
				ctl_proto_cmd_name(refused[i].cmd), rc, ns_errormsg(), want);
			return 20 + (int)i;
		}
	}
	ctl_client_close(&c);
	return 0;
}

/* run client_checks as uid NOBODY in a child */
static int run_as_nobody(bool owner)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(90);
		_exit(client_checks(owner));
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_permission_refused(void **state)
{
	struct ctl_server_opts o = default_opts();

	T.list_n = 3;
	if (getuid() == 0) {
		/* the owner is someone else; nobody reaches the socket by its group */
		o.owner = 4242;
		o.group = NOBODY;
		start(&o);
		assert_int_equal(run_as_nobody(false), 0);
		/* root may */
		{
			struct ctl_client *c = connect_ok();

			assert_int_equal(call(c, CTL_CMD_CREATE_NS, NULL), 0);
			ctl_client_close(&c);
		}
	} else {
		o.owner = getuid() + 1;
		start(&o);
		assert_int_equal(client_checks(false), 0);
	}
	/* no refused command reached its handler */
	assert_int_equal(calls(CTL_CMD_DESTROY_NS), 0);
	assert_int_equal(calls(CTL_CMD_INIT_LABELS), 0);
	assert_int_equal(calls(CTL_CMD_STATS), 0);
	assert_int_equal(calls(CTL_CMD_CREATE_NS), getuid() == 0 ? 1 : 0);
	assert_int_equal(calls(CTL_CMD_LIST), 1);
}

static void test_owner_allowed(void **state)
{
	struct ctl_server_opts o = default_opts();

	T.list_n = 3;
	if (getuid() == 0) {
		o.owner = NOBODY;
		o.group = NOBODY;
		start(&o);
		assert_int_equal(run_as_nobody(true), 0);
		assert_int_equal(T.last_uid, NOBODY);
	} else {
		start(&o);
		assert_int_equal(client_checks(true), 0);
	}
	assert_int_equal(calls(CTL_CMD_CREATE_NS), 1);
	assert_int_equal(calls(CTL_CMD_INIT_LABELS), 1);
}

/* a socket file nobody listens on */
static void make_stale_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sub[128];
	int fd;

	snprintf(sub, sizeof(sub), "%s/run", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/run/pmemfs", dir);
	mkdir(sub, 0755);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sockpath);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

static void test_stale_socket_replaced(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *c;
	struct stat st;
	char want[256];

	make_stale_socket();
	assert_int_equal(lstat(sockpath, &st), 0);
	assert_int_equal(ctl_client_connect(sockpath, &c), -ECONNREFUSED);
	snprintf(want, sizeof(want), "no pmemfs daemon at '%s': nobody listening", sockpath);
	assert_string_equal(ns_errormsg(), want);
	start(&o);
	c = connect_ok();
	assert_version_ok(c);
	ctl_client_close(&c);
}

static void test_socket_in_use(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_server *second = NULL;
	struct ctl_client *c;
	char want[256];

	start(&o);
	assert_int_equal(ctl_server_start(&o, &second), -EADDRINUSE);
	assert_null(second);
	snprintf(want, sizeof(want),
		 "control socket '%s' is in use: another daemon answers on it", sockpath);
	assert_string_equal(ns_errormsg(), want);
	c = connect_ok();
	assert_version_ok(c);
	ctl_client_close(&c);
}

static void test_path_not_a_socket(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_server *s = NULL;
	char want[256];
	int fd;

	make_stale_socket();
	unlink(sockpath);
	fd = open(sockpath, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ctl_server_start(&o, &s), -EEXIST);
	snprintf(want, sizeof(want), "control socket path '%s' exists and is not a socket",
		 sockpath);
	assert_string_equal(ns_errormsg(), want);
}

static void test_stop_with_clients(void **state)
{
	struct ctl_server_opts o = default_opts();
	struct ctl_client *a, *b;
	uint64_t t0;
	char x;

	start(&o);
	a = connect_ok();
	b = connect_ok();
	assert_version_ok(b);
	t0 = now_ms();
	ctl_server_stop(&srv);
	assert_true(now_ms() - t0 < 1000);
	/* both connections were closed */
	assert_int_equal(recv(ctl_client_fd(a), &x, 1, 0), 0);
	assert_int_equal(call(b, CTL_CMD_VERSION, NULL), -ECONNRESET);
	ctl_client_close(&a);
	ctl_client_close(&b);
	ctl_server_stop(&srv);	/* NULL-safe */
}

static void test_client_errors(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_client *c;
	char want[256];
	uint64_t t0;
	int lfd;

	/* nothing there */
	assert_int_equal(ctl_client_connect(sockpath, &c), -ECONNREFUSED);
	snprintf(want, sizeof(want), "no pmemfs daemon at '%s': no such socket", sockpath);
	assert_string_equal(ns_errormsg(), want);

	/* a listener that never answers: the timeout */
	make_stale_socket();
	unlink(sockpath);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sockpath);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(ctl_client_connect(sockpath, &c), 0);
	ctl_client_set_timeout(c, 200);
	t0 = now_ms();
	assert_int_equal(call(c, CTL_CMD_VERSION, NULL), -ETIMEDOUT);
	assert_true(now_ms() - t0 >= 190);
	snprintf(want, sizeof(want), "no reply from the daemon at '%s' within 200 ms", sockpath);
	assert_string_equal(ns_errormsg(), want);
	ctl_client_close(&c);
	close(lfd);
}

/* ---- socket locations and mounts ---- */

static void test_socket_paths(void **state)
{
	char buf[256];
	const char *old = getenv("XDG_RUNTIME_DIR");

	assert_int_equal(ctl_path_socket(0, 57, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/pmemfs/0:57.sock");

	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	if (geteuid() != 0) {
		assert_int_equal(ctl_path_socket(0, 57, geteuid(), buf, sizeof(buf)), 0);
		assert_string_equal(buf, "/run/user/1000/pmemfs/0:57.sock");
	}
	/* someone else's daemon: where logind puts their runtime dir */
	assert_int_equal(ctl_path_socket(259, 3, 4242, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/user/4242/pmemfs/259:3.sock");

	assert_int_equal(ctl_path_default(0, 57, buf, sizeof(buf)), 0);
	if (geteuid() == 0) {
		assert_string_equal(buf, "/run/pmemfs/0:57.sock");
	} else {
		assert_string_equal(buf, "/run/user/1000/pmemfs/0:57.sock");
		unsetenv("XDG_RUNTIME_DIR");
		assert_int_equal(ctl_path_default(0, 57, buf, sizeof(buf)), -ENOENT);
	}
	assert_int_equal(ctl_path_socket(0, 57, 0, buf, 10), -ENAMETOOLONG);
	if (old)
		setenv("XDG_RUNTIME_DIR", old, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
}

static void test_mountinfo(void **state)
{
	char mi[128], mp[128], want[160];
	struct ctl_mount *m, one;
	size_t n;
	FILE *f;

	snprintf(mi, sizeof(mi), "%s/mountinfo", dir);
	snprintf(mp, sizeof(mp), "%s/mnt", dir);
	assert_int_equal(mkdir(mp, 0755), 0);
	f = fopen(mi, "w");
	assert_non_null(f);
	fprintf(f,
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"40 22 0:57 / /mnt/pmem rw,nosuid,nodev,relatime shared:80 - fuse.pmemfs /srv/region0.img rw,user_id=0,group_id=0,allow_other\n"
		"41 22 0:58 / /mnt/my\\040pmem rw,nosuid,nodev shared:81 - fuse.pmemfs /home/u/a\\040b.img rw,user_id=1000,group_id=1000\n"
		"42 22 0:57 / /srv/bind rw shared:80 - fuse.pmemfs /srv/region0.img rw,user_id=0,group_id=0\n"
		"43 22 0:59 / /mnt/other rw shared:82 - fuse.sshfs host:/ rw,user_id=0,group_id=0\n"
		"44 22 0:60 / %s rw shared:83 master:2 - fuse.pmemfs r.img rw,group_id=0\n"
		"45 22 0:61 /x\n",
		mp);
	fclose(f);

	assert_int_equal(ctl_path_mounts(mi, &m, &n), 0);
	assert_int_equal(n, 3);		/* the bind mount, sshfs, the broken line: not */
	assert_int_equal(m[0].major, 0);
	assert_int_equal(m[0].minor, 57);
	assert_string_equal(m[0].mountpoint, "/mnt/pmem");
	assert_string_equal(m[0].source, "/srv/region0.img");
	assert_int_equal(m[0].user_id, 0);
	assert_int_equal(m[1].minor, 58);
	assert_string_equal(m[1].mountpoint, "/mnt/my pmem");
	assert_string_equal(m[1].source, "/home/u/a b.img");
	assert_int_equal(m[1].user_id, 1000);
	assert_int_equal(m[2].minor, 60);
	assert_int_equal(m[2].user_id, (uid_t)-1);
	ctl_path_mounts_free(m, n);

	/* a bind mount is found as itself, with its file system's device number */
	assert_int_equal(ctl_path_find_mount(mi, "/srv/bind", &one), 0);
	assert_int_equal(one.minor, 57);
	assert_string_equal(one.mountpoint, "/srv/bind");
	ctl_path_mount_clear(&one);
	assert_int_equal(ctl_path_find_mount(mi, "/mnt/my pmem", &one), 0);
	assert_int_equal(one.minor, 58);
	ctl_path_mount_clear(&one);
	/* a spelling with a non-canonical parent and a trailing slash */
	snprintf(want, sizeof(want), "%s/../%s/mnt/", dir, strrchr(dir, '/') + 1);
	assert_int_equal(ctl_path_find_mount(mi, want, &one), 0);
	assert_int_equal(one.minor, 60);
	assert_string_equal(one.mountpoint, mp);
	ctl_path_mount_clear(&one);
	assert_int_equal(ctl_path_find_mount(mi, "/mnt/other", &one), -ENOENT);
	assert_string_equal(ns_errormsg(), "'/mnt/other' is not a pmemfs mount");

	/* the daemon's bdi lookup: exact mount point, the mount on top */
	unsigned ma = 9, mi2 = 9;

	assert_int_equal(ctl_path_mount_dev(mi, "/srv/bind", &ma, &mi2), 0);
	assert_int_equal(ma, 0);
	assert_int_equal(mi2, 57);
	assert_int_equal(ctl_path_mount_dev(mi, "/mnt/my pmem", &ma, &mi2), 0);
	assert_int_equal(mi2, 58);
	assert_int_equal(ctl_path_mount_dev(mi, "/mnt/other", &ma, &mi2), -ENOENT);
	assert_int_equal(ctl_path_mount_dev(mi, "/mnt/my pmem/", &ma, &mi2), -ENOENT);
	f = fopen(mi, "a");
	assert_non_null(f);
	fprintf(f, "46 41 0:62 / /mnt/my\\040pmem rw - fuse.pmemfs b.img rw,user_id=0\n");
	fclose(f);
	assert_int_equal(ctl_path_mount_dev(mi, "/mnt/my pmem", &ma, &mi2), 0);
	assert_int_equal(mi2, 62);

	/* an empty list */
	f = fopen(mi, "w");
	fclose(f);
	assert_int_equal(ctl_path_mounts(mi, &m, &n), 0);
	assert_int_equal(n, 0);
	assert_null(m);
	/* this process's own table reads */
	assert_int_equal(ctl_path_mounts(NULL, &m, &n), 0);
	ctl_path_mounts_free(m, n);
	assert_int_equal(ctl_path_mounts("/nonexistent/mountinfo", &m, &n), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_mode_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_group_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handler_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_500, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_and_stalled_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnect_mid_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_change_holds_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parked_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_needs_no_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evict_silent_not_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_over_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_socket_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_not_a_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_with_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mountinfo, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
