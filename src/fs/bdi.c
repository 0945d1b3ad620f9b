// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/bdi.h"
#include "fs/log.h"
#include "ctl/path.h"

int fs_bdi_find(const char *mountpoint, const char *fstype, unsigned *major,
		unsigned *minor)
{
	/* src/ctl/path.c's mountinfo parser, which knows pmemfs mounts only */
	if (strcmp(fstype, CTL_MOUNT_FSTYPE) != 0)
		return -ENOENT;
	return ctl_path_mount_dev(NULL, mountpoint, major, minor);
}

static int bdi_write(const char *dir, const char *attr, int value)
{
	char path[128], buf[32];
	int fd, len, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", value);
	if (write(fd, buf, (size_t)len) != len)
		rc = -errno;
	close(fd);
	return rc;
}

/* the value of dir/attr as the kernel reports it: 0, or -errno */
static int bdi_read(const char *dir, const char *attr, long *value)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return sscanf(buf, "%ld", value) == 1 ? 0 : -EIO;
}

void fs_bdi_configure(unsigned major, unsigned minor, const struct fs_bdi_opts *o,
		      char *summary, size_t len)
{
	static const struct {
		const char *attr;
		const char *why;
		const char *missing;	/* what holds instead, for the summary */
	} attrs[] = {
		{ "strict_limit", "Linux >= 6.2",
		  "the kernel's FUSE strict limit stays on" },
		{ "max_ratio", "", "the kernel's FUSE default (1%) stays" },
		{ "read_ahead_kb", "", "the kernel's default stays" },
	};
	int values[3] = { o->strict_limit, o->max_ratio, o->readahead_kb };
	char dir[64], set[160] = "";
	size_t i, s = 0;

	if (summary && len)
		summary[0] = '\0';
	snprintf(dir, sizeof(dir), "/sys/class/bdi/%u:%u", major, minor);
	for (i = 0; i < 3; i++) {
		long now;
		int rc = 0;

		if (values[i] >= 0) {
			rc = bdi_write(dir, attrs[i].attr, values[i]);
			if (rc == -ENOENT)
				fs_warn("bdi %u:%u: the kernel has no %s%s%s%s: left as it is",
					major, minor, attrs[i].attr, *attrs[i].why ? " (" : "",
					attrs[i].why, *attrs[i].why ? ")" : "");
			else if (rc < 0)
				fs_warn("bdi %u:%u: cannot set %s=%d: %s", major, minor,
					attrs[i].attr, values[i], strerror(-rc));
			else
				snprintf(set + strlen(set), sizeof(set) - strlen(set),
					 "%s%s=%d", *set ? " " : "", attrs[i].attr, values[i]);
		}
		if (!summary || s >= len)
			continue;
		/* what is in force: read back, whatever was written */
		rc = bdi_read(dir, attrs[i].attr, &now);
		if (rc == 0)
			s += (size_t)snprintf(summary + s, len - s, "%s%s=%ld",
					      s ? ", " : "", attrs[i].attr, now);
		else if (rc == -ENOENT)
			s += (size_t)snprintf(summary + s, len - s, "%sno %s on this kernel%s%s%s "
					      "(%s)", s ? ", " : "", attrs[i].attr,
					      *attrs[i].why ? " (" : "", attrs[i].why,
					      *attrs[i].why ? ")" : "", attrs[i].missing);
		else
			s += (size_t)snprintf(summary + s, len - s, "%s%s unreadable (%s)",
					      s ? ", " : "", attrs[i].attr, strerror(-rc));
	}
	if (*set)
		fs_info("bdi %u:%u: %s", major, minor, set);
}
