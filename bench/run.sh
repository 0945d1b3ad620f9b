#!/bin/bash
# SPDX-License-Identifier: MIT
# The pmemfs benchmark suite (issue 6): the same work on a plain file and
# on a pmemfs namespace in the same file system, in the same run, several
# repetitions; medians and the ratio pmemfs/plain, as a table on stdout
# and a JSON file with the machine's facts. The "dir" column (issue 19)
# is the same work on a namespace of a region directory (create-region
# --layout dir), served with FUSE passthrough where the daemon can; the
# table's first line and the JSON say how it was served (pmemctl list -v:
# backing). libfuse's passthrough_ll example (writeback, cache=always)
# over the same plain file is a further column for the first rows.
# Numbers, not pass/fail: the exit code only says whether the bench ran.
#
#   bench/run.sh [--quick] [--reps N] [--rows ID,...] [--json FILE]
#                [--build-dir DIR] [--no-build] [--dir DIR] [--keep]
#                [--pmemfs-opts "OPTIONS"] [--dir-mount own|shared]
#
# Run it as root on an idle machine: dropping caches and the bdi settings
# need root (without it the cold row says so). Needs fio, jq, fusermount3.
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'EOF'
usage: bench/run.sh [options]

Columns: plain (a file on the same file system), pmemfs (a namespace of a
region file), dir (a namespace of a region directory; the line above the
table says how it was served: passthrough, or direct/buffered through the
daemon), passthru (libfuse's passthrough_ll); ratios to plain.

  --quick          64 MiB files, one repetition, short runs (about a minute):
                   checks that every row runs, the figures mean little
  --reps N         repetitions (default 3; medians over them)
  --rows ID,...    run only these rows (ids: seqwrite randwrite randread
                   mmapseq mmaprand msync iso isowriter fsync stat pagecache
                   coldread cd cddir startup list qemu rss)
  --json FILE      where the JSON goes (default BUILD/bench/bench-DATE.json)
  --build-dir DIR  the meson build directory (default SRC/build-bench;
                   set up and built when needed)
  --no-build       do not run meson/ninja (the run_target does the build)
  --dir DIR        a new directory for the files, on the file system to
                   measure (default: a new one under ${TMPDIR:-/var/tmp})
  --keep           keep that directory (files and daemon logs)
  --pmemfs-opts O  options for the pmemfs daemons, e.g. "-o splice=off"
  --dir-mount own|shared
                   the dir column's region directory in a mount of its
                   own (default: a second daemon, same options), or as
                   region1 of the region file's mount (one daemon serving
                   both layouts)
  (more row ids: cdmany (also while list+stats poll), lsaopen: the
  label-scaling rows after cd; states: crash states checked per second;
  restore: crash-test's restore per run and crash points per second,
  baseline against copy)
EOF
}

QUICK=0 REPS= ROWS= JSON= BUILD= DO_BUILD=1 WORK= KEEP=0 PMEMFS_OPTS= DIR_MOUNT=own
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
	--dir-mount) DIR_MOUNT=${2:?--dir-mount needs a value}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bench: unknown option '$1'" >&2; usage >&2; exit 129 ;;
	esac
	shift
done

die() { echo "bench: $*" >&2; exit 1; }
case $DIR_MOUNT in own | shared) ;; *) die "--dir-mount: 'own' or 'shared', not '$DIR_MOUNT'" ;; esac

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
ALL_ROWS="seqwrite randwrite randread mmapseq mmaprand msync iso isowriter fsync stat pagecache coldread cd cddir startup list qemu rss"
ROWS=${ROWS//,/ }
# the label-scaling rows (issue 16 item 8): namespaces already in the region
# of the create + destroy row, and the open of the largest label area the
# probe accepts (64 MiB, v1.1: every slot a namespace)
ALL_ROWS+=" cdmany lsaopen"
# crash states checked per second (pmemctl crash-test --states)
ALL_ROWS+=" states"
# crash-test's restore between runs: the daemon's baseline against a copy
ALL_ROWS+=" restore"
CD_MANY=10000
ROWS=${ROWS:-$ALL_ROWS}
for r in $ROWS; do
	case " $ALL_ROWS " in *" $r "*) ;; *) die "unknown row '$r' (rows: $ALL_ROWS)" ;; esac
done
want() { case " $ROWS " in *" $1 "*) return 0 ;; esac; return 1; }
# the rows with a dir column, and the dir layout's create + destroy
NEED_DIR=0
for r in seqwrite randwrite randread mmapseq mmaprand msync iso isowriter fsync stat pagecache coldread cddir qemu; do
	! want $r || NEED_DIR=1
done

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
# the dir column: a region directory, in a mount of its own (DMNT, its
# region0) or as region1 of the region file's mount (--dir-mount shared)
DREG=$DATA/region.dir DMNT=$WORK/mnt-dir DRN=region0
if [ "$DIR_MOUNT" = shared ]; then
	DMNT=$MNT DRN=region1
else
	mkdir -p "$DMNT"
fi
# (names of their own: pmemctl refuses a name two regions of a mount have)
DNS1=$DMNT/$DRN/dns1 DNS2=$DMNT/$DRN/dns2
# DIR_SERVED: how its namespaces were served (the table's first line);
# DIR_WHY: why the dir column has no figures, when it has none
DIR_SERVED="not run (no row with a dir column)" DIR_WHY=
ROWS_JSON=$WORK/rows.jsonl
: >"$ROWS_JSON"

PIDS=()
cleanup() {
	local m p
	for m in "$MNT" "$DMNT" "$PTMNT" "$BIGMNT"; do
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

# the helpers: numbers, mounts, the table line and JSON of a row
. "$SRC/bench/lib.sh"

# dir_setup SIZE: the region directory DREG with dns1, dns2 (MIB each, their
# files written once) and dvm when the QEMU row runs; DNS1_FILE: dns1's file
dir_setup() {
	local u n
	"$PMEMCTL" create-region --layout dir --size "$1" "$DREG" >/dev/null || return 1
	for n in dns1 dns2; do
		u=$("$PMEMCTL" create-namespace --file "$DREG" -s ${MIB}M -n $n | jq -r .uuid) || return 1
		[ -f "$DREG/ns-$u" ] || { echo "no file '$DREG/ns-$u' for $n" >&2; return 1; }
		dd if=/dev/zero of="$DREG/ns-$u" bs=1M count=$MIB conv=notrunc,fsync status=none || return 1
		[ $n != dns1 ] || DNS1_FILE=$DREG/ns-$u
	done
	[ "$QEMU_EXTRA" = 0 ] || "$PMEMCTL" create-namespace --file "$DREG" -s ${QEMU_MIB}M -n dvm >/dev/null
}
# dir_served: how dns1 of the region directory is served, as pmemctl list -v
# says while it is open (its "backing": passthrough, direct or buffered),
# with the daemon's word on FUSE passthrough (DIR_BACKING, DIR_FUSE_PT)
DIR_BACKING= DIR_FUSE_PT=
dir_served() {
	local fd
	exec {fd}<>"$DNS1"
	DIR_BACKING=$("$PMEMCTL" list -v --mount "$DMNT" 2>/dev/null |
		jq -r --arg p "$DNS1" '.[] | select(.path == $p) | .backing // empty' 2>/dev/null) || true
	exec {fd}>&-
	DIR_FUSE_PT=$(sed -n 's/^pmemfs: FUSE passthrough: \(.*\)/\1/p' "$DIR_LOG" | head -n 1)
	DIR_SERVED="region directory, $([ "$DIR_MOUNT" = own ] && echo "a daemon of its own" ||
		echo "region1 of the region file's daemon") (${PMEMFS_OPTS:-default options}); dns1 served: ${DIR_BACKING:-unknown} (pmemctl list -v: backing, dns1 open); the mount's FUSE passthrough: ${DIR_FUSE_PT%%:*}"
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
# the same namespaces in a region directory: each its own preallocated
# file, written once here as the region file's data area above
HAVE_DIR=0 SHARED=()
if [ "$NEED_DIR" = 1 ]; then
	if dir_setup "$((2 * MIB + 66 + QEMU_EXTRA))M" 2>"$WORK/dir-setup.err"; then
		HAVE_DIR=1
		[ "$DIR_MOUNT" = own ] || SHARED=("$DREG")
	else
		DIR_WHY="the region directory could not be made: $(tail -n 1 "$WORK/dir-setup.err")"
		DIR_SERVED="none: $DIR_WHY"
	fi
fi

# shellcheck disable=SC2086 # PMEMFS_OPTS: words on purpose
"$PMEMFS" -f $PMEMFS_OPTS "$REGION" "${SHARED[@]}" "$MNT" >>"$WORK/pmemfs.log" 2>&1 &
PMEMFS_PID=$!
PIDS+=("$PMEMFS_PID")
mount_wait "$MNT" "$PMEMFS_PID" "$WORK/pmemfs.log"
[ -f "$NS1" ] && [ -f "$NS2" ] || die "namespace files missing under '$MNT/region0'"
DIR_PID=$PMEMFS_PID DIR_LOG=$WORK/pmemfs.log
if [ "$HAVE_DIR" = 1 ] && [ "$DIR_MOUNT" = own ]; then
	DIR_LOG=$WORK/pmemfs-dir.log
	# shellcheck disable=SC2086 # PMEMFS_OPTS: words on purpose
	"$PMEMFS" -f $PMEMFS_OPTS "$DREG" "$DMNT" >>"$DIR_LOG" 2>&1 &
	DIR_PID=$!
	PIDS+=("$DIR_PID")
	mount_wait "$DMNT" "$DIR_PID" "$DIR_LOG"
fi
if [ "$HAVE_DIR" = 1 ]; then
	[ -f "$DNS1" ] && [ -f "$DNS2" ] || die "namespace files missing under '$DMNT/$DRN'"
	dir_served
fi
if [ -n "$PT" ]; then
	"$PT" -f -o source="$DATA" -o writeback -o cache=always "$PTMNT" >>"$WORK/pt.log" 2>&1 &
	PT_PID=$!
	PIDS+=("$PT_PID")
	mount_wait "$PTMNT" "$PT_PID" "$WORK/pt.log"
fi
print_header

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
SIDES="plain pmemfs dir pt"
file_of() {
	case $1 in
	plain) echo "$PLAIN" ;;
	pmemfs) echo "$NS1" ;;
	dir) [ "$HAVE_DIR" = 1 ] && echo "$DNS1" || echo - ;;
	pt) [ -n "$PT" ] && echo "$PTFILE" || echo - ;;
	esac
}
# order of the columns in repetition R: rotated, so drift hits all alike
order() {
	case $(($1 % 4)) in
	0) echo plain pmemfs dir pt ;; 1) echo pmemfs dir pt plain ;;
	2) echo dir pt plain pmemfs ;; *) echo pt plain pmemfs dir ;;
	esac
}
cpu_s() { awk -v t="$(median <<<"$1")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'; }

# throughput_row ID LABEL UNIT OP TARGET DIR_TARGET FN ARGS...: FN FILE
# ARGS... prints one figure; DIR_TARGET: the dir column's (issue 19's)
throughput_row() {
	local id=$1 label=$2 unit=$3 op=$4 tg=$5 dtg=$6 fn=$7 r s f v c0 pid cpu= dcpu=
	shift 7
	declare -A acc=([plain]= [pmemfs]= [dir]= [pt]=)
	for ((r = 0; r < REPS; r++)); do
		for s in $(order $r); do
			f=$(file_of $s)
			[ "$f" != - ] || continue
			pid=$([ $s = dir ] && echo "$DIR_PID" || echo "$PMEMFS_PID")
			drop_caches
			c0=$(cpu_ticks "$pid")
			v=$($fn "$f" "$@")
			acc[$s]+=" $v"
			[ "$s" != pmemfs ] || cpu+=" $(($(cpu_ticks "$pid") - c0))"
			[ "$s" != dir ] || dcpu+=" $(($(cpu_ticks "$pid") - c0))"
		done
	done
	echo "bench: $id done at $(date +%T), load $(loadavg)" >&2
	local pl pm pt dv
	pl=$(median <<<"${acc[plain]}")
	pm=$(median <<<"${acc[pmemfs]}")
	dv=$(median <<<"${acc[dir]}")
	pt=$(median <<<"${acc[pt]}")
	row "$id" "$label" "$unit" "$pl" "$pm" "$pt" "$(ratio "$pm" "$pl")" "$op" "$tg" \
		"${PT:+passthrough_ll/plain $(fmt "$(ratio "$pt" "$pl")"); }pmemfs daemon CPU $(cpu_s "$cpu") s per run${dcpu:+, dir $(cpu_s "$dcpu") s}" \
		"$(samples_json plain "${acc[plain]}" pmemfs "${acc[pmemfs]}" dir "${acc[dir]}" passthrough_ll "${acc[pt]}")" \
		"$dv" "$(ratio "$dv" "$pl")" "$op" "$dtg"
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

want seqwrite && throughput_row seqwrite "seq 1 MiB psync writes + fsync, cold, $MIB MiB" MiB/s ge 0.9 0.95 w_seq
want randwrite && throughput_row randwrite "4 KiB random psync writes + fsync, warm" IOPS "" "" "" w_randwrite
want randread && throughput_row randread "4 KiB random psync reads, warm" IOPS ge 0.95 0.95 w_randread
want mmapseq && throughput_row mmapseq "seq writes via mmap + msync, warm, $MIB MiB" MiB/s ge 0.95 0.95 w_mmapseq
want mmaprand && throughput_row mmaprand "4 KiB random writes via mmap + msync, warm, $MIB MiB" MiB/s ge 0.95 0.95 w_mmaprand

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
		# the sides in turn, each first once (the same rotation as the
		# throughput rows); "own": dir's dns1 as the file in the region
		# directory, without FUSE, idle only: the spread the file
		# system itself shows between two files
		case $((r % 3)) in
		0) sides="plain pmemfs dir own" ;; 1) sides="pmemfs dir own plain" ;;
		*) sides="dir own plain pmemfs" ;;
		esac
		for s in $sides; do
			if [ $s = own ]; then
				[ "$HAVE_DIR" = 1 ] && want msync || continue
				drop_caches
				read -r a b <<<"$(lat_pair "$DNS1_FILE")"
				L[own.idle50]+=" $a" L[own.idle99]+=" $b"
				continue
			fi
			f=$(file_of $s)
			[ "$f" != - ] || continue
			case $s in plain) other=$PLAIN2 ;; pmemfs) other=$NS2 ;; dir) other=$DNS2 ;; esac
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
		pmemfs_p50 "${L[pmemfs.idle50]}" pmemfs_p99 "${L[pmemfs.idle99]}" \
		dir_p50 "${L[dir.idle50]:-}" dir_p99 "${L[dir.idle99]:-}" \
		dir_file_p50 "${L[own.idle50]:-}" dir_file_p99 "${L[own.idle99]:-}")
	if want msync; then
		note=
		[ -z "${L[own.idle50]:-}" ] ||
			note="dir's namespace file itself, in the region directory, without FUSE: p50 $(fmt "$(med own.idle50)") us ($(fmt "$(ratio "$(med own.idle50)" "$(med plain.idle50)")") of plain), p99 $(fmt "$(med own.idle99)") us ($(fmt "$(ratio "$(med own.idle99)" "$(med plain.idle99)")"))"
		row msync_p50 "msync(MS_SYNC) of one dirty 4 KiB page, p50" us \
			"$(med plain.idle50)" "$(med pmemfs.idle50)" "" \
			"$(ratio "$(med pmemfs.idle50)" "$(med plain.idle50)")" le 1.2 "$note" "$sj" \
			"$(med dir.idle50)" "$(ratio "$(med dir.idle50)" "$(med plain.idle50)")" le 1.1
		row msync_p99 "msync(MS_SYNC) of one dirty 4 KiB page, p99" us \
			"$(med plain.idle99)" "$(med pmemfs.idle99)" "" \
			"$(ratio "$(med pmemfs.idle99)" "$(med plain.idle99)")" le 1.5 "" "$sj" \
			"$(med dir.idle99)" "$(ratio "$(med dir.idle99)" "$(med plain.idle99)")" le 1.3
	fi
	# the next rows' ratios are each column's against its own idle figure
	if want iso; then
		note="ratio: pmemfs with $MIB MiB dirty in ns2 / pmemfs idle (dir/pl: dir's / dir idle); plain's own: $(fmt "$(ratio "$(med plain.iso50)" "$(med plain.idle50)")") (p50); Dirty before: plain $(med plain.dirty_kb) kB, pmemfs $(med pmemfs.dirty_kb) kB, dir $(med dir.dirty_kb) kB"
		sj=$(samples_json plain_p50 "${L[plain.iso50]}" plain_p99 "${L[plain.iso99]}" \
			pmemfs_p50 "${L[pmemfs.iso50]}" pmemfs_p99 "${L[pmemfs.iso99]}" \
			dir_p50 "${L[dir.iso50]:-}" dir_p99 "${L[dir.iso99]:-}" \
			dirty_kb_plain "${L[plain.dirty_kb]}" dirty_kb_pmemfs "${L[pmemfs.dirty_kb]}" \
			dirty_kb_dir "${L[dir.dirty_kb]:-}")
		row iso_p50 "the same, other namespace $MIB MiB dirty, p50" us \
			"$(med plain.iso50)" "$(med pmemfs.iso50)" "" \
			"$(ratio "$(med pmemfs.iso50)" "$(med pmemfs.idle50)")" le 1.5 "$note" "$sj" \
			"$(med dir.iso50)" "$(ratio "$(med dir.iso50)" "$(med dir.idle50)")" le 1.5
		row iso_p99 "the same, other namespace $MIB MiB dirty, p99" us \
			"$(med plain.iso99)" "$(med pmemfs.iso99)" "" \
			"$(ratio "$(med pmemfs.iso99)" "$(med pmemfs.idle99)")" le 1.5 \
			"ratio: vs pmemfs idle p99 (dir/pl: vs dir idle); plain's own: $(fmt "$(ratio "$(med plain.iso99)" "$(med plain.idle99)")")" "$sj" \
			"$(med dir.iso99)" "$(ratio "$(med dir.iso99)" "$(med dir.idle99)")" le 1.5
	fi
	if want isowriter; then
		sj=$(samples_json plain_p50 "${L[plain.wr50]}" plain_p99 "${L[plain.wr99]}" \
			pmemfs_p50 "${L[pmemfs.wr50]}" pmemfs_p99 "${L[pmemfs.wr99]}" \
			dir_p50 "${L[dir.wr50]:-}" dir_p99 "${L[dir.wr99]:-}")
		row isowriter_p50 "(info) the same, other ns writing + fsyncing, p50" us \
			"$(med plain.wr50)" "$(med pmemfs.wr50)" "" \
			"$(ratio "$(med pmemfs.wr50)" "$(med pmemfs.idle50)")" "" "" \
			"ratio: vs pmemfs idle (dir/pl: vs dir idle); plain's own: $(fmt "$(ratio "$(med plain.wr50)" "$(med plain.idle50)")")" "$sj" \
			"$(med dir.wr50)" "$(ratio "$(med dir.wr50)" "$(med dir.idle50)")" "" ""
		row isowriter_p99 "(info) the same, other ns writing + fsyncing, p99" us \
			"$(med plain.wr99)" "$(med pmemfs.wr99)" "" \
			"$(ratio "$(med pmemfs.wr99)" "$(med pmemfs.idle99)")" "" "" \
			"ratio: vs pmemfs idle (dir/pl: vs dir idle); plain's own: $(fmt "$(ratio "$(med plain.wr99)" "$(med plain.idle99)")")" "$sj" \
			"$(med dir.wr99)" "$(ratio "$(med dir.wr99)" "$(med dir.idle99)")" "" ""
	fi
fi
. "$SRC/bench/rows_guest.sh"

# --- page cache after writing MIB through the file and fsync: the file's
# resident pages (mincore), for pmemfs plus the region file's own; for
# dir the namespace file's own pages plus its backing file's (cachestat:
# a passthrough mapping's pages are the backing file's, mincore would
# count them twice)
if want pagecache; then
	pc_pl= pc_pm= pc_delta= pc_dir= pc_ddelta=
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
		[ "$HAVE_DIR" = 1 ] || continue
		drop_caches
		c0=$(meminfo_kb Cached)
		"$PMBENCH" seqwrite "$DNS1" $MIB >/dev/null
		c1=$(meminfo_kb Cached)
		a=$("$PMBENCH" cached "$DNS1")
		b=$("$PMBENCH" cached "$DNS1_FILE")
		pc_dir+=" $(((a + b) / 1048576))"
		pc_ddelta+=" $(((c1 - c0) / 1024))"
	done
	pl=$(median <<<"$pc_pl")
	pm=$(median <<<"$pc_pm")
	dv=$(median <<<"$pc_dir")
	lim=$(awk -v m=$MIB 'BEGIN { printf "%.0f", m * 1.1 }')
	row pagecache "page cache after writing $MIB MiB + fsync" MiB "$pl" "$pm" "" \
		"$pm" le "$lim" \
		"ratio column: pmemfs MiB (target <= 1.1 x $MIB MiB); namespace + region file pages (mincore); /proc/meminfo Cached grew $(median <<<"$pc_delta") MiB${pc_dir:+; dir/pl column: dir MiB, pages of the namespace and of its file in the directory (cachestat), Cached grew $(median <<<"$pc_ddelta") MiB}" \
		"$(samples_json plain "$pc_pl" pmemfs "$pc_pm" meminfo_cached_delta "$pc_delta" dir "$pc_dir" meminfo_cached_delta_dir "$pc_ddelta")" \
		"$dv" "$dv" le "$lim"
fi

if want coldread; then
	if [ "$CAN_DROP" = 1 ]; then
		throughput_row coldread "cold seq read via mmap, $MIB MiB" MiB/s ge 0.7 0.9 w_coldread
	else
		na_row coldread "cold seq read via mmap, $MIB MiB" MiB/s "needs root to drop caches"
	fi
fi

# --- through the running daemon: needs the control socket
HAVE_CTL=0
"$PMEMCTL" create-namespace --help 2>&1 | grep -q -- '--mount' && HAVE_CTL=1
# the control-path and label rows (cd, cddir, startup, cdmany, lsaopen, list, rss)
. "$SRC/bench/rows_ctl.sh"
# crash states (states)
. "$SRC/bench/rows_states.sh"
# crash-test's restore (restore)
. "$SRC/bench/rows_restore.sh"

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
		QDIR=-
		if [ "$HAVE_DIR" = 1 ]; then
			QDIR=$DMNT/$DRN/dvm
			[ -f "$QDIR" ] || die "namespace file '$QDIR' missing"
			dd if=/dev/zero of="$QDIR" bs=1M count=$QEMU_MIB conv=notrunc,fsync status=none
		fi
		# qstats FIELD [MOUNT NAME]: the namespace's stats field
		qstats() { "$PMEMCTL" stats --mount "${2:-$MNT}" "${3:-vm}" 2>/dev/null | jq -r ".[0].$1 // empty" 2>/dev/null; }
		# qemu_side FILE: the guest's MiB/s, or fail (the reason in $WORK/qemu.err)
		qemu_side() {
			PMEMFS_SOURCE_ROOT=$SRC PMEMFS_BUILD_ROOT=$BUILD PMEMFS=$PMEMFS PMEMCTL=$PMEMCTL \
				PMEMFS_E2E_CACHE=$qcache bash "$SRC/bench/qemu_guest.sh" "$1" $QEMU_MIB 2>>"$WORK/qemu.err"
		}
		declare -A Q=([plain]= [pmemfs]= [dir]=)
		qfs= qdfs= qerr=
		for ((r = 0; r < REPS; r++)); do
			[ -z "$qerr" ] || break
			case $((r % 3)) in
			0) qorder="plain pmemfs dir" ;; 1) qorder="pmemfs dir plain" ;; *) qorder="dir plain pmemfs" ;;
			esac
			for s in $qorder; do
				case $s in plain) f=$QPLAIN ;; pmemfs) f=$QNS ;; dir) f=$QDIR ;; esac
				[ "$f" != - ] || continue
				[ $s != pmemfs ] || f0=$(qstats fsyncs)
				[ $s != dir ] || f0=$(qstats fsyncs "$DMNT" dvm)
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
				if [ $s = dir ] && [ "$HAVE_CTL" = 1 ]; then
					f1=$(qstats fsyncs "$DMNT" dvm)
					qdfs+=" $((${f1:-0} - ${f0:-0}))"
				fi
			done
		done
		echo "bench: qemu done at $(date +%T), load $(loadavg)" >&2
		if [ -n "$qerr" ]; then
			na_row qemu "$qlabel" MiB/s "$qerr"
		else
			pl=$(median <<<"${Q[plain]}")
			pm=$(median <<<"${Q[pmemfs]}")
			dv=$(median <<<"${Q[dir]}")
			note="timed in the guest (/proc/uptime, 10 ms): dd bs=1M conv=fsync of /dev/pmem0; median of $REPS boot(s) per side"
			[ -z "$qfs" ] || note+="; daemon FSYNCs per pmemfs guest:$qfs"
			[ -z "$qdfs" ] || note+=", per dir guest:$qdfs"
			row qemu "$qlabel" MiB/s "$pl" "$pm" "" "$(ratio "$pm" "$pl")" ge 0.9 "$note" \
				"$(samples_json plain "${Q[plain]}" pmemfs "${Q[pmemfs]}" dir "${Q[dir]}")" \
				"$dv" "$(ratio "$dv" "$pl")" ge 0.95
		fi
		rm -f "$QPLAIN"
	else
		na_row qemu "$qlabel" MiB/s "$why"
	fi
fi

[ -z "$PT" ] || unmount "$PTMNT" "$PT_PID"
[ "$HAVE_DIR" = 0 ] || [ "$DIR_MOUNT" = shared ] || unmount "$DMNT" "$DIR_PID"
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
	--argjson need_dir "$NEED_DIR" --argjson have_dir "$HAVE_DIR" --arg dmount "$DIR_MOUNT" \
	--arg dserved "$DIR_SERVED" --arg dbacking "$DIR_BACKING" --arg dfusept "$DIR_FUSE_PT" \
	--arg dwhy "$DIR_WHY" \
	'{machine: {date: $date, kernel: $kernel, cores: $cores, cpu: $cpu, mem_kb: $mem_kb,
	   libfuse: $libfuse, fio: $fio, pmemfs_commit: $commit, fs: $fs, dir: $dir,
	   loadavg_start: $load_start, loadavg_end: $load_end},
	  run: {quick: ($quick == 1), reps: $reps, file_mib: $mib, caches_dropped: ($can_drop == 1),
	   pmemfs_options: (if $popts == "" then "defaults" else $popts end), pmemfs_receive: $receive, passthrough_ll: $pt,
	   dir_column: (if $need_dir == 0 then null else {layout: "dir",
	    mount: (if $dmount == "own" then "a daemon of its own" else "region1 of the region file'"'"'s mount" end),
	    served: $dserved, backing: (if $dbacking == "" then null else $dbacking end),
	    fuse_passthrough: (if $dfusept == "" then null else $dfusept end),
	    na: (if $have_dir == 1 then null else $dwhy end)} end)},
	  rows: $rows}' >"$JSON"
echo
echo "machine: $(nproc) cores, Linux $(uname -r), libfuse $(pkg-config --modversion fuse3 2>/dev/null), pmemfs $commit; load $LOAD_START -> $(loadavg)"
echo "pmemfs receiving with $(sed -n 's/^pmemfs: receiving with \(.*\)/\1/p' "$WORK/pmemfs.log" | head -n 1)"
[ "$NEED_DIR" = 0 ] || echo "dir column: $DIR_SERVED"
echo "json: $JSON"
