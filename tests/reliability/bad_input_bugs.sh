#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad inputs pmemfs accepts today (found by the bad input matrix); each is
# registered with should_fail until src/pmemfs.c refuses it:
#   bad_input_bugs.sh CASE
#   mountpoint-file     a regular file as the mount point is mounted on
#                       (libfuse takes rootmode from it); every access EIO
#   dirty-ratio         -o dirty_ratio=-5 accepted, the bdi left as it was
#   readahead           -o readahead_kb=-1 accepted, the bdi left as it was
#   uid-suffix          -o uid=12abc accepted as uid 12 (fuse_opt's %u)
#   flush-threads       -o flush_threads=-1: exits 1 saying only "exiting"
#   label-size-sign     -o label_size=-1 taken as 2^64-1 (strtoull), so
#                       the message names 18446744073709551615, not '-1'
# Each asserts what a user should see: exit non-zero, a message naming the
# option or the mount point, nothing mounted, the region unchanged.
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

R=$T/r.img
region_create "$R" 16M
ns_create "$R" 2M ns1 >/dev/null
before=$(sha256sum "$R")
mp=$MNT
case $1 in
mountpoint-file) touch "$T/file"; mp=$T/file; args=(); want="'$T/file'" ;;
dirty-ratio) args=(-o dirty_ratio=-5); want="dirty_ratio" ;;
readahead) args=(-o readahead_kb=-1); want="readahead_kb" ;;
uid-suffix) args=(-o uid=12abc); want="uid=12abc" ;;
flush-threads) args=(-o flush_threads=-1); want="flush_threads" ;;
label-size-sign) args=(-o label_size=-1); want="label_size='-1'" ;;
*) fail "unknown case '$1'" ;;
esac
at_exit "fusermount3 -u -z '$mp' 2>/dev/null || true"
"$PMEMFS" -f "${args[@]}" "$R" "$mp" >"$T/out" 2>"$T/err" &
DAEMON_PID=$!
for ((i = 0; i < 150; i++)); do
	grep -q " $mp " /proc/self/mountinfo && break
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.02
done
if grep -q " $mp " /proc/self/mountinfo; then
	fusermount3 -u -z "$mp"
	fail "$1: pmemfs mounted on '$mp'"
fi
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
err=$(cat "$T/err")
[ "$rc" != 0 ] || fail "$1: pmemfs exited 0"
assert_contains "$err" "$want" "$1: message"
[ "$before" = "$(sha256sum "$R")" ] || fail "$1: region changed"
FS_SHOW_LOG=0
echo "PASS: $TEST_NAME $1"
