#!/bin/bash
# SPDX-License-Identifier: MIT
# df on the mount (statfs) shows the regions as pmemctl list -R does:
# size = the sum of the regions' "size", free and available = the sum of
# their "available_size", in 4 KiB blocks; inodes = namespace files plus
# the label slots still free. It follows create and destroy, across two
# regions.
. "$(dirname "$0")/fslib.sh"

R1=$T/r1.img R2=$T/r2.img
region_create "$R1" 64M
region_create "$R2" 32M
ns_create "$R1" 8M a >/dev/null
ns_create "$R1" 4M b >/dev/null
ns_create "$R2" 2M c >/dev/null
pmemfs_start "$R1" "$R2"

# check WHAT: statfs against list -R
check() {
	local j size avail nfiles st bs
	j=$("$PMEMCTL" list -R --mount "$MNT") || fail "$1: list -R failed"
	size=$(json_get "$j" '[.. | objects | select(has("available_size")) | .size] | add')
	avail=$(json_get "$j" '[.. | objects | select(has("available_size")) | .available_size] | add')
	[ "$(json_get "$j" '[.. | objects | select(has("available_size"))] | length')" = 2 ] ||
		fail "$1: list -R does not show 2 regions: $j"
	nfiles=$(find "$MNT" -type f | wc -l)
	st=$(stat -f -c '%S %b %f %a %c %d' "$MNT")
	read -r bs blocks bfree bavail files ffree <<<"$st"
	assert_eq 4096 "$bs" "$1: block size"
	assert_eq $((size / 4096)) "$blocks" "$1: blocks = list -R size sum $size"
	assert_eq $((avail / 4096)) "$bfree" "$1: free blocks = available_size sum $avail"
	assert_eq "$bfree" "$bavail" "$1: available blocks"
	assert_eq $((files - ffree)) "$nfiles" "$1: inodes used = namespace files"
	[ "$ffree" -gt 0 ] || fail "$1: no free label slot counted ($st)"
	# df's own reading of it, in bytes
	assert_eq "$size $avail" "$(df -B1 --output=size,avail "$MNT" | tail -n 1 | awk '{print $1, $2}')" \
		"$1: df -B1"
}
check "at start"
[ "$blocks" -gt $(((64 + 32 - 1) * 1024 / 4)) ] || fail "size $blocks blocks is not the regions'"
used=$((blocks - bfree))
[ $used -ge $((14 * 256)) ] || fail "used $used blocks, less than the namespaces' 14 MiB"
f0=$ffree

"$PMEMCTL" create-namespace --mount "$MNT" -r region1 -s 8M -n d >/dev/null
check "after create"
[ $((blocks - bfree)) -ge $((used + 8 * 256)) ] || fail "used did not grow by 8 MiB"
[ "$ffree" -lt "$f0" ] || fail "free label slots did not go down after create ($f0 -> $ffree)"
"$PMEMCTL" destroy-namespace --mount "$MNT" -f a >/dev/null
"$PMEMCTL" destroy-namespace --mount "$MNT" -f d >/dev/null
check "after destroy"
assert_eq $((used - 8 * 256)) $((blocks - bfree)) "used after destroying a (8 MiB) and d"
pmemfs_stop
