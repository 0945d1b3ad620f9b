#!/bin/bash
# SPDX-License-Identifier: MIT
# A region's shutdown_count at its largest value (a planted, crafted or
# very old health file: 2^64 - 1) stays there: a power failure, an
# unclean end found at the next mount, and the offline view of one
# (list -R -H --file) do not wrap it to 0, which made a dirty medium look
# new. Read as text: jq takes numbers as doubles.
. "$(dirname "$0")/onlinelib.sh"

R=$T/r.img
region_create "$R" 64M
H=$(region_file "$R").health
max=18446744073709551615
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null || fail "create-namespace"

# count COMMAND...: shutdown_count in a list -R -H's JSON, as text
count() {
	"$@" | tr -d ' \n' | grep -oE '"shutdown_count":[0-9a-z]+' | cut -d: -f2
}

printf 'shutdown_count %s\nshutdown_state clean\n' $max >"$H"
assert_eq $max "$(count "$PMEMCTL" list -R -H --file "$R")" "offline, as planted"
online_start "$R"
assert_eq $max "$(count pc list -R -H)" "online, as planted"
expect_exit 0 pc power-fail a --enable
expect_exit 0 pc power-fail a
assert_eq $max "$(count pc list -R -H)" "after a power failure"
grep -q "^shutdown_count $max\$" "$H" || fail "saved after a power failure: $(cat "$H")"

# an unclean end: offline says so (counting it), the next mount counts it
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT"
assert_eq $max "$(count "$PMEMCTL" list -R -H --file "$R")" "offline after kill -9"
online_start "$R"
assert_eq $max "$(count pc list -R -H)" "the mount after kill -9"
pmemfs_stop
grep -q "^shutdown_count $max\$" "$H" || fail "saved after the unmount: $(cat "$H")"
