// SPDX-License-Identifier: MIT
/*
 * pmbench: the bench's own driver for what fio cannot express (bench/run.sh
 * runs it on a plain file and on a namespace file alike).
 *
 *   pmbench msynclat FILE COUNT      dirty one byte of a 4 KiB page of a
 *                                    shared mapping, msync(MS_SYNC) that
 *                                    page; 256 pages in turn, pre-faulted.
 *                                    Prints "P50 P99" in microseconds.
 *   pmbench fsynclat FILE COUNT MIB  the same with fsync(fd) after the
 *                                    store (QEMU's answer to a guest's
 *                                    flush), the first MIB mapped and all
 *                                    of it in the page cache.
 *   pmbench statlat FILE COUNT       stat(2) of FILE COUNT times; "P50 P99"
 *                                    in microseconds.
 *   pmbench dirty FILE MIB           store to every page of the first MIB
 *                                    through a shared mapping, no msync;
 *                                    prints "ready" and waits for a signal
 *                                    with the pages dirty (a close would
 *                                    write a FUSE file's pages back).
 *   pmbench writer FILE MIB SECONDS  1 MiB pwrites over the first MIB,
 *                                    fsync after each pass, for SECONDS.
 *                                    Prints the passes done.
 *   pmbench resident FILE            bytes of FILE in the page cache
 *                                    (mmap + mincore).
 *   pmbench cached FILE              bytes in FILE's own page cache
 *                                    (cachestat(2): a FUSE passthrough
 *                                    file's mapping counts its backing
 *                                    file's pages, not its own; mincore
 *                                    where the kernel has no cachestat).
 *   pmbench seqwrite FILE MIB        1 MiB pwrites + fsync, sized to a
 *                                    page-cache measurement: prints MiB/s.
 *
 * Exit 0, or 1 with a message naming the call that failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define CHUNK (1u << 20)
#define LAT_PAGES 256u
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_fail(const char *what, const char *file)
{
	fprintf(stderr, "pmbench: %s '%s': %s\n", what, file, strerror(errno));
	return 1;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Latency of making one dirty page durable: msync(MS_SYNC) of the page
 * (mib 0: a mapping of LAT_PAGES pages), or fsync(fd) after the store, as
 * QEMU answers a virtio-pmem guest's flush (mib > 0: the first mib MiB are
 * mapped and faulted in, so the whole mapping is in the page cache, as a
 * guest's memory is, and the store goes to one of its first LAT_PAGES).
 */
static int bench_synclat(const char *file, unsigned long n, unsigned long mib)
{
	size_t len = mib ? (size_t)mib << 20 : (size_t)LAT_PAGES * PAGE;
	volatile char sink = 0;
	double *lat, t0;
	unsigned long i;
	char *m;
	int fd;

	if (n == 0)
		return errno = EINVAL, bench_fail("count of", "0");
	fd = open(file, O_RDWR);
	if (fd < 0)
		return bench_fail("open", file);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return bench_fail("mmap", file);
	lat = calloc(n, sizeof(*lat));
	if (!lat)
		return bench_fail("calloc for", file);
	/* fault every page in and start from a clean mapping */
	for (i = 0; i < len / PAGE; i++)
		sink += m[i * PAGE];
	for (i = 0; i < LAT_PAGES; i++)
		m[i * PAGE]++;
	if (msync(m, len, MS_SYNC) < 0)
		return bench_fail("msync", file);
	for (i = 0; i < n; i++) {
		char *p = m + (i % LAT_PAGES) * PAGE;

		p[(i * 67) % PAGE]++;
		t0 = bench_now();
		if (mib ? fsync(fd) < 0 : msync(p, PAGE, MS_SYNC) < 0)
			return bench_fail(mib ? "fsync" : "msync", file);
		lat[i] = (bench_now() - t0) * 1e6;
	}
	qsort(lat, n, sizeof(*lat), bench_cmp_double);
	printf("%.1f %.1f\n", lat[n / 2], lat[n * 99 / 100]);
	free(lat);
	munmap(m, len);
	close(fd);
	return 0;
}

/* latency of stat(2) of FILE, as a file manager or QEMU's probes make it */
static int bench_statlat(const char *file, unsigned long n)
{
	double *lat, t0;
	unsigned long i;
	struct stat st;

	if (n == 0)
		return errno = EINVAL, bench_fail("count of", "0");
	lat = calloc(n, sizeof(*lat));
	if (!lat)
		return bench_fail("calloc for", file);
	for (i = 0; i < n; i++) {
		t0 = bench_now();
		if (stat(file, &st) < 0)
			return bench_fail("stat", file);
		lat[i] = (bench_now() - t0) * 1e6;
	}
	qsort(lat, n, sizeof(*lat), bench_cmp_double);
	printf("%.2f %.2f\n", lat[n / 2], lat[n * 99 / 100]);
	free(lat);
	return 0;
}

/* one pass of 1 MiB pwrites over [0, mib MiB); 0 or 1 */
static int bench_write_pass(int fd, const char *file, char *buf, unsigned long mib)
{
	unsigned long i;

	for (i = 0; i < mib; i++) {
		buf[0] = (char)i;
		if (pwrite(fd, buf, CHUNK, (off_t)i * CHUNK) != (ssize_t)CHUNK)
			return bench_fail("pwrite", file);
	}
	return 0;
}

static int bench_write(const char *mode, const char *file, unsigned long mib,
		       double seconds)
{
	char *buf;
	double t0, t;
	unsigned long passes = 0;
	int fd;

	fd = open(file, O_RDWR);
	if (fd < 0)
		return bench_fail("open", file);
	if (posix_memalign((void **)&buf, PAGE, CHUNK))
		return bench_fail("posix_memalign for", file);
	memset(buf, 0x5c, CHUNK);
	t0 = bench_now();
	if (strcmp(mode, "writer") == 0) {
		do {
			if (bench_write_pass(fd, file, buf, mib))
				return 1;
			if (fsync(fd) < 0)
				return bench_fail("fsync", file);
			passes++;
		} while (bench_now() - t0 < seconds);
		printf("%lu\n", passes);
	} else {
		if (bench_write_pass(fd, file, buf, mib))
			return 1;
		if (fsync(fd) < 0)
			return bench_fail("fsync", file);
		t = bench_now() - t0;
		printf("%.1f\n", (double)mib / t);
	}
	free(buf);
	if (close(fd) < 0)
		return bench_fail("close", file);
	return 0;
}

static void bench_on_signal(int sig)
{
	(void)sig;
}

static int bench_dirty(const char *file, unsigned long mib)
{
	size_t len = (size_t)mib << 20, i;
	struct sigaction sa = { .sa_handler = bench_on_signal };
	sigset_t set, old;
	char *m;
	int fd;

	/* block first: a signal that comes before the wait is not lost */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigprocmask(SIG_BLOCK, &set, &old);
	fd = open(file, O_RDWR);
	if (fd < 0)
		return bench_fail("open", file);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return bench_fail("mmap", file);
	for (i = 0; i < len; i += PAGE)
		memset(m + i, (int)(i >> 12) | 1, PAGE);
	printf("ready\n");
	fflush(stdout);
	sigsuspend(&old);
	munmap(m, len);
	close(fd);
	return 0;
}

static int bench_resident(const char *file)
{
	unsigned char *vec;
	uint64_t res = 0;
	struct stat st;
	size_t pages, i;
	void *m;
	int fd;

	fd = open(file, O_RDONLY);
	if (fd < 0)
		return bench_fail("open", file);
	if (fstat(fd, &st) < 0)
		return bench_fail("fstat", file);
	if (st.st_size == 0) {
		printf("0\n");
		return 0;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return bench_fail("mmap", file);
	pages = ((size_t)st.st_size + PAGE - 1) / PAGE;
	vec = malloc(pages);
	if (!vec)
		return bench_fail("malloc for", file);
	if (mincore(m, (size_t)st.st_size, vec) < 0)
		return bench_fail("mincore", file);
	for (i = 0; i < pages; i++)
		res += vec[i] & 1;
	printf("%llu\n", (unsigned long long)(res * PAGE));
	free(vec);
	munmap(m, (size_t)st.st_size);
	close(fd);
	return 0;
}

/* cachestat(2)'s range and answer (Linux 6.5, <linux/mman.h>) */
struct bench_cs_range {
	uint64_t off, len;
};
struct bench_cs {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

static int bench_cached(const char *file)
{
	struct bench_cs_range r = { 0, 0 };	/* len 0: to the end */
	struct bench_cs c;
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		return bench_fail("open", file);
	memset(&c, 0, sizeof(c));
	if (syscall(__NR_cachestat, fd, &r, &c, 0) < 0) {
		close(fd);
		if (errno == ENOSYS)
			return bench_resident(file);
		return bench_fail("cachestat", file);
	}
	close(fd);
	printf("%llu\n", (unsigned long long)(c.nr_cache * (uint64_t)sysconf(_SC_PAGESIZE)));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (strcmp(mode, "msynclat") == 0 && argc == 4)
		return bench_synclat(argv[2], strtoul(argv[3], NULL, 0), 0);
	if (strcmp(mode, "fsynclat") == 0 && argc == 5 && strtoul(argv[4], NULL, 0) > 0)
		return bench_synclat(argv[2], strtoul(argv[3], NULL, 0),
				     strtoul(argv[4], NULL, 0));
	if (strcmp(mode, "statlat") == 0 && argc == 4)
		return bench_statlat(argv[2], strtoul(argv[3], NULL, 0));
	if (strcmp(mode, "dirty") == 0 && argc == 4)
		return bench_dirty(argv[2], strtoul(argv[3], NULL, 0));
	if (strcmp(mode, "seqwrite") == 0 && argc == 4)
		return bench_write(mode, argv[2], strtoul(argv[3], NULL, 0), 0);
	if (strcmp(mode, "writer") == 0 && argc == 5)
		return bench_write(mode, argv[2], strtoul(argv[3], NULL, 0),
				   strtod(argv[4], NULL));
	if (strcmp(mode, "resident") == 0 && argc == 3)
		return bench_resident(argv[2]);
	if (strcmp(mode, "cached") == 0 && argc == 3)
		return bench_cached(argv[2]);
	fprintf(stderr, "usage: pmbench msynclat FILE COUNT | fsynclat FILE COUNT MIB |\n"
		"       statlat FILE COUNT | dirty FILE MIB |\n"
		"       writer FILE MIB SECONDS | resident FILE | cached FILE |\n"
		"       seqwrite FILE MIB\n");
	return 2;
}
