// SPDX-License-Identifier: MIT
/*
 * The records the control commands send, built from the daemon's state:
 * the core's part of a region or namespace comes from src/ctl/record.c
 * (as pmemctl's offline mode shows it), the daemon adds its own (the
 * served file, media errors, crash testing, counters).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ns/error.h"
#include "ctl/record.h"

#include "fs/control.h"
#include "fs/log.h"

_Static_assert(FS_LAT_BUCKETS == CTL_HIST_BUCKETS,
	       "the daemon's flush histogram is the protocol's");

int fs_ctl_put_region(struct nl_msg *m, struct fs_region *reg)
{
	struct ctl_region_info ri;

	/* the slot is not sent: pmemctl finds it back from the cookie */
	ctl_region_info_of(reg->r, &ri);
	return ctl_region_info_put(m, &ri);
}

int fs_ctl_put_ns(struct fs_daemon *d, struct nl_msg *m, struct fs_region *reg,
		  struct ns_namespace *ns)
{
	struct fs_inode *file = fs_ctl_file(ns);
	enum ns_state st = ns_namespace_state(ns);
	char path[PATH_MAX];
	struct ctl_ns_info ni;

	ctl_ns_info_of(ns, &ni);
	ni.badblocks = fs_media_bytes(reg->media, ni.dpa, ni.size);
	if (file) {
		struct fs_crash_status cs;

		fs_fault_status(file->ns, &cs);
		ni.crash_test = cs.enabled;
		ni.state = "active";
		ni.reason = NULL;
		snprintf(path, sizeof(path), "%s/%s/%s", d->mountpoint, reg->dir->name,
			 file->name);
		ni.path = path;
	} else if (st == NS_STATE_ACTIVE) {
		ni.state = "disabled";
		ni.reason = ns_namespace_holders(ns) ?
			    "disabled (still open through its old file)" : "disabled";
	}
	return ctl_ns_info_put(m, &ni);
}

int fs_ctl_reply_ns(struct fs_daemon *d, struct ctl_reply *rep, struct fs_region *reg,
		    struct ns_namespace *ns)
{
	struct nl_msg *m = ctl_reply_msg(rep);

	if (!m)
		return ns_err(-ENOMEM, "out of memory building the reply");
	return fs_ctl_put_ns(d, m, reg, ns);
}

int fs_ctl_put_nsst(struct nl_msg *m, struct fs_region *reg, struct ns_namespace *ns,
		    struct fs_inode *file, const char *holders, bool holders_known,
		    uint64_t mapped_dirty)
{
	struct fs_ns *n = file->ns;
	struct fs_crash_status cs;
	struct ctl_nsst_info si = {
		.region = ns_region_devname(reg->r),
		.dev = ns_namespace_devname(ns),
		.name = file->name,
		.holders = holders,
		.holders_known = holders_known,
		.backing = __atomic_load_n(&n->pt_used, __ATOMIC_ACQUIRE) &&
			   !__atomic_load_n(&n->fault, __ATOMIC_ACQUIRE) ? "passthrough" :
			   n->rops->direct(n->rio) ? "direct" : "buffered",
	};

	pthread_mutex_lock(&n->lock);
	si.handles = n->handles;
	si.unpersisted = n->dirty.bytes < n->size ? n->dirty.bytes : n->size;
	pthread_mutex_unlock(&n->lock);
	si.cache_known = n->rops->cachestat(n->rio, n, &si.cache_dirty) == 0;
	si.error = (uint32_t)fs_ns_error(n);
	fs_fault_status(n, &cs);
	si.crash_enabled = cs.enabled;
	si.crash_at_fsync = cs.at_fsync;
	si.crash_logged = cs.pages_logged;
	si.crashed = cs.reverting || cs.reverts > 0;	/* as power-fail --status */
	si.badblocks = fs_media_bytes(reg->media, ns_namespace_dpa(ns), n->size);
	/* several processes mapping one page count it once each: at most the size */
	si.mapped_dirty = mapped_dirty < n->size ? mapped_dirty : n->size;
	return ctl_nsst_info_put(m, &si);
}

static const unsigned fs_ctl_req_map[FS_OP_NR] = {
	[FS_OP_LOOKUP] = CTL_REQ_LOOKUP,
	[FS_OP_OPEN] = CTL_REQ_OPEN,
	[FS_OP_RELEASE] = CTL_REQ_RELEASE,
	[FS_OP_READ] = CTL_REQ_READ,
	[FS_OP_WRITE] = CTL_REQ_WRITE,
	[FS_OP_FLUSH] = CTL_REQ_FLUSH,
	[FS_OP_FSYNC] = CTL_REQ_FSYNC,
	[FS_OP_FALLOCATE] = CTL_REQ_FALLOCATE,
	[FS_OP_SETATTR] = CTL_REQ_SETATTR,
	[FS_OP_GETATTR] = CTL_REQ_GETATTR,
};

int fs_ctl_put_stats(struct nl_msg *m, struct fs_region *reg, struct fs_inode *file)
{
	struct ctl_stats_info si = {
		.region = ns_region_devname(reg->r),
		.dev = file->ns->devname,
		.name = file->name,
	};
	struct fs_stats st;
	unsigned i;

	fs_stats_snapshot(&file->ns->stats, &st);
	for (i = 0; i < FS_OP_NR; i++)
		si.requests[fs_ctl_req_map[i]] += st.reqs[i];
	si.bytes_read = st.bytes_read;
	si.bytes_written = st.bytes_written;
	si.bytes_persisted = st.bytes_persisted;
	si.fsyncs = st.fsyncs;
	si.errors = st.errors;
	for (i = 0; i < CTL_HIST_BUCKETS; i++)
		si.flush_hist[i] = st.flush_lat[i];
	return ctl_stats_info_put(m, &si);
}

int fs_ctl_reply_crash(struct ctl_reply *rep, struct fs_region *reg,
		       struct fs_inode *file, const char *action,
		       const struct fs_crash_result *res)
{
	struct fs_crash_status st;
	struct ctl_crash_info ci = {
		.region = ns_region_devname(reg->r),
		.dev = file->ns->devname,
		.name = file->name,
		.action = action,
	};
	struct nl_msg *m = ctl_reply_msg(rep);

	fs_fault_status(file->ns, &st);
	ci.enabled = st.enabled;
	ci.reverting = st.reverting;
	ci.pages_logged = st.pages_logged;
	ci.fsyncs = st.fsyncs;
	ci.reverts = st.reverts;
	ci.at_fsync = st.at_fsync;
	if (!res)
		res = &st.last;
	ci.pages_reverted = res->pages_reverted;
	ci.pages_kept = res->pages_kept;
	ci.time_ns = res->time_ns;
	ci.killed = res->killed;
	if (!m)
		return ns_err(-ENOMEM, "out of memory building the reply");
	return ctl_crash_info_put(m, &ci);
}
