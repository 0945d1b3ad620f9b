#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl crash-test against a hostile or unlucky user: what the
# application or checker moves out of its process group (setsid, a
# daemon's double fork) is killed when it ends, as what stays in the group
# is (it went on writing the namespace during the checker and after
# crash-test; a checker's stray holding the namespace made --states give
# up); an option's error names the option given (--torn's said --survive);
# a seed of 2^63 or more is printed as given in the JSON (it was negative,
# which --seed refuses), and a sampled state's number as well; interrupted
# (SIGTERM, SIGHUP, SIGINT), it kills the run, puts the starting content
# back and exits 252 (it died on the spot); its daemon killed, it keeps
# the starting content's copy and names it (it removed it); a second
# crash-test on the same namespace refuses (the two mixed their counts);
# killed by SIGKILL, its armed crash point lapses (it SIGKILLed the next
# process to FSYNC).
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

# (e) interrupted (SIGTERM, SIGHUP, SIGINT: a Ctrl-C, a CI job's timeout)
# mid-run: exit 252 saying so, the application killed, the starting
# content put back, crash testing off again, the snapshot gone. It died on
# the spot: the namespace as the crash left it, crash testing on, the
# application writing on, a namespace-sized file left in /tmp.
expect_exit 0 pc power-fail log --disable
"$DEMO" append "$F" 3 >/dev/null || fail "append"
before=$(md5sum <"$F")
for sig in TERM HUP INT; do
	: >"$T/late"
	# (setsid: a background job of this shell would ignore SIGINT)
	setsid "$PMEMCTL" crash-test --mount "$MNT" log --runs 5 --seed 1 --mode fsync \
		--at-fsync 8 -- sh -c 'i=0; while [ $i -lt 8 ]; do "$0" append "$1" 1 >/dev/null
			echo w >>"$2"; sleep 0.3; i=$((i + 1)); done' "$DEMO" {} "$T/late" \
		--check "$DEMO" check {} >"$T/o" 2>"$T/e" &
	cp=$!
	# into the first crash run (the clean run takes 8 * 0.3 s)
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l <"$T/late")" -ge 10 ] && break
		sleep 0.1
	done
	snap=$(readlink /proc/$cp/fd/* 2>/dev/null | grep '^/tmp/pmemctl-crash-' || true)
	[ -n "$snap" ] && [ -f "$snap" ] || fail "SIG$sig: no snapshot of crash-test seen"
	kill -$sig $cp
	wait $cp && r=0 || r=$?
	assert_eq 252 "$r" "SIG$sig: exit status ($(cat "$T/e"))"
	assert_contains "$(cat "$T/e")" "interrupted by" "SIG$sig: said"
	assert_contains "$(cat "$T/e")" "the starting content put back" "SIG$sig: restored"
	[ ! -s "$T/o" ] || fail "SIG$sig: JSON printed after an interruption: $(cat "$T/o")"
	n=$(wc -l <"$T/late")
	sleep 1
	assert_eq "$n" "$(wc -l <"$T/late")" "SIG$sig: the application stopped writing"
	assert_eq "$before" "$(md5sum <"$F")" "SIG$sig: the starting content"
	assert_eq false "$(pc power-fail log --status | jq -r '.crash_test')" \
		"SIG$sig: crash testing off again"
	[ ! -e "$snap" ] || fail "SIG$sig: the snapshot $snap left behind"
done

# (f) the daemon killed mid-test: the starting content cannot be put back;
# its only copy is kept and named (it was removed)
pc power-fail log --enable >/dev/null
"$PMEMCTL" crash-test --mount "$MNT" log --runs 40 --seed 1 --mode fsync -- \
	sh -c 'sleep 0.1; exec "$0" append "$1" 8' "$DEMO" {} --check "$DEMO" check {} \
	>"$T/o" 2>"$T/e" &
cp=$!
sleep 1.5
kill -9 "$DAEMON_PID"
wait $cp && r=0 || r=$?
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT"
[ "$r" != 0 ] || fail "crash-test after its daemon died: exit 0"
kept=$(sed -n "s/.*it is kept in '\([^']*\)'.*/\1/p" "$T/e")
[ -n "$kept" ] && [ -f "$kept" ] || fail "the starting content not kept: $(cat "$T/e")"
at_exit rm -f "$kept"
assert_eq "$before" "$(md5sum <"$kept")" "the kept starting content"

# (g) a sampled state's number of 2^63 or more (--state takes any): the
# failure's state printed as given (it was negative)
# (the checker accepts the clean run and rejects the state: whether a torn
# state of crash_demo_buggy fails depends on which pages the kernel wrote
# back before the crash, which timing decides)
online_start "$REGION"
expect_exit 0 pc power-fail log --enable
printf '#!/bin/sh\n[ -e "$0.seen" ] && exit 1\n: >"$0.seen"\n' >"$T/second_fails.sh"
chmod +x "$T/second_fails.sh"
expect_exit 1 ct log --runs 1 --seed 3 --mode fsync --at-fsync 4 --torn 100 --state $big -- \
	"$DEMO_BUGGY" append {} 4 --check "$T/second_fails.sh"
assert_contains "$(printf '%s' "$out" | tr -d ' ')" "\"state\":$big," "the failing state in the JSON"
assert_eq "--seed 3 --runs 1 --state $big" "$(json_get "$out" .failures[0].replay)" "its replay"

# (h) under a low ulimit -n (8: crash-test's own descriptors and one
# more), a stray is still found and killed (the list of children needs one
# descriptor, not two: it said "this kernel lists no child processes")
rm -f "$T/late"
expect_exit 0 bash -c 'ulimit -n 8; exec "$@"' sh "$PMEMCTL" crash-test --mount "$MNT" log \
	--runs 2 --seed 1 --mode fsync -- sh -c 'setsid sh -c "sleep 1; echo stray >>\"\$0\"" "$2" &
	exec "$0" append "$1" 2' "$DEMO" {} "$T/late" --check "$DEMO" check {}
assert_not_contains "$err" "warning" "under ulimit -n 8"
sleep 1.5
[ ! -e "$T/late" ] || fail "a stray left running under ulimit -n 8: $(tr '\n' ' ' <"$T/late")"

# (i) two crash-tests on one namespace at once: the second refuses (exit
# 240, saying why) and the first one's counts are its own. Both ran and
# passed: each clean run counted the other's FSYNCs too (25 and 32 for
# 16), and an armed crash point replaced the other's (19 reverts for 20
# runs).
expect_exit 0 pc power-fail log --enable
nbase=$(grep -c "namespace0.0: baseline started (" "$T/daemon.log")
"$PMEMCTL" crash-test --mount "$MNT" log --runs 4 --seed 1 --mode fsync -- \
	sh -c 'sleep 0.3; exec "$0" append "$1" 8' "$DEMO" {} --check "$DEMO" check {} \
	>"$T/o1" 2>"$T/e1" &
c1=$!
for ((i = 0; i < 200; i++)); do
	[ "$(grep -c "namespace0.0: baseline started (" "$T/daemon.log")" -gt "$nbase" ] && break
	sleep 0.05
done
[ "$i" -lt 200 ] || fail "the first crash-test started no baseline"
expect_exit 240 ct log --runs 4 --seed 2 --mode fsync -- "$DEMO" append {} 8 \
	--check "$DEMO" check {}
assert_contains "$err" "another crash-test runs on 'log'" "the second crash-test"
# from another network namespace (where pmemctl's own guard, an abstract
# socket, is not seen): the daemon's baseline refuses it (it ran on with
# a copy, mixing its counts with the first one's)
if unshare -n true 2>/dev/null; then
	expect_exit 240 unshare -n "$PMEMCTL" crash-test --mount "$MNT" log --runs 4 \
		--seed 2 --mode fsync -- "$DEMO" append {} 8 --check "$DEMO" check {}
	assert_contains "$err" "another crash-test runs on 'log' (it holds the daemon's baseline of it" \
		"the second crash-test, another network namespace"
else
	echo "note: unshare -n is not permitted here: a second crash-test from another network namespace not tried" >&2
fi
wait $c1 || fail "the first crash-test: $(cat "$T/e1")"
assert_eq 16 "$(jq -r .fsyncs "$T/o1")" "the first one's FSYNCs"
# after it: free again, also after a crash-test killed by SIGKILL. Its
# armed crash point was its own and lapses with it: the next process to
# FSYNC goes on, the daemon says why (it stayed armed and SIGKILLed that
# process: any writer's fsync, or the next clean run, "the application
# fails without a crash (signal 9, Killed)")
"$PMEMCTL" crash-test --mount "$MNT" log --runs 50 --seed 1 --mode fsync -- \
	sh -c 'sleep 5; exec "$0" append "$1" 8' "$DEMO" {} --check "$DEMO" check {} \
	>/dev/null 2>&1 &
c1=$!
# killed while its crash point is armed (a run's application sleeping)
app=
for ((i = 0; i < 200; i++)); do
	[ "$(pc power-fail log --status | jq -r '.at_fsync // 0')" -gt 0 ] &&
		app=$(pgrep -P $c1 -f 'sleep 5' || true) && [ -n "$app" ] && break
	sleep 0.05
done
[ -n "$app" ] || fail "the crash-test to kill never armed a crash point"
# (its temporary files, left by SIGKILL: removed here)
tmps=$(readlink /proc/$c1/fd/* 2>/dev/null | grep -E '^/tmp/pmemctl-(crash|check)-' || true)
kill -9 $c1
kill -9 -- -"$app" 2>/dev/null || true	# its application (a group of its own)
wait $c1 || true
[ -z "$tmps" ] || rm -f $tmps
expect_exit 0 "$DEMO" append "$F" 1
wait_line "$T/daemon.log" "namespace0.0: the crash point armed at FSYNC [0-9]* from now belongs to process $c1 (a crash-test), which has exited: disarmed at an FSYNC, which goes on"
assert_eq 0 "$(pc power-fail log --status | jq -r '.at_fsync // 0')" "the lapsed crash point"
expect_exit 0 ct log --runs 1 --seed 2 --mode fsync -- "$DEMO" append {} 8 \
	--check "$DEMO" check {}
assert_not_contains "$err" "had a crash point armed" "after the lapsed crash point"
# one armed by power-fail --at-fsync (no owner: it outlives pmemctl) stays
# armed until the next crash-test disarms it, saying so
expect_exit 0 pc power-fail log --at-fsync 3
expect_exit 0 ct log --runs 1 --seed 2 --mode fsync -- "$DEMO" append {} 8 \
	--check "$DEMO" check {}
assert_contains "$err" "'log' had a crash point armed" "the leftover crash point"
