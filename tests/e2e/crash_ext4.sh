#!/bin/bash
# SPDX-License-Identifier: MIT
# A whole VM crash-tested at its flushes (issue 20): ext4 (DAX) on
# virtio-pmem, made in a first boot that ends with a clean QEMU exit;
# then pmemctl crash-test runs the guest (pmemfs-qemu, which execs QEMU)
# as the application: it appends RECORDS records to /log, acknowledging
# each on the console, and is crashed at guest FSYNCs (QEMU's fsync of
# the namespace file: the guest's flush never completes); the namespace
# is reverted to its last completed FSYNC and the host checker
# (crash_check.sh: e2fsck replays the journal, e2fsck -fn must be clean,
# debugfs reads /log) looks for every acknowledged record.
#   crash_ext4.sh fsync      each record fsynced before its ACK: every
#                            crash point recovers, nothing acked is lost
#   crash_ext4.sh ackfirst   ACK first, fsync every 4th record, no
#                            unmount: crash-test finds lost records and
#                            prints their replay; --seed S --runs 1
#                            --at-fsync K replays it: the same crash point,
#                            the same records lost
# The crash points are crash-test --sweep's: run i of N at FSYNC
# ceil((i+1)*F/N) of the clean run's F, so they keep their place in the
# workload when the guest's FSYNC count changes (another kernel, a
# journal commit under load). Debian 12's 6.1 kernel: fsync, 16 records:
# F = 45 (1 at the mount, 2 a record, 12 for unmount and power-off),
# points 12, 23, 34, 45: two in the workload, two in the unmount;
# ackfirst, 8 records: F = 7 (1 at the mount, 2 for each of the 2 syncs,
# 2 at power-off), points 2, 3, 4, 5, 6, 7: every FSYNC from the first
# sync on; a crash in a sync's first FSYNC (2, 4) loses the 4 records
# acknowledged since the last one. For any F from 7 to 10 (up to 3 more
# FSYNCs, at the mount or in the syncs) the 6 points cover both odd and
# even FSYNCs of the syncs, so some land on a sync's first FSYNC.
. "$(dirname "$0")/crashlib.sh"
MODE=${1:-fsync}
SEED=${PMEMFS_CRASH_SEED:-1}
case $MODE in
fsync) RUNS=${PMEMFS_CRASH_RUNS:-4} RECORDS=16 ;;
ackfirst) RUNS=${PMEMFS_CRASH_RUNS:-6} RECORDS=8 ;;
*) fail "no mode '$MODE' (fsync or ackfirst)" ;;
esac

crash_setup 32M ext4
crash_app virtio-pmem "$T/console" "crash_work ext4 $MODE $RECORDS 0 dax"
LOG=$T/check.log
check=("$CHECK" {} "$T/console" "$LOG")
crash_run "$MODE" --mode fsync --sweep --seed "$SEED" --runs "$RUNS" --timeout 90 \
	-- "${APP[@]}" --check "${check[@]}"

if [ "$MODE" = fsync ]; then
	crash_expect_recovered crash_ext4 fsync "$RECORDS" "$LOG"
	pmemfs_stop
	exit 0
fi

cat "$LOG" >&2
j=$(cat "$T/ackfirst.json")
[ "$CT_RC" = 1 ] && [ "$(json_get "$j" .failed)" -ge 1 ] ||
	fail "crash-test found no lost record (exit $CT_RC): $j"
head -n 1 "$LOG" | grep -q " acked=$RECORDS present=$RECORDS lost=0 " ||
	fail "the clean run's check: $(head -n 1 "$LOG")"
# every failure is lost records (never fsck): crash_check.sh exit 1
[ "$(json_get "$j" '[.failures[] | select(.checker != "exit 1")] | length')" = 0 ] ||
	fail "a failure other than lost records: $j"
s=$(json_get "$j" '.failures[0].seed')
crash=$(json_get "$j" '.failures[0].crash')
out=$(json_get "$j" '.failures[0].checker_output')
replay=$(json_get "$j" '.failures[0].replay')
echo "e2e: crash_ext4_ackfirst: $(json_get "$j" .failed) of $RUNS crash points at guest FSYNCs $(jq -c '[.points[] | sub("fsync "; "") | sub(" of .*"; "") | tonumber]' <<<"$j") of $(json_get "$j" .fsyncs) lost acknowledged records ($(log_sum "$LOG" lost 2) of $(log_sum "$LOG" acked 2)); $((CT_MS / (RUNS + 1))) ms a run; replaying $replay ($crash: $out)" >&2
# the printed replay: the same crash point, the same records lost
k=${crash#fsync }
[ "$replay" = "--seed $s --runs 1 --at-fsync ${k% of *}" ] || fail "the replay of $crash is '$replay'"
grep -qF "seed $s: power failure $crash: checker exit 1 (replay: $replay)" "$T/ackfirst.err" ||
	fail "crash-test did not print the replay of seed $s"
: >"$LOG"
# shellcheck disable=SC2086 # the replay's words
crash_run replay --mode fsync $replay --timeout 90 \
	-- "${APP[@]}" --check "${check[@]}"
r=$(cat "$T/replay.json")
[ "$CT_RC" = 1 ] && [ "$(json_get "$r" .failed)" = 1 ] || fail "the replay ($replay) passed: $r"
[ "$(json_get "$r" '.failures[0].crash')" = "$crash" ] ||
	fail "the replay crashed at '$(json_get "$r" '.failures[0].crash')', not '$crash'"
[ "$(json_get "$r" '.failures[0].checker_output')" = "$out" ] ||
	fail "the replay lost '$(json_get "$r" '.failures[0].checker_output')', not '$out'"
pmemfs_stop
