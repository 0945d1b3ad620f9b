#!/bin/bash
# SPDX-License-Identifier: MIT
# check-labels says the same words for the same label area online (the
# daemon) and offline (--file): both run the core's one walk
# (src/ns/label_check.c). Crafted areas: the kernel's interleaved area
# (index 0 invalid, the label interleaved), a QEMU guest's area whose label
# reaches past the data area (invalid), and a pmemfs area with the
# non-current index block corrupted, a label that lies about its slot,
# two overlapping labels and a label of a foreign interleave set, and a
# pmemfs area whose index block 1 covers too few slots (probing takes it
# for a smaller area nested below and ignores it: offline said nothing of
# it before, the daemon did). Every
# finding line is the same in both modes, in the same order, and so are
# the exit code and the counts.
. "$(dirname "$0")/onlinelib.sh"

LSAEDIT=lsaedit	# fslib.sh: the label area of a region file or directory

K=$T/nmem.img Q=$T/guest.img P=$T/pmemfs.img S=$T/nested.img
truncate -s 64M "$K" "$Q"
dd if="$PMEMFS_TESTDATA/nmem1.bin" of="$K" bs=128K seek=511 conv=notrunc status=none
dd if="$PMEMFS_TESTDATA/qemu-guest-v1.1-fsdax.lsa" of="$Q" bs=128K seek=511 conv=notrunc \
	status=none

region_create "$P" 64M
for n in a b c d; do
	"$PMEMCTL" create-namespace --file "$P" -s 4M -n "$n" >/dev/null
done
labels=$("$PMEMCTL" read-labels --file "$P" -j)
slot_of() { json_get "$labels" ".[0].label[] | select(.name == \"$1\") | .slot"; }
dpa_a=$(json_get "$labels" '.[0].label[] | select(.name == "a") | .dpa')
cur=$($LSAEDIT "$P" info | jq .current)
$LSAEDIT "$P" label "$(slot_of b)" slot 7
$LSAEDIT "$P" label "$(slot_of c)" dpa "$dpa_a"
$LSAEDIT "$P" label "$(slot_of d)" isetcookie 12345
$LSAEDIT "$P" corrupt-index $((1 - cur))
region_create "$S" 64M
"$PMEMCTL" create-namespace --file "$S" -s 4M -n a >/dev/null
$LSAEDIT "$S" index 1 nslot 8

# offline FILE: the finding lines of check-labels --file (no summary line)
declare -A lines count served
offline() {
	expect_exit 234 "$PMEMCTL" check-labels --file "$1"
	lines[$1]=$(printf '%s\n' "$err" | sed -n 's/^pmemctl check-labels: //p' |
		grep -v "problems\? in the label area of '$1'$")
	count[$1]=$(json_get "$out" '"\(.labels) \(.problems) \(.valid)"')
	served[$1]=$(json_get "$out" .served)
}
offline "$K"
offline "$Q"
offline "$P"
offline "$S"
# what each area must show (the words themselves: cli/check_labels.sh)
assert_contains "${lines[$K]}" "index block 0 at offset 0 of the label area: " "nmem1 index 0"
assert_contains "${lines[$K]}" "label in slot 0 (namespace0.0): not served: interleaved: " \
	"nmem1 label"
assert_contains "${lines[$Q]}" "label in slot 1 (namespace0.0): not served: invalid: range " \
	"guest label past the data area"
assert_contains "${lines[$P]}" "index block $((1 - cur)) at offset " "pmemfs area: index block"
assert_contains "${lines[$P]}" "label in slot $(slot_of b): slot field 7 differs" "lying label"
assert_contains "${lines[$P]}" "not served: invalid: range " "overlapping labels"
assert_contains "${lines[$P]}" "not served: foreign: interleave-set cookie 0x3039" "foreign label"
assert_eq 5 "$(printf '%s\n' "${lines[$P]}" | wc -l)" "pmemfs area: five findings"
assert_eq "index block 1 at offset 256 of the label area: nslot 8 covers 2048 of 131072 bytes: \
a smaller label area nested below" "${lines[$S]}" "nested area"
# what the region serves is read from the same area (block 0 current)
assert_eq "0 0" "${count[$S]%% *} ${served[$S]}" "nested area: labels and served"

# one region per daemon: region0, as offline names it (namespace0.N)
for f in "$K" "$Q" "$P" "$S"; do
	online_start "$f"
	expect_exit 234 pc check-labels
	got=$(printf '%s\n' "$err" | sed -n "s/^pmemctl check-labels: region0: //p")
	assert_eq "${lines[$f]}" "$got" "$(basename "$f"): online findings"
	assert_contains "$err" "$(printf '%s\n' "${lines[$f]}" | wc -l) problem" \
		"$(basename "$f"): count"
	assert_eq "${count[$f]}" "$(json_get "$out" '.[0] | "\(.labels) \(.problems) \(.valid)"')" \
		"$(basename "$f"): labels, problems, valid"
	expect_exit 0 pc list
	assert_eq "${served[$f]}" "$(json_get "$out" length)" "$(basename "$f"): served online"
	pmemfs_stop
done
echo "PASS: $TEST_NAME"
