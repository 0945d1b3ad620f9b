// SPDX-License-Identifier: MIT
/*
 * The FUSE transport's round trip, over /dev/fuse and over io_uring
 * (Linux >= 6.14, FUSE_OVER_IO_URING), measured with one minimal server:
 * a file system of one file, "f", whose FLUSH does nothing but answer.
 * The client times close(dup(fd)) — one FLUSH round trip — N times.
 * Issue 19 (docs/durability.md, "The FUSE page cache: why passthrough,
 * not large folios or io_uring"): what io_uring would save per request.
 *
 *   cc -O2 -pthread -o uring_rt bench/probes/uring_rt.c
 *   unshare -m --propagation private ./uring_rt MOUNTPOINT N dev|ring|ring-defer
 *
 * ring-defer sets the ring up with SINGLE_ISSUER|DEFER_TASKRUN (task work
 * runs only while the ring thread waits for completions).
 * Root (mount(2) of a FUSE file system). ring needs
 * /sys/module/fuse/parameters/enable_uring set to Y (global, off by
 * default: set it for the run, restore it after). Prints one line of
 * JSON: p50/p99 in microseconds and how many requests each path served.
 * Once INIT has negotiated the ring, every request waits until each
 * queue (one per possible CPU) has an entry (fuse_get_req); FORGET and
 * INTERRUPT still come over /dev/fuse. Not a server to copy: no
 * permissions, one file, no error handling beyond reporting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ABI 7.42 (Linux 6.14) <linux/fuse.h>, missing from Debian 12's 7.38 */
#define RT_FUSE_OVER_IO_URING (1ULL << 41)
#define RT_CMD_REGISTER 1u
#define RT_CMD_COMMIT_AND_FETCH 2u
struct rt_ent_in_out {
	uint64_t flags;
	uint64_t commit_id;
	uint32_t payload_sz;
	uint32_t padding;
	uint64_t reserved;
};
struct rt_req_header {
	char in_out[128];	/* fuse_in_header, then fuse_out_header */
	char op_in[128];	/* the opcode's first argument */
	struct rt_ent_in_out ring_ent_in_out;
};
struct rt_cmd_req {
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;
	uint8_t padding[6];
};

#define MAX_WRITE (128u * 1024)
#define PAYLOAD MAX_WRITE
#define PER_QUEUE 2
#define MAX_ENTS 256

static int devfd;
static int want_ring, defer_taskrun;
static volatile int init_done;
static long dev_reqs, ring_reqs;

static void die(const char *what)
{
	fprintf(stderr, "uring_rt: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0644;
	a->nlink = ino == FUSE_ROOT_ID ? 2 : 1;
	a->size = ino == FUSE_ROOT_ID ? 0 : 4096;
	a->blksize = 4096;
}

/* one request: its payload into out (*len bytes); 0 or -errno */
static int handle(const struct fuse_in_header *h, const void *arg, void *out, size_t *len)
{
	*len = 0;
	switch (h->opcode) {
	case FUSE_LOOKUP: {
		struct fuse_entry_out e;

		if (h->nodeid != FUSE_ROOT_ID || strcmp(arg, "f") != 0)
			return -ENOENT;
		memset(&e, 0, sizeof(e));
		e.nodeid = 2;
		e.generation = 1;
		e.entry_valid = e.attr_valid = 3600;
		fill_attr(&e.attr, 2);
		memcpy(out, &e, sizeof(e));
		*len = sizeof(e);
		return 0;
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out o;

		memset(&o, 0, sizeof(o));
		o.attr_valid = 3600;
		fill_attr(&o.attr, h->nodeid);
		memcpy(out, &o, sizeof(o));
		*len = sizeof(o);
		return 0;
	}
	case FUSE_OPEN:
	case FUSE_OPENDIR: {
		struct fuse_open_out o;

		memset(&o, 0, sizeof(o));
		o.fh = 1;
		o.open_flags = FOPEN_KEEP_CACHE;
		memcpy(out, &o, sizeof(o));
		*len = sizeof(o);
		return 0;
	}
	case FUSE_FLUSH:
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
		return 0;
	default:
		return -ENOSYS;
	}
}

static void dev_reply(uint64_t unique, int err, const void *p, size_t len)
{
	struct fuse_out_header oh = { .len = sizeof(oh) + len, .error = err, .unique = unique };
	struct iovec iov[2] = { { &oh, sizeof(oh) }, { (void *)p, len } };

	if (writev(devfd, iov, len ? 2 : 1) < 0 && errno != ENOENT)
		fprintf(stderr, "uring_rt: reply: %s\n", strerror(errno));
}

static void do_init(const struct fuse_in_header *h, const struct fuse_init_in *in)
{
	struct fuse_init_out o;
	uint64_t kflags = in->flags;

	if (in->flags & FUSE_INIT_EXT)
		kflags |= (uint64_t)in->flags2 << 32;
	memset(&o, 0, sizeof(o));
	o.major = FUSE_KERNEL_VERSION;
	o.minor = in->minor;
	o.max_readahead = in->max_readahead;
	o.flags = FUSE_INIT_EXT | FUSE_MAX_PAGES | FUSE_BIG_WRITES;
	if (want_ring) {
		if (!(kflags & RT_FUSE_OVER_IO_URING)) {
			fprintf(stderr, "uring_rt: the kernel offers no FUSE_OVER_IO_URING "
				"(enable_uring is N, or Linux < 6.14)\n");
			exit(77);
		}
		o.flags2 = (uint32_t)(RT_FUSE_OVER_IO_URING >> 32);
	}
	o.max_write = MAX_WRITE;
	o.max_pages = MAX_WRITE / 4096;
	o.time_gran = 1;
	dev_reply(h->unique, 0, &o, sizeof(o));
	__atomic_store_n(&init_done, 1, __ATOMIC_RELEASE);
}

static void *dev_loop(void *unused)
{
	static char buf[MAX_WRITE + 65536];
	char out[256];
	size_t len;
	ssize_t n;
	int rc;

	(void)unused;
	for (;;) {
		const struct fuse_in_header *h = (const void *)buf;

		n = read(devfd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == ENOENT || errno == EAGAIN))
			continue;
		if (n < (ssize_t)sizeof(*h))
			return NULL;	/* ENODEV: unmounted */
		__atomic_add_fetch(&dev_reqs, 1, __ATOMIC_RELAXED);
		if (h->opcode == FUSE_INIT) {
			do_init(h, (const void *)(h + 1));
			continue;
		}
		if (h->opcode == FUSE_FORGET || h->opcode == FUSE_BATCH_FORGET ||
		    h->opcode == FUSE_INTERRUPT)
			continue;
		rc = handle(h, h + 1, out, &len);
		dev_reply(h->unique, rc, out, len);
	}
}

/* the ring: SQ, CQ, 128-byte SQEs */
struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
	char *sqes;
};

struct ent {
	struct rt_req_header hdr __attribute__((aligned(64)));
	char *payload;
	struct iovec iov[2];
	uint16_t qid;
};

static struct ring R;
static struct ent ents[MAX_ENTS];
static unsigned nents, pending;

static void ring_setup(void)
{
	struct io_uring_params p;
	size_t sqsz, cqsz;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128;
	if (defer_taskrun)	/* task work only when the ring thread waits */
		p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	R.fd = (int)syscall(__NR_io_uring_setup, 64, &p);
	if (R.fd < 0)
		die("io_uring_setup");
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sqsz = cqsz = sqsz > cqsz ? sqsz : cqsz;
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, R.fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		die("mmap SQ ring");
	cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq :
		mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, R.fd,
		     IORING_OFF_CQ_RING);
	if (cq == MAP_FAILED)
		die("mmap CQ ring");
	R.sqes = mmap(NULL, p.sq_entries * 128, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, R.fd, IORING_OFF_SQES);
	if (R.sqes == MAP_FAILED)
		die("mmap SQEs");
	R.sq_tail = (unsigned *)(sq + p.sq_off.tail);
	R.sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	R.sq_array = (unsigned *)(sq + p.sq_off.array);
	R.cq_head = (unsigned *)(cq + p.cq_off.head);
	R.cq_tail = (unsigned *)(cq + p.cq_off.tail);
	R.cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	R.cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

/* queue one URING_CMD of entry i (submitted by the next ring_enter) */
static void ring_cmd(unsigned i, uint32_t op, uint64_t commit_id)
{
	unsigned tail = *R.sq_tail, idx = tail & *R.sq_mask;
	struct io_uring_sqe *sqe = (void *)(R.sqes + (size_t)idx * 128);
	struct rt_cmd_req *cr = (void *)sqe->cmd;

	memset(sqe, 0, 128);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = devfd;
	sqe->cmd_op = op;
	sqe->user_data = i;
	if (op == RT_CMD_REGISTER) {
		sqe->addr = (uint64_t)(uintptr_t)ents[i].iov;
		sqe->len = 2;
	}
	cr->commit_id = commit_id;
	cr->qid = ents[i].qid;
	R.sq_array[idx] = idx;
	__atomic_store_n(R.sq_tail, tail + 1, __ATOMIC_RELEASE);
	pending++;
}

static int ring_enter(unsigned wait)
{
	int n = (int)syscall(__NR_io_uring_enter, R.fd, pending, wait,
			     wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);

	if (n >= 0)
		pending -= (unsigned)n;
	return n;
}

static unsigned possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	unsigned a = 0, b = 0;
	int n;

	if (!f)
		die("/sys/devices/system/cpu/possible");
	n = fscanf(f, "%u-%u", &a, &b);
	fclose(f);
	return n == 2 ? b + 1 : a + 1;
}

static void *ring_loop(void *unused)
{
	unsigned q, k, nq = possible_cpus();

	(void)unused;
	ring_setup();
	for (q = 0; q < nq; q++) {
		for (k = 0; k < PER_QUEUE && nents < MAX_ENTS; k++, nents++) {
			struct ent *e = &ents[nents];

			e->payload = aligned_alloc(4096, PAYLOAD);
			if (!e->payload)
				die("payload buffer");
			e->iov[0] = (struct iovec){ &e->hdr, sizeof(e->hdr) };
			e->iov[1] = (struct iovec){ e->payload, PAYLOAD };
			e->qid = (uint16_t)q;
			ring_cmd(nents, RT_CMD_REGISTER, 0);
		}
	}
	if (ring_enter(0) < 0)
		die("io_uring_enter (register)");
	for (;;) {
		unsigned head;

		if (ring_enter(1) < 0 && errno != EINTR)
			die("io_uring_enter");
		head = *R.cq_head;
		while (head != __atomic_load_n(R.cq_tail, __ATOMIC_ACQUIRE)) {
			struct io_uring_cqe *c = &R.cqes[head & *R.cq_mask];
			struct ent *e = &ents[c->user_data];
			struct fuse_in_header h;
			struct fuse_out_header oh;
			size_t len;
			int rc;

			head++;
			if (c->res < 0) {
				if (c->res == -ENOTCONN || c->res == -ECANCELED)
					continue;	/* unmounted */
				fprintf(stderr, "uring_rt: ring entry %llu: %s\n",
					(unsigned long long)c->user_data, strerror(-c->res));
				continue;
			}
			__atomic_add_fetch(&ring_reqs, 1, __ATOMIC_RELAXED);
			memcpy(&h, e->hdr.in_out, sizeof(h));
			/* a LOOKUP's name is its payload when its first argument is empty */
			rc = handle(&h, h.opcode == FUSE_LOOKUP && e->hdr.ring_ent_in_out.payload_sz ?
				    e->payload : e->hdr.op_in, e->payload, &len);
			memset(&oh, 0, sizeof(oh));
			oh.len = (uint32_t)(sizeof(oh) + len);
			oh.error = rc;
			oh.unique = h.unique;
			memcpy(e->hdr.in_out, &oh, sizeof(oh));
			e->hdr.ring_ent_in_out.payload_sz = (uint32_t)len;
			ring_cmd((unsigned)(e - ents), RT_CMD_COMMIT_AND_FETCH,
				 e->hdr.ring_ent_in_out.commit_id);
		}
		__atomic_store_n(R.cq_head, head, __ATOMIC_RELEASE);
	}
	return NULL;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	char opts[128], path[4096];
	pthread_t dt, rt;
	double *lat, t;
	long i, n, before;
	int fd;

	if (argc != 4 || (strcmp(argv[3], "dev") && strcmp(argv[3], "ring") &&
			  strcmp(argv[3], "ring-defer"))) {
		fprintf(stderr, "usage: uring_rt MOUNTPOINT N dev|ring|ring-defer\n");
		return 129;
	}
	n = atol(argv[2]);
	want_ring = !strncmp(argv[3], "ring", 4);
	defer_taskrun = !strcmp(argv[3], "ring-defer");
	lat = calloc((size_t)n, sizeof(*lat));
	if (n <= 0 || !lat)
		return 129;
	devfd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (devfd < 0)
		die("/dev/fuse");
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", devfd);
	if (mount("uring_rt", argv[1], "fuse.uring_rt", MS_NOSUID | MS_NODEV, opts) < 0)
		die("mount");
	if (pthread_create(&dt, NULL, dev_loop, NULL))
		die("pthread_create");
	while (!__atomic_load_n(&init_done, __ATOMIC_ACQUIRE))
		usleep(1000);
	if (want_ring) {
		/* from INIT on, every request waits until each queue has an entry */
		if (pthread_create(&rt, NULL, ring_loop, NULL))
			die("pthread_create");
	}
	snprintf(path, sizeof(path), "%s/f", argv[1]);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	if (want_ring && __atomic_load_n(&ring_reqs, __ATOMIC_RELAXED) == 0) {
		fprintf(stderr, "uring_rt: the ring served no request\n");
		return 1;
	}
	for (i = 0; i < 100; i++)	/* warm up */
		close(dup(fd));
	before = want_ring ? ring_reqs : dev_reqs;
	for (i = 0; i < n; i++) {
		int d = dup(fd);

		t = now_us();
		close(d);
		lat[i] = now_us() - t;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	printf("{\"transport\": \"%s\", \"n\": %ld, \"p50_us\": %.1f, \"p99_us\": %.1f, "
	       "\"requests_on_it\": %ld, \"dev_requests\": %ld, \"ring_requests\": %ld}\n",
	       argv[3], n, lat[n / 2], lat[n * 99 / 100],
	       (want_ring ? ring_reqs : dev_reqs) - before, dev_reqs, ring_reqs);
	fflush(stdout);
	close(fd);
	umount2(argv[1], MNT_DETACH);
	_exit(0);
}
