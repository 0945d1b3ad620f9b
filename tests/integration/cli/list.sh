#!/bin/bash
# SPDX-License-Identifier: MIT
# list: ndctl's shapes (-N, -R, -R -N, none), -u human sizes, -i unserved
# labels, on regions made by pmemctl and on label areas written by a QEMU
# guest and by the kernel (the reference blobs).
. "$PMEMFS_TESTLIB"
set -e

# json_int JSON FIELD: the integers of FIELD exactly as printed (jq turns
# int64 values past 2^53, such as interleave-set cookies, into doubles)
json_int() {
	printf '%s' "$1" | grep -o "\"$2\": *-\?[0-9]*" | sed 's/.*: *//'
}

MiB=$((1024 * 1024))
R=$T/r.img
"$PMEMCTL" create-region --size 8G "$R" >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4G -n big --sparse >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 2M -n small >/dev/null

ns_keys='["align","dev","dpa","mode","name","size","uuid"]'

# no option and -N: an array of namespaces
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq 2 "$(json_get "$out" length)" "list: two namespaces"
assert_eq "big small" "$(json_get "$out" '[.[].name] | join(" ")')" "list: names in slot order"
assert_eq "$ns_keys" "$(json_get "$out" '.[0] | keys | tostring')" "namespace fields"
assert_eq $((4096 * MiB)) "$(json_get "$out" '.[0].size')" "size in bytes"
plain=$out
expect_exit 0 "$PMEMCTL" list --file "$R" -N
assert_eq "$plain" "$out" "list -N is list's default"

# -R: an array of regions, no namespaces
expect_exit 0 "$PMEMCTL" list --file "$R" -R
assert_eq 1 "$(json_get "$out" length)" "list -R: one region"
assert_eq '["align","available_size","dev","file_size","iset_id","label_size","label_version","max_available_extent","nvdimm_slot","path","persistence_domain","size","type"]' \
	"$(json_get "$out" '.[0] | keys | tostring')" "region fields"
assert_eq 0 "$(json_get "$out" '.[0].nvdimm_slot')" "a region of create-region's default: nvdimm slot 0"
assert_eq $((8192 * MiB - 131072)) "$(json_get "$out" '.[0].size')" "region size: the data area"
assert_eq $((8192 * MiB)) "$(json_get "$out" '.[0].file_size')" "region file_size"
assert_eq $((8192 * MiB - 4096 * MiB - 2 * MiB - 2 * MiB)) \
	"$(json_get "$out" '.[0].available_size')" "available_size (2 MiB granules)"

# -R -N: {"regions": [...]} (ndctl 76), each region with its namespaces
expect_exit 0 "$PMEMCTL" list --file "$R" -R -N
assert_eq "region0" "$(json_get "$out" '.regions[0].dev')" "list -R -N region"
assert_eq 2 "$(json_get "$out" '.regions[0].namespaces | length')" "list -R -N namespaces"
assert_eq "$(json_get "$plain" 'tojson')" "$(json_get "$out" '.regions[0].namespaces | tojson')" "list -R -N: the same namespaces"
expect_exit 0 "$PMEMCTL" list --file "$R" -RN -r region0
assert_eq 2 "$(json_get "$out" '.regions[0].namespaces | length')" "list -RN -r region0"
expect_exit 254 "$PMEMCTL" list --file "$R" -r region1
assert_contains "$err" "no region 'region1'" "list -r region1"

# -u: ndctl's human sizes; numbers below 5000 KiB stay numbers; ids in hex
expect_exit 0 "$PMEMCTL" list --file "$R" -u
assert_eq "4.00 GiB (4.29 GB)" "$(json_get "$out" '.[0].size')" "human size"
assert_eq "number" "$(json_get "$out" '.[1].size | type')" "2 MiB stays a number"
assert_eq "0x100000000" "$(json_get "$out" '.[1].dpa')" "human dpa in hex"
# ndctl prints a lone item unwrapped with -u
expect_exit 0 "$PMEMCTL" list --file "$R" -R -u
assert_eq "0xba90120012b4dc" "$(json_get "$out" '.iset_id')" "human iset_id in hex"
assert_eq "8.00 GiB (8.59 GB)" "$(json_get "$out" '.size')" "human region size"

# a QEMU guest's label area (v1.1, fsdax label): served as a raw namespace
Q=$T/qemu.img
truncate -s 256M "$Q"
dd if="$PMEMFS_TESTDATA/qemu-guest-v1.1-fsdax.lsa" of="$Q" bs=128K seek=2047 conv=notrunc status=none
expect_exit 0 "$PMEMCTL" list --file "$Q" -R -N
assert_eq "1.1" "$(json_get "$out" '.regions[0].label_version')" "guest area version"
assert_eq 268304384 "$(json_get "$out" '.regions[0].size')" "guest region size (256 MiB - 128 KiB)"
assert_eq 10248187106440278 "$(json_int "$out" iset_id)" "guest cookie"
assert_eq 1 "$(json_get "$out" '.regions[0].namespaces | length')" "guest namespace"
assert_eq 251658240 "$(json_get "$out" '.regions[0].namespaces[0].size')" "guest namespace size"
assert_eq 0 "$(json_get "$out" '.regions[0].namespaces[0].dpa')" "guest namespace dpa"
assert_eq "raw" "$(json_get "$out" '.regions[0].namespaces[0].mode')" "guest namespace mode"
dev=$(json_get "$out" '.regions[0].namespaces[0].dev')
assert_eq "$dev" "$(json_get "$out" '.regions[0].namespaces[0].name')" "unnamed guest namespace shown by dev"

# kernel-written interleaved label (nlabel 4): not served, shown with -i
K=$T/nmem.img
truncate -s 64M "$K"
dd if="$PMEMFS_TESTDATA/nmem1.bin" of="$K" bs=128K seek=511 conv=notrunc status=none
expect_exit 0 "$PMEMCTL" list --file "$K"
assert_eq "[]" "$out" "unserved labels are not listed without -i"
expect_exit 0 "$PMEMCTL" list --file "$K" -i
assert_eq 1 "$(json_get "$out" length)" "list -i shows the interleaved label"
assert_eq "interleaved" "$(json_get "$out" '.[0].state')" "state"
[ -n "$(json_get "$out" '.[0].reason')" ] || fail "unserved label without a reason"
assert_eq $((16 * MiB)) "$(json_get "$out" '.[0].dpa')" "interleaved label dpa"
expect_exit 0 "$PMEMCTL" list --file "$K" -R
# its range stays reserved: 64 MiB - 128 KiB data, 16 MiB at 16 MiB taken
assert_eq $((62 * MiB - 16 * MiB)) "$(json_get "$out" '.[0].available_size')" "unserved range reserved"
assert_eq $((30 * MiB)) "$(json_get "$out" '.[0].max_available_extent')" "largest extent past it"

# list changes nothing, even with unserved labels around
cp "$K" "$T/nmem.copy"
"$PMEMCTL" list --file "$K" -R -N -i >/dev/null
cmp "$K" "$T/nmem.copy" || fail "list changed the region file"

# no label area: ENXIO (250); no file: ENOENT (254)
truncate -s 16M "$T/blank.img"
expect_exit 250 "$PMEMCTL" list --file "$T/blank.img"
assert_contains "$err" "pmemctl list: region '$T/blank.img': no label area" "no labels message"
expect_exit 254 "$PMEMCTL" list --file "$T/nosuch.img"
assert_contains "$err" "pmemctl list: cannot open region '$T/nosuch.img'" "missing file message"
echo "PASS: $TEST_NAME"
