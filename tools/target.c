/* SPDX-License-Identifier: MIT */
/* The region source of a command: a region file opened with the core. */
#include <errno.h>
#include <string.h>

#include "error.h"
#include "pmemctl.h"
#include "region.h"
#include "target.h"

int ctl_target_opt(struct ctl_target *t, const struct ctl_parser *p, int key)
{
	int rc;

	switch (key) {
	case CTL_KEY_FILE:
		t->file = p->arg;
		return 1;
	case 'r':
		t->region = p->arg;
		return 1;
	case CTL_KEY_LABEL_SIZE:
		rc = ctl_opt_size(p, &t->label_size);
		return rc < 0 ? rc : 1;
	default:
		return 0;
	}
}

int ctl_target_check(const struct ctl_target *t, const struct ctl_parser *p)
{
	if (!t->file || !*t->file)
		return ctl_usage_error(p, "no region file given: use --file PATH");
	if (t->region && strcmp(t->region, "region0") != 0 &&
	    strcmp(t->region, "0") != 0 && strcmp(t->region, "all") != 0)
		return ctl_fail_msg(-ENOENT,
				    "no region '%s': offline, the file '%s' is region0",
				    t->region, t->file);
	return 0;
}

int ctl_target_open(const struct ctl_target *t, enum ctl_open_mode mode,
		    struct ns_region **out)
{
	struct ns_region_opts o = {
		.id = 0,
		.label_size = t->label_size,
	};
	int rc;

	if (mode == CTL_OPEN_READ)
		o.flags |= NS_REGION_RDONLY;
	if (mode == CTL_OPEN_WRITE_NOLABELS)
		o.flags |= NS_REGION_NOLABELS_OK;
	rc = ns_region_open(t->file, &o, out);
	if (rc < 0)
		return ctl_fail_on(rc, t->file, "cannot open region '%s'", t->file);
	return 0;
}
