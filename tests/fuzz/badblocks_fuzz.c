// SPDX-License-Identifier: MIT
/*
 * Fuzz the media-error sidecar's parser (src/ns/badblocks.c, ns_bb_parse,
 * which ns_bb_load runs on "<region file>.badblocks": a file in the
 * region's directory, which whoever may write there can craft). The input
 * is the file's text, read through fmemopen.
 * Checked: an error leaves the list empty with a message; an accepted list
 * holds at most NS_BB_MAX ranges, each whole 512-byte blocks, sorted,
 * disjoint and not touching, and ns_bb_bytes over everything is their
 * sum; written back in the sidecar's format (as ns_bb_save writes it,
 * identity line included) it parses to the same list and identity; every
 * range reads as bad and the bytes between two ranges do not; clearing
 * everything empties it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/badblocks.h"
#include "ns/error.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct ns_badblocks *bb)
{
	uint64_t sum = 0;

	if (bb->n > NS_BB_MAX)
		abort();
	for (size_t i = 0; i < bb->n; i++) {
		const struct ns_bb_range *r = &bb->v[i];

		if (r->len == 0 || r->off % NS_BB_BLOCK || r->len % NS_BB_BLOCK ||
		    r->off + r->len < r->off)
			abort();
		if (i && bb->v[i - 1].off + bb->v[i - 1].len >= r->off)
			abort();	/* unsorted, overlapping or touching */
		if (!ns_bb_overlaps(bb, r->off, r->len) ||
		    ns_bb_bytes(bb, r->off, r->len) != r->len)
			abort();
		if (i && bb->v[i - 1].off + bb->v[i - 1].len < r->off) {
			uint64_t gap = bb->v[i - 1].off + bb->v[i - 1].len;

			if (ns_bb_overlaps(bb, gap, r->off - gap))
				abort();
		}
		sum += r->len;
	}
	if (ns_bb_bytes(bb, 0, UINT64_MAX) != sum)
		abort();
}

/* bb and had in the sidecar's format, parsed again: the same */
static void round_trip(const struct ns_badblocks *bb, const struct ns_bb_id *had)
{
	struct ns_badblocks again = { 0 };
	struct ns_bb_id id2;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	fprintf(f, "# pmemfs media errors of region file 'fuzz'\n");
	if (had->known && had->has_btime)
		fprintf(f, "region ino=%" PRIu64 " btime=%" PRId64 ".%09" PRIu32 "\n",
			had->ino, had->btime_sec, had->btime_nsec);
	else if (had->known)
		fprintf(f, "region ino=%" PRIu64 " btime=-\n", had->ino);
	for (size_t i = 0; i < bb->n; i++)
		fprintf(f, "%" PRIu64 " %" PRIu64 "\n", bb->v[i].off, bb->v[i].len);
	fclose(f);
	f = fmemopen(text, len, "r");
	if (!f) {
		free(text);
		return;
	}
	if (ns_bb_parse(f, "fuzz", &id2, &again) != 0 || again.n != bb->n ||
	    (bb->n && memcmp(again.v, bb->v, bb->n * sizeof(*bb->v))) ||
	    id2.known != had->known || id2.ino != had->ino ||
	    id2.has_btime != had->has_btime || id2.btime_sec != had->btime_sec ||
	    id2.btime_nsec != had->btime_nsec)
		abort();
	fclose(f);
	free(text);
	ns_bb_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_badblocks bb = { 0 };
	struct ns_bb_id had;
	char *buf;
	FILE *f;
	int rc;

	f = fuzz_text_open(data, size, 1 << 20, &buf);	/* an empty file is no list */
	if (!f)
		return 0;
	rc = ns_bb_parse(f, "fuzz", &had, &bb);
	fuzz_text_close(f, buf);
	if (rc < 0) {
		if (bb.n || !ns_errormsg()[0])
			abort();
	} else if (rc == 0) {
		check(&bb);
		round_trip(&bb, &had);
		/* ranges end at 2^64 - 512 at most: all of them are whole blocks */
		if (ns_bb_clear(&bb, 0, UINT64_MAX) < 0 || bb.n)
			abort();
	} else {
		abort();	/* the parser has no other result */
	}
	ns_bb_free(&bb);
	return 0;
}
