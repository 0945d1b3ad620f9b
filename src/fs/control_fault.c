// SPDX-License-Identifier: MIT
/*
 * The fault commands: power-fail (crash testing: enable, disable, status,
 * arm at an FSYNC, a power failure now) and inject-error (media errors).
 * They change state (ctl_lock) and run in the frame (control.c) without
 * the daemon lock, with their namespace and its served file found: a
 * power failure waits for holders, whose RELEASE takes the daemon lock.
 * They call the fault layer (fault.h) only through fs_fault_*, fs_media_*.
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
 * Crash testing and media errors live in the daemon's data path; stores
 * through a passthrough mapping never pass it. What starts them (power-fail
 * --enable, inject-error) is refused while file's namespace has
 * passthrough opens or mappings (the mappings outlive close(2): found in
 * /proc, by the served file's device and inode, as any holder); once none
 * remain, new opens go the FUSE path (fs_pt_fault_begin) and they apply.
 * No daemon lock held. 0, or -EBUSY with the message.
 */
static int fs_ctl_pt_refuse(struct fs_daemon *d, struct fs_inode *file, const char *what)
{
	struct fs_ns *n = file->ns;
	pid_t pids[FS_CTL_REFUSAL_PIDS];
	unsigned opens = fs_pt_fault_begin(n), np = 0;
	char who[1024];

	if (__atomic_load_n(&n->fault, __ATOMIC_ACQUIRE) ||
	    !__atomic_load_n(&n->pt_used, __ATOMIC_ACQUIRE))
		return 0;	/* never passed through, or no longer */
	np = fs_holders_find(d, file->ino, pids, FS_CTL_REFUSAL_PIDS);
	if (!opens && !np)
		return 0;
	fs_pt_fault_undo(n);
	if (np)
		fs_holders_text(pids, np, who, sizeof(who));
	else
		snprintf(who, sizeof(who), "%u process%s", opens, opens == 1 ? "" : "es");
	return ns_err(-EBUSY, "%s on namespace '%s' (%s): it is open or mapped with FUSE "
		      "passthrough by %s, whose stores bypass the daemon: close and unmap "
		      "it first (new opens then go through the daemon)", what, file->name,
		      n->devname, who);
}

int fs_ctl_power_fail(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	const struct ctl_request *req = c->req;
	struct ctl_reply *rep = c->rep;
	uint32_t flags = ctl_request_flags(req);
	struct nlattr *const *a = req->attrs;
	struct fs_crash_result res = { 0 };
	struct fs_crash_status st;
	struct fs_region *reg = c->reg;
	struct ns_namespace *ns = c->ns;
	struct fs_inode *file = c->file;
	const char *action;
	int rc;

	if (!file)
		return ns_err(-NS_E_NOT_SERVED, "%s in %s is not served: enable it first",
			      ns_namespace_devname(ns), ns_region_devname(reg->r));
	if ((flags & CTL_F_ENABLE) && (flags & CTL_F_DISABLE))
		return ns_err(-EINVAL, "enable and disable crash testing at once");
	if ((flags & CTL_F_OWNED) && !a[CTL_A_AT_FSYNC])
		return ns_err(-EINVAL, "an owned crash point is one armed at an FSYNC "
			      "(--at-fsync): the flag 'owned' applies to nothing else");
	if ((flags & (CTL_F_ENABLE | CTL_F_DISABLE | CTL_F_STATUS)) &&
	    (flags & (CTL_F_KILL | CTL_F_FORCE)))
		return ns_err(-EINVAL, "--kill and --force apply to a power failure, not "
			      "to enabling, disabling or a status query");
	if (flags & CTL_F_DISABLE) {
		rc = fs_fault_enable(file->ns, false);
		return rc ? rc : fs_ctl_reply_crash(rep, reg, file, "disabled", NULL);
	}
	if (flags & CTL_F_ENABLE) {
		fs_fault_status(file->ns, &st);
		rc = st.enabled ? 0 : fs_ctl_pt_refuse(d, file, "crash testing");
		if (rc == 0 && !st.enabled)
			rc = fs_fault_enable(file->ns, true);
		if (rc)
			return rc;
		action = "enabled";
		if (!a[CTL_A_AT_FSYNC])
			return fs_ctl_reply_crash(rep, reg, file, action, NULL);
	}
	if (flags & CTL_F_STATUS)
		return fs_ctl_reply_crash(rep, reg, file, "status", NULL);
	fs_fault_status(file->ns, &st);
	if (!st.enabled)
		return ns_err(-EOPNOTSUPP, "crash testing is not enabled on '%s': enable it "
			      "with 'pmemctl power-fail %s --enable' (or create it with "
			      "--crash-test)", file->name, file->name);
	if (a[CTL_A_SURVIVE] && nla_get_u32(a[CTL_A_SURVIVE]) > 1000000)
		return ns_err(-EINVAL, "survival of %u parts per million is more than all",
			      nla_get_u32(a[CTL_A_SURVIVE]));
	if (a[CTL_A_AT_FSYNC]) {
		uint32_t k = nla_get_u32(a[CTL_A_AT_FSYNC]);

		if (flags & (CTL_F_KILL | CTL_F_FORCE))
			return ns_err(-EINVAL, "--at-fsync kills the process that calls the "
				      "FSYNC: --kill and --force do not apply");
		rc = fs_fault_arm(file->ns, k,
				  a[CTL_A_SURVIVE] ? nla_get_u32(a[CTL_A_SURVIVE]) : 0,
				  a[CTL_A_SEED] ? nla_get_u64(a[CTL_A_SEED]) : 0,
				  flags & CTL_F_IMAGE,
				  flags & CTL_F_OWNED ? req->cred.pid : 0);
		if (rc == -ESRCH)
			return ns_err(rc, "the process that asked for a crash point on '%s' "
				      "has exited: none armed", file->name);
		if (rc < 0)
			return ns_err(rc, "cannot arm a crash on '%s': %s", file->name,
				      strerror(-rc));
		if (rc == 1)
			fs_info("%s: power failure armed at FSYNC %u from now (uid %u), "
				"while process %d lives", file->ns->devname, k,
				(unsigned)req->cred.uid, (int)req->cred.pid);
		else
			fs_info("%s: power failure armed at FSYNC %u from now (uid %u)",
				file->ns->devname, k, (unsigned)req->cred.uid);
		if (k && (flags & CTL_F_OWNED) && rc != 1)
			fs_warn("%s: the process that armed it (pid %d) cannot be watched: "
				"a plain crash point, which outlives it", file->ns->devname,
				(int)req->cred.pid);
		return fs_ctl_reply_crash(rep, reg, file, k ? "armed" : "disarmed", NULL);
	}
	{
		struct fs_pf_opts o = {
			.survive_ppm = a[CTL_A_SURVIVE] ? nla_get_u32(a[CTL_A_SURVIVE]) : 0,
			.seed = a[CTL_A_SEED] ? nla_get_u64(a[CTL_A_SEED]) : 0,
			.force = flags & CTL_F_FORCE,
			.kill = flags & CTL_F_KILL,
			.image = flags & CTL_F_IMAGE,
			.wait_ms = a[CTL_A_WAIT_MS] ? nla_get_u32(a[CTL_A_WAIT_MS]) : 0,
		};
		unsigned held;

		/*
		 * Held, not forced, nothing to kill: the wait for the holders
		 * is a parked request (nobody waits behind it); on the last
		 * run, still held, fault.c refuses after a token wait.
		 */
		pthread_mutex_lock(&d->lock);
		held = ns_namespace_holders(ns);
		pthread_mutex_unlock(&d->lock);
		if (held && !o.force && !o.kill) {
			if (ctl_reply_may_wait(rep))
				return ctl_reply_wait(rep, o.wait_ms ? o.wait_ms :
						       FS_CTL_PF_WAIT_MS);
			o.wait_ms = 1;
		}
		rc = fs_fault_power_fail(d, file, &o, &res);
	}
	if (rc)
		return rc;
	return fs_ctl_reply_crash(rep, reg, file, "reverted", &res);
}

/* crash-state: put a state of the namespace's crash image on it (crash_state.c) */
int fs_ctl_crash_state(struct fs_ctl_call *c)
{
	uint32_t flags = ctl_request_flags(c->req);
	struct nlattr *const *a = c->req->attrs;
	struct fs_state_opts o = {
		.state = a[CTL_A_STATE] ? nla_get_u64(a[CTL_A_STATE]) : 0,
		.seed = a[CTL_A_SEED] ? nla_get_u64(a[CTL_A_SEED]) : 0,
		.max_subset = a[CTL_A_MAX_SUBSET] ? nla_get_u32(a[CTL_A_MAX_SUBSET]) : 12,
		.torn_ppm = a[CTL_A_TORN] ? nla_get_u32(a[CTL_A_TORN]) : 0,
		.wait_ms = a[CTL_A_WAIT_MS] ? nla_get_u32(a[CTL_A_WAIT_MS]) : 0,
		.force = flags & CTL_F_FORCE,
		.release = flags & CTL_F_DISABLE,
	};
	struct fs_state_result res;
	struct nl_msg *m;
	int rc;

	if (!c->file)
		return ns_err(-NS_E_NOT_SERVED, "%s in %s is not served: enable it first",
			      ns_namespace_devname(c->ns), ns_region_devname(c->reg->r));
	if (o.torn_ppm > 1000000)
		return ns_err(-EINVAL, "torn pages of %u parts per million are more than all",
			      o.torn_ppm);
	rc = fs_crash_state_apply(c->d, c->file, &o, &res);
	if (rc)
		return rc;
	m = ctl_reply_msg(c->rep);
	if (!m || ctl_put_u64(m, CTL_A_STATE, o.state) < 0 ||
	    ctl_put_u64(m, CTL_A_IMAGE_PAGES, res.image_pages) < 0 ||
	    ctl_put_u64(m, CTL_A_STATES, res.states) < 0 ||
	    ctl_put_u64(m, CTL_A_PAGES_NEW, res.pages_new) < 0 ||
	    ctl_put_u64(m, CTL_A_PAGES_TORN, res.pages_torn) < 0 ||
	    ctl_put_u64(m, CTL_A_STATE_ID, res.state_id) < 0)
		return ns_err(-ENOMEM, "out of memory");
	return 0;
}

/*
 * baseline: start (enable), release (disable), status, or restore (no
 * flag) a namespace's baseline (baseline.c). Started only where crash
 * testing could start: passthrough opens would bypass it.
 */
int fs_ctl_baseline(struct fs_ctl_call *c)
{
	uint32_t flags = ctl_request_flags(c->req);
	struct nlattr *const *a = c->req->attrs;
	struct fs_inode *file = c->file;
	struct fs_baseline_result res = { 0 };
	uint64_t max = a[CTL_A_BASELINE_MAX] ? nla_get_u64(a[CTL_A_BASELINE_MAX]) : 0;
	struct nl_msg *m;
	int rc = 0;

	if (!file)
		return ns_err(-NS_E_NOT_SERVED, "%s in %s is not served: enable it first",
			      ns_namespace_devname(c->ns), ns_region_devname(c->reg->r));
	if (__builtin_popcount(flags & (CTL_F_ENABLE | CTL_F_DISABLE | CTL_F_STATUS)) > 1)
		return ns_err(-EINVAL, "start, release and query a baseline: one at a time");
	if ((flags & CTL_F_FORCE) && (flags & (CTL_F_ENABLE | CTL_F_DISABLE | CTL_F_STATUS)))
		return ns_err(-EINVAL, "force applies to restoring a baseline");
	if (a[CTL_A_BASELINE_MAX] && !(flags & CTL_F_ENABLE))
		return ns_err(-EINVAL, "a baseline's bound is given when it is started");
	if (flags & CTL_F_ENABLE) {
		if (a[CTL_A_BASELINE_MAX] && max < FS_PAGE)
			return ns_err(-EINVAL, "a baseline of less than one page (%" PRIu64
				      " bytes) keeps nothing", max);
		rc = fs_ctl_pt_refuse(c->d, file, "a baseline");
		if (rc == 0)
			rc = fs_baseline_start(file, max / FS_PAGE, c->req->cred.pid, &res);
		if (rc == 0)
			fs_info("%s: baseline started for uid %u", file->ns->devname,
				(unsigned)c->req->cred.uid);
	} else if (flags & CTL_F_DISABLE) {
		rc = fs_baseline_release(file);
	} else if (flags & CTL_F_STATUS) {
		fs_baseline_status(file->ns, &res);
	} else {
		rc = fs_baseline_restore(c->d, file, flags & CTL_F_FORCE,
					 a[CTL_A_WAIT_MS] ? nla_get_u32(a[CTL_A_WAIT_MS]) : 0,
					 &res);
	}
	if (rc)
		return rc;
	m = ctl_reply_msg(c->rep);
	if (!m || ctl_put_u64(m, CTL_A_BASELINE_PAGES, res.pages) < 0 ||
	    ctl_put_u64(m, CTL_A_BASELINE_MAX, res.max_pages * FS_PAGE) < 0 ||
	    ctl_put_u32(m, CTL_A_BASELINE_FULL, res.full) < 0 ||
	    ctl_put_u64(m, CTL_A_PAGES_RESTORED, res.restored) < 0 ||
	    ctl_put_u64(m, CTL_A_RESTORE_NS, res.time_ns) < 0)
		return ns_err(-ENOMEM, "out of memory");
	return 0;
}

/* ---- inject-error ---- */

static void fs_ctl_inval(struct fs_daemon *d, struct fs_inode *file, uint64_t off,
			 uint64_t len)
{
	uint64_t s = off - off % FS_PAGE, e = off + len;
	int rc;

	e = (e + FS_PAGE - 1) / FS_PAGE * FS_PAGE;
	rc = fuse_lowlevel_notify_inval_inode(d->se, file->ino, (off_t)s, (off_t)(e - s));
	if (rc < 0 && rc != -ENOENT)
		fs_debug("%s: notify inval_inode: %s", file->name, strerror(-rc));
}

int fs_ctl_inject_error(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	const struct ctl_request *req = c->req;
	uint32_t flags = ctl_request_flags(req);
	struct nlattr *const *a = req->attrs;
	struct ns_bb_range *v = NULL;
	struct fs_region *reg = c->reg;
	struct ns_namespace *ns = c->ns;
	struct fs_inode *file = c->file;
	uint64_t dpa, size, off = 0, len = 0;
	char dev[32], what[128];
	size_t n, i;
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	dpa = ns_namespace_dpa(ns);
	size = ns_namespace_size(ns);
	snprintf(dev, sizeof(dev), "%s", ns_namespace_devname(ns));
	snprintf(what, sizeof(what), "'%s' (%s)", ns_namespace_name(ns), dev);
	pthread_mutex_unlock(&d->lock);
	if (!a[CTL_A_OFFSET] != !a[CTL_A_LENGTH])
		return ns_err(-EINVAL, "an offset needs a length and a length an offset");
	if (a[CTL_A_OFFSET]) {
		off = nla_get_u64(a[CTL_A_OFFSET]);
		len = nla_get_u64(a[CTL_A_LENGTH]);
	}
	if ((flags & CTL_F_CLEAR) && (a[CTL_A_OFFSET] || (flags & CTL_F_UNINJECT)))
		return ns_err(-EINVAL, "clearing every error takes no range");
	if ((flags & CTL_F_UNINJECT) && !a[CTL_A_OFFSET])
		return ns_err(-EINVAL, "uninject needs the range to clear");
	if (a[CTL_A_OFFSET] && !(flags & CTL_F_UNINJECT)) {
		if (file && (rc = fs_ctl_pt_refuse(d, file, "media errors")) != 0)
			return rc;
		/* dirty pages go back first (a whole-block write would clear it) */
		if (file)
			fs_ctl_inval(d, file, off, len);
		if (file && !fs_fault_get(file->ns))
			return ns_err(-ENOMEM, "out of memory");
	}
	if (a[CTL_A_OFFSET] || (flags & CTL_F_CLEAR)) {
		rc = fs_media_change(reg->media, dpa, size, what, off, len,
				     flags & CTL_F_UNINJECT, flags & CTL_F_CLEAR);
		if (rc)
			return rc;
		fs_info("%s: %s media errors %s%" PRIu64 "+%" PRIu64 " for uid %u",
			ns_region_devname(reg->r), dev,
			(flags & CTL_F_CLEAR) ? "cleared: all " :
			(flags & CTL_F_UNINJECT) ? "uninjected: " : "injected: ",
			off, (flags & CTL_F_CLEAR) ? size : len, (unsigned)req->cred.uid);
		/* clean pages cached before are read again, and fail */
		if (file && !(flags & (CTL_F_UNINJECT | CTL_F_CLEAR)))
			fs_ctl_inval(d, file, off, len);
	}
	if (fs_media_clip(reg->media, dpa, size, &v, &n) < 0)
		return ns_err(-ENOMEM, "out of memory");
	for (i = 0; i < n && rc == 0; i++) {
		struct ctl_bb_info b = {
			.region = ns_region_devname(reg->r),
			.dev = dev,
			.offset = v[i].off,
			.length = v[i].len,
		};
		struct nl_msg *m = ctl_reply_part(c->rep);

		rc = m ? ctl_bb_info_put(m, &b) : -ENOMEM;
	}
	free(v);
	if (rc == -ENOMEM)
		rc = ns_err(-ENOMEM, "out of memory (or the reply queue is full) listing "
			    "media errors");
	return rc;
}
