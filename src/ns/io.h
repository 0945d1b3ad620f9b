/* SPDX-License-Identifier: MIT */
/*
 * The byte-I/O interface the core reaches a region through: read, write,
 * persist and allocate at a byte offset of the whole region file
 * ([data area | label area]). The file implementation serves real regions;
 * the memory implementation lets unit tests run the same code on a buffer
 * and stop it after any write (crash injection), optionally tearing the
 * interrupted write.
 */
#ifndef PMEMFS_NS_IO_H
#define PMEMFS_NS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ns_io;

struct ns_io_ops {
	int (*read)(struct ns_io *io, void *buf, size_t len, uint64_t off);
	int (*write)(struct ns_io *io, const void *buf, size_t len, uint64_t off);
	/* make [off, off+len) durable on the medium */
	int (*persist)(struct ns_io *io, uint64_t off, uint64_t len);
	/* reserve backing blocks for [off, off+len) (fallocate, KEEP_SIZE) */
	int (*allocate)(struct ns_io *io, uint64_t off, uint64_t len);
	/*
	 * Optional: before allocating [off, off+len), note what of it is not
	 * allocated yet (NULL: cannot tell); after, with undo, give exactly
	 * that back. alloc_end frees the note: 0 or -errno of the give-back.
	 */
	void *(*alloc_begin)(struct ns_io *io, uint64_t off, uint64_t len);
	int (*alloc_end)(struct ns_io *io, void *note, bool undo);
	void (*destroy)(struct ns_io *io);
};

struct ns_io {
	const struct ns_io_ops *ops;
	uint64_t size; /* bytes in the region file; never changes */
};

/* All return 0 or -errno (with ns_err message); out-of-range is -EINVAL. */
int ns_io_read(struct ns_io *io, void *buf, size_t len, uint64_t off);
int ns_io_write(struct ns_io *io, const void *buf, size_t len, uint64_t off);
int ns_io_persist(struct ns_io *io, uint64_t off, uint64_t len);
int ns_io_allocate(struct ns_io *io, uint64_t off, uint64_t len);
/*
 * ns_io_allocate in steps of NS_PROGRESS_STEP, calling fn (util.h) before
 * the first and after every step; fn NULL: one call. Both give back, when
 * they fail, every block they allocated (and only those: what was
 * allocated before stays).
 */
int ns_io_allocate_steps(struct ns_io *io, uint64_t off, uint64_t len,
			 void (*fn)(uint64_t done, uint64_t total, void *arg), void *arg);
/*
 * ns_io_allocate_steps for a command that commits after allocating: on
 * success *note records the blocks it allocated (NULL: none, or the file
 * system cannot tell), and the command ends it with ns_io_alloc_end: undo
 * when its commit failed gives exactly those blocks back, else they stay.
 * Every note must be ended; ns_io_alloc_end(io, NULL, ...) is a no-op.
 * Returns 0 or -errno of the give-back.
 */
int ns_io_allocate_noted(struct ns_io *io, uint64_t off, uint64_t len,
			 void (*fn)(uint64_t done, uint64_t total, void *arg), void *arg,
			 void **note);
int ns_io_alloc_end(struct ns_io *io, void *note, bool undo);
void ns_io_destroy(struct ns_io **io);

/*
 * A region file, name for messages. fd stays the caller's (not closed by
 * destroy). Reads and writes use pread/pwrite, persist sync_file_range +
 * fdatasync; the file is never mapped (no SIGBUS, see io_file.c). A file
 * shortened behind the io fails writes and persists with -EIO; a failed
 * persist fails every later write and persist.
 */
int ns_io_file_new(int fd, const char *name, struct ns_io **out);

/*
 * A memory buffer of size bytes (zeroed), for tests. The buffer is owned
 * by the io; ns_io_mem_buffer() exposes it so tests can inspect, corrupt
 * and copy it.
 */
int ns_io_mem_new(uint64_t size, struct ns_io **out);
uint8_t *ns_io_mem_buffer(struct ns_io *io);
/* writes performed so far (each ns_io_write call counts one) */
unsigned long ns_io_mem_writes(struct ns_io *io);
/*
 * Crash injection: let `writes` more writes happen, then fail every later
 * write and persist with -EIO without touching the buffer. With torn, the
 * first failing write stores its first half (rounded down to 8 bytes)
 * before failing, as a power cut in the middle of it would.
 * writes < 0 disarms.
 */
void ns_io_mem_crash_after(struct ns_io *io, long writes, bool torn);

#endif
