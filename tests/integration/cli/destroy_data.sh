#!/bin/bash
# SPDX-License-Identifier: MIT
# The data of a namespace sits in the region file at its "dpa"; destroying
# it zeroes the first min(8 KiB, size) bytes (ndctl's rule) and nothing else.
. "$PMEMFS_TESTLIB"
set -e

R=$T/r.img
"$PMEMCTL" create-region --size 64M "$R" >/dev/null

# fill: pattern BYTE COUNT > file
pattern() { head -c "$2" /dev/zero | tr '\0' "$1"; }
# poke OFFSET FILE: write stdin into the region at OFFSET
poke() { dd of="$R" bs=64K seek="$1" oflag=seek_bytes conv=notrunc status=none; }
# peek OFFSET COUNT: the region's bytes
peek() { dd if="$R" bs=64K skip="$1" count="$2" iflag=skip_bytes,count_bytes status=none; }

"$PMEMCTL" create-namespace --file "$R" -s 4M -n before >/dev/null
j=$("$PMEMCTL" create-namespace --file "$R" -s 16M -n data)
dpa=$(json_get "$j" .dpa)
assert_eq $((4 * 1024 * 1024)) "$dpa" "dpa of the second namespace"
j=$("$PMEMCTL" create-namespace --file "$R" -s 4K -a 4K -n tiny)
tiny=$(json_get "$j" .dpa)
j=$("$PMEMCTL" create-namespace --file "$R" -s 4K -a 4K -n after)
after=$(json_get "$j" .dpa)
assert_eq $((tiny + 4096)) "$after" "4 KiB namespaces packed"

# the namespace's bytes: 64 KiB of 0xab from its dpa; neighbours 0xcd
pattern '\253' 65536 | poke "$dpa"
pattern '\315' 4096 | poke $((dpa - 4096))
pattern '\253' 4096 | poke "$tiny"
pattern '\315' 4096 | poke "$after"
peek "$dpa" 65536 | cmp - <(pattern '\253' 65536) || fail "pattern not written at dpa"
cp "$R" "$T/before-destroy.img"

expect_exit 0 "$PMEMCTL" destroy-namespace --file "$R" data
peek "$dpa" 8192 | cmp - <(pattern '\0' 8192) ||
	fail "the first 8 KiB of the destroyed namespace are not zero"
peek $((dpa + 8192)) $((65536 - 8192)) | cmp - <(pattern '\253' $((65536 - 8192))) ||
	fail "bytes past 8 KiB of the destroyed namespace changed"
peek $((dpa - 4096)) 4096 | cmp - <(pattern '\315' 4096) ||
	fail "the namespace before the destroyed one changed"
# nothing else in the data area changed (the label area did, by design)
data_end=$((64 * 1024 * 1024 - 131072))
cmp -n "$dpa" "$R" "$T/before-destroy.img" || fail "data before dpa changed"
cmp -i $((dpa + 8192)) -n $((data_end - dpa - 8192)) "$R" "$T/before-destroy.img" ||
	fail "data after the zeroed 8 KiB changed"

# a namespace smaller than 8 KiB: only its own bytes are zeroed
expect_exit 0 "$PMEMCTL" destroy-namespace --file "$R" tiny
peek "$tiny" 4096 | cmp - <(pattern '\0' 4096) || fail "4 KiB namespace not zeroed"
peek "$after" 4096 | cmp - <(pattern '\315' 4096) ||
	fail "destroying a 4 KiB namespace zeroed its neighbour"
echo "PASS: $TEST_NAME"
