/* SPDX-License-Identifier: MIT */
/*
 * What the open of a region directory finds among its entries ns-*
 * (ns_dir_reconcile, internal.h; the names: region_dir.h). A create and
 * a destroy leave a .new or a .gone only while they run, so at an open
 * one of them is a crash's, and whether a label names its uuid says
 * which step the crash came before:
 *
 *   ns-U.new,  a label names U  the create's commit was made: renamed ns-U
 *   ns-U.new,  no label         never committed, so never acknowledged and
 *                               never served: removed
 *   ns-U.gone, a label names U  the destroy's commit was not made: renamed
 *                               back to ns-U (its data served again)
 *   ns-U.gone, no label         committed: the destroy is finished (removed)
 *
 * only by a writer's open, only on a regular file of one name owned by
 * the region file's owner or by this process's user, and each logged. A
 * reader's open (a read-only list, check-labels) changes nothing and
 * says what the next writer's open would do; while a writer holds the
 * region (a mount), it says nothing: a .new or .gone may be a step in
 * progress. Everything else stays:
 *   - ns-U (or any other ns-* name) no label names: data whose labels
 *     were zeroed or re-initialised looks the same (a region file keeps
 *     it at its dpa), so it is kept and logged, never deleted;
 *   - an entry that is not a regular file (a link, a FIFO, a directory)
 *     or has a second name (a hard link): not pmemfs's, never followed,
 *     never removed; logged and skipped, and when it is the file of a
 *     labelled namespace, that namespace alone is not served (classify,
 *     ns_dir_missing: the reason in list and check-labels).
 * Every entry is looked at without following it (fstatat with
 * AT_SYMLINK_NOFOLLOW) and never opened here; a removal compares device
 * and inode again right before the unlinkat. Only the directory's owner
 * (mode 0700) or root can swap an entry in between, and unlinkat and
 * renameat act on the entry itself, never on what a link points to.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/namespace_priv.h"
#include "ns/region_dir.h"

struct ns_dir_scan {
	struct ns_region *r;
	bool writer;		/* resolve, or only say */
	bool labels;		/* a label area to ask */
	unsigned renamed;	/* entries renamed: classify again */
};

/* which step a crash's leftover is from */
static const char *ns_dir_step(enum ns_dir_entry k, bool named)
{
	if (k == NS_DIR_NEW)
		return named ? "a create interrupted after its label commit"
			     : "a create interrupted before its label commit (never "
			       "acknowledged, never served)";
	return named ? "a destroy interrupted before its label commit"
		     : "a destroy interrupted after its label commit";
}

/* and what a writer does with it: "renamed to 'ns-U'", "removed" */
static const char *ns_dir_action(enum ns_dir_entry k, bool named, const char *final,
				 bool done, char *buf, size_t len)
{
	if (!named)
		return done ? "removed" : "removes it";
	snprintf(buf, len, "%s%s to '%s'", done ? "renamed" : "renames it",
		 k == NS_DIR_GONE ? " back" : "", final);
	return buf;
}

/* a .new or .gone that is a regular file of one name: resolve it */
static void ns_dir_scan_step(struct ns_dir_scan *s, const char *name,
			     enum ns_dir_entry k, const uint8_t *u,
			     const struct stat *st)
{
	struct ns_region *r = s->r;
	char final[NS_DIR_NAME_LEN], act[96];
	bool named = ns_find_uuid(r, u, NULL) != NULL;
	struct stat now;
	int rc;

	ns_dir_name_of(u, NS_DIR_PLAIN, final, sizeof(final));

	if (!ns_dir_owned(r, st)) {
		ns_dir_log("%s: '%s/%s' belongs to uid %u, neither the region file's "
			   "owner nor this user: left as it is (pmemfs did not make "
			   "it)", r->devname, r->path, name, (unsigned)st->st_uid);
		return;
	}
	if (!s->writer) {
		ns_dir_log("%s: found '%s/%s' (%" PRIu64 " bytes), %s: left as it is "
			   "(a read-only open changes nothing; the next writer's "
			   "open %s)", r->devname, r->path, name, (uint64_t)st->st_size,
			   ns_dir_step(k, named),
			   ns_dir_action(k, named, final, false, act, sizeof(act)));
		return;
	}
	if (named) {
		rc = ns_dir_rename(r->dirfd, name, final);
		if (!rc)
			ns_dir_fsync(r->dirfd);	/* lost: the next open does it again */
		if (rc) {
			ns_dir_log("%s: '%s/%s' is %s, but the rename to '%s' failed: "
				   "%s%s", r->devname, r->path, name, ns_dir_step(k, named),
				   final, strerror(-rc), rc == -EEXIST ? " (that name is "
				   "taken: both kept; the namespace is served from it if it "
				   "fits)" : " (its namespace is not served)");
			return;
		}
		s->renamed++;
	} else {
		/* still the entry just looked at (not swapped meanwhile) */
		rc = ns_dir_fstatat(r->dirfd, name, &now);
		if (!rc && (now.st_dev != st->st_dev || now.st_ino != st->st_ino))
			rc = -ESTALE;
		if (!rc && unlinkat(r->dirfd, name, 0) < 0)
			rc = -errno;
		if (!rc)
			ns_dir_fsync(r->dirfd);
		if (rc) {
			ns_dir_log("%s: cannot remove '%s/%s' (%s): %s", r->devname,
				   r->path, name, ns_dir_step(k, named), strerror(-rc));
			return;
		}
	}
	ns_dir_log("%s: '%s/%s' (%" PRIu64 " bytes), %s: %s", r->devname, r->path,
		   name, (uint64_t)st->st_size, ns_dir_step(k, named),
		   ns_dir_action(k, named, final, true, act, sizeof(act)));
}

static void ns_dir_scan_one(struct ns_dir_scan *s, const char *name)
{
	struct ns_region *r = s->r;
	enum ns_dir_entry k;
	struct stat st;
	uint8_t u[16];
	bool named;
	int rc;

	k = ns_dir_parse(name, u);
	rc = ns_dir_fstatat(r->dirfd, name, &st);
	if (rc == -ENOENT)
		return;		/* gone meanwhile */
	if (rc) {
		ns_dir_log("%s: cannot look at '%s/%s': %s: left as it is", r->devname,
			   r->path, name, strerror(-rc));
		return;
	}
	named = k != NS_DIR_OTHER && s->labels && ns_find_uuid(r, u, NULL);
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		if (k == NS_DIR_PLAIN && named)
			return;	/* its namespace is not served: classify says why */
		if (S_ISREG(st.st_mode))
			ns_dir_log("%s: '%s/%s' has %lu names (hard links): skipped, "
				   "never removed (pmemfs makes files of one name)%s",
				   r->devname, r->path, name, (unsigned long)st.st_nlink,
				   named ? "; its namespace is not served" : "");
		else
			ns_dir_log("%s: '%s/%s' is %s: skipped, never followed or "
				   "removed (pmemfs makes regular files only)%s",
				   r->devname, r->path, name, ns_dir_kind(st.st_mode),
				   named ? "; its namespace is not served" : "");
		return;
	}
	if (k == NS_DIR_PLAIN && named)
		return;		/* a namespace's file */
	if ((k == NS_DIR_NEW || k == NS_DIR_GONE) && s->labels) {
		ns_dir_scan_step(s, name, k, u, &st);
		return;
	}
	ns_dir_log("%s: kept namespace file '%s/%s' (%" PRIu64 " bytes) that no "
		   "label names (%s): its data is not served; remove the file to "
		   "free its space", r->devname, r->path, name, (uint64_t)st.st_size,
		   !s->labels ? "the region has no label area" :
		   k == NS_DIR_OTHER ? "not a name pmemfs gives" :
		   "its labels were zeroed or re-initialised, or it was copied here");
}

/*
 * A reader's open while a writer (the daemon, an offline change) holds
 * the region: its .new or .gone may be a create or destroy in progress,
 * and what the directory holds is the writer's to say (it did at its
 * open).
 */
static bool ns_dir_writer_active(const struct ns_region *r)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	return fcntl(r->fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

int ns_dir_reconcile(struct ns_region *r)
{
	struct ns_dir_scan s = {
		.r = r,
		.writer = !(r->flags & NS_REGION_RDONLY),
		.labels = r->has_labels && r->lsa,
	};
	struct dirent *e;
	DIR *dir;
	int d, rc = 0;

	if (!s.writer && ns_dir_writer_active(r))
		return 0;
	d = fcntl(r->dirfd, F_DUPFD_CLOEXEC, 0);

	if (d < 0 || !(dir = fdopendir(d))) {
		rc = ns_err(-errno, "region directory '%s': cannot list it: %s",
			    r->path, strerror(errno));
		if (d >= 0)
			close(d);
		return s.writer ? rc : 0;
	}
	rewinddir(dir);
	while ((e = readdir(dir)) != NULL)
		if (!strncmp(e->d_name, NS_DIR_PREFIX, strlen(NS_DIR_PREFIX)))
			ns_dir_scan_one(&s, e->d_name);
	closedir(dir);
	if (s.renamed)
		ns_region_classify(r);
	return 0;
}
