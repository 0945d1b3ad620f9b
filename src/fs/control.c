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
 * hold (fs_daemon_ns_put) wakes the parked requests (fs_ctl_released),
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
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "lsa.h"
#include "namespace.h"
#include "region.h"
#include "server.h"

#include "fs.h"
#include "log.h"

_Static_assert(FS_LAT_BUCKETS == CTL_HIST_BUCKETS,
	       "the daemon's flush histogram is the protocol's");

/* how long a refused destroy/disable waits for a RELEASE still in flight */
#define FS_CTL_RELEASE_WAIT_MS 1000
/* a power failure's default wait for holders (fault.c's FS_PF_WAIT_MS) */
#define FS_CTL_PF_WAIT_MS 1000

/* ---- notifications, sent with no lock held ---- */

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

static void fs_note_add(struct fs_notes *nl, enum fs_note_kind kind, fuse_ino_t parent,
			fuse_ino_t child, const char *name)
{
	if (nl->n == nl->cap) {
		size_t cap = nl->cap ? nl->cap * 2 : 8;
		struct fs_note *v = realloc(nl->v, cap * sizeof(*v));

		if (!v) {
			/* the entry expires on its own after the entry timeout */
			fs_warn("out of memory: kernel not told about '%s'", name);
			return;
		}
		nl->v = v;
		nl->cap = cap;
	}
	nl->v[nl->n].kind = kind;
	nl->v[nl->n].parent = parent;
	nl->v[nl->n].child = child;
	snprintf(nl->v[nl->n].name, sizeof(nl->v[nl->n].name), "%s", name ? name : "");
	nl->n++;
}

static void fs_notes_send(struct fs_daemon *d, struct fs_notes *nl)
{
	size_t i;

	for (i = 0; i < nl->n; i++) {
		struct fs_note *t = &nl->v[i];
		size_t len = strlen(t->name);
		int rc = 0;

		switch (t->kind) {
		case FS_NOTE_NEW:
			rc = fuse_lowlevel_notify_inval_entry(d->se, t->parent, t->name, len);
			break;
		case FS_NOTE_GONE:
			/* the dentry goes and the inode's link count drops */
			rc = fuse_lowlevel_notify_delete(d->se, t->parent, t->child,
							 t->name, len);
			if (rc < 0)
				rc = fuse_lowlevel_notify_inval_entry(d->se, t->parent,
								      t->name, len);
			break;
		case FS_NOTE_DIR:
			rc = fuse_lowlevel_notify_inval_inode(d->se, t->parent, -1, 0);
			break;
		}
		/* ENOENT: the kernel had nothing cached, which is fine */
		if (rc < 0 && rc != -ENOENT)
			fs_debug("notify about '%s' (dir %llu): %s", t->name,
				 (unsigned long long)t->parent, strerror(-rc));
	}
	free(nl->v);
	nl->v = NULL;
	nl->n = nl->cap = 0;
}

/* ---- lookups ---- */

static const char *fs_ctl_region_attr(const struct ctl_request *req)
{
	return req->attrs[CTL_A_REGION] ? nla_get_string(req->attrs[CTL_A_REGION]) : NULL;
}

static void fs_ctl_region_names(struct fs_daemon *d, char *buf, size_t len)
{
	size_t o = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < d->nregions && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				      ns_region_devname(d->regions[i].r));
}

/*
 * The region a request names: "region<N>" or "<N>"; NULL for every region
 * ("all" or no REGION). With need_one, "all" or nothing means the only
 * region, and is an error when there are several.
 */
static int fs_ctl_region(struct fs_daemon *d, const struct ctl_request *req,
			 bool need_one, struct fs_region **out)
{
	const char *sel = fs_ctl_region_attr(req);
	char names[256];
	const char *num;
	char *end;
	unsigned long id;

	*out = NULL;
	if (!sel || !strcmp(sel, "all")) {
		if (!need_one)
			return 0;
		if (d->nregions == 1) {
			*out = &d->regions[0];
			return 0;
		}
		fs_ctl_region_names(d, names, sizeof(names));
		return ns_err(-EINVAL, "'%s' serves %u regions (%s): name one with -r",
			      d->mountpoint, d->nregions, names);
	}
	num = strncmp(sel, "region", 6) == 0 ? sel + 6 : sel;
	errno = 0;
	id = strtoul(num, &end, 10);
	if (*num >= '0' && *num <= '9' && *end == '\0' && errno == 0 && id < d->nregions) {
		*out = &d->regions[id];
		return 0;
	}
	fs_ctl_region_names(d, names, sizeof(names));
	return ns_err(-ENOENT, "no region '%s' on '%s' (it serves %s)", sel,
		      d->mountpoint, names);
}

/*
 * The namespace a request names (NAME, UUID or DEV), in reg or, when reg
 * is NULL, in the one region that has it.
 */
static int fs_ctl_find(struct fs_daemon *d, const struct ctl_request *req,
		       struct fs_region *reg, struct fs_region **rout,
		       struct ns_namespace **out)
{
	char buf[CTL_UUID_STR_LEN];
	const char *spec = ctl_request_ns_spec(req, buf);
	struct fs_region *found_reg = NULL;
	struct ns_namespace *found = NULL;
	unsigned i;

	if (!spec)
		return ns_err(-EINVAL, "no namespace named");
	for (i = 0; i < d->nregions; i++) {
		struct fs_region *r = &d->regions[i];
		struct ns_namespace *ns;

		if (reg && r != reg)
			continue;
		ns_err_clear();
		ns = ns_region_find_namespace(r->r, spec);
		if (!ns && *ns_errormsg())
			return -EINVAL;	/* ambiguous: the message says why */
		if (!ns)
			continue;
		if (found)
			return ns_err(-EINVAL, "'%s' names namespaces in %s and %s: "
				      "name the region with -r", spec,
				      ns_region_devname(found_reg->r),
				      ns_region_devname(r->r));
		found = ns;
		found_reg = r;
	}
	if (!found) {
		if (reg)
			return ns_err(-ENOENT, "no namespace '%s' in %s", spec,
				      ns_region_devname(reg->r));
		return ns_err(-ENOENT, "no namespace '%s' on '%s'", spec, d->mountpoint);
	}
	*rout = found_reg;
	*out = found;
	return 0;
}

/* The namespace a request names, in the region it selects (or any). */
static int fs_ctl_target(struct fs_daemon *d, const struct ctl_request *req,
			 struct fs_region **reg, struct ns_namespace **ns)
{
	struct fs_region *sel;
	int rc = fs_ctl_region(d, req, false, &sel);

	return rc ? rc : fs_ctl_find(d, req, sel, reg, ns);
}

static struct fs_inode *fs_ctl_file(struct ns_namespace *ns)
{
	return ns_namespace_get_userdata(ns);
}

/*
 * ns is held (daemon lock held): a close(2) returns before its RELEASE
 * reaches the daemon, so a request that needs ns free waits up to
 * FS_CTL_RELEASE_WAIT_MS for the RELEASE still in flight, without making
 * anyone else wait: CTL_REPLY_WAIT (the caller drops its locks and returns
 * it; the request runs again on the next RELEASE, or at the end of the
 * wait), or 0 on the last run (the caller answers busy).
 */
static int fs_ctl_held(struct ctl_reply *rep, struct ns_namespace *ns)
{
	if (ns_namespace_holders(ns) == 0 || !ctl_reply_may_wait(rep))
		return 0;
	return ctl_reply_wait(rep, FS_CTL_RELEASE_WAIT_MS);
}

/* A hold of a namespace was dropped (daemon lock held): parked requests look again. */
void fs_ctl_released(struct fs_daemon *d)
{
	ctl_server_wake(d->ctl);
}

/*
 * After a change of labels, a namespace's shown name (its file name) may
 * change, its own or another's (a duplicate name that became unique): give
 * every file of reg the name its namespace shows.
 */
static void fs_ctl_sync_names(struct fs_daemon *d, struct fs_region *reg,
			      struct fs_notes *nl)
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

/* ---- records ---- */

static int fs_ctl_put_region(struct nl_msg *m, struct fs_region *reg)
{
	struct ns_region *r = reg->r;
	struct ctl_region_info ri = {
		.dev = ns_region_devname(r),
		.path = ns_region_path(r),
		.size = ns_region_data_size(r),
		.file_size = ns_region_size(r),
		.label_size = ns_region_label_size(r),
		.label_version = ns_region_has_labels(r) ? ns_region_label_minor(r) : 0,
		.iset_id = ns_region_isetcookie(r),
	};

	/* the slot is not sent: pmemctl finds it back from the cookie */
	ns_region_space(r, NS_DEFAULT_ALIGN, &ri.available, &ri.max_extent);
	return ctl_region_info_put(m, &ri);
}

static int fs_ctl_put_ns(struct fs_daemon *d, struct nl_msg *m, struct fs_region *reg,
			 struct ns_namespace *ns)
{
	struct fs_inode *file = fs_ctl_file(ns);
	enum ns_state st = ns_namespace_state(ns);
	char path[PATH_MAX];
	struct ctl_ns_info ni = {
		.region = ns_region_devname(reg->r),
		.dev = ns_namespace_devname(ns),
		.name = ns_namespace_name(ns),
		.size = ns_namespace_size(ns),
		.dpa = ns_namespace_dpa(ns),
		.align = ns_namespace_align(ns),
		.readonly = ns_namespace_readonly(ns),
	};

	memcpy(ni.uuid, ns_namespace_uuid(ns), sizeof(ni.uuid));
	ni.badblocks = fs_media_bytes(reg->media, ni.dpa, ni.size);
	if (file) {
		struct fs_crash_status cs;

		fs_fault_status(file->ns, &cs);
		ni.crash_test = cs.enabled;
		ni.state = "active";
		snprintf(path, sizeof(path), "%s/%s/%s", d->mountpoint, reg->dir->name,
			 file->name);
		ni.path = path;
	} else if (st == NS_STATE_ACTIVE) {
		ni.state = "disabled";
		ni.reason = ns_namespace_holders(ns) ?
			    "disabled (still open through its old file)" : "disabled";
	} else {
		ni.state = ns_state_name(st);
		ni.reason = ns_namespace_reason(ns);
	}
	return ctl_ns_info_put(m, &ni);
}

static int fs_ctl_reply_ns(struct fs_daemon *d, struct ctl_reply *rep,
			   struct fs_region *reg, struct ns_namespace *ns)
{
	struct nl_msg *m = ctl_reply_msg(rep);

	if (!m)
		return ns_err(-ENOMEM, "out of memory building the reply");
	return fs_ctl_put_ns(d, m, reg, ns);
}

/* ---- list ---- */

/*
 * The cache of the queries (list, stats): a change holds the daemon lock
 * across its I/O (a label commit's fdatasync, zeroing a destroyed range:
 * tens to hundreds of ms under load), and a list or stats must not wait
 * for it. So a list or stats of every region that takes the daemon lock
 * keeps the reply parts it built (encoded), stamped with the number of
 * changes ended by then; and a list or stats that finds the daemon lock
 * taken while a change runs answers from that cache if no change has
 * ended since it was built: the state before the running change, which
 * the change's own client has not been told about yet. A change builds
 * nothing (O(1) whatever the number of namespaces); it counts itself
 * begun before it starts and ended before its reply leaves. A cache is
 * kept only when it was built while no change ran (a change may drop the
 * daemon lock halfway: such a state is answered once, never kept). What
 * changes without a change (counters, holders, a namespace's health) is
 * at most FS_CTL_CACHE_MS old in an answer from the cache; a cache older
 * than that is not used (the query waits for the lock). A stats of one
 * namespace (by name) still takes the lock.
 */
#define FS_CTL_CACHE_MS 5000

struct fs_ctl_snap_part {
	unsigned region;	/* index into d->regions */
	size_t len;
	uint8_t attrs[];	/* the part's attributes, as encoded */
};

struct fs_ctl_snap {
	struct fs_ctl_snap_part **v;
	size_t n, cap;
	uint64_t gen;		/* changes ended when it was built */
	uint64_t built_ms;	/* CLOCK_MONOTONIC */
};

/* one daemon per process */
static struct {
	pthread_mutex_t lock;		/* a leaf: never held while taking another */
	struct fs_ctl_snap *list, *stats;	/* the last built, or NULL */
	uint64_t begun, ended;		/* __atomic: changes begun, ended */
} fs_ctl_snaps = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t fs_ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void fs_ctl_snap_free(struct fs_ctl_snap *sn)
{
	size_t i;

	if (!sn)
		return;
	for (i = 0; i < sn->n; i++)
		free(sn->v[i]);
	free(sn->v);
	free(sn);
}

/*
 * Where the parts of a query go: the reply, or (rep NULL) the snapshot
 * being built, through scratch, stored when the next part starts and at
 * the end (fs_ctl_sink_end).
 */
struct fs_ctl_sink {
	struct ctl_reply *rep;
	struct fs_ctl_snap *snap;
	struct nl_msg *scratch;
	bool pending;		/* scratch holds a part */
	unsigned region;	/* of the part in scratch */
};

static int fs_ctl_sink_store(struct fs_ctl_sink *k)
{
	struct nlmsghdr *nlh;
	struct fs_ctl_snap_part *p;
	size_t len;

	if (!k->pending)
		return 0;
	k->pending = false;
	nlh = nlmsg_hdr(k->scratch);
	len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	if (k->snap->n == k->snap->cap) {
		size_t cap = k->snap->cap ? k->snap->cap * 2 : 64;
		struct fs_ctl_snap_part **v = realloc(k->snap->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		k->snap->v = v;
		k->snap->cap = cap;
	}
	p = malloc(sizeof(*p) + len);
	if (!p)
		return -ENOMEM;
	p->region = k->region;
	p->len = len;
	memcpy(p->attrs, (uint8_t *)nlh + NLMSG_HDRLEN + GENL_HDRLEN, len);
	k->snap->v[k->snap->n++] = p;
	/* the scratch message starts empty again */
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	return 0;
}

/* a new part of region index region; NULL when out of memory */
static struct nl_msg *fs_ctl_sink_part(struct fs_ctl_sink *k, unsigned region)
{
	if (k->rep)
		return ctl_reply_part(k->rep);
	if (fs_ctl_sink_store(k))
		return NULL;
	k->pending = true;
	k->region = region;
	return k->scratch;
}

static int fs_ctl_sink_end(struct fs_ctl_sink *k)
{
	return k->rep ? 0 : fs_ctl_sink_store(k);
}

/* answer from a standing snapshot: parts of region sel (NULL: all) */
static int fs_ctl_snap_reply(struct fs_daemon *d, const struct fs_ctl_snap *sn,
			     struct fs_region *sel, struct ctl_reply *rep)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < sn->n && rc == 0; i++) {
		const struct fs_ctl_snap_part *p = sn->v[i];
		struct nl_msg *m;

		if (sel && &d->regions[p->region] != sel)
			continue;
		m = ctl_reply_part(rep);
		rc = m ? nlmsg_append(m, (void *)p->attrs, p->len, NLMSG_ALIGNTO) : -ENOMEM;
		if (rc < 0)
			rc = -ENOMEM;
	}
	return rc;
}

/* the parts parts() answers for every region into *snp; daemon lock held */
static int fs_ctl_snap_build(struct fs_daemon *d,
			     int (*parts)(struct fs_daemon *, struct fs_region *,
					  struct fs_ctl_sink *),
			     struct fs_ctl_snap **snp)
{
	struct fs_ctl_sink k = { .snap = calloc(1, sizeof(*k.snap)) };
	int rc;

	*snp = NULL;
	k.scratch = ctl_proto_msg_new(CTL_CMD_LIST, 0, NLM_F_MULTI);
	if (!k.snap || !k.scratch) {
		nlmsg_free(k.scratch);
		free(k.snap);
		return -ENOMEM;
	}
	k.snap->built_ms = fs_ctl_now_ms();
	rc = parts(d, NULL, &k);
	nlmsg_free(k.scratch);
	if (rc) {
		fs_ctl_snap_free(k.snap);
		return rc;
	}
	*snp = k.snap;
	return 0;
}

/*
 * A query (list, stats) of region sel whose parts parts() builds (daemon
 * lock held): when a change holds the daemon lock and the cache *cachep
 * is of the state before it, answered from the cache; otherwise under the
 * daemon lock, and a query of every region while no change runs keeps
 * what it built as the new cache. The regions themselves never change:
 * sel needs no lock.
 */
static int fs_ctl_query(struct fs_daemon *d, struct fs_ctl_snap **cachep,
			int (*parts)(struct fs_daemon *, struct fs_region *,
				     struct fs_ctl_sink *),
			struct fs_region *sel, struct ctl_reply *rep)
{
	struct fs_ctl_sink k = { .rep = rep };
	struct fs_ctl_snap *sn, *old;
	uint64_t ended, begun;
	int rc;

	if (pthread_mutex_trylock(&d->lock) != 0) {
		pthread_mutex_lock(&fs_ctl_snaps.lock);
		sn = *cachep;
		ended = __atomic_load_n(&fs_ctl_snaps.ended, __ATOMIC_SEQ_CST);
		begun = __atomic_load_n(&fs_ctl_snaps.begun, __ATOMIC_SEQ_CST);
		if (sn && sn->gen == ended && begun != ended &&
		    fs_ctl_now_ms() - sn->built_ms < FS_CTL_CACHE_MS) {
			/* a change runs, none ended since the (recent) cache was built */
			rc = fs_ctl_snap_reply(d, sn, sel, rep);
			pthread_mutex_unlock(&fs_ctl_snaps.lock);
			return rc;
		}
		pthread_mutex_unlock(&fs_ctl_snaps.lock);
		pthread_mutex_lock(&d->lock);
	}
	/* ended first: equal to begun afterwards means no change ran between */
	ended = __atomic_load_n(&fs_ctl_snaps.ended, __ATOMIC_SEQ_CST);
	begun = __atomic_load_n(&fs_ctl_snaps.begun, __ATOMIC_SEQ_CST);
	if (sel || begun != ended) {
		rc = parts(d, sel, &k);
		pthread_mutex_unlock(&d->lock);
		return rc;
	}
	rc = fs_ctl_snap_build(d, parts, &sn);
	pthread_mutex_unlock(&d->lock);
	if (rc)
		return rc;
	sn->gen = ended;
	rc = fs_ctl_snap_reply(d, sn, NULL, rep);
	pthread_mutex_lock(&fs_ctl_snaps.lock);
	old = *cachep;
	if (!old || old->gen <= sn->gen) {
		*cachep = sn;
		sn = old;
	}
	pthread_mutex_unlock(&fs_ctl_snaps.lock);
	fs_ctl_snap_free(sn);
	return rc;
}

/* a region's media errors as BADBLOCK parts (data-area offsets) */
static int fs_ctl_put_region_badblocks(struct fs_ctl_sink *k, unsigned ri,
				       struct fs_region *reg)
{
	struct fs_media *md = reg->media;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&md->lock);
	for (i = 0; i < md->bb.n && rc == 0; i++) {
		struct ctl_bb_info b = {
			.region = ns_region_devname(reg->r),
			.offset = md->bb.v[i].off,
			.length = md->bb.v[i].len,
		};
		struct nl_msg *m = fs_ctl_sink_part(k, ri);

		rc = m ? ctl_bb_info_put(m, &b) : -ENOMEM;
	}
	pthread_mutex_unlock(&md->lock);
	return rc;
}

/* the parts of a list of region sel (NULL: all); daemon lock held */
static int fs_ctl_list_parts(struct fs_daemon *d, struct fs_region *sel,
			     struct fs_ctl_sink *k)
{
	unsigned i;
	int rc = 0;

	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];
		struct ns_namespace *ns;
		struct nl_msg *m;

		if (sel && reg != sel)
			continue;
		m = fs_ctl_sink_part(k, i);
		rc = m ? fs_ctl_put_region(m, reg) : -ENOMEM;
		if (rc == 0)
			rc = fs_ctl_put_region_badblocks(k, i, reg);
		ns_region_foreach_namespace(reg->r, ns) {
			if (rc)
				break;
			m = fs_ctl_sink_part(k, i);
			rc = m ? fs_ctl_put_ns(d, m, reg, ns) : -ENOMEM;
		}
	}
	return rc ? rc : fs_ctl_sink_end(k);
}

static int fs_ctl_list(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct fs_daemon *d = arg;
	struct fs_region *sel;
	int rc;

	rc = fs_ctl_region(d, req, false, &sel);
	if (rc)
		return rc;
	rc = fs_ctl_query(d, &fs_ctl_snaps.list, fs_ctl_list_parts, sel, rep);
	if (rc == -ENOMEM)
		rc = ns_err(-ENOMEM, "out of memory (or the reply queue is full) listing '%s'",
			    d->mountpoint);
	return rc;
}

/* ---- status ---- */

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

struct fs_cachestat_range {
	uint64_t off, len;
};

struct fs_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

/*
 * Bytes of [off, off+len) of the region file (fd) that the page cache
 * holds dirty or under write-back: cachestat(2), Linux >= 6.5. The region
 * file, never our own mount. -errno when it cannot tell (logged once).
 */
static int fs_ctl_cachestat(int fd, uint64_t off, uint64_t len, uint64_t *bytes)
{
	static int logged;	/* atomic */
	struct fs_cachestat_range r = { off, len };
	struct fs_cachestat cs;
	long page = sysconf(_SC_PAGESIZE);
	int zero = 0;

	if (syscall(__NR_cachestat, fd, &r, &cs, 0) == 0) {
		*bytes = (cs.nr_dirty + cs.nr_writeback) * (uint64_t)(page > 0 ? page : 4096);
		return 0;
	}
	if (__atomic_compare_exchange_n(&logged, &zero, 1, false, __ATOMIC_SEQ_CST,
					__ATOMIC_SEQ_CST))
		fs_info("cachestat(2) failed: %s%s: the page-cache part of the bytes not "
			"yet durable is shown as unknown (null) in 'pmemctl list -v'",
			strerror(errno), errno == ENOSYS ? " (Linux < 6.5)" : "");
	return -errno;
}

/* ms since this process started (/proc/self/stat starttime, CLOCK_BOOTTIME) */
static uint64_t fs_ctl_uptime_ms(void)
{
	char buf[1024], *p;
	unsigned long long start = 0;
	struct timespec now;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	uint64_t now_ms, start_ms;
	int field;

	if (f)
		fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* after "pid (comm)": state is field 3, starttime field 22 */
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1 || hz <= 0)
		return 0;
	clock_gettime(CLOCK_BOOTTIME, &now);
	now_ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	start_ms = start * 1000 / (uint64_t)hz;
	return now_ms > start_ms ? now_ms - start_ms : 0;
}

/*
 * The pids holding inode ino, space separated, in buf; the dirty bytes of
 * their mappings of it in *mapped_dirty.
 */
static void fs_ctl_holders_text(const struct fs_holder *v, size_t n, uint64_t ino,
				char *buf, size_t len, uint64_t *mapped_dirty)
{
	size_t o = 0, i;

	buf[0] = '\0';
	*mapped_dirty = 0;
	for (i = 0; i < n; i++)
		if (v[i].ino == ino)
			*mapped_dirty += v[i].mapped_dirty;
	for (i = 0; i < n; i++) {
		int w;

		if (v[i].ino != ino)
			continue;
		w = snprintf(buf + o, len - o, "%s%d", o ? " " : "", (int)v[i].pid);
		if (w < 0 || (size_t)w >= len - o) {
			buf[o] = '\0';	/* as many as fit */
			break;
		}
		o += (size_t)w;
	}
}

static int fs_ctl_put_nsst(struct nl_msg *m, struct fs_region *reg, struct ns_namespace *ns,
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
		.backing = n->dfd >= 0 ? "direct" : "buffered",
	};

	pthread_mutex_lock(&n->lock);
	si.handles = n->handles;
	si.unpersisted = n->dirty.bytes < n->size ? n->dirty.bytes : n->size;
	pthread_mutex_unlock(&n->lock);
	si.cache_known = fs_ctl_cachestat(n->fd, n->dpa, n->size, &si.cache_dirty) == 0;
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

/*
 * The status view (pmemctl list -v): the daemon (pid, uptime), then each
 * served namespace: holders (pids, found by the files' identity in one
 * pass over /proc, before the daemon lock), bytes not yet durable (what
 * the daemon wrote since its last persist, and what cachestat finds dirty
 * or under write-back on the namespace's range of the region file),
 * sticky error, crash-test state, media errors, backing mode. Never
 * cached: it is what the user watches change.
 */
static int fs_ctl_status(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct fs_daemon *d = arg;
	bool known = __atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE);
	struct ctl_daemon_info di = {
		.pid = (uint32_t)getpid(),
		.uptime_ms = fs_ctl_uptime_ms(),
		.mount = d->mountpoint,
	};
	struct fs_holder *hv = NULL;
	struct fs_region *sel;
	struct nl_msg *m;
	size_t nh = 0;
	uint64_t probe;
	unsigned i;
	int rc;

	rc = fs_ctl_region(d, req, false, &sel);
	if (rc)
		return rc;
	if (known && fs_holders_scan(d->dev_major, d->dev_minor, &hv, &nh) < 0)
		known = false;
	/*
	 * A user other than root and the daemon's (a ctl_group member) sees
	 * its own processes only, as fuser(1) run by that user would: the
	 * daemon does not show what /proc (hidepid) may hide from it.
	 */
	if (req->cred.uid != 0 && req->cred.uid != geteuid()) {
		size_t k = 0;

		for (size_t j = 0; j < nh; j++) {
			char p[32];
			struct stat st;

			snprintf(p, sizeof(p), "/proc/%d", (int)hv[j].pid);
			if (stat(p, &st) == 0 && st.st_uid == req->cred.uid)
				hv[k++] = hv[j];
		}
		nh = k;
	}
	m = ctl_reply_part(rep);
	if (!m) {
		free(hv);
		return ns_err(-ENOMEM, "out of memory (or the reply queue is full)");
	}
	pthread_mutex_lock(&d->lock);
	di.cachestat = d->nregions > 0 && d->regions[0].rfd.fd >= 0 &&
		       fs_ctl_cachestat(d->regions[0].rfd.fd, 0, 1, &probe) == 0;
	rc = ctl_daemon_info_put(m, &di);
	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];
		struct ns_namespace *ns;

		if (sel && reg != sel)
			continue;
		ns_region_foreach_namespace(reg->r, ns) {
			struct fs_inode *file = fs_ctl_file(ns);
			uint64_t mapped_dirty;
			char holders[1000];

			if (!file)
				continue;
			fs_ctl_holders_text(hv, nh, file->ino, holders, sizeof(holders),
					    &mapped_dirty);
			m = ctl_reply_part(rep);
			rc = m ? fs_ctl_put_nsst(m, reg, ns, file, holders, known,
						 mapped_dirty) : -ENOMEM;
			if (rc)
				break;
		}
	}
	pthread_mutex_unlock(&d->lock);
	free(hv);
	if (rc == -ENOMEM || rc == -EMSGSIZE)
		rc = ns_err(-ENOMEM, "out of memory (or the reply queue is full) reporting "
			    "the status of '%s'", d->mountpoint);
	return rc;
}

/* ---- create ---- */

static int fs_ctl_create(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct fs_daemon *d = arg;
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
	struct fs_notes nl = { 0 };
	struct fs_region *reg;
	struct ns_namespace *ns = NULL;
	struct fs_inode *file = NULL;
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_region(d, req, true, &reg);
	if (rc)
		goto out;
	if (o.size == 0) {
		/* ndctl's default: the largest free extent of the alignment */
		rc = ns_region_default_size(reg->r, o.align, &o.size);
		if (rc)
			goto out;
	}
	rc = ns_namespace_create(reg->r, &o, &ns);
	if (rc)
		goto out;
	rc = fs_daemon_add_namespace(d, reg, ns, &file);
	if (rc) {
		char dev[32];

		snprintf(dev, sizeof(dev), "%s", ns_namespace_devname(ns));
		if (ns_namespace_destroy(ns, 0) < 0)
			fs_err("%s: cannot take back %s after failing to serve it: %s",
			       ns_region_devname(reg->r), dev, ns_errormsg());
		rc = ns_err(rc, "cannot serve the new namespace %s in %s: %s", dev,
			    ns_region_devname(reg->r), strerror(-rc));
		goto out;
	}
	if ((flags & CTL_F_CRASH_TEST) && fs_fault_enable(file->ns, true) < 0)
		fs_warn("%s: %s", ns_namespace_devname(ns), ns_errormsg());
	fs_note_add(&nl, FS_NOTE_NEW, reg->dir->ino, file->ino, file->name);
	fs_note_add(&nl, FS_NOTE_DIR, reg->dir->ino, 0, reg->dir->name);
	fs_ctl_sync_names(d, reg, &nl);
	fs_info("%s: created %s '%s' (dpa %" PRIu64 ", %" PRIu64 " bytes) for uid %u",
		ns_region_devname(reg->r), ns_namespace_devname(ns), file->name,
		ns_namespace_dpa(ns), ns_namespace_size(ns), (unsigned)req->cred.uid);
	rc = fs_ctl_reply_ns(d, rep, reg, ns);
out:
	pthread_mutex_unlock(&d->lock);
	fs_notes_send(d, &nl);
	return rc;
}

/* ---- destroy, disable, enable ---- */

/*
 * Take a namespace's file out of the tree (daemon lock held); the caller
 * has detached it from its namespace (userdata), which may be gone.
 */
static void fs_ctl_unlink(struct fs_daemon *d, struct fs_region *reg,
			  struct fs_inode *file, struct fs_notes *nl)
{
	fs_note_add(nl, FS_NOTE_GONE, reg->dir->ino, file->ino, file->name);
	fs_note_add(nl, FS_NOTE_DIR, reg->dir->ino, 0, reg->dir->name);
	fs_inode_unlink(&d->itable, file);	/* may free file */
}

/*
 * A destroy, disable or enable refused: noted with the daemon lock held, worded
 * after it is dropped (fs_ctl_refuse), because naming the holders reads
 * /proc, and OPEN and RELEASE take the daemon lock.
 */
#define FS_CTL_REFUSAL_INOS 4	/* the served file and old ones still open */
#define FS_CTL_REFUSAL_PIDS 16	/* holders named */

struct fs_ctl_refusal {
	const char *verb;	/* "destroy", "disable", "enable"; NULL: nothing refused */
	bool served;		/* a destroy refused because it is enabled */
	unsigned handles;
	char name[FS_NAME_MAX], region[32], path[PATH_MAX];
	fuse_ino_t ino[FS_CTL_REFUSAL_INOS];
	unsigned nino;
};

/* daemon lock held */
static void fs_ctl_refusal_note(struct fs_daemon *d, struct fs_region *reg,
				struct ns_namespace *ns, const char *verb, bool served,
				struct fs_ctl_refusal *f)
{
	struct fs_inode *file = fs_ctl_file(ns);
	fuse_ino_t i;

	f->verb = verb;
	f->served = served;
	f->handles = ns_namespace_holders(ns);
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
	/* the files it had before it was disabled, still open */
	pthread_rwlock_rdlock(&d->itable.lock);
	for (i = 1; i < d->itable.cap && f->nino < FS_CTL_REFUSAL_INOS; i++) {
		struct fs_inode *x = d->itable.v[i];
		bool open;

		if (!x || x == file || x->kind != FS_INODE_FILE || !x->ns || x->ns->ns != ns)
			continue;
		pthread_mutex_lock(&x->ns->lock);
		open = x->ns->handles > 0;
		pthread_mutex_unlock(&x->ns->lock);
		if (open)
			f->ino[f->nino++] = x->ino;
	}
	pthread_rwlock_unlock(&d->itable.lock);
}

/*
 * The refusal's EBUSY and message (no daemon lock held), naming the
 * holders' pids where the daemon can see them (fault.c finds them by the
 * files' device and inode), else the count of handles.
 */
static int fs_ctl_refuse(struct fs_daemon *d, const struct fs_ctl_refusal *f)
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

static int fs_ctl_destroy(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct fs_daemon *d = arg;
	uint32_t flags = ctl_request_flags(req);
	bool force = flags & CTL_F_FORCE;
	/* without FORCE a served namespace is kept (an old pmemctl sends no KEEP_SERVED) */
	bool keep_served = !force || (flags & CTL_F_KEEP_SERVED);
	struct fs_ctl_refusal no = { 0 };
	struct fs_notes nl = { 0 };
	struct fs_region *reg;
	struct ns_namespace *ns;
	struct fs_inode *file;
	struct nl_msg *m;
	char name[FS_NAME_MAX], dev[32];
	unsigned held;
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_target(d, req, &reg, &ns);
	if (rc)
		goto out;
	file = fs_ctl_file(ns);
	/* enabled: refused at once, there is nothing to wait for (ndctl's rule) */
	if (file && keep_served) {
		fs_ctl_refusal_note(d, reg, ns, "destroy", true, &no);
		goto out;
	}
	if (!force && ns_namespace_holders(ns) > 0) {
		rc = fs_ctl_held(rep, ns);
		if (rc == 0)
			fs_ctl_refusal_note(d, reg, ns, "destroy", false, &no);
		goto out;
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
		goto out;
	}
	/* ns is gone, or dead until its last holder lets go */
	if (file)
		fs_ctl_unlink(d, reg, file, &nl);
	fs_ctl_sync_names(d, reg, &nl);
	fs_info("%s: destroyed %s%s '%s' for uid %u%s", ns_region_devname(reg->r),
		file ? "enabled " : "", dev, name, (unsigned)req->cred.uid,
		held ? " while in use: its range stays reserved until it is closed" : "");
	m = ctl_reply_msg(rep);
	rc = m ? ctl_put_u32(m, CTL_A_COUNT, 1) : -ENOMEM;
out:
	pthread_mutex_unlock(&d->lock);
	fs_notes_send(d, &nl);
	return no.verb ? fs_ctl_refuse(d, &no) : rc;
}

static int fs_ctl_disable(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct fs_daemon *d = arg;
	bool force = ctl_request_flags(req) & CTL_F_FORCE;
	struct fs_ctl_refusal no = { 0 };
	struct fs_notes nl = { 0 };
	struct fs_region *reg;
	struct ns_namespace *ns;
	struct fs_inode *file;
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_target(d, req, &reg, &ns);
	if (rc)
		goto out;
	file = fs_ctl_file(ns);
	if (!file) {
		if (ns_namespace_state(ns) != NS_STATE_ACTIVE)
			rc = ns_err(-NS_E_NOT_SERVED, "%s in %s is not served (%s: %s)",
				    ns_namespace_devname(ns), ns_region_devname(reg->r),
				    ns_state_name(ns_namespace_state(ns)),
				    ns_namespace_reason(ns));
		else
			rc = fs_ctl_reply_ns(d, rep, reg, ns);	/* disabled already */
		goto out;
	}
	if (!force && ns_namespace_holders(ns) > 0) {
		rc = fs_ctl_held(rep, ns);
		if (rc == 0)
			fs_ctl_refusal_note(d, reg, ns, "disable", false, &no);
		goto out;
	}
	ns_namespace_set_userdata(ns, NULL);
	fs_ctl_unlink(d, reg, file, &nl);
	fs_info("%s: disabled %s for uid %u", ns_region_devname(reg->r),
		ns_namespace_devname(ns), (unsigned)req->cred.uid);
	rc = fs_ctl_reply_ns(d, rep, reg, ns);
out:
	pthread_mutex_unlock(&d->lock);
	fs_notes_send(d, &nl);
	return no.verb ? fs_ctl_refuse(d, &no) : rc;
}

static int fs_ctl_enable(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct fs_daemon *d = arg;
	struct fs_ctl_refusal no = { 0 };
	struct fs_notes nl = { 0 };
	struct fs_region *reg;
	struct ns_namespace *ns;
	struct fs_inode *file;
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_target(d, req, &reg, &ns);
	if (rc)
		goto out;
	if (fs_ctl_file(ns)) {
		rc = fs_ctl_reply_ns(d, rep, reg, ns);	/* enabled already */
		goto out;
	}
	if (ns_namespace_state(ns) != NS_STATE_ACTIVE) {
		rc = ns_err(-NS_E_NOT_SERVED, "%s in %s cannot be served (%s: %s)",
			    ns_namespace_devname(ns), ns_region_devname(reg->r),
			    ns_state_name(ns_namespace_state(ns)), ns_namespace_reason(ns));
		goto out;
	}
	if (ns_namespace_holders(ns) > 0) {
		rc = fs_ctl_held(rep, ns);
		if (rc == 0)
			fs_ctl_refusal_note(d, reg, ns, "enable", false, &no);
		goto out;
	}
	rc = fs_daemon_add_namespace(d, reg, ns, &file);
	if (rc) {
		rc = ns_err(rc, "cannot serve %s in %s: %s", ns_namespace_devname(ns),
			    ns_region_devname(reg->r), strerror(-rc));
		goto out;
	}
	fs_note_add(&nl, FS_NOTE_NEW, reg->dir->ino, file->ino, file->name);
	fs_note_add(&nl, FS_NOTE_DIR, reg->dir->ino, 0, reg->dir->name);
	fs_info("%s: enabled %s as '%s' for uid %u", ns_region_devname(reg->r),
		ns_namespace_devname(ns), file->name, (unsigned)req->cred.uid);
	rc = fs_ctl_reply_ns(d, rep, reg, ns);
out:
	pthread_mutex_unlock(&d->lock);
	fs_notes_send(d, &nl);
	return no.verb ? fs_ctl_refuse(d, &no) : rc;
}

/* ---- rename ---- */

static int fs_ctl_rename(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct fs_daemon *d = arg;
	const char *to = nla_get_string(req->attrs[CTL_A_NEW_NAME]);
	struct fs_notes nl = { 0 };
	struct fs_region *reg;
	struct ns_namespace *ns;
	char old[FS_NAME_MAX];
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_target(d, req, &reg, &ns);
	if (rc)
		goto out;
	snprintf(old, sizeof(old), "%s", ns_namespace_name(ns));
	rc = ns_namespace_rename(ns, to);
	if (rc)
		goto out;
	fs_ctl_sync_names(d, reg, &nl);
	fs_info("%s: renamed %s '%s' to '%s' for uid %u", ns_region_devname(reg->r),
		ns_namespace_devname(ns), old, ns_namespace_name(ns),
		(unsigned)req->cred.uid);
	rc = fs_ctl_reply_ns(d, rep, reg, ns);
out:
	pthread_mutex_unlock(&d->lock);
	fs_notes_send(d, &nl);
	return rc;
}

/* ---- labels ---- */

static int fs_ctl_read_labels(const struct ctl_request *req, struct ctl_reply *rep,
			      void *arg)
{
	struct fs_daemon *d = arg;
	struct fs_region *sel;
	unsigned i;
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_region(d, req, false, &sel);
	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];
		struct ns_lsa *lsa = ns_region_lsa(reg->r);
		const char *dev = ns_region_devname(reg->r);
		char why[NS_WHY_LEN];
		struct nl_msg *m;
		uint32_t s;

		if ((sel && reg != sel) || !lsa)
			continue;
		for (int k = 0; k < 2 && rc == 0; k++) {
			struct ctl_index_info x = { .region = dev, .num = (uint32_t)k };
			struct ns_index idx;

			memset(&idx, 0, sizeof(idx));
			why[0] = '\0';
			x.valid = ns_lsa_index(lsa, k, &idx, why);
			x.current = ns_lsa_current(lsa) == k;
			if (x.valid) {
				x.seq = idx.seq;
				x.myoff = idx.myoff;
				x.mysize = idx.mysize;
				x.otheroff = idx.otheroff;
				x.labeloff = idx.labeloff;
				x.nslot = idx.nslot;
				x.major = idx.major;
				x.minor = idx.minor;
				x.label_size = ns_index_label_size(&idx);
				x.checksum = idx.checksum;
			} else {
				x.reason = why;
			}
			if (x.current)
				x.free = ns_lsa_free_slots(lsa);
			m = ctl_reply_part(rep);
			rc = m ? ctl_index_info_put(m, &x) : -ENOMEM;
		}
		ns_lsa_foreach_slot(lsa, s) {
			struct ctl_label_info li = { .region = dev, .slot = s };
			struct ns_label l;

			if (rc)
				break;
			why[0] = '\0';
			li.valid = ns_lsa_label(lsa, s, &l, why) == 0;
			if (!li.valid)
				li.reason = why;
			memcpy(li.uuid, l.uuid, sizeof(li.uuid));
			li.name = l.name;
			li.flags = l.flags;
			li.nlabel = l.nlabel;
			li.position = l.position;
			li.isetcookie = l.isetcookie;
			li.lbasize = l.lbasize;
			li.dpa = l.dpa;
			li.rawsize = l.rawsize;
			memcpy(li.type_guid, l.type_guid, sizeof(li.type_guid));
			memcpy(li.abstraction_guid, l.abstraction_guid,
			       sizeof(li.abstraction_guid));
			li.checksum = l.checksum;
			m = ctl_reply_part(rep);
			rc = m ? ctl_label_info_put(m, &li) : -ENOMEM;
		}
	}
	pthread_mutex_unlock(&d->lock);
	if (rc == -ENOMEM)
		rc = ns_err(-ENOMEM, "out of memory (or the reply queue is full) reading labels");
	return rc;
}

/* Append a line to a problems text; false when it is full. */
static void fs_ctl_problem(char *buf, size_t len, unsigned *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fs_ctl_problem(char *buf, size_t len, unsigned *n, const char *fmt, ...)
{
	size_t o = strlen(buf);
	va_list ap;

	(*n)++;
	if (o + 2 >= len)
		return;
	if (o)
		buf[o++] = '\n';
	va_start(ap, fmt);
	vsnprintf(buf + o, len - o, fmt, ap);
	va_end(ap);
}

static int fs_ctl_check_labels(const struct ctl_request *req, struct ctl_reply *rep,
			       void *arg)
{
	struct fs_daemon *d = arg;
	struct fs_region *sel;
	char *problems;
	unsigned i;
	int rc;

	problems = malloc(4000);	/* < the protocol's 4096-byte limit */
	if (!problems)
		return ns_err(-ENOMEM, "out of memory checking labels");
	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_region(d, req, false, &sel);
	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];
		struct ns_lsa *lsa = ns_region_lsa(reg->r);
		struct ctl_check_info c = { .region = ns_region_devname(reg->r) };
		unsigned nproblems = 0;
		char why[NS_WHY_LEN];
		struct ns_namespace *ns;
		struct nl_msg *m;
		uint32_t s;

		if (sel && reg != sel)
			continue;
		problems[0] = '\0';
		if (!lsa) {
			fs_ctl_problem(problems, 4000, &nproblems, "no label area");
		} else {
			for (int k = 0; k < 2; k++) {
				struct ns_index idx;

				why[0] = '\0';
				if (!ns_lsa_index(lsa, k, &idx, why))
					fs_ctl_problem(problems, 4000, &nproblems,
						       "index block %d: %s", k, why);
			}
			ns_lsa_foreach_slot(lsa, s) {
				struct ns_label l;

				c.labels++;
				why[0] = '\0';
				/* why names the slot: "label in slot N: ..." */
				if (ns_lsa_label(lsa, s, &l, why) != 0)
					fs_ctl_problem(problems, 4000, &nproblems, "%s", why);
			}
			ns_region_foreach_namespace(reg->r, ns) {
				enum ns_state st = ns_namespace_state(ns);

				/* a label that does not decode was reported above */
				if (st == NS_STATE_ACTIVE || st == NS_STATE_INVALID)
					continue;
				fs_ctl_problem(problems, 4000, &nproblems,
					       "label in slot %" PRIu32 " (%s): not served: %s: %s",
					       ns_namespace_slot(ns), ns_namespace_devname(ns),
					       ns_state_name(st), ns_namespace_reason(ns));
			}
			ns_region_foreach_namespace(reg->r, ns) {
				char w[NS_WHY_LEN];
				struct ns_label l;

				if (ns_namespace_state(ns) != NS_STATE_INVALID ||
				    ns_lsa_label(lsa, ns_namespace_slot(ns), &l, w) != 0)
					continue;
				fs_ctl_problem(problems, 4000, &nproblems,
					       "label in slot %" PRIu32 " (%s): not served: %s",
					       ns_namespace_slot(ns), ns_namespace_devname(ns),
					       ns_namespace_reason(ns));
			}
		}
		c.ok = nproblems == 0;
		c.problems = problems[0] ? problems : NULL;
		c.badblocks = fs_media_bytes(reg->media, 0, UINT64_MAX);
		m = ctl_reply_part(rep);
		rc = m ? ctl_check_info_put(m, &c) : -ENOMEM;
	}
	pthread_mutex_unlock(&d->lock);
	free(problems);
	if (rc == -ENOMEM)
		rc = ns_err(-ENOMEM, "out of memory checking labels");
	return rc;
}

static int fs_ctl_init_labels(const struct ctl_request *req, struct ctl_reply *rep,
			      void *arg)
{
	struct fs_daemon *d = arg;
	bool force = ctl_request_flags(req) & CTL_F_FORCE;
	unsigned minor = req->attrs[CTL_A_LABEL_VERSION] ?
			 nla_get_u32(req->attrs[CTL_A_LABEL_VERSION]) : 0;
	struct fs_notes nl = { 0 };
	struct fs_inode **files = NULL;
	struct fs_region *reg;
	struct ns_namespace *ns;
	unsigned n = 0, k;
	struct nl_msg *m;
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_region(d, req, true, &reg);
	if (rc)
		goto out;
	ns_region_foreach_namespace(reg->r, ns)
		n++;
	if (n && !force) {
		rc = ns_err(-NS_E_LABELS_EXIST, "%s has %u namespace%s: use -f to forget "
			    "%s (the data is kept)", ns_region_devname(reg->r), n,
			    n == 1 ? "" : "s", n == 1 ? "it" : "them");
		goto out;
	}
	/* a valid area of another size (-o label_size=) is not ours to drop */
	if (!force) {
		rc = ns_region_check_other_area(reg->r, false);
		if (rc)
			goto out;
	}
	ns_region_foreach_namespace(reg->r, ns) {
		if (ns_namespace_holders(ns)) {
			rc = ns_err(-EBUSY, "cannot initialise the labels of %s: namespace "
				    "'%s' is in use (open or mapped)",
				    ns_region_devname(reg->r), ns_namespace_name(ns));
			goto out;
		}
	}
	files = calloc(n ? n : 1, sizeof(*files));
	if (!files) {
		rc = ns_err(-ENOMEM, "out of memory");
		goto out;
	}
	n = 0;
	ns_region_foreach_namespace(reg->r, ns)
		if (fs_ctl_file(ns))
			files[n++] = fs_ctl_file(ns);
	/* an empty area is re-made without force: nothing is lost */
	rc = ns_region_init_labels(reg->r, minor, true);
	if (rc)
		goto out;
	/* the core freed the namespaces: their files go without them */
	for (k = 0; k < n; k++)
		fs_ctl_unlink(d, reg, files[k], &nl);
	fs_info("%s: label area initialised (v1.%u) for uid %u, %u namespace%s forgotten",
		ns_region_devname(reg->r), ns_region_label_minor(reg->r),
		(unsigned)req->cred.uid, n, n == 1 ? "" : "s");
	m = ctl_reply_msg(rep);
	rc = m ? fs_ctl_put_region(m, reg) : -ENOMEM;
out:
	pthread_mutex_unlock(&d->lock);
	free(files);
	fs_notes_send(d, &nl);
	return rc;
}

/* ---- move-region ---- */

/*
 * Every label's cookie for another nvdimm slot, in one commit (the core,
 * ns_region_set_nvdimm_slot). The namespace objects stay, and so do the
 * files of the served ones: open handles and mappings are untouched (no
 * data moves). A namespace whose label carried the new slot's cookie
 * already (FOREIGN before) is served now, as a restart would serve it.
 */
static int fs_ctl_move_region(const struct ctl_request *req, struct ctl_reply *rep,
			      void *arg)
{
	struct fs_daemon *d = arg;
	uint32_t slot = nla_get_u32(req->attrs[CTL_A_NVDIMM_SLOT]), old = 0;
	struct fs_notes nl = { 0 };
	struct ns_namespace *ns, **was = NULL;
	struct fs_region *reg;
	unsigned n = 0, k, moved = 0, served = 0;
	bool had_slot;
	struct nl_msg *m;
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_region(d, req, true, &reg);
	if (rc)
		goto out;
	had_slot = ns_region_nvdimm_slot(reg->r, &old);
	ns_region_foreach_namespace(reg->r, ns)
		n++;
	/* the namespaces not served before: those that become ACTIVE are new */
	was = calloc(n + 1, sizeof(*was));
	if (!was) {
		rc = ns_err(-ENOMEM, "out of memory");
		goto out;
	}
	n = 0;
	ns_region_foreach_namespace(reg->r, ns)
		if (ns_namespace_state(ns) != NS_STATE_ACTIVE)
			was[n++] = ns;
	rc = ns_region_set_nvdimm_slot(reg->r, slot, &moved);
	if (rc)
		goto out;
	for (k = 0; k < n; k++) {
		struct fs_inode *file = NULL;

		ns = was[k];
		if (ns_namespace_state(ns) != NS_STATE_ACTIVE || fs_ctl_file(ns))
			continue;
		rc = fs_daemon_add_namespace(d, reg, ns, &file);
		if (rc) {
			/* the labels are moved; this one stays unserved (enable-namespace) */
			fs_warn("%s: cannot serve %s after the move: %s",
				ns_region_devname(reg->r), ns_namespace_devname(ns),
				strerror(-rc));
			rc = 0;
			continue;
		}
		fs_note_add(&nl, FS_NOTE_NEW, reg->dir->ino, file->ino, file->name);
		fs_note_add(&nl, FS_NOTE_DIR, reg->dir->ino, 0, reg->dir->name);
		served++;
	}
	fs_ctl_sync_names(d, reg, &nl);
	if (had_slot)
		fs_info("%s: moved from nvdimm slot %u to %u for uid %u (%u label%s "
			"rewritten, %u namespace%s newly served)",
			ns_region_devname(reg->r), (unsigned)old, (unsigned)slot,
			(unsigned)req->cred.uid, moved, moved == 1 ? "" : "s", served,
			served == 1 ? "" : "s");
	else
		fs_info("%s: moved to nvdimm slot %u for uid %u (%u label%s rewritten, "
			"%u namespace%s newly served)", ns_region_devname(reg->r),
			(unsigned)slot, (unsigned)req->cred.uid, moved,
			moved == 1 ? "" : "s", served, served == 1 ? "" : "s");
	m = ctl_reply_msg(rep);
	rc = m ? fs_ctl_put_region(m, reg) : -ENOMEM;
	if (rc == 0)
		rc = ctl_put_u32(m, CTL_A_COUNT, moved);
out:
	pthread_mutex_unlock(&d->lock);
	free(was);
	fs_notes_send(d, &nl);
	return rc;
}

/* ---- stats ---- */

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

static int fs_ctl_put_stats(struct nl_msg *m, struct fs_region *reg, struct fs_inode *file)
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

/* the parts of stats of region sel (NULL: all); daemon lock held */
static int fs_ctl_stats_parts(struct fs_daemon *d, struct fs_region *sel,
			      struct fs_ctl_sink *k)
{
	unsigned i;
	int rc = 0;

	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];
		struct ns_namespace *ns;

		if (sel && reg != sel)
			continue;
		ns_region_foreach_namespace(reg->r, ns) {
			struct nl_msg *m;

			if (rc)
				break;
			if (!fs_ctl_file(ns))
				continue;
			m = fs_ctl_sink_part(k, i);
			rc = m ? fs_ctl_put_stats(m, reg, fs_ctl_file(ns)) : -ENOMEM;
		}
	}
	return rc ? rc : fs_ctl_sink_end(k);
}

static int fs_ctl_stats(const struct ctl_request *req, struct ctl_reply *rep, void *arg)
{
	struct fs_daemon *d = arg;
	char buf[CTL_UUID_STR_LEN];
	struct fs_region *sel, *reg;
	struct ns_namespace *ns;
	struct nl_msg *m;
	int rc;

	rc = fs_ctl_region(d, req, false, &sel);
	if (rc)
		return rc;
	if (!ctl_request_ns_spec(req, buf)) {
		rc = fs_ctl_query(d, &fs_ctl_snaps.stats, fs_ctl_stats_parts, sel, rep);
		goto done;
	}
	/* one namespace: found by the core's rules, under the lock */
	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_find(d, req, sel, &reg, &ns);
	if (rc)
		goto out;
	if (!fs_ctl_file(ns)) {
		rc = ns_err(-NS_E_NOT_SERVED, "%s in %s is not served: no statistics",
			    ns_namespace_devname(ns), ns_region_devname(reg->r));
		goto out;
	}
	m = ctl_reply_part(rep);
	rc = m ? fs_ctl_put_stats(m, reg, fs_ctl_file(ns)) : -ENOMEM;
out:
	pthread_mutex_unlock(&d->lock);
done:
	if (rc == -ENOMEM)
		rc = ns_err(-ENOMEM, "out of memory (or the reply queue is full) for stats");
	return rc;
}

/* ---- power-fail ---- */

/*
 * The served file of the namespace a request names (daemon lock taken and
 * dropped). It stays valid after the lock is dropped: files leave the
 * tree only in control handlers that change things, which run one at a
 * time (ctl_lock), as the callers of this do.
 */
static int fs_ctl_served(struct fs_daemon *d, const struct ctl_request *req,
			 struct fs_region **rout, struct ns_namespace **nsout,
			 struct fs_inode **out)
{
	struct fs_region *sel, *reg;
	struct ns_namespace *ns;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&d->lock);
	rc = fs_ctl_region(d, req, false, &sel);
	if (!rc)
		rc = fs_ctl_find(d, req, sel, &reg, &ns);
	if (!rc) {
		*rout = reg;
		*nsout = ns;
		*out = fs_ctl_file(ns);
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int fs_ctl_reply_crash(struct ctl_reply *rep, struct fs_region *reg,
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

static int fs_ctl_power_fail(const struct ctl_request *req, struct ctl_reply *rep,
			     void *arg)
{
	struct fs_daemon *d = arg;
	uint32_t flags = ctl_request_flags(req);
	struct nlattr *const *a = req->attrs;
	struct fs_crash_result res = { 0 };
	struct fs_crash_status st;
	struct fs_region *reg;
	struct ns_namespace *ns;
	struct fs_inode *file;
	const char *action;
	int rc;

	rc = fs_ctl_served(d, req, &reg, &ns, &file);
	if (rc)
		return rc;
	if (!file)
		return ns_err(-NS_E_NOT_SERVED, "%s in %s is not served: enable it first",
			      ns_namespace_devname(ns), ns_region_devname(reg->r));
	if ((flags & CTL_F_ENABLE) && (flags & CTL_F_DISABLE))
		return ns_err(-EINVAL, "enable and disable crash testing at once");
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
		rc = st.enabled ? 0 : fs_fault_enable(file->ns, true);
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
				  a[CTL_A_SEED] ? nla_get_u64(a[CTL_A_SEED]) : 0);
		if (rc)
			return ns_err(rc, "cannot arm a crash on '%s': %s", file->name,
				      strerror(-rc));
		fs_info("%s: power failure armed at FSYNC %u from now (uid %u)",
			file->ns->devname, k, (unsigned)req->cred.uid);
		return fs_ctl_reply_crash(rep, reg, file, k ? "armed" : "disarmed", NULL);
	}
	{
		struct fs_pf_opts o = {
			.survive_ppm = a[CTL_A_SURVIVE] ? nla_get_u32(a[CTL_A_SURVIVE]) : 0,
			.seed = a[CTL_A_SEED] ? nla_get_u64(a[CTL_A_SEED]) : 0,
			.force = flags & CTL_F_FORCE,
			.kill = flags & CTL_F_KILL,
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

static int fs_ctl_inject_error(const struct ctl_request *req, struct ctl_reply *rep,
			       void *arg)
{
	struct fs_daemon *d = arg;
	uint32_t flags = ctl_request_flags(req);
	struct nlattr *const *a = req->attrs;
	struct ctl_bb_range *v = NULL;
	struct fs_region *reg;
	struct ns_namespace *ns;
	struct fs_inode *file;
	uint64_t dpa, size, off = 0, len = 0;
	char dev[32], what[128];
	size_t n, i;
	int rc;

	rc = fs_ctl_served(d, req, &reg, &ns, &file);
	if (rc)
		return rc;
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
		struct nl_msg *m = ctl_reply_part(rep);

		rc = m ? ctl_bb_info_put(m, &b) : -ENOMEM;
	}
	free(v);
	if (rc == -ENOMEM)
		rc = ns_err(-ENOMEM, "out of memory (or the reply queue is full) listing "
			    "media errors");
	return rc;
}

/* ---- the server ---- */

/* a change begins (ctl_lock held): the queries' cache is of the state before it */
static void fs_ctl_change_begin(void)
{
	__atomic_add_fetch(&fs_ctl_snaps.begun, 1, __ATOMIC_SEQ_CST);
}

/* the change is done (before its reply leaves): the cache is of the past */
static void fs_ctl_change_end(void)
{
	__atomic_add_fetch(&fs_ctl_snaps.ended, 1, __ATOMIC_SEQ_CST);
}

/*
 * Commands that change something run one at a time (ctl_lock, fs.h),
 * each counted begun and ended for the queries' cache (fs_ctl_query).
 */
#define FS_CTL_CHANGE(fn)							\
static int fn##_one(const struct ctl_request *req, struct ctl_reply *rep, void *arg) \
{										\
	struct fs_daemon *d = arg;						\
	int rc;									\
										\
	pthread_mutex_lock(&d->ctl_lock);					\
	fs_ctl_change_begin();							\
	rc = fn(req, rep, arg);							\
	fs_ctl_change_end();							\
	pthread_mutex_unlock(&d->ctl_lock);					\
	return rc;								\
}
FS_CTL_CHANGE(fs_ctl_create)
FS_CTL_CHANGE(fs_ctl_destroy)
FS_CTL_CHANGE(fs_ctl_enable)
FS_CTL_CHANGE(fs_ctl_disable)
FS_CTL_CHANGE(fs_ctl_rename)
FS_CTL_CHANGE(fs_ctl_init_labels)
FS_CTL_CHANGE(fs_ctl_power_fail)
FS_CTL_CHANGE(fs_ctl_inject_error)
FS_CTL_CHANGE(fs_ctl_move_region)

static const struct ctl_handler fs_ctl_handlers[CTL_CMD_MAX + 1] = {
	/* CTL_CMD_VERSION: the server's own answer (mount, versions) */
	[CTL_CMD_LIST] = { fs_ctl_list, false },
	[CTL_CMD_CREATE_NS] = { fs_ctl_create_one, true },
	[CTL_CMD_DESTROY_NS] = { fs_ctl_destroy_one, true },
	[CTL_CMD_ENABLE_NS] = { fs_ctl_enable_one, true },
	[CTL_CMD_DISABLE_NS] = { fs_ctl_disable_one, true },
	[CTL_CMD_RENAME_NS] = { fs_ctl_rename_one, true },
	[CTL_CMD_READ_LABELS] = { fs_ctl_read_labels, false },
	[CTL_CMD_CHECK_LABELS] = { fs_ctl_check_labels, false },
	[CTL_CMD_INIT_LABELS] = { fs_ctl_init_labels_one, true },
	[CTL_CMD_STATS] = { fs_ctl_stats, false },
	[CTL_CMD_POWER_FAIL] = { fs_ctl_power_fail_one, true },
	[CTL_CMD_INJECT_ERROR] = { fs_ctl_inject_error_one, true },
	[CTL_CMD_STATUS] = { fs_ctl_status, false },
	[CTL_CMD_MOVE_REGION] = { fs_ctl_move_region_one, true },
};

static void fs_ctl_log(const char *msg)
{
	fs_warn("%s", msg);
}

int fs_ctl_start(struct fs_daemon *d, const struct fs_ctl_opts *o)
{
	struct ctl_server_opts so = {
		.path = o->path,
		.owner = o->owner,
		.group = o->group,
		.mount = d->mountpoint,
		.handlers = fs_ctl_handlers,
		.arg = d,
		.log = fs_ctl_log,
	};
	struct ctl_server *srv;
	int rc;

	pthread_mutex_init(&d->ctl_lock, NULL);
	rc = ctl_server_start(&so, &srv);
	if (rc) {
		pthread_mutex_destroy(&d->ctl_lock);
		return rc;
	}
	/* under the lock: fs_ctl_released() reads it from FUSE threads */
	pthread_mutex_lock(&d->lock);
	d->ctl = srv;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void fs_ctl_stop(struct fs_daemon *d)
{
	struct ctl_server *srv;

	pthread_mutex_lock(&d->lock);
	srv = d->ctl;
	d->ctl = NULL;
	pthread_mutex_unlock(&d->lock);
	if (srv) {
		ctl_server_stop(&srv);	/* waits for the handlers running */
		pthread_mutex_destroy(&d->ctl_lock);
	}
	pthread_mutex_lock(&fs_ctl_snaps.lock);
	fs_ctl_snap_free(fs_ctl_snaps.list);
	fs_ctl_snap_free(fs_ctl_snaps.stats);
	fs_ctl_snaps.list = fs_ctl_snaps.stats = NULL;
	pthread_mutex_unlock(&fs_ctl_snaps.lock);
	fs_fault_shutdown();	/* armed crashes still reverting */
}
