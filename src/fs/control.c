// SPDX-License-Identifier: MIT
/*
 * The control socket's commands (pmemctl's online mode): one handler per
 * command of src/ctl/proto.h, run on the server's workers (server.h),
 * several at once. Commands that change something run one at a time
 * (ctl_lock, fs.h): they may keep a file after dropping the daemon lock,
 * and files leave the tree only in them. Commands that only look (list,
 * stats, read-labels, check-labels) do not take ctl_lock: they wait for
 * nobody but the daemon lock's short holds.
 *
 * A change holds the daemon lock across its I/O; list and stats asked
 * for while it runs answer from the reply parts the last list or stats
 * built, when no change ended since (see fs_ctl_query).
 *
 * No handler waits for another client: a destroy, disable, enable or
 * power failure that finds its namespace held parks its request
 * (ctl_reply_wait) instead of waiting for the RELEASE; every drop of a
 * hold (fs_daemon_ns_put, through the d->released hook fs_ctl_start
 * sets) wakes the parked requests (fs_ctl_released),
 * and the last run, FS_CTL_RELEASE_WAIT_MS after the first, answers busy.
 *
 * Every handler holds the daemon lock (fs.h) while it reads or changes the
 * core's objects and the tree, and records the kernel notifications its
 * changes need; they are sent after the lock is dropped and before the
 * handler returns, so a file is visible (or gone) when the reply leaves,
 * also for a process that looked the name up a moment before. The workers
 * are not FUSE threads: notifying from here cannot deadlock the loop.
 *
 * Runtime state: a served namespace has a file (its ns_namespace userdata
 * is the inode); an active namespace without a file is "disabled". Nothing
 * of that is written down: a remount serves every active namespace again.
 *
 * The files (control.h says what they share): this one has the command
 * table and the frame every handler runs in (fs_ctl_run); the lookups
 * and the notification queue are in control_lookup.c; the handlers by family are in control_query.c
 * (list, stats, status and the queries' cache), control_ns.c (create,
 * destroy, enable, disable, rename), control_labels.c (read, check and
 * initialise labels, move-region) and control_fault.c (power-fail,
 * inject-error); the records they send are built in control_records.c.
 * The family files call control_lookup.c's lookups and notes and
 * control_records.c, never control.c nor each other, except control_labels.c using
 * control_ns.c's fs_ctl_unlink and fs_ctl_sync_names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"

#include "fs/control.h"
#include "fs/log.h"

/*
 * The commands: which handler, and what the frame does around it. List,
 * stats and status find their region without the daemon lock (the regions
 * never change) and take it themselves (fs_ctl_query answers from the
 * cache while a change holds it); power-fail and inject-error find their
 * namespace under it and run without it (a power failure waits for
 * holders, which take it at RELEASE). Whether a command changes state is
 * the protocol's word (ctl_cmds[].changes): the frame adds FS_CTL_CHANGES.
 */
#define FS_CTL_NOMEM "out of memory (or the reply queue is full) "
static const struct fs_ctl_cmd fs_ctl_cmds[CTL_CMD_MAX + 1] = {
	/* CTL_CMD_VERSION: the server's own answer (mount, versions) */
	[CTL_CMD_LIST] = { fs_ctl_list, FS_CTL_ANY_REGION | FS_CTL_NOMEM_MOUNT,
			   FS_CTL_NOMEM "listing" },
	[CTL_CMD_STATS] = { fs_ctl_stats, FS_CTL_ANY_REGION | FS_CTL_NS_IF_NAMED,
			    FS_CTL_NOMEM "for stats" },
	[CTL_CMD_STATUS] = { fs_ctl_status, FS_CTL_ANY_REGION, NULL },
	[CTL_CMD_HEALTH] = { fs_ctl_health, FS_CTL_ANY_REGION, NULL },
	[CTL_CMD_CREATE_NS] = { fs_ctl_create, FS_CTL_LOCKED | FS_CTL_ONE_REGION, NULL },
	[CTL_CMD_DESTROY_NS] = { fs_ctl_destroy, FS_CTL_LOCKED | FS_CTL_NS | FS_CTL_PT_SCAN,
				  NULL },
	[CTL_CMD_ENABLE_NS] = { fs_ctl_enable, FS_CTL_LOCKED | FS_CTL_NS | FS_CTL_PT_SCAN,
				  NULL },
	[CTL_CMD_DISABLE_NS] = { fs_ctl_disable, FS_CTL_LOCKED | FS_CTL_NS | FS_CTL_PT_SCAN,
				  NULL },
	[CTL_CMD_RENAME_NS] = { fs_ctl_rename, FS_CTL_LOCKED | FS_CTL_NS, NULL },
	[CTL_CMD_READ_LABELS] = { fs_ctl_read_labels, FS_CTL_LOCKED | FS_CTL_ANY_REGION,
				  FS_CTL_NOMEM "reading labels" },
	[CTL_CMD_CHECK_LABELS] = { fs_ctl_check_labels, FS_CTL_LOCKED | FS_CTL_ANY_REGION,
				   "out of memory checking labels" },
	[CTL_CMD_INIT_LABELS] = { fs_ctl_init_labels, FS_CTL_LOCKED | FS_CTL_ONE_REGION, NULL },
	[CTL_CMD_MOVE_REGION] = { fs_ctl_move_region, FS_CTL_LOCKED | FS_CTL_ONE_REGION, NULL },
	[CTL_CMD_POWER_FAIL] = { fs_ctl_power_fail, FS_CTL_NS, NULL },
	[CTL_CMD_INJECT_ERROR] = { fs_ctl_inject_error, FS_CTL_NS, NULL },
	[CTL_CMD_CRASH_STATE] = { fs_ctl_crash_state, FS_CTL_NS, NULL },
	[CTL_CMD_BASELINE] = { fs_ctl_baseline, FS_CTL_NS, NULL },
};

/* The namespace a request names, in the region it selects (or any). */
static int fs_ctl_target(struct fs_daemon *d, const struct ctl_request *req,
			 struct fs_region **reg, struct ns_namespace **ns)
{
	struct fs_region *sel;
	int rc = fs_ctl_region(d, req, false, &sel);

	return rc ? rc : fs_ctl_find(d, req, sel, reg, ns);
}

/*
 * A hold of a namespace was dropped (daemon lock held): parked requests
 * look again. The daemon calls it through d->released, which
 * fs_ctl_start sets: daemon.c calls no control file.
 */
static void fs_ctl_released(struct fs_daemon *d)
{
	ctl_server_wake(d->ctl);
}

/* ---- the frame ---- */

/* what the request names, as the command's flags ask; daemon lock held for FS_CTL_NS */
static int fs_ctl_lookup(struct fs_ctl_call *c, unsigned flags)
{
	if (flags & FS_CTL_NS)
		return fs_ctl_target(c->d, c->req, &c->reg, &c->ns);
	if (flags & (FS_CTL_ANY_REGION | FS_CTL_ONE_REGION))
		return fs_ctl_region(c->d, c->req, flags & FS_CTL_ONE_REGION, &c->reg);
	return 0;
}

/*
 * FS_CTL_PT_SCAN: a namespace served with passthrough stays mapped after
 * its holders closed their descriptors (the mapping is its file's own:
 * no handle counts it). Who maps it is read from /proc, by the served
 * file's device and inode (/proc/PID/maps shows a passthrough mapping
 * as the FUSE file), before the daemon lock is taken (holders.h); the
 * handler decides with the count under the lock (fs_ctl_busy). A mapping
 * made between the two is one more the command did not see, as a mapping
 * made just after it.
 */
static void fs_ctl_pt_scan(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	struct fs_region *reg;
	struct ns_namespace *ns;
	struct fs_inode *file;
	pid_t pids[FS_CTL_REFUSAL_PIDS];

	fuse_ino_t inos[FS_CTL_REFUSAL_INOS];
	unsigned n = 0, i, j, k, m, np = 0;

	pthread_mutex_lock(&d->lock);
	if (fs_ctl_target(d, c->req, &reg, &ns) == 0) {
		file = fs_ctl_file(ns);
		if (file && file->ns && __atomic_load_n(&file->ns->pt_used, __ATOMIC_ACQUIRE))
			inos[n++] = file->ino;
		else if (!file)	/* disabled: the files it had, if the kernel keeps them */
			n = fs_ctl_old_files(d, ns, true, inos, FS_CTL_REFUSAL_INOS);
	}
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < n; i++) {
		pid_t p[FS_CTL_REFUSAL_PIDS];

		m = fs_holders_find(d, inos[i], p, FS_CTL_REFUSAL_PIDS);
		for (j = 0; j < m && np < FS_CTL_REFUSAL_PIDS; j++) {
			for (k = 0; k < np && pids[k] != p[j]; k++)
				;
			if (k == np)
				pids[np++] = p[j];
		}
	}
	c->pt_held = np;
}

/*
 * Every command's frame (the server's handler for each): the locks, the
 * lookups, the handler, then, with no daemon lock held, the notifications
 * and the wording of a refusal (see control.h).
 */
static int fs_ctl_run(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	const struct fs_ctl_cmd *e = &fs_ctl_cmds[req->cmd];
	struct fs_ctl_call c = { .d = arg, .req = req, .rep = rep };
	struct fs_daemon *d = c.d;
	/* the protocol says which commands change state (ctl_cmds[].changes) */
	unsigned flags = e->flags | (ctl_proto_cmd_info(req->cmd)->changes ? FS_CTL_CHANGES : 0);
	char buf[CTL_UUID_STR_LEN];
	int rc;

	if ((flags & FS_CTL_NS_IF_NAMED) && ctl_request_ns_spec(req, buf))
		flags = (flags & ~FS_CTL_ANY_REGION) | FS_CTL_LOCKED | FS_CTL_NS;
	if (flags & FS_CTL_CHANGES) {
		pthread_mutex_lock(&d->ctl_lock);
		fs_ctl_change_begin();
	}
	if ((flags & FS_CTL_PT_SCAN) && (flags & FS_CTL_NS))
		fs_ctl_pt_scan(&c);
	if (flags & (FS_CTL_LOCKED | FS_CTL_NS))
		pthread_mutex_lock(&d->lock);
	rc = fs_ctl_lookup(&c, flags);
	if ((flags & FS_CTL_NS) && !(flags & FS_CTL_LOCKED)) {
		/* the file stays valid unlocked: see struct fs_ctl_call */
		if (rc == 0)
			c.file = fs_ctl_file(c.ns);
		pthread_mutex_unlock(&d->lock);
	}
	if (rc == 0) {
		rc = e->fn(&c);
		/* only a handler's -ENOMEM is worded: the lookups allocate nothing */
		if (rc == -ENOMEM && e->nomem && (flags & FS_CTL_NOMEM_MOUNT))
			rc = ns_err(-ENOMEM, "%s '%s'", e->nomem, d->mountpoint);
		else if (rc == -ENOMEM && e->nomem)
			rc = ns_err(-ENOMEM, "%s", e->nomem);
	}
	if (flags & FS_CTL_LOCKED)
		pthread_mutex_unlock(&d->lock);
	fs_notes_send(d, &c.notes);
	if (c.refusal.verb)
		rc = fs_ctl_refuse(d, &c.refusal);
	if (flags & FS_CTL_CHANGES) {
		fs_ctl_change_end();
		pthread_mutex_unlock(&d->ctl_lock);
	}
	return rc;
}

/* ---- the server ---- */

static void fs_ctl_log(const char *msg)
{
	fs_warn("%s", msg);
}

int fs_ctl_start(struct fs_daemon *d, const struct fs_ctl_opts *o)
{
	/* one daemon per process: the server keeps this table */
	static struct ctl_handler handlers[CTL_CMD_MAX + 1];
	struct ctl_server_opts so = {
		.path = o->path,
		.owner = o->owner,
		.group = o->group,
		.mount = d->mountpoint,
		.handlers = handlers,
		.arg = d,
		.log = fs_ctl_log,
	};
	struct ctl_server *srv;
	unsigned i;
	int rc;

	/* .changes stays false: the server takes ctl_cmd_info.changes, as fs_ctl_run does */
	for (i = 0; i <= CTL_CMD_MAX; i++)
		handlers[i].fn = fs_ctl_cmds[i].fn ? fs_ctl_run : NULL;
	pthread_mutex_init(&d->ctl_lock, NULL);
	rc = ctl_server_start(&so, &srv);
	if (rc) {
		pthread_mutex_destroy(&d->ctl_lock);
		return rc;
	}
	/* under the lock: fs_ctl_released() reads it from FUSE threads */
	pthread_mutex_lock(&d->lock);
	d->ctl = srv;
	d->released = fs_ctl_released;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void fs_ctl_stop(struct fs_daemon *d)
{
	struct ctl_server *srv;

	pthread_mutex_lock(&d->lock);
	srv = d->ctl;
	d->ctl = NULL;
	d->released = NULL;
	pthread_mutex_unlock(&d->lock);
	if (srv) {
		ctl_server_stop(&srv);	/* waits for the handlers running */
		pthread_mutex_destroy(&d->ctl_lock);
	}
	fs_ctl_cache_free();
	fs_fault_shutdown();	/* armed crashes still reverting */
}
