#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 16.5's open-file limit, at open(2) time: a daemon under `ulimit -n
# 1024` (soft and hard) serving 1,200 namespaces, one client holding
# 1,200 of them open at once. On a region file every open works (no
# descriptor per namespace). On a region directory each open namespace
# has its file's descriptors: the opens past the daemon's limit fail with
# ENFILE ("Too many open files in system": the limit is the daemon's, not
# the caller's), the daemon logs it once with the limit and stays up, the
# control plane answers meanwhile, the namespaces held keep working, and
# once they are closed every namespace opens again (the idle ones are
# closed, least recently used first, so the daemon ends with a few
# descriptors, not two per namespace).
# fd_open_many.sh [DAEMON OPTIONS...]: the daemon runs with them. Twice on
# a region directory: with passthrough as it comes (auto: where the
# kernel has it, a namespace open is passed through, one descriptor, kept
# while mapped) and with -o passthrough=off (online-dir/fd_open_many_pt_off:
# every namespace through the daemon, its descriptors opened at its first
# open, an O_DIRECT one too where the file system has it); either way at
# most 64 idle namespace files stay open once every one is closed.
. "$(dirname "$0")/onlinelib.sh"

N=${FD_OPEN_NS:-1200}
python3 -c 'import resource,sys; h=resource.getrlimit(resource.RLIMIT_NOFILE)[1]; sys.exit(h != resource.RLIM_INFINITY and h < int(sys.argv[1]) + 64)' "$N" ||
	skip "the client cannot hold $N files open (hard open-file limit $(ulimit -Hn))"
many_ns_region $N 160M

(ulimit -n 1024 && exec "$PMEMFS" -f "$@" "$R" "$MNT" >>"$T/daemon.log" 2>&1) &
DAEMON_PID=$!
wait_until 10 mounted || fail "no mount under ulimit -n 1024: $(cat "$T/daemon.log")"
SOCK=/run/pmemfs/$(mount_dev).sock
wait_until 5 test -S "$SOCK" || fail "no control socket"

# one client: every namespace open at once, then I/O on the first and the
# last it holds, list -v meanwhile, all closed, then each opened again
cat >"$T/client.py" <<'EOF'
import errno, os, resource, subprocess, sys
d, n, pmemctl, sock, listed = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, hard))
fds, errs = [], {}
for i in range(n):
    try:
        fds.append(os.open(os.path.join(d, "ns%d" % i), os.O_RDWR))
    except OSError as e:
        errs[errno.errorcode[e.errno]] = errs.get(errno.errorcode[e.errno], 0) + 1
print("held", len(fds))
print("refused", " ".join("%s:%d" % kv for kv in sorted(errs.items())) or "none")
for fd in (fds[0], fds[-1]):
    os.pwrite(fd, b"\x5a" * 65536, 0)
    os.fsync(fd)
    assert os.pread(fd, 65536, 0) == b"\x5a" * 65536
print("io ok")
r = subprocess.run([pmemctl, "list", "-v", "--socket", sock], capture_output=True)
print("list", r.returncode, len(r.stdout))
open(listed, "wb").write(r.stdout)
for fd in fds:
    os.close(fd)
bad = []
for i in range(n):
    try:
        fd = os.open(os.path.join(d, "ns%d" % i), os.O_RDWR)
        os.pread(fd, 4096, 0)
        os.close(fd)
    except OSError as e:
        bad.append("ns%d: %s" % (i, e.strerror))
print("reopen", len(bad), "; ".join(bad[:3]))
EOF
python3 "$T/client.py" "$MNT/region0" "$N" "$PMEMCTL" "$SOCK" "$T/list.json" >"$T/client.out" 2>&1 ||
	fail "client failed: $(cat "$T/client.out")"
cat "$T/client.out"
kill -0 "$DAEMON_PID" || fail "the daemon died"
held=$(awk '$1 == "held" { print $2 }' "$T/client.out")
refused=$(awk '$1 == "refused" { print $2 }' "$T/client.out")
grep -qx "io ok" "$T/client.out" || fail "I/O on the namespaces held failed"
grep -Eq "^list 0 [1-9]" "$T/client.out" || fail "list -v while $held namespaces are held: $(grep ^list "$T/client.out")"
grep -Eq "^reopen 0 " "$T/client.out" || fail "after closing, not every namespace opens: $(grep ^reopen "$T/client.out")"
if [ "$LAYOUT" = dir ]; then
	# two descriptors per open namespace (one where there is no O_DIRECT)
	[ "$held" -ge 300 ] && [ "$held" -lt "$N" ] ||
		fail "$held of $N namespaces held open under the daemon's ulimit -n 1024"
	assert_eq "ENFILE:$((N - held))" "$refused" "opens past the daemon's limit"
	assert_eq 1 "$(grep -c 'cannot open its namespace file: Too many open files (the daemon.s open-file limit is 1024;' "$T/daemon.log")" \
		"log lines about the limit"
	grep -q "namespace files open again ($((N - held)) opens were refused" "$T/daemon.log" ||
		fail "no recovery line in the log: $(tail -5 "$T/daemon.log")"
	# what served them (list -v while they were held): with -o
	# passthrough=off the daemon, each namespace; where passthrough is on,
	# the kernel, each namespace held
	pt=$(jq '[.[] | select(.backing == "passthrough")] | length' "$T/list.json")
	case " $* " in
	*" passthrough=off "*)
		grep -q '^pmemfs:   FUSE passthrough: off' "$T/daemon.log" ||
			fail "-o passthrough=off: the start-up summary says $(grep -m1 'FUSE passthrough' "$T/daemon.log")"
		assert_eq 0 "$pt" "namespaces passed through with -o passthrough=off" ;;
	*)
		if grep -q '^pmemfs: FUSE passthrough: on' "$T/daemon.log"; then
			assert_eq "$held" "$pt" "namespaces held passed through"
		else
			echo "note: no FUSE passthrough here: its assertion is skipped" >&2
		fi ;;
	esac
else
	assert_eq "$N" "$held" "namespaces held open on a region file"
	assert_eq none "$refused" "opens refused on a region file"
fi
nfd=$(ls /proc/"$DAEMON_PID"/fd | wc -l)
[ "$nfd" -lt 200 ] || fail "the daemon holds $nfd descriptors once every namespace is closed"
if [ "$LAYOUT" = dir ]; then
	# the idle ones: the 64 used last keep their descriptors, no more
	nsf=$(find /proc/"$DAEMON_PID"/fd -lname "$R/ns-*" -printf '%l\n' | sort -u | wc -l)
	[ "$nsf" -ge 1 ] && [ "$nsf" -le 64 ] ||
		fail "the daemon has $nsf namespace files open once every namespace is closed"
fi
pmemfs_stop
for i in 0 $((held - 1)); do
	dpa=$("$PMEMCTL" list --file "$R" | jq -r --arg n "ns$i" '.[] | select(.name == $n) | .dpa')
	"$NSIO" check-byte "$R" "$dpa" 65536 0x5a || fail "ns$i: data not on the medium"
done
echo "PASS: $TEST_NAME"
