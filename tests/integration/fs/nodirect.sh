#!/bin/bash
# SPDX-License-Identifier: MIT
# A file system without O_DIRECT (tmpfs before Linux 6.6, Debian 12's;
# here every O_DIRECT open fails EINVAL under a seccomp filter, nodirect.c):
# the daemon serves its namespaces buffered and says so, in the start-up
# summary and in list -v, on both layouts; the data is durable after a
# flush; -o backing=direct stops at start naming the missing O_DIRECT.
# (A region directory said "backing direct" there while its namespaces
# ran buffered, and -o backing=direct mounted with none of them served;
# e2e/kernel61 found it on the real 6.1 tmpfs.)
. "$(dirname "$0")/fslib.sh"

NODIRECT=$PMEMFS_BUILD_ROOT/tests/integration/fs/nodirect
run_cmd "$NODIRECT" true
[ "$rc" != 77 ] || skip "no seccomp filter here: $err"
[ "$rc" = 0 ] || fail "nodirect true exited $rc: $err"
# the filter works: an O_DIRECT open fails
: >"$T/probe"
expect_exit 1 "$NODIRECT" "$NSIO_BIN" write "$T/probe" 0 4096 1 direct
assert_contains "$err" "EINVAL" "O_DIRECT open under nodirect"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NODIRECT" "$PMEMFS" >"$T/pmemfs-nodirect"
chmod +x "$T/pmemfs-nodirect"

R=$T/r.img
OFF=$((1 << 20))
LEN=$((192 << 10))
region_create "$R" 32M
d=$(ns_create "$R" 8M data)

expect_exit 1 timeout 20 "$T/pmemfs-nodirect" -f -o backing=direct "$R" "$MNT"
assert_contains "$err" "no O_DIRECT on the region" "-o backing=direct without O_DIRECT"
mounted && fail "-o backing=direct without O_DIRECT left a mount"

# (passthrough off: a passed-through namespace's data path is its file's
# page cache anyway, on this machine's kernel)
PMEMFS=$T/pmemfs-nodirect pmemfs_start -o passthrough=off "$R"
grep -qF "backing buffered (the file system has no O_DIRECT)" "$T/daemon.log" ||
	fail "the start-up summary does not say buffered: $(cat "$T/daemon.log")"
"$NSIO" write "$MNT/region0/data" $OFF $LEN 5 fsync || fail "write + fsync"
assert_eq buffered "$(ns_backing data)" "list -v backing"
cache_clean "$R" "$d" $((8 << 20))
"$NSIO" verify "$R" $((d + OFF)) $LEN 5 || fail "the flushed bytes are not in the region"
pmemfs_stop
