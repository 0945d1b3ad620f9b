/* SPDX-License-Identifier: MIT */
/*
 * A region: one backing file, [ data area | label area ]. Namespace dpa
 * values are byte offsets into the data area, which is also where the data
 * sits in the file. The region owns its namespaces (namespace.h).
 *
 * Opening a region file takes an exclusive OFD lock (F_OFD_SETLK) on it so
 * that one daemon or one offline writer works on a region at a time; the
 * lock survives fork and conflicts within one process too (a region given
 * twice). NS_REGION_RDONLY opens take no lock and refuse every change.
 */
#ifndef PMEMFS_NS_REGION_H
#define PMEMFS_NS_REGION_H

#include <stdbool.h>
#include <stdint.h>

#include "ns/io.h"
#include "ns/util.h"

struct ns_region;
struct ns_namespace;

/* region file size granularity and the default namespace alignment */
#define NS_REGION_SIZE_ALIGN (2u * 1024 * 1024)
#define NS_DEFAULT_ALIGN (2u * 1024 * 1024)
#define NS_MIN_ALIGN 4096u

enum ns_region_flags {
	NS_REGION_RDONLY = 1 << 0,	/* read only; no lock, no change */
	NS_REGION_NOLABELS_OK = 1 << 1,	/* open without a valid label area */
};

struct ns_region_opts {
	unsigned id;		/* R of region<R> and namespace<R>.<N> */
	unsigned flags;		/* enum ns_region_flags */
	uint64_t label_size;	/* 0: probe; else the label area's size */
	uint64_t isetcookie;	/* 0: from labels, else the version default */
};

struct ns_region_create_opts {
	uint64_t size;		/* whole file, a multiple of 2 MiB */
	uint64_t label_size;	/* 0: 128 KiB; a power of two >= 128 KiB */
	unsigned minor;		/* 0 or 2: v1.2 (256-byte labels); 1: v1.1 */
	uint32_t nvdimm_slot;	/* QEMU's -device nvdimm,slot=N (0 to 255) */
	bool prealloc;		/* allocate every block (else sparse) */
	ns_progress_fn *progress;	/* NULL, or told how prealloc goes */
	void *progress_arg;
	bool dir;		/* a region directory (path: the directory) */
};

/*
 * Create a new region file at path (O_EXCL: never overwrites), sized and
 * with an initialised label area (its blocks always allocated), then open
 * it as ns_region_open would. A failure removes the half-made file.
 */
int ns_region_create(const char *path, const struct ns_region_create_opts *c,
		     const struct ns_region_opts *o, struct ns_region **out);

/*
 * Open a region file: O_CLOEXEC, lock, find the label area (probe or
 * o->label_size), load the namespaces. Errors name the file and the reason:
 * -NS_E_LOCKED when another process holds it, -NS_E_NO_LABELS,
 * -NS_E_SIZE_MISMATCH (naming both sizes) when the file is smaller than a
 * label area or its labels reach past the data area.
 */
int ns_region_open(const char *path, const struct ns_region_opts *o,
		   struct ns_region **out);

/* The same on an io (tests). Takes ownership of io on success. */
int ns_region_open_io(struct ns_io *io, const char *name,
		      const struct ns_region_opts *o, struct ns_region **out);

/*
 * A region directory (create-region --layout dir): path is a directory
 * holding "region" (a sparse region file: its label area, never data) and
 * one file per namespace, "ns-<uuid>", of exactly the namespace's size,
 * preallocated, its bytes at offset 0. ns_region_open opens either layout
 * (a directory path is a region directory); ns_region_create makes one
 * with c->dir. Every file is reached with openat on the directory's
 * descriptor, O_NOFOLLOW: a link, FIFO or directory in their place is
 * refused, never followed. Create: the namespace file is made, sized,
 * fsynced with the directory, then the label committed (a failed commit
 * removes it); destroy: the label commit, then the file removed. A
 * writer's open removes ns-* files no label describes (a crash's
 * orphans); a namespace whose file is missing or of the wrong size is not
 * served (INVALID, with the reason).
 */
bool ns_region_is_dir(const struct ns_region *r);
/* opened NS_REGION_RDONLY (no lock, no change) */
bool ns_region_is_rdonly(const struct ns_region *r);
/*
 * A region directory's namespace file, opened with flags (O_RDWR ...;
 * O_NOFOLLOW|O_CLOEXEC added) through the directory: *fd, or -errno with
 * the message (not a regular file, not the namespace's size). -ENOTSUP on
 * a region file.
 */
int ns_region_ns_file_open(const struct ns_region *r, const struct ns_namespace *ns,
			   int flags, int *fd);
/*
 * The file holding the label area: the region file's path, or a region
 * directory's DIR/region (what media errors' sidecar, PATH.badblocks, is
 * named after and tied to).
 */
const char *ns_region_file_path(const struct ns_region *r);
/* "ns-<uuid>" of ns into buf (at least 48 bytes) */
const char *ns_region_ns_file_name(const struct ns_namespace *ns, char *buf, size_t len);
/*
 * The file holding path's label area: path itself (O_CLOEXEC), or a
 * region directory's "region" (as ns_region_open reaches it). *fd or
 * -errno with the message.
 */
int ns_region_open_file(const char *path, bool rdonly, int *fd);
/* ns_dir_reconcile's messages (removed orphans): NULL, or a logger */
void ns_region_set_logger(void (*fn)(const char *msg));

/* Releases the namespaces, the lock and the file. */
void ns_region_close(struct ns_region **r);

unsigned ns_region_id(const struct ns_region *r);
const char *ns_region_devname(const struct ns_region *r);	/* "region0" */
const char *ns_region_path(const struct ns_region *r);
int ns_region_fd(const struct ns_region *r);	/* -1 on io regions */
struct ns_io *ns_region_io(const struct ns_region *r);
uint64_t ns_region_size(const struct ns_region *r);		/* the file */
uint64_t ns_region_data_size(const struct ns_region *r);	/* dpa space */
bool ns_region_has_labels(const struct ns_region *r);
uint64_t ns_region_label_size(const struct ns_region *r);	/* LSA bytes */
unsigned ns_region_label_minor(const struct ns_region *r);	/* 1 or 2 */
uint64_t ns_region_isetcookie(const struct ns_region *r);
/*
 * The QEMU nvdimm slot whose guest computes the region's cookie
 * (ns_isetcookie_qemu): true and *nvdimm_slot, or false when the cookie
 * is no slot's (labels from elsewhere chose it).
 */
bool ns_region_nvdimm_slot(const struct ns_region *r, uint32_t *nvdimm_slot);

/*
 * Move the region to QEMU nvdimm slot nvdimm_slot (move-region): every
 * decodable label with nlabel 1 whose cookie is not that slot's is
 * rewritten with that slot's cookie (the rest of its bytes verbatim), all
 * in one label commit into free slots (labels are never rewritten in
 * place), and the index block records the slot (on-media-format.md).
 * Refused before anything is written, -ENOSPC naming both counts, when
 * there are fewer free label slots than labels to rewrite; -EINVAL for a
 * slot out of range. Namespace objects, ids and holders stay; namespaces
 * served before are served after. *rewritten (optional): labels rewritten.
 */
int ns_region_set_nvdimm_slot(struct ns_region *r, uint32_t nvdimm_slot,
			      unsigned *rewritten);
struct ns_lsa *ns_region_lsa(const struct ns_region *r);	/* NULL w/o labels */
/*
 * Changes whenever a change may have given a namespace other than a newly
 * created one another shown name (a duplicate name became unique, a
 * reload): a caller that mirrors the names compares it, instead of
 * comparing every name after every create and destroy.
 */
unsigned ns_region_names_gen(const struct ns_region *r);

/* Free space for namespaces of alignment align (see alloc.h). */
void ns_region_space(const struct ns_region *r, uint64_t align,
		     uint64_t *available, uint64_t *max_extent);

/*
 * ndctl's default namespace size: the largest free extent of alignment
 * align (0: the default). 0 and *size, or -ENOSPC with a message that
 * says when only the alignment is what leaves no room.
 */
int ns_region_default_size(const struct ns_region *r, uint64_t align, uint64_t *size);

/*
 * Write a fresh label area (minor 1 or 2; 0 = keep the current version,
 * 2 when there is none) of the region's label size. Refused with
 * -NS_E_LABELS_EXIST when a valid one exists and force is false; with
 * force, every namespace is forgotten (data is not touched).
 * Refused with -EBUSY while a namespace is held (ns_namespace_get).
 */
int ns_region_init_labels(struct ns_region *r, unsigned minor, bool force);

/*
 * Zero the whole label area (ndctl zero-labels). Same -EBUSY rule.
 * Both this and ns_region_init_labels refuse with -NS_E_LABELS_EXIST,
 * unless force, when the file holds a valid label area of another size
 * (the one an open without a label size finds): writing this one would
 * damage it or, larger, overwrite data below it; the message says which
 * namespaces and how many bytes. With force that other area's index
 * blocks are zeroed too once the new area is durable, so that it cannot
 * be found first later.
 */
int ns_region_zero_labels(struct ns_region *r, bool force);

/*
 * That check alone: 0, or -NS_E_LABELS_EXIST with the message, when the
 * file holds a valid label area of another size than r's (for callers
 * that pass force for another reason, such as an empty area re-made).
 */
int ns_region_check_other_area(struct ns_region *r, bool zero);

/* Re-read the label area from the medium and rebuild the namespaces. */
int ns_region_reload(struct ns_region *r);

/*
 * Namespaces in label-slot order (every label of the current index, served
 * or not; destroyed ones are gone from the walk):
 *   ns_region_foreach_namespace(r, ns) { ... }
 */
struct ns_namespace *ns_namespace_get_first(struct ns_region *r);
struct ns_namespace *ns_namespace_get_next(struct ns_namespace *ns);
#define ns_region_foreach_namespace(r, ns) \
	for ((ns) = ns_namespace_get_first(r); (ns) != NULL; \
	     (ns) = ns_namespace_get_next(ns))

/*
 * Find a namespace by device name ("namespace0.1"), UUID (any case) or
 * shown name. NULL when none (no message set).
 */
struct ns_namespace *ns_region_find_namespace(struct ns_region *r, const char *spec);

#endif
