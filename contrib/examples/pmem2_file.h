/* SPDX-License-Identifier: MIT */
/*
 * pmem2_file.h: open and map a file with libpmem2, and undo it, for the
 * example programs beside it (and pmemfs's own libpmem2 test).
 *
 *   struct pmem2_file f;
 *
 *   if (pmem2_file_map(&f, path, PMEM2_GRANULARITY_PAGE, "prog") == 0) {
 *           ... pmem2_map_get_address(f.map), pmem2_get_memcpy_fn(f.map) ...
 *   }
 *   pmem2_file_unmap(&f);
 *
 * On pmemfs only PAGE granularity can be had: pmemfs refuses MAP_SYNC (as
 * virtio-pmem does), so libpmem2's persist is msync(MS_SYNC).
 */
#ifndef PMEMFS_EXAMPLES_PMEM2_FILE_H
#define PMEMFS_EXAMPLES_PMEM2_FILE_H

#include <fcntl.h>
#include <libpmem2.h>
#include <stdio.h>
#include <unistd.h>

struct pmem2_file {
	int fd;
	struct pmem2_config *cfg;
	struct pmem2_source *src;
	struct pmem2_map *map;
};

/*
 * Open path read-write and map it whole, requiring store granularity g.
 * 0, or -1 after saying why on stderr (perror(path) when it cannot be
 * opened, else "prog: " and libpmem2's message). Either way
 * pmem2_file_unmap(f) releases what was made.
 */
static inline int pmem2_file_map(struct pmem2_file *f, const char *path,
				 enum pmem2_granularity g, const char *prog)
{
	f->cfg = NULL;
	f->src = NULL;
	f->map = NULL;
	f->fd = open(path, O_RDWR);
	if (f->fd < 0) {
		perror(path);
		return -1;
	}
	if (pmem2_config_new(&f->cfg) || pmem2_source_from_fd(&f->src, f->fd) ||
	    pmem2_config_set_required_store_granularity(f->cfg, g) ||
	    pmem2_map_new(&f->map, f->cfg, f->src)) {
		fprintf(stderr, "%s: %s\n", prog, pmem2_errormsg());
		return -1;
	}
	return 0;
}

static inline void pmem2_file_unmap(struct pmem2_file *f)
{
	if (f->map)
		pmem2_map_delete(&f->map);
	pmem2_source_delete(&f->src);
	pmem2_config_delete(&f->cfg);
	if (f->fd >= 0)
		close(f->fd);
}

#endif
