#!/bin/bash
# SPDX-License-Identifier: MIT
# Every namespace command through the daemon: create, rename, disable,
# enable, destroy, list; checked on JSON fields, exit codes, the files in
# the mount (a name that was just ENOENT exists as soon as create returns),
# and the labels and bytes of the region file read back offline after
# unmounting.
. "$(dirname "$0")/onlinelib.sh"

MiB=$((1024 * 1024))
R=$T/r.img
region_create "$R" 256M
online_start "$R"
RP=$(realpath "$R")

# an empty mount lists []; -R shows the region with absolute path
expect_exit 0 pc list
assert_eq "[]" "$out" "list of an empty mount: [] (ndctl prints nothing)"
expect_exit 0 pc list -R
assert_eq "region0" "$(json_get "$out" '.[0].dev')" "list -R dev"
assert_eq "$RP" "$(json_get "$out" '.[0].path')" "list -R path: the region file"
assert_eq $((256 * MiB)) "$(json_get "$out" '.[0].file_size')" "list -R file_size"

# create: the file is there when the command returns, right size
run_cmd stat "$MNT/region0/vm1"
[ "$rc" != 0 ] || fail "vm1 exists before it is created"
assert_contains "$err" "No such file or directory" "stat before create"
expect_exit 0 pc create-namespace -r region0 -s 16M -n vm1
assert_eq "vm1" "$(json_get "$out" .name)" "create: name"
assert_eq $((16 * MiB)) "$(json_get "$out" .size)" "create: size"
assert_eq "$MNT/region0/vm1" "$(json_get "$out" .path)" "create: path"
assert_eq "$MNT" "$(json_get "$out" .mount)" "create: mount"
assert_eq "namespace0.0" "$(json_get "$out" .dev)" "create: dev"
assert_eq "" "$err" "create of 16 MiB warns about nothing"
vm1_uuid=$(json_get "$out" .uuid)
vm1_dpa=$(json_get "$out" .dpa)
assert_eq $((16 * MiB)) "$(stat -c %s "$MNT/region0/vm1")" "vm1's file size at once"

# -r left out: the only region; a size that is no multiple of 2 MiB warns
expect_exit 0 pc create-namespace -s 3M -a 1M -n odd
assert_eq $((3 * MiB)) "$(stat -c %s "$MNT/region0/odd")" "odd's file"
assert_contains "$err" "warning: size 3 MiB is not a multiple of 2 MiB" "2 MiB warning"
# the default size: the largest free extent
expect_exit 0 pc create-namespace -n rest --sparse
rest_size=$(json_get "$out" .size)
[ "$rest_size" -gt $((100 * MiB)) ] || fail "default size $rest_size: not the largest extent"
assert_eq 0 "$(json_get "$(pc list -R)" '.[0].max_available_extent')" "rest took the largest extent"
expect_exit 0 pc destroy-namespace -f rest
assert_contains "$err" "destroyed 1 namespace" "destroy message"
[ ! -e "$MNT/region0/rest" ] || fail "rest's file is still there"

# refusals: the daemon's message, ndctl's exit codes, nothing changed
before=$(pc list)
expect_exit 239 pc create-namespace -s 2M -n vm1
assert_contains "$err" "vm1" "duplicate name message"
expect_exit 228 pc create-namespace -s 1G -n big
assert_contains "$err" "pmemctl create-namespace:" "ENOSPC message prefix"
expect_exit 254 pc create-namespace -r region1 -s 2M -n x
assert_contains "$err" "no region 'region1'" "unknown region"
expect_exit 234 pc create-namespace -s 2M -n bad/name
expect_exit 234 pc create-namespace -s 3M -n unaligned
assert_eq "$before" "$(pc list)" "refused creates changed nothing"
[ ! -e "$MNT/region0/big" ] || fail "a refused create left a file"

# rename: the same file under its new name, at once
ino=$(stat -c %i "$MNT/region0/vm1")
expect_exit 0 pc rename-namespace vm1 vm2
assert_eq "vm2" "$(json_get "$out" .name)" "rename: name"
assert_eq "$MNT/region0/vm2" "$(json_get "$out" .path)" "rename: path"
assert_eq "$ino" "$(stat -c %i "$MNT/region0/vm2")" "rename keeps the inode"
[ ! -e "$MNT/region0/vm1" ] || fail "vm1 still there after rename"
expect_exit 239 pc rename-namespace vm2 odd
expect_exit 254 pc rename-namespace nosuch x

# disable/enable: runtime state only
expect_exit 0 pc disable-namespace vm2
assert_contains "$err" "disabled 1 namespace" "disable message"
[ ! -e "$MNT/region0/vm2" ] || fail "vm2's file is there while disabled"
assert_eq "odd" "$(pc list | jq -r '[.[].name] | join(" ")')" "list hides disabled"
assert_eq "disabled" "$(ns_field vm2 state)" "list -i: disabled"
expect_exit 0 pc disable-namespace vm2
expect_exit 0 pc enable-namespace "$vm1_uuid"
assert_contains "$err" "enabled 1 namespace" "enable message"
assert_eq $((16 * MiB)) "$(stat -c %s "$MNT/region0/vm2")" "vm2 back after enable"
expect_exit 0 pc disable-namespace namespace0.0
expect_exit 161 "$PMEMCTL" enable-namespace --file "$R" vm2

# data written now is in the region file at dpa after unmount
"$NSIO" write "$MNT/region0/odd" 0 $((3 * MiB)) 11 fdatasync
odd_dpa=$(ns_field odd dpa)

# offline writers are refused while the daemon holds the region
expect_exit 240 "$PMEMCTL" create-namespace --file "$R" -s 2M -n off
assert_contains "$err" "is in use by another process: it is mounted on '$MNT': use --mount $MNT" \
	"offline create on a mounted region"
# zero-labels has no online form: the way out is unmounting, not --mount
expect_exit 240 "$PMEMCTL" zero-labels --file "$R"
assert_contains "$err" "it is mounted on '$MNT', and this command works offline only: unmount it first (fusermount3 -u $MNT)" \
	"offline-only zero-labels on a mounted region"

pmemfs_stop
# offline: both namespaces are in the labels (a disabled one too)
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq "odd vm2" "$(json_get "$out" '[.[].name] | sort | join(" ")')" "offline names after unmount"
assert_eq "$vm1_uuid" "$(json_get "$out" '.[] | select(.name == "vm2") | .uuid')" "offline uuid"
assert_eq "$vm1_dpa" "$(json_get "$out" '.[] | select(.name == "vm2") | .dpa')" "offline dpa"
assert_eq "$odd_dpa" "$(json_get "$out" '.[] | select(.name == "odd") | .dpa')" "offline dpa of odd"
"$NSIO" verify "$R" "$odd_dpa" $((3 * MiB)) 11 || fail "odd's data is not at its dpa"
expect_exit 0 "$PMEMCTL" check-labels --file "$R"

# a remount enables everything
online_start "$R"
assert_eq $((16 * MiB)) "$(stat -c %s "$MNT/region0/vm2")" "vm2 served after remount"
pmemfs_stop
echo "PASS: $TEST_NAME"
