#!/bin/bash
# SPDX-License-Identifier: MIT
# A whole VM crash-tested at its flushes (issue 20), xfs: the workload of
# crash_ext4.sh (RECORDS records appended to /log, each fsynced before
# its ACK on the console) on xfs with DAX (dax=always) on virtio-pmem,
# made in a first boot that ends with a clean QEMU exit. pmemctl
# crash-test --sweep crashes the guest at FSYNCs spread over the clean
# run's; the checker is a second boot of the guest on the reverted
# namespace (crash_check_guest.sh: only a kernel mount replays xfs's log,
# xfs_repair -n refuses a dirty one): the mount must recover, xfs_repair
# -n must find the file system clean after the mount and unmount, and
# every acknowledged record (handed in by -fw_cfg) must be in /log; its
# verdict is QEMU's exit status (isa-debug-exit).
#   crash_xfs.sh [fsync]   every crash point recovers, nothing acked lost
#   crash_xfs.sh ackfirst  (by hand) acknowledged first, fsynced every
#                          4th: the guest checker finds the lost records
. "$(dirname "$0")/crashlib.sh"
MODE=${1:-fsync}
RECORDS=16
RUNS=${PMEMFS_CRASH_RUNS:-3}
SEED=${PMEMFS_CRASH_SEED:-1}

crash_setup 32M xfs
crash_app virtio-pmem "$T/console" "crash_work xfs $MODE $RECORDS 0 dax=always"
LOG=$T/check.log
crash_checker_guest xfs "$T/console" "$LOG"
crash_run "$MODE" --mode fsync --sweep --seed "$SEED" --runs "$RUNS" --timeout 90 \
	-- "${APP[@]}" --check "${CHECKER[@]}"
case $MODE in
fsync) crash_expect_recovered crash_xfs fsync "$RECORDS" "$LOG" ;;
ackfirst)
	cat "$LOG" >&2
	[ "$CT_RC" = 1 ] && [ "$(json_get "$(cat "$T/ackfirst.json")" .failed)" -ge 1 ] ||
		fail "the guest checker found no lost record (exit $CT_RC)"
	echo "e2e: crash_xfs ackfirst: $(json_get "$(cat "$T/ackfirst.json")" .failed) of $RUNS crash points lost acknowledged records ($(log_sum "$LOG" lost 2) of $(log_sum "$LOG" acked 2))" >&2 ;;
*) fail "no mode '$MODE' (fsync or ackfirst)" ;;
esac
pmemfs_stop
