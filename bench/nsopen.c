// SPDX-License-Identifier: MIT
/*
 * nsopen: how long opening a region file takes (probe the label area,
 * read it, build and classify every namespace), read-only, as
 * `pmemctl list --file` and the daemon's mount do before anything else.
 *
 *   nsopen FILE N    opens FILE N times; prints
 *                    "p50_ms P max_ms M cpu_p50_ms C namespaces K label_size L"
 *                    (C: the process's CPU time, which a loaded machine
 *                    inflates less than the wall clock)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/region.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct ns_region_opts o = { .flags = NS_REGION_RDONLY };
	unsigned long count = 0;
	uint64_t ls = 0;
	double *t, *c;
	long n;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: nsopen FILE N\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	c = calloc((size_t)n, sizeof(*c));
	if (!t || !c)
		return 1;
	for (long i = 0; i < n; i++) {
		struct ns_region *r = NULL;
		struct ns_namespace *ns;
		double t0 = now_ms(), c0 = cpu_ms();

		if (ns_region_open(argv[1], &o, &r)) {
			fprintf(stderr, "nsopen: %s\n", ns_errormsg());
			return 1;
		}
		t[i] = now_ms() - t0;
		c[i] = cpu_ms() - c0;
		count = 0;
		ns_region_foreach_namespace(r, ns)
			count++;
		ls = ns_region_label_size(r);
		ns_region_close(&r);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	qsort(c, (size_t)n, sizeof(*c), cmp_double);
	printf("p50_ms %.3f max_ms %.3f cpu_p50_ms %.3f namespaces %lu label_size %llu\n",
	       t[(n - 1) / 2], t[n - 1], c[(n - 1) / 2], count, (unsigned long long)ls);
	free(t);
	free(c);
	return 0;
}
