// SPDX-License-Identifier: MIT
/*
 * The daemon's state: regions, the tree of namespace files, and what is
 * done to all namespaces at once (persist at exit).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/child.h"
#include "ns/namespace.h"
#include "ns/region.h"

#include "fs/fault.h"
#include "fs/holders.h"	/* a namespace with media errors gets its fault state */
#include "fs/fs.h"
#include "fs/media.h"
#include "fs/health.h"
#include "fs/log.h"

static void free_ns(struct fs_ns *n)
{
	fs_pt_ns_close(n);	/* open files and mappings keep their backing */
	fs_ns_persist(n);
	fs_ns_fini(n);
	free(n);
}

int fs_daemon_add_namespace(struct fs_daemon *d, struct fs_region *reg,
			    struct ns_namespace *ns, struct fs_inode **out)
{
	struct fs_inode *file;
	struct fs_ns *n;
	mode_t mode;
	int rc;

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	rc = fs_ns_init(n, ns, reg->rops, reg->rio);
	if (rc < 0) {
		free(n);
		return rc;
	}
	n->media = reg->media;
	if (fs_media_bytes(reg->media, n->dpa, n->size) && !fs_fault_get(n)) {
		fs_ns_fini(n);
		free(n);
		return -ENOMEM;
	}
	/* read-only: the owner's -o mode without the write bits (0600 -> 0400) */
	mode = d->cfg.mode & 07777;
	if (n->readonly)
		mode &= ~(mode_t)0222;
	rc = fs_inode_new(&d->itable, reg->dir, ns_namespace_name(ns), S_IFREG | mode,
			  d->cfg.uid, d->cfg.gid, &file);
	if (rc < 0) {
		fs_err("%s: cannot show namespace '%s': %s", ns_region_devname(reg->r),
		       ns_namespace_name(ns), strerror(-rc));
		fs_ns_fini(n);
		free(n);
		return rc;
	}
	/* published: handlers find n through the inode from now on */
	pthread_rwlock_wrlock(&d->itable.lock);
	file->ns = n;
	file->region = reg;
	pthread_rwlock_unlock(&d->itable.lock);
	ns_namespace_set_userdata(ns, file);
	fs_debug("%s/%s: %s, dpa %llu, size %llu%s, %s data path",
		 ns_region_devname(reg->r), file->name, n->devname,
		 (unsigned long long)n->dpa, (unsigned long long)n->size,
		 n->readonly ? ", read-only" : "", reg->rops->direct(reg->rio) ? "O_DIRECT" : "buffered");
	if (out)
		*out = file;
	return 0;
}

void fs_daemon_ns_put(struct fs_daemon *d, struct ns_namespace *ns)
{
	pthread_mutex_lock(&d->lock);
	ns_namespace_put(ns);
	if (d->released)
		d->released(d);	/* parked control requests look again */
	pthread_mutex_unlock(&d->lock);
}

void fs_daemon_file_hold(struct fs_daemon *d, struct fs_inode *file)
{
	struct fs_ns *n = file->ns;

	pthread_mutex_lock(&d->lock);
	pthread_mutex_lock(&n->lock);
	n->handles++;
	pthread_mutex_unlock(&n->lock);
	ns_namespace_get(n->ns);
	pthread_mutex_unlock(&d->lock);
}

void fs_daemon_file_drop(struct fs_daemon *d, struct fs_inode *file)
{
	/* the core's hold first: dropping the handle may free file */
	fs_daemon_ns_put(d, file->ns->ns);
	fs_inode_release_handle(&d->itable, file);
}

void fs_daemon_remove_namespace(struct fs_daemon *d, struct fs_inode *file)
{
	if (file->ns)
		ns_namespace_set_userdata(file->ns->ns, NULL);
	fs_inode_unlink(&d->itable, file);
}

/*
 * A namespace whose layout gives it a file of its own is not served while
 * another open file or mapping of that file remains: a FUSE passthrough
 * mapping outlives its daemon (kill -9) and keeps storing into the file,
 * which this daemon would serve beside it, through its own page cache and
 * fault layers. Asked of the kernel (file_busy); the message names the
 * processes that map a file of that name on a FUSE mount (suspects: /proc
 * shows only the old path). The namespace is left disabled: the region
 * and its other namespaces are served, and enable-namespace serves it
 * once the file is closed (its own busy check asks the kernel again).
 */
static bool ns_file_busy(struct fs_region *reg, struct ns_namespace *ns)
{
	pid_t pids[16];
	char who[1024] = "";
	unsigned n;

	if (!reg->rops->file_busy || reg->rops->file_busy(reg->rio, ns) <= 0)
		return false;
	n = fs_holders_named(ns_namespace_name(ns), pids, 16);
	if (n)
		fs_holders_text(pids, n, who, sizeof(who));
	fs_err("%s '%s': namespace '%s' (%s): its file is still open or mapped by "
	       "another process%s%s (a FUSE passthrough mapping of an earlier mount, "
	       "whose daemon was killed, stores into it): not served; once it is "
	       "closed, pmemctl enable-namespace %s serves it", ns_region_devname(reg->r),
	       ns_region_path(reg->r), ns_namespace_name(ns), ns_namespace_devname(ns),
	       n ? "; mapping a file of that name: " : "", who, ns_namespace_name(ns));
	return true;
}

int fs_daemon_init(struct fs_daemon *d, const struct fs_config *cfg,
		   struct ns_region **regions, unsigned nregions)
{
	struct ns_namespace *ns;
	unsigned i;
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	fs_pt_setup(&d->pt, cfg->passthrough);
	(void)fs_crash_image_max();	/* the bounds read once, at the start */
	(void)fs_fault_undo_max();
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->init_lock, NULL);
	pthread_cond_init(&d->init_cond, NULL);
	rc = fs_itable_init(&d->itable, cfg->uid, cfg->gid, free_ns);
	if (rc < 0)
		goto close_regions;
	d->regions = calloc(nregions ? nregions : 1, sizeof(*d->regions));
	if (!d->regions) {
		fs_itable_fini(&d->itable);
		rc = -ENOMEM;
		goto close_regions;
	}
	/* owned from here on, even on failure */
	rc = 0;
	for (i = 0; i < nregions; i++) {
		d->regions[i].r = regions[i];
		d->regions[i].id = i;
		/* the layout's table: the one place that tells them apart */
		d->regions[i].rops = ns_region_is_dir(regions[i]) ? &fs_region_dir_ops
								   : &fs_region_file_ops;
		d->regions[i].media = malloc(sizeof(*d->regions[i].media));
		if (d->regions[i].media)
			fs_media_init(d->regions[i].media, regions[i]);
		else
			rc = -ENOMEM;
		/* the lock is held: an earlier daemon's mark means it is gone */
		d->regions[i].health = malloc(sizeof(*d->regions[i].health));
		if (d->regions[i].health)
			fs_health_init(d->regions[i].health, regions[i]);
		else
			rc = -ENOMEM;
	}
	d->nregions = nregions;
	if (rc < 0)
		goto fail;
	for (i = 0; i < nregions; i++) {
		struct fs_region *reg = &d->regions[i];

		rc = reg->rops->open(reg->r, cfg->backing, &reg->rio);
		if (rc < 0)
			goto fail;
		rc = fs_inode_new(&d->itable, d->itable.root, ns_region_devname(reg->r),
				  S_IFDIR | 0755, cfg->uid, cfg->gid, &reg->dir);
		if (rc < 0)
			goto fail;
		reg->dir->region = reg;
		ns_region_foreach_namespace(reg->r, ns) {
			if (ns_namespace_state(ns) != NS_STATE_ACTIVE) {
				fs_info("%s: %s not served: %s", ns_region_devname(reg->r),
					ns_namespace_devname(ns), ns_namespace_reason(ns));
				continue;
			}
			if (ns_file_busy(reg, ns))
				continue;
			/*
			 * one namespace's trouble (its file cannot be opened:
			 * EMFILE, EACCES...) leaves it disabled, said in the
			 * log; the mount goes on
			 */
			rc = fs_daemon_add_namespace(d, reg, ns, NULL);
			if (rc < 0)
				fs_err("%s: %s ('%s') not served: %s; pmemctl enable-namespace "
				       "%s tries again", ns_region_devname(reg->r),
				       ns_namespace_devname(ns), ns_namespace_name(ns),
				       strerror(-rc), ns_namespace_name(ns));
		}
	}
	return 0;
fail:
	fs_daemon_fini(d);
	return rc;
close_regions:
	for (i = 0; i < nregions; i++)
		ns_region_close(&regions[i]);
	return rc;
}

void fs_daemon_health_moved(struct fs_daemon *d)
{
	for (unsigned i = 0; i < d->nregions; i++)
		fs_health_moved(d->regions[i].health);
}

bool fs_daemon_wait_init(struct fs_daemon *d, unsigned timeout_ms)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&d->init_lock);
	while (!d->init_done)
		if (pthread_cond_timedwait(&d->init_cond, &d->init_lock, &ts) != 0)
			break;
	done = d->init_done;
	pthread_mutex_unlock(&d->init_lock);
	return done;
}

struct persist_all {
	int rc;
};

static void persist_one(struct fs_inode *file, void *arg)
{
	struct persist_all *pa = arg;
	int rc = fs_ns_persist(file->ns);

	if (rc < 0 && pa->rc == 0)
		pa->rc = rc;
}

void fs_daemon_foreach_ns(struct fs_daemon *d,
			  void (*fn)(struct fs_inode *file, void *arg), void *arg)
{
	size_t i;

	pthread_rwlock_rdlock(&d->itable.lock);
	for (i = 0; i < d->itable.cap; i++) {
		struct fs_inode *f = d->itable.v[i];

		if (f && f->kind == FS_INODE_FILE && f->ns)
			fn(f, arg);
	}
	pthread_rwlock_unlock(&d->itable.lock);
}

int fs_daemon_persist_all(struct fs_daemon *d)
{
	struct persist_all pa = { 0 };

	fs_daemon_foreach_ns(d, persist_one, &pa);
	return pa.rc;
}

void fs_daemon_fini(struct fs_daemon *d)
{
	unsigned i;

	if (d->itable.v || d->itable.root)
		fs_itable_fini(&d->itable);
	for (i = 0; i < d->nregions; i++) {
		/* before the lock goes: the mark cleared (health.h) */
		if (d->regions[i].health) {
			fs_health_end(d->regions[i].health, !d->unclean);
			fs_health_fini(d->regions[i].health);
			free(d->regions[i].health);
		}
		if (d->regions[i].rio)
			d->regions[i].rops->close(d->regions[i].rio);
		ns_region_close(&d->regions[i].r);
		if (d->regions[i].media)
			fs_media_fini(d->regions[i].media);
		free(d->regions[i].media);
	}
	free(d->regions);
	d->regions = NULL;
	d->nregions = 0;
	fs_pt_destroy(&d->pt);
}

struct path_list {
	char **v;
	size_t n;
	const char *mountpoint;
};

static void collect_path(struct fs_inode *file, void *arg)
{
	struct path_list *pl = arg;
	char **v, path[PATH_MAX];

	if (!file->linked || !file->parent)
		return;
	if (snprintf(path, sizeof(path), "%s/%s/%s", pl->mountpoint, file->parent->name,
		     file->name) >= (int)sizeof(path))
		return;
	v = realloc(pl->v, (pl->n + 1) * sizeof(*v));
	if (!v)
		return;
	pl->v = v;
	pl->v[pl->n] = strdup(path);
	if (pl->v[pl->n])
		pl->n++;
}

/*
 * From a thread other than the FUSE loop, while the loop serves: syncfs
 * the mount, then fsync every namespace file. syncfs alone is not enough:
 * a FUSE mount without FUSE_SYNCFS support returns from it once write-back
 * has been started, and the WRITEs may still be queued; fsync waits for
 * every WRITE of the file in flight (and sends FSYNC).
 */
/*
 * Requests of the daemon to its own mount come from a child process that
 * has closed its copy of /dev/fuse. The kernel waits uninterruptibly for
 * a request that a loop thread has already taken: were the daemon killed
 * then (kill -9, systemd's stop timeout), its own waiting thread would
 * keep the process, its /dev/fuse and so the connection alive for ever,
 * in D state (seen: about 1 in 70 kill -9s right after mounting, while the
 * bdi thread's barrier OPENDIR was in flight). A child's request ends with
 * the connection instead. The child makes system calls only (fork in a
 * threaded process) and reports failures through a pipe.
 *
 * Nothing of the daemon outlives it in the child: it closes every
 * descriptor it inherited but stdio and its pipe first (a region's OFD
 * lock is its open file's: a child holding a copy kept the region "in use
 * by another process" for a daemon started on it after a kill -9), and it
 * dies with the thread that forked it (PR_SET_PDEATHSIG), which waits for
 * it: a child the scheduler left behind its killed daemon would open the
 * mount point by its path later, whatever is mounted there then.
 */
struct self_job {
	const char *root;	/* opened; syncfs'ed when sync */
	bool sync;
	bool dev_known;		/* then root must be on dev_major:dev_minor */
	unsigned dev_major, dev_minor;
	char **paths;		/* fsync'ed each, when sync */
	size_t npaths;
};

struct self_failure {
	int32_t what;		/* index into paths; SELF_ROOT, SELF_SYNCFS */
	int32_t err;
};

#define SELF_ROOT (-1)
#define SELF_SYNCFS (-2)
#define SELF_GONE (-3)		/* root is no longer our mount */

static void self_report(int wfd, int32_t what, int32_t err)
{
	struct self_failure f = { what, err };

	if (write(wfd, &f, sizeof(f)) < 0) {
		/* the parent logs nothing for it: nothing else to do here */
	}
}

static void self_child(const struct self_job *j, int wfd)
{
	struct stat st;
	size_t i;
	int fd = open(j->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		self_report(wfd, SELF_ROOT, errno);
		return;
	}
	if (!j->sync) {
		close(fd);
		return;
	}
	if (j->dev_known && fstat(fd, &st) == 0 &&
	    (major(st.st_dev) != j->dev_major || minor(st.st_dev) != j->dev_minor)) {
		close(fd);	/* already unmounted: nothing of ours there */
		self_report(wfd, SELF_GONE, 0);
		return;
	}
	if (syncfs(fd) < 0)
		self_report(wfd, SELF_SYNCFS, errno);
	close(fd);
	for (i = 0; i < j->npaths; i++) {
		fd = open(j->paths[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || fsync(fd) < 0)
			self_report(wfd, (int32_t)i, errno);
		if (fd >= 0)
			close(fd);
	}
}

/* in the child: close every descriptor from 3 up, but keep; system calls only */
static void self_close_inherited(int keep, int max)
{
	int fd;

#ifdef SYS_close_range
	if ((keep <= 3 || syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) == 0) &&
	    syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
		return;
#endif
	/* Linux < 5.9: one by one, up to the open-file limit */
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/* Run j in a child; log what failed. 0, or -errno when no child ran. */
static int self_run(const struct self_job *j)
{
	struct self_failure f;
	struct rlimit rl;
	pid_t parent = getpid(), pid;
	int fd, max = 65536;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)INT_MAX)
		max = (int)rl.rlim_cur;
	pid = ns_fork_piped(&fd);
	if (pid < 0)
		return (int)pid;
	if (pid == 0) {
		self_close_inherited(fd, max);	/* /dev/fuse too */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(0);	/* the daemon is gone already */
		self_child(j, fd);
		_exit(0);
	}
	while (read(fd, &f, sizeof(f)) == (ssize_t)sizeof(f)) {
		if (f.what == SELF_GONE)
			continue;
		if (f.what == SELF_ROOT)
			fs_warn("cannot open '%s': %s", j->root, strerror(f.err));
		else if (f.what == SELF_SYNCFS)
			fs_warn("syncfs of '%s' failed: %s", j->root, strerror(f.err));
		else if (f.what >= 0 && (size_t)f.what < j->npaths)
			fs_warn("write-back of '%s' failed: %s", j->paths[f.what],
				strerror(f.err));
	}
	close(fd);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

void fs_daemon_init_barrier(struct fs_daemon *d)
{
	struct self_job j = { .root = d->mountpoint };
	int rc = self_run(&j);

	if (rc < 0)
		fs_warn("cannot start the INIT barrier: %s", strerror(-rc));
}

void fs_daemon_writeback(struct fs_daemon *d)
{
	struct path_list pl = { .mountpoint = d->mountpoint };
	struct self_job j = { .root = d->mountpoint, .sync = true };
	size_t i;
	int rc;

	j.dev_known = __atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE);
	j.dev_major = d->dev_major;
	j.dev_minor = d->dev_minor;
	fs_daemon_foreach_ns(d, collect_path, &pl);
	j.paths = pl.v;
	j.npaths = pl.n;
	rc = self_run(&j);
	if (rc < 0)
		fs_warn("cannot write '%s' back: %s", d->mountpoint, strerror(-rc));
	for (i = 0; i < pl.n; i++)
		free(pl.v[i]);
	free(pl.v);
}
