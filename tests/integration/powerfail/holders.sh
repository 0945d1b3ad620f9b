#!/bin/bash
# SPDX-License-Identifier: MIT
# power-fail refuses while a process holds the file and names it; --force
# reverts under a live mapping (which then sees the reverted content);
# --kill kills the holders first.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a --crash-test
"$NSIO" fill "$F" 0 65536 0x11 || fail "fill"
"$NSIO" fsync "$F" || fail "fsync"

"$PFIO" hold "$F" 0 65536 0x41 >"$T/h1" &
H=$!
at_exit "kill -9 $H 2>/dev/null"
wait_line "$T/h1" ready
expect_exit 240 pc power-fail a --wait 0.2
assert_contains "$err" "pid $H (pfio)" "holder named"
assert_contains "$err" "--kill" "hint"
"$NSIO" check-byte "$F" 0 65536 0x41 || fail "the refusal changed the content"

# --force: the live mapping sees the reverted content, the holder lives on
expect_exit 0 pc power-fail a --force
assert_eq 0 "$(json_get "$out" .killed)" "killed with --force"
kill -USR1 "$H"
wait_line "$T/h1" saw
assert_eq "saw 0x11" "$(grep saw "$T/h1")" "what the live mapping sees"
kill -0 "$H" || fail "the holder died"
"$NSIO" check-byte "$F" 0 65536 0x11 || fail "not reverted under the mapping (file)"
"$NSIO" check-byte "$REGION" "$DPA" 65536 0x11 || fail "not reverted (region file)"
kill -9 "$H"
wait "$H" 2>/dev/null || true

# --kill
"$PFIO" hold "$F" 0 65536 0x42 >"$T/h2" &
H=$!
at_exit "kill -9 $H 2>/dev/null"
wait_line "$T/h2" ready
expect_exit 0 pc power-fail a --kill
assert_eq 1 "$(json_get "$out" .killed)" "killed"
wait "$H" 2>/dev/null || true
pid_wait_gone "$H" || fail "holder alive after --kill"
"$NSIO" check-byte "$F" 0 65536 0x11 || fail "not reverted after --kill"
"$NSIO" check-byte "$REGION" "$DPA" 65536 0x11 || fail "not reverted after --kill (region)"

# a plain open holder (no mapping) is named too
exec 5<"$F"
expect_exit 240 pc power-fail a --wait 0.1
assert_contains "$err" "pid $$ " "an open descriptor's holder"
exec 5<&-
expect_exit 0 pc power-fail a

pmemfs_stop
echo "PASS: $TEST_NAME"
