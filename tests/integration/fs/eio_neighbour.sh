#!/bin/bash
# SPDX-License-Identifier: MIT
# A write-back failure is that namespace's, not its neighbour's (issue 16,
# items 1-2: sticky for *that* namespace). The namespaces of a region share
# one descriptor and one write-back error counter; an error the kernel
# reported before a namespace had anything in flight is not its own.
# The failure is a real asynchronous one: ext4 (no journal) on a loop
# device whose image lies on a small tmpfs; b's blocks of the image are
# written before the tmpfs fills, a's are not, so a buffered write to a
# fails at write-back and one to b succeeds.
# On a region directory (fs-dir/eio_neighbour) each namespace has a file
# of its own: a's write-back errors are a's file's, and sticky: its fsync
# and msync fail, also on a new descriptor, while b keeps working and
# cachestat of b's file is clean after each of its flushes.
. "$(dirname "$0")/fslib.sh"

ext4_on_small_tmpfs

R=$E/r.img
region_create "$R" 64M
ns_create "$R" 16M a >/dev/null
db=$(ns_create "$R" 16M b)
ns_create "$R" 16M c >/dev/null
pmemfs_start "$R"
a=$MNT/region0/a b=$MNT/region0/b c=$MNT/region0/c
"$NSIO" write "$b" 0 16777216 1 fsync || fail "writing b before the tmpfs fills"
sync
small_tmpfs_fill

# c's buffered page fails write-back before c syncs (ext4 writes it back,
# nobody is told yet); b, first written after that, syncs first: the shared
# descriptor reports c's error to b's sync. It is c's, and only c's.
exec 9<>"$c"	# c's last close would persist it: keep one open
"$NSIO" write "$c" 0 4096 5 || fail "c's buffered write(2) failed"
sync -f "$R" 2>/dev/null || true	# the write-back that fails
run_cmd "$NSIO" write "$b" 0 4096 6 fsync
[ "$rc" = 0 ] || fail "b, first written after c's write-back failed, fails its fsync: $err"
cache_clean "$R" "$db" 4096 "b's fsync before c's"
"$NSIO" verify "$R" "$db" 4096 6 || fail "b's write is not in the region"
run_cmd "$NSIO" fsync "$c"
assert_contains "$err" "fsync: EIO" "c's fsync after b's took the kernel's report"
exec 9>&-
run_cmd "$NSIO" fsync "$c"
assert_contains "$err" "fsync: EIO" "c's second fsync (sticky)"
run_cmd "$NSIO" mmap-write "$c" 0 4096 7 msync
[ "$rc" != 0 ] || fail "c's msync succeeded after its write-back failure"

# a: a small write(2) is buffered; its write-back fails
run_cmd "$NSIO" write "$a" 0 4096 2 fsync
[ "$rc" != 0 ] || fail "a's write-back onto a full image succeeded"
assert_contains "$err" "EIO" "a's fsync"
run_cmd "$NSIO" fsync "$a"
assert_contains "$err" "fsync: EIO" "a's second fsync, a new descriptor (sticky)"
run_cmd "$NSIO" mmap-write "$a" 8192 4096 5 msync
[ "$rc" != 0 ] || fail "a's msync succeeded after its write-back failure"
# b: its blocks exist; its own write and write-back succeed
run_cmd "$NSIO" write "$b" 0 4096 3 fsync
[ "$rc" = 0 ] || fail "b failed after a's write-back failure: $err"
cache_clean "$R" "$db" 16777216 "b's fsync"
"$NSIO" verify "$R" "$db" 4096 3 || fail "b's write is not in the region"
run_cmd "$NSIO" mmap-write "$b" 8192 4096 4 msync
[ "$rc" = 0 ] || fail "b's msync failed after a's write-back failure: $err"
cache_clean "$R" "$db" 16777216 "b's msync"
run_cmd "$NSIO" fsync "$b"
[ "$rc" = 0 ] || fail "b's fsync on a new descriptor: $err"
# a stays failed, also on a new descriptor
run_cmd "$NSIO" fsync "$a"
assert_contains "$err" "fsync: EIO" "a's fsync after b's"
grep -q "namespace0.0: .* failed" "$T/daemon.log" || fail "a's failure is not logged"
grep -q "namespace0.1: .* failed" "$T/daemon.log" && fail "b was marked failed"
grep -q "namespace0.2: .* failed" "$T/daemon.log" || fail "c's failure is not logged"
fusermount3 -u "$MNT"
wait "$DAEMON_PID" || true	# exits non-zero: a namespace lost data
DAEMON_PID=
echo "ok: a's write-back failure stays a's"
