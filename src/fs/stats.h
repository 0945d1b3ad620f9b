/* SPDX-License-Identifier: MIT */
/*
 * Per-namespace counters, updated lock-free (relaxed atomics) on the
 * request path and read as a snapshot by the stats command.
 */
#ifndef PMEMFS_FS_STATS_H
#define PMEMFS_FS_STATS_H

#include <stdint.h>

enum fs_op {
	FS_OP_LOOKUP,
	FS_OP_OPEN,
	FS_OP_RELEASE,
	FS_OP_READ,
	FS_OP_WRITE,
	FS_OP_FLUSH,
	FS_OP_FSYNC,
	FS_OP_FALLOCATE,
	FS_OP_SETATTR,
	FS_OP_GETATTR,
	FS_OP_NR,
};

/*
 * flush latency buckets as the control protocol's (src/ctl/proto.h):
 * [i] counts [2^i, 2^(i+1)) us, [0] also < 1 us, the last everything above
 */
#define FS_LAT_BUCKETS 24

struct fs_stats {
	uint64_t reqs[FS_OP_NR];
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t bytes_persisted;	/* bytes covered by completed persists */
	uint64_t fsyncs;		/* FSYNC requests answered */
	uint64_t persists;		/* persist passes (fsync, last close, exit) */
	uint64_t errors;		/* requests answered with an error */
	uint64_t flush_lat[FS_LAT_BUCKETS];
	uint64_t flush_ns_total;	/* sum of persist latencies, ns */
};

const char *fs_op_name(enum fs_op op);

void fs_stats_req(struct fs_stats *s, enum fs_op op);
void fs_stats_add(uint64_t *counter, uint64_t v);
void fs_stats_flush_latency(struct fs_stats *s, uint64_t nsec);

/* upper bound (exclusive) in microseconds of bucket i (UINT64_MAX for the last) */
uint64_t fs_stats_bucket_us(unsigned i);

/* A consistent-enough copy for reporting (each counter read atomically). */
void fs_stats_snapshot(const struct fs_stats *s, struct fs_stats *out);

#endif
