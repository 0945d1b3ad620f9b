/* SPDX-License-Identifier: MIT */
/*
 * Armed crashes (crash_arm.c; the rest of crash testing is fault.h): all
 * the FUSE ops need of crash testing. An FSYNC the dispatch answered
 * FS_HOOK_FIRE (fault_hook.h) is handed to fs_fault_fire.
 */
#ifndef PMEMFS_FS_CRASH_ARM_H
#define PMEMFS_FS_CRASH_ARM_H

#include "fs/fault_hook.h"
#include "fs/fs_fuse.h"

struct fs_daemon;
struct fs_inode;

/*
 * The armed crash fires at this FSYNC (the dispatch said FS_HOOK_FIRE):
 * kill the caller, answer req with EIO, revert from a thread of ours once
 * the caller is gone.
 */
void fs_fault_fire(struct fs_daemon *d, struct fs_inode *file, fuse_req_t req);
/* Wait for armed-crash threads still reverting (daemon shutdown). */
void fs_fault_shutdown(void);

#endif
