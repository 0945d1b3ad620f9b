#!/bin/bash
# SPDX-License-Identifier: MIT
# create-namespace, rename-namespace, destroy-namespace on a region file:
# the JSON they print, what list shows afterwards, and every refusal with
# its exit code (ENOSPC 228 naming the largest extent, EEXIST 239, EINVAL
# 234, ENOENT 254).
. "$PMEMFS_TESTLIB"
set -e

MiB=$((1024 * 1024))
R=$T/r.img
"$PMEMCTL" create-region --size 64M "$R" >/dev/null

ns_count() {
	local j
	j=$("$PMEMCTL" list --file "$R")
	if [ -z "$j" ]; then echo 0; else json_get "$j" length; fi
}

# a first namespace: the first extent, random uuid, preallocated
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -s 16M -n vm1
assert_eq "" "$err" "create-namespace stderr"
assert_eq "namespace0.0" "$(json_get "$out" .dev)" "dev"
assert_eq "raw" "$(json_get "$out" .mode)" "mode"
assert_eq $((16 * MiB)) "$(json_get "$out" .size)" "size"
assert_eq "vm1" "$(json_get "$out" .name)" "name"
assert_eq 0 "$(json_get "$out" .dpa)" "dpa of the first namespace"
# align: the largest power of two dividing size and dpa, at most 2 MiB
assert_eq 2097152 "$(json_get "$out" .align)" "align"
assert_eq "null" "$(json_get "$out" .readonly)" "readonly only shown when set"
uuid1=$(json_get "$out" .uuid)
[[ $uuid1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] ||
	fail "uuid '$uuid1' is not a lowercase uuid"
# preallocated: the namespace's blocks exist in the region file
used=$(($(stat -c '%b * %B' "$R")))
[ "$used" -ge $((16 * MiB)) ] || fail "namespace range not preallocated ($used bytes used)"

# given uuid (any case), alignment, read-only, sparse
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" --size 8M --name ro \
	--uuid 0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0 --align 4M --read-only --sparse
assert_eq "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" "$(json_get "$out" .uuid)" "given uuid"
assert_eq $((16 * MiB)) "$(json_get "$out" .dpa)" "dpa after the first namespace (4 MiB aligned)"
assert_eq "true" "$(json_get "$out" .readonly)" "--read-only"
assert_eq $((8 * MiB)) "$(json_get "$out" .size)" "size"
used2=$(($(stat -c '%b * %B' "$R")))
[ "$used2" -lt $((used + 4 * MiB)) ] || fail "--sparse preallocated the range"

expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -s 2M -a 4K
dev3=$(json_get "$out" .dev)
[[ $dev3 =~ ^namespace0\.[0-9]+$ ]] || fail "dev '$dev3' is not namespace0.N"
assert_eq "$dev3" "$(json_get "$out" .name)" "no name: shown under its device name"
assert_eq $((24 * MiB)) "$(json_get "$out" .dpa)" "dpa of the third namespace"
assert_eq 3 "$(ns_count)" "three namespaces listed"

# the region's free space follows
j=$("$PMEMCTL" list --file "$R" -R)
assert_eq $((62 * MiB - 26 * MiB)) "$(json_get "$j" '.[0].available_size')" "available_size"
assert_eq $((36 * MiB)) "$(json_get "$j" '.[0].max_available_extent')" "max_available_extent"

# ENOSPC: the message names the largest free extent
expect_exit 228 "$PMEMCTL" create-namespace --file "$R" -s 40M -n big
assert_contains "$err" "pmemctl create-namespace: cannot create namespace in '$R'" "ENOSPC message"
assert_contains "$err" "36 MiB" "ENOSPC message names the largest free extent"
assert_eq "" "$out" "nothing on stdout after ENOSPC"
assert_eq 3 "$(ns_count)" "ENOSPC created nothing"

# duplicates and invalid names, uuids, sizes
expect_exit 239 "$PMEMCTL" create-namespace --file "$R" -s 2M -n vm1
assert_contains "$err" "vm1" "duplicate name message names it"
expect_exit 239 "$PMEMCTL" create-namespace --file "$R" -s 2M -n other -u "$uuid1"
for bad in "a/b" "." ".." "all" "namespace0.7" "$uuid1" \
	"$(printf 'x%.0s' {1..64})" "$(printf 'tab\tname')"; do
	expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 2M -n "$bad"
	assert_contains "$err" "pmemctl create-namespace: cannot create namespace in '$R'" "invalid name '$bad'"
done
expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 2M -u not-a-uuid
assert_contains "$err" "bad value for --uuid 'not-a-uuid'" "bad uuid message"
expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 3M
expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 2M -a 3M
expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 2M -a 1K
expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 2Q
assert_contains "$err" "bad value for --size '2Q'" "bad size message"
expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 0
expect_exit 234 "$PMEMCTL" create-namespace --file "$R" -s 2M -m fsdax
assert_contains "$err" "pmemfs namespaces are raw" "--mode fsdax refused"
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -s 2M -m raw -n withmode
assert_eq 4 "$(ns_count)" "refused creates created nothing"

# rename: by name, uuid or device name; the rest of the label is kept
expect_exit 0 "$PMEMCTL" rename-namespace --file "$R" vm1 vm1-renamed
assert_eq "vm1-renamed" "$(json_get "$out" .name)" "rename output"
assert_eq "$uuid1" "$(json_get "$out" .uuid)" "rename keeps the uuid"
assert_eq 0 "$(json_get "$out" .dpa)" "rename keeps the dpa"
expect_exit 0 "$PMEMCTL" rename-namespace --file "$R" 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 ro2
assert_eq "true" "$(json_get "$out" .readonly)" "rename keeps read-only"
j=$("$PMEMCTL" list --file "$R")
assert_eq "vm1-renamed" "$(json_get "$j" '.[] | select(.uuid == "'"$uuid1"'") | .name')" "list after rename"
expect_exit 254 "$PMEMCTL" rename-namespace --file "$R" nosuch x
assert_contains "$err" "pmemctl rename-namespace: no namespace 'nosuch' in '$R'" "rename unknown"
expect_exit 239 "$PMEMCTL" rename-namespace --file "$R" ro2 vm1-renamed
expect_exit 234 "$PMEMCTL" rename-namespace --file "$R" ro2 "bad/name"

# destroy: unknown name 254 and nothing destroyed, then by each spelling
expect_exit 254 "$PMEMCTL" destroy-namespace --file "$R" ro2 nosuch
assert_contains "$err" "pmemctl destroy-namespace: no namespace 'nosuch' in '$R'" "destroy unknown"
assert_eq 4 "$(ns_count)" "an unknown name destroys nothing"
expect_exit 0 "$PMEMCTL" destroy-namespace --file "$R" vm1-renamed
assert_contains "$err" "destroyed 1 namespace" "destroy message"
assert_eq 3 "$(ns_count)" "destroy by name"
[ -z "$("$PMEMCTL" list --file "$R" | jq -r '.[] | select(.uuid == "'"$uuid1"'") | .uuid')" ] ||
	fail "destroyed namespace still listed"
expect_exit 0 "$PMEMCTL" destroy-namespace --file "$R" 0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0
assert_eq 2 "$(ns_count)" "destroy by uuid"
dev=$("$PMEMCTL" list --file "$R" | jq -r '.[] | select(.name == "withmode") | .dev')
expect_exit 0 "$PMEMCTL" destroy-namespace --file "$R" "$dev"
assert_eq 1 "$(ns_count)" "destroy by device name"

# the freed space is handed out again, first fit from dpa 0
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -s 4M -n again
assert_eq 0 "$(json_get "$out" .dpa)" "freed range reused"

# without --size: the largest free extent, as ndctl
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -n rest
assert_eq $((36 * MiB)) "$(json_get "$out" .size)" "default size = max_available_extent"

# all: every namespace; then list prints [] and exits 0
expect_exit 0 "$PMEMCTL" destroy-namespace --file "$R" all
assert_contains "$err" "destroyed 3 namespaces" "destroy all"
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq "[]" "$out" "empty list prints []"
j=$("$PMEMCTL" list --file "$R" -R)
assert_eq $((62 * MiB)) "$(json_get "$j" '.[0].available_size')" "all space free again"
expect_exit 0 "$PMEMCTL" destroy-namespace --file "$R" all
assert_contains "$err" "destroyed 0 namespaces" "destroy all on an empty region"
echo "PASS: $TEST_NAME"
