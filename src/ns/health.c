/* SPDX-License-Identifier: MIT */
/*
 * A region's health, kept in a sidecar file (health.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/health.h"
#include "ns/sidecar.h"

#define SUFFIX ".health"
#define WHAT "health file"
/* a health file is a few lines: anything larger is not one (never read whole) */
#define MAX_BYTES 4096
/* the largest one written (its header names the region path): above it, not ours */
#define MAX_WRITTEN (MAX_BYTES + PATH_MAX + 256)

int ns_health_path(const char *region_path, char *buf, size_t len)
{
	return ns_sidecar_path(region_path, SUFFIX, buf, len);
}

static void fresh(struct ns_health *h)
{
	memset(h, 0, sizeof(*h));
	h->count_known = true;
	h->state_known = true;
}

/* the rest of a line after its key: only blanks up to the end */
static bool line_end(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\n' || *p == '\0';
}

int ns_health_parse(FILE *f, const char *name, struct ns_bb_id *had, struct ns_health *h)
{
	char line[256];
	unsigned lineno = 0, seen = 0;
	const char *why = "";
	char *p;
	int rc;

	fresh(h);
	memset(had, 0, sizeof(*had));
	while ((rc = ns_sidecar_next_line(f, line, sizeof(line), &lineno, &p)) > 0) {
		int n = 0;

		if (strncmp(p, "region ", 7) == 0) {
			why = "expected \"region ino=N btime=S.NS\" once";
			if ((seen & 1) || !ns_bb_id_parse(p + 6, had))
				goto bad;
			seen |= 1;
		} else if (strncmp(p, "shutdown_count ", 15) == 0) {
			unsigned long long c;
			char *end;

			why = "expected \"shutdown_count N\" (or unknown) once";
			if (seen & 2)
				goto bad;
			p += 15;
			while (*p == ' ')
				p++;
			if (strncmp(p, "unknown", 7) == 0 && line_end(p + 7)) {
				h->count_known = false;
			} else {
				errno = 0;
				c = strtoull(p, &end, 10);
				if (errno || end == p || *p == '-' || !line_end(end))
					goto bad;
				h->shutdown_count = c;
			}
			seen |= 2;
		} else if (strncmp(p, "shutdown_state ", 15) == 0) {
			why = "expected \"shutdown_state clean\", \"dirty\" or \"unknown\" once";
			if (seen & 4)
				goto bad;
			p += 15;
			while (*p == ' ')
				p++;
			if (strncmp(p, "unknown", 7) == 0 && line_end(p + 7))
				h->state_known = false;
			else if (strncmp(p, "clean", 5) == 0 && line_end(p + 5))
				h->dirty = false;
			else if (strncmp(p, "dirty", 5) == 0 && line_end(p + 5))
				h->dirty = true;
			else
				goto bad;
			seen |= 4;
		} else if (strncmp(p, "mounted ", 8) == 0) {
			unsigned pid;
			long long since;

			why = "expected \"mounted pid=P since=T\" once";
			if ((seen & 8) || sscanf(p + 8, " pid=%u since=%lld%n", &pid, &since, &n) != 2 ||
			    n <= 0 || !line_end(p + 8 + n))
				goto bad;
			h->mounted = true;
			h->pid = pid;
			h->since = since;
			seen |= 8;
		} else {
			why = "unknown line";
			goto bad;
		}
	}
	if (rc == -EIO)
		return ns_err(-EIO, WHAT " '%s': read error", name);
	if (rc == -E2BIG) {
		why = "line too long";
		goto bad;
	}
	if ((seen & 6) != 6) {
		lineno = 0;
		why = "no \"shutdown_count\" or \"shutdown_state\" line";
		goto bad;
	}
	return 0;
bad:
	fresh(h);
	h->count_known = h->state_known = false;
	if (lineno)
		return ns_err(-EINVAL, WHAT " '%s' line %u: %s", name, lineno, why);
	return ns_err(-EINVAL, WHAT " '%s': %s", name, why);
}

int ns_health_load(const char *region_path, const struct ns_bb_id *id,
		   struct ns_health *h)
{
	char path[PATH_MAX];
	struct ns_bb_id had;
	struct stat st;
	FILE *f;
	int rc;

	fresh(h);
	rc = ns_health_path(region_path, path, sizeof(path));
	if (rc)
		goto unknown;
	rc = ns_sidecar_open_read(region_path, path, WHAT, &f);
	if (rc == 1)
		return 0;	/* none: a new region */
	if (rc)
		goto unknown;	/* a link, a FIFO, another user's: not read */
	if (fstat(fileno(f), &st) == 0 && st.st_size > MAX_BYTES) {
		fclose(f);
		ns_err(-EFBIG, WHAT " '%s' is %lld bytes, at most %d: not read", path,
		       (long long)st.st_size, MAX_BYTES);
		goto unknown;
	}
	rc = ns_health_parse(f, path, &had, h);
	fclose(f);
	if (rc)
		goto unknown;
	if (id && id->known && had.known && !ns_bb_id_matches(&had, id)) {
		char a[96], b[96];

		ns_bb_id_text(&had, a, sizeof(a));
		ns_bb_id_text(id, b, sizeof(b));
		fresh(h);
		ns_err(-ESTALE, WHAT " '%s' was recorded for another region file at this path "
		       "(%s; this one is %s): ignored, counting from 0", path, a, b);
		return NS_HEALTH_STALE;
	}
	return 0;
unknown:
	fresh(h);
	h->count_known = h->state_known = false;
	return NS_HEALTH_UNKNOWN;
}

void ns_health_count_up(struct ns_health *h)
{
	if (h->count_known && h->shutdown_count < UINT64_MAX)
		h->shutdown_count++;
}

int ns_health_format(const struct ns_health *h, char *buf, size_t len)
{
	const char *state = !h->state_known ? "unknown" : h->dirty ? "dirty" : "clean";
	char count[32];
	int n;

	if (h->count_known)
		snprintf(count, sizeof(count), "%" PRIu64, h->shutdown_count);
	else
		snprintf(count, sizeof(count), "unknown");
	if (h->mounted)
		n = snprintf(buf, len, "shutdown_count %s\nshutdown_state %s\n"
			     "mounted pid=%" PRIu32 " since=%" PRId64 "\n", count, state,
			     h->pid, h->since);
	else
		n = snprintf(buf, len, "shutdown_count %s\nshutdown_state %s\n", count, state);
	return n >= 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int ns_health_save(const char *region_path, const struct ns_bb_id *id,
		   const struct ns_health *h)
{
	char path[PATH_MAX], hdr[PATH_MAX + 64], text[256];
	int rc;

	rc = ns_health_path(region_path, path, sizeof(path));
	if (rc)
		return rc;
	rc = ns_health_format(h, text, sizeof(text));
	if (rc)
		return ns_err(rc, WHAT " '%s': too long", path);
	snprintf(hdr, sizeof(hdr), "# pmemfs health of region file '%s'\n", region_path);
	return ns_sidecar_replace(path, SUFFIX, id, WHAT, hdr, text, MAX_WRITTEN);
}

int ns_health_remove_stale(const char *region_path)
{
	return ns_sidecar_remove_stale(region_path, SUFFIX, WHAT, "the health", MAX_WRITTEN);
}
