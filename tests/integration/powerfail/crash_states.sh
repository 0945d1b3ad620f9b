#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl crash-test --states: at a crash point with n <= N unflushed pages
# every subset of them is checked, 2^n states in the stated order (pages by
# page number, masks by popcount then value); above N seeded samples with
# their distinct count; torn pages (mixed 512-byte sectors) replayed by
# seed; a failing state is reported and replayed by --state.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }
LOG=$T/seen.log

pf_setup 4M st
# the checker logs what it sees: 'o'/'n'/t<mask> per page
pf_state_checker "$T/check.sh" "$LOG"

# n = 5 <= 12: exactly 32 states, in the stated order (the clean run's
# check is the first line: all new)
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 3 --states -- "$PFIO" fill {} 5 --check "$T/check.sh" 5
assert_eq 32 "$(json_get "$out" .states)" "states checked for 5 pages"
assert_eq 32 "$(json_get "$out" .distinct_states)" "distinct states for 5 pages"
assert_eq 32 "$(json_get "$out" .passed)" "states passed"
assert_eq "nnnnn" "$(head -1 "$LOG")" "the clean run's check"
diff <(pf_state_order 5) <(tail -n +2 "$LOG") >"$T/diff" || fail "order of states: $(cat "$T/diff")"
[ "$(json_get "$out" .states_per_s)" != 0 ] || fail "no states per second: $out"

# n = 10: every subset, 1024 states, each distinct (n = 12, the default
# N, takes 4096 states: 30 s here)
expect_exit 0 ct st --mode fsync --runs 1 --seed 3 --states -- "$PFIO" fill {} 10 --check true
assert_eq 1024 "$(json_get "$out" .states)" "states checked for 10 pages"
assert_eq 1024 "$(json_get "$out" .distinct_states)" "distinct states for 10 pages"
assert_eq 1024 "$(json_get "$out" .passed)" "10 pages: states passed"
# n = N: still every subset
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 3 --max-subset 3 -- \
	"$PFIO" fill {} 3 --check "$T/check.sh" 3
assert_eq 8 "$(json_get "$out" .states)" "n = N: every subset"
diff <(pf_state_order 3) <(tail -n +2 "$LOG") >"$T/diff" || fail "order at n = N: $(cat "$T/diff")"

# n = 4 with --max-subset 3: sampled, the count and distinct count printed
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 3 --max-subset 3 --samples 20 -- \
	"$PFIO" fill {} 4 --check "$T/check.sh" 4
assert_eq 20 "$(json_get "$out" .states)" "sampled states"
d=$(json_get "$out" .distinct_states)
[ "$d" -ge 2 ] && [ "$d" -le 16 ] || fail "distinct sampled states $d (of 16 possible): $out"
assert_eq "$d" "$(tail -n +2 "$LOG" | sort -u | wc -l)" "distinct states the checker saw"

# n = 14 > 12 (the default N): sampled
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 9 --samples 10 -- "$PFIO" fill {} 14 --check "$T/check.sh" 14
assert_eq 10 "$(json_get "$out" .states)" "sampled states above N"
assert_eq 10 "$(json_get "$out" .distinct_states)" "distinct sampled states above N"

# torn: every page torn; the checker sees mixed sectors; the same seed
# gives the same states, another seed others
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 11 --torn 100 --samples 6 -- \
	"$PFIO" fill {} 3 --check "$T/check.sh" 3
tail -n +2 "$LOG" >"$T/torn1"
assert_eq 6 "$(wc -l <"$T/torn1")" "torn states checked"
grep -qvE '^(t[0-9a-f]{2}){3}$' "$T/torn1" && fail "not every page torn: $(cat "$T/torn1")"
grep -qE 't(00|ff)' "$T/torn1" && fail "a torn page all old or all new: $(cat "$T/torn1")"
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 11 --torn 100 --samples 6 -- \
	"$PFIO" fill {} 3 --check "$T/check.sh" 3
diff "$T/torn1" <(tail -n +2 "$LOG") || fail "torn states not replayed by seed"
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 12 --torn 100 --samples 6 -- \
	"$PFIO" fill {} 3 --check "$T/check.sh" 3
cmp -s "$T/torn1" <(tail -n +2 "$LOG") && fail "seed 12 tore as seed 11"
# a share of torn pages: some pages whole
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 11 --torn 30 --samples 30 -- \
	"$PFIO" fill {} 4 --check "$T/check.sh" 4
grep -q t "$LOG" || fail "no page torn at 30%"
tail -n +2 "$LOG" | grep -q '[on]' || fail "every page torn at 30%"

# a failing state is reported with its state and replayed alone
: >"$LOG"
expect_exit 1 ct st --mode fsync --runs 1 --seed 5 --states -- "$PFIO" fill {} 3 \
	--check "$T/check.sh" 3 ono
j=$out
assert_eq 1 "$(json_get "$j" .failed)" "one bad state"
assert_eq 7 "$(json_get "$j" .passed)" "the other states"
st=$(json_get "$j" '.failures[0].state')
assert_eq 2 "$st" "the state of 'on' + 'o' in the stated order (mask 2)"
assert_contains "$err" "--state $st" "replay hint"
: >"$LOG"
expect_exit 1 ct st --mode fsync --runs 1 --seed 5 --state "$st" -- "$PFIO" fill {} 3 \
	--check "$T/check.sh" 3 ono
assert_eq 1 "$(json_get "$out" .states)" "one state replayed"
assert_eq "ono" "$(tail -1 "$LOG")" "the replayed state"
# a state the image does not have: the daemon says which exist
expect_exit 234 ct st --mode fsync --runs 1 --seed 5 --state 8 -- "$PFIO" fill {} 3 \
	--check "$T/check.sh" 3
assert_contains "$err" "state 8 of 'st' does not exist: its crash image of 3 pages has 8 states (0 to 7)" "state out of range"

# the checker's own writes (fsynced) are put back before the next state:
# page 7 (outside the image) and page 0 (in it) written by each check
cat >"$T/check_w.sh" <<EOC
#!/bin/bash
f=\$PMEMCTL_NAMESPACE_PATH
w=\$("$PFIO" state "\$f" 3) || exit 2
echo "\$w" >>"$LOG"
[ "\$("$PFIO" pages "\$f" $((7 * 4096)) 4096 0)" = 1 ] || { echo "page 7 left over"; exit 1; }
head -c 4096 /dev/zero | tr '\\0' '\\356' | dd of="\$f" bs=4096 seek=7 conv=notrunc,fsync status=none
head -c 4096 /dev/zero | tr '\\0' '\\356' | dd of="\$f" bs=4096 seek=0 conv=notrunc,fsync status=none
exit 0
EOC
chmod +x "$T/check_w.sh"
: >"$LOG"
expect_exit 0 ct st --mode fsync --runs 1 --seed 5 --states -- "$PFIO" fill {} 3 \
	--check "$T/check_w.sh"
assert_eq 8 "$(json_get "$out" .passed)" "states with a writing checker"
diff <(pf_state_order 3) <(tail -n +2 "$LOG") >"$T/diff" || fail "states after a writing checker: $(cat "$T/diff")"

# stores through a mapping, never flushed, crashed at a moment after them
# (the kernel writes the pages back when the killed application's file is
# closed, before the power failure): every subset of the 4 pages checked
: >"$LOG"
# (seed 1 crashes at 0.82 of the clean run's time: in the sleep)
expect_exit 0 ct st --mode moment --runs 1 --seed 1 --states -- \
	sh -c '"$0" mstore "$1" 4 && exec sleep 1' "$PFIO" {} --check "$T/check.sh" 4
assert_eq 16 "$(json_get "$out" .states)" "states of 4 pages written back after the crash"
diff <(pf_state_order 4) <(tail -n +2 "$LOG") >"$T/diff" || fail "order after a moment crash: $(cat "$T/diff")"
