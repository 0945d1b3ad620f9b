// SPDX-License-Identifier: MIT
/*
 * What the control side's files share below the frame: the kernel
 * notifications a handler records (sent by the frame, control.c, once
 * the daemon lock is dropped) and the lookups of the region and the
 * namespace a request names. The frame (control.c) and the family files
 * (control_query.c, control_ns.c, control_labels.c, control_fault.c)
 * call this file; it calls no control file, so the family files never
 * call back into control.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/error.h"

#include "fs/control.h"
#include "fs/log.h"

/* ---- notifications, sent with no lock held ---- */

void fs_note_add(struct fs_notes *nl, enum fs_note_kind kind, fuse_ino_t parent,
		 fuse_ino_t child, const char *name)
{
	if (nl->n == nl->cap) {
		size_t cap = nl->cap ? nl->cap * 2 : 8;
		struct fs_note *v = realloc(nl->v, cap * sizeof(*v));

		if (!v) {
			/* the entry expires on its own after the entry timeout */
			fs_warn("out of memory: kernel not told about '%s'", name);
			return;
		}
		nl->v = v;
		nl->cap = cap;
	}
	nl->v[nl->n].kind = kind;
	nl->v[nl->n].parent = parent;
	nl->v[nl->n].child = child;
	snprintf(nl->v[nl->n].name, sizeof(nl->v[nl->n].name), "%s", name ? name : "");
	nl->n++;
}

void fs_notes_send(struct fs_daemon *d, struct fs_notes *nl)
{
	size_t i;

	for (i = 0; i < nl->n; i++) {
		struct fs_note *t = &nl->v[i];
		size_t len = strlen(t->name);
		int rc = 0;

		switch (t->kind) {
		case FS_NOTE_NEW:
			rc = fuse_lowlevel_notify_inval_entry(d->se, t->parent, t->name, len);
			break;
		case FS_NOTE_GONE:
			/* the dentry goes and the inode's link count drops */
			rc = fuse_lowlevel_notify_delete(d->se, t->parent, t->child,
							 t->name, len);
			if (rc < 0)
				rc = fuse_lowlevel_notify_inval_entry(d->se, t->parent,
								      t->name, len);
			break;
		case FS_NOTE_DIR:
			rc = fuse_lowlevel_notify_inval_inode(d->se, t->parent, -1, 0);
			break;
		}
		/* ENOENT: the kernel had nothing cached, which is fine */
		if (rc < 0 && rc != -ENOENT)
			fs_debug("notify about '%s' (dir %llu): %s", t->name,
				 (unsigned long long)t->parent, strerror(-rc));
	}
	free(nl->v);
	nl->v = NULL;
	nl->n = nl->cap = 0;
}

/* ---- lookups ---- */

static const char *fs_ctl_region_attr(const struct ctl_request *req)
{
	return req->attrs[CTL_A_REGION] ? nla_get_string(req->attrs[CTL_A_REGION]) : NULL;
}

static void fs_ctl_region_names(struct fs_daemon *d, char *buf, size_t len)
{
	size_t o = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < d->nregions && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				      ns_region_devname(d->regions[i].r));
}

/*
 * The region a request names: "region<N>" or "<N>"; NULL for every region
 * ("all" or no REGION). With need_one, "all" or nothing means the only
 * region, and is an error when there are several.
 */
int fs_ctl_region(struct fs_daemon *d, const struct ctl_request *req, bool need_one,
		  struct fs_region **out)
{
	const char *sel = fs_ctl_region_attr(req);
	char names[256];
	const char *num;
	char *end;
	unsigned long id;

	*out = NULL;
	if (!sel || !strcmp(sel, "all")) {
		if (!need_one)
			return 0;
		if (d->nregions == 1) {
			*out = &d->regions[0];
			return 0;
		}
		fs_ctl_region_names(d, names, sizeof(names));
		return ns_err(-EINVAL, "'%s' serves %u regions (%s): name one with -r",
			      d->mountpoint, d->nregions, names);
	}
	num = strncmp(sel, "region", 6) == 0 ? sel + 6 : sel;
	errno = 0;
	id = strtoul(num, &end, 10);
	if (*num >= '0' && *num <= '9' && *end == '\0' && errno == 0 && id < d->nregions) {
		*out = &d->regions[id];
		return 0;
	}
	fs_ctl_region_names(d, names, sizeof(names));
	return ns_err(-ENOENT, "no region '%s' on '%s' (it serves %s)", sel,
		      d->mountpoint, names);
}

/*
 * The namespace a request names (NAME, UUID or DEV), in reg or, when reg
 * is NULL, in the one region that has it.
 */
int fs_ctl_find(struct fs_daemon *d, const struct ctl_request *req, struct fs_region *reg,
		struct fs_region **rout, struct ns_namespace **out)
{
	char buf[CTL_UUID_STR_LEN];
	const char *spec = ctl_request_ns_spec(req, buf);
	struct fs_region *found_reg = NULL;
	struct ns_namespace *found = NULL;
	unsigned i;

	if (!spec)
		return ns_err(-EINVAL, "no namespace named");
	for (i = 0; i < d->nregions; i++) {
		struct fs_region *r = &d->regions[i];
		struct ns_namespace *ns;

		if (reg && r != reg)
			continue;
		ns_err_clear();
		ns = ns_region_find_namespace(r->r, spec);
		if (!ns && *ns_errormsg())
			return -EINVAL;	/* ambiguous: the message says why */
		if (!ns)
			continue;
		if (found)
			return ns_err(-EINVAL, "'%s' names namespaces in %s and %s: "
				      "name the region with -r", spec,
				      ns_region_devname(found_reg->r),
				      ns_region_devname(r->r));
		found = ns;
		found_reg = r;
	}
	if (!found) {
		if (reg)
			return ns_err(-ENOENT, "no namespace '%s' in %s", spec,
				      ns_region_devname(reg->r));
		return ns_err(-ENOENT, "no namespace '%s' on '%s'", spec, d->mountpoint);
	}
	*rout = found_reg;
	*out = found;
	return 0;
}
