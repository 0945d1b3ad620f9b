#!/bin/bash
# SPDX-License-Identifier: MIT
# Several regions in QEMU nvdimm slots, online: list -R shows each
# region's slot; move-region runs in the daemon under its change lock, the
# namespaces stay served (an open mapping too, its data intact), a label
# that already had the new slot's cookie is served from then on, and a
# move with fewer free label slots than labels is refused with both
# counts. The labels read back offline after unmounting carry the cookies.
. "$(dirname "$0")/onlinelib.sh"

json_int() {
	printf '%s' "$1" | grep -o "\"$2\": *-\?[0-9]*" | sed 's/.*: *//'
}
LSAEDIT=lsaedit	# fslib.sh: the label area of a region file or directory
V12_SLOT0=52512752653219036	# 0xba90120012b4dc
V12_SLOT1=52512795602891997	# 0xba901c0012b4dd
V12_SLOT3=$(python3 -c 'import sys
lo = 0x123456 + 3 + 0x8086
print((0x123456 + 3 + 9 * lo) << 32 | lo)')

R0=$T/r0.img R1=$T/r1.img R2=$T/r2.img
"$PMEMCTL" create-region --layout "$LAYOUT" --size 64M "$R0" >/dev/null
"$PMEMCTL" create-region --layout "$LAYOUT" --size 64M --nvdimm-slot 1 "$R1" >/dev/null
"$PMEMCTL" create-region --layout "$LAYOUT" --size 16M "$R2" >/dev/null
"$PMEMCTL" create-namespace --file "$R0" -s 8M -n a >/dev/null
"$PMEMCTL" create-namespace --file "$R0" -s 8M -n b >/dev/null
"$PMEMCTL" create-namespace --file "$R1" -s 8M -n c >/dev/null
# d in r1 carries slot 3's cookie: FOREIGN while r1 is in slot 1
"$PMEMCTL" create-namespace --file "$R1" -s 8M -n d >/dev/null
dslot=$($LSAEDIT "$R1" info | jq '.used[1]')
$LSAEDIT "$R1" label "$dslot" isetcookie "$V12_SLOT3"
# r2: 300 labels, 210 free label slots
for i in $(seq 1 300); do
	"$PMEMCTL" create-namespace --file "$R2" -s 4K -a 4K $SPARSE >/dev/null
done

online_start "$R0" "$R1" "$R2"
expect_exit 0 pc list -R
assert_eq "0 1 0" "$(json_get "$out" '[.[].nvdimm_slot | tostring] | join(" ")')" "slots of the regions"
assert_eq "$V12_SLOT1" "$(json_int "$out" iset_id | sed -n 2p)" "region1's cookie"
[ ! -e "$MNT/region1/d" ] || fail "d (foreign) is served before the move"

# an open mapping of a while region0 moves
"$NSIO" write "$MNT/region0/a" 0 65536 11 fsync
"$NSIO" mmap-write "$MNT/region0/a" 8192 4096 12 hold >"$T/hold.out" &
holder=$!
at_exit "kill -9 $holder 2>/dev/null || true"
for ((i = 0; i < 100; i++)); do [ -s "$T/hold.out" ] && break; sleep 0.05; done
[ -s "$T/hold.out" ] || fail "mmap holder did not start"
ino_a=$(stat -c %i "$MNT/region0/a")

expect_exit 0 pc move-region -r region0 --nvdimm-slot 2
assert_contains "$err" "region0 on '$MNT' is in nvdimm slot 2 (2 labels rewritten)" "online move message"
assert_eq 2 "$(json_get "$out" .nvdimm_slot)" "reply: the new slot"
assert_eq "$ino_a" "$(stat -c %i "$MNT/region0/a")" "a's file is the same file"
"$NSIO" verify "$MNT/region0/a" 0 8192 11 || fail "a's data changed by the move"
expect_exit 0 pc list -r region0
assert_eq "a b" "$(json_get "$out" '[.[].name] | sort | join(" ")')" "region0's namespaces served"
grep -q "region0: moved from nvdimm slot 0 to 2" "$T/daemon.log" || fail "no log line of the move"
kill -9 $holder
wait $holder 2>/dev/null || true
"$NSIO" fsync "$MNT/region0/a"
"$NSIO" verify "$MNT/region0/a" 8192 4096 12 || fail "the mapping's page lost after the move"

# region1 to slot 3: c rewritten, d (slot 3's cookie already) served now
expect_exit 0 pc move-region -r 1 --nvdimm-slot 3
assert_contains "$err" "(1 label rewritten)" "only c's label rewritten"
[ -e "$MNT/region1/d" ] || fail "d not served after region1 moved to its slot"
[ -e "$MNT/region1/c" ] || fail "c not served after the move"
"$NSIO" write "$MNT/region1/d" 0 4096 13 fsync
expect_exit 0 pc list -R
assert_eq "2 3 0" "$(json_get "$out" '[.[].nvdimm_slot | tostring] | join(" ")')" "slots after the moves"

# too few free label slots: refused with both counts, nothing served changes
expect_exit 228 pc move-region -r region2 --nvdimm-slot 1
assert_contains "$err" "region2 has 300 labels, 210 free label slots" "online refusal counts"
# the only region is needed: -r when several
expect_exit 234 pc move-region --nvdimm-slot 1
assert_contains "$err" "name one with -r" "several regions without -r"
expect_exit 254 pc move-region -r region9 --nvdimm-slot 1

pmemfs_stop
expect_exit 0 "$PMEMCTL" read-labels --file "$R0" -j
c0=$(python3 -c 'lo = 0x123456 + 2 + 0x8086; print((0x123456 + 2 + 9 * lo) << 32 | lo)')
assert_eq "$c0 $c0" "$(json_int "$out" isetcookie | xargs)" "region0's labels on media: slot 2"
expect_exit 0 "$PMEMCTL" read-labels --file "$R1" -j
assert_eq "$V12_SLOT3 $V12_SLOT3" "$(json_int "$out" isetcookie | xargs)" "region1's labels: slot 3"
expect_exit 0 "$PMEMCTL" list --file "$R2" -R
assert_eq 0 "$(json_get "$out" '.[0].nvdimm_slot')" "region2 unchanged"
"$NSIO" verify "$R1" "$($PMEMCTL list --file "$R1" | jq -r '.[] | select(.name == "d") | .dpa')" 4096 13 ||
	fail "d's data not in region1"
