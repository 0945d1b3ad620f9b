#!/bin/bash
# SPDX-License-Identifier: MIT
# A pmemfs mount whose daemon is alive but does not answer (kill -STOP, or
# hung): mounting on it again, or on a directory inside it (by an absolute
# or a relative path), must not hang with it. pmemfs refuses within
# seconds, naming the mount, its region file and what to do, and the
# stopped daemon, once continued, still serves its data.
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
R2=$T/r2.img
region_create "$R" 32M
region_create "$R2" 32M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
pmemfs_start "$R"
"$NSIO" write "$MNT/region0/a" 0 8192 5 fsync
at_exit 'kill -CONT $DAEMON_PID 2>/dev/null'
kill -STOP "$DAEMON_PID"
sleep 1.2	# the kernel's cached attributes of the mount (1 s) expire

start=$(date +%s%N)
run_cmd timeout 30 "$PMEMFS" "$R2" "$MNT"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" != 124 ] || fail "pmemfs hung on a mount whose daemon is stopped"
[ "$rc" != 0 ] || fail "pmemfs mounted over a stopped daemon's mount"
((ms < 15000)) || fail "pmemfs took $ms ms to refuse"
assert_contains "$err" "mount point '$MNT' is on a pmemfs mount (region file '$R', mounted on '$MNT') whose daemon does not answer within 3 s" \
	"the stopped daemon's mount named"
assert_contains "$err" "fusermount3 -u '$MNT'" "what to do"
# inside it: resolving the path would wait for the daemon too
for dir in "$MNT/region0" "$MNT/no/such/dir"; do
	start=$(date +%s%N)
	run_cmd timeout 30 "$PMEMFS" "$R2" "$dir"
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$rc" != 124 ] || fail "pmemfs hung on '$dir' inside a stopped daemon's mount"
	[ "$rc" != 0 ] || fail "pmemfs mounted on '$dir' inside a stopped daemon's mount"
	((ms < 15000)) || fail "pmemfs took $ms ms to refuse '$dir'"
	assert_contains "$err" "mount point '$dir' is inside a pmemfs mount (region file '$R', mounted on '$MNT') whose daemon does not answer" \
		"'$dir' inside the stopped daemon's mount"
done
# by a relative path
run_cmd bash -c "cd '$T' && exec timeout 30 '$PMEMFS' '$R2' mnt/region0"
[ "$rc" != 124 ] || fail "pmemfs hung on a relative path inside a stopped daemon's mount"
assert_contains "$err" "mount point 'mnt/region0' is inside a pmemfs mount" "relative path inside"

kill -CONT "$DAEMON_PID"
"$NSIO" verify "$MNT/region0/a" 0 8192 5 || fail "data after the daemon went on"
assert_eq 1 "$(awk -v m="$MNT" '$5 == m' /proc/self/mountinfo | wc -l)" "one mount on '$MNT'"
echo "PASS: $TEST_NAME"
