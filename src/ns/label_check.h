/* SPDX-License-Identifier: MIT */
/*
 * check-labels' words, shared by the daemon (src/fs/control_labels.c)
 * and pmemctl's offline mode (tools/cmd_labels.c), so both say a problem
 * alike.
 */
#ifndef PMEMFS_NS_LABEL_CHECK_H
#define PMEMFS_NS_LABEL_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "ns/namespace.h"

/* room for any line of ns_namespace_not_served (a reason is < 256 bytes) */
#define NS_NOT_SERVED_LEN 512

/*
 * Why the region does not serve ns, as one line in buf:
 * "label in slot N (namespaceR.N): not served: STATE: REASON", or without
 * "STATE: " when with_state is false (the daemon's words for a label that
 * decodes but is invalid). Returns buf.
 */
char *ns_namespace_not_served(const struct ns_namespace *ns, bool with_state, char *buf,
			      size_t len);

#endif
