/* SPDX-License-Identifier: MIT */
/*
 * The byte-I/O interface: bounds-checked wrappers around an implementation's
 * operations. Every range is checked as off + len <= size without overflow.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "error.h"
#include "io.h"
#include "util.h"

static int ns_io_check(const struct ns_io *io, const char *what, uint64_t len,
		       uint64_t off)
{
	if (off > io->size || len > io->size - off)
		return ns_err(-EINVAL,
			      "%s of %" PRIu64 " bytes at offset %" PRIu64
			      " is outside the region (%" PRIu64 " bytes)",
			      what, len, off, io->size);
	return 0;
}

int ns_io_read(struct ns_io *io, void *buf, size_t len, uint64_t off)
{
	int rc = ns_io_check(io, "read", len, off);

	if (rc)
		return rc;
	if (len == 0)
		return 0;
	return io->ops->read(io, buf, len, off);
}

int ns_io_write(struct ns_io *io, const void *buf, size_t len, uint64_t off)
{
	int rc = ns_io_check(io, "write", len, off);

	if (rc)
		return rc;
	if (len == 0)
		return 0;
	return io->ops->write(io, buf, len, off);
}

int ns_io_persist(struct ns_io *io, uint64_t off, uint64_t len)
{
	int rc = ns_io_check(io, "persist", len, off);

	if (rc)
		return rc;
	return io->ops->persist(io, off, len);
}

int ns_io_allocate(struct ns_io *io, uint64_t off, uint64_t len)
{
	int rc = ns_io_check(io, "allocate", len, off);

	if (rc)
		return rc;
	if (len == 0)
		return 0;
	if (!io->ops->allocate)
		return ns_err(-EOPNOTSUPP, "allocate: not supported by this io");
	return io->ops->allocate(io, off, len);
}

int ns_io_allocate_steps(struct ns_io *io, uint64_t off, uint64_t len,
			 void (*fn)(uint64_t done, uint64_t total, void *arg), void *arg)
{
	uint64_t done = 0;
	int rc;

	if (!fn)
		return ns_io_allocate(io, off, len);
	rc = ns_io_check(io, "allocate", len, off);
	if (rc)
		return rc;
	fn(0, len, arg);
	while (done < len) {
		uint64_t n = len - done < NS_PROGRESS_STEP ? len - done : NS_PROGRESS_STEP;

		rc = ns_io_allocate(io, off + done, n);
		if (rc)
			return rc;
		done += n;
		fn(done, len, arg);
	}
	return 0;
}

void ns_io_destroy(struct ns_io **io)
{
	if (!io || !*io)
		return;
	(*io)->ops->destroy(*io);
	*io = NULL;
}
