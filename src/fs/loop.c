// SPDX-License-Identifier: MIT
/*
 * The FUSE receive loop. libfuse's own loop reads a request to the start
 * of a malloc'ed buffer, so a WRITE's data follows the 80-byte header and
 * O_DIRECT needs a copy; and its splice read wants 2 MiB pipes (more than
 * pipe-max-size allows without CAP_SYS_RESOURCE). Here each thread
 * receives in one of two ways (fs_loop_plan, loop.h) and hands the
 * request to fuse_session_process_buf:
 *
 * - splice (default): splice(2) from /dev/fuse into a pipe of the
 *   thread's own (2 MiB where allowed, else 1 MiB and smaller WRITEs).
 *   For a WRITE of page-cache pages (write(2), mmap write-back) the
 *   kernel puts a reference to each page into the pipe, page-aligned when
 *   the write is (fuse_ref_folio); op_write_buf splices them on to the
 *   region's O_DIRECT descriptor, so the daemon never touches the data. A request smaller than a WRITE
 *   header + one page is read out of the pipe into memory.
 * - read (splice=off, or the pipe cannot be made): read(2) into a
 *   page-aligned buffer at 4096 - 80, so a WRITE's data starts on a page
 *   boundary and goes to O_DIRECT as it is.
 *
 * Requests are served by a fixed pool of threads all waiting on the
 * device (the kernel wakes one per request). The loop ends on unmount
 * (ENODEV) or when the session is exited and the caller's thread gets a
 * signal; that thread then signals the others until they are out.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fs/log.h"
#include "fs/loop.h"
#include "fs/passthrough.h"

#define PAGE 4096u
/* sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in), <linux/fuse.h> */
#define WRITE_HDR 80u
#define MIB (1u << 20)

struct fs_loop;

/* set by fs_loop_pipe_drained(): the request's data left the pipe */
static __thread bool pipe_drained;

struct loop_thread {
	struct fs_loop *l;
	pthread_t tid;
	int pipe[2];		/* splice mode; -1 in read mode */
	char *buf;		/* page-aligned; PAGE + req_max in read mode,
				 * 2 pages in splice mode (small requests) */
	size_t cap;
	int done;		/* atomic: the thread left its loop */
};

struct fs_loop {
	struct fuse_session *se;
	int fd;
	unsigned pipe_size;
	size_t req_max;		/* a page of header and arguments + max_write */
	int error;		/* atomic: first receive error */
	int said_read_mode;	/* atomic: the fallback was logged */
};

static void pipe_close(struct loop_thread *t)
{
	if (t->pipe[0] >= 0) {
		close(t->pipe[0]);
		close(t->pipe[1]);
	}
	t->pipe[0] = t->pipe[1] = -1;
}

static void read_mode(struct loop_thread *t, const char *why)
{
	pipe_close(t);
	if (!__atomic_exchange_n(&t->l->said_read_mode, 1, __ATOMIC_RELAXED))
		fs_info("receiving with read(2), WRITE data is copied once, by the kernel: %s", why);
}

/* fd's pipe grown to size; 0 or -errno */
static int pipe_grow(int fd, unsigned size)
{
	int rc = fcntl(fd, F_SETPIPE_SZ, (int)size);

	if (rc < 0)
		return -errno;
	return (unsigned)rc >= size ? 0 : -ENOSPC;
}

/*
 * The pipes stay out of the last quarter of the open-file limit: a region
 * directory opens its namespace files when they are opened (region_dir.c)
 * and needs room then, where a pipe is only a speed-up (read mode works
 * without one). 0, or the limit when fd is past that.
 */
static unsigned long long pipe_room(int fd)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    (rlim_t)fd < rl.rlim_cur - rl.rlim_cur / 4)
		return 0;
	return (unsigned long long)rl.rlim_cur;
}

/* A pipe that holds the largest request; else read mode (logged once). */
static void pipe_open(struct loop_thread *t)
{
	unsigned long long limit;
	char why[128];
	int rc;

	if (pipe2(t->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		t->pipe[0] = t->pipe[1] = -1;
		snprintf(why, sizeof(why), "pipe2: %s", strerror(errno));
		return read_mode(t, why);
	}
	limit = pipe_room(t->pipe[1]);
	if (limit) {
		snprintf(why, sizeof(why), "a quarter of the open-file limit (%llu) is kept "
			 "for namespace files", limit);
		return read_mode(t, why);
	}
	rc = pipe_grow(t->pipe[0], t->l->pipe_size);
	if (rc < 0) {
		snprintf(why, sizeof(why), "a pipe cannot grow to %u bytes (%s)",
			 t->l->pipe_size, strerror(-rc));
		read_mode(t, why);
	}
}

void fs_loop_pipe_drained(void)
{
	pipe_drained = true;
}

void fs_loop_plan(bool want_splice, struct fs_loop_plan *plan)
{
	int p[2], rc = 0;

	memset(plan, 0, sizeof(*plan));
	plan->max_write = MIB;
	if (!want_splice) {
		snprintf(plan->why, sizeof(plan->why), "splice=off");
		return;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(plan->why, sizeof(plan->why), "pipe2: %s", strerror(errno));
		return;
	}
	plan->splice = true;
	if (pipe_grow(p[0], 2 * MIB) == 0) {
		plan->pipe_size = 2 * MIB;
		snprintf(plan->why, sizeof(plan->why), "2 MiB pipes");
	} else if ((rc = pipe_grow(p[0], MIB)) == 0) {
		plan->pipe_size = MIB;
		plan->max_write = MIB / 2;
		snprintf(plan->why, sizeof(plan->why), "1 MiB pipes: no 2 MiB pipe "
			 "without CAP_SYS_RESOURCE or a larger fs.pipe-max-size");
	} else {
		plan->splice = false;
		snprintf(plan->why, sizeof(plan->why), "a pipe cannot grow to 1 MiB (%s)",
			 strerror(-rc));
	}
	close(p[0]);
	close(p[1]);
}

/* t->buf of at least cap bytes (its contents are not kept) */
static int buf_reserve(struct loop_thread *t, size_t cap)
{
	void *p;

	if (t->cap >= cap)
		return 0;
	if (posix_memalign(&p, PAGE, cap))
		return -ENOMEM;
	free(t->buf);
	t->buf = p;
	t->cap = cap;
	return 0;
}

static int read_all(int fd, char *p, size_t len)
{
	while (len > 0) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * The next request into fb: 1, 0 when the session ends, or -errno. In
 * read mode (and for small requests in splice mode) the request starts
 * WRITE_HDR bytes before a page boundary of t->buf.
 */
static int receive(struct loop_thread *t, struct fuse_buf *fb)
{
	struct fs_loop *l = t->l;
	char *mem;
	ssize_t res;
	int err;

	for (;;) {
		if (fuse_session_exited(l->se))
			return 0;
		if (buf_reserve(t, t->pipe[0] >= 0 ? 2 * PAGE : PAGE + l->req_max) < 0) {
			fs_err("no memory for a request buffer");
			return -ENOMEM;
		}
		mem = t->buf + PAGE - WRITE_HDR;
		if (t->pipe[0] >= 0)
			res = splice(l->fd, NULL, t->pipe[1], NULL, l->req_max, 0);
		else
			res = read(l->fd, mem, l->req_max);
		if (res >= 0)
			break;
		err = errno;
		/* ENOENT: the request was interrupted before we got it */
		if (err == EINTR || err == EAGAIN || err == ENOENT)
			continue;
		if (err == ENODEV) {	/* unmounted, or the connection aborted */
			fuse_session_exit(l->se);
			return 0;
		}
		if (t->pipe[0] >= 0 && err == EINVAL) {
			read_mode(t, "the kernel refused splice from /dev/fuse");
			continue;
		}
		fs_err("receiving a request from /dev/fuse: %s", strerror(err));
		return -err;
	}
	if ((size_t)res < sizeof(uint64_t) * 5) {	/* struct fuse_in_header */
		fs_err("short request from /dev/fuse (%zd bytes)", res);
		return -EIO;
	}
	memset(fb, 0, sizeof(*fb));
	fb->size = (size_t)res;
	if (t->pipe[0] < 0) {
		fb->mem = mem;
	} else if ((size_t)res < WRITE_HDR + PAGE) {
		err = read_all(t->pipe[0], mem, (size_t)res);
		if (err < 0) {
			fs_err("reading a request back from the pipe: %s", strerror(-err));
			return err;
		}
		fb->mem = mem;
	} else {
		fb->flags = FUSE_BUF_IS_FD;
		fb->fd = t->pipe[0];
	}
	return 1;
}

/*
 * FUSE_INTERRUPT is answered here with ENOSYS, so the kernel sends no
 * more for this connection (fc->no_interrupt): pmemfs does not stop a
 * request early, and libfuse 3.14 keeps an INTERRUPT that comes after its
 * request was answered queued until the next request, and leaks it when a
 * concurrent one overtook it (128 bytes at unmount, seen by ASan and
 * valgrind under load). true when buf was one, answered.
 */
static bool interrupt_refused(struct loop_thread *t, const void *buf, size_t size)
{
	struct fuse_in_header in;
	struct fuse_out_header out;

	if (size < sizeof(in))
		return false;
	memcpy(&in, buf, sizeof(in));
	if (in.opcode != FUSE_INTERRUPT)
		return false;
	out = (struct fuse_out_header){ .len = sizeof(out), .error = -ENOSYS,
					.unique = in.unique };
	if (write(fuse_session_fd(t->l->se), &out, sizeof(out)) < 0 && errno != ENOENT)
		fs_debug("answering FUSE_INTERRUPT: %s", strerror(errno));
	return true;
}

static void *thread_main(void *arg)
{
	struct loop_thread *t = arg;
	struct fuse_buf fb;
	int rc, left;

	while ((rc = receive(t, &fb)) > 0) {
		pipe_drained = false;
		if (!(fb.flags & FUSE_BUF_IS_FD) && interrupt_refused(t, fb.mem, fb.size))
			continue;	/* small: in memory */
		if (!(fb.flags & FUSE_BUF_IS_FD))	/* INIT is small: in memory */
			fs_pt_note_request(fb.mem, fb.size);
		fuse_session_process_buf(t->l->se, &fb);
		/* a refused request may leave data behind: a clean pipe */
		if ((fb.flags & FUSE_BUF_IS_FD) && !pipe_drained &&
		    (ioctl(t->pipe[0], FIONREAD, &left) < 0 || left > 0)) {
			pipe_close(t);
			pipe_open(t);
		}
	}
	if (rc < 0) {
		int zero = 0;

		__atomic_compare_exchange_n(&t->l->error, &zero, rc, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		fuse_session_exit(t->l->se);
	}
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int fs_loop_run(struct fuse_session *se, unsigned nthreads,
		const struct fs_loop_plan *plan)
{
	struct fs_loop l = {
		.se = se,
		.fd = fuse_session_fd(se),
		.pipe_size = plan->pipe_size,
		.req_max = PAGE + plan->max_write,
	};
	struct loop_thread *t;
	unsigned i, started = 0;
	bool all_done;
	int rc;

	if (nthreads == 0)
		nthreads = 1;
	t = calloc(nthreads, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < nthreads; i++) {
		t[i].l = &l;
		t[i].pipe[0] = t[i].pipe[1] = -1;
		if (plan->splice)
			pipe_open(&t[i]);
	}
	if (!plan->splice)
		fs_info("receiving with read(2) (%s): WRITEs of up to %u KiB, copied once, "
			"by the kernel", plan->why, plan->max_write >> 10);
	else if (!l.said_read_mode)
		fs_info("receiving with splice(2) (%s): WRITEs of up to %u KiB, "
			"page-cache pages are not copied", plan->why, plan->max_write >> 10);

	/* thread 0 is the caller's: the one the exit signal reaches */
	t[0].tid = pthread_self();
	for (i = 1; i < nthreads; i++) {
		rc = pthread_create(&t[i].tid, NULL, thread_main, &t[i]);
		if (rc != 0) {
			fs_warn("cannot start FUSE thread %u: %s", i, strerror(rc));
			break;
		}
		started++;
	}
	thread_main(&t[0]);

	/* the others: a signal ends a wait on the device (EINTR) */
	fuse_session_exit(se);
	do {
		all_done = true;
		for (i = 1; i <= started; i++) {
			if (!__atomic_load_n(&t[i].done, __ATOMIC_ACQUIRE)) {
				all_done = false;
				pthread_kill(t[i].tid, SIGUSR1);
			}
		}
		if (!all_done)
			usleep(10000);
	} while (!all_done);
	for (i = 1; i <= started; i++)
		pthread_join(t[i].tid, NULL);
	rc = l.error;
	for (i = 0; i < nthreads; i++) {
		pipe_close(&t[i]);
		free(t[i].buf);
	}
	free(t);
	return rc;
}
