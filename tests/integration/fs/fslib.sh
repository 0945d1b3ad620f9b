# SPDX-License-Identifier: MIT
# Helpers for the pmemfs mount tests: sourced after lib.sh by every test
# in this directory. One temporary mount per test at $MNT, unmounted (and
# the daemon killed) in an at_exit hook even when the test fails.
. "$PMEMFS_TESTLIB"
need_fuse
set -e

NSIO=$PMEMFS_BUILD_ROOT/tests/integration/fs/nsio
# the binary itself, for files on the mount on either layout (another user
# runs it: the source tree, where nsio_dir.sh is, may be private to root)
NSIO_BIN=$NSIO
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
		# gone before $T is removed: a daemon ending writes its
		# region's health file beside the region
		wait "$DAEMON_PID" 2>/dev/null || true
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

# exit_text STATUS: a daemon's wait status in words, for a failure
# message: "exit status N", or the signal that ended it; for SIGKILL, the
# OOM killer's lines in dmesg since this test started (a SIGKILL that no
# one in the test sent comes from the OOM killer or another process; by
# time, not pid: in a pid namespace dmesg shows other numbers)
FS_T0=$(cut -d' ' -f1 /proc/uptime)
exit_text() {
	local st=$1 sig oom
	if [ "$st" -le 128 ]; then
		echo "exit status $st"
		return 0
	fi
	sig=SIG$(kill -l $((st - 128)) 2>/dev/null) || sig="signal $((st - 128))"
	if [ "$sig" = SIGKILL ]; then
		if oom=$(dmesg 2>/dev/null); then
			oom=$(printf '%s\n' "$oom" | awk -v t0="$FS_T0" '/Killed process/ {
				t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t)
				if (t + 0 >= t0) print }' | tail -n 3 | tr '\n' ';')
			sig="$sig (OOM kills since the test started: ${oom:-none, so another process sent it})"
		else
			sig="$sig (dmesg not readable: the OOM killer not checked)"
		fi
	fi
	echo "killed by $sig"
}

# fuse_view: the kernel's view of $MNT for a failure message: its line in
# /proc/self/mountinfo (any file system type), and for a FUSE mount its
# connection's requests waiting (fusectl)
fuse_view() {
	local line dev c
	line=$(grep " $MNT " /proc/self/mountinfo | tail -n 1)
	if [ -z "$line" ]; then
		echo "nothing mounted on $MNT"
		return 0
	fi
	dev=$(echo "$line" | awk '{ print $3 }')
	c=/sys/fs/fuse/connections/${dev#*:}
	echo "mountinfo: $line"
	[ -r "$c/waiting" ] && echo "fusectl ${dev#*:}: $(cat "$c/waiting") request(s) waiting"
	return 0
}

# pmemfs_start [ARGS...] REGION...: foreground daemon at $MNT, waits for it
pmemfs_start() {
	# started = mounted and the start-up summary printed: -f mounts first,
	# makes the control socket, then (after INIT, the OPENDIR barrier and
	# the bdi settings: startup.c) prints the summary. Not sooner: a kill
	# -9 or a pmemctl right after the mount appeared raced with the socket,
	# and an unmount right after "serving" with the barrier's child, whose
	# open of the root kept the mount busy (fusermount3 -u: EBUSY, seen in
	# kill9_early's last stop on a loaded machine)
	local i n0
	n0=$(grep -c '^pmemfs: start-up summary: ' "$T/daemon.log" 2>/dev/null) || n0=0
	"$PMEMFS" -f "$@" "$MNT" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for ((i = 0; i < 500; i++)); do
		mounted && [ "$(grep -c '^pmemfs: start-up summary: ' "$T/daemon.log")" -gt "$n0" ] &&
			return 0
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			local st=0
			wait "$DAEMON_PID" || st=$?
			fail "pmemfs exited before mounting ($(exit_text "$st"); $(fuse_view)): $(cat "$T/daemon.log")"
		fi
		sleep 0.02
	done
	fail "pmemfs did not start on $MNT in 10 s ($(fuse_view)): $(cat "$T/daemon.log")"
}

# mount_users: what keeps $MNT busy, for a failure message: processes with
# a descriptor, directory or mapping on it, and those waiting for a FUSE
# request's answer (a path walk into the mount holds it without a
# descriptor)
mount_users() {
	local p
	{
		find /proc/[0-9]*/fd /proc/[0-9]*/cwd /proc/[0-9]*/root -maxdepth 1 \
			\( -lname "$MNT" -o -lname "$MNT/*" \) 2>/dev/null
		grep -l -F " $MNT" /proc/[0-9]*/maps 2>/dev/null
		grep -l -E "request_wait_answer|fuse_simple_request" /proc/[0-9]*/wchan 2>/dev/null
	} | awk -F/ '{ print $3 }' | sort -un | while read -r p; do
		# (this mount namespace's: a private mount is not another's)
		[ "$(readlink "/proc/$p/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ] || continue
		echo "pid $p ($(cat "/proc/$p/comm" 2>/dev/null), parent $(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null), in $(cat "/proc/$p/wchan" 2>/dev/null));"
	done
	return 0
}

# pmemfs_stop: fusermount3 -u and wait; the daemon must exit 0
pmemfs_stop() {
	fusermount3 -u "$MNT" || fail "fusermount3 -u $MNT failed (using it: $(mount_users))"
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

# tmpfs_at DIR SIZE [fail]: a tmpfs of SIZE mounted at DIR (made;
# unmounted at exit); where it cannot be mounted the test skips (77), or
# with "fail" fails
tmpfs_at() {
	mkdir -p "$1"
	mount -t tmpfs -o size="$2" tmpfs "$1" || "${3:-skip}" "cannot mount tmpfs"
	at_exit "umount -l '$1' 2>/dev/null || true"
}

# ext4_on_small_tmpfs: an asynchronous write-back failure on demand. ext4
# (no journal, 4 KiB blocks) on a loop device whose sparse 256 MiB image
# lies on a 40 MiB tmpfs at $TM, mounted at $E (both unmounted at exit);
# skips (77), saying why, where the machine cannot. Blocks written before
# small_tmpfs_fill have their image pages; a buffered write to any other
# block fails at write-back once the tmpfs is full.
ext4_on_small_tmpfs() {
	[ "$(id -u)" = 0 ] || skip "a tmpfs and a loop device need root"
	command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 not installed"
	TM=$T/tm
	tmpfs_at "$TM" 40M
	truncate -s 256M "$TM/img"
	mkfs.ext4 -q -F -b 4096 -O ^has_journal -E lazy_itable_init=0,nodiscard "$TM/img" >/dev/null 2>&1 ||
		fail "mkfs.ext4 failed"
	E=$T/ext4
	mkdir -p "$E"
	mount -o loop "$TM/img" "$E" 2>/dev/null || skip "cannot loop-mount ext4 (no loop devices?)"
	at_exit "umount -l '$E' 2>/dev/null || true"
}

# small_tmpfs_fill: the tmpfs under ext4_on_small_tmpfs's image is full
small_tmpfs_fill() {
	dd if=/dev/zero of="$TM/filler" bs=64K status=none 2>/dev/null || true
	dd if=/dev/zero of="$TM/filler2" bs=4K status=none 2>/dev/null || true
}

# wb_fail_region [fail]: a sticky write-back failure on demand. Region $R
# (32 MiB) with two namespaces: "sparse" (16 MiB at $d1), whose blocks do
# not exist, so that a store to it fails its write-back, and "full" (2 MiB
# at $d2), whose blocks do; $TM, the tmpfs below, is full on return
# (rm -f "$TM/filler" "$TM/filler2" gives the space back). A region file
# lies on a 12 MiB tmpfs ("sparse" is --sparse); a region directory's
# namespaces are preallocated, never sparse: there it lies on ext4 over a
# full tmpfs (ext4_on_small_tmpfs), where a block not written before the
# tmpfs filled fails its write-back ("full" is written first). Skips (77)
# where the machine cannot; with "fail", root's tmpfs that cannot be
# mounted fails the test.
wb_fail_region() {
	if [ "$LAYOUT" = dir ]; then
		ext4_on_small_tmpfs
		R=$E/r.img
	else
		[ "$(id -u)" = 0 ] || skip "mounting a small tmpfs needs root"
		TM=$T/tmpfs
		tmpfs_at "$TM" 12M "${1:-skip}"
		R=$TM/r.img
	fi
	region_create "$R" 32M
	d1=$(ns_create "$R" 16M sparse --sparse)
	d2=$(ns_create "$R" 2M full)
	# the healthy namespace's blocks are there before the tmpfs fills
	[ "$LAYOUT" != dir ] || "$NSIO" fill "$R" "$d2" 2097152 0
	sync
	small_tmpfs_fill
}

# lsaedit REGION ARGS...: tests/reliability/lsaedit.py on REGION's label
# area (a region directory's labels are in DIR/region, in the same format)
lsaedit() {
	local f=$1
	shift
	[ -d "$f" ] && f=$f/region
	python3 "$PMEMFS_SOURCE_ROOT/tests/reliability/lsaedit.py" "$f" "$@"
}

# region_file REGION: the file that holds REGION's label area: REGION
# itself, or a region directory's DIR/region; its media-error sidecar is
# "$(region_file REGION).badblocks"
region_file() {
	if [ -d "$1" ]; then
		echo "$1/region"
	else
		echo "$1"
	fi
}

# region_bytes REGION OFF LEN: LEN bytes at OFF of REGION's data area, as
# read beside the daemon (a region directory's: from the file of the
# namespace whose range holds OFF, at OFF - dpa)
region_bytes() {
	local f=$1 off=$2 line
	if [ -d "$f" ]; then
		line=$("$PMEMCTL" list --file "$f" -N -i | jq -r --argjson o "$off" \
			'.[] | select(.dpa <= $o and $o < .dpa + .size) | "\(.uuid) \(.dpa)"' | head -n 1)
		[ -n "$line" ] || return 1
		off=$((off - ${line#* }))
		f=$f/ns-${line%% *}
	fi
	dd if="$f" bs=64K iflag=skip_bytes,count_bytes skip="$off" count="$3" status=none
}
