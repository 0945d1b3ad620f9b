// SPDX-License-Identifier: MIT
/*
 * Dirty-extent tracking and the persist path of a namespace (see nsfile.h):
 * what to persist is decided here, how is the layout's (n->rops->sync,
 * region_ops.h: one indirect call per persist).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs/log.h"
#include "fs/nsfile.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Insert [off, off+len) into the sorted extent list, merging with every
 * extent it overlaps or touches. Past FS_DIRTY_MAX extents the whole
 * namespace is dirty. Caller holds n->lock.
 */
static void dirty_insert(struct fs_dirty *d, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;
	unsigned i = 0, j;

	if (d->whole || len == 0)
		return;
	while (i < d->n && d->ext[i].off + d->ext[i].len < off)
		i++;
	/* ext[i] is the first that ends at or after off: merge from here */
	j = i;
	while (j < d->n && d->ext[j].off <= end) {
		uint64_t e = d->ext[j].off + d->ext[j].len;

		if (d->ext[j].off < off)
			off = d->ext[j].off;
		if (e > end)
			end = e;
		j++;
	}
	if (j > i) {
		/* replace ext[i..j) by one extent */
		d->ext[i].off = off;
		d->ext[i].len = end - off;
		memmove(&d->ext[i + 1], &d->ext[j], (d->n - j) * sizeof(d->ext[0]));
		d->n -= j - i - 1;
		return;
	}
	if (d->n == FS_DIRTY_MAX) {
		d->whole = true;
		d->n = 0;
		return;
	}
	memmove(&d->ext[i + 1], &d->ext[i], (d->n - i) * sizeof(d->ext[0]));
	d->ext[i].off = off;
	d->ext[i].len = len;
	d->n++;
}

void fs_dirty_add(struct fs_ns *n, uint64_t off, uint64_t len)
{
	pthread_mutex_lock(&n->lock);
	dirty_insert(&n->dirty, off, len);
	__atomic_store_n(&n->dirty.sync, true, __ATOMIC_RELAXED);
	n->dirty.bytes += len;
	pthread_mutex_unlock(&n->lock);
}

void fs_dirty_mark_sync(struct fs_ns *n, uint64_t bytes)
{
	pthread_mutex_lock(&n->lock);
	__atomic_store_n(&n->dirty.sync, true, __ATOMIC_RELAXED);
	n->dirty.bytes += bytes;
	pthread_mutex_unlock(&n->lock);
}

void fs_ns_touch(struct fs_ns *n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	__atomic_store_n(&n->data_time, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec,
			 __ATOMIC_RELAXED);
}

void fs_ns_touch_at(struct fs_ns *n, const struct timespec *ts)
{
	__atomic_store_n(&n->data_time, (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec,
			 __ATOMIC_RELAXED);
}

void fs_ns_untouch(struct fs_ns *n)
{
	__atomic_store_n(&n->data_time, 0, __ATOMIC_RELAXED);
}

void fs_ns_set_error(struct fs_ns *n, int err, const char *what)
{
	int zero = 0;

	if (__atomic_compare_exchange_n(&n->error, &zero, EIO, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		fs_err("%s: %s failed: %s; every later fsync fails until remount",
		       n->devname, what, strerror(err));
}

int fs_ns_error(const struct fs_ns *n)
{
	return __atomic_load_n(&n->error, __ATOMIC_SEQ_CST);
}

bool fs_ns_persist_small(struct fs_ns *n)
{
	uint64_t bytes = 0;
	unsigned i;
	bool small;

	if (__atomic_load_n(&n->pt_used, __ATOMIC_ACQUIRE))
		return false;	/* mappings may have dirtied any amount unseen */
	if (pthread_mutex_trylock(&n->flush_lock) != 0)
		return false;	/* a persist is running: it may be long */
	pthread_mutex_lock(&n->lock);
	small = !n->dirty.whole;
	for (i = 0; small && i < n->dirty.n; i++) {
		bytes += n->dirty.ext[i].len;
		small = bytes <= FS_PERSIST_SMALL;
	}
	pthread_mutex_unlock(&n->lock);
	pthread_mutex_unlock(&n->flush_lock);
	return small;
}

int fs_ns_persist(struct fs_ns *n)
{
	struct fs_dirty d;
	uint64_t t0 = now_ns();
	const char *what = "sync of the region's data";
	int rc = 0, err;

	pthread_mutex_lock(&n->flush_lock);
	pthread_mutex_lock(&n->lock);
	d = n->dirty;
	n->dirty.n = 0;
	n->dirty.whole = false;
	__atomic_store_n(&n->dirty.sync, false, __ATOMIC_RELAXED);
	n->dirty.bytes = 0;
	pthread_mutex_unlock(&n->lock);

	/* passed through: stores through mappings are not in the extents */
	if (!d.sync && !d.whole && d.n == 0 && !__atomic_load_n(&n->pt_used, __ATOMIC_ACQUIRE))
		goto out;

	/*
	 * passed through: what mappings stored unseen is not counted in
	 * bytes_persisted; counting it (cachestat(2) of the whole file) walks
	 * every cached page, 43 us for 1 GiB, on each flush of a guest
	 */
	err = n->rops->sync(n, &d, &what);
	if (err) {
		fs_ns_set_error(n, err, what);
		rc = -EIO;
	} else {
		fs_stats_add(&n->stats.bytes_persisted, d.bytes);
	}
	fs_stats_add(&n->stats.persists, 1);
	fs_stats_flush_latency(&n->stats, now_ns() - t0);
out:
	if (fs_ns_error(n))
		rc = -EIO;
	pthread_mutex_unlock(&n->flush_lock);
	return rc;
}
