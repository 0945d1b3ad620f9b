#!/bin/bash
# SPDX-License-Identifier: MIT
# Both ways of receiving requests (src/fs/loop.c), each on a fresh mount:
# splice=on (page-cache pages: aligned write(2), mmap write-back; spliced
# from a pipe to the region file's O_DIRECT descriptor) and splice=off
# (read(2) to a page-aligned payload). Each: the log names the mode; mmap write-back, small pwrites,
# O_DIRECT writers on the namespace file (copied into the pipe after the
# header, so read out of it) and WRITEs the daemon shortens or refuses (data
# left in the pipe) all land at dpa+off and nowhere else, clean in the page
# cache after the flush (splice=on also with one thread, -s, so that the
# refused WRITE's pipe serves the next request). With splice=on strace shows splice(2) into the
# region file's descriptor, with splice=off none.
. "$(dirname "$0")/fslib.sh"
command -v strace >/dev/null || fail "strace is not installed (scripts/install-deps.sh --tests)"

R=$T/r.img
region_create "$R" 40M
d1=$(ns_create "$R" 16M ns1)
d2=$(ns_create "$R" 8M ns2)
NS1=$MNT/region0/ns1 NS2=$MNT/region0/ns2

# trace_splices OUT: strace the daemon's splice(2) calls until trace_stop
trace_start() {
	strace -f -qq -e trace=splice -p "$DAEMON_PID" -o "$1" &
	STRACE_PID=$!
	sleep 0.5	# attached to every thread
}
trace_stop() {
	kill -INT "$STRACE_PID" 2>/dev/null || true
	wait "$STRACE_PID" 2>/dev/null || true
}

# run_mode on|off SEED [pmemfs options]
run_mode() {
	local mode=$1 seed=$2 s
	shift 2
	guard_fill "$R"
	: >"$T/daemon.log"
	pmemfs_start -o splice="$mode" "$@" "$R"
	# the loop says how it receives as it starts, just after the mount
	for ((s = 0; s < 250; s++)); do
		grep -q "receiving with" "$T/daemon.log" && break
		sleep 0.02
	done
	case $mode in
	on) grep -q "receiving with splice(2)" "$T/daemon.log" ||
		fail "splice=on: the log does not say splice: $(cat "$T/daemon.log")" ;;
	off) grep -q "receiving with read(2) (splice=off)" "$T/daemon.log" ||
		fail "splice=off: the log does not say read(2): $(cat "$T/daemon.log")" ;;
	esac
	trace_start "$T/splice-$mode.trace"

	# write-back: 3 MiB from an unaligned start (the largest requests)
	"$NSIO" mmap-write "$NS1" 5000 3145728 $seed msync || fail "$mode: mmap write failed"
	# a small buffered pwrite (one page written back) and a scattered one
	"$NSIO" write "$NS1" 8000000 100 $((seed + 1)) fsync || fail "$mode: small pwrite failed"
	"$NSIO" write "$NS1" 9000000 300000 $((seed + 2)) fdatasync || fail "$mode: pwrite failed"
	# O_DIRECT on the namespace file: not page-cache pages, copied by the kernel
	"$NSIO" write "$NS1" 12582912 2097152 $((seed + 3)) direct || fail "$mode: O_DIRECT write failed"
	"$NSIO" write "$NS2" 4096 1000 $((seed + 4)) direct || fail "$mode: small O_DIRECT write failed"
	# past the end of ns2: the WRITE is shortened (its tail stays in the
	# pipe), the next one refused (ENOSPC, its data stays in the pipe),
	# then ns2 works on
	"$NSIO" write "$NS2" $((8388608 - 4096)) 8192 9 fsync 2>/dev/null &&
		fail "$mode: a write past the end of ns2 was not refused"
	"$NSIO" mmap-write "$NS2" 65536 1048576 $((seed + 5)) msync ||
		fail "$mode: mmap write after a refused WRITE failed"
	trace_stop

	"$NSIO" verify "$R" $((d1 + 5000)) 3145728 $seed || fail "$mode: mmap data not at dpa+off"
	"$NSIO" verify "$R" $((d1 + 8000000)) 100 $((seed + 1)) || fail "$mode: small pwrite not in the region"
	"$NSIO" verify "$R" $((d1 + 9000000)) 300000 $((seed + 2)) || fail "$mode: pwrite not in the region"
	"$NSIO" verify "$R" $((d1 + 12582912)) 2097152 $((seed + 3)) || fail "$mode: O_DIRECT data not in the region"
	"$NSIO" verify "$R" $((d2 + 4096)) 1000 $((seed + 4)) || fail "$mode: small O_DIRECT data not in the region"
	"$NSIO" verify "$R" $((d2 + 65536)) 1048576 $((seed + 5)) || fail "$mode: ns2 data after the refusal not in the region"
	cache_clean "$R" "$d1" 16777216
	cache_clean "$R" "$d2" 8388608
	# nothing between or after the writes changed
	"$NSIO" check-byte "$R" 0 $((d1 + 5000)) $GUARD || fail "$mode: bytes before ns1's write changed"
	"$NSIO" check-byte "$R" $((d1 + 5000 + 3145728)) $((8000000 - 5000 - 3145728)) $GUARD ||
		fail "$mode: bytes after the mmap write changed"
	"$NSIO" check-byte "$R" $((d2 + 65536 + 1048576)) $((8388608 - 4096 - 65536 - 1048576)) $GUARD ||
		fail "$mode: bytes of ns2 after its mmap write changed"

	s=$(grep -c "splice(" "$T/splice-$mode.trace" || true)
	echo "splice=$mode: $s splice(2) calls while writing"
	case $mode in
	on) [ "$s" -ge 8 ] || fail "splice=on: only $s splice(2) calls: $(head -n 5 "$T/splice-$mode.trace")"
		# the write-back went on from the pipe to a region descriptor
		# (fd 0 is /dev/fuse's splice source, the target is a file)
		grep -q "splice([0-9]*, NULL, [0-9]*, \[[0-9]*\]" "$T/splice-$mode.trace" ||
			fail "splice=on: no splice(2) to a file offset: $(head -n 5 "$T/splice-$mode.trace")" ;;
	off) [ "$s" = 0 ] || fail "splice=off: $s splice(2) calls: $(head -n 3 "$T/splice-$mode.trace")" ;;
	esac
	pmemfs_stop
}

run_mode on 11
# one thread: the request after the refused WRITE comes through the same
# pipe, so leftover data there would be taken for the next request
run_mode on 31 -s
run_mode off 21
echo "ok: both receive modes land every write at dpa+off"
