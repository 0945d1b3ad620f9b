/* SPDX-License-Identifier: MIT */
/*
 * What the I/O dispatch (data.c) asks of a namespace's fault simulation,
 * and all it knows of it. A namespace has a hook (n->fault) only once
 * crash testing or a media error was asked for; it is published once and
 * kept until the namespace is freed, so the data path of every other
 * namespace pays one predictable branch on a NULL pointer. The dispatch
 * does all region I/O itself; a hook never calls back into it.
 *
 * A data change (WRITE, FALLOCATE) of [off, off+len):
 *   change_begin  0: go on (then change_end); FS_HOOK_LOST: the power is
 *                 off: a WRITE writes only the pages kept() picks, a
 *                 FALLOCATE nothing (then change_end); < 0: fail the
 *                 change with it (change_end is not called)
 *   lost          a WRITE while the power is off, before kept() is asked
 *                 of its pages: its data, which may have reached a real
 *                 medium (a crash image takes its pages)
 *   change_end    after the change with its result, the pages kept
 * READ: read_check 0, or -EIO (a media error).
 * FSYNC: fsync_begin 0 (persist, then fsync_end with *token), < 0 (fail
 * the FSYNC), FS_HOOK_FIRE (an armed crash fires: the FUSE op hands the
 * request to fs_fault_fire, crash_arm.c); fsync_end 0 or -EIO (the power
 * went while it persisted).
 */
#ifndef PMEMFS_FS_FAULT_HOOK_H
#define PMEMFS_FS_FAULT_HOOK_H

#include <linux/falloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A FALLOCATE of this mode changes bytes (a discard: punch or zero);
 * mode 0 and KEEP_SIZE alone only reserve blocks
 */
static inline bool fs_falloc_changes(int mode)
{
	return (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) != 0;
}

struct fs_ns;
struct fs_fault_ops;

/* the first member of the fault state (fault.h) */
struct fs_fault_hook {
	const struct fs_fault_ops *ops;
};

#define FS_HOOK_LOST 1
#define FS_HOOK_FIRE 1

struct fs_fault_ops {
	int (*change_begin)(struct fs_fault_hook *h, struct fs_ns *n, bool falloc, int mode,
			    uint64_t off, uint64_t len);
	bool (*kept)(struct fs_fault_hook *h, uint64_t page);
	void (*lost)(struct fs_fault_hook *h, struct fs_ns *n, const void *buf, size_t len,
		     uint64_t off);
	void (*change_end)(struct fs_fault_hook *h, struct fs_ns *n, bool falloc,
			   uint64_t off, uint64_t len, int rc, uint64_t kept);
	int (*read_check)(struct fs_fault_hook *h, struct fs_ns *n, uint64_t off, size_t len);
	int (*fsync_begin)(struct fs_fault_hook *h, struct fs_ns *n, uint64_t *token);
	int (*fsync_end)(struct fs_fault_hook *h, uint64_t token);
	void (*free)(struct fs_fault_hook *h);
};

#endif
