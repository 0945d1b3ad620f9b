#!/bin/bash
# SPDX-License-Identifier: MIT
# A FUSE passthrough mapping outlives its daemon: after kill -9 of pmemfs a
# process's mapping of a region directory's namespace still stores into
# the namespace file, and msync(MS_SYNC) still makes that durable (the
# kernel syncs the file; no daemon in between). A new mount of that region
# serves the region and its other namespaces but leaves that one disabled
# while such a mapping exists (asked of the kernel: a write lease on the
# namespace file is refused while another open file of it remains; /proc
# shows only the old FUSE path), naming the namespace and the process;
# enable-namespace is refused meanwhile. Once the mapping is gone,
# enable-namespace serves it with what the mapping stored, and so does a
# later mount. On a kernel without FUSE passthrough the mapping dies with
# the daemon's connection (a note), and nothing is left disabled.
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

	# a new mount serves the region, but not ns1 while the mapping exists:
	# it is left disabled, naming the process (the daemon never dies of
	# one namespace's trouble); enable-namespace is refused meanwhile
	: >"$T/daemon.log"
	pmemfs_start "$D"
	[ ! -e "$MNT/region0/ns1" ] || fail "ns1 served while a passthrough mapping of it outlives its daemon"
	[ -e "$MNT/region0/ns2" ] || fail "ns2 not served beside the busy ns1"
	log=$(cat "$T/daemon.log")
	assert_contains "$log" "region0 '$D': namespace 'ns1' (namespace0.0): its file is still open or mapped by another process" "ns1 not served"
	assert_contains "$log" "pid $hp (python3)" "the log names the process"
	assert_contains "$log" "pmemctl enable-namespace ns1" "the log says how to serve it later"
	assert_not_contains "$log" "namespace 'ns2'" "the other namespace is not named"
	"$NSIO" write "$MNT/region0/ns2" 0 4096 5 fsync || fail "ns2 write + fsync"
	expect_exit 240 "$PMEMCTL" enable-namespace --mount "$MNT" ns1
	assert_contains "$err" "still mapped with FUSE passthrough" "enable refused, saying why"
	[ ! -e "$MNT/region0/ns1" ] || fail "ns1 enabled while the mapping exists"
fi

# the mapping goes: the region mounts and serves what it stored
exec 4>&-
kill -9 $hp 2>/dev/null || true
wait $hp 2>/dev/null || true
if [ "$PT" = 1 ]; then
	expect_exit 0 "$PMEMCTL" enable-namespace --mount "$MNT" ns1
	[ -e "$MNT/region0/ns1" ] || fail "ns1 not served after enable-namespace"
	"$NSIO" check-byte "$f" 4096 4096 18 || fail "after enable: the last store"
	pmemfs_stop
fi
pmemfs_start "$D"
if [ "$PT" = 1 ]; then
	"$NSIO" check-byte "$f" 4096 4096 18 || fail "after the remount: the last store"
else
	"$NSIO" check-byte "$f" 4096 4096 17 || fail "after the remount: the store"
fi
pmemfs_stop
