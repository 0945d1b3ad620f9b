#!/bin/bash
# SPDX-License-Identifier: MIT
# inject-error: a reader of a poisoned range gets EIO, a mapped reader
# SIGBUS, a partial write of a poisoned block fails, a write of whole blocks
# clears them; list -M shows exactly the injected ranges in ndctl's shape;
# --block/--count, --uninject, --status, clear-errors; other ranges and
# namespaces are untouched.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a
jb=$(pc create-namespace -s 4M -n b) || fail "create b"
FB=$(json_get "$jb" .path)
"$NSIO" fill "$F" 0 1048576 0x33 || fail "fill"
"$NSIO" fsync "$F" || fail "fsync"
"$NSIO" fill "$FB" 0 65536 0x55 || fail "fill b"

expect_exit 0 pc inject-error a --offset 8192 --length 512
assert_eq '{"dev":"namespace0.0","badblocks":[{"block":16,"count":1}]}' \
	"$(printf '%s' "$out" | jq -c .)" "inject-error output"
expect_exit 0 pc list -M
assert_eq 1 "$(json_get "$out" '.[] | select(.name == "a") | .badblock_count')" "badblock_count"
assert_eq '[{"offset":16,"length":1}]' \
	"$(json_get "$out" '.[] | select(.name == "a") | .badblocks' | jq -c .)" "badblocks"
assert_eq 0 "$(json_get "$out" '.[] | select(.name == "b") | .badblock_count')" "b untouched"
expect_exit 0 pc list
assert_eq null "$(json_get "$out" '.[0].badblocks')" "no badblocks without -M"

# readers
run_cmd dd if="$F" of=/dev/null bs=4096 skip=2 count=1
[ "$rc" != 0 ] || fail "read of the poisoned page succeeded"
assert_contains "$err" "Input/output error" "read error"
"$NSIO" check-byte "$F" 0 8192 0x33 || fail "the pages before"
"$NSIO" check-byte "$F" 12288 4096 0x33 || fail "the page after"
"$NSIO" check-byte "$FB" 0 65536 0x55 || fail "namespace b"
expect_exit 0 "$PFIO" mapread "$F" 8300
assert_eq SIGBUS "$out" "mapped reader"
expect_exit 1 "$PFIO" mapread "$F" 4096
assert_eq "read 0x33" "$out" "mapped reader of a good page"

# a write of part of a poisoned block fails and leaves it poisoned; a
# write of the whole block clears it (write(2) reaches the daemon as it
# is: no page is read first)
expect_exit 1 "$NSIO" write "$F" 8292 100 9 none
assert_contains "$err" "EIO" "partial write of a poisoned block"
expect_exit 1 "$NSIO" write "$F" 8000 400 9 none
assert_contains "$err" "EIO" "a write over the start of a poisoned block"
expect_exit 0 pc list -M
assert_eq 1 "$(json_get "$out" '.[] | select(.name == "a") | .badblock_count')" "not cleared by a partial write"
"$NSIO" check-byte "$F" 7680 512 0x33 || fail "the refused write changed the block before"
"$NSIO" fill "$F" 8192 512 0x44 || fail "a whole-block write failed"
"$NSIO" fsync "$F" || fail "fsync"
expect_exit 0 pc list -M
assert_eq 0 "$(json_get "$out" '.[] | select(.name == "a") | .badblock_count')" "cleared by the write"
"$NSIO" check-byte "$F" 8192 512 0x44 || fail "the written block"
"$NSIO" check-byte "$F" 8704 3584 0x33 || fail "the rest of the page"

# ndctl's spelling, uninject, status, widening, bounds
expect_exit 0 pc inject-error a --block 40 --count 8
assert_eq '[{"block":40,"count":8}]' "$(json_get "$out" .badblocks | jq -c .)" "--block/--count"
run_cmd dd if="$F" of=/dev/null bs=4096 skip=5 count=1
[ "$rc" != 0 ] || fail "read of block 40 succeeded"
expect_exit 0 pc inject-error a --block 40 --count 4 --uninject
assert_eq '[{"block":44,"count":4}]' "$(json_get "$out" .badblocks | jq -c .)" "uninject"
expect_exit 0 pc inject-error a --offset 100000 --length 10
expect_exit 0 pc inject-error a --status
assert_eq '[{"block":44,"count":4},{"block":195,"count":1}]' \
	"$(json_get "$out" .badblocks | jq -c .)" "status, widened to a block"
expect_exit 0 pc list -M
assert_eq 5 "$(json_get "$out" '.[] | select(.name == "a") | .badblock_count')" "count in blocks"
assert_eq '[{"offset":44,"length":4},{"offset":195,"length":1}]' \
	"$(json_get "$out" '.[] | select(.name == "a") | .badblocks' | jq -c .)" "list ranges"
expect_exit 0 pc list -R -M
assert_eq 5 "$(json_get "$out" '.[0].badblock_count')" "region badblock_count"
expect_exit 0 pc check-labels
assert_eq 5 "$(json_get "$out" '.[0].badblock_count // .badblock_count')" "check-labels"
expect_exit 234 pc inject-error a --offset 8M --length 512
assert_contains "$err" "is not inside" "out of range"
# an empty range is refused as such, not as one outside the namespace
expect_exit 234 pc inject-error a --offset 1000 --length 0
assert_contains "$err" "bad value for --length '0': at least 1 byte" "--length 0"
expect_exit 234 pc inject-error a --block 2 --count 0
assert_contains "$err" "bad value for --count '0': a number of 512-byte blocks, at least 1" "--count 0"
expect_exit 129 pc inject-error a
expect_exit 129 pc inject-error a --offset 0 --block 1
expect_exit 254 pc inject-error nosuch --offset 0

# clear-errors: reads work again
expect_exit 0 pc clear-errors a
assert_eq '[]' "$(json_get "$out" .badblocks | jq -c .)" "cleared"
"$NSIO" check-byte "$F" 20480 4096 0x33 || fail "read after clear-errors"
[ ! -e "$REGION.badblocks" ] || fail "sidecar left with no errors"
pmemfs_stop
echo "PASS: $TEST_NAME"
