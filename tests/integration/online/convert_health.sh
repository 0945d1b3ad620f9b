#!/bin/bash
# SPDX-License-Identifier: MIT
# convert-region carries the region's health (REGION.health, a region
# directory's DIR/region.health): the shutdown count and state survive a
# conversion both ways, recorded for the new region file (its next mount
# counts nothing false); a "mounted" mark an unclean end left is carried
# and counted once at the next mount of the result; a source without a
# health file gives none (a stale one at the destination's place is
# removed); a corrupt one gives an unknown count, with a warning.
. "$(dirname "$0")/onlinelib.sh"

R=$T/r.img
region_create "$R" 64M

# two power failures, a clean end: 2 clean
online_start "$R"
pc create-namespace -s 4M -n a --crash-test >/dev/null || fail "create-namespace"
expect_exit 0 pc power-fail a
expect_exit 0 pc power-fail a
pmemfs_stop
assert_eq "2 clean" "$(region_health "$R")" "the source"

# file -> directory -> file: the count kept, recorded for the new file
expect_exit 0 "$PMEMCTL" convert-region --layout dir "$R" "$T/d"
assert_eq "2 clean" "$(region_health "$T/d")" "converted to a directory"
[ -f "$T/d/region.health" ] || fail "no $T/d/region.health"
grep -q "^region ino=$(stat -c %i "$T/d/region") " "$T/d/region.health" ||
	fail "not recorded for $T/d/region: $(cat "$T/d/region.health")"
expect_exit 0 "$PMEMCTL" convert-region --layout file "$T/d" "$T/r2.img"
assert_eq "2 clean" "$(region_health "$T/r2.img")" "converted back to a file"
grep -q "^region ino=$(stat -c %i "$T/r2.img") " "$T/r2.img.health" ||
	fail "not recorded for $T/r2.img: $(cat "$T/r2.img.health")"

# the result mounts with its count: no false unclean shutdown
online_start "$T/d"
assert_eq "2 clean" "$(region_health)" "the directory mounted"
expect_exit 0 pc power-fail a --enable
expect_exit 0 pc power-fail a
pmemfs_stop
assert_eq "3 clean" "$(region_health "$T/d")" "the directory counts on"
assert_eq "2 clean" "$(region_health "$R")" "the source unchanged"

# an unclean end's mark is carried: counted once, at the result's mount
online_start "$T/r2.img"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT"
expect_exit 0 "$PMEMCTL" convert-region --layout dir "$T/r2.img" "$T/d2"
grep -q '^mounted pid=' "$T/d2/region.health" || fail "mark not carried: $(cat "$T/d2/region.health")"
assert_eq "3 dirty" "$(region_health "$T/d2")" "an unclean end, offline"
online_start "$T/d2"
assert_eq "3 dirty" "$(region_health)" "counted once at the mount"
pmemfs_stop
assert_eq "3 clean" "$(region_health "$T/d2")" "then a clean end"

# no health file: none at the destination, a stale one there removed
rm "$T/d2/region.health"
printf 'shutdown_count 9\nshutdown_state dirty\n' >"$T/r3.img.health"
expect_exit 0 "$PMEMCTL" convert-region --layout file "$T/d2" "$T/r3.img"
[ ! -e "$T/r3.img.health" ] || fail "stale health left: $(cat "$T/r3.img.health")"
assert_contains "$err" "removed '$T/r3.img.health'" "the stale file named"
assert_eq "0 clean" "$(region_health "$T/r3.img")" "no health: a new region's"

# a corrupt one: unknown, said
printf 'shutdown_count 5\nshutdown_state sideways\n' >"$T/d/region.health"
expect_exit 0 "$PMEMCTL" convert-region --layout file "$T/d" "$T/r4.img"
assert_contains "$err" "the shutdown count of '$T/r4.img' is unknown too" "the warning"
grep -q '^shutdown_count unknown$' "$T/r4.img.health" || fail "unknown not carried: $(cat "$T/r4.img.health")"
assert_eq "unknown" "$("$PMEMCTL" list -R -H --file "$T/r4.img" | jq -r '.[0].health.health_state')" "corrupt: unknown"
