#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 16 item 6: which of two overlapping labels is served must not
# depend on slot order. Slot 0 'a' [0, 4M), slot 1 'b' [2M, 6M) (a crafted
# area, or a guest that ignored labels of another cookie): both are
# INVALID with a reason naming both labels and both ranges, through a
# real daemon; a rename of another namespace (its label moves to a new
# slot) and a remount show exactly the same; no write through the mount
# reaches a's or b's bytes; destroying one label is how the user picks
# the other, and the pick survives a remount.
. "$(dirname "$0")/onlinelib.sh"

MiB=$((1024 * 1024))
LSAEDIT=lsaedit	# fslib.sh: the label area of a region file or directory
R=$T/r.img
region_create "$R" 64M
ua=$("$PMEMCTL" create-namespace --file "$R" -s 4M -n a | jq -r .uuid)
ub=$("$PMEMCTL" create-namespace --file "$R" -s 4M -n b | jq -r .uuid)
"$PMEMCTL" create-namespace --file "$R" -s 2M -n c >/dev/null
# ab: [0, 8M) as a and b hold it: the region file's bytes; a region
# directory's (PMEMFS_LAYOUT=dir) a and b files, in dpa order
ab() {
	if [ -d "$R" ]; then
		cat "$R/ns-$ua" "$R/ns-$ub"
	else
		head -c $((8 * MiB)) "$R"
	fi
}
if [ -d "$R" ]; then
	"$NSIO" write "$R/ns-$ua" 0 $((4 * MiB)) 7 fsync
	"$NSIO" write "$R/ns-$ub" 0 $((4 * MiB)) 8 fsync
else
	"$NSIO" write "$R" 0 $((8 * MiB)) 7 fsync
fi
# b's label (slot 1) now claims [2M, 6M): a's second half and b's first
assert_eq "[0,1,2]" "$($LSAEDIT "$R" info | jq -c .used)" "slots of a, b, c"
$LSAEDIT "$R" label 1 dpa 0x200000
ab >"$T/ab.bytes"

# outcome: every label's name, uuid, range, state and reason, sorted by uuid
outcome() {
	jq -c 'sort_by(.uuid) | [.[] | {name, uuid, dpa, size, state, reason}]'
}
want_a="range [0, 0x400000) of 'a' overlaps range [0x200000, 0x600000) of 'b': overlapping labels are all invalid"
want_b="range [0x200000, 0x600000) of 'b' overlaps range [0, 0x400000) of 'a': overlapping labels are all invalid"
check_ab() { # WHERE LISTJSON
	assert_eq "invalid" "$(json_get "$2" '.[] | select(.name == "a") | .state')" "$1: a's state"
	assert_eq "invalid" "$(json_get "$2" '.[] | select(.name == "b") | .state')" "$1: b's state"
	assert_eq "$want_a" "$(json_get "$2" '.[] | select(.name == "a") | .reason')" "$1: a's reason"
	assert_eq "$want_b" "$(json_get "$2" '.[] | select(.name == "b") | .reason')" "$1: b's reason"
}
off=$("$PMEMCTL" list --file "$R" -i)
check_ab offline "$off"

online_start "$R"
on=$(pc list -i)
check_ab online "$on"
assert_eq "$(outcome <<<"$off")" "$(outcome <<<"$on")" "the daemon and an offline open agree"
assert_eq "c" "$(ls "$MNT/region0" | xargs)" "only c is served"
# neither overlapping label can be renamed (that is what flipped it)
expect_exit 250 pc rename-namespace a a2
assert_contains "$err" "not served" "rename of an invalid label"
# a rename elsewhere moves c's label to another slot: nothing else changes
expect_exit 0 pc rename-namespace c c2
[ "$($LSAEDIT "$R" info | jq -c .used)" != "[0,1,2]" ] || fail "c2's label did not move"
"$NSIO" write "$MNT/region0/c2" 0 $((2 * MiB)) 9 fdatasync
before=$(pc list -i | outcome)
pmemfs_stop
online_start "$R"
after=$(pc list -i | outcome)
assert_eq "$before" "$after" "a remount after the rename shows what the daemon showed"
check_ab remounted "$(pc list -i)"
assert_eq "c2" "$(ls "$MNT/region0" | xargs)" "only c2 is served after the remount"
# writes through the mount never reached a's or b's bytes
for f in "$MNT"/region0/*; do
	"$NSIO" write "$f" 0 $((2 * MiB)) 11 fdatasync
done
# create -f does not take the overlap's bytes (they are someone's data):
# [6M, 8M), which no label covers since b moved, is the first free extent
expect_exit 0 pc create-namespace -s 2M -n d -f
assert_eq $((6 * MiB)) "$(ns_field d dpa)" "create -f placed d past the overlap"
"$NSIO" write "$MNT/region0/d" 0 $((2 * MiB)) 12 fdatasync
ab | cmp -n $((6 * MiB)) - "$T/ab.bytes" || fail "a write reached the overlapping labels' bytes"

# the user picks: destroy b; a becomes servable at once (disabled, as any
# namespace the daemon did not serve before: enable-namespace serves it),
# unchanged, and a remount serves it
expect_exit 0 pc destroy-namespace b
assert_eq "disabled" "$(ns_field a state)" "a after b's label is gone"
expect_exit 0 pc enable-namespace a
[ -f "$MNT/region0/a" ] || fail "a's file did not appear"
pmemfs_stop
if [ -d "$R" ]; then
	# a region directory: destroy removed b's file, a's is untouched
	[ ! -e "$R/ns-$ub" ] || fail "b's file is still there after its destroy"
	cmp -n $((4 * MiB)) "$R/ns-$ua" "$T/ab.bytes" || fail "destroying the invalid b touched a's data"
else
	ab | cmp -n $((6 * MiB)) - "$T/ab.bytes" || fail "destroying the invalid b touched the data"
fi
online_start "$R"
assert_eq "null" "$(ns_field a state)" "a after a remount (served: no state shown)"
[ -f "$MNT/region0/a" ] || fail "a is not served after the remount"
"$NSIO" verify "$MNT/region0/a" 0 $((4 * MiB)) 7 2>/dev/null ||
	cmp -n $((4 * MiB)) "$MNT/region0/a" "$T/ab.bytes" || fail "a's data"
pmemfs_stop
echo "PASS: $TEST_NAME"
