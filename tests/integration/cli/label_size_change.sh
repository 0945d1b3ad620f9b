#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 16 item 7: a command that would overwrite a valid label area of
# another size, or namespace data, needs -f and says what it would
# destroy: init-labels and zero-labels with a --label-size other than the
# valid area's. With -f the old area is gone for good (its index blocks
# are zeroed), so a plain open finds the new one.
. "$PMEMFS_TESTLIB"
set -e

KiB=1024 MiB=$((1024 * 1024))
R=$T/region0.img
"$PMEMCTL" create-region --size 64M "$R" >/dev/null
# vm1 [0, 62M), vm2 [62M, 64M - 128K): vm2 ends where the 128 KiB area starts
"$PMEMCTL" create-namespace --file "$R" -s 62M -a 4K -n vm1 >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 1920K -a 4K -n vm2 >/dev/null 2>&1
head -c $((128 * KiB)) /dev/urandom >"$T/tail"
dd if="$T/tail" of="$R" bs=1K seek=$((64 * 1024 - 256)) conv=notrunc status=none
cp "$R" "$T/orig.img"

# init-labels --label-size 256K: refused, naming the area, its namespaces
# and the data it would take; nothing written
expect_exit 239 "$PMEMCTL" init-labels --file "$R" --label-size 256K
assert_contains "$err" "'$R' holds a valid 128 KiB label area with 2 namespaces ('vm1', 'vm2')" \
	"init-labels names the valid area"
assert_contains "$err" "a 256 KiB area would take over 128 KiB of namespace 'vm2' data" \
	"init-labels says whose data"
assert_contains "$err" "use --force" "init-labels says how"
cmp "$R" "$T/orig.img" || fail "refused init-labels --label-size 256K changed the file"
# the same with -V 1.1 (other geometry)
expect_exit 239 "$PMEMCTL" init-labels --file "$R" --label-size 256K -V 1.1
cmp "$R" "$T/orig.img" || fail "refused init-labels -V 1.1 changed the file"

# zero-labels --label-size 256K: the same rule
expect_exit 239 "$PMEMCTL" zero-labels --file "$R" --label-size 256K
assert_contains "$err" "zeroing the last 256 KiB would overwrite 128 KiB of namespace 'vm2' data" \
	"zero-labels says whose data"
cmp "$R" "$T/orig.img" || fail "refused zero-labels --label-size 256K changed the file"

# a smaller size inside a larger valid area: refused too
R2=$T/r2.img
"$PMEMCTL" create-region --size 32M --label-size 256K "$R2" >/dev/null
"$PMEMCTL" create-namespace --file "$R2" -s 4M -n keep >/dev/null
cp "$R2" "$T/orig2.img"
expect_exit 239 "$PMEMCTL" init-labels --file "$R2" --label-size 128K
assert_contains "$err" "holds a valid 256 KiB label area with 1 namespace ('keep'); a label area in the last 128 KiB of the file would overwrite part of it" \
	"init-labels inside a larger area"
expect_exit 239 "$PMEMCTL" zero-labels --file "$R2" --label-size 128K
assert_contains "$err" "zeroing the last 128 KiB of the file would overwrite part of it" \
	"zero-labels inside a larger area"
cmp "$R2" "$T/orig2.img" || fail "refused commands changed the 256 KiB region"
# its own size: the old rules (zero-labels needs no -f, init-labels does)
expect_exit 239 "$PMEMCTL" init-labels --file "$R2" --label-size 256K
assert_contains "$err" "has a valid label area: use -f" "same size: the old message"

# -f: the new area is what a plain open finds, and nothing of the old one
expect_exit 0 "$PMEMCTL" init-labels --file "$R" --label-size 256K -f
j=$("$PMEMCTL" list --file "$R" -R)
assert_eq $((256 * KiB)) "$(json_get "$j" '.[0].label_size')" "a plain open finds the 256 KiB area"
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq "[]" "$out" "no namespace after init-labels -f"
expect_exit 0 "$PMEMCTL" check-labels --file "$R"
# the data below the new area is untouched
cmp -n $((64 * MiB - 256 * KiB)) "$R" "$T/orig.img" || fail "init-labels -f touched the data area below it"
# and back to 128 KiB: refused (a valid 256 KiB area), then forced
expect_exit 239 "$PMEMCTL" init-labels --file "$R" --label-size 128K
expect_exit 0 "$PMEMCTL" init-labels --file "$R" --label-size 128K -f
j=$("$PMEMCTL" list --file "$R" -R)
assert_eq $((128 * KiB)) "$(json_get "$j" '.[0].label_size')" "back to 128 KiB"
# zero-labels -f with another size leaves no valid area of either size
expect_exit 0 "$PMEMCTL" zero-labels --file "$R2" --label-size 128K -f
expect_exit 250 "$PMEMCTL" list --file "$R2"
echo "PASS: $TEST_NAME"
