#!/bin/bash
# SPDX-License-Identifier: MIT
# A region directory whose file system fails under the daemon (xfs shut
# down: every call on it gives EIO): the namespaces' next opens fail with
# EIO and the log names the failure as it is, an I/O error of the file
# ("cannot stat ...: Input/output error", or the open's own), never "is
# not a regular file: refused" (the reopen check read the mode of a stat
# that had failed); the daemon stays up and unmounts.
. "$(dirname "$0")/fslib.sh"
. "$PMEMFS_SOURCE_ROOT/tests/integration/loopfs.sh"

command -v xfs_io >/dev/null || skip "xfs_io not installed"
loopfs_mount xfs 300M "$T/xfs"
D=$T/xfs/rdir
"$PMEMCTL" create-region --layout dir --size 64M "$D" >/dev/null || fail "create-region"
"$PMEMCTL" create-namespace --file "$D" -s 16M -n a >/dev/null || fail "create a"
"$PMEMCTL" create-namespace --file "$D" -s 16M -n b >/dev/null || fail "create b"
pmemfs_start "$D" -o passthrough=off
a=$MNT/region0/a b=$MNT/region0/b
"$NSIO" write "$a" 0 1048576 1 fsync || fail "writing a before the shutdown"
xfs_io -x -c shutdown "$T/xfs" || skip "xfs_io shutdown failed (no CAP_SYS_ADMIN?)"

for f in "$a" "$b"; do
	run_cmd "$NSIO_BIN" write "$f" 0 4096 2 fsync
	[ "$rc" != 0 ] || fail "a write to $f on a shut-down file system succeeded"
	assert_contains "$err" "EIO" "$f after the shutdown"
done
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died of its file system's shutdown"
log=$(cat "$T/daemon.log")
assert_not_contains "$log" "is not a regular file" "the log after the shutdown"
assert_contains "$log" "Input/output error" "the log after the shutdown"
fusermount3 -u "$MNT"
wait "$DAEMON_PID" || true	# exits non-zero: namespaces lost data
DAEMON_PID=
exit 0
