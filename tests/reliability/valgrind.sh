#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon under valgrind memcheck for a whole integration run: mount
# two regions, pwrite+fsync, mmap+msync, fallocate punch, read back,
# unmount; valgrind must report no error and no definitely lost block,
# and the daemon must exit 0.
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

command -v valgrind >/dev/null || skip "valgrind not installed"
R=$T/r.img
R2=$T/r2.img
region_create "$R" 16M
region_create "$R2" 8M
d=$(ns_create "$R" 4M ns1)
ns_create "$R" 2M ro --read-only >/dev/null
d2=$(ns_create "$R2" 2M other -a 4K)
guard_fill "$R"

VLOG=$T/valgrind.log
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --error-exitcode=99 --num-callers=30 \
	--log-file="$VLOG" "$PMEMFS" -f "$R" "$R2" "$MNT" >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
for ((i = 0; i < 600; i++)); do
	mounted && break
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "pmemfs under valgrind exited: $(cat "$VLOG")"
	sleep 0.1
done
mounted || fail "pmemfs under valgrind did not mount in 60 s"

f=$MNT/region0/ns1
"$NSIO" write "$f" 4096 100000 7 fsync || fail "pwrite+fsync"
cache_clean "$R" $((d + 4096)) 100000
"$NSIO" mmap-write "$f" 1000000 300000 8 msync || fail "mmap+msync"
cache_clean "$R" $((d + 1000000)) 300000
"$NSIO" write "$MNT/region1/other" 0 8192 9 fdatasync || fail "second region"
"$NSIO" fallocate "$f" punch 2097152 65536 || fail "punch"
"$NSIO" verify "$f" 4096 100000 7 || fail "read back after fsync"
"$NSIO" verify "$f" 1000000 300000 8 || fail "read back after msync"
"$NSIO" check-byte "$f" 2097152 65536 0 || fail "punched range reads zeroes"
run_cmd "$NSIO" write "$MNT/region0/ro" 0 10 1 fsync
[ "$rc" != 0 ] || fail "read-only namespace accepted a write"
ls -la "$MNT" "$MNT/region0" "$MNT/region1" >/dev/null
stat "$f" >/dev/null
# the status view (list -v: holders, cachestat, ...) in the daemon, and
# pmemctl itself under memcheck, while a process holds ns1 with bytes
# not yet durable
sleep 60 <>"$f" &
holder=$!
"$NSIO" write "$f" 0 4096 5 none || fail "write without fsync"
for ((i = 0; i < 100; i++)); do
	"$PMEMCTL" list --mount "$MNT" >/dev/null 2>&1 && break
	sleep 0.1
done
CLOG=$T/valgrind-pmemctl.log
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --error-exitcode=99 --log-file="$CLOG" \
	"$PMEMCTL" list -R -N -v -M --mount "$MNT" >"$T/status.json" ||
	{ cat "$CLOG" >&2; fail "pmemctl list -v under valgrind"; }
[ "$(jq -c '.regions[0].namespaces[] | select(.name == "ns1") | .holders' "$T/status.json")" = "[$holder]" ] ||
	fail "list -v under valgrind: holders $(cat "$T/status.json")"
kill "$holder"
wait "$holder" 2>/dev/null || true

fusermount3 -u "$MNT" || fail "fusermount3 -u"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
"$NSIO" verify "$R" $((d + 4096)) 100000 7 || fail "pwrite bytes not in the region file"
"$NSIO" verify "$R2" $((d2)) 8192 9 || fail "second region's bytes not in its file"
grep -q "ERROR SUMMARY: 0 errors" "$VLOG" || { cat "$VLOG" >&2; fail "valgrind found errors"; }
if grep -q "definitely lost: [1-9]" "$VLOG"; then
	cat "$VLOG" >&2
	fail "valgrind: definitely lost blocks"
fi
[ "$rc" = 0 ] || { tail -n 40 "$VLOG" >&2; fail "pmemfs under valgrind exited $rc"; }
sed -n 's/^==[0-9]*== *\(ERROR SUMMARY\|total heap usage\|All heap blocks\|definitely lost\|indirectly lost\|possibly lost\|still reachable\)/\1/p' "$VLOG"
FS_SHOW_LOG=0
echo "PASS: $TEST_NAME"
