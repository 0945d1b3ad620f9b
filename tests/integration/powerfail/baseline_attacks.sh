#!/bin/bash
# SPDX-License-Identifier: MIT
# A namespace's baseline (crash-test's starting content, control command
# 18) under attack: the pmemctl that started it killed mid-test (released
# at the first change that would save a new page into it; the next
# crash-test starts its own), its namespace disabled and destroyed or its
# mount unmounted while it is held (the daemon goes on, exits 0), and the
# backing store failing a restore: ENOSPC (a sparse namespace on a full
# ext4) and EIO (xfs shut down): a clear error, the daemon alive, every
# later fsync failing (the error is sticky: the restore was not done).
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"
. "$PMEMFS_SOURCE_ROOT/tests/integration/loopfs.sh"

OLC=$PMEMFS_BUILD_ROOT/tests/integration/online/olclient
CMD_BASELINE=18 F_ENABLE=32 F_STATUS=128
ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }
# base NAME FLAGS: the command, its reply line in $bout
base() { bout=$("$OLC" nscall "$SOCK" $CMD_BASELINE "$1" "$2" 2>&1); }
alive() { pc list >/dev/null || fail "$1: the daemon does not answer"; }
# base_owned NAME: start a baseline from a process that stays ($owner; an
# owner that has exited gets its baseline released at its next new page)
base_owned() {
	OLCLIENT_STAY=1 "$OLC" nscall "$SOCK" $CMD_BASELINE "$1" $F_ENABLE >"$T/owner.out" 2>&1 &
	owner=$!
	wait_line "$T/owner.out" "^ok\|^error"
	bout=$(cat "$T/owner.out")
}
owner_end() { kill "$owner"; wait "$owner" 2>/dev/null || true; }

# ---- the crash-test that started it killed ----
pf_setup 4M a
"$NSIO" write "$F" 0 $((4 << 20)) 7 fsync || fail "fill"
# (pmemctl itself in the background, not a function's subshell)
"$PMEMCTL" crash-test --mount "$MNT" a --runs 100000 --seed 1 -- sh -c 'sleep 0.02; "$0" write "$1" 0 8192 3 fsync' "$NSIO" {} \
	--check true >"$T/ct1.out" 2>&1 &
ctpid=$!
wait_line "$T/daemon.log" "namespace0.0: baseline started"
wait_line "$T/daemon.log" "power failure: "
kill -9 "$ctpid"
wait "$ctpid" 2>/dev/null || true
sleep 0.2	# its last application (a group of its own) ends
# its baseline holds pages 0-1 (its runs' writes); rewriting them takes no
# new page: kept; a change of a page not in it releases it (logged once),
# and later writes do not grow it
base a $F_STATUS
bpages=$(sed -n 's/.*baseline_pages \([0-9]*\).*/\1/p' <<<"$bout")
[ -n "$bpages" ] && [ "$bpages" -ge 1 ] || fail "the killed crash-test's baseline: $bout"
"$NSIO" write "$F" 0 8192 5 fsync || fail "rewrite pages 0-1"
[ "$(grep -c 'its baseline (.*) released: the process that started it' "$T/daemon.log")" = 0 ] ||
	fail "released without a new page"
base a $F_STATUS
assert_contains "$bout" "baseline_pages $bpages" "pages already in it: the baseline unchanged"
"$NSIO" write "$F" $((1 << 20)) $((1 << 20)) 5 fsync || fail "write new pages"
wait_line "$T/daemon.log" "namespace0.0: its baseline ($bpages pages\?) released: the process that started it (a crash-test) has exited"
base a $F_STATUS
assert_contains "$bout" "baseline_pages 0" "the orphan baseline released"
"$NSIO" write "$F" $((2 << 20)) $((2 << 20)) 6 fsync || fail "write more pages"
base a $F_STATUS
assert_contains "$bout" "baseline_pages 0" "writes after the release: nothing kept"
[ "$(grep -c 'its baseline (.*) released: the process' "$T/daemon.log")" = 1 ] ||
	fail "the release not logged once: $(grep baseline "$T/daemon.log")"
expect_exit 0 ct a --runs 2 --seed 2 -- "$NSIO" write {} 0 8192 4 fsync --check true
assert_eq baseline "$(json_get "$out" .restore)" "after a killed crash-test: the baseline"

# ---- held while its namespace is disabled and destroyed ----
pc create-namespace -s 4M -n d >/dev/null || fail "create d"
base_owned d
assert_contains "$bout" "ok" "start on d"
"$NSIO" write "$MNT/region0/d" 0 65536 5 fsync || fail "write d"
expect_exit 0 pc disable-namespace d
expect_exit 0 pc destroy-namespace d
alive "d destroyed with its baseline held"
base d 0
assert_contains "$bout" "error" "restore of a destroyed namespace"
owner_end
# ---- held at unmount: the daemon exits 0 (pmemfs_stop checks it) ----
base_owned a
"$NSIO" write "$F" 0 65536 6 fsync || fail "write a"
base a $F_STATUS
assert_contains "$bout" "baseline_pages 16" "held at unmount (its owner alive)"
pmemfs_stop
owner_end

# ---- ENOSPC: a sparse namespace's pages punched, the fs filled, restored ----
E=$T/ext4
loopfs_mount ext4 64M "$E"
REGION=$E/r.img
region_create "$REGION" 40M
online_start "$REGION"
j=$(pc create-namespace -s 16M -n s --sparse) || fail "create s"
F=$(json_get "$j" .path)
base_owned s
assert_contains "$bout" "ok" "start on s"
"$NSIO" write "$F" 0 $((8 << 20)) 8 fsync || fail "write s"
"$NSIO" fallocate "$F" punch 0 $((8 << 20)) || fail "punch s"
"$NSIO" fsync "$F"
loopfs_fill "$E"
base s 0
if [[ $bout == ok* ]]; then
	echo "note: the restore of punched pages found room (the layout preallocates): ENOSPC not reached"
else
	assert_contains "$bout" "restoring its baseline failed: No space left on device" "ENOSPC said"
	alive "ENOSPC"
	run_cmd "$NSIO" fsync "$F"
	[ "$rc" != 0 ] || fail "ENOSPC: an fsync after a failed restore succeeded"
	# the final persist fails too: exit 1 after the unmount, not a crash
	rm -f "$E/filler" "$E/filler2"
	fusermount3 -u "$MNT" || fail "ENOSPC: unmount"
	st=0
	wait "$DAEMON_PID" || st=$?
	DAEMON_PID=
	assert_eq 1 "$st" "ENOSPC: the daemon's exit status (the error is sticky)"
fi
owner_end
[ -z "$DAEMON_PID" ] || pmemfs_stop

# ---- EIO: xfs shut down under a restore ----
command -v xfs_io >/dev/null || skip "xfs_io not installed (xfsprogs)"
X=$T/xfs
loopfs_mount xfs 300M "$X"
REGION=$X/r.img
region_create "$REGION" 64M
online_start "$REGION"
j=$(pc create-namespace -s 8M -n x) || fail "create x"
F=$(json_get "$j" .path)
"$NSIO" write "$F" 0 $((8 << 20)) 9 fsync || fail "fill x"
base_owned x
"$NSIO" write "$F" 0 65536 10 fsync || fail "write x"
xfs_io -x -c shutdown "$X" || fail "xfs_io shutdown failed"
base x 0
assert_contains "$bout" "error 5" "EIO from a dead backing fs"
assert_contains "$bout" "baseline" "the error names the baseline"
alive "xfs shutdown"
owner_end
