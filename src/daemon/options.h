/* SPDX-License-Identifier: MIT */
/*
 * pmemfs's command line and mount options: parsed into struct pmemfs_opts
 * (fuse_opt), then checked and turned into the daemon's configuration.
 * Nothing here mounts, opens or forks: a test links options.c alone (with
 * src/fs's log and the core's size parser). Bad values are logged (fs_err)
 * naming the option and the value; --help is pmemfs_usage().
 */
#ifndef PMEMFS_DAEMON_OPTIONS_H
#define PMEMFS_DAEMON_OPTIONS_H

#include <stdint.h>
#include <sys/types.h>

#include "fs/fs.h"
#include "fs/bdi.h"

/*
 * Options with a value are kept as strings and converted by check_opts:
 * fuse_opt's %u and %d take "12abc" as 12 and "-1" as 4294967295, and its
 * %s leaks the first of a repeated option. Here the last one wins.
 */
enum pmemfs_value {
	V_UID,			/* default: the mounting user */
	V_GID,
	V_MODE,			/* default 0600 */
	V_CTL,
	V_CTL_GROUP,
	V_LABEL_SIZE,
	V_BACKING,
	V_SPLICE,
	V_DIRTY_RATIO,		/* bdi max_ratio, default 50 */
	V_READAHEAD_KB,		/* default 1024 */
	V_STRICT_LIMIT,		/* default 0 */
	V_FLUSH_THREADS,	/* default 4 */
	V_LOGFILE,		/* default: syslog, else beside the socket */
	V_PASSTHROUGH,		/* auto, on, off (default auto) */
	V_COUNT
};

struct pmemfs_opts {
	char *val[V_COUNT];	/* NAME=VALUE as given; NULL: the default */
	int foreground;
	int single;
	int debug;
	int allow_other;
	int help;
	int version;
	/* positional arguments: regions..., mountpoint */
	char **paths;
	unsigned npaths;
};

/* the valid ranges, as --help and pmemfs(8) give them */

/*
 * Parse args (argv[0] first) into o, which starts zeroed; what libfuse
 * takes (-d, allow_other, mount options) stays in args. 0 or -1 (no
 * memory). pmemfs_opts_free() either way.
 */
int pmemfs_opts_parse(struct fuse_args *args, struct pmemfs_opts *o);
void pmemfs_opts_free(struct pmemfs_opts *o);

/*
 * Turn the option strings into the daemon's configuration, the bdi
 * settings, the label size (0: probe) and the control socket's group
 * ((gid_t)-1: none). Every bad value is logged naming the option and the
 * value; 0 or -EINVAL.
 */
int pmemfs_opts_check(const struct pmemfs_opts *o, struct fs_config *cfg,
		      struct fs_bdi_opts *bdi, uint64_t *label_size, gid_t *ctl_group);

/* The mount options pmemfs adds: subtype=pmemfs,fsname=<first region>[,...] */
int pmemfs_mount_opts(const struct pmemfs_opts *o, char **mo);

/* --help on stdout (libfuse's options last) */
void pmemfs_usage(const char *prog);

#endif
