#!/bin/bash
# SPDX-License-Identifier: MIT
# The crash image is bounded: a crash point with more unflushed pages than
# the bound (PMEMFS_TEST_CRASH_IMAGE_PAGES, a test's setting, read once at
# the daemon's start) drops its image, logged once, and crash-test
# --states checks that point's plain revert, says so once and counts it
# in images_over_bound; the daemon serves on. Pages that arrive while
# crashed (the kernel's write-back after a kill) are bounded too.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }
LOG=$T/seen.log

export PMEMFS_TEST_CRASH_IMAGE_PAGES=8
pf_setup 4M st
pf_state_checker "$T/check.sh" "$LOG"
grep -q 'crash images bounded to 8 pages' "$T/daemon.log" ||
	fail "the daemon did not take the test's bound: $(cat "$T/daemon.log")"

# 6 pages: under the bound, every subset
expect_exit 0 ct st --mode fsync --runs 1 --seed 3 --states -- "$PFIO" fill {} 6 --check true
assert_eq 64 "$(json_get "$out" .states)" "6 pages, under the bound: every subset"
assert_eq 0 "$(json_get "$out" .images_over_bound)" "6 pages: no image over its bound"

# 20 pages at the crash: over the bound, the plain revert checked (all
# old: the checker sees 20 'o'), two crash points, said once
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 2 --seed 3 --states -- "$PFIO" fill {} 20 \
	--check "$T/check.sh" 20
assert_eq 2 "$(json_get "$out" .images_over_bound)" "crash points over the bound"
assert_eq 2 "$(json_get "$out" .states)" "one state (the plain revert) per point"
assert_eq 2 "$(json_get "$out" .passed)" "the plain reverts passed"
assert_eq "$(printf 'o%.0s' {1..20})" "$(tail -1 "$LOG")" "the plain revert as the checker saw it"
[ "$(grep -c "exceeded its bound (20 pages of at most 8" <<<"$err")" = 1 ] ||
	fail "crash-test did not say once that the image exceeded its bound: $err"
[ "$(grep -c 'its crash image needs more than 8 pages' "$T/daemon.log")" = 2 ] ||
	fail "the daemon did not log each dropped image once: $(grep 'crash image' "$T/daemon.log")"

# a failing plain revert still fails the test, its seed printed
expect_exit 1 ct st --mode fsync --runs 1 --seed 5 --states -- "$PFIO" fill {} 20 \
	--check "$T/check.sh" 20 "$(printf 'o%.0s' {1..20})"
assert_eq 1 "$(json_get "$out" .failed)" "a failing plain revert"
grep -q 'plain revert (crash image over its bound)' <<<"$err" ||
	fail "the failure does not say it was the plain revert: $err"

# pages written while crashed (the kernel's write-back of a killed
# application's dirty pages) make the image grow: bounded too
export PMEMFS_TEST_CRASH_IMAGE_PAGES=2
pmemfs_stop
online_start "$REGION"
: >"$LOG"
expect_exit 0 ct st --at-fsync 1 --runs 1 --seed 3 --states -- \
	"$PFIO" mrace {} 4 --check "$T/check.sh" 4
if [ "$(json_get "$out" .images_over_bound)" = 1 ]; then
	assert_eq 1 "$(json_get "$out" .states)" "late pages over the bound: the plain revert"
	grep -q 'its crash image needs more than 2 pages' "$T/daemon.log" ||
		fail "no log of the dropped image: $(grep 'crash image' "$T/daemon.log")"
else
	# the kernel wrote fewer pages back than the bound: every subset
	grep -q 'crash image of [12] pages\? kept' "$T/daemon.log" ||
		fail "neither over the bound nor under it: $out"
fi

# the daemon serves on: a plain crash-test and I/O after all this
expect_exit 0 ct st --mode fsync --runs 1 --seed 3 --states -- "$PFIO" fill {} 1 --check true
assert_eq 2 "$(json_get "$out" .states)" "1 page after the drops: both states"
pc list >/dev/null || fail "the daemon stopped serving"
