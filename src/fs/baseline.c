// SPDX-License-Identifier: MIT
/*
 * A baseline of a namespace (fault.h): the starting content pmemctl
 * crash-test puts back before every run, kept in the daemon instead of a
 * copy of the whole namespace in /tmp.
 *
 * Started, it is a third log beside the undo log and the crash image's
 * pin log (struct fs_undo, undo.h): the original content of every page
 * first changed since, whatever changes it (WRITE, FALLOCATE but mode 0,
 * a WRITE kept by --survive while crashed, a power failure's or crash
 * state's own writes: fs_baseline_put_page), never dropped by an FSYNC.
 * It also marks the pages changed since the last restore: a restore puts
 * back only those (a run's pages, not every page any run touched).
 *
 * Memory: the pages live where the undo log keeps its own, in the
 * daemon's heap (4 KiB each, plus 16 bytes of log entry and 3 bits of
 * bitmap per namespace page). At most max_pages are kept (the request's
 * bound, else FS_BASELINE_DEFAULT, never more than half the machine's
 * memory); a change of a page beyond the bound fails with EIO (logged
 * once) so that nothing escapes the baseline, and the next restore says
 * the bound was hit (crash-test then falls back to a copy). A power
 * failure's own writes are kept beyond the bound: they are pages of its
 * undo log, already in memory. A baseline whose owner (the requesting
 * process, a pidfd) has exited is released at the first change that would
 * save a new page into it (fault.c, from change_begin).
 *
 * A restore is a power failure's revert (powerfail.c steps 0-4) with the
 * baseline's pages: wait for the holders (or forced), mark the namespace
 * crashed (WRITEs arriving meanwhile are discarded), write the pages
 * back, fdatasync, drop the undo log and any crash image (the restored
 * content is the new last FSYNC), invalidate the kernel's cache from this
 * control thread holding no daemon lock, clear the mark.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ns/error.h"

#include "fs/fault.h"
#include "fs/fs.h"
#include "fs/log.h"

/* the bound when the request gives none: 1 GiB of pages */
#define FS_BASELINE_DEFAULT ((UINT64_C(1) << 30) / FS_PAGE)

static void result_of(struct fs_fault *f, struct fs_baseline_result *res)
{
	res->held = f->base_held;
	if (!f->base_held)
		return;
	pthread_mutex_lock(&f->base.lock);
	res->pages = f->base.nlog;
	res->max_pages = f->base.max;
	res->full = f->base.full;
	pthread_mutex_unlock(&f->base.lock);
}

int fs_baseline_start(struct fs_inode *file, uint64_t max_pages, pid_t owner,
		      struct fs_baseline_result *res)
{
	struct fs_ns *n = file->ns;
	struct fs_fault *f = fs_fault_get(n);
	uint64_t npages = n->size / FS_PAGE, cap = fs_mem_share(2, FS_PAGE);
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!f)
		return ns_err(-ENOMEM, "out of memory starting a baseline of '%s'", file->name);
	if (!max_pages)
		max_pages = FS_BASELINE_DEFAULT;
	if (max_pages > cap)
		max_pages = cap;
	if (max_pages > npages)
		max_pages = npages;
	if (max_pages == 0)
		max_pages = 1;
	pthread_mutex_lock(&f->revert_lock);
	pthread_rwlock_wrlock(&f->rw);
	if (f->base_held && fs_baseline_owner_gone(f)) {
		fs_warn("%s: a baseline left by a process that has exited released",
			n->devname);
		fs_baseline_stop_locked(f);
	}
	if (f->base_held && f->base_owner >= 0)
		rc = ns_err(-EBUSY, "'%s' already holds a baseline (another crash-test "
			    "running on it)", file->name);
	else if (f->base_held)	/* its owner never watched (no pidfd): maybe gone */
		rc = ns_err(-EEXIST, "'%s' holds a baseline whose owner the daemon cannot "
			    "watch (it may have exited; disabling the namespace releases "
			    "it)", file->name);
	else if (fs_undo_start_baseline(&f->base, npages, (size_t)max_pages) < 0)
		rc = ns_err(-ENOMEM, "out of memory for a baseline of '%s'", file->name);
	else {
		f->base_held = true;
		f->base_owner = fs_pidfd_of(owner, "a baseline's owner");
		__atomic_store_n(&f->base_said, false, __ATOMIC_RELAXED);
	}
	result_of(f, res);
	pthread_rwlock_unlock(&f->rw);
	pthread_mutex_unlock(&f->revert_lock);
	if (rc == 0)
		fs_info("%s: baseline started (at most %" PRIu64 " pages)", n->devname,
			max_pages);
	return rc;
}

int fs_baseline_release(struct fs_inode *file)
{
	struct fs_fault *f = fs_ns_fault(file->ns);

	if (!f)
		return 0;
	pthread_mutex_lock(&f->revert_lock);
	pthread_rwlock_wrlock(&f->rw);
	if (f->base_held) {
		fs_baseline_stop_locked(f);
		fs_info("%s: baseline released", file->ns->devname);
	}
	pthread_rwlock_unlock(&f->rw);
	pthread_mutex_unlock(&f->revert_lock);
	return 0;
}

void fs_baseline_status(struct fs_ns *n, struct fs_baseline_result *res)
{
	struct fs_fault *f = fs_ns_fault(n);

	memset(res, 0, sizeof(*res));
	if (!f)
		return;
	pthread_rwlock_rdlock(&f->rw);
	result_of(f, res);
	pthread_rwlock_unlock(&f->rw);
}

/* a baseline page back (arg: the fs_ns): straight to the region */
static int restore_page(void *arg, void *buf, uint64_t p)
{
	struct fs_ns *n = arg;

	return n->rops->write_page(n, buf, p);
}

/* wait up to ms for n's handles to go; true when they did */
static bool handles_gone(struct fs_ns *n, unsigned ms)
{
	uint64_t end = fs_fault_now_ns() + (uint64_t)ms * 1000000;

	while (fs_ns_handles(n) > 0) {
		if (fs_fault_now_ns() >= end)
			return false;
		fs_fault_sleep_ms(2);
	}
	return true;
}

int fs_baseline_restore(struct fs_daemon *d, struct fs_inode *file, bool force,
			unsigned wait_ms, struct fs_baseline_result *res)
{
	struct fs_ns *n = file->ns;
	struct fs_fault *f = fs_ns_fault(n);
	uint64_t t0 = fs_fault_now_ns(), restored = 0;
	int rc = 0, nrc;

	memset(res, 0, sizeof(*res));
	if (!f)
		return ns_err(-ENOENT, "'%s' holds no baseline", file->name);
	pthread_mutex_lock(&f->revert_lock);
	pthread_rwlock_rdlock(&f->rw);
	result_of(f, res);
	pthread_rwlock_unlock(&f->rw);
	if (!res->held || __atomic_load_n(&f->base_left, __ATOMIC_RELAXED)) {
		rc = ns_err(-ENOENT, "'%s' holds no baseline%s", file->name,
			    res->held ? " (its owner had exited when it filled)" : "");
		goto out;
	}
	if (!force && !handles_gone(n, wait_ms ? wait_ms : 1000)) {
		unsigned h = fs_ns_handles(n);

		rc = ns_err(-EBUSY, "'%s' is still open (%u handle%s or mapping%s, e.g. a "
			    "process the application or checker left running): its baseline "
			    "is restored on a namespace nobody holds", file->name, h,
			    h == 1 ? "" : "s", h == 1 ? "" : "s");
		goto out;
	}
	if (fs_ns_io_get(n) != 0) {
		rc = ns_err(-EIO, "'%s': its namespace file changed behind pmemfs: its "
			    "baseline cannot be restored", file->name);
		goto out;
	}
	pthread_rwlock_wrlock(&f->rw);
	fs_crash_mark_locked(f, 0, f->seed);
	rc = fs_undo_restore(&f->base, restore_page, n, &restored);
	if (restored && (nrc = n->rops->sync(n, NULL, NULL)) != 0 && rc == 0)
		rc = nrc;
	fs_undo_drop(&f->undo);		/* the restored content is the last FSYNC */
	fs_crash_image_release(f);
	f->img.want = false;
	pthread_rwlock_unlock(&f->rw);
	if (rc)
		fs_ns_set_error(n, -rc, "restoring a baseline");
	fs_crash_forget(d, file, "restoring its baseline");
	pthread_rwlock_wrlock(&f->rw);
	pthread_mutex_lock(&f->lock);
	fs_crash_clear_locked(f);
	pthread_mutex_unlock(&f->lock);
	/* what it says of the bound covers the time since the last restore */
	result_of(f, res);
	pthread_mutex_lock(&f->base.lock);
	f->base.full = false;
	pthread_mutex_unlock(&f->base.lock);
	__atomic_store_n(&f->base_said, false, __ATOMIC_RELAXED);
	pthread_rwlock_unlock(&f->rw);
	fs_ns_io_put(n);
	res->restored = restored;
	res->time_ns = fs_fault_now_ns() - t0;
	if (rc)
		rc = ns_err(-EIO, "'%s': restoring its baseline failed: %s (the namespace "
			    "fails every later fsync)", file->name, strerror(-rc));
	else
		fs_debug("%s: baseline restored: %" PRIu64 " pages, %.3f ms", n->devname,
			 restored, (double)res->time_ns / 1e6);
out:
	pthread_mutex_unlock(&f->revert_lock);
	return rc;
}
