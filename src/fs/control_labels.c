// SPDX-License-Identifier: MIT
/*
 * The label commands: read-labels and check-labels (queries, no
 * ctl_lock), init-labels and move-region (changes). All run in the frame
 * (control.c) with the daemon lock held and their region found.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/label_check.h"
#include "ns/error.h"
#include "ns/lsa.h"
#include "ctl/record.h"

#include "fs/control.h"
#include "fs/log.h"

/* ---- labels ---- */

int fs_ctl_read_labels(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	struct ctl_reply *rep = c->rep;
	struct fs_region *sel = c->reg;
	unsigned i;
	int rc = 0;

	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];
		struct ns_lsa *lsa = ns_region_lsa(reg->r);
		const char *dev = ns_region_devname(reg->r);
		char why[NS_WHY_LEN];
		struct nl_msg *m;
		uint32_t s;

		if ((sel && reg != sel) || !lsa)
			continue;
		for (int k = 0; k < 2 && rc == 0; k++) {
			struct ctl_index_info x = { .region = dev, .num = (uint32_t)k };
			struct ns_index idx;

			memset(&idx, 0, sizeof(idx));
			why[0] = '\0';
			x.valid = ns_lsa_index(lsa, k, &idx, why);
			x.current = ns_lsa_current(lsa) == k;
			if (x.valid)
				ctl_index_info_of(&idx, &x);
			else
				x.reason = why;
			if (x.current)
				x.free = ns_lsa_free_slots(lsa);
			m = ctl_reply_part(rep);
			rc = m ? ctl_index_info_put(m, &x) : -ENOMEM;
		}
		ns_lsa_foreach_slot(lsa, s) {
			struct ctl_label_info li = { .region = dev, .slot = s };
			struct ns_label l;

			if (rc)
				break;
			why[0] = '\0';
			li.valid = ns_lsa_label(lsa, s, &l, why) == 0;
			if (!li.valid)
				li.reason = why;
			ctl_label_info_of(&l, &li);
			m = ctl_reply_part(rep);
			rc = m ? ctl_label_info_put(m, &li) : -ENOMEM;
		}
	}
	return rc;
}

/* check-labels' findings of one region, as the reply's problems text */
struct fs_ctl_problems {
	char *buf;
	size_t len;	/* < the protocol's 4096-byte limit */
};

/* Append a finding line (ns_finding_fn); lines that do not fit are dropped. */
static void fs_ctl_problem(void *arg, const char *line)
{
	struct fs_ctl_problems *p = arg;
	size_t o = strlen(p->buf);

	if (o + 2 >= p->len)
		return;
	if (o)
		p->buf[o++] = '\n';
	snprintf(p->buf + o, p->len - o, "%s", line);
}

int fs_ctl_check_labels(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	struct fs_region *sel = c->reg;
	struct fs_ctl_problems p = { .len = 4000 };
	unsigned i;
	int rc = 0;

	p.buf = malloc(p.len);
	if (!p.buf)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < d->nregions; i++) {
		struct fs_region *reg = &d->regions[i];
		struct ctl_check_info ci = { .region = ns_region_devname(reg->r) };
		uint64_t lsz = ns_region_label_size(reg->r);
		struct ns_check_area a = {
			.io = ns_region_io(reg->r),
			.off = ns_region_size(reg->r) - lsz, .size = lsz,
			.lsa = ns_region_lsa(reg->r), .r = reg->r,
		};
		struct ns_check_counts n;
		struct nl_msg *m;

		if (sel && reg != sel)
			continue;
		p.buf[0] = '\0';
		/* the walk and its words are the core's, as offline */
		ns_check_labels(&a, fs_ctl_problem, &p, &n);
		ci.labels = n.labels;
		ci.ok = n.problems == 0;
		ci.problems = p.buf[0] ? p.buf : NULL;
		ci.badblocks = fs_media_bytes(reg->media, 0, UINT64_MAX);
		m = ctl_reply_part(c->rep);
		rc = m ? ctl_check_info_put(m, &ci) : -ENOMEM;
	}
	free(p.buf);
	return rc;
}

int fs_ctl_init_labels(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	const struct ctl_request *req = c->req;
	struct fs_region *reg = c->reg;
	bool force = ctl_request_flags(req) & CTL_F_FORCE;
	unsigned minor = req->attrs[CTL_A_LABEL_VERSION] ?
			 nla_get_u32(req->attrs[CTL_A_LABEL_VERSION]) : 0;
	struct fs_inode **files = NULL;
	struct ns_namespace *ns;
	unsigned n = 0, k;
	struct nl_msg *m;
	int rc;

	ns_region_foreach_namespace(reg->r, ns)
		n++;
	if (n && !force) {
		rc = ns_err(-NS_E_LABELS_EXIST, "%s has %u namespace%s: use -f to forget "
			    "%s (the data is kept)", ns_region_devname(reg->r), n,
			    n == 1 ? "" : "s", n == 1 ? "it" : "them");
		goto out;
	}
	/* a valid area of another size (-o label_size=) is not ours to drop */
	if (!force) {
		rc = ns_region_check_other_area(reg->r, false);
		if (rc)
			goto out;
	}
	ns_region_foreach_namespace(reg->r, ns) {
		if (ns_namespace_holders(ns)) {
			rc = ns_err(-EBUSY, "cannot initialise the labels of %s: namespace "
				    "'%s' is in use (open or mapped)",
				    ns_region_devname(reg->r), ns_namespace_name(ns));
			goto out;
		}
	}
	files = calloc(n ? n : 1, sizeof(*files));
	if (!files) {
		rc = ns_err(-ENOMEM, "out of memory");
		goto out;
	}
	n = 0;
	ns_region_foreach_namespace(reg->r, ns)
		if (fs_ctl_file(ns))
			files[n++] = fs_ctl_file(ns);
	/* an empty area is re-made without force: nothing is lost */
	rc = ns_region_init_labels(reg->r, minor, true);
	if (rc)
		goto out;
	/* the core freed the namespaces: their files go without them */
	for (k = 0; k < n; k++)
		fs_ctl_unlink(d, reg, files[k], &c->notes);
	fs_info("%s: label area initialised (v1.%u) for uid %u, %u namespace%s forgotten",
		ns_region_devname(reg->r), ns_region_label_minor(reg->r),
		(unsigned)req->cred.uid, n, n == 1 ? "" : "s");
	m = ctl_reply_msg(c->rep);
	rc = m ? fs_ctl_put_region(m, reg) : -ENOMEM;
out:
	free(files);
	return rc;
}

/* ---- move-region ---- */

/*
 * Every label's cookie for another nvdimm slot, in one commit (the core,
 * ns_region_set_nvdimm_slot). The namespace objects stay, and so do the
 * files of the served ones: open handles and mappings are untouched (no
 * data moves). A namespace whose label carried the new slot's cookie
 * already (FOREIGN before) is served now, as a restart would serve it.
 */
int fs_ctl_move_region(struct fs_ctl_call *c)
{
	struct fs_daemon *d = c->d;
	const struct ctl_request *req = c->req;
	struct fs_region *reg = c->reg;
	struct fs_notes *nl = &c->notes;
	uint32_t slot = nla_get_u32(req->attrs[CTL_A_NVDIMM_SLOT]), old = 0;
	struct ns_namespace *ns, **was = NULL;
	unsigned n = 0, k, moved = 0, served = 0;
	bool had_slot;
	struct nl_msg *m;
	int rc;

	had_slot = ns_region_nvdimm_slot(reg->r, &old);
	ns_region_foreach_namespace(reg->r, ns)
		n++;
	/* the namespaces not served before: those that become ACTIVE are new */
	was = calloc(n + 1, sizeof(*was));
	if (!was) {
		rc = ns_err(-ENOMEM, "out of memory");
		goto out;
	}
	n = 0;
	ns_region_foreach_namespace(reg->r, ns)
		if (ns_namespace_state(ns) != NS_STATE_ACTIVE)
			was[n++] = ns;
	rc = ns_region_set_nvdimm_slot(reg->r, slot, &moved);
	if (rc)
		goto out;
	for (k = 0; k < n; k++) {
		struct fs_inode *file = NULL;

		ns = was[k];
		if (ns_namespace_state(ns) != NS_STATE_ACTIVE || fs_ctl_file(ns))
			continue;
		rc = fs_daemon_add_namespace(d, reg, ns, &file);
		if (rc) {
			/* the labels are moved; this one stays unserved (enable-namespace) */
			fs_warn("%s: cannot serve %s after the move: %s",
				ns_region_devname(reg->r), ns_namespace_devname(ns),
				strerror(-rc));
			rc = 0;
			continue;
		}
		fs_note_add(nl, FS_NOTE_NEW, reg->dir->ino, file->ino, file->name);
		fs_note_add(nl, FS_NOTE_DIR, reg->dir->ino, 0, reg->dir->name);
		served++;
	}
	fs_ctl_sync_names(d, reg, nl);
	if (had_slot)
		fs_info("%s: moved from nvdimm slot %u to %u for uid %u (%u label%s "
			"rewritten, %u namespace%s newly served)",
			ns_region_devname(reg->r), (unsigned)old, (unsigned)slot,
			(unsigned)req->cred.uid, moved, moved == 1 ? "" : "s", served,
			served == 1 ? "" : "s");
	else
		fs_info("%s: moved to nvdimm slot %u for uid %u (%u label%s rewritten, "
			"%u namespace%s newly served)", ns_region_devname(reg->r),
			(unsigned)slot, (unsigned)req->cred.uid, moved,
			moved == 1 ? "" : "s", served, served == 1 ? "" : "s");
	m = ctl_reply_msg(c->rep);
	rc = m ? fs_ctl_put_region(m, reg) : -ENOMEM;
	if (rc == 0)
		rc = ctl_put_u32(m, CTL_A_COUNT, moved);
out:
	free(was);
	return rc;
}
