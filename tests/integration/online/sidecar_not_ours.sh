#!/bin/bash
# SPDX-License-Identifier: MIT
# The files pmemfs keeps beside a region file (REGION.health,
# REGION.badblocks) never replace nor remove a file at that name that is
# not one it wrote: another region file named so (or anyone's data, larger
# than any sidecar pmemfs writes). The mount, a power failure, injecting
# a media error, the unmount and create-region over the path
# each keep the other region intact (injecting refuses: that file is no
# list); before, the mount renamed a 190-byte health file over the region
# "r.img.health", and create-region unlinked both. The daemon serves on,
# saying so.
. "$(dirname "$0")/onlinelib.sh"

[ "$LAYOUT" = file ] || skip "the sidecars of a region directory are inside it: no other region's name"
R=$T/r.img
region_create "$R" 64M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null || fail "create-namespace a"
for s in health badblocks; do
	region_create "$R.$s" 16M
	"$PMEMCTL" create-namespace --file "$R.$s" -s 4M -n "precious-$s" >/dev/null ||
		fail "create-namespace in $R.$s"
done

# intact NAME: the region file R.NAME is whole and holds its namespace
intact() {
	local n
	n=$("$PMEMCTL" list -N --file "$R.$1" 2>/dev/null | jq -r '.[0].name') || true
	assert_eq "precious-$1 16777216" "$n $(stat -c %s "$R.$1")" "$2: the region file $R.$1"
}

online_start "$R"
intact health "the mount"
grep -q "'$R.health' is a file of 16777216 bytes, not health file pmemfs writes" "$T/daemon.log" ||
	fail "the mount's refusal not logged: $(tail -3 "$T/daemon.log")"
expect_exit 0 pc power-fail a --enable
expect_exit 0 pc power-fail a
intact health "a power failure"
assert_eq "unknown dirty" "$(pc list -R -H | jq -r '.[0].health | "\(.health_state) \(.shutdown_state)"')" "its health: unknown"
# (media errors are read before they are changed: that file is no list)
run_cmd pc inject-error a --block 8 --count 1
[ "$rc" != 0 ] || fail "a media error recorded over another region file"
assert_contains "$err" "media errors '$R.badblocks'" "inject-error's refusal"
intact badblocks "a media error injected"
pmemfs_stop
intact health "the unmount"
intact badblocks "the unmount"

# create-region at the path: the stale sidecars removed, other regions not
rm "$R"
run_cmd "$PMEMCTL" create-region --size 64M "$R"
assert_contains "$err" "'$R.badblocks' is a file of 16777216 bytes" "create-region says why"
intact health "create-region"
intact badblocks "create-region"
