/* SPDX-License-Identifier: MIT */
/*
 * The byte-I/O interface: bounds-checked wrappers around an implementation's
 * operations. Every range is checked as off + len <= size without overflow.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "ns/io.h"
#include "ns/util.h"

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

static int ns_io_allocate_one(struct ns_io *io, uint64_t off, uint64_t len)
{
	if (len == 0)
		return 0;
	if (!io->ops->allocate)
		return ns_err(-EOPNOTSUPP, "allocate: not supported by this io");
	return io->ops->allocate(io, off, len);
}

int ns_io_allocate(struct ns_io *io, uint64_t off, uint64_t len)
{
	return ns_io_allocate_steps(io, off, len, NULL, NULL);
}

int ns_io_allocate_steps(struct ns_io *io, uint64_t off, uint64_t len,
			 void (*fn)(uint64_t done, uint64_t total, void *arg), void *arg)
{
	return ns_io_allocate_noted(io, off, len, fn, arg, NULL);
}

int ns_io_alloc_end(struct ns_io *io, void *note, bool undo)
{
	if (!note || !io->ops->alloc_end)
		return 0;
	return io->ops->alloc_end(io, note, undo);
}

int ns_io_allocate_noted(struct ns_io *io, uint64_t off, uint64_t len,
			 void (*fn)(uint64_t done, uint64_t total, void *arg), void *arg,
			 void **keep)
{
	uint64_t done = 0;
	void *note = NULL;
	int rc, urc;

	if (keep)
		*keep = NULL;
	rc = ns_io_check(io, "allocate", len, off);
	if (rc || len == 0)
		return rc;
	if (io->ops->alloc_begin)
		note = io->ops->alloc_begin(io, off, len);
	if (fn)
		fn(0, len, arg);
	while (done < len) {
		uint64_t n = len - done;

		if (fn && n > NS_PROGRESS_STEP)
			n = NS_PROGRESS_STEP;
		rc = ns_io_allocate_one(io, off + done, n);
		if (rc)
			break;
		done += n;
		if (fn)
			fn(done, len, arg);
	}
	if (!io->ops->alloc_end)
		return rc;
	if (rc) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		urc = io->ops->alloc_end(io, note, true);
		if (urc)
			return ns_err(rc, "%s; giving back the blocks it allocated "
				      "failed too: %s", msg, strerror(-urc));
		if (!note)
			return ns_err(rc, "%s (what it allocated is kept: the file "
				      "system cannot tell which blocks are new)", msg);
		return ns_err(rc, "%s", msg);
	}
	if (keep)
		*keep = note;	/* the caller ends it: kept or given back */
	else
		io->ops->alloc_end(io, note, false);
	return 0;
}

void ns_io_destroy(struct ns_io **io)
{
	if (!io || !*io)
		return;
	(*io)->ops->destroy(*io);
	*io = NULL;
}
