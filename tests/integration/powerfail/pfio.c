// SPDX-License-Identifier: MIT
/*
 * pfio: clients for the power-fail and media-error tests.
 *
 *   pfio seq FILE N write|mmap   page i (i = 0..N-1) filled with byte i+1,
 *                                then fsync (write) or msync (mmap) of it;
 *                                prints "fsync i" before each flush
 *   pfio check-seq FILE N K      pages 0..K-1 hold byte i+1, pages K..N-1
 *                                hold 0: the state after K completed flushes
 *   pfio hold FILE OFF LEN BYTE  map the file shared, store BYTE over the
 *                                range (dirty, no msync), print "ready";
 *                                on SIGUSR1 print "saw 0xNN" (the byte at
 *                                OFF as read now through the mapping, and
 *                                "mixed" when the range is not uniform),
 *                                then wait to be killed
 *   pfio sum FILE OFF LEN        print a 64-bit FNV-1a hash of the range
 *   pfio pages FILE OFF LEN BYTE print how many 4 KiB pages of the range
 *                                hold BYTE in every byte
 *   pfio fill FILE N             pages 0..N-1 filled with byte i+1 by one
 *                                write, then one fsync
 *   pfio mstore FILE N           pages 0..N-1 filled with byte i+1 through a
 *                                shared mapping, unmapped, never flushed
 *   pfio mrace FILE N            a thread stores byte i+1 over pages 0..N-1
 *                                of a shared mapping, again and again;
 *                                meanwhile msync of page 0 alone (the other
 *                                pages stay dirty in the page cache), 3
 *                                times, "fsync i" before each
 *   pfio state FILE N            print what pages 0..N-1 hold, a word: per
 *                                page 'o' (all 0), 'n' (all byte i+1) or
 *                                t<hex> (torn: the mask of its 512-byte
 *                                sectors that are new, the others 0);
 *                                '?' anything else
 *   pfio mapread FILE OFF        read a byte at OFF through a mapping:
 *                                prints "SIGBUS" (exit 0) or "read 0xNN"
 *                                (exit 1)
 *
 * Exit 0 when done/matching, 1 otherwise (a message names the failing call).
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u

static int die(const char *what, const char *file)
{
	fprintf(stderr, "pfio: %s '%s': %s\n", what, file, strerror(errno));
	return 1;
}

static uint64_t num(const char *s)
{
	return strtoull(s, NULL, 0);
}

static int do_seq(const char *file, unsigned n, int use_mmap)
{
	int fd = open(file, O_RDWR);
	char page[PAGE];
	char *m = NULL;
	unsigned i;

	if (fd < 0)
		return die("open", file);
	if (use_mmap) {
		m = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			return die("mmap", file);
	}
	for (i = 0; i < n; i++) {
		memset(page, (int)(i + 1), PAGE);
		if (use_mmap) {
			memcpy(m + (size_t)i * PAGE, page, PAGE);
			printf("fsync %u\n", i);
			fflush(stdout);
			if (msync(m + (size_t)i * PAGE, PAGE, MS_SYNC) < 0)
				return die("msync", file);
		} else {
			if (pwrite(fd, page, PAGE, (off_t)i * PAGE) != PAGE)
				return die("pwrite", file);
			printf("fsync %u\n", i);
			fflush(stdout);
			if (fsync(fd) < 0)
				return die("fsync", file);
		}
	}
	printf("done\n");
	return 0;
}

static int do_check_seq(const char *file, unsigned n, unsigned k)
{
	int fd = open(file, O_RDONLY);
	unsigned char page[PAGE];
	unsigned i, j;

	if (fd < 0)
		return die("open", file);
	for (i = 0; i < n; i++) {
		unsigned char want = i < k ? (unsigned char)(i + 1) : 0;

		if (pread(fd, page, PAGE, (off_t)i * PAGE) != PAGE)
			return die("pread", file);
		for (j = 0; j < PAGE; j++)
			if (page[j] != want) {
				fprintf(stderr, "pfio: page %u byte %u is 0x%02x, expected 0x%02x\n",
					i, j, page[j], want);
				return 1;
			}
	}
	return 0;
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int do_hold(const char *file, uint64_t off, uint64_t len, int byte)
{
	int fd = open(file, O_RDWR);
	uint64_t base = off - off % PAGE, i;
	size_t maplen = (size_t)(off + len - base);
	unsigned char *m;
	int mixed = 0;

	if (fd < 0)
		return die("open", file);
	m = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)base);
	if (m == MAP_FAILED)
		return die("mmap", file);
	signal(SIGUSR1, on_usr1);
	memset(m + (off - base), byte, len);
	printf("ready\n");
	fflush(stdout);
	while (!got_usr1)
		pause();
	for (i = 1; i < len; i++)
		mixed |= m[off - base + i] != m[off - base];
	printf("saw 0x%02x%s\n", m[off - base], mixed ? " mixed" : "");
	fflush(stdout);
	for (;;)
		pause();
}

static int do_sum(const char *file, uint64_t off, uint64_t len)
{
	int fd = open(file, O_RDONLY);
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned char buf[65536];

	if (fd < 0)
		return die("open", file);
	while (len > 0) {
		size_t want = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		ssize_t r = pread(fd, buf, want, (off_t)off);

		if (r <= 0)
			return die("pread", file);
		for (ssize_t i = 0; i < r; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	printf("%016llx\n", (unsigned long long)h);
	return 0;
}

static int do_pages(const char *file, uint64_t off, uint64_t len, int byte)
{
	int fd = open(file, O_RDONLY);
	unsigned char page[PAGE];
	unsigned n = 0;

	if (fd < 0)
		return die("open", file);
	for (; len >= PAGE; off += PAGE, len -= PAGE) {
		unsigned j;

		if (pread(fd, page, PAGE, (off_t)off) != PAGE)
			return die("pread", file);
		for (j = 0; j < PAGE && page[j] == (unsigned char)byte; j++)
			;
		n += j == PAGE;
	}
	printf("%u\n", n);
	return 0;
}

static sigjmp_buf jb;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

static int do_mapread(const char *file, uint64_t off)
{
	int fd = open(file, O_RDONLY);
	uint64_t base = off - off % PAGE;
	volatile unsigned char *m;
	unsigned char v;

	if (fd < 0)
		return die("open", file);
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)base);
	if (m == MAP_FAILED)
		return die("mmap", file);
	signal(SIGBUS, on_bus);
	if (sigsetjmp(jb, 1)) {
		printf("SIGBUS\n");
		return 0;
	}
	v = m[off - base];
	printf("read 0x%02x\n", v);
	return 1;
}

static int do_fill(const char *file, unsigned n)
{
	int fd = open(file, O_RDWR);
	size_t len = (size_t)n * PAGE;
	unsigned char *b = malloc(len ? len : 1);
	unsigned i;

	if (fd < 0 || !b)
		return die("open", file);
	for (i = 0; i < n; i++)
		memset(b + (size_t)i * PAGE, (int)(i + 1), PAGE);
	if (pwrite(fd, b, len, 0) != (ssize_t)len)
		return die("pwrite", file);
	if (fsync(fd) < 0)
		return die("fsync", file);
	free(b);
	return close(fd) < 0 ? die("close", file) : 0;
}

static int do_mstore(const char *file, unsigned n)
{
	int fd = open(file, O_RDWR);
	unsigned char *m;
	unsigned i;

	if (fd < 0)
		return die("open", file);
	m = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return die("mmap", file);
	for (i = 0; i < n; i++)
		memset(m + (size_t)i * PAGE, (int)(i + 1), PAGE);
	munmap(m, (size_t)n * PAGE);
	return close(fd) < 0 ? die("close", file) : 0;
}

struct race {
	unsigned char *m;
	unsigned n;
	volatile int stop;
	unsigned passes;	/* atomic */
};

static void *race_store(void *arg)
{
	struct race *r = arg;
	unsigned i;

	while (!r->stop) {
		for (i = 0; i < r->n; i++)
			memset(r->m + (size_t)i * PAGE, (int)(i + 1), PAGE);
		__atomic_add_fetch(&r->passes, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int do_mrace(const char *file, unsigned n)
{
	int fd = open(file, O_RDWR);
	struct race r = { .n = n };
	pthread_t t;
	unsigned i;

	if (fd < 0)
		return die("open", file);
	r.m = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r.m == MAP_FAILED)
		return die("mmap", file);
	if (pthread_create(&t, NULL, race_store, &r))
		return die("pthread_create", file);
	while (__atomic_load_n(&r.passes, __ATOMIC_ACQUIRE) < 1)
		usleep(100);
	for (i = 0; i < 3; i++) {
		printf("fsync %u\n", i);
		fflush(stdout);
		if (msync(r.m, PAGE, MS_SYNC) < 0)
			return die("msync", file);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	munmap(r.m, (size_t)n * PAGE);
	return close(fd) < 0 ? die("close", file) : 0;
}

static int uniform(const unsigned char *p, size_t len, unsigned char v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static int do_state(const char *file, unsigned n)
{
	int fd = open(file, O_RDONLY);
	unsigned char page[PAGE];
	unsigned i, s, mask;

	if (fd < 0)
		return die("open", file);
	for (i = 0; i < n; i++) {
		if (pread(fd, page, PAGE, (off_t)i * PAGE) != PAGE)
			return die("pread", file);
		if (uniform(page, PAGE, 0)) {
			putchar('o');
			continue;
		}
		if (uniform(page, PAGE, (unsigned char)(i + 1))) {
			putchar('n');
			continue;
		}
		for (mask = 0, s = 0; s < 8; s++) {
			if (uniform(page + s * 512, 512, (unsigned char)(i + 1)))
				mask |= 1u << s;
			else if (!uniform(page + s * 512, 512, 0))
				break;
		}
		if (s < 8)
			putchar('?');
		else
			printf("t%02x", mask);
	}
	putchar('\n');
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "mrace") && argc == 4)
		return do_mrace(argv[2], (unsigned)num(argv[3]));
	if (!strcmp(c, "seq") && argc == 5)
		return do_seq(argv[2], (unsigned)num(argv[3]), !strcmp(argv[4], "mmap"));
	if (!strcmp(c, "check-seq") && argc == 5)
		return do_check_seq(argv[2], (unsigned)num(argv[3]), (unsigned)num(argv[4]));
	if (!strcmp(c, "hold") && argc == 6)
		return do_hold(argv[2], num(argv[3]), num(argv[4]), (int)num(argv[5]));
	if (!strcmp(c, "sum") && argc == 5)
		return do_sum(argv[2], num(argv[3]), num(argv[4]));
	if (!strcmp(c, "pages") && argc == 6)
		return do_pages(argv[2], num(argv[3]), num(argv[4]), (int)num(argv[5]));
	if (!strcmp(c, "fill") && argc == 4)
		return do_fill(argv[2], (unsigned)num(argv[3]));
	if (!strcmp(c, "mstore") && argc == 4)
		return do_mstore(argv[2], (unsigned)num(argv[3]));
	if (!strcmp(c, "state") && argc == 4)
		return do_state(argv[2], (unsigned)num(argv[3]));
	if (!strcmp(c, "mapread") && argc == 4)
		return do_mapread(argv[2], num(argv[3]));
	fprintf(stderr, "usage: pfio seq|check-seq|hold|sum|pages|fill|mstore|state|mapread ... (see the source)\n");
	return 2;
}
