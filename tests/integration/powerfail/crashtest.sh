#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl crash-test finds the demo's missing flush (crash_demo_buggy),
# reports replayable seeds, and passes the fixed demo (crash_demo); crash
# testing is enabled for the test only and the content restored after.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

# (pc puts --mount last, where crash-test reads the checker's arguments)
ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }

pf_setup 4M log
"$DEMO" init "$F" >/dev/null || fail "init"

expect_exit 1 ct log --runs 8 --seed 1000 -- \
	"$DEMO_BUGGY" append {} 16 --check "$DEMO" check {}
j=$out
assert_eq 8 "$(json_get "$j" .runs)" "runs"
assert_eq 16 "$(json_get "$j" .fsyncs)" "FSYNCs of a clean buggy run"
failed=$(json_get "$j" .failed)
[ "$failed" -ge 4 ] || fail "the missing flush was found in $failed of 8 runs: $j"
assert_eq "$failed" "$(json_get "$j" '.failures | length')" "failures listed"
assert_contains "$(json_get "$j" '.failures[0].checker_output')" "missing or torn" "checker says why"
assert_contains "$err" "replay: --seed" "replay hint"

# a failing FSYNC crash point replays exactly
s=$(json_get "$j" '[.failures[] | select(.crash | startswith("fsync"))][0].seed')
c=$(json_get "$j" '[.failures[] | select(.crash | startswith("fsync"))][0].crash')
[ "$s" != null ] || fail "no failure at an FSYNC: $j"
expect_exit 1 ct log --runs 1 --seed "$s" -- \
	"$DEMO_BUGGY" append {} 16 --check "$DEMO" check {}
assert_eq "$c" "$(json_get "$out" '.failures[0].crash')" "replayed crash point"
assert_eq "$s" "$(json_get "$out" '.failures[0].seed')" "replayed seed"

expect_exit 0 ct log --runs 12 --seed 1000 -- \
	"$DEMO" append {} 16 --check "$DEMO" check {}
assert_eq 12 "$(json_get "$out" .passed)" "the fixed demo passes"
assert_eq 32 "$(json_get "$out" .fsyncs)" "FSYNCs of a clean fixed run"
case "$err" in *"makes no FSYNC"*) fail "warned although the application flushes: $err" ;; esac
expect_exit 0 ct log --runs 6 --seed 5 --survive 50 -- \
	"$DEMO" append {} 16 --check "$DEMO" check {}
assert_eq 6 "$(json_get "$out" .passed)" "the fixed demo with survivors"

# left as found: crash testing off, the empty log back
assert_eq null "$(pc list | jq -r '.[] | select(.name == "log") | .crash_test')" "crash_test after"
assert_eq "0 records, all intact" "$("$DEMO" check "$F")" "content restored"

# usage
expect_exit 129 ct log --runs 1
expect_exit 129 ct log -- "$DEMO" check {}
expect_exit 129 ct -- "$DEMO" check {} --check "$DEMO" check {}
expect_exit 1 ct log --runs 1 -- false --check true
assert_contains "$err" "the application fails without a crash (exit 1)" "failing app"
assert_contains "$err" "the application printed nothing" "failing app, silent"

# a command that is not there or not executable is named before anything
# runs (it was 'fails without a crash (exit 127)' and nothing more)
expect_exit 254 ct log --runs 1 -- no-such-app-17 {} --check true
assert_contains "$err" "the application 'no-such-app-17' is not found in PATH (a shell would exit 127)" \
	"application not found"
printf '#!/bin/sh\nexit 0\n' >"$T/noexec"
chmod -x "$T/noexec"
expect_exit 243 ct log --runs 1 -- true --check "$T/noexec"
assert_contains "$err" "the checker '$T/noexec' is not an executable file (a shell would exit 126)" \
	"checker not executable"
assert_eq null "$(pc list | jq -r '.[] | select(.name == "log") | .crash_test')" \
	"crash testing left off after a refused application"
# an application whose own command is missing: 127 in words, its stderr's
# end shown, and where the rest is
expect_exit 1 ct log --runs 1 -- sh -c 'echo "writing $PMEMCTL_NAMESPACE_PATH"; no-such-tool-17 --flush' --check true
assert_contains "$err" "the application fails without a crash (exit 127: a command not found)" \
	"exit 127 named"
assert_contains "$err" "the application's last output (--verbose shows all of it):" "tail header"
assert_contains "$err" "  | writing $F" "the application's stdout"
assert_contains "$err" "no-such-tool-17: not found" "the application's stderr"
expect_exit 1 ct log --runs 1 --verbose -- sh -c 'echo shown-live >&2; exit 126' --check true
assert_contains "$err" "shown-live" "--verbose shows the output as it runs"
assert_contains "$err" "exit 126: a command not executable" "exit 126 named"
# a checker that rejects the clean run: its output's end
expect_exit 1 ct log --runs 1 -- true --check sh -c 'echo line one; echo "bad state at 7"; exit 3'
assert_contains "$err" "the checker rejects a clean run (exit 3)" "checker rejects"
assert_contains "$err" "  | bad state at 7" "the checker's output"
assert_eq "0 records, all intact" "$("$DEMO" check "$F")" "content left alone"
# an application that never flushes passes, but not without a word
expect_exit 0 ct log --runs 1 -- true --check true
assert_contains "$err" "warning: the application makes no FSYNC" "no FSYNC warned about"
# an application that ends before its crash moment is reaped, and its pid
# (anyone's by then) is never signalled: slow in the clean run (0.5 s),
# instant in the crash runs (the checker of the clean run says so)
if command -v strace >/dev/null; then
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=kill,wait4 -o "$T/ct.strace" \
		"$PMEMCTL" crash-test --mount "$MNT" log --runs 6 --seed 7 --mode moment -- \
		sh -c "[ -e '$T/fast' ] || sleep 0.5" --check touch "$T/fast" >/dev/null 2>"$T/ct.err" ||
		fail "crash-test of an early-ending application: $(cat "$T/ct.err")"
	awk '/wait4/ && $(NF - 1) == "=" && $NF > 0 { reaped[$NF] = 1 }
	     /kill\(/ && match($0, /kill\([0-9]+/) { p = substr($0, RSTART + 5, RLENGTH - 5)
		if (p in reaped) { print "kill of reaped pid " p; bad = 1 } }
	     END { exit bad }' "$T/ct.strace" ||
		fail "crash-test signalled a pid it had reaped: $(grep -E 'kill|wait4' "$T/ct.strace" | head -20)"
	grep -q "wait4(" "$T/ct.strace" || fail "strace saw no wait4"
else
	echo "note: strace not installed: the reaped-pid check is not run" >&2
fi
pmemfs_stop
echo "PASS: $TEST_NAME"
