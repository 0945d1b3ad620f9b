/* SPDX-License-Identifier: MIT */
/* Progress lines on a terminal (progress.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tools/pmemctl.h"
#include "tools/progress.h"

void pc_progress_init(struct pc_progress *pg, const char *fmt, ...)
{
	va_list ap;

	memset(pg, 0, sizeof(*pg));
	va_start(ap, fmt);
	vsnprintf(pg->what, sizeof(pg->what), fmt, ap);
	va_end(ap);
	pg->tty = isatty(STDERR_FILENO) == 1;
	pg->last = -1;
}

/* "1.50 GiB", "512.00 MiB" */
static const char *pc_progress_size(uint64_t v, char *buf, size_t len)
{
	if (v >= (1ull << 30))
		snprintf(buf, len, "%.2f GiB", (double)v / (double)(1ull << 30));
	else
		snprintf(buf, len, "%.2f MiB", (double)v / (double)(1ull << 20));
	return buf;
}

void pc_progress_cb(uint64_t done, uint64_t total, void *arg)
{
	struct pc_progress *pg = arg;
	char a[32], b[32];
	int pct;

	if (!pg->tty || total < PC_PROGRESS_MIN)
		return;
	pct = done >= total ? 100 : (int)(done * 100 / total);
	if (pct == pg->last)
		return;
	pg->last = pct;
	/* \r and erase to the end of the line: one line, updated in place */
	fprintf(stderr, "\rpmemctl %s: %s: %3d%% (%s of %s)\033[K", pc_cmdname,
		pg->what, pct, pc_progress_size(done, a, sizeof(a)),
		pc_progress_size(total, b, sizeof(b)));
	pg->open = pct < 100;
	if (pct == 100)
		fputc('\n', stderr);
	fflush(stderr);
}

void pc_progress_end(struct pc_progress *pg)
{
	if (pg->open) {
		fputc('\n', stderr);
		pg->open = false;
	}
}
