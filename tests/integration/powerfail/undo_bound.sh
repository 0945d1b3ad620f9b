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
# 15 pages unflushed; a WRITE of 2 new pages would go past the bound: it
# is refused whole, none of its pages logged (one was, before)
"$NSIO" write "$F" 0 $((60 << 10)) 2 none || fail "15 pages"
expect_exit 1 "$NSIO" write "$F" $((1 << 20)) 8192 2 none
assert_eq 15 "$(pf_status a pages_logged)" "a WRITE across the bound: its pages logged"
# 16: at the bound
"$NSIO" write "$F" $((60 << 10)) 4096 2 none || fail "the 16th page"
assert_eq 16 "$(pf_status a pages_logged)" "pages logged at the bound"
# pages already logged: rewritten freely
"$NSIO" write "$F" 4096 8192 3 none || fail "rewrite of logged pages"
# a 17th page: EIO, said once
expect_exit 1 "$NSIO" write "$F" $((1 << 20)) 4096 4 none
assert_contains "$err" "EIO" "a page beyond the bound"
expect_exit 1 "$NSIO" write "$F" $((2 << 20)) 4096 4 none
wait_line "$T/daemon.log" "namespace0.0: crash testing keeps at most 16 unflushed pages"
[ "$(grep -c 'crash testing keeps at most 16 unflushed pages' "$T/daemon.log")" = 1 ] ||
	fail "the bound not logged once: $(grep 'unflushed pages' "$T/daemon.log")"
"$NSIO" check-byte "$F" $((1 << 20)) 4096 0 || fail "a refused write landed"
pc list >/dev/null || fail "the daemon does not answer"
assert_eq 16 "$(pf_status a pages_logged)" "the log kept at its bound"

# a discarding FALLOCATE too (a punch); one that only reserves blocks
# (KEEP_SIZE) changes no byte: neither logged nor refused
# (xfs_io: fallocate(1) fsyncs after, which would empty the log)
run_cmd xfs_io -c "fpunch $((3 << 20)) 8192" "$F"
assert_contains "$err" "Input/output error" "a punch beyond the bound"
assert_eq 16 "$(pf_status a pages_logged)" "a punch beyond the bound: logged"
run_cmd xfs_io -c "falloc -k $((3 << 20)) 8192" "$F"
assert_eq "" "$err" "a KEEP_SIZE reservation"
assert_eq 16 "$(pf_status a pages_logged)" "a KEEP_SIZE reservation: logged"

# what is logged reverts: back to A
expect_exit 0 pc power-fail a
assert_eq 16 "$(json_get "$out" .pages_reverted)" "pages reverted"
"$NSIO" verify "$F" 0 $((64 << 10)) 1 || fail "not reverted to A"

# the revert emptied the log: room again, and the bound said again when
# hit (also with no FSYNC between)
"$NSIO" write "$F" $((1 << 20)) $((64 << 10)) 6 none || fail "16 new pages after the revert"
expect_exit 1 "$NSIO" write "$F" $((2 << 20)) 4096 7 none
said_twice() { [ "$(grep -c 'crash testing keeps at most 16 unflushed pages' "$T/daemon.log")" = 2 ]; }
for ((i = 0; i < 100; i++)); do
	said_twice && break
	sleep 0.05
done
said_twice || fail "the bound not said again after the revert"
# an FSYNC empties it too
"$NSIO" write "$F" $((1 << 20)) $((64 << 10)) 8 fsync || fail "an FSYNC of what is logged"
"$NSIO" verify "$F" $((1 << 20)) $((64 << 10)) 8 || fail "the FSYNCed write"
assert_eq 0 "$(pf_status a pages_logged)" "the log after the FSYNC"
"$NSIO" write "$F" 0 $((64 << 10)) 9 none || fail "16 pages after the FSYNC"

# crash testing off and on again: a fresh log, bounded again
expect_exit 0 pc power-fail a --disable
expect_exit 0 pc power-fail a --enable
"$NSIO" write "$F" 0 $((64 << 10)) 10 none || fail "16 pages after enabling again"
expect_exit 1 "$NSIO" write "$F" $((1 << 20)) 4096 11 none
pc list >/dev/null || fail "the daemon does not answer"
pmemfs_stop
