#!/bin/bash
# SPDX-License-Identifier: MIT
# power-fail --at-fsync K: the K-th FSYNC from now kills its caller and the
# namespace reverts to the state after K-1 FSYNCs (write(2) + fsync and
# mmap + msync writers); 0 disarms.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a --crash-test
assert_eq 0 "$DPA" "the first namespace's dpa"
"$NSIO" fill "$F" 0 65536 0 || fail "zero"
"$NSIO" fsync "$F" || fail "fsync"

# wait_revert N: until power-fail --status shows N reverts and none in progress
wait_revert() {
	local i j
	for ((i = 0; i < 500; i++)); do
		j=$(pc power-fail a --status)
		[ "$(json_get "$j" .reverts)" = "$1" ] && [ "$(json_get "$j" .reverting)" = false ] &&
			return 0
		sleep 0.01
	done
	fail "no revert $1: $j"
}

expect_exit 0 pc power-fail a --at-fsync 4
assert_eq armed "$(json_get "$out" .action)" "action"
assert_eq 4 "$(json_get "$out" .at_fsync)" "at_fsync"
assert_eq false "$(json_get "$out" .crashed)" "crashed before the armed crash fired"
run_cmd "$PFIO" seq "$F" 10 write
assert_eq 137 "$rc" "the writer's end (SIGKILL)"
assert_eq "fsync 3" "$(tail -n 1 "$T/.out")" "the last fsync started"
wait_revert 1
"$PFIO" check-seq "$F" 10 3 || fail "write(2): not the state after 3 fsyncs (file)"
"$PFIO" check-seq "$RNS" 10 3 || fail "write(2): not the state after 3 fsyncs (region)"
assert_eq 0 "$(pf_status a at_fsync)" "disarmed after firing"
# the status after the armed crash says it crashed (it said false once the
# revert was done: the daemon's reverting flag was shown as "crashed")
expect_exit 0 pc power-fail a --status
assert_eq true "$(json_get "$out" .crashed)" "crashed after the armed crash fired"
assert_eq false "$(json_get "$out" .reverting)" "reverting once the revert is done"
assert_eq 1 "$(json_get "$out" .reverts)" "reverts after the armed crash"

"$NSIO" fill "$F" 0 65536 0 || fail "zero"
"$NSIO" fsync "$F" || fail "fsync"
expect_exit 0 pc power-fail a --at-fsync 6
run_cmd "$PFIO" seq "$F" 10 mmap
assert_eq 137 "$rc" "the mmap writer's end (SIGKILL)"
wait_revert 2
"$PFIO" check-seq "$F" 10 5 || fail "mmap: not the state after 5 msyncs (file)"
"$PFIO" check-seq "$RNS" 10 5 || fail "mmap: not the state after 5 msyncs (region)"

# disarm
expect_exit 0 pc power-fail a --at-fsync 2
expect_exit 0 pc power-fail a --at-fsync 0
assert_eq disarmed "$(json_get "$out" .action)" "disarm"
"$PFIO" seq "$F" 10 write >/dev/null || fail "a disarmed crash fired"
"$PFIO" check-seq "$F" 10 10 || fail "all 10 pages"

expect_exit 129 pc power-fail a --at-fsync 1 --kill
expect_exit 234 pc power-fail a --at-fsync x
pmemfs_stop
echo "PASS: $TEST_NAME"
