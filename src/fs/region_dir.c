// SPDX-License-Identifier: MIT
/*
 * The region directory layout (region_ops.h: fs_region_dir_ops; the core's
 * side is src/ns/region_dir.c): each namespace's data is a file of its
 * own, DIR/ns-<uuid>, its bytes at offset 0. This file says where they
 * are (that file's descriptors, ext_of); how they move is extent_io.c, as
 * for the region file: page-aligned WRITEs O_DIRECT (spliced from
 * libfuse's pipe when they are page-cache pages), the rest buffered pwrite
 * recorded as dirty extents; sync is sync_file_range of each extent +
 * fdatasync of the namespace's own file, then POSIX_FADV_DONTNEED;
 * cachestat(2) on that file. A discard zeroes keeping the blocks (the
 * file stays preallocated).
 *
 * Descriptors on demand (region_dir_fd.c; issue 16.5's rule: a region
 * whose label area can describe it mounts and serves every namespace
 * whatever the open-file limit). ns_open, when the namespace starts being served, opens its file
 * once (through the directory's descriptor, O_NOFOLLOW, a regular file of
 * the namespace's size with one name: ns_region_ns_file_open), records
 * its device and inode and closes it again. Its descriptors (a buffered
 * one and, where the file system has it, an O_DIRECT one) are opened by
 * ns_get (a FUSE OPEN, a power failure's revert) and pinned until the
 * matching ns_put (its RELEASE); every reopen checks the file is still the
 * one served (that device and inode, regular, its size, one name), else
 * the namespace fails for good with the reason logged (EIO: a replaced or
 * truncated file is never served). Unpinned, they stay open on a
 * process-wide list of at most RDIR_IDLE_MAX namespaces, least recently
 * used closed first, and at once when an open meets the open-file limit;
 * an open that still meets it gets ENFILE (logged once per episode with
 * the limit), never a dead daemon or a failed mount.
 *
 * The data path's calls come with a pin (the FUSE file is open), so they
 * use the descriptors as they are: no lock, no syscall added. A persist
 * holds n->flush_lock, which the closer takes too (a sync finds the file
 * open or closed, never closing). Write-back errors stay sticky: a new
 * descriptor does not see those of before its open (errseq) and none of
 * ours may be lost, so a descriptor written through is fdatasynced before
 * it is closed and what that meets is the namespace's sticky error; a
 * closed file therefore holds nothing of ours that is not durable, and a
 * sync of it is a no-op. The file is the namespace's alone, so what
 * fdatasync reports is its own (no probe, docs/durability.md).
 *
 * backing_fd: the namespace file is FUSE passthrough's backing file
 * (passthrough.h) when it can be one: a regular file of exactly the
 * namespace's size whose blocks are all allocated (a store through the
 * mapping into a hole, or into a copy-on-write extent, on a full file
 * system would be a SIGBUS with no daemon in between: btrfs without
 * nodatacow and a file sharing blocks with another, a reflink copy, are
 * refused). From then on (x->pt, for as long as the namespace
 * is served) stores through a mapping land in the file's own page cache,
 * unseen by the daemon, so the namespace's data path stays on that page
 * cache too: no O_DIRECT (its write would bypass the pages a mapping
 * dirties), no POSIX_FADV_DONTNEED (it would drop the mapping's pages
 * under it), and every sync is an fdatasync of the whole file, whatever
 * the dirty extents say (flush.c asks for it even when they are empty:
 * fs_ns.pt_used). Its O_DIRECT descriptor is closed then. Its buffered
 * one is the backing file's, whose mappings outlive RELEASE and keep
 * storing into the file, with write-back errors only that descriptor
 * would see: once no passthrough open is left (fs_pt_release gives the
 * backing id back) it joins the idle list, but is closed only when a
 * write lease on it is granted (no other writable open file of the
 * inode, such as a mapping's backing file, remains: pt_unmapped), after
 * an fdatasync of the whole file.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/namespace.h"
#include "ns/region.h"

#include "fs/extent_io.h"
#include "fs/log.h"
#include "fs/nsfile.h"
#include "fs/region_dir.h"
#include "fs/region_ops.h"

/*
 * The namespace files are beside DIR/region, on its file system: whether
 * that has O_DIRECT (tmpfs only since Linux 6.6) decides the region's data
 * path here, once, as for a region file, so that the start-up summary and
 * list -v say what is used
 */
static int rdir_open(struct ns_region *r, enum fs_backing backing, struct fs_rio **out)
{
	struct rdir_rio *rd;
	char path[64];
	int fd;

	if (backing != FS_BACKING_BUFFERED && ns_region_fd(r) >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", ns_region_fd(r));
		fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
		} else if (backing == FS_BACKING_DIRECT) {
			int err = errno;

			fs_err("%s: no O_DIRECT on the region directory's files: %s",
			       ns_region_devname(r), strerror(err));
			return -err;
		} else {
			fs_debug("%s: no O_DIRECT (%s): buffered data path",
				 ns_region_devname(r), strerror(errno));
			backing = FS_BACKING_BUFFERED;
		}
	}
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return -ENOMEM;
	rd->r = r;
	rd->backing = backing;
	*out = (struct fs_rio *)rd;
	return 0;
}

static void rdir_close(struct fs_rio *rio)
{
	free(rd_of(rio));
}

static bool rdir_direct(const struct fs_rio *rio)
{
	return ((const struct rdir_rio *)rio)->backing != FS_BACKING_BUFFERED;
}

/*
 * fd has an extent shared with another file (a reflink copy: every store
 * into it needs a new block); false where FIEMAP cannot tell
 */
static bool shared_extents(int fd, uint64_t size)
{
	enum { N = 64 };
	struct fiemap *fm = malloc(sizeof(*fm) + N * sizeof(struct fiemap_extent));
	uint64_t start = 0;
	bool shared = false, done = false;

	while (fm && !shared && !done && start < size) {
		const struct fiemap_extent *last;
		unsigned i;

		memset(fm, 0, sizeof(*fm));
		fm->fm_start = start;
		fm->fm_length = size - start;
		fm->fm_extent_count = N;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0 || fm->fm_mapped_extents == 0)
			break;
		for (i = 0; i < fm->fm_mapped_extents; i++)
			shared |= (fm->fm_extents[i].fe_flags & FIEMAP_EXTENT_SHARED) != 0;
		last = &fm->fm_extents[fm->fm_mapped_extents - 1];
		done = last->fe_flags & FIEMAP_EXTENT_LAST;
		start = last->fe_logical + last->fe_length;
	}
	free(fm);
	return shared;
}

/* why n's file cannot back a passthrough mapping, or NULL when it can */
static const char *pt_refusal(struct fs_ns *n, int fd)
{
	struct stat st;
	struct statfs sf;
	int flags = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return "it is not a regular file";
	if ((uint64_t)st.st_size != n->size)
		return "its size is not the namespace's (changed behind pmemfs)";
	if ((uint64_t)st.st_blocks * 512 < n->size)
		return "it is not preallocated (a store into a hole on a full file "
		       "system would kill the process with SIGBUS)";
	if (fstatfs(fd, &sf) == 0 && sf.f_type == BTRFS_SUPER_MAGIC &&
	    (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 || !(flags & FS_NOCOW_FL)))
		return "btrfs copies every overwritten block (no nodatacow): a store "
		       "on a full file system would kill the process with SIGBUS";
	if (shared_extents(fd, n->size))
		return "it shares blocks with another file (a reflink copy): a store "
		       "on a full file system would kill the process with SIGBUS";
	return NULL;
}

static int rdir_backing_fd(struct fs_ns *n)
{
	struct rdir_ns *x = rn_of(n);
	const char *why;

	if (pt_on(x))
		return x->fd;
	why = pt_refusal(n, x->fd);
	if (why) {
		if (!x->pt_no)
			fs_info("%s: FUSE passthrough: not for this namespace, %s: "
				"served through the daemon", n->devname, why);
		x->pt_no = true;
		return -ENOTSUP;
	}
	/*
	 * What O_DIRECT wrote is on the device and not in the file's page
	 * cache: from here on everything goes through that page cache
	 */
	pthread_mutex_lock(&x->mu);
	rdir_fold_mtime(x, true);
	pthread_mutex_unlock(&x->mu);
	__atomic_store_n(&x->pt, true, __ATOMIC_RELEASE);
	/*
	 * its O_DIRECT descriptor is never used again: closed, one less
	 * while it is served (nobody uses it now: no cached open of n
	 * remains, fs_pt_open, and no fault simulation, which would revert)
	 */
	if (x->dfd >= 0) {
		close(x->dfd);
		x->dfd = -1;
	}
	return x->fd;
}

/* GETATTR: what mappings stored moves the times (region_dir.h) */
static void rdir_refresh_times(struct fs_ns *n)
{
	struct rdir_ns *x = rn_of(n);

	if (!x || !pt_on(x))
		return;
	pthread_mutex_lock(&x->mu);
	rdir_fold_mtime(x, false);
	pthread_mutex_unlock(&x->mu);
}

static const struct fs_extent_names rdir_names = FS_EXTENT_NAMES("namespace file");

/*
 * Where n's bytes are (the caller holds a pin, or n->flush_lock): its own
 * file at 0, preallocated; passed through, only through its page cache
 */
static const struct fs_extent_io *ext_of(const struct fs_ns *n, struct fs_extent_io *e)
{
	struct rdir_ns *x = rn_of(n);
	bool pt = pt_on(x);

	*e = (struct fs_extent_io){
		.fd = x->fd,
		.dfd = pt ? -1 : x->dfd,
		.flags = FS_EXTENT_KEEP_BLOCKS | (pt ? FS_EXTENT_CACHED : 0),
		.wrote = &x->wrote,
		.names = &rdir_names,
	};
	return e;
}

static int rdir_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off,
		      bool cached)
{
	struct fs_extent_io e;

	return fs_extent_io_write(n, ext_of(n, &e), buf, len, off, cached);
}

static int rdir_write_pipe(struct fs_ns *n, int pipefd, size_t len, uint64_t off)
{
	struct fs_extent_io e;

	return fs_extent_io_write_pipe(n, ext_of(n, &e), pipefd, len, off);
}

static int rdir_read(struct fs_ns *n, size_t len, uint64_t off, void **out)
{
	struct fs_extent_io e;

	return fs_extent_io_read(n, ext_of(n, &e), len, off, out);
}

static int rdir_read_page(struct fs_ns *n, void *buf, uint64_t p)
{
	struct fs_extent_io e;

	return fs_extent_io_read_page(ext_of(n, &e), buf, p);
}

static int rdir_write_page(struct fs_ns *n, const void *buf, uint64_t p)
{
	struct fs_extent_io e;

	return fs_extent_io_write_page(n, ext_of(n, &e), buf, p);
}

static int rdir_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	struct fs_extent_io e;

	return fs_extent_io_fallocate(n, ext_of(n, &e), mode, off, len);
}

/*
 * The file's own write-back errors are n's (no probe); closed (fd -1):
 * what was written through it was fdatasynced at its close
 */
static int rdir_sync(struct fs_ns *n, const struct fs_dirty *d, const char **what)
{
	struct fs_extent_io e;

	/* stable: a persist holds n->flush_lock, a power failure a pin */
	return fs_extent_io_sync(n, ext_of(n, &e), d, what);
}

/*
 * Another open file or mapping of ns's file exists, asked of the kernel,
 * not of /proc: a write lease (F_SETLEASE F_WRLCK) is refused (EAGAIN)
 * while any other open file of the inode remains (fs/locks.c
 * check_conflicting_open: i_writecount and i_readcount beside ours), and
 * a passthrough mapping holds an open backing file of it even after its
 * process closed the FUSE file and after its daemon died (measured on
 * Linux 6.18: /proc/PID/maps and map_files show the FUSE file instead).
 * The lease, when granted, is given back at once; an open by another
 * process meanwhile breaks it, which signals SIGIO to us: ignored.
 */
static int rdir_file_busy(struct fs_rio *rio, struct ns_namespace *ns)
{
	int fd, rc;

	rc = ns_region_ns_file_open(rd_of(rio)->r, ns, O_RDONLY, &fd);
	if (rc)
		return rc;
	rdir_sigio_ignore();
	if (fcntl(fd, F_SETLEASE, F_WRLCK) == 0) {
		fcntl(fd, F_SETLEASE, F_UNLCK);
		rc = 0;
	} else {
		rc = errno == EAGAIN || errno == EBUSY ? 1 : -errno;
	}
	close(fd);
	return rc;
}

/*
 * cachestat(2) of n's own file (n NULL: of the region file, whether it
 * can), under its mu (not closed meanwhile); a closed file has nothing
 * of the daemon's that is not durable (fdatasynced at its close)
 */
static int rdir_cachestat(struct fs_rio *rio, const struct fs_ns *n, uint64_t *bytes)
{
	struct rdir_ns *x = n ? rn_of(n) : NULL;
	int rc = 0;

	if (!x)
		return fs_extent_io_cachestat(ns_region_fd(rd_of(rio)->r), 0, 1, bytes);
	pthread_mutex_lock(&x->mu);
	if (x->fd < 0)
		*bytes = 0;
	else
		rc = fs_extent_io_cachestat(x->fd, 0, n->size, bytes);
	pthread_mutex_unlock(&x->mu);
	return rc;
}

const struct fs_region_ops fs_region_dir_ops = {
	.name = "region directory",
	.open = rdir_open,
	.close = rdir_close,
	.direct = rdir_direct,
	.cachestat = rdir_cachestat,
	.ns_open = rdir_ns_open,
	.ns_close = rdir_ns_close,
	.ns_get = rdir_ns_get,
	.ns_put = rdir_ns_put,
	.write = rdir_write,
	.write_pipe = rdir_write_pipe,
	.read = rdir_read,
	.fallocate = rdir_fallocate,
	.read_page = rdir_read_page,
	.write_page = rdir_write_page,
	.sync = rdir_sync,
	.backing_fd = rdir_backing_fd,
	.file_busy = rdir_file_busy,
	.refresh_times = rdir_refresh_times,
};
