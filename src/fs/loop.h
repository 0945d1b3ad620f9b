/* SPDX-License-Identifier: MIT */
/*
 * The FUSE receive loop (loop.c): a fixed pool of threads in place of
 * libfuse's fuse_session_loop_mt, receiving requests so that a WRITE's
 * data can go on to O_DIRECT without a copy in the daemon.
 */
#ifndef PMEMFS_FS_LOOP_H
#define PMEMFS_FS_LOOP_H

#include <stdbool.h>

#include "fs_fuse.h"

/*
 * The largest WRITE the kernel may send (op_init sets conn->max_write):
 * 255 pages, so that a request (one page of header + its data pages)
 * fits the 256 slots of a 1 MiB pipe, the largest pipe anyone may make
 * without CAP_SYS_RESOURCE on a default /proc/sys/fs/pipe-max-size.
 */
#define FS_LOOP_MAX_WRITE (255u * 4096u)

/*
 * Serve se with nthreads threads (the caller's thread is one of them)
 * until the session exits: unmount (ENODEV), or fuse_session_exit() and
 * SIGUSR1 to the caller's thread (its handler must not restart system
 * calls). splice: receive through a pipe per thread (zero-copy write-back),
 * else read(2) into page-aligned buffers. 0, or the first receive error.
 */
int fs_loop_run(struct fuse_session *se, unsigned nthreads, bool splice);

#endif
