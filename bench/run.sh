#!/bin/bash
# SPDX-License-Identifier: MIT
# The pmemfs benchmark suite (issue 6): the same work on a plain file and
# on a pmemfs namespace in the same file system, in the same run, several
# repetitions; medians and the ratio pmemfs/plain, as a table on stdout
# and a JSON file with the machine's facts. libfuse's passthrough_ll
# example (writeback, cache=always) over the same plain file is a third
# column for the first rows. Numbers, not pass/fail: the exit code only
# says whether the bench ran.
#
#   bench/run.sh [--quick] [--reps N] [--rows ID,...] [--json FILE]
#                [--build-dir DIR] [--no-build] [--dir DIR] [--keep]
#                [--pmemfs-opts "OPTIONS"]
#
# Run it as root on an idle machine: dropping caches and the bdi settings
# need root (without it the cold row says so). Needs fio, jq, fusermount3.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'EOF'
usage: bench/run.sh [options]

  --quick          64 MiB files, one repetition, short runs (about a minute):
                   checks that every row runs, the figures mean little
  --reps N         repetitions (default 3; medians over them)
  --rows ID,...    run only these rows (ids: seqwrite randwrite randread
                   mmapseq mmaprand msync iso isowriter pagecache coldread
                   cd startup list qemu rss)
  --json FILE      where the JSON goes (default BUILD/bench/bench-DATE.json)
  --build-dir DIR  the meson build directory (default SRC/build-bench;
                   set up and built when needed)
  --no-build       do not run meson/ninja (the run_target does the build)
  --dir DIR        a new directory for the files, on the file system to
                   measure (default: a new one under ${TMPDIR:-/var/tmp})
  --keep           keep that directory (files and daemon logs)
  --pmemfs-opts O  options for the pmemfs daemon, e.g. "-o splice=off"
  (more row ids: cdmany (also while list+stats poll), lsaopen: the
  label-scaling rows after cd)
EOF
}

QUICK=0 REPS= ROWS= JSON= BUILD= DO_BUILD=1 WORK= KEEP=0 PMEMFS_OPTS=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--reps) REPS=${2:?--reps needs a value}; shift ;;
	--rows) ROWS=${2:?--rows needs a value}; shift ;;
	--json) JSON=${2:?--json needs a value}; shift ;;
	--build-dir) BUILD=${2:?--build-dir needs a value}; shift ;;
	--no-build) DO_BUILD=0 ;;
	--dir) WORK=${2:?--dir needs a value}; shift ;;
	--keep) KEEP=1 ;;
	--pmemfs-opts) PMEMFS_OPTS=${2?--pmemfs-opts needs a value}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench: unknown option '$1'" >&2; usage >&2; exit 129 ;;
	esac
	shift
done

die() { echo "bench: $*" >&2; exit 1; }

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(realpath -m "${BUILD:-$SRC/build-bench}")
for t in fio jq fusermount3; do
	command -v $t >/dev/null || die "'$t' is not installed (Debian: apt-get install fio jq fuse3)"
done
[ -c /dev/fuse ] || die "no /dev/fuse on this machine"

if [ "$DO_BUILD" = 1 ]; then
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$SRC" >/dev/null || die "meson setup '$BUILD' failed"
	fi
	ninja -C "$BUILD" >/dev/null || die "ninja -C '$BUILD' failed"
fi
PMEMFS=$BUILD/src/pmemfs
PMEMCTL=$BUILD/tools/pmemctl
PMBENCH=$BUILD/bench/pmbench
CTLBENCH=$BUILD/bench/ctlbench
NSOPEN=$BUILD/bench/nsopen
LSAGEN=$SRC/bench/lsagen.py
PT=$BUILD/bench/passthrough_ll
for b in "$PMEMFS" "$PMEMCTL" "$PMBENCH" "$CTLBENCH" "$NSOPEN"; do
	[ -x "$b" ] || die "'$b' is not built (run without --no-build)"
done
[ -x "$PT" ] || PT=

if [ "$QUICK" = 1 ]; then
	REPS=${REPS:-1} MIB=64 RR_SEC=1 LAT_N=300 CD_N=20 LIST_N=5
else
	REPS=${REPS:-3} MIB=1024 RR_SEC=3 LAT_N=2000 CD_N=200 LIST_N=20
fi
NS_MANY=500
ALL_ROWS="seqwrite randwrite randread mmapseq mmaprand msync iso isowriter pagecache coldread cd startup list qemu rss"
ROWS=${ROWS//,/ }
# the label-scaling rows (issue 16 item 8): namespaces already in the region
# of the create + destroy row, and the open of the largest label area the
# probe accepts (64 MiB, v1.1: every slot a namespace)
ALL_ROWS+=" cdmany lsaopen"
CD_MANY=10000
ROWS=${ROWS:-$ALL_ROWS}
for r in $ROWS; do
	case " $ALL_ROWS " in *" $r "*) ;; *) die "unknown row '$r' (rows: $ALL_ROWS)" ;; esac
done
want() { case " $ROWS " in *" $1 "*) return 0 ;; esac; return 1; }

if [ -z "$WORK" ]; then
	WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/pmemfs-bench.XXXXXX")
else
	mkdir "$WORK" || die "--dir '$WORK' must be a new directory"
fi
WORK=$(realpath "$WORK")
DATA=$WORK/data MNT=$WORK/mnt-pmemfs PTMNT=$WORK/mnt-pt BIGMNT=$WORK/mnt-big
mkdir -p "$DATA" "$MNT" "$PTMNT" "$BIGMNT"
PLAIN=$DATA/plain PLAIN2=$DATA/plain2 REGION=$DATA/region.img BIG=$DATA/big.img
NS1=$MNT/region0/ns1 NS2=$MNT/region0/ns2 PTFILE=$PTMNT/plain
ROWS_JSON=$WORK/rows.jsonl
: >"$ROWS_JSON"

PIDS=()
cleanup() {
	local m p
	for m in "$MNT" "$PTMNT" "$BIGMNT"; do
		if grep -q " $m " /proc/self/mountinfo 2>/dev/null; then
			fusermount3 -u "$m" 2>/dev/null || fusermount3 -u -z "$m" 2>/dev/null || true
		fi
	done
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ "$KEEP" = 1 ]; then
		echo "bench: files and logs kept in $WORK" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CAN_DROP=0
[ -w /proc/sys/vm/drop_caches ] && CAN_DROP=1
drop_caches() {
	sync
	[ "$CAN_DROP" = 0 ] || echo 3 >/proc/sys/vm/drop_caches
}
# cpu_ticks PID: user + system time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
fstype() { findmnt -n -o FSTYPE -T "$DATA" 2>/dev/null || stat -f -c %T "$DATA"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# mount_wait DIR PID LOG: until DIR is a mount point, or fail if PID died
mount_wait() {
	local i
	for ((i = 0; i < 500; i++)); do
		grep -q " $1 " /proc/self/mountinfo && return 0
		kill -0 "$2" 2>/dev/null || die "daemon for '$1' exited: $(tail -n 5 "$3")"
		sleep 0.02
	done
	die "'$1' not mounted after 10 s: $(tail -n 5 "$3")"
}
# unmount DIR PID
unmount() {
	fusermount3 -u "$1" || die "fusermount3 -u '$1' failed"
	wait "$2" 2>/dev/null || true
}

# --- numbers
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
	if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2];
	else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "null" || b == "null" || b == 0) print "null"; else printf "%.3f\n", a / b }'; }
# met VALUE OP LIMIT: yes/no (OP ge or le)
met() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "null") print "n/a";
	else if ((op == "ge" && v >= l) || (op == "le" && v <= l)) print "yes"; else print "no" }'; }
fmt() { awk -v v="$1" 'BEGIN { if (v == "null" || v == "") print "-";
	else if (v >= 1000) printf "%.0f", v; else if (v >= 10) printf "%.1f", v; else printf "%.2f", v }'; }
jnum() { [ -n "$1" ] && [ "$1" != "null" ] && echo "$1" || echo null; }

# row ID LABEL UNIT PLAIN PMEMFS PT RATIO OP TARGET NOTE SAMPLES_JSON
# RATIO is what the target is about (OP ge/le, TARGET a number); an empty
# OP means information only. Prints the table line, appends the JSON.
printf '%-52s %10s %10s %10s %7s %8s %4s\n' row plain pmemfs passthru ratio target met
row() {
	local id=$1 label=$2 unit=$3 pl=$4 pm=$5 pt=$6 ra=$7 op=$8 tg=$9 note=${10} samples=${11:-null}
	local m=n/a tstr=-
	if [ -n "$op" ]; then
		m=$(met "$ra" "$op" "$tg")
		tstr=$([ "$op" = ge ] && echo ">=$tg" || echo "<=$tg")
	fi
	printf '%-52s %10s %10s %10s %7s %8s %4s\n' "$label ($unit)" "$(fmt "$pl")" \
		"$(fmt "$pm")" "$(fmt "$pt")" "$(fmt "$ra")" "$tstr" "$m"
	[ -z "$note" ] || printf '    %s\n' "$note"
	jq -cn --arg id "$id" --arg lbl "$label" --arg unit "$unit" \
		--argjson plain "$(jnum "$pl")" --argjson pmemfs "$(jnum "$pm")" \
		--argjson passthrough_ll "$(jnum "$pt")" --argjson ratio "$(jnum "$ra")" \
		--arg op "$op" --arg target "$tg" --arg met "$m" --arg note "$note" \
		--arg load "$(loadavg)" --argjson samples "$samples" \
		'{id: $id, "label": $lbl, unit: $unit, plain: $plain, pmemfs: $pmemfs,
		  passthrough_ll: $passthrough_ll, ratio: $ratio,
		  target: (if $op == "" then null else {op: $op, value: ($target | tonumber)} end),
		  met: $met, note: $note, loadavg_after: $load, samples: $samples}' >>"$ROWS_JSON"
}
na_row() { # ID LABEL UNIT WHY
	printf '%-52s %s\n' "$2 ($3)" "n/a: $4"
	jq -cn --arg id "$1" --arg lbl "$2" --arg unit "$3" --arg why "$4" \
		'{id: $id, "label": $lbl, unit: $unit, na: $why}' >>"$ROWS_JSON"
}
# samples_json NAME "v1 v2" NAME "v1 v2" ...: {"NAME": [v1, v2], ...}
samples_json() {
	local out='{}' k v
	while [ $# -gt 1 ]; do
		k=$1 v=$2
		shift 2
		out=$(jq -c --arg k "$k" --arg v "$v" \
			'. + {($k): ($v | split(" ") | map(select(. != "") | tonumber))}' <<<"$out")
	done
	echo "$out"
}

# --- the files: a plain file and a region with two namespaces, each MIB,
# all written once (blocks allocated, no unwritten extents on either side)
echo "bench: setting up in $WORK ($(fstype), ${MIB} MiB files, $REPS repetition(s))" >&2
LOAD_START=$(loadavg)
dd if=/dev/zero of="$PLAIN" bs=1M count=$MIB conv=fsync status=none
dd if=/dev/zero of="$PLAIN2" bs=1M count=$MIB conv=fsync status=none
# the QEMU row's guests get a namespace of their own, QEMU_MIB, always
QEMU_MIB=64 QEMU_EXTRA=0
want qemu && QEMU_EXTRA=$((QEMU_MIB + 2))
"$PMEMCTL" create-region --size $((2 * MIB + 66 + QEMU_EXTRA))M "$REGION" >/dev/null
"$PMEMCTL" create-namespace --file "$REGION" -s ${MIB}M -n ns1 >/dev/null
"$PMEMCTL" create-namespace --file "$REGION" -s ${MIB}M -n ns2 >/dev/null
[ "$QEMU_EXTRA" = 0 ] || "$PMEMCTL" create-namespace --file "$REGION" -s ${QEMU_MIB}M -n vm >/dev/null
dd if=/dev/zero of="$REGION" bs=1M count=$((2 * MIB)) conv=notrunc,fsync status=none

# shellcheck disable=SC2086 # PMEMFS_OPTS: words on purpose
"$PMEMFS" -f $PMEMFS_OPTS "$REGION" "$MNT" >>"$WORK/pmemfs.log" 2>&1 &
PMEMFS_PID=$!
PIDS+=("$PMEMFS_PID")
mount_wait "$MNT" "$PMEMFS_PID" "$WORK/pmemfs.log"
[ -f "$NS1" ] && [ -f "$NS2" ] || die "namespace files missing under '$MNT/region0'"
if [ -n "$PT" ]; then
	"$PT" -f -o source="$DATA" -o writeback -o cache=always "$PTMNT" >>"$WORK/pt.log" 2>&1 &
	PT_PID=$!
	PIDS+=("$PT_PID")
	mount_wait "$PTMNT" "$PT_PID" "$WORK/pt.log"
fi

# fio_run FILE RW BS ENGINE [fio options...]: the job's JSON
fio_run() {
	local f=$1 rw=$2 bs=$3 eng=$4
	shift 4
	fio --name=bench --filename="$f" --rw="$rw" --bs="$bs" --ioengine="$eng" \
		--size=${MIB}M --invalidate=0 --fallocate=none --randrepeat=1 \
		--output-format=json "$@" 2>>"$WORK/fio.err" || die "fio $rw $eng on '$f' failed: $(tail -n 3 "$WORK/fio.err")"
}
fio_mibs() { fio_run "$@" | jq '.jobs[0] | (.write.bw_bytes + .read.bw_bytes) / 1048576'; }
fio_iops() { fio_run "$@" | jq '.jobs[0] | .read.iops + .write.iops'; }

# side_files: the files of each column ("-" for none)
SIDES="plain pmemfs pt"
file_of() {
	case $1 in
	plain) echo "$PLAIN" ;;
	pmemfs) echo "$NS1" ;;
	pt) [ -n "$PT" ] && echo "$PTFILE" || echo - ;;
	esac
}
# order of the columns in repetition R: rotated, so drift hits all alike
order() { case $(($1 % 3)) in 0) echo plain pmemfs pt ;; 1) echo pmemfs pt plain ;; *) echo pt plain pmemfs ;; esac; }

# throughput_row ID LABEL UNIT OP TARGET FN ARGS...: FN FILE ARGS... prints one figure
throughput_row() {
	local id=$1 label=$2 unit=$3 op=$4 tg=$5 fn=$6 r s f v c0 cpu=
	shift 6
	declare -A acc=([plain]= [pmemfs]= [pt]=)
	for ((r = 0; r < REPS; r++)); do
		for s in $(order $r); do
			f=$(file_of $s)
			[ "$f" != - ] || continue
			drop_caches
			c0=$(cpu_ticks "$PMEMFS_PID")
			v=$($fn "$f" "$@")
			acc[$s]+=" $v"
			[ "$s" != pmemfs ] || cpu+=" $(($(cpu_ticks "$PMEMFS_PID") - c0))"
		done
	done
	echo "bench: $id done at $(date +%T), load $(loadavg)" >&2
	local pl pm pt
	pl=$(median <<<"${acc[plain]}")
	pm=$(median <<<"${acc[pmemfs]}")
	pt=$(median <<<"${acc[pt]}")
	row "$id" "$label" "$unit" "$pl" "$pm" "$pt" "$(ratio "$pm" "$pl")" "$op" "$tg" \
		"${PT:+passthrough_ll/plain $(fmt "$(ratio "$pt" "$pl")"); }pmemfs daemon CPU $(awk -v t="$(median <<<"$cpu")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }') s per run" \
		"$(samples_json plain "${acc[plain]}" pmemfs "${acc[pmemfs]}" passthrough_ll "${acc[pt]}")"
}

w_seq() { fio_mibs "$1" write 1M psync --end_fsync=1; }
# small writes: each write(2) is a WRITE answered by the daemon (no FUSE
# writeback cache), where a plain file takes it into the page cache
w_randwrite() { cat "$1" >/dev/null; fio_iops "$1" randwrite 4k psync --time_based --runtime=$RR_SEC --end_fsync=1; }
# warm: read whole first; a run whose file is not in the page cache
# afterwards (someone dropped caches meanwhile) is run again, up to 3 times
w_randread() {
	local i v size res
	size=$(stat -c %s "$1")
	for ((i = 0; i < 3; i++)); do
		cat "$1" >/dev/null
		v=$(fio_iops "$1" randread 4k psync --time_based --runtime=$RR_SEC)
		res=$("$PMBENCH" resident "$1")
		[ $((res * 100 / size)) -lt 95 ] || break
		echo "bench: randread on '$1' ran cold (page cache dropped meanwhile): again" >&2
	done
	echo "$v"
}
# the mmap write rows start warm (the file read once), so that they
# measure stores + write-back + msync, not read faults
w_mmapseq() { cat "$1" >/dev/null; fio_mibs "$1" write 1M mmap --end_fsync=1; }
w_mmaprand() { cat "$1" >/dev/null; fio_mibs "$1" randwrite 4k mmap --end_fsync=1; }
w_coldread() { fio_mibs "$1" read 1M mmap; }

want seqwrite && throughput_row seqwrite "seq 1 MiB psync writes + fsync, cold, $MIB MiB" MiB/s ge 0.9 w_seq
want randwrite && throughput_row randwrite "4 KiB random psync writes + fsync, warm" IOPS "" "" w_randwrite
want randread && throughput_row randread "4 KiB random psync reads, warm" IOPS ge 0.95 w_randread
want mmapseq && throughput_row mmapseq "seq writes via mmap + msync, warm, $MIB MiB" MiB/s ge 0.95 w_mmapseq
want mmaprand && throughput_row mmaprand "4 KiB random writes via mmap + msync, warm, $MIB MiB" MiB/s ge 0.95 w_mmaprand

# --- msync of one dirty page: p50/p99, idle and next to a dirty namespace
lat_pair() { "$PMBENCH" msynclat "$1" $LAT_N; }
# dirty_start FILE: a process keeps MIB of FILE dirty (mapped, stored to,
# not synced, not closed) until dirty_stop
dirty_start() {
	local i
	: >"$WORK/dirty.out"
	"$PMBENCH" dirty "$1" $MIB >"$WORK/dirty.out" &
	DIRTY_PID=$!
	PIDS+=("$DIRTY_PID")
	for ((i = 0; i < 3000; i++)); do
		grep -q ready "$WORK/dirty.out" && return 0
		kill -0 "$DIRTY_PID" 2>/dev/null || die "pmbench dirty '$1' failed"
		sleep 0.02
	done
	die "pmbench dirty '$1' not ready after 60 s"
}
dirty_stop() {
	kill "$DIRTY_PID"
	wait "$DIRTY_PID" || die "pmbench dirty exited with an error"
}
if want msync || want iso || want isowriter; then
	declare -A L=()
	for ((r = 0; r < REPS; r++)); do
		for s in plain pmemfs; do
			f=$(file_of $s)
			other=$([ $s = plain ] && echo "$PLAIN2" || echo "$NS2")
			drop_caches
			read -r a b <<<"$(lat_pair "$f")"
			L[$s.idle50]+=" $a" L[$s.idle99]+=" $b"
			if want iso; then
				dirty_start "$other"
				L[$s.dirty_kb]+=" $(meminfo_kb Dirty)"
				read -r a b <<<"$(lat_pair "$f")"
				L[$s.iso50]+=" $a" L[$s.iso99]+=" $b"
				dirty_stop
				drop_caches
			fi
			if want isowriter; then
				"$PMBENCH" writer "$other" $MIB 3600 >/dev/null &
				wpid=$!
				PIDS+=("$wpid")
				sleep 0.5
				read -r a b <<<"$(lat_pair "$f")"
				kill "$wpid" 2>/dev/null || true
				wait "$wpid" 2>/dev/null || true
				L[$s.wr50]+=" $a" L[$s.wr99]+=" $b"
			fi
		done
	done
	med() { median <<<"${L[$1]:-}"; }
	sj=$(samples_json plain_p50 "${L[plain.idle50]}" plain_p99 "${L[plain.idle99]}" \
		pmemfs_p50 "${L[pmemfs.idle50]}" pmemfs_p99 "${L[pmemfs.idle99]}")
	if want msync; then
		row msync_p50 "msync(MS_SYNC) of one dirty 4 KiB page, p50" us \
			"$(med plain.idle50)" "$(med pmemfs.idle50)" "" \
			"$(ratio "$(med pmemfs.idle50)" "$(med plain.idle50)")" le 1.2 "" "$sj"
		row msync_p99 "msync(MS_SYNC) of one dirty 4 KiB page, p99" us \
			"$(med plain.idle99)" "$(med pmemfs.idle99)" "" \
			"$(ratio "$(med pmemfs.idle99)" "$(med plain.idle99)")" le 1.5 "" "$sj"
	fi
	if want iso; then
		note="ratio: pmemfs with $MIB MiB dirty in ns2 / pmemfs idle; plain's own: $(fmt "$(ratio "$(med plain.iso50)" "$(med plain.idle50)")") (p50); Dirty before: plain $(med plain.dirty_kb) kB, pmemfs $(med pmemfs.dirty_kb) kB"
		sj=$(samples_json plain_p50 "${L[plain.iso50]}" plain_p99 "${L[plain.iso99]}" \
			pmemfs_p50 "${L[pmemfs.iso50]}" pmemfs_p99 "${L[pmemfs.iso99]}" \
			dirty_kb_plain "${L[plain.dirty_kb]}" dirty_kb_pmemfs "${L[pmemfs.dirty_kb]}")
		row iso_p50 "the same, other namespace $MIB MiB dirty, p50" us \
			"$(med plain.iso50)" "$(med pmemfs.iso50)" "" \
			"$(ratio "$(med pmemfs.iso50)" "$(med pmemfs.idle50)")" le 1.5 "$note" "$sj"
		row iso_p99 "the same, other namespace $MIB MiB dirty, p99" us \
			"$(med plain.iso99)" "$(med pmemfs.iso99)" "" \
			"$(ratio "$(med pmemfs.iso99)" "$(med pmemfs.idle99)")" le 1.5 \
			"ratio: vs pmemfs idle p99; plain's own: $(fmt "$(ratio "$(med plain.iso99)" "$(med plain.idle99)")")" "$sj"
	fi
	if want isowriter; then
		sj=$(samples_json plain_p50 "${L[plain.wr50]}" plain_p99 "${L[plain.wr99]}" \
			pmemfs_p50 "${L[pmemfs.wr50]}" pmemfs_p99 "${L[pmemfs.wr99]}")
		row isowriter_p50 "(info) the same, other ns writing + fsyncing, p50" us \
			"$(med plain.wr50)" "$(med pmemfs.wr50)" "" \
			"$(ratio "$(med pmemfs.wr50)" "$(med pmemfs.idle50)")" "" "" \
			"ratio: vs pmemfs idle; plain's own: $(fmt "$(ratio "$(med plain.wr50)" "$(med plain.idle50)")")" "$sj"
		row isowriter_p99 "(info) the same, other ns writing + fsyncing, p99" us \
			"$(med plain.wr99)" "$(med pmemfs.wr99)" "" \
			"$(ratio "$(med pmemfs.wr99)" "$(med pmemfs.idle99)")" "" "" \
			"ratio: vs pmemfs idle; plain's own: $(fmt "$(ratio "$(med plain.wr99)" "$(med plain.idle99)")")" "$sj"
	fi
fi

# --- page cache after writing MIB through the file and fsync: the file's
# resident pages (mincore), for pmemfs plus the region file's own
if want pagecache; then
	pc_pl= pc_pm= pc_delta=
	for ((r = 0; r < REPS; r++)); do
		drop_caches
		"$PMBENCH" seqwrite "$PLAIN" $MIB >/dev/null
		pc_pl+=" $(($("$PMBENCH" resident "$PLAIN") / 1048576))"
		drop_caches
		c0=$(meminfo_kb Cached)
		"$PMBENCH" seqwrite "$NS1" $MIB >/dev/null
		c1=$(meminfo_kb Cached)
		a=$("$PMBENCH" resident "$NS1")
		b=$("$PMBENCH" resident "$REGION")
		pc_pm+=" $(((a + b) / 1048576))"
		pc_delta+=" $(((c1 - c0) / 1024))"
	done
	pl=$(median <<<"$pc_pl")
	pm=$(median <<<"$pc_pm")
	lim=$(awk -v m=$MIB 'BEGIN { printf "%.0f", m * 1.1 }')
	row pagecache "page cache after writing $MIB MiB + fsync" MiB "$pl" "$pm" "" \
		"$pm" le "$lim" \
		"ratio column: pmemfs MiB (target <= 1.1 x $MIB MiB); namespace + region file pages (mincore); /proc/meminfo Cached grew $(median <<<"$pc_delta") MiB" \
		"$(samples_json plain "$pc_pl" pmemfs "$pc_pm" meminfo_cached_delta "$pc_delta")"
fi

if want coldread; then
	if [ "$CAN_DROP" = 1 ]; then
		throughput_row coldread "cold seq read via mmap, $MIB MiB" MiB/s ge 0.7 w_coldread
	else
		na_row coldread "cold seq read via mmap, $MIB MiB" MiB/s "needs root to drop caches"
	fi
fi

# --- through the running daemon: needs the control socket
HAVE_CTL=0
"$PMEMCTL" create-namespace --help 2>&1 | grep -q -- '--mount' && HAVE_CTL=1
# ms_samples CMD...: run CMD, print its wall time in ms
ms_of() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null || return 1
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}
pct() { tr ' ' '\n' | grep -v '^$' | sort -g | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100) + 1; if (i > NR) i = NR; print v[i] }'; }
if want cd; then
	if [ "$HAVE_CTL" = 1 ]; then
		cds=
		for ((i = 0; i < CD_N; i++)); do
			a=$(ms_of "$PMEMCTL" create-namespace --mount "$MNT" -r region0 -s 2M -n cd$i) ||
				die "pmemctl create-namespace --mount '$MNT' failed"
			b=$(ms_of "$PMEMCTL" destroy-namespace -f --mount "$MNT" -r region0 cd$i 2>/dev/null) ||
				die "pmemctl destroy-namespace -f --mount '$MNT' failed"
			cds+=" $(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }')"
		done
		p50=$(pct 50 <<<"$cds") p99=$(pct 99 <<<"$cds")
		row cd_p50 "create + destroy through the daemon, p50" ms "" "$p50" "" "$p50" le 5 \
			"one create and one destroy -f (it is served), each a pmemctl process; $CD_N pairs" "$(samples_json pmemfs "$cds")"
		row cd_p99 "create + destroy through the daemon, p99" ms "" "$p99" "" "$p99" le 20 "" null
		# the daemon's share: the same over one connection, no process start-up
		read -r _ c50 _ c99 _ cc _ cdd < <("$CTLBENCH" "$MNT" region0 "$CD_N") ||
			die "ctlbench '$MNT' failed"
		row cd_conn_p50 "(info) the same over one control connection, p50" ms "" "$c50" "" "" "" "" \
			"create p50 $cc ms, destroy p50 $cdd ms (writes and persists 8 KiB of zeroes, then the labels); bench/ctlbench.c" null
		row cd_conn_p99 "(info) the same over one control connection, p99" ms "" "$c99" "" "" "" "" "" null
	else
		na_row cd_p50 "create + destroy through the daemon, p50" ms "needs the control socket"
		na_row cd_p99 "create + destroy through the daemon, p99" ms "needs the control socket"
	fi
fi

# --- pmemctl's start-up (issue 18: <= 2 ms for an online command): an
# online list of the small region above, --version (no socket), and
# /bin/true as the floor of a process start from this shell
if want startup; then
	if [ "$HAVE_CTL" = 1 ]; then
		so= sv= st=
		for ((i = 0; i < CD_N; i++)); do
			so+=" $(ms_of "$PMEMCTL" list --mount "$MNT")" ||
				die "pmemctl list --mount '$MNT' failed"
			sv+=" $(ms_of "$PMEMCTL" --version)"
			st+=" $(ms_of /bin/true)"
		done
		v=$(median <<<"$so")
		row startup "pmemctl list --mount, a process (start-up included)" ms "" "$v" "" "$v" le 2 \
			"median of $CD_N; pmemctl --version $(median <<<"$sv") ms, /bin/true $(median <<<"$st") ms (a process from this shell)" \
			"$(samples_json list "$so" version "$sv" true "$st")"
	else
		na_row startup "pmemctl list --mount, a process (start-up included)" ms "needs the control socket"
	fi
fi

# --- create + destroy with CD_MANY namespaces in the region (2 MiB v1.1
# label area, as the issue measured), over one control connection
if want cdmany; then
	MANYR=$DATA/many.img MANYMNT=$WORK/mnt-many
	mkdir -p "$MANYMNT"
	"$PMEMCTL" create-region --size 256M --label-size 2M -V 1.1 "$MANYR" >/dev/null
	python3 "$LSAGEN" "$MANYR" 2M "$CD_MANY" >/dev/null
	"$PMEMFS" -f "$MANYR" "$MANYMNT" >>"$WORK/pmemfs-many.log" 2>&1 &
	MANY_PID=$!
	PIDS+=("$MANY_PID")
	for ((i = 0; i < 1500; i++)); do
		grep -q " $MANYMNT " /proc/self/mountinfo && break
		kill -0 "$MANY_PID" 2>/dev/null || break
		sleep 0.02
	done
	if ! grep -q " $MANYMNT " /proc/self/mountinfo; then
		na_row cdmany_p50 "the same over one connection, $CD_MANY ns in the region, p50" ms \
			"the daemon did not mount $CD_MANY namespaces: $(tail -n 1 "$WORK/pmemfs-many.log")"
	elif read -r _ m50 _ m99 _ mc _ md < <("$CTLBENCH" "$MANYMNT" region0 "$CD_N"); then
		row cdmany_p50 "the same over one connection, $CD_MANY ns in the region, p50" ms "" "$m50" "" "$m50" le 1 \
			"p99 $m99 ms; create p50 $mc ms, destroy p50 $md ms; bench/ctlbench.c, labels from bench/lsagen.py" null
	else
		die "ctlbench '$MANYMNT' failed"
	fi
	# the same while a manager polls (libvirt, a script): pmemctl list and
	# stats every 200 ms; a change must not pay for what the queries show
	if grep -q " $MANYMNT " /proc/self/mountinfo; then
		(while :; do
			"$PMEMCTL" list -N --mount "$MANYMNT" >/dev/null 2>&1
			"$PMEMCTL" stats --mount "$MANYMNT" >/dev/null 2>&1
			sleep 0.2
		done) &
		POLL_PID=$!
		sleep 1
		if read -r _ m50 _ m99 _ mc _ md < <("$CTLBENCH" "$MANYMNT" region0 "$CD_N"); then
			row cdmany_poll_p50 "the same while list+stats poll every 200 ms, p50" ms "" \
				"$m50" "" "$m50" le 1 \
				"p99 $m99 ms; create p50 $mc ms, destroy p50 $md ms; polled by pmemctl" null
		else
			kill "$POLL_PID"
			die "ctlbench '$MANYMNT' (polled) failed"
		fi
		kill "$POLL_PID"
		wait "$POLL_PID" 2>/dev/null || true
	fi
	if grep -q " $MANYMNT " /proc/self/mountinfo; then
		unmount "$MANYMNT" "$MANY_PID"
	else
		kill "$MANY_PID" 2>/dev/null || true
		wait "$MANY_PID" 2>/dev/null || true
	fi
	rm -f "$MANYR"
fi

# --- open the largest label area the probe accepts: 64 MiB of v1.1
# labels, every slot a namespace (bench/nsopen.c: probe, read, build,
# classify; what list --file and the mount do first)
if want lsaopen; then
	BIGLSA=$DATA/biglsa.img
	"$PMEMCTL" create-region --size 2112M --label-size 64M -V 1.1 "$BIGLSA" >/dev/null
	nlab=$(python3 "$LSAGEN" "$BIGLSA" 64M max | awk '{ print $1 }')
	read -r _ o50 _ omax _ oc50 _ _ _ _ < <("$NSOPEN" "$BIGLSA" "$REPS") ||
		die "nsopen '$BIGLSA' failed"
	row lsaopen "open a 64 MiB v1.1 label area, $nlab labels, p50" ms "" "$o50" "" "$o50" le 1000 \
		"CPU p50 $oc50 ms, wall max $omax ms over $REPS; bench/nsopen.c" null
	rm -f "$BIGLSA"
fi

# --- a 64 GiB sparse region with 500 namespaces: list time, daemon memory
if want list || want rss; then
	"$PMEMCTL" create-region --size 64G "$BIG" >/dev/null
	for ((i = 0; i < NS_MANY; i++)); do
		"$PMEMCTL" create-namespace --file "$BIG" -s 128M -n m$i --sparse >/dev/null ||
			die "create-namespace m$i in '$BIG' failed"
	done
	lo=
	for ((i = 0; i < LIST_N; i++)); do
		lo+=" $(ms_of "$PMEMCTL" list --file "$BIG")"
	done
	"$PMEMFS" -f "$BIG" "$BIGMNT" >>"$WORK/pmemfs-big.log" 2>&1 &
	BIG_PID=$!
	PIDS+=("$BIG_PID")
	mount_wait "$BIGMNT" "$BIG_PID" "$WORK/pmemfs-big.log"
	rss_kb() { awk '$1 == "RssAnon:" { print $2 }' "/proc/$BIG_PID/status"; }
	r0=$(rss_kb)
	n=$(find "$BIGMNT/region0" -type f | wc -l)
	[ "$n" = "$NS_MANY" ] || die "$n namespace files under '$BIGMNT/region0', expected $NS_MANY"
	stat "$BIGMNT"/region0/* >/dev/null
	r1=$(rss_kb)
	if want list; then
		if [ "$HAVE_CTL" = 1 ]; then
			lm=
			for ((i = 0; i < LIST_N; i++)); do
				lm+=" $(ms_of "$PMEMCTL" list --mount "$BIGMNT")"
			done
			n=$("$PMEMCTL" list --mount "$BIGMNT" | jq length)
			[ "$n" = "$NS_MANY" ] || die "pmemctl list --mount shows $n namespaces, expected $NS_MANY"
			v=$(median <<<"$lm")
			row list "pmemctl list --mount, $NS_MANY namespaces" ms "" "$v" "" "$v" le 50 \
				"median of $LIST_N; offline list --file: $(median <<<"$lo") ms" \
				"$(samples_json mount "$lm" file "$lo")"
		else
			na_row list "pmemctl list --mount, $NS_MANY namespaces" ms "needs the control socket"
		fi
		v=$(median <<<"$lo")
		row list_file "(info) pmemctl list --file, $NS_MANY namespaces" ms "" "$v" "" "" "" "" \
			"offline, the same region file" "$(samples_json file "$lo")"
	fi
	if want rss; then
		mx=$((r1 > r0 ? r1 : r0))
		v=$(awk -v k=$mx 'BEGIN { printf "%.1f\n", k / 1024 }')
		row rss "daemon RssAnon, 64 GiB sparse region, $NS_MANY ns" MiB "" "$v" "" "$v" le 32 \
			"after mount $r0 kB, after stat of every file $r1 kB" null
	fi
	unmount "$BIGMNT" "$BIG_PID"
	rm -f "$BIG"
fi

# --- a QEMU guest (TCG, one CPU) writes QEMU_MIB to /dev/pmem0 with dd
# and fsyncs it (virtio-pmem flush: QEMU fsyncs its backing file), timed
# inside the guest; the backing file is a plain file or the namespace 'vm'.
# bench/qemu_guest.sh boots it with the e2e tooling (tests/e2e/e2elib.sh).
if want qemu; then
	qlabel="QEMU TCG guest: $QEMU_MIB MiB written + flushed, virtio-pmem"
	qcache=${PMEMFS_E2E_CACHE:-/var/cache/pmemfs-e2e}
	why=
	command -v qemu-system-x86_64 >/dev/null || why="qemu-system-x86_64 is not installed: run scripts/install-deps.sh --tests"
	[ -n "$why" ] || [ -f "$SRC/tests/e2e/e2elib.sh" ] || why="the e2e guest tooling (tests/e2e) is missing"
	[ -n "$why" ] || { [ -f "$qcache/current" ] && [ -f "$qcache/vmlinuz" ] && [ -d "$qcache/modules" ]; } ||
		why="run scripts/install-deps.sh --tests"
	[ -n "$why" ] || command -v ndctl >/dev/null || why="ndctl is not installed: run scripts/install-deps.sh --tests"
	[ -n "$why" ] || [ -x "$BUILD/tests/e2e/nsio-static" ] ||
		why="'$BUILD/tests/e2e/nsio-static' is not built (no static libc, or tests disabled)"
	if [ -z "$why" ]; then
		QPLAIN=$DATA/vm-plain QNS=$MNT/region0/vm
		dd if=/dev/zero of="$QPLAIN" bs=1M count=$QEMU_MIB conv=fsync status=none
		[ -f "$QNS" ] || die "namespace file '$QNS' missing"
		dd if=/dev/zero of="$QNS" bs=1M count=$QEMU_MIB conv=notrunc,fsync status=none
		qstats() { "$PMEMCTL" stats --mount "$MNT" vm 2>/dev/null | jq -r ".[0].$1 // empty" 2>/dev/null; }
		# qemu_side FILE: the guest's MiB/s, or fail (the reason in $WORK/qemu.err)
		qemu_side() {
			PMEMFS_SOURCE_ROOT=$SRC PMEMFS_BUILD_ROOT=$BUILD PMEMFS=$PMEMFS PMEMCTL=$PMEMCTL \
				PMEMFS_E2E_CACHE=$qcache bash "$SRC/bench/qemu_guest.sh" "$1" $QEMU_MIB 2>>"$WORK/qemu.err"
		}
		declare -A Q=([plain]= [pmemfs]=)
		qfs= qerr=
		for ((r = 0; r < REPS; r++)); do
			[ -z "$qerr" ] || break
			qorder="plain pmemfs"
			((r % 2 == 0)) || qorder="pmemfs plain"
			for s in $qorder; do
				f=$([ $s = plain ] && echo "$QPLAIN" || echo "$QNS")
				[ $s = plain ] || f0=$(qstats fsyncs)
				if ! v=$(qemu_side "$f"); then
					qerr="the $s guest failed: $(grep -E 'FAIL|timed out|exited' "$WORK/qemu.err" | tail -n 1)"
					cat "$WORK/qemu.err" >&2
					break
				fi
				Q[$s]+=" $v"
				if [ $s = pmemfs ] && [ "$HAVE_CTL" = 1 ]; then
					f1=$(qstats fsyncs)
					qfs+=" $((${f1:-0} - ${f0:-0}))"
				fi
			done
		done
		echo "bench: qemu done at $(date +%T), load $(loadavg)" >&2
		if [ -n "$qerr" ]; then
			na_row qemu "$qlabel" MiB/s "$qerr"
		else
			pl=$(median <<<"${Q[plain]}")
			pm=$(median <<<"${Q[pmemfs]}")
			note="timed in the guest (/proc/uptime, 10 ms): dd bs=1M conv=fsync of /dev/pmem0; median of $REPS boot(s) per side"
			[ -z "$qfs" ] || note+="; daemon FSYNCs per pmemfs guest:$qfs"
			row qemu "$qlabel" MiB/s "$pl" "$pm" "" "$(ratio "$pm" "$pl")" ge 0.9 "$note" \
				"$(samples_json plain "${Q[plain]}" pmemfs "${Q[pmemfs]}")"
		fi
		rm -f "$QPLAIN"
	else
		na_row qemu "$qlabel" MiB/s "$why"
	fi
fi

[ -z "$PT" ] || unmount "$PTMNT" "$PT_PID"
unmount "$MNT" "$PMEMFS_PID"
PIDS=()

# --- the JSON: machine facts, options, rows
JSON=${JSON:-$BUILD/bench/bench-$(date +%Y%m%d-%H%M%S).json}
mkdir -p "$(dirname "$JSON")"
commit=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$SRC" diff --quiet HEAD -- src tools 2>/dev/null || commit+="-dirty"
jq -n --slurpfile rows "$ROWS_JSON" \
	--arg date "$(date -Is)" --arg kernel "$(uname -r)" --argjson cores "$(nproc)" \
	--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--argjson mem_kb "$(meminfo_kb MemTotal)" \
	--arg libfuse "$(pkg-config --modversion fuse3 2>/dev/null || echo unknown)" \
	--arg fio "$(fio --version)" --arg commit "$commit" \
	--arg fs "$(fstype)" --arg dir "$WORK" \
	--arg load_start "$LOAD_START" --arg load_end "$(loadavg)" \
	--argjson quick "$QUICK" --argjson reps "$REPS" --argjson mib "$MIB" \
	--arg receive "$(sed -n 's/^pmemfs: receiving with \(.*\)/\1/p' "$WORK/pmemfs.log" | head -n 1)" \
	--arg popts "$PMEMFS_OPTS" \
	--argjson can_drop "$CAN_DROP" --arg pt "${PT:+passthrough_ll -o writeback -o cache=always}" \
	'{machine: {date: $date, kernel: $kernel, cores: $cores, cpu: $cpu, mem_kb: $mem_kb,
	   libfuse: $libfuse, fio: $fio, pmemfs_commit: $commit, fs: $fs, dir: $dir,
	   loadavg_start: $load_start, loadavg_end: $load_end},
	  run: {quick: ($quick == 1), reps: $reps, file_mib: $mib, caches_dropped: ($can_drop == 1),
	   pmemfs_options: (if $popts == "" then "defaults" else $popts end), pmemfs_receive: $receive, passthrough_ll: $pt},
	  rows: $rows}' >"$JSON"
echo
echo "machine: $(nproc) cores, Linux $(uname -r), libfuse $(pkg-config --modversion fuse3 2>/dev/null), pmemfs $commit; load $LOAD_START -> $(loadavg)"
echo "pmemfs receiving with $(sed -n 's/^pmemfs: receiving with \(.*\)/\1/p' "$WORK/pmemfs.log" | head -n 1)"
echo "json: $JSON"
