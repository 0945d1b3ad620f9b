#!/bin/bash
# SPDX-License-Identifier: MIT
# The crash image holds the pages written while the crash was reverted:
# a thread keeps storing to pages 0..3 of a shared mapping while another
# msyncs page 0 alone; at the armed FSYNC the application is killed and
# the kernel writes its still-dirty pages back (file close, invalidation)
# as WRITEs that arrive crashed. They never were flushed, but may have
# reached a real medium: they are crash states too, every subset of the 4
# pages in the stated order, each page old (0) or new (byte i+1).
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }
LOG=$T/seen.log

pf_setup 4M st
pf_state_checker "$T/check.sh" "$LOG"

# the first FSYNC: page 0 written back (logged), pages 1..3 arrive crashed
# (and page 0 again, when the thread stored to it after its write-back)
for surv in 0 100; do
	: >"$LOG"
	expect_exit 0 ct st --at-fsync 1 --runs 1 --seed 3 --survive "$surv" --states -- \
		"$PFIO" mrace {} 4 --check "$T/check.sh" 4
	assert_eq 16 "$(json_get "$out" .states)" "states of 1 logged + 3 late pages (survive $surv)"
	assert_eq 16 "$(json_get "$out" .distinct_states)" "distinct states (survive $surv)"
	assert_eq 16 "$(json_get "$out" .passed)" "states passed (survive $surv)"
	diff <(pf_state_order 4) <(tail -n +2 "$LOG") >"$T/diff" ||
		fail "order of states (survive $surv): $(cat "$T/diff")"
	grep -q 'crash image of 4 pages kept ([1-4] written while crashed)' "$T/daemon.log" ||
		fail "the daemon did not log the late pages: $(grep 'crash image' "$T/daemon.log")"
done

# a failing state names its pages: the image's count includes the late
# ones; state 14 (mask 14) has the late pages new and page 0 old
expect_exit 1 ct st --at-fsync 1 --runs 1 --seed 3 --state 14 -- \
	"$PFIO" mrace {} 4 --check "$T/check.sh" 4 onnn
assert_eq 4 "$(json_get "$out" '.failures[0].image_pages')" "image pages: 1 logged + 3 late"
assert_eq 3 "$(json_get "$out" '.failures[0].pages_new')" "state 14: pages 1-3 new"
assert_eq onnn "$(tail -1 "$LOG")" "state 14 as the checker saw it"

# page 5, never stored, is no crash state: it stays old in every state
assert_eq 1 "$("$PFIO" pages "$F" $((5 * 4096)) 4096 0)" "page 5 untouched"
