#!/bin/bash
# SPDX-License-Identifier: MIT
# crash-test's baseline (control command 18) across versions and users:
# this pmemctl and a daemon before the command (fake_daemon.py nobaseline:
# a real daemon that refuses command 18 and flag 'owned' as unknown ones)
# falls back to the copy and to plain crash points, each said once; what
# an older pmemctl does (power-fail and a copy: --baseline-max 0) works
# with this daemon and starts no baseline; the
# command is refused to a user who may not change the mount (the socket's
# rules, as power-fail), and a baseline left by a process that has exited
# is replaced, not a reason to refuse.
. "$(dirname "$0")/onlinelib.sh"
command -v python3 >/dev/null || skip "python3 not installed"

FAKE=$PMEMFS_SOURCE_ROOT/tests/integration/online/fake_daemon.py
OLC=$PMEMFS_BUILD_ROOT/tests/integration/online/olclient
CMD_BASELINE=18 F_ENABLE=32 F_DISABLE=64 F_STATUS=128
R=$T/r.img
region_create "$R" 64M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
online_start "$R"
F=$MNT/region0/a
"$NSIO" write "$F" 0 $((4 << 20)) 9 fsync || fail "fill"
cp "$F" "$T/start"
# the application writes and flushes two pages; the checker a third
app=("$NSIO" write {} 8192 8192 3 fsync)
chk=("$NSIO" write {} 65536 4096 4 fsync)

python3 "$FAKE" "$T/old.sock" nobaseline "$SOCK" >"$T/old.out" &
at_exit "kill $! 2>/dev/null"
wait_until 5 grep -q listening "$T/old.out" || fail "the stand-in daemon did not start"

# this pmemctl, a daemon without baselines: the copy, said once; nor
# crash points of crash-test's own (flag 'owned'): plain ones, said once
expect_exit 0 "$PMEMCTL" crash-test --socket "$T/old.sock" a --runs 3 --seed 7 --mode fsync -- \
	"${app[@]}" --check "${chk[@]}"
assert_eq copy "$(json_get "$out" .restore)" "an older daemon: the copy"
assert_eq 3 "$(json_get "$out" .passed)" "an older daemon: passed"
assert_contains "$err" "the daemon of '$MNT' is older than this pmemctl and keeps no baseline: each run restores a copy of the namespace in /tmp" \
	"an older daemon said"
assert_eq 1 "$(grep -c "keeps no baseline" <<<"$err")" "said once"
assert_contains "$err" "the daemon of '$MNT' is older than this pmemctl: a crash point stays armed if crash-test is killed by SIGKILL" \
	"an older daemon's crash points said"
assert_eq 1 "$(grep -c "a crash point stays armed" <<<"$err")" "said once"
assert_eq 3 "$(grep -c "power failure armed at FSYNC [1-9].*(uid [0-9]*)$" "$T/daemon.log")" \
	"an older daemon: plain crash points"
cmp -s "$F" "$T/start" || fail "an older daemon: the starting content not left"

# an older pmemctl and this daemon: power-fail and a copy, no baseline
expect_exit 0 "$PMEMCTL" crash-test --mount "$MNT" a --runs 2 --seed 8 --baseline-max 0 -- \
	"${app[@]}" --check "${chk[@]}"
assert_eq copy "$(json_get "$out" .restore)" "the copy as an older pmemctl's"
assert_not_contains "$err" "baseline" "the copy, no note"
cmp -s "$F" "$T/start" || fail "the copy: the starting content not left"
assert_not_contains "$(cat "$T/daemon.log")" "baseline started" "a baseline without asking"
# and this pmemctl with this daemon: the baseline
expect_exit 0 "$PMEMCTL" crash-test --mount "$MNT" a --runs 2 --seed 9 -- "${app[@]}" \
	--check "${chk[@]}"
assert_eq baseline "$(json_get "$out" .restore)" "this daemon: the baseline"
cmp -s "$F" "$T/start" || fail "the baseline: the starting content not left"

# the command itself: a bound of less than a page, a restore of none,
# flags that do not go together
"$OLC" nscall "$SOCK" $CMD_BASELINE a $F_STATUS >"$T/c.out"
assert_contains "$(cat "$T/c.out")" "ok" "status without a baseline"
"$OLC" nscall "$SOCK" $CMD_BASELINE a 0 >"$T/c.out"
assert_contains "$(cat "$T/c.out")" "error 2" "restore without a baseline"
assert_contains "$(cat "$T/c.out")" "'a' holds no baseline" "restore without a baseline"
"$OLC" nscall "$SOCK" $CMD_BASELINE a $((F_ENABLE | F_DISABLE)) >"$T/c.out"
assert_contains "$(cat "$T/c.out")" "start, release and query a baseline: one at a time" \
	"start and release at once"
# started by a process that has exited (olclient): the next start replaces
# it (this one's olclient stays: a baseline whose owner has exited is
# released at its first new page, baseline_attacks.sh)
"$OLC" nscall "$SOCK" $CMD_BASELINE a $F_ENABLE >"$T/c.out"
assert_contains "$(cat "$T/c.out")" "ok" "start"
OLCLIENT_STAY=1 "$OLC" nscall "$SOCK" $CMD_BASELINE a $F_ENABLE >"$T/c.out" 2>&1 &
owner=$!
wait_until 5 grep -q "^ok\|^error" "$T/c.out" || fail "no reply to the start: $(cat "$T/c.out")"
assert_contains "$(cat "$T/c.out")" "ok" "a start over a baseline whose owner has exited"
assert_contains "$(cat "$T/daemon.log")" "a baseline left by a process that has exited released" \
	"the stale baseline released"
"$NSIO" write "$F" 0 12288 5 fsync || fail "a write under a baseline"
"$OLC" nscall "$SOCK" $CMD_BASELINE a 0 >"$T/c.out"
assert_contains "$(cat "$T/c.out")" "ok" "restore"
cmp -s "$F" "$T/start" || fail "olclient's restore: the starting content not back"
"$OLC" nscall "$SOCK" $CMD_BASELINE a $F_DISABLE >"$T/c.out"
assert_contains "$(cat "$T/c.out")" "ok" "release"
kill "$owner"
wait "$owner" 2>/dev/null || true
pmemfs_stop

# another user: refused as every change is
[ "$(id -u)" = 0 ] || skip "needs root to run the CLI as another user"
command -v setpriv >/dev/null || skip "setpriv not installed"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
# olclient from a directory user 65534 can reach (the build may sit in
# root's 0700 home, as in a fresh root's /root/pmemfs)
ob=$(mktemp -d /tmp/pmemfs-olc.XXXXXX)
at_exit "rm -rf '$ob'"
chmod 755 "$ob"
cp "$OLC" "$ob/olclient" && chmod 755 "$ob/olclient"
OLC=$ob/olclient
as_nobody test -x "$OLC" || fail "user 65534 cannot run $OLC"
online_start -o ctl_group=65534 "$R"
as_nobody "$OLC" nscall "$SOCK" $CMD_BASELINE a $F_ENABLE >"$T/c.out" 2>&1 || true
assert_contains "$(cat "$T/c.out")" "permission denied: uid 65534 may not keep and restore baselines on $MNT" \
	"another user"
assert_not_contains "$(cat "$T/daemon.log")" "baseline started for uid 65534" "started for another user"
pmemfs_stop
