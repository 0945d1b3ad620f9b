/* SPDX-License-Identifier: MIT */
/*
 * pmemctl crash-test (crash_test.h): the starting content, put back
 * before every run. A baseline in the daemon (control command 18: the
 * original of every page changed since the start, in its memory), with a
 * copy beside it in $TMPDIR where there is room (a daemon that dies
 * mid-test takes its baseline along); else (an older daemon, a refusal,
 * --baseline-max 0) a copy of the whole namespace, restored each run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ns/error.h"
#include "tools/crash_test.h"
#include "tools/msg.h"
#include "tools/online.h"

/*
 * copy between the namespace (path, opened here; it exists: nothing is
 * created) and the snapshot (snap_fd, the file mkostemp made, never
 * reopened by name); to_snap says which way; fsync the target
 */
static int pc_ct_copy(const char *ns_path, int snap_fd, bool to_snap, uint64_t size)
{
	static char buf[1 << 20];
	int nfd = open(ns_path, (to_snap ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	int in = to_snap ? nfd : snap_fd, out = to_snap ? snap_fd : nfd, rc = 0;
	uint64_t off = 0;

	if (nfd < 0) {
		rc = -errno;
		goto out;
	}
	while (off < size) {
		size_t want = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		ssize_t r = pread(in, buf, want, (off_t)off);

		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			goto out;
		}
		if (pwrite(out, buf, (size_t)r, (off_t)off) != r) {
			rc = -errno;
			goto out;
		}
		off += (uint64_t)r;
	}
	if (fsync(out) < 0)
		rc = -errno;
out:
	if (nfd >= 0)
		close(nfd);
	return rc;
}

struct ct_base_res {
	uint64_t pages, max, restored, ns;
	bool full;
};

/*
 * baseline: start (CTL_F_ENABLE, at most max bytes; 0: the daemon's
 * bound), release (CTL_F_DISABLE), status (CTL_F_STATUS) or restore (0).
 * 0, or a negative errno with an ns_err() message (not reported).
 */
static int ct_base_call(struct pc_ct *ct, uint32_t flags, uint64_t max,
			struct ct_base_res *res)
{
	struct nl_msg *req = pc_online_ns_request(CTL_CMD_BASELINE, ct->ns);
	struct ctl_response *resp = NULL;
	struct nlattr *const *at;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!req)
		return ns_err(-ENOMEM, "out of memory");
	if ((flags && ctl_put_u32(req, CTL_A_FLAGS, flags) < 0) ||
	    (max && ctl_put_u64(req, CTL_A_BASELINE_MAX, max) < 0)) {
		nlmsg_free(req);
		return ns_err(-ENOMEM, "out of memory");
	}
	rc = pc_target_call_quiet(ct->t, req, &resp);
	if (rc)
		return rc;
	at = resp->nparts == 1 ? resp->parts[0].attrs : NULL;
	if (!at || !at[CTL_A_BASELINE_PAGES]) {
		ctl_response_free(&resp);
		return ns_err(-EPROTO, "the daemon sent no baseline");
	}
	res->pages = nla_get_u64(at[CTL_A_BASELINE_PAGES]);
	res->max = at[CTL_A_BASELINE_MAX] ? nla_get_u64(at[CTL_A_BASELINE_MAX]) : 0;
	res->full = at[CTL_A_BASELINE_FULL] && nla_get_u32(at[CTL_A_BASELINE_FULL]);
	res->restored = at[CTL_A_PAGES_RESTORED] ? nla_get_u64(at[CTL_A_PAGES_RESTORED]) : 0;
	res->ns = at[CTL_A_RESTORE_NS] ? nla_get_u64(at[CTL_A_RESTORE_NS]) : 0;
	ctl_response_free(&resp);
	return 0;
}

/* the copy: the namespace's content now into a new file in $TMPDIR */
int ct_copy_start(struct pc_ct *ct)
{
	const struct ctl_ns_info *ns = ct->ns;
	int fd, rc;

	snprintf(ct->snap, sizeof(ct->snap), "%s/pmemctl-crash-XXXXXX", pc_ct_tmpdir());
	fd = mkostemp(ct->snap, O_CLOEXEC);
	if (fd < 0)
		return pc_fail_msg(-errno, "cannot create a temporary file in %s: %s",
				   pc_ct_tmpdir(), strerror(errno));
	ct->snap_fd = fd;	/* kept open: used by descriptor only */
	ct->snap_made = true;
	rc = pc_ct_copy(ns->path, ct->snap_fd, true, ns->size);
	if (rc)
		return pc_fail_msg(rc, "cannot save the content of '%s' (%" PRIu64 " bytes) "
				    "in %s: %s", ns->path, ns->size, pc_ct_tmpdir(),
				    strerror(-rc));
	return 0;
}

/*
 * Beside a baseline, a copy of the starting content where $TMPDIR has
 * room for it (once, not per run): the baseline lives in the daemon's
 * memory, and a daemon that dies mid-test takes it along; the copy is
 * then kept and named (crash_test_online). Without room (a namespace
 * larger than $TMPDIR's free space, what the baseline is for) that is
 * said, and the test runs on.
 */
static void ct_keepsake(struct pc_ct *ct)
{
	uint64_t size = ct->ns->size, need = size + size / 8 + (UINT64_C(64) << 20);
	struct statvfs v;
	int fd;

	if (statvfs(pc_ct_tmpdir(), &v) == 0 && (uint64_t)v.f_bavail * v.f_frsize >= need) {
		snprintf(ct->snap, sizeof(ct->snap), "%s/pmemctl-crash-XXXXXX",
			 pc_ct_tmpdir());
		fd = mkostemp(ct->snap, O_CLOEXEC);
		if (fd >= 0 && pc_ct_copy(ct->ns->path, fd, true, size) == 0) {
			ct->snap_fd = fd;	/* used by descriptor only */
			ct->snap_made = true;
			return;
		}
		if (fd >= 0) {
			unlink(ct->snap);
			close(fd);
		}
	}
	pc_msg("note: no room in %s for a copy of '%s' (%" PRIu64 " MiB): its starting "
	       "content is kept only in the daemon's memory while the test runs",
	       pc_ct_tmpdir(), ct->ns->name, size >> 20);
}

/*
 * The starting content kept: a baseline in the daemon; else (an older
 * daemon, a refusal, --baseline-max 0) the copy, said once.
 */
int ct_base_begin(struct pc_ct *ct, const struct crash_test_cmd *o)
{
	struct ct_base_res res;
	int rc;

	if (o->has_baseline_max && o->baseline_max == 0)
		return ct_copy_start(ct);
	rc = ct_base_call(ct, CTL_F_ENABLE, o->baseline_max, &res);
	if (rc == 0) {
		ct->base = true;
		ct->base_max = res.max;
		ct_keepsake(ct);
		return 0;
	}
	/*
	 * held by another live crash-test: the daemon's guard, which holds
	 * where ct_exclusive's abstract socket does not (another network
	 * namespace); one whose owner it cannot watch is another error
	 * (EEXIST): the copy, below
	 */
	if (rc == -EBUSY)
		return pc_fail_msg(rc, "another crash-test runs on '%s' (it holds the daemon's "
				   "baseline of it; its crash points, FSYNC counts and restores "
				   "would mix with this one's): wait until it ends", ct->ns->name);
	/* an unknown command (pmemctl's words for it: the daemon is older) */
	if (rc == -EOPNOTSUPP || strstr(ns_errormsg(), "is older than this pmemctl"))
		pc_msg("note: the daemon of '%s' is older than this pmemctl and keeps no "
			"baseline: each run restores a copy of the namespace in %s",
			ct->t->mountpoint, pc_ct_tmpdir());
	else
		pc_msg("note: no baseline of '%s' in the daemon (%s): each run restores a "
			"copy of the namespace in %s", ct->ns->name,
			ns_errormsg()[0] ? ns_errormsg() : strerror(-rc), pc_ct_tmpdir());
	ns_err_clear();
	return ct_copy_start(ct);
}

/*
 * Put the starting content back (durable: the last FSYNC before a run).
 * A baseline that refused a change at its bound since the last restore
 * sets ct->restart (what was refused never landed: the content is back).
 */
int ct_restore(struct pc_ct *ct)
{
	double t0 = pc_now_ms();
	int rc;

	if (ct->base) {
		struct ct_base_res res;

		rc = ct_base_call(ct, 0, 0, &res);
		if (rc)
			return pc_fail_msg(rc, "cannot restore the starting content of '%s': %s",
					   ct->ns->name, ns_errormsg()[0] ? ns_errormsg() :
					   strerror(-rc));
		ct->restored_pages += res.restored;
		if (res.full)
			ct->restart = true;
	} else {
		rc = pc_ct_copy(ct->ns->path, ct->snap_fd, false, ct->ns->size);
		if (rc)
			return pc_fail_msg(rc, "cannot restore '%s': %s", ct->ns->path,
					   strerror(-rc));
	}
	ct->restores++;
	ct->restore_ms += pc_now_ms() - t0;
	return 0;
}

/* a change was refused at the baseline's bound (since the last restore) */
bool ct_base_full(struct pc_ct *ct)
{
	struct ct_base_res res;

	if (!ct->base || ct_base_call(ct, CTL_F_STATUS, 0, &res) != 0) {
		ns_err_clear();
		return false;
	}
	return res.full;
}

void ct_base_end(struct pc_ct *ct)
{
	struct ct_base_res res;

	if (!ct->base)
		return;
	if (ct_base_call(ct, CTL_F_DISABLE, 0, &res) != 0) {
		pc_msg("warning: cannot release the baseline of '%s': %s", ct->ns->name,
			ns_errormsg());
		ns_err_clear();
	}
	ct->base = false;
}
