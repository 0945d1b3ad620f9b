/* SPDX-License-Identifier: MIT */
/*
 * A namespace: a contiguous, aligned byte range of a region's data area
 * described by one label. Every label of the current index is a namespace
 * object; only those in state NS_STATE_ACTIVE are served as files.
 */
#ifndef PMEMFS_NS_NAMESPACE_H
#define PMEMFS_NS_NAMESPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "ns/region.h"

enum ns_state {
	NS_STATE_ACTIVE,	/* served */
	NS_STATE_INTERLEAVED,	/* nlabel > 1: part of an interleave set */
	NS_STATE_FOREIGN,	/* isetcookie is not the region's */
	NS_STATE_INVALID,	/* bad checksum, slot, range, duplicate uuid... */
	NS_STATE_DESTROYED,	/* label freed, still held: range reserved */
};

struct ns_namespace_create_opts {
	uint64_t size;		/* bytes, a multiple of align */
	uint64_t align;		/* 0: 2 MiB; a power of two >= 4 KiB */
	const char *name;	/* NULL or "": none (shown by device name) */
	const uint8_t *uuid;	/* NULL: random */
	bool readonly;		/* label flag ROLABEL */
	bool sparse;		/* do not preallocate the range */
	bool force;		/* may use ranges under undecodable labels */
	ns_progress_fn *progress;	/* NULL, or told how preallocation goes */
	void *progress_arg;
};

/*
 * Create a namespace: validate name/uuid/size/align (messages name the
 * problem), find the first aligned free extent (-ENOSPC names the largest
 * free extent), preallocate it in the file unless sparse (ENOSPC of the
 * file system surfaces here), commit a new label. *out is optional.
 */
int ns_namespace_create(struct ns_region *r, const struct ns_namespace_create_opts *o,
			struct ns_namespace **out);

enum ns_destroy_flags {
	NS_DESTROY_FORCE = 1 << 0,	/* even while held (open or mapped) */
};

/*
 * Destroy: refused with -EBUSY while held unless forced. Zero and persist
 * the first min(8 KiB, size) bytes of the data, then free the label. A
 * namespace that is still held becomes NS_STATE_DESTROYED (its range stays
 * reserved) and is freed by the last ns_namespace_put(); otherwise ns is
 * freed before this returns. Unserved namespaces can be destroyed too (it
 * frees their label), which is how a user reclaims a foreign range.
 */
int ns_namespace_destroy(struct ns_namespace *ns, unsigned flags);

/* Rename (a new label with the new name, the rest copied verbatim). */
int ns_namespace_rename(struct ns_namespace *ns, const char *name);

/* Set or clear the read-only label flag. */
int ns_namespace_set_readonly(struct ns_namespace *ns, bool readonly);

/*
 * Hold / release: the daemon holds a namespace while a file handle is
 * open or a mapping may exist. ns_namespace_put may free a destroyed ns.
 */
void ns_namespace_get(struct ns_namespace *ns);
void ns_namespace_put(struct ns_namespace *ns);
unsigned ns_namespace_holders(const struct ns_namespace *ns);

struct ns_region *ns_namespace_region(const struct ns_namespace *ns);
unsigned ns_namespace_id(const struct ns_namespace *ns);	/* N */
const char *ns_namespace_devname(const struct ns_namespace *ns); /* namespaceR.N */
/* the shown name: the label's name if valid and unique, else devname */
const char *ns_namespace_name(const struct ns_namespace *ns);
const char *ns_namespace_label_name(const struct ns_namespace *ns); /* as on media */
const uint8_t *ns_namespace_uuid(const struct ns_namespace *ns);
const char *ns_namespace_uuid_str(const struct ns_namespace *ns); /* lowercase */
uint64_t ns_namespace_dpa(const struct ns_namespace *ns);	/* in data area = file offset */
uint64_t ns_namespace_size(const struct ns_namespace *ns);
/* largest power of two dividing size and dpa, at most 2 MiB (the default) */
uint64_t ns_namespace_align(const struct ns_namespace *ns);
uint32_t ns_namespace_flags(const struct ns_namespace *ns);	/* label flags */
bool ns_namespace_readonly(const struct ns_namespace *ns);
uint32_t ns_namespace_slot(const struct ns_namespace *ns);
uint64_t ns_namespace_isetcookie(const struct ns_namespace *ns);
enum ns_state ns_namespace_state(const struct ns_namespace *ns);
const char *ns_state_name(enum ns_state st);	/* "active", "interleaved", ... */
/* why a namespace is not served ("" when active) */
const char *ns_namespace_reason(const struct ns_namespace *ns);

/* Caller's pointer (the daemon's inode), NULL by default. */
void ns_namespace_set_userdata(struct ns_namespace *ns, void *p);
void *ns_namespace_get_userdata(const struct ns_namespace *ns);

/*
 * Name rules: at most 63 bytes, printable ASCII, no '/', not "." "..",
 * "all", not of the form namespaceX.Y and not a UUID. Returns 0 or -EINVAL
 * with a message naming the rule broken. Uniqueness is checked by create
 * and rename.
 */
int ns_name_validate(const char *name);

#endif
