#!/bin/bash
# SPDX-License-Identifier: MIT
# 300 namespaces: created through the daemon, listed completely (the
# multi-part reply), every file in the mount, and the same 300 labels
# read back offline.
. "$(dirname "$0")/onlinelib.sh"

N=300
R=$T/r.img
region_create "$R" 700M
online_start "$R"

for ((i = 0; i < N; i++)); do
	pc create-namespace -s 2M -n "ns$i" --sparse >/dev/null ||
		fail "create ns$i failed"
done
expect_exit 0 pc list
assert_eq $N "$(json_get "$out" length)" "list: every namespace"
assert_eq $N "$(json_get "$out" '[.[].path | select(. != null)] | length')" "list: every path"
expect_exit 0 pc list -R -N
assert_eq $N "$(json_get "$out" '.regions[0].namespaces | length')" "list -R -N: every namespace"
for ((i = 0; i < N; i++)); do echo "ns$i"; done | sort >"$T/want"
json_get "$out" '.regions[0].namespaces[].name' | sort >"$T/got"
cmp -s "$T/want" "$T/got" || fail "names differ: $(diff "$T/want" "$T/got" | head)"
ls "$MNT/region0" | sort >"$T/files"
cmp -s "$T/want" "$T/files" || fail "files differ: $(diff "$T/want" "$T/files" | head)"
expect_exit 0 pc read-labels -j
assert_eq $N "$(json_get "$out" '.[0].label | length')" "read-labels: every label"
expect_exit 0 pc stats
assert_eq $N "$(json_get "$out" length)" "stats: every namespace"

pmemfs_stop
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq $N "$(json_get "$out" length)" "offline: every label"
echo "PASS: $TEST_NAME"
