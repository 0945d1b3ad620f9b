#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl crash-test's crash points and summary, what makes it one command
# for a VM (contrib/qemu/pmemfs-qemu as the application), shown with the
# crash demo: a crash point is reached by the daemon's word, not the
# application's exit status (a wrapper that does not exec); {} inside a
# word; --moment-after; --sweep (the same FSYNC points every time, first
# to last, a failure replayed with --at-fsync); the summary.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }
# points JSON: each run's crash point, comma-separated
points() { json_get "$1" '.points // [] | join(",")'; }

pf_setup 4M log
"$DEMO" init "$F" >/dev/null || fail "init"

# (a) a wrapper that does not exec the application: the armed crash kills
# the demo (the FSYNC's caller), the wrapper exits 137. Reached: one power
# failure per run. It was "(not reached: at the end)" and a second power
# failure after the armed one (8 reverts for 4 runs).
pc power-fail log --enable >/dev/null || fail "enable"
expect_exit 0 ct log --runs 4 --seed 3 --mode fsync -- \
	sh -c '"$0" append "$1" 16; exit $?' "$DEMO" {} --check "$DEMO" check {}
assert_eq 4 "$(json_get "$out" .passed)" "wrapped demo passes"
assert_eq 4 "$(pf_status log reverts)" "one power failure per run"
p=$(points "$out")
assert_not_contains "$p" "not reached" "crash points of a wrapped application"
[[ "$p" =~ ^(fsync\ [0-9]+\ of\ 32,){3}fsync\ [0-9]+\ of\ 32$ ]] || fail "points: $p"
# an application that ends before its point: the power goes at its end
expect_exit 0 ct log --runs 2 --seed 3 --mode fsync --at-fsync 32 -- \
	sh -c '[ -e "$2" ] && exec "$0" append "$1" 1; "$0" append "$1" 16; touch "$2"' \
	"$DEMO" {} "$T/short" --check "$DEMO" check {}
assert_eq "fsync 32 of 32 (not reached: at the end),fsync 32 of 32 (not reached: at the end)" \
	"$(points "$out")" "an unreached point"
# an application killed by --timeout before its point died of SIGKILL
# without a crash: not reached, the power goes then (it was taken for the
# crash, and crash-test gave up: "did not revert 'log' within 10 s")
rm -f "$T/short"
expect_exit 0 ct log --runs 1 --seed 3 --mode fsync --timeout 1.5 -- \
	sh -c '[ -e "$2" ] && exec sleep 30; "$0" append "$1" 16; touch "$2"' \
	"$DEMO" {} "$T/short" --check "$DEMO" check {}
p=$(points "$out")
[[ "$p" =~ ^fsync\ [0-9]+\ of\ 32\ \(not\ reached:\ killed\ after\ --timeout\)$ ]] ||
	fail "a point not reached before --timeout: $p"
pc power-fail log --disable >/dev/null || fail "disable"
rm -f "$T/short"

# a crash at a moment kills the application's whole process group, so a
# wrapper's program (not exec'ed) dies with it; what an application or
# checker leaves running is killed when it ends. Nothing writes after
# crash-test (it killed the wrapper only: the program and the background
# ones went on writing, also while the checker ran)
rm -f "$T/late" "$T/late.clean"
expect_exit 0 ct log --runs 2 --seed 5 --mode moment -- \
	sh -c 'if [ ! -e "$1.clean" ]; then touch "$1.clean"; sleep 1; exit 0; fi
	       ( sleep 1.5; echo straggler >>"$1" ) &
	       sh -c "sleep 1.5; echo program >>\"\$0\"" "$1"; exit $?' sh "$T/late" \
	--check sh -c '( sleep 0.5; echo checker >>"$1" ) & exit 0' sh "$T/late"
sleep 2
[ ! -e "$T/late" ] || fail "left running by crash-test: $(tr '\n' ' ' <"$T/late")"

# (b) {} inside words (mem-path={}), twice in one word; it was replaced only
# as a whole word: the application got "ns={}" and failed its clean run
expect_exit 0 ct log --runs 2 --seed 9 --mode fsync -- \
	sh -c 'exec "$0" append "${1#ns=}" 8' "$DEMO" ns={} \
	--check sh -c '[ "$1" = "x$2,y$2" ] && exec "$0" check "$2"' "$DEMO" 'x{},y{}' {}
assert_eq 2 "$(json_get "$out" .passed)" "{} inside a word"

# (c) --moment-after: moments from that time to the clean run's end (the
# demo starts after 0.5 s, a guest's boot as it were)
slow=(sh -c 'sleep 0.5; exec "$0" append "$1" 8' "$DEMO" {})
expect_exit 0 ct log --runs 6 --seed 11 --mode moment --moment-after 0.4 -- \
	"${slow[@]}" --check "$DEMO" check {}
assert_eq 6 "$(json_get "$out" '.points | length')" "moment points"
min=$(json_get "$out" '[.points[] | capture("^after (?<ms>[0-9.]+) ms$").ms | tonumber] | min')
max=$(json_get "$out" '[.points[] | capture("^after (?<ms>[0-9.]+) ms$").ms | tonumber] | max')
[ "$(json_get "$out" '[.points[] | select(test("^after "))] | length')" = 6 ] ||
	fail "moment points: $(points "$out")"
awk -v m="$min" 'BEGIN { exit !(m >= 400) }' || fail "a moment before --moment-after: $min ms"
awk -v m="$max" -v c="$(json_get "$out" .clean_run_ms)" 'BEGIN { exit !(m <= c) }' ||
	fail "a moment after the clean run: $max ms"
# no moment left after it; fsync-only runs have no moment
expect_exit 234 ct log --runs 1 --mode moment --moment-after 600 -- \
	"$DEMO" append {} 1 --check "$DEMO" check {}
assert_contains "$err" "--moment-after 600: the clean run ends after" "moment-after too late"
# the clean run's record is not left behind (it was, on any error after the
# clean run)
assert_eq "0 records, all intact" "$("$DEMO" check "$F")" "content restored after a refusal"
expect_exit 129 ct log --runs 1 --mode fsync --moment-after 1 -- true --check true
assert_contains "$err" "--moment-after is for crashes at a moment" "moment-after with fsync"
expect_exit 129 ct log --runs 1 --mode moment --sweep -- true --check true
expect_exit 234 ct log --runs 1 --moment-after -1 -- true --check true
assert_contains "$err" "bad value for --moment-after" "negative --moment-after"

# (d) --sweep: run i of N at FSYNC ceil((i+1)*F/N), whatever the seed
expect_exit 0 ct log --runs 5 --seed 20 --sweep -- "$DEMO" append {} 16 --check "$DEMO" check {}
sweep="fsync 7 of 32,fsync 13 of 32,fsync 20 of 32,fsync 26 of 32,fsync 32 of 32"
assert_eq "$sweep" "$(points "$out")" "sweep of 5 over 32 FSYNCs"
expect_exit 0 ct log --runs 5 --seed 777 --sweep -- "$DEMO" append {} 16 --check "$DEMO" check {}
assert_eq "$sweep" "$(points "$out")" "the same sweep with another seed"
# more runs than FSYNCs: every FSYNC from the first to the last
expect_exit 0 ct log --runs 20 --seed 1 --sweep -- "$DEMO" append {} 8 --check "$DEMO" check {}
assert_eq "$(seq -s, 1 16)" \
	"$(json_get "$out" '[.points[] | capture("^fsync (?<k>[0-9]+) of 16$").k | tonumber] | unique | map(tostring) | join(",")')" \
	"a sweep of 20 covers FSYNC 1..16"
# a swept failure replays with the options it prints
expect_exit 1 ct log --runs 8 --seed 40 --sweep -- \
	"$DEMO_BUGGY" append {} 16 --check "$DEMO" check {}
[ "$(json_get "$out" .failed)" -ge 1 ] || fail "no failure in a sweep of the buggy demo: $out"
rp=$(json_get "$out" '.failures[0].replay')
c=$(json_get "$out" '.failures[0].crash')
s=$(json_get "$out" '.failures[0].seed')
[[ "$rp" =~ ^--seed\ $s\ --runs\ 1\ --at-fsync\ [0-9]+$ ]] || fail "replay of a swept failure: $rp"
# shellcheck disable=SC2086 # the replay's words
expect_exit 1 ct log --sweep $rp -- "$DEMO_BUGGY" append {} 16 --check "$DEMO" check {}
assert_eq "$c" "$(json_get "$out" '.failures[0].crash')" "replayed swept point"
assert_eq "$s" "$(json_get "$out" '.failures[0].seed')" "replayed swept seed"
expect_exit 234 ct log --runs 1 --at-fsync 99 -- "$DEMO" append {} 16 --check "$DEMO" check {}
assert_contains "$err" "--at-fsync 99: the clean run makes only 32 FSYNCs" "at-fsync too far"
assert_eq "0 records, all intact" "$("$DEMO" check "$F")" "content restored after --at-fsync 99"

# (f) the summary: crash points, states checked (= judged runs), states per
# second, failures with their replays; also one text block on stderr
# (runs_ms is printed to 0.1 ms: the ratio agrees within 0.1 % + 0.01)
expect_exit 1 ct log --runs 6 --seed 1000 -- "$DEMO_BUGGY" append {} 16 --check "$DEMO" check {}
j=$out
assert_eq 6 "$(json_get "$j" .crash_points)" "crash_points"
assert_eq 6 "$(json_get "$j" '.points | length')" "points listed"
assert_eq "$(json_get "$j" '.passed + .failed')" "$(json_get "$j" .states_checked)" "states_checked"
awk -v r="$(json_get "$j" .states_per_s)" -v n="$(json_get "$j" .states_checked)" \
	-v ms="$(json_get "$j" .runs_ms)" 'BEGIN { exit !(r > 0 && ms > 0 &&
		(r - n * 1000 / ms) < 0.01 + r / 1000 && (n * 1000 / ms - r) < 0.01 + r / 1000) }' ||
	fail "states_per_s is not states_checked per second of runs_ms: $j"
nf=$(json_get "$j" .failed)
[ "$nf" -ge 1 ] || fail "the buggy demo passed: $j"
assert_contains "$err" "log: 6 crash points, 6 states checked in " "text summary"
assert_contains "$err" "passed, $nf failed" "text summary counts"
for ((i = 0; i < nf; i++)); do
	assert_eq "--seed $(json_get "$j" ".failures[$i].seed") --runs 1" \
		"$(json_get "$j" ".failures[$i].replay")" "replay of failure $i"
	assert_contains "$err" "  failed: --seed $(json_get "$j" ".failures[$i].seed") --runs 1 (" \
		"failure $i in the text summary"
done

assert_eq null "$(pc list | jq -r '.[] | select(.name == "log") | .crash_test')" "crash_test after"
assert_eq "0 records, all intact" "$("$DEMO" check "$F")" "content restored"
pmemfs_stop
echo "PASS: $TEST_NAME"
