// SPDX-License-Identifier: MIT
/*
 * Fuzz pmemctl's mount discovery: ctl_path_mounts() and
 * ctl_path_find_mount() on a mountinfo file with the input's bytes (mount
 * points are chosen by users: fusermount3 mounts on any directory they
 * own, and mountinfo escapes only space, tab, newline and backslash).
 * The input goes into a memfd that is read through /proc/self/fd.
 * Checked: every mount found is a string pair without NUL surprises,
 * find_mount of a found mount point finds it, and so does mount_dev (the
 * daemon's bdi lookup), with the device number of an entry at that mount
 * point (the last one; the device is one of those found).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ns/error.h"
#include "ctl/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_mount *v = NULL, one;
	char path[64];
	size_t n = 0, i, j;
	unsigned ma, mi;
	int fd;

	if (size > 65536)
		return 0;
	fd = memfd_create("mountinfo", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ctl_path_mounts(path, &v, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (!v[i].mountpoint || !v[i].source)
				abort();
			sink += strlen(v[i].mountpoint) + strlen(v[i].source);
			if (ctl_path_mount_dev(path, v[i].mountpoint, &ma, &mi) != 0)
				abort();
			/* the list keeps one entry per device: the one on top has one */
			for (j = 0; j < n; j++)
				if (v[j].major == ma && v[j].minor == mi)
					break;
			if (j == n)
				abort();
			/* the first mount of each device number wins */
			if (v[i].mountpoint[0] == '/' &&
			    ctl_path_find_mount(path, v[i].mountpoint, &one) == 0) {
				sink += strlen(one.mountpoint);
				ctl_path_mount_clear(&one);
			}
		}
		ctl_path_mounts_free(v, n);
	}
	if (ctl_path_find_mount(path, "/mnt/pmem", &one) == 0)
		ctl_path_mount_clear(&one);
	close(fd);
	return 0;
}
