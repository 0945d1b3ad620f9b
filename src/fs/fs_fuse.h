/* SPDX-License-Identifier: MIT */
/* libfuse's lowlevel API at the version pmemfs is written against. */
#ifndef PMEMFS_FS_FUSE_H
#define PMEMFS_FS_FUSE_H

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 314	/* libfuse 3.14 (Debian 12) */
#endif
#include <fuse_lowlevel.h>

#endif
