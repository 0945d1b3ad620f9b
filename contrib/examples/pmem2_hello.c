/* SPDX-License-Identifier: MIT */
/*
 * pmem2_hello: write a message into a pmem namespace file with libpmem2 and
 * make it durable, as a pmem application would on pmemfs.
 *
 *   pmem2_hello FILE [MESSAGE] [OFFSET]
 *
 * pmemfs refuses MAP_SYNC (as virtio-pmem does), so libpmem2 reports the
 * PAGE store granularity and its persist function is msync(MS_SYNC), which
 * reaches the daemon as FSYNC: the daemon answers only when the bytes are
 * on the backing medium.
 */
#include <libpmem2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmem2_file.h"

static const char *granularity_name(enum pmem2_granularity g)
{
	switch (g) {
	case PMEM2_GRANULARITY_BYTE:
		return "byte";
	case PMEM2_GRANULARITY_CACHE_LINE:
		return "cache line";
	case PMEM2_GRANULARITY_PAGE:
		return "page";
	}
	return "unknown";
}

int main(int argc, char **argv)
{
	struct pmem2_file f;
	const char *msg = argc > 2 ? argv[2] : "hello from libpmem2 on pmemfs";
	unsigned long long off = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
	int ret = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [MESSAGE] [OFFSET]\n", argv[0]);
		return 2;
	}
	if (pmem2_file_map(&f, argv[1], PMEM2_GRANULARITY_PAGE, "pmem2_hello"))
		goto out;
	if (off + strlen(msg) + 1 > pmem2_map_get_size(f.map)) {
		fprintf(stderr, "pmem2_hello: offset %llu is past the end of '%s'\n",
			off, argv[1]);
		goto out;
	}

	char *addr = pmem2_map_get_address(f.map);
	pmem2_memcpy_fn memcpy_fn = pmem2_get_memcpy_fn(f.map);

	/* copy and persist in one call: on pmemfs this ends in msync(MS_SYNC) */
	memcpy_fn(addr + off, msg, strlen(msg) + 1, 0);
	printf("wrote %zu bytes at offset %llu of %s (store granularity: %s), persisted\n",
	       strlen(msg) + 1, off, argv[1],
	       granularity_name(pmem2_map_get_store_granularity(f.map)));
	ret = 0;
out:
	pmem2_file_unmap(&f);
	return ret;
}
