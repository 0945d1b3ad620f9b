#!/bin/bash
# SPDX-License-Identifier: MIT
# The bench's smoke test: `run.sh --quick` runs to the end and prints
# every row (a figure or "n/a: why"), and its JSON has the machine facts
# and the same rows; every row with a plain and a pmemfs figure has a dir
# column (a figure or why not), and the run says how the region directory
# was served; `--dir-mount shared` (one daemon, both layouts) runs too.
# It checks that the bench runs, not the speed.
#   smoke.sh bench/run.sh   (PMEMFS_BUILD_ROOT: the build directory)
set -u
RUN=$1
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse on this machine"; exit 77; }
command -v fusermount3 >/dev/null || { echo "SKIP: fusermount3 not installed"; exit 77; }
command -v fio >/dev/null || { echo "SKIP: fio not installed"; exit 77; }
T=$(mktemp -d /tmp/pmemfs-bench-smoke.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: bench smoke: $*" >&2; exit 1; }

rc=0
bash "$RUN" --quick --no-build --build-dir "$PMEMFS_BUILD_ROOT" --json "$T/out.json" \
	>"$T/stdout" 2>"$T/stderr" || rc=$?
cat "$T/stdout"
[ "$rc" = 0 ] || fail "run.sh --quick exited $rc: $(tail -n 5 "$T/stderr")"

# every row of the issue's table, in the order printed
labels=(
	"seq 1 MiB psync writes + fsync"
	"4 KiB random psync writes + fsync, warm"
	"4 KiB random psync reads, warm"
	"seq writes via mmap + msync"
	"4 KiB random writes via mmap + msync"
	"msync(MS_SYNC) of one dirty 4 KiB page, p50"
	"msync(MS_SYNC) of one dirty 4 KiB page, p99"
	"the same, other namespace 64 MiB dirty, p50"
	"the same, other namespace 64 MiB dirty, p99"
	"(info) the same, other ns writing + fsyncing, p50"
	"(info) the same, other ns writing + fsyncing, p99"
	"(info) store via mmap + fsync(fd), 64 MiB cached, p50"
	"(info) store via mmap + fsync(fd), 64 MiB cached, p99"
	"(info) stat(2) of the file, p50"
	"page cache after writing 64 MiB + fsync"
	"cold seq read via mmap"
	"create + destroy through the daemon, p50"
	"create + destroy through the daemon, p99"
	"(info) the same over one control connection, p50"
	"(info) the same over one control connection, p99"
	"region directory: create + destroy through the daemon, p50"
	"region directory: create + destroy through the daemon, p99"
	"(info) the same over one control connection, dir, p50"
	"pmemctl list --mount, a process (start-up included)"
	"the same over one connection, 10000 ns in the region, p50"
	"the same while list+stats poll every 200 ms, p50"
	"open a 64 MiB v1.1 label area"
	"pmemctl list --mount, 500 namespaces"
	"(info) pmemctl list --file, 500 namespaces"
	"QEMU TCG guest: 64 MiB written + flushed, virtio-pmem"
	"daemon RssAnon, 64 GiB sparse region, 500 ns"
	"crash states checked per second, 1 dirty page"
	"crash states checked per second, 4 dirty pages"
	"crash states checked per second, 16 dirty pages"
	"crash states checked per second, 64 dirty pages"
	"crash-test restore per run, 4 MiB namespace"
	"crash points per second, crash_demo append 16, 4 MiB namespace"
	"crash-test restore per run, 64 MiB namespace"
	"crash points per second, crash_demo append 16, 64 MiB namespace"
)
for l in "${labels[@]}"; do
	line=$(grep -F -- "$l" "$T/stdout" | head -n 1)
	[ -n "$line" ] || fail "row '$l' missing"
	case "$line" in
	*"n/a: "?*) ;;
	*[0-9]*) ;;
	*) fail "row '$l' has neither a figure nor a reason: $line" ;;
	esac
done
# a measured row shows a number in its pmemfs column
for l in "seq 1 MiB psync" "msync(MS_SYNC) of one dirty 4 KiB page, p50" "daemon RssAnon"; do
	grep -F -- "$l" "$T/stdout" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) n++ } END { exit !(n >= 1) }' ||
		fail "row '$l' shows no figure"
done

j=$T/out.json
jq -e . "$j" >/dev/null || fail "the JSON does not parse"
for k in cores kernel libfuse pmemfs_commit loadavg_start; do
	v=$(jq -r ".machine.$k // empty" "$j")
	[ -n "$v" ] || fail "the JSON has no machine.$k"
done
n=$(jq '.rows | length' "$j")
[ "$n" = "${#labels[@]}" ] || fail "the JSON has $n rows, expected ${#labels[@]}"
bad=$(jq -r '.rows[] | select(.na == null and .pmemfs == null and .dir == null) | .id' "$j")
[ -z "$bad" ] || fail "rows without a pmemfs or dir figure or a reason: $bad"

# the dir column: every row comparing pmemfs with plain has it, and how
# the region directory was served is in the JSON and above the table
bad=$(jq -r '.rows[] | select(.plain != null and .pmemfs != null and
	(has("dir") | not)) | .id' "$j")
[ -z "$bad" ] || fail "rows with plain and pmemfs figures but no dir column: $bad"
bad=$(jq -r '.rows[] | select(has("dir") and .dir == null and .dir_na == null and
	.dir_ratio == null) | .id' "$j")
[ -z "$bad" ] || fail "rows with an empty dir column and no reason: $bad"
backing=$(jq -r '.run.dir_column.backing // empty' "$j")
[ -n "$backing" ] || fail "the JSON does not say how the dir namespace was served: $(jq -c .run.dir_column "$j")"
grep -q "^dir column: .*served: $backing" "$T/stdout" ||
	fail "the table's header does not say how the dir namespace was served"
for id in seqwrite msync_p50 cddir_p50; do
	jq -e --arg id "$id" '.rows[] | select(.id == $id) | .dir | numbers' "$j" >/dev/null ||
		fail "row $id shows no figure in the dir column"
done

# one daemon serving both layouts: the dir namespace is region1 of the
# region file's mount, and the rows run there too
rc=0
bash "$RUN" --quick --no-build --build-dir "$PMEMFS_BUILD_ROOT" --json "$T/shared.json" \
	--rows mmapseq,msync,cddir --dir-mount shared >"$T/stdout2" 2>"$T/stderr2" || rc=$?
cat "$T/stdout2"
[ "$rc" = 0 ] || fail "run.sh --dir-mount shared exited $rc: $(tail -n 5 "$T/stderr2")"
j=$T/shared.json
jq -e '.run.dir_column.mount | test("region1")' "$j" >/dev/null ||
	fail "--dir-mount shared: the JSON does not say the mount is shared: $(jq -c .run.dir_column "$j")"
for id in mmapseq msync_p50 cddir_p50; do
	jq -e --arg id "$id" '.rows[] | select(.id == $id) | .dir | numbers' "$j" >/dev/null ||
		fail "--dir-mount shared: row $id shows no figure in the dir column"
done
jq -e '.rows[] | select(.id == "mmapseq") | .pmemfs | numbers' "$j" >/dev/null ||
	fail "--dir-mount shared: row mmapseq shows no pmemfs figure"
echo "bench smoke: ${#labels[@]} rows printed, the dir column in its own mount and shared"
