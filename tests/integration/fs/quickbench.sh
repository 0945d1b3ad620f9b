#!/bin/bash
# SPDX-License-Identifier: MIT
# A quick side-by-side of a namespace file and a plain file on the same
# file system (not a test; the full benchmark suite lives in bench/).
#   PMEMFS_BUILD_ROOT=build PMEMFS_TESTLIB=tests/integration/lib.sh \
#       bash tests/integration/fs/quickbench.sh [pmemfs options...]
. "$(dirname "$0")/fslib.sh"
FS_SHOW_LOG=0
B=$PMEMFS_BUILD_ROOT/tests/integration/fs/nsbench
MIB=${QB_MIB:-256}

R=$T/r.img
region_create "$R" $((MIB + 4))M
ns_create "$R" ${MIB}M ns1 >/dev/null
P=$T/plain
head -c $((MIB * 1048576)) /dev/zero >"$P"
pmemfs_start "$@" "$R"
N=$MNT/region0/ns1

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
run() { # name args...
	local what=$1 n p
	shift
	sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
	p=$("$B" "$what" "$P" "$@")
	sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
	n=$("$B" "$what" "$N" "$@")
	echo "$what: pmemfs $n | plain $p | ratio $(ratio "${n%% *}" "${p%% *}")"
}
run seqwrite "$MIB"
run randread 20000
run mmapwrite "$MIB"
p=$("$B" msynclat "$P" 2000)
n=$("$B" msynclat "$N" 2000)
echo "msync of one dirty page: pmemfs $n | plain $p"
pmemfs_stop
