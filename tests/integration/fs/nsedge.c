// SPDX-License-Identifier: MIT
/*
 * nsedge: one system call at the end of a namespace file, for eof.sh.
 * Prints what the call returned (a count, or the errno name), so the test
 * asserts the exact answer and not only success.
 *
 *   nsedge write FILE OFF LEN SEED [pwrite|writev|direct|append]
 *       one pwrite(2) of nsio's pattern SEED (nsio verify checks it);
 *       writev: pwritev(2) of three pieces; direct: O_DIRECT from
 *       page-aligned memory; append: O_APPEND write(2) (OFF ignored).
 *       Prints the count or the errno name.
 *   nsedge mmap FILE OFF LEN SEED
 *       map [OFF, OFF+LEN) shared (OFF page-aligned), store the pattern page
 *       by page, then msync(MS_SYNC) the pages stored. Prints "stored N",
 *       then "sigbus" if a store faulted (the rest are not tried), then
 *       "msync 0" or "msync ERRNO".
 *   nsedge sync FILE
 *       one descriptor: fsync, fsync, fdatasync, msync of a one-page
 *       mapping, close. Prints the five answers ("0" or the errno name).
 *   nsedge truncate FILE LEN      ftruncate(2): "0" or the errno name
 *
 * Exit status: 0 when the call was made (whatever it returned); 1 when
 * the file could not be opened or mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

/* nsio's pattern (nsio verify checks it): a splitmix64 stream */
static uint8_t pat(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ull + (i / 8) + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (uint8_t)(z >> ((i % 8) * 8));
}

static const char *ename(int e)
{
	const char *s = strerrorname_np(e);

	return s ? s : "E?";
}

static void answer(long long rc)
{
	if (rc < 0)
		printf("%s\n", ename(errno));
	else
		printf("%lld\n", rc);
}

static int die(const char *what)
{
	fprintf(stderr, "nsedge: %s: %s\n", what, ename(errno));
	return 1;
}

static int cmd_write(char **argv, const char *how)
{
	uint64_t off = strtoull(argv[3], NULL, 0);
	size_t len = strtoull(argv[4], NULL, 0), i;
	uint64_t seed = strtoull(argv[5], NULL, 0);
	int flags = O_WRONLY;
	uint8_t *b;
	ssize_t w;
	int fd;

	if (!strcmp(how, "direct"))
		flags |= O_DIRECT;
	else if (!strcmp(how, "append"))
		flags |= O_APPEND;
	if (posix_memalign((void **)&b, 4096, len ? len : 1))
		return die("posix_memalign");
	for (i = 0; i < len; i++)
		b[i] = pat(seed, i);
	fd = open(argv[2], flags);
	if (fd < 0)
		return die("open");
	if (!strcmp(how, "writev")) {
		size_t a = len / 3, c = len / 3;
		struct iovec v[3] = {
			{ b, a }, { b + a, c }, { b + a + c, len - a - c },
		};

		w = pwritev(fd, v, 3, (off_t)off);
	} else if (!strcmp(how, "append")) {
		w = write(fd, b, len);
	} else {
		w = pwrite(fd, b, len, (off_t)off);
	}
	answer(w);
	close(fd);
	free(b);
	return 0;
}

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

static int cmd_mmap(char **argv)
{
	uint64_t off = strtoull(argv[3], NULL, 0);
	size_t len = strtoull(argv[4], NULL, 0);
	uint64_t seed = strtoull(argv[5], NULL, 0);
	volatile size_t done = 0;
	struct sigaction sa;
	uint8_t *m;
	int fd = open(argv[2], O_RDWR);

	if (fd < 0)
		return die("open");
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (m == MAP_FAILED)
		return die("mmap");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(fault_jmp, 1) == 0) {
		while (done < len) {
			m[done] = pat(seed, done);
			done++;
		}
		printf("stored %zu\n", (size_t)done);
	} else {
		printf("stored %zu\nsigbus\n", (size_t)done);
	}
	done &= ~(size_t)4095;
	answer(done ? msync(m, done, MS_SYNC) : 0);
	munmap(m, len);
	close(fd);
	return 0;
}

static int cmd_sync(char **argv)
{
	int fd = open(argv[2], O_RDWR);
	void *m;

	if (fd < 0)
		return die("open");
	answer(fsync(fd));
	answer(fsync(fd));
	answer(fdatasync(fd));
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return die("mmap");
	answer(msync(m, 4096, MS_SYNC));
	munmap(m, 4096);
	answer(close(fd));
	return 0;
}

static int cmd_truncate(char **argv)
{
	int fd = open(argv[2], O_WRONLY);

	if (fd < 0)
		return die("open");
	answer(ftruncate(fd, (off_t)strtoull(argv[3], NULL, 0)));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "write") && (argc == 6 || argc == 7))
		return cmd_write(argv, argc == 7 ? argv[6] : "pwrite");
	if (!strcmp(c, "mmap") && argc == 6)
		return cmd_mmap(argv);
	if (!strcmp(c, "sync") && argc == 3)
		return cmd_sync(argv);
	if (!strcmp(c, "truncate") && argc == 4)
		return cmd_truncate(argv);
	fprintf(stderr, "usage: see the comment at the top of nsedge.c\n");
	return 2;
}
