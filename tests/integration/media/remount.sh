#!/bin/bash
# SPDX-License-Identifier: MIT
# Injected media errors live beside the region file (REGION.badblocks),
# not in its labels: they survive a remount, show offline (list -M,
# check-labels, inject-error --file), stay with the range when its
# namespace is destroyed and another created there.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

pf_setup 8M a
"$NSIO" fill "$F" 0 65536 0x33 || fail "fill"
"$NSIO" fsync "$F" || fail "fsync"
RF=$(region_file "$REGION")	# a region directory's: DIR/region (fslib.sh)
size=$(stat -c %s "$RF")
tail -c $LABEL_SIZE "$RF" >"$T/lsa.before"
pc inject-error a --offset 4096 --length 1024 >/dev/null || fail "inject"
tail -c $LABEL_SIZE "$RF" >"$T/lsa.after"
cmp -s "$T/lsa.before" "$T/lsa.after" || fail "inject-error changed the label area"
assert_eq "$size" "$(stat -c %s "$RF")" "region file size"
pmemfs_stop

[ -f "$RF.badblocks" ] || fail "no sidecar $RF.badblocks"
assert_eq "$((DPA + 4096)) 1024" "$(grep -v -e '^#' -e '^region ' "$RF.badblocks")" "sidecar content"
expect_exit 0 "$PMEMCTL" list --file "$REGION" -M
assert_eq '[{"offset":8,"length":2}]' "$(json_get "$out" '.[0].badblocks' | jq -c .)" "offline list"
expect_exit 0 "$PMEMCTL" check-labels --file "$REGION"
assert_eq 2 "$(json_get "$out" .badblock_count)" "offline check-labels"
expect_exit 0 "$PMEMCTL" inject-error --file "$REGION" a --block 64 --count 1
assert_eq '[{"block":8,"count":2},{"block":64,"count":1}]' \
	"$(json_get "$out" .badblocks | jq -c .)" "offline inject"

online_start "$REGION"
run_cmd dd if="$F" of=/dev/null bs=4096 skip=1 count=1
[ "$rc" != 0 ] || fail "remounted: the poisoned page reads"
run_cmd dd if="$F" of=/dev/null bs=4096 skip=8 count=1
[ "$rc" != 0 ] || fail "remounted: the offline injection reads"
"$NSIO" check-byte "$F" 0 4096 0x33 || fail "a good page after remount"
expect_exit 0 pc list -M
assert_eq 3 "$(json_get "$out" '.[0].badblock_count')" "remounted list"

# physical: a new namespace over the range has the error too
pc destroy-namespace -f a >/dev/null 2>&1 || fail "destroy"
j=$(pc create-namespace -s 8M -n c) || fail "create c"
assert_eq "$DPA" "$(json_get "$j" .dpa)" "same range"
F=$(json_get "$j" .path)
run_cmd dd if="$F" of=/dev/null bs=4096 skip=1 count=1
[ "$rc" != 0 ] || fail "the new namespace reads the poisoned range"
expect_exit 0 pc clear-errors all
pmemfs_stop
[ ! -e "$RF.badblocks" ] || fail "sidecar left after clear-errors all"
echo "PASS: $TEST_NAME"
