#!/bin/bash
# SPDX-License-Identifier: MIT
# power-fail finds the holders of a namespace by the file's identity
# (device and inode), never by a path string: a process in another mount
# namespace holding a different file at the same path, and one mapping a
# file whose name ends with " <namespace path>", are neither named nor
# killed; the real holder is, and is counted.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

[ "$(id -u)" = 0 ] || skip "needs root for a mount namespace"
command -v unshare >/dev/null || skip "unshare not installed"

pf_setup 8M a --crash-test
"$NSIO" fill "$F" 0 65536 0x11 || fail "fill"
"$NSIO" fsync "$F" || fail "fsync"

# 1. another mount namespace: a tmpfs over the mount point, a file at the
# namespace's very path, held open and mapped
unshare -m --propagation private bash -c '
	mount -t tmpfs tmpfs "$1" || exit 1
	mkdir -p "$(dirname "$2")" && head -c 65536 /dev/zero >"$2" || exit 1
	exec "$3" hold "$2" 0 4096 0x99' sh "$MNT" "$F" "$PFIO" >"$T/other" 2>&1 &
O1=$!
at_exit "kill -9 $O1 2>/dev/null"
wait_line "$T/other" ready
[ "$(readlink "/proc/$O1/fd/3" 2>/dev/null)" = "$F" ] ||
	skip "the other namespace's file does not show as '$F' ($(ls -l /proc/$O1/fd 2>&1 | tail -3))"

# 2. a file named "<dir>/x <namespace path>", mapped
EVIL="$T/evil/x $F"
mkdir -p "$(dirname "$EVIL")"
head -c 65536 /dev/zero >"$EVIL"
"$PFIO" hold "$EVIL" 0 4096 0x77 >"$T/evil.out" &
O2=$!
at_exit "kill -9 $O2 2>/dev/null"
wait_line "$T/evil.out" ready
grep -q " $F\$" "/proc/$O2/maps" || fail "the mapping's line does not end with ' $F'"

# the refusal names the real holder only
"$PFIO" hold "$F" 0 65536 0x42 >"$T/h" &
H=$!
at_exit "kill -9 $H 2>/dev/null"
wait_line "$T/h" ready
expect_exit 240 pc power-fail a --wait 0.2
assert_contains "$err" "pid $H (pfio)" "the holder named"
case "$err" in
*"pid $O1 "* | *"pid $O2 "*) fail "a process that does not hold '$F' named: $err" ;;
esac

# --kill: the real holder only, counted
expect_exit 0 pc power-fail a --kill
assert_eq 1 "$(json_get "$out" .killed)" "killed"
pid_wait_gone "$H" || fail "the holder lives after --kill"
kill -0 "$O1" 2>/dev/null || fail "the other mount namespace's process was killed"
kill -0 "$O2" 2>/dev/null || fail "the process mapping '$EVIL' was killed"
"$NSIO" check-byte "$F" 0 65536 0x11 || fail "not reverted after --kill"
# nobody holds it now: nothing to kill
expect_exit 0 pc power-fail a --kill
assert_eq 0 "$(json_get "$out" .killed)" "killed with no holder"
kill -0 "$O1" 2>/dev/null && kill -0 "$O2" 2>/dev/null || fail "an innocent process died"
kill -9 "$O1" "$O2"
wait "$O1" "$O2" 2>/dev/null || true
pmemfs_stop
echo "PASS: $TEST_NAME"
