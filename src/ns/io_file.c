/* SPDX-License-Identifier: MIT */
/*
 * The io of a region file: pread/pwrite (looping over EINTR and short
 * transfers), made durable with sync_file_range + fdatasync, whose errors
 * are return codes. Nothing maps the file: a store through a shared mapping
 * of a file that cannot take it (a full btrfs, whose copy-on-write needs
 * new blocks even for preallocated ones; a file shortened by another
 * process; a file system that fails I/O) is SIGBUS, which kills the whole
 * daemon and every region it serves. pwrite reports the same troubles as
 * ENOSPC or EIO, and only the command that met them fails. (Label areas
 * used to be mapped with libpmem2; a label commit costs the same either
 * way, its fdatasync dominates: see the measurement in the commit log.)
 *
 * The file's size is fixed while it is open. Another process can still
 * shorten it (the region lock is advisory): every write first checks the
 * size with fstat, so that a write never grows the file back over a hole,
 * and fails with EIO naming the file and both sizes; a read that meets the
 * end of the file fails the same way.
 *
 * A failed persist (write-back error, ENOSPC at write-back) is sticky: the
 * page cache may hold what the medium does not, so every later write and
 * persist of this io fails (the region's commands, until it is opened
 * again), and later commits cannot build on a state that is not durable.
 *
 * Allocation (fallocate, KEEP_SIZE) that fails gives back what it took:
 * before allocating, the holes of the range are listed (FIEMAP, else
 * SEEK_HOLE/SEEK_DATA); after a failure exactly those are punched again,
 * so blocks that were allocated before (preallocated free space, data)
 * stay as they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/io.h"
#include "ns/util.h"

struct ns_io_file {
	struct ns_io io; /* first: ns_io pointers are ns_io_file pointers */
	int fd;
	bool reg;		/* a regular file (its size can be checked) */
	char *name;		/* for messages: the region file */
	int failed;		/* positive errno of the first failed persist */
};

static struct ns_io_file *to_file(struct ns_io *io)
{
	return (struct ns_io_file *)io;
}

static const char *sz(uint64_t v, char *buf, size_t len)
{
	return ns_format_size(v, buf, len);
}

/*
 * The file is still as long as when it was opened: 0, or -EIO naming the
 * file and both sizes (what lies past the end is gone).
 */
static int ns_io_file_check_size(struct ns_io_file *f)
{
	struct stat st;
	char a[32], b[32];

	if (!f->reg)
		return 0;
	if (fstat(f->fd, &st) < 0)
		return ns_err(-errno, "region file '%s': fstat: %s", f->name,
			      strerror(errno));
	if ((uint64_t)st.st_size >= f->io.size)
		return 0;
	return ns_err(-EIO, "region file '%s' is %s (%" PRIu64 " bytes), shorter than "
		      "the %s (%" PRIu64 " bytes) it had when opened: it was "
		      "truncated behind pmemfs, what lay past its end is gone",
		      f->name, sz((uint64_t)st.st_size, a, sizeof(a)),
		      (uint64_t)st.st_size, sz(f->io.size, b, sizeof(b)), f->io.size);
}

/* A persist failed earlier: every later write and persist fails. */
static int ns_io_file_check_failed(struct ns_io_file *f)
{
	if (!f->failed)
		return 0;
	return ns_err(-EIO, "region file '%s': an earlier write-back failed (%s); "
		      "what is on the medium is uncertain, so no more changes "
		      "until the region is opened again", f->name,
		      strerror(f->failed));
}

static int ns_io_file_pread(struct ns_io_file *f, uint8_t *buf, size_t len,
			    uint64_t off)
{
	while (len) {
		ssize_t n = pread(f->fd, buf, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ns_err(-errno, "read of %zu bytes at offset %" PRIu64
				      " of region file '%s': %s", len, off, f->name,
				      strerror(errno));
		}
		if (n == 0) {
			int rc = ns_io_file_check_size(f);

			return rc ? rc : ns_err(-EIO, "read of %zu bytes at offset %"
						PRIu64 " of region file '%s': unexpected "
						"end of file", len, off, f->name);
		}
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int ns_io_file_read(struct ns_io *io, void *buf, size_t len, uint64_t off)
{
	return ns_io_file_pread(to_file(io), buf, len, off);
}

static int ns_io_file_write(struct ns_io *io, const void *buf, size_t len,
			    uint64_t off)
{
	struct ns_io_file *f = to_file(io);
	const uint8_t *p = buf;
	int rc;

	rc = ns_io_file_check_failed(f);
	if (!rc)
		rc = ns_io_file_check_size(f);
	if (rc)
		return rc;
	while (len) {
		ssize_t n = pwrite(f->fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ns_err(-errno, "write of %zu bytes at offset %" PRIu64
				      " of region file '%s': %s", len, off, f->name,
				      strerror(errno));
		}
		if (n == 0)
			return ns_err(-ENOSPC, "write of %zu bytes at offset %" PRIu64
				      " of region file '%s': no progress", len, off,
				      f->name);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int ns_io_file_persist(struct ns_io *io, uint64_t off, uint64_t len)
{
	struct ns_io_file *f = to_file(io);
	int rc = ns_io_file_check_failed(f), err;

	if (rc)
		return rc;
	/* the range's pages are written and waited for ... */
	if (len && sync_file_range(f->fd, (off64_t)off, (off64_t)len,
				   SYNC_FILE_RANGE_WAIT_BEFORE |
				   SYNC_FILE_RANGE_WRITE |
				   SYNC_FILE_RANGE_WAIT_AFTER) < 0 &&
	    errno != ESPIPE && errno != ENOSYS && errno != EINVAL) {
		err = errno;
		rc = ns_err(-err, "sync of %" PRIu64 " bytes at offset %" PRIu64
			    " of region file '%s': %s", len, off, f->name,
			    strerror(err));
		goto failed;
	}
	/* ... fdatasync adds the metadata and the device cache flush */
	while (fdatasync(f->fd) < 0) {
		if (errno == EINTR)
			continue;
		err = errno;
		rc = ns_err(-err, "fdatasync of region file '%s': %s", f->name,
			    strerror(err));
		goto failed;
	}
	/* a file shortened meanwhile lost what the persist was for */
	return ns_io_file_check_size(f);
failed:
	f->failed = err;
	return rc;
}

/* ---- allocation that gives back what it took ---- */

struct ns_io_holes {
	unsigned n, cap;
	uint64_t (*v)[2];	/* [off, end) */
};

static int holes_add(struct ns_io_holes *h, uint64_t off, uint64_t end)
{
	if (off >= end)
		return 0;
	if (h->n && h->v[h->n - 1][1] == off) {
		h->v[h->n - 1][1] = end;
		return 0;
	}
	if (h->n == h->cap) {
		unsigned cap = h->cap ? 2 * h->cap : 16;
		void *v = realloc(h->v, cap * sizeof(*h->v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n][0] = off;
	h->v[h->n][1] = end;
	h->n++;
	return 0;
}

/* holes of [off, end) from FIEMAP: 0, or -errno (-EOPNOTSUPP: no FIEMAP) */
static int holes_fiemap(int fd, uint64_t off, uint64_t end, struct ns_io_holes *h)
{
	enum { NEXT = 128 };
	const size_t fmlen = sizeof(struct fiemap) + NEXT * sizeof(struct fiemap_extent);
	struct fiemap *fm = malloc(fmlen);
	uint64_t pos = off;
	int rc = 0;

	if (!fm)
		return -ENOMEM;
	while (pos < end) {
		unsigned i;
		bool last = false;

		memset(fm, 0, fmlen);	/* extents too (valgrind cannot see the ioctl fill them) */
		fm->fm_start = pos;
		fm->fm_length = end - pos;
		fm->fm_extent_count = NEXT;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			rc = errno == ENOTTY || errno == EOPNOTSUPP ? -EOPNOTSUPP : -errno;
			break;
		}
		if (fm->fm_mapped_extents == 0) {
			rc = holes_add(h, pos, end);
			pos = end;
			break;
		}
		for (i = 0; i < fm->fm_mapped_extents && rc == 0; i++) {
			const struct fiemap_extent *e = &fm->fm_extents[i];
			uint64_t e0 = e->fe_logical, e1 = e->fe_logical + e->fe_length;

			if (e1 <= pos)
				continue;
			if (e0 > pos)
				rc = holes_add(h, pos, e0 < end ? e0 : end);
			pos = e1 > pos ? e1 : pos;
			last |= (e->fe_flags & FIEMAP_EXTENT_LAST) != 0;
		}
		if (rc)
			break;
		if (last || pos >= end) {
			if (pos < end)
				rc = holes_add(h, pos, end);
			pos = end;
		}
	}
	free(fm);
	return rc;
}

/* holes of [off, end) from SEEK_HOLE/SEEK_DATA: 0 or -errno */
static int holes_seek(int fd, uint64_t off, uint64_t end, struct ns_io_holes *h)
{
	uint64_t pos = off;
	int rc;

	while (pos < end) {
		off_t hole = lseek(fd, (off_t)pos, SEEK_HOLE), data;

		if (hole < 0)
			return errno == ENXIO ? 0 : -errno;
		if ((uint64_t)hole >= end)
			break;
		data = lseek(fd, hole, SEEK_DATA);
		if (data < 0 && errno != ENXIO)
			return -errno;
		if (data < 0 || (uint64_t)data > end)
			data = (off_t)end;
		rc = holes_add(h, (uint64_t)hole, (uint64_t)data);
		if (rc)
			return rc;
		pos = (uint64_t)data;
	}
	return 0;
}

static void *ns_io_file_alloc_begin(struct ns_io *io, uint64_t off, uint64_t len)
{
	struct ns_io_file *f = to_file(io);
	struct ns_io_holes *h = calloc(1, sizeof(*h));
	int rc;

	if (!h || !f->reg)
		return h;
	rc = holes_fiemap(f->fd, off, off + len, h);
	if (rc == -EOPNOTSUPP) {
		h->n = 0;
		rc = holes_seek(f->fd, off, off + len, h);
	}
	if (rc) {
		/* cannot tell what is new: give back nothing rather than data */
		free(h->v);
		free(h);
		return NULL;
	}
	return h;
}

static int ns_io_file_alloc_end(struct ns_io *io, void *snap, bool undo)
{
	struct ns_io_file *f = to_file(io);
	struct ns_io_holes *h = snap;
	int rc = 0;

	if (!h)
		return 0;
	for (unsigned i = 0; undo && i < h->n; i++) {
		while (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				 (off_t)h->v[i][0],
				 (off_t)(h->v[i][1] - h->v[i][0])) < 0) {
			if (errno == EINTR)
				continue;
			if (!rc)
				rc = -errno;
			break;
		}
	}
	free(h->v);
	free(h);
	return rc;
}

static int ns_io_file_allocate(struct ns_io *io, uint64_t off, uint64_t len)
{
	struct ns_io_file *f = to_file(io);

	while (fallocate(f->fd, FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EOPNOTSUPP)
			return ns_err(-EOPNOTSUPP, "allocating %" PRIu64
				      " bytes at offset %" PRIu64
				      ": the file system does not support fallocate",
				      len, off);
		return ns_err(-errno, "allocating %" PRIu64 " bytes at offset %"
			      PRIu64 ": %s", len, off, strerror(errno));
	}
	return 0;
}

static void ns_io_file_destroy(struct ns_io *io)
{
	struct ns_io_file *f = to_file(io);

	free(f->name);
	free(f);
}

static const struct ns_io_ops ns_io_file_ops = {
	.read = ns_io_file_read,
	.write = ns_io_file_write,
	.persist = ns_io_file_persist,
	.allocate = ns_io_file_allocate,
	.alloc_begin = ns_io_file_alloc_begin,
	.alloc_end = ns_io_file_alloc_end,
	.destroy = ns_io_file_destroy,
};

int ns_io_file_new(int fd, const char *name, struct ns_io **out)
{
	struct ns_io_file *f;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return ns_err(-errno, "fstat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return ns_err(-EINVAL, "not a regular file or block device");
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);

		if (end < 0)
			return ns_err(-errno, "size of block device: %s", strerror(errno));
		st.st_size = end;
	}
	f = calloc(1, sizeof(*f));
	if (f)
		f->name = strdup(name ? name : "?");
	if (!f || !f->name) {
		free(f);
		return ns_err(-ENOMEM, "file io: out of memory");
	}
	f->fd = fd;
	f->reg = S_ISREG(st.st_mode);
	f->io.ops = &ns_io_file_ops;
	f->io.size = (uint64_t)st.st_size;
	*out = &f->io;
	return 0;
}
