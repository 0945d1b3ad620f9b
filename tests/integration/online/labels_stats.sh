#!/bin/bash
# SPDX-License-Identifier: MIT
# Online read-labels, check-labels, init-labels and stats: the same labels
# the offline path reads from the region file, counters that follow the
# I/O, and init-labels refused while namespaces exist unless forced.
. "$(dirname "$0")/onlinelib.sh"

MiB=$((1024 * 1024))
R=$T/r.img
region_create "$R" 64M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
online_start "$R"
expect_exit 0 pc create-namespace -s 8M -n b
b_uuid=$(json_get "$out" .uuid)

# read-labels -j: the daemon's view equals the offline view of the file
expect_exit 0 pc read-labels -j
online=$out
assert_eq 2 "$(json_get "$online" '.[0].label | length')" "two labels online"
assert_eq "a b" "$(json_get "$online" '[.[0].label[].name] | join(" ")')" "label names"
assert_eq "$b_uuid" "$(json_get "$online" '.[0].label[1].uuid')" "label uuid"
assert_eq "true" "$(json_get "$online" '[.[0].index[] | select(.current)][0].valid')" "current index valid"
free=$(json_get "$online" '[.[0].index[] | select(.current)][0].free')
nslot=$(json_get "$online" '.[0].index[0].nslot')
assert_eq $((nslot - 2)) "$free" "free slots of the current index"
expect_exit 129 pc read-labels
assert_contains "$err" "use -j" "raw read-labels online"

expect_exit 0 pc check-labels
assert_eq "true" "$(json_get "$out" '.[0].valid')" "check-labels online"
assert_eq 2 "$(json_get "$out" '.[0].labels')" "check-labels label count"

# stats: counters of what was done to the file
expect_exit 0 pc stats b
assert_eq 0 "$(json_get "$out" '.[0].requests.write')" "no writes yet"
"$NSIO" write "$MNT/region0/b" 0 $((1 * MiB)) 5 fdatasync
"$NSIO" verify "$MNT/region0/b" 0 $((1 * MiB)) 5
expect_exit 0 pc stats b
assert_eq "b" "$(json_get "$out" '.[0].name')" "stats name"
assert_eq "region0" "$(json_get "$out" '.[0].region')" "stats region"
[ "$(json_get "$out" '.[0].requests.write')" -ge 1 ] || fail "no write counted: $out"
[ "$(json_get "$out" '.[0].requests.open')" -ge 1 ] || fail "no open counted"
[ "$(json_get "$out" '.[0].bytes_written')" -ge $((1 * MiB)) ] || fail "bytes_written: $out"
[ "$(json_get "$out" '.[0].fsyncs')" -ge 1 ] || fail "fsyncs: $out"
[ "$(json_get "$out" '[.[0].flush_latency_us[].count] | add')" -ge 1 ] ||
	fail "no flush in the latency histogram: $out"
expect_exit 0 pc stats
assert_eq "a b" "$(json_get "$out" '[.[].name] | join(" ")')" "stats of every namespace"
assert_eq 0 "$(json_get "$out" '.[0].bytes_written')" "a untouched"
expect_exit 254 pc stats nosuch
pc disable-namespace a 2>/dev/null
expect_exit 250 pc stats a
assert_contains "$err" "not served" "stats of a disabled namespace"
pc enable-namespace a 2>/dev/null

# init-labels: refused while namespaces exist, files stay
expect_exit 239 pc init-labels
assert_contains "$err" "region0 has 2 namespaces: use -f to forget them" "init-labels refusal names -f"
[ -e "$MNT/region0/a" ] && [ -e "$MNT/region0/b" ] || fail "files gone after a refused init"
# refused while one is open, even with -f
exec 5<"$MNT/region0/a"
expect_exit 240 pc init-labels -f
assert_contains "$err" "in use" "init-labels -f while open"
exec 5<&-
sleep 0.2
expect_exit 0 pc init-labels -f -V 1.1
assert_contains "$err" "initialised the label area of region0" "init-labels message"
[ ! -e "$MNT/region0/a" ] && [ ! -e "$MNT/region0/b" ] || fail "files still there after init-labels -f"
assert_eq "[]" "$(pc list)" "no namespaces after init-labels -f"
assert_eq "1.1" "$(json_get "$(pc list -R)" '.[0].label_version')" "label version 1.1"
expect_exit 0 pc init-labels
expect_exit 0 pc create-namespace -s 2M -n c

pmemfs_stop
expect_exit 0 "$PMEMCTL" list --file "$R" -R -N
assert_eq "1.1" "$(json_get "$out" '.regions[0].label_version')" "offline: v1.1 area"
assert_eq "c" "$(json_get "$out" '[.regions[0].namespaces[].name] | join(" ")')" "offline: only c"
if [ -d "$R" ]; then
	# a region directory keeps the file no label names (and logs it)
	"$NSIO" verify "$R/ns-$b_uuid" 0 $((1 * MiB)) 5 || fail "b's data was touched by init-labels"
else
	"$NSIO" verify "$R" $((4 * MiB)) $((1 * MiB)) 5 || fail "b's data was touched by init-labels"
fi
echo "PASS: $TEST_NAME"
