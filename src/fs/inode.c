// SPDX-License-Identifier: MIT
/*
 * The inode table (see inode.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/inode.h"
#include "fs/nsfile.h"

/* ---- the name hash: (parent ino, name) -> linked inode ---- */

static size_t name_hash(fuse_ino_t parent, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)parent;	/* FNV-1a */

	while (*name)
		h = (h ^ (unsigned char)*name++) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 32));
}

static void hash_put(struct fs_inode_table *t, struct fs_inode *ino)
{
	size_t b;

	if (t->hcount >= t->hmask) {	/* grow: at most one inode per bucket */
		size_t n = (t->hmask + 1) * 2;
		struct fs_inode **h = calloc(n, sizeof(*h));

		if (h) {
			for (size_t i = 0; i <= t->hmask; i++)
				while (t->h[i]) {
					struct fs_inode *c = t->h[i];

					t->h[i] = c->hnext;
					b = name_hash(c->parent->ino, c->name) & (n - 1);
					c->hnext = h[b];
					h[b] = c;
				}
			free(t->h);
			t->h = h;
			t->hmask = n - 1;
		}
		/* without memory the chains grow longer: still correct */
	}
	b = name_hash(ino->parent->ino, ino->name) & t->hmask;
	ino->hnext = t->h[b];
	t->h[b] = ino;
	t->hcount++;
}

static void hash_del(struct fs_inode_table *t, struct fs_inode *ino)
{
	struct fs_inode **pp;

	for (pp = &t->h[name_hash(ino->parent->ino, ino->name) & t->hmask]; *pp;
	     pp = &(*pp)->hnext)
		if (*pp == ino) {
			*pp = ino->hnext;
			ino->hnext = NULL;
			t->hcount--;
			return;
		}
}

static void inode_free(struct fs_inode_table *t, struct fs_inode *ino)
{
	if (ino->ino < t->cap)
		t->v[ino->ino] = NULL;
	if (ino->ns && t->free_ns)
		t->free_ns(ino->ns);
	free(ino);
}

int fs_itable_init(struct fs_inode_table *t, uid_t uid, gid_t gid,
		   void (*free_ns)(struct fs_ns *ns))
{
	int rc;

	memset(t, 0, sizeof(*t));
	pthread_rwlock_init(&t->lock, NULL);
	t->next = FUSE_ROOT_ID;
	t->free_ns = free_ns;
	t->h = calloc(256, sizeof(*t->h));
	if (!t->h) {
		pthread_rwlock_destroy(&t->lock);
		return -ENOMEM;
	}
	t->hmask = 255;
	rc = fs_inode_new(t, NULL, "", S_IFDIR | 0755, uid, gid, &t->root);
	if (rc < 0) {
		free(t->h);
		t->h = NULL;
		pthread_rwlock_destroy(&t->lock);
		return rc;
	}
	t->root->nlookup = 1;	/* the kernel never forgets the root */
	return 0;
}

void fs_itable_fini(struct fs_inode_table *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		if (t->v[i])
			inode_free(t, t->v[i]);
	free(t->v);
	t->v = NULL;
	t->cap = 0;
	t->root = NULL;
	free(t->h);
	t->h = NULL;
	t->hmask = t->hcount = 0;
	pthread_rwlock_destroy(&t->lock);
}

static struct fs_inode *child_find(const struct fs_inode_table *t,
				   const struct fs_inode *dir, const char *name)
{
	struct fs_inode *c;

	for (c = t->h[name_hash(dir->ino, name) & t->hmask]; c; c = c->hnext)
		if (c->parent == dir && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int fs_inode_new(struct fs_inode_table *t, struct fs_inode *parent,
		 const char *name, mode_t mode, uid_t uid, gid_t gid,
		 struct fs_inode **out)
{
	struct fs_inode *ino;
	struct timespec now;
	int rc = 0;

	if (strlen(name) >= FS_NAME_MAX)
		return -ENAMETOOLONG;
	ino = calloc(1, sizeof(*ino));
	if (!ino)
		return -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &now);
	strcpy(ino->name, name);
	ino->kind = S_ISDIR(mode) ? FS_INODE_DIR : FS_INODE_FILE;
	ino->mode = mode;
	ino->uid = uid;
	ino->gid = gid;
	ino->atime = ino->mtime = ino->ctime = now;

	pthread_rwlock_wrlock(&t->lock);
	if (parent && child_find(t, parent, name)) {
		rc = -EEXIST;
		goto unlock;
	}
	if (t->next >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct fs_inode **v = realloc(t->v, cap * sizeof(*v));

		if (!v) {
			rc = -ENOMEM;
			goto unlock;
		}
		memset(v + t->cap, 0, (cap - t->cap) * sizeof(*v));
		t->v = v;
		t->cap = cap;
	}
	ino->ino = t->next++;
	t->v[ino->ino] = ino;
	ino->parent = parent;
	if (parent) {
		ino->prev = parent->child_last;
		if (parent->child_last)
			parent->child_last->next = ino;
		else
			parent->child_first = ino;
		parent->child_last = ino;
		hash_put(t, ino);
		if (ino->kind == FS_INODE_DIR)
			parent->nsubdirs++;
		parent->mtime = parent->ctime = now;
	}
	ino->linked = true;
unlock:
	pthread_rwlock_unlock(&t->lock);
	if (rc < 0) {
		free(ino);
		return rc;
	}
	if (out)
		*out = ino;
	return 0;
}

int fs_inode_rename(struct fs_inode_table *t, struct fs_inode *ino, const char *name)
{
	struct fs_inode *other;
	int rc = 0;

	if (strlen(name) >= FS_NAME_MAX)
		return -ENAMETOOLONG;
	pthread_rwlock_wrlock(&t->lock);
	other = ino->parent ? child_find(t, ino->parent, name) : NULL;
	if (other && other != ino) {
		rc = -EEXIST;
	} else if (!other) {
		if (ino->linked && ino->parent)
			hash_del(t, ino);
		strcpy(ino->name, name);
		if (ino->linked && ino->parent)
			hash_put(t, ino);
		if (ino->parent) {
			clock_gettime(CLOCK_REALTIME, &ino->parent->mtime);
			ino->parent->ctime = ino->parent->mtime;
		}
		ino->ctime = ino->parent ? ino->parent->mtime : ino->ctime;
	}
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

static bool inode_busy(const struct fs_inode *ino);

void fs_inode_unlink(struct fs_inode_table *t, struct fs_inode *ino)
{
	struct fs_inode *p;

	pthread_rwlock_wrlock(&t->lock);
	p = ino->parent;
	if (ino->linked && p) {
		hash_del(t, ino);
		if (ino->prev)
			ino->prev->next = ino->next;
		else
			p->child_first = ino->next;
		if (ino->next)
			ino->next->prev = ino->prev;
		else
			p->child_last = ino->prev;
		if (ino->kind == FS_INODE_DIR)
			p->nsubdirs--;
		clock_gettime(CLOCK_REALTIME, &p->mtime);
		p->ctime = p->mtime;
	}
	ino->linked = false;
	ino->prev = ino->next = NULL;
	if (__atomic_load_n(&ino->nlookup, __ATOMIC_SEQ_CST) == 0 && !inode_busy(ino))
		inode_free(t, ino);
	pthread_rwlock_unlock(&t->lock);
}

/* open handles and children keep an inode */
static bool inode_busy(const struct fs_inode *ino)
{
	bool busy = false;

	if (ino->child_first)
		return true;
	if (ino->ns) {
		pthread_mutex_lock(&ino->ns->lock);
		busy = ino->ns->handles > 0;
		pthread_mutex_unlock(&ino->ns->lock);
	}
	return busy;
}

struct fs_inode *fs_inode_get(struct fs_inode_table *t, fuse_ino_t ino)
{
	struct fs_inode *i = NULL;

	pthread_rwlock_rdlock(&t->lock);
	if (ino < t->cap)
		i = t->v[ino];
	pthread_rwlock_unlock(&t->lock);
	return i;
}

int fs_inode_lookup(struct fs_inode_table *t, fuse_ino_t parent, const char *name,
		    double timeout, struct fuse_entry_param *e)
{
	struct fs_inode *dir, *c;
	int rc = 0;

	memset(e, 0, sizeof(*e));
	pthread_rwlock_rdlock(&t->lock);
	dir = parent < t->cap ? t->v[parent] : NULL;
	if (!dir) {
		rc = -ENOENT;
		goto out;
	}
	if (dir->kind != FS_INODE_DIR) {
		rc = -ENOTDIR;
		goto out;
	}
	if (strcmp(name, ".") == 0)
		c = dir;
	else if (strcmp(name, "..") == 0)
		c = dir->parent ? dir->parent : dir;
	else
		c = child_find(t, dir, name);
	if (!c) {
		rc = -ENOENT;
		goto out;
	}
	__atomic_fetch_add(&c->nlookup, 1, __ATOMIC_SEQ_CST);
	e->ino = c->ino;
	e->generation = 0;
	e->attr_timeout = fs_inode_attr_timeout(t, c, timeout);
	e->entry_timeout = timeout;
	fs_inode_stat_locked(c, &e->attr);
out:
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

void fs_inode_forget(struct fs_inode_table *t, fuse_ino_t ino, uint64_t n)
{
	struct fs_inode *i;

	pthread_rwlock_wrlock(&t->lock);
	i = ino < t->cap ? t->v[ino] : NULL;
	if (i && i != t->root) {
		uint64_t left = __atomic_load_n(&i->nlookup, __ATOMIC_SEQ_CST);

		left = n > left ? 0 : left - n;
		__atomic_store_n(&i->nlookup, left, __ATOMIC_SEQ_CST);
		if (left == 0 && !i->linked && !inode_busy(i))
			inode_free(t, i);
	}
	pthread_rwlock_unlock(&t->lock);
}

void fs_inode_release_handle(struct fs_inode_table *t, struct fs_inode *i)
{
	/*
	 * The drop and the check under one table lock: a FORGET racing with
	 * the last RELEASE then frees the inode exactly once, and never
	 * while this thread still looks at it.
	 */
	pthread_rwlock_wrlock(&t->lock);
	pthread_mutex_lock(&i->ns->lock);
	i->ns->handles--;
	pthread_mutex_unlock(&i->ns->lock);
	if (!i->linked && __atomic_load_n(&i->nlookup, __ATOMIC_SEQ_CST) == 0 &&
	    !inode_busy(i))
		inode_free(t, i);
	pthread_rwlock_unlock(&t->lock);
}

double fs_inode_attr_timeout(const struct fs_inode_table *t, const struct fs_inode *ino,
			      double timeout)
{
	/*
	 * data changes the daemon does not see (a passthrough mapping's
	 * stores) move the times with no request to invalidate the kernel's
	 * copy: it asks every time. Without passthrough on the connection
	 * the daemon sees every change, and the attributes are cached.
	 */
	if (t->passthrough && ino->ns && ino->ns->rops && ino->ns->rops->refresh_times)
		return 0;
	return timeout;
}

void fs_inode_stat_locked(const struct fs_inode *ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino->ino;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_atim = ino->atime;
	st->st_mtim = ino->mtime;
	st->st_ctim = ino->ctime;
	st->st_blksize = 4096;
	if (ino->kind == FS_INODE_DIR) {
		st->st_nlink = 2 + ino->nsubdirs;
		st->st_size = 4096;
	} else {
		st->st_nlink = ino->linked ? 1 : 0;
		st->st_size = ino->ns ? (off_t)ino->ns->size : 0;
		st->st_blocks = st->st_size / 512;
	}
	if (ino->ns) {
		/* a later data change is the file's mtime and ctime */
		int64_t t;
		struct timespec w;

		if (ino->ns->rops && ino->ns->rops->refresh_times)
			ino->ns->rops->refresh_times(ino->ns);
		t = __atomic_load_n(&ino->ns->data_time, __ATOMIC_RELAXED);
		w = (struct timespec){ t / 1000000000, t % 1000000000 };

		if (t && (w.tv_sec > st->st_mtim.tv_sec ||
			  (w.tv_sec == st->st_mtim.tv_sec && w.tv_nsec > st->st_mtim.tv_nsec)))
			st->st_mtim = w;
		if (t && (w.tv_sec > st->st_ctim.tv_sec ||
			  (w.tv_sec == st->st_ctim.tv_sec && w.tv_nsec > st->st_ctim.tv_nsec)))
			st->st_ctim = w;
	}
}

void fs_inode_stat(struct fs_inode_table *t, const struct fs_inode *ino,
		   struct stat *st)
{
	pthread_rwlock_rdlock(&t->lock);
	fs_inode_stat_locked(ino, st);
	pthread_rwlock_unlock(&t->lock);
}

size_t fs_inode_readdir(struct fs_inode_table *t, fuse_req_t req,
			struct fs_inode *dir, char *buf, size_t size, off_t off)
{
	struct fs_inode *c;
	struct stat st;
	size_t used = 0, l;

	memset(&st, 0, sizeof(st));
	pthread_rwlock_rdlock(&t->lock);
	if (off < 1) {
		st.st_ino = dir->ino;
		st.st_mode = S_IFDIR;
		l = fuse_add_direntry(req, buf + used, size - used, ".", &st, 1);
		if (l > size - used)
			goto out;
		used += l;
	}
	if (off < 2) {
		st.st_ino = dir->parent ? dir->parent->ino : dir->ino;
		st.st_mode = S_IFDIR;
		l = fuse_add_direntry(req, buf + used, size - used, "..", &st, 2);
		if (l > size - used)
			goto out;
		used += l;
	}
	for (c = dir->child_first; c; c = c->next) {
		if ((off_t)(c->ino + 2) <= off)
			continue;
		st.st_ino = c->ino;
		st.st_mode = c->mode & S_IFMT;
		l = fuse_add_direntry(req, buf + used, size - used, c->name, &st,
				      (off_t)(c->ino + 2));
		if (l > size - used)
			break;
		used += l;
	}
out:
	pthread_rwlock_unlock(&t->lock);
	return used;
}
