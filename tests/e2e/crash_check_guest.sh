#!/bin/bash
# SPDX-License-Identifier: MIT
# The crash tests' checker as a second boot of the guest (pmemctl
# crash-test --check), for xfs: only a kernel mount recovers its log
# (xfs_repair -n refuses a dirty one), so no host checker can:
#   crash_check_guest.sh CONSOLE LOG QEMU_COMMAND...
# CONSOLE is the application's -serial file with its "ACK N" lines
# (crash_guest.sh); QEMU_COMMAND boots the checker guest on the reverted
# namespace (pmemfs-qemu {} -- ..., running crash_guest.sh's
# crash_check), to which this adds -fw_cfg name=opt/pmemfs/acks,file=F
# (F: CONSOLE's ACK lines, handed in whole) and its own -serial file.
# The guest's verdict is QEMU's exit status (isa-debug-exit): 0 clean and
# nothing acknowledged lost, 1 records lost, 5 the mount or xfs_repair
# -n failed, 3 the guest could not check. Prints the guest's CHECK line
# (crash-test's report shows it); with LOG, appends
#   seed=S acked=A present=P lost=L lost_set=i,j,... repair=clean
# to it for the test to count. Exit 0 clean, 1 acknowledged records
# lost, 2 the file system does not recover (mount, xfs_repair -n), 3 it
# cannot check.
set -u
console=$1
log=$2
shift 2

[ -r "$console" ] || { echo "no console file '$console'"; exit 3; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pmemfs-check.XXXXXX") || exit 3
trap 'rm -rf "$tmp"' EXIT
# the ACK lines, and one line more: fw_cfg takes no empty file
{ tr -d '\r' <"$console" | grep -x 'ACK [0-9]*'; echo END; } >"$tmp/acks"
rc=0
"$@" -fw_cfg "name=opt/pmemfs/acks,file=$tmp/acks" -serial "file:$tmp/console" \
	>"$tmp/qemu" 2>&1 || rc=$?
line=$(tr -d '\r' <"$tmp/console" | grep -m 1 '^CHECK ')
case $rc in
0 | 1)
	# the verdict must agree with the guest's own line
	case "$rc:$line" in
	"0:CHECK "*" lost=0 "*" repair=clean" | "1:CHECK "*" lost="[1-9]*" repair=clean") ;;
	*)
		echo "the checker guest exited $rc, printing '${line:-no CHECK line}': $(tail -n 5 "$tmp/qemu" | tr '\n' ' ')"
		exit 3 ;;
	esac
	[ -z "$log" ] || echo "seed=${PMEMCTL_CRASH_SEED:-} ${line#CHECK }" >>"$log"
	if [ "$rc" = 1 ]; then
		l=${line#* lost=} set=${line#* lost_set=}
		echo "lost ${l%% *} acknowledged records: ${set%% *} (${line#CHECK })"
		exit 1
	fi
	echo "ok: ${line#CHECK }"
	exit 0 ;;
5)
	echo "the file system does not recover: ${line:-no CHECK line}"
	exit 2 ;;
*)
	echo "the checker guest exited $rc: ${line:-no CHECK line}; $(tr -d '\r' <"$tmp/console" | tail -n 8 | tr '\n' ' ') $(tail -n 3 "$tmp/qemu" | tr '\n' ' ')"
	exit 3 ;;
esac
