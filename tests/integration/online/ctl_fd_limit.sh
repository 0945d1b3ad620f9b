#!/bin/bash
# SPDX-License-Identifier: MIT
# The control plane survives the open-file limit (issue 16 items 5, 14):
# - under `ulimit -n 64` (soft and hard: the daemon cannot raise it) list
#   and stats answer: poll(2) refuses more entries than RLIMIT_NOFILE, and
#   the server polled a slot per possible client (3 + 64), so its thread
#   ended at its first poll and every pmemctl waited 30 s for nothing;
# - with eight regions under ulimit -n 64 the regions and the receive
#   threads' pipes take every descriptor: list and stats still answer;
# - a daemon out of descriptors (its limit lowered under it, then more
#   clients than it can accept) does not spin on the listening socket,
#   and once the clients left, list and stats answer again.
. "$(dirname "$0")/onlinelib.sh"

command -v prlimit >/dev/null || skip "prlimit not installed (util-linux)"
R=$T/r.img
region_create "$R" 64M
for n in a b c; do
	"$PMEMCTL" create-namespace --file "$R" -s 4M -n $n >/dev/null
done
region_create "$T/r2.img" 32M
"$PMEMCTL" create-namespace --file "$T/r2.img" -s 4M -n d >/dev/null

# ulimit -n 64, two regions, four namespaces
(ulimit -n 64 && exec "$PMEMFS" -f "$R" "$T/r2.img" "$MNT" >>"$T/daemon.log" 2>&1) &
DAEMON_PID=$!
wait_until 5 mounted || fail "no mount under ulimit -n 64"
SOCK=/run/pmemfs/$(mount_dev).sock
wait_until 5 test -S "$SOCK" || fail "no control socket under ulimit -n 64"
run_cmd timeout 10 "$PMEMCTL" list --socket "$SOCK"
[ "$rc" = 0 ] || fail "list under ulimit -n 64 exited $rc: $err"
assert_eq 4 "$(json_get "$out" length)" "namespaces listed under ulimit -n 64"
run_cmd timeout 10 "$PMEMCTL" stats --socket "$SOCK"
[ "$rc" = 0 ] || fail "stats under ulimit -n 64 exited $rc: $err"
"$NSIO" write "$MNT/region1/d" 0 65536 3 fsync || fail "I/O under ulimit -n 64"
pmemfs_stop

# ulimit -n 64 and eight regions: the regions' descriptors and the
# receive threads' pipes take every descriptor, and the control socket
# must still answer (it keeps a spare for a connection)
rs=()
for ((i = 0; i < 8; i++)); do
	region_create "$T/m$i.img" 16M
	"$PMEMCTL" create-namespace --file "$T/m$i.img" -s 2M -n a >/dev/null
	"$PMEMCTL" create-namespace --file "$T/m$i.img" -s 2M -n b >/dev/null
	rs+=("$T/m$i.img")
done
(ulimit -n 64 && exec "$PMEMFS" -f "${rs[@]}" "$MNT" >>"$T/daemon.log" 2>&1) &
DAEMON_PID=$!
wait_until 5 mounted || fail "no mount of 8 regions under ulimit -n 64"
SOCK=/run/pmemfs/$(mount_dev).sock
wait_until 5 test -S "$SOCK" || fail "no control socket with 8 regions"
for ((i = 0; i < 8; i++)); do
	"$NSIO" write "$MNT/region$i/b" 0 65536 5 fsync || fail "I/O to region$i under ulimit -n 64"
done
for i in 1 2 3; do
	run_cmd timeout 10 "$PMEMCTL" list --socket "$SOCK"
	[ "$rc" = 0 ] || fail "list $i with 8 regions under ulimit -n 64 exited $rc: $err"
	assert_eq 16 "$(json_get "$out" length)" "namespaces listed with 8 regions"
done
run_cmd timeout 10 "$PMEMCTL" stats --socket "$SOCK"
[ "$rc" = 0 ] || fail "stats with 8 regions under ulimit -n 64 exited $rc: $err"
pmemfs_stop

# out of descriptors: the limit lowered under the running daemon
online_start "$R"
nfd=$(ls /proc/"$DAEMON_PID"/fd | wc -l)
prlimit --pid "$DAEMON_PID" --nofile=$((nfd + 3)):$((nfd + 3)) ||
	skip "prlimit cannot lower the daemon's limit"
python3 - "$SOCK" "$T/holding" <<'PY' &
import socket, sys, time
conns = []
for i in range(40):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    conns.append(s)
open(sys.argv[2], "w").close()
time.sleep(3)
PY
HOLDER=$!
wait_until 10 test -e "$T/holding" || fail "the holder did not connect"
cpu() { awk '{print $14 + $15}' /proc/"$DAEMON_PID"/stat; }
t0=$(cpu)
sleep 2
t1=$(cpu)
hz=$(getconf CLK_TCK)
[ $((t1 - t0)) -lt "$hz" ] ||
	fail "the daemon used $(((t1 - t0) * 1000 / hz)) ms of CPU in 2 s out of descriptors (spinning)"
wait "$HOLDER" || fail "the holder failed"
run_cmd timeout 10 "$PMEMCTL" list --socket "$SOCK"
[ "$rc" = 0 ] || fail "list after running out of descriptors exited $rc: $err"
run_cmd timeout 10 "$PMEMCTL" stats --socket "$SOCK"
[ "$rc" = 0 ] || fail "stats after running out of descriptors exited $rc: $err"
grep -q "out of descriptors" "$T/daemon.log" || fail "running out of descriptors was not logged"
kill -0 "$DAEMON_PID" || fail "the daemon died"
pmemfs_stop
echo "ok: the control socket answers at the open-file limit"
