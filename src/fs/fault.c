// SPDX-License-Identifier: MIT
/*
 * Fault simulation: the undo log and power failures, media errors (see
 * fault.h for the sequence and the locks).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "namespace.h"

#include "fault.h"
#include "fs.h"
#include "log.h"

/* how long a power failure waits for holders by default (ms) */
#define FS_PF_WAIT_MS 1000u
#define FS_PF_KILL_WAIT_MS 5000u
/* how long an armed crash waits for the killed process to be gone (ms) */
#define FS_PF_DEATH_WAIT_MS 5000u
/* holders named in a refusal */
#define FS_PF_MAX_HOLDERS 16

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- the fault state ---- */

struct fs_fault *fs_fault_get(struct fs_ns *n)
{
	struct fs_fault *f = fs_ns_fault(n), *expected = NULL;

	if (f)
		return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->media = n->media;
	pthread_mutex_init(&f->revert_lock, NULL);
	pthread_rwlock_init(&f->rw, NULL);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->saved_cond, NULL);
	if (!__atomic_compare_exchange_n(&n->fault, &expected, f, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		fs_fault_free(f);
		return expected;
	}
	return f;
}

static void pool_free_all(struct fs_fault *f)
{
	size_t i;

	for (i = 0; i < f->npool; i++)
		free(f->pool[i]);
	free(f->pool);
	f->pool = NULL;
	f->npool = f->cappool = 0;
}

/* f->lock held: every saved page goes back to the pool */
static void log_drop_locked(struct fs_fault *f)
{
	size_t i;

	if (f->nlog > f->npages / 64) {
		memset(f->saved, 0, (f->npages + 63) / 64 * sizeof(uint64_t));
	} else {
		for (i = 0; i < f->nlog; i++)
			if (f->log[i].buf)
				__atomic_and_fetch(&f->saved[f->log[i].page / 64],
						   ~(UINT64_C(1) << (f->log[i].page % 64)),
						   __ATOMIC_RELAXED);
	}
	for (i = 0; i < f->nlog; i++) {
		if (!f->log[i].buf)
			continue;
		if (f->npool == f->cappool) {
			size_t cap = f->cappool ? f->cappool * 2 : 64;
			void **p = realloc(f->pool, cap * sizeof(*p));

			if (!p) {
				free(f->log[i].buf);
				continue;
			}
			f->pool = p;
			f->cappool = cap;
		}
		f->pool[f->npool++] = f->log[i].buf;
	}
	f->nlog = 0;
}

void fs_fault_free(struct fs_fault *f)
{
	if (!f)
		return;
	if (f->saved)
		log_drop_locked(f);
	pool_free_all(f);
	free(f->log);
	free(f->saved);
	pthread_cond_destroy(&f->saved_cond);
	pthread_mutex_destroy(&f->lock);
	pthread_rwlock_destroy(&f->rw);
	pthread_mutex_destroy(&f->revert_lock);
	free(f);
}

/* ---- the undo log ---- */

static bool page_saved(const struct fs_fault *f, uint64_t p)
{
	return __atomic_load_n(&f->saved[p / 64], __ATOMIC_ACQUIRE) & (UINT64_C(1) << (p % 64));
}

/*
 * The old content of a page, through O_DIRECT where the namespace has it:
 * one 4 KiB read, no readahead, nothing left in the region file's page
 * cache (the kernel writes back a dirty cached range before a direct read
 * of it, so buffered WRITEs are seen too).
 */
static int pread_page(struct fs_ns *n, void *buf, uint64_t off)
{
	int rc = n->dfd >= 0 ? fs_pread_all(n->dfd, buf, FS_PAGE, off) : -EINVAL;

	if (rc == -EINVAL)	/* no O_DIRECT, or the device refuses the alignment */
		rc = fs_pread_all(n->fd, buf, FS_PAGE, off);
	return rc;
}

/* -ENXIO: the page lies past the end of a region file truncated behind us */
static int pwrite_page(struct fs_ns *n, const void *buf, uint64_t off)
{
	int rc;

	if (fs_data_check_end(n, off - n->dpa, FS_PAGE))
		return -ENXIO;	/* never grow the file back over a hole */
	rc = n->dfd >= 0 ? fs_pwrite_all(n->dfd, buf, FS_PAGE, off) : -EINVAL;

	if (rc == -EINVAL)
		rc = fs_pwrite_all(n->fd, buf, FS_PAGE, off);
	return rc;
}

/*
 * f->rw held shared, crash testing on: save the pages [off, off+len)
 * touches. A page is claimed under f->lock (its log entry and buffer
 * reserved, its "saving" bit set) and read without it, so that WRITEs of
 * different pages save in parallel; a WRITE of a page being saved waits
 * for it. Entries are complete whenever f->rw is held exclusively.
 */
static int undo_save(struct fs_ns *n, struct fs_fault *f, uint64_t off, uint64_t len)
{
	uint64_t p, last, bit;
	int rc = 0;

	if (len == 0)
		return 0;
	last = (off + len - 1) / FS_PAGE;
	for (p = off / FS_PAGE; p <= last && rc == 0; p++) {
		struct fs_undo_page *u;
		size_t slot;
		void *buf;

		if (page_saved(f, p))
			continue;
		bit = UINT64_C(1) << (p % 64);
		pthread_mutex_lock(&f->lock);
		while (!page_saved(f, p) && (f->saving[p / 64] & bit))
			pthread_cond_wait(&f->saved_cond, &f->lock);
		if (page_saved(f, p)) {
			pthread_mutex_unlock(&f->lock);
			continue;
		}
		if (f->nlog == f->caplog) {
			size_t cap = f->caplog ? f->caplog * 2 : 256;

			if (cap > f->npages)
				cap = f->npages;
			u = realloc(f->log, cap * sizeof(*u));
			if (!u) {
				pthread_mutex_unlock(&f->lock);
				rc = -ENOMEM;
				break;
			}
			f->log = u;
			f->caplog = cap;
		}
		if (f->npool) {
			buf = f->pool[--f->npool];
		} else if (posix_memalign(&buf, FS_PAGE, FS_PAGE)) {
			pthread_mutex_unlock(&f->lock);
			rc = -ENOMEM;
			break;
		}
		slot = f->nlog++;
		f->log[slot].page = p;
		f->log[slot].buf = buf;
		f->saving[p / 64] |= bit;
		pthread_mutex_unlock(&f->lock);

		rc = pread_page(n, buf, n->dpa + p * FS_PAGE);

		pthread_mutex_lock(&f->lock);
		f->saving[p / 64] &= ~bit;
		if (rc == 0) {
			__atomic_or_fetch(&f->saved[p / 64], bit, __ATOMIC_RELEASE);
		} else {
			/* a hole in the log: skipped by the revert and the drop */
			f->log[slot].page = UINT64_MAX;
			f->log[slot].buf = NULL;
			free(buf);
		}
		pthread_cond_broadcast(&f->saved_cond);
		pthread_mutex_unlock(&f->lock);
	}
	if (rc < 0)
		fs_err("%s: cannot save page %" PRIu64 " for crash testing: %s", n->devname,
		       p, strerror(-rc));
	return rc;
}

/* whether page p survives the crash of seed (a splitmix64 hash < ppm) */
static bool page_kept(uint64_t seed, uint32_t ppm, uint64_t p)
{
	uint64_t z;

	if (ppm == 0)
		return false;
	if (ppm >= 1000000)
		return true;
	z = seed + (p + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z % 1000000 < ppm;
}

/* f->rw held shared, crashed: keep the pages the seed picks, drop the rest */
static int crashed_write(struct fs_ns *n, struct fs_fault *f, const char *buf, size_t len,
			 uint64_t off)
{
	uint64_t end = off + len, kept = 0;
	int rc = 0;

	while (off < end && rc == 0) {
		uint64_t p = off / FS_PAGE, e = (p + 1) * FS_PAGE;

		if (e > end)
			e = end;
		if (page_kept(f->seed, f->survive_ppm, p)) {
			rc = fs_data_write_raw(n, buf, (size_t)(e - off), off);
			kept++;
		}
		buf += e - off;
		off = e;
	}
	if (kept) {
		pthread_mutex_lock(&f->lock);
		f->kept_live += kept;
		pthread_mutex_unlock(&f->lock);
	}
	return rc;
}

/* ---- the data path ---- */

/* a write landed on [off, off+len): its whole 512-byte blocks are good again */
static void media_written(struct fs_ns *n, struct fs_media *m, uint64_t off, uint64_t len)
{
	struct ns_badblocks copy = { 0 };
	bool copied = false;
	int64_t cleared;
	uint64_t gen = 0;

	if (!m || __atomic_load_n(&m->bytes, __ATOMIC_ACQUIRE) == 0)
		return;
	pthread_mutex_lock(&m->lock);
	cleared = ns_bb_clear(&m->bb, n->dpa + off, len);
	if (cleared > 0) {
		__atomic_store_n(&m->bytes, ns_bb_bytes(&m->bb, 0, UINT64_MAX),
				 __ATOMIC_RELEASE);
		gen = ++m->gen;
		copy.v = m->bb.n ? malloc(m->bb.n * sizeof(*copy.v)) : NULL;
		if (copy.v || !m->bb.n) {
			if (m->bb.n)
				memcpy(copy.v, m->bb.v, m->bb.n * sizeof(*copy.v));
			copy.n = copy.cap = m->bb.n;
			copied = true;
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (cleared <= 0)
		return;
	fs_info("%s: a write of %zu bytes at %" PRIu64 " cleared %" PRId64
		" bytes of media errors", n->devname, (size_t)len, off, cleared);
	/* the save (realpath, two fsyncs) outside m->lock: READs take it */
	pthread_mutex_lock(&m->save_lock);
	if (!copied)
		fs_warn("%s: out of memory: the cleared media errors stay in the "
			"sidecar until its next save", n->devname);
	else if (gen > m->saved_gen) {	/* else a newer list is saved already */
		if (ns_bb_save(m->region_path, &m->id, &copy) < 0)
			fs_warn("%s: %s", n->devname, ns_errormsg());
		else
			m->saved_gen = gen;
	}
	pthread_mutex_unlock(&m->save_lock);
	free(copy.v);
}

/*
 * A write that covers only part of a poisoned 512-byte block cannot clear
 * it: EIO before anything is written, as a block device's read-modify-write
 * of that block would give (write(2) reaches the daemon unaligned, not as a
 * page read first).
 */
static bool media_partial(struct fs_ns *n, struct fs_media *m, uint64_t off, size_t len)
{
	uint64_t s = n->dpa + off, e = s + len;
	uint64_t outer_s = s & ~511ull, outer_e = (e + 511) & ~511ull;
	uint64_t inner_s = (s + 511) & ~511ull, inner_e = e & ~511ull;
	uint64_t inner = 0;

	if (!m || __atomic_load_n(&m->bytes, __ATOMIC_ACQUIRE) == 0 ||
	    (outer_s == s && outer_e == e))
		return false;
	if (inner_e > inner_s)
		inner = fs_media_bytes(m, inner_s, inner_e - inner_s);
	return fs_media_bytes(m, outer_s, outer_e - outer_s) > inner;
}

int fs_fault_write(struct fs_ns *n, struct fs_fault *f, const void *buf, size_t len,
		   uint64_t off)
{
	int rc;

	if (media_partial(n, f->media, off, len)) {
		fs_debug("%s: a write of %zu bytes at %" PRIu64 " covers part of a "
			 "media error: EIO", n->devname, len, off);
		return -EIO;
	}
	pthread_rwlock_rdlock(&f->rw);
	if (f->crashed) {
		rc = crashed_write(n, f, buf, len, off);
		pthread_rwlock_unlock(&f->rw);
		return rc;
	}
	rc = f->enabled ? undo_save(n, f, off, len) : 0;
	if (rc < 0) {
		pthread_rwlock_unlock(&f->rw);
		return -EIO;
	}
	rc = fs_data_write_raw(n, buf, len, off);
	pthread_rwlock_unlock(&f->rw);
	if (rc == 0)
		media_written(n, f->media, off, len);
	return rc;
}

int fs_fault_fallocate(struct fs_ns *n, struct fs_fault *f, int mode, uint64_t off,
		       uint64_t len)
{
	int rc = 0;

	pthread_rwlock_rdlock(&f->rw);
	if (f->crashed) {	/* lost with the power */
		pthread_rwlock_unlock(&f->rw);
		return 0;
	}
	if (f->enabled && mode != 0)	/* mode 0 reserves blocks, changes no byte */
		rc = undo_save(n, f, off, len);
	if (rc == 0)
		rc = fs_data_fallocate_raw(n, mode, off, len);
	else
		rc = -EIO;
	pthread_rwlock_unlock(&f->rw);
	return rc;
}

int fs_fault_read_check(struct fs_ns *n, struct fs_fault *f, uint64_t off, size_t len)
{
	struct fs_media *m = f->media;
	bool bad;

	if (!m || __atomic_load_n(&m->bytes, __ATOMIC_ACQUIRE) == 0)
		return 0;
	pthread_mutex_lock(&m->lock);
	bad = ns_bb_overlaps(&m->bb, n->dpa + off, len);
	pthread_mutex_unlock(&m->lock);
	if (bad) {
		fs_debug("%s: read of %zu bytes at %" PRIu64 " hits a media error: EIO",
			 n->devname, len, off);
		return -EIO;
	}
	return 0;
}

/* ---- FSYNC ---- */

int fs_fault_fsync_begin(struct fs_fault *f, uint64_t *token)
{
	int rc = 0;

	pthread_rwlock_rdlock(&f->rw);
	*token = f->epoch;
	if (!f->enabled)
		goto out;
	if (f->crashed) {
		rc = -EIO;
		goto out;
	}
	if (f->at_fsync) {
		pthread_rwlock_unlock(&f->rw);
		pthread_rwlock_wrlock(&f->rw);
		*token = f->epoch;
		if (f->crashed) {
			rc = -EIO;
		} else if (f->enabled && f->at_fsync && --f->at_fsync == 0) {
			/* the power goes during this FSYNC */
			f->crashed = true;
			f->survive_ppm = f->arm_ppm;
			f->seed = f->arm_seed;
			f->epoch++;
			rc = 1;
		}
	}
out:
	pthread_rwlock_unlock(&f->rw);
	return rc;
}

int fs_fault_fsync_end(struct fs_fault *f, uint64_t token)
{
	int rc = 0;

	pthread_rwlock_wrlock(&f->rw);
	if (f->crashed || f->epoch != token) {
		rc = -EIO;	/* the power went while it ran */
	} else if (f->enabled) {
		pthread_mutex_lock(&f->lock);
		log_drop_locked(f);
		f->fsyncs++;
		pthread_mutex_unlock(&f->lock);
	}
	pthread_rwlock_unlock(&f->rw);
	return rc;
}

/* ---- power failures ---- */

static void file_path(struct fs_daemon *d, struct fs_inode *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s", d->mountpoint, file->parent ? file->parent->name : "",
		 file->name);
}

static unsigned handles_of(struct fs_ns *n)
{
	unsigned h;

	pthread_mutex_lock(&n->lock);
	h = n->handles;
	pthread_mutex_unlock(&n->lock);
	return h;
}

/* wait up to ms for n's handles to drop to at most want; true when they did */
static bool wait_handles(struct fs_ns *n, unsigned want, unsigned ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;

	while (handles_of(n) > want) {
		if (now_ns() >= end)
			return false;
		sleep_ms(5);
	}
	return true;
}

/*
 * A holder is found by the file's identity, never by a path string: the
 * namespace file is inode file->ino (nodeid == st_ino) of our mount's
 * device. A path compares equal for a different file in another mount
 * namespace, and a mapped file's name can end with any text.
 */
struct holder_id {
	unsigned major, minor;
	uint64_t ino;
};

/* process pid has the file open (a descriptor) or mapped */
static bool pid_holds(pid_t pid, const struct holder_id *id)
{
	char dir[64], line[PATH_MAX + 256];
	struct dirent *e;
	bool found = false;
	DIR *fds;
	FILE *maps;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	fds = opendir(dir);
	if (fds) {
		while (!found && (e = readdir(fds))) {
			char p[sizeof(dir) + 300];
			struct statx stx;

			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			/* the file itself, wherever it is; DONT_SYNC: from the
			 * inode the kernel has, no request (to us or any file
			 * system that may hang) */
			if (statx(AT_FDCWD, p, AT_STATX_DONT_SYNC, STATX_INO, &stx) < 0)
				continue;
			found = stx.stx_ino == id->ino && stx.stx_dev_major == id->major &&
				stx.stx_dev_minor == id->minor;
		}
		closedir(fds);
	}
	if (found)
		return true;
	snprintf(dir, sizeof(dir), "/proc/%d/maps", (int)pid);
	maps = fopen(dir, "re");
	if (!maps)
		return false;
	while (!found && fgets(line, sizeof(line), maps)) {
		unsigned long long ino;
		unsigned maj, min;

		/* start-end perms offset MAJ:MIN inode [path]: the numbers only */
		if (sscanf(line, "%*x-%*x %*s %*x %x:%x %llu", &maj, &min, &ino) == 3)
			found = ino == id->ino && maj == id->major && min == id->minor;
		/* a line longer than the buffer: skip its rest */
		while (!strchr(line, '\n') && fgets(line, sizeof(line), maps))
			;
	}
	fclose(maps);
	return found;
}

/* pids (up to max) of the processes that hold the file; returns how many */
static unsigned find_holders(const struct holder_id *id, pid_t *pids, unsigned max)
{
	pid_t self = getpid();
	struct dirent *e;
	unsigned n = 0;
	DIR *proc = opendir("/proc");

	if (!proc)
		return 0;
	while (n < max && (e = readdir(proc))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		if (pid_holds((pid_t)pid, id))
			pids[n++] = (pid_t)pid;
	}
	closedir(proc);
	return n;
}

/*
 * Every process holding a file of the mount major:minor (a descriptor or
 * a mapping), in one pass over /proc: (inode, pid) pairs, each once, in
 * *out (free()). By the files' identity, as pid_holds; nothing is asked
 * of the mount (statx DONT_SYNC answers from the kernel's inode).
 */
static int holders_add(struct fs_holder **v, size_t *n, size_t *cap, uint64_t ino,
		       pid_t pid, bool mapped)
{
	size_t i;

	for (i = *n; i > 0 && (*v)[i - 1].pid == pid; i--)
		if ((*v)[i - 1].ino == ino) {
			(*v)[i - 1].mapped |= mapped;
			return 0;
		}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct fs_holder *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[*n].ino = ino;
	(*v)[*n].pid = pid;
	(*v)[*n].mapped = mapped;
	(*v)[(*n)++].mapped_dirty = 0;
	return 0;
}

/*
 * The dirty bytes of pid's mappings of the mount's files, from
 * /proc/PID/smaps (read only for a process found mapping one: smaps walks
 * page tables), added to its entries v[first..n).
 */
static void holders_smaps(struct fs_holder *v, size_t first, size_t n, pid_t pid,
			  unsigned major, unsigned minor)
{
	char path[64], line[PATH_MAX + 256];
	struct fs_holder *cur = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long ino, kb;
		unsigned maj, min;

		if (sscanf(line, "%*x-%*x %*s %*x %x:%x %llu", &maj, &min, &ino) == 3) {
			cur = NULL;
			for (size_t i = first; maj == major && min == minor && i < n; i++)
				if (v[i].ino == ino)
					cur = &v[i];
		} else if (cur && (sscanf(line, "Shared_Dirty: %llu kB", &kb) == 1 ||
				   sscanf(line, "Private_Dirty: %llu kB", &kb) == 1)) {
			cur->mapped_dirty += kb * 1024;
		}
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
			;
	}
	fclose(f);
}

int fs_holders_scan(unsigned major, unsigned minor, struct fs_holder **out, size_t *nout)
{
	struct fs_holder *v = NULL;
	size_t n = 0, cap = 0;
	pid_t self = getpid();
	struct dirent *e;
	DIR *proc = opendir("/proc");
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (!proc)
		return -errno;
	while (rc == 0 && (e = readdir(proc))) {
		char dir[64], line[PATH_MAX + 256];
		struct dirent *f;
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		size_t first;
		bool mapped;
		DIR *fds;
		FILE *maps;

		if (*end || pid <= 0 || pid == self)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
		fds = opendir(dir);
		while (fds && rc == 0 && (f = readdir(fds))) {
			char p[sizeof(dir) + 300];
			struct statx stx;

			if (f->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, f->d_name);
			if (statx(AT_FDCWD, p, AT_STATX_DONT_SYNC, STATX_INO, &stx) < 0)
				continue;
			if (stx.stx_dev_major == major && stx.stx_dev_minor == minor)
				rc = holders_add(&v, &n, &cap, stx.stx_ino, (pid_t)pid, false);
		}
		if (fds)
			closedir(fds);
		snprintf(dir, sizeof(dir), "/proc/%ld/maps", pid);
		maps = rc == 0 ? fopen(dir, "re") : NULL;
		first = n;
		mapped = false;
		while (maps && rc == 0 && fgets(line, sizeof(line), maps)) {
			unsigned long long ino;
			unsigned maj, min;

			if (sscanf(line, "%*x-%*x %*s %*x %x:%x %llu", &maj, &min, &ino) == 3 &&
			    maj == major && min == minor) {
				rc = holders_add(&v, &n, &cap, ino, (pid_t)pid, true);
				mapped = true;
			}
			while (!strchr(line, '\n') && fgets(line, sizeof(line), maps))
				;
		}
		if (maps)
			fclose(maps);
		/* the pid's entries start at the first of its descriptors */
		while (first > 0 && v[first - 1].pid == (pid_t)pid)
			first--;
		if (rc == 0 && mapped)
			holders_smaps(v, first, n, (pid_t)pid, major, minor);
	}
	closedir(proc);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/*
 * SIGKILL the holder pid, making sure it is the process that holds the
 * file: a pidfd pins the process, then the holding is checked again, and
 * the signal goes through the pidfd (a pid freed and reused meanwhile gets
 * nothing). Kernels before 5.3 have no pidfd: a check right before kill(2),
 * logged once. true when the signal was sent.
 */
static bool kill_holder(pid_t pid, const struct holder_id *id)
{
	static bool logged;
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	bool sent = false;

	if (pfd < 0 && errno == ENOSYS) {
		if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
			fs_warn("pidfd_open(2) is not available (Linux < 5.3): holders are "
				"killed by pid right after a second check");
		return pid_holds(pid, id) && kill(pid, SIGKILL) == 0;
	}
	if (pfd < 0)
		return false;	/* gone */
	if (pid_holds(pid, id))
		sent = syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) == 0;
	close(pfd);
	return sent;
}

static void comm_of(pid_t pid, char *buf, size_t len)
{
	char p[64];
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/comm", (int)pid);
	buf[0] = '\0';
	f = fopen(p, "re");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	/*
	 * Any process sets its own comm (prctl PR_SET_NAME, /proc/self/comm):
	 * it reaches a user's terminal in refusals, so control characters
	 * and bytes above ASCII show as '?', as ps(1) shows them.
	 */
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
}

/* "pid 123 (nsio), pid 456 (qemu)" */
static void holders_text(const pid_t *pids, unsigned n, char *buf, size_t len)
{
	size_t o = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++) {
		char comm[32];

		comm_of(pids[i], comm, sizeof(comm));
		o += (size_t)snprintf(buf + o, len - o, "%spid %d (%s)", i ? ", " : "",
				      (int)pids[i], comm[0] ? comm : "?");
	}
}

unsigned fs_holders_find(struct fs_daemon *d, uint64_t ino, pid_t *pids, unsigned max)
{
	struct holder_id id = { .ino = ino };

	if (!__atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE))
		return 0;
	id.major = d->dev_major;
	id.minor = d->dev_minor;
	return find_holders(&id, pids, max);
}

void fs_holders_text(const pid_t *pids, unsigned n, char *buf, size_t len)
{
	holders_text(pids, n, buf, len);
}

/* pid is gone or a zombie (its files and mappings are released) */
static bool pid_gone(pid_t pid)
{
	char p[64], buf[512], *s;
	FILE *f;
	bool gone = true;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f) && (s = strrchr(buf, ')')) && s[1] == ' ')
		gone = s[2] == 'Z' || s[2] == 'X';
	fclose(f);
	return gone;
}

static pid_t tgid_of(pid_t tid)
{
	char p[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)tid);
	f = fopen(p, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/*
 * Steps 2-4 of the sequence (f->revert_lock held, the namespace marked
 * crashed). Not from a FUSE thread: step 3 notifies the kernel.
 */
static int revert(struct fs_daemon *d, struct fs_inode *file, struct fs_fault *f,
		  uint64_t t0, struct fs_crash_result *res)
{
	struct fs_ns *n = file->ns;
	uint64_t reverted = 0, kept = 0;
	size_t i;
	int rc = 0, nrc;

	/* 2. the saved pages go back, under the exclusive lock */
	pthread_rwlock_wrlock(&f->rw);
	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->nlog; i++) {
		struct fs_undo_page *u = &f->log[i];
		int w;

		if (!u->buf)
			continue;
		if (page_kept(f->seed, f->survive_ppm, u->page)) {
			kept++;
			continue;
		}
		w = pwrite_page(n, u->buf, n->dpa + u->page * FS_PAGE);
		if (w < 0 && rc == 0)
			rc = w;
		reverted++;
	}
	if (rc < 0)
		fs_ns_set_error(n, -rc, "writing saved pages back (power failure)");
	if (f->nlog && (nrc = fs_rfd_sync(n, false, 0, 0)) != 0)
		fs_ns_set_error(n, nrc, "fdatasync after a power failure");
	log_drop_locked(f);
	pthread_mutex_unlock(&f->lock);
	pthread_rwlock_unlock(&f->rw);

	/* 3. the kernel forgets what it cached (no lock held) */
	if (!fuse_session_exited(d->se)) {
		nrc = fuse_lowlevel_notify_inval_inode(d->se, file->ino, 0, 0);
		if (nrc < 0 && nrc != -ENOENT)
			fs_warn("%s: cannot invalidate the kernel's cache after a power "
				"failure: %s", n->devname, strerror(-nrc));
	}

	/* 4. survivors written meanwhile are durable; the power is back */
	pthread_rwlock_wrlock(&f->rw);
	pthread_mutex_lock(&f->lock);
	if ((kept || f->kept_live) && (nrc = fs_rfd_sync(n, false, 0, 0)) != 0)
		fs_ns_set_error(n, nrc, "fdatasync after a power failure");
	kept += f->kept_live;
	f->kept_live = 0;
	f->reverts++;
	f->last.pages_reverted = reverted;
	f->last.pages_kept = kept;
	f->last.time_ns = now_ns() - t0;
	if (res) {
		res->pages_reverted = reverted;
		res->pages_kept = kept;
		res->time_ns = f->last.time_ns;
		f->last.killed = res->killed;
	}
	f->crashed = false;
	pthread_mutex_unlock(&f->lock);
	pthread_rwlock_unlock(&f->rw);
	fs_info("%s: power failure: %" PRIu64 " page%s reverted, %" PRIu64 " kept, %.3f ms",
		n->devname, reverted, reverted == 1 ? "" : "s", kept,
		(double)f->last.time_ns / 1e6);
	return rc;	/* the first page that could not be put back */
}

static bool crash_enabled(struct fs_fault *f)
{
	bool on;

	pthread_rwlock_rdlock(&f->rw);
	on = f->enabled;
	pthread_rwlock_unlock(&f->rw);
	return on;
}

static int not_enabled(struct fs_inode *file)
{
	return ns_err(-EOPNOTSUPP, "crash testing is not enabled on '%s': enable it with "
		      "'pmemctl power-fail %s --enable' (or create it with --crash-test)",
		      file->name, file->name);
}

int fs_fault_power_fail(struct fs_daemon *d, struct fs_inode *file,
			const struct fs_pf_opts *o, struct fs_crash_result *res)
{
	struct fs_ns *n = file->ns;
	struct fs_fault *f = fs_ns_fault(n);
	struct holder_id id = { .ino = file->ino };
	bool id_known = __atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE);
	char path[PATH_MAX], who[1024];
	pid_t pids[FS_PF_MAX_HOLDERS] = { 0 };
	uint64_t t0 = now_ns();
	unsigned nh, i, h;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!f || !crash_enabled(f))
		return not_enabled(file);
	file_path(d, file, path, sizeof(path));
	id.major = d->dev_major;
	id.minor = d->dev_minor;
	if (o->kill && !id_known)
		return ns_err(-EOPNOTSUPP, "cannot find the processes that hold '%s': the "
			      "mount's device number is unknown (not in /proc/self/mountinfo); "
			      "close it, or use --force", path);
	pthread_mutex_lock(&f->revert_lock);
	/* 0. nobody holds it, or the holders are gone, or forced */
	if (o->kill) {
		nh = find_holders(&id, pids, FS_PF_MAX_HOLDERS);
		for (i = 0; i < nh; i++)
			if (kill_holder(pids[i], &id))
				res->killed++;
		if (!wait_handles(n, 0, o->wait_ms ? o->wait_ms : FS_PF_KILL_WAIT_MS) &&
		    !o->force) {
			h = handles_of(n);
			nh = find_holders(&id, pids, FS_PF_MAX_HOLDERS);
			holders_text(pids, nh, who, sizeof(who));
			rc = ns_err(-EBUSY, "'%s' is still open (%u handle%s) after killing %u "
				    "process%s%s%s", path, h, h == 1 ? "" : "s", res->killed,
				    res->killed == 1 ? "" : "es", nh ? ": held by " : "", who);
			goto out;
		}
	} else if (!o->force && !wait_handles(n, 0, o->wait_ms ? o->wait_ms : FS_PF_WAIT_MS)) {
		h = handles_of(n);
		nh = id_known ? find_holders(&id, pids, FS_PF_MAX_HOLDERS) : 0;
		holders_text(pids, nh, who, sizeof(who));
		rc = ns_err(-EBUSY, "'%s' is in use (%u open handle%s or mapping%s)%s%s: close "
			    "it, or use --kill to kill the holders or --force to revert under "
			    "them", path, h, h == 1 ? "" : "s", h == 1 ? "" : "s",
			    nh ? " by " : "", who);
		goto out;
	}
	/* 1. the power goes */
	pthread_rwlock_wrlock(&f->rw);
	f->crashed = true;
	f->survive_ppm = o->survive_ppm;
	f->seed = o->seed;
	f->epoch++;
	pthread_rwlock_unlock(&f->rw);
	/* 2-4 */
	rc = revert(d, file, f, t0, res);
	if (rc == -ENXIO)
		rc = ns_err(-EIO, "'%s': saved pages lie past the end of the region file, "
			    "which was truncated behind pmemfs: they cannot be put back "
			    "(the namespace fails every later fsync)", file->name);
	else if (rc < 0)
		rc = ns_err(-EIO, "'%s': putting the saved pages back failed: %s (the "
			    "namespace fails every later fsync)", file->name, strerror(-rc));
out:
	pthread_mutex_unlock(&f->revert_lock);
	return rc;
}

/* ---- armed crashes ---- */

static pthread_mutex_t fire_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fire_cond = PTHREAD_COND_INITIALIZER;
static unsigned fire_running;

struct fire_job {
	struct fs_daemon *d;
	struct fs_inode *file;
	pid_t pid;
	uint64_t t0;
};

/* hold the file as an OPEN does, so that it outlives a destroy */
static void pin(struct fs_daemon *d, struct fs_ns *n)
{
	pthread_mutex_lock(&d->lock);
	pthread_mutex_lock(&n->lock);
	n->handles++;
	pthread_mutex_unlock(&n->lock);
	ns_namespace_get(n->ns);
	pthread_mutex_unlock(&d->lock);
}

static void unpin(struct fs_daemon *d, struct fs_inode *file)
{
	/* the core's hold first: dropping the handle may free file */
	fs_daemon_ns_put(d, file->ns->ns);
	fs_inode_release_handle(&d->itable, file);
}

static void fire_run(struct fire_job *j)
{
	struct fs_ns *n = j->file->ns;
	struct fs_fault *f = fs_ns_fault(n);
	struct fs_crash_result res = { 0 };
	uint64_t end = now_ns() + (uint64_t)FS_PF_DEATH_WAIT_MS * 1000000;

	/* its files and mappings are released once it is gone */
	while (j->pid > 0 && !pid_gone(j->pid) && now_ns() < end)
		sleep_ms(2);
	if (j->pid > 0 && !pid_gone(j->pid))
		fs_warn("%s: pid %d is still alive %u ms after SIGKILL; reverting anyway",
			n->devname, (int)j->pid, FS_PF_DEATH_WAIT_MS);
	pthread_mutex_lock(&f->revert_lock);
	res.killed = j->pid > 0;
	(void)revert(j->d, j->file, f, j->t0, &res);	/* errors: sticky, logged */
	pthread_mutex_unlock(&f->revert_lock);
	unpin(j->d, j->file);
}

static void *fire_main(void *arg)
{
	struct fire_job *j = arg;

	fire_run(j);
	free(j);
	pthread_mutex_lock(&fire_lock);
	fire_running--;
	pthread_cond_broadcast(&fire_cond);
	pthread_mutex_unlock(&fire_lock);
	return NULL;
}

void fs_fault_fire(struct fs_daemon *d, struct fs_inode *file, fuse_req_t req)
{
	struct fs_ns *n = file->ns;
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fire_job *j = calloc(1, sizeof(*j));
	pid_t pid = ctx && ctx->pid > 0 ? tgid_of(ctx->pid) : 0;
	pthread_attr_t attr;
	pthread_t t;

	if (pid == getpid())
		pid = 0;
	/* the caller dies before its flush is acknowledged */
	if (pid > 0 && kill(pid, SIGKILL) < 0)
		fs_warn("%s: cannot kill pid %d at the armed FSYNC: %s", n->devname, (int)pid,
			strerror(errno));
	fs_info("%s: armed power failure at this FSYNC: pid %d killed", n->devname, (int)pid);
	fs_stats_add(&n->stats.fsyncs, 1);
	fs_stats_add(&n->stats.errors, 1);
	fuse_reply_err(req, EIO);
	pin(d, n);
	if (j) {
		j->d = d;
		j->file = file;
		j->pid = pid;
		j->t0 = now_ns();
		pthread_mutex_lock(&fire_lock);
		fire_running++;
		pthread_mutex_unlock(&fire_lock);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, fire_main, j) == 0) {
			pthread_attr_destroy(&attr);
			return;
		}
		pthread_attr_destroy(&attr);
		pthread_mutex_lock(&fire_lock);
		fire_running--;
		pthread_mutex_unlock(&fire_lock);
		/* no thread: revert here (a flush worker is no FUSE thread) */
		fire_run(j);
		free(j);
		return;
	}
	fs_err("%s: out of memory reverting after an armed power failure", n->devname);
	unpin(d, file);
}

void fs_fault_shutdown(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&fire_lock);
	while (fire_running)
		if (pthread_cond_timedwait(&fire_cond, &fire_lock, &ts) != 0)
			break;
	pthread_mutex_unlock(&fire_lock);
}

/* ---- control ---- */

int fs_fault_enable(struct fs_ns *n, bool on)
{
	struct fs_fault *f = on ? fs_fault_get(n) : fs_ns_fault(n);
	int rc = 0;

	if (!f)
		return on ? ns_err(-ENOMEM, "out of memory enabling crash testing") : 0;
	pthread_mutex_lock(&f->revert_lock);
	pthread_rwlock_wrlock(&f->rw);
	pthread_mutex_lock(&f->lock);
	if (on && !f->enabled) {
		f->npages = n->size / FS_PAGE;
		/* one allocation: saved bits, then saving bits */
		f->saved = calloc(2 * ((f->npages + 63) / 64 + 1), sizeof(uint64_t));
		f->saving = f->saved ? f->saved + (f->npages + 63) / 64 + 1 : NULL;
		if (!f->saved) {
			rc = ns_err(-ENOMEM, "out of memory for the undo log of %s",
				    n->devname);
		} else {
			f->nlog = 0;
			f->fsyncs = f->reverts = f->kept_live = 0;
			memset(&f->last, 0, sizeof(f->last));
			f->at_fsync = 0;
			f->enabled = true;
		}
	} else if (!on && f->enabled) {
		log_drop_locked(f);
		pool_free_all(f);
		free(f->log);
		f->log = NULL;
		f->caplog = 0;
		free(f->saved);
		f->saved = f->saving = NULL;
		f->at_fsync = 0;
		f->enabled = false;
	}
	pthread_mutex_unlock(&f->lock);
	pthread_rwlock_unlock(&f->rw);
	pthread_mutex_unlock(&f->revert_lock);
	if (rc == 0)
		fs_info("%s: crash testing %s", n->devname, on ? "enabled" : "disabled");
	return rc;
}

int fs_fault_arm(struct fs_ns *n, uint32_t k, uint32_t ppm, uint64_t seed)
{
	struct fs_fault *f = fs_ns_fault(n);
	int rc = 0;

	if (!f)
		return -EOPNOTSUPP;
	pthread_rwlock_wrlock(&f->rw);
	if (!f->enabled) {
		rc = -EOPNOTSUPP;
	} else {
		f->at_fsync = k;
		f->arm_ppm = ppm;
		f->arm_seed = seed;
	}
	pthread_rwlock_unlock(&f->rw);
	return rc;
}

void fs_fault_status(struct fs_ns *n, struct fs_crash_status *st)
{
	struct fs_fault *f = fs_ns_fault(n);

	memset(st, 0, sizeof(*st));
	if (!f)
		return;
	pthread_rwlock_rdlock(&f->rw);
	pthread_mutex_lock(&f->lock);
	st->enabled = f->enabled;
	st->reverting = f->crashed;
	st->pages_logged = f->nlog;
	st->fsyncs = f->fsyncs;
	st->reverts = f->reverts;
	st->at_fsync = f->at_fsync;
	st->last = f->last;
	pthread_mutex_unlock(&f->lock);
	pthread_rwlock_unlock(&f->rw);
}

/* ---- media errors ---- */

void fs_media_init(struct fs_media *m, const struct ns_region *r)
{
	const char *region_path = ns_region_path(r);
	int rc;

	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->save_lock, NULL);
	m->region_path = region_path;
	ns_bb_id_of_region(r, &m->id);
	rc = ns_bb_load(region_path, &m->id, &m->bb);
	if (rc < 0)
		fs_warn("ignoring media errors: %s", ns_errormsg());
	else if (rc == NS_BB_STALE)
		fs_warn("'%s': %s (stale: replaced at the next change)", region_path,
			ns_errormsg());
	m->bytes = ns_bb_bytes(&m->bb, 0, UINT64_MAX);
	if (m->bytes)
		fs_info("'%s': %zu media error range%s (%" PRIu64 " bytes)", region_path,
			m->bb.n, m->bb.n == 1 ? "" : "s", m->bytes);
}

void fs_media_fini(struct fs_media *m)
{
	ns_bb_free(&m->bb);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->save_lock);
}

uint64_t fs_media_bytes(struct fs_media *m, uint64_t dpa, uint64_t len)
{
	uint64_t b;

	if (!m || __atomic_load_n(&m->bytes, __ATOMIC_ACQUIRE) == 0)
		return 0;
	pthread_mutex_lock(&m->lock);
	b = ns_bb_bytes(&m->bb, dpa, len);
	pthread_mutex_unlock(&m->lock);
	return b;
}

int fs_media_change(struct fs_media *m, uint64_t dpa, uint64_t size, const char *what,
		    uint64_t off, uint64_t len, bool uninject, bool clear_all)
{
	int64_t cl;
	int rc = 0;

	if (!clear_all && (off >= size || len > size - off || len == 0))
		return ns_err(-EINVAL, "range %" PRIu64 "+%" PRIu64 " is not inside %s "
			      "(%" PRIu64 " bytes)", off, len, what, size);
	pthread_mutex_lock(&m->save_lock);	/* before m->lock (fault.h) */
	pthread_mutex_lock(&m->lock);
	if (clear_all) {
		cl = ns_bb_clear(&m->bb, dpa, size);
	} else if (uninject) {
		uint64_t s = off - off % NS_BB_BLOCK, e = off + len;

		e = (e + NS_BB_BLOCK - 1) / NS_BB_BLOCK * NS_BB_BLOCK;
		if (e > size)
			e = size;
		cl = ns_bb_clear(&m->bb, dpa + s, e - s);
	} else {
		cl = ns_bb_add(&m->bb, dpa + off, len);
	}
	if (cl < 0)
		rc = (int)cl;
	else
		rc = ns_bb_save(m->region_path, &m->id, &m->bb);
	if (rc < 0)
		ns_bb_load(m->region_path, &m->id, &m->bb);	/* as saved before */
	/* the list is the sidecar's: an older copy is not saved over it */
	m->saved_gen = ++m->gen;
	__atomic_store_n(&m->bytes, ns_bb_bytes(&m->bb, 0, UINT64_MAX), __ATOMIC_RELEASE);
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->save_lock);
	return rc;
}
