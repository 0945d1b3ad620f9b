/* SPDX-License-Identifier: MIT */
/*
 * The daemon's state: one struct fs_daemon, passed to fuse_session_new and
 * reached from every handler through fuse_req_userdata(); threads other
 * than the FUSE loop (signals, bdi, the control socket's I/O thread and
 * workers) get the same pointer.
 *
 * Threads: the receive loop (loop.c: 16 threads, one with -s) serves
 * requests and never waits for a long persist: an FSYNC with much to do
 * and the last RELEASE go to the flush workers (worker.c), which reply
 * when the namespace is durable; a short FSYNC is persisted on the loop
 * thread (fs_ns_persist_small, fs_ops.c).
 * The control socket has threads of its own (control.c, src/ctl/server.h:
 * an I/O thread and workers that run the commands) that change the tree
 * at run time. Kernel notifications (fuse_lowlevel_notify_*) come only
 * from those workers, never from the loop or a flush worker, and with no
 * daemon lock held.
 *
 * Locks:
 *   ctl_lock           control commands that change something run one at
 *                      a time (control.c); never taken by FUSE threads,
 *                      never held while a request waits for a RELEASE
 *                      (those are parked, src/ctl/server.h)
 *   lock (below)       the core's region and namespace objects (src/ns is
 *                      not thread-safe) and the tree's membership: a
 *                      control command holds it for its whole run; FUSE
 *                      threads take it around ns_namespace_get/put (OPEN,
 *                      last RELEASE) and to test that a file is still linked
 *                      when it is opened. Never held across a notification
 *                      or a persist of data.
 *   itable.lock        the inode table (inode.h)
 *   fs_ns.flush_lock   one persist of a namespace at a time (nsfile.h)
 *   fs_ns.lock         dirty extents, handles, writers, destroyed
 *   fs_rio.lock        a region file's write-back error probe (nsfile.h,
 *                      region_io.c): taken under fs_ns.flush_lock (a
 *                      persist's sync, a WRITE's dirty_begin) and under
 *                      lock (fs_ns_init samples a newly served namespace);
 *                      never with fs_ns.lock; held across the probe call
 *                      only, which waits on no page
 *   fault locks        crash testing and media errors (fault.h, media.h): never
 *                      taken under fs_ns.lock, nor under lock except the
 *                      media lock (a leaf), which list -M takes under lock
 *                      (fs_ctl_put_region_badblocks, fs_media_clip); a
 *                      power failure takes fs_ns.lock (fs_ns_handles)
 *                      under its revert_lock, an armed crash lock and
 *                      fs_ns.lock through fs_daemon_file_hold/drop (not
 *                      under a fault lock), never across a notification
 * Lock order: ctl_lock -> lock -> itable.lock -> fs_ns.flush_lock ->
 * fs_ns.lock; fs_ns.flush_lock -> fs_rio.lock; lock -> fs_rio.lock;
 * lock -> media save_lock -> media lock; ctl_lock -> the fault locks (a
 * power failure under ctl_lock); the worker queue lock, the control
 * server's queue lock and control_query.c's snapshot lock (list/stats answered
 * while a change holds lock) are leaves.
 */
#ifndef PMEMFS_FS_FS_H
#define PMEMFS_FS_FS_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "fs/fs_fuse.h"
#include "fs/inode.h"
#include "fs/nsfile.h"
#include "fs/passthrough.h"

struct ns_region;
struct ns_namespace;
struct fs_worker;
struct ctl_server;

struct fs_config {
	uid_t uid;		/* owner of the namespace files */
	gid_t gid;
	mode_t mode;		/* permission bits of the namespace files */
	bool allow_other;	/* with default_permissions */
	enum fs_backing backing;
	bool splice;		/* receive through pipes (loop.c): -o splice */
	unsigned max_write;	/* the largest WRITE the receive loop takes */
	unsigned flush_threads;
	double timeout;		/* entry and attribute timeout, seconds */
	enum fs_pt_mode passthrough;	/* -o passthrough (passthrough.h) */
};

struct fs_region {
	struct ns_region *r;
	unsigned names_gen;	/* ns_region_names_gen() the files last matched */
	unsigned id;		/* N of region<N> */
	struct fs_inode *dir;
	struct fs_media *media;	/* injected media errors (media.h), owned */
	struct fs_health *health;	/* shutdown count and state (health.h), owned */
	/* its data's layout (region_ops.h): the table, and what open made (owned) */
	const struct fs_region_ops *rops;
	struct fs_rio *rio;
};

struct fs_daemon {
	struct fs_config cfg;
	struct fuse_session *se;
	const char *mountpoint;		/* absolute */
	struct fs_region *regions;
	unsigned nregions;
	bool unclean;			/* the final persist failed (health.h) */

	/* the daemon lock: the core's objects (see the top of this file) */
	pthread_mutex_t lock;
	pthread_mutex_t ctl_lock;	/* control commands that change things */
	struct ctl_server *ctl;		/* the control socket, NULL when off (under lock) */
	/* a namespace hold was dropped (lock held): control.c's, NULL when off (under lock) */
	void (*released)(struct fs_daemon *d);
	struct fs_inode_table itable;
	struct fs_worker *worker;

	/* set by INIT: the kernel applies its own bdi settings there */
	pthread_mutex_t init_lock;
	pthread_cond_t init_cond;
	bool init_done;
	struct fs_pt pt;		/* FUSE passthrough (decided by INIT) */

	/* the mount's device number, found after mounting (bdi thread) */
	unsigned dev_major, dev_minor;
	bool dev_known;			/* atomic */
};

extern const struct fuse_lowlevel_ops fs_ops;

/* daemon.c */
/* Set up state for opened regions (taken over) and build the tree. */
int fs_daemon_init(struct fs_daemon *d, const struct fs_config *cfg,
		   struct ns_region **regions, unsigned nregions);
/* The daemon forked into the background: its regions' health names its pid. */
void fs_daemon_health_moved(struct fs_daemon *d);
/* Wait (up to timeout_ms) for the kernel's INIT to be answered. */
bool fs_daemon_wait_init(struct fs_daemon *d, unsigned timeout_ms);
/* Show an active namespace as a file (at start, or later from ctl). */
int fs_daemon_add_namespace(struct fs_daemon *d, struct fs_region *reg,
			    struct ns_namespace *ns, struct fs_inode **out);
/*
 * Take a namespace file out of the tree (the caller notifies the kernel
 * from its own thread). It is persisted and freed with its last handle.
 */
void fs_daemon_remove_namespace(struct fs_daemon *d, struct fs_inode *file);
/*
 * Once INIT is answered: a request of our own (OPENDIR of the root) that
 * the kernel holds until it has processed the INIT reply. From a child
 * process, as fs_daemon_writeback; not from the FUSE loop.
 */
void fs_daemon_init_barrier(struct fs_daemon *d);
/*
 * Write the mount's dirty pages back to the daemon (syncfs, then fsync of
 * every file), from a child process without /dev/fuse (a daemon thread
 * waiting on its own mount would make a kill -9 hang). Only from a thread
 * other than the FUSE loop, while it serves.
 */
void fs_daemon_writeback(struct fs_daemon *d);
/* Persist every namespace; returns the first error. */
int fs_daemon_persist_all(struct fs_daemon *d);
/* Call fn on every served namespace (under the table's read lock). */
void fs_daemon_foreach_ns(struct fs_daemon *d,
			  void (*fn)(struct fs_inode *file, void *arg), void *arg);
/* Free everything, close the regions (releasing their locks). */
void fs_daemon_fini(struct fs_daemon *d);

/*
 * Release one hold of the core namespace ns (an OPEN's), under the
 * daemon lock; wakes a control request waiting for it. Takes the core
 * object, not the file's fs_ns, which the last release may free.
 */
void fs_daemon_ns_put(struct fs_daemon *d, struct ns_namespace *ns);
/*
 * Hold a namespace file as an OPEN does (a handle and the core's hold),
 * so that it outlives a destroy, from a thread of the daemon that is not
 * a FUSE request's (crash_arm.c); fs_daemon_file_drop lets go (it may
 * free file).
 */
void fs_daemon_file_hold(struct fs_daemon *d, struct fs_inode *file);
void fs_daemon_file_drop(struct fs_daemon *d, struct fs_inode *file);

/* control.c: the control socket (src/ctl/server.h) of a mounted daemon */
struct fs_ctl_opts {
	const char *path;	/* socket path */
	uid_t owner;		/* may change things besides root */
	gid_t group;		/* (gid_t)-1: socket 0600, else 0660 with this group */
};
/* Start serving; 0 or a negative errno with an ns_err() message. */
int fs_ctl_start(struct fs_daemon *d, const struct fs_ctl_opts *o);
/* Stop serving (waits for the requests in progress); NULL-safe. */
void fs_ctl_stop(struct fs_daemon *d);

/* worker.c: the flush workers */
int fs_worker_start(unsigned nthreads, struct fs_worker **out);
/* Run fn(arg) on a worker; runs it inline when the queue cannot take it. */
void fs_worker_submit(struct fs_worker *w, void (*fn)(void *arg), void *arg);
/* Finish queued jobs, join the threads. */
void fs_worker_stop(struct fs_worker **w);

#endif
