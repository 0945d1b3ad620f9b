/* SPDX-License-Identifier: MIT */
/* Control socket locations and pmemfs mount discovery (mountinfo). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ns/error.h"
#include "ctl/path.h"

static int ctl_path_fmt(char *buf, size_t len, const char *dir, unsigned major,
			unsigned minor)
{
	int n = snprintf(buf, len, "%s/%u:%u.sock", dir, major, minor);

	if (n < 0 || (size_t)n >= len)
		return ns_err(-ENAMETOOLONG, "control socket path in '%s' is too long", dir);
	return 0;
}

int ctl_path_socket(unsigned major, unsigned minor, uid_t uid, char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char dir[PATH_MAX];

	if (uid == 0)
		return ctl_path_fmt(buf, len, CTL_PATH_ROOT_DIR, major, minor);
	if (uid == geteuid() && xdg && xdg[0] == '/')
		snprintf(dir, sizeof(dir), "%s/pmemfs", xdg);
	else
		snprintf(dir, sizeof(dir), "/run/user/%u/pmemfs", (unsigned)uid);
	return ctl_path_fmt(buf, len, dir, major, minor);
}

int ctl_path_default(unsigned major, unsigned minor, char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() != 0 && (xdg == NULL || xdg[0] != '/'))
		return ns_err(-ENOENT,
			      "XDG_RUNTIME_DIR is not set: no place for the control socket (use -o ctl=PATH)");
	return ctl_path_socket(major, minor, geteuid(), buf, len);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo: undo in place */
static void ctl_unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

void ctl_path_mount_clear(struct ctl_mount *m)
{
	free(m->mountpoint);
	free(m->source);
	m->mountpoint = m->source = NULL;
}

void ctl_path_mounts_free(struct ctl_mount *m, size_t n)
{
	size_t i;

	for (i = 0; m && i < n; i++)
		ctl_path_mount_clear(&m[i]);
	free(m);
}

/* user_id=N among comma-separated super options */
static uid_t ctl_opt_user_id(const char *opts)
{
	const char *p = opts;

	while (p && *p) {
		if (strncmp(p, "user_id=", 8) == 0) {
			char *end;
			unsigned long v = strtoul(p + 8, &end, 10);

			if (end != p + 8 && (*end == ',' || *end == '\0') && v < UINT32_MAX)
				return (uid_t)v;
			return (uid_t)-1;
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return (uid_t)-1;
}

/*
 * One mountinfo line:
 *   id parent major:minor root mountpoint options [optional...] - fstype source superopts
 * Returns 1 and fills m for a pmemfs mount, 0 for another, -errno on memory.
 */
static int ctl_parse_line(char *line, struct ctl_mount *m)
{
	char *f[6], *fstype, *source, *super, *save = NULL, *tok;
	unsigned major, minor;
	int i;

	for (i = 0; i < 6; i++) {
		f[i] = strtok_r(i ? NULL : line, " \n", &save);
		if (f[i] == NULL)
			return 0;
	}
	do
		tok = strtok_r(NULL, " \n", &save);
	while (tok && strcmp(tok, "-") != 0);
	if (tok == NULL)
		return 0;
	fstype = strtok_r(NULL, " \n", &save);
	source = strtok_r(NULL, " \n", &save);
	super = strtok_r(NULL, " \n", &save);
	if (fstype == NULL || strcmp(fstype, CTL_MOUNT_FSTYPE) != 0)
		return 0;
	if (sscanf(f[2], "%u:%u", &major, &minor) != 2)
		return 0;

	ctl_unescape(f[4]);
	if (source)
		ctl_unescape(source);
	memset(m, 0, sizeof(*m));
	m->major = major;
	m->minor = minor;
	m->user_id = ctl_opt_user_id(super);
	m->mountpoint = strdup(f[4]);
	m->source = strdup(source ? source : "");
	if (m->mountpoint == NULL || m->source == NULL) {
		ctl_path_mount_clear(m);
		return -ENOMEM;
	}
	return 1;
}

/* every pmemfs entry of mountinfo; dedupe: one per device number */
static int ctl_mounts_read(const char *mountinfo, bool dedupe, struct ctl_mount **out,
			   size_t *n)
{
	const char *path = mountinfo ? mountinfo : "/proc/self/mountinfo";
	struct ctl_mount *v = NULL, m = { 0 };
	size_t cnt = 0, cap = 0, i;
	char *line = NULL;
	size_t linecap = 0;
	int rc = 0;
	FILE *f;

	*out = NULL;
	*n = 0;
	f = fopen(path, "re");
	if (f == NULL)
		return ns_err(-errno, "cannot read '%s': %s", path, strerror(errno));
	while (getline(&line, &linecap, f) > 0) {
		bool dup = false;

		rc = ctl_parse_line(line, &m);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;	/* not a pmemfs mount */
		rc = 0;
		for (i = 0; dedupe && i < cnt && !dup; i++)
			dup = v[i].major == m.major && v[i].minor == m.minor;
		if (dup) {
			ctl_path_mount_clear(&m);
			continue;
		}
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct ctl_mount *nv = realloc(v, nc * sizeof(*v));

			if (nv == NULL) {
				ctl_path_mount_clear(&m);
				rc = -ENOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		v[cnt++] = m;
		memset(&m, 0, sizeof(m));
	}
	free(line);
	fclose(f);
	if (rc) {
		ctl_path_mounts_free(v, cnt);
		return ns_err(rc, "out of memory reading '%s'", path);
	}
	*out = v;
	*n = cnt;
	return 0;
}

int ctl_path_mounts(const char *mountinfo, struct ctl_mount **out, size_t *n)
{
	return ctl_mounts_read(mountinfo, true, out, n);
}

static int ctl_mount_copy(const struct ctl_mount *from, struct ctl_mount *to)
{
	*to = *from;
	to->mountpoint = strdup(from->mountpoint);
	to->source = strdup(from->source);
	if (to->mountpoint == NULL || to->source == NULL) {
		ctl_path_mount_clear(to);
		return ns_err(-ENOMEM, "out of memory");
	}
	return 0;
}

/* dir with its parent canonicalised; the last component is not touched */
static int ctl_canon_parent(const char *dir, char *out, size_t len)
{
	char copy[PATH_MAX], parent[PATH_MAX];
	const char *base;
	char *slash;
	size_t l;

	snprintf(copy, sizeof(copy), "%s", dir);
	for (l = strlen(copy); l > 1 && copy[l - 1] == '/'; l--)
		copy[l - 1] = '\0';
	slash = strrchr(copy, '/');
	if (slash == NULL) {
		base = copy;
		if (realpath(".", parent) == NULL)
			return -errno;
	} else if (slash == copy) {
		base = copy + 1;
		snprintf(parent, sizeof(parent), "/");
	} else {
		*slash = '\0';
		base = slash + 1;
		if (realpath(copy, parent) == NULL)
			return -errno;
	}
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || base[0] == '\0') {
		/* not a name: only a full resolution can tell (the CLI's case) */
		if (realpath(dir, out) == NULL)
			return -errno;
		return 0;
	}
	if ((size_t)snprintf(out, len, "%s%s%s", parent,
			     strcmp(parent, "/") == 0 ? "" : "/", base) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int ctl_path_find_mount(const char *mountinfo, const char *dir, struct ctl_mount *out)
{
	struct ctl_mount *v;
	char canon[PATH_MAX];
	size_t n, i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ctl_mounts_read(mountinfo, false, &v, &n);	/* bind mounts count here */
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].mountpoint, dir) == 0)
			break;
	if (i == n && ctl_canon_parent(dir, canon, sizeof(canon)) == 0)
		for (i = 0; i < n; i++)
			if (strcmp(v[i].mountpoint, canon) == 0)
				break;
	if (i == n)
		rc = ns_err(-ENOENT, "'%s' is not a pmemfs mount", dir);
	else
		rc = ctl_mount_copy(&v[i], out);
	ctl_path_mounts_free(v, n);
	return rc;
}

int ctl_path_mount_dev(const char *mountinfo, const char *mountpoint, unsigned *major,
		       unsigned *minor)
{
	struct ctl_mount *v;
	size_t n, i;
	int rc;

	rc = ctl_mounts_read(mountinfo, false, &v, &n);	/* stacked mounts count */
	if (rc)
		return rc;
	rc = -ENOENT;
	for (i = n; i-- > 0;)
		if (strcmp(v[i].mountpoint, mountpoint) == 0) {
			*major = v[i].major;	/* the last one is on top */
			*minor = v[i].minor;
			rc = 0;
			break;
		}
	ctl_path_mounts_free(v, n);
	return rc;
}
