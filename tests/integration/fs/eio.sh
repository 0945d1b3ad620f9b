#!/bin/bash
# SPDX-License-Identifier: MIT
# A failing backing write (a sparse namespace in a region on a small tmpfs
# that is full) gives EIO to the writer and to every later fsync of that
# namespace until remount, while the other namespace keeps working.
. "$(dirname "$0")/fslib.sh"

# (a region directory's namespaces are preallocated: there it is a
# region on ext4 over a full tmpfs, fslib.sh)
wb_fail_region
pmemfs_start "$R"
s=$MNT/region0/sparse f=$MNT/region0/full

run_cmd "$NSIO" write "$s" 0 4194304 1 fsync
[ "$rc" != 0 ] || fail "writing a full backing file succeeded"
assert_contains "$err" "EIO" "writer's error"
run_cmd "$NSIO" fsync "$s"
assert_contains "$err" "fsync: EIO" "second fsync"
run_cmd "$NSIO" mmap-write "$s" 0 4096 2 msync
assert_contains "$err" "msync: EIO" "msync after the failure"

# the other namespace keeps working
"$NSIO" write "$f" 0 1048576 3 fsync || fail "the healthy namespace failed"
"$NSIO" verify "$R" "$d2" 1048576 3

# sticky until remount, even with space again
rm -f "$TM/filler" "$TM/filler2"
run_cmd "$NSIO" fsync "$s"
assert_contains "$err" "fsync: EIO" "fsync after space came back"
grep -q "every later fsync fails" "$T/daemon.log" || fail "the failure was not logged"

fusermount3 -u "$MNT"
wait "$DAEMON_PID" || true	# exits non-zero: a namespace lost data
DAEMON_PID=
pmemfs_start "$R"
"$NSIO" write "$s" 0 1048576 4 fsync || fail "fsync after remount"
"$NSIO" verify "$R" "$d1" 1048576 4
pmemfs_stop
