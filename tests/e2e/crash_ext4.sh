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
#   crash_ext4.sh ackfirst   ACK first, fsync every 4th record: crash-test
#                            finds lost records and prints their seed;
#                            --seed S --runs 1 replays it: the same crash
#                            point, the same records lost
# Fixed seeds: the crash points are the same in every run of the test
# (K = 1 + splitmix64(seed + run) % FSYNCs, tools/cmd_crash_test.c).
. "$(dirname "$0")/crashlib.sh"
MODE=${1:-fsync}
RECORDS=16
BOOT_TIMEOUT=${PMEMFS_E2E_BOOT_TIMEOUT:-120}

crash_setup 32M
crash_mkfs ext4
crash_app virtio-pmem "$T/console" "crash_work ext4 $MODE $RECORDS 0 dax"
LOG=$T/check.log
check=("$CHECK" {} "$T/console" "$LOG")

case $MODE in
fsync)
	# TODO(--sweep): `--sweep --runs 4` will spread the points over the
	# clean run's FSYNCs; until then a seed whose points fall in the
	# workload: FSYNCs 9, 4, 1, 14 of 45 on Debian 12's 6.1 kernel (1 at
	# the mount, 2 a record, 12 for umount and power-off; a journal
	# commit under load adds some: 3 or more of the 4 stay inside for any
	# count from 42 to 53)
	SEED=${PMEMFS_CRASH_SEED:-8014}
	RUNS=${PMEMFS_CRASH_RUNS:-4}
	crash_run fsync --mode fsync --seed "$SEED" --runs "$RUNS" --timeout 90 \
		-- "${APP[@]}" --check "${check[@]}"
	cat "$LOG" >&2
	[ "$CT_RC" = 0 ] ||
		fail "crash-test exited $CT_RC: acknowledged records lost or fsck not clean: $(cat "$T/fsync.json")"
	j=$(cat "$T/fsync.json")
	[ "$(json_get "$j" .passed)" = "$RUNS" ] && [ "$(json_get "$j" .failed)" = 0 ] ||
		fail "not every run passed: $j"
	[ "$(json_get "$j" .fsyncs)" -gt "$RECORDS" ] || fail "fewer guest FSYNCs than records: $j"
	head -n 1 "$LOG" | grep -q " acked=$RECORDS present=$RECORDS lost=0 " ||
		fail "the clean run's check: $(head -n 1 "$LOG")"
	[ "$(wc -l <"$LOG")" = $((RUNS + 1)) ] || fail "$((RUNS + 1)) checks expected in $LOG"
	# at least one point before the workload ended: not all acknowledged
	inside=$(sed -n '2,$p' "$LOG" | awk -v n="$RECORDS" '{ split($2, a, "="); if (a[2] < n) c++ } END { print c + 0 }')
	[ "$inside" -ge 1 ] || fail "no crash point fell inside the workload (the guest's FSYNC count changed?)"
	echo "e2e: crash_ext4: $RUNS crash points at guest FSYNCs ($inside before the workload ended): $(log_sum "$LOG" acked 2) acknowledged, 0 lost, fsck clean; $((CT_MS / (RUNS + 1))) ms a run" >&2
	;;
ackfirst)
	# TODO(--sweep): `--sweep --runs 6` will place the points; until
	# then a seed with FSYNCs 8, 12, 1, 21, 2, 11 of 21 (Debian 12's 6.1:
	# 1 at the mount, 2 for each of the 4 syncs, 12 for umount and
	# power-off). A crash in the first FSYNC of a sync (2, 4, 6, 8) loses
	# the 4 records acknowledged since the last one; in the second, the
	# records were already durable. 2 or more of the 6 points are such
	# for any count from 20 to 24 (a journal commit under load adds some)
	SEED=${PMEMFS_CRASH_SEED:-3232}
	RUNS=${PMEMFS_CRASH_RUNS:-6}
	crash_run ackfirst --mode fsync --seed "$SEED" --runs "$RUNS" --timeout 90 \
		-- "${APP[@]}" --check "${check[@]}"
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
	echo "e2e: crash_ext4_ackfirst: $(json_get "$j" .failed) of $RUNS crash points lost acknowledged records ($(log_sum "$LOG" lost 2) of $(log_sum "$LOG" acked 2)); $((CT_MS / (RUNS + 1))) ms a run; replaying seed $s ($crash: $out)" >&2
	# the printed replay: the same crash point, the same records lost
	grep -q "seed $s: power failure $crash: checker exit 1 (replay: --seed $s --runs 1)" "$T/ackfirst.err" ||
		fail "crash-test did not print the replay of seed $s"
	: >"$LOG"
	crash_run replay --mode fsync --seed "$s" --runs 1 --timeout 90 \
		-- "${APP[@]}" --check "${check[@]}"
	r=$(cat "$T/replay.json")
	[ "$CT_RC" = 1 ] && [ "$(json_get "$r" .failed)" = 1 ] || fail "the replay of seed $s passed: $r"
	[ "$(json_get "$r" '.failures[0].crash')" = "$crash" ] ||
		fail "the replay crashed at '$(json_get "$r" '.failures[0].crash')', not '$crash'"
	[ "$(json_get "$r" '.failures[0].checker_output')" = "$out" ] ||
		fail "the replay lost '$(json_get "$r" '.failures[0].checker_output')', not '$out'"
	;;
*) fail "no mode '$MODE' (fsync or ackfirst)" ;;
esac
pmemfs_stop
