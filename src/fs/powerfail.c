// SPDX-License-Identifier: MIT
/*
 * A power failure of a namespace now (fault.h, steps 0-4): wait for or
 * kill the holders, mark it crashed, put the undo log's pages back,
 * invalidate the kernel's cache, clear the mark. From a control thread
 * holding no daemon lock, or (steps 2-4) from crash_arm.c's thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ns/error.h"

#include "fs/fault.h"
#include "fs/fs.h"
#include "fs/health.h"
#include "fs/holders.h"
#include "fs/log.h"

/* how long a power failure waits for holders by default (ms) */
#define FS_PF_WAIT_MS 1000u
#define FS_PF_KILL_WAIT_MS 5000u
/* holders named in a refusal */
#define FS_PF_MAX_HOLDERS 16

static void file_path(struct fs_daemon *d, struct fs_inode *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s", d->mountpoint, file->parent ? file->parent->name : "",
		 file->name);
}

/* wait up to ms for n's handles to drop to at most want; true when they did */
static bool wait_handles(struct fs_ns *n, unsigned want, unsigned ms)
{
	uint64_t end = fs_fault_now_ns() + (uint64_t)ms * 1000000;

	while (fs_ns_handles(n) > want) {
		if (fs_fault_now_ns() >= end)
			return false;
		fs_fault_sleep_ms(5);
	}
	return true;
}

/* a saved page of the undo log back to the region's data (arg: the fs_ns) */
static int put_page(void *arg, void *buf, uint64_t p)
{
	struct fs_ns *n = arg;

	return fs_baseline_put_page(fs_ns_fault(n), n, buf, p);
}

/*
 * Steps 2-4 of the sequence (f->revert_lock held, the namespace marked
 * crashed). Not from a FUSE thread: step 3 notifies the kernel.
 */
int fs_fault_revert(struct fs_daemon *d, struct fs_inode *file, struct fs_fault *f,
		    uint64_t t0, struct fs_crash_result *res)
{
	struct fs_ns *n = file->ns;
	uint64_t reverted = 0, kept = 0;
	/* its layout's files, whether anyone has it open or not */
	int rc = fs_ns_io_get(n), held = rc == 0, nrc;

	/* 2. the saved pages go back, under the exclusive lock */
	pthread_rwlock_wrlock(&f->rw);
	if (held && f->img.want)
		fs_crash_image_capture(f, n);
	f->img.want = false;
	if (held)
		rc = fs_undo_revert(&f->undo, f->seed, f->survive_ppm, put_page, n, &reverted,
				    &kept);
	if (rc < 0)
		fs_ns_set_error(n, -rc, "writing saved pages back (power failure)");
	if (held && fs_undo_count(&f->undo) && (nrc = n->rops->sync(n, NULL, NULL)) != 0)
		fs_ns_set_error(n, nrc, "fdatasync after a power failure");
	fs_undo_drop(&f->undo);
	pthread_rwlock_unlock(&f->rw);

	/* 3. the kernel forgets what it cached (no lock held) */
	fs_crash_forget(d, file, "a power failure");

	/* 4. survivors written meanwhile are durable; the power is back */
	pthread_rwlock_wrlock(&f->rw);
	pthread_mutex_lock(&f->lock);
	if (held && (kept || f->kept_live) && (nrc = n->rops->sync(n, NULL, NULL)) != 0)
		fs_ns_set_error(n, nrc, "fdatasync after a power failure");
	kept += f->kept_live;
	fs_crash_image_close(f, n);	/* WRITEs while crashed joined it: sorted */
	f->reverts++;
	f->last.pages_reverted = reverted;
	f->last.pages_kept = kept;
	f->last.time_ns = fs_fault_now_ns() - t0;
	if (res) {
		res->pages_reverted = reverted;
		res->pages_kept = kept;
		res->time_ns = f->last.time_ns;
		f->last.killed = res->killed;
	}
	fs_crash_clear_locked(f);
	pthread_mutex_unlock(&f->lock);
	pthread_rwlock_unlock(&f->rw);
	if (held)
		fs_ns_io_put(n);
	else if (rc == -EIO)
		rc = -ESTALE;	/* its file changed behind pmemfs (fs_ns_io_get) */
	fs_info("%s: power failure: %" PRIu64 " page%s reverted, %" PRIu64 " kept, %.3f ms",
		n->devname, reverted, reverted == 1 ? "" : "s", kept,
		(double)f->last.time_ns / 1e6);
	/* every power failure, manual or armed, counts here (health.h) */
	if (file->region)
		fs_health_power_fail(file->region->health, n->devname);
	return rc;	/* the first page that could not be put back */
}

static bool crash_enabled(struct fs_fault *f)
{
	bool on;

	pthread_rwlock_rdlock(&f->rw);
	on = f->enabled;
	pthread_rwlock_unlock(&f->rw);
	return on;
}

static int not_enabled(struct fs_inode *file)
{
	return ns_err(-EOPNOTSUPP, "crash testing is not enabled on '%s': enable it with "
		      "'pmemctl power-fail %s --enable' (or create it with --crash-test)",
		      file->name, file->name);
}

int fs_fault_power_fail(struct fs_daemon *d, struct fs_inode *file,
			const struct fs_pf_opts *o, struct fs_crash_result *res)
{
	struct fs_ns *n = file->ns;
	struct fs_fault *f = fs_ns_fault(n);
	struct fs_holder_id id = { .ino = file->ino };
	bool id_known = __atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE);
	char path[PATH_MAX], who[1024];
	pid_t pids[FS_PF_MAX_HOLDERS] = { 0 };
	uint64_t t0 = fs_fault_now_ns();
	unsigned nh, i, h;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!f || !crash_enabled(f))
		return not_enabled(file);
	file_path(d, file, path, sizeof(path));
	id.major = d->dev_major;
	id.minor = d->dev_minor;
	if (o->kill && !id_known)
		return ns_err(-EOPNOTSUPP, "cannot find the processes that hold '%s': the "
			      "mount's device number is unknown (not in /proc/self/mountinfo); "
			      "close it, or use --force", path);
	pthread_mutex_lock(&f->revert_lock);
	/* 0. nobody holds it, or the holders are gone, or forced */
	if (o->kill) {
		nh = fs_holders_of(&id, pids, FS_PF_MAX_HOLDERS);
		for (i = 0; i < nh; i++)
			if (fs_holder_kill(pids[i], &id))
				res->killed++;
		if (!wait_handles(n, 0, o->wait_ms ? o->wait_ms : FS_PF_KILL_WAIT_MS) &&
		    !o->force) {
			h = fs_ns_handles(n);
			nh = fs_holders_of(&id, pids, FS_PF_MAX_HOLDERS);
			fs_holders_text(pids, nh, who, sizeof(who));
			rc = ns_err(-EBUSY, "'%s' is still open (%u handle%s) after killing %u "
				    "process%s%s%s", path, h, h == 1 ? "" : "s", res->killed,
				    res->killed == 1 ? "" : "es", nh ? ": held by " : "", who);
			goto out;
		}
	} else if (!o->force && !wait_handles(n, 0, o->wait_ms ? o->wait_ms : FS_PF_WAIT_MS)) {
		h = fs_ns_handles(n);
		nh = id_known ? fs_holders_of(&id, pids, FS_PF_MAX_HOLDERS) : 0;
		fs_holders_text(pids, nh, who, sizeof(who));
		rc = ns_err(-EBUSY, "'%s' is in use (%u open handle%s or mapping%s)%s%s: close "
			    "it, or use --kill to kill the holders or --force to revert under "
			    "them", path, h, h == 1 ? "" : "s", h == 1 ? "" : "s",
			    nh ? " by " : "", who);
		goto out;
	}
	/* 1. the power goes */
	pthread_rwlock_wrlock(&f->rw);
	fs_crash_image_release(f);
	f->img.want = o->image;
	fs_crash_mark_locked(f, o->survive_ppm, o->seed);
	pthread_rwlock_unlock(&f->rw);
	/* 2-4 */
	rc = fs_fault_revert(d, file, f, t0, res);
	if (rc == -ENXIO)
		rc = ns_err(-EIO, "'%s': saved pages lie past the end of the region file, "
			    "which was truncated behind pmemfs: they cannot be put back "
			    "(the namespace fails every later fsync)", file->name);
	else if (rc == -ESTALE)
		rc = ns_err(-EIO, "'%s': its namespace file was truncated behind pmemfs or "
			    "replaced (the log says which): the saved pages cannot be put "
			    "back (the namespace fails every later fsync)", file->name);
	else if (rc < 0)
		rc = ns_err(-EIO, "'%s': putting the saved pages back failed: %s (the "
			    "namespace fails every later fsync)", file->name, strerror(-rc));
out:
	pthread_mutex_unlock(&f->revert_lock);
	return rc;
}
