// SPDX-License-Identifier: MIT
/*
 * The undo log (undo.h): saved pages, a bitmap of them, a pool of page
 * buffers reused from one FSYNC to the next.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/undo.h"

void fs_undo_init(struct fs_undo *u)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->saved_cond, NULL);
}

static void pool_free_all(struct fs_undo *u)
{
	size_t i;

	for (i = 0; i < u->npool; i++)
		free(u->pool[i]);
	free(u->pool);
	u->pool = NULL;
	u->npool = u->cappool = 0;
}

/* u->lock held: every saved page goes back to the pool */
static void drop_locked(struct fs_undo *u)
{
	size_t i;

	if (!u->saved)
		return;
	if (u->nlog > u->npages / 64) {
		memset(u->saved, 0, (u->npages + 63) / 64 * sizeof(uint64_t));
	} else {
		for (i = 0; i < u->nlog; i++)
			if (u->log[i].buf)
				__atomic_and_fetch(&u->saved[u->log[i].page / 64],
						   ~(UINT64_C(1) << (u->log[i].page % 64)),
						   __ATOMIC_RELAXED);
	}
	for (i = 0; i < u->nlog; i++) {
		if (!u->log[i].buf)
			continue;
		if (u->npool == u->cappool) {
			size_t cap = u->cappool ? u->cappool * 2 : 64;
			void **p = realloc(u->pool, cap * sizeof(*p));

			if (!p) {
				free(u->log[i].buf);
				continue;
			}
			u->pool = p;
			u->cappool = cap;
		}
		u->pool[u->npool++] = u->log[i].buf;
	}
	u->nlog = 0;
}

void fs_undo_stop(struct fs_undo *u)
{
	pthread_mutex_lock(&u->lock);
	drop_locked(u);
	pool_free_all(u);
	free(u->log);
	u->log = NULL;
	u->caplog = 0;
	free(u->saved);
	u->saved = u->saving = NULL;
	free(u->touched);
	u->touched = NULL;
	u->max = 0;
	u->full = false;
	u->npages = 0;
	pthread_mutex_unlock(&u->lock);
}

void fs_undo_fini(struct fs_undo *u)
{
	fs_undo_stop(u);
	pthread_cond_destroy(&u->saved_cond);
	pthread_mutex_destroy(&u->lock);
}

int fs_undo_start(struct fs_undo *u, uint64_t npages)
{
	int rc = 0;

	pthread_mutex_lock(&u->lock);
	u->npages = npages;
	/* one allocation: saved bits, then saving bits */
	u->saved = calloc(2 * ((npages + 63) / 64 + 1), sizeof(uint64_t));
	u->saving = u->saved ? u->saved + (npages + 63) / 64 + 1 : NULL;
	if (!u->saved)
		rc = -ENOMEM;
	u->nlog = 0;
	pthread_mutex_unlock(&u->lock);
	return rc;
}

void fs_undo_bound(struct fs_undo *u, size_t max)
{
	pthread_mutex_lock(&u->lock);
	u->max = max;
	u->full = false;
	pthread_mutex_unlock(&u->lock);
}

int fs_undo_start_baseline(struct fs_undo *u, uint64_t npages, size_t max)
{
	uint64_t *t = calloc((npages + 63) / 64 + 1, sizeof(uint64_t));
	int rc;

	if (!t)
		return -ENOMEM;
	rc = fs_undo_start(u, npages);
	if (rc) {
		free(t);
		return rc;
	}
	pthread_mutex_lock(&u->lock);
	u->touched = t;
	pthread_mutex_unlock(&u->lock);
	fs_undo_bound(u, max);
	return 0;
}

bool fs_undo_on(const struct fs_undo *u)
{
	return u->saved != NULL;
}

static bool page_saved(const struct fs_undo *u, uint64_t p)
{
	return __atomic_load_n(&u->saved[p / 64], __ATOMIC_ACQUIRE) & (UINT64_C(1) << (p % 64));
}

bool fs_undo_saves_new(const struct fs_undo *u, uint64_t off, uint64_t len)
{
	uint64_t p, last;

	if (len == 0 || !u->saved)
		return false;
	last = (off + len - 1) / FS_PAGE;
	for (p = off / FS_PAGE; p <= last; p++)
		if (!page_saved(u, p))
			return true;
	return false;
}

/*
 * A bounded save of pages first..last fits: the pages not saved yet, with
 * the log's, are at most u->max; else u->full set and nothing saved (a
 * refused change leaves no page of it logged; saves running at the same
 * time may still fill the log first: the loop checks each page too)
 */
static bool room_for(struct fs_undo *u, uint64_t first, uint64_t last)
{
	size_t want = 0;
	bool ok = true;
	uint64_t p;

	for (p = first; p <= last && page_saved(u, p); p++)
		;
	if (p > last)
		return true;	/* all saved already: the common rewrite, no lock */
	pthread_mutex_lock(&u->lock);
	for (p = first; p <= last && ok; p++) {
		want += !page_saved(u, p);
		ok = u->nlog + want <= u->max;
	}
	if (!ok)
		u->full = true;
	pthread_mutex_unlock(&u->lock);
	return ok;
}

static int undo_save(struct fs_undo *u, uint64_t off, uint64_t len, fs_undo_io_fn read,
		     void *arg, bool bounded)
{
	uint64_t p, last, bit;
	int rc = 0;

	if (len == 0)
		return 0;
	last = (off + len - 1) / FS_PAGE;
	if (bounded && u->max && !room_for(u, off / FS_PAGE, last))
		return -ENOSPC;
	for (p = off / FS_PAGE; p <= last && rc == 0; p++) {
		struct fs_undo_page *e;
		size_t slot;
		void *buf;

		bit = UINT64_C(1) << (p % 64);
		if (u->touched)
			__atomic_or_fetch(&u->touched[p / 64], bit, __ATOMIC_RELAXED);
		if (page_saved(u, p))
			continue;
		pthread_mutex_lock(&u->lock);
		while (!page_saved(u, p) && (u->saving[p / 64] & bit))
			pthread_cond_wait(&u->saved_cond, &u->lock);
		if (page_saved(u, p)) {
			pthread_mutex_unlock(&u->lock);
			continue;
		}
		if (bounded && u->max && u->nlog >= u->max) {
			u->full = true;
			pthread_mutex_unlock(&u->lock);
			rc = -ENOSPC;
			break;
		}
		if (u->nlog == u->caplog) {
			size_t cap = u->caplog ? u->caplog * 2 : 256;

			if (cap > u->npages)
				cap = u->npages;
			e = realloc(u->log, cap * sizeof(*e));
			if (!e) {
				pthread_mutex_unlock(&u->lock);
				rc = -ENOMEM;
				break;
			}
			u->log = e;
			u->caplog = cap;
		}
		if (u->npool) {
			buf = u->pool[--u->npool];
		} else if (posix_memalign(&buf, FS_PAGE, FS_PAGE)) {
			pthread_mutex_unlock(&u->lock);
			rc = -ENOMEM;
			break;
		}
		slot = u->nlog++;
		u->log[slot].page = p;
		u->log[slot].buf = buf;
		u->saving[p / 64] |= bit;
		pthread_mutex_unlock(&u->lock);

		rc = read(arg, buf, p);

		pthread_mutex_lock(&u->lock);
		u->saving[p / 64] &= ~bit;
		if (rc == 0) {
			__atomic_or_fetch(&u->saved[p / 64], bit, __ATOMIC_RELEASE);
		} else {
			/* a hole in the log: skipped by the revert and the drop */
			u->log[slot].page = UINT64_MAX;
			u->log[slot].buf = NULL;
			free(buf);
		}
		pthread_cond_broadcast(&u->saved_cond);
		pthread_mutex_unlock(&u->lock);
	}
	return rc;
}

int fs_undo_save(struct fs_undo *u, uint64_t off, uint64_t len, fs_undo_io_fn read,
		 void *arg)
{
	return undo_save(u, off, len, read, arg, true);
}

int fs_undo_save_unbounded(struct fs_undo *u, uint64_t off, uint64_t len,
			   fs_undo_io_fn read, void *arg)
{
	return undo_save(u, off, len, read, arg, false);
}

bool fs_undo_kept(uint64_t seed, uint32_t ppm, uint64_t p)
{
	uint64_t z;

	if (ppm == 0)
		return false;
	if (ppm >= 1000000)
		return true;
	z = seed + (p + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z % 1000000 < ppm;
}

int fs_undo_revert(struct fs_undo *u, uint64_t seed, uint32_t ppm, fs_undo_io_fn write,
		   void *arg, uint64_t *reverted, uint64_t *kept)
{
	size_t i;
	int rc = 0;

	*reverted = *kept = 0;
	pthread_mutex_lock(&u->lock);
	for (i = 0; i < u->nlog; i++) {
		struct fs_undo_page *e = &u->log[i];
		int w;

		if (!e->buf)
			continue;
		if (fs_undo_kept(seed, ppm, e->page)) {
			(*kept)++;
			continue;
		}
		w = write(arg, e->buf, e->page);
		if (w < 0 && rc == 0)
			rc = w;
		(*reverted)++;
	}
	pthread_mutex_unlock(&u->lock);
	return rc;
}

int fs_undo_restore(struct fs_undo *u, fs_undo_io_fn write, void *arg, uint64_t *restored)
{
	size_t i;
	int rc = 0;

	*restored = 0;
	pthread_mutex_lock(&u->lock);
	for (i = 0; u->touched && i < u->nlog; i++) {
		struct fs_undo_page *e = &u->log[i];
		uint64_t bit;
		int w;

		if (!e->buf)
			continue;
		bit = UINT64_C(1) << (e->page % 64);
		if (!(__atomic_load_n(&u->touched[e->page / 64], __ATOMIC_RELAXED) & bit))
			continue;
		w = write(arg, e->buf, e->page);
		if (w < 0) {
			if (rc == 0)
				rc = w;
			continue;
		}
		__atomic_and_fetch(&u->touched[e->page / 64], ~bit, __ATOMIC_RELAXED);
		(*restored)++;
	}
	pthread_mutex_unlock(&u->lock);
	return rc;
}

void fs_undo_each(struct fs_undo *u, void (*fn)(void *arg, uint64_t p, const void *buf),
		  void *arg)
{
	size_t i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < u->nlog; i++)
		if (u->log[i].buf)
			fn(arg, u->log[i].page, u->log[i].buf);
	pthread_mutex_unlock(&u->lock);
}

void fs_undo_drop(struct fs_undo *u)
{
	pthread_mutex_lock(&u->lock);
	drop_locked(u);
	pthread_mutex_unlock(&u->lock);
}

size_t fs_undo_count(struct fs_undo *u)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = u->nlog;
	pthread_mutex_unlock(&u->lock);
	return n;
}
