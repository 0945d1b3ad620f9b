// SPDX-License-Identifier: MIT
/*
 * A served namespace's object (nsfile.h): set up from the core's
 * namespace and its region's layout (region_ops.h), the writers in flight, the
 * destroyed mark, the handle count. Fault state, when it has any, is
 * freed with it through its hook.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ns/namespace.h"

#include "fs/fault_hook.h"
#include "fs/nsfile.h"

int fs_ns_init(struct fs_ns *n, struct ns_namespace *ns, const struct fs_region_ops *rops,
	       struct fs_rio *rio)
{
	int rc;

	memset(n, 0, sizeof(*n));
	n->ns = ns;
	n->rops = rops;
	n->rio = rio;
	snprintf(n->devname, sizeof(n->devname), "%s", ns_namespace_devname(ns));
	n->dpa = ns_namespace_dpa(ns);
	n->size = ns_namespace_size(ns);
	n->readonly = ns_namespace_readonly(ns);
	pthread_mutex_init(&n->flush_lock, NULL);
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->idle, NULL);
	/* errors before this namespace was served are not its own */
	rc = rops->ns_open(n);
	if (rc < 0) {
		n->rops = NULL;
		fs_ns_fini(n);
	}
	return rc;
}

void fs_ns_fini(struct fs_ns *n)
{
	if (n->fault) {
		n->fault->ops->free(n->fault);
		n->fault = NULL;
	}
	if (n->rops)
		n->rops->ns_close(n);
	n->rops = NULL;
	n->rio = NULL;	/* the region's: closed with it */
	pthread_cond_destroy(&n->idle);
	pthread_mutex_destroy(&n->lock);
	pthread_mutex_destroy(&n->flush_lock);
}

int fs_ns_io_get(struct fs_ns *n)
{
	return n->rops->ns_get ? n->rops->ns_get(n) : 0;
}

void fs_ns_io_put(struct fs_ns *n)
{
	if (n->rops->ns_put)
		n->rops->ns_put(n);
}

int fs_ns_write_begin(struct fs_ns *n)
{
	int rc = 0;

	pthread_mutex_lock(&n->lock);
	if (n->destroyed)
		rc = -EIO;
	else
		n->writers++;
	pthread_mutex_unlock(&n->lock);
	return rc;
}

void fs_ns_write_end(struct fs_ns *n)
{
	pthread_mutex_lock(&n->lock);
	if (--n->writers == 0)
		pthread_cond_broadcast(&n->idle);
	pthread_mutex_unlock(&n->lock);
}

void fs_ns_mark_destroyed(struct fs_ns *n, bool destroyed)
{
	pthread_mutex_lock(&n->lock);
	n->destroyed = destroyed;
	while (destroyed && n->writers)
		pthread_cond_wait(&n->idle, &n->lock);
	pthread_mutex_unlock(&n->lock);
}

bool fs_ns_destroyed(struct fs_ns *n)
{
	bool d;

	pthread_mutex_lock(&n->lock);
	d = n->destroyed;
	pthread_mutex_unlock(&n->lock);
	return d;
}

unsigned fs_ns_handles(struct fs_ns *n)
{
	unsigned h;

	pthread_mutex_lock(&n->lock);
	h = n->handles;
	pthread_mutex_unlock(&n->lock);
	return h;
}
