// SPDX-License-Identifier: MIT
/*
 * Dirty-extent tracking and the persist path of a namespace (see nsfile.h).
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

/* the probe: errors recorded since it last asked (see nsfile.h) */
static void rfd_probe_locked(struct fs_rfd *rf)
{
	if (sync_file_range(rf->pfd, (off64_t)rf->probe_off, 1,
			    SYNC_FILE_RANGE_WAIT_AFTER) < 0 &&
	    errno != EINVAL && errno != ESPIPE && errno != ENOSYS) {
		rf->err_seq++;
		rf->err = errno;
	}
}

void fs_rfd_sample(struct fs_ns *n)
{
	pthread_mutex_lock(&n->rf->lock);
	rfd_probe_locked(n->rf);
	n->err_seen = n->rf->err_seq;
	pthread_mutex_unlock(&n->rf->lock);
}

void fs_ns_dirty_begin(struct fs_ns *n)
{
	bool clean;

	/*
	 * Already dirty (a stream of WRITEs): nothing to sample, no lock.
	 * dirty.sync is set with every extent and cleared only by a persist,
	 * under flush_lock, where the trylock below gives up too.
	 */
	if (__atomic_load_n(&n->dirty.sync, __ATOMIC_RELAXED))
		return;
	/* a persist under way may have n's pages in flight: keep what it meets */
	if (pthread_mutex_trylock(&n->flush_lock) != 0)
		return;
	pthread_mutex_lock(&n->lock);
	clean = !n->dirty.sync && !n->dirty.whole && n->dirty.n == 0;
	if (clean)	/* a concurrent writer does not sample again */
		__atomic_store_n(&n->dirty.sync, true, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&n->lock);
	if (clean)
		fs_rfd_sample(n);
	pthread_mutex_unlock(&n->flush_lock);
}

/* one sync call on the shared descriptor: 0 or its errno */
static int rfd_sync_call(struct fs_ns *n, bool range, uint64_t off, uint64_t len)
{
	struct fs_rfd *rf = n->rf;
	int rc, err = 0;

	if (range)
		rc = sync_file_range(rf->fd, (off64_t)(n->dpa + off), (off64_t)len,
				     SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				     SYNC_FILE_RANGE_WAIT_AFTER);
	else
		while ((rc = fdatasync(rf->fd)) < 0 && errno == EINTR)
			;
	if (rc < 0) {
		err = errno;
		/* file systems without write-back (tmpfs) may refuse it */
		if (range && (err == EINVAL || err == ESPIPE))
			err = 0;
	}
	return err;
}

int fs_rfd_sync(struct fs_ns *n, bool range, uint64_t off, uint64_t len)
{
	struct fs_rfd *rf = n->rf;
	int err = rfd_sync_call(n, range, off, len);

	/*
	 * The descriptor is shared: the kernel reports a write-back error
	 * once per open file, to whichever namespace syncs first, so this
	 * EIO may be a neighbour's, recorded before n had anything in flight.
	 * The probe below tells write-back errors apart (n->err_seen). Call
	 * once more: the first call has taken the recorded error, so what
	 * fails again is the file system's own (shut down, journal aborted,
	 * no space for its metadata) and is n's too.
	 */
	if (err == EIO || err == ENOSPC || err == EDQUOT)
		err = rfd_sync_call(n, range, off, len);

	pthread_mutex_lock(&rf->lock);
	rfd_probe_locked(rf);
	if (rf->err_seq != n->err_seen) {
		/* met by this call or another namespace's since n last asked */
		n->err_seen = rf->err_seq;
		if (!err)
			err = rf->err;
	}
	pthread_mutex_unlock(&rf->lock);
	return err;
}

static int persist_range(struct fs_ns *n, uint64_t off, uint64_t len)
{
	int err = fs_rfd_sync(n, true, off, len);

	if (err) {
		fs_ns_set_error(n, err, "sync_file_range of the region file");
		return -EIO;
	}
	return 0;
}

bool fs_ns_persist_small(struct fs_ns *n)
{
	uint64_t bytes = 0;
	unsigned i;
	bool small;

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
	unsigned i;
	int rc = 0;

	pthread_mutex_lock(&n->flush_lock);
	pthread_mutex_lock(&n->lock);
	d = n->dirty;
	n->dirty.n = 0;
	n->dirty.whole = false;
	__atomic_store_n(&n->dirty.sync, false, __ATOMIC_RELAXED);
	n->dirty.bytes = 0;
	pthread_mutex_unlock(&n->lock);

	if (!d.sync && !d.whole && d.n == 0)
		goto out;

	if (d.whole) {
		rc = persist_range(n, 0, n->size);
	} else {
		for (i = 0; i < d.n && rc == 0; i++)
			rc = persist_range(n, d.ext[i].off, d.ext[i].len);
	}
	if (rc == 0) {
		int err = fs_rfd_sync(n, false, 0, 0);

		if (err) {
			fs_ns_set_error(n, err, "fdatasync of the region file");
			rc = -EIO;
		}
	}
	if (rc == 0) {
		/* the data is on the medium: drop the second copy */
		if (d.whole)
			posix_fadvise(n->fd, (off_t)n->dpa, (off_t)n->size,
				      POSIX_FADV_DONTNEED);
		for (i = 0; i < d.n; i++)
			posix_fadvise(n->fd, (off_t)(n->dpa + d.ext[i].off),
				      (off_t)d.ext[i].len, POSIX_FADV_DONTNEED);
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
