// SPDX-License-Identifier: MIT
/*
 * Opening the region files named on the command line (see regions.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/health.h"
#include "ns/region.h"

#include "fs/log.h"
#include "daemon/mountpoint.h"
#include "daemon/regions.h"

/* the core's notes (a region directory's orphans removed) go to the log */
static void regions_core_log(const char *msg)
{
	fs_info("%s", msg);
}

/*
 * How long a mount waits for a region whose daemon is still ending:
 * umount returns before FUSE tells the daemon, which then persists,
 * writes the clean health mark and only then lets go of the region's
 * lock (health.h). Its health file's "mounted" mark names it meanwhile.
 */
#define REGIONS_LOCK_WAIT_MS 10000
#define REGIONS_LOCK_POLL_MS 10

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * The pid of the daemon that marked the region at path (a region file,
 * or a directory: its DIR/region) as mounted and is still alive, or 0:
 * the lock's holder is then anything else (a conversion, a crashed
 * daemon's leftover child), and the mount fails at once as before.
 */
static pid_t ending_daemon(const char *path)
{
	char rp[PATH_MAX + 8];
	struct ns_health h;
	struct stat st;

	if (stat(path, &st) < 0 ||
	    (size_t)snprintf(rp, sizeof(rp), "%s%s", path,
			     S_ISDIR(st.st_mode) ? "/region" : "") >= sizeof(rp))
		return 0;
	(void)ns_health_load(rp, NULL, &h);
	ns_err_clear();
	if (!h.mounted || h.pid == 0 || (pid_t)h.pid == getpid() ||
	    (kill((pid_t)h.pid, 0) < 0 && errno == ESRCH))
		return 0;
	return (pid_t)h.pid;
}

/*
 * ns_region_open, waiting up to REGIONS_LOCK_WAIT_MS while the region is
 * locked, served on no mount, and its health mark names a live daemon (one
 * unmounted a moment ago, ending), then until that daemon has exited (it
 * clears the mark a moment before its lock goes). *served: the mount a daemon serves it
 * on (the caller fails at once, naming it), or NULL.
 */
static int open_waiting(const char *path, const char *abs, const struct ns_region_opts *ro,
			struct ns_region **r, char **served, bool *waited)
{
	uint64_t t0 = 0;
	pid_t pid = 0;
	int rc;

	*served = NULL;
	*waited = false;
	for (;;) {
		char msg[512];

		rc = ns_region_open(path, ro, r);
		if (rc != -NS_E_LOCKED || !abs)
			break;
		snprintf(msg, sizeof(msg), "%s", ns_errormsg());
		*served = pmemfs_region_served_on(abs);
		/* the mark goes a moment before the lock: the daemon it named is
		 * waited for until it has exited */
		if (!pid || (kill(pid, 0) < 0 && errno == ESRCH))
			pid = ending_daemon(abs);
		if (*served || !pid || (t0 && now_ms() - t0 >= REGIONS_LOCK_WAIT_MS)) {
			ns_err(rc, "%s", msg);	/* the lock's message, not the probe's */
			break;
		}
		if (!t0) {
			t0 = now_ms();
			*waited = true;
			fs_info("region file '%s' is held by pid %d, a pmemfs daemon unmounted "
				"and still ending (its final persist, the clean health mark): "
				"waiting up to %u s for it", path, (int)pid,
				REGIONS_LOCK_WAIT_MS / 1000);
		}
		nanosleep(&(struct timespec){ 0, REGIONS_LOCK_POLL_MS * 1000000L }, NULL);
	}
	if (*waited && rc == 0)
		fs_info("region file '%s': its last daemon ended after %.2f s", path,
			(double)(now_ms() - t0) / 1000.0);
	return rc;
}

int pmemfs_open_regions(const struct pmemfs_opts *o, unsigned nregions,
			uint64_t label_size, struct ns_region **regions)
{
	struct stat *st = calloc(nregions, sizeof(*st));
	unsigned i, j;
	int rc = 0;

	if (!st)
		return -ENOMEM;
	for (i = 0; i < nregions; i++) {
		if (stat(o->paths[i], &st[i]) < 0) {
			rc = -errno;
			fs_err("region file '%s': %s", o->paths[i], strerror(errno));
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (st[j].st_dev == st[i].st_dev && st[j].st_ino == st[i].st_ino) {
				fs_err("region file '%s' given twice (region%u and region%u)",
				       o->paths[i], j, i);
				rc = -EINVAL;
				goto out;
			}
		}
	}
	ns_region_set_logger(regions_core_log);
	for (i = 0; i < nregions; i++) {
		struct ns_region_opts ro = {
			.id = i,
			.label_size = label_size,
		};
		/* absolute: pmemctl shows it and matches it with the mount source */
		char *abs = realpath(o->paths[i], NULL);
		char *served = NULL, locked[512];
		bool waited;

		rc = open_waiting(abs ? abs : o->paths[i], abs, &ro, &regions[i], &served,
				  &waited);
		if (rc == -NS_E_LOCKED)
			snprintf(locked, sizeof(locked), "%s", ns_errormsg());
		free(abs);
		if (rc < 0 && served) {
			fs_err("region file '%s': %s: a pmemfs daemon serves it on '%s' (a "
			       "region is mounted once: use that mount, or unmount it "
			       "first with `fusermount3 -u %s`)", o->paths[i], locked,
			       served, served);
			free(served);
			while (i-- > 0)
				ns_region_close(&regions[i]);
			goto out;
		}
		if (rc < 0) {
			const char *msg = ns_errormsg();

			fs_err("region file '%s': %s%s%s", o->paths[i],
			       *msg ? msg : ns_strerror(rc),
			       rc == -NS_E_LOCKED && waited ?
			       " (waited for the daemon that served it to end)" : "",
			       rc == -NS_E_NO_LABELS ?
			       " (region files are made with `pmemctl create-region`; "
			       "`pmemctl init-labels --file FILE` gives an existing file "
			       "an empty label area in its last 128 KiB)" : "");
			while (i-- > 0)
				ns_region_close(&regions[i]);
			goto out;
		}
	}
out:
	free(st);
	return rc;
}
