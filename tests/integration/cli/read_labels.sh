#!/bin/bash
# SPDX-License-Identifier: MIT
# read-labels: -j decodes index blocks and labels (reference areas written
# by a QEMU guest and by the kernel, and areas pmemctl wrote); without -j
# the raw area, byte for byte; works from the label area alone.
. "$PMEMFS_TESTLIB"
set -e

# json_int JSON FIELD: the integers of FIELD exactly as printed (jq turns
# int64 values past 2^53, such as interleave-set cookies, into doubles)
json_int() {
	printf '%s' "$1" | grep -o "\"$2\": *-\?[0-9]*" | sed 's/.*: *//'
}

# blob_region BLOB FILE SIZE: BLOB as the last 128 KiB of a sparse file
blob_region() {
	truncate -s "$3" "$2"
	dd if="$1" of="$2" bs=128K seek=$(($(stat -c %s "$2") / 131072 - 1)) \
		conv=notrunc status=none
}

# --- QEMU guest, v1.1, one fsdax label ---
Q=$T/q11.img
blob_region "$PMEMFS_TESTDATA/qemu-guest-v1.1-fsdax.lsa" "$Q" 256M
expect_exit 0 "$PMEMCTL" read-labels --file "$Q" -j
assert_eq 1 "$(json_get "$out" length)" "one device"
assert_eq "region0" "$(json_get "$out" '.[0].dev')" "dev"
assert_eq 131072 "$(json_get "$out" '.[0].label_size')" "label area size"
assert_eq $((256 * 1024 * 1024 - 131072)) "$(json_get "$out" '.[0].offset')" "label area offset"
assert_eq 2 "$(json_get "$out" '.[0].index | length')" "two index blocks"
i0='.[0].index[0]'
i1='.[0].index[1]'
assert_eq "NAMESPACE_INDEX" "$(json_get "$out" "$i0.signature")" "signature"
assert_eq "1 1" "$(json_get "$out" "$i0.major, $i0.minor" | xargs)" "version 1.1"
assert_eq 128 "$(json_get "$out" "$i0.labelsize")" "labelsize"
assert_eq 1020 "$(json_get "$out" "$i0.nslot")" "nslot"
assert_eq "2 true true" "$(json_get "$out" "$i0.seq, $i0.valid, $i0.current" | xargs)" "index 0 current"
assert_eq "1 true false" "$(json_get "$out" "$i1.seq, $i1.valid, $i1.current" | xargs)" "index 1"
assert_eq "0 256 256 512" \
	"$(json_get "$out" "$i0.myoff, $i0.mysize, $i0.otheroff, $i0.labeloff" | xargs)" "index 0 offsets"
assert_eq 256 "$(json_get "$out" "$i1.myoff")" "index 1 offset"
[[ $(json_get "$out" "$i0.checksum") =~ ^0x[0-9a-f]+$ ]] || fail "checksum not a hex string"
assert_eq 1 "$(json_get "$out" '.[0].label | length')" "one label"
l='.[0].label[0]'
assert_eq 1 "$(json_get "$out" "$l.slot")" "label slot"
assert_eq 251658240 "$(json_get "$out" "$l.rawsize")" "fsdax label rawsize"
assert_eq 10248187106440278 "$(json_int "$out" isetcookie)" "fsdax label isetcookie"
assert_eq "0 512 1 0 0 true" \
	"$(json_get "$out" "$l.dpa, $l.lbasize, $l.nlabel, $l.position, $l.flags, $l.valid" | xargs)" \
	"fsdax label fields"
assert_eq "null" "$(json_get "$out" "$l.type_guid")" "no GUIDs in a v1.1 label"

# raw: the area byte for byte, to a file and to a pipe
expect_exit 0 "$PMEMCTL" read-labels --file "$Q" -o "$T/dump.lsa"
cmp "$T/dump.lsa" "$PMEMFS_TESTDATA/qemu-guest-v1.1-fsdax.lsa" || fail "read-labels -o differs"
"$PMEMCTL" read-labels --file "$Q" | cmp - "$PMEMFS_TESTDATA/qemu-guest-v1.1-fsdax.lsa" ||
	fail "read-labels to a pipe differs"
if command -v script >/dev/null; then
	set +e
	script -qec "$PMEMCTL read-labels --file $Q" /dev/null >"$T/tty.out" 2>&1
	rc=$?
	set -e
	assert_eq 129 "$rc" "raw label area to a terminal"
	assert_contains "$(cat "$T/tty.out")" "not writing a binary label area to a terminal" "terminal refusal"
fi

# --- QEMU guest, v1.2: GUIDs and the v1.2 cookie ---
Q2=$T/q12.img
blob_region "$PMEMFS_TESTDATA/qemu-guest-v1.2-fsdax.lsa" "$Q2" 256M
expect_exit 0 "$PMEMCTL" read-labels --file "$Q2" -j
assert_eq "1 2 256 510" \
	"$(json_get "$out" "$i0.major, $i0.minor, $i0.labelsize, $i0.nslot" | xargs)" "v1.2 index"
assert_eq 52512752653219036 "$(json_int "$out" isetcookie)" "v1.2 cookie"
assert_eq 251658240 "$(json_get "$out" "$l.rawsize")" "v1.2 rawsize"
assert_eq "66f0d379-b4f3-4074-ac43-0d3318b78cdb" "$(json_get "$out" "$l.type_guid")" "type_guid (pmem)"
assert_eq "266400ba-fb9f-4677-bcb0-968f11d0d225" "$(json_get "$out" "$l.abstraction_guid")" "abstraction_guid (fsdax)"
assert_eq "true" "$(json_get "$out" "$l.valid")" "v1.2 label checksum valid"

# --- kernel-written v1.1 area: index 0 invalid (seq 0), interleaved label ---
K=$T/nmem.img
blob_region "$PMEMFS_TESTDATA/nmem1.bin" "$K" 64M
expect_exit 0 "$PMEMCTL" read-labels --file "$K" -j
assert_eq "false false" "$(json_get "$out" "$i0.valid, $i0.current" | xargs)" "nmem1 index 0 invalid"
[ -n "$(json_get "$out" "$i0.reason")" ] || fail "invalid index block without a reason"
assert_eq "3 true true 1016" \
	"$(json_get "$out" "$i1.seq, $i1.valid, $i1.current, $i1.nslot" | xargs)" "nmem1 index 1 current"
assert_eq "0 4 0 16777216 16777216 8" \
	"$(json_get "$out" "$l.slot, $l.nlabel, $l.position, $l.dpa, $l.rawsize, $l.flags" | xargs)" \
	"nmem1 label"

# --- a label that does not fit the file: not served, read-labels shows it ---
S=$T/small.img
blob_region "$PMEMFS_TESTDATA/qemu-guest-v1.1-fsdax.lsa" "$S" 64M
expect_exit 0 "$PMEMCTL" list --file "$S"
assert_eq "[]" "$out" "a label past the data area is not served"
expect_exit 0 "$PMEMCTL" list --file "$S" -i
assert_eq "invalid" "$(json_get "$out" '.[0].state')" "label past the data area: invalid"
assert_contains "$(json_get "$out" '.[0].reason')" "past the data area" "reason"
expect_exit 0 "$PMEMCTL" read-labels --file "$S" -j
assert_eq 251658240 "$(json_get "$out" "$l.rawsize")" "label past the end of a small file"

# --- no label area: ENXIO unless --label-size says where to look ---
truncate -s 8M "$T/blank.img"
expect_exit 250 "$PMEMCTL" read-labels --file "$T/blank.img" -j
assert_contains "$err" "pmemctl read-labels: region '$T/blank.img': no label area found" "no area message"
assert_contains "$err" "--label-size" "no area message names --label-size"
expect_exit 0 "$PMEMCTL" read-labels --file "$T/blank.img" -j --label-size 128K
assert_eq "false false" "$(json_get "$out" "$i0.valid, $i1.valid" | xargs)" "blank area: no valid index"
assert_eq 0 "$(json_get "$out" '.[0].label | length')" "blank area: no labels"
"$PMEMCTL" read-labels --file "$T/blank.img" --label-size 128K | cmp - <(head -c 131072 /dev/zero) ||
	fail "raw dump of a blank area"
expect_exit 234 "$PMEMCTL" read-labels --file "$T/blank.img" --label-size 16M -j

# --- what pmemctl writes reads back ---
R=$T/r.img
"$PMEMCTL" create-region --size 64M "$R" >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4M -n one >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 8M -n two --read-only >/dev/null
list=$("$PMEMCTL" list --file "$R")
expect_exit 0 "$PMEMCTL" read-labels --file "$R" -j
assert_eq 2 "$(json_get "$out" '.[0].label | length')" "two labels"
assert_eq "$(json_get "$list" '[.[] | [.name, .uuid, .dpa, .size]] | sort | tostring')" \
	"$(json_get "$out" '[.[0].label[] | [.name, .uuid, .dpa, .rawsize]] | sort | tostring')" \
	"labels match list"
assert_eq 1 "$(json_get "$out" '.[0].label[] | select(.name == "two") | .flags')" "ROLABEL flag"
assert_eq "0 0" "$(json_get "$out" '[.[0].label[].position | tostring] | join(" ")')" "positions"
assert_eq "1 1" "$(json_get "$out" '[.[0].label[].nlabel | tostring] | join(" ")')" "nlabel 1"
assert_eq "66f0d379-b4f3-4074-ac43-0d3318b78cdb" \
	"$(json_get "$out" '.[0].label[0].type_guid')" "pmemctl writes the pmem type GUID"
assert_eq "52512752653219036 52512752653219036" "$(json_int "$out" isetcookie | xargs)" "pmemctl writes the v1.2 cookie"
echo "PASS: $TEST_NAME"
