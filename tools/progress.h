/* SPDX-License-Identifier: MIT */
/*
 * Progress of a long operation (preallocating a large region file or
 * namespace) on stderr, updated in place: shown only when stderr is a
 * terminal and the job is at least PC_PROGRESS_MIN bytes; otherwise
 * nothing is printed (scripts and logs stay clean).
 *
 *   struct pc_progress pg;
 *   pc_progress_init(&pg, "preallocating '%s'", path);
 *   opts.progress = pc_progress_cb; opts.progress_arg = &pg;
 *   rc = ns_region_create(...);
 *   pc_progress_end(&pg);	// ends an open line (after a failure)
 */
#ifndef PMEMCTL_PROGRESS_H
#define PMEMCTL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define PC_PROGRESS_MIN (256ull * 1024 * 1024)

struct pc_progress {
	char what[256];	/* "preallocating 'r.img'" */
	bool tty;	/* stderr is a terminal */
	bool open;	/* a line is shown and not ended yet */
	int last;	/* percent last shown, -1: none */
};

/* what the job is, printf-style: "preallocating '%s'" */
void pc_progress_init(struct pc_progress *pg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* an ns_progress_fn (util.h); arg is the struct pc_progress */
void pc_progress_cb(uint64_t done, uint64_t total, void *arg);
void pc_progress_end(struct pc_progress *pg);

#endif
