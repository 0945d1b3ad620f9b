#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl crash-test restores the starting content from the daemon's
# baseline, not from a copy in /tmp: every run starts from it byte for
# byte whatever the run, its checker, a page kept by --survive or torn by
# --states --torn changed; the namespace is left with it (read through the
# file and beside the daemon); a namespace larger than /tmp's free space is
# tested (the copy failed with ENOSPC: the rule it broke); a test that
# outgrows --baseline-max starts over with the copy.
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"

ct() { "$PMEMCTL" crash-test --mount "$MNT" "$@"; }
NSZ=$((8 << 20))
pf_setup 8M base
"$NSIO" write "$F" 0 "$NSZ" 77 fsync || fail "fill"
cp "$F" "$T/start"

# the application: the namespace is the starting content when it starts
# (else a line in $T/bad); then pages here and there, each flushed, one
# range punched, and three pages left unflushed
cat >"$T/app.sh" <<'SH'
#!/bin/bash
f=$1 t=$2 s=${PMEMCTL_CRASH_SEED:-0}
cmp -s "$f" "$t/start" || echo "seed $s: the run did not start from the starting content" >>"$t/bad"
for i in 1 2 3 4 5 6; do
	dd if=/dev/urandom of="$f" bs=4096 seek=$(((s * 7 + i * 131) % 2048)) count=1 \
		conv=notrunc,fsync status=none || exit 1
done
fallocate -p -o $((((s * 11) % 2000) * 4096)) -l 8192 "$f" 2>/dev/null
dd if=/dev/urandom of="$f" bs=4096 seek=$(((s * 13 + 5) % 2048)) count=3 conv=notrunc \
	status=none || exit 1
SH
# the checker writes too (flushed and not): the next run must not see it
cat >"$T/chk.sh" <<'SH'
#!/bin/bash
f=$1 s=${PMEMCTL_CRASH_SEED:-0}
dd if=/dev/urandom of="$f" bs=4096 seek=$(((s * 17 + 1000) % 2048)) count=2 \
	conv=notrunc,fsync status=none || exit 1
dd if=/dev/urandom of="$f" bs=4096 seek=$(((s * 19 + 1500) % 2048)) count=1 \
	conv=notrunc status=none || exit 1
SH
chmod +x "$T/app.sh" "$T/chk.sh"

# starting_content WHAT: through the file and in the region beside the daemon
starting_content() {
	[ ! -e "$T/bad" ] || fail "$1: $(cat "$T/bad")"
	cmp -s "$F" "$T/start" || fail "$1: the namespace is not left with its starting content"
	cmp -s <(dd if="$RNS" bs=4096 skip=$((ROFF / 4096)) count=$((NSZ / 4096)) status=none) \
		"$T/start" || fail "$1: the region file does not hold the starting content"
}

expect_exit 0 ct base --runs 6 --seed 11 -- "$T/app.sh" {} "$T" --check "$T/chk.sh" {}
assert_eq baseline "$(json_get "$out" .restore)" "restored from the baseline"
assert_eq 6 "$(json_get "$out" .passed)" "runs passed"
p=$(json_get "$out" .pages_restored)
# 7 restores (6 runs, the end) of what each run and its checker changed,
# not the 2048 pages of the namespace each
[ "$p" -ge 24 ] && [ "$p" -le 140 ] || fail "pages restored: $p: $out"
assert_not_contains "$err" "copy of the namespace" "no copy"
starting_content "plain runs"

expect_exit 0 ct base --runs 4 --seed 21 --survive 50 -- "$T/app.sh" {} "$T" \
	--check "$T/chk.sh" {}
assert_eq baseline "$(json_get "$out" .restore)" "--survive: restored from the baseline"
starting_content "--survive 50 (kept pages)"

expect_exit 0 ct base --runs 2 --seed 31 --mode fsync --states --torn 50 --samples 3 -- \
	"$T/app.sh" {} "$T" --check "$T/chk.sh" {}
assert_eq 6 "$(json_get "$out" .states)" "torn states checked"
starting_content "--states --torn (torn pages, the checker's writes between states)"

# the bound: a clean run that changes more pages fails at it (EIO), and
# the test starts over with the copy
expect_exit 0 ct base --runs 2 --seed 41 --baseline-max 16K -- "$T/app.sh" {} "$T" \
	--check "$T/chk.sh" {}
assert_contains "$err" "changed more than the baseline of 'base' keeps" "bound said"
assert_contains "$err" "starting over with a copy of the namespace in /tmp" "fallback said"
assert_eq copy "$(json_get "$out" .restore)" "over the bound: the copy"
assert_eq 2 "$(json_get "$out" .passed)" "over the bound: the runs passed"
starting_content "over the bound"
expect_exit 0 ct base --runs 1 --seed 42 --baseline-max 0 -- "$T/app.sh" {} "$T" \
	--check "$T/chk.sh" {}
assert_eq copy "$(json_get "$out" .restore)" "--baseline-max 0: the copy"
starting_content "--baseline-max 0"

# a namespace larger than /tmp's free space: /tmp a 1 MiB tmpfs in a
# mount namespace of its own, $T (under /tmp) bound into it
[ "$(id -u)" = 0 ] || skip "a small /tmp needs root (mount)"
small_tmp() {
	unshare -m --propagation private bash -c 's=$1/smalltmp && mkdir -p "$s" &&
		mount -t tmpfs -o size=1m pmemfs-smalltmp "$s" && mkdir -p "$s/${1#/tmp/}" &&
		mount --rbind "$1" "$s/${1#/tmp/}" && mount --move "$s" /tmp && shift &&
		exec "$@"' sh "$T" "$@"
}
small_tmp true || skip "cannot mount a tmpfs over /tmp in a mount namespace"
expect_exit 0 small_tmp "$PMEMCTL" crash-test --socket "$SOCK" base --runs 3 --seed 51 -- \
	"$T/app.sh" {} "$T" --check "$T/chk.sh" {}
assert_eq baseline "$(json_get "$out" .restore)" "small /tmp: the baseline"
assert_eq 3 "$(json_get "$out" .passed)" "small /tmp: passed"
starting_content "small /tmp"
# the copy cannot: said in the user's terms, nothing changed
run_cmd small_tmp "$PMEMCTL" crash-test --socket "$SOCK" base --runs 1 --baseline-max 0 -- \
	"$T/app.sh" {} "$T" --check "$T/chk.sh" {}
[ "$rc" != 0 ] || fail "a copy of 8 MiB into a 1 MiB /tmp succeeded"
assert_contains "$err" "cannot save the content of '$F' (8388608 bytes) in /tmp: No space left on device" \
	"the copy's ENOSPC"
starting_content "small /tmp, the copy refused"
assert_eq null "$(pc list | jq -r '.[] | select(.name == "base") | .crash_test')" "crash_test after"
