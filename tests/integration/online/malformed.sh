#!/bin/bash
# SPDX-License-Identifier: MIT
# Malformed control messages (truncated, huge, lying nlmsg_len, duplicate,
# unknown, wrong type or length, unknown command, other version) each get
# an error reply and change nothing; a silent client and one that never
# reads its reply block neither other clients nor the file system.
. "$(dirname "$0")/onlinelib.sh"

MiB=$((1024 * 1024))
R=$T/r.img
region_create "$R" 64M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
online_start "$R"
"$NSIO" write "$MNT/region0/a" 0 $((1 * MiB)) 21 fdatasync
RF=$R
[ -d "$R" ] && RF=$R/region	# a region directory's labels: DIR/region
cp "$RF" "$T/before.img"
labels=$(pc read-labels -j)

expect_exit 0 "$OLC" raw "$SOCK"
for c in "truncated header: errno 74" "nlmsg_len past the packet: errno 74" \
	"huge: errno 90" "unknown command: errno 95" "version mismatch: errno 93" \
	"change of another version: errno 93" \
	"duplicate attribute: errno 22" "u64 of 200 bytes: errno 22" \
	"unknown attribute: errno 22" "missing required attribute: errno 22"; do
	assert_contains "$out" "ok $c" "raw case"
done
assert_eq 27 "$(grep -c '^ok' <<<"$out")" "every raw case answered"
assert_eq "$labels" "$(pc read-labels -j)" "malformed requests changed the labels"
kill -0 "$DAEMON_PID" || fail "the daemon died"

# a silent client and a client that does not read hold a slot each, no more
"$OLC" silent "$SOCK" >"$T/silent.out" &
p1=$!
"$OLC" noread "$SOCK" >"$T/noread.out" &
p2=$!
at_exit "kill $p1 $p2 2>/dev/null"
wait_until 5 grep -q connected "$T/silent.out" || fail "silent client"
wait_until 5 grep -q sent "$T/noread.out" || fail "noread client"
expect_exit 0 timeout 5 "$PMEMCTL" list --mount "$MNT"
assert_eq "a" "$(json_get "$out" '.[0].name')" "list beside a silent client"
expect_exit 0 timeout 5 "$PMEMCTL" create-namespace --mount "$MNT" -s 2M -n b
# the file system serves on
"$NSIO" write "$MNT/region0/b" 0 $((2 * MiB)) 22 fdatasync || fail "I/O beside stuck clients"
"$NSIO" verify "$MNT/region0/a" 0 $((1 * MiB)) 21 || fail "a's data"
kill "$p1" "$p2"
wait "$p1" "$p2" 2>/dev/null || true

pmemfs_stop
cmp -s "$RF" "$T/before.img" && fail "b never reached the region file"
"$NSIO" verify "$R" 0 $((1 * MiB)) 21 || fail "a's data in the region file"
echo "PASS: $TEST_NAME"
