#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 16.5: every region whose label area can describe it mounts, and
# online creation goes on to the area's capacity, whatever the open-file
# limit. Under `ulimit -n 1024` (soft and hard: raising the soft limit
# cannot help) a region with 1,100 namespaces (a 2 MiB v1.1 label area)
# mounts and serves every one, 100 more are created online, data written
# to the first and the last is flushed and lands at their dpa, and the
# daemon holds a few descriptors, not two per namespace. With a soft limit
# below the hard one, the daemon raises it and says so.
. "$(dirname "$0")/onlinelib.sh"

N=${FD_LIMIT_NS:-1100} M=${FD_LIMIT_MORE:-100}
# (128 MiB: a region directory's 1,200 namespace files are preallocated)
many_ns_region $N 128M

ulimit -n 1024	# soft and hard, as a unit with LimitNOFILE=1024 would have
online_start "$R"
assert_eq $N "$(ls "$MNT/region0" | wc -l)" "files in the mount with $N namespaces"
for ((i = N; i < N + M; i++)); do
	pc create-namespace -s 64K -a 4K -n "ns$i" --sparse >/dev/null 2>"$T/create.err" ||
		fail "online create ns$i under ulimit -n 1024: $(cat "$T/create.err")"
done
assert_eq $((N + M)) "$(ls "$MNT/region0" | wc -l)" "files after $M online creates"
last=$((N + M - 1))
for i in 0 $((N - 1)) $last; do
	"$NSIO" write "$MNT/region0/ns$i" 0 65536 $((i % 200 + 1)) fsync ||
		fail "ns$i: write + fsync failed"
done
nfd=$(ls /proc/"$DAEMON_PID"/fd | wc -l)
[ "$nfd" -lt 200 ] || fail "the daemon holds $nfd descriptors for $((N + M)) namespaces"
expect_exit 0 pc destroy-namespace -f ns5
pmemfs_stop
for i in 0 $((N - 1)) $last; do
	dpa=$("$PMEMCTL" list --file "$R" | jq -r --arg n "ns$i" '.[] | select(.name == $n) | .dpa')
	"$NSIO" verify "$R" "$dpa" 65536 $((i % 200 + 1)) || fail "ns$i: data not at its dpa"
done

# soft below hard: raised, and logged
: >"$T/daemon.log"
(ulimit -S -n 256 && exec "$PMEMFS" -f "$R" "$MNT" >>"$T/daemon.log" 2>&1) &
DAEMON_PID=$!
wait_until 5 mounted || fail "no mount with a soft limit of 256"
grep -q "open-file limit raised from 256 to the hard limit 1024" "$T/daemon.log" ||
	fail "the raise was not logged: $(cat "$T/daemon.log")"
grep -Eq "^Max open files +1024 +1024 " /proc/"$DAEMON_PID"/limits ||
	fail "limits: $(grep 'open files' /proc/"$DAEMON_PID"/limits)"
pmemfs_stop
echo "PASS: $TEST_NAME"
