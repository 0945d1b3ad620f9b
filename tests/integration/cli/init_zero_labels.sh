#!/bin/bash
# SPDX-License-Identifier: MIT
# init-labels (refused on a valid area without -f, EEXIST 239, as ndctl)
# and zero-labels: what they do to the label area, and that the data area
# is never touched.
. "$PMEMFS_TESTLIB"
set -e

# json_int JSON FIELD: the integers of FIELD exactly as printed (jq turns
# int64 values past 2^53, such as interleave-set cookies, into doubles)
json_int() {
	printf '%s' "$1" | grep -o "\"$2\": *-\?[0-9]*" | sed 's/.*: *//'
}

MiB=$((1024 * 1024))
R=$T/r.img
"$PMEMCTL" create-region --size 32M "$R" >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4M -n one >/dev/null
"$PMEMCTL" create-namespace --file "$R" -s 4M -n two >/dev/null
lsa_off=$((32 * MiB - 131072))
head -c 65536 /dev/urandom >"$T/data"
dd if="$T/data" of="$R" bs=64K seek=1 conv=notrunc status=none
data_sum() { head -c "$lsa_off" "$R" | md5sum; }
before=$(data_sum)

# refused without -f; the message says how
cp "$R" "$T/orig.img"
expect_exit 239 "$PMEMCTL" init-labels --file "$R"
assert_contains "$err" "pmemctl init-labels: '$R' has a valid label area: use -f" "refusal message"
cmp "$R" "$T/orig.img" || fail "refused init-labels changed the file"
expect_exit 239 "$PMEMCTL" init-labels --file "$R" -V 1.1
cmp "$R" "$T/orig.img" || fail "refused init-labels -V 1.1 changed the file"

# -f: a fresh empty area in the same version; data untouched
expect_exit 0 "$PMEMCTL" init-labels --file "$R" -f
assert_contains "$err" "pmemctl init-labels: initialised the label area of '$R' (v1.2, " "init-labels message"
assert_eq "" "$out" "init-labels prints nothing on stdout"
expect_exit 0 "$PMEMCTL" list --file "$R"
assert_eq "[]" "$out" "no namespace after init-labels -f"
assert_eq "$before" "$(data_sum)" "init-labels -f touched the data area"
j=$("$PMEMCTL" list --file "$R" -R)
assert_eq $((30 * MiB)) "$(json_get "$j" '.[0].available_size')" "all space free after init"

# -f -V 1.1: switch the format (and the default cookie with it)
expect_exit 0 "$PMEMCTL" init-labels --file "$R" -f -V 1.1
assert_contains "$err" "(v1.1, " "init-labels -V 1.1 message"
j=$("$PMEMCTL" list --file "$R" -R)
assert_eq "1.1" "$(json_get "$j" '.[0].label_version')" "v1.1 area"
assert_eq 10248187106440278 "$(json_int "$j" iset_id)" "v1.1 area cookie"
j=$("$PMEMCTL" read-labels --file "$R" -j)
assert_eq "1 1020 128" "$(json_get "$j" '.[0].index[0].minor, .[0].index[0].nslot, .[0].index[0].labelsize' | xargs)" \
	"v1.1 geometry"
expect_exit 0 "$PMEMCTL" create-namespace --file "$R" -s 2M -n onv11
j=$("$PMEMCTL" read-labels --file "$R" -j)
assert_eq 10248187106440278 "$(json_int "$j" isetcookie)" "v1.1 label cookie"
expect_exit 0 "$PMEMCTL" init-labels --file "$R" -f -V 1.2
j=$("$PMEMCTL" list --file "$R" -R)
assert_eq "1.2" "$(json_get "$j" '.[0].label_version')" "back to v1.2"

# zero-labels: the whole area is zero, nothing else changes
"$PMEMCTL" create-namespace --file "$R" -s 2M -n gone >/dev/null
expect_exit 0 "$PMEMCTL" zero-labels --file "$R"
assert_contains "$err" "pmemctl zero-labels: zeroed the label area of '$R'" "zero-labels message"
tail -c 131072 "$R" | cmp - <(head -c 131072 /dev/zero) || fail "label area not zeroed"
assert_eq "$before" "$(data_sum)" "zero-labels touched the data area"
assert_eq $((32 * MiB)) "$(stat -c %s "$R")" "file size kept"
expect_exit 250 "$PMEMCTL" list --file "$R"
expect_exit 250 "$PMEMCTL" read-labels --file "$R" -j
expect_exit 250 "$PMEMCTL" check-labels --file "$R"
expect_exit 250 "$PMEMCTL" destroy-namespace --file "$R" gone

# a zeroed area needs no -f; the new area is v1.2
expect_exit 0 "$PMEMCTL" init-labels --file "$R"
j=$("$PMEMCTL" list --file "$R" -R)
assert_eq "1.2 131072" "$(json_get "$j" '.[0].label_version, .[0].label_size' | xargs)" "init after zero"
expect_exit 0 "$PMEMCTL" check-labels --file "$R"

# a 256 KiB area is zeroed whole (found by probing)
"$PMEMCTL" create-region --size 16M --label-size 256K "$T/big.img" >/dev/null
expect_exit 0 "$PMEMCTL" zero-labels --file "$T/big.img"
tail -c 262144 "$T/big.img" | cmp - <(head -c 262144 /dev/zero) || fail "256 KiB area not zeroed whole"
echo "PASS: $TEST_NAME"
