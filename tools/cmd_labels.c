/* SPDX-License-Identifier: MIT */
/*
 * pmemctl read-labels and check-labels (init-labels, zero-labels: cmd_labels_init.c).
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

#include "ns/badblocks.h"
#include "ns/label_check.h"
#include "ns/error.h"
#include "tools/json_out.h"
#include "ns/label.h"
#include "ns/lsa.h"
#include "ns/namespace.h"
#include "tools/online.h"
#include "ctl/client.h"
#include "tools/command.h"
#include "tools/options.h"
#include "tools/pmemctl.h"
#include "ns/region.h"
#include "tools/target.h"
#include "ns/util.h"

/* The label area of a region file, read without the region layer. */
struct pc_area {
	int fd;
	struct ns_io *io;
	struct ns_lsa *lsa;	/* NULL when no index block is valid */
	uint64_t off, size;	/* of the area in the file */
	uint8_t *buf;		/* the area's bytes */
};

static void pc_area_close(struct pc_area *a)
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
 * Open the file read-only and find its label area: --label-size, or probe.
 * Probing that finds nothing is -NS_E_NO_LABELS (reported); with
 * --label-size an area with no valid index is loaded all the same (lsa NULL).
 * Returns 0 or an exit code.
 */
static int pc_area_open(const struct pc_target *t, struct pc_area *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = ns_region_open_file(t->file, true, &a->fd);	/* a region directory's too */
	if (rc < 0)
		return pc_fail_on(rc, t->file, "cannot open '%s'", t->file);
	rc = ns_io_file_new(a->fd, t->file, &a->io);
	if (rc < 0) {
		rc = pc_fail_on(rc, t->file, "cannot read '%s'", t->file);
		goto err;
	}
	if (t->label_size) {
		if (t->label_size > a->io->size || t->label_size < NS_LSA_MIN_SIZE) {
			rc = pc_fail_msg(-EINVAL, "bad value for --label-size: "
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
			rc = pc_fail_msg(rc, "region '%s': %s (use --label-size "
					  "SIZE to read one anyway)", t->file, ns_errormsg());
			ns_err_clear();
			goto err;
		}
		a->off = ns_lsa_offset(a->lsa);
		a->size = ns_lsa_size(a->lsa);
	}
	a->buf = malloc(a->size);
	if (!a->buf) {
		rc = pc_fail_msg(-ENOMEM, "out of memory for a label area of %" PRIu64
				  " bytes", a->size);
		goto err;
	}
	rc = ns_io_read(a->io, a->buf, a->size, a->off);
	if (rc < 0) {
		rc = pc_fail_on(rc, t->file, "cannot read the label area of '%s'", t->file);
		goto err;
	}
	return 0;
err:
	pc_area_close(a);
	return rc;
}

/* Index block i as the area's bytes say (the core's, as check-labels) */
static bool pc_area_index(const struct pc_area *a, int i, uint64_t *off,
			   struct ns_index *idx, char why[NS_WHY_LEN])
{
	return ns_area_index(a->buf, a->size, a->size, i, off, idx, why);
}

static bool pc_area_current(const struct pc_area *a, int i)
{
	return a->lsa && ns_lsa_current(a->lsa) == i;
}

/* ---- read-labels -------------------------------------------------------- */

struct read_labels_cmd {
	struct pc_target t;
	bool json;
	const char *output;
};

#define PC_OPTS_OF struct read_labels_cmd
static const struct pc_opt read_labels_opts[] = {
	PC_TARGET_OPTS,
	OPT_BOOL("json", 'j', json, "decode the index blocks and labels as JSON"),
	OPT_STRING("output", 'o', output, "FILE", "write the raw area to FILE (a new file renamed over FILE: a "
		   "link there is replaced, not followed; a FIFO or device is written as it is, and so is "
		   "what a link of yours or root's leads to if no regular file: -o /dev/stdout)"),
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage read_labels_usage = {
	.name = "read-labels",
	.args = PC_TARGET_ARGS " [-r REGION] [-j] [-o FILE]",
	.about = "Dump the label area at the end of the region file: the raw bytes to\n"
		 "FILE or to stdout (never to a terminal), or decoded with -j: both index\n"
		 "blocks (valid or not, with the reason) and the label of every slot in\n"
		 "use in the current index. Offline it reads the file alone: no lock, no\n"
		 "region checks, so an area whose labels do not fit the file is shown too.\n"
		 "Online the daemon decodes its regions' label areas: -j only.\n\n"
		 PC_TARGET_ABOUT,
	.exits = "  250  ENXIO: no label area found (give --label-size)\n"
		 "  254  ENOENT: no such region file, region (-r) or pmemfs mount (--mount)\n"
		 "  235  EISDIR: -o FILE is a directory (or a link of yours or root's to one)\n"
		 PC_TARGET_EXITS,
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
struct pc_out {
	int fd, dfd;
	char tmp[NAME_MAX + 1];
	const char *base, *path;
};

static bool pc_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       (a->st_mode & S_IFMT) == (b->st_mode & S_IFMT);
}

#define PC_OUT_REPLACE (-1)

/*
 * FILE is no regular file: open what lstat saw (lst) once and check the
 * descriptor is it. 0: o->fd is open; PC_OUT_REPLACE: replace FILE
 * instead (a link we do not follow, or one that leads to a regular file);
 * else the exit code of the error (said).
 */
static int pc_out_open_special(struct pc_out *o, const char *path,
				const struct stat *lst)
{
	int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC;
	bool link = S_ISLNK(lst->st_mode);
	struct stat st, again;
	int fd, fl;

	if (link && lst->st_uid != 0 && lst->st_uid != geteuid())
		return PC_OUT_REPLACE;	/* another user's link: replaced */
	if (!link)
		flags |= O_NOFOLLOW;
	/* no blocking open of a FIFO we did not expect */
	if (link ? stat(path, &st) != 0 || !S_ISFIFO(st.st_mode) : !S_ISFIFO(lst->st_mode))
		flags |= O_NONBLOCK;
	fd = open(path, flags);
	if (fd < 0) {
		if (errno == EISDIR)
			return pc_fail_msg(-EISDIR, "cannot write '%s': a directory", path);
		if (link && (errno == ENOENT || errno == ELOOP))
			return PC_OUT_REPLACE;	/* a dangling link, a loop */
		if (errno == ELOOP)
			return pc_fail_msg(-ELOOP, "cannot write '%s': it changed while "
					    "being opened (now a link)", path);
		return pc_fail_msg(-errno, "cannot write '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		close(fd);
		return pc_fail_msg(rc, "cannot write '%s': %s", path, strerror(-rc));
	}
	if (link) {
		struct stat out;

		/* still the trusted link that was looked at */
		if (lstat(path, &again) != 0 || !pc_same_file(lst, &again) ||
		    again.st_uid != lst->st_uid) {
			close(fd);
			return PC_OUT_REPLACE;
		}
		/* it leads to our stdout (-o /dev/stdout >FILE): write there */
		if (S_ISREG(st.st_mode) && fstat(STDOUT_FILENO, &out) == 0 &&
		    pc_same_file(&st, &out)) {
			close(fd);
			fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
			if (fd < 0)
				return pc_fail_msg(-errno, "cannot write '%s': %s", path,
						    strerror(errno));
			o->fd = fd;
			return 0;
		}
		/* to a file: the link is replaced */
		if (S_ISREG(st.st_mode)) {
			close(fd);
			return PC_OUT_REPLACE;
		}
	} else if (!pc_same_file(lst, &st)) {
		close(fd);
		return pc_fail_msg(-EAGAIN, "cannot write '%s': it changed while being "
				    "opened", path);
	}
	if ((flags & O_NONBLOCK) && (fl = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	o->fd = fd;
	return 0;
}

static int pc_out_open(struct pc_out *o, const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;
	int i;

	memset(o, 0, sizeof(*o));
	o->fd = o->dfd = -1;
	o->path = path;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return pc_fail_msg(-EISDIR, "cannot write '%s': a directory", path);
		i = pc_out_open_special(o, path, &st);
		if (i != PC_OUT_REPLACE)
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
		return pc_fail_msg(-EISDIR, "cannot write '%s': a directory", path);
	o->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dfd < 0)
		return pc_fail_msg(-errno, "cannot write '%s': %s", path, strerror(errno));
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
		return pc_fail_msg(rc, "cannot write '%s': %s", path, strerror(-rc));
	}
	return 0;
}

/* rc: how the writing went; on success the new file takes FILE's name */
static int pc_out_finish(struct pc_out *o, int rc)
{
	if (o->dfd < 0) {
		if (o->fd >= 0 && close(o->fd) < 0 && rc == 0)
			rc = pc_fail_msg(-errno, "cannot write '%s': %s", o->path,
					  strerror(errno));
		return rc;
	}
	if (rc == 0 && fsync(o->fd) < 0)
		rc = pc_fail_msg(-errno, "cannot write '%s': %s", o->path, strerror(errno));
	if (close(o->fd) < 0 && rc == 0)
		rc = pc_fail_msg(-errno, "cannot write '%s': %s", o->path, strerror(errno));
	if (rc == 0 && renameat(o->dfd, o->tmp, o->dfd, o->base) < 0)
		rc = pc_fail_msg(-errno, "cannot write '%s': %s", o->path, strerror(errno));
	if (rc != 0)
		unlinkat(o->dfd, o->tmp, 0);
	close(o->dfd);
	return rc;
}

/* the JSON array to -o FILE (or stdout) */
static int pc_json_output(struct json_object *arr, const char *output)
{
	struct pc_out o;
	int rc;

	if (!output) {
		pc_json_print(arr);
		if (fflush(stdout) != 0)
			return pc_fail_msg(-errno, "cannot write the output: %s",
					    strerror(errno));
		return 0;
	}
	rc = pc_out_open(&o, output);
	if (rc) {
		json_object_put(arr);
		return rc;
	}
	fflush(stdout);
	if (dup2(o.fd, STDOUT_FILENO) < 0) {
		rc = pc_fail_msg(-errno, "cannot write '%s': %s", output, strerror(errno));
		json_object_put(arr);
		return pc_out_finish(&o, rc);
	}
	pc_json_print(arr);
	if (fflush(stdout) != 0)
		rc = pc_fail_msg(-errno, "cannot write '%s': %s", output, strerror(errno));
	return pc_out_finish(&o, rc);
}

/* read-labels -j of a daemon: one entry per region, as offline */
static int pc_read_labels_online(struct pc_target *t, const char *output)
{
	struct ctl_response *resp = NULL;
	struct json_object *arr;
	struct pc_listing l;
	int rc;

	rc = pc_listing_get(t, &l);
	if (rc)
		return rc;
	rc = pc_target_call(t, pc_target_request(t, CTL_CMD_READ_LABELS), &resp);
	if (rc) {
		pc_listing_free(&l);
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
				json_object_array_add(jidx, pc_json_index_info(&x));
			}
			if (a[CTL_A_LABEL] && ctl_label_info_get(a[CTL_A_LABEL], &li) == 0 &&
			    li.region && !strcmp(li.region, ri->dev))
				json_object_array_add(jlab, pc_json_label_info(&li, label_size));
		}
		json_object_object_add(jdev, "index", jidx);
		json_object_object_add(jdev, "label", jlab);
		json_object_array_add(arr, jdev);
	}
	ctl_response_free(&resp);
	pc_listing_free(&l);
	return pc_json_output(arr, output);
}

static int pc_write_all(int fd, const uint8_t *buf, uint64_t len)
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

static struct json_object *pc_labels_json(const struct pc_area *a)
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
		const uint8_t *sig;
		struct ns_index idx;
		uint64_t off;
		bool valid;

		why[0] = '\0';
		valid = pc_area_index(a, i, &off, &idx, why);
		sig = off + NS_INDEX_SIG_LEN <= a->size ? a->buf + off : nosig;

		json_object_array_add(jidx, pc_json_index(sig, &idx, valid, why,
							   pc_area_current(a, i)));
	}
	if (a->lsa) {
		uint32_t s;

		ns_lsa_foreach_slot(a->lsa, s) {
			struct ns_label l;
			int rc;

			why[0] = '\0';
			rc = ns_lsa_label(a->lsa, s, &l, why);
			json_object_array_add(jlab, pc_json_label(&l, s,
					ns_lsa_label_size(a->lsa), rc == 0, why));
		}
	}
	json_object_object_add(jdev, "index", jidx);
	json_object_object_add(jdev, "label", jlab);
	return jdev;
}

static int read_labels_online(void *obj, const struct pc_args *a)
{
	struct read_labels_cmd *o = obj;

	if (!o->json)
		return pc_usage_error(a->p, "online, read-labels decodes the label area: "
				       "use -j (or --file PATH on an unmounted region "
				       "for the raw bytes)");
	return pc_read_labels_online(&o->t, o->output);
}

static int read_labels_offline(void *obj, const struct pc_args *a)
{
	struct read_labels_cmd *o = obj;
	struct pc_area ar;
	struct pc_out out;
	int rc, fd;

	if (!o->json && !o->output && isatty(STDOUT_FILENO))
		return pc_usage_error(a->p, "not writing a binary label area to a terminal: "
				       "use -o FILE, a pipe, or -j");

	rc = pc_area_open(&o->t, &ar);
	if (rc)
		return rc;
	if (o->json) {
		struct json_object *arr = json_object_new_array();

		json_object_array_add(arr, pc_labels_json(&ar));
		rc = pc_json_output(arr, o->output);
		goto out;
	}
	fd = STDOUT_FILENO;
	if (o->output) {
		rc = pc_out_open(&out, o->output);
		if (rc)
			goto out;
		fd = out.fd;
	}
	rc = pc_write_all(fd, ar.buf, ar.size);
	if (rc < 0)
		rc = pc_fail_msg(rc, "cannot write '%s': %s",
				  o->output ? o->output : "stdout", strerror(-rc));
	if (o->output)
		rc = pc_out_finish(&out, rc);
out:
	pc_area_close(&ar);
	return rc;
}

const struct pc_command read_labels_cmd = {
	.usage = &read_labels_usage, .opts = read_labels_opts,
	.size = sizeof(struct read_labels_cmd), .check = pc_args_none,
	.online = read_labels_online, .offline = read_labels_offline,
};

/* ---- check-labels ------------------------------------------------------- */

#define PC_OPTS_OF struct pc_target_cmd
static const struct pc_opt check_labels_opts[] = {
	PC_TARGET_OPTS,
	OPT_END,
};
#undef PC_OPTS_OF

static const struct pc_usage check_labels_usage = {
	.name = "check-labels",
	.args = PC_TARGET_ARGS " [-r REGION]",
	.about = "Check both index blocks, every label in use, and that the region\n"
		 "serves every label (not interleaved, not of a foreign interleave set,\n"
		 "inside the data area, overlapping no other label, no shared uuid: such\n"
		 "labels are all invalid, wherever they sit). Prints one line per problem on\n"
		 "stderr and a JSON summary on stdout (online: one per region). Exits 0\n"
		 "only when both index blocks are valid and every label is served. The\n"
		 "lines are the same online (after the region's name) and offline:\n"
		 "'index block I at offset O of the label area: WHY', 'label in slot N:\n"
		 "WHY', 'label in slot N (namespaceR.N): not served: STATE: REASON'.\n\n"
		 PC_TARGET_ABOUT,
	.exits = "  234  EINVAL: an index block is invalid or a label is bad or not served\n"
		 "  250  ENXIO: no label area (no valid index block)\n"
		 "  254  ENOENT: no such region file, region (-r) or pmemfs mount (--mount)\n"
		 PC_TARGET_EXITS,
};

static int pc_check_labels_online(struct pc_target *t)
{
	struct ctl_response *resp = NULL;
	struct json_object *arr;
	unsigned bad = 0, problems = 0;
	int rc;

	rc = pc_target_call(t, pc_target_request(t, CTL_CMD_CHECK_LABELS), &resp);
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

				pc_msg("%s: %.*s", ci.region, len, p);
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
				       json_object_new_int64((int64_t)(ci.badblocks / NS_BB_BLOCK)));
		json_object_array_add(arr, j);
		bad += !ci.ok;
		problems += n;
	}
	ctl_response_free(&resp);
	pc_json_print(arr);
	if (bad)
		return pc_fail_msg(-EINVAL, "%u problem%s in the label areas of '%s'",
				    problems, problems == 1 ? "" : "s", t->mountpoint);
	return 0;
}

static int check_labels_online(void *t, const struct pc_args *args)
{
	(void)args;
	return pc_check_labels_online(t);
}

/* a finding of the core's walk: one line on stderr (ns_finding_fn) */
static void pc_finding(void *arg, const char *line)
{
	(void)arg;
	pc_msg("%s", line);
}

/*
 * check-labels offline: the core's walk (ns_check_labels, the daemon's
 * too) over the area and the region opened read-only on it, its area found
 * the same way (a probe takes an index block covering too few slots for a
 * smaller area nested below, as the daemon's does); a region that
 * does not open is one more problem, said after the walk's. The area's
 * fields and the counts go into j; the number of problems is returned in
 * *problems, of valid index blocks in *nvalid.
 */
static void pc_check_area(const struct pc_area *a, const struct pc_target *t,
			  struct json_object *j, unsigned *nvalid, unsigned *problems)
{
	const char *file = t->file;
	struct ns_check_area ca = { .io = a->io, .off = a->off, .size = a->size,
				    .lsa = a->lsa };
	char fail[NS_FINDING_LEN] = "";
	struct ns_check_counts n;
	int rc;

	if (a->lsa) {
		/* found as the area was (probed, or --label-size): the same lsa */
		struct ns_region_opts ro = {
			.flags = NS_REGION_RDONLY,
			.label_size = t->label_size,
		};

		json_object_object_add(j, "label_version", json_object_new_string(
				ns_lsa_minor(a->lsa) == 1 ? "1.1" : "1.2"));
		json_object_object_add(j, "nslot", json_object_new_int64(ns_lsa_nslot(a->lsa)));
		json_object_object_add(j, "free_slots",
				       json_object_new_int64(ns_lsa_free_slots(a->lsa)));
		rc = ns_region_open(file, &ro, &ca.r);
		if (rc < 0) {
			snprintf(fail, sizeof(fail), "region '%s': %s", file, ns_errormsg());
			ns_err_clear();
		}
	}
	ns_check_labels(&ca, pc_finding, NULL, &n);
	if (fail[0]) {
		pc_msg("%s", fail);
		n.problems++;
	}
	ns_region_close(&ca.r);
	json_object_object_add(j, "valid_index_blocks", json_object_new_int((int)n.valid_index));
	json_object_object_add(j, "labels", json_object_new_int((int)n.labels));
	json_object_object_add(j, "served", json_object_new_int((int)n.served));
	*nvalid = n.valid_index;
	*problems = n.problems;
}

/* injected media errors are no label problem, but worth knowing */
static void pc_check_badblocks(const char *file, struct json_object *j)
{
	struct ns_badblocks bb = { 0 };
	struct ns_bb_id id;
	char rf[PATH_MAX];
	struct stat st;
	int brc;

	/* a region directory's sidecar is that of its file DIR/region */
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (size_t)snprintf(rf, sizeof(rf), "%s/region", file) < sizeof(rf))
		file = rf;
	ns_bb_id_of_path(file, &id);
	brc = ns_bb_load(file, &id, &bb);
	if (brc == NS_BB_STALE)
		pc_msg("warning: %s", ns_errormsg());
	if (brc >= 0)
		json_object_object_add(j, "badblock_count", json_object_new_int64(
			(int64_t)(ns_bb_bytes(&bb, 0, UINT64_MAX) / NS_BB_BLOCK)));
	ns_bb_free(&bb);
}

static int check_labels_offline(void *obj, const struct pc_args *args)
{
	struct pc_target t = *(struct pc_target *)obj;
	struct pc_area a;
	struct json_object *j;
	unsigned nvalid = 0, problems = 0;
	int rc;

	(void)args;
	rc = pc_area_open(&t, &a);
	if (rc)
		return rc;
	j = json_object_new_object();
	json_object_object_add(j, "dev", json_object_new_string("region0"));
	json_object_object_add(j, "path", json_object_new_string(t.file));
	json_object_object_add(j, "label_size", json_object_new_int64((int64_t)a.size));
	pc_check_area(&a, &t, j, &nvalid, &problems);
	json_object_object_add(j, "problems", json_object_new_int(problems));
	json_object_object_add(j, "valid", json_object_new_boolean(problems == 0));
	pc_check_badblocks(t.file, j);
	pc_json_print(j);

	if (nvalid == 0)
		rc = pc_fail_msg(-ENXIO, "no valid label area in '%s'", t.file);
	else if (problems)
		rc = pc_fail_msg(-EINVAL, "%u problem%s in the label area of '%s'",
				  problems, problems == 1 ? "" : "s", t.file);
	else
		rc = 0;
	pc_area_close(&a);
	return rc;
}

const struct pc_command check_labels_cmd = {
	.usage = &check_labels_usage, .opts = check_labels_opts,
	.size = sizeof(struct pc_target_cmd), .check = pc_args_none,
	.online = check_labels_online, .offline = check_labels_offline,
};
