// SPDX-License-Identifier: MIT
/*
 * The queries: list, stats and status, and the cache list and stats
 * answer from while a change holds the daemon lock (fs_ctl_query). They
 * change nothing and do not take ctl_lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns/error.h"

#include "fs/control.h"
#include "fs/health.h"
#include "fs/log.h"

/* ---- the queries' cache ---- */

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


/* a change begins (ctl_lock held): the queries' cache is of the state before it */
void fs_ctl_change_begin(void)
{
	__atomic_add_fetch(&fs_ctl_snaps.begun, 1, __ATOMIC_SEQ_CST);
}

/* the change is done (before its reply leaves): the cache is of the past */
void fs_ctl_change_end(void)
{
	__atomic_add_fetch(&fs_ctl_snaps.ended, 1, __ATOMIC_SEQ_CST);
}

void fs_ctl_cache_free(void)
{
	pthread_mutex_lock(&fs_ctl_snaps.lock);
	fs_ctl_snap_free(fs_ctl_snaps.list);
	fs_ctl_snap_free(fs_ctl_snaps.stats);
	fs_ctl_snaps.list = fs_ctl_snaps.stats = NULL;
	pthread_mutex_unlock(&fs_ctl_snaps.lock);
}

/* ---- list ---- */

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

/*
 * The parts of a query of region sel (NULL: all), each region's from
 * region_parts(), i its index, until one fails; then the sink's end.
 * Daemon lock held.
 */
static int fs_ctl_regions_parts(struct fs_daemon *d, struct fs_region *sel,
				struct fs_ctl_sink *k,
				int (*region_parts)(struct fs_daemon *, struct fs_region *,
						    unsigned, struct fs_ctl_sink *))
{
	unsigned i;
	int rc = 0;

	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];

		if (sel && reg != sel)
			continue;
		rc = region_parts(d, reg, i, k);
	}
	return rc ? rc : fs_ctl_sink_end(k);
}

/* the parts of a list of region reg, index i: the region, its media errors, its namespaces */
static int fs_ctl_list_region(struct fs_daemon *d, struct fs_region *reg, unsigned i,
			      struct fs_ctl_sink *k)
{
	struct ns_namespace *ns;
	struct nl_msg *m;
	int rc;

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
	return rc;
}

/* the parts of a list of region sel (NULL: all); daemon lock held */
static int fs_ctl_list_parts(struct fs_daemon *d, struct fs_region *sel,
			     struct fs_ctl_sink *k)
{
	return fs_ctl_regions_parts(d, sel, k, fs_ctl_list_region);
}

int fs_ctl_list(struct fs_ctl_call *c)
{
	return fs_ctl_query(c->d, &fs_ctl_snaps.list, fs_ctl_list_parts, c->reg, c->rep);
}

/* ---- stats ---- */

/* the parts of stats of region reg, index i: one a served namespace */
static int fs_ctl_stats_region(struct fs_daemon *d, struct fs_region *reg, unsigned i,
			       struct fs_ctl_sink *k)
{
	struct ns_namespace *ns;
	int rc = 0;

	(void)d;
	ns_region_foreach_namespace(reg->r, ns) {
		struct nl_msg *m;

		if (rc)
			break;
		if (!fs_ctl_file(ns))
			continue;
		m = fs_ctl_sink_part(k, i);
		rc = m ? fs_ctl_put_stats(m, reg, fs_ctl_file(ns)) : -ENOMEM;
	}
	return rc;
}

/* the parts of stats of region sel (NULL: all); daemon lock held */
static int fs_ctl_stats_parts(struct fs_daemon *d, struct fs_region *sel,
			      struct fs_ctl_sink *k)
{
	return fs_ctl_regions_parts(d, sel, k, fs_ctl_stats_region);
}

int fs_ctl_stats(struct fs_ctl_call *c)
{
	struct fs_inode *file;
	struct nl_msg *m;

	if (!c->ns)	/* every namespace (of the region named) */
		return fs_ctl_query(c->d, &fs_ctl_snaps.stats, fs_ctl_stats_parts, c->reg,
				    c->rep);
	/* one namespace: found by the frame, daemon lock held */
	file = fs_ctl_file(c->ns);
	if (!file)
		return ns_err(-NS_E_NOT_SERVED, "%s in %s is not served: no statistics",
			      ns_namespace_devname(c->ns), ns_region_devname(c->reg->r));
	m = ctl_reply_part(c->rep);
	return m ? fs_ctl_put_stats(m, c->reg, file) : -ENOMEM;
}

/* ---- status ---- */

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


/*
 * The status view (pmemctl list -v): the daemon (pid, uptime), then each
 * served namespace: holders (pids, found by the files' identity in one
 * pass over /proc, before the daemon lock), bytes not yet durable (what
 * the daemon wrote since its last persist, and what cachestat finds dirty
 * or under write-back on the namespace's range of the region file),
 * sticky error, crash-test state, media errors, backing mode. Never
 * cached: it is what the user watches change.
 */
int fs_ctl_status(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	const struct ctl_request *req = c->req;
	struct ctl_reply *rep = c->rep;
	struct fs_region *sel = c->reg;
	bool known = __atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE);
	struct ctl_daemon_info di = {
		.pid = (uint32_t)getpid(),
		.uptime_ms = fs_ctl_uptime_ms(),
		.mount = d->mountpoint,
	};
	struct fs_holder *hv = NULL;
	struct nl_msg *m;
	size_t nh = 0;
	uint64_t probe;
	unsigned i;
	int rc;

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
	di.cachestat = d->nregions > 0 && d->regions[0].rio &&
		       d->regions[0].rops->cachestat(d->regions[0].rio, NULL, &probe) == 0;
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

/* list -R -H: each region's health (health.h), without the daemon lock */
int fs_ctl_health(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	unsigned i;
	int rc = 0;

	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];
		struct ctl_health_info hi = { .region = ns_region_devname(reg->r) };
		struct ns_health h;
		char note[CTL_LEN_REASON];
		struct nl_msg *m;

		if ((c->reg && reg != c->reg) || !reg->health)
			continue;
		fs_health_get(reg->health, &h, note, sizeof(note));
		hi.count_known = h.count_known;
		hi.shutdown_count = h.shutdown_count;
		hi.state_known = h.state_known;
		hi.dirty = h.dirty;
		hi.readonly = reg->health->rdonly;
		hi.note = note[0] ? note : NULL;
		m = ctl_reply_part(c->rep);
		rc = m ? ctl_health_info_put(m, &hi) : ns_err(-ENOMEM, "out of memory (or the "
							       "reply queue is full)");
	}
	return rc;
}
