/* SPDX-License-Identifier: MIT */
/*
 * FUSE passthrough (-o passthrough=auto|on|off; fuse_pt.h has the kernel's
 * side): a namespace whose layout gives a backing file (struct
 * fs_region_ops.backing_fd: a regular file holding exactly its bytes at
 * offset 0) is opened with FOPEN_PASSTHROUGH: mmap is the backing file's
 * own. Opened for writing, also FOPEN_DIRECT_IO, so that read(2)/write(2)
 * still come to the daemon (with passthrough alone a write(2) past the
 * end would grow the backing file); opened O_RDONLY, without it, so that
 * read(2) is the backing file's too (nothing can grow it). Every other
 * namespace (the region file: never) is opened as without passthrough.
 *
 * libfuse 3.14 has no passthrough API. The receive loop (loop.c) shows
 * this module each INIT request (fs_pt_note_request: the kernel's flags);
 * op_init decides (fs_pt_init); libfuse's replies go out through a custom
 * io (fs_pt_install) whose writev adds FUSE_PASSTHROUGH and max_stack_depth
 * to the INIT reply and FOPEN_PASSTHROUGH and the backing id to an OPEN
 * reply that op_open armed (fs_pt_open) on the same thread just before.
 * A backing id is registered once per namespace (FUSE_DEV_IOC_BACKING_OPEN
 * on /dev/fuse) and closed when the namespace goes (fs_pt_ns_close).
 */
#ifndef PMEMFS_FS_PASSTHROUGH_H
#define PMEMFS_FS_PASSTHROUGH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuse_session;
struct fs_ns;

enum fs_pt_mode {
	FS_PT_AUTO,	/* where the kernel and privileges allow it (default) */
	FS_PT_ON,	/* the mount fails naming why it cannot */
	FS_PT_OFF,	/* never asked for */
};

/* the mount's passthrough state (struct fs_daemon.pt) */
struct fs_pt {
	enum fs_pt_mode mode;
	bool active;		/* negotiated at INIT (set before the INIT reply) */
	bool refused;		/* mode on, and it cannot be: the mount fails */
	char why[200];		/* active: how; else why not */
	pthread_mutex_t lock;	/* devfd against fs_pt_detach */
	int devfd;		/* /dev/fuse while the session lives, else -1 */
	int said_fail;		/* atomic: a failed registration was logged */
};

/*
 * The decision, from what INIT showed (init_seen: the kernel's INIT
 * request was read; kflags: its flags | flags2 << 32), whether the
 * process may register backing files (privileged; priv_why: why not) and
 * whether the writeback cache is on. true: use it; false: why says why
 * not, in the user's terms. No I/O: tests call it with made-up flags.
 */
bool fs_pt_decide(enum fs_pt_mode mode, bool init_seen, uint64_t kflags, bool privileged,
		  const char *priv_why, bool writeback, char *why, size_t len);

/* CAP_SYS_ADMIN in the initial user namespace (backing.c's capable()) */
bool fs_pt_privileged(char *why, size_t len);

void fs_pt_setup(struct fs_pt *pt, enum fs_pt_mode mode);
void fs_pt_destroy(struct fs_pt *pt);
/*
 * After mounting: the custom io on se's device (mode off: nothing, the
 * replies go out as ever). 0 or -errno (logged).
 */
int fs_pt_install(struct fs_pt *pt, struct fuse_session *se);
/* Before the session is destroyed: no more BACKING_CLOSE on its device. */
void fs_pt_detach(struct fs_pt *pt);

/* loop.c: a request as received (mem, size bytes); looks at INIT only */
void fs_pt_note_request(const void *mem, size_t size);
/* op_init: decide, log once, arm the INIT reply's patch */
void fs_pt_init(struct fs_pt *pt, bool writeback);

/*
 * op_open of n: 1 when this OPEN is to be answered with passthrough (the
 * reply is patched on this thread by the next writev; the caller clears
 * keep_cache, and sets direct_io unless the open is O_RDONLY), 0 to open
 * it as ever (*drop_cache: without keep_cache, the FUSE page cache may be
 * older than what mappings stored into the backing file), -EBUSY when
 * neither can be (passthrough opens remain that the kernel would not let
 * a cached open join). Counted in n->pt_opens / n->cached_opens until
 * fs_pt_release.
 */
int fs_pt_open(struct fs_pt *pt, struct fs_ns *n, bool *drop_cache);
/* RELEASE (or a failed OPEN reply) of an open fs_pt_open counted */
void fs_pt_release(struct fs_ns *n, bool passthrough);
/* after the reply (sent or not): nothing armed stays */
void fs_pt_open_done(void);
/*
 * The custom io's writev: a reply (iov[0] the out header, iov[1] its
 * argument) gets what fs_pt_init or fs_pt_open armed on this thread;
 * nothing stays armed after it.
 */
struct iovec;
void fs_pt_patch_reply(struct iovec *iov, int count);
/*
 * Fault simulation (crash testing, media errors) is about to start on n:
 * the passthrough opens that remain (0: none, and from now on n is never
 * opened with passthrough, the kernel's inode leaves passthrough mode as
 * the last one closes); fs_pt_fault_undo when it does not start after all.
 * Mappings that outlived their opens are the caller's to find (holders.h).
 */
unsigned fs_pt_fault_begin(struct fs_ns *n);
void fs_pt_fault_undo(struct fs_ns *n);
/* n goes: its backing id is closed (kept open files keep their backing) */
void fs_pt_ns_close(struct fs_ns *n);

#endif
