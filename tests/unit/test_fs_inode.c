/* SPDX-License-Identifier: MIT */
/*
 * The inode table (src/fs/inode.c) without a mount: insert, lookup (with
 * "." and ".."), rename, unlink, forget and open handles deciding when an
 * inode is freed, inode numbers never reused (generation 0), the name hash
 * growing, stat and READDIR offsets. Linked with inode.c and libfuse only
 * (fuse_add_direntry, which does not use its request).
 */
#include <errno.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fs/inode.h"
#include "fs/nsfile.h"

static unsigned freed;		/* namespaces released by the table */

static void free_ns(struct fs_ns *n)
{
	pthread_mutex_destroy(&n->lock);
	free(n);
	freed++;
}

static struct fs_ns *ns_new(uint64_t size)
{
	struct fs_ns *n = calloc(1, sizeof(*n));

	assert_non_null(n);
	pthread_mutex_init(&n->lock, NULL);
	n->size = size;
	return n;
}

static int setup(void **state)
{
	struct fs_inode_table *t = calloc(1, sizeof(*t));

	if (!t || fs_itable_init(t, 1000, 1001, free_ns) < 0)
		return -1;
	freed = 0;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	fs_itable_fini(*state);
	free(*state);
	return 0;
}

/* a namespace file name in dir (owned by the inode) */
static struct fs_inode *file_new(struct fs_inode_table *t, struct fs_inode *dir,
				 const char *name, uint64_t size)
{
	struct fs_inode *f = NULL;

	assert_int_equal(fs_inode_new(t, dir, name, S_IFREG | 0600, 1000, 1001, &f), 0);
	f->ns = ns_new(size);
	return f;
}

static struct fs_inode *dir_new(struct fs_inode_table *t, const char *name)
{
	struct fs_inode *d = NULL;

	assert_int_equal(fs_inode_new(t, t->root, name, S_IFDIR | 0755, 1000, 1001, &d), 0);
	return d;
}

static void test_inode_root(void **state)
{
	struct fs_inode_table *t = *state;
	struct fuse_entry_param e;

	assert_non_null(t->root);
	assert_int_equal(t->root->ino, FUSE_ROOT_ID);
	assert_ptr_equal(fs_inode_get(t, FUSE_ROOT_ID), t->root);
	assert_null(fs_inode_get(t, 0));
	assert_null(fs_inode_get(t, 2));
	assert_null(fs_inode_get(t, (fuse_ino_t)-1));
	/* "." and ".." of the root are the root */
	assert_int_equal(fs_inode_lookup(t, FUSE_ROOT_ID, ".", 1.0, &e), 0);
	assert_int_equal(e.ino, FUSE_ROOT_ID);
	assert_int_equal(fs_inode_lookup(t, FUSE_ROOT_ID, "..", 1.0, &e), 0);
	assert_int_equal(e.ino, FUSE_ROOT_ID);
	assert_true(S_ISDIR(e.attr.st_mode));
	assert_int_equal(e.attr.st_nlink, 2);
	assert_int_equal(e.attr.st_uid, 1000);
	assert_int_equal(e.attr.st_gid, 1001);
	/* the kernel never forgets the root */
	fs_inode_forget(t, FUSE_ROOT_ID, 1000);
	assert_ptr_equal(fs_inode_get(t, FUSE_ROOT_ID), t->root);
}

static void test_inode_insert_lookup(void **state)
{
	struct fs_inode_table *t = *state;
	struct fs_inode *r0, *r1, *a, *b, *x = NULL;
	struct fuse_entry_param e;
	char name[FS_NAME_MAX + 1];

	r0 = dir_new(t, "region0");
	r1 = dir_new(t, "region1");
	a = file_new(t, r0, "a", 1 << 20);
	b = file_new(t, r1, "a", 2 << 20);	/* the same name elsewhere */
	assert_int_equal(r0->ino, 2);
	assert_int_equal(r1->ino, 3);
	assert_int_equal(a->ino, 4);
	assert_int_equal(b->ino, 5);
	/* a name is taken once per directory */
	assert_int_equal(fs_inode_new(t, r0, "a", S_IFREG | 0600, 0, 0, &x), -EEXIST);
	assert_null(x);
	/* names up to 63 bytes */
	memset(name, 'n', FS_NAME_MAX);
	name[FS_NAME_MAX] = '\0';
	assert_int_equal(fs_inode_new(t, r0, name, S_IFREG | 0600, 0, 0, &x), -ENAMETOOLONG);
	name[FS_NAME_MAX - 1] = '\0';
	assert_int_equal(fs_inode_new(t, r0, name, S_IFREG | 0600, 0, 0, &x), 0);
	assert_string_equal(x->name, name);

	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 2.5, &e), 0);
	assert_int_equal(e.ino, a->ino);
	assert_int_equal(e.generation, 0);
	assert_true(e.attr_timeout == 2.5 && e.entry_timeout == 2.5);
	assert_int_equal(e.attr.st_ino, a->ino);
	assert_true(S_ISREG(e.attr.st_mode));
	assert_int_equal(e.attr.st_mode & 07777, 0600);
	assert_int_equal(e.attr.st_size, 1 << 20);
	assert_int_equal(e.attr.st_nlink, 1);
	assert_int_equal(a->nlookup, 1);
	assert_int_equal(fs_inode_lookup(t, r1->ino, "a", 1.0, &e), 0);
	assert_int_equal(e.ino, b->ino);
	assert_int_equal(e.attr.st_size, 2 << 20);
	/* ".." of a region directory is the root; subdirectories count in nlink */
	assert_int_equal(fs_inode_lookup(t, r0->ino, "..", 1.0, &e), 0);
	assert_int_equal(e.ino, FUSE_ROOT_ID);
	assert_int_equal(e.attr.st_nlink, 4);
	/* what is not there */
	assert_int_equal(fs_inode_lookup(t, r0->ino, "b", 1.0, &e), -ENOENT);
	assert_int_equal(e.ino, 0);
	assert_int_equal(fs_inode_lookup(t, a->ino, "x", 1.0, &e), -ENOTDIR);
	assert_int_equal(fs_inode_lookup(t, 999, "a", 1.0, &e), -ENOENT);
	assert_int_equal(fs_inode_lookup(t, (fuse_ino_t)-1, "a", 1.0, &e), -ENOENT);
	assert_int_equal(a->nlookup, 1);	/* failed lookups count nothing */
}

static void test_inode_rename(void **state)
{
	struct fs_inode_table *t = *state;
	struct fs_inode *r0, *a, *b;
	struct fuse_entry_param e;

	r0 = dir_new(t, "region0");
	a = file_new(t, r0, "a", 4096);
	b = file_new(t, r0, "b", 4096);
	assert_int_equal(fs_inode_rename(t, a, "b"), -EEXIST);
	assert_int_equal(fs_inode_rename(t, a, "a"), 0);	/* its own name */
	assert_int_equal(fs_inode_rename(t, a, "c"), 0);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), -ENOENT);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "c", 1.0, &e), 0);
	assert_int_equal(e.ino, a->ino);	/* the same inode, the same number */
	assert_int_equal(fs_inode_lookup(t, r0->ino, "b", 1.0, &e), 0);
	assert_int_equal(e.ino, b->ino);
	/* the old name is free again */
	assert_int_equal(fs_inode_rename(t, b, "a"), 0);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), 0);
	assert_int_equal(e.ino, b->ino);
}

/* an unlinked inode lives while the kernel holds it (LOOKUP - FORGET > 0) */
static void test_inode_forget(void **state)
{
	struct fs_inode_table *t = *state;
	struct fs_inode *r0, *a;
	struct fuse_entry_param e;
	fuse_ino_t ino;

	r0 = dir_new(t, "region0");
	a = file_new(t, r0, "a", 4096);
	ino = a->ino;
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), 0);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), 0);
	assert_int_equal(a->nlookup, 2);
	/* a linked inode is never freed by FORGET */
	fs_inode_forget(t, ino, 2);
	assert_ptr_equal(fs_inode_get(t, ino), a);
	assert_int_equal(a->nlookup, 0);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), 0);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), 0);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), 0);

	fs_inode_unlink(t, a);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), -ENOENT);
	assert_ptr_equal(fs_inode_get(t, ino), a);	/* still the kernel's */
	assert_false(a->linked);
	fs_inode_stat(t, a, &e.attr);
	assert_int_equal(e.attr.st_nlink, 0);
	fs_inode_forget(t, ino, 1);
	assert_ptr_equal(fs_inode_get(t, ino), a);
	assert_int_equal(freed, 0);
	/* more than it holds: clamped, freed once */
	fs_inode_forget(t, ino, 5);
	assert_null(fs_inode_get(t, ino));
	assert_int_equal(freed, 1);
	fs_inode_forget(t, ino, 1);		/* a stale FORGET: nothing */
	assert_int_equal(freed, 1);
	/* the name can be reused, the number is not */
	a = file_new(t, r0, "a", 4096);
	assert_true(a->ino > ino);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), 0);
	assert_int_equal(e.ino, a->ino);
	assert_int_equal(e.generation, 0);
	assert_null(fs_inode_get(t, ino));
}

static void test_inode_unlink_unheld(void **state)
{
	struct fs_inode_table *t = *state;
	struct fs_inode *r0, *a, *b, *c;
	struct fuse_entry_param e;
	fuse_ino_t ino;

	r0 = dir_new(t, "region0");
	a = file_new(t, r0, "a", 4096);
	b = file_new(t, r0, "b", 4096);
	c = file_new(t, r0, "c", 4096);
	ino = b->ino;
	/* never looked up, no handle: freed at once; siblings stay linked */
	fs_inode_unlink(t, b);
	assert_null(fs_inode_get(t, ino));
	assert_int_equal(freed, 1);
	assert_ptr_equal(r0->child_first, a);
	assert_ptr_equal(a->next, c);
	assert_ptr_equal(c->prev, a);
	assert_ptr_equal(r0->child_last, c);
	fs_inode_unlink(t, c);
	assert_ptr_equal(r0->child_last, a);
	assert_null(a->next);
	fs_inode_unlink(t, a);
	assert_null(r0->child_first);
	assert_null(r0->child_last);
	assert_int_equal(freed, 3);
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), -ENOENT);
	/* a directory with children is kept until they are gone */
	a = file_new(t, r0, "a", 4096);
	ino = r0->ino;
	fs_inode_unlink(t, r0);
	assert_ptr_equal(fs_inode_get(t, ino), r0);
	fs_inode_stat(t, t->root, &e.attr);
	assert_int_equal(e.attr.st_nlink, 2);	/* no longer a subdirectory */
}

/* an open handle keeps an unlinked, forgotten file until its release */
static void test_inode_handles(void **state)
{
	struct fs_inode_table *t = *state;
	struct fs_inode *r0, *a;
	struct fuse_entry_param e;
	fuse_ino_t ino;

	r0 = dir_new(t, "region0");
	a = file_new(t, r0, "a", 4096);
	ino = a->ino;
	assert_int_equal(fs_inode_lookup(t, r0->ino, "a", 1.0, &e), 0);
	a->ns->handles = 2;	/* two OPENs */
	fs_inode_unlink(t, a);
	fs_inode_forget(t, ino, 1);
	assert_ptr_equal(fs_inode_get(t, ino), a);
	fs_inode_release_handle(t, a);
	assert_ptr_equal(fs_inode_get(t, ino), a);
	assert_int_equal(a->ns->handles, 1);
	fs_inode_release_handle(t, a);		/* the last: freed */
	assert_null(fs_inode_get(t, ino));
	assert_int_equal(freed, 1);
	/* a linked file is kept after its last release */
	a = file_new(t, r0, "b", 4096);
	a->ns->handles = 1;
	fs_inode_release_handle(t, a);
	assert_ptr_equal(fs_inode_get(t, a->ino), a);
	assert_int_equal(freed, 1);
}

/* many names in one directory and the same names in many: the hash grows */
static void test_inode_many(void **state)
{
	struct fs_inode_table *t = *state;
	struct fs_inode *dirs[8];
	struct fuse_entry_param e;
	char name[32];
	unsigned i, k;

	for (k = 0; k < 8; k++) {
		snprintf(name, sizeof(name), "region%u", k);
		dirs[k] = dir_new(t, name);
	}
	for (k = 0; k < 8; k++)
		for (i = 0; i < 600; i++) {
			snprintf(name, sizeof(name), "namespace%u.%u", k, i);
			file_new(t, dirs[k], name, 4096);
			snprintf(name, sizeof(name), "n%u", i);
			file_new(t, dirs[k], name, 4096);
		}
	assert_true(t->hmask + 1 >= 2 * 8 * 600);
	for (k = 0; k < 8; k++)
		for (i = 0; i < 600; i++) {
			snprintf(name, sizeof(name), "n%u", i);
			assert_int_equal(fs_inode_lookup(t, dirs[k]->ino, name, 1.0, &e), 0);
			assert_ptr_equal(fs_inode_get(t, e.ino)->parent, dirs[k]);
			assert_string_equal(fs_inode_get(t, e.ino)->name, name);
			snprintf(name, sizeof(name), "namespace%u.%u", (k + 1) % 8, i);
			assert_int_equal(fs_inode_lookup(t, dirs[k]->ino, name, 1.0, &e),
					 -ENOENT);
		}
}

/* a file's mtime and ctime are its last data change when that is later */
static void test_inode_stat_times(void **state)
{
	struct fs_inode_table *t = *state;
	struct fs_inode *a;
	struct stat st;

	a = file_new(t, dir_new(t, "region0"), "a", 1 << 20);
	fs_inode_stat(t, a, &st);
	assert_int_equal(st.st_mtim.tv_sec, a->mtime.tv_sec);
	assert_int_equal(st.st_blocks, (1 << 20) / 512);
	a->ns->data_time = (int64_t)(a->mtime.tv_sec + 100) * 1000000000 + 7;
	fs_inode_stat(t, a, &st);
	assert_int_equal(st.st_mtim.tv_sec, a->mtime.tv_sec + 100);
	assert_int_equal(st.st_mtim.tv_nsec, 7);
	assert_int_equal(st.st_ctim.tv_sec, a->mtime.tv_sec + 100);
	assert_int_equal(st.st_atim.tv_sec, a->atime.tv_sec);
	/* an earlier data change does not move the times back */
	a->ns->data_time = (int64_t)(a->mtime.tv_sec - 100) * 1000000000;
	fs_inode_stat(t, a, &st);
	assert_int_equal(st.st_mtim.tv_sec, a->mtime.tv_sec);
}

/* READDIR's entries: (ino, offset, name) in order */
struct dent {
	uint64_t ino, off;
	char name[FS_NAME_MAX];
};

static unsigned readdir_all(struct fs_inode_table *t, struct fs_inode *dir, off_t off,
			    size_t size, struct dent *out, unsigned max)
{
	char buf[4096];
	size_t used, pos = 0;
	unsigned n = 0;

	assert_true(size <= sizeof(buf));
	used = fs_inode_readdir(t, NULL, dir, buf, size, off);
	while (pos < used) {
		const struct fuse_dirent *d = (const void *)(buf + pos);

		assert_true(n < max);
		out[n].ino = d->ino;
		out[n].off = d->off;
		memcpy(out[n].name, d->name, d->namelen);
		out[n].name[d->namelen] = '\0';
		n++;
		pos += FUSE_DIRENT_SIZE(d);
	}
	assert_int_equal(pos, used);
	return n;
}

static void test_inode_readdir(void **state)
{
	struct fs_inode_table *t = *state;
	struct fs_inode *r0, *a, *b, *c;
	struct dent d[8];
	unsigned n;

	r0 = dir_new(t, "region0");
	a = file_new(t, r0, "a", 4096);
	b = file_new(t, r0, "b", 4096);
	c = file_new(t, r0, "c", 4096);
	n = readdir_all(t, r0, 0, 4096, d, 8);
	assert_int_equal(n, 5);
	assert_string_equal(d[0].name, ".");
	assert_int_equal(d[0].off, 1);
	assert_int_equal(d[0].ino, r0->ino);
	assert_string_equal(d[1].name, "..");
	assert_int_equal(d[1].off, 2);
	assert_int_equal(d[1].ino, FUSE_ROOT_ID);
	assert_string_equal(d[2].name, "a");
	assert_int_equal(d[2].ino, a->ino);
	assert_int_equal(d[2].off, a->ino + 2);
	assert_string_equal(d[3].name, "b");
	assert_string_equal(d[4].name, "c");
	assert_int_equal(d[4].off, c->ino + 2);
	/* a small buffer: whole entries only (32 bytes each here), resumed at the last offset */
	assert_int_equal(FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + 2), 32);
	n = readdir_all(t, r0, 0, 95, d, 8);
	assert_int_equal(n, 2);
	n = readdir_all(t, r0, (off_t)d[1].off, 4096, d, 8);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].name, "a");
	assert_string_equal(d[2].name, "c");
	/* entries removed or added meanwhile do not shift the others */
	n = readdir_all(t, r0, (off_t)(a->ino + 2), 4096, d, 8);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].name, "b");
	fs_inode_unlink(t, b);
	file_new(t, r0, "d", 4096);
	n = readdir_all(t, r0, (off_t)(a->ino + 2), 4096, d, 8);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].name, "c");
	assert_string_equal(d[1].name, "d");
	/* past the end */
	n = readdir_all(t, r0, (off_t)(c->ino + 100), 4096, d, 8);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inode_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_insert_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_unlink_unheld, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_stat_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inode_readdir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
