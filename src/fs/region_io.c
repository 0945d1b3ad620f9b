// SPDX-License-Identifier: MIT
/*
 * The region file layout (region_ops.h: fs_region_file_ops), the bottom
 * of the data path: every namespace at its dpa in one file. Where the
 * bytes are: the region's shared descriptors (buffered, O_DIRECT when the
 * file system has it, see nsfile.h) at dpa; how they move is extent_io.c
 * (pread, pwrite, splice, fallocate, sync, cachestat on an extent), to
 * which this file adds what a file shared by the region's namespaces
 * needs: the write-back error probe (nsfile.h) around its sync calls and
 * before a clean namespace's data change. Knows nothing of fault
 * simulation: the dispatch (data.c) decides what reaches it; the fault
 * layers reach it only through the table (read_page, write_page, sync).
 * The only descriptors of the region file outside src/ns are here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns/region.h"

#include "fs/extent_io.h"
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

/* A namespace's state: where its bytes are, what of the region it has seen (n->rns). */
struct rfile_ns {
	struct fs_extent_io ext;	/* the region's descriptors at n->dpa */
	unsigned err_seen;	/* rf->err_seq last seen (under rf->lock) */
};

static struct fs_rio *rf_of(const struct fs_ns *n)
{
	return n->rio;
}

static const struct fs_extent_io *ext_of(const struct fs_ns *n)
{
	return &((const struct rfile_ns *)n->rns)->ext;
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

/*
 * After a sync call of n on the shared descriptor (extent_io.c): its
 * error, or the write-back error another namespace's call met since n
 * last asked (the probe tells them apart, nsfile.h).
 */
static int synced(struct fs_ns *n, int err)
{
	struct fs_rio *rf = rf_of(n);
	struct rfile_ns *x = n->rns;

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

static const struct fs_extent_names rfile_names = FS_EXTENT_NAMES("region file");
static const struct fs_extent_shared rfile_shared = { .begin = dirty_begin, .synced = synced };

static int rfile_ns_open(struct fs_ns *n)
{
	struct fs_rio *rf = rf_of(n);
	struct rfile_ns *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->ext = (struct fs_extent_io){
		.fd = rf->fd,
		.dfd = rf->dfd,
		.base = n->dpa,
		.names = &rfile_names,
		.shared = &rfile_shared,
	};
	n->rns = x;
	sample(n);
	return 0;
}

static void rfile_ns_close(struct fs_ns *n)
{
	free(n->rns);
	n->rns = NULL;
}

/*
 * Persist (nsfile.h): each extent of d written back and waited for, then
 * fdatasync, then the extents dropped from the region file's page cache
 * (the data is on the medium: no second copy); with the probe.
 */
static int rfile_sync(struct fs_ns *n, const struct fs_dirty *d, const char **what)
{
	return fs_extent_io_sync(n, ext_of(n), d, what);
}

/*
 * Bytes of n's range of the region file (n NULL: its first byte) that the
 * page cache holds dirty or under write-back (extent_io.c).
 */
static int rfile_cachestat(struct fs_rio *rf, const struct fs_ns *n, uint64_t *bytes)
{
	return fs_extent_io_cachestat(rf->fd, n ? n->dpa : 0, n ? n->size : 1, bytes);
}

/* ---- data: the region's descriptors at n->dpa (extent_io.c) ---- */

static int rfile_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off,
		       bool cached)
{
	return fs_extent_io_write(n, ext_of(n), buf, len, off, cached);
}

static int rfile_write_pipe(struct fs_ns *n, int pipefd, size_t len, uint64_t off)
{
	return fs_extent_io_write_pipe(n, ext_of(n), pipefd, len, off);
}

static int rfile_read(struct fs_ns *n, size_t len, uint64_t off, void **out)
{
	return fs_extent_io_read(n, ext_of(n), len, off, out);
}

static int rfile_read_page(struct fs_ns *n, void *buf, uint64_t p)
{
	return fs_extent_io_read_page(ext_of(n), buf, p);
}

static int rfile_write_page(struct fs_ns *n, const void *buf, uint64_t p)
{
	return fs_extent_io_write_page(n, ext_of(n), buf, p);
}

static int rfile_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	return fs_extent_io_fallocate(n, ext_of(n), mode, off, len);
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
