/* SPDX-License-Identifier: MIT */
/*
 * pmemctl read-labels, check-labels, init-labels and zero-labels.
 * read-labels and check-labels work from the label area alone (probed, or
 * --label-size), so they can show an area whose labels do not fit the
 * file, or that no region open would accept.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "badblocks.h"
#include "label_check.h"
#include "error.h"
#include "json_out.h"
#include "label.h"
#include "lsa.h"
#include "namespace.h"
#include "online.h"
#include "client.h"
#include "options.h"
#include "pmemctl.h"
#include "region.h"
#include "target.h"
#include "util.h"

/* The label area of a region file, read without the region layer. */
struct ctl_area {
	int fd;
	struct ns_io *io;
	struct ns_lsa *lsa;	/* NULL when no index block is valid */
	uint64_t off, size;	/* of the area in the file */
	uint8_t *buf;		/* the area's bytes */
	uint64_t idxoff[2];	/* where each index block is (or would be) */
};

static void ctl_area_close(struct ctl_area *a)
{
	ns_lsa_free(&a->lsa);
	ns_io_destroy(&a->io);
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	free(a->buf);
	a->buf = NULL;
}

/*
 * Where index block 1 is: after a valid block 0, at its otheroff; else at
 * the index size of the area's geometry (256-byte labels tried first, as
 * new areas are v1.2), the first offset holding a valid block.
 */
static uint64_t ctl_area_index1(const struct ctl_area *a)
{
	char why[NS_WHY_LEN];
	struct ns_index idx;
	uint64_t cand[2] = { 0, 0 };
	unsigned ls[2] = { 256, 128 };

	if (ns_index_validate(a->buf, a->size, a->size, 0, &idx, why) == 0)
		return idx.otheroff;
	for (int i = 0; i < 2; i++) {
		uint32_t nslot;

		if (ns_lsa_geometry(a->size, ls[i], &nslot, &cand[i]) < 0)
			cand[i] = NS_INDEX_ALIGN;
		if (cand[i] < a->size &&
		    ns_index_validate(a->buf + cand[i], a->size - cand[i], a->size,
				      cand[i], &idx, why) == 0)
			return cand[i];
	}
	return cand[1];
}

/*
 * Open the file read-only and find its label area: --label-size, or probe.
 * Probing that finds nothing is -NS_E_NO_LABELS (reported); with
 * --label-size an area with no valid index is loaded all the same (lsa NULL).
 * Returns 0 or an exit code.
 */
static int ctl_area_open(const struct ctl_target *t, struct ctl_area *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->fd = open(t->file, O_RDONLY | O_CLOEXEC);
	if (a->fd < 0)
		return ctl_fail_msg(-errno, "cannot open '%s': %s", t->file,
				    strerror(errno));
	rc = ns_io_file_new(a->fd, t->file, &a->io);
	if (rc < 0) {
		rc = ctl_fail_on(rc, t->file, "cannot read '%s'", t->file);
		goto err;
	}
	if (t->label_size) {
		if (t->label_size > a->io->size || t->label_size < NS_LSA_MIN_SIZE) {
			rc = ctl_fail_msg(-EINVAL, "bad value for --label-size: "
					  "%" PRIu64 " bytes in a file of %" PRIu64
					  " bytes '%s'", t->label_size,
					  a->io->size, t->file);
			goto err;
		}
		a->size = t->label_size;
		a->off = a->io->size - a->size;
		ns_lsa_load(a->io, a->off, a->size, false, &a->lsa);
		ns_err_clear();
	} else {
		rc = ns_lsa_probe(a->io, &a->lsa);
		if (rc < 0) {
			rc = ctl_fail_msg(rc, "region '%s': %s (use --label-size "
					  "SIZE to read one anyway)", t->file, ns_errormsg());
			ns_err_clear();
			goto err;
		}
		a->off = ns_lsa_offset(a->lsa);
		a->size = ns_lsa_size(a->lsa);
	}
	a->buf = malloc(a->size);
	if (!a->buf) {
		rc = ctl_fail_msg(-ENOMEM, "out of memory for a label area of %" PRIu64
				  " bytes", a->size);
		goto err;
	}
	rc = ns_io_read(a->io, a->buf, a->size, a->off);
	if (rc < 0) {
		rc = ctl_fail_on(rc, t->file, "cannot read the label area of '%s'", t->file);
		goto err;
	}
	a->idxoff[0] = 0;
	a->idxoff[1] = ctl_area_index1(a);
	return 0;
err:
	ctl_area_close(a);
	return rc;
}

/* Validate index block i: returns true when valid; fills idx either way. */
static bool ctl_area_index(const struct ctl_area *a, int i, struct ns_index *idx,
			   char why[NS_WHY_LEN])
{
	uint64_t off = a->idxoff[i];

	memset(idx, 0, sizeof(*idx));
	if (off + NS_INDEX_HDR_SIZE > a->size) {
		snprintf(why, NS_WHY_LEN, "offset %" PRIu64 " is outside the area", off);
		return false;
	}
	ns_index_decode(a->buf + off, idx);
	if (ns_index_validate(a->buf + off, a->size - off, a->size, off, idx, why) < 0) {
		ns_index_decode(a->buf + off, idx);	/* show what is there */
		return false;
	}
	return true;
}

static bool ctl_area_current(const struct ctl_area *a, int i)
{
	return a->lsa && ns_lsa_current(a->lsa) == i;
}

/* ---- read-labels -------------------------------------------------------- */

static const struct ctl_opt read_labels_opts[] = {
	CTL_TARGET_OPTS,
	{ "json", 'j', no_argument, NULL, "decode the index blocks and labels as JSON" },
	{ "output", 'o', required_argument, "FILE", "write the raw area to FILE (a new file renamed over FILE: a "
	  "link there is replaced, not followed; a FIFO or device is written as it is, and so is "
	  "what a link of yours or root's leads to if no regular file: -o /dev/stdout)" },
	{ 0 },
};

static const struct ctl_usage read_labels_usage = {
	.name = "read-labels",
	.args = CTL_TARGET_ARGS " [-r REGION] [-j] [-o FILE]",
	.about = "Dump the label area at the end of the region file: the raw bytes to\n"
		 "FILE or to stdout (never to a terminal), or decoded with -j: both index\n"
		 "blocks (valid or not, with the reason) and the label of every slot in\n"
		 "use in the current index. Offline it reads the file alone: no lock, no\n"
		 "region checks, so an area whose labels do not fit the file is shown too.\n"
		 "Online the daemon decodes its regions' label areas: -j only.\n\n"
		 CTL_TARGET_ABOUT,
	.exits = "  250  ENXIO: no label area found (give --label-size)\n"
		 "  254  ENOENT: no such region file, region (-r) or pmemfs mount (--mount)\n"
		 "  235  EISDIR: -o FILE is a directory (or a link of yours or root's to one)\n"
		 CTL_TARGET_EXITS,
};

/*
 * -o FILE. A regular file (or none) at FILE is replaced: the output goes to
 * a new file with a fresh name in FILE's directory (O_CREAT|O_EXCL|
 * O_NOFOLLOW), renamed to FILE when complete, so a link planted at FILE is
 * replaced, never written through, and no existing file is reused. A
 * FIFO, terminal or device at FILE is written as it is, nothing created:
 * opened once, without following a link, and accepted only if the
 * descriptor is what lstat saw (same device, inode and type), so a FIFO
 * swapped for a link between the look and the open is never written
 * through. A link at FILE is followed only if it is ours or root's
 * (/dev/stdout -> /proc/self/fd/1), is still that link after the open,
 * and leads to no regular file (a directory: refused), or to the file
 * that is our stdout (then stdout is written); any other link is replaced.
 */
struct ctl_out {
	int fd, dfd;
	char tmp[NAME_MAX + 1];
	const char *base, *path;
};

static bool ctl_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       (a->st_mode & S_IFMT) == (b->st_mode & S_IFMT);
}

#define CTL_OUT_REPLACE (-1)

/*
 * FILE is no regular file: open what lstat saw (lst) once and check the
 * descriptor is it. 0: o->fd is open; CTL_OUT_REPLACE: replace FILE
 * instead (a link we do not follow, or one that leads to a regular file);
 * else the exit code of the error (said).
 */
static int ctl_out_open_special(struct ctl_out *o, const char *path,
				const struct stat *lst)
{
	int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC;
	bool link = S_ISLNK(lst->st_mode);
	struct stat st, again;
	int fd, fl;

	if (link && lst->st_uid != 0 && lst->st_uid != geteuid())
		return CTL_OUT_REPLACE;	/* another user's link: replaced */
	if (!link)
		flags |= O_NOFOLLOW;
	/* no blocking open of a FIFO we did not expect */
	if (link ? stat(path, &st) != 0 || !S_ISFIFO(st.st_mode) : !S_ISFIFO(lst->st_mode))
		flags |= O_NONBLOCK;
	fd = open(path, flags);
	if (fd < 0) {
		if (errno == EISDIR)
			return ctl_fail_msg(-EISDIR, "cannot write '%s': a directory", path);
		if (link && (errno == ENOENT || errno == ELOOP))
			return CTL_OUT_REPLACE;	/* a dangling link, a loop */
		if (errno == ELOOP)
			return ctl_fail_msg(-ELOOP, "cannot write '%s': it changed while "
					    "being opened (now a link)", path);
		return ctl_fail_msg(-errno, "cannot write '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		close(fd);
		return ctl_fail_msg(rc, "cannot write '%s': %s", path, strerror(-rc));
	}
	if (link) {
		struct stat out;

		/* still the trusted link that was looked at */
		if (lstat(path, &again) != 0 || !ctl_same_file(lst, &again) ||
		    again.st_uid != lst->st_uid) {
			close(fd);
			return CTL_OUT_REPLACE;
		}
		/* it leads to our stdout (-o /dev/stdout >FILE): write there */
		if (S_ISREG(st.st_mode) && fstat(STDOUT_FILENO, &out) == 0 &&
		    ctl_same_file(&st, &out)) {
			close(fd);
			fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
			if (fd < 0)
				return ctl_fail_msg(-errno, "cannot write '%s': %s", path,
						    strerror(errno));
			o->fd = fd;
			return 0;
		}
		/* to a file: the link is replaced */
		if (S_ISREG(st.st_mode)) {
			close(fd);
			return CTL_OUT_REPLACE;
		}
	} else if (!ctl_same_file(lst, &st)) {
		close(fd);
		return ctl_fail_msg(-EAGAIN, "cannot write '%s': it changed while being "
				    "opened", path);
	}
	if ((flags & O_NONBLOCK) && (fl = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	o->fd = fd;
	return 0;
}

static int ctl_out_open(struct ctl_out *o, const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;
	int i;

	memset(o, 0, sizeof(*o));
	o->fd = o->dfd = -1;
	o->path = path;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return ctl_fail_msg(-EISDIR, "cannot write '%s': a directory", path);
		i = ctl_out_open_special(o, path, &st);
		if (i != CTL_OUT_REPLACE)
			return i;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	o->base = slash ? path + (slash - dir) + 1 : path;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (!*o->base)
		return ctl_fail_msg(-EISDIR, "cannot write '%s': a directory", path);
	o->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dfd < 0)
		return ctl_fail_msg(-errno, "cannot write '%s': %s", path, strerror(errno));
	for (i = 0; i < 100; i++) {
		uint64_t r = (uint64_t)getpid() << 20 | (uint64_t)i;

		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r ^= (uint64_t)time(NULL) << 32;
		snprintf(o->tmp, sizeof(o->tmp), ".%.200s.%016" PRIx64 ".tmp", o->base, r);
		o->fd = openat(o->dfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			       O_CLOEXEC, 0644);
		if (o->fd >= 0 || errno != EEXIST)
			break;
	}
	if (o->fd < 0) {
		int rc = -errno;

		close(o->dfd);
		o->dfd = -1;
		return ctl_fail_msg(rc, "cannot write '%s': %s", path, strerror(-rc));
	}
	return 0;
}

/* rc: how the writing went; on success the new file takes FILE's name */
static int ctl_out_finish(struct ctl_out *o, int rc)
{
	if (o->dfd < 0) {
		if (o->fd >= 0 && close(o->fd) < 0 && rc == 0)
			rc = ctl_fail_msg(-errno, "cannot write '%s': %s", o->path,
					  strerror(errno));
		return rc;
	}
	if (rc == 0 && fsync(o->fd) < 0)
		rc = ctl_fail_msg(-errno, "cannot write '%s': %s", o->path, strerror(errno));
	if (close(o->fd) < 0 && rc == 0)
		rc = ctl_fail_msg(-errno, "cannot write '%s': %s", o->path, strerror(errno));
	if (rc == 0 && renameat(o->dfd, o->tmp, o->dfd, o->base) < 0)
		rc = ctl_fail_msg(-errno, "cannot write '%s': %s", o->path, strerror(errno));
	if (rc != 0)
		unlinkat(o->dfd, o->tmp, 0);
	close(o->dfd);
	return rc;
}

/* the JSON array to -o FILE (or stdout) */
static int ctl_json_output(struct json_object *arr, const char *output)
{
	struct ctl_out o;
	int rc;

	if (!output) {
		ctl_json_print(arr);
		if (fflush(stdout) != 0)
			return ctl_fail_msg(-errno, "cannot write the output: %s",
					    strerror(errno));
		return 0;
	}
	rc = ctl_out_open(&o, output);
	if (rc) {
		json_object_put(arr);
		return rc;
	}
	fflush(stdout);
	if (dup2(o.fd, STDOUT_FILENO) < 0) {
		rc = ctl_fail_msg(-errno, "cannot write '%s': %s", output, strerror(errno));
		json_object_put(arr);
		return ctl_out_finish(&o, rc);
	}
	ctl_json_print(arr);
	if (fflush(stdout) != 0)
		rc = ctl_fail_msg(-errno, "cannot write '%s': %s", output, strerror(errno));
	return ctl_out_finish(&o, rc);
}

/* read-labels -j of a daemon: one entry per region, as offline */
static int ctl_read_labels_online(struct ctl_target *t, const char *output)
{
	struct ctl_response *resp = NULL;
	struct json_object *arr;
	struct ctl_listing l;
	int rc;

	rc = ctl_listing_get(t, &l);
	if (rc)
		return rc;
	rc = ctl_target_call(t, ctl_target_request(t, CTL_CMD_READ_LABELS), &resp);
	if (rc) {
		ctl_listing_free(&l);
		return rc;
	}
	arr = json_object_new_array();
	for (unsigned i = 0; i < l.nregions; i++) {
		const struct ctl_region_info *ri = &l.regions[i];
		struct json_object *jdev = json_object_new_object();
		struct json_object *jidx = json_object_new_array();
		struct json_object *jlab = json_object_new_array();
		unsigned label_size = ri->label_version == 1 ? 128 : 256;

		json_object_object_add(jdev, "dev", json_object_new_string(ri->dev));
		json_object_object_add(jdev, "offset", json_object_new_int64(
				(int64_t)(ri->file_size - ri->label_size)));
		json_object_object_add(jdev, "label_size",
				       json_object_new_int64((int64_t)ri->label_size));
		for (unsigned k = 0; k < resp->nparts; k++) {
			struct nlattr **a = resp->parts[k].attrs;
			struct ctl_index_info x;
			struct ctl_label_info li;

			if (a[CTL_A_INDEX] && ctl_index_info_get(a[CTL_A_INDEX], &x) == 0 &&
			    x.region && !strcmp(x.region, ri->dev)) {
				if (x.valid)
					label_size = x.label_size;
				json_object_array_add(jidx, ctl_json_index_info(&x));
			}
			if (a[CTL_A_LABEL] && ctl_label_info_get(a[CTL_A_LABEL], &li) == 0 &&
			    li.region && !strcmp(li.region, ri->dev))
				json_object_array_add(jlab, ctl_json_label_info(&li, label_size));
		}
		json_object_object_add(jdev, "index", jidx);
		json_object_object_add(jdev, "label", jlab);
		json_object_array_add(arr, jdev);
	}
	ctl_response_free(&resp);
	ctl_listing_free(&l);
	return ctl_json_output(arr, output);
}

static int ctl_write_all(int fd, const uint8_t *buf, uint64_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (uint64_t)n;
	}
	return 0;
}

static struct json_object *ctl_labels_json(const struct ctl_area *a)
{
	struct json_object *jdev = json_object_new_object();
	struct json_object *jidx = json_object_new_array();
	struct json_object *jlab = json_object_new_array();
	char why[NS_WHY_LEN];

	json_object_object_add(jdev, "dev", json_object_new_string("region0"));
	json_object_object_add(jdev, "offset", json_object_new_int64((int64_t)a->off));
	json_object_object_add(jdev, "label_size", json_object_new_int64((int64_t)a->size));
	for (int i = 0; i < 2; i++) {
		static const uint8_t nosig[NS_INDEX_SIG_LEN];
		const uint8_t *sig = a->idxoff[i] + NS_INDEX_SIG_LEN <= a->size ?
				     a->buf + a->idxoff[i] : nosig;
		struct ns_index idx;
		bool valid;

		why[0] = '\0';
		valid = ctl_area_index(a, i, &idx, why);

		json_object_array_add(jidx, ctl_json_index(sig, &idx, valid, why,
							   ctl_area_current(a, i)));
	}
	if (a->lsa) {
		uint32_t s;

		ns_lsa_foreach_slot(a->lsa, s) {
			struct ns_label l;
			int rc;

			why[0] = '\0';
			rc = ns_lsa_label(a->lsa, s, &l, why);
			json_object_array_add(jlab, ctl_json_label(&l, s,
					ns_lsa_label_size(a->lsa), rc == 0, why));
		}
	}
	json_object_object_add(jdev, "index", jidx);
	json_object_object_add(jdev, "label", jlab);
	return jdev;
}

int cmd_read_labels(int argc, char **argv)
{
	struct {
		struct ctl_target t;
		bool json;
		const char *output;
	} o = { 0 };
	struct ctl_area a;
	struct ctl_out out;
	struct ctl_parser p;
	int c, rc, fd;

	ctl_parser_init(&p, &read_labels_usage, read_labels_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case 'j':
			o.json = true;
			break;
		case 'o':
			o.output = p.arg;
			break;
		default:
			rc = ctl_target_opt(&o.t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind < argc)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind]);
	rc = ctl_target_check(&o.t, &p);
	if (rc)
		return rc;
	if (o.t.online) {
		if (!o.json)
			return ctl_usage_error(&p, "online, read-labels decodes the label area: "
					       "use -j (or --file PATH on an unmounted region "
					       "for the raw bytes)");
		rc = ctl_read_labels_online(&o.t, o.output);
		ctl_target_close(&o.t);
		return rc;
	}
	if (!o.json && !o.output && isatty(STDOUT_FILENO))
		return ctl_usage_error(&p, "not writing a binary label area to a terminal: "
				       "use -o FILE, a pipe, or -j");

	rc = ctl_area_open(&o.t, &a);
	if (rc)
		return rc;
	if (o.json) {
		struct json_object *arr = json_object_new_array();

		json_object_array_add(arr, ctl_labels_json(&a));
		rc = ctl_json_output(arr, o.output);
		goto out;
	}
	fd = STDOUT_FILENO;
	if (o.output) {
		rc = ctl_out_open(&out, o.output);
		if (rc)
			goto out;
		fd = out.fd;
	}
	rc = ctl_write_all(fd, a.buf, a.size);
	if (rc < 0)
		rc = ctl_fail_msg(rc, "cannot write '%s': %s",
				  o.output ? o.output : "stdout", strerror(-rc));
	if (o.output)
		rc = ctl_out_finish(&out, rc);
out:
	ctl_area_close(&a);
	return rc;
}

/* ---- check-labels ------------------------------------------------------- */

static const struct ctl_opt check_labels_opts[] = {
	CTL_TARGET_OPTS,
	{ 0 },
};

static const struct ctl_usage check_labels_usage = {
	.name = "check-labels",
	.args = CTL_TARGET_ARGS " [-r REGION]",
	.about = "Check both index blocks, every label in use, and that the region\n"
		 "serves every label (not interleaved, not of a foreign interleave set,\n"
		 "inside the data area, overlapping no other label, no shared uuid: such\n"
		 "labels are all invalid, wherever they sit). Prints one line per problem on\n"
		 "stderr and a JSON summary on stdout (online: one per region). Exits 0\n"
		 "only when both index blocks are valid and every label is served.\n\n"
		 CTL_TARGET_ABOUT,
	.exits = "  234  EINVAL: an index block is invalid or a label is bad or not served\n"
		 "  250  ENXIO: no label area (no valid index block)\n"
		 "  254  ENOENT: no such region file, region (-r) or pmemfs mount (--mount)\n"
		 CTL_TARGET_EXITS,
};

static int ctl_check_labels_online(struct ctl_target *t)
{
	struct ctl_response *resp = NULL;
	struct json_object *arr;
	unsigned bad = 0, problems = 0;
	int rc;

	rc = ctl_target_call(t, ctl_target_request(t, CTL_CMD_CHECK_LABELS), &resp);
	if (rc)
		return rc;
	arr = json_object_new_array();
	for (unsigned i = 0; i < resp->nparts; i++) {
		struct ctl_check_info ci;
		struct json_object *j;
		unsigned n = 0;

		if (ctl_check_info_get(resp->parts[i].attrs[CTL_A_CHECK], &ci))
			continue;
		if (ci.problems) {
			const char *p = ci.problems;

			while (*p) {
				const char *e = strchr(p, '\n');
				int len = e ? (int)(e - p) : (int)strlen(p);

				ctl_msg("%s: %.*s", ci.region, len, p);
				n++;
				p += len + (e ? 1 : 0);
			}
		}
		j = json_object_new_object();
		json_object_object_add(j, "dev", json_object_new_string(ci.region));
		json_object_object_add(j, "labels", json_object_new_int64(ci.labels));
		json_object_object_add(j, "problems", json_object_new_int64(n));
		json_object_object_add(j, "valid", json_object_new_boolean(ci.ok));
		json_object_object_add(j, "badblock_count",
				       json_object_new_int64((int64_t)(ci.badblocks / CTL_BB_BLOCK)));
		json_object_array_add(arr, j);
		bad += !ci.ok;
		problems += n;
	}
	ctl_response_free(&resp);
	ctl_json_print(arr);
	if (bad)
		return ctl_fail_msg(-EINVAL, "%u problem%s in the label areas of '%s'",
				    problems, problems == 1 ? "" : "s", t->mountpoint);
	return 0;
}

int cmd_check_labels(int argc, char **argv)
{
	struct ctl_target t = { 0 };
	struct ctl_area a;
	struct ctl_parser p;
	struct json_object *j;
	struct ns_region *r = NULL;
	char why[NS_WHY_LEN];
	unsigned nvalid = 0, nlabels = 0, nserved = 0, problems = 0;
	uint8_t *reported = NULL;
	int c, rc;

	ctl_parser_init(&p, &check_labels_usage, check_labels_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		default:
			rc = ctl_target_opt(&t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind < argc)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind]);
	rc = ctl_target_check(&t, &p);
	if (rc)
		return rc;
	if (t.online) {
		rc = ctl_check_labels_online(&t);
		ctl_target_close(&t);
		return rc;
	}

	rc = ctl_area_open(&t, &a);
	if (rc)
		return rc;
	j = json_object_new_object();
	json_object_object_add(j, "dev", json_object_new_string("region0"));
	json_object_object_add(j, "path", json_object_new_string(t.file));
	json_object_object_add(j, "label_size", json_object_new_int64((int64_t)a.size));

	for (int i = 0; i < 2; i++) {
		struct ns_index idx;

		why[0] = '\0';
		if (ctl_area_index(&a, i, &idx, why)) {
			nvalid++;
			continue;
		}
		ctl_msg("index block %d at offset %" PRIu64 " of the label area: %s",
			i, a.idxoff[i], why);
		problems++;
	}
	if (a.lsa) {
		uint32_t nslot = ns_lsa_nslot(a.lsa), s;

		json_object_object_add(j, "label_version", json_object_new_string(
				ns_lsa_minor(a.lsa) == 1 ? "1.1" : "1.2"));
		json_object_object_add(j, "nslot", json_object_new_int64(nslot));
		json_object_object_add(j, "free_slots",
				       json_object_new_int64(ns_lsa_free_slots(a.lsa)));
		reported = calloc(nslot ? nslot : 1, 1);
		ns_lsa_foreach_slot(a.lsa, s) {
			struct ns_label l;

			nlabels++;
			why[0] = '\0';
			if (ns_lsa_label(a.lsa, s, &l, why) == 0)
				continue;
			ctl_msg("%s", why);	/* "label in slot N: ..." */
			problems++;
			if (reported)
				reported[s] = 1;
		}

		/* what the region makes of the labels: served or why not */
		struct ns_region_opts ro = {
			.flags = NS_REGION_RDONLY,
			.label_size = a.size,
		};
		rc = ns_region_open(t.file, &ro, &r);
		if (rc < 0) {
			ctl_msg("region '%s': %s", t.file, ns_errormsg());
			ns_err_clear();
			problems++;
		} else {
			struct ns_namespace *ns;

			ns_region_foreach_namespace(r, ns) {
				uint32_t slot = ns_namespace_slot(ns);
				char line[NS_NOT_SERVED_LEN];

				if (ns_namespace_state(ns) == NS_STATE_ACTIVE) {
					nserved++;
					continue;
				}
				if (reported && slot < nslot && reported[slot])
					continue;
				ctl_msg("%s", ns_namespace_not_served(ns, true, line,
								      sizeof(line)));
				problems++;
			}
			ns_region_close(&r);
		}
		free(reported);
	}
	json_object_object_add(j, "valid_index_blocks", json_object_new_int(nvalid));
	json_object_object_add(j, "labels", json_object_new_int(nlabels));
	json_object_object_add(j, "served", json_object_new_int(nserved));
	json_object_object_add(j, "problems", json_object_new_int(problems));
	json_object_object_add(j, "valid", json_object_new_boolean(problems == 0));
	{
		/* injected media errors are no label problem, but worth knowing */
		struct ctl_badblocks bb = { 0 };
		struct ctl_bb_id id;
		int brc;

		ctl_bb_id_of_path(t.file, &id);
		brc = ctl_bb_load(t.file, &id, &bb);
		if (brc == CTL_BB_STALE)
			ctl_msg("warning: %s", ns_errormsg());
		if (brc >= 0)
			json_object_object_add(j, "badblock_count", json_object_new_int64(
				(int64_t)(ctl_bb_bytes(&bb, 0, UINT64_MAX) / CTL_BB_BLOCK)));
		ctl_bb_free(&bb);
	}
	ctl_json_print(j);

	if (nvalid == 0)
		rc = ctl_fail_msg(-ENXIO, "no valid label area in '%s'", t.file);
	else if (problems)
		rc = ctl_fail_msg(-EINVAL, "%u problem%s in the label area of '%s'",
				  problems, problems == 1 ? "" : "s", t.file);
	else
		rc = 0;
	ctl_area_close(&a);
	return rc;
}

/* ---- init-labels, zero-labels ------------------------------------------- */

static const struct ctl_opt init_labels_opts[] = {
	CTL_TARGET_OPTS,
	{ "force", 'f', no_argument, NULL,
	  "overwrite a valid label area (every namespace is forgotten), also one of another size than --label-size" },
	{ "label-version", 'V', required_argument, "1.1|1.2",
	  "label format (default: the current one, 1.2 for a new area)" },
	{ 0 },
};

static const struct ctl_usage init_labels_usage = {
	.name = "init-labels",
	.args = CTL_TARGET_ARGS " [-r REGION] [-f] [-V 1.1|1.2]",
	.about = "Write a fresh, empty label area (both index blocks) at the end of the\n"
		 "region file. Offline a valid area is kept unless -f, as ndctl does.\n"
		 "Online the daemon refuses while the region has namespaces unless -f;\n"
		 "with -f their files disappear (refused while one is open or mapped).\n"
		 "Data is not touched, except that a --label-size larger than the valid\n"
		 "area's takes its place from the end of the data area: that needs -f,\n"
		 "like any size other than the valid area's, and the message says which\n"
		 "namespaces' data it would overwrite; with -f the old area's index\n"
		 "blocks are zeroed after the new area is written.\n\n" CTL_TARGET_ABOUT,
	.exits = "  239  EEXIST: the file has a valid label area / namespaces (use -f)\n"
		 "  240  EBUSY: offline, the region is locked by another process; online,\n"
		 "       a namespace is open or mapped\n"
		 "  234  EINVAL: bad --label-size or label version\n"
		 "  254  ENOENT: no such region file, region (-r) or pmemfs mount (--mount)\n"
		 CTL_TARGET_EXITS,
};

int cmd_init_labels(int argc, char **argv)
{
	struct {
		struct ctl_target t;
		bool force;
		unsigned minor;
	} o = { 0 };
	struct ns_region *r = NULL;
	struct ctl_parser p;
	char sz[32];
	int c, rc;

	ctl_parser_init(&p, &init_labels_usage, init_labels_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case 'f':
			o.force = true;
			break;
		case 'V':
			if (ctl_parse_label_version(&p, &o.minor) < 0)
				return ctl_exit_code(-EINVAL);
			break;
		default:
			rc = ctl_target_opt(&o.t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind < argc)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind]);
	rc = ctl_target_check(&o.t, &p);
	if (rc)
		return rc;
	if (o.t.online) {
		struct nl_msg *req = ctl_target_request(&o.t, CTL_CMD_INIT_LABELS);
		struct ctl_response *resp = NULL;
		struct ctl_region_info ri;

		if (!req)
			return ctl_exit_code(-ENOMEM);
		if (((!o.t.region || !strcmp(o.t.region, "all")) &&
		     ctl_put_string(req, CTL_A_REGION, "all") < 0) ||
		    (o.force && ctl_put_u32(req, CTL_A_FLAGS, CTL_F_FORCE) < 0) ||
		    (o.minor && ctl_put_u32(req, CTL_A_LABEL_VERSION, o.minor) < 0)) {
			nlmsg_free(req);
			return ctl_fail_msg(-ENOMEM, "out of memory");
		}
		rc = ctl_target_call(&o.t, req, &resp);
		if (rc == 0 && resp->nparts == 1 &&
		    ctl_region_info_get(resp->parts[0].attrs[CTL_A_REGION_INFO], &ri) == 0)
			ctl_msg("initialised the label area of %s on '%s' (v1.%u, %s)",
				ri.dev, o.t.mountpoint, ri.label_version,
				ns_format_size(ri.label_size, sz, sizeof(sz)));
		ctl_response_free(&resp);
		ctl_target_close(&o.t);
		return rc;
	}

	rc = ctl_target_open(&o.t, CTL_OPEN_WRITE_NOLABELS, &r);
	if (rc)
		return rc;
	rc = ns_region_init_labels(r, o.minor, o.force);
	if (rc == -NS_E_LABELS_EXIST && !ns_region_has_labels(r)) {
		/* a valid area of another size: the message says what it holds */
		rc = ctl_fail_msg(rc, "%s", ns_errormsg());
	} else if (rc == -NS_E_LABELS_EXIST) {
		rc = ctl_fail_msg(rc, "'%s' has a valid label area: use -f to "
				  "overwrite it (its namespaces are forgotten)",
				  o.t.file);
	} else if (rc < 0) {
		rc = ctl_fail_on(rc, o.t.file, "cannot initialise the label area of '%s'",
				 o.t.file);
	} else {
		ctl_msg("initialised the label area of '%s' (v1.%u, %s)", o.t.file,
			ns_region_label_minor(r),
			ns_format_size(ns_region_label_size(r), sz, sizeof(sz)));
	}
	ns_region_close(&r);
	return rc;
}

static const struct ctl_opt zero_labels_opts[] = {
	{ "file", CTL_KEY_FILE, required_argument, "PATH", "the unmounted region file" },
	{ "label-size", CTL_KEY_LABEL_SIZE, required_argument, "SIZE",
	  "size of the label area at the end of the file (default: probe)" },
	/* online mode: refused ("works offline only") */
	{ "mount", CTL_KEY_MOUNT, required_argument, "DIR", NULL },
	{ "socket", CTL_KEY_SOCKET, required_argument, "PATH", NULL },
	{ "force", 'f', no_argument, NULL,
	  "also over a valid label area of another size (it goes too; a larger --label-size zeroes data)" },
	{ 0 },
};

static const struct ctl_usage zero_labels_usage = {
	.name = "zero-labels",
	.args = "--file PATH [-f] [--label-size SIZE]",
	.about = "Overwrite the whole label area with zeroes: every namespace is\n"
		 "forgotten (their data is not touched). init-labels makes the region\n"
		 "usable again. Offline only: unmount the region first (a daemon cannot\n"
		 "serve a region without a label area).",
	.exits = "  239  EEXIST: the file holds a valid label area of another size (use -f)\n"
		 "  240  EBUSY: the region is locked by another process (a daemon)\n"
		 "  234  EINVAL: bad --label-size\n"
		 "  254  ENOENT: no such region file\n",
};

int cmd_zero_labels(int argc, char **argv)
{
	struct ctl_target t = { .offline_only = true };
	struct ns_region *r = NULL;
	struct ctl_parser p;
	bool force = false;
	char sz[32];
	int c, rc;

	ctl_parser_init(&p, &zero_labels_usage, zero_labels_opts);
	while ((c = ctl_parser_next(&p, argc, argv)) != CTL_OPTS_DONE) {
		switch (c) {
		case CTL_OPTS_HELP:
			return 0;
		case CTL_OPTS_ERROR:
			return CTL_EXIT_USAGE;
		case 'f':
			force = true;
			break;
		default:
			rc = ctl_target_opt(&t, &p, c);
			if (rc < 0)
				return ctl_exit_code(rc);
		}
	}
	if (optind < argc)
		return ctl_usage_error(&p, "unexpected argument '%s'", argv[optind]);
	if (!t.file)
		return ctl_usage_error(&p, "no region file given: zero-labels works offline "
				       "only, on an unmounted region: use --file PATH");
	rc = ctl_target_check(&t, &p);
	if (rc)
		return rc;

	rc = ctl_target_open(&t, CTL_OPEN_WRITE_NOLABELS, &r);
	if (rc)
		return rc;
	rc = ns_region_zero_labels(r, force);
	if (rc == -NS_E_LABELS_EXIST)
		rc = ctl_fail_msg(rc, "%s", ns_errormsg());
	else if (rc < 0)
		rc = ctl_fail_on(rc, t.file, "cannot zero the label area of '%s'", t.file);
	else
		ctl_msg("zeroed the label area of '%s' (%s)", t.file,
			ns_format_size(ns_region_label_size(r), sz, sizeof(sz)));
	ns_region_close(&r);
	return rc;
}
