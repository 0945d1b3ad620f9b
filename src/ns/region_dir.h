/* SPDX-License-Identifier: MIT */
/*
 * Private to region_dir.c (opening, creating, the data placement) and
 * region_dir_scan.c (what an open finds in the directory): the names of
 * a region directory's entries and the few steps both take on them.
 * region_dir_scan.c calls region_dir.c, never the other way round;
 * region.c calls ns_dir_reconcile (region_dir_scan.c, internal.h) after
 * every open of a directory.
 *
 * Names (docs/on-media-format.md): DIR/region, the label area; for a
 * namespace of uuid U, DIR/ns-U (lower case, with dashes) while its label
 * is live; DIR/ns-U.new from its creation until the label commit and the
 * rename after it; DIR/ns-U.gone from a destroy's rename until the label
 * commit and the unlink after it. A crash leaves at most one of the
 * steps undone; the next writer's open finishes or undoes it by whether a
 * label names U (region_dir_scan.c).
 */
#ifndef PMEMFS_NS_REGION_DIR_H
#define PMEMFS_NS_REGION_DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ns/internal.h"

#define NS_DIR_REGION "region"
#define NS_DIR_PREFIX "ns-"
#define NS_DIR_NAME_LEN 48

/* what an entry ns-* is by its name */
enum ns_dir_entry {
	NS_DIR_OTHER,	/* ns-... but none of the names below */
	NS_DIR_PLAIN,	/* ns-<uuid>: a live namespace's file */
	NS_DIR_NEW,	/* ns-<uuid>.new: created, its label maybe not */
	NS_DIR_GONE,	/* ns-<uuid>.gone: being destroyed */
};

/* "ns-<uuid><suffix of kind>" into buf (NS_DIR_NAME_LEN) */
const char *ns_dir_name_of(const uint8_t *uuid, enum ns_dir_entry kind, char *buf,
			   size_t len);

/* the kind of name and, unless NS_DIR_OTHER, its uuid in u */
enum ns_dir_entry ns_dir_parse(const char *name, uint8_t u[16]);

/* "a symbolic link", "a FIFO", ... for a file type that is not regular */
const char *ns_dir_kind(mode_t m);

/* a message to the logger (ns_region_set_logger), else to stderr */
void ns_dir_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The entry's own status (a link is the link itself; nothing is opened,
 * so a FIFO never blocks): 0, or -errno (-ENOENT: no such entry). What
 * is renamed or removed after it is compared by device and inode again
 * right before (Linux has no rename or unlink by descriptor); data is
 * only ever reached through ns_region_ns_file_open (openat O_NOFOLLOW,
 * then fstat of that descriptor).
 */
int ns_dir_fstatat(int dirfd, const char *name, struct stat *st);

/*
 * Whether st (an entry of r's directory) is owned by this process's user
 * or by the owner of DIR/region: only such a .new or .gone is renamed or
 * removed (pmemfs made it as one of them).
 */
bool ns_dir_owned(const struct ns_region *r, const struct stat *st);

/*
 * Rename from to to in the directory, never replacing an entry to
 * (RENAME_NOREPLACE; where the file system has no such flag, after
 * checking that to does not exist: the directory is its owner's alone,
 * mode 0700). 0 or -errno (-EEXIST: to exists). Durable after
 * ns_dir_fsync.
 */
int ns_dir_rename(int dirfd, const char *from, const char *to);
/* fsync of the directory (EINTR retried): 0 or -errno */
int ns_dir_fsync(int dirfd);

/*
 * Tests only: with PMEMFS_TEST_CRASH_DIR=STEP in the environment the
 * process kills itself (SIGKILL) at STEP of a create or destroy
 * ("create-new", "create-commit", "destroy-gone", "destroy-commit"), a
 * real crash at a known point. Nothing but the test suite sets it.
 */
void ns_dir_test_crash(const char *step);

#endif
