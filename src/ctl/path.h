/* SPDX-License-Identifier: MIT */
/*
 * Where the control socket lives, and which pmemfs mounts exist.
 *
 * A daemon serving mount device <major>:<minor> listens on
 *   /run/pmemfs/<major>:<minor>.sock                  when it runs as root
 *   $XDG_RUNTIME_DIR/pmemfs/<major>:<minor>.sock      otherwise
 * (or -o ctl=PATH). pmemctl finds mounts in /proc/self/mountinfo (fstype
 * "fuse.pmemfs": the device number and the mount point) and derives the
 * path from the mount's user_id= option (the uid the daemon runs as).
 *
 * This is the project's one mountinfo parser (the daemon's bdi lookup uses
 * it too; fuzzed by tests/fuzz/mountinfo_fuzz.c). Not libmount: see
 * docs/architecture.md, "src/ctl".
 */
#ifndef PMEMFS_CTL_PATH_H
#define PMEMFS_CTL_PATH_H

#include <stddef.h>
#include <sys/types.h>

#define CTL_PATH_ROOT_DIR "/run/pmemfs"
#define CTL_MOUNT_FSTYPE "fuse.pmemfs"

struct ctl_mount {
	unsigned major;
	unsigned minor;
	char *mountpoint;	/* unescaped */
	char *source;		/* the mount source (region file(s) as given) */
	uid_t user_id;		/* fuse's user_id= option; (uid_t)-1 if absent */
};

/*
 * The socket path for a daemon running as uid: /run/pmemfs/... for uid 0,
 * else $XDG_RUNTIME_DIR/pmemfs/... when uid is the caller's and
 * XDG_RUNTIME_DIR is set, else /run/user/<uid>/pmemfs/... (where
 * systemd-logind puts XDG_RUNTIME_DIR). Returns 0 or -ENAMETOOLONG.
 */
int ctl_path_socket(unsigned major, unsigned minor, uid_t uid, char *buf, size_t len);

/*
 * The daemon's own choice: as ctl_path_socket for geteuid(), except that
 * a non-root daemon needs XDG_RUNTIME_DIR set (-ENOENT with a message
 * suggesting -o ctl=PATH otherwise).
 */
int ctl_path_default(unsigned major, unsigned minor, char *buf, size_t len);

/*
 * Every pmemfs mount in mountinfo (NULL: /proc/self/mountinfo), one per
 * device number (bind mounts of the same file system are skipped; the
 * first entry wins). *out is NULL when there is none. Returns 0, or a
 * negative errno with a message.
 */
int ctl_path_mounts(const char *mountinfo, struct ctl_mount **out, size_t *n);
void ctl_path_mounts_free(struct ctl_mount *m, size_t n);

/* Free the strings of one ctl_mount (not m itself). */
void ctl_path_mount_clear(struct ctl_mount *m);

/*
 * The pmemfs mount (or bind mount of one) whose mount point is dir: as
 * given, else with its parent directory canonicalised (realpath of the
 * parent only, so that the daemon can call this before its loop serves: a
 * stat of the mount itself would wait for the daemon). Returns 0 and fills out (free its
 * strings with ctl_path_mount_clear()), -ENOENT with a message when dir is
 * not a pmemfs mount, or another negative errno.
 */
int ctl_path_find_mount(const char *mountinfo, const char *dir, struct ctl_mount *out);

/*
 * The device number of the pmemfs mount at exactly mountpoint (the last
 * entry, on top when mounts are stacked): no canonicalisation, no stat, so
 * that the daemon can find its own mount before its loop serves
 * (src/fs/bdi.c). 0, -ENOENT (no message), or another negative errno with
 * a message.
 */
int ctl_path_mount_dev(const char *mountinfo, const char *mountpoint, unsigned *major,
		       unsigned *minor);

#endif
