#!/bin/bash
# SPDX-License-Identifier: MIT
# Namespaces are created and destroyed while another process keeps a
# namespace mapped and writes it without pause: its data stays intact, in
# the mapping, through the mount and in the region file after unmount.
. "$(dirname "$0")/onlinelib.sh"

MiB=$((1024 * 1024))
R=$T/r.img
region_create "$R" 256M
"$PMEMCTL" create-namespace --file "$R" -s 8M -n busy >/dev/null
online_start "$R"
busy_dpa=$(ns_field busy dpa)

"$OLC" mapwriter "$MNT/region0/busy" 1000 >"$T/writer.out" 2>"$T/writer.err" &
wpid=$!
at_exit "kill -9 $wpid 2>/dev/null"
wait_until 10 grep -q ready "$T/writer.out" || fail "mapwriter not ready: $(cat "$T/writer.err")"

for ((i = 0; i < 20; i++)); do
	j=$(pc create-namespace -s 4M -n "hot$i") || fail "create hot$i while busy is written"
	dpa=$(json_get "$j" .dpa)
	# no overlap with the busy range
	[ $((dpa + 4 * MiB)) -le "$busy_dpa" ] || [ "$dpa" -ge $((busy_dpa + 8 * MiB)) ] ||
		fail "hot$i at $dpa overlaps busy at $busy_dpa"
	[ "$(stat -c %s "$MNT/region0/hot$i")" = $((4 * MiB)) ] || fail "hot$i file"
	"$NSIO" write "$MNT/region0/hot$i" 0 $((4 * MiB)) "$i" fdatasync
	if ((i % 3 == 2)); then
		pc destroy-namespace -f "hot$((i - 1))" 2>/dev/null || fail "destroy hot$((i - 1))"
	fi
done
kill -0 "$wpid" || fail "the writer died: $(cat "$T/writer.err")"
kill -TERM "$wpid"
wait "$wpid" || fail "mapwriter failed: $(cat "$T/writer.err")"
last=$(awk '/^last/ { print $2 }' "$T/writer.out")
passes=$(awk '/^last/ { print $4 }' "$T/writer.out")
[ -n "$last" ] || fail "no result from mapwriter"
[ "$passes" -ge 2 ] || fail "mapwriter made $passes passes only"
"$NSIO" verify "$MNT/region0/busy" 0 $((8 * MiB)) "$last" || fail "busy differs through the mount"

pmemfs_stop
"$NSIO" verify "$R" "$busy_dpa" $((8 * MiB)) "$last" || fail "busy differs in the region file"
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq 15 "$(json_get "$out" length)" "busy + 20 created - 6 destroyed"
for i in 0 3 6 9 12 15 18 19; do
	dpa=$(json_get "$out" ".[] | select(.name == \"hot$i\") | .dpa")
	"$NSIO" verify "$R" "$dpa" $((4 * MiB)) "$i" || fail "hot$i data at $dpa"
done
echo "PASS: $TEST_NAME"
