// SPDX-License-Identifier: MIT
/* check-labels' words (label_check.h). */
#include <inttypes.h>
#include <stdio.h>

#include "ns/label_check.h"

char *ns_namespace_not_served(const struct ns_namespace *ns, bool with_state, char *buf,
			      size_t len)
{
	if (with_state)
		snprintf(buf, len, "label in slot %" PRIu32 " (%s): not served: %s: %s",
			 ns_namespace_slot(ns), ns_namespace_devname(ns),
			 ns_state_name(ns_namespace_state(ns)), ns_namespace_reason(ns));
	else
		snprintf(buf, len, "label in slot %" PRIu32 " (%s): not served: %s",
			 ns_namespace_slot(ns), ns_namespace_devname(ns),
			 ns_namespace_reason(ns));
	return buf;
}
