/* SPDX-License-Identifier: MIT */
/*
 * crash_demo: an append-only log on pmem with libpmem2, built twice: as
 * crash_demo_buggy, with a deliberate missing flush, and as crash_demo
 * (-DCRASH_DEMO_FIXED), which flushes in the right order. pmemctl
 * crash-test finds the bug:
 *
 *   pmemctl create-namespace -s 4M -n log --crash-test
 *   crash_demo init /mnt/pmem/region0/log
 *   pmemctl crash-test log --runs 20 -- crash_demo_buggy append {} 32 \
 *           --check crash_demo check {}
 *
 *   crash_demo[_buggy] init FILE       an empty log (header persisted)
 *   crash_demo[_buggy] append FILE N   append N records
 *   crash_demo[_buggy] check FILE      exit 0 when every record the header
 *                                      counts is intact, else 1 and why
 *
 * Layout: the header (magic, count) in the first 4 KiB page, records of
 * 256 bytes from offset 4096 (16 a page). Appending is: write the record,
 * then count = count + 1. The count must never be durable before the
 * record it counts. The buggy version persists only the header; the
 * record stays in the page cache, so a power failure after the header's
 * flush leaves a count that points at a record that never reached the
 * medium. The fixed version persists the record first.
 *
 * pmemfs refuses MAP_SYNC, so libpmem2's store granularity is PAGE and
 * persist is msync(MS_SYNC) of the range: an FSYNC for the daemon.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <libpmem2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MAGIC 0x474f4c4f4d454450ull	/* "PDEMOLOG" */
#define REC_MAGIC 0x4345524f4d454450ull	/* "PDEMOREC" */
#define REC_OFF 4096u
#define REC_SIZE 256u

struct log_header {
	uint64_t magic;
	uint64_t count;
};

struct log_record {
	uint64_t magic;
	uint64_t index;
	uint64_t sum;		/* of index and payload */
	char payload[REC_SIZE - 24];
};

static uint64_t rec_sum(const struct log_record *r)
{
	uint64_t h = 0xcbf29ce484222325ull ^ r->index;
	size_t i;

	for (i = 0; i < sizeof(r->payload); i++)
		h = (h ^ (unsigned char)r->payload[i]) * 0x100000001b3ull;
	return h;
}

struct log {
	int fd;
	struct pmem2_config *cfg;
	struct pmem2_source *src;
	struct pmem2_map *map;
	void *base;		/* page-aligned: the records' alignment holds */
	size_t size;
	pmem2_persist_fn persist;
};

static int log_open(struct log *l, const char *file)
{
	memset(l, 0, sizeof(*l));
	l->fd = open(file, O_RDWR);
	if (l->fd < 0) {
		perror(file);
		return -1;
	}
	if (pmem2_config_new(&l->cfg) || pmem2_source_from_fd(&l->src, l->fd) ||
	    pmem2_config_set_required_store_granularity(l->cfg, PMEM2_GRANULARITY_PAGE) ||
	    pmem2_map_new(&l->map, l->cfg, l->src)) {
		fprintf(stderr, "crash_demo: %s: %s\n", file, pmem2_errormsg());
		return -1;
	}
	l->base = pmem2_map_get_address(l->map);
	l->size = pmem2_map_get_size(l->map);
	l->persist = pmem2_get_persist_fn(l->map);
	return 0;
}

static void log_close(struct log *l)
{
	if (l->map)
		pmem2_map_delete(&l->map);
	pmem2_source_delete(&l->src);
	pmem2_config_delete(&l->cfg);
	if (l->fd >= 0)
		close(l->fd);
}

static struct log_header *log_header(const struct log *l)
{
	return l->base;
}

static struct log_record *log_record(const struct log *l, uint64_t i)
{
	void *p = (char *)l->base + REC_OFF + i * REC_SIZE;

	return p;
}

static uint64_t log_capacity(const struct log *l)
{
	return (l->size - REC_OFF) / REC_SIZE;
}

static int cmd_init(struct log *l)
{
	struct log_header *h = log_header(l);

	h->magic = LOG_MAGIC;
	h->count = 0;
	l->persist(h, sizeof(*h));
	return 0;
}

static int cmd_append(struct log *l, uint64_t n)
{
	struct log_header *h = log_header(l);
	uint64_t k;

	if (h->magic != LOG_MAGIC) {
		fprintf(stderr, "crash_demo: no log here (run init first)\n");
		return 1;
	}
	for (k = 0; k < n; k++) {
		uint64_t i = h->count;
		struct log_record *r;

		if (i >= log_capacity(l)) {
			fprintf(stderr, "crash_demo: the log is full (%" PRIu64 " records)\n", i);
			return 1;
		}
		r = log_record(l, i);
		r->magic = REC_MAGIC;
		r->index = i;
		snprintf(r->payload, sizeof(r->payload), "record %" PRIu64 " of pid %d", i,
			 (int)getpid());
		r->sum = rec_sum(r);
#ifdef CRASH_DEMO_FIXED
		/* the record is durable before anything points at it */
		l->persist(r, sizeof(*r));
#endif
		/* BUG (crash_demo_buggy): the record above was never flushed */
		h->count = i + 1;
		l->persist(&h->count, sizeof(h->count));
	}
	return 0;
}

static int cmd_check(struct log *l)
{
	const struct log_header *h = log_header(l);
	uint64_t i;

	if (h->magic != LOG_MAGIC) {
		printf("no log header\n");
		return 1;
	}
	if (h->count > log_capacity(l)) {
		printf("count %" PRIu64 " is past the end of the log\n", h->count);
		return 1;
	}
	for (i = 0; i < h->count; i++) {
		const struct log_record *r = log_record(l, i);

		if (r->magic != REC_MAGIC || r->index != i || r->sum != rec_sum(r)) {
			printf("record %" PRIu64 " of %" PRIu64 " is missing or torn\n", i,
			       h->count);
			return 1;
		}
	}
	printf("%" PRIu64 " records, all intact\n", h->count);
	return 0;
}

int main(int argc, char **argv)
{
	struct log l;
	int rc;

	if (argc < 3 || (!strcmp(argv[1], "append") && argc != 4)) {
		fprintf(stderr, "usage: %s init|check FILE | append FILE N\n", argv[0]);
		return 2;
	}
	if (log_open(&l, argv[2]) < 0) {
		log_close(&l);
		return 1;
	}
	if (!strcmp(argv[1], "init"))
		rc = cmd_init(&l);
	else if (!strcmp(argv[1], "append"))
		rc = cmd_append(&l, strtoull(argv[3], NULL, 0));
	else if (!strcmp(argv[1], "check"))
		rc = cmd_check(&l);
	else
		rc = 2;
	log_close(&l);
	return rc;
}
