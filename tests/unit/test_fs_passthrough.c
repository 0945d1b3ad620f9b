/* SPDX-License-Identifier: MIT */
/*
 * FUSE passthrough's decision and reply patching (src/fs/passthrough.c)
 * without a mount: INIT flags made up for kernels with and without
 * FUSE_PASSTHROUGH (Linux 6.1 offers no flags2 bit 5; 6.9+ does), with and
 * without privileges and the writeback cache; the INIT request as the
 * receive loop hands it over; the INIT reply patched; an OPEN of a
 * namespace whose layout has no backing file left alone.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs/fuse_pt.h"
#include "fs/nsfile.h"
#include "fs/passthrough.h"
#include "fs/region_ops.h"

#define EXT ((uint64_t)PT_FUSE_INIT_EXT)
/* what Linux 6.18 offers (fuse_send_init), and 6.1's subset without bit 37 */
#define K618 (EXT | PT_FUSE_WRITEBACK_CACHE | PT_FUSE_PASSTHROUGH | (1ull << 36))
#define K61 (EXT | PT_FUSE_WRITEBACK_CACHE | (1ull << 35))

static void test_decide(void **state)
{
	char why[200];

	(void)state;
	assert_true(fs_pt_decide(FS_PT_AUTO, true, K618, true, "", false, why, sizeof(why)));
	assert_non_null(strstr(why, "CAP_SYS_ADMIN"));
	assert_true(fs_pt_decide(FS_PT_ON, true, K618, true, "", false, why, sizeof(why)));

	/* an older kernel: the reason names the version and the option */
	assert_false(fs_pt_decide(FS_PT_AUTO, true, K61, true, "", false, why, sizeof(why)));
	assert_non_null(strstr(why, "Linux >= 6.9"));
	assert_non_null(strstr(why, "CONFIG_FUSE_PASSTHROUGH"));
	assert_false(fs_pt_decide(FS_PT_ON, true, 0, true, "", false, why, sizeof(why)));
	assert_non_null(strstr(why, "does not offer"));

	/* no privilege: the caller's reason */
	assert_false(fs_pt_decide(FS_PT_AUTO, true, K618, false, "no CAP_SYS_ADMIN here",
				  false, why, sizeof(why)));
	assert_string_equal(why, "no CAP_SYS_ADMIN here");

	/* the writeback cache excludes it (process_init_reply) */
	assert_false(fs_pt_decide(FS_PT_AUTO, true, K618, true, "", true, why, sizeof(why)));
	assert_non_null(strstr(why, "writeback cache"));

	/* off never asks; no INIT seen: no */
	assert_false(fs_pt_decide(FS_PT_OFF, true, K618, true, "", false, why, sizeof(why)));
	assert_non_null(strstr(why, "passthrough=off"));
	assert_false(fs_pt_decide(FS_PT_AUTO, false, K618, true, "", false, why, sizeof(why)));
}

/* an INIT request as read from /dev/fuse: header, fuse_init_in */
static size_t init_request(void *buf, uint32_t flags, uint32_t flags2)
{
	struct pt_in_header h = { .opcode = PT_FUSE_INIT, .unique = 2 };
	struct pt_init_in in = { .major = 7, .minor = 45, .flags = flags, .flags2 = flags2 };

	h.len = sizeof(h) + sizeof(in);
	memcpy(buf, &h, sizeof(h));
	memcpy((char *)buf + sizeof(h), &in, sizeof(in));
	return h.len;
}

/* fs_pt_init after the loop saw INIT: on as the privilege check says */
static void init_with(uint32_t flags, uint32_t flags2, struct fs_pt *pt, enum fs_pt_mode mode)
{
	char buf[128];
	size_t len = init_request(buf, flags, flags2);

	fs_pt_note_request(buf, len);
	fs_pt_setup(pt, mode);
	fs_pt_init(pt, false);
}

static void test_init_request(void **state)
{
	struct fs_pt pt;
	char why[200];
	bool priv = fs_pt_privileged(why, sizeof(why));
	struct pt_in_header other = { .opcode = 15 /* READ */ };

	(void)state;
	/* 6.18: flags2 bit 5 with FUSE_INIT_EXT */
	init_with(PT_FUSE_INIT_EXT, (uint32_t)(PT_FUSE_PASSTHROUGH >> 32), &pt, FS_PT_AUTO);
	assert_int_equal(pt.active, priv);
	assert_false(pt.refused);
	if (!priv)
		assert_non_null(strstr(pt.why, "CAP_SYS_ADMIN"));
	fs_pt_open_done();	/* the INIT patch armed by an active init */
	fs_pt_destroy(&pt);

	/* the bit without FUSE_INIT_EXT is not an offer; on is refused */
	init_with(0, (uint32_t)(PT_FUSE_PASSTHROUGH >> 32), &pt, FS_PT_ON);
	assert_false(pt.active);
	assert_true(pt.refused);
	assert_non_null(strstr(pt.why, "does not offer"));
	fs_pt_destroy(&pt);

	/* another request leaves what INIT said */
	fs_pt_note_request(&other, sizeof(other));
	fs_pt_note_request(&other, 8);	/* short: ignored */
	fs_pt_setup(&pt, FS_PT_ON);
	fs_pt_init(&pt, false);
	assert_true(pt.refused);
	fs_pt_destroy(&pt);

	/* off: never active, never refused */
	init_with(PT_FUSE_INIT_EXT, (uint32_t)(PT_FUSE_PASSTHROUGH >> 32), &pt, FS_PT_OFF);
	assert_false(pt.active);
	assert_false(pt.refused);
	assert_non_null(strstr(pt.why, "passthrough=off"));
	fs_pt_destroy(&pt);
}

static void test_init_reply(void **state)
{
	struct pt_out_header oh = { .len = 80, .unique = 2 };
	struct pt_init_out out = { .major = 7, .minor = 38, .flags = PT_FUSE_INIT_EXT };
	struct iovec iov[2] = { { &oh, sizeof(oh) }, { &out, sizeof(out) } };
	struct fs_pt pt;
	char why[200];

	(void)state;
	if (!fs_pt_privileged(why, sizeof(why)))
		skip();	/* fs_pt_init arms the patch only when it may be used */
	init_with(PT_FUSE_INIT_EXT, (uint32_t)(PT_FUSE_PASSTHROUGH >> 32), &pt, FS_PT_AUTO);
	assert_true(pt.active);
	fs_pt_patch_reply(iov, 2);
	assert_int_equal(out.flags2, (uint32_t)(PT_FUSE_PASSTHROUGH >> 32));
	assert_int_equal(out.max_stack_depth, 1);
	assert_true(out.flags & PT_FUSE_INIT_EXT);
	/* once: the next reply is left alone */
	memset(&out, 0, sizeof(out));
	fs_pt_patch_reply(iov, 2);
	assert_int_equal(out.flags2, 0);
	assert_int_equal(out.max_stack_depth, 0);

	/* an error reply is never patched */
	init_with(PT_FUSE_INIT_EXT, (uint32_t)(PT_FUSE_PASSTHROUGH >> 32), &pt, FS_PT_AUTO);
	oh.error = -EPROTO;
	fs_pt_patch_reply(iov, 2);
	assert_int_equal(out.flags2, 0);
	fs_pt_destroy(&pt);
}

static int no_backing(struct fs_ns *n)
{
	(void)n;
	return -ENOTSUP;
}

static int fd_backing(struct fs_ns *n)
{
	(void)n;
	return STDIN_FILENO;
}

static void test_open(void **state)
{
	struct fs_region_ops ops = { .name = "test", .backing_fd = no_backing };
	struct fs_ns n = { .rops = &ops, .devname = "namespace0.0" };
	struct pt_open_out out = { .fh = 1, .open_flags = PT_FOPEN_KEEP_CACHE };
	struct pt_out_header oh = { .len = 32 };
	struct iovec iov[2] = { { &oh, sizeof(oh) }, { &out, sizeof(out) } };
	struct fs_pt pt;
	bool drop;

	(void)state;
	pthread_mutex_init(&n.lock, NULL);
	fs_pt_setup(&pt, FS_PT_AUTO);
	pt.active = true;	/* as INIT would have it */

	/* the region file's layout: opened as ever, the reply untouched */
	assert_int_equal(fs_pt_open(&pt, &n, &drop), 0);
	assert_int_equal(n.cached_opens, 1);
	fs_pt_release(&n, false);
	assert_int_equal(n.cached_opens, 0);
	assert_int_equal(n.pt_id, 0);
	fs_pt_patch_reply(iov, 2);
	assert_int_equal(out.open_flags, PT_FOPEN_KEEP_CACHE);
	assert_int_equal(out.backing_id, 0);

	/* a backing file, but no device to register it on: refused once,
	 * then never asked again (the namespace is served by the daemon) */
	ops.backing_fd = fd_backing;
	assert_int_equal(fs_pt_open(&pt, &n, &drop), 0);
	assert_int_equal(n.cached_opens, 1);
	fs_pt_release(&n, false);
	assert_int_equal(n.cached_opens, 0);
	assert_int_equal(n.pt_id, -1);
	assert_int_equal(fs_pt_open(&pt, &n, &drop), 0);
	assert_int_equal(n.cached_opens, 1);
	fs_pt_release(&n, false);
	assert_int_equal(n.cached_opens, 0);
	fs_pt_patch_reply(iov, 2);
	assert_int_equal(out.open_flags, PT_FOPEN_KEEP_CACHE);
	fs_pt_ns_close(&n);	/* nothing registered: nothing to close */

	/* crash testing or media errors (n->fault): never passed through */
	n.pt_id = 0;
	n.fault = (struct fs_fault_hook *)&n;	/* only its being set counts */
	assert_int_equal(fs_pt_open(&pt, &n, &drop), 0);
	assert_int_equal(n.cached_opens, 1);
	fs_pt_release(&n, false);
	assert_int_equal(n.cached_opens, 0);
	assert_int_equal(n.pt_id, 0);
	n.fault = NULL;

	/* not active: never asks the layout */
	n.pt_id = 0;
	pt.active = false;
	assert_int_equal(fs_pt_open(&pt, &n, &drop), 0);
	assert_int_equal(n.cached_opens, 1);
	fs_pt_release(&n, false);
	assert_int_equal(n.cached_opens, 0);
	assert_int_equal(n.pt_id, 0);
	/* each open above was counted as one without passthrough, until released */
	assert_int_equal(n.pt_opens, 0);

	/*
	 * passthrough opens remain (the kernel's inode is in passthrough
	 * mode) and this one cannot pass through: refused, not counted (the
	 * kernel would fail it with EIO, fs/fuse/iomode.c)
	 */
	n.cached_opens = 0;
	n.pt_opens = 1;
	n.fault = (struct fs_fault_hook *)&n;
	assert_int_equal(fs_pt_open(&pt, &n, &drop), -EBUSY);
	assert_int_equal(n.cached_opens, 0);
	fs_pt_release(&n, true);
	assert_int_equal(n.pt_opens, 0);

	/* the first open without passthrough after passthrough ones drops
	 * the FUSE page cache (mappings stored into the backing file) */
	n.pt_stale = true;
	assert_int_equal(fs_pt_open(&pt, &n, &drop), 0);
	assert_true(drop);
	assert_int_equal(fs_pt_open(&pt, &n, &drop), 0);
	assert_false(drop);
	n.fault = NULL;
	fs_pt_destroy(&pt);
	pthread_mutex_destroy(&n.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_init_request),
		cmocka_unit_test(test_init_reply),
		cmocka_unit_test(test_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
