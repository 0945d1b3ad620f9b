# SPDX-License-Identifier: MIT
# Helpers for the pmemfs mount tests: sourced after lib.sh by every test
# in this directory. One temporary mount per test at $MNT, unmounted (and
# the daemon killed) in an at_exit hook even when the test fails.
. "$PMEMFS_TESTLIB"
need_fuse
set -e

NSIO=$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio
# PMEMFS_LAYOUT=dir (the suites' second registration): every region the
# tests create is a region directory (create-region --layout dir) at the
# same path; nsio_dir.sh takes (region, dpa + off) to the namespace's file
# (SPARSE: create-namespace's --sparse, none there: always preallocated)
LAYOUT=${PMEMFS_LAYOUT:-file}
SPARSE=--sparse
if [ "$LAYOUT" = dir ]; then
	NSIO=$PMEMFS_SOURCE_ROOT/tests/integration/fs/nsio_dir.sh
	SPARSE=
fi
[ -x "$PMEMFS" ] || fail "pmemfs not built at $PMEMFS"
[ -x "$PMEMCTL" ] || fail "pmemctl not built at $PMEMCTL"
MNT=$T/mnt
mkdir -p "$MNT"
DAEMON_PID=
LABEL_SIZE=131072
GUARD=0xa5

fs_cleanup() {
	if grep -q " $MNT fuse.pmemfs " /proc/self/mountinfo 2>/dev/null ||
		grep -q " $MNT " /proc/self/mountinfo 2>/dev/null; then
		fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	fi
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -9 "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ -s "$T/daemon.log" ] && [ "${FS_SHOW_LOG:-1}" = 1 ]; then
		echo "--- daemon log" >&2
		tail -n 30 "$T/daemon.log" >&2
	fi
}
at_exit fs_cleanup

# region_create FILE SIZE: a new region; fills its data area with $GUARD
region_create() {
	"$PMEMCTL" create-region --layout "$LAYOUT" --size "$2" "$1" >/dev/null ||
		fail "create-region $1 failed"
}

# ns_create FILE SIZE NAME [OPTIONS...]: prints the namespace's dpa
ns_create() {
	local f=$1 s=$2 n=$3 j a
	shift 3
	if [ -d "$f" ]; then
		# a region directory's namespaces are always preallocated
		for a in "$@"; do shift; [ "$a" = --sparse ] || set -- "$@" "$a"; done
	fi
	j=$("$PMEMCTL" create-namespace --file "$f" -s "$s" -n "$n" "$@") ||
		fail "create-namespace $n failed"
	json_get "$j" .dpa
}

# guard_fill FILE: every byte of the data area becomes $GUARD
guard_fill() {
	local size
	if [ -d "$1" ]; then
		# its data area is never written; the namespace files get the guard
		local u s
		"$PMEMCTL" list --file "$1" -N -i | jq -r '.[] | "\(.uuid) \(.size)"' |
			while read -r u s; do
				"$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio" fill "$1/ns-$u" 0 "$s" $GUARD
			done
		return 0
	fi
	size=$(stat -c %s "$1")
	"$NSIO" fill "$1" 0 $((size - LABEL_SIZE)) $GUARD
}

# guard_check FILE OFF LEN: outside [OFF, OFF+LEN) the data area is $GUARD
guard_check() {
	local size end
	if [ -d "$1" ]; then
		# the region file's data area stays a hole: all zeroes
		size=$(stat -c %s "$1/region")
		"$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio" check-byte "$1/region" 0 \
			$((size - LABEL_SIZE)) 0 || fail "the region file's data area was written"
		return 0
	fi
	size=$(stat -c %s "$1")
	end=$(($2 + $3))
	"$NSIO" check-byte "$1" 0 "$2" $GUARD || fail "guard bytes before $2 changed"
	"$NSIO" check-byte "$1" "$end" $((size - LABEL_SIZE - end)) $GUARD ||
		fail "guard bytes after $end changed"
}

# mounted: the pmemfs mount at $MNT is up
mounted() {
	grep -q " $MNT [^ ]* [^-]*- fuse.pmemfs " /proc/self/mountinfo
}

# pmemfs_start [ARGS...] REGION...: foreground daemon at $MNT, waits for it
pmemfs_start() {
	# serving = mounted and the control socket made: -f mounts first, and
	# logs "serving" after the socket (a kill -9 or a pmemctl right after
	# the mount appeared raced with the socket on a loaded machine)
	local i n0
	n0=$(grep -c '^pmemfs: serving ' "$T/daemon.log" 2>/dev/null) || n0=0
	"$PMEMFS" -f "$@" "$MNT" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for ((i = 0; i < 250; i++)); do
		mounted && [ "$(grep -c '^pmemfs: serving ' "$T/daemon.log")" -gt "$n0" ] && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null ||
			fail "pmemfs exited before mounting: $(cat "$T/daemon.log")"
		sleep 0.02
	done
	fail "pmemfs did not mount $MNT in 5 s"
}

# pmemfs_stop: fusermount3 -u and wait; the daemon must exit 0
pmemfs_stop() {
	fusermount3 -u "$MNT" || fail "fusermount3 -u $MNT failed"
	local rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	[ "$rc" = 0 ] || fail "pmemfs exited $rc after unmount"
}

# ns_backing NAME: what serves namespace NAME of the mount at $MNT now
# (pmemctl list -v "backing": passthrough, direct or buffered)
ns_backing() {
	"$PMEMCTL" list -v --mount "$MNT" | jq -r --arg n "$1" '.[] | select(.name == $n) | .backing'
}

# pt_expect NAME: on a region directory, NAME (opened since the mount) must
# be served with FUSE passthrough when the daemon logged it on; true when
# it is. Where the kernel or privileges have none (Linux < 6.9, no
# CAP_SYS_ADMIN: the daemon logged why), false with a note, and the
# caller checks what the daemon path promises instead.
pt_expect() {
	local b
	b=$(ns_backing "$1")
	[ "$b" = passthrough ] && return 0
	if [ "$LAYOUT" = dir ] && grep -q '^pmemfs: FUSE passthrough: on' "$T/daemon.log"; then
		fail "$1: passthrough is on but list -v says backing '$b'"
	fi
	[ "$LAYOUT" != dir ] ||
		echo "note: $1 is not passed through here ($(grep -m1 '^pmemfs: FUSE passthrough:' "$T/daemon.log" || echo 'no passthrough line')): its passthrough assertions are skipped" >&2
	return 1
}

# cache_clean FILE OFF LEN [WHAT]: cachestat shows no dirty, no writeback
# pages after WHAT (default: the flush); skips the check, saying why, on
# kernels without cachestat
cache_clean() {
	local out rc=0 what=${4:-the flush}
	out=$("$NSIO" cachestat "$1" "$2" "$3") || rc=$?
	if [ "$rc" = 77 ]; then
		echo "note: cachestat(2) missing (Linux < 6.5): page-cache check skipped" >&2
		return 0
	fi
	[ "$rc" = 0 ] || fail "cachestat failed"
	case "$out" in
	*" dirty=0 writeback=0") ;;
	*) fail "region range $2+$3 not clean after $what: $out" ;;
	esac
}
