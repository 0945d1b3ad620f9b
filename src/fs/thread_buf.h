/* SPDX-License-Identifier: MIT */
/*
 * The data path's page-aligned per-thread buffers, one per use: a WRITE's
 * data drained from libfuse's pipe (data.c) and the O_DIRECT bounce and
 * READ buffer (extent_io.c); one request can need both, so they are two.
 * Each grows to the largest request its thread served and is freed when
 * the thread ends (a __thread pointer leaked it: ASan's leak check at
 * every unmount).
 */
#ifndef PMEMFS_FS_THREAD_BUF_H
#define PMEMFS_FS_THREAD_BUF_H

#include <stddef.h>

enum fs_thread_buf {
	FS_THREAD_BUF_PIPE,	/* data.c: a WRITE drained from the pipe */
	FS_THREAD_BUF_IO,	/* extent_io.c: O_DIRECT bounce, READ */
	FS_THREAD_BUF_COUNT
};

/*
 * The calling thread's buffer which, page-aligned (O_DIRECT may write
 * it), of at least len bytes: valid until the thread's next call for the
 * same which; NULL when out of memory.
 */
void *fs_thread_buf(enum fs_thread_buf which, size_t len);

#endif
