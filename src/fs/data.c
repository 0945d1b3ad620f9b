// SPDX-License-Identifier: MIT
/*
 * The I/O dispatch of a namespace: every WRITE, READ, FALLOCATE and FSYNC
 * of a namespace file goes through here on its way from the FUSE op
 * (fs_ops.c) to its region's layout (region_ops.h: n->rops, one indirect
 * call; flush.c for FSYNC). A namespace with no fault simulation
 * (n->fault NULL: one predictable branch) goes straight down; one with it
 * asks its hooks (fault_hook.h) before and after, and does the I/O
 * itself. Nothing here knows what the hooks do or which layout the region
 * has; nothing they do calls back up here.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fs/fault_hook.h"
#include "fs/log.h"
#include "fs/nsfile.h"
#include "fs/thread_buf.h"

/* set by fs_data_write_cached() for the WRITE this thread serves */
static __thread bool write_cached;

void fs_data_write_cached(bool cached)
{
	write_cached = cached;
}

/* ---- a WRITE's data drained from libfuse's pipe when it cannot be spliced ---- */

int fs_data_drain_pipe(int pipefd, size_t len, void **out)
{
	char *b = fs_thread_buf(FS_THREAD_BUF_PIPE, len);
	size_t done = 0;

	if (!b)
		return -ENOMEM;
	while (done < len) {
		ssize_t r = read(pipefd, b + done, len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int err = r < 0 ? errno : EPIPE;

			fs_err("reading a WRITE's data from the splice pipe: %s "
			       "(%zu of %zu bytes)", strerror(err), done, len);
			return -EIO;
		}
		done += (size_t)r;
	}
	*out = b;
	return 0;
}

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

	h->ops->lost(h, n, buf, len, off);
	while (off < end && rc == 0) {
		uint64_t p = off / FS_NS_PAGE, e = (p + 1) * FS_NS_PAGE;

		if (e > end)
			e = end;
		if (h->ops->kept(h, p)) {
			rc = n->rops->write(n, buf, (size_t)(e - off), off, write_cached);
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
		rc = n->rops->write(n, buf, len, off, write_cached);
	h->ops->change_end(h, n, false, off, len, rc, kept);
	return rc;
}

int fs_data_write(struct fs_ns *n, const void *buf, size_t len, uint64_t off)
{
	struct fs_fault_hook *h = hook_of(n);

	if (__builtin_expect(h != NULL, 0))
		return write_hooked(n, h, buf, len, off);
	return n->rops->write(n, buf, len, off, write_cached);
}

int fs_data_write_pipe(struct fs_ns *n, int pipefd, size_t len, uint64_t off)
{
	/* with hooks the data goes through memory (fs_data_write), and so
	 * does a cached write (it is not to wait for the disk) */
	if (hook_of(n) || write_cached)
		return -EAGAIN;
	return n->rops->write_pipe(n, pipefd, len, off);
}

int fs_data_read(struct fs_ns *n, size_t len, uint64_t off, void **out)
{
	struct fs_fault_hook *h = hook_of(n);

	if (__builtin_expect(h != NULL, 0) && h->ops->read_check(h, n, off, len) < 0)
		return -EIO;
	return n->rops->read(n, len, off, out);
}

int fs_data_fallocate(struct fs_ns *n, int mode, uint64_t off, uint64_t len)
{
	struct fs_fault_hook *h = hook_of(n);
	int rc;

	if (__builtin_expect(h == NULL, 1))
		return n->rops->fallocate(n, mode, off, len);
	rc = h->ops->change_begin(h, n, true, mode, off, len);
	if (rc < 0)
		return rc;
	if (rc == FS_HOOK_LOST)
		rc = 0;		/* lost with the power */
	else
		rc = n->rops->fallocate(n, mode, off, len);
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
	rc = h->ops->fsync_begin(h, n, &token);
	if (rc != 0)
		return rc;
	rc = fs_ns_persist(n);
	if (rc == 0)
		rc = h->ops->fsync_end(h, token);	/* drops the undo log */
	return rc;
}
