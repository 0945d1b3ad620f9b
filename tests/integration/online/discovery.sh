#!/bin/bash
# SPDX-License-Identifier: MIT
# Finding the daemon without --mount: none mounted (145), exactly one (used
# as is), several (a usage error listing them, except for list, which
# lists every mount as ndctl lists every region). Runs in a mount namespace
# of its own, where other pmemfs mounts of the machine are detached.
if [ -z "${PMEMFS_IN_MNTNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a mount namespace" >&2; exit 77; }
	exec unshare -m --propagation private env PMEMFS_IN_MNTNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/onlinelib.sh"

detach_other_mounts

expect_exit 145 "$PMEMCTL" list
assert_contains "$err" "no pmemfs daemon: nothing is mounted with type fuse.pmemfs" "no mount"

R=$T/r.img
region_create "$R" 64M
online_start "$R"
expect_exit 0 "$PMEMCTL" create-namespace -s 2M -n found
assert_eq "$MNT/region0/found" "$(json_get "$out" .path)" "the only mount is used"
[ -e "$MNT/region0/found" ] || fail "file of the auto-found mount"

mkdir -p "$T/mnt2"
"$PMEMCTL" create-region --size 32M "$T/r2.img" >/dev/null
"$PMEMFS" "$T/r2.img" "$T/mnt2" || fail "second daemon"
at_exit "fusermount3 -u -z '$T/mnt2' 2>/dev/null"
expect_exit 129 "$PMEMCTL" create-namespace -s 2M
assert_contains "$err" "2 pmemfs mounts: choose one with --mount DIR" "several mounts"
assert_contains "$err" "'$MNT'" "several mounts: the first named"
assert_contains "$err" "'$T/mnt2'" "several mounts: the second named"
# list: both mounts, told apart by "mount"
expect_exit 0 "$PMEMCTL" list -R
assert_eq "$(printf '%s\n' "$MNT" "$T/mnt2" | sort | xargs)" \
	"$(json_get "$out" '[.[].mount] | sort | join(" ")')" "list -R: both mounts"
expect_exit 0 "$PMEMCTL" list --mount "$T/mnt2" -R
assert_eq "$(realpath "$T/r2.img")" "$(json_get "$out" '.[0].path')" "--mount picks the second"
fusermount3 -u "$T/mnt2"
pmemfs_stop
echo "PASS: $TEST_NAME"
