/* SPDX-License-Identifier: MIT */
/*
 * The FUSE receive loop (loop.c): a fixed pool of threads in place of
 * libfuse's fuse_session_loop_mt, receiving requests so that a WRITE's
 * data can go on to O_DIRECT without a copy in the daemon.
 */
#ifndef PMEMFS_FS_LOOP_H
#define PMEMFS_FS_LOOP_H

#include <stdbool.h>

#include "fs/fs_fuse.h"

/*
 * How the loop receives, decided before the session starts (the largest
 * WRITE goes to the kernel in the INIT reply, op_init):
 * - splice with 2 MiB pipes (CAP_SYS_RESOURCE, or fs.pipe-max-size raised):
 *   WRITEs of up to 1 MiB, no copy;
 * - splice with 1 MiB pipes (anyone, default pipe-max-size): a request
 *   (a page of header + the data pages) must fit 256 slots, so WRITEs of
 *   up to 512 KiB (a power of two: read-ahead and write-back windows of
 *   1 MiB split evenly), no copy;
 * - read(2) (splice=off, or no pipe that size): WRITEs of up to 1 MiB,
 *   copied once by the kernel into a page-aligned payload.
 */
struct fs_loop_plan {
	bool splice;
	unsigned pipe_size;	/* bytes, splice only */
	unsigned max_write;	/* bytes */
	char why[160];		/* how it was chosen, for the log */
};

void fs_loop_plan(bool want_splice, struct fs_loop_plan *plan);

/*
 * From a request handler: the request's data is out of the thread's pipe
 * (a WRITE that was written). Otherwise the loop checks the pipe after
 * the request and replaces it when anything is left.
 */
void fs_loop_pipe_drained(void);

/*
 * Serve se with nthreads threads (the caller's thread is one of them)
 * until the session exits: unmount (ENODEV), or fuse_session_exit() and
 * SIGUSR1 to the caller's thread (its handler must not restart system
 * calls). 0, or the first receive error.
 */
int fs_loop_run(struct fuse_session *se, unsigned nthreads,
		const struct fs_loop_plan *plan);

#endif
