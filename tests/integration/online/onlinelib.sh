# SPDX-License-Identifier: MIT
# Helpers for the online tests: sourced by every test in this directory,
# on top of the mount helpers of tests/integration/fs (fslib.sh: $MNT,
# region_create, pmemfs_start/stop, nsio).
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

OLC=$PMEMFS_BUILD_ROOT/tests/integration/online/olclient
[ -x "$OLC" ] || fail "olclient not built at $OLC"
SOCK=

# pc ARGS...: pmemctl against this test's mount
# (PMEMFS_LAYOUT=dir: a region directory's namespaces are always
# preallocated, so create-namespace's --sparse is dropped)
pc() {
	if [ "$LAYOUT" = dir ] && [ "${1:-}" = create-namespace ]; then
		local a
		for a in "$@"; do shift; [ "$a" = --sparse ] || set -- "$@" "$a"; done
	fi
	"$PMEMCTL" "$@" --mount "$MNT"
}

# mount_dev: major:minor of the mount at $MNT
mount_dev() {
	awk -v m="$MNT" '$5 == m { d = $3 } END { print d }' /proc/self/mountinfo
}

# detach_other_mounts: in the test's own mount namespace (the caller has
# re-executed itself under unshare -m), lazily unmount every other pmemfs
# mount, so that pmemctl without --mount finds only this test's
detach_other_mounts() {
	awk '$0 ~ / - fuse\.pmemfs / { print $5 }' /proc/self/mountinfo | while read -r m; do
		umount -l "$(printf '%b' "$m")" 2>/dev/null || true
	done
	if grep -q ' - fuse\.pmemfs ' /proc/self/mountinfo; then
		skip "cannot detach other pmemfs mounts"
	fi
}

# online_start [ARGS...] REGION...: mount, then wait until the control
# socket answers; sets $SOCK (the default path unless -o ctl= was given)
online_start() {
	pmemfs_start "$@"
	SOCK=/run/pmemfs/$(mount_dev).sock
	local a
	for a in "$@"; do
		case "$a" in ctl=*) SOCK=${a#ctl=} ;; esac
	done
	local i
	for ((i = 0; i < 250; i++)); do
		"$PMEMCTL" list --socket "$SOCK" -R >/dev/null 2>&1 && return 0
		sleep 0.02
	done
	fail "control socket '$SOCK' does not answer after 5 s"
}

# region_dpa NAME: the namespace's dpa, online
ns_field() { # NAME FIELD
	pc list -i | jq -r --arg n "$1" ".[] | select(.name == \$n) | .$2"
}

# wait_until SECONDS CMD...: retry CMD every 50 ms
wait_until() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" 2>/dev/null; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# timed ARGS...: run pc ARGS; set rc (its exit code), ms (wall time) and
# out (its stdout; stderr in $T/timed.err)
timed() {
	local t0
	t0=$(now_ms)
	rc=0
	out=$(pc "$@" 2>"$T/timed.err") || rc=$?
	ms=$(($(now_ms) - t0))
}

# many_ns_region N SIZE: region $R (256 MiB, a 2 MiB v1.1 label area) on
# a tmpfs of SIZE at $T/tmpfs (root, else the test skips), with N
# namespaces ns0 .. ns<N-1> of 64 KiB made offline (on tmpfs, a thousand
# label commits need no disk flushes; on a region directory, whose
# namespace files are preallocated, SIZE must hold them)
many_ns_region() {
	local i
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
	tmpfs_at "$T/tmpfs" "$2"
	R=$T/tmpfs/r.img
	"$PMEMCTL" create-region --layout "$LAYOUT" --size 256M --label-size 2M -V 1.1 "$R" >/dev/null ||
		fail "create-region failed"
	for ((i = 0; i < $1; i++)); do
		"$PMEMCTL" create-namespace --file "$R" -s 64K -a 4K -n "ns$i" $SPARSE \
			>/dev/null 2>"$T/create.err" || fail "offline create ns$i: $(cat "$T/create.err")"
	done
}

# region_health [REGION]: "shutdown_count shutdown_state" of region0's
# health, offline (pmemctl list -R -H --file REGION), or from the daemon
# of $MNT without REGION
region_health() {
	if [ $# -gt 0 ]; then
		"$PMEMCTL" list -R -H --file "$1"
	else
		pc list -R -H
	fi | jq -r '.[0].health | "\(.shutdown_count) \(.shutdown_state)"'
}
