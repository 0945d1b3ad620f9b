// SPDX-License-Identifier: MIT
/*
 * pmem2_gran: map a namespace file with libpmem2 requiring a store
 * granularity, and optionally write and persist a pattern through it.
 *
 *   pmem2_gran FILE byte|cache-line|page [OFF LEN SEED [hold]]
 *
 * Prints "mapped SIZE bytes, store granularity G" once pmem2_map_new()
 * succeeded, then with OFF LEN SEED copies nsio's pattern SEED (so
 * `nsio verify` checks it) with the map's memcpy function, which persists
 * before it returns, and prints "persisted LEN bytes at OFF". With hold it
 * then waits to be killed, mapping in place.
 *
 * Exit status: 0 done; 1 libpmem2 refused (its message on stderr, e.g.
 * the granularity pmemfs cannot give: it refuses MAP_SYNC); 2 usage.
 */
#include <libpmem2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the example programs' map and unmap (from the repository root) */
#include "contrib/examples/pmem2_file.h"

/* byte i of nsio's pattern SEED (tests/integration/fs/nsio.c) */
static uint8_t pat(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ull + (i / 8) + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (uint8_t)(z >> ((i % 8) * 8));
}

/* the granularities by the names of the command line and of the output */
static const struct {
	const char *name;
	enum pmem2_granularity g;
} grans[] = {
	{ "byte", PMEM2_GRANULARITY_BYTE },
	{ "cache-line", PMEM2_GRANULARITY_CACHE_LINE },
	{ "page", PMEM2_GRANULARITY_PAGE },
};
#define NGRANS (sizeof(grans) / sizeof(grans[0]))

static const char *gran_name(enum pmem2_granularity g)
{
	for (size_t k = 0; k < NGRANS; k++)
		if (grans[k].g == g)
			return grans[k].name;
	return "unknown";
}

int main(int argc, char **argv)
{
	struct pmem2_file f;
	size_t k;
	uint64_t off, len, seed, i;
	uint8_t *buf;
	int ret = 1;

	if (argc != 3 && argc != 6 && argc != 7) {
		fprintf(stderr, "usage: pmem2_gran FILE byte|cache-line|page [OFF LEN SEED [hold]]\n");
		return 2;
	}
	for (k = 0; k < NGRANS && strcmp(argv[2], grans[k].name); k++)
		;
	if (k == NGRANS) {
		fprintf(stderr, "pmem2_gran: unknown granularity '%s'\n", argv[2]);
		return 2;
	}
	if (pmem2_file_map(&f, argv[1], grans[k].g, "pmem2_gran"))
		goto out;
	printf("mapped %zu bytes, store granularity %s\n", pmem2_map_get_size(f.map),
	       gran_name(pmem2_map_get_store_granularity(f.map)));
	fflush(stdout);
	if (argc == 3) {
		ret = 0;
		goto out;
	}
	off = strtoull(argv[3], NULL, 0);
	len = strtoull(argv[4], NULL, 0);
	seed = strtoull(argv[5], NULL, 0);
	if (off > pmem2_map_get_size(f.map) || len > pmem2_map_get_size(f.map) - off) {
		fprintf(stderr, "pmem2_gran: range %llu+%llu is past the end of '%s'\n",
			(unsigned long long)off, (unsigned long long)len, argv[1]);
		goto out;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		perror("malloc");
		goto out;
	}
	for (i = 0; i < len; i++)
		buf[i] = pat(seed, i);
	/* flags 0: copy, then persist (msync(MS_SYNC) at PAGE granularity) */
	pmem2_get_memcpy_fn(f.map)((char *)pmem2_map_get_address(f.map) + off, buf, len, 0);
	free(buf);
	printf("persisted %llu bytes at %llu\n", (unsigned long long)len,
	       (unsigned long long)off);
	fflush(stdout);
	if (argc == 7 && !strcmp(argv[6], "hold")) {
		for (;;)
			pause();
	}
	ret = 0;
out:
	pmem2_file_unmap(&f);
	return ret;
}
