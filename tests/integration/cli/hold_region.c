/* SPDX-License-Identifier: MIT */
/*
 * Test helper: open a region file the way a writer does (ns_region_open,
 * which takes the region's lock), print "ready" on stdout, and keep it
 * open until killed. Lets the CLI tests see a region locked by another
 * process.
 *   hold_region PATH
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "ns/error.h"
#include "ns/region.h"

int main(int argc, char **argv)
{
	struct ns_region_opts o = { 0 };
	struct ns_region *r = NULL;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: hold_region PATH\n");
		return 2;
	}
	rc = ns_region_open(argv[1], &o, &r);
	if (rc < 0) {
		fprintf(stderr, "hold_region: %s\n", ns_errormsg());
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
