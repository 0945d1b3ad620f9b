#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 16.4: a failed command gives back every block it allocated, and
# only those. On a small ext4, a preallocating create larger than the free
# space fails with ENOSPC (online and offline with --file); afterwards the
# region file holds exactly the blocks it held before (a range allocated
# before, under a destroyed namespace, stays allocated), the file system's
# free space is back, and a sparse neighbour's msync still works.
# The same for create-region --prealloc (the file is removed).
. "$(dirname "$0")/onlinelib.sh"
. "$PMEMFS_SOURCE_ROOT/tests/integration/loopfs.sh"

E=$T/ext4
loopfs_mount ext4 256M "$E"
R=$E/r.img
region_create "$R" 1G
ns_create "$R" 32M old >/dev/null	# preallocated, dpa 0
nbdpa=$(ns_create "$R" 64M nb --sparse)
"$PMEMCTL" destroy-namespace --file "$R" old >/dev/null || fail "destroy old"
# blocks: of the region file; of a region directory (PMEMFS_LAYOUT=dir),
# of all its files, and which files it holds
blocks() {
	if [ -d "$R" ]; then
		# the region's data: not the daemon's health file beside it
		# (region.health, written at each mount)
		echo "$(find "$R" -mindepth 1 -maxdepth 1 ! -name region.health -exec stat -c %b {} + | awk '{ s += $1 } END { print s }') $(ls -A "$R" | grep -vx 'region\.health' | tr '\n' ' ')"
	else
		stat -c %b "$R"
	fi
}
b0=$(blocks) f0=$(loopfs_free_kib "$E")
if [ -d "$R" ]; then
	# destroy removed old's file; nb's is preallocated
	[ "${b0%% *}" -ge $((64 << 11)) ] || fail "nb's file is not preallocated ($b0)"
	[ "$(ls -A "$R" | wc -l)" = 2 ] || fail "not the region file and nb's: $(ls -A "$R")"
else
	[ "$b0" -ge $((32 << 11)) ] || fail "the destroyed namespace's range is not allocated ($b0 blocks)"
fi

# offline: the create takes the destroyed range first (first fit), then more
run_cmd "$PMEMCTL" create-namespace --file "$R" -s 512M -n big
[ "$rc" != 0 ] || fail "a 512 MiB create on a 256 MiB file system succeeded"
assert_contains "$err" "No space left on device" "offline create: the error"
assert_eq "$b0" "$(blocks)" "offline create: blocks of the region file after the failure"
f1=$(loopfs_free_kib "$E")
[ "$f1" -ge $((f0 - 1024)) ] || fail "offline create: free space not back: $f0 KiB before, $f1 KiB after"

online_start "$R"
run_cmd pc create-namespace -s 512M -n big
[ "$rc" != 0 ] || fail "online: a 512 MiB create on a 256 MiB file system succeeded"
assert_contains "$err" "No space left on device" "online create: the error"
assert_eq "$b0" "$(blocks)" "online create: blocks of the region file after the failure"
f2=$(loopfs_free_kib "$E")
[ "$f2" -ge $((f0 - 1024)) ] || fail "online create: free space not back: $f0 KiB before, $f2 KiB after"
# the sparse neighbour can still take 16 MiB through a mapping
"$NSIO" mmap-write "$MNT/region0/nb" 0 $((16 << 20)) 41 msync ||
	fail "the sparse neighbour's msync failed after the failed create"
"$NSIO" verify "$R" "$nbdpa" $((16 << 20)) 41
pmemfs_stop

# create-region --prealloc larger than the space: no file, no blocks kept
f3=$(loopfs_free_kib "$E")
run_cmd "$PMEMCTL" create-region --size 512M --prealloc "$E/big.img"
[ "$rc" != 0 ] || fail "a 512 MiB preallocated region on a 256 MiB file system was created"
[ ! -e "$E/big.img" ] || fail "the failed create-region left its file"
f4=$(loopfs_free_kib "$E")
[ "$f4" -ge $((f3 - 1024)) ] || fail "create-region: free space not back: $f3 KiB before, $f4 KiB after"
echo "PASS: $TEST_NAME"
