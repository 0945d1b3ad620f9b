/* SPDX-License-Identifier: MIT */
/*
 * The inode table: the root (ino 1), one directory per region and one
 * regular file per served namespace. Inode numbers come from a counter and
 * are never reused within a mount, so a stale handle can never reach a new
 * namespace; nodeid == st_ino, generation 0.
 *
 * Files may be added and removed while mounted (the control socket does
 * this): fs_inode_new links a new inode into its directory, and
 * fs_inode_unlink takes it out; an unlinked inode is freed once the
 * kernel has forgotten it (LOOKUP count 0) and no handle is open. The
 * caller sends the kernel notifications (inval_entry/delete) from its own
 * thread, never from a request handler.
 *
 * Locks: t->lock (rwlock) guards the table, directory membership and the
 * attributes (mode, owner, times); nlookup is atomic so LOOKUP needs only
 * the read lock. Taken before any fs_ns lock (nsfile.h), never held
 * across I/O.
 */
#ifndef PMEMFS_FS_INODE_H
#define PMEMFS_FS_INODE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "fs/fs_fuse.h"

struct fs_ns;
struct fs_region;

enum fs_inode_kind {
	FS_INODE_DIR,
	FS_INODE_FILE,
};

#define FS_NAME_MAX 64	/* namespace names are <= 63 bytes */

struct fs_inode {
	fuse_ino_t ino;
	enum fs_inode_kind kind;
	char name[FS_NAME_MAX];
	struct fs_inode *parent;
	struct fs_inode *child_first, *child_last;	/* ascending ino */
	struct fs_inode *prev, *next;			/* siblings */
	struct fs_inode *hnext;		/* the table's name hash chain */
	unsigned nsubdirs;
	bool linked;		/* in its parent directory */

	mode_t mode;		/* with the S_IFMT bits */
	uid_t uid;
	gid_t gid;
	struct timespec atime, mtime, ctime;

	uint64_t nlookup;	/* LOOKUP replies minus FORGET (atomic) */

	struct fs_region *region;	/* regions and their files */
	struct fs_ns *ns;		/* files: owned, freed with the inode */
};

struct fs_inode_table {
	pthread_rwlock_t lock;
	struct fs_inode **v;	/* indexed by ino; NULL once freed */
	size_t cap;
	fuse_ino_t next;	/* next ino to hand out */
	struct fs_inode *root;
	void (*free_ns)(struct fs_ns *ns);	/* releases a file's namespace */
	/* linked inodes by (parent, name): lookups cost no walk of a directory */
	struct fs_inode **h;
	size_t hmask, hcount;
	/*
	 * FUSE passthrough is on for the connection (set at INIT): mappings
	 * of a layout's own files may move their times unseen
	 */
	bool passthrough;
};

int fs_itable_init(struct fs_inode_table *t, uid_t uid, gid_t gid,
		   void (*free_ns)(struct fs_ns *ns));
void fs_itable_fini(struct fs_inode_table *t);

/*
 * Create an inode named name in directory parent (NULL: the root itself)
 * with type and permission bits in mode. Takes the write lock. -EEXIST when
 * the name is taken, -ENOMEM.
 */
int fs_inode_new(struct fs_inode_table *t, struct fs_inode *parent,
		 const char *name, mode_t mode, uid_t uid, gid_t gid,
		 struct fs_inode **out);

/*
 * Give ino a new name in its directory (a renamed namespace). Takes the
 * write lock. -EEXIST when the name is taken, -ENAMETOOLONG.
 */
int fs_inode_rename(struct fs_inode_table *t, struct fs_inode *ino, const char *name);

/* Take ino out of its directory; freed when forgotten and closed. */
void fs_inode_unlink(struct fs_inode_table *t, struct fs_inode *ino);

/*
 * The inode for a nodeid the kernel holds (valid while it does), or NULL.
 * Takes and drops the read lock.
 */
struct fs_inode *fs_inode_get(struct fs_inode_table *t, fuse_ino_t ino);

/*
 * LOOKUP: find name in directory parent, count the reference and fill e.
 * Returns 0, -ENOENT or -ENOTDIR.
 */
int fs_inode_lookup(struct fs_inode_table *t, fuse_ino_t parent, const char *name,
		    double timeout, struct fuse_entry_param *e);

/* FORGET: drop n references; may free an unlinked inode. */
void fs_inode_forget(struct fs_inode_table *t, fuse_ino_t ino, uint64_t n);

/*
 * Drop one open handle of a namespace file (ns->handles) and free the
 * inode if it is unlinked, forgotten and has no handle left. ino must not
 * be used afterwards. Lock order: itable.lock, then fs_ns.lock.
 */
void fs_inode_release_handle(struct fs_inode_table *t, struct fs_inode *ino);

/* stat of an inode; caller holds the lock (read or write). */
void fs_inode_stat_locked(const struct fs_inode *ino, struct stat *st);
/*
 * the attribute timeout for ino's replies: timeout, or 0 where its data
 * can change unseen by the daemon (region_ops refresh_times, with
 * passthrough on t's connection)
 */
double fs_inode_attr_timeout(const struct fs_inode_table *t, const struct fs_inode *ino,
			      double timeout);
/* The same, taking the read lock. */
void fs_inode_stat(struct fs_inode_table *t, const struct fs_inode *ino,
		   struct stat *st);

/*
 * READDIR: add entries of directory dir after offset off to buf with
 * fuse_add_direntry (offsets: "." 1, ".." 2, a child ino+2, so that
 * entries added or removed meanwhile never shift the others). Returns the
 * bytes used.
 */
size_t fs_inode_readdir(struct fs_inode_table *t, fuse_req_t req,
			struct fs_inode *dir, char *buf, size_t size, off_t off);

#endif
