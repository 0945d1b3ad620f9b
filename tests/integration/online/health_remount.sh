#!/bin/bash
# SPDX-License-Identifier: MIT
# A mount right after an unmount never counts a false unclean shutdown:
# umount returns before FUSE tells the daemon, which then persists, writes
# the clean health mark and only then lets go of the region's lock. The
# old daemon is held stopped (SIGSTOP) past the unmount, as a loaded
# machine may leave it: the new daemon waits for it (its health mark
# names it, alive), mounts once it has ended, and the count stays 0,
# clean. Offline, the mark of a daemon still holding the lock is no
# unclean end either. A lock held by anything else (no live daemon named
# by the mark) fails at once, as before.
. "$(dirname "$0")/onlinelib.sh"

R=$T/r.img
region_create "$R" 64M

online_start "$R"
j=$(pc create-namespace -s 8M -n a) || fail "create-namespace"
"$NSIO_BIN" fill "$(json_get "$j" .path)" 0 4096 7 || fail "write"

for round in 1 2; do
	OLD=$DAEMON_PID
	kill -STOP "$OLD"
	fusermount3 -u "$MNT" || fail "fusermount3 -u (round $round)"
	# still holding the lock, the mark set: offline sees no unclean end
	assert_eq "0 clean" "$(region_health "$R")" "offline while the unmounted daemon is stopped"
	n0=$(grep -c 'a pmemfs daemon unmounted and still ending' "$T/daemon.log") || n0=0
	"$PMEMFS" -f "$R" "$MNT" >>"$T/daemon.log" 2>&1 &
	NEW=$!
	for ((i = 0; i < 500; i++)); do
		[ "$(grep -c 'a pmemfs daemon unmounted and still ending' "$T/daemon.log")" -gt "$n0" ] && break
		kill -0 "$NEW" 2>/dev/null || break
		sleep 0.01
	done
	kill -0 "$NEW" 2>/dev/null ||
		fail "the new daemon did not wait for the old one (round $round): $(tail -3 "$T/daemon.log")"
	grep -q "held by pid $OLD, a pmemfs daemon unmounted and still ending" "$T/daemon.log" ||
		fail "the wait does not name pid $OLD: $(tail -3 "$T/daemon.log")"
	kill -CONT "$OLD"
	rc=0
	wait "$OLD" || rc=$?
	assert_eq 0 "$rc" "the old daemon's exit (round $round)"
	for ((i = 0; i < 500; i++)); do
		mounted && "$PMEMCTL" list --mount "$MNT" -R >/dev/null 2>&1 && break
		kill -0 "$NEW" 2>/dev/null || fail "the new daemon exited: $(tail -3 "$T/daemon.log")"
		sleep 0.02
	done
	DAEMON_PID=$NEW
	assert_eq "0 clean" "$(region_health)" \
		"the remount (round $round): no unclean end counted"
	grep -q 'ended without a clean shutdown' "$T/daemon.log" && fail "a false unclean shutdown logged"
	grep -q "its last daemon ended after" "$T/daemon.log" || fail "the end of the wait not logged"
done

# a lock held by no live daemon named by the mark: refused at once
pmemfs_stop
assert_eq "0 clean" "$(region_health "$R")" "after a clean end"
LOCKED=$R
[ -d "$R" ] && LOCKED=$R/region	# a region directory's lock is on its region file
python3 -c '
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, 37, struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0))  # F_OFD_SETLK
print("locked", flush=True)
time.sleep(30)
' "$LOCKED" >"$T/locker.out" &
LOCKER=$!
at_exit "kill $LOCKER 2>/dev/null"
for ((i = 0; i < 500; i++)); do grep -q locked "$T/locker.out" && break; sleep 0.01; done
t0=$(date +%s%N)
run_cmd timeout 20 "$PMEMFS" -f "$R" "$MNT"
[ "$rc" != 0 ] || fail "mounted a region another process holds"
assert_contains "$err" "in use by another process" "the lock's message"
(( ($(date +%s%N) - t0) / 1000000 < 5000 )) || fail "waited for a lock no daemon holds"
kill "$LOCKER"
