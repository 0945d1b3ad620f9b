#!/bin/bash
# SPDX-License-Identifier: MIT
# The control plane never stalls (issue 16 item 14): no request waits for
# another client's request.
#   - a destroy or enable refused because the namespace is busy still
#     waits (up to 1 s) for a RELEASE in flight, but while 3 destroys and
#     1 enable of a held namespace wait (disabled with -f, still open
#     through its old file: an enabled one is refused at once), `pmemctl
#     list` and `stats` of other clients answer at once (before any of the
#     four), 16 parallel lists all succeed, and the four waits run side by
#     side (about 1 s in all, not one after the other);
#   - a client that disconnects while its request waits: nothing is done
#     for it later, others go on;
#   - a client that sends half a request (and one byte) and stalls, never
#     reading its error reply, blocks nobody;
#   - a waiting destroy still succeeds as soon as the holder closes.
# Bounds: BOUND_MS (800) is for one pmemctl run, which takes a few ms
# here; today's code answers a list only after the first refused destroy
# has waited its whole second, and the four waits one after the other
# (>= 4 s), so the bounds test blocking, not speed. The order check ("list
# answered while all four still wait") does not depend on speed at all.
. "$(dirname "$0")/onlinelib.sh"

BOUND_MS=${BOUND_MS:-800}
CMD_DESTROY=4	# CTL_CMD_DESTROY_NS (src/ctl/proto.h)
CMD_ENABLE=5	# CTL_CMD_ENABLE_NS

R=$T/r.img
region_create "$R" 64M
online_start "$R"
pc create-namespace -s 4M -n victim >/dev/null
pc create-namespace -s 4M -n other >/dev/null

# holder: open and mapped, until "close" on its fifo
start_holder() {
	rm -f "$T/cmd"
	mkfifo "$T/cmd"
	"$OLC" stale "$MNT/region0/victim" <"$T/cmd" >"$T/stale.out" 2>"$T/stale.err" &
	hpid=$!
	exec 4>"$T/cmd"
	wait_until 10 grep -q ready "$T/stale.out" || fail "holder not ready: $(cat "$T/stale.err")"
}
stop_holder() {
	echo close >&4
	wait "$hpid" || fail "holder failed: $(cat "$T/stale.err")"
	exec 4>&-
}
at_exit 'exec 4>&- 2>/dev/null; kill -9 $(jobs -p) 2>/dev/null'
# victim listed (served or disabled)
victim_listed() { [ -n "$(ns_field victim dev)" ]; }
start_holder
pc disable-namespace -f victim 2>/dev/null || fail "disable -f victim"

# ---- 1. four refused busy requests wait; list and stats do not wait for them
t_start=$(now_ms)
wpids=()
for i in 0 1 2 3; do
	cmd=$CMD_DESTROY
	((i == 3)) && cmd=$CMD_ENABLE
	"$OLC" nscall "$SOCK" "$cmd" victim >"$T/w$i.out" 2>"$T/w$i.err" &
	wpids+=($!)
done
for i in 0 1 2 3; do
	wait_until 10 grep -q sending "$T/w$i.out" || fail "waiter $i did not send"
done
sleep 0.05
timed list -N -i
((rc == 0)) || fail "list during the waits: exit $rc: $(cat "$T/timed.err")"
pending=0
for i in 0 1 2 3; do
	grep -qE '^(ok|error)' "$T/w$i.out" || pending=$((pending + 1))
done
echo "list during 4 waiting busy requests: $ms ms, $pending of 4 still waiting when it answered"
assert_eq 4 "$pending" "refused busy requests still waiting when list answered"
((ms < BOUND_MS)) || fail "list took $ms ms while busy requests waited (bound $BOUND_MS)"
assert_contains "$out" '"victim"' "list shows victim"
timed stats
((rc == 0)) || fail "stats during the waits: exit $rc: $(cat "$T/timed.err")"
echo "stats during the waits: $ms ms"
((ms < BOUND_MS)) || fail "stats took $ms ms while busy requests waited (bound $BOUND_MS)"
# many clients at once, while the four still wait
lpids=()
for i in $(seq 1 16); do
	pc list -N >"$T/l$i.out" 2>"$T/l$i.err" &
	lpids+=($!)
done
for i in $(seq 1 16); do
	wait "${lpids[$((i - 1))]}" || fail "parallel list $i failed: $(cat "$T/l$i.err")"
	grep -q '"other"' "$T/l$i.out" || fail "parallel list $i: $(head -c 200 "$T/l$i.out")"
done
for i in 0 1 2 3; do
	wait "${wpids[$i]}" || fail "waiter $i: $(cat "$T/w$i.err")"
done
t_all=$(($(now_ms) - t_start))
for i in 0 1 2 3; do
	line=$(grep -E '^(ok|error)' "$T/w$i.out")
	read -r what errno wms _ <<<"$line"
	assert_eq "error 16" "$what $errno" "waiter $i result ($line)"
	if ((i == 3)); then
		assert_contains "$line" "is still in use by pid $hpid (olclient) through the file it had before it was disabled" \
			"waiter $i message"
	else
		assert_contains "$line" "is in use by pid $hpid (olclient)" "waiter $i message"
	fi
	wms=${wms%:}
	# the wait for a RELEASE in flight is kept: each waited its second
	((wms >= 900)) || fail "waiter $i refused after $wms ms: it did not wait for a RELEASE"
done
echo "four refused busy requests: all answered after $t_all ms"
((t_all < 2500)) || fail "four refused requests took $t_all ms: they waited one after the other"
victim_listed || fail "victim gone after refused requests"

# ---- 2. a client that leaves while its request waits
"$OLC" nscall "$SOCK" "$CMD_DESTROY" victim >"$T/gone.out" 2>&1 &
gpid=$!
wait_until 10 grep -q sending "$T/gone.out" || fail "leaving client did not send"
sleep 0.2
kill -9 "$gpid"
wait "$gpid" 2>/dev/null || true
timed list -N
((rc == 0)) || fail "list after a waiting client left: exit $rc"
echo "list just after a waiting client left: $ms ms"
((ms < BOUND_MS)) || fail "list took $ms ms after a waiting client left"
# the holder goes: the request of the client that left is not carried out
stop_holder
sleep 1.5
victim_listed || fail "victim destroyed for a client that had gone before its holder closed"
kill -0 "$DAEMON_PID" || fail "daemon died"

# ---- 3. half a request, one byte, a stall: nobody waits for it
"$OLC" half "$SOCK" >"$T/half.out" 2>"$T/half.err" &
wait_until 10 grep -q sent "$T/half.out" || fail "half client: $(cat "$T/half.err")"
"$OLC" silent "$SOCK" >"$T/silent.out" 2>&1 &
wait_until 10 grep -q connected "$T/silent.out" || fail "silent client did not connect"
timed list -N
((rc == 0)) || fail "list beside a half-sent request: exit $rc"
echo "list beside a stalled half request: $ms ms"
((ms < BOUND_MS)) || fail "list took $ms ms beside a stalled half request"

# ---- 4. a waiting destroy succeeds once the holder closes
pc enable-namespace victim 2>/dev/null || fail "enable victim"
start_holder
pc disable-namespace -f victim 2>/dev/null || fail "disable -f victim again"
"$OLC" nscall "$SOCK" "$CMD_DESTROY" victim >"$T/late.out" 2>&1 &
lpid=$!
wait_until 10 grep -q sending "$T/late.out" || fail "late destroy did not send"
sleep 0.1
stop_holder
wait "$lpid"
line=$(grep -E '^(ok|error)' "$T/late.out")
echo "destroy waiting while its holder closed: $line"
assert_contains "$line" "ok" "destroy after the holder closed ($line)"
! victim_listed || fail "victim still there after its destroy"
timed list -N
((rc == 0)) || fail "final list"
assert_contains "$out" '"other"' "other still listed"
pmemfs_stop
echo "PASS: $TEST_NAME"
