#!/bin/bash
# SPDX-License-Identifier: MIT
# Messages in the user's terms, offline (issue 17, items 9, 10, 12): a
# name's length counted as the user counts it, an alignment that leaves
# no room said to be the alignment, sizes of 0 or too small for any
# namespace refused with the least size that works, and fractional SIZE
# values taken when they are whole bytes. Every refusal leaves the region
# file as it was.
. "$PMEMFS_TESTLIB"
set -e

MiB=$((1024 * 1024))
R=$T/r.img
"$PMEMCTL" create-region --size 512M "$R" >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 64M -n x >/dev/null
# what a refused command could change: the label area (the last 128 KiB)
labels() { tail -c 131072 "$R" | sha256sum; }
sum=$(labels)
unchanged() { [ "$(labels)" = "$sum" ] || fail "$1 changed the label area"; }

# --- item 9: a 64-byte name is 64 bytes, at most 63 (no NUL counted)
n64=$(printf 'a%.0s' {1..64})
n63=${n64:1}
expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 2M -n "$n64"
assert_contains "$err" "name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 64 bytes, at most 63" \
	"create-namespace with a 64-byte name"
unchanged "create-namespace with a 64-byte name"
expect_exit 234 "$PMEMCTL" rename-namespace --file "$R" x "$n64"
assert_contains "$err" "is 64 bytes, at most 63" "rename-namespace to a 64-byte name"
unchanged "rename-namespace to a 64-byte name"
# 63 bytes is a name
expect_exit 0 "$PMEMCTL" rename-namespace --file "$R" x "$n63"
assert_eq "$n63" "$(json_get "$out" .name)" "a 63-byte name"
expect_exit 0 "$PMEMCTL" rename-namespace --file "$R" "$n63" x
sum=$(labels)

# --- item 10: the alignment, not the space, is what does not fit
# free: [64 MiB, 512 MiB - 128 KiB), 446 MiB at 2 MiB alignment, and no
# 256 MiB-aligned 256 MiB in it (the issue's -a 1G -s 1G in 2 GiB, smaller)
expect_exit 0 "$PMEMCTL" list --file "$R" -R
assert_eq $((446 * MiB)) "$(json_get "$out" '.[0].max_available_extent')" "max_available_extent"
expect_exit 228 "$PMEMCTL" create-namespace --file "$R" -a 256M -s 256M -n y
assert_contains "$err" "no free extent of 256 MiB aligned to 256 MiB in region0: the largest free extent is 446 MiB but holds no 256 MiB-aligned range of 256 MiB (use a smaller --align)" \
	"-a 256M -s 256M"
unchanged "-a 256M -s 256M"
# without --size: the largest extent of that alignment, none
expect_exit 228 "$PMEMCTL" create-namespace --file "$R" -a 256M -n y
assert_contains "$err" "no free extent aligned to 256 MiB in region0: the largest free extent is 446 MiB (use a smaller --align)" \
	"-a 256M without --size"
# too large at any alignment: the plain message, with the largest extent
expect_exit 228 "$PMEMCTL" create-namespace --file "$R" -a 256M -s 512M -n y
assert_contains "$err" "no free extent of 512 MiB in region0 (largest free extent 446 MiB)" "-a 256M -s 512M"
unchanged "refused creates"
# the same size at the default alignment fits
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -s 256M -n y --sparse
assert_eq $((256 * MiB)) "$(json_get "$out" .size)" "256 MiB at 2 MiB alignment"

# --- item 12: sizes of a region
expect_exit 234 "$PMEMCTL" create-region --size 0 "$T/z.img"
assert_contains "$err" "size must be greater than 0: at least 4 MiB (a label area of 131072 bytes and one 2 MiB namespace)" \
	"--size 0"
expect_exit 234 "$PMEMCTL" create-region --size 2M "$T/z.img"
assert_contains "$err" "size 2 MiB leaves 1966080 bytes for data after a label area of 131072 bytes: no 2 MiB namespace fits (at least 4 MiB)" \
	"--size 2M"
expect_exit 234 "$PMEMCTL" create-region --size 4M --label-size 4M "$T/z.img"
assert_contains "$err" "leaves no room for data after a label area of 4 MiB" "label area as large as the file"
expect_exit 234 "$PMEMCTL" create-region --size 2M --label-size 1M "$T/z.img"
assert_contains "$err" "size 2 MiB leaves 1 MiB for data after a label area of 1 MiB: no 2 MiB namespace fits (at least 4 MiB)" \
	"--size 2M --label-size 1M"
[ ! -e "$T/z.img" ] || fail "a refused create-region left a file"
# the least size that works holds one 2 MiB namespace
expect_exit 0 "$PMEMCTL" create-region --size 4M "$T/z.img"
assert_eq $((2 * MiB)) "$(json_get "$out" .max_available_extent)" "a 4 MiB region holds 2 MiB"
expect_exit 0 "$PMEMCTL" create-namespace --file "$T/z.img" -n one
assert_eq $((2 * MiB)) "$(json_get "$out" .size)" "the one namespace of a 4 MiB region"

# fractions: taken when whole bytes, everywhere a SIZE is parsed
expect_exit 0 "$PMEMCTL" create-region -s 1.5G "$T/f.img"
assert_eq 1610612736 "$(stat -c %s "$T/f.img")" "-s 1.5G"
expect_exit 0 "$PMEMCTL" create-namespace --file "$T/f.img" -s 0.5G -n half --sparse
assert_eq $((512 * MiB)) "$(json_get "$out" .size)" "create-namespace -s 0.5G"
expect_exit 234 "$PMEMCTL" create-region -s 1.1G "$T/g.img"
assert_contains "$err" "invalid size '1.1G': not a whole number of bytes (1181116006.4 bytes)" "-s 1.1G"
expect_exit 234 "$PMEMCTL" create-namespace --file "$T/f.img" -s 2M -a 0.1k -n q
assert_contains "$err" "invalid size '0.1k': not a whole number of bytes (102.4 bytes)" "-a 0.1k"
[ ! -e "$T/g.img" ] || fail "a refused create-region left a file"
echo "PASS: $TEST_NAME"
