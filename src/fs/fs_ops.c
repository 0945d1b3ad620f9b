// SPDX-License-Identifier: MIT
/*
 * The FUSE lowlevel operations. Every handler replies exactly once; the
 * last RELEASE and an FSYNC with much buffered dirty data reply from a
 * flush worker once the namespace is durable; an FSYNC with little to do
 * (O_DIRECT data needs only the fdatasync) is answered on the loop thread,
 * saving the handoff (the loop's other threads serve meanwhile, loop.c).
 *
 * errno choices (documented in the man page and --help):
 * - create, mknod, mkdir, unlink, rmdir, rename, link, symlink: EPERM
 *   (namespaces are managed with pmemctl);
 * - O_TRUNC is ignored, as a block device ignores it: the size never
 *   changes and no byte is zeroed. A truncate or ftruncate to the size
 *   or below changes nothing and succeeds (that is how the kernel
 *   delivers O_TRUNC, op_init; dd seek= and cp of a sparse file
 *   truncate before or after writing); one past the size, and fallocate
 *   past the end without KEEP_SIZE, get EPERM (the size cannot grow);
 * - open for writing of a read-only namespace: EROFS, even for root;
 * - a WRITE is a block device's: one that reaches past the end is
 *   shortened to the part before it, one that starts at or past the end
 *   gets ENOSPC. No FUSE writeback cache (op_init), so write(2) waits for
 *   this answer and the size of a namespace file never changes.
 * - a failed write-back (mmap pages) is sticky: every later FSYNC and
 *   FLUSH of the namespace gets EIO, on any descriptor, until remount.
 * - OPEN on a region directory (its layout's ns_get): ENFILE at the
 *   daemon's open-file limit, EIO when the namespace's file was changed
 *   behind the daemon (region_dir.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "ns/lsa.h"
#include "ns/namespace.h"
#include "ns/region.h"

#include "fs/crash_arm.h"	/* FS_HOOK_FIRE, fs_fault_fire: no more of the fault layers */
#include "fs/fs.h"
#include "fs/log.h"
#include "fs/loop.h"

static struct fs_daemon *daemon_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static void reply_err(fuse_req_t req, struct fs_ns *n, int err)
{
	if (n && err)
		fs_stats_add(&n->stats.errors, 1);
	fuse_reply_err(req, err);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fs_daemon *d = userdata;

	/*
	 * No writeback cache, on every kernel: with it the kernel takes a
	 * write(2) past the end into its page cache, grows i_size itself and
	 * learns at write-back that the bytes have no home (issue 16). Without
	 * it every write(2) is a WRITE answered before the call returns (the
	 * page cache stays, for reads and for mmap, whose write-back still
	 * comes as WRITEs of whole pages cut at i_size). FOPEN_DIRECT_IO is no
	 * alternative: before Linux 6.6 it refuses shared writable mmap.
	 */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/*
	 * O_DIRECT on a namespace file one request after the other: with
	 * async DIO the kernel turns a short WRITE (one reaching past the
	 * end) into EIO for the whole call (fuse_get_res_by_io), where a
	 * block device returns the count written.
	 */
	conn->want &= ~FUSE_CAP_ASYNC_DIO;
	/* every data change goes through this mount or is invalidated
	 * explicitly (control socket), never guessed from attributes */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	/*
	 * O_TRUNC as a SETATTR of size 0 (op_setattr), not as an OPEN flag:
	 * with atomic O_TRUNC the kernel itself sets i_size to 0 and drops
	 * the page cache after the OPEN, whatever the reply says (fuse
	 * file.c fuse_truncate_update_attr, dir.c fuse_do_setattr on
	 * ATTR_OPEN): dirty pages of another process's mapping would be
	 * lost and its next fault past the new i_size a SIGBUS. A SETATTR
	 * answered with the unchanged size leaves i_size and the cache alone.
	 */
	conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
	/* a request must fit the receive loop's pipes and buffers (loop.h) */
	if (conn->max_write > d->cfg.max_write)
		conn->max_write = d->cfg.max_write;
	conn->time_gran = 1;
	/* after the writeback cache's fate: the kernel allows one or the other */
	fs_pt_init(&d->pt, conn->want & FUSE_CAP_WRITEBACK_CACHE);
	d->itable.passthrough = d->pt.active;
	pthread_mutex_lock(&d->init_lock);
	d->init_done = true;
	pthread_cond_broadcast(&d->init_cond);
	pthread_mutex_unlock(&d->init_lock);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs_daemon *d = daemon_of(req);
	struct fuse_entry_param e;
	int rc = fs_inode_lookup(&d->itable, parent, name, d->cfg.timeout, &e);
	struct fs_inode *i;

	if (rc < 0)
		return (void)fuse_reply_err(req, -rc);
	i = fs_inode_get(&d->itable, e.ino);	/* held by the lookup count */
	if (i && i->ns)
		fs_stats_req(&i->ns->stats, FS_OP_LOOKUP);
	fuse_reply_entry(req, &e);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	fs_inode_forget(&daemon_of(req)->itable, ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
	struct fs_daemon *d = daemon_of(req);
	size_t i;

	for (i = 0; i < count; i++)
		fs_inode_forget(&d->itable, f[i].ino, f[i].nlookup);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_daemon *d = daemon_of(req);
	struct fs_inode *i = fs_inode_get(&d->itable, ino);
	struct stat st;

	if (!i)
		return (void)fuse_reply_err(req, ENOENT);
	if (i->ns)
		fs_stats_req(&i->ns->stats, FS_OP_GETATTR);
	fs_inode_stat(&d->itable, i, &st);
	fuse_reply_attr(req, &st, fs_inode_attr_timeout(&d->itable, i, d->cfg.timeout));
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	struct fs_daemon *d = daemon_of(req);
	struct fs_inode *i = fs_inode_get(&d->itable, ino);
	struct timespec now;
	struct stat st;

	if (!i)
		return (void)fuse_reply_err(req, ENOENT);
	if (i->ns)
		fs_stats_req(&i->ns->stats, FS_OP_SETATTR);
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (i->kind == FS_INODE_DIR)
			return (void)fuse_reply_err(req, EISDIR);
		/*
		 * O_TRUNC (size 0, no handle: the kernel sends no other hint,
		 * so truncate(2) to 0 looks the same), dd seek= (ftruncate to
		 * the seek offset) and cp of a sparse file (ftruncate to the
		 * source's size): at or below the size nothing changes, as a
		 * block device ignores O_TRUNC; the reply carries the size, so
		 * the kernel keeps i_size and the page cache. The size cannot
		 * grow.
		 */
		if ((uint64_t)attr->st_size != i->ns->size && i->ns->readonly)
			return reply_err(req, i->ns, EROFS);
		if ((uint64_t)attr->st_size > i->ns->size)
			return reply_err(req, i->ns, EPERM);
	}
	clock_gettime(CLOCK_REALTIME, &now);
	pthread_rwlock_wrlock(&d->itable.lock);
	if (to_set & FUSE_SET_ATTR_MODE)
		i->mode = (i->mode & S_IFMT) | (attr->st_mode & 07777);
	if (to_set & FUSE_SET_ATTR_UID)
		i->uid = attr->st_uid;
	if (to_set & FUSE_SET_ATTR_GID)
		i->gid = attr->st_gid;
	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		i->atime = now;
	else if (to_set & FUSE_SET_ATTR_ATIME)
		i->atime = attr->st_atim;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		i->mtime = now;
	else if (to_set & FUSE_SET_ATTR_MTIME)
		i->mtime = attr->st_mtim;
	if (i->ns && (to_set & (FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_MTIME)))
		fs_ns_untouch(i->ns);	/* the time set wins over earlier writes */
	if (to_set & FUSE_SET_ATTR_CTIME)
		i->ctime = attr->st_ctim;
	else if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID |
			   FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
			   FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW))
		i->ctime = now;
	fs_inode_stat_locked(i, &st);
	pthread_rwlock_unlock(&d->itable.lock);
	fuse_reply_attr(req, &st, fs_inode_attr_timeout(&d->itable, i, d->cfg.timeout));
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fs_daemon *d = daemon_of(req);
	struct fs_inode *i = fs_inode_get(&d->itable, ino);
	char *buf;
	size_t used;

	if (!i)
		return (void)fuse_reply_err(req, ENOENT);
	if (i->kind != FS_INODE_DIR)
		return (void)fuse_reply_err(req, ENOTDIR);
	if (size > 65536)
		size = 65536;
	buf = malloc(size);
	if (!buf)
		return (void)fuse_reply_err(req, ENOMEM);
	used = fs_inode_readdir(&d->itable, req, i, buf, size, off);
	fuse_reply_buf(req, buf, used);
	free(buf);
}


static void release_handle(struct fs_daemon *d, struct fs_inode *file);

/* fi->fh: the file's inode, this bit set when opened with passthrough */
#define FH_PT 1u

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_daemon *d = daemon_of(req);
	struct fs_inode *i = fs_inode_get(&d->itable, ino);
	bool drop_cache;
	struct fs_ns *n;
	int rc, pt;

	if (!i)
		return (void)fuse_reply_err(req, ENOENT);
	if (i->kind == FS_INODE_DIR)
		return (void)fuse_reply_err(req, EISDIR);
	n = i->ns;
	fs_stats_req(&n->stats, FS_OP_OPEN);
	if (n->readonly && (fi->flags & O_ACCMODE) != O_RDONLY)
		return reply_err(req, n, EROFS);
	/* O_TRUNC comes as a SETATTR (op_init); were it here, it would be
	 * ignored the same way: the size never changes */

	/*
	 * The core is not thread-safe and the control thread may be taking
	 * this file out of the tree: both under the daemon lock.
	 */
	pthread_mutex_lock(&d->lock);
	if (!i->linked) {
		pthread_mutex_unlock(&d->lock);
		return reply_err(req, n, ENOENT);
	}
	pthread_mutex_lock(&n->lock);
	n->handles++;
	pthread_mutex_unlock(&n->lock);
	ns_namespace_get(n->ns);
	pthread_mutex_unlock(&d->lock);

	/*
	 * what its layout needs to reach it until the RELEASE (a region
	 * directory's namespace file descriptors, opened on demand): ENFILE
	 * at the daemon's open-file limit, EIO when its file was replaced
	 */
	rc = fs_ns_io_get(n);
	if (rc < 0) {
		reply_err(req, n, -rc);
		release_handle(d, i);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)i;
	fi->keep_cache = 1;	/* the page cache is ours: nothing changes behind it */
	fi->direct_io = 0;	/* QEMU cannot map direct_io files */
	pt = fs_pt_open(&d->pt, n, &drop_cache);
	if (pt < 0) {
		fs_warn("%s: open refused: it is open with FUSE passthrough and "
			"cannot be opened otherwise at the same time", n->devname);
		fs_ns_io_put(n);
		release_handle(d, i);
		return reply_err(req, n, EBUSY);
	}
	if (pt) {
		/* mmap is the backing file's; write(2) still comes here, and
		 * read(2) unless read-only (passthrough.h; the kernel refuses
		 * keep_cache beside it) */
		fi->fh |= FH_PT;
		fi->keep_cache = 0;
		fi->direct_io = (fi->flags & O_ACCMODE) != O_RDONLY;
	} else if (drop_cache) {
		fi->keep_cache = 0;	/* mappings stored into the file behind it */
	}
	rc = fuse_reply_open(req, fi);
	fs_pt_open_done();
	if (rc != 0) {
		/* the opener is gone (interrupted): no RELEASE will come */
		fs_pt_release(n, pt);
		fs_ns_io_put(n);
		release_handle(d, i);
	}
}

static struct fs_inode *file_of(struct fuse_file_info *fi)
{
	return (struct fs_inode *)(uintptr_t)(fi->fh & ~(uint64_t)FH_PT);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fs_ns *n = file_of(fi)->ns;
	void *buf;
	int rc;

	fs_stats_req(&n->stats, FS_OP_READ);
	if (off < 0)
		return reply_err(req, n, EINVAL);
	if ((uint64_t)off >= n->size)
		return (void)fuse_reply_buf(req, NULL, 0);
	if (size > n->size - (uint64_t)off)
		size = (size_t)(n->size - (uint64_t)off);
	rc = fs_data_read(n, size, (uint64_t)off, &buf);
	if (rc < 0)
		return reply_err(req, n, -rc);
	fuse_reply_buf(req, buf, size);
}

/*
 * WRITE, with the data in the receive loop's pipe (loop.c, splice mode:
 * FUSE_BUF_IS_FD) or in memory (page-aligned in read mode). Page-cache
 * pages (write(2) through the cache, mmap write-back: fi->writepage) sit
 * in the pipe as one reference per page, page-aligned when the write is,
 * and are spliced to the region file; the rest (O_DIRECT writers on the
 * namespace file: copied after the header, unaligned) is read into memory
 * first (fs_data_write_pipe says -EAGAIN before taking anything).
 *
 * The range is a block device's: a WRITE reaching past the end is
 * shortened (the reply says how much was written; its tail stays in the
 * pipe, which the loop then replaces), one starting at or past the end
 * gets ENOSPC. A refused write-back (fi->writepage) is a lost write: the
 * namespace's sticky error is set, so every later FSYNC and FLUSH fails.
 */
static void op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv,
			 off_t off, struct fuse_file_info *fi)
{
	struct fs_ns *n = file_of(fi)->ns;
	size_t size = fuse_buf_size(bufv);
	const struct fuse_buf *b = &bufv->buf[bufv->idx];
	bool shortened = false;
	void *mem = NULL;
	int rc;

	(void)ino;
	fs_stats_req(&n->stats, FS_OP_WRITE);
	if (n->readonly) {
		rc = -EROFS;
		goto refused;
	}
	if (off < 0) {
		rc = -EINVAL;
		goto refused;
	}
	if (size == 0)
		return (void)fuse_reply_write(req, 0);
	if ((uint64_t)off >= n->size) {
		rc = -ENOSPC;	/* a block device's answer at its end */
		goto refused;
	}
	if (size > n->size - (uint64_t)off) {
		size = (size_t)(n->size - (uint64_t)off);
		shortened = true;
	}
	rc = fs_ns_write_begin(n);	/* EIO once destroyed */
	if (rc < 0)
		goto refused;
	/* a small write(2) waits for a copy, not for the disk (nsfile.h) */
	fs_data_write_cached(!fi->writepage && size <= FS_WRITE_CACHED_MAX);
	if (bufv->count == 1 && (b->flags & FUSE_BUF_IS_FD)) {
		rc = fs_data_write_pipe(n, b->fd, size, (uint64_t)off);
		if (rc == -EAGAIN) {
			rc = fs_data_drain_pipe(b->fd, size, &mem);
			if (rc == 0)
				rc = fs_data_write(n, mem, size, (uint64_t)off);
		}
	} else if (bufv->count == 1) {
		rc = fs_data_write(n, (const char *)b->mem + bufv->off, size, (uint64_t)off);
	} else {
		rc = -EIO;	/* libfuse hands over one buffer */
		fs_err("%s: WRITE of %zu buffers", n->devname, bufv->count);
	}
	fs_ns_write_end(n);
	if (rc < 0)	/* data left in the pipe: the loop makes a new one */
		goto refused;
	bufv->idx = bufv->count;	/* consumed */
	fs_ns_touch(n);
	if (!shortened)		/* else the tail is still in the pipe */
		fs_loop_pipe_drained();
	fuse_reply_write(req, size);
	return;
refused:
	if (fi->writepage) {
		char what[96];

		snprintf(what, sizeof(what), "write-back of %zu bytes at %lld",
			 fuse_buf_size(bufv), (long long)off);
		fs_ns_set_error(n, -rc, what);
	}
	reply_err(req, n, -rc);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_ns *n = file_of(fi)->ns;

	/*
	 * close(2): the kernel has written back dirty pages before FLUSH.
	 * A write-back that failed, on any descriptor, fails every close.
	 */
	fs_stats_req(&n->stats, FS_OP_FLUSH);
	reply_err(req, n, fs_ns_error(n));
}

struct flush_job {
	fuse_req_t req;
	struct fs_daemon *d;
	struct fs_inode *file;
	bool release;
};

/*
 * Drop a handle and its hold. The last handle is dropped only after its
 * persist (flush_job_run), so that a file taken out of the tree is not
 * freed (FORGET) under the persist.
 */
static void release_handle(struct fs_daemon *d, struct fs_inode *file)
{
	/* the core's hold first: dropping the handle may free file and ns */
	fs_daemon_ns_put(d, file->ns->ns);
	fs_inode_release_handle(&d->itable, file);
}

static void flush_job_run(void *arg)
{
	struct flush_job *j = arg;
	struct fs_ns *n = j->file->ns;
	int rc;

	/* the last close persists only; an FSYNC asks the dispatch */
	rc = j->release ? fs_ns_persist(n) : fs_data_fsync(n);
	if (__builtin_expect(rc == FS_HOOK_FIRE, 0)) {
		/* crash testing: the armed crash fires at this FSYNC */
		fs_fault_fire(j->d, j->file, j->req);
		free(j);
		return;
	}

	if (j->release) {
		/* the last close: persist, then let go (errors are logged) */
		release_handle(j->d, j->file);
		fuse_reply_err(j->req, 0);
	} else {
		fs_stats_add(&n->stats.fsyncs, 1);
		if (rc == 0 && fs_ns_destroyed(n))
			rc = -EIO;	/* its range is no longer the file's */
		reply_err(j->req, n, rc < 0 ? -rc : 0);
	}
	free(j);
}

static void submit_flush(fuse_req_t req, struct fs_inode *file, bool release,
			 bool here)
{
	struct fs_daemon *d = daemon_of(req);
	struct flush_job *j = malloc(sizeof(*j));

	if (!j) {
		if (release) {
			release_handle(d, file);
			fuse_reply_err(req, 0);
		} else {
			reply_err(req, file->ns, ENOMEM);
		}
		return;
	}
	j->req = req;
	j->d = d;
	j->file = file;
	j->release = release;
	if (here)
		flush_job_run(j);
	else
		fs_worker_submit(d->worker, flush_job_run, j);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	struct fs_inode *file = file_of(fi);
	struct fs_ns *n = file->ns;

	fs_stats_req(&n->stats, FS_OP_FSYNC);
	/* crash testing keeps the worker: its replies are held there */
	submit_flush(req, file, false,
		     !fs_data_hooked(n) && fs_ns_persist_small(n));
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_inode *file = file_of(fi);
	struct fs_ns *n = file->ns;
	/* n may be freed by the last release once our handle is gone */
	struct ns_namespace *core = n->ns;
	bool last;

	fs_stats_req(&n->stats, FS_OP_RELEASE);
	fs_pt_release(n, fi->fh & FH_PT);
	/* a persist (the last release's) reaches the layout on its own */
	fs_ns_io_put(n);
	pthread_mutex_lock(&n->lock);
	last = n->handles == 1;
	if (!last)
		n->handles--;
	pthread_mutex_unlock(&n->lock);
	if (last)	/* persist first; the handle goes after it */
		return submit_flush(req, file, true, false);
	fs_daemon_ns_put(daemon_of(req), core);
	fuse_reply_err(req, 0);
}

static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
			 off_t len, struct fuse_file_info *fi)
{
	struct fs_ns *n = file_of(fi)->ns;
	uint64_t end;
	int rc;

	fs_stats_req(&n->stats, FS_OP_FALLOCATE);
	if (off < 0 || len <= 0)
		return reply_err(req, n, EINVAL);
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		return reply_err(req, n, EOPNOTSUPP);
	if (n->readonly)
		return reply_err(req, n, EROFS);
	if (__builtin_add_overflow((uint64_t)off, (uint64_t)len, &end))
		return reply_err(req, n, EFBIG);
	if (end > n->size) {
		/* the size never changes; past the end is refused unless
		 * KEEP_SIZE, which clips */
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return reply_err(req, n, EPERM);
		if ((uint64_t)off >= n->size)
			return (void)fuse_reply_err(req, 0);
		end = n->size;
	}
	rc = fs_ns_write_begin(n);	/* EIO once destroyed */
	if (rc < 0)
		return reply_err(req, n, -rc);
	rc = fs_data_fallocate(n, mode, (uint64_t)off, end - (uint64_t)off);
	fs_ns_write_end(n);
	if (rc == 0 && fs_falloc_changes(mode))	/* reserving blocks changes no byte */
		fs_ns_touch(n);
	reply_err(req, n, rc < 0 ? -rc : 0);
}

/*
 * df on the mount: the regions, as ndctl shows them. Size = the regions'
 * data space (pmemctl list -R "size"), free and available = their
 * "available_size" (what namespaces of the default alignment could still
 * take), used = what namespaces (and alignment gaps) hold. Inodes: the
 * namespace files plus the label slots still free (each namespace takes
 * at least one; a region without labels has none).
 */
static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fs_daemon *d = daemon_of(req);
	struct statvfs sv;
	uint64_t size = 0, avail = 0, files = 0, slots = 0;
	size_t i;

	pthread_mutex_lock(&d->lock);	/* the core's objects */
	for (i = 0; i < d->nregions; i++) {
		struct ns_region *r = d->regions[i].r;
		struct ns_lsa *lsa = ns_region_lsa(r);
		uint64_t a = 0;

		ns_region_space(r, NS_DEFAULT_ALIGN, &a, NULL);
		size += ns_region_data_size(r);
		avail += a;
		if (lsa)
			slots += ns_lsa_free_slots(lsa);
	}
	pthread_mutex_unlock(&d->lock);
	pthread_rwlock_rdlock(&d->itable.lock);
	for (i = 0; i < d->itable.cap; i++) {
		struct fs_inode *f = d->itable.v[i];

		if (f && f->ns && f->linked)
			files++;
	}
	pthread_rwlock_unlock(&d->itable.lock);
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = sv.f_frsize = 4096;
	sv.f_blocks = size / 4096;
	sv.f_bfree = sv.f_bavail = avail / 4096;
	sv.f_files = files + slots;
	sv.f_ffree = sv.f_favail = slots;
	sv.f_namemax = FS_NAME_MAX - 1;
	fuse_reply_statfs(req, &sv);
}

/* the tree is managed with pmemctl, never through file-system calls */
static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	fuse_reply_err(req, EPERM);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	fuse_reply_err(req, EPERM);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	fuse_reply_err(req, EPERM);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	fuse_reply_err(req, EPERM);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	fuse_reply_err(req, EPERM);
}

const struct fuse_lowlevel_ops fs_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
	.write_buf = op_write_buf,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.fallocate = op_fallocate,
	.statfs = op_statfs,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_unlink,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.create = op_create,
};
