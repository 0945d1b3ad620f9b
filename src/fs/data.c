// SPDX-License-Identifier: MIT
/*
 * The I/O dispatch of a namespace: every WRITE, READ, FALLOCATE and FSYNC
 * of a namespace file goes through here on its way from the FUSE op
 * (fs_ops.c) to the region file (region_io.c, flush.c). A namespace with
 * no fault simulation (n->fault NULL: one predictable branch) goes
 * straight down; one with it asks its hooks (fault_hook.h) before and
 * after, and does the I/O itself. Nothing here knows what the hooks do;
 * nothing they do calls back up here.
 */
#include <errno.h>
#include <pthread.h>

#include "fs/fault_hook.h"
#include "fs/nsfile.h"

static struct fs_fault_hook *hook_of(const struct fs_ns *n)
{
	return __atomic_load_n(&n->fault, __ATOMIC_ACQUIRE);
}

/* ---- the dispatch ---- */

/* the power is off (FS_HOOK_LOST): only the pages the hook keeps land */
static int write_lost(struct fs_ns *n, struct fs_fault_hook *h, const char *buf,
		      size_t len, uint64_t off, uint64_t *kept)
{
	uint64_t end = off + len;
	int rc = 0;

	while (off < end && rc == 0) {
		uint64_t p = off / FS_NS_PAGE, e = (p + 1) * FS_NS_PAGE;

		if (e > end)
			e = end;
		if (h->ops->kept(h, p)) {
			rc = fs_rio_write(n, buf, (size_t)(e - off), off);
			(*kept)++;
		}
		buf += e - off;
		off = e;
	}
	return rc;
}

static int write_hooked(struct fs_ns *n, struct fs_fault_hook *h, const void *buf,
			size_t len, uint64_t off)
{
	uint64_t kept = 0;
	int rc = h->ops->change_begin(h, n, false, 0, off, len);

	if (rc < 0)
		return rc;
	if (rc == FS_HOOK_LOST)
		rc = write_lost(n, h, buf, len, off, &kept);
	else
		rc = fs_rio_write(n, buf, len, off);
	h->ops->change_end(h, n, false, off, len, rc, kept);
	return rc;
}

int fs_data_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off)
{
	struct fs_fault_hook *h = hook_of(n);

	if (__builtin_expect(h != NULL, 0))
		return write_hooked(n, h, buf, len, off);
	return fs_rio_write(n, buf, len, off);
}

int fs_data_write_pipe(struct fs_ns *n, int pipefd, size_t len, uint64_t off)
{
	/* with hooks the data goes through memory (fs_data_write) */
	if (hook_of(n))
		return -EAGAIN;
	return fs_rio_write_pipe(n, pipefd, len, off);
}

int fs_data_read(struct fs_ns *n, size_t len, uint64_t off, void **out)
{
	struct fs_fault_hook *h = hook_of(n);

	if (__builtin_expect(h != NULL, 0) && h->ops->read_check(h, n, off, len) < 0)
		return -EIO;
	return fs_rio_read(n, len, off, out);
}

int fs_data_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	struct fs_fault_hook *h = hook_of(n);
	int rc;

	if (__builtin_expect(h == NULL, 1))
		return fs_rio_fallocate(n, mode, off, len);
	rc = h->ops->change_begin(h, n, true, mode, off, len);
	if (rc < 0)
		return rc;
	if (rc == FS_HOOK_LOST)
		rc = 0;		/* lost with the power */
	else
		rc = fs_rio_fallocate(n, mode, off, len);
	h->ops->change_end(h, n, true, off, len, rc, 0);
	return rc;
}

int fs_data_fsync(struct fs_ns *n)
{
	struct fs_fault_hook *h = hook_of(n);
	uint64_t token = 0;
	int rc;

	if (__builtin_expect(h == NULL, 1))
		return fs_ns_persist(n);
	/* crash testing: failed while crashed, or the armed crash */
	rc = h->ops->fsync_begin(h, &token);
	if (rc != 0)
		return rc;
	rc = fs_ns_persist(n);
	if (rc == 0)
		rc = h->ops->fsync_end(h, token);	/* drops the undo log */
	return rc;
}
