#!/bin/bash
# SPDX-License-Identifier: MIT
# QEMU nvdimm slots offline: create-region --nvdimm-slot N writes the
# cookie a guest computes for slot N (serial 0x123456 + N) into every label,
# list -R shows the slot, move-region rewrites every label's cookie in one
# commit and is refused, naming both counts, when there are fewer free
# label slots than labels.
. "$PMEMFS_TESTLIB"
set -e

# json_int JSON FIELD: the integers of FIELD exactly as printed (jq turns
# int64 values past 2^53, such as interleave-set cookies, into doubles)
json_int() {
	printf '%s' "$1" | grep -o "\"$2\": *-\?[0-9]*" | sed 's/.*: *//'
}
LSAEDIT="python3 $PMEMFS_SOURCE_ROOT/tests/reliability/lsaedit.py"

V11_SLOT0=10248187106440278	# 0x2468ac00123456
V11_SLOT1=10248195696374871	# 0x2468ae00123457
V12_SLOT0=52512752653219036	# 0xba90120012b4dc
V12_SLOT1=52512795602891997	# 0xba901c0012b4dd

# create-region --nvdimm-slot 1: the region and its first namespace
R=$T/r1.img
expect_exit 0 "$PMEMCTL" create-region --size 64M --nvdimm-slot 1 "$R"
assert_eq 1 "$(json_get "$out" .nvdimm_slot)" "create-region prints the slot"
assert_eq $V12_SLOT1 "$(json_int "$out" iset_id)" "v1.2 cookie of slot 1"
expect_exit 0 "$PMEMCTL" list --file "$R" -R
assert_eq 1 "$(json_get "$out" '.[0].nvdimm_slot')" "list -R: slot of a region with no labels yet"
"$PMEMCTL" create-namespace --file "$R" -s 8M -n a >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 8M -n b >/dev/null
expect_exit 0 "$PMEMCTL" read-labels --file "$R" -j
assert_eq "$V12_SLOT1 $V12_SLOT1" "$(json_int "$out" isetcookie | xargs)" "labels carry slot 1's cookie"
expect_exit 0 "$PMEMCTL" list --file "$R" -R
assert_eq 1 "$(json_get "$out" '.[0].nvdimm_slot')" "list -R: slot 1"

# the default is slot 0, as before; v1.1 has its own cookies
expect_exit 0 "$PMEMCTL" create-region --size 32M "$T/r0.img"
assert_eq 0 "$(json_get "$out" .nvdimm_slot)" "default slot 0"
assert_eq $V12_SLOT0 "$(json_int "$out" iset_id)" "slot 0's cookie"
expect_exit 0 "$PMEMCTL" create-region --size 32M -V 1.1 --nvdimm-slot 1 "$T/v11.img"
assert_eq $V11_SLOT1 "$(json_int "$out" iset_id)" "v1.1 cookie of slot 1"

# init-labels keeps the slot of the region (its record), in the new version too
"$PMEMCTL" create-region --size 32M --nvdimm-slot 1 "$T/init.img" >/dev/null
"$PMEMCTL" create-namespace --file "$T/init.img" -s 4M -n x >/dev/null
expect_exit 0 "$PMEMCTL" init-labels --file "$T/init.img" -f -V 1.1
expect_exit 0 "$PMEMCTL" list --file "$T/init.img" -R
assert_eq 1 "$(json_get "$out" '.[0].nvdimm_slot')" "init-labels keeps slot 1"
assert_eq $V11_SLOT1 "$(json_int "$out" iset_id)" "... with v1.1's cookie of slot 1"
# zero-labels forgets it with the area: init-labels then writes slot 0
expect_exit 0 "$PMEMCTL" zero-labels --file "$T/init.img"
expect_exit 0 "$PMEMCTL" init-labels --file "$T/init.img"
expect_exit 0 "$PMEMCTL" list --file "$T/init.img" -R
assert_eq 0 "$(json_get "$out" '.[0].nvdimm_slot')" "after zero-labels: slot 0"

# bad values: 234 naming the option, no file made; missing value: 129
expect_exit 234 "$PMEMCTL" create-region --size 32M --nvdimm-slot 256 "$T/x.img"
assert_contains "$err" "bad value for --nvdimm-slot '256'" "slot out of range"
assert_contains "$err" "0 to 255" "the range"
expect_exit 234 "$PMEMCTL" create-region --size 32M --nvdimm-slot -1 "$T/x.img"
expect_exit 234 "$PMEMCTL" create-region --size 32M --nvdimm-slot 1x "$T/x.img"
[ ! -e "$T/x.img" ] || fail "a file was made with a bad slot"
expect_exit 129 "$PMEMCTL" create-region --size 32M "$T/x.img" --nvdimm-slot

# move-region: every label's cookie, one commit, the rest of each label kept
seq_before=$($LSAEDIT "$R" info | jq .seq)
expect_exit 0 "$PMEMCTL" move-region --file "$R" --nvdimm-slot 0
assert_contains "$err" "is in nvdimm slot 0 (2 labels rewritten)" "move message"
assert_eq 0 "$(json_get "$out" .nvdimm_slot)" "move-region prints the new slot"
assert_eq $V12_SLOT0 "$(json_int "$out" iset_id)" "move-region: new cookie"
seq_after=$($LSAEDIT "$R" info | jq .seq)
assert_eq $(( (seq_before % 3) + 1 )) "$seq_after" "one index write: seq $seq_before -> next"
expect_exit 0 "$PMEMCTL" read-labels --file "$R" -j
assert_eq "$V12_SLOT0 $V12_SLOT0" "$(json_int "$out" isetcookie | xargs)" "both labels moved"
assert_eq "a b" "$(json_get "$out" '[.[0].label[].name] | sort | join(" ")')" "names kept"
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq "a b" "$(json_get "$out" '[.[].name] | sort | join(" ")')" "both served after the move"
expect_exit 0 "$PMEMCTL" move-region --file "$R" --nvdimm-slot 2
assert_eq 2 "$(json_get "$out" .nvdimm_slot)" "moved to slot 2"
expect_exit 0 "$PMEMCTL" check-labels --file "$R"
expect_exit 0 "$PMEMCTL" move-region --file "$R" --nvdimm-slot 2
assert_contains "$err" "(0 labels rewritten)" "already there: nothing to rewrite"
expect_exit 129 "$PMEMCTL" move-region --file "$R"
assert_contains "$err" "missing --nvdimm-slot" "move-region without a slot"
expect_exit 234 "$PMEMCTL" move-region --file "$R" --nvdimm-slot 999

# a label with another slot's cookie (FOREIGN) is the region's after a move there
slot=$($LSAEDIT "$R" info | jq '.used[1]')
$LSAEDIT "$R" label "$slot" isetcookie $V12_SLOT1
expect_exit 0 "$PMEMCTL" list --file "$R" -i
assert_eq "foreign" "$(json_get "$out" '[.[] | select(.name == "b")][0].state')" "b is foreign"
expect_exit 0 "$PMEMCTL" move-region --file "$R" --nvdimm-slot 1
assert_contains "$err" "(1 label rewritten)" "only a's label rewritten"
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq "a b" "$(json_get "$out" '[.[].name] | sort | join(" ")')" "both active in slot 1"

# refused with both counts when free label slots are fewer than labels;
# nothing is written
F=$T/full.img
"$PMEMCTL" create-region --size 16M "$F" >/dev/null
for i in $(seq 1 300); do
	"$PMEMCTL" create-namespace --file "$F" -s 4K -a 4K --sparse >/dev/null
done
cp "$F" "$T/full.copy"
expect_exit 228 "$PMEMCTL" move-region --file "$F" --nvdimm-slot 1
assert_contains "$err" "region0 has 300 labels, 210 free label slots" "refusal names both counts"
assert_contains "$err" "destroy at least 45 namespaces first" "what to do"
cmp -s "$F" "$T/full.copy" || fail "a refused move changed the region file"
expect_exit 0 "$PMEMCTL" list --file "$F" -R
assert_eq 0 "$(json_get "$out" '.[0].nvdimm_slot')" "still in slot 0"

# a guest's area (v1.1, fsdax label written by a Linux 6.1 guest in slot 0)
G=$T/guest.img
truncate -s 256M "$G"
dd if="$PMEMFS_TESTDATA/qemu-guest-v1.1-fsdax.lsa" of="$G" bs=131072 \
	seek=$((256 * 8 - 1)) conv=notrunc status=none
expect_exit 0 "$PMEMCTL" list --file "$G" -R
assert_eq 0 "$(json_get "$out" '.[0].nvdimm_slot')" "guest area: slot 0"
expect_exit 0 "$PMEMCTL" move-region --file "$G" --nvdimm-slot 1
expect_exit 0 "$PMEMCTL" read-labels --file "$G" -j
assert_eq $V11_SLOT1 "$(json_int "$out" isetcookie)" "guest label moved to slot 1 (v1.1)"
assert_eq "ef3587f5-9956-4ff6-87e3-04aac3e3e641" "$(json_get "$out" '.[0].label[0].uuid')" "uuid kept"

# move-region --help names the option and the refusal
expect_exit 0 "$PMEMCTL" move-region --help
assert_contains "$out" "--nvdimm-slot N" "help: option"
assert_contains "$out" "228" "help: the refusal's exit code"
expect_exit 0 "$PMEMCTL" create-region --help
assert_contains "$out" "--nvdimm-slot" "create-region help"
