// SPDX-License-Identifier: MIT
#include <string.h>

#include "fs/stats.h"

static const char *const op_names[FS_OP_NR] = {
	[FS_OP_LOOKUP] = "lookup",
	[FS_OP_OPEN] = "open",
	[FS_OP_RELEASE] = "release",
	[FS_OP_READ] = "read",
	[FS_OP_WRITE] = "write",
	[FS_OP_FLUSH] = "flush",
	[FS_OP_FSYNC] = "fsync",
	[FS_OP_FALLOCATE] = "fallocate",
	[FS_OP_SETATTR] = "setattr",
	[FS_OP_GETATTR] = "getattr",
};

const char *fs_op_name(enum fs_op op)
{
	return (unsigned)op < FS_OP_NR ? op_names[op] : "unknown";
}

void fs_stats_add(uint64_t *counter, uint64_t v)
{
	__atomic_fetch_add(counter, v, __ATOMIC_RELAXED);
}

void fs_stats_req(struct fs_stats *s, enum fs_op op)
{
	if ((unsigned)op < FS_OP_NR)
		fs_stats_add(&s->reqs[op], 1);
}

uint64_t fs_stats_bucket_us(unsigned i)
{
	if (i >= FS_LAT_BUCKETS - 1)
		return UINT64_MAX;
	return 2ull << i;
}

void fs_stats_flush_latency(struct fs_stats *s, uint64_t nsec)
{
	uint64_t us = nsec / 1000;
	unsigned i = 0;

	if (us)
		i = 63u - (unsigned)__builtin_clzll(us);	/* floor(log2(us)) */
	if (i > FS_LAT_BUCKETS - 1)
		i = FS_LAT_BUCKETS - 1;
	fs_stats_add(&s->flush_lat[i], 1);
	fs_stats_add(&s->flush_ns_total, nsec);
}

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void fs_stats_snapshot(const struct fs_stats *s, struct fs_stats *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < FS_OP_NR; i++)
		out->reqs[i] = load(&s->reqs[i]);
	for (i = 0; i < FS_LAT_BUCKETS; i++)
		out->flush_lat[i] = load(&s->flush_lat[i]);
	out->bytes_read = load(&s->bytes_read);
	out->bytes_written = load(&s->bytes_written);
	out->bytes_persisted = load(&s->bytes_persisted);
	out->fsyncs = load(&s->fsyncs);
	out->persists = load(&s->persists);
	out->errors = load(&s->errors);
	out->flush_ns_total = load(&s->flush_ns_total);
}
