/* SPDX-License-Identifier: MIT */
/*
 * A region directory (region.h): DIR/region, a sparse region file whose
 * label area is the region's (its data area is never written: it keeps
 * the capacity and the dpa ranges), and DIR/ns-<uuid>, one regular file
 * per namespace of exactly its size, preallocated, its bytes at offset 0.
 *
 * Every file is reached through the directory's descriptor (opened once,
 * O_DIRECTORY|O_NOFOLLOW) with openat and O_NOFOLLOW; new files O_EXCL,
 * mode 0600. A link, FIFO or directory where a file is expected is
 * refused, never followed or opened (FIFOs: O_NONBLOCK, then the type).
 *
 * The data placement of this layout (ns_place_dir, internal.h), with the
 * names of region_dir.h:
 * - create: ns-<uuid>.new made (O_EXCL), fallocate'd to its size (never
 *   sparse: a store into a hole of a full file system is SIGBUS for a
 *   mapping without the daemon in between), fsync'ed, the directory
 *   fsync'ed; THEN the label commit; THEN renamed ns-<uuid> (never over
 *   an entry) and the directory fsync'ed. A failed commit removes the
 *   .new file (its blocks go with it). Refused before anything is made
 *   when ns-<uuid> or ns-<uuid>.gone is there.
 * - destroy: ns-<uuid> renamed ns-<uuid>.gone and the directory
 *   fsync'ed; THEN the label commit (failed: renamed back); THEN the
 *   .gone file unlinked and the directory fsync'ed. A file another label
 *   with the same uuid still names stays, and so does an entry that is
 *   not a regular file of one name (not ours to rename or remove).
 * - classify: a namespace whose file is missing, not a regular file or
 *   of another size is INVALID with that reason, never recreated with
 *   zeroes.
 * So a crash leaves a .new or a .gone, never a plain ns-<uuid> no label
 * names: the next writer's open finishes or undoes the step by whether
 * a label names the uuid (region_dir_scan.c). A plain ns-* no label
 * names is data whose labels were zeroed or re-initialised (a region
 * file keeps it at its dpa): kept and logged, never deleted.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "ns/error.h"
#include "ns/namespace_priv.h"
#include "ns/region_dir.h"
#include "ns/util.h"

static void (*ns_dir_logger)(const char *msg);
/* PMEMFS_TEST_CRASH_DIR (region_dir.h), read at the first attach */
static const char *ns_dir_crash_at;

void ns_region_set_logger(void (*fn)(const char *msg))
{
	ns_dir_logger = fn;
}

void ns_dir_log(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ns_dir_logger)
		ns_dir_logger(msg);
	else
		fprintf(stderr, "%s\n", msg);
}

static const char *const ns_dir_suffixes[] = {
	[NS_DIR_OTHER] = "",
	[NS_DIR_PLAIN] = "",
	[NS_DIR_NEW] = ".new",
	[NS_DIR_GONE] = ".gone",
};

const char *ns_dir_name_of(const uint8_t *uuid, enum ns_dir_entry kind, char *buf,
			   size_t len)
{
	char s[37];

	uuid_unparse_lower(uuid, s);
	snprintf(buf, len, NS_DIR_PREFIX "%s%s", s, ns_dir_suffixes[kind]);
	return buf;
}

static const char *ns_dir_name(const uint8_t *uuid, char *buf, size_t len)
{
	return ns_dir_name_of(uuid, NS_DIR_PLAIN, buf, len);
}

enum ns_dir_entry ns_dir_parse(const char *name, uint8_t u[16])
{
	const char *p = name + strlen(NS_DIR_PREFIX);
	char s[37], back[37];
	enum ns_dir_entry k;

	if (strncmp(name, NS_DIR_PREFIX, strlen(NS_DIR_PREFIX)) || strlen(p) < 36)
		return NS_DIR_OTHER;
	memcpy(s, p, 36);
	s[36] = '\0';
	if (uuid_parse(s, u) < 0)
		return NS_DIR_OTHER;
	uuid_unparse_lower(u, back);
	if (strcmp(s, back))
		return NS_DIR_OTHER;	/* not the way pmemfs spells it */
	for (k = NS_DIR_PLAIN; k <= NS_DIR_GONE; k++)
		if (!strcmp(p + 36, ns_dir_suffixes[k]))
			return k;
	return NS_DIR_OTHER;
}

int ns_dir_rename(int dirfd, const char *from, const char *to)
{
	struct stat st;

	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) < 0) {
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		/* no RENAME_NOREPLACE here (NFS, some FUSE file systems) */
		if (fstatat(dirfd, to, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return -EEXIST;
		if (errno != ENOENT)
			return -errno;
		if (renameat(dirfd, from, dirfd, to) < 0)
			return -errno;
	}
	return 0;
}

int ns_dir_fsync(int dirfd)
{
	while (fsync(dirfd) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

void ns_dir_test_crash(const char *step)
{
	if (ns_dir_crash_at && !strcmp(ns_dir_crash_at, step))
		raise(SIGKILL);
}

const char *ns_region_ns_file_name(const struct ns_namespace *ns, char *buf, size_t len)
{
	return ns_dir_name(ns->label.uuid, buf, len);
}

int ns_dir_attach(struct ns_region *r, int dirfd)
{
	size_t len = strlen(r->path) + sizeof("/" NS_DIR_REGION);

	r->file_path = malloc(len);
	if (!r->file_path)
		return ns_err(-ENOMEM, "region '%s': out of memory", r->path);
	snprintf(r->file_path, len, "%s/" NS_DIR_REGION, r->path);
	r->dirfd = dirfd;
	r->place = &ns_place_dir;
	if (!ns_dir_crash_at)
		ns_dir_crash_at = getenv("PMEMFS_TEST_CRASH_DIR");
	return 0;
}

const char *ns_region_file_path(const struct ns_region *r)
{
	return r->file_path ? r->file_path : r->path;
}

bool ns_region_is_dir(const struct ns_region *r)
{
	return r->dirfd >= 0;
}

const char *ns_dir_kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISBLK(m) || S_ISCHR(m))
		return "a device";
	return "not a regular file";
}

/* fsync of a directory: 0 or -errno with the message */
static int ns_dir_sync(int dirfd, const char *path)
{
	while (fsync(dirfd) < 0) {
		if (errno == EINTR)
			continue;
		return ns_err(-errno, "fsync of region directory '%s': %s", path,
			      strerror(errno));
	}
	return 0;
}

/*
 * openat(dirfd, name) of a regular file only: never through a link, never
 * blocking on a FIFO. *fd or -errno with the message.
 */
static int ns_dir_openat(int dirfd, const char *path, const char *name, int flags,
			 mode_t mode, int *fd)
{
	struct stat st;
	int f = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);

	if (f < 0) {
		if (errno == ELOOP)
			return ns_err(-ELOOP, "'%s/%s' is a symbolic link: refused "
				      "(pmemfs never follows a link it did not create)",
				      path, name);
		return ns_err(-errno, "cannot %s '%s/%s': %s",
			      flags & O_CREAT ? "create" : "open", path, name,
			      strerror(errno));
	}
	if (fstat(f, &st) < 0) {
		int err = errno;

		close(f);
		return ns_err(-err, "cannot stat '%s/%s': %s", path, name, strerror(err));
	}
	if (!S_ISREG(st.st_mode)) {
		close(f);
		return ns_err(-EINVAL, "'%s/%s' is %s: refused (a region directory holds "
			      "regular files only)", path, name, ns_dir_kind(st.st_mode));
	}
	if (st.st_nlink > 1) {
		/*
		 * a hard link: the same file under another name too, perhaps
		 * outside the directory (another user's link to a file of
		 * theirs, or of ours); pmemfs made it with one name
		 */
		close(f);
		return ns_err(-EMLINK, "'%s/%s' has %lu names (hard links): refused "
			      "(pmemfs made it with one; remove the other names)", path,
			      name, (unsigned long)st.st_nlink);
	}
	fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK);
	*fd = f;
	return 0;
}

int ns_dir_open(const char *path, bool rdonly, int *dirfd, int *fd)
{
	int d = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (d < 0)
		return ns_err(-errno, "cannot open region directory '%s': %s%s", path,
			      strerror(errno), errno == ENOTDIR || errno == ELOOP ?
			      " (a symbolic link is not followed)" : "");
	rc = ns_dir_openat(d, path, NS_DIR_REGION, rdonly ? O_RDONLY : O_RDWR, 0, fd);
	if (rc == -ENOENT) {
		/* any other directory: what a directory always was */
		close(d);
		return ns_err(-EINVAL, "cannot open region '%s': not a regular file "
			      "or block device, nor a region directory (no file "
			      "'%s' in it: create-region --layout dir makes one)",
			      path, NS_DIR_REGION);
	}
	if (rc) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		close(d);
		return ns_err(rc, "region directory '%s': %s", path, msg);
	}
	*dirfd = d;
	return 0;
}

int ns_region_open_file(const char *path, bool rdonly, int *fd)
{
	struct stat st;
	int d, rc;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = ns_dir_open(path, rdonly, &d, fd);
		if (!rc)
			close(d);
		return rc;
	}
	*fd = open(path, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (*fd < 0)
		return ns_err(-errno, "cannot open '%s': %s", path, strerror(errno));
	return 0;
}

int ns_dir_create(const char *path, int *dirfd, int *fd)
{
	char *copy;
	int d, p, rc;

	if (mkdir(path, 0700) < 0)
		return ns_err(-errno, "cannot create region directory '%s': %s", path,
			      strerror(errno));
	d = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0) {
		rc = ns_err(-errno, "cannot open region directory '%s': %s", path,
			    strerror(errno));
		rmdir(path);
		return rc;
	}
	rc = ns_dir_openat(d, path, NS_DIR_REGION, O_RDWR | O_CREAT | O_EXCL, 0600, fd);
	if (!rc)
		rc = ns_dir_sync(d, path);
	if (rc) {
		if (*fd >= 0)
			close(*fd);
		ns_dir_create_undo(path, d);
		return rc;
	}
	/* the directory's own entry, best effort */
	copy = strdup(path);
	if (copy) {
		p = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (p >= 0) {
			fsync(p);
			close(p);
		}
		free(copy);
	}
	*dirfd = d;
	return 0;
}

void ns_dir_create_undo(const char *path, int dirfd)
{
	unlinkat(dirfd, NS_DIR_REGION, 0);
	close(dirfd);
	rmdir(path);
}

int ns_region_ns_file_open(const struct ns_region *r, const struct ns_namespace *ns,
			   int flags, int *fd)
{
	char name[NS_DIR_NAME_LEN], a[32], b[32];
	struct stat st;
	int rc;

	if (r->dirfd < 0)
		return -ENOTSUP;
	ns_dir_name(ns->label.uuid, name, sizeof(name));
	rc = ns_dir_openat(r->dirfd, r->path, name, flags & ~O_CREAT, 0, fd);
	if (rc)
		return rc;
	if (fstat(*fd, &st) == 0 && (uint64_t)st.st_size == ns->label.rawsize)
		return 0;
	close(*fd);
	*fd = -1;
	return ns_err(-EIO, "namespace file '%s/%s' is %s, the namespace %s", r->path,
		      name, ns_format_size((uint64_t)st.st_size, a, sizeof(a)),
		      ns_format_size(ns->label.rawsize, b, sizeof(b)));
}

/* ---- the data placement (internal.h) ---- */

struct ns_dir_note {
	char name[NS_DIR_NAME_LEN];	/* ns-<uuid>.new */
	char final[NS_DIR_NAME_LEN];	/* ns-<uuid> */
	int fd;		/* the new file, until create_end */
};

/*
 * ns-<uuid>.new given back after a failed create: its blocks freed now
 * (ftruncate: xfs and btrfs free an unlinked file's blocks only later, so
 * the free space would come back after the command), then the name.
 * fd is the file create_begin made (O_EXCL): nobody else's. 0 or -errno.
 */
static int ns_dir_remove(struct ns_region *r, int fd, const char *name)
{
	int rc = 0;

	if (fd >= 0 && ftruncate(fd, 0) < 0)
		rc = -errno;
	if (unlinkat(r->dirfd, name, 0) < 0 && errno != ENOENT && !rc)
		rc = -errno;
	fsync(r->dirfd);
	return rc;
}

static int ns_dir_fill(struct ns_region *r, int fd, const struct ns_label *l,
		       const struct ns_namespace_create_opts *o)
{
	uint64_t done = 0, len = l->rawsize;

	if (o->progress)
		o->progress(0, len, o->progress_arg);
	while (done < len) {
		uint64_t n = len - done;

		if (o->progress && n > NS_PROGRESS_STEP)
			n = NS_PROGRESS_STEP;
		if (fallocate(fd, 0, (off_t)done, (off_t)n) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += n;
		if (o->progress)
			o->progress(done, len, o->progress_arg);
	}
	while (fsync(fd) < 0)
		if (errno != EINTR)
			return -errno;
	while (fsync(r->dirfd) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* ns-<uuid> or ns-<uuid>.gone already there: refuse the uuid, naming it */
static int ns_dir_check_free(struct ns_region *r, const struct ns_label *l)
{
	static const enum ns_dir_entry kinds[] = { NS_DIR_PLAIN, NS_DIR_GONE };
	char name[NS_DIR_NAME_LEN];
	struct stat st;
	unsigned i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ns_dir_name_of(l->uuid, kinds[i], name, sizeof(name));
		if (fstatat(r->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return ns_err(-EEXIST, "create namespace in %s: '%s/%s' is "
				      "already there (%s no label names: remove it, or "
				      "give another --uuid)", r->devname, r->path, name,
				      S_ISREG(st.st_mode) ? "a file" : ns_dir_kind(st.st_mode));
		if (errno != ENOENT)
			return ns_err(-errno, "create namespace in %s: '%s/%s': %s",
				      r->devname, r->path, name, strerror(errno));
	}
	return 0;
}

static int ns_dir_create_begin(struct ns_region *r, const struct ns_label *l,
			       const struct ns_namespace_create_opts *o, void **note)
{
	struct ns_dir_note *d;
	char a[32];
	int fd = -1, rc;

	*note = NULL;
	if (o->sparse)
		return ns_err(-EINVAL, "create namespace in %s: a namespace of a "
			      "region directory is always preallocated (no --sparse): "
			      "a store into a hole of a full file system would be "
			      "SIGBUS", r->devname);
	rc = ns_dir_check_free(r, l);
	if (rc)
		return rc;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ns_err(-ENOMEM, "create namespace: out of memory");
	ns_dir_name_of(l->uuid, NS_DIR_NEW, d->name, sizeof(d->name));
	ns_dir_name(l->uuid, d->final, sizeof(d->final));
	rc = ns_dir_openat(r->dirfd, r->path, d->name, O_RDWR | O_CREAT | O_EXCL,
			   0600, &fd);
	if (rc) {
		free(d);
		return rc;
	}
	rc = ns_dir_fill(r, fd, l, o);
	if (rc) {
		int urc = ns_dir_remove(r, fd, d->name);

		close(fd);

		rc = ns_err(rc, "cannot preallocate %s for a namespace in %s: "
			    "namespace file '%s/%s': %s%s%s%s",
			    ns_format_size(l->rawsize, a, sizeof(a)), r->devname, r->path,
			    d->final, strerror(-rc), rc == -EOPNOTSUPP ? " (the file "
			    "system has no fallocate, which this layout needs)" : "",
			    urc ? "; removing it failed too: " : "",
			    urc ? strerror(-urc) : "");
		free(d);
		return rc;
	}
	d->fd = fd;
	*note = d;
	ns_dir_test_crash("create-new");
	return 0;
}

static int ns_dir_create_end(struct ns_region *r, void *note, bool undo)
{
	struct ns_dir_note *d = note;
	int rc = 0;

	if (!d)
		return 0;
	if (undo) {
		rc = ns_dir_remove(r, d->fd, d->name);
	} else {
		ns_dir_test_crash("create-commit");
		/* the label names it: its own name (classify then finds it) */
		rc = ns_dir_rename(r->dirfd, d->name, d->final);
		if (!rc)
			rc = ns_dir_fsync(r->dirfd);
		if (rc)
			ns_dir_log("%s: cannot rename namespace file '%s/%s' to '%s' "
				   "durably: %s (the next writer's open renames it if "
				   "it is still there)", r->devname, r->path, d->name,
				   d->final, strerror(-rc));
	}
	close(d->fd);
	free(d);
	return rc;
}

/* a destroy's ns-<uuid>.gone: the file it renamed, by device and inode */
struct ns_dir_gone {
	char name[NS_DIR_NAME_LEN];	/* ns-<uuid>.gone */
	char final[NS_DIR_NAME_LEN];	/* ns-<uuid> */
	dev_t dev;
	ino_t ino;
};

int ns_dir_fstatat(int dirfd, const char *name, struct stat *st)
{
	return fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int ns_dir_destroy_begin(struct ns_namespace *ns, void **note)
{
	struct ns_region *r = ns->region;
	struct ns_dir_gone *g;
	struct stat st, st2;
	int rc;

	*note = NULL;
	if (ns_find_uuid(r, ns->label.uuid, ns))
		return 0;	/* another label (a duplicate) still names it */
	g = calloc(1, sizeof(*g));
	if (!g)
		return ns_err(-ENOMEM, "destroy namespace: out of memory");
	ns_dir_name(ns->label.uuid, g->final, sizeof(g->final));
	ns_dir_name_of(ns->label.uuid, NS_DIR_GONE, g->name, sizeof(g->name));
	rc = ns_dir_fstatat(r->dirfd, g->final, &st);
	if (rc || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		/*
		 * no file (its data is gone already), or an entry pmemfs did
		 * not make (a link, a FIFO, a second name): only the label
		 * goes; the entry stays, named at the next open
		 */
		free(g);
		return 0;
	}
	g->dev = st.st_dev;
	g->ino = st.st_ino;
	rc = ns_dir_rename(r->dirfd, g->final, g->name);
	if (rc) {
		rc = ns_err(rc, "cannot rename namespace file '%s/%s' to '%s': %s%s",
			    r->path, g->final, g->name, strerror(-rc),
			    rc == -EEXIST ? " (remove that file first: no label "
			    "names it)" : "");
		free(g);
		return rc;
	}
	/* what was renamed is what was checked (no entry swapped meanwhile) */
	if (ns_dir_fstatat(r->dirfd, g->name, &st2) < 0 || st2.st_dev != g->dev ||
	    st2.st_ino != g->ino)
		rc = ns_err(-EAGAIN, "destroy namespace: '%s/%s' changed while it "
			    "was renamed: nothing destroyed", r->path, g->final);
	else if ((rc = ns_dir_fsync(r->dirfd)) != 0)
		rc = ns_err(rc, "destroy namespace: fsync of region directory '%s': "
			    "%s: nothing destroyed", r->path, strerror(-rc));
	if (rc) {
		ns_dir_rename(r->dirfd, g->name, g->final);
		ns_dir_fsync(r->dirfd);
		free(g);
		return rc;
	}
	*note = g;
	ns_dir_test_crash("destroy-gone");
	return 0;
}

static void ns_dir_destroy_end(struct ns_region *r, const struct ns_label *l, void *note,
			       bool undo)
{
	struct ns_dir_gone *g = note;
	struct stat st;
	int rc;

	(void)l;
	if (!g)
		return;
	if (undo) {
		/* the label stays: so does its file, under its name */
		rc = ns_dir_rename(r->dirfd, g->name, g->final);
		if (!rc)
			rc = ns_dir_fsync(r->dirfd);
		if (rc)
			ns_dir_log("%s: cannot rename namespace file '%s/%s' back to "
				   "'%s': %s (the next writer's open renames it)",
				   r->devname, r->path, g->name, g->final, strerror(-rc));
		free(g);
		return;
	}
	ns_dir_test_crash("destroy-commit");
	rc = ns_dir_fstatat(r->dirfd, g->name, &st);
	if (!rc && (st.st_dev != g->dev || st.st_ino != g->ino))
		rc = -ESTALE;	/* not the file renamed: not ours to remove */
	if (!rc && unlinkat(r->dirfd, g->name, 0) < 0)
		rc = -errno;
	if (rc && rc != -ENOENT)
		ns_dir_log("%s: cannot remove namespace file '%s/%s': %s (removed "
			   "at the next writer's open)", r->devname, r->path, g->name,
			   strerror(-rc));
	fsync(r->dirfd);
	free(g);
}

bool ns_dir_owned(const struct ns_region *r, const struct stat *st)
{
	struct stat rs;

	if (st->st_uid == geteuid())
		return true;
	return fstat(r->fd, &rs) == 0 && st->st_uid == rs.st_uid;
}

/* the reason when ns-<uuid> is missing but a step's name is there */
static bool ns_dir_pending(struct ns_region *r, struct ns_namespace *ns)
{
	static const enum ns_dir_entry kinds[] = { NS_DIR_NEW, NS_DIR_GONE };
	char name[NS_DIR_NAME_LEN];
	struct stat st;
	unsigned i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ns_dir_name_of(ns->label.uuid, kinds[i], name, sizeof(name));
		if (ns_dir_fstatat(r->dirfd, name, &st) < 0)
			continue;
		if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
			snprintf(ns->reason, sizeof(ns->reason), "its namespace file "
				 "is missing, and %s is %s: refused, never followed or "
				 "renamed", name, S_ISREG(st.st_mode) ? "a file of more "
				 "than one name (hard links)" : ns_dir_kind(st.st_mode));
		else if (!ns_dir_owned(r, &st))
			snprintf(ns->reason, sizeof(ns->reason), "its namespace file "
				 "is missing, and %s belongs to uid %u, neither the "
				 "region file's owner nor this user: left as it is", name,
				 (unsigned)st.st_uid);
		else if (kinds[i] == NS_DIR_NEW)
			snprintf(ns->reason, sizeof(ns->reason), "its namespace file is "
				 "still %s (a create interrupted after its label commit: "
				 "the next writer's open renames it)", name);
		else
			snprintf(ns->reason, sizeof(ns->reason), "its namespace file is "
				 "%s (a destroy interrupted before its label commit: the "
				 "next writer's open renames it back)", name);
		return true;
	}
	return false;
}

static bool ns_dir_missing(struct ns_region *r, struct ns_namespace *ns)
{
	char name[NS_DIR_NAME_LEN], a[32], b[32];
	struct stat st;
	int rc;

	ns_dir_name(ns->label.uuid, name, sizeof(name));
	rc = ns_dir_fstatat(r->dirfd, name, &st);
	if (rc == -ENOENT && ns_dir_pending(r, ns))
		return true;
	if (rc) {
		snprintf(ns->reason, sizeof(ns->reason), "its namespace file %s "
			 "cannot be reached: %s%s", name, strerror(-rc),
			 rc == -ENOENT ? " (not recreated: its data is gone)" : "");
		return true;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(ns->reason, sizeof(ns->reason), "its namespace file %s is "
			 "%s: refused, never followed", name, ns_dir_kind(st.st_mode));
		return true;
	}
	if (st.st_nlink > 1) {
		snprintf(ns->reason, sizeof(ns->reason), "its namespace file %s has "
			 "%lu names (hard links): refused", name, (unsigned long)st.st_nlink);
		return true;
	}
	if ((uint64_t)st.st_size != ns->label.rawsize) {
		snprintf(ns->reason, sizeof(ns->reason), "its namespace file %s is "
			 "%s (%" PRIu64 " bytes), the namespace %s", name,
			 ns_format_size((uint64_t)st.st_size, a, sizeof(a)),
			 (uint64_t)st.st_size, ns_format_size(ns->label.rawsize, b,
							      sizeof(b)));
		return true;
	}
	return false;
}

const struct ns_place_ops ns_place_dir = {
	.create_begin = ns_dir_create_begin,
	.create_end = ns_dir_create_end,
	.destroy_begin = ns_dir_destroy_begin,
	.destroy_end = ns_dir_destroy_end,
	.missing = ns_dir_missing,
};
