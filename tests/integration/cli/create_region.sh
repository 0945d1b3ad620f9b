#!/bin/bash
# SPDX-License-Identifier: MIT
# create-region: the file it makes, the region JSON it prints, and its
# refusals (existing file 239, bad sizes 234, missing --size 129).
. "$PMEMFS_TESTLIB"
set -e

# json_int JSON FIELD: the integers of FIELD exactly as printed (jq turns
# int64 values past 2^53, such as interleave-set cookies, into doubles)
json_int() {
	printf '%s' "$1" | grep -o "\"$2\": *-\?[0-9]*" | sed 's/.*: *//'
}

MiB=$((1024 * 1024))

expect_exit 0 "$PMEMCTL" create-region --size 64M "$T/r.img"
assert_eq "" "$err" "create-region stderr"
assert_eq $((64 * MiB)) "$(stat -c %s "$T/r.img")" "file size"
assert_eq "region0" "$(json_get "$out" .dev)" "dev"
assert_eq "$T/r.img" "$(json_get "$out" .path)" "path"
assert_eq $((64 * MiB)) "$(json_get "$out" .file_size)" "file_size"
assert_eq 131072 "$(json_get "$out" .label_size)" "label_size (default 128 KiB)"
assert_eq $((64 * MiB - 131072)) "$(json_get "$out" .size)" "size: the data area"
assert_eq "1.2" "$(json_get "$out" .label_version)" "label_version (default)"
assert_eq 2097152 "$(json_get "$out" .align)" "align"
# the data area is 31.94 MiB-aligned chunks: 31 whole 2 MiB extents
assert_eq $((62 * MiB)) "$(json_get "$out" .available_size)" "available_size"
assert_eq $((62 * MiB)) "$(json_get "$out" .max_available_extent)" "max_available_extent"
assert_eq "pmem" "$(json_get "$out" .type)" "type"
assert_eq "none" "$(json_get "$out" .persistence_domain)" "persistence_domain"
# a new v1.2 area: the cookie a QEMU guest computes for v1.2 (0xba90120012b4dc)
assert_eq 52512752653219036 "$(json_int "$out" iset_id)" "iset_id of a v1.2 region"
# pretty-printed like ndctl: one field a line
[ "$(printf '%s\n' "$out" | wc -l)" -gt 10 ] || fail "JSON is not pretty-printed: $out"

# the label area is really at the end: index signature at file_size - 128 KiB
sig=$(dd if="$T/r.img" bs=1 skip=$((64 * MiB - 131072)) count=15 status=none)
assert_eq "NAMESPACE_INDEX" "$sig" "index block 0 at the start of the label area"

# sparse by default, every block with --prealloc
used=$(($(stat -c '%b * %B' "$T/r.img")))
[ "$used" -lt $((8 * MiB)) ] || fail "default region is not sparse ($used bytes used)"
expect_exit 0 "$PMEMCTL" create-region --size 16M --prealloc "$T/p.img"
used=$(($(stat -c '%b * %B' "$T/p.img")))
[ "$used" -ge $((16 * MiB)) ] || fail "--prealloc left the file sparse ($used bytes used)"

# v1.1, a larger label area, --file spelling
expect_exit 0 "$PMEMCTL" create-region --size 32M -V 1.1 --label-size 256K --file "$T/v11.img"
assert_eq "1.1" "$(json_get "$out" .label_version)" "-V 1.1"
assert_eq 262144 "$(json_get "$out" .label_size)" "--label-size 256K"
assert_eq $((32 * MiB - 262144)) "$(json_get "$out" .size)" "size with a 256 KiB label area"
assert_eq 10248187106440278 "$(json_int "$out" iset_id)" "iset_id of a v1.1 region"
expect_exit 0 "$PMEMCTL" list --file "$T/v11.img" -R
assert_eq "1.1" "$(json_get "$out" '.[0].label_version')" "list -R after -V 1.1"
assert_eq 262144 "$(json_get "$out" '.[0].label_size')" "label area found by probing"

# never overwrites: EEXIST (239), file untouched
cp "$T/r.img" "$T/r.copy"
expect_exit 239 "$PMEMCTL" create-region --size 32M "$T/r.img"
assert_contains "$err" "pmemctl create-region: cannot create region '$T/r.img'" "EEXIST message"
assert_eq "" "$out" "nothing on stdout after a failure"
cmp "$T/r.img" "$T/r.copy" || fail "create-region changed an existing file"
assert_eq $((64 * MiB)) "$(stat -c %s "$T/r.img")" "existing file size"

# bad values of valid options: EINVAL (234), no file left behind
expect_exit 234 "$PMEMCTL" create-region --size 4X "$T/bad.img"
assert_contains "$err" "pmemctl create-region: bad value for --size '4X'" "bad size message"
expect_exit 234 "$PMEMCTL" create-region --size 3M "$T/bad.img"
assert_contains "$err" "pmemctl create-region: create region '$T/bad.img': size 3 MiB is not a multiple of 2 MiB" \
	"size not a multiple of 2 MiB"
expect_exit 234 "$PMEMCTL" create-region --size 64M --label-size 100K "$T/bad.img"
expect_exit 234 "$PMEMCTL" create-region --size 64M -V 1.3 "$T/bad.img"
assert_contains "$err" "bad value for --label-version '1.3': use 1.1 or 1.2" "bad version message"
[ ! -e "$T/bad.img" ] || fail "a refused create-region left '$T/bad.img' behind"

# missing directory: ENOENT (254)
expect_exit 254 "$PMEMCTL" create-region --size 8M "$T/no/such/dir/r.img"
echo "PASS: $TEST_NAME"
