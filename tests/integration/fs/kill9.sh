#!/bin/bash
# SPDX-License-Identifier: MIT
# kill -9 of the daemon right after an fsync: every fsynced byte is in the
# region file, and is read back through the file after a remount. Looped.
. "$(dirname "$0")/fslib.sh"

LOOPS=${PMEMFS_KILL9_LOOPS:-20}
R=$T/r.img
region_create "$R" 16M
d=$(ns_create "$R" 4M ns1)
guard_fill "$R"
f=$MNT/region0/ns1
prev=
for ((i = 1; i <= LOOPS; i++)); do
	pmemfs_start "$R"
	if [ -n "$prev" ]; then
		set -- $prev
		"$NSIO" verify "$f" "$1" "$2" "$3" || fail "iteration $i: bytes of the last run lost after remount"
	fi
	off=$(( (RANDOM * 32768 + RANDOM) % (4194304 - 70000) ))
	len=$(( 1 + (RANDOM % 65536) ))
	if ((i % 2)); then
		"$NSIO" write "$f" $off $len $i fsync
	else
		"$NSIO" mmap-write "$f" $off $len $i msync
	fi
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	fusermount3 -u -z "$MNT"
	"$NSIO" verify "$R" $((d + off)) $len $i || fail "iteration $i: fsynced bytes not in the region after kill -9"
	prev="$off $len $i"
done
