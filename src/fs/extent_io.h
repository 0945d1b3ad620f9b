/* SPDX-License-Identifier: MIT */
/*
 * How a namespace's bytes move, for every layout (region_ops.h): the data
 * operations on one extent of one file, "a descriptor, the namespace's
 * byte 0 in it, its length" (struct fs_extent_io). A layout's table says
 * WHERE the bytes are (the region file at dpa, shared by the region's
 * namespaces; a region directory's namespace file at 0, its own) and
 * calls these for HOW: pwrite and pread over EINTR and short transfers,
 * O_DIRECT when the request and the memory are page-aligned (else the
 * buffered descriptor), a WRITE's pages spliced from libfuse's pipe, a
 * file shortened behind the daemon, fallocate and discards (zeroes where
 * the file system has no way), the undo log's pages, the persist
 * (sync_file_range of each dirty extent, fdatasync, POSIX_FADV_DONTNEED)
 * and cachestat(2). What they wrote is recorded through flush.c
 * (fs_dirty_add, fs_dirty_mark_sync, fs_ns_set_error); they take no lock,
 * allocate nothing per request (a per-thread buffer) and make the same
 * syscalls the layouts made themselves.
 *
 * Offsets are namespace offsets (0 .. n->size), as in region_ops.h. Each
 * returns 0 or a negative errno unless it says otherwise.
 */
#ifndef PMEMFS_FS_EXTENT_IO_H
#define PMEMFS_FS_EXTENT_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fs_ns;
struct fs_dirty;

/* the file's name in messages, and the calls named after it (static strings) */
struct fs_extent_names {
	const char *file;
	const char *write, *splice, *zeroes, *past_end, *sync_range, *fdatasync;
};

#define FS_EXTENT_NAMES(f) {						\
	.file = f,							\
	.write = "write to the " f,					\
	.splice = "splice to the " f,					\
	.zeroes = "writing zeroes to the " f,				\
	.past_end = "write past the end of the shortened " f,		\
	.sync_range = "sync_file_range of the " f,			\
	.fdatasync = "fdatasync of the " f,				\
}

/*
 * A file other namespaces share (the region file): the kernel reports a
 * write-back error once per open file, to whichever namespace syncs first,
 * so the layout tells them apart (its probe, nsfile.h).
 */
struct fs_extent_shared {
	/* before a data change of n (the layout notes which errors are not n's) */
	void (*begin)(struct fs_ns *n);
	/*
	 * after each sync call for n, with what it returned (0 or a positive
	 * errno): the error that is n's, 0 or a positive errno
	 */
	int (*synced)(struct fs_ns *n, int err);
};

/* a discard zeroes the range keeping its blocks (a preallocated file: no hole) */
#define FS_EXTENT_KEEP_BLOCKS 0x1u
/*
 * everything through the file's page cache, which a FUSE passthrough
 * mapping shares (dfd -1): a WRITE's pages spliced into it and recorded
 * as a dirty extent; every sync an fdatasync of the whole file (a mapping
 * dirtied pages nobody listed), nothing dropped from the cache
 */
#define FS_EXTENT_CACHED 0x2u

struct fs_extent_io {
	int fd;			/* buffered, O_RDWR; -1 (sync only): closed, all durable */
	int dfd;		/* O_DIRECT, or -1: none, or not to be used now */
	unsigned flags;		/* FS_EXTENT_* */
	uint64_t base;		/* the namespace's byte 0 in the file */
	/* where not NULL: set (atomic) whenever anything is written through fd or dfd */
	bool *wrote;
	const struct fs_extent_names *names;
	const struct fs_extent_shared *shared;	/* NULL: the file is n's alone */
};

/*
 * A WRITE's data (region_ops.h write): O_DIRECT when not cached and
 * page-aligned (through a per-thread buffer when buf is not), the rest
 * buffered, recorded as dirty; -EIO with n's sticky error set.
 */
int fs_extent_io_write(struct fs_ns *n, const struct fs_extent_io *e, const void *buf,
		       size_t len, uint64_t off, bool cached);
/* len bytes in pipefd (region_ops.h write_pipe): 0, -EAGAIN (nothing taken) or -EIO */
int fs_extent_io_write_pipe(struct fs_ns *n, const struct fs_extent_io *e, int pipefd,
			    size_t len, uint64_t off);
/* into the calling thread's buffer (region_ops.h read): 0, -ENOMEM or -EIO (logged) */
int fs_extent_io_read(struct fs_ns *n, const struct fs_extent_io *e, size_t len,
		      uint64_t off, void **out);
/* FALLOCATE (region_ops.h fallocate) */
int fs_extent_io_fallocate(struct fs_ns *n, const struct fs_extent_io *e, int mode,
			   uint64_t off, uint64_t len);
/* page p of n, O_DIRECT where e has it (region_ops.h read_page, write_page) */
int fs_extent_io_read_page(const struct fs_extent_io *e, void *buf, uint64_t p);
int fs_extent_io_write_page(struct fs_ns *n, const struct fs_extent_io *e, const void *buf,
			    uint64_t p);
/*
 * Persist (region_ops.h sync): 0 or the POSITIVE errno, *what naming the
 * call that met it; nothing when e->fd is -1 (closed after an fdatasync)
 */
int fs_extent_io_sync(struct fs_ns *n, const struct fs_extent_io *e,
		      const struct fs_dirty *d, const char **what);
/*
 * Bytes of [off, off+len) of fd that the page cache holds dirty or under
 * write-back: cachestat(2), Linux >= 6.5; -errno when it cannot tell
 * (logged once)
 */
int fs_extent_io_cachestat(int fd, uint64_t off, uint64_t len, uint64_t *bytes);

/*
 * The whole of len at off, retrying short transfers and EINTR; 0 or -errno
 * (-ENOSPC when pwrite writes nothing, -ENODATA when pread finds the file
 * ending before off + len)
 */
int fs_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
int fs_pread_all(int fd, void *buf, size_t len, uint64_t off);
/*
 * One sync call on fd: sync_file_range(WAIT_BEFORE|WRITE|WAIT_AFTER) of
 * [off, off+len) (range; EINVAL, ESPIPE of a file system without
 * write-back count as done) or fdatasync; 0 or the POSITIVE errno
 */
int fs_sync_call(int fd, bool range, uint64_t off, uint64_t len);

#endif
