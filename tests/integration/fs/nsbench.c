// SPDX-License-Identifier: MIT
/*
 * nsbench: a tiny side-by-side benchmark of one file (a namespace file or
 * a plain file); run it on both and compare (quickbench.sh).
 *
 *   nsbench seqwrite FILE MIB        1 MiB pwrites, fsync at the end: MiB/s
 *   nsbench randread FILE COUNT      4 KiB preads at random pages: IOPS
 *   nsbench mmapwrite FILE MIB       store to every page of a shared
 *                                    mapping, msync at the end: MiB/s
 *   nsbench msynclat FILE COUNT      dirty one page, msync(MS_SYNC);
 *                                    p50 and p99 in microseconds
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *mode, *file;
	unsigned long n;
	double t0, t;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: nsbench seqwrite|randread|mmapwrite|msynclat FILE N\n");
		return 2;
	}
	mode = argv[1];
	file = argv[2];
	n = strtoul(argv[3], NULL, 0);
	fd = open(file, O_RDWR);
	if (fd < 0)
		return fail("open");

	if (strcmp(mode, "seqwrite") == 0) {
		char *b = malloc(1 << 20);
		unsigned long i;

		memset(b, 0x5c, 1 << 20);
		t0 = now();
		for (i = 0; i < n; i++)
			if (pwrite(fd, b, 1 << 20, (off_t)i << 20) != 1 << 20)
				return fail("pwrite");
		if (fsync(fd) < 0)
			return fail("fsync");
		t = now() - t0;
		printf("%.1f MiB/s\n", (double)n / t);
	} else if (strcmp(mode, "randread") == 0) {
		off_t pages = lseek(fd, 0, SEEK_END) / 4096;
		char b[4096];
		unsigned long i;

		srand(1);
		t0 = now();
		for (i = 0; i < n; i++)
			if (pread(fd, b, 4096, (off_t)(rand() % pages) * 4096) != 4096)
				return fail("pread");
		t = now() - t0;
		printf("%.0f IOPS\n", (double)n / t);
	} else if (strcmp(mode, "mmapwrite") == 0) {
		size_t len = (size_t)n << 20, i;
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (m == MAP_FAILED)
			return fail("mmap");
		t0 = now();
		for (i = 0; i < len; i += 4096)
			memset(m + i, (int)(i >> 12), 4096);
		if (msync(m, len, MS_SYNC) < 0)
			return fail("msync");
		t = now() - t0;
		printf("%.1f MiB/s\n", (double)n / t);
		munmap(m, len);
	} else if (strcmp(mode, "msynclat") == 0) {
		double *lat = calloc(n, sizeof(*lat));
		char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		unsigned long i;

		if (m == MAP_FAILED || !lat)
			return fail("mmap");
		for (i = 0; i < n; i++) {
			char *p = m + (i % 256) * 4096;

			p[i % 4096]++;
			t0 = now();
			if (msync(p, 4096, MS_SYNC) < 0)
				return fail("msync");
			lat[i] = (now() - t0) * 1e6;
		}
		qsort(lat, n, sizeof(*lat), cmp_double);
		printf("p50 %.0f us p99 %.0f us\n", lat[n / 2], lat[n * 99 / 100]);
		munmap(m, 1 << 20);
	} else {
		fprintf(stderr, "unknown mode '%s'\n", mode);
		return 2;
	}
	close(fd);
	return 0;
}
