/* SPDX-License-Identifier: MIT */
/*
 * Where a command's region comes from: the one seam between the commands
 * and their region source.
 *
 *   offline  --file PATH: a region file no daemon holds, opened with the core
 *   online   a running pmemfs daemon, reached through its control socket:
 *            --socket PATH, or the socket of the mount --mount DIR, or of
 *            the only pmemfs mount in /proc/self/mountinfo
 *
 * pc_target_check() decides which; the commands then either open the
 * region (pc_target_open) or send requests (pc_target_call).
 */
#ifndef PMEMCTL_TARGET_H
#define PMEMCTL_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/msg.h>

#include "tools/options.h"

struct ns_region;
struct ctl_client;
struct ctl_response;

struct pc_target {
	const char *file;	/* --file PATH: the region file (offline) */
	const char *region;	/* -r/--region: region0, 0 or all */
	uint64_t label_size;	/* --label-size: skip probing (0: probe) */
	const char *mount;	/* --mount DIR (online) */
	const char *socket;	/* --socket PATH (online) */
	bool offline_only;	/* the command has no online form (zero-labels) */

	/* online, set by pc_target_check() */
	bool online;
	char sockpath[PATH_MAX];
	char mountpoint[PATH_MAX];	/* "" until known (VERSION tells) */
	struct ctl_client *client;	/* connected by the first call */
	struct nl_msg *ahead;		/* pc_target_send_ahead() */
	bool ahead_sent;
};

/* keys of the target options (long-only ones) */
enum {
	PC_KEY_FILE = PC_OPT_LONG + 100,
	PC_KEY_LABEL_SIZE,
	PC_KEY_MOUNT,
	PC_KEY_SOCKET,
};

/*
 * The option table entries every region command takes, bound to the
 * member t (struct pc_target) of the command's struct PC_OPTS_OF.
 */
#define PC_TARGET_OPT(l, s, arg, h) \
	OPT_CALLBACK(l, s, required_argument, t, arg, h, pc_target_bind)
#define PC_TARGET_OPTS \
	PC_TARGET_OPT("mount", PC_KEY_MOUNT, "DIR", \
		       "the pmemfs mount to manage (default: the only one mounted)"), \
	PC_TARGET_OPT("socket", PC_KEY_SOCKET, "PATH", \
		       "the daemon's control socket (pmemfs -o ctl=PATH)"), \
	PC_TARGET_OPT("file", PC_KEY_FILE, "PATH", \
		       "work on an unmounted region file instead (offline mode)"), \
	PC_TARGET_OPT("region", 'r', "REGION", \
		       "region0 (or 0), ...; all (offline, the file is region0)"), \
	PC_TARGET_OPT("label-size", PC_KEY_LABEL_SIZE, "SIZE", \
		       "offline: size of the label area at the end of the file (default: probe)")

/*
 * The same for commands that exist online only (no --file, --label-size;
 * add PC_TARGET_REFUSED_FILE so that --file is refused as offline mode).
 */
#define PC_TARGET_ONLINE_OPTS \
	PC_TARGET_OPT("mount", PC_KEY_MOUNT, "DIR", \
		       "the pmemfs mount to manage (default: the only one mounted)"), \
	PC_TARGET_OPT("socket", PC_KEY_SOCKET, "PATH", \
		       "the daemon's control socket (pmemfs -o ctl=PATH)"), \
	PC_TARGET_OPT("region", 'r', "REGION", "region0 (or 0), ..., or all")

/* --file of an online-only command: refused (ENOTSUP), not in --help */
#define PC_TARGET_REFUSED_FILE \
	PC_TARGET_OPT("file", PC_KEY_FILE, "PATH", NULL)

/* usage text pieces */
#define PC_TARGET_ARGS "[--mount DIR | --socket PATH | --file PATH [--label-size SIZE]]"
#define PC_TARGET_ABOUT \
	"Online (the default) the command goes to the pmemfs daemon of --mount DIR\n" \
	"(or of the only pmemfs mount, or --socket PATH); offline it works on an\n" \
	"unmounted region file given with --file PATH."
/* exit codes of online mode, for --help */
#define PC_TARGET_EXITS \
	"  145  ECONNREFUSED: no pmemfs daemon answers (no mount, dead daemon)\n" \
	"  243  EACCES: the control socket or the change is not yours\n"

/*
 * Handle a target option if key is one: returns 1 when consumed, 0 when
 * key is not a target option, or a negative code (bad value, message
 * printed).
 */
int pc_target_opt(struct pc_target *t, const struct pc_parser *p, int key);

/* The same as an option callback (options.h) on the struct pc_target t. */
int pc_target_bind(const struct pc_parser *p, const struct pc_opt *o, void *t);

/*
 * Decide offline or online. Offline (--file): a --region that names
 * another region than the file's is ENOENT. Online: find the socket; no
 * pmemfs mount at all is ECONNREFUSED (145), several mounts without
 * --mount/--socket a usage error listing them, a --mount that is not a
 * pmemfs mount ENOENT. Errors are reported; returns 0 or an exit code.
 */
int pc_target_check(struct pc_target *t, const struct pc_parser *p);

/*
 * The same for list: without --file, --mount or --socket, every pmemfs
 * mount (one target each, t's --region copied) when there are several.
 * *out (n >= 1 targets) is freed with pc_targets_free(); returns 0 or an
 * exit code (reported).
 */
int pc_target_check_all(struct pc_target *t, const struct pc_parser *p,
			 struct pc_target **out, size_t *nout);
void pc_targets_free(struct pc_target *v, size_t n);

/* The same for online-only commands: --file is refused (ENOTSUP 161). */
int pc_target_check_online(struct pc_target *t, const struct pc_parser *p);

enum pc_open_mode {
	PC_OPEN_READ,		/* NS_REGION_RDONLY: no lock, no change */
	PC_OPEN_WRITE,		/* locked: one writer at a time */
	PC_OPEN_WRITE_NOLABELS,/* locked, and a missing label area is fine */
};

/*
 * Offline: open the target's region. Errors are reported (naming the file;
 * a region a daemon holds suggests --mount) and returned as an exit code;
 * 0 on success.
 */
int pc_target_open(const struct pc_target *t, enum pc_open_mode mode,
		    struct ns_region **out);

/* a pmemfs mount whose source is the region path (malloc'ed), or NULL */
char *pc_target_mounted_at(const char *path);

/*
 * Online: a request of cmd with the target's --region (when given and not
 * "all") put in. NULL when out of memory (reported).
 */
struct nl_msg *pc_target_request(const struct pc_target *t, unsigned cmd);

/*
 * The same for a command on one region: without --region (or with "all")
 * the request names "all", and the daemon takes its only region or says to
 * choose one.
 */
struct nl_msg *pc_target_region_request(const struct pc_target *t, unsigned cmd);

/*
 * Online: send req (connecting first: a VERSION request, sent with req in
 * one write, checks the protocol and learns the mount point before req's
 * reply is read) and wait for the reply. Failures
 * are reported ("pmemctl <cmd>: <the daemon's message>") and returned as
 * an exit code; 0 with *out set on success. req is freed.
 */
int pc_target_call(struct pc_target *t, struct nl_msg *req, struct ctl_response **out);

/* The same without reporting: 0 or a negative errno with an ns_err() message. */
int pc_target_call_quiet(struct pc_target *t, struct nl_msg *req,
			  struct ctl_response **out);

/*
 * Online: send req (the target's now) in the same write as the next
 * call's request, behind it, when the next request does not depend on
 * the answer before (list -v: STATUS behind LIST): one round trip for
 * both. Its reply is then read by pc_target_call(t, req, ...), which must
 * be the call after that one; freed by it or pc_target_close().
 */
void pc_target_send_ahead(struct pc_target *t, struct nl_msg *req);

/* Disconnect (NULL-safe). */
void pc_target_close(struct pc_target *t);

#endif
