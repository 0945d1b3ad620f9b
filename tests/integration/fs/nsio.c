// SPDX-License-Identifier: MIT
/*
 * nsio: small I/O client for the pmemfs integration tests.
 *
 *   nsio fill FILE OFF LEN BYTE            write BYTE over a range (pwrite)
 *   nsio check-byte FILE OFF LEN BYTE      every byte of the range is BYTE
 *   nsio verify FILE OFF LEN SEED          the range holds pattern SEED
 *   nsio write FILE OFF LEN SEED [SYNC]    pwrite pattern; SYNC: none (close
 *                                          only), fsync, fdatasync, direct
 *                                          (O_DIRECT from page-aligned memory,
 *                                          then fsync)
 *   nsio mmap-write FILE OFF LEN SEED [msync|hold|maponly]
 *                                          store the pattern through a shared
 *                                          mapping; msync(MS_SYNC) the range,
 *                                          or print "ready" and wait to be
 *                                          killed with the pages dirty
 *                                          (maponly: the descriptor closed
 *                                          first, the mapping holds the file)
 *   nsio fsync FILE                        open O_RDWR and fsync
 *   nsio cachestat FILE OFF LEN            "cache=N dirty=N writeback=N"
 *                                          (exit 77 without cachestat(2))
 *   nsio mapsync FILE                      mmap(MAP_SHARED_VALIDATE|MAP_SYNC)
 *                                          must fail: prints the errno name
 *   nsio fallocate FILE MODE OFF LEN       MODE: alloc, punch, zero
 *
 * Exit status: 0 done; 1 check failed or an error (message on stderr, the
 * failing call named with its errno name, e.g. "fsync: EIO").
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

static const char *errname(int e)
{
	switch (e) {
	case EIO: return "EIO";
	case EPERM: return "EPERM";
	case EROFS: return "EROFS";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EFBIG: return "EFBIG";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ENODEV: return "ENODEV";
	default: return strerror(e);
	}
}

static int die(const char *what)
{
	int e = errno;

	fprintf(stderr, "%s: %s\n", what, errname(e));
	return 1;
}

static uint64_t num(const char *s)
{
	return strtoull(s, NULL, 0);
}

/* pattern byte i of seed: a splitmix64 stream */
static uint8_t pat(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ull + (i / 8) + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (uint8_t)(z >> ((i % 8) * 8));
}

static void fill_pattern(uint8_t *p, uint64_t len, uint64_t seed)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		p[i] = pat(seed, i);
}

static uint8_t *read_range(const char *file, uint64_t off, uint64_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	int fd = open(file, O_RDONLY);
	uint64_t done = 0;

	if (fd < 0 || !b) {
		fprintf(stderr, "open %s: %s\n", file, errname(errno));
		exit(1);
	}
	while (done < len) {
		ssize_t r = pread(fd, b + done, len - done, (off_t)(off + done));

		if (r <= 0) {
			fprintf(stderr, "pread %s at %llu: %s\n", file,
				(unsigned long long)(off + done), r ? errname(errno) : "EOF");
			exit(1);
		}
		done += (uint64_t)r;
	}
	close(fd);
	return b;
}

static int cmd_check(int argc, char **argv, bool pattern)
{
	uint64_t off = num(argv[3]), len = num(argv[4]), v = num(argv[5]), i;
	uint8_t *b = read_range(argv[2], off, len);

	for (i = 0; i < len; i++) {
		uint8_t want = pattern ? pat(v, i) : (uint8_t)v;

		if (b[i] != want) {
			fprintf(stderr, "%s: byte at %llu is 0x%02x, expected 0x%02x\n",
				argv[2], (unsigned long long)(off + i), b[i], want);
			free(b);
			return 1;
		}
	}
	free(b);
	return 0;
}

static int cmd_write(int argc, char **argv, bool fillbyte)
{
	uint64_t off = num(argv[3]), len = num(argv[4]), v = num(argv[5]), done = 0;
	const char *sync = argc > 6 ? argv[6] : "none";
	const char *failed = NULL;
	int err = 0;
	bool direct = strcmp(sync, "direct") == 0;
	uint8_t *b = NULL;
	int fd;

	if (posix_memalign((void **)&b, 4096, len ? len : 1))
		return die("posix_memalign");
	fd = open(argv[2], O_RDWR | (direct ? O_DIRECT : 0));
	if (fd < 0) {
		free(b);
		return die("open");
	}
	if (fillbyte)
		memset(b, (int)v, len);
	else
		fill_pattern(b, len, v);
	while (done < len && !failed) {
		ssize_t w = pwrite(fd, b + done, len - done, (off_t)(off + done));

		if (w <= 0) {
			failed = "pwrite";
			err = errno;
		} else {
			done += (uint64_t)w;
		}
	}
	if (!failed && (direct || strcmp(sync, "fsync") == 0) && fsync(fd) < 0) {
		failed = "fsync";
		err = errno;
	}
	if (!failed && strcmp(sync, "fdatasync") == 0 && fdatasync(fd) < 0) {
		failed = "fdatasync";
		err = errno;
	}
	free(b);
	if (failed) {
		close(fd);
		errno = err;
		return die(failed);
	}
	if (close(fd) < 0)
		return die("close");
	return 0;
}

static int cmd_mmap_write(int argc, char **argv)
{
	uint64_t off = num(argv[3]), len = num(argv[4]), seed = num(argv[5]);
	const char *mode = argc > 6 ? argv[6] : "msync";
	uint64_t mstart = off & ~4095ull, mlen = off + len - mstart;
	uint8_t *m, *p;
	int fd = open(argv[2], O_RDWR);

	if (fd < 0)
		return die("open");
	m = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mstart);
	if (m == MAP_FAILED)
		return die("mmap");
	p = m + (off - mstart);
	fill_pattern(p, len, seed);
	/* maponly: the mapping alone keeps the file (no descriptor left) */
	if (strcmp(mode, "maponly") == 0 && close(fd) < 0)
		return die("close");
	if (strcmp(mode, "hold") == 0 || strcmp(mode, "maponly") == 0) {
		printf("ready\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (strcmp(mode, "msync") == 0 && msync(m, mlen, MS_SYNC) < 0)
		return die("msync");
	if (munmap(m, mlen) < 0)
		return die("munmap");
	close(fd);
	return 0;
}

struct cs_range {
	uint64_t off, len;
};

struct cs {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

static int cmd_cachestat(int argc, char **argv)
{
	struct cs_range r = { num(argv[3]), num(argv[4]) };
	struct cs c;
	int fd = open(argv[2], O_RDONLY);

	if (fd < 0)
		return die("open");
	memset(&c, 0, sizeof(c));
	if (syscall(__NR_cachestat, fd, &r, &c, 0) < 0) {
		if (errno == ENOSYS) {
			fprintf(stderr, "cachestat(2): not in this kernel (Linux >= 6.5)\n");
			return 77;
		}
		return die("cachestat");
	}
	printf("cache=%llu dirty=%llu writeback=%llu\n", (unsigned long long)c.nr_cache,
	       (unsigned long long)c.nr_dirty, (unsigned long long)c.nr_writeback);
	return 0;
}

static int cmd_mapsync(int argc, char **argv)
{
	int fd = open(argv[2], O_RDWR);
	void *m;

	if (fd < 0)
		return die("open");
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	if (m != MAP_FAILED) {
		fprintf(stderr, "mmap(MAP_SYNC) succeeded\n");
		return 1;
	}
	printf("%s\n", errname(errno));
	return 0;
}

static int cmd_fsync(int argc, char **argv)
{
	int fd = open(argv[2], O_RDWR);

	if (fd < 0)
		return die("open");
	if (fsync(fd) < 0)
		return die("fsync");
	close(fd);
	return 0;
}

static int cmd_fallocate(int argc, char **argv)
{
	const char *m = argv[3];
	int mode = 0, fd = open(argv[2], O_RDWR);

	if (fd < 0)
		return die("open");
	if (strcmp(m, "punch") == 0)
		mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	else if (strcmp(m, "zero") == 0)
		mode = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	if (fallocate(fd, mode, (off_t)num(argv[4]), (off_t)num(argv[5])) < 0)
		return die("fallocate");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "fill") && argc >= 6)
		return cmd_write(argc, argv, true);
	if (!strcmp(c, "check-byte") && argc == 6)
		return cmd_check(argc, argv, false);
	if (!strcmp(c, "verify") && argc == 6)
		return cmd_check(argc, argv, true);
	if (!strcmp(c, "write") && argc >= 6)
		return cmd_write(argc, argv, false);
	if (!strcmp(c, "mmap-write") && argc >= 6)
		return cmd_mmap_write(argc, argv);
	if (!strcmp(c, "cachestat") && argc == 5)
		return cmd_cachestat(argc, argv);
	if (!strcmp(c, "mapsync") && argc == 3)
		return cmd_mapsync(argc, argv);
	if (!strcmp(c, "fsync") && argc == 3)
		return cmd_fsync(argc, argv);
	if (!strcmp(c, "fallocate") && argc == 6)
		return cmd_fallocate(argc, argv);
	fprintf(stderr, "usage: see the comment at the top of nsio.c\n");
	return 2;
}
