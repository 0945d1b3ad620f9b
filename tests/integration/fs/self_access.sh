#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon never waits on its own mount from one of its own threads: the
# barrier before the bdi settings (an OPENDIR of the root) and the
# write-back at SIGTERM (syncfs, fsync of every file) come from a child
# process. Were a daemon thread waiting on a request a loop thread had
# taken, a kill -9 at that moment would leave the daemon in D state for
# ever (kill9_early.sh loops on that race; this checks the rule itself).
# strace -f tells threads (clone with CLONE_THREAD) from processes.
. "$(dirname "$0")/fslib.sh"
command -v strace >/dev/null || fail "strace is not installed (scripts/install-deps.sh --tests)"

R=$T/r.img
region_create "$R" 16M
d=$(ns_create "$R" 4M ns1)

# (LeakSanitizer cannot run under ptrace: off for this daemon in ASan builds)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -o "$T/trace" -e trace=openat,syncfs,fsync,clone,clone3 \
	"$PMEMFS" -f "$R" "$MNT" >>"$T/daemon.log" 2>&1 &
STRACE_PID=$!
for ((i = 0; i < 500; i++)); do
	mounted && grep -q "bdi " "$T/daemon.log" && break
	kill -0 "$STRACE_PID" 2>/dev/null || fail "pmemfs under strace exited: $(cat "$T/daemon.log")"
	sleep 0.02
done
mounted || fail "pmemfs under strace did not mount"
DAEMON_PID=$(pgrep -P "$STRACE_PID" -x pmemfs | head -n 1)
[ -n "$DAEMON_PID" ] || fail "no pmemfs process under strace"

# dirty pages for the SIGTERM write-back, held by a live mapping
"$NSIO" mmap-write "$MNT/region0/ns1" 8192 4096 5 hold >"$T/hold.out" &
HOLD=$!
for ((i = 0; i < 250; i++)); do grep -q ready "$T/hold.out" && break; sleep 0.02; done
grep -q ready "$T/hold.out" || fail "the mapping writer did not start"
kill -TERM "$DAEMON_PID"
for ((i = 0; i < 500; i++)); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.02; done
kill -0 "$DAEMON_PID" 2>/dev/null && fail "pmemfs did not exit after SIGTERM"
DAEMON_PID=
kill "$HOLD" 2>/dev/null || true
wait "$HOLD" 2>/dev/null || true
wait "$STRACE_PID" 2>/dev/null || true
fusermount3 -u -z "$MNT" 2>/dev/null || true
"$NSIO" verify "$R" $((d + 8192)) 4096 5 || fail "the dirty page did not reach the region at SIGTERM"

# tids of the daemon's threads vs its child processes; then who touched the mount
out=$(awk -v mnt="$MNT" '
	NR == 1 { daemon[$1] = 1 }
	/clone3?\(/ && /unfinished/ { pend[$1] = ($0 ~ /CLONE_THREAD/) }
	/clone3?\(/ && !/unfinished/ && / = [0-9]+$/ {
		if (($1 in daemon) && $0 ~ /CLONE_THREAD/) daemon[$NF] = 1
		else if ($0 ~ /CLONE_THREAD/) {}
		else child[$NF] = 1
	}
	/<\.\.\. clone3? resumed>/ && / = [0-9]+$/ {
		if (($1 in daemon) && pend[$1]) daemon[$NF] = 1; else if (!pend[$1]) child[$NF] = 1
	}
	/openat\(/ && index($0, "\"" mnt) { opens++; if ($1 in daemon) bad = bad " openat@" $1 }
	/syncfs\(/ { syncs++; if ($1 in daemon) bad = bad " syncfs@" $1 }
	END { printf "opens=%d syncs=%d bad=%s\n", opens, syncs, bad }
' "$T/trace")
echo "strace: $out"
case "$out" in
*"bad=") ;;
*) fail "a daemon thread accessed its own mount: $out" ;;
esac
opens=${out#opens=}
opens=${opens%% *}
[ "$opens" -ge 2 ] || fail "expected the barrier and the write-back to open the mount: $out"
grep -q "syncs=0 " <<<"$out" && fail "no syncfs at SIGTERM: $out"
echo "ok: the daemon reaches its own mount from child processes only"
