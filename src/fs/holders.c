// SPDX-License-Identifier: MIT
/*
 * The processes that hold a file of the mount (holders.h): /proc read by
 * the files' identity, and a kill that makes sure of its target.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/fs.h"
#include "fs/holders.h"
#include "fs/log.h"

/*
 * A holder is found by the file's identity, never by a path string: the
 * namespace file is inode file->ino (nodeid == st_ino) of our mount's
 * device. A path compares equal for a different file in another mount
 * namespace, and a mapped file's name can end with any text.
 */

/* process pid has the file open (a descriptor) or mapped */
bool fs_holder_holds(pid_t pid, const struct fs_holder_id *id)
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

/*
 * pids (up to max) of the processes but this one for which match(pid,
 * arg) is true, in one pass over /proc; returns how many
 */
static unsigned proc_pids(bool (*match)(pid_t pid, const void *arg), const void *arg,
			  pid_t *pids, unsigned max)
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
		if (match((pid_t)pid, arg))
			pids[n++] = (pid_t)pid;
	}
	closedir(proc);
	return n;
}

static bool holds_id(pid_t pid, const void *id)
{
	return fs_holder_holds(pid, id);
}

/* pids (up to max) of the processes that hold the file; returns how many */
unsigned fs_holders_of(const struct fs_holder_id *id, pid_t *pids, unsigned max)
{
	return proc_pids(holds_id, id, pids, max);
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
bool fs_holder_kill(pid_t pid, const struct fs_holder_id *id)
{
	static bool logged;
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	bool sent = false;

	if (pfd < 0 && errno == ENOSYS) {
		if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
			fs_warn("pidfd_open(2) is not available (Linux < 5.3): holders are "
				"killed by pid right after a second check");
		return fs_holder_holds(pid, id) && kill(pid, SIGKILL) == 0;
	}
	if (pfd < 0)
		return false;	/* gone */
	if (fs_holder_holds(pid, id))
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

void fs_holders_text(const pid_t *pids, unsigned n, char *buf, size_t len)
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
	struct fs_holder_id id = { .ino = ino };

	if (!__atomic_load_n(&d->dev_known, __ATOMIC_ACQUIRE))
		return 0;
	id.major = d->dev_major;
	id.minor = d->dev_minor;
	return fs_holders_of(&id, pids, max);
}

/* one maps line: a shared mapping on a device of major 0 whose name is name */
static bool maps_line_names(const char *line, const char *name)
{
	char perms[8];
	unsigned maj, min;
	unsigned long long ino;
	int pos = 0;
	const char *path, *end;
	size_t nl = strlen(name), pl;

	if (sscanf(line, "%*x-%*x %7s %*x %x:%x %llu %n", perms, &maj, &min, &ino, &pos) < 4 ||
	    pos == 0 || perms[3] != 's' || maj != 0 || ino == 0)
		return false;
	path = line + pos;
	end = path + strcspn(path, "\n");
	pl = (size_t)(end - path);
	if (pl > 10 && !strncmp(end - 10, " (deleted)", 10))
		pl -= 10;
	return pl > nl && path[pl - nl - 1] == '/' && !strncmp(path + pl - nl, name, nl);
}

/* pid maps a file whose path ends in /name */
static bool maps_name(pid_t pid, const void *name)
{
	char p[64], line[PATH_MAX + 256];
	bool found = false;
	FILE *maps;

	snprintf(p, sizeof(p), "/proc/%ld/maps", (long)pid);
	maps = fopen(p, "re");
	if (!maps)
		return false;
	while (!found && fgets(line, sizeof(line), maps)) {
		found = maps_line_names(line, name);
		while (!strchr(line, '\n') && fgets(line, sizeof(line), maps))
			;
	}
	fclose(maps);
	return found;
}

unsigned fs_holders_named(const char *name, pid_t *pids, unsigned max)
{
	return proc_pids(maps_name, name, pids, max);
}
