// SPDX-License-Identifier: MIT
/*
 * FUSE passthrough (see passthrough.h; the kernel's side in fuse_pt.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs/fs_fuse.h"
#include "fs/fuse_pt.h"
#include "fs/log.h"
#include "fs/nsfile.h"
#include "fs/passthrough.h"
#include "fs/region_ops.h"

/* the kernel's INIT request, as the receive loop saw it (once per mount) */
static uint64_t init_flags;	/* atomic */
static int init_seen;		/* atomic */

/* what the next reply written by this thread gets */
enum patch { PATCH_NONE, PATCH_INIT, PATCH_OPEN };
static __thread enum patch patch;
static __thread int32_t patch_id;

bool fs_pt_decide(enum fs_pt_mode mode, bool seen, uint64_t kflags, bool privileged,
		  const char *priv_why, bool writeback, char *why, size_t len)
{
	if (mode == FS_PT_OFF) {
		snprintf(why, len, "-o passthrough=off");
		return false;
	}
	if (!seen) {
		snprintf(why, len, "the kernel's INIT request was not seen");
		return false;
	}
	if (!(kflags & PT_FUSE_PASSTHROUGH)) {
		snprintf(why, len, "the kernel does not offer FUSE passthrough (it needs "
			 "Linux >= 6.9 built with CONFIG_FUSE_PASSTHROUGH)");
		return false;
	}
	if (!privileged) {
		snprintf(why, len, "%s", priv_why);
		return false;
	}
	if (writeback) {
		snprintf(why, len, "the FUSE writeback cache is on (the kernel allows "
			 "one or the other per mount)");
		return false;
	}
	snprintf(why, len, "the kernel offers it and the daemon has CAP_SYS_ADMIN");
	return true;
}

/* the initial user namespace maps every id to itself */
static bool init_userns(void)
{
	unsigned long a, b, c;
	FILE *f = fopen("/proc/self/uid_map", "re");
	bool init;

	if (!f)
		return true;	/* no /proc: let the kernel say at the first OPEN */
	init = fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 &&
	       c == 4294967295ul;
	fclose(f);
	return init;
}

bool fs_pt_privileged(char *why, size_t len)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &h, data) != 0) {
		snprintf(why, len, "capget: %s", strerror(errno));
		return false;
	}
	if (!(data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32)))) {
		snprintf(why, len, "the daemon has no CAP_SYS_ADMIN (the kernel lets only "
			 "a privileged FUSE server register backing files)");
		return false;
	}
	if (!init_userns()) {
		snprintf(why, len, "the daemon runs in a user namespace (the kernel wants "
			 "CAP_SYS_ADMIN in the initial one)");
		return false;
	}
	return true;
}

void fs_pt_setup(struct fs_pt *pt, enum fs_pt_mode mode)
{
	memset(pt, 0, sizeof(*pt));
	pt->mode = mode;
	pt->devfd = -1;
	pthread_mutex_init(&pt->lock, NULL);
	snprintf(pt->why, sizeof(pt->why), mode == FS_PT_OFF ? "-o passthrough=off" :
		 "no INIT yet");
}

void fs_pt_destroy(struct fs_pt *pt)
{
	pthread_mutex_destroy(&pt->lock);
}

void fs_pt_note_request(const void *mem, size_t size)
{
	const struct pt_in_header *h = mem;
	struct pt_init_in in;
	uint64_t flags;

	if (size < sizeof(*h) || h->opcode != PT_FUSE_INIT)
		return;
	memset(&in, 0, sizeof(in));
	memcpy(&in, (const char *)mem + sizeof(*h),
	       size - sizeof(*h) < sizeof(in) ? size - sizeof(*h) : sizeof(in));
	flags = in.flags;
	if ((in.flags & PT_FUSE_INIT_EXT) && size >= sizeof(*h) + 20)
		flags |= (uint64_t)in.flags2 << 32;
	__atomic_store_n(&init_flags, flags, __ATOMIC_RELAXED);
	__atomic_store_n(&init_seen, 1, __ATOMIC_RELEASE);
}

void fs_pt_init(struct fs_pt *pt, bool writeback)
{
	char priv_why[160] = "";
	bool priv = pt->mode == FS_PT_OFF || fs_pt_privileged(priv_why, sizeof(priv_why));
	bool seen = __atomic_load_n(&init_seen, __ATOMIC_ACQUIRE);

	pt->active = fs_pt_decide(pt->mode, seen, __atomic_load_n(&init_flags, __ATOMIC_RELAXED),
				  priv, priv_why, writeback, pt->why, sizeof(pt->why));
	if (pt->active) {
		patch = PATCH_INIT;	/* this thread's next reply is INIT's */
		fs_info("FUSE passthrough: on (%s): namespaces whose layout has a file "
			"of their own are mapped straight to it", pt->why);
	} else if (pt->mode == FS_PT_ON) {
		pt->refused = true;
		fs_err("-o passthrough=on: FUSE passthrough is not available: %s", pt->why);
	} else if (pt->mode == FS_PT_AUTO) {
		fs_info("FUSE passthrough: off, every namespace is served through the "
			"daemon: %s", pt->why);
	}
}

static void patch_init(struct iovec *iov, int count)
{
	const struct pt_out_header *oh = iov[0].iov_base;
	struct pt_init_out *o;

	if (count < 2 || oh->error != 0 || iov[1].iov_len < sizeof(*o))
		return;
	o = iov[1].iov_base;
	o->flags |= PT_FUSE_INIT_EXT;
	o->flags2 |= (uint32_t)(PT_FUSE_PASSTHROUGH >> 32);
	o->max_stack_depth = 1;	/* backing files on a non-stacked fs only */
}

static void patch_open(struct iovec *iov, int count)
{
	const struct pt_out_header *oh = iov[0].iov_base;
	struct pt_open_out *o;

	if (count < 2 || oh->error != 0 || iov[1].iov_len < sizeof(*o))
		return;
	o = iov[1].iov_base;
	o->open_flags &= ~PT_FOPEN_KEEP_CACHE;	/* FOPEN_DIRECT_IO: op_open's */
	o->open_flags |= PT_FOPEN_PASSTHROUGH;
	o->backing_id = patch_id;
}

void fs_pt_patch_reply(struct iovec *iov, int count)
{
	if (patch == PATCH_INIT)
		patch_init(iov, count);
	else if (patch == PATCH_OPEN)
		patch_open(iov, count);
	patch = PATCH_NONE;
}

static ssize_t pt_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	(void)userdata;
	fs_pt_patch_reply(iov, count);
	return writev(fd, iov, count);
}

static ssize_t pt_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)userdata;
	return read(fd, buf, len);
}

static ssize_t pt_splice_receive(int fdin, off_t *offin, int fdout, off_t *offout,
				 size_t len, unsigned int flags, void *userdata)
{
	(void)userdata;
	return splice(fdin, offin, fdout, offout, len, flags);
}

static ssize_t pt_splice_send(int fdin, off_t *offin, int fdout, off_t *offout,
			      size_t len, unsigned int flags, void *userdata)
{
	(void)userdata;
	return splice(fdin, offin, fdout, offout, len, flags);
}

int fs_pt_install(struct fs_pt *pt, struct fuse_session *se)
{
	/* splice both ways as without a custom io (libfuse offers SPLICE_* by them) */
	static const struct fuse_custom_io io = {
		.writev = pt_writev,
		.read = pt_read,
		.splice_receive = pt_splice_receive,
		.splice_send = pt_splice_send,
	};
	int fd = fuse_session_fd(se), rc;

	if (pt->mode == FS_PT_OFF)
		return 0;
	rc = fuse_session_custom_io(se, &io, fd);
	if (rc < 0) {
		fs_err("cannot hook FUSE replies for passthrough: %s", strerror(-rc));
		return rc;
	}
	pthread_mutex_lock(&pt->lock);
	pt->devfd = fd;
	pthread_mutex_unlock(&pt->lock);
	return 0;
}

void fs_pt_detach(struct fs_pt *pt)
{
	pthread_mutex_lock(&pt->lock);
	pt->devfd = -1;
	pthread_mutex_unlock(&pt->lock);
}

/* n's backing id, registered on first use (n->lock held): > 0, or -errno */
static int backing_id(struct fs_pt *pt, struct fs_ns *n)
{
	struct pt_backing_map map = { 0 };
	int fd, id;

	if (n->pt_id != 0)
		return n->pt_id;
	if (!n->rops->backing_fd)
		return -ENOTSUP;
	fd = n->rops->backing_fd(n);
	if (fd < 0)
		return fd;
	map.fd = fd;
	pthread_mutex_lock(&pt->lock);
	id = pt->devfd < 0 ? -ENODEV : ioctl(pt->devfd, PT_FUSE_DEV_IOC_BACKING_OPEN, &map);
	if (id < 0 && pt->devfd >= 0)
		id = -errno;
	pthread_mutex_unlock(&pt->lock);
	if (id <= 0) {
		n->pt_id = -1;	/* not again: opened as without passthrough */
		if (!__atomic_exchange_n(&pt->said_fail, 1, __ATOMIC_RELAXED))
			fs_warn("%s: FUSE passthrough: its file cannot be registered "
				"(FUSE_DEV_IOC_BACKING_OPEN: %s): served through the daemon",
				n->devname, strerror(id < 0 ? -id : EIO));
		return id < 0 ? id : -EIO;
	}
	n->pt = pt;
	n->pt_id = id;
	return id;
}

int fs_pt_open(struct fs_pt *pt, struct fs_ns *n, bool *drop_cache)
{
	bool can = pt->active && n->rops->backing_fd;
	int id = 0, rc;

	*drop_cache = false;
	pthread_mutex_lock(&n->lock);
	/*
	 * crash testing and media errors live in the daemon's data path: a
	 * namespace with them (or about to get them, pt_off) is never opened
	 * past it; and the kernel fails an open of the other I/O mode while
	 * cached opens (or passthrough ones) remain (fs/fuse/iomode.c); after
	 * a write-back error, a new mapping's msync must come to the daemon,
	 * whose error is sticky (the kernel's is reported to each open file
	 * once), unless passthrough opens remain
	 */
	if (can && n->pt_id >= 0 && !n->pt_off && n->cached_opens == 0 &&
	    !__atomic_load_n(&n->fault, __ATOMIC_ACQUIRE) &&
	    (!__atomic_load_n(&n->error, __ATOMIC_SEQ_CST) || n->pt_opens > 0))
		id = backing_id(pt, n);
	if (id > 0) {
		n->pt_opens++;
		n->pt_stale = true;	/* the backing file's page cache is the truth now */
		__atomic_store_n(&n->pt_used, true, __ATOMIC_RELEASE);
		patch = PATCH_OPEN;
		patch_id = id;
		rc = 1;
	} else if (n->pt_opens > 0) {
		/* not reached: fault simulation is refused while they remain */
		rc = -EBUSY;
	} else {
		n->cached_opens++;
		*drop_cache = n->pt_stale;
		n->pt_stale = false;
		rc = 0;
	}
	pthread_mutex_unlock(&n->lock);
	return rc;
}

void fs_pt_release(struct fs_ns *n, bool passthrough)
{
	struct fs_pt *pt = NULL;
	uint32_t id = 0;

	pthread_mutex_lock(&n->lock);
	if (passthrough && n->pt_opens > 0)
		n->pt_opens--;
	else if (!passthrough && n->cached_opens > 0)
		n->cached_opens--;
	/*
	 * the last passthrough open gone: its backing id too (the kernel's
	 * reference to the layout's descriptor), so that the layout may close
	 * that file once no mapping keeps a backing file of it (region_dir.c);
	 * the next passthrough open registers it again
	 */
	if (passthrough && n->pt_opens == 0 && n->pt_id > 0 && n->pt) {
		pt = n->pt;
		id = (uint32_t)n->pt_id;
		n->pt_id = 0;
		n->pt = NULL;
	}
	pthread_mutex_unlock(&n->lock);
	if (pt) {
		pthread_mutex_lock(&pt->lock);
		if (pt->devfd >= 0 && ioctl(pt->devfd, PT_FUSE_DEV_IOC_BACKING_CLOSE, &id) < 0)
			fs_warn("%s: FUSE_DEV_IOC_BACKING_CLOSE: %s", n->devname,
				strerror(errno));
		pthread_mutex_unlock(&pt->lock);
	}
}

void fs_pt_open_done(void)
{
	patch = PATCH_NONE;
}

void fs_pt_ns_close(struct fs_ns *n)
{
	struct fs_pt *pt = n->pt;
	uint32_t id;

	if (!pt || n->pt_id <= 0)
		return;
	id = (uint32_t)n->pt_id;
	pthread_mutex_lock(&pt->lock);
	/* with the device gone the kernel dropped every backing id itself */
	if (pt->devfd >= 0 && ioctl(pt->devfd, PT_FUSE_DEV_IOC_BACKING_CLOSE, &id) < 0)
		fs_warn("%s: FUSE_DEV_IOC_BACKING_CLOSE: %s", n->devname, strerror(errno));
	pthread_mutex_unlock(&pt->lock);
	n->pt_id = 0;
	n->pt = NULL;
}

unsigned fs_pt_fault_begin(struct fs_ns *n)
{
	unsigned opens;

	pthread_mutex_lock(&n->lock);
	opens = n->pt_opens;
	if (!opens)
		n->pt_off = true;
	pthread_mutex_unlock(&n->lock);
	return opens;
}

void fs_pt_fault_undo(struct fs_ns *n)
{
	pthread_mutex_lock(&n->lock);
	if (!__atomic_load_n(&n->fault, __ATOMIC_ACQUIRE))
		n->pt_off = false;
	pthread_mutex_unlock(&n->lock);
}
