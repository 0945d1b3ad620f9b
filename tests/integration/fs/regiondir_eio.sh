#!/bin/bash
# SPDX-License-Identifier: MIT
# A region directory's write-back errors are each namespace file's own,
# and sticky: ext4 (no journal) on a loop device whose image lies on a
# small tmpfs, filled after the namespace files were made (preallocated:
# unwritten extents, no image pages behind them). A buffered write(2) to
# a fails at write-back: its fsync fails with EIO, and so does every later
# fsync and msync of a, also on a new descriptor; b, whose blocks were
# written before the tmpfs filled, keeps working, and cachestat of b's
# file is clean after each of its flushes.
. "$(dirname "$0")/fslib.sh"

ext4_on_small_tmpfs

D=$E/rdir
"$PMEMCTL" create-region --layout dir --size 64M "$D" >/dev/null || fail "create-region"
ua=$("$PMEMCTL" create-namespace --file "$D" -s 16M -n a | jq -r .uuid) || fail "create a"
ub=$("$PMEMCTL" create-namespace --file "$D" -s 16M -n b | jq -r .uuid) || fail "create b"
pmemfs_start "$D"
a=$MNT/region0/a b=$MNT/region0/b
"$NSIO" write "$b" 0 16777216 1 fsync || fail "writing b before the tmpfs fills"
sync
small_tmpfs_fill

run_cmd "$NSIO" write "$a" 0 4096 2 fsync
[ "$rc" != 0 ] || fail "a's write-back onto a full image succeeded"
assert_contains "$err" "EIO" "a's fsync"
run_cmd "$NSIO" fsync "$a"
assert_contains "$err" "fsync: EIO" "a's second fsync, a new descriptor (sticky)"
run_cmd "$NSIO" mmap-write "$a" 8192 4096 5 msync
[ "$rc" != 0 ] || fail "a's msync succeeded after its write-back failure"
# b: its own file, its own errors: none
run_cmd "$NSIO" write "$b" 0 4096 3 fsync
[ "$rc" = 0 ] || fail "b failed after a's write-back failure: $err"
cache_clean "$D/ns-$ub" 0 16777216 "b's fsync"
"$NSIO" verify "$D/ns-$ub" 0 4096 3 || fail "b's write is not in b's file"
run_cmd "$NSIO" mmap-write "$b" 8192 4096 4 msync
[ "$rc" = 0 ] || fail "b's msync failed after a's write-back failure: $err"
cache_clean "$D/ns-$ub" 0 16777216 "b's msync"
grep -q "namespace0.0: .* failed" "$T/daemon.log" || fail "a's failure is not logged"
grep -q "namespace0.1: .* failed" "$T/daemon.log" && fail "b was marked failed"
fusermount3 -u "$MNT"
wait "$DAEMON_PID" || true	# exits non-zero: a namespace lost data
DAEMON_PID=
exit 0
