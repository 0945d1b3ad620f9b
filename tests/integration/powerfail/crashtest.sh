#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl crash-test finds the demo's missing flush (crash_demo_buggy),
# reports replayable seeds, and passes the fixed demo (crash_demo); crash
# testing is enabled for the test only and the content restored after.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

# (pc puts --mount last, where crash-test reads the checker's arguments)
ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }

pf_setup 4M log
"$DEMO" init "$F" >/dev/null || fail "init"

expect_exit 1 ct log --runs 8 --seed 1000 -- \
	"$DEMO_BUGGY" append {} 16 --check "$DEMO" check {}
j=$out
assert_eq 8 "$(json_get "$j" .runs)" "runs"
assert_eq 16 "$(json_get "$j" .fsyncs)" "FSYNCs of a clean buggy run"
failed=$(json_get "$j" .failed)
[ "$failed" -ge 4 ] || fail "the missing flush was found in $failed of 8 runs: $j"
assert_eq "$failed" "$(json_get "$j" '.failures | length')" "failures listed"
assert_contains "$(json_get "$j" '.failures[0].checker_output')" "missing or torn" "checker says why"
assert_contains "$err" "replay: --seed" "replay hint"

# a failing FSYNC crash point replays exactly
s=$(json_get "$j" '[.failures[] | select(.crash | startswith("fsync"))][0].seed')
c=$(json_get "$j" '[.failures[] | select(.crash | startswith("fsync"))][0].crash')
[ "$s" != null ] || fail "no failure at an FSYNC: $j"
expect_exit 1 ct log --runs 1 --seed "$s" -- \
	"$DEMO_BUGGY" append {} 16 --check "$DEMO" check {}
assert_eq "$c" "$(json_get "$out" '.failures[0].crash')" "replayed crash point"
assert_eq "$s" "$(json_get "$out" '.failures[0].seed')" "replayed seed"

expect_exit 0 ct log --runs 12 --seed 1000 -- \
	"$DEMO" append {} 16 --check "$DEMO" check {}
assert_eq 12 "$(json_get "$out" .passed)" "the fixed demo passes"
assert_eq 32 "$(json_get "$out" .fsyncs)" "FSYNCs of a clean fixed run"
expect_exit 0 ct log --runs 6 --seed 5 --survive 50 -- \
	"$DEMO" append {} 16 --check "$DEMO" check {}
assert_eq 6 "$(json_get "$out" .passed)" "the fixed demo with survivors"

# left as found: crash testing off, the empty log back
assert_eq null "$(pc list | jq -r '.[] | select(.name == "log") | .crash_test')" "crash_test after"
assert_eq "0 records, all intact" "$("$DEMO" check "$F")" "content restored"

# usage
expect_exit 129 ct log --runs 1
expect_exit 129 ct log -- "$DEMO" check {}
expect_exit 129 ct -- "$DEMO" check {} --check "$DEMO" check {}
expect_exit 1 ct log --runs 1 -- false --check true
assert_contains "$err" "the application fails without a crash" "failing app"
pmemfs_stop
echo "PASS: $TEST_NAME"
