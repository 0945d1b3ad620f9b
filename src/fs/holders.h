/* SPDX-License-Identifier: MIT */
/*
 * The processes that hold a file of our mount open or mapped, found in
 * /proc by the file's identity (device and inode), never by a path
 * string: a path compares equal for a different file in another mount
 * namespace, and a mapped file's name can end with any text. Not fault
 * simulation: power-fail uses it, and so do the refusals of destroy,
 * disable and enable and the list of holders. Reads /proc: call with no
 * daemon lock held. statx(AT_STATX_DONT_SYNC) answers from the kernel's
 * inode, so nothing is asked of the mount (or of any file system that may
 * hang).
 */
#ifndef PMEMFS_FS_HOLDERS_H
#define PMEMFS_FS_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fs_daemon;

/* a file: inode ino of the file system on major:minor */
struct fs_holder_id {
	unsigned major, minor;
	uint64_t ino;
};

/* process pid has the file open (a descriptor) or mapped */
bool fs_holder_holds(pid_t pid, const struct fs_holder_id *id);
/* pids (up to max) of the processes that hold the file, the daemon left out */
unsigned fs_holders_of(const struct fs_holder_id *id, pid_t *pids, unsigned max);
/*
 * SIGKILL the holder pid, making sure it is the process that holds the
 * file (through a pidfd where the kernel has them): true when sent.
 */
bool fs_holder_kill(pid_t pid, const struct fs_holder_id *id);

/*
 * Up to max pids of the processes that have inode ino of the mount open or
 * mapped; 0 while the mount's device number is unknown.
 */
unsigned fs_holders_find(struct fs_daemon *d, uint64_t ino, pid_t *pids, unsigned max);
/*
 * Up to max pids of the processes with a shared mapping, on a device of
 * major 0 (FUSE and the like), of a file named name (its last path
 * component, " (deleted)" aside). Only for naming suspects in a message:
 * a FUSE passthrough mapping that outlived its daemon shows only the old
 * mount's path in /proc (maps and map_files name the FUSE file, not its
 * backing file), and a name says nothing certain; whether such a mapping
 * exists is asked of the kernel (region_ops.h file_busy).
 */
unsigned fs_holders_named(const char *name, pid_t *pids, unsigned max);
/* "pid 123 (nsio), pid 456 (qemu-system-x86)" */
void fs_holders_text(const pid_t *pids, unsigned n, char *buf, size_t len);

/*
 * The processes holding files of the mount major:minor (descriptors or
 * mappings), found in one pass over /proc by the files' identity: each
 * (inode, pid) once, in *out (free()); 0 or -errno. For a mapping, the
 * bytes its smaps counts dirty (Shared_Dirty + Private_Dirty: dirty in
 * the page tables or the mount's page cache, not yet written back to us).
 */
struct fs_holder {
	uint64_t ino;
	pid_t pid;
	bool mapped;		/* a mapping (not only a descriptor) */
	uint64_t mapped_dirty;	/* bytes of its mappings smaps says are dirty */
};
int fs_holders_scan(unsigned major, unsigned minor, struct fs_holder **out, size_t *n);

#endif
