#!/bin/bash
# SPDX-License-Identifier: MIT
# Clients at once, a dead daemon (145), and a stale socket left by a
# kill -9'd daemon, which the next daemon replaces.
. "$(dirname "$0")/onlinelib.sh"

R=$T/r.img
region_create "$R" 128M
CTL=$T/ctl.sock
online_start -o "ctl=$CTL" "$R"
[ -S "$CTL" ] || fail "no socket at $CTL"

# two clients at once, several times over
for round in 1 2 3; do
	"$PMEMCTL" create-namespace --socket "$CTL" -s 2M -n "x$round" >"$T/x.out" 2>&1 &
	p1=$!
	"$PMEMCTL" create-namespace --socket "$CTL" -s 2M -n "y$round" >"$T/y.out" 2>&1 &
	p2=$!
	"$PMEMCTL" list --socket "$CTL" >/dev/null || fail "list beside two creates"
	wait "$p1" || fail "create x$round: $(cat "$T/x.out")"
	wait "$p2" || fail "create y$round: $(cat "$T/y.out")"
done
expect_exit 0 "$PMEMCTL" list --socket "$CTL"
assert_eq 6 "$(json_get "$out" length)" "six namespaces"
assert_eq 6 "$(ls "$MNT/region0" | wc -l)" "six files"
assert_eq "$MNT" "$(json_get "$out" '.[0].mount')" "--socket learns the mount"

# a dead daemon: 145, with the socket named
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
[ -S "$CTL" ] || fail "the killed daemon's socket is gone (the test needs it stale)"
expect_exit 145 "$PMEMCTL" list --socket "$CTL"
assert_contains "$err" "no pmemfs daemon at '$CTL': nobody listening" "dead daemon message"
expect_exit 145 "$PMEMCTL" create-namespace --socket "$CTL" -s 2M -n z
fusermount3 -u -z "$MNT"

# the next daemon takes the stale socket over
online_start -o "ctl=$CTL" "$R"
expect_exit 0 "$PMEMCTL" list --socket "$CTL"
assert_eq 6 "$(json_get "$out" length)" "six namespaces after the restart"
# a second daemon may not steal a live socket
mkdir -p "$T/mnt2"
run_cmd "$PMEMFS" -f -o "ctl=$CTL" "$T/r2.img" "$T/mnt2"
[ "$rc" != 0 ] || fail "a daemon without its region file started"
"$PMEMCTL" create-region --size 32M "$T/r2.img" >/dev/null
"$PMEMFS" -o "ctl=$CTL" "$T/r2.img" "$T/mnt2" 2>"$T/d2.err" ||
	fail "second daemon: $(cat "$T/d2.err")"
at_exit "fusermount3 -u -z '$T/mnt2' 2>/dev/null"
expect_exit 0 "$PMEMCTL" list --socket "$CTL"
assert_eq 6 "$(json_get "$out" length)" "the socket still belongs to the first daemon"
fusermount3 -u "$T/mnt2"
pmemfs_stop
[ ! -e "$CTL" ] || fail "the socket outlived its daemon's clean exit"
echo "PASS: $TEST_NAME"
