/* SPDX-License-Identifier: MIT */
/*
 * A region: one backing file [ data area | label area ].
 *
 * Opening: O_CLOEXEC (O_RDONLY for NS_REGION_RDONLY), an exclusive OFD lock
 * on the whole file for writers, the file's size, the label area (probed
 * from 128 KiB up, or the size given), then the namespaces. For writers the
 * label area's blocks are allocated (fallocate, KEEP_SIZE; best effort:
 * what a failed allocation took is given back). Label writes are pwrite +
 * fdatasync, whose errors are return codes; the file is never mapped (see
 * io_file.c: a store into a file that cannot take it is SIGBUS, and would
 * take every region of the daemon with it).
 *
 * Choices where the design leaves room:
 * - A label reaching past the data area does not stop the region from
 *   opening: that namespace is INVALID with a reason naming both sizes, so
 *   the user can still list the region and destroy the bad label.
 *   -NS_E_SIZE_MISMATCH is for a file too small to hold its label area.
 * - The interleave-set cookie: the option, else the most common cookie of
 *   the decodable labels with nlabel 1 (ties: the default if it is among
 *   them, else the smallest: never slot order, which a rename changes;
 *   labels with another cookie are FOREIGN), else the default: the cookie
 *   a guest computes for the QEMU nvdimm slot the current index block
 *   records (pmemfs's slot record, label.h), slot 0 without a record. It
 *   is fixed while the region is open, except that init-labels (a new
 *   area, which keeps the region's slot), move-region and reload take it
 *   again.
 * - init-labels over a valid area first frees every label with two commits
 *   (so both index blocks describe an empty area), then writes the fresh
 *   area: a crash at any point leaves the old namespaces or none, never an
 *   older index brought back. zero-labels is not atomic (the index blocks
 *   go first, so a crash leaves the old state or no labels).
 * - New region files are created mode 0600 (they hold guests' data).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/internal.h"
#include "ns/util.h"

static const char *ns_sz(uint64_t v, char *buf, size_t len)
{
	return ns_format_size(v, buf, len);
}

static int ns_region_alloc(const char *path, const struct ns_region_opts *o,
			   struct ns_region **out)
{
	struct ns_region *r = calloc(1, sizeof(*r));

	if (!r)
		return ns_err(-ENOMEM, "region '%s': out of memory", path);
	r->path = strdup(path);
	if (!r->path) {
		free(r);
		return ns_err(-ENOMEM, "region '%s': out of memory", path);
	}
	r->fd = -1;
	r->dirfd = -1;
	if (o) {
		r->id = o->id;
		r->flags = o->flags;
		r->isetcookie_opt = o->isetcookie;
	}
	snprintf(r->devname, sizeof(r->devname), "region%u", r->id);
	*out = r;
	return 0;
}

static void ns_region_free(struct ns_region *r)
{
	ns_region_free_namespaces(r);
	ns_lsa_free(&r->lsa);
	free(r->file_path);
	free(r->path);
	free(r);
}

static int ns_check_label_size(const char *path, uint64_t ls)
{
	char a[32];

	if (!ns_is_pow2(ls) || ls < NS_LSA_MIN_SIZE)
		return ns_err(-EINVAL, "region '%s': invalid label size %s: a power "
			      "of two of at least 128 KiB is needed", path,
			      ns_sz(ls, a, sizeof(a)));
	return 0;
}

/*
 * Find the label area of r->io and load the namespaces. r->io, r->size and
 * r->flags are set.
 */
static int ns_region_load(struct ns_region *r, uint64_t label_size)
{
	char a[32], b[32];
	int rc;

	if (label_size) {
		rc = ns_check_label_size(r->path, label_size);
		if (rc)
			return rc;
	}
	if (r->size <= (label_size ? label_size : NS_LSA_MIN_SIZE))
		return ns_err(-NS_E_SIZE_MISMATCH, "region '%s' is %s, too small "
			      "for a label area of %s and data", r->path,
			      ns_sz(r->size, a, sizeof(a)),
			      ns_sz(label_size ? label_size : NS_LSA_MIN_SIZE,
				    b, sizeof(b)));
	if (label_size)
		rc = ns_lsa_load(r->io, r->size - label_size, label_size, false,
				 &r->lsa);
	else
		rc = ns_lsa_probe(r->io, &r->lsa);
	if (rc == -NS_E_NO_LABELS && (r->flags & NS_REGION_NOLABELS_OK)) {
		r->has_labels = false;
		r->label_size = label_size ? label_size : NS_LSA_DEFAULT_SIZE;
	} else if (rc) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		return ns_err(rc, "region '%s': %s", r->path, msg);
	} else {
		r->has_labels = true;
		r->label_size = ns_lsa_size(r->lsa);
	}
	r->data_size = r->size - r->label_size;
	ns_region_pick_cookie(r);
	return ns_region_build_namespaces(r);
}

/* Take the whole-file OFD write lock; -NS_E_LOCKED names a holder if it can. */
static int ns_region_lock(int fd, const char *path)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 0,
	};

	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno != EAGAIN && errno != EACCES)
		return ns_err(-errno, "cannot lock region '%s': %s", path,
			      strerror(errno));
	fl.l_type = F_WRLCK;
	fl.l_pid = 0;
	if (fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_pid > 0)
		return ns_err(-NS_E_LOCKED, "region '%s' is in use by another "
			      "process (pid %d)", path, (int)fl.l_pid);
	return ns_err(-NS_E_LOCKED, "region '%s' is in use by another process",
		      path);
}

bool ns_region_is_rdonly(const struct ns_region *r)
{
	return (r->flags & NS_REGION_RDONLY) != 0;
}

/*
 * Writers: allocate the label area's blocks, so that label writes find
 * them (best effort: where that fails, label writes report ENOSPC).
 */
static void ns_region_alloc_labels(struct ns_region *r)
{
	if (r->fd < 0 || (r->flags & NS_REGION_RDONLY))
		return;
	ns_io_allocate(r->io, r->size - r->label_size, r->label_size);
	ns_err_clear();
}

/* open on an fd the caller opened (and locked, for writers); owns fd on success */
static int ns_region_open_fd(int fd, const char *path, const struct ns_region_opts *o,
			     struct ns_region **out, int dirfd)
{
	struct ns_region *r;
	char msg[512];
	int rc;

	rc = ns_region_alloc(path, o, &r);
	if (rc)
		return rc;
	rc = ns_io_file_new(fd, path, &r->io);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		rc = ns_err(rc, "region '%s': %s", path, msg);
		goto fail;
	}
	r->size = r->io->size;
	r->fd = fd;
	if (dirfd >= 0 && (rc = ns_dir_attach(r, dirfd)) != 0)	/* before classify */
		goto fail;
	rc = ns_region_load(r, o ? o->label_size : 0);
	if (!rc && dirfd >= 0)
		rc = ns_dir_reconcile(r);	/* a reader's changes nothing */
	if (rc)
		goto fail;
	ns_region_alloc_labels(r);
	*out = r;
	return 0;
fail:
	r->dirfd = -1;		/* the caller's on failure, as fd */
	ns_io_destroy(&r->io);
	ns_region_free(r);	/* fd stays the caller's */
	return rc;
}

int ns_region_open(const char *path, const struct ns_region_opts *o,
		   struct ns_region **out)
{
	bool rdonly = o && (o->flags & NS_REGION_RDONLY);
	struct stat st;
	int fd, dirfd = -1, rc;

	*out = NULL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = ns_dir_open(path, rdonly, &dirfd, &fd);	/* region_dir.c */
		if (rc)
			return rc;
	} else {
		fd = open(path, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	}
	if (fd < 0)
		return ns_err(-errno, "cannot open region '%s': %s", path,
			      strerror(errno));
	if (!rdonly) {
		rc = ns_region_lock(fd, path);
		if (rc)
			goto fail;
	}
	rc = ns_region_open_fd(fd, path, o, out, dirfd);
	if (!rc)
		return 0;
fail:
	close(fd);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

int ns_region_open_io(struct ns_io *io, const char *name,
		      const struct ns_region_opts *o, struct ns_region **out)
{
	struct ns_region *r;
	int rc;

	*out = NULL;
	rc = ns_region_alloc(name ? name : "memory", o, &r);
	if (rc)
		return rc;
	r->io = io;
	r->size = io->size;
	rc = ns_region_load(r, o ? o->label_size : 0);
	if (rc) {
		r->io = NULL;	/* the caller keeps it on failure */
		ns_region_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int ns_region_create(const char *path, const struct ns_region_create_opts *c,
		     const struct ns_region_opts *o, struct ns_region **out)
{
	struct ns_region_opts oo = { 0 };
	struct ns_io *io = NULL;
	uint64_t ls, min;
	unsigned minor;
	char a[32], b[32], msg[512];
	int fd, dirfd = -1, rc;

	*out = NULL;
	if (!c)
		return ns_err(-EINVAL, "create region '%s': no options", path);
	ls = c->label_size ? c->label_size : NS_LSA_DEFAULT_SIZE;
	minor = c->minor ? c->minor : 2;
	rc = ns_check_label_size(path, ls);
	if (rc)
		return rc;
	/*
	 * The smallest useful region: its label area and one namespace of
	 * the default alignment (2 MiB, what ndctl and a guest's virtio-pmem
	 * map) at dpa 0. A smaller one would be made with 0 bytes available
	 * (a 4 KiB-aligned namespace would fit, but no guest maps it), so it
	 * is refused, naming the least size that works.
	 */
	min = (ls + NS_DEFAULT_ALIGN + NS_REGION_SIZE_ALIGN - 1) /
	      NS_REGION_SIZE_ALIGN * NS_REGION_SIZE_ALIGN;
	if (c->size == 0)
		return ns_err(-EINVAL, "create region '%s': size must be greater than "
			      "0: at least %s (a label area of %s and one 2 MiB namespace)",
			      path, ns_sz(min, a, sizeof(a)), ns_sz(ls, b, sizeof(b)));
	if (c->size % NS_REGION_SIZE_ALIGN)
		return ns_err(-EINVAL, "create region '%s': size %s is not a "
			      "multiple of 2 MiB", path,
			      ns_sz(c->size, a, sizeof(a)));
	if (c->size <= ls)
		return ns_err(-EINVAL, "create region '%s': size %s leaves no "
			      "room for data after a label area of %s", path,
			      ns_sz(c->size, a, sizeof(a)), ns_sz(ls, b, sizeof(b)));
	if (c->size < min) {
		char d[32], m[32];

		return ns_err(-EINVAL, "create region '%s': size %s leaves %s for data "
			      "after a label area of %s: no 2 MiB namespace fits (at "
			      "least %s)", path, ns_sz(c->size, a, sizeof(a)),
			      ns_sz(c->size - ls, d, sizeof(d)), ns_sz(ls, b, sizeof(b)),
			      ns_sz(min, m, sizeof(m)));
	}
	if (minor != 1 && minor != 2)
		return ns_err(-EINVAL, "create region '%s': label version 1.%u "
			      "unsupported (1.1 or 1.2)", path, minor);
	if (c->nvdimm_slot > NS_NVDIMM_SLOT_MAX)
		return ns_err(-EINVAL, "create region '%s': nvdimm slot %u out of "
			      "range (QEMU has slots 0 to %u)", path,
			      (unsigned)c->nvdimm_slot, NS_NVDIMM_SLOT_MAX);
	if (o) {
		oo = *o;
		if (oo.flags & NS_REGION_RDONLY)
			return ns_err(-EINVAL, "create region '%s': cannot create "
				      "read-only", path);
	}
	oo.label_size = ls;

	if (c->dir) {
		rc = ns_dir_create(path, &dirfd, &fd);	/* region_dir.c */
		if (rc)
			return rc;
	} else {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return ns_err(-errno, "cannot create region '%s': %s", path,
			      strerror(errno));
	rc = ns_region_lock(fd, path);
	if (rc)
		goto fail;
	if (ftruncate(fd, (off_t)c->size) < 0) {
		rc = ns_err(-errno, "cannot size region '%s' to %s: %s%s", path,
			    ns_sz(c->size, a, sizeof(a)), strerror(errno),
			    errno == EFBIG ? " (over the file-size limit: ulimit -f)" : "");
		goto fail;
	}
	rc = ns_io_file_new(fd, path, &io);
	if (rc)
		goto fail_msg;
	if (c->prealloc) {
		/* in steps, so that a caller can show progress */
		rc = ns_io_allocate_steps(io, 0, c->size, c->progress, c->progress_arg);
		if (rc) {
			snprintf(msg, sizeof(msg), "%s", ns_errormsg());
			rc = ns_err(rc, "cannot allocate %s for region '%s': %s",
				    ns_sz(c->size, a, sizeof(a)), path, msg);
			goto fail;
		}
	}
	rc = ns_io_allocate(io, c->size - ls, ls);
	if (rc && rc != -EOPNOTSUPP)
		goto fail_msg;
	rc = ns_lsa_init_slot(io, c->size - ls, ls, minor, c->nvdimm_slot, NULL);
	ns_io_destroy(&io);
	if (rc)
		goto fail_msg;
	rc = ns_region_open_fd(fd, path, &oo, out, dirfd);
	if (rc)
		goto fail;
	return 0;

fail_msg:
	snprintf(msg, sizeof(msg), "%s", ns_errormsg());
	rc = ns_err(rc, "create region '%s': %s", path, msg);
fail:
	ns_io_destroy(&io);
	close(fd);
	if (c->dir)
		ns_dir_create_undo(path, dirfd);
	else
		unlink(path);
	return rc;
}

void ns_region_close(struct ns_region **rp)
{
	struct ns_region *r;

	if (!rp || !*rp)
		return;
	r = *rp;
	ns_io_destroy(&r->io);
	if (r->fd >= 0)
		close(r->fd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	ns_region_free(r);
	*rp = NULL;
}

unsigned ns_region_id(const struct ns_region *r)
{
	return r->id;
}

const char *ns_region_devname(const struct ns_region *r)
{
	return r->devname;
}

const char *ns_region_path(const struct ns_region *r)
{
	return r->path;
}

int ns_region_fd(const struct ns_region *r)
{
	return r->fd;
}

struct ns_io *ns_region_io(const struct ns_region *r)
{
	return r->io;
}

uint64_t ns_region_size(const struct ns_region *r)
{
	return r->size;
}

uint64_t ns_region_data_size(const struct ns_region *r)
{
	return r->data_size;
}

bool ns_region_has_labels(const struct ns_region *r)
{
	return r->has_labels;
}

uint64_t ns_region_label_size(const struct ns_region *r)
{
	return r->label_size;
}

unsigned ns_region_label_minor(const struct ns_region *r)
{
	return r->has_labels ? ns_lsa_minor(r->lsa) : 2;
}

uint64_t ns_region_isetcookie(const struct ns_region *r)
{
	return r->isetcookie;
}

bool ns_region_nvdimm_slot(const struct ns_region *r, uint32_t *nvdimm_slot)
{
	return ns_isetcookie_qemu_slot(ns_region_label_minor(r), r->isetcookie,
				       nvdimm_slot);
}

unsigned ns_region_names_gen(const struct ns_region *r)
{
	return r->names_gen;
}

struct ns_lsa *ns_region_lsa(const struct ns_region *r)
{
	return r->has_labels ? r->lsa : NULL;
}

void ns_region_space(const struct ns_region *r, uint64_t align,
		     uint64_t *available, uint64_t *max_extent)
{
	struct ns_extent *used = NULL;
	unsigned n = 0;

	if (!align)
		align = NS_DEFAULT_ALIGN;
	if (r->has_labels && r->resv_ok) {
		/* the sorted extents create keeps: read only (r is const) */
		ns_alloc_stats_sorted(r->resv, r->nresv, r->data_size, align,
				      available, max_extent);
		return;
	}
	if (!r->has_labels || ns_region_reserved(r, false, &used, &n)) {
		/* without labels there is nowhere to describe a namespace */
		if (available)
			*available = 0;
		if (max_extent)
			*max_extent = 0;
		return;
	}
	ns_alloc_stats(used, n, r->data_size, align, available, max_extent);
	free(used);
}

int ns_region_default_size(const struct ns_region *r, uint64_t align, uint64_t *size)
{
	uint64_t max = 0;
	char a[32], b[32];

	if (!align)
		align = NS_DEFAULT_ALIGN;
	ns_region_space(r, align, NULL, &max);
	if (max) {
		*size = max;
		return 0;
	}
	if (align > NS_DEFAULT_ALIGN) {
		ns_region_space(r, NS_DEFAULT_ALIGN, NULL, &max);
		if (max)
			return ns_err(-ENOSPC, "no free extent aligned to %s in %s: the "
				      "largest free extent is %s (use a smaller --align)",
				      ns_format_size(align, a, sizeof(a)), r->devname,
				      ns_format_size(max, b, sizeof(b)));
	}
	return ns_err(-ENOSPC, "no free space left in %s", r->devname);
}

/* r's label area is now lsa (NULL: none); the old one is freed. */
static void ns_region_set_lsa(struct ns_region *r, struct ns_lsa *lsa)
{
	ns_lsa_free(&r->lsa);
	r->lsa = lsa;
	r->has_labels = lsa != NULL;
}

/* Read the label area again after a failed change, best effort. */
static void ns_region_resync(struct ns_region *r)
{
	struct ns_lsa *lsa = NULL;

	if (ns_lsa_load(r->io, r->size - r->label_size, r->label_size, false,
			&lsa) != 0)
		lsa = NULL;
	ns_region_set_lsa(r, lsa);
	ns_region_build_namespaces(r);
}

/*
 * A change of the whole label area (what: "init labels") failed with rc:
 * r as the medium now has it, and rc with the message named after what.
 */
static int ns_region_area_failed(struct ns_region *r, int rc, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", ns_errormsg());
	ns_region_resync(r);
	return ns_err(rc, "%s on '%s': %s", what, r->path, msg);
}

/*
 * Before a label area of r->label_size is written (init) or zeroed at the
 * end of the file: the area an open without a label size would use (the
 * probe's) is of another size? Then writing this one damages it (a
 * smaller one lies inside it; a larger one reaches into its data area,
 * maybe into namespaces) and leaves it in place to be found first. Refused
 * without force, saying what would be destroyed; *other is that area's
 * size (0: none, or the same as r's).
 */
static const char *ns_szk(uint64_t v, char *buf, size_t len)
{
	if (v && v % (1u << 20) && !(v % 1024)) {
		snprintf(buf, len, "%" PRIu64 " KiB", v >> 10);
		return buf;
	}
	return ns_sz(v, buf, len);
}

static int ns_region_other_area(struct ns_region *r, bool zero, bool force,
				uint64_t *other)
{
	uint64_t S = r->label_size, P, lo, hi;
	struct ns_lsa *lsa = NULL;
	unsigned count = 0, hit = 0;
	char names[160] = "", hitname[NS_LABEL_NAME_LEN + 16] = "";
	char a[32], b[32], c[32], clause[512];
	const char *forget;
	uint64_t hitbytes = 0;
	uint32_t s;

	*other = 0;
	if (ns_lsa_probe(r->io, &lsa)) {
		ns_err_clear();
		return 0;
	}
	P = ns_lsa_size(lsa);
	if (P == S) {
		ns_lsa_free(&lsa);
		return 0;
	}
	*other = P;
	/*
	 * the bytes of its data area the new area takes: [lo, hi) (init
	 * writes its index blocks there at once, later labels the rest)
	 */
	lo = r->size - S;
	hi = S > P ? r->size - P : lo;
	ns_lsa_foreach_slot(lsa, s) {
		struct ns_label l;
		uint64_t x, y;

		if (ns_lsa_label(lsa, s, &l, NULL))
			continue;
		if (count < 3) {
			size_t len = strlen(names);

			snprintf(names + len, sizeof(names) - len, "%s'%s'",
				 count ? ", " : "", l.name[0] ? l.name : "(no name)");
		} else if (count == 3) {
			size_t len = strlen(names);

			snprintf(names + len, sizeof(names) - len, ", ...");
		}
		count++;
		x = l.dpa > lo ? l.dpa : lo;
		y = l.dpa + l.rawsize < hi ? l.dpa + l.rawsize : hi;
		if (S > P && x < y) {
			if (!hit)
				snprintf(hitname, sizeof(hitname), "'%s'",
					 l.name[0] ? l.name : "(no name)");
			hit++;
			hitbytes += y - x;
		}
	}
	ns_lsa_free(&lsa);
	if (force)
		return 0;
	forget = zero || !count ? "" : ", and its namespaces would be forgotten";
	if (S > P && hit)
		snprintf(clause, sizeof(clause), "%s %s %s %s of namespace "
			 "%s data%s%s", zero ? "zeroing the last" : "a",
			 ns_szk(S, a, sizeof(a)),
			 zero ? "would overwrite" : "area would take over",
			 ns_szk(hitbytes, b, sizeof(b)), hitname,
			 hit > 1 ? " and of other namespaces" : "", forget);
	else if (S > P)
		snprintf(clause, sizeof(clause), "%s %s %s %s of its data "
			 "area (no namespace there)%s",
			 zero ? "zeroing the last" : "a", ns_szk(S, a, sizeof(a)),
			 zero ? "would overwrite" : "area would take over",
			 ns_szk(S - P, b, sizeof(b)), forget);
	else
		snprintf(clause, sizeof(clause), "%s the last %s of the file would "
			 "overwrite part of it (label slots)%s",
			 zero ? "zeroing" : "a label area in", ns_szk(S, a, sizeof(a)),
			 forget);
	return ns_err(-NS_E_LABELS_EXIST, "'%s' holds a valid %s label area "
		      "with %u namespace%s%s%s%s; %s; use --force", r->path,
		      ns_szk(P, c, sizeof(c)), count, count == 1 ? "" : "s",
		      count ? " (" : "", names, count ? ")" : "", clause);
}

/* after a forced change of size: the other area's index blocks go too */
static int ns_region_kill_other_area(struct ns_region *r, uint64_t P)
{
	static const uint8_t zero[4096];
	uint64_t off = r->size - P, len;
	struct ns_lsa *lsa = NULL;
	struct ns_index idx;
	int rc;

	if (ns_lsa_load(r->io, off, P, false, &lsa)) {
		ns_err_clear();
		return 0;	/* already gone */
	}
	len = 0;
	for (int i = 0; i < 2; i++)
		if (ns_lsa_index(lsa, i, &idx, NULL) && idx.myoff + idx.mysize > len)
			len = idx.myoff + idx.mysize;
	ns_lsa_free(&lsa);
	for (uint64_t done = 0; done < len; done += sizeof(zero)) {
		uint64_t n = len - done < sizeof(zero) ? len - done : sizeof(zero);

		rc = ns_io_write(r->io, zero, (size_t)n, off + done);
		if (rc)
			return rc;
	}
	return ns_io_persist(r->io, off, len);
}

int ns_region_check_other_area(struct ns_region *r, bool zero)
{
	uint64_t other;

	return ns_region_other_area(r, zero, false, &other);
}

int ns_region_init_labels(struct ns_region *r, unsigned minor, bool force)
{
	uint64_t off = r->size - r->label_size, other = 0;
	struct ns_lsa *lsa = NULL;
	uint32_t nvslot = 0;
	int rc;

	rc = ns_region_check_writable(r, "init labels");
	if (rc)
		return rc;
	if (minor > 2)
		return ns_err(-EINVAL, "init labels on '%s': label version 1.%u "
			      "unsupported (1.1 or 1.2)", r->path, minor);
	if (r->has_labels && !force)
		return ns_err(-NS_E_LABELS_EXIST, "region '%s' already has a label "
			      "area (force to overwrite it)", r->path);
	if (ns_region_any_held(r))
		return ns_err(-EBUSY, "init labels on '%s': a namespace is in use",
			      r->path);
	rc = ns_region_other_area(r, false, force, &other);
	if (rc)
		return rc;
	if (!minor)
		minor = ns_region_label_minor(r);
	/* the new area keeps the region's nvdimm slot (its record, else 0) */
	if (!ns_region_nvdimm_slot(r, &nvslot))
		nvslot = 0;
	if (r->has_labels) {
		/* free every label in both index blocks (see the top comment) */
		for (int pass = 0; pass < 2; pass++) {
			uint32_t *rel, n = 0, s;

			rel = malloc(sizeof(*rel) * (ns_lsa_nslot(r->lsa) + 1));
			if (!rel)
				return ns_err(-ENOMEM, "init labels: out of memory");
			ns_lsa_foreach_slot(r->lsa, s)
				rel[n++] = s;
			rc = ns_lsa_commit(r->lsa, rel, n, NULL, 0, NULL);
			free(rel);
			if (rc)
				goto fail;
		}
	}
	rc = ns_lsa_init_slot(r->io, off, r->label_size, minor, nvslot, &lsa);
	if (rc == -ENOSPC && nvslot)	/* an area too tight for the record */
		rc = ns_lsa_init(r->io, off, r->label_size, minor, &lsa);
	if (rc)
		goto fail;
	if (other) {
		/* the new area is durable: the old one must not be found first */
		rc = ns_region_kill_other_area(r, other);
		if (rc) {
			ns_lsa_free(&lsa);
			goto fail;
		}
	}
	ns_region_free_namespaces(r);
	ns_region_set_lsa(r, lsa);
	ns_region_pick_cookie(r);
	return ns_region_build_namespaces(r);
fail:
	return ns_region_area_failed(r, rc, "init labels");
}

int ns_region_zero_labels(struct ns_region *r, bool force)
{
	uint64_t other = 0;
	int rc;

	rc = ns_region_check_writable(r, "zero labels");
	if (rc)
		return rc;
	if (ns_region_any_held(r))
		return ns_err(-EBUSY, "zero labels on '%s': a namespace is in use",
			      r->path);
	rc = ns_region_other_area(r, true, force, &other);
	if (rc)
		return rc;
	rc = ns_lsa_zero(r->io, r->size - r->label_size, r->label_size);
	if (!rc && other)
		rc = ns_region_kill_other_area(r, other);
	if (rc)
		return ns_region_area_failed(r, rc, "zero labels");
	ns_region_free_namespaces(r);
	ns_region_set_lsa(r, NULL);
	ns_region_pick_cookie(r);
	return 0;
}

int ns_region_reload(struct ns_region *r)
{
	struct ns_lsa *lsa = NULL;
	char msg[512];
	int rc;

	rc = ns_lsa_load(r->io, r->size - r->label_size, r->label_size, false, &lsa);
	if (rc && rc != -NS_E_NO_LABELS) {
		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		return ns_err(rc, "reload labels of '%s': %s", r->path, msg);
	}
	ns_region_set_lsa(r, rc ? NULL : lsa);
	ns_region_pick_cookie(r);
	return ns_region_build_namespaces(r);
}
