#!/bin/bash
# SPDX-License-Identifier: MIT
# -o passthrough=auto|on|off on region files (whose namespaces are never
# passed through: each sits at its dpa inside the region file):
# - a bad value is refused naming the option, nothing mounted;
# - on as root: mounts where the kernel offers FUSE passthrough (Linux >=
#   6.9), the start-up summary says so, and the namespaces are served as
#   without it (a mapping's stores reach the region file at the dpa by the
#   daemon's msync path, fully durable); on a kernel without, the mount is
#   refused naming why;
# - auto in a user namespace (CAP_SYS_ADMIN there, not in the initial one,
#   which the kernel's backing.c asks for): mounts, logs why not;
# - on in a user namespace: refused before mounting, naming why;
# - off: the summary says off, nothing asked.
# The kernel-without-passthrough branch of auto is tested with made-up INIT
# flags in tests/unit/test_fs_passthrough.c.
. "$(dirname "$0")/fslib.sh"

run_cmd "$PMEMFS" --help
assert_contains "$out" "passthrough=auto|on|off" "--help"

R=$T/r.img
region_create "$R" 32M
d1=$(ns_create "$R" 4M ns1)
guard_fill "$R"

# a bad value: the option named, nothing mounted
run_cmd "$PMEMFS" -f -o passthrough=bogus "$R" "$MNT"
[ "$rc" != 0 ] || fail "passthrough=bogus accepted"
assert_contains "$err" "passthrough='bogus'" "bad value message"
assert_contains "$err" "auto, on or off" "bad value message"
mounted && fail "mounted with passthrough=bogus"

# summary line after the bdi: wait for it
summary_line() {
	local i
	for ((i = 0; i < 250; i++)); do
		grep -q '^pmemfs:   FUSE passthrough: ' "$T/daemon.log" && break
		sleep 0.02
	done
	grep '^pmemfs:   FUSE passthrough: ' "$T/daemon.log" | tail -n 1
}

# off: never asked
: >"$T/daemon.log"
pmemfs_start -o passthrough=off "$R"
assert_contains "$(summary_line)" "FUSE passthrough: off: -o passthrough=off" "summary, off"
pmemfs_stop

# on, as root, region files only
: >"$T/daemon.log"
run_cmd "$PMEMFS" -o passthrough=on "$R" "$MNT"
KOFFER=0
if [ "$rc" = 0 ]; then
	KOFFER=1
	mounted || fail "passthrough=on: exit 0 but not mounted"
	DAEMON_PID=$(pgrep -n -f "^$PMEMFS -o passthrough=on $R") || true
	assert_contains "$err" "FUSE passthrough: on" "summary, on"
	# served as ever: stores through a mapping reach the region file at
	# the dpa, durable after msync, guard bytes around unchanged
	"$NSIO" mmap-write "$MNT/region0/ns1" 8192 65536 11 msync
	"$NSIO" verify "$R" $((d1 + 8192)) 65536 11 || fail "mapping's stores not in the region"
	cache_clean "$R" "$d1" 4194304 "msync with passthrough=on"
	"$NSIO" write "$MNT/region0/ns1" 0 4096 12 fsync
	"$NSIO" verify "$R" "$d1" 4096 12 || fail "write(2) not in the region"
	guard_check "$R" "$d1" 4194304
	fusermount3 -u "$MNT" || fail "unmount failed"
	for ((i = 0; i < 250; i++)); do pgrep -f "^$PMEMFS -o passthrough=on $R" >/dev/null || break; sleep 0.02; done
	DAEMON_PID=
else
	# a kernel without FUSE passthrough: refused, naming why
	assert_contains "$err" "-o passthrough=on: FUSE passthrough is not available" "on refused"
	assert_contains "$err" "does not offer" "on refused: the reason"
	mounted && fail "mounted although passthrough=on was refused"
	echo "note: this kernel has no FUSE passthrough: passthrough=on refused as it should" >&2
fi

# auto / on without CAP_SYS_ADMIN in the initial user namespace: a user
# namespace of our own, root in it (FUSE mounts there: FS_USERNS_MOUNT)
if unshare -U -r true 2>/dev/null; then
	UNS=$T/userns.log
	unshare -U -r -m --propagation private bash -c '
		"$1" -f -o passthrough=auto,ctl="$2/uns.sock" "$3" "$4" >"$5" 2>&1 &
		pid=$!
		for ((i = 0; i < 250; i++)); do
			grep -q "^pmemfs:   FUSE passthrough: " "$5" && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.02
		done
		cat "$4/region0/ns1" >/dev/null || echo "userns: read failed" >>"$5"
		umount "$4"
		wait $pid
		echo "userns daemon exit $?" >>"$5"' _ "$PMEMFS" "$T" "$R" "$MNT" "$UNS"
	out=$(cat "$UNS")
	assert_contains "$out" "FUSE passthrough: off, every namespace is served through the daemon" "auto in a user namespace"
	# a kernel without passthrough says that first
	[ "$KOFFER" = 0 ] || assert_contains "$out" "runs in a user namespace" "auto in a user namespace: why"
	assert_contains "$out" "userns daemon exit 0" "auto in a user namespace: served and exited"
	assert_not_contains "$out" "read failed" "auto in a user namespace: read"

	run_cmd unshare -U -r -m --propagation private "$PMEMFS" -f -o passthrough=on "$R" "$MNT"
	[ "$rc" != 0 ] || fail "passthrough=on accepted without CAP_SYS_ADMIN in the initial user namespace"
	assert_contains "$err" "-o passthrough=on: FUSE passthrough is not available: the daemon runs in a user namespace" "on in a user namespace"
	assert_not_contains "$err" "serving" "on in a user namespace: nothing served"
else
	echo "note: no unprivileged user namespaces here: the fallback without CAP_SYS_ADMIN is not tested" >&2
fi
mounted && fail "a mount is left"
exit 0
