// SPDX-License-Identifier: MIT
/*
 * Fuzz the health sidecar's parser (src/ns/health.c, ns_health_parse,
 * which ns_health_load runs on "<region file>.health": a file in the
 * region's directory, which whoever may write there can craft). The input
 * is the file's text, read through fmemopen.
 * Checked: an error makes the count and state unknown, with a message; an
 * accepted file written back as ns_health_save writes it (ns_health_format,
 * the identity line before it) parses to the same health and identity.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ns/badblocks.h"
#include "ns/error.h"
#include "ns/health.h"

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct ns_health *h, const struct ns_bb_id *had)
{
	char text[512], idt[96], all[700];
	struct ns_health again;
	struct ns_bb_id id2;
	FILE *f;
	int n;

	if (ns_health_format(h, text, sizeof(text)) != 0)
		abort();
	idt[0] = '\0';
	if (had->known)
		ns_bb_id_text(had, idt, sizeof(idt));
	n = snprintf(all, sizeof(all), "# pmemfs health of region file 'fuzz'\n%s%s%s%s",
		     had->known ? "region " : "", idt, had->known ? "\n" : "", text);
	if (n < 0 || (size_t)n >= sizeof(all))
		abort();
	f = fmemopen(all, (size_t)n, "r");
	if (!f)
		return;
	if (ns_health_parse(f, "fuzz", &id2, &again) != 0 ||
	    again.count_known != h->count_known || again.state_known != h->state_known ||
	    (h->count_known && again.shutdown_count != h->shutdown_count) ||
	    (h->state_known && again.dirty != h->dirty) || again.mounted != h->mounted ||
	    (h->mounted && (again.pid != h->pid || again.since != h->since)) ||
	    id2.known != had->known || id2.ino != had->ino ||
	    id2.has_btime != had->has_btime || id2.btime_sec != had->btime_sec ||
	    id2.btime_nsec != had->btime_nsec)
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_health h;
	struct ns_bb_id had;
	char *buf;
	FILE *f;
	int rc;

	f = fuzz_text_open(data, size, 1 << 16, &buf);	/* ns_health_load reads 4 KiB at most */
	if (!f)
		return 0;
	rc = ns_health_parse(f, "fuzz", &had, &h);
	fuzz_text_close(f, buf);
	if (rc < 0) {
		if (h.count_known || h.state_known || !ns_errormsg()[0])
			abort();
	} else if (rc == 0) {
		round_trip(&h, &had);
	} else {
		abort();	/* the parser has no other result */
	}
	return 0;
}
