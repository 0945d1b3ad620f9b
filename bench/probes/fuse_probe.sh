#!/bin/bash
# SPDX-License-Identifier: MIT
# Probes behind docs/durability.md "The FUSE page cache: why passthrough,
# not large folios or io_uring" (issue 19): what the page cache of a
# pmemfs namespace holds, and what an msync of one dirty page costs in
# FUSE round trips, next to a plain file on the same file system. Root
# only (PFNs, /proc/kpageflags, drop_caches, a tracefs instance); runs in
# a private mount namespace.
#
#   bench/probes/fuse_probe.sh [-b BUILD] [-m MIB] [-r REPS] [-n N]
#                [-l file|dir] [-o "PMEMFS OPTS"] folios|trips|uring [DIR]
#
#   folios  bench/probes/folios.py on each file, caches dropped first:
#           read (read(2) whole) + drop; mmapseq cold, mmapseq warm, drop,
#           mmaprand cold, drop, hugeseq (MADV_HUGEPAGE) cold. One JSON
#           line per phase ("side" added), REPS times.
#   trips   REPS times: pmbench msynclat (N msyncs of one dirty page) on
#           each file; on pmemfs with the tracefs events fuse_request_send
#           and fuse_request_end of its connection: the requests per msync
#           and each opcode's round trip (send to end, kernel clock), and
#           the round trip of a FLUSH (close of a dup'ed descriptor: the
#           daemon does nothing but answer) as the transport's own cost.
#   uring   REPS rounds of bench/probes/uring_rt.c (built here with cc):
#           N FLUSH round trips of a minimal server over /dev/fuse, over
#           FUSE io_uring, and over io_uring with DEFER_TASKRUN, in turn.
#           Sets /sys/module/fuse/parameters/enable_uring to Y for the run
#           (global: every FUSE mount made meanwhile is offered the ring)
#           and puts the old value back. No pmemfs in it.
#
# -l: the region's layout (default file; dir: the namespace has a file of
# its own, which passthrough may serve). MIB (default 256) sizes the
# files; BUILD (default ./build) has pmemfs, pmemctl and bench/pmbench;
# DIR (default a new one under /var/tmp, removed afterwards) holds the
# files. The machine's load goes into every figure: take medians of
# several runs.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$SRC/build MIB=256 REPS=1 N=2000 OPTS='' LAYOUT=file
while getopts b:m:r:n:l:o: c; do
	case $c in
	b) BUILD=$(realpath "$OPTARG") ;;
	m) MIB=$OPTARG ;;
	r) REPS=$OPTARG ;;
	n) N=$OPTARG ;;
	l) LAYOUT=$OPTARG ;;
	o) OPTS=$OPTARG ;;
	*) exit 129 ;;
	esac
done
shift $((OPTIND - 1))
MODE=${1:?usage: fuse_probe.sh [options] folios|trips|uring [DIR]}
shift
case $MODE in folios | trips | uring) ;; *) echo "fuse_probe: unknown mode '$MODE'" >&2; exit 129 ;; esac
[ "$(id -u)" = 0 ] || { echo "fuse_probe: needs root" >&2; exit 77; }
if [ -z "${FUSE_PROBE_INNER:-}" ]; then
	export FUSE_PROBE_INNER=1
	exec unshare -m --propagation private "$0" -b "$BUILD" -m "$MIB" -r "$REPS" \
		-n "$N" -l "$LAYOUT" -o "$OPTS" "$MODE" "$@"
fi
KEEP=1
if [ $# -eq 0 ]; then
	set -- "$(mktemp -d /var/tmp/fuse-probe.XXXXXX)"
	KEEP=0
fi
W=$1
mkdir -p "$W/mnt"
if [ "$MODE" = uring ]; then
	P=/sys/module/fuse/parameters/enable_uring
	[ -w $P ] || { echo "fuse_probe: no $P (Linux < 6.14 or no CONFIG_FUSE_IO_URING)" >&2; exit 77; }
	cc -O2 -pthread -o "$W/uring_rt" "$SRC/bench/probes/uring_rt.c"
	OLD=$(cat $P)
	trap 'echo "$OLD" >$P; umount -l "$W/mnt" 2>/dev/null || true; [ "$KEEP" = 1 ] || rm -rf "$W"' EXIT
	echo Y >$P
	for ((r = 0; r < REPS; r++)); do
		case $((r % 3)) in
		0) order="dev ring ring-defer" ;;
		1) order="ring ring-defer dev" ;;
		*) order="ring-defer dev ring" ;;
		esac
		for t in $order; do
			"$W/uring_rt" "$W/mnt" "$N" "$t" | sed "s/^{/{\"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", /"
		done
	done
	exit 0
fi
TR=/sys/kernel/tracing INST=
dd if=/dev/zero of="$W/plain" bs=1M count="$MIB" conv=fsync status=none
"$BUILD/tools/pmemctl" create-region --layout "$LAYOUT" --size $((MIB + 4))M "$W/region" >/dev/null
"$BUILD/tools/pmemctl" create-namespace --file "$W/region" -s "${MIB}M" -n ns >/dev/null
# every block written once, as the plain file's
if [ "$LAYOUT" = dir ]; then
	dd if=/dev/zero of="$(echo "$W"/region/ns-*)" bs=1M count="$MIB" conv=notrunc,fsync status=none
else
	dd if=/dev/zero of="$W/region" bs=1M count="$MIB" conv=notrunc,fsync status=none
fi
# shellcheck disable=SC2086 # OPTS: words on purpose
"$BUILD/src/pmemfs" -f $OPTS "$W/region" "$W/mnt" 2>>"$W/pmemfs.log" &
PID=$!
cleanup() {
	[ -z "$INST" ] || rmdir "$INST" 2>/dev/null || true
	umount "$W/mnt" 2>/dev/null || umount -l "$W/mnt" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	[ "$KEEP" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
for ((i = 0; i < 500; i++)); do
	[ -f "$W/mnt/region0/ns" ] && break
	kill -0 "$PID" || { cat "$W/pmemfs.log" >&2; exit 1; }
	sleep 0.02
done
NS=$W/mnt/region0/ns

folios() { # SIDE FILE PHASES...
	local side=$1 f=$2
	shift 2
	sync
	echo 3 >/proc/sys/vm/drop_caches
	python3 "$SRC/bench/probes/folios.py" "$f" "$@" | sed "s/^{/{\"side\": \"$side\", /"
}

# trace_on: a tracefs instance of our own with the two fuse events of
# this mount's connection (the kernel's dev_t of an anonymous 0:N is N)
trace_on() {
	[ -d $TR/events ] || mount -t tracefs nodev $TR
	[ -d $TR/events/fuse ] || { echo "fuse_probe: no fuse trace events (Linux < 6.16?)" >&2; exit 77; }
	INST=$TR/instances/fuse-probe-$$
	mkdir "$INST"
	echo 8192 >"$INST/buffer_size_kb"
	local conn
	conn=$(stat -c %d "$W/mnt")
	for e in fuse_request_send fuse_request_end; do
		echo "connection == $conn" >"$INST/events/fuse/$e/filter"
		echo 1 >"$INST/events/fuse/$e/enable"
	done
	echo >"$INST/trace"
}
trace_off() { # the trace, then the instance is gone
	echo 0 >"$INST/tracing_on"
	cat "$INST/trace"
	rmdir "$INST"
	INST=
}
# round trips per opcode from a trace: JSON {"OP": {n, p50_us, p99_us}}
trace_stats() {
	python3 -c '
import json, re, sys
send, lat = {}, {}
for line in sys.stdin:
    m = re.search(r"\s(\d+\.\d+): fuse_request_(send|end): connection \d+ req (\d+)(?: opcode \d+ \((\w+)\))?", line)
    if not m:
        continue
    t, kind, req = float(m.group(1)), m.group(2), int(m.group(3))
    if kind == "send":
        send[req] = (t, m.group(4).replace("FUSE_", ""))
    elif req in send:
        t0, op = send.pop(req)
        lat.setdefault(op, []).append((t - t0) * 1e6)
out = {}
for op, v in sorted(lat.items()):
    v.sort()
    out[op] = {"n": len(v), "p50_us": round(v[len(v) // 2], 1),
               "p99_us": round(v[len(v) * 99 // 100], 1)}
print(json.dumps(out))'
}
flush_loop() { # FILE N: FLUSH round trips, p50 us of close(dup(fd))
	python3 -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
v = []
for i in range(int(sys.argv[2])):
    d = os.dup(fd)
    t = time.perf_counter_ns()
    os.close(d)
    v.append((time.perf_counter_ns() - t) / 1000)
v.sort()
print("%.1f %.1f" % (v[len(v) // 2], v[len(v) * 99 // 100]))' "$1" "$2"
}

for ((r = 0; r < REPS; r++)); do
	if [ "$MODE" = folios ]; then
		for s in plain pmemfs; do
			f=$W/plain
			[ $s = plain ] || f=$NS
			folios $s "$f" read drop
			folios $s "$f" mmapseq mmapseq drop mmaprand drop hugeseq
		done
		continue
	fi
	read -r pl50 pl99 < <("$BUILD/bench/pmbench" msynclat "$W/plain" "$N")
	read -r fpl50 fpl99 < <(flush_loop "$W/plain" "$N")
	trace_on
	read -r pm50 pm99 < <("$BUILD/bench/pmbench" msynclat "$NS" "$N")
	ops=$(trace_off | trace_stats)
	trace_on
	read -r fpm50 fpm99 < <(flush_loop "$NS" "$N")
	fops=$(trace_off | trace_stats)
	read -r un50 un99 < <("$BUILD/bench/pmbench" msynclat "$NS" "$N")
	jq -cn --argjson n "$N" --argjson pl50 "$pl50" --argjson pl99 "$pl99" \
		--argjson pm50 "$pm50" --argjson pm99 "$pm99" \
		--argjson un50 "$un50" --argjson un99 "$un99" \
		--argjson fpl50 "$fpl50" --argjson fpl99 "$fpl99" --argjson fpm50 "$fpm50" --argjson fpm99 "$fpm99" \
		--argjson ops "$ops" --argjson fops "$fops" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
		'{msyncs: $n, plain_msync_us: {p50: $pl50, p99: $pl99},
		  pmemfs_msync_us: {p50: $un50, p99: $un99},
		  pmemfs_msync_traced_us: {p50: $pm50, p99: $pm99},
		  requests_per_msync: ($ops | map_values(.n / $n)),
		  round_trips_us: $ops,
		  close_dup_us: {plain_p50: $fpl50, plain_p99: $fpl99, pmemfs_p50: $fpm50, pmemfs_p99: $fpm99},
		  flush_round_trip_us: $fops.FLUSH, load: $load}'
done
grep -i "receiv\|passthrough" "$W/pmemfs.log" | sed 's/^/# /' >&2 || true
