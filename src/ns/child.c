/* SPDX-License-Identifier: MIT */
/*
 * A child process with a pipe back to its parent: the daemon runs calls that
 * may hang on a FUSE mount (statfs of a mount point, syncfs and fsync of its
 * own files) in one, so that it can stop waiting or keep serving.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ns/child.h"

pid_t ns_fork_piped(int *fd)
{
	int p[2], rc;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(p[0]);
		close(p[1]);
		return rc;
	}
	/* the child writes, the parent reads */
	close(p[pid == 0 ? 0 : 1]);
	*fd = p[pid == 0 ? 1 : 0];
	return pid;
}
