#!/bin/bash
# SPDX-License-Identifier: MIT
# destroy-namespace of an enabled namespace needs -f, as ndctl's "is
# active, specify --force" (issue 17 items 3 and 13):
#   - served, not open: refused at once (240, EBUSY), naming its file; the
#     file and label stay; an old pmemctl's request (no flags) too;
#   - disabled first: destroyed without -f;
#   - -f: destroyed;
#   - open, or only mapped (no descriptor left): refused naming the
#     holders' pids and commands (enabled: at once; disabled with -f and
#     still open through its old file: after the wait for a close in
#     flight); FORCE with KEEP_SERVED overrides the holders only;
#   - `all` without -f: each namespace on its own (as ndctl): the disabled
#     ones are destroyed, the enabled ones refused and named, exit 240;
#     `all -f` destroys the rest;
#   - offline (--file) there is no enabled state: destroyed without -f.
. "$(dirname "$0")/onlinelib.sh"

CMD_DESTROY=4		# CTL_CMD_DESTROY_NS (src/ctl/proto.h)
F_FORCE=4		# CTL_F_FORCE
F_KEEP_SERVED=2048	# CTL_F_KEEP_SERVED
R=$T/r.img
region_create "$R" 64M
online_start "$R"
for n in a b c d e f g; do
	pc create-namespace -s 2M -n $n >/dev/null || fail "create $n"
done
listed() { [ -n "$(ns_field "$1" dev)" ]; }
at_exit 'kill -9 $(jobs -p) 2>/dev/null'

# ---- served, nobody holds it: refused at once, nothing changes
start=$(now_ms)
expect_exit 240 pc destroy-namespace a
ms=$(($(now_ms) - start))
assert_contains "$err" "namespace 'a' in region0 is enabled (served as $MNT/region0/a): disable it first (disable-namespace), or use -f to destroy it anyway" \
	"served: refusal"
assert_contains "$err" "destroyed 0 namespaces" "served: nothing destroyed"
[ -f "$MNT/region0/a" ] || fail "served: a's file gone after a refused destroy"
listed a || fail "served: a's label gone after a refused destroy"
((ms < 900)) || fail "served: the refusal waited ($ms ms): nothing to wait for"
# an old pmemctl sends no flag at all: the daemon refuses it the same way
"$OLC" nscall "$SOCK" "$CMD_DESTROY" a >"$T/old.out" 2>&1 || true
assert_contains "$(cat "$T/old.out")" "error 16" "old pmemctl's request: EBUSY"
assert_contains "$(cat "$T/old.out")" "is enabled (served as $MNT/region0/a)" "old pmemctl's request"
[ -f "$MNT/region0/a" ] || fail "a's file gone after an old pmemctl's destroy"

# ---- disabled first: destroyed without -f
expect_exit 0 pc disable-namespace a
expect_exit 0 pc destroy-namespace a
assert_contains "$err" "destroyed 1 namespace" "disabled: destroyed"
listed a && fail "disabled: a still listed after its destroy"

# ---- -f: destroyed
expect_exit 0 pc destroy-namespace -f b
assert_contains "$err" "destroyed 1 namespace" "-f: destroyed"
[ ! -e "$MNT/region0/b" ] || fail "-f: b's file still there"
listed b && fail "-f: b still listed"

# ---- open: the refusal names the holder
sleep 1000 <"$MNT/region0/c" &
sp=$!
wait_until 10 test -e "/proc/$sp/fd/0" || fail "holder of c did not start"
wait_until 10 sh -c "readlink /proc/$sp/fd/0 | grep -q region0/c" || fail "holder of c did not open it"
expect_exit 240 pc destroy-namespace c
assert_contains "$err" "namespace 'c' in region0 is enabled and in use by pid $sp (sleep): close it and disable it, or use -f to destroy it anyway" \
	"open: refusal names the pid"
[ -f "$MNT/region0/c" ] || fail "open: c's file gone after a refused destroy"
# a second holder, mapping only (its descriptor closed): both named
: >"$T/map.out"
"$NSIO" mmap-write "$MNT/region0/c" 0 4096 7 maponly >"$T/map.out" 2>"$T/map.err" &
mp=$!
wait_until 10 grep -q ready "$T/map.out" || fail "mapping holder not ready: $(cat "$T/map.err")"
expect_exit 240 pc destroy-namespace c
assert_contains "$err" "pid $sp (sleep)" "open + mapped: the open one"
assert_contains "$err" "pid $mp (nsio)" "open + mapped: the mapping one"
kill "$sp"
wait "$sp" 2>/dev/null || true
# mapped only
expect_exit 240 pc destroy-namespace c
assert_contains "$err" "namespace 'c' in region0 is enabled and in use by pid $mp (nsio)" \
	"mapped only: refusal names the pid"
# disabled under the mapping: refused after the wait for a close in flight
expect_exit 0 pc disable-namespace -f c
start=$(now_ms)
expect_exit 240 pc destroy-namespace c
ms=$(($(now_ms) - start))
assert_contains "$err" "namespace 'c' in region0 is in use by pid $mp (nsio): close it first, or use -f to destroy it anyway" \
	"disabled, mapped: refusal names the pid"
((ms >= 900)) || fail "disabled, mapped: refused after $ms ms, without waiting for a close in flight"
listed c || fail "disabled, mapped: c's label gone after a refused destroy"
# FORCE with KEEP_SERVED (what no pmemctl sends today): the holders are
# overridden, the served state is not
"$OLC" nscall "$SOCK" "$CMD_DESTROY" d $((F_FORCE | F_KEEP_SERVED)) >"$T/fk.out" 2>&1 || true
assert_contains "$(cat "$T/fk.out")" "is enabled (served as $MNT/region0/d)" "FORCE|KEEP_SERVED, served"
"$OLC" nscall "$SOCK" "$CMD_DESTROY" c $((F_FORCE | F_KEEP_SERVED)) >"$T/fk.out" 2>&1 || true
assert_contains "$(cat "$T/fk.out")" "ok" "FORCE|KEEP_SERVED, disabled and mapped"
listed c && fail "c still listed after a forced destroy"
kill "$mp"
wait "$mp" 2>/dev/null || true

# ---- all without -f: disabled ones go, enabled ones are refused by name
# (d, e enabled; f, g disabled)
expect_exit 0 pc disable-namespace f g
expect_exit 240 pc destroy-namespace all
assert_contains "$err" "namespace 'd' in region0 is enabled" "all: d refused"
assert_contains "$err" "namespace 'e' in region0 is enabled" "all: e refused"
assert_contains "$err" "destroyed 2 namespaces, refused 2 (enabled or in use): d, e" "all: summary"
assert_eq "d e" "$(pc list -i | jq -r '[.[].name] | sort | join(" ")')" "all: what is left"
[ -f "$MNT/region0/d" ] && [ -f "$MNT/region0/e" ] || fail "all: an enabled namespace's file is gone"
expect_exit 0 pc destroy-namespace -f all
assert_contains "$err" "destroyed 2 namespaces" "all -f"
assert_eq "" "$(pc list -i | jq -r ".[].name")" "all -f: nothing left"
pmemfs_stop

# ---- offline: no enabled state, -f not needed
"$PMEMCTL" create-namespace --file "$R" -s 2M -n h >/dev/null || fail "offline create"
expect_exit 0 "$PMEMCTL" destroy-namespace --file "$R" h
assert_contains "$err" "destroyed 1 namespace" "offline destroy"
echo "PASS: $TEST_NAME"
