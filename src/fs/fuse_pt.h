/* SPDX-License-Identifier: MIT */
/*
 * The FUSE passthrough part of the kernel's protocol (include/uapi/linux/
 * fuse.h, protocol 7.40, Linux >= 6.9), with the kernel's values: libfuse
 * 3.14 and Debian 12's <linux/fuse.h> (7.38) do not have it. Only what
 * passthrough.c needs; the layouts are the kernel's byte for byte.
 *
 * Kernel facts this rests on (Linux 6.18, fs/fuse/):
 * - inode.c fuse_send_init offers FUSE_PASSTHROUGH in INIT's flags2 when
 *   built with CONFIG_FUSE_PASSTHROUGH; process_init_reply enables it only
 *   when the reply has FUSE_PASSTHROUGH, 0 < max_stack_depth <=
 *   FILESYSTEM_MAX_STACK_DEPTH (2) and no FUSE_WRITEBACK_CACHE;
 * - backing.c fuse_backing_open (FUSE_DEV_IOC_BACKING_OPEN on /dev/fuse):
 *   EPERM without fc->passthrough or without capable(CAP_SYS_ADMIN) (the
 *   initial user namespace, not the connection's), EINVAL for flags or
 *   padding set or a file that is not regular (d_is_reg), ELOOP for a
 *   backing file on a stacked file system (s_stack_depth >=
 *   max_stack_depth); the id (>= 1) is the ioctl's return value;
 * - iomode.c fuse_file_io_open: an OPEN reply with FOPEN_PASSTHROUGH may
 *   carry only FOPEN_DIRECT_IO, FOPEN_PARALLEL_DIRECT_WRITES and
 *   FOPEN_NOFLUSH beside it (FOPEN_PASSTHROUGH_MASK; FOPEN_KEEP_CACHE
 *   makes the open(2) fail with EIO); once an inode is open with a backing
 *   file, an open without FOPEN_PASSTHROUGH or with another backing fails;
 * - file.c: with FOPEN_DIRECT_IO | FOPEN_PASSTHROUGH read(2)/write(2) are
 *   FUSE READ/WRITE requests, mmap is the backing file's (fuse_file_mmap
 *   asks for passthrough before direct_io); with FOPEN_PASSTHROUGH alone
 *   read(2)/write(2) are the backing file's too (a write past the end
 *   grows it); fsync(2) is still FSYNC, msync(2) of the mapping is the
 *   backing file's own (measured on 6.18: no request reaches the daemon).
 */
#ifndef PMEMFS_FS_FUSE_PT_H
#define PMEMFS_FS_FUSE_PT_H

#include <stdint.h>
#include <sys/ioctl.h>

#define PT_FUSE_INIT		26		/* opcode */
#define PT_FUSE_INIT_EXT	(1u << 30)	/* flags: flags2 is valid */
#define PT_FUSE_WRITEBACK_CACHE	(1u << 16)
#define PT_FUSE_PASSTHROUGH	(1ull << 37)	/* flags | flags2 << 32 */

#define PT_FOPEN_DIRECT_IO	(1u << 0)
#define PT_FOPEN_KEEP_CACHE	(1u << 1)
#define PT_FOPEN_PASSTHROUGH	(1u << 7)

/* struct fuse_in_header */
struct pt_in_header {
	uint32_t len;
	uint32_t opcode;
	uint64_t unique;
	uint64_t nodeid;
	uint32_t uid, gid, pid;
	uint16_t total_extlen;
	uint16_t padding;
};

/* struct fuse_init_in, 7.36+ */
struct pt_init_in {
	uint32_t major, minor, max_readahead, flags;
	uint32_t flags2;
	uint32_t unused[11];
};

/* struct fuse_out_header */
struct pt_out_header {
	uint32_t len;
	int32_t error;
	uint64_t unique;
};

/* struct fuse_init_out, 7.40: max_stack_depth was unused[0] */
struct pt_init_out {
	uint32_t major, minor, max_readahead, flags;
	uint16_t max_background, congestion_threshold;
	uint32_t max_write, time_gran;
	uint16_t max_pages, map_alignment;
	uint32_t flags2;
	uint32_t max_stack_depth;
	uint32_t unused[6];
};

/* struct fuse_open_out, 7.40: backing_id was padding */
struct pt_open_out {
	uint64_t fh;
	uint32_t open_flags;
	int32_t backing_id;
};

/* struct fuse_backing_map */
struct pt_backing_map {
	int32_t fd;
	uint32_t flags;
	uint64_t padding;
};

#define PT_FUSE_DEV_IOC_MAGIC		229
#define PT_FUSE_DEV_IOC_BACKING_OPEN	_IOW(PT_FUSE_DEV_IOC_MAGIC, 1, struct pt_backing_map)
#define PT_FUSE_DEV_IOC_BACKING_CLOSE	_IOW(PT_FUSE_DEV_IOC_MAGIC, 2, uint32_t)

_Static_assert(sizeof(struct pt_in_header) == 40, "struct fuse_in_header");
_Static_assert(sizeof(struct pt_init_in) == 64, "struct fuse_init_in");
_Static_assert(sizeof(struct pt_init_out) == 64, "struct fuse_init_out");
_Static_assert(sizeof(struct pt_open_out) == 16, "struct fuse_open_out");
_Static_assert(sizeof(struct pt_backing_map) == 16, "struct fuse_backing_map");

#endif
