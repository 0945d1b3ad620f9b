/* SPDX-License-Identifier: MIT */
/*
 * Private to region.c, cookie.c and the namespace files (namespace.c and
 * those of namespace_priv.h): the region and namespace objects and the
 * functions they share. Nothing outside src/ns includes this.
 */
#ifndef PMEMFS_NS_INTERNAL_H
#define PMEMFS_NS_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "ns/alloc.h"
#include "ns/error.h"
#include "ns/label.h"
#include "ns/lsa.h"
#include "ns/namespace.h"
#include "ns/region.h"

#define NS_REASON_LEN 256

struct ns_namespace_create_opts;

/*
 * Where a layout keeps a namespace's data: the one place create and
 * destroy (ns_change.c) and classify ask. The region file
 * (ns_place_file, ns_change.c): the namespace's dpa range of the region's
 * io. A region directory (region_dir.c): a file of its own, DIR/ns-<uuid>.
 */
struct ns_place_ops {
	/*
	 * Before the label commit of a new namespace l: its data made and
	 * durable; *note (may be NULL) is ended by create_end, after the
	 * commit, with undo when the commit failed (gives back exactly what
	 * create_begin made): 0 or -errno of the give-back.
	 */
	int (*create_begin)(struct ns_region *r, const struct ns_label *l,
			    const struct ns_namespace_create_opts *o, void **note);
	int (*create_end)(struct ns_region *r, void *note, bool undo);
	/*
	 * destroy: before the label commit (the file: zero the first bytes;
	 * the directory: ns-<uuid> renamed ns-<uuid>.gone); *note (may be
	 * NULL) is ended by destroy_end after the commit, with undo when the
	 * commit failed (the directory: renamed back), else the data given
	 * up (the directory: .gone removed, best effort). destroy_end NULL:
	 * nothing to end (*note stays NULL).
	 */
	int (*destroy_begin)(struct ns_namespace *ns, void **note);
	void (*destroy_end)(struct ns_region *r, const struct ns_label *l, void *note,
			    bool undo);
	/*
	 * classify: an otherwise served namespace whose data is not there
	 * (NULL: always there): true with ns->reason set.
	 */
	bool (*missing)(struct ns_region *r, struct ns_namespace *ns);
};

/* r's (ns_change.c): the region file's dpa ranges unless r->place */
const struct ns_place_ops *ns_place(const struct ns_region *r);

/* region_dir.c: a region directory's (r->dirfd >= 0) */
extern const struct ns_place_ops ns_place_dir;
/*
 * Open the region directory path (O_DIRECTORY|O_NOFOLLOW) and its
 * "region" file (openat, O_NOFOLLOW, a regular file only): *dirfd, *fd,
 * or -errno with the message. ns_region_open calls it for a directory.
 */
int ns_dir_open(const char *path, bool rdonly, int *dirfd, int *fd);
/* r opened on a region directory's dirfd: its placement, its file path */
int ns_dir_attach(struct ns_region *r, int dirfd);
/*
 * create-region --layout dir: mkdir path (0700), then its "region" file.
 * nonnull: what every caller passes; without it an UBSan build (its
 * nonnull-attribute check of mkdir(path) goes on after reporting) has a
 * path with path NULL reaching the messages' '%s' (-Wformat-overflow).
 */
int ns_dir_create(const char *path, int *dirfd, int *fd) __attribute__((nonnull));
/* a failed create: "region" and the directory removed (dirfd closed) */
void ns_dir_create_undo(const char *path, int dirfd);
/*
 * After the open of a region directory (region_dir_scan.c), its entries
 * ns-*: a writer finishes what a crash interrupted (ns-<uuid>.new and
 * ns-<uuid>.gone, by whether a label names the uuid) and reclassifies; a
 * reader changes nothing. Both say through the logger what they found or
 * did, and keep and name files no label names and entries that are not
 * a regular file of one name (never followed, never removed). -errno
 * only when the directory cannot be listed.
 */
int ns_dir_reconcile(struct ns_region *r);

struct ns_namespace {
	struct ns_region *region;
	struct ns_namespace *next;	/* r->ns (slot order) or r->dead */
	struct ns_namespace *prev;	/* r->ns only */
	/* hash chains of the region's indexes (r->ns only, index.c) */
	struct ns_namespace *h_uuid, *h_name, *h_id;
	unsigned id;			/* N of namespaceR.N */
	char devname[32];
	uint32_t slot;
	/*
	 * the label as decoded (raw bytes included); decode_ok as decoded
	 * (when false, reason holds the decode error from then on)
	 */
	struct ns_label label;
	bool decode_ok;
	/* computed by ns_region_classify() */
	enum ns_state state;
	char reason[NS_REASON_LEN];
	const char *shown;		/* label.name or devname */
	char uuid_str[37];
	unsigned holders;
	void *userdata;
};

struct ns_region {
	unsigned id;
	unsigned flags;			/* enum ns_region_flags */
	char devname[32];
	char *path;			/* file path, or the io region's name */
	int fd;				/* -1 for io regions */
	int dirfd;			/* a region directory's, else -1 */
	char *file_path;		/* its DIR/region (NULL: path is the file) */
	const struct ns_place_ops *place;	/* where data lives (below) */
	struct ns_io *io;
	uint64_t size;			/* the whole file */
	uint64_t data_size;
	uint64_t label_size;
	bool has_labels;
	struct ns_lsa *lsa;		/* NULL without labels */
	uint64_t isetcookie;		/* the region's cookie in use */
	uint64_t isetcookie_opt;	/* as given (0: derived) */
	struct ns_namespace *ns;	/* label-slot order */
	struct ns_namespace *dead;	/* destroyed, still held */
	unsigned next_id;		/* 1 + the largest id, live or dead */
	/*
	 * Indexes of r->ns, so that a create or destroy costs no walk of
	 * every namespace (index.c): hash chains by uuid (every label),
	 * by label name (decodable labels with a name) and by id, sized for
	 * nslot namespaces; the namespace of each slot; the reserved extents
	 * (live and dead namespaces) sorted by start, valid when resv_ok.
	 * Without memory for the tables the chains have one bucket each
	 * (hmask 0, heads in h_one): the same lookups, walking every label.
	 */
	struct ns_namespace **h_uuid, **h_name, **h_id;
	struct ns_namespace *h_one[3];
	uint32_t hmask;
	struct ns_namespace **byslot;
	uint32_t nbyslot;
	unsigned nns;			/* namespaces on r->ns */
	struct ns_extent *resv;
	unsigned nresv, capresv;
	bool resv_ok;
	/* bumped whenever a shown name other than a new label's may change */
	unsigned names_gen;
};

/*
 * (Re)build r->ns from the current index of r->lsa. Objects whose slot
 * holds the same label bytes as before are kept (ids, holders, userdata);
 * others are created with new ids (in slot order). Objects whose label is
 * gone become DESTROYED on r->dead if held, else are freed. Classifies.
 */
int ns_region_build_namespaces(struct ns_region *r);

/*
 * Recompute every namespace's state, reason and shown name (pure, and
 * independent of slot order; O(n log n)).
 */
void ns_region_classify(struct ns_region *r);

/* Free every namespace object, dead ones too. */
void ns_region_free_namespaces(struct ns_region *r);

/* true when some namespace (live or dead) is held */
bool ns_region_any_held(const struct ns_region *r);

/*
 * The reserved extents: every namespace of the walk (with force, all but
 * those whose label does not decode), plus dead namespaces. *used is
 * malloc'ed (NULL when n is 0).
 */
int ns_region_reserved(const struct ns_region *r, bool force,
		       struct ns_extent **used, unsigned *n);

/*
 * The reserved extents of ns_region_reserved(r, false), sorted by start:
 * the region's own array (do not free), valid until the next change.
 */
int ns_region_reserved_sorted(struct ns_region *r, const struct ns_extent **used,
			      unsigned *n);

/*
 * Take the region's cookie again (cookie.c): the option, the labels' most
 * common one, the cookie of the slot the index block records (or of slot
 * 0).
 */
void ns_region_pick_cookie(struct ns_region *r);

/* -EROFS with a message when the region was opened read-only */
static inline int ns_region_check_writable(const struct ns_region *r,
					   const char *what)
{
	if (r->flags & NS_REGION_RDONLY)
		return ns_err(-EROFS, "%s: region '%s' is open read-only", what,
			      r->path);
	return 0;
}

#endif
