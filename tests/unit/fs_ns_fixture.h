/* SPDX-License-Identifier: MIT */
/*
 * For the unit tests of the data path: a core region (8 MiB) with one
 * namespace "data" (4 MiB) in a new temporary directory, served as an
 * fs_ns over a given region layout (struct fs_region_ops). Include it
 * once, after cmocka.h, the core's and src/fs's headers.
 */
#ifndef PMEMFS_TEST_FS_NS_FIXTURE_H
#define PMEMFS_TEST_FS_NS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

static char tmpdir[256];
static char rpath[512];
static struct ns_region *region;
static struct ns_namespace *core;
static struct fs_rio *rio;
static struct fs_ns ns;
static const struct fs_region_ops *fixture_ops;

/* tag names the temporary directory: pmemfs-test-TAG-XXXXXX */
static int fixture_setup(const struct fs_region_ops *ops, const char *tag)
{
	const char *t = getenv("TMPDIR");
	struct ns_region_create_opts c = { .size = 8ULL << 20 };
	struct ns_namespace_create_opts o = { .size = 4ULL << 20, .name = "data" };

	fixture_ops = ops;
	snprintf(tmpdir, sizeof(tmpdir), "%s/pmemfs-test-%s-XXXXXX", t && *t ? t : "/tmp", tag);
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(rpath, sizeof(rpath), "%s/region0", tmpdir);
	if (ns_region_create(rpath, &c, NULL, &region) < 0) {
		print_error("region: %s\n", ns_errormsg());
		return -1;
	}
	if (ns_namespace_create(region, &o, &core) < 0) {
		print_error("namespace: %s\n", ns_errormsg());
		return -1;
	}
	if (ops->open(region, FS_BACKING_AUTO, &rio) < 0)
		return -1;
	return fs_ns_init(&ns, core, ops, rio);
}

static int fixture_teardown(void)
{
	char cmd[600];

	fs_ns_fini(&ns);
	fixture_ops->close(rio);
	ns_region_close(&region);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* a pattern of seed over len bytes (seed 0 is not zeroes) */
static void fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 9));
}

#endif
