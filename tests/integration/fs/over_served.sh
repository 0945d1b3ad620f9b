#!/bin/bash
# SPDX-License-Identifier: MIT
# A second daemon does not mount over a mount point a pmemfs daemon
# serves (nor inside its mount): it is refused, the message names the
# region files served there, and the first mount serves on. A dead mount
# (its daemon killed: ENOTCONN) is not taken for a served one: it is
# refused as a dead mount (dead_mount.sh).
. "$(dirname "$0")/fslib.sh"

over_cleanup() {
	local i
	for ((i = 0; i < 4; i++)); do
		grep -q " $MNT " /proc/self/mountinfo 2>/dev/null || break
		fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	done
}
at_exit over_cleanup

R0=$T/r0.img
R1=$T/r1.img
R2=$T/r2.img
for r in "$R0" "$R1" "$R2"; do region_create "$r" 32M; done
"$PMEMCTL" create-namespace --file "$R0" -s 4M -n a >/dev/null
"$PMEMCTL" create-namespace --file "$R2" -s 4M -n other >/dev/null
pmemfs_start "$R0" "$R1"
for i in $(seq 100); do
	"$PMEMCTL" list -R --mount "$MNT" >/dev/null 2>&1 && break
	sleep 0.05
done

# in the background (the default), as the report did: exit 0 before
run_cmd timeout 20 "$PMEMFS" "$R2" "$MNT"
[ "$rc" != 0 ] || fail "a second daemon mounted over the served '$MNT'"
assert_contains "$err" "'$R0'" "the message names the first region file"
assert_contains "$err" "'$R1'" "the message names the second region file"
assert_contains "$err" "fusermount3 -u" "the message says what to do"
# inside the mount, too
run_cmd timeout 20 "$PMEMFS" "$R2" "$MNT/region0"
[ "$rc" != 0 ] || fail "a second daemon mounted inside the served mount"
assert_contains "$err" "'$R0'" "inside: the message names the region file"
# the first mount serves on, and pmemctl talks to it
assert_eq 1 "$(grep -c " $MNT " /proc/self/mountinfo)" "mounts at $MNT"
[ -f "$MNT/region0/a" ] || fail "the first mount's namespace is gone"
[ ! -e "$MNT/region0/other" ] || fail "the second region shows"
expect_exit 0 "$PMEMCTL" list -R --mount "$MNT"
assert_eq "$R0 $R1" "$(json_get "$out" '[.[].path] | join(" ")')" "pmemctl's regions"
kill -0 "$DAEMON_PID" || fail "the first daemon died"

# a dead mount is no served one (statfs: ENOTCONN), whatever stat's
# cached answer says: refused as a dead one
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
run_cmd stat -f "$MNT"
assert_contains "$err" "Transport endpoint is not connected" "statfs of the dead mount"
run_cmd timeout 20 "$PMEMFS" "$R2" "$MNT"
case "$err" in
*"daemon serves"*) fail "a dead mount taken for a served one: $err" ;;
esac
assert_contains "$err" "is a dead pmemfs mount" "the dead mount named"
echo "PASS: $TEST_NAME"
