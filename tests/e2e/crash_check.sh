#!/bin/bash
# SPDX-License-Identifier: MIT
# The crash tests' checker, on the host, for ext4 (pmemctl crash-test
# --check; no second boot):
#   crash_check.sh NSFILE CONSOLE [LOG]
# NSFILE is the namespace file holding the guest's ext4 (crash-test's
# {}), CONSOLE the application's -serial file with its "ACK N" lines
# (crash_guest.sh). Replays the journal (e2fsck -E journal_only), then
# e2fsck -fn must find the file system clean; debugfs reads /log, and
# every acknowledged record ("rec<N>" for "ACK N") must be in it.
# Prints one line (crash-test's report shows the first): "ok: ..." or
# what was lost; with LOG, appends
#   seed=S acked=A present=P lost=L lost_set=i,j,... fsck=clean
# to it, for the test to count. Exit 0 when clean and nothing acknowledged
# is lost, 1 when acknowledged records are lost, 2 when e2fsck finds the
# file system damaged, 3 when it cannot check.
set -u
ns=$1
console=$2
log=${3:-}

[ -r "$console" ] || { echo "no console file '$console'"; exit 3; }
acks=$(tr -d '\r' <"$console" | sed -n 's/^ACK \([0-9][0-9]*\)$/\1/p')
# the journal replayed (exit 0 or 1: replayed, nothing else changed)
out=$(e2fsck -E journal_only -y "$ns" 2>&1)
rc=$?
if [ "$rc" -gt 1 ]; then
	echo "e2fsck -E journal_only exited $rc: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
	exit 2
fi
out=$(e2fsck -fn "$ns" 2>&1)
rc=$?
if [ "$rc" != 0 ]; then
	echo "e2fsck -fn exited $rc, the file system is not clean: $(tail -n 5 <<<"$out" | tr '\n' ' ')"
	exit 2
fi
errf=$(mktemp) || exit 3
recs=$(debugfs -R 'cat /log' "$ns" 2>"$errf")
err=$(grep -v '^debugfs ' "$errf")	# its banner is not an error
rm -f "$errf"
[ -z "$err" ] || { echo "debugfs cannot read /log: $err"; exit 3; }

n=0
lost=
for a in $acks; do
	n=$((n + 1))
	grep -qx "rec$a" <<<"$recs" || lost="$lost${lost:+,}$a"
done
nl=0
[ -z "$lost" ] || nl=$(tr , '\n' <<<"$lost" | wc -l)
present=$(grep -c '^rec[0-9]*$' <<<"$recs")
[ -z "$log" ] ||
	echo "seed=${PMEMCTL_CRASH_SEED:-} acked=$n present=$present lost=$nl lost_set=${lost:--} fsck=clean" >>"$log"
if [ -n "$lost" ]; then
	echo "lost $nl of $n acknowledged records: $lost (fsck clean, $present records in /log)"
	exit 1
fi
echo "ok: $n acknowledged records present (fsck clean, $present records in /log)"
