#!/bin/bash
# SPDX-License-Identifier: MIT
# The last close of a namespace file persists it (QEMU's nvdimm mode never
# sends FSYNC): with the buffered data path the region range is clean in
# the page cache shortly after close(2), without any fsync.
. "$(dirname "$0")/fslib.sh"

R=$T/r.img
region_create "$R" 16M
d=$(ns_create "$R" 4M ns1)
guard_fill "$R"
pmemfs_start -o backing=buffered "$R"
f=$MNT/region0/ns1

"$NSIO" write "$f" 8192 262144 31 none	# close, no fsync
clean=
for ((i = 0; i < 100; i++)); do
	out=$("$NSIO" cachestat "$R" "$d" 4194304) || { rc=$?; [ $rc = 77 ] && skip "cachestat(2) missing (Linux < 6.5)"; fail "cachestat"; }
	case "$out" in *" dirty=0 writeback=0") clean=1; break ;; esac
	sleep 0.05
done
[ -n "$clean" ] || fail "region range still dirty 5 s after the last close: $out"
"$NSIO" verify "$R" $((d + 8192)) 262144 31 || fail "bytes not in the region after the last close"
guard_check "$R" $((d + 8192)) 262144

# a second handle open keeps nothing from the first close's persist
exec 9<"$f"
"$NSIO" mmap-write "$f" 0 4096 32 none	# unmap + close: the kernel writes back
exec 9<&-
for ((i = 0; i < 100; i++)); do
	out=$("$NSIO" cachestat "$R" "$d" 4194304)
	case "$out" in *" dirty=0 writeback=0") break ;; esac
	sleep 0.05
done
cache_clean "$R" "$d" 4194304
"$NSIO" verify "$R" "$d" 4096 32

# passed through (a region directory): the mapping outlives close(2), which
# sends the last RELEASE at once; its persist syncs the whole namespace
# file, so what the mapping stored before the close is durable while it
# still maps it
if pt_expect ns1; then
	"$NSIO" mmap-write "$f" 65536 131072 33 maponly >"$T/map.out" &
	mp=$!
	at_exit "kill -9 $mp 2>/dev/null || true"
	for ((i = 0; i < 100; i++)); do [ -s "$T/map.out" ] && break; sleep 0.05; done
	[ -s "$T/map.out" ] || fail "mapping holder did not start"
	clean=
	for ((i = 0; i < 100; i++)); do
		out=$("$NSIO" cachestat "$R" "$d" 4194304)
		case "$out" in *" dirty=0 writeback=0") clean=1; break ;; esac
		sleep 0.05
	done
	[ -n "$clean" ] || fail "a passthrough mapping's stores not durable 5 s after the last close: $out"
	"$NSIO" verify "$R" $((d + 65536)) 131072 33 || fail "the mapping's stores are not in the file"
	# no handle left, yet list -v names the process that maps it
	h=$("$PMEMCTL" list -v --mount "$MNT" | jq -c '.[] | select(.name == "ns1") | [.handles, .holders]')
	assert_eq "[0,[$mp]]" "$h" "list -v: handles and holders of a passthrough mapping alone"
	kill -9 $mp
	wait $mp 2>/dev/null || true
fi
pmemfs_stop
