#!/bin/bash
# SPDX-License-Identifier: MIT
# pwrite + fdatasync, reads at any offset, writes past the end,
# fallocate (mode 0, punch hole, zero range).
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
region_create "$R" 16M
d=$(ns_create "$R" 4M ns1)
guard_fill "$R"
pmemfs_start "$R"
f=$MNT/region0/ns1

"$NSIO" write "$f" 4095 8193 11 fdatasync || fail "pwrite+fdatasync failed"
"$NSIO" verify "$R" $((d + 4095)) 8193 11 || fail "pwrite bytes not in the region"
cache_clean "$R" "$d" 4194304
guard_check "$R" $((d + 4095)) 8193
# read back unaligned through the file
"$NSIO" verify "$f" 5000 1000 11 2>/dev/null && fail "verify with a wrong origin passed"
"$NSIO" verify "$f" 4095 8193 11 || fail "read back through the file"
dd if="$f" bs=1 skip=4095 count=3 status=none | od -An -tx1 >/dev/null

# aligned big write with fsync
"$NSIO" write "$f" 1048576 1048576 12 fsync
"$NSIO" verify "$R" $((d + 1048576)) 1048576 12

# a write past the end: its in-range part is written (a short pwrite), the
# rest fails with ENOSPC before pwrite returns; nothing lands past the end
# (eof.sh has the exact answers)
run_cmd "$NSIO" write "$f" $((4194304 - 100)) 200 13 fsync
[ "$rc" != 0 ] || fail "a write past the end succeeded"
assert_contains "$err" "pwrite: ENOSPC" "a write past the end"
"$NSIO" verify "$R" $((d + 4194304 - 100)) 100 13 || fail "the in-range part of a write past the end"
"$NSIO" check-byte "$R" $((d + 4194304)) 4096 $GUARD || fail "past-the-end write reached the region"

# fallocate: mode 0 inside succeeds, punch hole and zero range read back zeroes
"$NSIO" fallocate "$f" alloc 0 4194304 || fail "fallocate mode 0 inside the file"
run_cmd "$NSIO" fallocate "$f" alloc 0 8388608
[ "$rc" != 0 ] || fail "fallocate growing the file succeeded"
"$NSIO" fallocate "$f" punch 1048576 65536 || fail "punch hole failed"
"$NSIO" check-byte "$f" 1048576 65536 0 || fail "punched range does not read zeroes"
"$NSIO" fsync "$f"
"$NSIO" check-byte "$R" $((d + 1048576)) 65536 0 || fail "punched range not zero in the region"
"$NSIO" fallocate "$f" zero 1179648 8192 || fail "zero range failed"
"$NSIO" check-byte "$f" 1179648 8192 0 || fail "zeroed range does not read zeroes"
"$NSIO" fsync "$f"
"$NSIO" check-byte "$R" $((d + 1179648)) 8192 0
guard_check "$R" "$d" 4194304
pmemfs_stop
