#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 16.3: one region's trouble is that region's error, never a signal.
# The daemon serves a region on a troubled backing file (region0) and a
# healthy one (region1); after each trouble, region0's label commands fail
# with a clear error, the daemon lives, and region1 keeps creating,
# writing and flushing. pmemctl --file on the same broken file does not
# die of SIGBUS either. Troubles (each on a small loop file system):
#   btrfs full       destroy-namespace (copy-on-write needs new blocks for
#                    the label area: a store through a mapping was SIGBUS)
#   shrunk file      another process truncates region0 (the lock is only
#                    advisory): create-namespace names the file and both
#                    sizes; a namespace whose data lay past the new end
#                    reads EIO, one below it keeps working
#   xfs shutdown     the backing fs fails all I/O: rename-namespace
. "$(dirname "$0")/onlinelib.sh"
. "$PMEMFS_SOURCE_ROOT/tests/integration/loopfs.sh"

H=$T/healthy.img

# run_cmd that also tells whether CMD died of a signal: sets $rc, $out,
# $err, $sig (0 or the signal number; pmemctl's exit codes reach 255, so
# 128 + N says nothing)
run_sig() {
	local r a
	if [ "$1" = pc ]; then
		shift
		set -- "$PMEMCTL" "$@" --mount "$MNT"
	fi
	if [ "$LAYOUT" = dir ]; then
		# as pc does: a region directory's namespaces are preallocated
		for a in "$@"; do shift; [ "$a" = --sparse ] || set -- "$@" "$a"; done
	fi
	set +e
	r=$(perl -e 'open(my $o, ">&=3") or die; system @ARGV;
		printf $o "%d %d", $? & 127, $? >> 8' -- "$@" 3>&1 >"$T/.out" 2>"$T/.err")
	set -e
	sig=${r% *} rc=${r#* }
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
	[ "$sig" = 0 ] || fail "'$*' died of signal $sig: $err"
}

# alive WHAT: the daemon still runs and the mount answers
alive() {
	local st=0
	if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
		wait "$DAEMON_PID" || st=$?
		DAEMON_PID=
		fail "$1: the daemon died (exit $st)"
	fi
	mounted || fail "$1: the mount is gone"
}

# healthy_works TAG SEED: region1 keeps serving: a new namespace, data
# written and flushed through it, its old namespace still writable
healthy_works() {
	expect_exit 0 pc create-namespace -r region1 -s 2M -n "h$1" --sparse
	"$NSIO" write "$MNT/region1/h$1" 0 1048576 "$2" fsync ||
		fail "$1: region1's new namespace cannot be written"
	"$NSIO" write "$MNT/region1/keep" 0 65536 "$2" fsync ||
		fail "$1: region1's namespace cannot be written"
	"$NSIO" verify "$MNT/region1/keep" 0 65536 "$2" ||
		fail "$1: region1's namespace reads back wrong"
}

start_pair() { # REGION0_FILE
	rm -rf "$H"
	region_create "$H" 32M
	ns_create "$H" 4M keep --sparse >/dev/null
	online_start "$1" "$H"
}

stop_pair() {
	fusermount3 -u -z "$MNT" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}

# ---- btrfs full: destroy-namespace ----
case_btrfs() {
	local B=$T/btrfs
	loopfs_mount btrfs 256M "$B"
	local R=$B/r.img
	region_create "$R" 64M
	ns_create "$R" 8M a >/dev/null
	ns_create "$R" 8M b --sparse >/dev/null
	start_pair "$R"
	loopfs_fill "$B"
	run_sig pc destroy-namespace -f -r region0 a
	alive "btrfs full, destroy-namespace"
	[ "$rc" != 0 ] || fail "btrfs full: destroy-namespace succeeded without space"
	assert_contains "$err" "No space left on device" "btrfs full: destroy error"
	run_cmd pc rename-namespace -r region0 a a2
	[ "$rc" != 0 ] || fail "btrfs full: rename-namespace succeeded without space"
	alive "btrfs full, rename-namespace"
	run_sig pc move-region -r region0 --nvdimm-slot 1
	[ "$rc" != 0 ] || fail "btrfs full: move-region succeeded without space"
	alive "btrfs full, move-region"
	expect_exit 0 pc list -R -r region0
	assert_eq 0 "$(json_get "$out" '.[0].nvdimm_slot')" "btrfs full: a failed move leaves slot 0"
	run_cmd pc create-namespace -r region0 -s 2M -n c --sparse
	[ "$rc" != 0 ] || fail "btrfs full: create-namespace succeeded without space"
	alive "btrfs full, create-namespace"
	healthy_works btrfs 11
	# the failed commands changed nothing: both namespaces still listed
	expect_exit 0 pc list -r region0
	assert_eq "a b" "$(json_get "$out" '[.[].name] | sort | join(" ")')" "btrfs full: namespaces"
	# with space again the same command works
	rm -f "$B/filler" "$B/filler2"
	sync -f "$B"
	expect_exit 0 pc destroy-namespace -f -r region0 a
	alive "btrfs, space back"
	stop_pair
	# offline on the full file system: an error, not SIGBUS
	loopfs_fill "$B"
	run_sig "$PMEMCTL" destroy-namespace --file "$R" b
	[ "$rc" != 0 ] || fail "btrfs full: offline destroy succeeded without space"
	assert_contains "$err" "No space left on device" "btrfs full: offline destroy error"
	umount "$B"
}

# ---- shrunk region file: create-namespace, reads past the new end ----
case_shrunk() {
	local R=$T/shrunk.img RF HF=
	region_create "$R" 64M
	ns_create "$R" 16M low >/dev/null
	ns_create "$R" 16M high >/dev/null	# dpa 16M: [16M, 32M)
	start_pair "$R"
	RF=$R
	if [ -d "$R" ]; then
		RF=$R/region HF=$R/ns-$(ns_field high uuid)
	fi
	"$NSIO" write "$MNT/region0/low" 0 1048576 21 fsync || fail "shrunk: first write"
	# pages of high logged for a power failure while the file was whole
	pc power-fail -r region0 high --enable >/dev/null || fail "shrunk: power-fail --enable"
	"$NSIO" write "$MNT/region0/high" $((12 << 20)) 65536 24 none ||
		fail "shrunk: a write before the truncation"
	if [ -d "$R" ]; then
		# a region directory: its region file loses the label area, and
		# high's own file its last 8 MiB (high's offset 8M onwards, as
		# in a region file cut at 24M)
		truncate -s 24M "$RF"
		truncate -s 8M "$HF"
	else
		truncate -s 24M "$R"
	fi
	# the power failure cannot put them back past the new end: it fails,
	# and does not grow the file back over a hole
	run_sig pc power-fail -r region0 high
	alive "shrunk, power-fail"
	[ "$rc" != 0 ] || fail "shrunk: a power failure reverting past the new end succeeded"
	assert_contains "$err" "truncated behind pmemfs" "shrunk: power-fail names the truncation"
	[ "$(stat -c %s "$RF")" = $((24 << 20)) ] ||
		fail "shrunk: the power failure grew the truncated file back to $(stat -c %s "$RF")"
	run_sig pc create-namespace -r region0 -s 2M -n c --sparse
	alive "shrunk, create-namespace"
	[ "$rc" != 0 ] || fail "shrunk: create-namespace succeeded on a truncated region"
	assert_contains "$err" "$R" "shrunk: the message names the region file"
	assert_contains "$err" "is 24 MiB" "shrunk: the message gives the new size"
	assert_contains "$err" "the 64 MiB" "shrunk: the message gives the old size"
	alive "shrunk, create-namespace"
	run_cmd pc rename-namespace -r region0 low low2
	[ "$rc" != 0 ] || fail "shrunk: rename-namespace succeeded on a truncated region"
	alive "shrunk, rename-namespace"
	run_sig pc move-region -r region0 --nvdimm-slot 1
	[ "$rc" != 0 ] || fail "shrunk: move-region succeeded on a truncated region"
	assert_contains "$err" "$R" "shrunk: move-region names the region file"
	alive "shrunk, move-region"
	# data past the new end (high at 12M = file offset 28M) is gone: EIO
	run_cmd "$NSIO" verify "$MNT/region0/high" $((12 << 20)) 4096 0
	assert_contains "$err" "EIO" "shrunk: read past the new end"
	run_cmd "$NSIO" write "$MNT/region0/high" $((12 << 20)) 4096 22 fsync
	assert_contains "$err" "EIO" "shrunk: write past the new end"
	# zeroing or discarding it cannot be done either (fallocate said 0)
	run_cmd "$NSIO" fallocate "$MNT/region0/high" zero $((12 << 20)) 4096
	assert_contains "$err" "EIO" "shrunk: zero range past the new end"
	run_cmd "$NSIO" fallocate "$MNT/region0/high" punch $((12 << 20)) 4096
	assert_contains "$err" "EIO" "shrunk: punch hole past the new end"
	[ "$(stat -c %s "$RF")" = $((24 << 20)) ] ||
		fail "shrunk: a write grew the truncated file back to $(stat -c %s "$RF")"
	[ -z "$HF" ] || [ "$(stat -c %s "$HF")" = $((8 << 20)) ] ||
		fail "shrunk: a write grew high's truncated file back to $(stat -c %s "$HF")"
	# data below it is still served
	"$NSIO" verify "$MNT/region0/low" 0 1048576 21 || fail "shrunk: low reads back wrong"
	"$NSIO" write "$MNT/region0/low" 0 65536 23 fsync || fail "shrunk: low cannot be written"
	alive "shrunk, data"
	healthy_works shrunk 12
	stop_pair
	# offline: a clear error, not a signal
	run_sig "$PMEMCTL" create-namespace --file "$R" -s 2M -n c --sparse --label-size 128K
	[ "$rc" != 0 ] || fail "shrunk: offline create succeeded"
}

# ---- xfs shutdown: rename-namespace ----
case_xfs() {
	command -v xfs_io >/dev/null || skip "xfs_io not installed (xfsprogs)"
	local X=$T/xfs
	loopfs_mount xfs 300M "$X"
	local R=$X/r.img
	region_create "$R" 64M
	ns_create "$R" 8M a >/dev/null
	start_pair "$R"
	"$NSIO" write "$MNT/region0/a" 0 65536 31 fsync || fail "xfs: first write"
	xfs_io -x -c shutdown "$X" || fail "xfs_io shutdown failed"
	run_sig pc rename-namespace -r region0 a a2
	alive "xfs shutdown, rename-namespace"
	[ "$rc" != 0 ] || fail "xfs shutdown: rename-namespace succeeded"
	alive "xfs shutdown, rename-namespace"
	local cmd
	for cmd in "destroy-namespace -f -r region0 a" "create-namespace -r region0 -s 2M -n c --sparse" \
		"disable-namespace -r region0 a" "init-labels -r region0 --force" "zero-labels -r region0" \
		"move-region -r region0 --nvdimm-slot 1"; do
		# shellcheck disable=SC2086
		run_sig pc $cmd
		alive "xfs shutdown, $cmd"
	done
	run_cmd "$NSIO" write "$MNT/region0/a" 0 65536 32 fsync
	[ "$rc" != 0 ] || fail "xfs shutdown: a write and fsync to the dead fs succeeded"
	healthy_works xfs 13
	stop_pair
	run_sig "$PMEMCTL" list --file "$R"
	run_sig "$PMEMCTL" rename-namespace --file "$R" a a2
	[ "$rc" != 0 ] || fail "xfs shutdown: offline rename succeeded"
}

# RT_CASES: run some of them (the old code dies at the first)
for c in ${RT_CASES:-btrfs shrunk xfs}; do
	"case_$c"
done
echo "PASS: $TEST_NAME"
