#!/bin/bash
# SPDX-License-Identifier: MIT
# The undo log (the original of every page written since the last FSYNC,
# in the daemon's memory) is bounded: a quarter of the machine's memory,
# here 16 pages (PMEMFS_TEST_UNDO_PAGES, a test's setting, read once at
# the daemon's start). A write of a page beyond it fails with EIO, logged
# once until the next FSYNC; what is logged still reverts; the daemon
# serves on, and an FSYNC makes room again (it had no bound: a namespace
# larger than the machine's memory, written without an FSYNC, took the
# daemon down).
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

export PMEMFS_TEST_UNDO_PAGES=16
pf_setup 4M a --crash-test
grep -q 'undo logs bounded to 16 pages (PMEMFS_TEST_UNDO_PAGES' "$T/daemon.log" ||
	fail "the daemon did not take the test's bound: $(cat "$T/daemon.log")"

"$NSIO" write "$F" 0 $((64 << 10)) 1 fsync || fail "write A"
# 16 pages unflushed: at the bound
"$NSIO" write "$F" 0 $((64 << 10)) 2 none || fail "16 pages, the bound"
assert_eq 16 "$(pf_status a pages_logged)" "pages logged at the bound"
# pages already logged: rewritten freely
"$NSIO" write "$F" 4096 8192 3 none || fail "rewrite of logged pages"
# a 17th page: EIO, said once
expect_exit 1 "$NSIO" write "$F" $((1 << 20)) 4096 4 none
assert_contains "$err" "EIO" "a page beyond the bound"
expect_exit 1 "$NSIO" write "$F" $((2 << 20)) 4096 4 none
wait_line "$T/daemon.log" "namespace0.0: crash testing holds 16 unflushed pages, its bound"
[ "$(grep -c 'crash testing holds 16 unflushed pages' "$T/daemon.log")" = 1 ] ||
	fail "the bound not logged once: $(grep 'unflushed pages' "$T/daemon.log")"
"$NSIO" check-byte "$F" $((1 << 20)) 4096 0 || fail "a refused write landed"
pc list >/dev/null || fail "the daemon does not answer"
assert_eq 16 "$(pf_status a pages_logged)" "the log kept at its bound"

# what is logged reverts: back to A
expect_exit 0 pc power-fail a
assert_eq 16 "$(json_get "$out" .pages_reverted)" "pages reverted"
"$NSIO" verify "$F" 0 $((64 << 10)) 1 || fail "not reverted to A"

# an FSYNC empties the log: room again, and the bound said again when hit
"$NSIO" write "$F" 0 $((64 << 10)) 5 fsync || fail "write E"
"$NSIO" write "$F" $((1 << 20)) $((64 << 10)) 6 none || fail "16 new pages after the FSYNC"
expect_exit 1 "$NSIO" write "$F" $((2 << 20)) 4096 7 none
wait_line "$T/daemon.log" "crash testing holds 16 unflushed pages" 
for ((i = 0; i < 100; i++)); do
	[ "$(grep -c 'crash testing holds 16 unflushed pages' "$T/daemon.log")" = 2 ] && break
	sleep 0.05
done
[ "$i" -lt 100 ] || fail "the bound not said again after the FSYNC"
"$NSIO" write "$F" $((1 << 20)) $((64 << 10)) 8 fsync || fail "an FSYNC of what is logged"
"$NSIO" verify "$F" $((1 << 20)) $((64 << 10)) 8 || fail "the FSYNCed write"

# crash testing off: no bound at all
expect_exit 0 pc power-fail a --disable
"$NSIO" write "$F" 0 $((1 << 20)) 9 none || fail "crash testing off: no bound"
pmemfs_stop
