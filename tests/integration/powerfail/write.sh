#!/bin/bash
# SPDX-License-Identifier: MIT
# power-fail with write(2) writers: unflushed writes (that reached the
# daemon at close) are reverted to the last completed fsync, in the file and
# in the region file; fsync drops the undo log; enabling is a baseline;
# refused while crash testing is off; usage errors.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a --crash-test
assert_eq true "$(pc list | jq -r '.[] | select(.name == "a") | .crash_test')" "list crash_test"

"$NSIO" write "$F" 0 1048576 1 fsync || fail "write A"
"$NSIO" write "$F" 0 1048576 2 none || fail "write B"
"$NSIO" write "$F" 2097152 65536 3 none || fail "write C"
"$NSIO" verify "$F" 0 1048576 2 || fail "B not visible before the power failure"
assert_eq 272 "$(pf_status a pages_logged)" "pages logged (256 + 16)"
assert_eq 1 "$(pf_status a fsyncs)" "fsyncs since enabling"

expect_exit 0 pc power-fail a
assert_eq reverted "$(json_get "$out" .action)" "action"
assert_eq 272 "$(json_get "$out" .pages_reverted)" "pages_reverted"
assert_eq 0 "$(json_get "$out" .pages_kept)" "pages_kept"
assert_eq 1 "$(json_get "$out" .fsyncs)" "fsyncs"
assert_eq 1 "$(json_get "$out" .reverts)" "reverts"
json_get "$out" '.time_ms | numbers' >/dev/null || fail "time_ms is not a number: $out"
"$NSIO" verify "$F" 0 1048576 1 || fail "not reverted to A through the file"
"$NSIO" check-byte "$F" 2097152 65536 0 || fail "C not reverted through the file"
region_verify 0 1048576 1
"$NSIO" check-byte "$REGION" $((DPA + 2097152)) 65536 0 || fail "C not reverted in the region file"
assert_eq 0 "$(pf_status a pages_logged)" "log after the revert"

# a completed fsync drops the log: nothing to revert
"$NSIO" write "$F" 0 1048576 4 fsync || fail "write D"
assert_eq 0 "$(pf_status a pages_logged)" "log after fsync"
expect_exit 0 pc power-fail a
assert_eq 0 "$(json_get "$out" .pages_reverted)" "pages_reverted after fsync"
"$NSIO" verify "$F" 0 1048576 4 || fail "fsynced data lost"

# fdatasync counts too
"$NSIO" write "$F" 0 4096 5 fdatasync || fail "write E"
"$NSIO" write "$F" 0 4096 6 none || fail "write F"
expect_exit 0 pc power-fail a
"$NSIO" verify "$F" 0 4096 5 || fail "not reverted to the fdatasync"

# off: refused; on again: now is the baseline
expect_exit 0 pc power-fail a --disable
assert_eq false "$(json_get "$out" .crash_test)" "disabled"
expect_exit 161 pc power-fail a
assert_contains "$err" "crash testing is not enabled on 'a'" "refusal"
"$NSIO" write "$F" 0 4096 7 none || fail "write G"
expect_exit 0 pc power-fail a --enable
"$NSIO" write "$F" 0 4096 8 none || fail "write H"
expect_exit 0 pc power-fail a
"$NSIO" verify "$F" 0 4096 7 || fail "not reverted to the enabling"

# usage
expect_exit 129 pc power-fail a --kill --force
expect_exit 129 pc power-fail a --seed 3
expect_exit 129 pc power-fail a --enable --status
expect_exit 129 pc power-fail
expect_exit 234 pc power-fail a --survive 101
expect_exit 254 pc power-fail nosuch
assert_contains "$err" "no namespace 'nosuch'" "unknown namespace"
expect_exit 161 "$PMEMCTL" power-fail --file "$REGION" a
expect_exit 161 "$PMEMCTL" create-namespace -s 2M -n b --crash-test --file "$REGION"

pmemfs_stop
region_verify 0 4096 7
echo "PASS: $TEST_NAME"
