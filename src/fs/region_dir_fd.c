// SPDX-License-Identifier: MIT
/*
 * A region directory's namespace files, their descriptors on demand
 * (region_dir.c's top: the design; region_dir.h): ns_open records the file
 * served, ns_get opens and pins its descriptors (checking the file is
 * still the one served), ns_put unpins them onto the process's idle list,
 * whose least recently used are closed (fdatasync first) beyond
 * RDIR_IDLE_MAX or when an open meets the open-file limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/region.h"

#include "fs/extent_io.h"
#include "fs/log.h"
#include "fs/region_dir.h"

/*
 * Namespace files whose descriptors stay open unpinned (idle), most
 * recently used first; beyond this many the least recently used are
 * closed: at most 2 * RDIR_IDLE_MAX descriptors of files nobody has open.
 */
#define RDIR_IDLE_MAX 64u
/* closed at once when an open meets the open-file limit */
#define RDIR_EVICT_BATCH 16u
/*
 * An open at the limit with nothing idle to close waits this long for
 * the next namespace its users closed (rdir_ns_get), at most
 * RDIR_LIMIT_WAITS times while they keep coming.
 */
#define RDIR_LIMIT_WAIT_MS 200
#define RDIR_LIMIT_WAITS 25

/* the process's idle list (descriptors are the process's) */
static struct {
	pthread_mutex_t lock;	/* before no other; mu only tried under it */
	pthread_cond_t unpinned;	/* a namespace went idle */
	struct rdir_ns *head, *tail;
	unsigned idle;
	unsigned open;		/* namespace files with descriptors open */
	unsigned unpins;	/* namespaces gone idle, ever (wraps) */
	unsigned unpins_refused;	/* unpins at the last open refused */
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER, .unpinned = PTHREAD_COND_INITIALIZER };

/* opens refused for the open-file limit since the last one that worked */
static unsigned refused;	/* atomic */

/* ---- descriptors on demand ---- */

/* x off the idle list if on it (cache.lock held) */
static void idle_unlink(struct rdir_ns *x)
{
	if (!x->idle)
		return;
	if (x->prev)
		x->prev->next = x->next;
	else
		cache.head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		cache.tail = x->prev;
	x->prev = x->next = NULL;
	x->idle = false;
	cache.idle--;
}

/* x at the head of the idle list (cache.lock held) */
static void idle_push(struct rdir_ns *x)
{
	x->prev = NULL;
	x->next = cache.head;
	if (cache.head)
		cache.head->prev = x;
	else
		cache.tail = x;
	cache.head = x;
	x->idle = true;
	cache.idle++;
}

static void ignore_sigio(void)
{
	signal(SIGIO, SIG_IGN);
}

void rdir_sigio_ignore(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, ignore_sigio);
}

/*
 * x is passed through and idle (no passthrough open is left,
 * fs_pt_release gave its backing id back): it may be closed once no
 * mapping keeps a backing file of it, which would store into the file
 * unseen (and meet the write-back errors only this descriptor would see):
 * a write lease on it is granted only while no other writable open file
 * of the inode remains (rdir_file_busy). Its close then fdatasyncs the
 * whole file (mark_wrote).
 */
static bool pt_unmapped(struct rdir_ns *x)
{
	rdir_sigio_ignore();
	if (fcntl(x->fd, F_SETLEASE, F_WRLCK) < 0)
		return false;
	fcntl(x->fd, F_SETLEASE, F_UNLCK);
	mark_wrote(x);
	return true;
}

/*
 * The least recently used idle namespace that can be closed now, off the
 * list, with its mu and n->flush_lock taken (no open, close or persist of
 * it under way: only tried, so no lock order is at stake); NULL when none.
 * A passed-through one still mapped goes to the head (in use). cache.lock
 * held.
 */
static struct rdir_ns *idle_take(void)
{
	struct rdir_ns *x, *prev;
	unsigned left = cache.idle;

	for (x = cache.tail; x && left > 0; x = prev, left--) {
		prev = x->prev;
		if (pthread_mutex_trylock(&x->mu) != 0)
			continue;
		if (pt_on(x) && !pt_unmapped(x)) {
			pthread_mutex_unlock(&x->mu);
			idle_unlink(x);
			idle_push(x);
			continue;
		}
		if (pthread_mutex_trylock(&x->n->flush_lock) == 0) {
			idle_unlink(x);
			return x;
		}
		pthread_mutex_unlock(&x->mu);
	}
	return NULL;
}

void rdir_fold_mtime(struct rdir_ns *x, bool init)
{
	struct stat st;
	int64_t t;

	if (x->fd < 0 || fstat(x->fd, &st) < 0)
		return;
	t = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (t == x->seen_mtime)
		return;
	x->seen_mtime = t;
	if (!init)
		fs_ns_touch_at(x->n, &st.st_mtim);
}

/*
 * Close x's descriptors (x->mu held; n->flush_lock too, or no persist of
 * n can come). What was written through them is fdatasynced first: a
 * later descriptor would not see a write-back error of before its open,
 * so what this one meets is n's sticky error now.
 */
static void files_close(struct rdir_ns *x)
{
	int err;

	if (x->fd < 0)
		return;
	if (pt_on(x))
		rdir_fold_mtime(x, false);	/* the last mapping's stores */
	if (__atomic_load_n(&x->wrote, __ATOMIC_RELAXED)) {
		err = fs_sync_call(x->fd, false, 0, 0);
		if (err)
			fs_ns_set_error(x->n, err, "fdatasync of the namespace file before "
					"closing it");
		__atomic_store_n(&x->wrote, false, __ATOMIC_RELAXED);
	}
	if (x->dfd >= 0)
		close(x->dfd);
	close(x->fd);
	x->fd = x->dfd = -1;
	pthread_mutex_lock(&cache.lock);
	cache.open--;
	pthread_mutex_unlock(&cache.lock);
}

/* close up to max idle namespaces' descriptors, least recently used first */
static unsigned idle_close(unsigned max)
{
	unsigned done = 0;

	while (done < max) {
		struct rdir_ns *x;

		pthread_mutex_lock(&cache.lock);
		x = idle_take();
		pthread_mutex_unlock(&cache.lock);
		if (!x)
			break;
		files_close(x);
		pthread_mutex_unlock(&x->n->flush_lock);
		pthread_mutex_unlock(&x->mu);
		done++;
	}
	return done;
}

/* x's file is not the one served any more: n fails for good (x->mu held) */
static int files_bad(struct rdir_ns *x, const char *why)
{
	fs_err("%s: %s: not served any more (its opens and fsyncs fail with EIO until "
	       "remount)", x->n->devname, why);
	x->bad = true;
	fs_ns_set_error(x->n, EIO, "reopening the namespace file");
	return -EIO;
}

static bool out_of_files(int rc)
{
	return rc == -EMFILE || rc == -ENFILE || rc == -ENOMEM;
}

/* fd (of x's name, opened by the core's checks) is the file served, else bad */
static int files_same(struct rdir_ns *x, int fd)
{
	char why[300];
	struct stat st = { 0 };

	if (fstat(fd, &st) == 0 && st.st_dev == x->dev && st.st_ino == x->ino)
		return 0;
	snprintf(why, sizeof(why), "its namespace file is not the one it served "
		 "(replaced behind pmemfs: inode %llu on device %u:%u, was %llu on %u:%u)",
		 (unsigned long long)st.st_ino, major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)x->ino, major(x->dev), minor(x->dev));
	return files_bad(x, why);
}

/*
 * x's descriptors are open: its name still leads to that file (a FUSE
 * OPEN, a revert: not the data path), else n fails as files_open would on
 * a reopen; 0 when out of descriptors to tell (those open are the file's)
 */
static int files_check(struct rdir_ns *x)
{
	char why[600];
	int fd, rc = ns_region_ns_file_open(rd_of(x->n->rio)->r, x->n->ns, O_PATH, &fd);

	if (out_of_files(rc))
		return 0;
	if (rc) {
		snprintf(why, sizeof(why), "%s", ns_errormsg());
		return files_bad(x, why);
	}
	rc = files_same(x, fd);
	close(fd);
	return rc;
}

/*
 * Open x's descriptors (x->mu held, closed), checking the file is still
 * the one served: 0; -EMFILE, -ENFILE or -ENOMEM (nothing changed); -EIO
 * when it is not (logged, n's sticky error set, never reopened).
 */
static int files_open(struct rdir_ns *x)
{
	struct fs_ns *n = x->n;
	struct rdir_rio *rd = rd_of(n->rio);
	char path[64], why[600];
	int fd, dfd = -1, rc;

	if (x->bad)
		return -EIO;
	/* through the directory's descriptor: a moved directory is still it */
	rc = ns_region_ns_file_open(rd->r, n->ns, O_RDWR, &fd);
	if (out_of_files(rc))
		return rc;
	if (rc) {
		snprintf(why, sizeof(why), "%s", ns_errormsg());
		return files_bad(x, why);
	}
	rc = files_same(x, fd);
	if (rc) {
		close(fd);
		return rc;
	}
	/* passed through once: its data path stays on the page cache */
	if (rd->backing != FS_BACKING_BUFFERED && !x->no_direct && !pt_on(x)) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		dfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
		if (dfd < 0) {
			rc = -errno;
			if (out_of_files(rc) || rd->backing == FS_BACKING_DIRECT) {
				close(fd);
				if (out_of_files(rc))
					return rc;
				snprintf(why, sizeof(why), "no O_DIRECT on its namespace "
					 "file any more: %s", strerror(-rc));
				return files_bad(x, why);
			}
			x->no_direct = true;
			fs_info("%s: no O_DIRECT on its namespace file any more (%s): "
				"buffered", n->devname, strerror(-rc));
		}
	}
	x->dfd = dfd;
	x->fd = fd;
	pthread_mutex_lock(&cache.lock);
	cache.open++;
	pthread_mutex_unlock(&cache.lock);
	return 0;
}

/* an open refused for the open-file limit: -ENFILE, logged once an episode */
static int refuse(struct fs_ns *n, int rc)
{
	struct rlimit rl = { 0 };
	unsigned open;

	if (__atomic_fetch_add(&refused, 1, __ATOMIC_SEQ_CST) == 0) {
		getrlimit(RLIMIT_NOFILE, &rl);
		pthread_mutex_lock(&cache.lock);
		open = cache.open;
		pthread_mutex_unlock(&cache.lock);
		fs_warn("%s: cannot open its namespace file: %s (the daemon's open-file "
			"limit is %llu; %u namespace files are open, none idle): opens of "
			"namespaces fail with ENFILE until others are closed (or raise the "
			"limit: ulimit -n, LimitNOFILE=)", n->devname, strerror(-rc),
			(unsigned long long)rl.rlim_cur, open);
	}
	return -ENFILE;
}

/*
 * The next namespace gone idle since *seen, waited for at most
 * RDIR_LIMIT_WAIT_MS: true when one came (or *seen was behind already).
 */
static bool unpin_wait(unsigned *seen)
{
	struct timespec until;
	bool came;

	clock_gettime(CLOCK_REALTIME, &until);	/* the condition's clock */
	until.tv_nsec += RDIR_LIMIT_WAIT_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&cache.lock);
	while (cache.unpins == *seen &&
	       pthread_cond_timedwait(&cache.unpinned, &cache.lock, &until) == 0)
		;
	came = cache.unpins != *seen;
	*seen = cache.unpins;
	pthread_mutex_unlock(&cache.lock);
	return came;
}

/*
 * files_open of x at the open-file limit (x->mu held): idle files closed,
 * least recently used first. None idle may only mean they are on their
 * way: the kernel sends the RELEASEs of files a user closed in the
 * background, a dozen at a time, behind later OPENs, and lets a
 * passed-through file go only once its RELEASE is answered. So while
 * namespaces keep going idle, wait for them; none since the last open
 * refused (a refusal goes on) or none within a wait: the limit is real.
 */
static int files_open_at_limit(struct rdir_ns *x, int rc)
{
	unsigned seen, waits = 0;
	bool came = true;

	pthread_mutex_lock(&cache.lock);
	seen = cache.unpins;
	if (__atomic_load_n(&refused, __ATOMIC_RELAXED) && seen == cache.unpins_refused)
		came = false;
	pthread_mutex_unlock(&cache.lock);
	while (out_of_files(rc) && rc != -ENOMEM) {
		if (idle_close(RDIR_EVICT_BATCH)) {
			rc = files_open(x);
			continue;
		}
		if (!came || waits++ == RDIR_LIMIT_WAITS)
			break;
		/* one more try after a wait without one: a passed-through
		 * namespace's file may have been let go meanwhile */
		came = unpin_wait(&seen);
		rc = files_open(x);
	}
	if (out_of_files(rc)) {
		pthread_mutex_lock(&cache.lock);
		cache.unpins_refused = cache.unpins;
		pthread_mutex_unlock(&cache.lock);
	}
	return rc;
}

int rdir_ns_get(struct fs_ns *n)
{
	struct rdir_ns *x = rn_of(n);
	unsigned k;
	int rc = 0;

	pthread_mutex_lock(&x->mu);
	if (x->bad) {
		rc = -EIO;
	} else if (x->fd >= 0) {
		rc = files_check(x);
	} else {
		rc = files_open(x);
		if (out_of_files(rc) && rc != -ENOMEM)
			rc = files_open_at_limit(x, rc);
	}
	if (rc == 0) {
		pthread_mutex_lock(&cache.lock);
		idle_unlink(x);
		x->pins++;
		pthread_mutex_unlock(&cache.lock);
	}
	pthread_mutex_unlock(&x->mu);
	if (rc == -EMFILE || rc == -ENFILE)
		return refuse(n, rc);
	if (rc == 0 && __atomic_load_n(&refused, __ATOMIC_RELAXED) &&
	    (k = __atomic_exchange_n(&refused, 0, __ATOMIC_SEQ_CST)) != 0)
		fs_info("namespace files open again (%u open%s refused for the open-file "
			"limit)", k, k == 1 ? " was" : "s were");
	return rc;
}

void rdir_ns_put(struct fs_ns *n)
{
	struct rdir_ns *x = rn_of(n);
	unsigned over = 0;

	pthread_mutex_lock(&cache.lock);
	/* pinned until now, so open (passed through: closed once unmapped) */
	if (x->pins > 0 && --x->pins == 0) {
		idle_push(x);
		cache.unpins++;
		pthread_cond_broadcast(&cache.unpinned);
	}
	if (cache.idle > RDIR_IDLE_MAX)
		over = cache.idle - RDIR_IDLE_MAX;
	pthread_mutex_unlock(&cache.lock);
	if (over)
		idle_close(over);
}

int rdir_ns_open(struct fs_ns *n)
{
	struct rdir_rio *rd = rd_of(n->rio);
	struct rdir_ns *x = calloc(1, sizeof(*x));
	char path[64];
	struct stat st;
	int fd, dfd, rc;

	if (!x)
		return -ENOMEM;
	x->fd = x->dfd = -1;
	x->n = n;
	rc = ns_region_ns_file_open(rd->r, n->ns, O_RDWR, &fd);
	if ((rc == -EMFILE || rc == -ENFILE) && idle_close(RDIR_EVICT_BATCH))
		rc = ns_region_ns_file_open(rd->r, n->ns, O_RDWR, &fd);
	if (rc) {
		fs_err("%s: %s not served: %s", ns_region_devname(rd->r), n->devname,
		       ns_errormsg());
		free(x);
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		fs_err("%s: %s not served: fstat of its namespace file: %s",
		       ns_region_devname(rd->r), n->devname, strerror(-rc));
		close(fd);
		free(x);
		return rc;
	}
	/* the file served: every later open must find it again */
	x->dev = st.st_dev;
	x->ino = st.st_ino;
	if (rd->backing != FS_BACKING_BUFFERED) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		dfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
		if (dfd >= 0) {
			close(dfd);
		} else if (errno == EINVAL && rd->backing == FS_BACKING_DIRECT) {
			rc = -errno;
			fs_err("%s: no O_DIRECT on its namespace file: %s", n->devname,
			       strerror(-rc));
			close(fd);
			free(x);
			return rc;
		} else if (errno == EINVAL) {
			x->no_direct = true;
		}
	}
	close(fd);
	pthread_mutex_init(&x->mu, NULL);
	n->rns = x;
	return 0;
}

void rdir_ns_close(struct fs_ns *n)
{
	struct rdir_ns *x = rn_of(n);

	if (!x)
		return;
	pthread_mutex_lock(&x->mu);
	pthread_mutex_lock(&cache.lock);
	idle_unlink(x);
	pthread_mutex_unlock(&cache.lock);
	files_close(x);	/* no persist of n any more */
	pthread_mutex_unlock(&x->mu);
	pthread_mutex_destroy(&x->mu);
	free(x);
	n->rns = NULL;
}

