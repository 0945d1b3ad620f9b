#!/bin/bash
# SPDX-License-Identifier: MIT
# Logs a user can find. In the background pmemfs keeps stderr open until
# the mount serves and prints a start-up summary there: the backing mode
# and the file system of each region, the receive mode and the bdi
# settings in force (as sysfs reports them) and where the log goes: syslog
# when a syslog daemon listens on /dev/log, else a file beside the control
# socket, or -o logfile=PATH. A region on tmpfs is warned about, on stderr
# and in the log. Runs in a mount namespace of its own with a /dev of its
# own (a tmpfs with the device nodes bound in), so that /dev/log is absent,
# and then a syslog stand-in listens there.
if [ -z "${PMEMFS_IN_MNTNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a mount namespace" >&2; exit 77; }
	exec unshare -m --propagation private env PMEMFS_IN_MNTNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/fslib.sh"

# /dev: a tmpfs of this namespace with the nodes the test needs, no log
newdev=$T/newdev
mkdir -p "$newdev"
mount -t tmpfs -o mode=0755 tmpfs "$newdev" || skip "cannot mount a tmpfs"
for n in fuse null zero full random urandom tty; do
	[ -e "/dev/$n" ] || continue
	touch "$newdev/$n"
	mount --bind "/dev/$n" "$newdev/$n" || fail "cannot bind /dev/$n"
done
mount --move "$newdev" /dev || skip "cannot move a tmpfs over /dev"
[ ! -e /dev/log ] || fail "/dev/log still there"

LISTENER=
startup_cleanup() {
	[ -z "$LISTENER" ] || kill "$LISTENER" 2>/dev/null || true
	fusermount3 -u -z "$MNT" 2>/dev/null || true
}
at_exit startup_cleanup

mkdir -p "$T/shm"
mount -t tmpfs -o size=64M tmpfs "$T/shm" || skip "cannot mount a tmpfs"
at_exit "umount -l '$T/shm' 2>/dev/null || true"
R0=$T/r0.img
R1=$T/shm/r1.img
region_create "$R0" 32M
region_create "$R1" 32M
"$PMEMCTL" create-namespace --file "$R0" -s 4M -n a >/dev/null
t_fs=$(stat -f -c %T "$T")

# wait_for FILE TEXT: up to 10 s for TEXT in FILE
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "'$2' not in $1 after 10 s: $(cat "$1" 2>/dev/null)"
}

# bdi_expect: what the summary must say of the mount's bdi, from sysfs
bdi_expect() {
	local dev
	dev=$(awk -v m="$MNT" '$5 == m && / - fuse\.pmemfs / { print $3 }' /proc/self/mountinfo)
	[ -n "$dev" ] || fail "no pmemfs mount at $MNT"
	BDI_DEV=$dev
	if [ -e "/sys/class/bdi/$dev/strict_limit" ]; then
		assert_contains "$err" "bdi $dev: strict_limit=$(cat "/sys/class/bdi/$dev/strict_limit")," \
			"the summary's strict_limit"
	else
		assert_contains "$err" "bdi $dev: no strict_limit on this kernel (Linux >= 6.2) (the kernel's FUSE strict limit stays on)" \
			"a kernel without strict_limit"
	fi
	assert_contains "$err" "max_ratio=$(cat "/sys/class/bdi/$dev/max_ratio")," "the summary's max_ratio"
	assert_contains "$err" "read_ahead_kb=$(cat "/sys/class/bdi/$dev/read_ahead_kb")" \
		"the summary's read_ahead_kb"
}

# 1. no syslog: the summary on stderr before the parent exits; the log
# goes beside the control socket (-o ctl= keeps it in $T)
run_cmd timeout 20 "$PMEMFS" -o ctl="$T/c.sock" "$R0" "$R1" "$MNT"
[ "$rc" = 0 ] || fail "pmemfs exited $rc: $err"
summary=$err
expect_exit 0 "$PMEMCTL" list -N --socket "$T/c.sock"	# it serves as the parent exits
assert_eq a "$(json_get "$out" '.[0].name')" "the namespace served"
err=$summary
assert_contains "$err" "pmemfs: start-up summary: 2 regions on '$MNT', pid " "the summary"
pid=$(printf '%s\n' "$err" | sed -n "s/^pmemfs: start-up summary: .*, pid \([0-9]*\)$/\1/p")
[ -n "$pid" ] && kill -0 "$pid" || fail "the summary's pid '$pid' is no running daemon"
assert_contains "$err" "region0 '$R0': backing " "region0's backing"
assert_contains "$err" "region1 '$R1': backing " "region1's backing"
assert_contains "$err" "region1 '$R1': backing direct (O_DIRECT for aligned I/O), on tmpfs" \
	"region1 on tmpfs"
assert_contains "$err" "receive: splice(2) (" "the receive mode"
assert_contains "$err" "control socket: $T/c.sock" "the control socket"
bdi_expect
assert_contains "$err" "log: $T/c.log (no syslog daemon listens on /dev/log)" "where the log goes"
assert_contains "$err" "pmemfs: warning: region1 '$R1' is on tmpfs: its contents are lost at a reboot" \
	"the tmpfs warning"
case "$t_fs" in
tmpfs | ramfs) echo "note: $T is on $t_fs: no region without the warning here" >&2 ;;
*) case "$err" in
	*"region0 '$R0' is on"*) fail "region0 on $t_fs warned about: $err" ;;
	esac ;;
esac
# the log file has the summary, the warning and what comes later
wait_for "$T/c.log" "pmemfs[$pid] info: start-up summary: 2 regions on '$MNT'"
wait_for "$T/c.log" "pmemfs[$pid] warning: region1 '$R1' is on tmpfs"
wait_for "$T/c.log" "pmemfs[$pid] info:   bdi $BDI_DEV: "
[ "$(stat -c %a "$T/c.log")" = 600 ] || fail "the log file's mode is $(stat -c %a "$T/c.log")"
fusermount3 -u "$MNT"
wait_for "$T/c.log" "pmemfs[$pid] info: exiting"

# 2. -o logfile=PATH, and the modes as chosen: buffered, read(2), max_ratio
run_cmd timeout 20 "$PMEMFS" -o logfile="$T/pm.log",backing=buffered,splice=off,dirty_ratio=37 \
	"$R0" "$MNT"
[ "$rc" = 0 ] || fail "pmemfs -o logfile exited $rc: $err"
assert_contains "$err" "region0 '$R0': backing buffered (-o backing=buffered)" "backing=buffered"
assert_contains "$err" "receive: read(2) (splice=off)" "splice=off"
bdi_expect
assert_contains "$err" "max_ratio=37," "dirty_ratio=37 in force"
assert_contains "$err" "log: $T/pm.log (-o logfile)" "the log file named"
case "$err" in *"warning:"*) fail "a warning without a region on tmpfs: $err" ;; esac
pid=$(printf '%s\n' "$err" | sed -n "s/^pmemfs: start-up summary: .*, pid \([0-9]*\)$/\1/p")
wait_for "$T/pm.log" "pmemfs[$pid] info:   log: $T/pm.log (-o logfile)"
fusermount3 -u "$MNT"
wait_for "$T/pm.log" "pmemfs[$pid] info: exiting"
# not followed through a link, nor into a directory
ln -s "$T/pm.log" "$T/link.log"
expect_exit 1 timeout 20 "$PMEMFS" -o logfile="$T/link.log" "$R0" "$MNT"
assert_contains "$err" "logfile='$T/link.log': a symbolic link (not followed)" "a link as the log file"
expect_exit 1 timeout 20 "$PMEMFS" -o logfile="$T" "$R0" "$MNT"
assert_contains "$err" "logfile='$T': Is a directory" "a directory as the log file"
expect_exit 1 timeout 20 "$PMEMFS" -o logfile=rel.log "$R0" "$MNT"
assert_contains "$err" "logfile='rel.log': the log file path must be absolute" "a relative path"
# nor appended to through another hard link (fs.protected_hardlinks off)
printf 'victim\n' >"$T/victim"
ln "$T/victim" "$T/hard.log"
expect_exit 1 timeout 20 "$PMEMFS" -o logfile="$T/hard.log" "$R0" "$MNT"
assert_contains "$err" "logfile='$T/hard.log': has another hard link (not appended to)" \
	"a hard link as the log file"
assert_eq victim "$(cat "$T/victim")" "the hard link's other file unchanged"
# nor opened in a directory every user may write to (not sticky), nor in
# one of another user, nor through a link to one
mkdir -m 0777 "$T/open"
chmod 0777 "$T/open"
expect_exit 1 timeout 20 "$PMEMFS" -o logfile="$T/open/pm.log" "$R0" "$MNT"
assert_contains "$err" "logfile='$T/open/pm.log': a directory on its way belongs to another user or every user may write to it" \
	"a directory every user writes to"
[ ! -e "$T/open/pm.log" ] || fail "the log file created in a directory every user writes to"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -m 0755 "$T/theirs"
	chown nobody "$T/theirs"
	ln -s "$T/theirs" "$T/to-theirs"
	for d in theirs to-theirs; do
		expect_exit 1 timeout 20 "$PMEMFS" -o logfile="$T/$d/pm.log" "$R0" "$MNT"
		assert_contains "$err" "logfile='$T/$d/pm.log': a directory on its way belongs to another user" \
			"$d: another user's directory"
		[ ! -e "$T/theirs/pm.log" ] || fail "$d: the log file created in another user's directory"
	done
fi
mounted && fail "mounted after a refused log file"

# 3. a syslog daemon listens on /dev/log: the summary says syslog, and
# the summary and later messages arrive there
python3 - "$T/syslog.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", 0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
LISTENER=$!
for ((i = 0; i < 200; i++)); do [ -S /dev/log ] && break; sleep 0.05; done
[ -S /dev/log ] || fail "the syslog stand-in did not start"
run_cmd timeout 20 "$PMEMFS" "$R0" "$R1" "$MNT"
[ "$rc" = 0 ] || fail "pmemfs with syslog exited $rc: $err"
pid=$(printf '%s\n' "$err" | sed -n "s/^pmemfs: start-up summary: .*, pid \([0-9]*\)$/\1/p")
assert_contains "$err" "log: syslog, as pmemfs[$pid] (journalctl -t pmemfs" "syslog named"
assert_contains "$err" "pmemfs: warning: region1 '$R1' is on tmpfs" "the tmpfs warning with syslog"
wait_for "$T/syslog.txt" "pmemfs[$pid]: start-up summary: 2 regions on '$MNT'"
wait_for "$T/syslog.txt" "pmemfs[$pid]: region1 '$R1' is on tmpfs: its contents are lost"
fusermount3 -u "$MNT"
wait_for "$T/syslog.txt" "pmemfs[$pid]: exiting"

# 4. -f: the summary on stderr, the log stays there
pmemfs_start "$R0"
wait_for "$T/daemon.log" "pmemfs:   log: stderr (-f)"
wait_for "$T/daemon.log" "pmemfs:   region0 '$R0': backing "
pmemfs_stop
echo "PASS: $TEST_NAME"
