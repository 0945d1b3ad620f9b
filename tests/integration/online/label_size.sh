#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 16 item 7, online: a daemon serving a 256 KiB label area (-o
# label_size=) of a file that also holds a valid 128 KiB area (the one a
# plain open finds, with a namespace) does not drop that area on an
# init-labels without -f, and says what it would destroy; with -f it does,
# and a plain open then finds the new area.
. "$(dirname "$0")/onlinelib.sh"

A=$T/a.img R=$T/r.img
region_create "$A" 64M
"$PMEMCTL" create-namespace --file "$A" -s 4M -n vm >/dev/null
"$PMEMCTL" create-region --layout "$LAYOUT" --size 64M --label-size 256K "$R" >/dev/null
# a's 128 KiB area (with vm) becomes the last 128 KiB of r (a region
# directory's labels are in DIR/region: the same area, the same rule)
AF=$A RF=$R
if [ -d "$R" ]; then
	AF=$A/region RF=$R/region
	cp "$A"/ns-* "$R"/	# and vm's file with it
fi
dd if="$AF" of="$RF" bs=128K skip=511 seek=511 count=1 conv=notrunc status=none
assert_eq 131072 "$("$PMEMCTL" list --file "$R" -R | jq '.[0].label_size')" "a plain open finds 128 KiB"
cp "$RF" "$T/orig.img"

online_start -o label_size=256K "$R"
expect_exit 239 pc init-labels
assert_contains "$err" "holds a valid 128 KiB label area with 1 namespace ('vm')" "online refusal"
assert_contains "$err" "use --force" "online refusal says how"
pmemfs_stop
cmp "$RF" "$T/orig.img" || fail "a refused online init-labels changed the file"
assert_eq '"vm"' "$("$PMEMCTL" list --file "$R" | jq -c '.[0].name')" "vm is still there"

online_start -o label_size=256K "$R"
expect_exit 0 pc init-labels -f
pmemfs_stop
assert_eq 262144 "$("$PMEMCTL" list --file "$R" -R | jq '.[0].label_size')" "-f: a plain open finds 256 KiB"
echo "PASS: $TEST_NAME"
