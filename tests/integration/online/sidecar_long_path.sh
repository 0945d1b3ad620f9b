#!/bin/bash
# SPDX-License-Identifier: MIT
# A region file with a long path (300 characters: a CI workspace, a deep
# build tree) keeps its health and media errors across a remount: the
# files pmemfs writes beside it name the region path in their first
# (comment) line, which the readers took for a line too long (the count
# became "unknown") or split into a bad entry (media errors unreadable).
# A region file name too long for a sidecar beside it: create-region
# succeeds (it failed: "created, but ... File name too long").
. "$(dirname "$0")/onlinelib.sh"

D=$T/$(printf 'd%.0s' {1..120})/$(printf 'e%.0s' {1..120})
mkdir -p "$D"
R=$D/r.img
region_create "$R" 64M

"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null || fail "create-namespace"

online_start "$R"
expect_exit 0 pc power-fail a --enable
expect_exit 0 pc power-fail a
expect_exit 0 pc inject-error a --block 8 --count 1
pmemfs_stop

expect_exit 0 "$PMEMCTL" list -R -H --file "$R"
assert_not_contains "$err" "unknown" "offline, the health file written at the unmount"
assert_eq "ok 1 clean" "$(json_get "$out" '.[0].health | "\(.health_state) \(.shutdown_count) \(.shutdown_state)"')" "offline health"
online_start "$R"
assert_eq "ok 1 clean" "$(pc list -R -H | jq -r '.[0].health | "\(.health_state) \(.shutdown_count) \(.shutdown_state)"')" "health after the remount"
assert_eq 1 "$(pc list -M | jq '.[] | select(.name == "a") | .badblock_count')" "media errors after the remount"
pmemfs_stop

# a region file name too long for a sidecar beside it (250 characters:
# NAME_MAX is 255): create-region succeeds (it said "region '...'
# created, but: cannot check for media errors ...: File name too long"
# and failed); the daemon serves it, saying it cannot keep its health
if [ "$LAYOUT" = file ]; then
	L=$T/$(printf 'r%.0s' {1..250})
	expect_exit 0 "$PMEMCTL" create-region --size 64M "$L"
	expect_exit 0 "$PMEMCTL" create-namespace --file "$L" -s 4M -n b
	online_start "$L"
	expect_exit 0 pc power-fail b --enable
	expect_exit 0 pc power-fail b
	pmemfs_stop
fi
