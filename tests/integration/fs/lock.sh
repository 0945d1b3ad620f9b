#!/bin/bash
# SPDX-License-Identifier: MIT
# A daemonised pmemfs holds its regions: a second daemon and an offline
# pmemctl writer are refused; a region given twice and a missing region
# are errors naming the file before anything is mounted.
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
region_create "$R" 16M
ns_create "$R" 2M ns1 >/dev/null
MNT2=$T/mnt2
mkdir -p "$MNT2"
at_exit "fusermount3 -u -z '$MNT2' 2>/dev/null || true"

# daemonised: returns once mounted
run_cmd "$PMEMFS" "$R" "$MNT"
assert_eq 0 "$rc" "daemonised pmemfs (stderr: $err)"
mounted || fail "not mounted after the daemonising pmemfs returned"
for p in $(pgrep -x pmemfs); do
	grep -qz -- "$MNT" /proc/$p/cmdline 2>/dev/null && DAEMON_PID=$p
done
[ -n "$DAEMON_PID" ] || fail "daemon process not found"
[ "$(ps -o ppid= -p "$DAEMON_PID" | tr -d ' ')" != "$$" ] || fail "daemon is still our child"
[ -e "$MNT/region0/ns1" ] || fail "namespace file missing"

run_cmd "$PMEMFS" -f "$R" "$MNT2"
[ "$rc" != 0 ] || fail "a second daemon on a held region started"
assert_contains "$err" "$R" "second daemon's message names the region"
grep -q " $MNT2 " /proc/self/mountinfo && fail "second daemon mounted something"

run_cmd "$PMEMCTL" create-namespace --file "$R" -s 2M -n other
[ "$rc" != 0 ] || fail "offline pmemctl wrote to a held region"

R2=$T/r2.img
region_create "$R2" 16M
run_cmd "$PMEMFS" -f "$R2" "$R2" "$MNT2"
[ "$rc" != 0 ] || fail "a region given twice was accepted"
assert_contains "$err" "given twice" "region given twice"
run_cmd "$PMEMFS" -f "$R2" "$T/./r2.img" "$MNT2"
[ "$rc" != 0 ] || fail "a region given twice (other spelling) was accepted"
run_cmd "$PMEMFS" -f "$T/missing.img" "$MNT2"
[ "$rc" != 0 ] || fail "a missing region was accepted"
assert_contains "$err" "$T/missing.img" "missing region named"
grep -q " $MNT2 " /proc/self/mountinfo && fail "something got mounted at $MNT2"

# unmounting ends the daemon and releases the lock
fusermount3 -u "$MNT"
for ((i = 0; i < 100; i++)); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$DAEMON_PID" 2>/dev/null && fail "daemon still running after fusermount3 -u"
DAEMON_PID=
"$PMEMCTL" create-namespace --file "$R" -s 2M -n other >/dev/null ||
	fail "region still locked after the daemon exited"
