/* SPDX-License-Identifier: MIT */
/*
 * Memory io for tests: a zeroed buffer with write counting and crash
 * injection. After the allowed number of writes every write and persist
 * fails with -EIO and leaves the buffer alone; a torn crash first stores
 * the leading half (rounded down to 8 bytes) of the write it interrupts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"
#include "ns/io.h"

struct ns_io_mem {
	struct ns_io io; /* first: ns_io pointers are ns_io_mem pointers */
	uint8_t *buf;
	unsigned long writes;
	bool armed;
	bool torn;
	bool crashed;
	unsigned long crash_at; /* writes allowed before the crash */
};

static struct ns_io_mem *to_mem(struct ns_io *io)
{
	return (struct ns_io_mem *)io;
}

static int ns_io_mem_read(struct ns_io *io, void *buf, size_t len, uint64_t off)
{
	memcpy(buf, to_mem(io)->buf + off, len);
	return 0;
}

static int ns_io_mem_write(struct ns_io *io, const void *buf, size_t len,
			   uint64_t off)
{
	struct ns_io_mem *m = to_mem(io);

	if (m->armed && (m->crashed || m->writes >= m->crash_at)) {
		if (!m->crashed && m->torn)
			memcpy(m->buf + off, buf, (len / 2) & ~(size_t)7);
		m->crashed = true;
		return ns_err(-EIO, "write of %zu bytes at offset %" PRIu64
			      ": injected crash", len, off);
	}
	memcpy(m->buf + off, buf, len);
	m->writes++;
	return 0;
}

static int ns_io_mem_persist(struct ns_io *io, uint64_t off, uint64_t len)
{
	struct ns_io_mem *m = to_mem(io);

	if (m->armed && (m->crashed || m->writes >= m->crash_at)) {
		m->crashed = true;
		return ns_err(-EIO, "persist of %" PRIu64 " bytes at offset %"
			      PRIu64 ": injected crash", len, off);
	}
	return 0;
}

static int ns_io_mem_allocate(struct ns_io *io, uint64_t off, uint64_t len)
{
	return 0;
}

static void ns_io_mem_destroy(struct ns_io *io)
{
	struct ns_io_mem *m = to_mem(io);

	free(m->buf);
	free(m);
}

static const struct ns_io_ops ns_io_mem_ops = {
	.read = ns_io_mem_read,
	.write = ns_io_mem_write,
	.persist = ns_io_mem_persist,
	.allocate = ns_io_mem_allocate,
	.destroy = ns_io_mem_destroy,
};

int ns_io_mem_new(uint64_t size, struct ns_io **out)
{
	struct ns_io_mem *m;

	if (size > SIZE_MAX)
		return ns_err(-ENOMEM, "memory io of %" PRIu64
			      " bytes: too large", size);
	m = calloc(1, sizeof(*m));
	if (!m)
		return ns_err(-ENOMEM, "memory io: out of memory");
	m->buf = calloc(1, size ? (size_t)size : 1);
	if (!m->buf) {
		free(m);
		return ns_err(-ENOMEM, "memory io of %" PRIu64
			      " bytes: out of memory", size);
	}
	m->io.ops = &ns_io_mem_ops;
	m->io.size = size;
	*out = &m->io;
	return 0;
}

uint8_t *ns_io_mem_buffer(struct ns_io *io)
{
	return to_mem(io)->buf;
}

unsigned long ns_io_mem_writes(struct ns_io *io)
{
	return to_mem(io)->writes;
}

void ns_io_mem_crash_after(struct ns_io *io, long writes, bool torn)
{
	struct ns_io_mem *m = to_mem(io);

	m->crashed = false;
	m->torn = torn;
	if (writes < 0) {
		m->armed = false;
		return;
	}
	m->armed = true;
	m->crash_at = m->writes + (unsigned long)writes;
}
