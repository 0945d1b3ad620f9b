// SPDX-License-Identifier: MIT
/*
 * Flush workers: last-RELEASE persists and FSYNCs with much buffered dirty
 * data run here so that the FUSE loop keeps serving (a long flush of one
 * namespace never stalls another's requests) and reply from here when done.
 * A small FSYNC is answered on the loop thread (fs_ops.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"
#include "fs/log.h"

struct fs_job {
	struct fs_job *next;
	void (*fn)(void *arg);
	void *arg;
};

struct fs_worker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct fs_job *head, *tail;
	bool stop;
	unsigned nthreads;
	pthread_t threads[];
};

static void *worker_main(void *arg)
{
	struct fs_worker *w = arg;
	struct fs_job *j;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		j = w->head;
		if (j) {
			w->head = j->next;
			if (!w->head)
				w->tail = NULL;
		}
		pthread_mutex_unlock(&w->lock);
		if (!j)
			return NULL;	/* stopping and drained */
		j->fn(j->arg);
		free(j);
	}
}

int fs_worker_start(unsigned nthreads, struct fs_worker **out)
{
	struct fs_worker *w;
	unsigned i;
	int rc;

	if (nthreads == 0)
		nthreads = 1;
	w = calloc(1, sizeof(*w) + nthreads * sizeof(w->threads[0]));
	if (!w)
		return -ENOMEM;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	for (i = 0; i < nthreads; i++) {
		rc = pthread_create(&w->threads[i], NULL, worker_main, w);
		if (rc) {
			fs_err("cannot start flush thread: %s", strerror(rc));
			w->nthreads = i;
			fs_worker_stop(&w);
			return -rc;
		}
		w->nthreads = i + 1;
	}
	*out = w;
	return 0;
}

void fs_worker_submit(struct fs_worker *w, void (*fn)(void *arg), void *arg)
{
	struct fs_job *j = w ? malloc(sizeof(*j)) : NULL;

	if (!j) {
		fn(arg);
		return;
	}
	j->next = NULL;
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void fs_worker_stop(struct fs_worker **wp)
{
	struct fs_worker *w = *wp;
	unsigned i;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
	*wp = NULL;
}
