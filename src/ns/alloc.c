/* SPDX-License-Identifier: MIT */
/* placeholder: being written */
typedef int pmemfs_placeholder_alloc;
