# SPDX-License-Identifier: MIT
# Helpers for the end-to-end tests: real QEMU guests on pmemfs namespace
# files, real PMDK tools. Sourced by every test here, after which the
# mount helpers of tests/integration/fs/fslib.sh are available too
# ($MNT, pmemfs_start/stop, region_create, ns_create, guard_fill/check,
# cache_clean, $NSIO).
#
# Nothing here downloads or installs: scripts/install-deps.sh --tests
# fills $E2E_CACHE with a Debian kernel before the tests run, and a test
# that finds it missing fails saying so.
#
# Guests: one QEMU process at a time, always TCG on one CPU (nested KVM
# here hangs real kernels), under `timeout`, powered off by their /init.
# The guest runs a shell script passed on its kernel command line (see
# init) and reports with "E2E-MARK <nonce> <name>" lines on its console.
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

E2E_CACHE=${PMEMFS_E2E_CACHE:-/var/cache/pmemfs-e2e}
E2E_SRC=$PMEMFS_SOURCE_ROOT/tests/e2e
E2E_BUILD=$PMEMFS_BUILD_ROOT/tests/e2e
QEMU=${PMEMFS_E2E_QEMU:-qemu-system-x86_64}
BOOT_TIMEOUT=${PMEMFS_E2E_BOOT_TIMEOUT:-60}
INSTALL_HINT="run scripts/install-deps.sh --tests"

KERNEL=
INITRD=
GUEST=
NONCE=
CONSOLE=
QEMU_PID=

# guest_fail MESSAGE: fail, showing the end of the guest's console
guest_fail() {
	if [ -n "$CONSOLE" ] && [ -s "$CONSOLE" ]; then
		echo "--- console of guest '$GUEST'" >&2
		tr -d '\r' <"$CONSOLE" | tail -n 40 >&2
	fi
	if [ -s "$T/$GUEST.qemu" ]; then
		echo "--- qemu's messages" >&2
		cat "$T/$GUEST.qemu" >&2
	fi
	fail "guest '$GUEST': $*"
}

guest_cleanup() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill "$QEMU_PID" 2>/dev/null	# timeout passes it on to QEMU
		wait "$QEMU_PID" 2>/dev/null || true
	fi
}
at_exit guest_cleanup

# e2e_initramfs: build the guest's initramfs into the build directory
# once, again only when one of its inputs changed (sets $INITRD)
e2e_initramfs() {
	local kpkg f stale=0 t0
	kpkg=$(cat "$E2E_CACHE/current")
	INITRD=$E2E_BUILD/initramfs-$kpkg.cpio
	[ -x "$E2E_BUILD/nsio-static" ] ||
		fail "$E2E_BUILD/nsio-static not built (the build found no static libc: libc6-dev)"
	exec 8>"$E2E_BUILD/initramfs.lock"
	flock 8
	if [ -f "$INITRD" ]; then
		for f in "$E2E_SRC/mkinitramfs.sh" "$E2E_SRC/mkinitramfs_lib.sh" \
			"$E2E_SRC/init" "$E2E_SRC/guest.sh" \
			"$E2E_SRC/modules.txt" "$E2E_BUILD/nsio-static" \
			"$(command -v ndctl)" "$E2E_CACHE/current"; do
			[ "$f" -nt "$INITRD" ] && stale=1
		done
	else
		stale=1
	fi
	if [ "$stale" = 1 ]; then
		t0=$(date +%s%N)
		"$E2E_SRC/mkinitramfs.sh" "$E2E_CACHE" "$E2E_BUILD/nsio-static" "$INITRD" ||
			fail "building the guest initramfs failed"
		echo "e2e: built $INITRD in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
	fi
	flock -u 8
	exec 8>&-
}

# e2e_initramfs_add WHAT BUILDER [ARGS...]: append an addition to the
# guest's initramfs for this test only (the kernel unpacks concatenated
# newc archives in turn, a later file replacing an earlier one): runs
# BUILDER ARGS... OUT, writes the base initramfs and OUT to one file in
# $T and points $INITRD at it. The other guests boot without it.
e2e_initramfs_add() {
	local what=$1 builder=$2 t0
	shift 2
	t0=$(date +%s%N)
	"$builder" "$@" "$T/$what.cpio" || fail "building the initramfs addition ($what) failed"
	cat "$INITRD" "$T/$what.cpio" >"$T/initrd-$what.cpio"
	rm -f "$T/$what.cpio"
	INITRD=$T/initrd-$what.cpio
	echo "e2e: initramfs with $what ($(($(stat -c %s "$INITRD") >> 20)) MiB) in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
}

# e2e_need_guest: QEMU, the cached kernel and the initramfs, or fail
e2e_need_guest() {
	command -v "$QEMU" >/dev/null || fail "$QEMU not installed: $INSTALL_HINT"
	command -v ndctl >/dev/null || fail "ndctl not installed: $INSTALL_HINT"
	[ -f "$E2E_CACHE/vmlinuz" ] && [ -d "$E2E_CACHE/modules" ] && [ -f "$E2E_CACHE/current" ] ||
		fail "no guest kernel in $E2E_CACHE: $INSTALL_HINT"
	# the uncompressed kernel boots in about half the time (PVH entry)
	if [ -f "$E2E_CACHE/vmlinux" ]; then
		KERNEL=$E2E_CACHE/vmlinux
	else
		KERNEL=$E2E_CACHE/vmlinuz
	fi
	e2e_initramfs
}

# guest_start NAME MACHINE SCRIPT [QEMU ARGS...]: boot a guest in the
# background that runs SCRIPT (see init and guest.sh); sets $NONCE
guest_start() {
	local name=$1 machine=$2 script=$3 b64 cmdline
	shift 3
	GUEST=$name
	NONCE=$((RANDOM * 32768 + RANDOM + 1))
	CONSOLE=$T/$name.console
	b64=$(printf '%s\n' "$script" | base64 -w0)
	# loglevel=1: no kernel message lands inside the script's output
	cmdline="console=ttyS0 panic=-1 loglevel=1 e2e.nonce=$NONCE e2e.sh=$b64"
	((${#cmdline} < 2000)) ||
		fail "guest '$name': script too long for the kernel command line (${#cmdline} bytes)"
	rm -f "$T/$name.mon.in" "$T/$name.mon.out"
	mkfifo "$T/$name.mon.in" "$T/$name.mon.out"
	GUEST_T0=$(date +%s%N)
	timeout -k 5 "$BOOT_TIMEOUT" "$QEMU" -accel tcg -smp 1 \
		-m 512M,slots=2,maxmem=4G -no-reboot -nodefaults -display none \
		-machine "$machine" -kernel "$KERNEL" -initrd "$INITRD" \
		-append "$cmdline" -serial "file:$CONSOLE" \
		-monitor "pipe:$T/$name.mon" "$@" >"$T/$name.qemu" 2>&1 &
	QEMU_PID=$!
}

# console_text: the current guest's console, without carriage returns
console_text() {
	[ -f "$CONSOLE" ] && tr -d '\r' <"$CONSOLE"
}

# guest_has_mark NAME: the guest printed mark NAME
guest_has_mark() {
	console_text | grep -qxF "E2E-MARK $NONCE $1"
}

# guest_wait_mark NAME: wait for mark NAME while the guest runs
guest_wait_mark() {
	while ! guest_has_mark "$1"; do
		if ! kill -0 "$QEMU_PID" 2>/dev/null; then
			guest_has_mark "$1" && return 0
			guest_fail "exited before mark '$1'"
		fi
		sleep 0.02
	done
}

# guest_wait: wait for QEMU to exit; it must exit 0 after the script ran
# to its end with status 0
guest_wait() {
	local rc=0
	wait "$QEMU_PID" || rc=$?
	QEMU_PID=
	echo "e2e: guest '$GUEST' ran $((($(date +%s%N) - GUEST_T0) / 1000000)) ms" >&2
	[ "$rc" != 124 ] || guest_fail "timed out after $BOOT_TIMEOUT s"
	[ "$rc" = 0 ] || guest_fail "qemu exited $rc"
	console_text | grep -qxF "E2E-END $NONCE rc=0" ||
		guest_fail "the guest's script did not finish with status 0"
}

# guest_boot NAME MACHINE SCRIPT [QEMU ARGS...]: boot, run, wait
guest_boot() {
	guest_start "$@"
	guest_wait
}

# guest_monitor COMMAND: send a command to the running guest's monitor
guest_monitor() {
	kill -0 "$QEMU_PID" 2>/dev/null || guest_fail "not running for monitor command '$1'"
	# QEMU holds the FIFO open: a dead QEMU must not block the open here
	timeout 5 bash -c 'printf "%s\n" "$1" >"$2"' _ "$1" "$T/$GUEST.mon.in" ||
		guest_fail "monitor command '$1' not delivered"
}

# guest_quit: QEMU's monitor "quit" (a clean exit); QEMU must exit 0
guest_quit() {
	local rc=0
	guest_monitor quit
	wait "$QEMU_PID" || rc=$?
	QEMU_PID=
	echo "e2e: guest '$GUEST' ran $((($(date +%s%N) - GUEST_T0) / 1000000)) ms" >&2
	[ "$rc" = 0 ] || guest_fail "qemu exited $rc after quit"
}

# guest_section NAME: the console lines between marks NAME-begin and
# NAME-end (the guest prints command output between them)
guest_section() {
	console_text | sed -n "/^E2E-MARK $NONCE $1-begin\$/,/^E2E-MARK $NONCE $1-end\$/p" |
		sed '1d;$d'
}
