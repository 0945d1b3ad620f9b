// SPDX-License-Identifier: MIT
/*
 * A namespace's fault state (fault.h): created on first use, the hooks
 * the dispatch consults (fault_hook.h), and the control thread's enable,
 * arm and status. The hooks decide; the dispatch writes.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ns/error.h"

#include "fs/fault.h"
#include "fs/log.h"

uint64_t fs_fault_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void fs_fault_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static struct fs_fault *of(struct fs_fault_hook *h)
{
	return (struct fs_fault *)h;	/* hook is the first member */
}

int fs_pidfd_of(pid_t pid, const char *whose)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0), e = errno;

	if (fd >= 0)
		return fd;
	fs_debug("pidfd_open of %d: %s: %s is not watched", (int)pid, strerror(e), whose);
	errno = e;
#else
	(void)pid;
	(void)whose;
	errno = ENOSYS;
#endif
	return -1;
}

bool fs_pidfd_exited(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	/* a pidfd is readable once its process has exited */
	return poll(&p, 1, 0) > 0;
}

bool fs_baseline_owner_gone(struct fs_fault *f)
{
	return f->base_owner >= 0 && fs_pidfd_exited(f->base_owner);
}

/* the armed crash point's owner forgotten (under f->rw held for writing) */
static void arm_owner_clear(struct fs_fault *f)
{
	if (f->arm_owner >= 0)
		close(f->arm_owner);
	f->arm_owner = -1;
	f->arm_owner_pid = 0;
}

/*
 * The armed crash point belongs to a process (crash-test) that has exited:
 * disarmed, logged (under f->rw held for writing, polled only while armed)
 */
static bool arm_lapsed(struct fs_fault *f, const struct fs_ns *n)
{
	if (f->arm_owner < 0 || !fs_pidfd_exited(f->arm_owner))
		return false;
	fs_warn("%s: the crash point armed at FSYNC %u from now belongs to process %d "
		"(a crash-test), which has exited: disarmed at an FSYNC, which goes on",
		n->devname, f->at_fsync, (int)f->arm_owner_pid);
	f->at_fsync = 0;
	f->img.want = false;	/* as a disarm (k = 0) */
	arm_owner_clear(f);
	return true;
}

/* f's baseline stopped and freed (under f->rw held for writing) */
void fs_baseline_stop_locked(struct fs_fault *f)
{
	fs_undo_stop(&f->base);
	f->base_held = false;
	__atomic_store_n(&f->base_left, false, __ATOMIC_RELAXED);
	if (f->base_owner >= 0)
		close(f->base_owner);
	f->base_owner = -1;
}

/*
 * A change would save a new page into f's baseline and its owner has
 * exited: released here, beside the hook that asks (baseline.c calls
 * into this file, never the reverse)
 */
static void baseline_orphan_release(struct fs_fault *f, struct fs_ns *n)
{
	if (pthread_mutex_trylock(&f->revert_lock) != 0)
		return;		/* a revert or restore under way: the next change checks again */
	pthread_rwlock_wrlock(&f->rw);
	if (f->base_held && fs_baseline_owner_gone(f)) {
		size_t pages = fs_undo_count(&f->base);

		fs_baseline_stop_locked(f);
		fs_warn("%s: its baseline (%zu page%s) released: the process that started it "
			"(a crash-test) has exited", n->devname, pages, pages == 1 ? "" : "s");
	}
	pthread_rwlock_unlock(&f->rw);
	pthread_mutex_unlock(&f->revert_lock);
}

/* ---- the hooks ---- */

/*
 * The old content of page p of n, for the undo log: one 4 KiB read, no
 * readahead, nothing left in the region file's page cache (the layout's
 * read_page, region_ops.h).
 */
int fs_fault_save_page(void *arg, void *buf, uint64_t p)
{
	struct fs_ns *n = arg;
	int rc = n->rops->read_page(n, buf, p);

	if (rc < 0)
		fs_err("%s: cannot save page %" PRIu64 " for crash testing: %s", n->devname,
		       p, strerror(-rc));
	return rc;
}

static int change_begin(struct fs_fault_hook *h, struct fs_ns *n, bool falloc, int mode,
			uint64_t off, uint64_t len)
{
	struct fs_fault *f = of(h);
	int rc = 0;

	if (!falloc && fs_media_partial(f->media, n->dpa + off, len)) {
		fs_debug("%s: a write of %zu bytes at %" PRIu64 " covers part of a "
			 "media error: EIO", n->devname, (size_t)len, off);
		return -EIO;
	}
	pthread_rwlock_rdlock(&f->rw);
	/*
	 * a baseline whose crash-test was killed: released before it takes a
	 * new page (the pidfd polled only then, not per WRITE)
	 */
	if (f->base_held && f->base_owner >= 0 && (!falloc || fs_falloc_changes(mode)) &&
	    fs_undo_saves_new(&f->base, off, len) && fs_baseline_owner_gone(f)) {
		pthread_rwlock_unlock(&f->rw);
		baseline_orphan_release(f, n);
		pthread_rwlock_rdlock(&f->rw);
	}
	/* a baseline held: every change, also one kept while crashed */
	if (f->base_held && (!falloc || fs_falloc_changes(mode)) &&
	    !__atomic_load_n(&f->base_left, __ATOMIC_RELAXED)) {
		rc = fs_undo_save(&f->base, off, len, fs_fault_save_page, n);
		if (rc == -ENOSPC && fs_baseline_owner_gone(f)) {
			/* left behind by a crash-test that was killed: no more EIO */
			if (!__atomic_exchange_n(&f->base_left, true, __ATOMIC_RELAXED))
				fs_warn("%s: its baseline is full and the process that "
					"started it has exited: no longer kept", n->devname);
			rc = 0;
		} else if (rc == -ENOSPC &&
			   !__atomic_exchange_n(&f->base_said, true, __ATOMIC_RELAXED))
			fs_err("%s: its baseline holds %zu pages, its bound: a write of a page "
			       "not in it fails with EIO until it is restored or released "
			       "(crash-test --baseline-max)", n->devname, f->base.max);
		else if (rc < 0 && rc != -ENOSPC)
			fs_err("%s: cannot save pages into its baseline: %s", n->devname,
			       strerror(-rc));
		if (rc < 0) {
			pthread_rwlock_unlock(&f->rw);
			return -EIO;
		}
	}
	if (f->crashed)
		return FS_HOOK_LOST;	/* rw stays held until change_end */
	/* a FALLOCATE that only reserves blocks changes no byte */
	if (f->enabled && (!falloc || fs_falloc_changes(mode))) {
		rc = fs_undo_save(&f->undo, off, len, fs_fault_save_page, n);
		/* a crash image held: what the checker changes, put back later */
		if (rc == 0 && f->img.held)
			rc = fs_undo_save(&f->img.pin, off, len, fs_fault_save_page, n);
		if (rc == -ENOMEM)
			fs_err("%s: cannot save pages for crash testing: %s", n->devname,
			       strerror(-rc));
		else if (rc == -ENOSPC &&
			 !__atomic_exchange_n(&f->undo_said, true, __ATOMIC_RELAXED))
			fs_err("%s: crash testing keeps at most %zu unflushed pages (a "
			       "quarter of the machine's memory): a write of a page beyond "
			       "them fails with EIO until the next FSYNC", n->devname,
			       f->undo.max);
	}
	if (rc < 0) {
		pthread_rwlock_unlock(&f->rw);
		return -EIO;
	}
	return 0;
}

static bool kept(struct fs_fault_hook *h, uint64_t page)
{
	struct fs_fault *f = of(h);

	return fs_undo_kept(f->seed, f->survive_ppm, page);
}

/* a WRITE while crashed: into the crash image being taken (crash_state.c) */
static void lost(struct fs_fault_hook *h, struct fs_ns *n, const void *buf, size_t len,
		 uint64_t off)
{
	struct fs_fault *f = of(h);

	if (f->img.want || f->img.open)	/* under rw (change_begin) */
		fs_crash_image_late(f, n, buf, len, off);
}

static void change_end(struct fs_fault_hook *h, struct fs_ns *n, bool falloc, uint64_t off,
		       uint64_t len, int rc, uint64_t npages_kept)
{
	struct fs_fault *f = of(h);
	bool crashed = f->crashed;	/* under rw */

	if (npages_kept) {	/* before rw goes: step 4 syncs them */
		pthread_mutex_lock(&f->lock);
		f->kept_live += npages_kept;
		pthread_mutex_unlock(&f->lock);
	}
	pthread_rwlock_unlock(&f->rw);
	if (!falloc && !crashed && rc == 0)
		fs_media_written(f->media, n->devname, n->dpa, off, len);
}

static int read_check(struct fs_fault_hook *h, struct fs_ns *n, uint64_t off, size_t len)
{
	if (fs_media_hit(of(h)->media, n->dpa + off, len)) {
		fs_debug("%s: read of %zu bytes at %" PRIu64 " hits a media error: EIO",
			 n->devname, len, off);
		return -EIO;
	}
	return 0;
}

static int fsync_begin(struct fs_fault_hook *h, struct fs_ns *n, uint64_t *token)
{
	struct fs_fault *f = of(h);
	int rc = 0;

	pthread_rwlock_rdlock(&f->rw);
	*token = f->epoch;
	if (!f->enabled)
		goto out;
	if (f->crashed) {
		rc = -EIO;
		goto out;
	}
	if (f->at_fsync) {
		pthread_rwlock_unlock(&f->rw);
		pthread_rwlock_wrlock(&f->rw);
		*token = f->epoch;
		if (f->crashed) {
			rc = -EIO;
		} else if (f->enabled && f->at_fsync &&
			   !arm_lapsed(f, n) &&
			   --f->at_fsync == 0) {
			/* the power goes during this FSYNC */
			fs_crash_mark_locked(f, f->arm_ppm, f->arm_seed);
			arm_owner_clear(f);
			rc = FS_HOOK_FIRE;
		}
	}
out:
	pthread_rwlock_unlock(&f->rw);
	return rc;
}

static int fsync_end(struct fs_fault_hook *h, uint64_t token)
{
	struct fs_fault *f = of(h);
	int rc = 0;

	pthread_rwlock_wrlock(&f->rw);
	if (f->crashed || f->epoch != token) {
		rc = -EIO;	/* the power went while it ran */
	} else if (f->enabled) {
		fs_undo_drop(&f->undo);
		__atomic_store_n(&f->undo_said, false, __ATOMIC_RELAXED);
		pthread_mutex_lock(&f->lock);
		f->fsyncs++;
		pthread_mutex_unlock(&f->lock);
	}
	pthread_rwlock_unlock(&f->rw);
	return rc;
}

static void fault_free(struct fs_fault_hook *h)
{
	struct fs_fault *f = of(h);

	if (!f)
		return;
	fs_crash_image_release(f);
	fs_undo_fini(&f->img.pin);
	pthread_mutex_destroy(&f->img.lock);
	fs_undo_fini(&f->undo);
	fs_undo_fini(&f->base);
	if (f->base_owner >= 0)
		close(f->base_owner);
	if (f->arm_owner >= 0)
		close(f->arm_owner);
	pthread_mutex_destroy(&f->lock);
	pthread_rwlock_destroy(&f->rw);
	pthread_mutex_destroy(&f->revert_lock);
	free(f);
}

static const struct fs_fault_ops fault_ops = {
	.change_begin = change_begin,
	.kept = kept,
	.lost = lost,
	.change_end = change_end,
	.read_check = read_check,
	.fsync_begin = fsync_begin,
	.fsync_end = fsync_end,
	.free = fault_free,
};

/* ---- the state ---- */

struct fs_fault *fs_fault_get(struct fs_ns *n)
{
	struct fs_fault *f = fs_ns_fault(n);
	struct fs_fault_hook *expected = NULL;

	if (f)
		return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->hook.ops = &fault_ops;
	f->media = n->media;
	pthread_mutex_init(&f->revert_lock, NULL);
	pthread_rwlock_init(&f->rw, NULL);
	pthread_mutex_init(&f->lock, NULL);
	fs_undo_init(&f->undo);
	fs_undo_init(&f->img.pin);
	pthread_mutex_init(&f->img.lock, NULL);
	fs_undo_init(&f->base);
	f->base_owner = -1;
	f->arm_owner = -1;
	if (!__atomic_compare_exchange_n(&n->fault, &expected, &f->hook, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		fault_free(&f->hook);
		return of(expected);
	}
	return f;
}

/* ---- control ---- */

static size_t undo_max;
static pthread_once_t undo_max_once = PTHREAD_ONCE_INIT;

static void undo_max_init(void)
{
	uint64_t share = fs_mem_share(4, FS_PAGE);

	undo_max = share < SIZE_MAX ? (size_t)share : SIZE_MAX;
	undo_max = fs_test_lower_bound("PMEMFS_TEST_UNDO_PAGES", undo_max, "undo logs");
}

size_t fs_fault_undo_max(void)
{
	pthread_once(&undo_max_once, undo_max_init);
	return undo_max;
}

int fs_fault_enable(struct fs_ns *n, bool on)
{
	struct fs_fault *f = on ? fs_fault_get(n) : fs_ns_fault(n);
	int rc = 0;

	if (!f)
		return on ? ns_err(-ENOMEM, "out of memory enabling crash testing") : 0;
	pthread_mutex_lock(&f->revert_lock);
	pthread_rwlock_wrlock(&f->rw);
	fs_crash_image_release(f);
	pthread_mutex_lock(&f->lock);
	if (on && !f->enabled) {
		if (fs_undo_start(&f->undo, n->size / FS_PAGE) < 0) {
			rc = ns_err(-ENOMEM, "out of memory for the undo log of %s",
				    n->devname);
		} else {
			if (fs_fault_undo_max() < n->size / FS_PAGE)
				fs_undo_bound(&f->undo, fs_fault_undo_max());
			__atomic_store_n(&f->undo_said, false, __ATOMIC_RELAXED);
			f->fsyncs = f->reverts = f->kept_live = 0;
			memset(&f->last, 0, sizeof(f->last));
			f->at_fsync = 0;
			arm_owner_clear(f);
			f->enabled = true;
		}
	} else if (!on && f->enabled) {
		fs_undo_stop(&f->undo);
		f->at_fsync = 0;
		arm_owner_clear(f);
		f->enabled = false;
	}
	pthread_mutex_unlock(&f->lock);
	pthread_rwlock_unlock(&f->rw);
	pthread_mutex_unlock(&f->revert_lock);
	if (rc == 0)
		fs_info("%s: crash testing %s", n->devname, on ? "enabled" : "disabled");
	return rc;
}

int fs_fault_arm(struct fs_ns *n, uint32_t k, uint32_t ppm, uint64_t seed, bool image,
		 pid_t owner)
{
	struct fs_fault *f = fs_ns_fault(n);
	int fd = k && owner > 0 ? fs_pidfd_of(owner, "a crash point's owner") : -1;
	int rc = 0;

	/* its owner gone already (killed before the request was read): not armed */
	if (k && owner > 0 && fd < 0 && errno == ESRCH)
		return -ESRCH;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -EOPNOTSUPP;
	}
	pthread_rwlock_wrlock(&f->rw);
	if (!f->enabled) {
		rc = -EOPNOTSUPP;
	} else {
		if (k)
			fs_crash_image_release(f);
		f->img.want = k && image;
		f->at_fsync = k;
		f->arm_ppm = ppm;
		f->arm_seed = seed;
		arm_owner_clear(f);
		f->arm_owner = fd;
		f->arm_owner_pid = fd >= 0 ? owner : 0;
		rc = fd >= 0;	/* 1: its owner watched */
		fd = -1;
	}
	pthread_rwlock_unlock(&f->rw);
	if (fd >= 0)
		close(fd);
	return rc;
}

void fs_fault_status(struct fs_ns *n, struct fs_crash_status *st)
{
	struct fs_fault *f = fs_ns_fault(n);

	memset(st, 0, sizeof(*st));
	if (!f)
		return;
	pthread_rwlock_rdlock(&f->rw);
	st->pages_logged = fs_undo_count(&f->undo);
	pthread_mutex_lock(&f->lock);
	st->enabled = f->enabled;
	st->reverting = f->crashed;
	st->fsyncs = f->fsyncs;
	st->reverts = f->reverts;
	/* a crash point whose owner is gone is not shown armed (the next FSYNC disarms it) */
	st->at_fsync = f->arm_owner >= 0 && fs_pidfd_exited(f->arm_owner) ? 0 : f->at_fsync;
	st->last = f->last;
	pthread_mutex_unlock(&f->lock);
	pthread_rwlock_unlock(&f->rw);
}
