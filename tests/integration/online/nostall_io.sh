#!/bin/bash
# SPDX-License-Identifier: MIT
# A change blocked in its I/O holds no list or stats (issue 16 item 14).
# A change holds the daemon lock across its label commit and its
# preallocation, which take as long as the region's file system takes
# (tens to hundreds of ms under load, measured in load.sh). Here the file
# system of region0 (a loop-mounted ext4) is frozen (fsfreeze), so a
# create-namespace in region0 blocks in its I/O until the thaw; meanwhile
#   - list (all, and -r region1, a region on another file system) and
#     stats answer at once, from the snapshot the change left: the state
#     before it (the new namespace is not shown yet);
#   - after the thaw the create succeeds and list shows it.
# Today's code: the list waits for the create, i.e. for the thaw (3 s).
# BOUND_MS (800) is for one pmemctl run (a few ms here).
. "$(dirname "$0")/onlinelib.sh"

BOUND_MS=${BOUND_MS:-800}
[ "$(id -u)" = 0 ] || skip "needs root (losetup, mount, fsfreeze)"
for c in losetup mkfs.ext4 fsfreeze; do
	command -v "$c" >/dev/null || skip "$c not installed"
done

FSD=$T/ext4
mkdir "$FSD"
truncate -s 128M "$T/ext4.img"
mkfs.ext4 -q -F "$T/ext4.img" || skip "mkfs.ext4 failed"
LOOP=$(losetup -f --show "$T/ext4.img") || skip "no loop device"
io_cleanup() {
	fsfreeze -u "$FSD" 2>/dev/null
	fs_cleanup
	umount -l "$FSD" 2>/dev/null
	losetup -d "$LOOP" 2>/dev/null
}
at_exit io_cleanup
mount "$LOOP" "$FSD" || skip "cannot mount the loop device"

region_create "$FSD/r0.img" 64M
region_create "$T/r1.img" 32M
online_start "$FSD/r0.img" "$T/r1.img"
pc create-namespace -r region0 -s 4M -n a >/dev/null
pc create-namespace -r region1 -s 4M -n other >/dev/null
pc list -N >/dev/null	# a client polls list and stats
pc stats >/dev/null

fsfreeze -f "$FSD" || skip "fsfreeze not supported on ext4 here"
t_freeze=$(now_ms)
pc create-namespace -r region0 -s 8M -n b >"$T/create.out" 2>"$T/create.err" &
cpid=$!
sleep 0.5
kill -0 "$cpid" 2>/dev/null || fail "create-namespace did not block on the frozen file system: $(cat "$T/create.err")"

timed list -N
((rc == 0)) || fail "list during the blocked create: exit $rc: $(cat "$T/timed.err")"
echo "list during a create blocked in its I/O: $ms ms"
((ms < BOUND_MS)) || fail "list took $ms ms while a create was blocked in its I/O"
assert_contains "$out" '"a"' "list shows a"
assert_contains "$out" '"other"' "list shows other"
case "$out" in *'"b"'*) fail "list shows b before its create returned: $out" ;; esac
timed list -N -r region1
((rc == 0)) || fail "list -r region1: exit $rc"
echo "list of the other region: $ms ms"
((ms < BOUND_MS)) || fail "list -r region1 took $ms ms while region0's create was blocked"
assert_contains "$out" '"other"' "list -r region1"
timed stats
((rc == 0)) || fail "stats during the blocked create: exit $rc: $(cat "$T/timed.err")"
echo "stats during the blocked create: $ms ms"
((ms < BOUND_MS)) || fail "stats took $ms ms while a create was blocked in its I/O"
assert_contains "$out" '"other"' "stats shows other"
kill -0 "$cpid" 2>/dev/null || fail "the create ended while the file system was frozen"

# hold the freeze 3 s in all: the old code's list would have waited for it
while (($(now_ms) - t_freeze < 3000)); do sleep 0.1; done
fsfreeze -u "$FSD"
wait "$cpid" || fail "create-namespace b after the thaw: $(cat "$T/create.err")"
timed list -N
assert_contains "$out" '"b"' "list shows b after its create"
pmemfs_stop
echo "PASS: $TEST_NAME"
