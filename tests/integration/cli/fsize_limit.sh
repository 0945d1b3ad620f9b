#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl under a file-size limit (ulimit -f) below what it must write:
# create-region (file and directory layout), create-namespace (a region
# directory's preallocated namespace file, a region file's labels beyond
# the limit) and convert-region fail with a clear error (EFBIG, 229) that
# names the limit where it is the region's size, never die of SIGXFSZ
# (exit 153, "File size limit exceeded") with half a file left: nothing
# is left behind and the regions are unchanged.
. "$PMEMFS_TESTLIB"
set -e

D=$T/d R=$T/r.img
"$PMEMCTL" create-region --layout dir --size 64M "$D" >/dev/null
"$PMEMCTL" create-region --size 64M "$R" >/dev/null
sum() { find "$@" -type f -exec md5sum {} + | sort; }
before=$(sum "$D" "$R")

# limited: run the rest of a command line under ulimit -f 4 MiB
limited() { (ulimit -f 4096 && exec "$@"); }

expect_exit 229 limited "$PMEMCTL" create-region --size 64M "$T/new.img"
assert_contains "$err" "cannot size region '$T/new.img' to 64 MiB: File too large (over the file-size limit: ulimit -f)" \
	"create-region's message"
[ ! -e "$T/new.img" ] || fail "create-region left '$T/new.img'"
expect_exit 229 limited "$PMEMCTL" create-region --layout dir --size 64M "$T/new.d"
assert_contains "$err" "File too large (over the file-size limit: ulimit -f)" "create-region --layout dir's message"
[ ! -e "$T/new.d" ] || fail "create-region --layout dir left '$T/new.d'"

expect_exit 229 limited "$PMEMCTL" create-namespace --file "$D" -s 16M -n a
assert_contains "$err" "cannot preallocate 16 MiB for a namespace" "create-namespace's message (region directory)"
expect_exit 229 limited "$PMEMCTL" create-namespace --file "$R" -s 16M -n a
assert_contains "$err" "File too large" "create-namespace's message (region file)"
assert_eq "$before" "$(sum "$D" "$R")" "the regions after the refused creates"
assert_eq "region" "$(ls -A "$D")" "the region directory holds its label file only"

expect_exit 229 limited "$PMEMCTL" convert-region --layout dir "$R" "$T/c"
assert_contains "$err" "nothing of '$T/c' left" "convert-region's message"
assert_eq "d r.img" "$(ls "$T" | xargs)" "files beside the regions"
assert_eq "$before" "$(sum "$D" "$R")" "the regions after the refused convert"
# and without the limit all of it works
expect_exit 0 "$PMEMCTL" create-namespace --file "$D" -s 16M -n a
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -s 16M -n a
