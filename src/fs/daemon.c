// SPDX-License-Identifier: MIT
/*
 * The daemon's state: regions, the tree of namespace files, and what is
 * done to all namespaces at once (persist at exit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "namespace.h"
#include "region.h"

#include "fs.h"
#include "log.h"

static void free_ns(struct fs_ns *n)
{
	fs_ns_persist(n);
	fs_ns_fini(n);
	free(n);
}

int fs_daemon_add_namespace(struct fs_daemon *d, struct fs_region *reg,
			    struct ns_namespace *ns, struct fs_inode **out)
{
	struct fs_inode *file;
	struct fs_ns *n;
	mode_t mode;
	int rc;

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	rc = fs_ns_init(n, ns, ns_region_fd(reg->r), d->cfg.backing);
	if (rc < 0) {
		free(n);
		return rc;
	}
	mode = d->cfg.mode & 07777;
	if (n->readonly)
		mode &= 0444;
	rc = fs_inode_new(&d->itable, reg->dir, ns_namespace_name(ns), S_IFREG | mode,
			  d->cfg.uid, d->cfg.gid, &file);
	if (rc < 0) {
		fs_err("%s: cannot show namespace '%s': %s", ns_region_devname(reg->r),
		       ns_namespace_name(ns), strerror(-rc));
		fs_ns_fini(n);
		free(n);
		return rc;
	}
	/* published: handlers find n through the inode from now on */
	pthread_rwlock_wrlock(&d->itable.lock);
	file->ns = n;
	file->region = reg;
	pthread_rwlock_unlock(&d->itable.lock);
	ns_namespace_set_userdata(ns, file);
	fs_debug("%s/%s: %s, dpa %llu, size %llu%s, %s data path",
		 ns_region_devname(reg->r), file->name, n->devname,
		 (unsigned long long)n->dpa, (unsigned long long)n->size,
		 n->readonly ? ", read-only" : "", n->dfd >= 0 ? "O_DIRECT" : "buffered");
	if (out)
		*out = file;
	return 0;
}

void fs_daemon_remove_namespace(struct fs_daemon *d, struct fs_inode *file)
{
	if (file->ns)
		ns_namespace_set_userdata(file->ns->ns, NULL);
	fs_inode_unlink(&d->itable, file);
}

int fs_daemon_init(struct fs_daemon *d, const struct fs_config *cfg,
		   struct ns_region **regions, unsigned nregions)
{
	struct ns_namespace *ns;
	unsigned i;
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = *cfg;
	rc = fs_itable_init(&d->itable, cfg->uid, cfg->gid, free_ns);
	if (rc < 0)
		goto close_regions;
	d->regions = calloc(nregions ? nregions : 1, sizeof(*d->regions));
	if (!d->regions) {
		fs_itable_fini(&d->itable);
		rc = -ENOMEM;
		goto close_regions;
	}
	/* owned from here on, even on failure */
	for (i = 0; i < nregions; i++) {
		d->regions[i].r = regions[i];
		d->regions[i].id = i;
	}
	d->nregions = nregions;
	for (i = 0; i < nregions; i++) {
		struct fs_region *reg = &d->regions[i];

		rc = fs_inode_new(&d->itable, d->itable.root, ns_region_devname(reg->r),
				  S_IFDIR | 0755, cfg->uid, cfg->gid, &reg->dir);
		if (rc < 0)
			goto fail;
		reg->dir->region = reg;
		ns_region_foreach_namespace(reg->r, ns) {
			if (ns_namespace_state(ns) != NS_STATE_ACTIVE) {
				fs_info("%s: %s not served: %s", ns_region_devname(reg->r),
					ns_namespace_devname(ns), ns_namespace_reason(ns));
				continue;
			}
			rc = fs_daemon_add_namespace(d, reg, ns, NULL);
			if (rc < 0)
				goto fail;
		}
	}
	return 0;
fail:
	fs_daemon_fini(d);
	return rc;
close_regions:
	for (i = 0; i < nregions; i++)
		ns_region_close(&regions[i]);
	return rc;
}

struct persist_all {
	int rc;
};

static void persist_one(struct fs_inode *file, void *arg)
{
	struct persist_all *pa = arg;
	int rc = fs_ns_persist(file->ns);

	if (rc < 0 && pa->rc == 0)
		pa->rc = rc;
}

void fs_daemon_foreach_ns(struct fs_daemon *d,
			  void (*fn)(struct fs_inode *file, void *arg), void *arg)
{
	size_t i;

	pthread_rwlock_rdlock(&d->itable.lock);
	for (i = 0; i < d->itable.cap; i++) {
		struct fs_inode *f = d->itable.v[i];

		if (f && f->kind == FS_INODE_FILE && f->ns)
			fn(f, arg);
	}
	pthread_rwlock_unlock(&d->itable.lock);
}

int fs_daemon_persist_all(struct fs_daemon *d)
{
	struct persist_all pa = { 0 };

	fs_daemon_foreach_ns(d, persist_one, &pa);
	return pa.rc;
}

void fs_daemon_fini(struct fs_daemon *d)
{
	unsigned i;

	if (d->itable.v || d->itable.root)
		fs_itable_fini(&d->itable);
	for (i = 0; i < d->nregions; i++)
		ns_region_close(&d->regions[i].r);
	free(d->regions);
	d->regions = NULL;
	d->nregions = 0;
}
