#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGTERM with dirty mmap pages and no msync: the daemon writes the mount
# back while still serving, persists, exits 0; the data is in the region
# and its range clean in the page cache. Both data paths.
. "$(dirname "$0")/fslib.sh"

for backing in auto buffered; do
	R=$T/r-$backing.img
	region_create "$R" 16M
	d=$(ns_create "$R" 4M ns1)
	guard_fill "$R"
	pmemfs_start -o backing=$backing "$R"
	f=$MNT/region0/ns1
	: >"$T/hold.out"
	"$NSIO" mmap-write "$f" 4096 200000 41 hold >"$T/hold.out" &
	holder=$!
	at_exit "kill -9 $holder 2>/dev/null || true"
	for ((i = 0; i < 100; i++)); do [ -s "$T/hold.out" ] && break; sleep 0.05; done
	[ -s "$T/hold.out" ] || fail "mmap writer did not start"
	if pt_expect ns1; then
		# passed through: the stores are in the namespace file's page
		# cache, dirty unless the file system wrote them back already
		# (ext4's journal commit every 5 s writes data=ordered pages)
		out=$("$NSIO" cachestat "$R" $((d + 4096)) 200000) || true
		case "$out" in
		*" dirty=0 writeback=0") echo "note: $backing: written back before SIGTERM by the file system: $out" >&2 ;;
		esac
	else
		"$NSIO" check-byte "$R" $((d + 4096)) 4096 $GUARD ||
			fail "$backing: dirty pages reached the region before SIGTERM (test proves nothing)"
	fi
	kill -TERM "$DAEMON_PID"
	rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	assert_eq 0 "$rc" "$backing: exit code after SIGTERM"
	mounted && fail "$backing: still mounted after SIGTERM"
	"$NSIO" verify "$R" $((d + 4096)) 200000 41 || fail "$backing: dirty mmap data lost on SIGTERM"
	cache_clean "$R" "$d" 4194304
	guard_check "$R" $((d + 4096)) 200000
	kill -9 $holder 2>/dev/null || true
	wait $holder 2>/dev/null || true
done
