#!/bin/bash
# SPDX-License-Identifier: MIT
# No wrong namespace (issue 16; item 6: nothing depends on where a label
# sits): a name or uuid that matches more than one namespace is refused,
# naming them, and nothing is done; pmemctl never acts on the first match
# of its listing (the listing is in slot order, so a rename would change
# which one).
# - a copied region file (same uuid, same name in region0 and region1):
#   destroy-namespace, inject-error, clear-errors and power-fail by name
#   or uuid refuse, naming both regions, as rename-namespace did; with -r
#   they act on that region's;
# - two labels sharing a uuid in one region (crafted; both invalid), in
#   either slot order: destroy-namespace UUID refuses online and offline,
#   naming both; by device name it destroys that one.
. "$(dirname "$0")/onlinelib.sh"

LSAEDIT=lsaedit	# fslib.sh: the label area of a region file or directory
R=$T/r.img
region_create "$R" 32M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
cp -a "$R" "$T/r2.img"	# a region file or directory
online_start "$R" "$T/r2.img"
u=$(ns_field a uuid | head -n 1)
for c in "destroy-namespace a" "destroy-namespace $u" "destroy-namespace -f a" \
	"inject-error a --offset 0 --length 512" "clear-errors a" "power-fail a --status" \
	"power-fail a --enable"; do
	run_cmd pc $c
	[ "$rc" = 234 ] || fail "copied region: '$c' exited $rc, not 234 (EINVAL): $err"
	assert_contains "$err" "names namespaces in region0 and region1: name the region with -r" \
		"copied region: '$c'"
done
assert_eq "2" "$(pc list | jq length)" "both namespaces are still there"
assert_eq "0 0" "$(pc list -M | jq -r '[.[].badblock_count] | join(" ")')" "no media error injected"
expect_exit 0 pc destroy-namespace -f -r region1 a
assert_eq "region0/a" "$(cd "$MNT" && echo */*)" "-r region1 destroyed region1's"
pmemfs_stop

# two labels sharing a uuid, in both slot orders
for order in plain moved; do
	R=$T/$order.img
	region_create "$R" 64M
	for n in a b c; do
		"$PMEMCTL" create-namespace --file "$R" -s 2M -n $n >/dev/null
	done
	# moved: a's label goes to a slot after b's
	[ $order = plain ] || "$PMEMCTL" rename-namespace --file "$R" a a2 >/dev/null
	u=$("$PMEMCTL" list --file "$R" | jq -r '.[] | select(.dpa == 0) | .uuid')
	bslot=$($LSAEDIT "$R" info | jq '.used[1]')
	[ $order = plain ] || bslot=$($LSAEDIT "$R" info | jq '.used[0]')
	$LSAEDIT "$R" label "$bslot" uuid "$u"
	assert_eq "invalid invalid" \
		"$("$PMEMCTL" list --file "$R" -i | jq -r '[.[] | select(.uuid == "'"$u"'") | .state] | join(" ")')" \
		"$order: labels sharing a uuid"
	run_cmd "$PMEMCTL" destroy-namespace --file "$R" "$u"
	[ "$rc" = 234 ] || fail "$order: offline destroy of a shared uuid exited $rc: $err"
	assert_contains "$err" "more than one" "$order: offline destroy of a shared uuid"
	online_start "$R"
	run_cmd pc destroy-namespace "$u"
	[ "$rc" = 234 ] || fail "$order: destroy of a shared uuid exited $rc: $err"
	assert_contains "$err" "names more than one namespace in region0" "$order: destroy of a shared uuid"
	assert_contains "$err" "at dpa 0x0 and" "$order: the message names both"
	assert_eq 2 "$(pc list -i | jq '[.[] | select(.uuid == "'"$u"'")] | length')" \
		"$order: both labels are still there"
	dev=$(pc list -i | jq -r '.[] | select(.dpa == 0) | .dev')
	expect_exit 0 pc destroy-namespace "$dev"
	assert_eq 2097152 "$(pc list -i | jq -r '.[] | select(.uuid == "'"$u"'") | .dpa')" \
		"$order: destroying $dev by its device name left the other"
	pmemfs_stop
done
echo "ok: an ambiguous name or uuid is refused"
