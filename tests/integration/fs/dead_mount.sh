#!/bin/bash
# SPDX-License-Identifier: MIT
# A mount whose daemon was killed (kill -9) stays until it is unmounted,
# and every access gives ENOTCONN. Mounting there again, or inside it, and
# pmemctl on it say that it is a dead pmemfs mount whose daemon is gone and
# suggest `fusermount3 -uz MNT` (not cleared behind the user's back: the
# mount may be another user's, and programs may hold files in it); after
# that command the region mounts again with its namespace and data.
. "$(dirname "$0")/fslib.sh"

dead_cleanup() {
	fusermount3 -u -z "$MNT" 2>/dev/null || true
}
at_exit dead_cleanup

R=$T/r.img
region_create "$R" 32M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
pmemfs_start "$R"
"$NSIO" write "$MNT/region0/a" 4096 8192 7 fsync
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
run_cmd stat "$MNT/."
assert_contains "$err" "Transport endpoint is not connected" "stat of the dead mount"

# pmemfs at the dead mount, inside it, by a relative path
run_cmd timeout 20 "$PMEMFS" "$R" "$MNT"
[ "$rc" != 0 ] || fail "pmemfs mounted on the dead mount"
assert_contains "$err" "mount point '$MNT' is a dead pmemfs mount" "pmemfs: the dead mount named"
assert_contains "$err" "region file '$R' on '$MNT'" "pmemfs: its region file"
assert_contains "$err" "its daemon is gone, nothing answers on '" "pmemfs: no daemon"
assert_contains "$err" "Clear it with \`fusermount3 -uz $MNT\`, then mount again" "pmemfs: the command"
run_cmd timeout 20 "$PMEMFS" "$R" "$MNT/region0"
[ "$rc" != 0 ] || fail "pmemfs mounted inside the dead mount"
assert_contains "$err" "mount point '$MNT/region0' is inside a dead pmemfs mount" "pmemfs: inside"
assert_contains "$err" "\`fusermount3 -uz $MNT\`" "pmemfs inside: the mount's command"
run_cmd bash -c "cd '$T' && exec timeout 20 '$PMEMFS' '$R' mnt/"
[ "$rc" != 0 ] || fail "pmemfs mounted on the dead mount by a relative path"
assert_contains "$err" "mount point 'mnt/' is a dead pmemfs mount" "pmemfs: relative"
assert_contains "$err" "\`fusermount3 -uz $MNT\`" "pmemfs relative: the absolute command"

# once the kernel's cached attributes (1 s) have expired too
sleep 1.2
run_cmd timeout 20 "$PMEMFS" "$R" "$MNT"
[ "$rc" != 0 ] || fail "pmemfs mounted on the dead mount (no cache)"
assert_contains "$err" "mount point '$MNT' is a dead pmemfs mount" "pmemfs: no cache"
assert_contains "$err" "\`fusermount3 -uz $MNT\`" "pmemfs no cache: the command"

# pmemctl with --mount, and finding the one mount itself
expect_exit 145 "$PMEMCTL" list -N --mount "$MNT"
assert_contains "$err" "the pmemfs mount '$MNT' is dead, its daemon is gone" "pmemctl --mount"
assert_contains "$err" "clear it with \`fusermount3 -uz $MNT\`, then mount again" "pmemctl: the command"
if [ "$(grep -c ' - fuse\.pmemfs ' /proc/self/mountinfo)" = 1 ]; then
	expect_exit 145 "$PMEMCTL" create-namespace -s 4M -n b
	assert_contains "$err" "clear it with \`fusermount3 -uz $MNT\`" "pmemctl without --mount"
fi

# the suggested command works: mounted again, the namespace and its data
fusermount3 -uz "$MNT"
pmemfs_start "$R"
"$NSIO" verify "$MNT/region0/a" 4096 8192 7 || fail "the data written before kill -9 is gone"
expect_exit 0 "$PMEMCTL" list -N --mount "$MNT"
assert_eq a "$(json_get "$out" '.[0].name')" "the namespace after the remount"
pmemfs_stop
echo "PASS: $TEST_NAME"
