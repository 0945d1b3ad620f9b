// SPDX-License-Identifier: MIT
/*
 * olclient: clients of a running pmemfs for the online tests.
 *
 *   olclient raw SOCKET        malformed requests, one connection each
 *                              (plus a few on one connection): every one
 *                              must get an error reply with the expected
 *                              errno (or a closed connection), and a valid
 *                              LIST must work after each. Prints one line a
 *                              case: "ok NAME: errno N: message".
 *   olclient silent SOCKET     connect, print "connected", send nothing, and
 *                              wait (until killed)
 *   olclient noread SOCKET     send LIST, never read the reply, print "sent",
 *                              wait (until killed)
 *   olclient call SOCKET CMD   a well-formed request of command number CMD
 *                              with no attributes; prints "ok" or
 *                              "error N: message" (exit 0 either way)
 *   olclient nscall SOCKET CMD NAME [FLAGS]
 *                              the same with NS_NAME NAME (and CTL_A_FLAGS
 *                              FLAGS, a number; none: as an old pmemctl
 *                              sends a destroy without -f); prints "sending"
 *                              just before the request leaves, then
 *                              "ok MS" or "error N MS: message" (MS: the
 *                              milliseconds from sending to the reply; a
 *                              BASELINE reply adds "baseline_pages N");
 *                              OLCLIENT_STAY set: then waits until killed
 *                              (a baseline's owner that has not exited)
 *   olclient probe SOCKET STOPFILE
 *                              until STOPFILE exists: connect, LIST, close;
 *                              every tenth time STATS too; 100 ms apart;
 *                              prints "list US" / "stats US" per request
 *                              (microseconds from connect to the whole
 *                              reply: the daemon's answer without a
 *                              process start), or "error N: message"
 *   olclient half SOCKET       send the first 12 bytes of a LIST request
 *                              (its header says the whole length) and one
 *                              packet of a single byte, never read, print
 *                              "sent", wait (until killed)
 *   olclient bench SOCKET N    N times: create a 2 MiB namespace, destroy it;
 *                              prints p50/p99 of each and of both (us)
 *   olclient mapwriter FILE SEED
 *                              map FILE shared; pass k stores pattern SEED+k
 *                              over all of it and msyncs; "ready" after the
 *                              first pass; on SIGTERM finishes the pass,
 *                              verifies the mapping and prints "last SEED+k"
 *   olclient stale FILE        open FILE O_RDWR and map it; "ready"; on each
 *                              line of stdin: "write" pwrite 4 KiB +
 *                              fdatasync, "store" a store through the map +
 *                              msync(MS_SYNC); prints "write: OK|EIO|..." /
 *                              "store: ..."; "close" unmaps, closes, exits
 *
 * Patterns are nsio's (tests/integration/fs/nsio.c), so `nsio verify`
 * checks what mapwriter wrote. Exit status: 0, or 1 with a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "ctl/client.h"
#include "ns/error.h"
#include "ctl/proto.h"

static int die(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s\n", what, why);
	return 1;
}

/* ---- raw messages ---- */

struct raw {
	uint8_t b[CTL_MSG_MAX * 2 + 64] __attribute__((aligned(8)));
	size_t len;
};

/* headers of a request: cmd, version, flags; attributes follow at raw->len */
static void raw_init(struct raw *r, unsigned cmd, unsigned version, uint16_t type,
		     uint16_t flags)
{
	struct nlmsghdr nlh = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = 7 };
	struct genlmsghdr g = { .cmd = (uint8_t)cmd, .version = (uint8_t)version };

	memset(r->b, 0, sizeof(r->b));
	memcpy(r->b + NLMSG_HDRLEN, &g, sizeof(g));
	r->len = NLMSG_HDRLEN + GENL_HDRLEN;
	nlh.nlmsg_len = (uint32_t)r->len;
	memcpy(r->b, &nlh, sizeof(nlh));
}

/* the header's nlmsg_len (the truth or a lie) */
static void raw_set_len(struct raw *r, uint32_t len)
{
	memcpy(r->b + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
}

static void raw_attr(struct raw *r, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };

	memcpy(r->b + r->len, &a, sizeof(a));
	memcpy(r->b + r->len + NLA_HDRLEN, data, len);
	r->len += NLA_ALIGN(NLA_HDRLEN + len);
	raw_set_len(r, (uint32_t)r->len);
}

static void raw_str(struct raw *r, uint16_t type, const char *s)
{
	raw_attr(r, type, s, (uint16_t)(strlen(s) + 1));
}

static void raw_u64(struct raw *r, uint16_t type, uint64_t v)
{
	raw_attr(r, type, &v, sizeof(v));
}

static int list_works(const char *sock)
{
	struct ctl_client *c = NULL;
	struct ctl_response *resp = NULL;
	struct nl_msg *m;
	int rc = ctl_client_connect(sock, &c);

	if (rc)
		return rc;
	m = ctl_proto_request_new(CTL_CMD_LIST);
	rc = ctl_client_call(c, m, &resp);
	nlmsg_free(m);
	if (rc == 0 && resp->nparts == 0)
		rc = -ENODATA;	/* a region at least */
	ctl_response_free(&resp);
	ctl_client_close(&c);
	return rc;
}

/* Send r on c; the reply must be an error with errno want (0: any error). */
static int raw_case(const char *sock, struct ctl_client *c, const char *name,
		    const struct raw *r, int want)
{
	struct ctl_client *own = NULL;
	struct ctl_response *resp = NULL;
	int rc;

	if (!c) {
		rc = ctl_client_connect(sock, &own);
		if (rc)
			return die("connect", ns_errormsg());
		c = own;
	}
	ctl_client_set_timeout(c, 5000);
	rc = ctl_client_call_raw(c, r->b, r->len, &resp);
	ctl_response_free(&resp);
	ctl_client_close(&own);
	if (rc == 0) {
		fprintf(stderr, "FAIL %s: accepted\n", name);
		return 1;
	}
	if (rc == -ETIMEDOUT) {
		fprintf(stderr, "FAIL %s: no reply\n", name);
		return 1;
	}
	if (want && rc != -want && rc != -ECONNRESET) {
		fprintf(stderr, "FAIL %s: errno %d (%s), expected %d\n", name, -rc,
			ns_errormsg(), want);
		return 1;
	}
	printf("ok %s: errno %d: %s\n", name, -rc, ns_errormsg());
	rc = list_works(sock);
	if (rc) {
		fprintf(stderr, "FAIL %s: a valid LIST after it failed: %s\n", name,
			ns_errormsg());
		return 1;
	}
	return 0;
}

static int cmd_raw(const char *sock)
{
	static struct raw r;
	struct ctl_client *keep = NULL;
	uint8_t big[300];
	int fails = 0, rc;

	memset(big, 'x', sizeof(big));

	/* framing */
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	r.len = 10;
	fails += raw_case(sock, NULL, "truncated header", &r, EBADMSG);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	r.len = NLMSG_HDRLEN + 2;
	raw_set_len(&r, (uint32_t)r.len);
	fails += raw_case(sock, NULL, "truncated genl header", &r, EBADMSG);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_set_len(&r, 4096);	/* says more than sent */
	fails += raw_case(sock, NULL, "nlmsg_len past the packet", &r, EBADMSG);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_set_len(&r, NLMSG_HDRLEN + GENL_HDRLEN);
	fails += raw_case(sock, NULL, "nlmsg_len short of the packet", &r, EBADMSG);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	r.len = CTL_MSG_MAX * 2;
	raw_set_len(&r, (uint32_t)r.len);
	fails += raw_case(sock, NULL, "huge", &r, EMSGSIZE);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, 0x1234, NLM_F_REQUEST);
	fails += raw_case(sock, NULL, "foreign family", &r, EPROTO);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, 0);
	fails += raw_case(sock, NULL, "no NLM_F_REQUEST", &r, EBADMSG);

	/* commands and versions */
	raw_init(&r, 99, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	fails += raw_case(sock, NULL, "unknown command", &r, EOPNOTSUPP);
	raw_init(&r, CTL_CMD_UNSPEC, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	fails += raw_case(sock, NULL, "command 0", &r, EOPNOTSUPP);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION + 1, CTL_FAMILY, NLM_F_REQUEST);
	fails += raw_case(sock, NULL, "version mismatch", &r, EPROTONOSUPPORT);
	/* a valid change of another version: refused unread (pmemctl pipelines
	 * its request behind VERSION and checks the version first) */
	raw_init(&r, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION + 1, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_u64(&r, CTL_A_SIZE, 2 << 20);
	raw_str(&r, CTL_A_NS_NAME, "otherversion");
	fails += raw_case(sock, NULL, "change of another version", &r, EPROTONOSUPPORT);

	/* attributes */
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_str(&r, CTL_A_REGION, "region0");
	fails += raw_case(sock, NULL, "duplicate attribute", &r, EINVAL);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, 60, "x");
	fails += raw_case(sock, NULL, "unknown attribute", &r, EINVAL);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_NS_NAME, "x");
	fails += raw_case(sock, NULL, "attribute the command does not take", &r, EINVAL);
	raw_init(&r, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_attr(&r, CTL_A_SIZE, big, 200);
	fails += raw_case(sock, NULL, "u64 of 200 bytes", &r, EINVAL);
	raw_init(&r, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_attr(&r, CTL_A_SIZE, big, 4);
	fails += raw_case(sock, NULL, "u64 of 4 bytes", &r, EINVAL);
	raw_init(&r, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_u64(&r, CTL_A_SIZE, 2 << 20);
	raw_attr(&r, CTL_A_NS_NAME, "abc", 3);	/* no NUL */
	fails += raw_case(sock, NULL, "string without NUL", &r, EINVAL);
	raw_init(&r, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_u64(&r, CTL_A_SIZE, 2 << 20);
	raw_attr(&r, CTL_A_NS_NAME, big, 100);	/* longer than a name */
	fails += raw_case(sock, NULL, "over-long name", &r, EINVAL);
	raw_init(&r, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_u64(&r, CTL_A_SIZE, 2 << 20);
	raw_attr(&r, CTL_A_NS_UUID, big, 15);
	fails += raw_case(sock, NULL, "uuid of 15 bytes", &r, EINVAL);
	raw_init(&r, CTL_CMD_CREATE_NS, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	fails += raw_case(sock, NULL, "missing required attribute", &r, EINVAL);
	raw_init(&r, CTL_CMD_DESTROY_NS, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_NS_NAME, "a");
	raw_str(&r, CTL_A_NS_DEV, "namespace0.0");
	fails += raw_case(sock, NULL, "two namespace selectors", &r, EINVAL);
	raw_init(&r, CTL_CMD_DESTROY_NS, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_NS_NAME, "a");
	raw_attr(&r, CTL_A_FLAGS, "\xff\xff\xff\xff", 4);
	fails += raw_case(sock, NULL, "flags the command does not take", &r, EINVAL);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	{
		uint16_t l = 200;	/* the attribute's length runs past the end */

		memcpy(r.b + NLMSG_HDRLEN + GENL_HDRLEN + offsetof(struct nlattr, nla_len),
		       &l, sizeof(l));
	}
	fails += raw_case(sock, NULL, "attribute length past the end", &r, EINVAL);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_attr(&r, CTL_A_NS_INFO | NLA_F_NESTED, big, 8);
	fails += raw_case(sock, NULL, "a nest in a request", &r, EINVAL);

	/* several on one connection: the connection keeps working */
	rc = ctl_client_connect(sock, &keep);
	if (rc)
		return die("connect", ns_errormsg());
	raw_init(&r, 99, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	fails += raw_case(sock, keep, "unknown command, kept connection", &r, EOPNOTSUPP);
	raw_init(&r, CTL_CMD_LIST, CTL_PROTO_VERSION, CTL_FAMILY, NLM_F_REQUEST);
	raw_str(&r, CTL_A_REGION, "region0");
	raw_str(&r, CTL_A_REGION, "region0");
	fails += raw_case(sock, keep, "duplicate, kept connection", &r, EINVAL);
	{
		struct ctl_response *resp = NULL;
		struct nl_msg *m = ctl_proto_request_new(CTL_CMD_LIST);

		rc = ctl_client_call(keep, m, &resp);
		nlmsg_free(m);
		ctl_response_free(&resp);
		if (rc) {
			fprintf(stderr, "FAIL a valid request on the same connection: %s\n",
				ns_errormsg());
			fails++;
		} else {
			printf("ok valid request after errors on one connection\n");
		}
	}
	ctl_client_close(&keep);
	return fails ? 1 : 0;
}

static int cmd_hold(const char *sock, bool send_list)
{
	struct ctl_client *c = NULL;
	int rc = ctl_client_connect(sock, &c);

	if (rc)
		return die("connect", ns_errormsg());
	if (send_list) {
		struct nl_msg *m = ctl_proto_request_new(CTL_CMD_LIST);
		struct nlmsghdr *nlh = nlmsg_hdr(m);

		nlh->nlmsg_seq = 1;
		if (send(ctl_client_fd(c), nlh, nlh->nlmsg_len, 0) < 0)
			return die("send", strerror(errno));
		nlmsg_free(m);
		printf("sent\n");
	} else {
		printf("connected\n");
	}
	fflush(stdout);
	for (;;)
		pause();
}

static long probe_one(const char *sock, unsigned cmd)
{
	struct ctl_client *c = NULL;
	struct ctl_response *resp = NULL;
	struct timespec t0, t1;
	struct nl_msg *m;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ctl_client_connect(sock, &c);
	if (rc == 0) {
		ctl_client_set_timeout(c, 30000);
		m = ctl_proto_request_new(cmd);
		rc = ctl_client_call(c, m, &resp);
		nlmsg_free(m);
		ctl_response_free(&resp);
		ctl_client_close(&c);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc) {
		printf("error %d: %s\n", -rc, ns_errormsg());
		return -1;
	}
	return (t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
}

static int cmd_probe(const char *sock, const char *stop)
{
	struct timespec gap = { 0, 100 * 1000000 };
	unsigned n = 0;
	long us;

	while (access(stop, F_OK) != 0) {
		if ((us = probe_one(sock, CTL_CMD_LIST)) >= 0)
			printf("list %ld\n", us);
		if (++n % 10 == 0 && (us = probe_one(sock, CTL_CMD_STATS)) >= 0)
			printf("stats %ld\n", us);
		fflush(stdout);
		nanosleep(&gap, NULL);
	}
	return 0;
}

static int cmd_half(const char *sock)
{
	struct ctl_client *c = NULL;
	struct nl_msg *m;
	struct nlmsghdr *nlh;
	int rc = ctl_client_connect(sock, &c);

	if (rc)
		return die("connect", ns_errormsg());
	m = ctl_proto_request_new(CTL_CMD_LIST);
	nlh = nlmsg_hdr(m);
	nlh->nlmsg_seq = 1;
	if (send(ctl_client_fd(c), nlh, 12, 0) < 0 || send(ctl_client_fd(c), nlh, 1, 0) < 0)
		return die("send", strerror(errno));
	nlmsg_free(m);
	printf("sent\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int cmd_nscall(const char *sock, const char *cmd, const char *name, const char *flags)
{
	struct ctl_client *c = NULL;
	struct ctl_response *resp = NULL;
	struct timespec t0, t1;
	struct nl_msg *m;
	long ms;
	int rc = ctl_client_connect(sock, &c);

	if (rc)
		return die("connect", ns_errormsg());
	m = ctl_proto_request_new((unsigned)atoi(cmd));
	if (ctl_put_string(m, CTL_A_NS_NAME, name))
		return die("request", "cannot add the name");
	if (flags && ctl_put_u32(m, CTL_A_FLAGS, (uint32_t)strtoul(flags, NULL, 0)))
		return die("request", "cannot add the flags");
	ctl_client_set_timeout(c, 30000);
	printf("sending\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ctl_client_call(c, m, &resp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	nlmsg_free(m);
	if (rc)
		printf("error %d %ld: %s\n", -rc, ms, ns_errormsg());
	else if (resp->nparts == 1 && resp->parts[0].attrs[CTL_A_BASELINE_PAGES])
		printf("ok %ld baseline_pages %llu\n", ms, (unsigned long long)
		       nla_get_u64(resp->parts[0].attrs[CTL_A_BASELINE_PAGES]));
	else
		printf("ok %ld\n", ms);
	ctl_response_free(&resp);
	if (getenv("OLCLIENT_STAY")) {
		/* stays (the owner of a baseline it started) until killed */
		fflush(stdout);
		for (;;)
			pause();
	}
	ctl_client_close(&c);
	return 0;
}

static int cmd_call(const char *sock, const char *cmd)
{
	struct ctl_client *c = NULL;
	struct ctl_response *resp = NULL;
	struct nl_msg *m;
	int rc = ctl_client_connect(sock, &c);

	if (rc)
		return die("connect", ns_errormsg());
	m = ctl_proto_request_new((unsigned)atoi(cmd));
	rc = ctl_client_call(c, m, &resp);
	nlmsg_free(m);
	if (rc)
		printf("error %d: %s\n", -rc, ns_errormsg());
	else
		printf("ok\n");
	ctl_response_free(&resp);
	ctl_client_close(&c);
	return 0;
}

/* ---- latency ---- */

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void pct(const char *what, uint64_t *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%s: p50 %llu us, p99 %llu us, max %llu us\n", what,
	       (unsigned long long)v[n / 2], (unsigned long long)v[n * 99 / 100],
	       (unsigned long long)v[n - 1]);
}

static int bench_call(struct ctl_client *c, struct nl_msg *m)
{
	struct ctl_response *resp = NULL;
	int rc = ctl_client_call(c, m, &resp);

	nlmsg_free(m);
	ctl_response_free(&resp);
	if (rc)
		fprintf(stderr, "call failed: %s\n", ns_errormsg());
	return rc;
}

static int cmd_bench(const char *sock, const char *count)
{
	unsigned n = (unsigned)atoi(count), i;
	uint64_t *cr = calloc(n, 8), *de = calloc(n, 8), *both = calloc(n, 8);
	struct ctl_client *c = NULL;

	if (!n || !cr || !de || !both || ctl_client_connect(sock, &c))
		return die("bench", ns_errormsg());
	for (i = 0; i < n; i++) {
		struct nl_msg *m = ctl_proto_request_new(CTL_CMD_CREATE_NS);
		uint64_t t0, t1, t2;

		ctl_put_string(m, CTL_A_REGION, "all");
		ctl_put_u64(m, CTL_A_SIZE, 2 << 20);
		ctl_put_string(m, CTL_A_NS_NAME, "olbench");
		t0 = now_us();
		if (bench_call(c, m))
			return 1;
		t1 = now_us();
		m = ctl_proto_request_new(CTL_CMD_DESTROY_NS);
		ctl_put_string(m, CTL_A_NS_NAME, "olbench");
		ctl_put_u32(m, CTL_A_FLAGS, CTL_F_FORCE);	/* it is served */
		if (bench_call(c, m))
			return 1;
		t2 = now_us();
		cr[i] = t1 - t0;
		de[i] = t2 - t1;
		both[i] = t2 - t0;
	}
	pct("create", cr, n);
	pct("destroy", de, n);
	pct("create+destroy", both, n);
	ctl_client_close(&c);
	return 0;
}

/* ---- data clients ---- */

static uint8_t pat(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ull + (i / 8) + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (uint8_t)(z >> ((i % 8) * 8));
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint8_t *map_file(const char *file, int *fdp, size_t *lenp)
{
	struct stat st;
	uint8_t *p;
	int fd = open(file, O_RDWR);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "open '%s': %s\n", file, strerror(errno));
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmap '%s': %s\n", file, strerror(errno));
		close(fd);
		return NULL;
	}
	*fdp = fd;
	*lenp = (size_t)st.st_size;
	return p;
}

static int cmd_mapwriter(const char *file, const char *seedstr)
{
	uint64_t seed = strtoull(seedstr, NULL, 0), k = 0, i;
	struct sigaction sa;
	size_t len;
	uint8_t *p;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	p = map_file(file, &fd, &len);
	if (!p)
		return 1;
	for (;; k++) {
		for (i = 0; i < len; i++)
			p[i] = pat(seed + k, i);
		if (msync(p, len, MS_SYNC) < 0)
			return die("msync", strerror(errno));
		if (k == 0) {
			printf("ready\n");
			fflush(stdout);
		}
		if (stop)
			break;
	}
	for (i = 0; i < len; i++)
		if (p[i] != pat(seed + k, i)) {
			fprintf(stderr, "mapping differs at %llu after pass %llu\n",
				(unsigned long long)i, (unsigned long long)k);
			return 1;
		}
	printf("last %llu passes %llu\n", (unsigned long long)(seed + k),
	       (unsigned long long)(k + 1));
	munmap(p, len);
	close(fd);
	return 0;
}

static const char *ename(int e)
{
	return e == 0 ? "OK" : e == EIO ? "EIO" : strerror(e);
}

static int cmd_stale(const char *file)
{
	char line[64], buf[4096];
	size_t len;
	uint8_t *p;
	int fd;

	p = map_file(file, &fd, &len);
	if (!p)
		return 1;
	printf("ready\n");
	fflush(stdout);
	memset(buf, 0x5a, sizeof(buf));
	while (fgets(line, sizeof(line), stdin)) {
		int e = 0;

		if (!strncmp(line, "write", 5)) {
			if (pwrite(fd, buf, sizeof(buf), 65536) < 0 || fdatasync(fd) < 0)
				e = errno;
			printf("write: %s\n", ename(e));
		} else if (!strncmp(line, "store", 5)) {
			memset(p + 131072, 0x6b, 4096);
			if (msync(p, len, MS_SYNC) < 0)
				e = errno;
			printf("store: %s\n", ename(e));
		} else if (!strncmp(line, "close", 5)) {
			break;
		}
		fflush(stdout);
	}
	munmap(p, len);
	close(fd);
	printf("closed\n");
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "raw"))
		return cmd_raw(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "silent"))
		return cmd_hold(argv[2], false);
	if (argc == 3 && !strcmp(argv[1], "noread"))
		return cmd_hold(argv[2], true);
	if (argc == 4 && !strcmp(argv[1], "call"))
		return cmd_call(argv[2], argv[3]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "nscall"))
		return cmd_nscall(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
	if (argc == 4 && !strcmp(argv[1], "probe"))
		return cmd_probe(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "half"))
		return cmd_half(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "bench"))
		return cmd_bench(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "mapwriter"))
		return cmd_mapwriter(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "stale"))
		return cmd_stale(argv[2]);
	fprintf(stderr, "usage: olclient raw|silent|noread|half SOCKET | call SOCKET CMD | "
		"nscall SOCKET CMD NAME | mapwriter FILE SEED | stale FILE\n");
	return 2;
}
