#!/bin/bash
# SPDX-License-Identifier: MIT
# check-labels: 0 on a healthy area; EINVAL (234) with one stderr line per
# problem on a corrupted index block or label, or an unserved label;
# ENXIO (250) without a label area. It never changes the file.
. "$PMEMFS_TESTLIB"
set -e

R=$T/r.img
"$PMEMCTL" create-region --size 64M "$R" >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4M -n one >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4M -n two >/dev/null

expect_exit 0 "$PMEMCTL" check-labels --file "$R"
assert_eq "" "$err" "healthy area: nothing on stderr"
assert_eq "true 0 2 2 2" \
	"$(json_get "$out" '.valid, .problems, .labels, .served, .valid_index_blocks' | xargs)" "healthy summary"
assert_eq "1.2 510" "$(json_get "$out" '.label_version, .nslot' | xargs)" "area geometry"
assert_eq 508 "$(json_get "$out" .free_slots)" "free slots"

lsa_off=$((64 * 1024 * 1024 - 131072))
labels=$("$PMEMCTL" read-labels --file "$R" -j)
slot=$(json_get "$labels" '.[0].label[] | select(.name == "two") | .slot')
cur=$(json_get "$labels" '[.[0].index[].current] | index(true)')
other=$((1 - cur))
labeloff=$(json_get "$labels" ".[0].index[$cur].labeloff")
otheroff=$(json_get "$labels" ".[0].index[$other].myoff")

# flip one byte of FILE at OFFSET
flip() {
	local b
	b=$(dd if="$1" bs=1 skip="$2" count=1 status=none | od -An -tu1 | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 0x5a)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# a label with a bad checksum: its slot and why, on stderr
cp "$R" "$T/badlabel.img"
flip "$T/badlabel.img" $((lsa_off + labeloff + slot * 256 + 20))
cp "$T/badlabel.img" "$T/badlabel.copy"
expect_exit 234 "$PMEMCTL" check-labels --file "$T/badlabel.img"
assert_contains "$err" "pmemctl check-labels: label in slot $slot: checksum" "bad label line"
[[ $err != *"label in slot $slot: label in slot"* ]] || fail "the slot named twice: $err"
assert_contains "$err" "1 problem in the label area of '$T/badlabel.img'" "summary line"
assert_eq "false 1 2 1" "$(json_get "$out" '.valid, .problems, .labels, .served' | xargs)" "bad label summary"
cmp "$T/badlabel.img" "$T/badlabel.copy" || fail "check-labels changed the file"
expect_exit 0 "$PMEMCTL" list --file "$T/badlabel.img"
assert_eq "one" "$(json_get "$out" '[.[].name] | join(" ")')" "the bad label is not served"

# the non-current index block corrupted: still usable, but reported
cp "$R" "$T/badindex.img"
flip "$T/badindex.img" $((lsa_off + otheroff + 30))
expect_exit 234 "$PMEMCTL" check-labels --file "$T/badindex.img"
assert_contains "$err" "pmemctl check-labels: index block $other at offset $otheroff of the label area: " "bad index line"
assert_eq "false 1 1 2" "$(json_get "$out" '.valid, .problems, .valid_index_blocks, .served' | xargs)" \
	"bad index summary"

# the kernel's interleaved area: index 0 invalid and a label not served
K=$T/nmem.img
truncate -s 64M "$K"
dd if="$PMEMFS_TESTDATA/nmem1.bin" of="$K" bs=128K seek=511 conv=notrunc status=none
expect_exit 234 "$PMEMCTL" check-labels --file "$K"
assert_contains "$err" "index block 0 at offset 0" "nmem1 index 0"
assert_contains "$err" "label in slot 0 (namespace0.0): not served: interleaved" "nmem1 interleaved label"
assert_eq "2 0" "$(json_get "$out" '.problems, .served' | xargs)" "nmem1 summary"

# a label reaching past the data area: reported as not served
S=$T/small.img
truncate -s 64M "$S"
dd if="$PMEMFS_TESTDATA/qemu-guest-v1.1-fsdax.lsa" of="$S" bs=128K seek=511 conv=notrunc status=none
expect_exit 234 "$PMEMCTL" check-labels --file "$S"
assert_contains "$err" "pmemctl check-labels: label in slot 1 (namespace0.0): not served: invalid: " "label past the data area"
assert_contains "$err" "past the data area" "label past the data area: reason"

# a guest's healthy area is served as it is
Q=$T/q.img
truncate -s 256M "$Q"
dd if="$PMEMFS_TESTDATA/qemu-guest-v1.2-fsdax.lsa" of="$Q" bs=128K seek=2047 conv=notrunc status=none
expect_exit 0 "$PMEMCTL" check-labels --file "$Q"
assert_eq "true 1 1" "$(json_get "$out" '.valid, .labels, .served' | xargs)" "guest area"

# no label area at all: ENXIO
truncate -s 8M "$T/blank.img"
expect_exit 250 "$PMEMCTL" check-labels --file "$T/blank.img"
assert_contains "$err" "pmemctl check-labels: region '$T/blank.img': no label area found" "no area"
expect_exit 250 "$PMEMCTL" check-labels --file "$T/blank.img" --label-size 128K
assert_contains "$err" "index block 0" "both index blocks reported"
assert_contains "$err" "no valid label area in '$T/blank.img'" "no valid area"
echo "PASS: $TEST_NAME"
