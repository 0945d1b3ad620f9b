/* SPDX-License-Identifier: MIT */
/*
 * The control side's own header: what its files share (control.c and
 * control_lookup.c's lookups and notifications, the command families
 * control_ns.c, control_labels.c, control_fault.c,
 * control_query.c, with the record builders of control_records.c).
 * Nothing outside src/fs/control*.c includes it; the daemon sees
 * fs_ctl_start/stop (fs.h) and the d->released hook fs_ctl_start sets.
 *
 * A command's handler is run by one frame (fs_ctl_run, control.c), which
 * a table of commands drives (fs_ctl_cmds): by the command's flags it
 * takes ctl_lock and counts the change for the queries' cache
 * (FS_CTL_CHANGES), takes the daemon lock (FS_CTL_LOCKED), finds the
 * region or namespace the request names (FS_CTL_ANY_REGION,
 * FS_CTL_ONE_REGION, FS_CTL_NS), calls the handler, drops the locks,
 * sends the kernel notifications the handler recorded, words a refusal
 * the handler noted (naming holders reads /proc: never under the daemon
 * lock), and gives an -ENOMEM the command's own words. A handler does
 * the command and nothing of that.
 */
#ifndef PMEMFS_FS_CONTROL_H
#define PMEMFS_FS_CONTROL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "ns/namespace.h"
#include "ns/region.h"
#include "ctl/server.h"

#include "fs/fault.h"	/* crash testing and media errors (control_fault.c, the records) */
#include "fs/fs.h"
#include "fs/holders.h"	/* who holds a file: the refusals, status */

/* how long a refused destroy/disable waits for a RELEASE still in flight */
#define FS_CTL_RELEASE_WAIT_MS 1000
/* a power failure's default wait for holders (fault.c's FS_PF_WAIT_MS) */
#define FS_CTL_PF_WAIT_MS 1000

/* ---- notifications, sent with no lock held (control_lookup.c) ---- */

enum fs_note_kind {
	FS_NOTE_NEW,		/* a name appeared: drop negative dentries */
	FS_NOTE_GONE,		/* a file left the tree */
	FS_NOTE_DIR,		/* a directory's attributes changed */
};

struct fs_note {
	enum fs_note_kind kind;
	fuse_ino_t parent;
	fuse_ino_t child;
	char name[FS_NAME_MAX];
};

struct fs_notes {
	struct fs_note *v;
	size_t n, cap;
};

void fs_note_add(struct fs_notes *nl, enum fs_note_kind kind, fuse_ino_t parent,
		 fuse_ino_t child, const char *name);
/* the frame, daemon lock dropped: send them all, empty the list */
void fs_notes_send(struct fs_daemon *d, struct fs_notes *nl);

/* ---- a refusal, worded with no lock held (control_ns.c) ---- */

#define FS_CTL_REFUSAL_INOS 4	/* the served file and old ones still open */
#define FS_CTL_REFUSAL_PIDS 16	/* holders named */

struct fs_ctl_refusal {
	const char *verb;	/* "destroy", "disable", "enable"; NULL: nothing refused */
	bool served;		/* a destroy refused because it is enabled */
	unsigned handles;
	bool pt;		/* held only by passthrough mappings (no handle) */
	char name[FS_NAME_MAX], region[32], path[PATH_MAX];
	fuse_ino_t ino[FS_CTL_REFUSAL_INOS];
	unsigned nino;
};

int fs_ctl_refuse(struct fs_daemon *d, const struct fs_ctl_refusal *f);
/*
 * Daemon lock held: ns is held (a count for the refusal, 0: free): its
 * handles (ns_namespace_holders), else the processes that map it with
 * passthrough after closing it: served, those /proc showed
 * (c->pt_held, FS_CTL_PT_SCAN); not served, whether any open file or
 * mapping of its layout's file remains (fs_region_ops.file_busy).
 */
struct fs_ctl_call;
unsigned fs_ctl_busy(struct fs_ctl_call *c, struct ns_namespace *ns);
/*
 * Daemon lock held: up to max inode numbers of the files ns had before it
 * was disabled that the kernel still keeps (open, or opened with
 * passthrough since: maybe mapped); pt_only: only the latter.
 */
unsigned fs_ctl_old_files(struct fs_daemon *d, struct ns_namespace *ns, bool pt_only,
			  fuse_ino_t *inos, unsigned max);

/* ---- the frame (control.c) ---- */

/* one run of a command's handler: what the frame found, and what it sends after */
struct fs_ctl_call {
	struct fs_daemon *d;
	const struct ctl_request *req;
	struct ctl_reply *rep;
	/*
	 * FS_CTL_ANY_REGION: the region REGION names, NULL for every region;
	 * FS_CTL_ONE_REGION: the region named, or the only one;
	 * FS_CTL_NS: the region of the namespace named
	 */
	struct fs_region *reg;
	struct ns_namespace *ns;	/* FS_CTL_NS: the namespace named */
	/*
	 * FS_CTL_NS without FS_CTL_LOCKED: ns's served file (NULL: not
	 * served), taken under the daemon lock. It stays valid after: files
	 * leave the tree only in commands that change things, which run one
	 * at a time (ctl_lock), as every such command does.
	 */
	struct fs_inode *file;
	struct fs_notes notes;		/* sent once the daemon lock is dropped */
	struct fs_ctl_refusal refusal;	/* worded then, when its verb is set */
	/*
	 * FS_CTL_PT_SCAN: the processes /proc showed holding the served file
	 * of a namespace opened with passthrough, read before the daemon lock
	 * was taken (their mappings outlive close(2) and RELEASE: no handle
	 * counts them)
	 */
	unsigned pt_held;
};

typedef int fs_ctl_fn(struct fs_ctl_call *c);

enum {
	/*
	 * changes state: one at a time (ctl_lock), counted for the queries'
	 * cache. Not in fs_ctl_cmds: the frame sets it for the commands the
	 * protocol marks as changing (ctl_cmd_info.changes, proto_schema.c)
	 */
	FS_CTL_CHANGES = 1u << 0,
	/* runs holding the daemon lock (taken before the lookups below) */
	FS_CTL_LOCKED = 1u << 1,
	/* c->reg: the region named, NULL for all */
	FS_CTL_ANY_REGION = 1u << 2,
	/* c->reg: the region named, or the only one (an error when several) */
	FS_CTL_ONE_REGION = 1u << 3,
	/* c->reg, c->ns (c->file): the namespace named, found under the daemon lock */
	FS_CTL_NS = 1u << 4,
	/* the -ENOMEM message (fs_ctl_cmd.nomem) ends naming the mount point */
	FS_CTL_NOMEM_MOUNT = 1u << 5,
	/*
	 * a request naming a namespace runs as FS_CTL_LOCKED | FS_CTL_NS
	 * (c->ns set), one naming none as the other flags say (c->ns NULL)
	 */
	FS_CTL_NS_IF_NAMED = 1u << 6,
	/*
	 * FS_CTL_NS: c->pt_held counted first, with no daemon lock held
	 * (fs_ctl_pt_busy, control_ns.c, decides with it)
	 */
	FS_CTL_PT_SCAN = 1u << 7,
};

struct fs_ctl_cmd {
	fs_ctl_fn *fn;
	unsigned flags;
	/* the message of an -ENOMEM the handler returns; NULL: the handler's own */
	const char *nomem;
};

/* ---- lookups (control_lookup.c) ---- */

int fs_ctl_region(struct fs_daemon *d, const struct ctl_request *req, bool need_one,
		  struct fs_region **out);
int fs_ctl_find(struct fs_daemon *d, const struct ctl_request *req, struct fs_region *reg,
		struct fs_region **rout, struct ns_namespace **out);

static inline struct fs_inode *fs_ctl_file(struct ns_namespace *ns)
{
	return ns_namespace_get_userdata(ns);
}

/* ---- the queries' cache (control_query.c) ---- */

/* a change begins (ctl_lock held): the queries' cache is of the state before it */
void fs_ctl_change_begin(void);
/* the change is done (before its reply leaves): the cache is of the past */
void fs_ctl_change_end(void);
/* the daemon stops: the cache goes */
void fs_ctl_cache_free(void);

/* ---- records (control_records.c) ---- */

int fs_ctl_put_region(struct nl_msg *m, struct fs_region *reg);
int fs_ctl_put_ns(struct fs_daemon *d, struct nl_msg *m, struct fs_region *reg,
		  struct ns_namespace *ns);
int fs_ctl_reply_ns(struct fs_daemon *d, struct ctl_reply *rep, struct fs_region *reg,
		    struct ns_namespace *ns);
int fs_ctl_put_stats(struct nl_msg *m, struct fs_region *reg, struct fs_inode *file);
int fs_ctl_put_nsst(struct nl_msg *m, struct fs_region *reg, struct ns_namespace *ns,
		    struct fs_inode *file, const char *holders, bool holders_known,
		    uint64_t mapped_dirty);
int fs_ctl_reply_crash(struct ctl_reply *rep, struct fs_region *reg,
		       struct fs_inode *file, const char *action,
		       const struct fs_crash_result *res);

/* ---- the handlers, by family ---- */

/* control_query.c */
int fs_ctl_list(struct fs_ctl_call *c);
int fs_ctl_stats(struct fs_ctl_call *c);
int fs_ctl_status(struct fs_ctl_call *c);
int fs_ctl_health(struct fs_ctl_call *c);
/* control_ns.c */
int fs_ctl_create(struct fs_ctl_call *c);
int fs_ctl_destroy(struct fs_ctl_call *c);
int fs_ctl_enable(struct fs_ctl_call *c);
int fs_ctl_disable(struct fs_ctl_call *c);
int fs_ctl_rename(struct fs_ctl_call *c);
void fs_ctl_sync_names(struct fs_daemon *d, struct fs_region *reg, struct fs_notes *nl);
void fs_ctl_unlink(struct fs_daemon *d, struct fs_region *reg, struct fs_inode *file,
		   struct fs_notes *nl);
/* control_labels.c */
int fs_ctl_read_labels(struct fs_ctl_call *c);
int fs_ctl_check_labels(struct fs_ctl_call *c);
int fs_ctl_init_labels(struct fs_ctl_call *c);
int fs_ctl_move_region(struct fs_ctl_call *c);
/* control_fault.c */
int fs_ctl_power_fail(struct fs_ctl_call *c);
int fs_ctl_crash_state(struct fs_ctl_call *c);
int fs_ctl_baseline(struct fs_ctl_call *c);
int fs_ctl_inject_error(struct fs_ctl_call *c);

#endif
