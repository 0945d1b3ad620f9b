/* SPDX-License-Identifier: MIT */
/*
 * A region's data as its layout stores it: the one interface between the
 * data path (data.c the dispatch, flush.c persist, the fault layers' undo
 * pages, the control side's records) and the files that hold a region's
 * namespaces. The region file (region_io.c, fs_region_file_ops): every
 * namespace at its dpa in one file, reached through descriptors the
 * region's namespaces share. A second layout (a region directory, one
 * file per namespace) is a second table beside it; nothing above this
 * interface names a layout's descriptors. Label I/O is the core's
 * (src/ns, behind struct ns_io_ops, io.h), not this.
 *
 * A region has one table (fs_region.rops) and the state its open made
 * (fs_region.rio); each served namespace copies both (fs_ns.rops, .rio)
 * and may have state of its own (fs_ns.rns, made by ns_open). Offsets are
 * namespace offsets (0 .. n->size); callers check bounds. The data path
 * makes one indirect call per WRITE, READ, FALLOCATE and persist.
 *
 * Each op returns 0 or a negative errno unless it says otherwise.
 */
#ifndef PMEMFS_FS_REGION_OPS_H
#define PMEMFS_FS_REGION_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ns_region;
struct ns_namespace;
struct fs_ns;
struct fs_dirty;
struct fs_rio;		/* a layout's state of one region: its own type */

enum fs_backing {
	FS_BACKING_AUTO,	/* O_DIRECT where the file system has it */
	FS_BACKING_DIRECT,	/* O_DIRECT required */
	FS_BACKING_BUFFERED,	/* buffered + sync_file_range + DONTNEED */
};

struct fs_region_ops {
	const char *name;	/* the layout, for messages */

	/* ---- the region ---- */
	/*
	 * Open the data of region r (opened by the core) for its namespaces'
	 * I/O: *out, or -errno with the reason logged. close after the last
	 * namespace using it is gone.
	 */
	int (*open)(struct ns_region *r, enum fs_backing backing, struct fs_rio **out);
	void (*close)(struct fs_rio *rio);
	/* aligned I/O bypasses the page cache ("direct": messages, list -v) */
	bool (*direct)(const struct fs_rio *rio);
	/*
	 * Bytes of n's data the page cache holds dirty or under write-back
	 * (cachestat(2)); n NULL: whether it can tell at all. -errno when it
	 * cannot tell.
	 */
	int (*cachestat)(struct fs_rio *rio, const struct fs_ns *n, uint64_t *bytes);

	/* ---- a served namespace (n->rio set by fs_ns_init) ---- */
	/* n starts or stops being served: write-back errors met before are not n's */
	int (*ns_open)(struct fs_ns *n);
	void (*ns_close)(struct fs_ns *n);
	/*
	 * n's data will be reached (a FUSE OPEN until its RELEASE, a power
	 * failure's revert) until the matching ns_put: what the layout keeps
	 * per namespace to reach it (a region directory's descriptors of the
	 * namespace file, opened on demand) is ready and stays so meanwhile;
	 * the data ops below and sync outside a persist are called only
	 * between the two. 0, -ENFILE (the daemon's open-file limit, logged),
	 * -EIO (n's file is not the one served any more: logged, n's sticky
	 * error set) or -ENOMEM. NULL where the layout keeps nothing per
	 * namespace (the region file: every namespace on the region's
	 * descriptors).
	 */
	int (*ns_get)(struct fs_ns *n);
	void (*ns_put)(struct fs_ns *n);
	/*
	 * A WRITE's data: recorded as dirty (fs_dirty_add, fs_dirty_mark_sync)
	 * until the next sync; cached: a small write(2) that must not wait for
	 * the disk (FS_WRITE_CACHED_MAX, nsfile.h). A failure sets n's sticky
	 * error and returns -EIO.
	 */
	int (*write)(struct fs_ns *n, const void *buf, size_t len, uint64_t off, bool cached);
	/*
	 * len bytes waiting in pipefd: 0, -EAGAIN when this layout cannot take
	 * them from a pipe here (nothing was taken), or -EIO (sticky error set).
	 */
	int (*write_pipe)(struct fs_ns *n, int pipefd, size_t len, uint64_t off);
	/* into a per-thread buffer (*out, valid until the thread's next read) */
	int (*read)(struct fs_ns *n, size_t len, uint64_t off, void **out);
	/* FALLOCATE: mode 0 reserves, PUNCH_HOLE / ZERO_RANGE discard (zeroes) */
	int (*fallocate)(struct fs_ns *n, int mode, uint64_t off, uint64_t len);
	/*
	 * Page p (FS_NS_PAGE bytes at p * FS_NS_PAGE) as READ would see it,
	 * without leaving a second cached copy (the undo log's old pages); a
	 * page written back (a power failure putting them back), made durable
	 * by the next sync without being listed in n->dirty; a write where the
	 * layout no longer has the page: -ENXIO, nothing written.
	 */
	int (*read_page)(struct fs_ns *n, void *buf, uint64_t p);
	int (*write_page)(struct fs_ns *n, const void *buf, uint64_t p);
	/*
	 * Make n's data durable: the ranges d lists (d->whole: all of n), then
	 * what reached the layout without a listed range (fs_dirty_mark_sync:
	 * O_DIRECT, fallocate; write_page) and its metadata (d NULL: only
	 * that); with the write-back errors of the layout's files that are
	 * n's (the region file's probe, nsfile.h). A persist calls it under
	 * n->flush_lock, a power failure under its own locks. 0 or
	 * the POSITIVE errno, *what (when not NULL) naming the call that met
	 * it; the caller records it (fs_ns_set_error).
	 */
	int (*sync)(struct fs_ns *n, const struct fs_dirty *d, const char **what);
	/*
	 * A descriptor of a regular file holding exactly n's bytes at offset
	 * 0 (FUSE passthrough maps it, passthrough.h), owned by the layout
	 * until ns_close; -ENOTSUP where the layout has none (the region file).
	 */
	int (*backing_fd)(struct fs_ns *n);
	/*
	 * Namespace ns (core; not served now, nobody of this daemon holds
	 * its file): 1 when another open file or mapping of its layout's
	 * file remains (a passthrough mapping that outlived its serving, or
	 * its daemon), 0 when none does, -errno when the layout cannot tell.
	 * NULL where the layout has no file per namespace (the region file).
	 */
	int (*file_busy)(struct fs_rio *rio, struct ns_namespace *ns);
	/*
	 * Fold data changes the daemon did not see (stores through a
	 * passthrough mapping go to the layout's file) into n->data_time
	 * (fs_ns_touch_at), for the file's mtime and ctime; called by
	 * GETATTR. NULL where every data change comes through the daemon.
	 */
	void (*refresh_times)(struct fs_ns *n);
};

/* region_io.c: the region file (nsfile.h: the data path on it) */
extern const struct fs_region_ops fs_region_file_ops;
/*
 * The region file's state for a region file open on region_fd (reopened,
 * not taken; devname for messages): what fs_region_file_ops.open makes
 * from a core region, for a test that has only a file.
 */
int fs_region_file_open(int region_fd, enum fs_backing backing, const char *devname,
			struct fs_rio **out);

/*
 * region_dir.c: a region directory (ns/region.h), each namespace in its
 * own file DIR/ns-<uuid>, opened by ns_open; daemon.c picks it for a
 * region the core opened as a directory (ns_region_is_dir).
 */
extern const struct fs_region_ops fs_region_dir_ops;

#endif
