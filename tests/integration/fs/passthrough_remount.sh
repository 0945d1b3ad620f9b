#!/bin/bash
# SPDX-License-Identifier: MIT
# A FUSE passthrough mapping outlives its daemon: after kill -9 of pmemfs a
# process's mapping of a region directory's namespace still stores into
# the namespace file, and msync(MS_SYNC) still makes that durable (the
# kernel syncs the file; no daemon in between). A new mount of that region
# is refused while such a mapping exists (asked of the kernel: a write
# lease on the namespace file is refused while another open file of it
# remains; /proc shows only the old FUSE path), naming the region, the
# namespace and the process; once the mapping is gone the region mounts
# and serves what the mapping stored. On a kernel without FUSE passthrough
# the mapping dies with the daemon's connection (a note), and the remount
# is not refused.
. "$(dirname "$0")/fslib.sh"
LAYOUT=dir

D=$T/rdir
"$PMEMCTL" create-region --layout dir --size 32M "$D" >/dev/null || fail "create-region"
u=$(json_get "$("$PMEMCTL" create-namespace --file "$D" -s 8M -n ns1)" .uuid)
"$PMEMCTL" create-namespace --file "$D" -s 4M -n ns2 >/dev/null || fail "create ns2"
F=$D/ns-$u
pmemfs_start "$D"
f=$MNT/region0/ns1

# a holder: maps ns1, closes its descriptor, stores on each line of stdin
mkfifo "$T/cmd"
cat >"$T/holder.py" <<'PY'
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 8 << 20, mmap.MAP_SHARED)
os.close(fd)
print("ready", flush=True)
for line in sys.stdin:
    b = int(line)
    m[4096:8192] = bytes([b]) * 4096
    try:
        m.flush(4096, 4096)
        print("stored %d msync OK" % b, flush=True)
    except OSError as e:
        print("stored %d msync %s" % (b, e), flush=True)
PY
python3 -u "$T/holder.py" "$f" <"$T/cmd" >"$T/holder.out" 2>&1 &
hp=$!
exec 4>"$T/cmd"
at_exit "exec 4>&-; kill -9 $hp 2>/dev/null || true"
for ((i = 0; i < 200; i++)); do grep -q ready "$T/holder.out" && break; sleep 0.05; done
grep -q ready "$T/holder.out" || fail "holder not ready: $(cat "$T/holder.out")"
PT=1
pt_expect ns1 || PT=0
echo 17 >&4
for ((i = 0; i < 200; i++)); do grep -q "stored 17" "$T/holder.out" && break; sleep 0.05; done
assert_contains "$(cat "$T/holder.out")" "stored 17 msync OK" "store + msync while served"
"$NSIO" check-byte "$F" 4096 4096 17 || fail "store while served not in the namespace file"

kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT"

if [ "$PT" = 1 ]; then
	# the daemon is gone: the mapping still stores into the file, durably
	echo 18 >&4
	for ((i = 0; i < 200; i++)); do grep -q "stored 18" "$T/holder.out" && break; sleep 0.05; done
	assert_contains "$(cat "$T/holder.out")" "stored 18 msync OK" "store + msync after kill -9 of the daemon"
	"$NSIO" check-byte "$F" 4096 4096 18 || fail "store after kill -9 not in the namespace file"
	cache_clean "$F" 0 8388608 "msync after kill -9 of the daemon"

	# a new mount of the region is refused while the mapping exists
	run_cmd "$PMEMFS" "$D" "$MNT"
	mounted && fail "mounted while a passthrough mapping of ns1 outlives its daemon"
	[ "$rc" != 0 ] || fail "pmemfs exited 0 but did not mount"
	assert_contains "$err" "region0 '$D': namespace 'ns1' (namespace0.0): its file is still open or mapped by another process" "remount refused"
	assert_contains "$err" "pid $hp (python3)" "remount refusal names the process"
	assert_not_contains "$err" "namespace 'ns2'" "the other namespace is not named"
fi

# the mapping goes: the region mounts and serves what it stored
exec 4>&-
kill -9 $hp 2>/dev/null || true
wait $hp 2>/dev/null || true
pmemfs_start "$D"
if [ "$PT" = 1 ]; then
	"$NSIO" check-byte "$f" 4096 4096 18 || fail "after the remount: the last store"
else
	"$NSIO" check-byte "$f" 4096 4096 17 || fail "after the remount: the store"
fi
pmemfs_stop
