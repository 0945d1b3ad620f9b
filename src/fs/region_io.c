// SPDX-License-Identifier: MIT
/*
 * The region file layout (region_ops.h: fs_region_file_ops), the bottom
 * of the data path: every namespace at its dpa in one file. pread and
 * pwrite on the region file at dpa + offset, O_DIRECT when the request is
 * page-aligned and the file system has it (see nsfile.h). A WRITE of
 * page-cache pages (write(2), mmap write-back) that libfuse left in its
 * pipe (splice read) is spliced straight to the O_DIRECT descriptor: the
 * kernel put references to those pages in the pipe, so the data is never
 * copied in the daemon. Its sync is sync_file_range + fdatasync on the
 * shared descriptor with the write-back error probe (nsfile.h), its
 * cachestat cachestat(2) of the namespace's range. Knows nothing of fault
 * simulation: the dispatch (data.c) decides what reaches it; the fault
 * layers reach it only through the table (read_page, write_page, sync).
 * The only descriptors of the region file outside src/ns are here.
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
#include <sys/syscall.h>
#include <unistd.h>

#include "ns/region.h"

#include "fs/log.h"
#include "fs/nsfile.h"
#include "fs/region_ops.h"

/* A region's descriptors, shared by its namespaces (nsfile.h). */
struct fs_rio {
	int fd;			/* buffered, O_RDWR */
	int dfd;		/* O_DIRECT or -1 */
	int pfd;		/* the probe (nsfile.h), O_RDONLY */
	uint64_t probe_off;	/* its byte: past any end (the last on 32-bit) */
	pthread_mutex_t lock;	/* the probe, and the rest */
	unsigned err_seq;	/* write-back errors the probe met */
	int err;		/* the last of them, positive errno */
};

/* A namespace's state: what of the region it has seen (n->rns). */
struct rfile_ns {
	unsigned err_seen;	/* rf->err_seq last seen (under rf->lock) */
};

static struct fs_rio *rf_of(const struct fs_ns *n)
{
	return n->rio;
}

#define DIO_ALIGN 4096u
#define BUF_SIZE (1u << 20)	/* libfuse's largest request */

/*
 * A page-aligned per-thread buffer for O_DIRECT (a WRITE's data copied
 * there when it is not page-aligned; READs). (A WRITE's data drained from
 * libfuse's pipe has its own, data.c.)
 */
enum { BUF_BOUNCE, BUF_COUNT };

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

void *fs_region_tls_buf(size_t len)
{
	return tls_buf(BUF_BOUNCE, len);
}

/* the write-back error probe's offset: no file has a page there */
#define PROBE_FAR ((off64_t)(LLONG_MAX - 1))

static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

static void rfile_close(struct fs_rio *rf);

int fs_region_file_open(int region_fd, enum fs_backing backing, const char *devname,
			struct fs_rio **out)
{
	struct fs_rio *rf = calloc(1, sizeof(*rf));
	struct stat st;
	int err;

	if (!rf)
		return -ENOMEM;
	rf->fd = rf->dfd = rf->pfd = -1;
	pthread_mutex_init(&rf->lock, NULL);
	if (fstat(region_fd, &st) == 0 && st.st_size > 0)
		rf->probe_off = (uint64_t)st.st_size - 1;
	rf->fd = reopen(region_fd, O_RDWR);
	if (rf->fd >= 0)
		rf->pfd = reopen(region_fd, O_RDONLY);
	if (rf->fd < 0 || rf->pfd < 0) {
		err = errno;
		fs_err("%s: cannot reopen the region file: %s", devname, strerror(err));
		rfile_close(rf);
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
				rfile_close(rf);
				return -err;
			}
			fs_debug("%s: no O_DIRECT (%s): buffered data path",
				 devname, strerror(err));
		}
	}
	*out = rf;
	return 0;
}

static int rfile_open(struct ns_region *r, enum fs_backing backing, struct fs_rio **out)
{
	return fs_region_file_open(ns_region_fd(r), backing, ns_region_devname(r), out);
}

static void rfile_close(struct fs_rio *rf)
{
	if (rf->dfd >= 0)
		close(rf->dfd);
	if (rf->pfd >= 0)
		close(rf->pfd);
	if (rf->fd >= 0)
		close(rf->fd);
	pthread_mutex_destroy(&rf->lock);
	free(rf);
}

static bool rfile_direct(const struct fs_rio *rf)
{
	return rf->dfd >= 0;
}

static bool dio_ok(const struct fs_ns *n, size_t len, uint64_t off)
{
	return rf_of(n)->dfd >= 0 && len > 0 &&
	       ((n->dpa + off) % DIO_ALIGN) == 0 && (len % DIO_ALIGN) == 0;
}

/*
 * The whole of len bytes at file offset off of fd, over EINTR and short
 * transfers: 0 or -errno (a read that meets the end of the file -ENODATA:
 * a region file shortened behind the daemon; a write that makes no
 * progress -ENOSPC).
 */
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

	if (fstat(rf_of(n)->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
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

/* ---- write-back errors: the probe (nsfile.h) ---- */

/* the probe: errors recorded since it last asked */
static void probe_locked(struct fs_rio *rf)
{
	if (sync_file_range(rf->pfd, (off64_t)rf->probe_off, 1,
			    SYNC_FILE_RANGE_WAIT_AFTER) < 0 &&
	    errno != EINVAL && errno != ESPIPE && errno != ENOSYS) {
		rf->err_seq++;
		rf->err = errno;
	}
}

/* errors met so far are not n's (a newly served namespace, a clean one) */
static void sample(struct fs_ns *n)
{
	struct fs_rio *rf = rf_of(n);
	struct rfile_ns *x = n->rns;

	pthread_mutex_lock(&rf->lock);
	probe_locked(rf);
	x->err_seen = rf->err_seq;
	pthread_mutex_unlock(&rf->lock);
}

/*
 * Before a data change of n. When n has nothing dirty and no persist of n
 * runs, none of n's pages can be in flight, so a write-back error the
 * region's descriptor met so far is another namespace's: n samples the
 * counter and will not take it (eio_neighbour). Else nothing.
 */
static void dirty_begin(struct fs_ns *n)
{
	bool clean;

	/*
	 * Already dirty (a stream of WRITEs): nothing to sample, no lock.
	 * dirty.sync is set with every extent and cleared only by a persist,
	 * under flush_lock, where the trylock below gives up too.
	 */
	if (__atomic_load_n(&n->dirty.sync, __ATOMIC_RELAXED))
		return;
	/* a persist under way may have n's pages in flight: keep what it meets */
	if (pthread_mutex_trylock(&n->flush_lock) != 0)
		return;
	pthread_mutex_lock(&n->lock);
	clean = !n->dirty.sync && !n->dirty.whole && n->dirty.n == 0;
	if (clean)	/* a concurrent writer does not sample again */
		__atomic_store_n(&n->dirty.sync, true, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&n->lock);
	if (clean)
		sample(n);
	pthread_mutex_unlock(&n->flush_lock);
}

static int rfile_ns_open(struct fs_ns *n)
{
	n->rns = calloc(1, sizeof(struct rfile_ns));
	if (!n->rns)
		return -ENOMEM;
	sample(n);
	return 0;
}

static void rfile_ns_close(struct fs_ns *n)
{
	free(n->rns);
	n->rns = NULL;
}

/* one sync call on the shared descriptor: 0 or its errno */
static int sync_call(struct fs_ns *n, bool range, uint64_t off, uint64_t len)
{
	struct fs_rio *rf = rf_of(n);
	int rc, err = 0;

	if (range)
		rc = sync_file_range(rf->fd, (off64_t)(n->dpa + off), (off64_t)len,
				     SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				     SYNC_FILE_RANGE_WAIT_AFTER);
	else
		while ((rc = fdatasync(rf->fd)) < 0 && errno == EINTR)
			;
	if (rc < 0) {
		err = errno;
		/* file systems without write-back (tmpfs) may refuse it */
		if (range && (err == EINVAL || err == ESPIPE))
			err = 0;
	}
	return err;
}

/*
 * sync_file_range(WAIT_BEFORE|WRITE|WAIT_AFTER) of [off, off+len) of n's
 * range in the region file (range), or fdatasync of the file: 0 or the
 * positive errno of a write-back error that this call, or another
 * namespace's since n last asked, met (nsfile.h).
 */
static int sync_one(struct fs_ns *n, bool range, uint64_t off, uint64_t len)
{
	struct fs_rio *rf = rf_of(n);
	struct rfile_ns *x = n->rns;
	int err = sync_call(n, range, off, len);

	/*
	 * The descriptor is shared: the kernel reports a write-back error
	 * once per open file, to whichever namespace syncs first, so this
	 * EIO may be a neighbour's, recorded before n had anything in flight.
	 * The probe below tells write-back errors apart (err_seen). Call
	 * once more: the first call has taken the recorded error, so what
	 * fails again is the file system's own (shut down, journal aborted,
	 * no space for its metadata) and is n's too.
	 */
	if (err == EIO || err == ENOSPC || err == EDQUOT)
		err = sync_call(n, range, off, len);

	pthread_mutex_lock(&rf->lock);
	probe_locked(rf);
	if (rf->err_seq != x->err_seen) {
		/* met by this call or another namespace's since n last asked */
		x->err_seen = rf->err_seq;
		if (!err)
			err = rf->err;
	}
	pthread_mutex_unlock(&rf->lock);
	return err;
}

/*
 * Persist (nsfile.h): each extent of d written back and waited for, then
 * fdatasync, then the extents dropped from the region file's page cache
 * (the data is on the medium: no second copy).
 */
static int rfile_sync(struct fs_ns *n, const struct fs_dirty *d, const char **what)
{
	const char *w = "sync_file_range of the region file";
	unsigned i;
	int err = 0;

	if (d && d->whole) {
		err = sync_one(n, true, 0, n->size);
	} else if (d) {
		for (i = 0; i < d->n && !err; i++)
			err = sync_one(n, true, d->ext[i].off, d->ext[i].len);
	}
	if (!err) {
		w = "fdatasync of the region file";
		err = sync_one(n, false, 0, 0);
	}
	if (err) {
		if (what)
			*what = w;
		return err;
	}
	if (d && d->whole)
		posix_fadvise(rf_of(n)->fd, (off_t)n->dpa, (off_t)n->size,
			      POSIX_FADV_DONTNEED);
	for (i = 0; d && i < d->n; i++)
		posix_fadvise(rf_of(n)->fd, (off_t)(n->dpa + d->ext[i].off),
			      (off_t)d->ext[i].len, POSIX_FADV_DONTNEED);
	return 0;
}

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

struct cachestat_range {
	uint64_t off, len;
};

struct cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/*
 * Bytes of n's range of the region file (n NULL: its first byte) that the
 * page cache holds dirty or under write-back: cachestat(2), Linux >= 6.5.
 * The region file, never our own mount. -errno when it cannot tell
 * (logged once).
 */
static int rfile_cachestat(struct fs_rio *rf, const struct fs_ns *n, uint64_t *bytes)
{
	static int logged;	/* atomic */
	struct cachestat_range r = { n ? n->dpa : 0, n ? n->size : 1 };
	struct cachestat cs;
	long page = sysconf(_SC_PAGESIZE);
	int zero = 0;

	if (syscall(__NR_cachestat, rf->fd, &r, &cs, 0) == 0) {
		*bytes = (cs.nr_dirty + cs.nr_writeback) * (uint64_t)(page > 0 ? page : 4096);
		return 0;
	}
	if (__atomic_compare_exchange_n(&logged, &zero, 1, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		fs_info("cachestat(2) failed: %s%s: the page-cache part of the bytes not "
			"yet durable is shown as unknown (null) in 'pmemctl list -v'",
			strerror(errno), errno == ENOSYS ? " (Linux < 6.5)" : "");
	return -errno;
}

/* ---- data ---- */

/* len bytes reached the medium's write path directly (O_DIRECT) */
static void written_direct(struct fs_ns *n, size_t len)
{
	fs_dirty_mark_sync(n, len);
	fs_stats_add(&n->stats.bytes_written, len);
}

static int rfile_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off,
		       bool cached)
{
	struct fs_rio *rf = rf_of(n);
	int rc;

	if (check_end(n, off, len))
		return -EIO;
	dirty_begin(n);
	if (!cached && dio_ok(n, len, off)) {
		const void *b = buf;

		if ((uintptr_t)buf % DIO_ALIGN) {	/* O_DIRECT needs aligned memory */
			void *t = tls_buf(BUF_BOUNCE, len);

			if (t)
				memcpy(t, buf, len);
			b = t;
		}
		if (b) {
			rc = fs_pwrite_all(rf->dfd, b, len, n->dpa + off);
			if (rc == 0) {
				written_direct(n, len);
				return 0;
			}
			if (rc != -EINVAL)
				goto fail;
			/* alignment the device does not take: buffered */
		}
	}
	rc = fs_pwrite_all(rf->fd, buf, len, n->dpa + off);
	if (rc < 0)
		goto fail;
	fs_dirty_add(n, off, len);
	fs_stats_add(&n->stats.bytes_written, len);
	return 0;
fail:
	fs_ns_set_error(n, -rc, "write to the region file");
	return -EIO;
}

static int rfile_write_pipe(struct fs_ns *n, int pipefd, size_t len, uint64_t off)
{
	int dfd = rf_of(n)->dfd;
	loff_t pos = (loff_t)(n->dpa + off);
	size_t done = 0;
	int rc;

	if (!dio_ok(n, len, off))	/* the dispatch refused a cached one */
		return -EAGAIN;
	if (check_end(n, off, len))
		return -EIO;
	dirty_begin(n);
	while (done < len) {
		ssize_t w = splice(pipefd, NULL, dfd, &pos, len - done, SPLICE_F_MOVE);

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

static int rfile_read(struct fs_ns *n, size_t len, uint64_t off, void **out)
{
	struct fs_rio *rf = rf_of(n);
	void *b;
	int rc = -EINVAL;

	b = tls_buf(BUF_BOUNCE, len);
	if (!b)
		return -ENOMEM;
	if (dio_ok(n, len, off))
		rc = fs_pread_all(rf->dfd, b, len, n->dpa + off);
	if (rc == -EINVAL)
		rc = fs_pread_all(rf->fd, b, len, n->dpa + off);
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
static int rfile_read_page(struct fs_ns *n, void *buf, uint64_t p)
{
	struct fs_rio *rf = rf_of(n);
	uint64_t off = n->dpa + p * DIO_ALIGN;
	int rc = rf->dfd >= 0 ? fs_pread_all(rf->dfd, buf, DIO_ALIGN, off) : -EINVAL;

	if (rc == -EINVAL)	/* no O_DIRECT, or the device refuses the alignment */
		rc = fs_pread_all(rf->fd, buf, DIO_ALIGN, off);
	return rc;
}

static int rfile_write_page(struct fs_ns *n, const void *buf, uint64_t p)
{
	struct fs_rio *rf = rf_of(n);
	uint64_t off = n->dpa + p * DIO_ALIGN;
	int rc;

	if (check_end(n, p * DIO_ALIGN, DIO_ALIGN))
		return -ENXIO;	/* never grow the file back over a hole */
	rc = rf->dfd >= 0 ? fs_pwrite_all(rf->dfd, buf, DIO_ALIGN, off) : -EINVAL;
	if (rc == -EINVAL)
		rc = fs_pwrite_all(rf->fd, buf, DIO_ALIGN, off);
	return rc;
}

static int write_zeroes(struct fs_ns *n, uint64_t off, uint64_t len)
{
	void *z = NULL;
	size_t chunk = BUF_SIZE;
	int rc = 0;

	if (check_end(n, off, len))
		return -EIO;
	dirty_begin(n);
	if (posix_memalign(&z, DIO_ALIGN, chunk))
		return -ENOMEM;
	memset(z, 0, chunk);
	while (len > 0 && rc == 0) {
		size_t l = len < chunk ? (size_t)len : chunk;

		rc = fs_pwrite_all(rf_of(n)->fd, z, l, n->dpa + off);
		if (rc == 0)
			fs_dirty_add(n, off, l);
		off += l;
		len -= l;
	}
	free(z);
	return rc;
}

static int rfile_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	int fd = rf_of(n)->fd;
	int rc;

	/* past the end of a shortened region file nothing can be done */
	if (check_end(n, off, len))
		return -EIO;
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		/* discard: the backing does it the same way, else zeroes */
		if (fallocate(fd, mode | FALLOC_FL_KEEP_SIZE, (off_t)(n->dpa + off),
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
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)(n->dpa + off), (off_t)len) < 0) {
		rc = -errno;
		if (rc == -EOPNOTSUPP || rc == -ENOSYS)
			return 0;
		return rc;	/* ENOSPC: the caller learns the truth */
	}
	fs_dirty_mark_sync(n, 0);
	return 0;
}

/* a namespace at its dpa inside the region file: nothing to pass through */
static int rfile_backing_fd(struct fs_ns *n)
{
	(void)n;
	return -ENOTSUP;
}

const struct fs_region_ops fs_region_file_ops = {
	.name = "region file",
	.open = rfile_open,
	.close = rfile_close,
	.direct = rfile_direct,
	.cachestat = rfile_cachestat,
	.ns_open = rfile_ns_open,
	.ns_close = rfile_ns_close,
	.write = rfile_write,
	.write_pipe = rfile_write_pipe,
	.read = rfile_read,
	.fallocate = rfile_fallocate,
	.read_page = rfile_read_page,
	.write_page = rfile_write_page,
	.sync = rfile_sync,
	.backing_fd = rfile_backing_fd,
};
