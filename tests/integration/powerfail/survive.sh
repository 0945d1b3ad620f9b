#!/bin/bash
# SPDX-License-Identifier: MIT
# power-fail --survive PERCENT --seed N keeps a reproducible set of the
# unflushed pages: the same seed gives the same content, another seed
# another; 0 keeps none, 100 all.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a --crash-test
LEN=4194304
PAGES=1024

reset() {
	"$NSIO" fill "$F" 0 $LEN 0x11 || fail "fill old"
	"$NSIO" fsync "$F" || fail "fsync"
	"$NSIO" fill "$F" 0 $LEN 0x22 || fail "fill new"	# written back at close
}

# crash SEED PERCENT: sets $kept and $sum
crash() {
	reset
	expect_exit 0 pc power-fail a --survive "$2" --seed "$1"
	kept=$(json_get "$out" .pages_kept)
	assert_eq "$1" "$(json_get "$out" .seed)" "seed echoed"
	assert_eq $((PAGES - kept)) "$(json_get "$out" .pages_reverted)" "reverted + kept"
	sum=$("$PFIO" sum "$F" 0 $LEN)
	assert_eq "$kept" "$("$PFIO" pages "$F" 0 $LEN 0x22)" "new pages in the file"
	assert_eq $((PAGES - kept)) "$("$PFIO" pages "$F" 0 $LEN 0x11)" "old pages in the file"
	assert_eq "$sum" "$("$PFIO" sum "$RNS" "$ROFF" $LEN)" "region file = file"
}

crash 7 50
k1=$kept s1=$sum
[ "$k1" -gt 400 ] && [ "$k1" -lt 624 ] || fail "50% kept $k1 of $PAGES pages"
crash 7 50
assert_eq "$k1" "$kept" "same seed, same count"
assert_eq "$s1" "$sum" "same seed, same pages"
crash 8 50
[ "$sum" != "$s1" ] || fail "seed 8 kept the same pages as seed 7"
crash 9 0
assert_eq 0 "$kept" "0% kept"
crash 9 100
assert_eq $PAGES "$kept" "100% kept"
crash 10 12.5
[ "$kept" -gt 60 ] && [ "$kept" -lt 200 ] || fail "12.5% kept $kept of $PAGES pages"

# without a seed one is chosen and printed: replaying it gives the same
reset
expect_exit 0 pc power-fail a --survive 30
seed=$(json_get "$out" .seed) s1=$("$PFIO" sum "$F" 0 $LEN)
crash "$seed" 30
assert_eq "$s1" "$sum" "replay of the printed seed"

pmemfs_stop
echo "PASS: $TEST_NAME"
