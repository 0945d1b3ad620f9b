# SPDX-License-Identifier: MIT
exit 77
