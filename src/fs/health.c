// SPDX-License-Identifier: MIT
/*
 * A region's health as the daemon counts it (health.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/region.h"

#include "fs/health.h"
#include "fs/log.h"

static void count_text(const struct ns_health *h, char *buf, size_t len)
{
	if (h->count_known)
		snprintf(buf, len, "%" PRIu64, h->shutdown_count);
	else
		snprintf(buf, len, "unknown");
}

/* failed saves logged per daemon and region (a crash test fails many) */
#define FS_HEALTH_LOG_FAILS 3

/* under hl->lock; a failure is logged (what was being recorded) */
static bool save(struct fs_health *hl, const char *what, const char *then)
{
	if (ns_health_save(hl->region_path, &hl->id, &hl->h) == 0)
		return true;
	if (++hl->failures <= FS_HEALTH_LOG_FAILS)
		fs_warn("%s: cannot record %s in its health file: %s%s%s", hl->devname, what,
			ns_errormsg(), then, hl->failures == FS_HEALTH_LOG_FAILS ?
			" (later failures to save it are not logged)" : "");
	ns_err_clear();
	return false;
}

void fs_health_init(struct fs_health *hl, const struct ns_region *r)
{
	char c[32];
	int rc;

	memset(hl, 0, sizeof(*hl));
	pthread_mutex_init(&hl->lock, NULL);
	hl->region_path = ns_region_file_path(r);	/* DIR/region too */
	hl->devname = ns_region_devname(r);
	ns_bb_id_of_region(r, &hl->id);
	rc = ns_health_load(hl->region_path, &hl->id, &hl->h);
	if (rc == NS_HEALTH_UNKNOWN) {
		snprintf(hl->note, sizeof(hl->note), "%s", ns_errormsg());
		fs_warn("%s: its shutdown count is unknown: %s (shown as unknown; remove the "
			"file to count from 0 again)", hl->devname, ns_errormsg());
	} else if (rc == NS_HEALTH_STALE) {
		fs_warn("%s: %s", hl->devname, ns_errormsg());
	} else if (!hl->h.count_known) {
		snprintf(hl->note, sizeof(hl->note), "an earlier health file of this region "
			 "could not be read; remove it to count from 0 again");
		fs_warn("%s: its shutdown count is unknown: %s", hl->devname, hl->note);
	}
	ns_err_clear();
	if (ns_region_is_rdonly(r)) {
		hl->rdonly = true;
		fs_info("%s: read-only: its shutdown count is shown, never counted",
			hl->devname);
		return;
	}
	if (hl->h.mounted) {
		/* we hold the region's lock: the daemon that wrote it is gone */
		ns_health_count_up(&hl->h);
		hl->h.dirty = hl->h.state_known = true;
		count_text(&hl->h, c, sizeof(c));
		fs_warn("%s: the daemon that served it before (pid %" PRIu32 ") ended without "
			"a clean shutdown (killed, crashed, or the host lost power): dirty "
			"shutdown, shutdown_count %s", hl->devname, hl->h.pid, c);
	}
	hl->h.mounted = true;
	hl->h.pid = (uint32_t)getpid();
	hl->h.since = (int64_t)time(NULL);
	hl->marked = save(hl, "the mount", " (an unclean end of this daemon will not be "
			  "counted)");
}

void fs_health_moved(struct fs_health *hl)
{
	uint32_t pid = (uint32_t)getpid();

	if (!hl || hl->rdonly || !hl->marked)
		return;
	pthread_mutex_lock(&hl->lock);
	if (hl->h.pid != pid) {
		hl->h.pid = pid;
		save(hl, "the daemon's pid", "");
	}
	pthread_mutex_unlock(&hl->lock);
}

void fs_health_power_fail(struct fs_health *hl, const char *what)
{
	char c[32];

	if (!hl || hl->rdonly)
		return;
	pthread_mutex_lock(&hl->lock);
	ns_health_count_up(&hl->h);
	hl->h.dirty = hl->h.state_known = true;
	count_text(&hl->h, c, sizeof(c));
	if (save(hl, "a power failure", ""))
		fs_info("%s: power failure of %s: dirty shutdown, shutdown_count %s",
			hl->devname, what, c);
	pthread_mutex_unlock(&hl->lock);
}

void fs_health_end(struct fs_health *hl, bool clean)
{
	char c[32];

	if (!hl || hl->rdonly)
		return;
	pthread_mutex_lock(&hl->lock);
	if (!clean) {
		ns_health_count_up(&hl->h);
		hl->h.dirty = true;
	} else {
		hl->h.dirty = false;
	}
	hl->h.state_known = true;
	hl->h.mounted = false;
	count_text(&hl->h, c, sizeof(c));
	if (save(hl, clean ? "the clean shutdown" : "the dirty shutdown",
		 hl->marked ? " (the next mount counts an unclean end)" : "") && !clean)
		fs_warn("%s: the final persist failed: dirty shutdown, shutdown_count %s",
			hl->devname, c);
	pthread_mutex_unlock(&hl->lock);
}

void fs_health_get(struct fs_health *hl, struct ns_health *out, char *note, size_t len)
{
	pthread_mutex_lock(&hl->lock);
	*out = hl->h;
	if (note && len)
		snprintf(note, len, "%s", hl->h.count_known ? "" : hl->note);
	pthread_mutex_unlock(&hl->lock);
}

void fs_health_fini(struct fs_health *hl)
{
	pthread_mutex_destroy(&hl->lock);
}
