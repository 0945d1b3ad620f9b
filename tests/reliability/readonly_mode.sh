#!/bin/bash
# SPDX-License-Identifier: MIT
# A read-only namespace keeps the owner's -o mode minus the write bits
# (pmemfs --help: "read-only namespaces: without the write bits"): with the
# default 0600 it is 0400, so under allow_other another user cannot read a
# read-only VM disk (it was 0444 whatever -o mode said).
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to act as another user (setpriv)"
chmod 755 "$T"
R=$T/r.img
region_create "$R" 16M
ns_create "$R" 2M ro --read-only >/dev/null
pmemfs_start -o allow_other "$R"
f=$MNT/region0/ro
run_cmd setpriv --reuid=65534 --regid=65534 --clear-groups "$NSIO_BIN" check-byte "$f" 0 1 0
st=$(stat -c %a "$f")
pmemfs_stop
assert_eq 400 "$st" "mode of a read-only namespace under -o mode=0600 (default)"
assert_contains "$err" "EACCES" "another user reads a read-only namespace"
FS_SHOW_LOG=0
echo "PASS: $TEST_NAME"
