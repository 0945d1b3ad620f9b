// SPDX-License-Identifier: MIT
/* The data path's per-thread buffers (thread_buf.h). */
#include <pthread.h>
#include <stdlib.h>

#include "fs/thread_buf.h"

#define BUF_MIN (1u << 20)	/* libfuse's largest request */
#define BUF_ALIGN 4096u		/* a page: O_DIRECT */

struct bufs {
	void *p[FS_THREAD_BUF_COUNT];
	size_t cap[FS_THREAD_BUF_COUNT];
};

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void bufs_free(void *arg)
{
	struct bufs *b = arg;

	for (unsigned i = 0; i < FS_THREAD_BUF_COUNT; i++)
		free(b->p[i]);
	free(b);
}

static void key_init(void)
{
	pthread_key_create(&key, bufs_free);
}

void *fs_thread_buf(enum fs_thread_buf which, size_t len)
{
	struct bufs *b;

	pthread_once(&once, key_init);
	b = pthread_getspecific(key);
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		pthread_setspecific(key, b);
	}
	if (b->cap[which] < len) {
		void *p;
		size_t cap = len < BUF_MIN ? BUF_MIN : len;

		if (posix_memalign(&p, BUF_ALIGN, cap))
			return NULL;
		free(b->p[which]);
		b->p[which] = p;
		b->cap[which] = cap;
	}
	return b->p[which];
}
