/* SPDX-License-Identifier: MIT */
/*
 * The io of a region file. Data goes through pread/pwrite (looping over
 * EINTR and short transfers) and is made durable with sync_file_range +
 * fdatasync. The label area, once given to ns_io_file_map_labels(), is
 * mapped with libpmem2 (store granularity PAGE, so the mapping works on any
 * file): writes into it are stores through the mapping and persisting it
 * uses the mapping's persist path. Reads stay pread: a shared mapping and
 * pread see the same page cache.
 *
 * Persisting the mapped range: on a DAX file (byte or cache-line
 * granularity) pmem2's persist function flushes the CPU caches, which
 * cannot fail. On page granularity pmem2's persist function is an msync
 * that aborts the process when msync fails (it has no way to return the
 * error), so the same msync(MS_SYNC) of the page-aligned range is made
 * here, returning the error: a daemon serving VMs must not abort on an I/O
 * error of one region. (pmem2_deep_flush() alone is not enough: on page
 * granularity it does nothing, it expects the persist function to have
 * run; libpmem2 1.12, checked with strace: no msync.)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libpmem2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "io.h"

struct ns_io_file {
	struct ns_io io; /* first: ns_io pointers are ns_io_file pointers */
	int fd;
	/* the label mapping; map == NULL when none */
	struct pmem2_map *map;
	uint8_t *addr;		/* file offset map_off is at addr */
	uint64_t map_off;	/* file offset of the mapping (source-aligned) */
	uint64_t lab_off;	/* the range served through the mapping */
	uint64_t lab_len;
	enum pmem2_granularity gran;
	pmem2_memcpy_fn memcpy_fn;
	pmem2_persist_fn persist_fn;
};

static struct ns_io_file *to_file(struct ns_io *io)
{
	return (struct ns_io_file *)io;
}

/* A pmem2 return code as -errno (pmem2's own codes are <= -100000). */
static int ns_pmem2_errno(int rc)
{
	if (rc > PMEM2_E_UNKNOWN && rc < 0)
		return rc;
	if (rc == PMEM2_E_NOSUPP || rc == PMEM2_E_GRANULARITY_NOT_SUPPORTED)
		return -EOPNOTSUPP;
	if (rc == PMEM2_E_MAP_RANGE || rc == PMEM2_E_OFFSET_OUT_OF_RANGE)
		return -EINVAL;
	return -EIO;
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
				      ": %s", len, off, strerror(errno));
		}
		if (n == 0)
			return ns_err(-EIO, "read of %zu bytes at offset %" PRIu64
				      ": unexpected end of file", len, off);
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int ns_io_file_pwrite(struct ns_io_file *f, const uint8_t *buf, size_t len,
			     uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(f->fd, buf, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ns_err(-errno, "write of %zu bytes at offset %" PRIu64
				      ": %s", len, off, strerror(errno));
		}
		if (n == 0)
			return ns_err(-EIO, "write of %zu bytes at offset %" PRIu64
				      ": no progress", len, off);
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

/*
 * Split [off, off+len) into the part before, inside and after the mapped
 * range; the inside part is stored through the mapping.
 */
static int ns_io_file_write(struct ns_io *io, const void *buf, size_t len,
			    uint64_t off)
{
	struct ns_io_file *f = to_file(io);
	const uint8_t *p = buf;
	uint64_t end = off + len; /* bounds-checked by ns_io_write */
	uint64_t m0 = f->lab_off, m1 = f->lab_off + f->lab_len;
	int rc;

	if (!f->map || end <= m0 || off >= m1)
		return ns_io_file_pwrite(f, p, len, off);
	if (off < m0) {
		rc = ns_io_file_pwrite(f, p, (size_t)(m0 - off), off);
		if (rc)
			return rc;
		p += m0 - off;
		off = m0;
	}
	{
		uint64_t in_end = end < m1 ? end : m1;

		f->memcpy_fn(f->addr + (off - f->map_off), p, (size_t)(in_end - off),
			     PMEM2_F_MEM_NOFLUSH);
		p += in_end - off;
		off = in_end;
	}
	if (off < end)
		return ns_io_file_pwrite(f, p, (size_t)(end - off), off);
	return 0;
}

static int ns_io_file_sync_range(struct ns_io_file *f, uint64_t off, uint64_t len)
{
	if (len && sync_file_range(f->fd, (off64_t)off, (off64_t)len,
				   SYNC_FILE_RANGE_WAIT_BEFORE |
				   SYNC_FILE_RANGE_WRITE |
				   SYNC_FILE_RANGE_WAIT_AFTER) < 0 &&
	    errno != ESPIPE && errno != ENOSYS)
		return ns_err(-errno, "sync of %" PRIu64 " bytes at offset %" PRIu64
			      ": %s", len, off, strerror(errno));
	/* the range's data is written; fdatasync adds the metadata and the device cache flush */
	if (fdatasync(f->fd) < 0)
		return ns_err(-errno, "fdatasync: %s", strerror(errno));
	return 0;
}

static int ns_io_file_persist_map(struct ns_io_file *f, uint64_t off, uint64_t len)
{
	uint8_t *p = f->addr + (off - f->map_off);

	if (f->gran == PMEM2_GRANULARITY_PAGE) {
		long pg = sysconf(_SC_PAGESIZE);
		uintptr_t a = (uintptr_t)p & ~((uintptr_t)pg - 1);
		size_t l = (size_t)len + ((uintptr_t)p - a);
		int rc;

		while ((rc = msync((void *)a, l, MS_SYNC)) < 0 && errno == EINTR)
			;
		if (rc < 0)
			return ns_err(-errno, "persist (msync) of %" PRIu64
				      " label bytes at offset %" PRIu64 ": %s",
				      len, off, strerror(errno));
		/* the rest of pmem2's persist path (nothing more on plain files) */
		rc = pmem2_deep_flush(f->map, p, (size_t)len);
		if (rc)
			return ns_err(ns_pmem2_errno(rc), "persist of %" PRIu64
				      " label bytes at offset %" PRIu64 ": %s",
				      len, off, pmem2_errormsg());
		return 0;
	}
	f->persist_fn(p, (size_t)len);
	return 0;
}

static int ns_io_file_persist(struct ns_io *io, uint64_t off, uint64_t len)
{
	struct ns_io_file *f = to_file(io);
	uint64_t end = off + len;
	uint64_t m0 = f->lab_off, m1 = f->lab_off + f->lab_len;
	int rc = 0;

	if (!f->map || end <= m0 || off >= m1 || len == 0)
		return ns_io_file_sync_range(f, off, len);
	/* the part outside the mapping (before or after it, or both) */
	if (off < m0 || end > m1) {
		uint64_t s = off < m0 ? off : m1;
		uint64_t e = end > m1 ? end : m0;

		rc = ns_io_file_sync_range(f, s, e - s);
		if (rc)
			return rc;
	}
	{
		uint64_t s = off > m0 ? off : m0;
		uint64_t e = end < m1 ? end : m1;

		rc = ns_io_file_persist_map(f, s, e - s);
	}
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

static void ns_io_file_unmap(struct ns_io_file *f)
{
	if (f->map)
		pmem2_map_delete(&f->map);
	f->map = NULL;
	f->addr = NULL;
	f->lab_off = f->lab_len = 0;
}

static void ns_io_file_destroy(struct ns_io *io)
{
	struct ns_io_file *f = to_file(io);

	ns_io_file_unmap(f);
	free(f);
}

static const struct ns_io_ops ns_io_file_ops = {
	.read = ns_io_file_read,
	.write = ns_io_file_write,
	.persist = ns_io_file_persist,
	.allocate = ns_io_file_allocate,
	.destroy = ns_io_file_destroy,
};

int ns_io_file_new(int fd, struct ns_io **out)
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
	if (!f)
		return ns_err(-ENOMEM, "file io: out of memory");
	f->fd = fd;
	f->io.ops = &ns_io_file_ops;
	f->io.size = (uint64_t)st.st_size;
	*out = &f->io;
	return 0;
}

/*
 * Map [off, off+len) of the file with libpmem2. The mapping starts at the
 * source's alignment below off. The caller allocates the range first (a
 * store into a hole of a full file system is SIGBUS, not an error code).
 * Calling it again replaces the previous mapping.
 */
int ns_io_file_map_labels(struct ns_io *io, uint64_t off, uint64_t len)
{
	struct ns_io_file *f = to_file(io);
	struct pmem2_config *cfg = NULL;
	struct pmem2_source *src = NULL;
	struct pmem2_map *map = NULL;
	size_t salign = 0;
	uint64_t moff;
	int rc;

	if (io->ops != &ns_io_file_ops)
		return ns_err(-EINVAL, "label mapping: not a file io");
	if (off > io->size || len > io->size - off || len == 0)
		return ns_err(-EINVAL, "label mapping of %" PRIu64 " bytes at offset %"
			      PRIu64 " is outside the file (%" PRIu64 " bytes)",
			      len, off, io->size);
	rc = pmem2_source_from_fd(&src, f->fd);
	if (rc)
		goto pmem2_fail;
	rc = pmem2_source_alignment(src, &salign);
	if (rc)
		goto pmem2_fail;
	if (!salign)
		salign = 4096;
	moff = off / salign * salign;
	rc = pmem2_config_new(&cfg);
	if (rc)
		goto pmem2_fail;
	rc = pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_PAGE);
	if (rc)
		goto pmem2_fail;
	rc = pmem2_config_set_offset(cfg, (size_t)moff);
	if (rc)
		goto pmem2_fail;
	rc = pmem2_config_set_length(cfg, (size_t)(off + len - moff));
	if (rc)
		goto pmem2_fail;
	rc = pmem2_map_new(&map, cfg, src);
	if (rc)
		goto pmem2_fail;

	ns_io_file_unmap(f);
	f->map = map;
	f->addr = pmem2_map_get_address(map);
	f->map_off = moff;
	f->lab_off = off;
	f->lab_len = len;
	f->gran = pmem2_map_get_store_granularity(map);
	f->memcpy_fn = pmem2_get_memcpy_fn(map);
	f->persist_fn = pmem2_get_persist_fn(map);
	pmem2_config_delete(&cfg);
	pmem2_source_delete(&src);
	return 0;

pmem2_fail:
	rc = ns_err(ns_pmem2_errno(rc), "mapping %" PRIu64 " label bytes at offset %"
		    PRIu64 ": %s", len, off, pmem2_errormsg());
	if (cfg)
		pmem2_config_delete(&cfg);
	if (src)
		pmem2_source_delete(&src);
	return rc;
}
