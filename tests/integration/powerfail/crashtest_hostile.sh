#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl crash-test against a hostile or unlucky user: what the
# application or checker moves out of its process group (setsid, a
# daemon's double fork) is killed when it ends, as what stays in the group
# is (it went on writing the namespace during the checker and after
# crash-test; a checker's stray holding the namespace made --states give
# up); an option's error names the option given (--torn's said --survive);
# a seed of 2^63 or more is printed as given in the JSON (it was negative,
# which --seed refuses).
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }

pf_setup 4M log
"$DEMO" init "$F" >/dev/null || fail "init"

# (a) strays out of the group: the application's (a crash at a moment; and
# after its clean run, which ends by itself) and the checker's, each a
# setsid'ed writer of a file, and a double fork (the middle one gone at
# once: its child is orphaned while the application runs)
rm -f "$T/late"
expect_exit 0 ct log --runs 2 --seed 5 --mode moment -- \
	sh -c 'setsid sh -c "sleep 1.5; echo app-setsid >>\"\$0\"" "$1" &
	       ( ( sleep 1.5; echo app-double-fork >>"$1" ) & ) ; sleep 0.3' sh "$T/late" \
	--check sh -c 'setsid sh -c "sleep 1.5; echo checker-setsid >>\"\$0\"" "$1" & exit 0' \
	sh "$T/late"
assert_eq 2 "$(json_get "$out" .passed)" "strays: runs passed"
sleep 2.5
[ ! -e "$T/late" ] || fail "left running by crash-test: $(tr '\n' ' ' <"$T/late")"
# none of them is left as a zombie or a process either
pgrep -f 'echo (app|checker)-' >/dev/null && fail "strays still running: $(pgrep -af 'echo (app|checker)-')"

# (b) a checker's stray holding the namespace open: the next crash state
# is put on it all the same (it was "'log' is still open ...: a crash
# state is put on a namespace nobody holds", exit 240)
expect_exit 0 ct log --runs 1 --seed 5 --mode fsync --at-fsync 2 --states -- \
	"$DEMO" append {} 4 \
	--check sh -c '"$0" check "$1" || exit 1; (setsid sleep 5 <"$1" &); exit 0' "$DEMO" {}
[ "$(json_get "$out" .states)" -ge 2 ] || fail "states checked: $out"
assert_eq 0 "$(json_get "$out" .failed)" "a checker's stray holder"

# (c) an option's error names it
expect_exit 234 ct log --torn 101 -- "$DEMO" append {} 1 --check "$DEMO" check {}
assert_contains "$err" "bad value for --torn '101'" "--torn's error"
expect_exit 234 pc power-fail log --survive 101
assert_contains "$err" "bad value for --survive '101'" "--survive's error"

# (d) a seed above 2^63 - 1: printed unsigned, the failures' seeds too
# (read as text: jq takes numbers as doubles)
big=18446744073709551615
expect_exit 1 ct log --runs 2 --seed $big --mode fsync --at-fsync 4 -- \
	"$DEMO_BUGGY" append {} 4 --check "$DEMO_BUGGY" check {}
seeds=$(printf '%s' "$out" | grep -oE '"seed": ?-?[0-9]+' | tr -d ' ' | tr '\n' ' ')
assert_eq "\"seed\":$big \"seed\":$big \"seed\":0 " "$seeds" "the seeds in the JSON"
assert_eq "--seed $big --runs 1" "$(json_get "$out" .failures[0].replay)" "the replay"
expect_exit 0 pc power-fail log --enable
expect_exit 0 pc power-fail log --survive 50 --seed $big
assert_contains "$(printf "%s" "$out" | tr -d " ")" "\"seed\":$big" "power-fail's seed in the JSON"
