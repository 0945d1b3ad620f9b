// SPDX-License-Identifier: MIT
/*
 * Raw region I/O: the bottom of the data path. pread and pwrite on the
 * region file at dpa + offset, O_DIRECT when the request is page-aligned
 * and the file system has it (see nsfile.h). A WRITE of page-cache pages
 * (write(2), mmap write-back) that libfuse left in its pipe (splice read)
 * is spliced straight to the O_DIRECT descriptor: the kernel put
 * references to those pages in the pipe, so the data is never copied in
 * the daemon. Knows nothing of fault simulation: the dispatch (data.c)
 * decides what reaches it; the fault layers call it for the undo log's
 * pages (fs_rio_read_page, fs_rio_write_page).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/log.h"
#include "fs/nsfile.h"

#define DIO_ALIGN 4096u
#define BUF_SIZE (1u << 20)	/* libfuse's largest request */

/*
 * Two page-aligned per-thread buffers: BUF_BOUNCE for O_DIRECT (a WRITE's
 * data copied there when it is not page-aligned; READs), BUF_PIPE for a
 * WRITE's data drained from libfuse's pipe when it cannot be spliced.
 */
enum { BUF_BOUNCE, BUF_PIPE, BUF_COUNT };

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

struct tls_bufs {
	void *p[BUF_COUNT];
	size_t cap[BUF_COUNT];
};

static void tls_free(void *arg)
{
	struct tls_bufs *b = arg;

	for (unsigned i = 0; i < BUF_COUNT; i++)
		free(b->p[i]);
	free(b);
}

static void tls_key_init(void)
{
	pthread_key_create(&tls_key, tls_free);
}

/* per-thread buffer which, page-aligned, of at least len bytes */
static void *tls_buf(unsigned which, size_t len)
{
	struct tls_bufs *b;

	pthread_once(&tls_once, tls_key_init);
	b = pthread_getspecific(tls_key);
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		pthread_setspecific(tls_key, b);
	}
	if (b->cap[which] < len) {
		void *p;
		size_t cap = len < BUF_SIZE ? BUF_SIZE : len;

		if (posix_memalign(&p, DIO_ALIGN, cap))
			return NULL;
		free(b->p[which]);
		b->p[which] = p;
		b->cap[which] = cap;
	}
	return b->p[which];
}

/* the write-back error probe's offset: no file has a page there */
#define PROBE_FAR ((off64_t)(LLONG_MAX - 1))

static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

int fs_rfd_open(struct fs_rfd *rf, int region_fd, enum fs_backing backing,
		const char *devname)
{
	struct stat st;
	int err;

	memset(rf, 0, sizeof(*rf));
	rf->dfd = rf->pfd = -1;
	pthread_mutex_init(&rf->lock, NULL);
	if (fstat(region_fd, &st) == 0 && st.st_size > 0)
		rf->probe_off = (uint64_t)st.st_size - 1;
	rf->fd = reopen(region_fd, O_RDWR);
	if (rf->fd >= 0)
		rf->pfd = reopen(region_fd, O_RDONLY);
	if (rf->fd < 0 || rf->pfd < 0) {
		err = errno;
		fs_err("%s: cannot reopen the region file: %s", devname, strerror(err));
		fs_rfd_close(rf);
		return -err;
	}
	/*
	 * The probe's byte: past the end of any file, so that its WAIT_AFTER
	 * waits on no page (the last byte is in the label area, whose
	 * write-back it would wait for under rf->lock) and still checks the
	 * file's errseq (file_fdatawait_range). A 32-bit kernel does nothing
	 * for offsets past its page cache (2^44): keep the last byte there.
	 */
	if (sizeof(long) >= 8) {
		if (sync_file_range(rf->pfd, PROBE_FAR, 1, SYNC_FILE_RANGE_WAIT_AFTER) == 0) {
			rf->probe_off = (uint64_t)PROBE_FAR;
		} else if (errno == EINVAL || errno == ESPIPE || errno == ENOSYS) {
			fs_debug("%s: probe past the end refused (%s): the last byte",
				 devname, strerror(errno));
		} else {
			/* an error recorded before: counted, as the probe does */
			rf->probe_off = (uint64_t)PROBE_FAR;
			rf->err_seq++;
			rf->err = errno;
		}
	}
	if (backing != FS_BACKING_BUFFERED) {
		rf->dfd = reopen(region_fd, O_RDWR | O_DIRECT);
		if (rf->dfd < 0) {
			err = errno;
			if (backing == FS_BACKING_DIRECT) {
				fs_err("%s: no O_DIRECT on the region file: %s",
				       devname, strerror(err));
				fs_rfd_close(rf);
				return -err;
			}
			fs_debug("%s: no O_DIRECT (%s): buffered data path",
				 devname, strerror(err));
		}
	}
	return 0;
}

void fs_rfd_close(struct fs_rfd *rf)
{
	if (rf->dfd >= 0)
		close(rf->dfd);
	if (rf->pfd >= 0)
		close(rf->pfd);
	if (rf->fd >= 0)
		close(rf->fd);
	rf->fd = rf->dfd = rf->pfd = -1;
	pthread_mutex_destroy(&rf->lock);
}

/* set by fs_data_write_cached() for the WRITE this thread serves */
static __thread bool write_cached;

void fs_data_write_cached(bool cached)
{
	write_cached = cached;
}

static bool dio_ok(const struct fs_ns *n, size_t len, uint64_t off)
{
	return n->dfd >= 0 && len > 0 &&
	       ((n->dpa + off) % DIO_ALIGN) == 0 && (len % DIO_ALIGN) == 0;
}

int fs_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -ENOSPC;
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

int fs_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)	/* the file ends before: shortened behind us */
			return -ENODATA;
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/*
 * The region file still reaches past [off, off+len) of n: 0, or -EIO with
 * the namespace's sticky error set. The region lock is advisory: another
 * process can shorten the file, and a write past its end would grow it
 * back over a hole, so that what lay there reads as zeroes; the write
 * fails instead. (One fstat per WRITE: see the commit log for its cost.)
 */
static int check_end(struct fs_ns *n, uint64_t off, uint64_t len)
{
	struct stat st;

	if (fstat(n->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size >= n->dpa + off + len)
		return 0;
	if (!fs_ns_error(n))
		fs_err("%s: the region file is %llu bytes, shorter than the end of "
		       "this namespace's data (%llu bytes): it was truncated behind "
		       "pmemfs", n->devname, (unsigned long long)st.st_size,
		       (unsigned long long)(n->dpa + n->size));
	fs_ns_set_error(n, EIO, "write past the end of the shortened region file");
	return -EIO;
}

int fs_rio_check_end(struct fs_ns *n, uint64_t off, uint64_t len)
{
	return check_end(n, off, len);
}

/* len bytes reached the medium's write path directly (O_DIRECT) */
static void written_direct(struct fs_ns *n, size_t len)
{
	fs_dirty_mark_sync(n, len);
	fs_stats_add(&n->stats.bytes_written, len);
}

int fs_rio_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off)
{
	int rc;

	if (check_end(n, off, len))
		return -EIO;
	fs_ns_dirty_begin(n);
	if (!write_cached && dio_ok(n, len, off)) {
		const void *b = buf;

		if ((uintptr_t)buf % DIO_ALIGN) {	/* O_DIRECT needs aligned memory */
			void *t = tls_buf(BUF_BOUNCE, len);

			if (t)
				memcpy(t, buf, len);
			b = t;
		}
		if (b) {
			rc = fs_pwrite_all(n->dfd, b, len, n->dpa + off);
			if (rc == 0) {
				written_direct(n, len);
				return 0;
			}
			if (rc != -EINVAL)
				goto fail;
			/* alignment the device does not take: buffered */
		}
	}
	rc = fs_pwrite_all(n->fd, buf, len, n->dpa + off);
	if (rc < 0)
		goto fail;
	fs_dirty_add(n, off, len);
	fs_stats_add(&n->stats.bytes_written, len);
	return 0;
fail:
	fs_ns_set_error(n, -rc, "write to the region file");
	return -EIO;
}

int fs_rio_write_pipe(struct fs_ns *n, int pipefd, size_t len, uint64_t off)
{
	loff_t pos = (loff_t)(n->dpa + off);
	size_t done = 0;
	int rc;

	if (write_cached || !dio_ok(n, len, off))
		return -EAGAIN;
	if (check_end(n, off, len))
		return -EIO;
	fs_ns_dirty_begin(n);
	while (done < len) {
		ssize_t w = splice(pipefd, NULL, n->dfd, &pos, len - done, SPLICE_F_MOVE);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			/* refused before anything moved: read it into memory */
			if (done == 0 && (rc == -EINVAL || rc == -EOPNOTSUPP))
				return -EAGAIN;
			fs_ns_set_error(n, -rc, "splice to the region file");
			return -EIO;
		}
		done += (size_t)w;
	}
	written_direct(n, len);
	return 0;
}

int fs_data_drain_pipe(int pipefd, size_t len, void **out)
{
	char *b = tls_buf(BUF_PIPE, len);
	size_t done = 0;

	if (!b)
		return -ENOMEM;
	while (done < len) {
		ssize_t r = read(pipefd, b + done, len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int err = r < 0 ? errno : EPIPE;

			fs_err("reading a WRITE's data from the splice pipe: %s "
			       "(%zu of %zu bytes)", strerror(err), done, len);
			return -EIO;
		}
		done += (size_t)r;
	}
	*out = b;
	return 0;
}

int fs_rio_read(struct fs_ns *n, size_t len, uint64_t off, void **out)
{
	void *b;
	int rc = -EINVAL;

	b = tls_buf(BUF_BOUNCE, len);
	if (!b)
		return -ENOMEM;
	if (dio_ok(n, len, off))
		rc = fs_pread_all(n->dfd, b, len, n->dpa + off);
	if (rc == -EINVAL)
		rc = fs_pread_all(n->fd, b, len, n->dpa + off);
	if (rc == -ENODATA) {
		fs_err("%s: read of %zu bytes at %llu: the region file ends before "
		       "it (truncated behind pmemfs)", n->devname, len,
		       (unsigned long long)off);
		return -EIO;
	}
	if (rc < 0) {
		fs_err("%s: read of %zu bytes at %llu failed: %s", n->devname, len,
		       (unsigned long long)off, strerror(-rc));
		return -EIO;
	}
	fs_stats_add(&n->stats.bytes_read, len);
	*out = b;
	return 0;
}

/*
 * Page p of n (undo log): through O_DIRECT where the namespace has it:
 * one 4 KiB read, no readahead, nothing left in the region file's page
 * cache (the kernel writes back a dirty cached range before a direct read
 * of it, so buffered WRITEs are seen too).
 */
int fs_rio_read_page(struct fs_ns *n, void *buf, uint64_t p)
{
	uint64_t off = n->dpa + p * DIO_ALIGN;
	int rc = n->dfd >= 0 ? fs_pread_all(n->dfd, buf, DIO_ALIGN, off) : -EINVAL;

	if (rc == -EINVAL)	/* no O_DIRECT, or the device refuses the alignment */
		rc = fs_pread_all(n->fd, buf, DIO_ALIGN, off);
	return rc;
}

int fs_rio_write_page(struct fs_ns *n, const void *buf, uint64_t p)
{
	uint64_t off = n->dpa + p * DIO_ALIGN;
	int rc;

	if (check_end(n, p * DIO_ALIGN, DIO_ALIGN))
		return -ENXIO;	/* never grow the file back over a hole */
	rc = n->dfd >= 0 ? fs_pwrite_all(n->dfd, buf, DIO_ALIGN, off) : -EINVAL;
	if (rc == -EINVAL)
		rc = fs_pwrite_all(n->fd, buf, DIO_ALIGN, off);
	return rc;
}

static int write_zeroes(struct fs_ns *n, uint64_t off, uint64_t len)
{
	void *z = NULL;
	size_t chunk = BUF_SIZE;
	int rc = 0;

	if (check_end(n, off, len))
		return -EIO;
	fs_ns_dirty_begin(n);
	if (posix_memalign(&z, DIO_ALIGN, chunk))
		return -ENOMEM;
	memset(z, 0, chunk);
	while (len > 0 && rc == 0) {
		size_t l = len < chunk ? (size_t)len : chunk;

		rc = fs_pwrite_all(n->fd, z, l, n->dpa + off);
		if (rc == 0)
			fs_dirty_add(n, off, l);
		off += l;
		len -= l;
	}
	free(z);
	return rc;
}

int fs_rio_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	int rc;

	/* past the end of a shortened region file nothing can be done */
	if (check_end(n, off, len))
		return -EIO;
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		/* discard: the backing does it the same way, else zeroes */
		if (fallocate(n->fd, mode | FALLOC_FL_KEEP_SIZE, (off_t)(n->dpa + off),
			      (off_t)len) == 0) {
			fs_dirty_mark_sync(n, 0);
			return 0;
		}
		rc = -errno;
		if (rc != -EOPNOTSUPP && rc != -ENOSYS) {
			fs_err("%s: fallocate(0x%x) of the region file failed: %s",
			       n->devname, mode, strerror(-rc));
			return rc;
		}
		rc = write_zeroes(n, off, len);
		if (rc < 0) {
			fs_ns_set_error(n, -rc, "writing zeroes to the region file");
			return -EIO;
		}
		return 0;
	}
	/* mode 0 inside the file (QEMU prealloc): reserve backing blocks */
	if (fallocate(n->fd, FALLOC_FL_KEEP_SIZE, (off_t)(n->dpa + off), (off_t)len) < 0) {
		rc = -errno;
		if (rc == -EOPNOTSUPP || rc == -ENOSYS)
			return 0;
		return rc;	/* ENOSPC: the caller learns the truth */
	}
	fs_dirty_mark_sync(n, 0);
	return 0;
}
