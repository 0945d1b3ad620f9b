// SPDX-License-Identifier: MIT
/*
 * The namespace commands: create, destroy, enable, disable, rename. They
 * run in the frame (control.c) with ctl_lock and the daemon lock held and
 * their namespace (or region, for create) found; a refusal is noted here
 * and worded by the frame once the daemon lock is dropped (fs_ctl_refuse).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"

#include "fs/control.h"
#include "fs/log.h"

/*
 * ns is held (daemon lock held): a close(2) returns before its RELEASE
 * reaches the daemon, so a request that needs ns free waits up to
 * FS_CTL_RELEASE_WAIT_MS for the RELEASE still in flight, without making
 * anyone else wait: CTL_REPLY_WAIT (the caller drops its locks and returns
 * it; the request runs again on the next RELEASE, or at the end of the
 * wait), or 0 on the last run (the caller answers busy).
 */
static int fs_ctl_held(struct ctl_reply *rep, unsigned busy)
{
	if (busy == 0 || !ctl_reply_may_wait(rep))
		return 0;
	return ctl_reply_wait(rep, FS_CTL_RELEASE_WAIT_MS);
}

/*
 * After a change of labels, a namespace's shown name (its file name) may
 * change, its own or another's (a duplicate name that became unique): give
 * every file of reg the name its namespace shows.
 */
void fs_ctl_sync_names(struct fs_daemon *d, struct fs_region *reg, struct fs_notes *nl)
{
	struct ns_namespace *ns;

	/* no shown name changed but a new namespace's (its file has it) */
	if (reg->names_gen == ns_region_names_gen(reg->r))
		return;
	reg->names_gen = ns_region_names_gen(reg->r);
	ns_region_foreach_namespace(reg->r, ns) {
		struct fs_inode *file = fs_ctl_file(ns);
		const char *want = ns_namespace_name(ns);
		char old[FS_NAME_MAX];
		int rc;

		if (!file || !strcmp(file->name, want))
			continue;
		snprintf(old, sizeof(old), "%s", file->name);
		rc = fs_inode_rename(&d->itable, file, want);
		if (rc < 0) {
			fs_warn("%s: cannot rename file '%s' to '%s': %s",
				ns_region_devname(reg->r), old, want, strerror(-rc));
			continue;
		}
		fs_info("%s: %s is now '%s' (was '%s')", ns_region_devname(reg->r),
			ns_namespace_devname(ns), want, old);
		fs_note_add(nl, FS_NOTE_GONE, reg->dir->ino, 0, old);
		fs_note_add(nl, FS_NOTE_NEW, reg->dir->ino, file->ino, want);
	}
}

/* ---- create ---- */

int fs_ctl_create(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	const struct ctl_request *req = c->req;
	struct fs_region *reg = c->reg;
	uint32_t flags = ctl_request_flags(req);
	struct ns_namespace_create_opts o = {
		.size = nla_get_u64(req->attrs[CTL_A_SIZE]),
		.align = req->attrs[CTL_A_ALIGN] ? nla_get_u64(req->attrs[CTL_A_ALIGN]) : 0,
		.name = req->attrs[CTL_A_NS_NAME] ?
			nla_get_string(req->attrs[CTL_A_NS_NAME]) : NULL,
		.uuid = req->attrs[CTL_A_NS_UUID] ? nla_data(req->attrs[CTL_A_NS_UUID]) : NULL,
		.readonly = flags & CTL_F_READONLY,
		.sparse = flags & CTL_F_SPARSE,
		.force = flags & CTL_F_FORCE,
	};
	struct fs_notes *nl = &c->notes;
	struct ns_namespace *ns = NULL;
	struct fs_inode *file = NULL;
	int rc;

	if (o.size == 0) {
		/* ndctl's default: the largest free extent of the alignment */
		rc = ns_region_default_size(reg->r, o.align, &o.size);
		if (rc)
			return rc;
	}
	rc = ns_namespace_create(reg->r, &o, &ns);
	if (rc)
		return rc;
	rc = fs_daemon_add_namespace(d, reg, ns, &file);
	if (rc) {
		char dev[32];

		snprintf(dev, sizeof(dev), "%s", ns_namespace_devname(ns));
		if (ns_namespace_destroy(ns, 0) < 0)
			fs_err("%s: cannot take back %s after failing to serve it: %s",
			       ns_region_devname(reg->r), dev, ns_errormsg());
		return ns_err(rc, "cannot serve the new namespace %s in %s: %s", dev,
			      ns_region_devname(reg->r), strerror(-rc));
	}
	if ((flags & CTL_F_CRASH_TEST) && fs_fault_enable(file->ns, true) < 0)
		fs_warn("%s: %s", ns_namespace_devname(ns), ns_errormsg());
	fs_note_add(nl, FS_NOTE_NEW, reg->dir->ino, file->ino, file->name);
	fs_note_add(nl, FS_NOTE_DIR, reg->dir->ino, 0, reg->dir->name);
	fs_ctl_sync_names(d, reg, nl);
	fs_info("%s: created %s '%s' (dpa %" PRIu64 ", %" PRIu64 " bytes) for uid %u",
		ns_region_devname(reg->r), ns_namespace_devname(ns), file->name,
		ns_namespace_dpa(ns), ns_namespace_size(ns), (unsigned)req->cred.uid);
	return fs_ctl_reply_ns(d, c->rep, reg, ns);
}

/* ---- destroy, disable, enable ---- */

unsigned fs_ctl_old_files(struct fs_daemon *d, struct ns_namespace *ns, bool pt_only,
			  fuse_ino_t *inos, unsigned max)
{
	struct fs_inode *file = fs_ctl_file(ns);
	unsigned n = 0;
	fuse_ino_t i;

	pthread_rwlock_rdlock(&d->itable.lock);
	for (i = 1; i < d->itable.cap && n < max; i++) {
		struct fs_inode *x = d->itable.v[i];
		bool pt, open;

		if (!x || x == file || x->kind != FS_INODE_FILE || !x->ns || x->ns->ns != ns)
			continue;
		pthread_mutex_lock(&x->ns->lock);
		/* passed through: mapped maybe, with no handle */
		pt = __atomic_load_n(&x->ns->pt_used, __ATOMIC_ACQUIRE);
		open = x->ns->handles > 0;
		pthread_mutex_unlock(&x->ns->lock);
		if (pt || (open && !pt_only))
			inos[n++] = x->ino;
	}
	pthread_rwlock_unlock(&d->itable.lock);
	return n;
}

unsigned fs_ctl_busy(struct fs_ctl_call *c, struct ns_namespace *ns)
{
	unsigned h = ns_namespace_holders(ns);
	const struct fs_region_ops *rops = c->reg->rops;
	fuse_ino_t old[1];

	if (h)
		return h;
	if (fs_ctl_file(ns))
		return c->pt_held;
	/*
	 * not served: a passthrough mapping from when it was. While the
	 * kernel keeps a file it had, its state (and descriptors) are still
	 * the daemon's and /proc tells (c->pt_held); once none is left, the
	 * kernel tells whether another open file of its file remains.
	 */
	if (fs_ctl_old_files(c->d, ns, false, old, 1) || !rops->file_busy)
		return c->pt_held;
	return rops->file_busy(c->reg->rio, ns) > 0;
}

/*
 * Take a namespace's file out of the tree (daemon lock held); the caller
 * has detached it from its namespace (userdata), which may be gone.
 */
void fs_ctl_unlink(struct fs_daemon *d, struct fs_region *reg, struct fs_inode *file,
		   struct fs_notes *nl)
{
	fs_note_add(nl, FS_NOTE_GONE, reg->dir->ino, file->ino, file->name);
	fs_note_add(nl, FS_NOTE_DIR, reg->dir->ino, 0, reg->dir->name);
	fs_inode_unlink(&d->itable, file);	/* may free file */
}

/*
 * A destroy, disable or enable refused: noted with the daemon lock held,
 * worded after it is dropped (fs_ctl_refuse, by the frame), because naming
 * the holders reads /proc, and OPEN and RELEASE take the daemon lock.
 * Daemon lock held.
 */
static void fs_ctl_refusal_note(struct fs_ctl_call *c, struct ns_namespace *ns,
				const char *verb, bool served, struct fs_ctl_refusal *f)
{
	struct fs_daemon *d = c->d;
	struct fs_region *reg = c->reg;
	struct fs_inode *file = fs_ctl_file(ns);

	f->verb = verb;
	f->served = served;
	f->handles = ns_namespace_holders(ns);
	f->pt = !f->handles && (f->handles = fs_ctl_busy(c, ns)) > 0;
	f->nino = 0;
	f->path[0] = '\0';
	snprintf(f->name, sizeof(f->name), "%s", ns_namespace_name(ns));
	snprintf(f->region, sizeof(f->region), "%s", ns_region_devname(reg->r));
	if (file) {
		f->ino[f->nino++] = file->ino;
		snprintf(f->path, sizeof(f->path), "%s/%s/%s", d->mountpoint,
			 reg->dir->name, file->name);
	}
	if (!f->handles)
		return;
	/* the files it had before it was disabled, still open (or mapped) */
	f->nino += fs_ctl_old_files(d, ns, false, f->ino + f->nino,
				    FS_CTL_REFUSAL_INOS - f->nino);
}

/*
 * The refusal's EBUSY and message (no daemon lock held), naming the
 * holders' pids where the daemon can see them (fault.c finds them by the
 * files' device and inode), else the count of handles.
 */
int fs_ctl_refuse(struct fs_daemon *d, const struct fs_ctl_refusal *f)
{
	pid_t pids[FS_CTL_REFUSAL_PIDS], p[FS_CTL_REFUSAL_PIDS];
	char who[1024], held[1100];
	unsigned n = 0, m, i, j, k;

	if (f->served && !f->handles)
		return ns_err(-EBUSY, "namespace '%s' in %s is enabled (served as %s): "
			      "disable it first (disable-namespace), or use -f to destroy "
			      "it anyway", f->name, f->region, f->path);
	for (i = 0; i < f->nino; i++) {
		m = fs_holders_find(d, f->ino[i], p, FS_CTL_REFUSAL_PIDS);
		for (j = 0; j < m && n < FS_CTL_REFUSAL_PIDS; j++) {
			for (k = 0; k < n && pids[k] != p[j]; k++)
				;
			if (k == n)
				pids[n++] = p[j];
		}
	}
	if (n) {
		fs_holders_text(pids, n, who, sizeof(who));
		snprintf(held, sizeof(held), "in use by %s%s", who,
			 n == FS_CTL_REFUSAL_PIDS ? " and maybe more" : "");
	} else if (f->pt) {
		snprintf(held, sizeof(held), "mapped with FUSE passthrough by a process "
			 "that closed it (the mapping writes its file)");
	} else {
		snprintf(held, sizeof(held), "in use (%u open file handle%s or mapping%s)",
			 f->handles, f->handles == 1 ? "" : "s", f->handles == 1 ? "" : "s");
	}
	if (!strcmp(f->verb, "enable"))
		return ns_err(-EBUSY, "namespace '%s' in %s is still %s through the file it "
			      "had before it was disabled: close that first", f->name,
			      f->region, held);
	if (f->served)
		return ns_err(-EBUSY, "namespace '%s' in %s is enabled and %s: close it and "
			      "disable it, or use -f to destroy it anyway", f->name,
			      f->region, held);
	return ns_err(-EBUSY, "namespace '%s' in %s is %s: close it first, or use -f to "
		      "%s it anyway", f->name, f->region, held, f->verb);
}

int fs_ctl_destroy(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	const struct ctl_request *req = c->req;
	struct fs_region *reg = c->reg;
	struct ns_namespace *ns = c->ns;
	uint32_t flags = ctl_request_flags(req);
	bool force = flags & CTL_F_FORCE;
	/* without FORCE a served namespace is kept (an old pmemctl sends no KEEP_SERVED) */
	bool keep_served = !force || (flags & CTL_F_KEEP_SERVED);
	struct fs_inode *file = fs_ctl_file(ns);
	struct nl_msg *m;
	char name[FS_NAME_MAX], dev[32];
	unsigned held, busy;
	int rc;

	/* enabled: refused at once, there is nothing to wait for (ndctl's rule) */
	if (file && keep_served) {
		fs_ctl_refusal_note(c, ns, "destroy", true, &c->refusal);
		return 0;
	}
	if (!force && (busy = fs_ctl_busy(c, ns)) > 0) {
		rc = fs_ctl_held(c->rep, busy);
		if (rc == 0)
			fs_ctl_refusal_note(c, ns, "destroy", false, &c->refusal);
		return rc;
	}
	held = ns_namespace_holders(ns);
	snprintf(name, sizeof(name), "%s", ns_namespace_name(ns));
	snprintf(dev, sizeof(dev), "%s", ns_namespace_devname(ns));
	/* no WRITE may land in the range once its first bytes are zeroed */
	if (file) {
		fs_ns_mark_destroyed(file->ns, true);
		ns_namespace_set_userdata(ns, NULL);
	}
	rc = ns_namespace_destroy(ns, force ? NS_DESTROY_FORCE : 0);
	if (rc) {
		if (file) {
			ns_namespace_set_userdata(ns, file);
			fs_ns_mark_destroyed(file->ns, false);
		}
		return rc;
	}
	/* ns is gone, or dead until its last holder lets go */
	if (file)
		fs_ctl_unlink(d, reg, file, &c->notes);
	fs_ctl_sync_names(d, reg, &c->notes);
	fs_info("%s: destroyed %s%s '%s' for uid %u%s", ns_region_devname(reg->r),
		file ? "enabled " : "", dev, name, (unsigned)req->cred.uid,
		held ? " while in use: its range stays reserved until it is closed" : "");
	m = ctl_reply_msg(c->rep);
	return m ? ctl_put_u32(m, CTL_A_COUNT, 1) : -ENOMEM;
}

int fs_ctl_disable(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	struct fs_region *reg = c->reg;
	struct ns_namespace *ns = c->ns;
	bool force = ctl_request_flags(c->req) & CTL_F_FORCE;
	struct fs_inode *file = fs_ctl_file(ns);
	unsigned busy;
	int rc;

	if (!file) {
		if (ns_namespace_state(ns) != NS_STATE_ACTIVE)
			return ns_err(-NS_E_NOT_SERVED, "%s in %s is not served (%s: %s)",
				      ns_namespace_devname(ns), ns_region_devname(reg->r),
				      ns_state_name(ns_namespace_state(ns)),
				      ns_namespace_reason(ns));
		return fs_ctl_reply_ns(d, c->rep, reg, ns);	/* disabled already */
	}
	if (!force && (busy = fs_ctl_busy(c, ns)) > 0) {
		rc = fs_ctl_held(c->rep, busy);
		if (rc == 0)
			fs_ctl_refusal_note(c, ns, "disable", false, &c->refusal);
		return rc;
	}
	ns_namespace_set_userdata(ns, NULL);
	fs_ctl_unlink(d, reg, file, &c->notes);
	fs_info("%s: disabled %s for uid %u", ns_region_devname(reg->r),
		ns_namespace_devname(ns), (unsigned)c->req->cred.uid);
	return fs_ctl_reply_ns(d, c->rep, reg, ns);
}

int fs_ctl_enable(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	struct fs_region *reg = c->reg;
	struct ns_namespace *ns = c->ns;
	struct fs_inode *file;
	unsigned busy;
	int rc;

	if (fs_ctl_file(ns))
		return fs_ctl_reply_ns(d, c->rep, reg, ns);	/* enabled already */
	if (ns_namespace_state(ns) != NS_STATE_ACTIVE)
		return ns_err(-NS_E_NOT_SERVED, "%s in %s cannot be served (%s: %s)",
			      ns_namespace_devname(ns), ns_region_devname(reg->r),
			      ns_state_name(ns_namespace_state(ns)), ns_namespace_reason(ns));
	if ((busy = fs_ctl_busy(c, ns)) > 0) {
		rc = fs_ctl_held(c->rep, busy);
		if (rc == 0)
			fs_ctl_refusal_note(c, ns, "enable", false, &c->refusal);
		return rc;
	}
	rc = fs_daemon_add_namespace(d, reg, ns, &file);
	if (rc)
		return ns_err(rc, "cannot serve %s in %s: %s", ns_namespace_devname(ns),
			      ns_region_devname(reg->r), strerror(-rc));
	fs_note_add(&c->notes, FS_NOTE_NEW, reg->dir->ino, file->ino, file->name);
	fs_note_add(&c->notes, FS_NOTE_DIR, reg->dir->ino, 0, reg->dir->name);
	fs_info("%s: enabled %s as '%s' for uid %u", ns_region_devname(reg->r),
		ns_namespace_devname(ns), file->name, (unsigned)c->req->cred.uid);
	return fs_ctl_reply_ns(d, c->rep, reg, ns);
}

/* ---- rename ---- */

int fs_ctl_rename(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	const struct ctl_request *req = c->req;
	struct fs_region *reg = c->reg;
	struct ns_namespace *ns = c->ns;
	const char *to = nla_get_string(req->attrs[CTL_A_NEW_NAME]);
	char old[FS_NAME_MAX];
	int rc;

	snprintf(old, sizeof(old), "%s", ns_namespace_name(ns));
	rc = ns_namespace_rename(ns, to);
	if (rc)
		return rc;
	fs_ctl_sync_names(d, reg, &c->notes);
	fs_info("%s: renamed %s '%s' to '%s' for uid %u", ns_region_devname(reg->r),
		ns_namespace_devname(ns), old, ns_namespace_name(ns),
		(unsigned)req->cred.uid);
	return fs_ctl_reply_ns(d, c->rep, reg, ns);
}
