// SPDX-License-Identifier: MIT
/*
 * pmemfs's options (see options.h): the fuse_opt table and its callback,
 * --help, the checks of every value, the mount options added.
 */
#include <errno.h>
#include <grp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/util.h"

#include "fs/log.h"
#include "daemon/options.h"

#define PMEMFS_ID_MAX		4294967294ul	/* (uid_t)-1 means "unchanged" to chown */
#define PMEMFS_RA_KB_MAX	1048576ul	/* 1 GiB */
#define PMEMFS_FLUSH_THREADS_MAX 64ul

enum {
	KEY_DEBUG,
	KEY_ALLOW_OTHER,
	KEY_VALUE,	/* + enum pmemfs_value */
};

#define OPT(t, field, v) { t, offsetof(struct pmemfs_opts, field), v }
#define VALUE_OPT(name, v) FUSE_OPT_KEY(name "=", KEY_VALUE + (v))

static const struct fuse_opt pmemfs_opt_spec[] = {
	VALUE_OPT("uid", V_UID),
	VALUE_OPT("gid", V_GID),
	VALUE_OPT("mode", V_MODE),
	VALUE_OPT("ctl", V_CTL),
	VALUE_OPT("ctl_group", V_CTL_GROUP),
	VALUE_OPT("label_size", V_LABEL_SIZE),
	VALUE_OPT("backing", V_BACKING),
	VALUE_OPT("splice", V_SPLICE),
	VALUE_OPT("dirty_ratio", V_DIRTY_RATIO),
	VALUE_OPT("readahead_kb", V_READAHEAD_KB),
	VALUE_OPT("strict_limit", V_STRICT_LIMIT),
	VALUE_OPT("flush_threads", V_FLUSH_THREADS),
	VALUE_OPT("logfile", V_LOGFILE),
	VALUE_OPT("passthrough", V_PASSTHROUGH),
	OPT("-f", foreground, 1),
	OPT("--foreground", foreground, 1),
	OPT("-s", single, 1),
	OPT("-h", help, 1),
	OPT("--help", help, 1),
	OPT("-V", version, 1),
	OPT("--version", version, 1),
	FUSE_OPT_KEY("-d", KEY_DEBUG),
	FUSE_OPT_KEY("--debug", KEY_DEBUG),
	FUSE_OPT_KEY("debug", KEY_DEBUG),
	FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
	FUSE_OPT_END
};

static int pmemfs_opt_proc(void *data, const char *arg, int key,
			   struct fuse_args *outargs)
{
	struct pmemfs_opts *o = data;
	char **p;

	(void)outargs;
	if (key >= KEY_VALUE && key < KEY_VALUE + V_COUNT) {
		char *v = strdup(strchr(arg, '=') + 1);

		if (!v)
			return -1;
		free(o->val[key - KEY_VALUE]);
		o->val[key - KEY_VALUE] = v;
		return 0;
	}
	switch (key) {
	case KEY_DEBUG:
		o->debug = 1;
		o->foreground = 1;
		return 1;	/* libfuse's too */
	case KEY_ALLOW_OTHER:
		o->allow_other = 1;
		return 1;	/* a mount option */
	case FUSE_OPT_KEY_NONOPT:
		p = realloc(o->paths, (o->npaths + 1) * sizeof(*p));
		if (!p)
			return -1;
		o->paths = p;
		o->paths[o->npaths] = strdup(arg);
		if (!o->paths[o->npaths])
			return -1;
		o->npaths++;
		return 0;
	default:
		/* dev, suid, rw, ... from mount(8): libfuse's mount options */
		return 1;
	}
}

int pmemfs_opts_parse(struct fuse_args *args, struct pmemfs_opts *o)
{
	return fuse_opt_parse(args, o, pmemfs_opt_spec, pmemfs_opt_proc);
}

void pmemfs_opts_free(struct pmemfs_opts *o)
{
	unsigned i;

	for (i = 0; i < o->npaths; i++)
		free(o->paths[i]);
	free(o->paths);
	o->paths = NULL;
	o->npaths = 0;
	for (i = 0; i < V_COUNT; i++) {
		free(o->val[i]);
		o->val[i] = NULL;
	}
}

void pmemfs_usage(const char *prog)
{
	printf("usage: %s [options] REGION_FILE... MOUNTPOINT\n"
	       "\n"
	       "Serve the namespaces of pmem region files as files:\n"
	       "MOUNTPOINT/region<N>/<name>, N the region's position on the command line.\n"
	       "fsync/fdatasync/msync(MS_SYNC) on a namespace file return once every byte\n"
	       "written to it before is durable in the region file. mmap(MAP_SYNC) is\n"
	       "refused (as on virtio-pmem): flush with fsync or msync.\n"
	       "\n"
	       "options:\n"
	       "    -h, --help             this help\n"
	       "    -V, --version          print the version\n"
	       "    -f                     stay in the foreground (log to stderr)\n"
	       "    -o logfile=PATH        once the mount serves, log to PATH (absolute;\n"
	       "                           appended, created 0600) instead of syslog or\n"
	       "                           stderr. Default in the background: syslog; with\n"
	       "                           no syslog daemon on /dev/log, the control\n"
	       "                           socket's path with .log for .sock. The start-up\n"
	       "                           summary on stderr says which\n"
	       "    -d                     debug: log every request (implies -f)\n"
	       "    -s                     single-threaded FUSE loop (default: 16 threads)\n"
	       "    -o uid=N,gid=N         owner of the namespace files, decimal ids\n"
	       "                           0..4294967294 (default: you)\n"
	       "    -o mode=OCTAL          their permission bits, 0..7777 (default 0600;\n"
	       "                           read-only namespaces: without the write bits)\n"
	       "    -o allow_other         other users may open files (implies\n"
	       "                           default_permissions)\n"
	       "    -o ctl=PATH            control socket path (default\n"
	       "                           /run/pmemfs/MAJOR:MINOR.sock as root, else\n"
	       "                           $XDG_RUNTIME_DIR/pmemfs/MAJOR:MINOR.sock; pmemctl\n"
	       "                           finds the default itself, else give it --socket)\n"
	       "    -o ctl_group=GROUP     a group that may query the control socket (mode\n"
	       "                           0660; default 0600). Changes: root and you only\n"
	       "    -o label_size=SIZE     label area size, skipping the probe (bytes or\n"
	       "                           K/M/G/T; a power of two, at least 128K)\n"
	       "    -o dirty_ratio=N       the mount's bdi max_ratio in percent, 1..100\n"
	       "                           (default 50; dirty pages come from mappings:\n"
	       "                           write(2) is written through)\n"
	       "    -o readahead_kb=N      the mount's bdi read_ahead_kb, 0..1048576\n"
	       "                           (default 1024)\n"
	       "    -o strict_limit=0|1    the mount's bdi strict_limit (default 0, Linux >= 6.2)\n"
	       "    -o backing=auto|direct|buffered\n"
	       "                           data path to the region file: O_DIRECT where the\n"
	       "                           file system has it (auto, default), always, or\n"
	       "                           buffered with sync_file_range + FADV_DONTNEED\n"
	       "    -o splice=on|off       receive requests through a pipe per thread, so\n"
	       "                           that page-cache pages (aligned write(2), mmap\n"
	       "                           write-back) are spliced to the region file\n"
	       "                           without a copy (default on); off: read(2), one copy\n"
	       "    -o flush_threads=N     threads persisting FSYNCs, 1..64 (default 4)\n"
	       "    -o passthrough=auto|on|off\n"
	       "                           FUSE passthrough: a region directory's namespace\n"
	       "                           is mapped straight to its own file (list -v:\n"
	       "                           backing passthrough; see pmemfs(8)). Needs Linux\n"
	       "                           >= 6.9 and CAP_SYS_ADMIN (root); the mount then has no\n"
	       "                           FUSE writeback cache (pmemfs never uses one).\n"
	       "                           auto (default): where possible, else logs why\n"
	       "                           not; on: the mount fails naming why not; off:\n"
	       "                           never. Region files are never passed through\n"
	       "    -o dev,suid,rw,...     mount options, passed on (as mount.fuse3 adds them)\n"
	       "\n"
	       "errors on namespace files: create, unlink, rename, link, mkdir: EPERM\n"
	       "(use pmemctl); truncate or fallocate past the size: EPERM (O_TRUNC and a\n"
	       "truncate to the size or below are ignored: cp, cat > and dd work); collapse\n"
	       "and insert ranges: EOPNOTSUPP; open for writing of a read-only namespace:\n"
	       "EROFS; a write reaching past the end is shortened, one starting at or past\n"
	       "it fails with ENOSPC (the size never changes); after a failed write to or\n"
	       "flush of the region file (also an mmap write-back) every fsync, msync and\n"
	       "close of that namespace fails with EIO until remount. On a region\n"
	       "directory an open gets ENFILE at the daemon's open-file limit (each open\n"
	       "namespace has its file's descriptors), and EIO once its file was changed\n"
	       "behind the daemon (replaced, truncated, linked: logged).\n"
	       "\n"
	       "libfuse options:\n", prog);
	fuse_lowlevel_help();
}

/*
 * The number in -o NAME=S: digits only (base 10, or 8 for a mode), no
 * sign, space or suffix, within min..max (expect says so in the message).
 * 0, or -EINVAL with a message naming the option and the value.
 */
static int opt_number(const char *name, const char *s, int base, unsigned long min,
		      unsigned long max, const char *expect, unsigned long *out)
{
	const char *why = base == 8 ? "not an octal number" : "not a decimal number";
	unsigned long v;
	char *end;

	if (*s == '-') {
		why = "negative";
	} else if (*s >= '0' && *s <= (base == 8 ? '7' : '9')) {
		errno = 0;
		v = strtoul(s, &end, base);
		if (*end == '\0') {
			if (errno == 0 && v >= min && v <= max) {
				*out = v;
				return 0;
			}
			why = "out of range";
		}
	}
	fs_err("%s='%s': %s (expected %s)", name, s, why, expect);
	return -EINVAL;
}

/* a group name or number; 0 or -EINVAL */
static int parse_group(const char *s, gid_t *out)
{
	struct group gr, *res = NULL;
	char buf[4096], *end;
	unsigned long v;

	if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) == 0 && res) {
		*out = res->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s >= '0' && *s <= '9' && *end == '\0' && errno == 0 && v < (gid_t)-1) {
		*out = (gid_t)v;
		return 0;
	}
	return -EINVAL;
}

int pmemfs_opts_check(const struct pmemfs_opts *o, struct fs_config *cfg,
		      struct fs_bdi_opts *bdi, uint64_t *label_size, gid_t *ctl_group)
{
	/* the numbers: option, base, range and its words, the default */
	static const struct {
		enum pmemfs_value v;
		const char *name;
		int base;
		unsigned long min, max;
		const char *expect;
	} nums[] = {
		{ V_UID, "uid", 10, 0, PMEMFS_ID_MAX, "a user id 0..4294967294" },
		{ V_GID, "gid", 10, 0, PMEMFS_ID_MAX, "a group id 0..4294967294" },
		{ V_MODE, "mode", 8, 0, 07777, "octal 0..7777" },
		{ V_FLUSH_THREADS, "flush_threads", 10, 1, PMEMFS_FLUSH_THREADS_MAX, "1..64" },
		{ V_DIRTY_RATIO, "dirty_ratio", 10, 1, 100, "a percentage 1..100" },
		{ V_READAHEAD_KB, "readahead_kb", 10, 0, PMEMFS_RA_KB_MAX, "0..1048576 KiB" },
		{ V_STRICT_LIMIT, "strict_limit", 10, 0, 1, "0 or 1" },
	};
	unsigned long n[V_COUNT] = {
		[V_UID] = getuid(),
		[V_GID] = getgid(),
		[V_MODE] = 0600,
		[V_FLUSH_THREADS] = 4,
		[V_DIRTY_RATIO] = 50,
		[V_READAHEAD_KB] = 1024,
		[V_STRICT_LIMIT] = 0,
	};
	const char *backing = o->val[V_BACKING];
	const char *splice = o->val[V_SPLICE];
	const char *pt = o->val[V_PASSTHROUGH];
	const char *ls = o->val[V_LABEL_SIZE];
	const char *group = o->val[V_CTL_GROUP];
	const char *ctl = o->val[V_CTL];
	size_t i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const char *s = o->val[nums[i].v];

		if (s && opt_number(nums[i].name, s, nums[i].base, nums[i].min, nums[i].max,
				    nums[i].expect, &n[nums[i].v]) < 0)
			return -EINVAL;
	}
	cfg->uid = (uid_t)n[V_UID];
	cfg->gid = (gid_t)n[V_GID];
	cfg->mode = (mode_t)n[V_MODE];
	cfg->flush_threads = (unsigned)n[V_FLUSH_THREADS];
	cfg->allow_other = o->allow_other;
	cfg->timeout = 1.0;
	bdi->max_ratio = (int)n[V_DIRTY_RATIO];
	bdi->readahead_kb = (int)n[V_READAHEAD_KB];
	bdi->strict_limit = (int)n[V_STRICT_LIMIT];

	if (!backing || strcmp(backing, "auto") == 0) {
		cfg->backing = FS_BACKING_AUTO;
	} else if (strcmp(backing, "direct") == 0) {
		cfg->backing = FS_BACKING_DIRECT;
	} else if (strcmp(backing, "buffered") == 0) {
		cfg->backing = FS_BACKING_BUFFERED;
	} else {
		fs_err("backing='%s': expected auto, direct or buffered", backing);
		return -EINVAL;
	}
	if (!splice || strcmp(splice, "on") == 0) {
		cfg->splice = true;
	} else if (strcmp(splice, "off") == 0) {
		cfg->splice = false;
	} else {
		fs_err("splice='%s': expected on or off", splice);
		return -EINVAL;
	}
	if (!pt || strcmp(pt, "auto") == 0) {
		cfg->passthrough = FS_PT_AUTO;
	} else if (strcmp(pt, "on") == 0) {
		cfg->passthrough = FS_PT_ON;
	} else if (strcmp(pt, "off") == 0) {
		cfg->passthrough = FS_PT_OFF;
	} else {
		fs_err("passthrough='%s': expected auto, on or off", pt);
		return -EINVAL;
	}
	*label_size = 0;
	if (ls && ns_parse_size(ls, label_size) < 0) {
		fs_err("label_size='%s': %s", ls, ns_errormsg());
		return -EINVAL;
	}
	*ctl_group = (gid_t)-1;
	if (group && parse_group(group, ctl_group) < 0) {
		fs_err("ctl_group='%s': no such group", group);
		return -EINVAL;
	}
	if (ctl && ctl[0] != '/') {
		fs_err("ctl='%s': the control socket path must be absolute", ctl);
		return -EINVAL;
	}
	if (o->val[V_LOGFILE] && o->val[V_LOGFILE][0] != '/') {
		fs_err("logfile='%s': the log file path must be absolute", o->val[V_LOGFILE]);
		return -EINVAL;
	}
	return 0;
}

/* subtype=pmemfs,fsname=<first region>[,default_permissions] */
int pmemfs_mount_opts(const struct pmemfs_opts *o, char **mo)
{
	char *fsn = NULL, *s;
	size_t l;
	int rc;

	char *abs = realpath(o->paths[0], NULL);
	int bad;

	bad = fuse_opt_add_opt(mo, "subtype=pmemfs") < 0 ||
	      fuse_opt_add_opt_escaped(&fsn, abs ? abs : o->paths[0]) < 0;
	free(abs);
	if (bad)
		goto fail;
	l = strlen("fsname=") + strlen(fsn) + 1;
	s = malloc(l);
	if (!s)
		goto fail;
	snprintf(s, l, "fsname=%s", fsn);
	rc = fuse_opt_add_opt(mo, s);
	free(s);
	free(fsn);
	if (rc < 0)
		return -ENOMEM;
	/* allow_other without permission checks would open every file */
	if (o->allow_other && fuse_opt_add_opt(mo, "default_permissions") < 0)
		return -ENOMEM;
	return 0;
fail:
	free(fsn);
	return -ENOMEM;
}
