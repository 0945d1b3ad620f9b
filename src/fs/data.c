// SPDX-License-Identifier: MIT
/*
 * The data path of a namespace on ordinary (non-DAX) storage: pread and
 * pwrite on the region file at dpa + offset, O_DIRECT when the request is
 * page-aligned and the file system has it (see nsfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "namespace.h"

#include "fault.h"
#include "log.h"
#include "nsfile.h"

#define DIO_ALIGN 4096u
#define BOUNCE_SIZE (1u << 20)	/* libfuse's largest request */

static pthread_key_t bounce_key;
static pthread_once_t bounce_once = PTHREAD_ONCE_INIT;

struct bounce {
	void *p;
	size_t cap;
};

static void bounce_free(void *arg)
{
	struct bounce *b = arg;

	free(b->p);
	free(b);
}

static void bounce_key_init(void)
{
	pthread_key_create(&bounce_key, bounce_free);
}

/* a page-aligned per-thread buffer of at least len bytes */
static void *bounce_get(size_t len)
{
	struct bounce *b;

	pthread_once(&bounce_once, bounce_key_init);
	b = pthread_getspecific(bounce_key);
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		pthread_setspecific(bounce_key, b);
	}
	if (b->cap < len) {
		void *p;
		size_t cap = len < BOUNCE_SIZE ? BOUNCE_SIZE : len;

		if (posix_memalign(&p, DIO_ALIGN, cap))
			return NULL;
		free(b->p);
		b->p = p;
		b->cap = cap;
	}
	return b->p;
}

static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

int fs_ns_init(struct fs_ns *n, struct ns_namespace *ns, int region_fd,
	       enum fs_backing backing)
{
	int err;

	memset(n, 0, sizeof(*n));
	n->ns = ns;
	n->fd = n->dfd = -1;
	snprintf(n->devname, sizeof(n->devname), "%s", ns_namespace_devname(ns));
	n->dpa = ns_namespace_dpa(ns);
	n->size = ns_namespace_size(ns);
	n->readonly = ns_namespace_readonly(ns);
	pthread_mutex_init(&n->flush_lock, NULL);
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->idle, NULL);

	n->fd = reopen(region_fd, O_RDWR);
	if (n->fd < 0) {
		err = errno;
		fs_err("%s: cannot reopen the region file: %s", n->devname, strerror(err));
		fs_ns_fini(n);
		return -err;
	}
	if (backing != FS_BACKING_BUFFERED) {
		n->dfd = reopen(region_fd, O_RDWR | O_DIRECT);
		if (n->dfd < 0) {
			err = errno;
			if (backing == FS_BACKING_DIRECT) {
				fs_err("%s: no O_DIRECT on the region file: %s",
				       n->devname, strerror(err));
				fs_ns_fini(n);
				return -err;
			}
			fs_debug("%s: no O_DIRECT (%s): buffered data path",
				 n->devname, strerror(err));
		}
	}
	return 0;
}

void fs_ns_fini(struct fs_ns *n)
{
	if (n->fault) {
		fs_fault_free(n->fault);
		n->fault = NULL;
	}
	if (n->dfd >= 0)
		close(n->dfd);
	if (n->fd >= 0)
		close(n->fd);
	n->fd = n->dfd = -1;
	pthread_cond_destroy(&n->idle);
	pthread_mutex_destroy(&n->lock);
	pthread_mutex_destroy(&n->flush_lock);
}

int fs_ns_write_begin(struct fs_ns *n)
{
	int rc = 0;

	pthread_mutex_lock(&n->lock);
	if (n->destroyed)
		rc = -EIO;
	else
		n->writers++;
	pthread_mutex_unlock(&n->lock);
	return rc;
}

void fs_ns_write_end(struct fs_ns *n)
{
	pthread_mutex_lock(&n->lock);
	if (--n->writers == 0)
		pthread_cond_broadcast(&n->idle);
	pthread_mutex_unlock(&n->lock);
}

void fs_ns_mark_destroyed(struct fs_ns *n, bool destroyed)
{
	pthread_mutex_lock(&n->lock);
	n->destroyed = destroyed;
	while (destroyed && n->writers)
		pthread_cond_wait(&n->idle, &n->lock);
	pthread_mutex_unlock(&n->lock);
}

bool fs_ns_destroyed(struct fs_ns *n)
{
	bool d;

	pthread_mutex_lock(&n->lock);
	d = n->destroyed;
	pthread_mutex_unlock(&n->lock);
	return d;
}

static bool dio_ok(const struct fs_ns *n, size_t len, uint64_t off)
{
	return n->dfd >= 0 && len > 0 &&
	       ((n->dpa + off) % DIO_ALIGN) == 0 && (len % DIO_ALIGN) == 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
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

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r = pread(fd, p, len, (off_t)off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0) {	/* past the end of the file: zeroes */
			memset(p, 0, len);
			break;
		}
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

int fs_data_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off)
{
	struct fs_fault *f = fs_ns_fault(n);

	if (__builtin_expect(f != NULL, 0))
		return fs_fault_write(n, f, buf, len, off);
	return fs_data_write_raw(n, buf, len, off);
}

int fs_data_write_raw(struct fs_ns *n, const void *buf, size_t len, uint64_t off)
{
	int rc;

	if (dio_ok(n, len, off)) {
		void *b = bounce_get(len);

		if (b) {
			memcpy(b, buf, len);
			rc = pwrite_all(n->dfd, b, len, n->dpa + off);
			if (rc == 0) {
				fs_dirty_mark_sync(n, len);
				fs_stats_add(&n->stats.bytes_written, len);
				return 0;
			}
			if (rc != -EINVAL)
				goto fail;
			/* alignment the device does not take: buffered */
		}
	}
	rc = pwrite_all(n->fd, buf, len, n->dpa + off);
	if (rc < 0)
		goto fail;
	fs_dirty_add(n, off, len);
	fs_stats_add(&n->stats.bytes_written, len);
	return 0;
fail:
	fs_ns_set_error(n, -rc, "write to the region file");
	return -EIO;
}

int fs_data_read(struct fs_ns *n, size_t len, uint64_t off, void **out)
{
	struct fs_fault *f = fs_ns_fault(n);
	void *b;
	int rc = -EINVAL;

	if (__builtin_expect(f != NULL, 0) && fs_fault_read_check(n, f, off, len) < 0)
		return -EIO;
	b = bounce_get(len);
	if (!b)
		return -ENOMEM;
	if (dio_ok(n, len, off))
		rc = pread_all(n->dfd, b, len, n->dpa + off);
	if (rc == -EINVAL)
		rc = pread_all(n->fd, b, len, n->dpa + off);
	if (rc < 0) {
		fs_err("%s: read of %zu bytes at %llu failed: %s", n->devname, len,
		       (unsigned long long)off, strerror(-rc));
		return -EIO;
	}
	fs_stats_add(&n->stats.bytes_read, len);
	*out = b;
	return 0;
}

static int write_zeroes(struct fs_ns *n, uint64_t off, uint64_t len)
{
	void *z = NULL;
	size_t chunk = BOUNCE_SIZE;
	int rc = 0;

	if (posix_memalign(&z, DIO_ALIGN, chunk))
		return -ENOMEM;
	memset(z, 0, chunk);
	while (len > 0 && rc == 0) {
		size_t l = len < chunk ? (size_t)len : chunk;

		rc = pwrite_all(n->fd, z, l, n->dpa + off);
		if (rc == 0)
			fs_dirty_add(n, off, l);
		off += l;
		len -= l;
	}
	free(z);
	return rc;
}

int fs_data_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	struct fs_fault *f = fs_ns_fault(n);

	if (__builtin_expect(f != NULL, 0))
		return fs_fault_fallocate(n, f, mode, off, len);
	return fs_data_fallocate_raw(n, mode, off, len);
}

int fs_data_fallocate_raw(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	int rc;

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
