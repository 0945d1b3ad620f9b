#!/bin/bash
# SPDX-License-Identifier: MIT
# Messages in the user's terms, online (issue 17, items 9, 10, 12): no
# "attribute N" text reaches a user. pmemctl checks a name, a region and a
# namespace spec against the protocol's limits before sending them, and
# the daemon says the same in the user's words to a client that did not
# check (an old pmemctl: olclient here). The alignment that leaves no room
# is named as such, and fractional sizes are taken when whole bytes.
. "$(dirname "$0")/onlinelib.sh"

MiB=$((1024 * 1024))
R=$T/r.img
region_create "$R" 512M
"$PMEMCTL" create-namespace --file "$R" -s 64M -n x >/dev/null
# the daemon's SIZE (label_size=) takes a fraction of whole bytes too
online_start -o label_size=0.125M "$R"
n64=$(printf 'a%.0s' {1..64})
want="name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 64 bytes, at most 63"

# no "attribute N": every refusal here is checked for it too
plain() { # WHAT
	case "$err" in
	*attribute*) fail "$1: a protocol detail reached the user: $err" ;;
	esac
}

# --- item 9: checked by pmemctl before sending
expect_exit 234 pc create-namespace -s 2M -n "$n64"
assert_contains "$err" "$want" "create-namespace -n (64 bytes)"
plain "create-namespace -n"
expect_exit 234 pc rename-namespace x "$n64"
assert_contains "$err" "$want" "rename-namespace to 64 bytes"
plain "rename-namespace NEW"
# a spec longer than any name names no namespace
expect_exit 254 pc rename-namespace "$n64" y
assert_contains "$err" "no such namespace: $want" "rename-namespace OLD of 64 bytes"
plain "rename-namespace OLD"
expect_exit 254 pc stats "$n64"
assert_contains "$err" "no such namespace: $want" "stats NAME of 64 bytes"
plain "stats NAME"
expect_exit 254 pc stats "namespace0.$(printf '1%.0s' {1..30})"
assert_contains "$err" "device name 'namespace0.111111111111111111111...' is 41 bytes, at most 31" \
	"stats DEV of 41 bytes"
plain "stats DEV"
r40=$(printf 'r%.0s' {1..40})
expect_exit 234 pc list -r "$r40"
assert_contains "$err" "bad value for --region: region 'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr...' is 40 bytes, at most 31" \
	"list -r of 40 bytes"
plain "list -r"
expect_exit 234 pc create-namespace -r "$r40" -s 2M
plain "create-namespace -r"
# other rules of a name, checked before sending as offline
expect_exit 234 pc create-namespace -s 2M -n all
assert_contains "$err" "invalid name 'all': reserved" "create-namespace -n all"
# 63 bytes is a name
expect_exit 0 pc rename-namespace x "${n64:1}"
expect_exit 0 pc rename-namespace "${n64:1}" x
labels=$(pc read-labels -j)

# --- item 9: what the daemon itself says to a client that did not check
# (olclient nscall sends NS_NAME as given: STATS is command 11)
expect_exit 0 "$OLC" nscall "$SOCK" 11 "$n64"
assert_contains "$out" "error 22 " "the daemon refuses a 64-byte name"
assert_contains "$out" "$want" "the daemon's own message"
case "$out" in *attribute*) fail "the daemon's message names the attribute: $out" ;; esac
assert_eq "$labels" "$(pc read-labels -j)" "refusals changed the labels"

# --- item 10: the alignment, not the space
expect_exit 0 pc list -R
assert_eq $((446 * MiB)) "$(json_get "$out" '.[0].max_available_extent')" "max_available_extent"
expect_exit 228 pc create-namespace -a 256M -s 256M -n y
assert_contains "$err" "no free extent of 256 MiB aligned to 256 MiB in region0: the largest free extent is 446 MiB but holds no 256 MiB-aligned range of 256 MiB (use a smaller --align)" \
	"-a 256M -s 256M online"
expect_exit 228 pc create-namespace -a 256M -n y
assert_contains "$err" "no free extent aligned to 256 MiB in region0: the largest free extent is 446 MiB (use a smaller --align)" \
	"-a 256M without --size online"
assert_eq "$labels" "$(pc read-labels -j)" "refused creates changed the labels"

# --- item 12: a fraction of whole bytes online
expect_exit 0 pc create-namespace -s 0.25G -n quarter --sparse
assert_eq $((256 * MiB)) "$(json_get "$out" .size)" "-s 0.25G"
expect_exit 0 pc destroy-namespace -f quarter
expect_exit 0 pc create-namespace -s 1.5M -a 0.5M -n odd --sparse
assert_eq $((1536 * 1024)) "$(json_get "$out" .size)" "-s 1.5M -a 0.5M"
assert_eq $((512 * 1024)) "$(json_get "$out" .align)" "-a 0.5M"
expect_exit 234 pc create-namespace -s 1.1M -n q
assert_contains "$err" "not a whole number of bytes (1153433.6 bytes)" "-s 1.1M"
pmemfs_stop
echo "PASS: $TEST_NAME"
