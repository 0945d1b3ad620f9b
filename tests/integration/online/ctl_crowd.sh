#!/bin/bash
# SPDX-License-Identifier: MIT
# Silent connections do not lock others out of the control socket (issue
# 16 item 14: a client that opens 1000 connections must not stall list or
# stats of others). The server has 64 connection slots and closed every
# newcomer while they were taken, so one process holding 200 connections
# it never uses made every pmemctl fail for 60 s (the idle timeout). A
# newcomer now takes the slot of the connection silent the longest, once
# it has been silent for a second, with nothing in flight.
. "$(dirname "$0")/onlinelib.sh"

R=$T/r.img
region_create "$R" 32M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
online_start "$R"
python3 - "$SOCK" "$T/holding" <<'PY' &
import socket, sys, time
conns = []
for i in range(1000):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect(sys.argv[1])
    except OSError:
        continue
    conns.append(s)
open(sys.argv[2], "w").close()
time.sleep(20)
PY
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null || true"
wait_until 20 test -e "$T/holding" || fail "the holder did not connect"
sleep 1.5
for i in 1 2 3; do
	run_cmd timeout 10 "$PMEMCTL" list --socket "$SOCK"
	[ "$rc" = 0 ] || fail "list $i while 1000 silent connections were opened exited $rc: $err"
	run_cmd timeout 10 "$PMEMCTL" stats --socket "$SOCK"
	[ "$rc" = 0 ] || fail "stats $i while 1000 silent connections were opened exited $rc: $err"
	sleep 1.1
done
kill "$HOLDER" 2>/dev/null || true
wait "$HOLDER" 2>/dev/null || true
pmemfs_stop
echo "ok: silent connections do not lock others out"
