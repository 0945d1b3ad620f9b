#!/bin/bash
# SPDX-License-Identifier: MIT
# power-fail with mmap writers killed with SIGKILL: before the kernel wrote
# their pages back (they reach the daemon while the process dies) and after
# (another process's open and close wrote them back); msync(MS_SYNC) is an
# FSYNC that survives.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a --crash-test
"$NSIO" write "$F" 0 1048576 1 fsync || fail "write A"

# killed before write-back
"$NSIO" mmap-write "$F" 0 1048576 2 hold >"$T/h1" &
H=$!
wait_line "$T/h1" ready
assert_eq 0 "$(pf_status a pages_logged)" "pages written back before the kill"
kill -9 "$H"
wait "$H" 2>/dev/null || true
expect_exit 0 pc power-fail a
"$NSIO" verify "$F" 0 1048576 1 || fail "killed before write-back: not reverted (file)"
region_verify 0 1048576 1

# killed after write-back
"$NSIO" mmap-write "$F" 0 1048576 3 hold >"$T/h2" &
H=$!
wait_line "$T/h2" ready
: <"$F"		# an open and a close write the dirty pages back
logged=$(pf_status a pages_logged)
[ "$logged" -ge 256 ] || fail "the open and close wrote back $logged pages, expected 256"
kill -9 "$H"
wait "$H" 2>/dev/null || true
expect_exit 0 pc power-fail a
[ "$(json_get "$out" .pages_reverted)" -ge 256 ] || fail "pages_reverted: $out"
"$NSIO" verify "$F" 0 1048576 1 || fail "killed after write-back: not reverted (file)"
region_verify 0 1048576 1

# msync is an FSYNC: the range survives
"$NSIO" mmap-write "$F" 0 1048576 4 msync || fail "mmap-write msync"
expect_exit 0 pc power-fail a
"$NSIO" verify "$F" 0 1048576 4 || fail "msync'ed data lost"
region_verify 0 1048576 4

pmemfs_stop
region_verify 0 1048576 4
echo "PASS: $TEST_NAME"
