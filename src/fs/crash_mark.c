// SPDX-License-Identifier: MIT
/*
 * The crashed mark of a namespace (fault.h): what a power failure, a
 * crash state and a baseline's restore share around their own writes.
 *
 *   1. mark     under f->rw held for writing: the power is off. WRITEs
 *               arriving meanwhile are lost (or kept at survive_ppm), an
 *               FSYNC fails, and the epoch tells an FSYNC in flight that
 *               the power went while it ran.
 *   2. write    the caller's pages back, still under f->rw.
 *   3. forget   the kernel's cache of the file invalidated from a control
 *               thread holding no lock (the kernel may call back into the
 *               daemon's READ, which takes f->rw).
 *   4. clear    under f->rw held for writing and f->lock: the power is
 *               back; what was kept while crashed is accounted by then,
 *               and the undo log's bound may be said again (the log is
 *               empty).
 */
#include <errno.h>
#include <string.h>

#include "fs/fault.h"
#include "fs/fs.h"
#include "fs/log.h"

void fs_crash_mark_locked(struct fs_fault *f, uint32_t survive_ppm, uint64_t seed)
{
	f->crashed = true;
	f->survive_ppm = survive_ppm;
	f->seed = seed;
	f->epoch++;
}

void fs_crash_forget(struct fs_daemon *d, struct fs_inode *file, const char *after)
{
	int rc;

	if (fuse_session_exited(d->se))
		return;
	rc = fuse_lowlevel_notify_inval_inode(d->se, file->ino, 0, 0);
	if (rc < 0 && rc != -ENOENT)
		fs_warn("%s: cannot invalidate the kernel's cache after %s: %s",
			file->ns->devname, after, strerror(-rc));
}

void fs_crash_clear_locked(struct fs_fault *f)
{
	f->kept_live = 0;
	f->crashed = false;
	/* the undo log is empty again (reverted, restored or dropped) */
	__atomic_store_n(&f->undo_said, false, __ATOMIC_RELAXED);
}
