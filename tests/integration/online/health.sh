#!/bin/bash
# SPDX-License-Identifier: MIT
# A region's health (pmemctl list -R -H, ndctl's DIMM shape): shutdown_count
# + 1 for every power failure (manual and armed at an FSYNC) and for an
# end of the daemon without a clean unmount (SIGKILL: found at the next
# mount); shutdown_state "dirty" from then until a clean end (unmount,
# SIGTERM) makes it "clean"; kept across remounts; offline (--file) the
# same as online. The file beside the region (REGION.health, a region
# directory's DIR/region.health) is never followed through a link nor
# read from a FIFO or another user's file; a corrupt one makes the count
# "unknown" with a message naming the file and the line; the daemon
# serves on in every case.
. "$(dirname "$0")/onlinelib.sh"

R=$T/r.img
region_create "$R" 64M
H=$(region_file "$R").health

# health FIELD [--file]: a field of region0's health, online or offline
health() {
	if [ "${2:-}" = --file ]; then
		"$PMEMCTL" list -R -H --file "$R" | jq -r ".[0].health.$1"
	else
		pc list -R -H | jq -r ".[0].health.$1"
	fi
}
# expect_health COUNT STATE WHAT [--file]
expect_health() {
	assert_eq "ok $1 $2" "$(health health_state ${4:-}) $(health shutdown_count ${4:-}) $(health shutdown_state ${4:-})" "$3"
}

# a new region: no file, count 0, clean
expect_health 0 clean "a new region, offline" --file
[ ! -e "$H" ] || fail "pmemctl list created '$H'"

online_start "$R"
expect_health 0 clean "a new region, online"
grep -q '^mounted pid=' "$H" || fail "no mounted mark in '$H': $(cat "$H")"
j=$(pc create-namespace -s 4M -n a --crash-test) || fail "create-namespace"
F=$(json_get "$j" .path)

# a manual power failure: + 1, dirty
"$NSIO_BIN" fill "$F" 0 4096 7 || fail "write"
expect_exit 0 pc power-fail a
expect_health 1 dirty "after power-fail"
grep -q "region0: power failure of namespace0.0: dirty shutdown, shutdown_count 1" "$T/daemon.log" ||
	fail "power failure not logged: $(tail -3 "$T/daemon.log")"

# armed at the next FSYNC: its caller is killed, the revert counts once
expect_exit 0 pc power-fail a --at-fsync 1
"$NSIO_BIN" fill "$F" 0 4096 8 || fail "write"
run_cmd "$NSIO_BIN" fsync "$F"
assert_eq 137 "$rc" "the fsync's caller (SIGKILL)"
for ((i = 0; i < 500; i++)); do
	[ "$(health shutdown_count)" = 2 ] && break
	sleep 0.01
done
expect_health 2 dirty "after the armed crash"

# offline while served: the same as the daemon's
assert_eq "$(pc list -R -H | jq -c '.[0].health')" \
	"$("$PMEMCTL" list -R -H --file "$R" | jq -c '.[0].health')" "offline = online (served)"

# a clean unmount: clean, the count kept, the mark gone
pmemfs_stop
expect_health 2 clean "after the unmount, offline" --file
! grep -q '^mounted' "$H" || fail "mark left after a clean end: $(cat "$H")"
online_start "$R"
expect_health 2 clean "remounted"
assert_eq "$(pc list -R -H | jq -c '.[0].health')" \
	"$("$PMEMCTL" list -R -H --file "$R" | jq -c '.[0].health')" "offline = online (remounted)"

# SIGKILL: found at the next mount (offline says so before it)
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT"
expect_health 3 dirty "after kill -9, offline" --file
online_start "$R"
expect_health 3 dirty "the mount after kill -9"
grep -q "region0: the daemon that served it before (pid [0-9]*) ended without a clean shutdown" \
	"$T/daemon.log" || fail "unclean end not logged: $(tail -3 "$T/daemon.log")"

# SIGTERM is a clean end
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "pmemfs exited $? after SIGTERM"
DAEMON_PID=
expect_health 3 clean "after SIGTERM" --file
online_start "$R"
expect_health 3 clean "the mount after SIGTERM"
pmemfs_stop

# a daemon that forks into the background: the mark names it, not the
# parent that exited; its unmount is a clean end
"$PMEMFS" "$R" "$MNT" || fail "pmemfs in the background failed"
pid=$(sed -n 's/^mounted pid=\([0-9]*\) .*/\1/p' "$H")
DAEMON_PID=$pid
assert_eq pmemfs "$(cat "/proc/$pid/comm" 2>/dev/null)" "the mark's pid (background daemon)"
fusermount3 -u "$MNT" || fail "unmount of the background daemon"
for ((i = 0; i < 500; i++)); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.01
done
DAEMON_PID=
expect_health 3 clean "after the background daemon's unmount" --file

# a corrupt file: the count unknown, said with the file and the line
printf 'shutdown_count 5\nshutdown_state sideways\n' >"$H"
run_cmd "$PMEMCTL" list -R -H --file "$R"
assert_eq 0 "$rc" "offline list with a corrupt health file"
assert_contains "$(cat "$T/.err")" "health file '$H' line 2" "offline: the file and line named"
assert_eq "unknown null null" "$(jq -r '.[0].health | "\(.health_state) \(.shutdown_count) \(.shutdown_state)"' "$T/.out")" "offline: corrupt"
online_start "$R"
grep -q "its shutdown count is unknown: health file '$H' line 2" "$T/daemon.log" ||
	fail "corrupt file not logged: $(tail -3 "$T/daemon.log")"
run_cmd "$PMEMCTL" list -R -H --mount "$MNT"
assert_contains "$(cat "$T/.err")" "the shutdown count is unknown: health file '$H' line 2" "online: the reason"
assert_eq "unknown null" "$(jq -r '.[0].health | "\(.health_state) \(.shutdown_count)"' "$T/.out")" "online: corrupt"
# it stays unknown (never restarts at 0 as if known) until removed
expect_exit 0 pc power-fail a --enable
expect_exit 0 pc power-fail a
assert_eq "unknown null dirty" "$(pc list -R -H | jq -r '.[0].health | "\(.health_state) \(.shutdown_count) \(.shutdown_state)"')" "unknown + a power failure"
pmemfs_stop
grep -q '^shutdown_count unknown$' "$H" || fail "unknown not kept: $(cat "$H")"
rm "$H"

# a symbolic link, planted: not followed, its target untouched
printf 'shutdown_count 41\nshutdown_state clean\n' >"$T/target"
ln -s "$T/target" "$H"
online_start "$R"
grep -q "health file '$H' is a symbolic link: not followed" "$T/daemon.log" ||
	fail "link not refused: $(tail -3 "$T/daemon.log")"
assert_eq unknown "$(health health_state)" "through a link"
expect_exit 0 pc power-fail a --enable
expect_exit 0 pc power-fail a
pmemfs_stop
assert_eq "$(printf 'shutdown_count 41\nshutdown_state clean')" "$(cat "$T/target")" "the link's target"
[ -f "$H" ] && [ ! -L "$H" ] || fail "the link was not replaced by the daemon's own file"
rm "$H"

# a FIFO: never opened for reading (the mount would hang), refused
mkfifo "$H"
online_start "$R"
grep -q "health file '$H' is not a regular file" "$T/daemon.log" ||
	fail "FIFO not refused: $(tail -3 "$T/daemon.log")"
assert_eq unknown "$(health health_state)" "a FIFO"
pmemfs_stop
rm -f "$H"

# another user's file (planted in a directory it may write)
if [ "$(id -u)" = 0 ]; then
	printf 'shutdown_count 0\nshutdown_state clean\n' >"$H"
	chown 65534:65534 "$H"
	online_start "$R"
	grep -q "health file '$H' is owned by uid 65534" "$T/daemon.log" ||
		fail "another user's file not refused: $(tail -3 "$T/daemon.log")"
	assert_eq unknown "$(health health_state)" "another user's file"
	pmemfs_stop
	rm -f "$H"
else
	echo "note: not root: another user's file not tried" >&2
fi

# a save that fails (the directory immutable, where chattr works: file
# layout, whose directory holds nothing else of the daemon's) fails
# neither the mount, nor a power failure, nor the unmount: logged
# (the region-directory run leaves it to the file layout's: its directory
# is the namespaces' own)
if [ "$LAYOUT" != file ]; then
	:
elif mkdir "$T/imm" && region_create "$T/imm/r.img" 16M &&
	"$PMEMCTL" create-namespace --file "$T/imm/r.img" -s 4M -n b >/dev/null &&
	chattr +i "$T/imm" 2>/dev/null; then
	at_exit chattr -i "$T/imm"
	online_start "$T/imm/r.img"
	grep -q "region0: cannot record the mount in its health file: .*(an unclean end of this daemon will not be counted)" \
		"$T/daemon.log" || fail "failed save at mount not logged: $(tail -3 "$T/daemon.log")"
	expect_exit 0 pc power-fail b --enable
	expect_exit 0 pc power-fail b
	grep -q "region0: cannot record a power failure in its health file" "$T/daemon.log" ||
		fail "failed save at a power failure not logged: $(tail -3 "$T/daemon.log")"
	assert_eq "ok 1 dirty" "$(pc list -R -H | jq -r '.[0].health | "\(.health_state) \(.shutdown_count) \(.shutdown_state)"')" "counted in memory"
	pmemfs_stop
	[ ! -e "$T/imm/r.img.health" ] || fail "a health file in an immutable directory"
	chattr -i "$T/imm"
else
	echo "note: no immutable directory here: failed saves not tried" >&2
fi

# removed by hand: counting from 0 again
online_start "$R"
expect_health 0 clean "after the file was removed"
pmemfs_stop

# a region created again at the path is a new medium: the health file left
# there is removed, saying so (a region directory's is inside it: gone
# with it)
if [ "$LAYOUT" = file ]; then
	printf 'shutdown_count 5\nshutdown_state dirty\n' >"$H"
	rm "$R"
	expect_exit 0 "$PMEMCTL" create-region --size 64M "$R"
	assert_contains "$err" "removed '$H': the health of an earlier region at this path" "create-region over an old health file"
	[ ! -e "$H" ] || fail "the earlier region's health file is left"
	expect_health 0 clean "a region created again" --file
fi
