// SPDX-License-Identifier: MIT
/*
 * The data operations on one extent of one file, for every layout
 * (extent_io.h). A WRITE of page-cache pages (write(2), mmap write-back)
 * that libfuse left in its pipe (splice read) is spliced straight to the
 * O_DIRECT descriptor: the kernel put references to those pages in the
 * pipe, so the data is never copied in the daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/extent_io.h"
#include "fs/log.h"
#include "fs/nsfile.h"
#include "fs/thread_buf.h"

#define DIO_ALIGN FS_NS_PAGE
#define BUF_SIZE (1u << 20)	/* zeroes written at a time */

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

int fs_sync_call(int fd, bool range, uint64_t off, uint64_t len)
{
	int rc;

	if (range)
		rc = sync_file_range(fd, (off64_t)off, (off64_t)len,
				     SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				     SYNC_FILE_RANGE_WAIT_AFTER);
	else
		while ((rc = fdatasync(fd)) < 0 && errno == EINTR)
			;
	if (rc == 0)
		return 0;
	/* file systems without write-back (tmpfs) may refuse it */
	if (range && (errno == EINVAL || errno == ESPIPE))
		return 0;
	return errno;
}

/* something was written through e's descriptors */
static void wrote(const struct fs_extent_io *e)
{
	if (e->wrote && !__atomic_load_n(e->wrote, __ATOMIC_RELAXED))
		__atomic_store_n(e->wrote, true, __ATOMIC_RELAXED);
}

static void begin(struct fs_ns *n, const struct fs_extent_io *e)
{
	if (e->shared)
		e->shared->begin(n);
}

static bool dio_ok(const struct fs_extent_io *e, size_t len, uint64_t off)
{
	return e->dfd >= 0 && len > 0 && ((e->base + off) % DIO_ALIGN) == 0 &&
	       (len % DIO_ALIGN) == 0;
}

/*
 * The file still reaches past [off, off+len) of n: 0, or -EIO with the
 * namespace's sticky error set. The region lock is advisory: another
 * process can shorten the file, and a write past its end would grow it
 * back over a hole, so that what lay there reads as zeroes; the write
 * fails instead. (One fstat per WRITE: see the commit log for its cost.)
 */
static int check_end(struct fs_ns *n, const struct fs_extent_io *e, uint64_t off,
		     uint64_t len)
{
	struct stat st;

	if (fstat(e->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size >= e->base + off + len)
		return 0;
	if (!fs_ns_error(n))
		fs_err("%s: the %s is %llu bytes, shorter than the end of this "
		       "namespace's data (%llu bytes): it was truncated behind pmemfs",
		       n->devname, e->names->file, (unsigned long long)st.st_size,
		       (unsigned long long)(e->base + n->size));
	fs_ns_set_error(n, EIO, e->names->past_end);
	return -EIO;
}

/* len bytes reached the medium's write path directly (O_DIRECT) */
static void written_direct(struct fs_ns *n, const struct fs_extent_io *e, size_t len)
{
	wrote(e);
	fs_dirty_mark_sync(n, len);
	fs_stats_add(&n->stats.bytes_written, len);
}

int fs_extent_io_write(struct fs_ns *n, const struct fs_extent_io *e, const void *buf,
		       size_t len, uint64_t off, bool cached)
{
	int rc;

	if (check_end(n, e, off, len))
		return -EIO;
	begin(n, e);
	if (!cached && dio_ok(e, len, off)) {
		const void *b = buf;

		if ((uintptr_t)buf % DIO_ALIGN) {	/* O_DIRECT needs aligned memory */
			void *t = fs_thread_buf(FS_THREAD_BUF_IO, len);

			if (t)
				memcpy(t, buf, len);
			b = t;
		}
		if (b) {
			rc = fs_pwrite_all(e->dfd, b, len, e->base + off);
			if (rc == 0) {
				written_direct(n, e, len);
				return 0;
			}
			if (rc != -EINVAL)
				goto fail;
			/* alignment the device does not take: buffered */
		}
	}
	rc = fs_pwrite_all(e->fd, buf, len, e->base + off);
	if (rc < 0)
		goto fail;
	wrote(e);
	fs_dirty_add(n, off, len);
	fs_stats_add(&n->stats.bytes_written, len);
	return 0;
fail:
	fs_ns_set_error(n, -rc, e->names->write);
	return -EIO;
}

int fs_extent_io_write_pipe(struct fs_ns *n, const struct fs_extent_io *e, int pipefd,
			    size_t len, uint64_t off)
{
	/* through the page cache: into it (one copy), a dirty extent */
	bool cached = e->flags & FS_EXTENT_CACHED;
	int fd = cached ? e->fd : e->dfd;
	loff_t pos = (loff_t)(e->base + off);
	size_t done = 0;
	int rc;

	if (!cached && !dio_ok(e, len, off))	/* the dispatch refused a cached one */
		return -EAGAIN;
	if (check_end(n, e, off, len))
		return -EIO;
	begin(n, e);
	while (done < len) {
		ssize_t w = splice(pipefd, NULL, fd, &pos, len - done, SPLICE_F_MOVE);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			/* refused before anything moved: read it into memory */
			if (done == 0 && (rc == -EINVAL || rc == -EOPNOTSUPP))
				return -EAGAIN;
			fs_ns_set_error(n, -rc, e->names->splice);
			return -EIO;
		}
		done += (size_t)w;
	}
	if (!cached) {
		written_direct(n, e, len);
		return 0;
	}
	wrote(e);
	fs_dirty_add(n, off, len);
	fs_stats_add(&n->stats.bytes_written, len);
	return 0;
}

int fs_extent_io_read(struct fs_ns *n, const struct fs_extent_io *e, size_t len,
		      uint64_t off, void **out)
{
	void *b = fs_thread_buf(FS_THREAD_BUF_IO, len);
	int rc = -EINVAL;

	if (!b)
		return -ENOMEM;
	if (dio_ok(e, len, off))
		rc = fs_pread_all(e->dfd, b, len, e->base + off);
	if (rc == -EINVAL)	/* no O_DIRECT, or the device refuses the alignment */
		rc = fs_pread_all(e->fd, b, len, e->base + off);
	if (rc == -ENODATA) {
		fs_err("%s: read of %zu bytes at %llu: the %s ends before it "
		       "(truncated behind pmemfs)", n->devname, len,
		       (unsigned long long)off, e->names->file);
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
 * Page p of n (undo log): through O_DIRECT where e has it: one 4 KiB
 * read, no readahead, nothing left in the file's page cache (the kernel
 * writes back a dirty cached range before a direct read of it, so
 * buffered WRITEs are seen too).
 */
int fs_extent_io_read_page(const struct fs_extent_io *e, void *buf, uint64_t p)
{
	uint64_t off = e->base + p * DIO_ALIGN;
	int rc = e->dfd >= 0 ? fs_pread_all(e->dfd, buf, DIO_ALIGN, off) : -EINVAL;

	if (rc == -EINVAL)	/* no O_DIRECT, or the device refuses the alignment */
		rc = fs_pread_all(e->fd, buf, DIO_ALIGN, off);
	return rc;
}

int fs_extent_io_write_page(struct fs_ns *n, const struct fs_extent_io *e, const void *buf,
			    uint64_t p)
{
	uint64_t off = e->base + p * DIO_ALIGN;
	int rc;

	if (check_end(n, e, p * DIO_ALIGN, DIO_ALIGN))
		return -ENXIO;	/* never grow the file back over a hole */
	rc = e->dfd >= 0 ? fs_pwrite_all(e->dfd, buf, DIO_ALIGN, off) : -EINVAL;
	if (rc == -EINVAL)
		rc = fs_pwrite_all(e->fd, buf, DIO_ALIGN, off);
	if (rc == 0)
		wrote(e);
	return rc;
}

/* a discard where the file system cannot: zeroes, buffered, as dirty extents */
static int write_zeroes(struct fs_ns *n, const struct fs_extent_io *e, uint64_t off,
			uint64_t len)
{
	void *z = calloc(1, BUF_SIZE);
	int rc = 0;

	if (!z)
		return -ENOMEM;
	begin(n, e);
	while (len > 0 && rc == 0) {
		size_t l = len < BUF_SIZE ? (size_t)len : BUF_SIZE;

		rc = fs_pwrite_all(e->fd, z, l, e->base + off);
		if (rc == 0) {
			wrote(e);
			fs_dirty_add(n, off, l);
		}
		off += l;
		len -= l;
	}
	free(z);
	return rc;
}

int fs_extent_io_fallocate(struct fs_ns *n, const struct fs_extent_io *e, int mode,
			   uint64_t off, uint64_t len)
{
	int rc;

	/* past the end of a shortened file nothing can be done */
	if (check_end(n, e, off, len))
		return -EIO;
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		/*
		 * discard: the backing does it the same way (a preallocated
		 * file zeroes, keeping the blocks: no hole a mapping could
		 * SIGBUS on), else zeroes
		 */
		int m = e->flags & FS_EXTENT_KEEP_BLOCKS ? FALLOC_FL_ZERO_RANGE : mode;

		if (fallocate(e->fd, m | FALLOC_FL_KEEP_SIZE, (off_t)(e->base + off),
			      (off_t)len) == 0) {
			wrote(e);
			fs_dirty_mark_sync(n, 0);
			return 0;
		}
		rc = -errno;
		if (rc != -EOPNOTSUPP && rc != -ENOSYS) {
			fs_err("%s: fallocate(0x%x) of the %s failed: %s", n->devname, mode,
			       e->names->file, strerror(-rc));
			return rc;
		}
		rc = write_zeroes(n, e, off, len);
		if (rc < 0) {
			fs_ns_set_error(n, -rc, e->names->zeroes);
			return -EIO;
		}
		return 0;
	}
	/* mode 0 inside the file (QEMU prealloc): reserve backing blocks */
	if (fallocate(e->fd, FALLOC_FL_KEEP_SIZE, (off_t)(e->base + off), (off_t)len) < 0) {
		rc = -errno;
		if (rc == -EOPNOTSUPP || rc == -ENOSYS)
			return 0;
		return rc;	/* ENOSPC: the caller learns the truth */
	}
	wrote(e);
	fs_dirty_mark_sync(n, 0);
	return 0;
}

/*
 * One sync call of [off, off+len) of n (range) or fdatasync: 0 or the
 * positive errno that is n's
 */
static int sync_one(struct fs_ns *n, const struct fs_extent_io *e, bool range,
		    uint64_t off, uint64_t len)
{
	int err = fs_sync_call(e->fd, range, e->base + off, len);

	if (!e->shared)		/* n's own file: what it reports is n's */
		return err;
	/*
	 * A shared file: the kernel reports a write-back error once per open
	 * file, to whichever namespace syncs first, so this EIO may be a
	 * neighbour's, recorded before n had anything in flight. The layout
	 * tells write-back errors apart (synced). Call once more: the first
	 * call has taken the recorded error, so what fails again is the file
	 * system's own (shut down, journal aborted, no space for its
	 * metadata) and is n's too.
	 */
	if (err == EIO || err == ENOSPC || err == EDQUOT)
		err = fs_sync_call(e->fd, range, e->base + off, len);
	return e->shared->synced(n, err);
}

/*
 * Each extent of d written back and waited for, then fdatasync, then the
 * extents dropped from the file's page cache (the data is on the medium:
 * no second copy).
 */
int fs_extent_io_sync(struct fs_ns *n, const struct fs_extent_io *e,
		      const struct fs_dirty *d, const char **what)
{
	const char *w = e->names->sync_range;
	unsigned i;
	int err = 0;

	/*
	 * closed: what was written through it was fdatasynced at its close
	 * (an error met there is n's sticky error already)
	 */
	if (e->fd < 0)
		return 0;
	/* before the calls: a write after them sets it again */
	if (e->wrote)
		__atomic_store_n(e->wrote, false, __ATOMIC_RELAXED);
	if (e->flags & FS_EXTENT_CACHED) {
		/*
		 * a mapping's stores dirtied pages nobody listed: the whole
		 * file, and its page cache stays (it is the mapping's)
		 */
		err = sync_one(n, e, false, 0, 0);
		if (err && what)
			*what = e->names->fdatasync;
		return err;
	}
	if (d && d->whole)
		err = sync_one(n, e, true, 0, n->size);
	for (i = 0; d && !d->whole && i < d->n && !err; i++)
		err = sync_one(n, e, true, d->ext[i].off, d->ext[i].len);
	if (!err) {
		w = e->names->fdatasync;
		err = sync_one(n, e, false, 0, 0);
	}
	if (err) {
		if (what)
			*what = w;
		return err;
	}
	if (d && d->whole)
		posix_fadvise(e->fd, (off_t)e->base, (off_t)n->size, POSIX_FADV_DONTNEED);
	for (i = 0; d && !d->whole && i < d->n; i++)
		posix_fadvise(e->fd, (off_t)(e->base + d->ext[i].off), (off_t)d->ext[i].len,
			      POSIX_FADV_DONTNEED);
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

/* of the layout's file, never our own mount */
int fs_extent_io_cachestat(int fd, uint64_t off, uint64_t len, uint64_t *bytes)
{
	static int logged;	/* atomic */
	struct cachestat_range r = { off, len };
	struct cachestat cs;
	long page = sysconf(_SC_PAGESIZE);
	int zero = 0, err;

	if (syscall(__NR_cachestat, fd, &r, &cs, 0) == 0) {
		*bytes = (cs.nr_dirty + cs.nr_writeback) * (uint64_t)(page > 0 ? page : 4096);
		return 0;
	}
	err = errno;
	if (__atomic_compare_exchange_n(&logged, &zero, 1, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		fs_info("cachestat(2) failed: %s%s: the page-cache part of the bytes not "
			"yet durable is shown as unknown (null) in 'pmemctl list -v'",
			strerror(err), err == ENOSYS ? " (Linux < 6.5)" : "");
	return -err;
}
