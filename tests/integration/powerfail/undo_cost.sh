#!/bin/bash
# SPDX-License-Identifier: MIT
# The cost of crash testing's undo log (by hand, not in CI):
#
#   tests/integration/powerfail/undo_cost.sh BUILD_DIR [SECONDS] [ROUNDS]
#
# fio 4 KiB random writes over 64 MiB of a 256 MiB namespace, through mmap
# and through pwrite, with an fsync every 1, 16 and 256 writes, crash
# testing off and on, alternating, ROUNDS times (default 3, 6 s each).
# Prints the median IOPS of each and the change.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export PMEMFS_SOURCE_ROOT=${PMEMFS_SOURCE_ROOT:-$(cd "$here/../../.." && pwd)}
export PMEMFS_BUILD_ROOT=${PMEMFS_BUILD_ROOT:-$(cd "${1:?usage: undo_cost.sh BUILD_DIR [SECONDS] [ROUNDS]}" && pwd)}
export PMEMFS_TESTLIB=$PMEMFS_SOURCE_ROOT/tests/integration/lib.sh
export FS_SHOW_LOG=0
SECS=${2:-6}
ROUNDS=${3:-3}
. "$PMEMFS_SOURCE_ROOT/tests/integration/powerfail/pflib.sh"
command -v fio >/dev/null || skip "fio is not installed"

region_create "$REGION" 1G
online_start "$REGION"
j=$(pc create-namespace -s 256M -n b) || fail "create"
F=$(json_get "$j" .path)

run() { # ENGINE N
	fio --name=pf --filename="$F" --rw=randwrite --bs=4k --ioengine="$1" --fsync="$2" \
		--size=64M --runtime="$SECS" --time_based --randrepeat=1 \
		--output-format=json 2>/dev/null | jq '.jobs[0].write.iops | floor'
}
median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-6s %-8s %10s %10s %8s\n' engine fsync_every iops_off iops_on change
for eng in mmap psync; do
	for n in 1 16 256; do
		offs="" ons=""
		for ((r = 0; r < ROUNDS; r++)); do
			pc power-fail b --disable >/dev/null
			offs="$offs $(run "$eng" "$n")"
			pc power-fail b --enable >/dev/null
			ons="$ons $(run "$eng" "$n")"
		done
		off=$(echo $offs | median) on=$(echo $ons | median)
		printf '%-6s %-8s %10s %10s %7s%%\n' "$eng" "$n" "$off" "$on" \
			"$(awk -v a="$off" -v b="$on" 'BEGIN { printf "%+.0f", (b - a) * 100 / a }')"
	done
done
pmemfs_stop
