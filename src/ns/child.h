/* SPDX-License-Identifier: MIT */
/* A child process that reports back to its parent over a pipe. */
#ifndef PMEMFS_NS_CHILD_H
#define PMEMFS_NS_CHILD_H

#include <sys/types.h>

/*
 * fork(2) with a pipe from the child to the parent, both ends
 * close-on-exec. In the child: returns 0, *fd is the pipe's write end. In
 * the parent: returns the child's pid, *fd is the read end. -errno when no
 * child was made (then nothing is left open).
 */
pid_t ns_fork_piped(int *fd);

#endif
