// SPDX-License-Identifier: MIT
/*
 * ctlbench: create + destroy of a namespace through a running daemon's
 * control socket, from one process (no pmemctl start-up per command), so
 * that the bench can show the daemon's own share of the create + destroy
 * row next to the whole-command figure.
 *
 *   ctlbench MOUNTPOINT REGION N   N pairs of 2 MiB namespaces; prints
 *                                  "p50_ms P p99_ms Q create_p50_ms C destroy_p50_ms D"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl/client.h"
#include "ctl/path.h"
#include "ctl/proto.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	qsort(v, n, sizeof(*v), cmp_double);
	return v[i];
}

/* one call; the reply must carry no error. 0, or -1 with a message */
static int call(struct ctl_client *c, struct nl_msg *m, struct ctl_response **r, const char *what)
{
	int rc = ctl_client_call(c, m, r);

	nlmsg_free(m);
	if (rc < 0) {
		fprintf(stderr, "ctlbench: %s: %s\n", what, strerror(-rc));
		return -1;
	}
	if ((*r)->nparts >= 1 && (*r)->parts[0].attrs[CTL_A_ERRNO]) {
		const struct nlattr *msg = (*r)->parts[0].attrs[CTL_A_ERRMSG];

		fprintf(stderr, "ctlbench: %s: %s\n", what,
			msg ? (const char *)nla_data(msg) : "error");
		ctl_response_free(r);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctl_mount mnt;
	struct ctl_client *c = NULL;
	char sock[256], name[32], dev[64];
	double *pair, *cr, *de;
	long n, i;

	if (argc != 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: ctlbench MOUNTPOINT REGION N\n");
		return 2;
	}
	if (ctl_path_find_mount(NULL, argv[1], &mnt) < 0 ||
	    ctl_path_default(mnt.major, mnt.minor, sock, sizeof(sock)) < 0 ||
	    ctl_client_connect(sock, &c) < 0) {
		fprintf(stderr, "ctlbench: no control socket for '%s'\n", argv[1]);
		return 1;
	}
	ctl_path_mount_clear(&mnt);
	pair = calloc((size_t)n, sizeof(double));
	cr = calloc((size_t)n, sizeof(double));
	de = calloc((size_t)n, sizeof(double));
	if (!pair || !cr || !de)
		return 1;
	for (i = 0; i < n; i++) {
		struct ctl_response *r = NULL;
		struct ctl_ns_info ni;
		struct nl_msg *m = ctl_proto_request_new(CTL_CMD_CREATE_NS);
		double t0 = now_ms(), t1, t2;

		snprintf(name, sizeof(name), "ctlbench%ld", i);
		if (!m || ctl_put_string(m, CTL_A_REGION, argv[2]) < 0 ||
		    ctl_put_u64(m, CTL_A_SIZE, 2u << 20) < 0 ||
		    ctl_put_string(m, CTL_A_NS_NAME, name) < 0)
			return 1;
		if (call(c, m, &r, "create") < 0)
			return 1;
		if (r->nparts != 1 || ctl_ns_info_get(r->parts[0].attrs[CTL_A_NS_INFO], &ni) < 0) {
			fprintf(stderr, "ctlbench: create: no namespace in the reply\n");
			return 1;
		}
		snprintf(dev, sizeof(dev), "%s", ni.dev);
		ctl_response_free(&r);
		t1 = now_ms();
		m = ctl_proto_request_new(CTL_CMD_DESTROY_NS);
		/* FORCE: a served namespace is destroyed only with it (pmemctl -f) */
		if (!m || ctl_put_string(m, CTL_A_REGION, argv[2]) < 0 ||
		    ctl_put_string(m, CTL_A_NS_DEV, dev) < 0 ||
		    ctl_put_u32(m, CTL_A_FLAGS, CTL_F_FORCE) < 0)
			return 1;
		if (call(c, m, &r, "destroy") < 0)
			return 1;
		ctl_response_free(&r);
		t2 = now_ms();
		cr[i] = t1 - t0;
		de[i] = t2 - t1;
		pair[i] = t2 - t0;
	}
	printf("p50_ms %.3f p99_ms %.3f create_p50_ms %.3f destroy_p50_ms %.3f\n",
	       pct(pair, (size_t)n, 0.5), pct(pair, (size_t)n, 0.99),
	       pct(cr, (size_t)n, 0.5), pct(de, (size_t)n, 0.5));
	ctl_client_close(&c);
	free(pair);
	free(cr);
	free(de);
	return 0;
}
