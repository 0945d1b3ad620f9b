#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon's child (the OPENDIR barrier after INIT, the write-back at
# SIGTERM: src/fs/daemon.c) keeps nothing of the daemon and does not
# outlive it. strace holds the child at its open of the mount point, as a
# loaded machine may leave it behind its daemon: it holds none of the
# daemon's descriptors by then (with a copy of a region's, the region's OFD
# lock stayed taken after a kill -9, and a daemon started on the region at
# once exited "in use by another process": kill9_early's "pmemfs exited
# before mounting"), and the daemon's death kills it (left alone, it
# opened the mount point by its path later: the next daemon's mount).
. "$(dirname "$0")/fslib.sh"
command -v strace >/dev/null || fail "strace is not installed (scripts/install-deps.sh --tests)"

R=$T/r.img
region_create "$R" 16M
ns_create "$R" 4M ns1 >/dev/null
LOCKED=$(realpath "$R")
[ -d "$R" ] && LOCKED=$LOCKED/region

# every openat of the mount point waits 20 s before it runs (the test
# does not wait for that); the daemon opens it only in that child.
# (LeakSanitizer cannot run under ptrace.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -o "$T/trace" -P "$MNT" -e trace=openat \
	-e inject=openat:delay_enter=20000000 \
	"$PMEMFS" -f "$R" "$MNT" >>"$T/daemon.log" 2>&1 &
STRACE_PID=$!
# (only while it is this shell's child: a reaped pid may be another's)
at_exit '[ "$(awk "/^PPid:/ { print \$2 }" /proc/$STRACE_PID/status 2>/dev/null)" = $$ ] &&
	kill -9 $STRACE_PID'

# the child in its openat(AT_FDCWD, mount point): /proc/PID/syscall shows
# the call's first argument, -100
D1= C=
for ((i = 0; i < 1000; i++)); do
	[ -n "$D1" ] || D1=$(pgrep -P "$STRACE_PID" -x pmemfs | head -n 1) || true
	for c in $([ -z "$D1" ] || pgrep -P "$D1" || true); do
		if cut -d' ' -f2 "/proc/$c/syscall" 2>/dev/null |
			grep -qE '^0x(ffffffff)?ffffff9c$'; then
			C=$c
		fi
	done
	[ -n "$C" ] && break
	kill -0 "$STRACE_PID" 2>/dev/null || fail "pmemfs under strace exited: $(cat "$T/daemon.log")"
	sleep 0.01
done
[ -n "$C" ] || fail "no child of pmemfs (${D1:-not found}) came to open $MNT in 10 s"
DAEMON_PID=$D1

held=$(ls -l "/proc/$C/fd" | awk 'NR > 1 { print $NF }' |
	grep -E "^($LOCKED|/dev/fuse|socket:.*)\$" || true)
[ -z "$held" ] || fail "the daemon's child $C holds the daemon's descriptors: $(echo $held)"

kill -9 "$D1"
DAEMON_PID=
for ((i = 0; i < 500; i++)); do
	live=$(cat "/proc/$D1"/task/*/stat 2>/dev/null | awk '$3 != "Z"' | wc -l)
	[ "$live" = 0 ] && break
	sleep 0.01
done
[ "$live" = 0 ] || fail "pmemfs still has $live live thread(s) 5 s after kill -9"
# the child goes with it: the kernel sent it SIGKILL at the daemon's death
# (it dies as soon as it runs; strace keeps it stopped, the signal pending)
for ((i = 0; i < 500; i++)); do
	gone=1 pend=0
	if [ -n "$(awk '$3 != "Z"' "/proc/$C/stat" 2>/dev/null)" ]; then
		gone=0
		for m in $(awk '/^(SigPnd|ShdPnd):/ { print $2 }' "/proc/$C/status" 2>/dev/null); do
			pend=$((pend | 0x$m))
		done
	fi
	[ "$gone" = 1 ] || (((pend >> 8) & 1)) && break
	sleep 0.01
done
[ "$gone" = 1 ] || (((pend >> 8) & 1)) ||
	fail "the daemon's child $C outlives it: no SIGKILL for it 5 s after the daemon was killed ($(grep -E '^(State|PPid|SigPnd|ShdPnd)' "/proc/$C/status" | tr '\n' ' '))"
fusermount3 -u -z "$MNT"

# a daemon started on the region at once gets its lock and serves, while
# the old daemon's child is still there
pmemfs_start "$R"
[ -f "$MNT/region0/ns1" ] || fail "ns1 not served by the daemon started after the kill"
pmemfs_stop
echo "ok: the daemon's child held none of its descriptors and got SIGKILL with it"
