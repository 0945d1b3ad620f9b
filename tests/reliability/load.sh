#!/bin/bash
# SPDX-License-Identifier: MIT
# Load (issue 7): on one mounted region, for PMEMFS_LOAD_SECONDS,
#   - LOAD_JOBS fio processes, each looping on its own namespace: a write
#     phase (randwrite or sequential write, fsync/msync every few blocks,
#     end_fsync) then a verify phase (verify=crc32c, verify_fatal=1), a new
#     randseed every loop; even jobs use the mmap engine (stores, msync),
#     odd jobs psync (pwrite, fsync);
#   - a loop creating and destroying other namespaces online: idle ones
#     written, disabled and destroyed without -f, mapped ones (a process holding a
#     dirty shared mapping) refused with EBUSY (240) without -f, enabled
#     (at once) and disabled with -f (after waiting for a RELEASE), and then
#     destroyed with -f, idle ones destroyed with -f;
#   - a loop running `pmemctl list -R -N` (and every tenth time `stats`):
#     it must exit 0, parse as JSON and show every fio namespace; each
#     run is timed (the whole pmemctl run, as a script polling it sees it:
#     start, connect, answer, exit) and the summary gives p50/p99/max of
#     list and stats together (issue 16 item 14: no request waits for
#     another client's, so a refused busy destroy of the churn loop, which
#     waits up to 1 s for a RELEASE, must not show in them); beside it a
#     probe (olclient probe) times LIST and STATS on the socket itself,
#     connect to the whole reply, without a process start: the daemon's
#     part of the figure;
#   - the daemon's VmRSS and RssAnon sampled every LOAD_SAMPLE seconds:
#     the peak RssAnon of the second half may exceed the peak of the first
#     half by at most LOAD_RSS_GROWTH_KB (memory stays flat; printed but
#     not checked for an ASan build, whose quarantine keeps freed blocks).
# Then the fio namespaces are checked once more: their sha256 read
# through the mount, in the region file after the unmount and through the
# mount again after a remount, and a fio verify-only pass of each job's
# last loop. Any fio error, verify error or unexpected exit code fails.
#
#   PMEMFS_LOAD_SECONDS (or LOAD_SECONDS)  duration (default 45; the long
#                                          run, scripts/run-long.sh: 600)
#   LOAD_JOBS            fio processes (default 3)
#   LOAD_SAMPLE          seconds between RSS samples (default 2)
#   LOAD_RSS_GROWTH_KB   allowed RssAnon growth (default 2048)
#   LOAD_LIST_P99_MS     fail when the p99 of list/stats on the socket is
#                        above it (the pmemctl figure is printed: a process
#                        start on a busy 2-core machine costs tens of ms
#                        of CPU wait the daemon has no part in)
#                        (default: 100 for runs of 300 s or more, the long
#                        run; else 0: printed, not checked, as a short run
#                        on a shared CI machine has too few samples for a
#                        p99 that means anything)
# Prints one "load:" summary line (scripts/run-long.sh greps for it).
. "$PMEMFS_SOURCE_ROOT/tests/integration/fs/fslib.sh"

DURATION=${PMEMFS_LOAD_SECONDS:-${LOAD_SECONDS:-45}}
NJOBS=${LOAD_JOBS:-3}
SAMPLE=${LOAD_SAMPLE:-2}
RSS_BOUND=${LOAD_RSS_GROWTH_KB:-2048}
if ((DURATION >= 300)); then
	P99_BOUND=${LOAD_LIST_P99_MS:-100}
else
	P99_BOUND=${LOAD_LIST_P99_MS:-0}
fi
NS_SIZE=$((8 << 20))
command -v fio >/dev/null || skip "fio not installed"
command -v jq >/dev/null || skip "jq not installed"
[ -x "$NSIO" ] || fail "nsio not built at $NSIO"
OLC=$PMEMFS_BUILD_ROOT/tests/integration/online/olclient
[ -x "$OLC" ] || fail "olclient not built at $OLC"

R=$T/r.img
region_create "$R" 160M
STOP=$T/stop
BAD=$T/unexpected	# one line per unexpected failure, from every loop
: >"$BAD"

pc() { "$PMEMCTL" "$@" --mount "$MNT"; }

# unexpected WHAT: record a failure (the loops go on; the end fails)
unexpected() { echo "$(date +%T) $*" >>"$BAD"; }

# start_daemon: mount $R in the foreground (fslib), wait for the socket
start_daemon() {
	pmemfs_start "$R"
	local i
	for ((i = 0; i < 250; i++)); do
		pc list -R >/dev/null 2>&1 && return 0
		sleep 0.02
	done
	fail "control socket of $MNT does not answer after 5 s"
}

start_daemon
SOCK=/run/pmemfs/$(awk -v m="$MNT" '$5 == m { d = $3 } END { print d }' /proc/self/mountinfo).sock
[ -S "$SOCK" ] || fail "no control socket at $SOCK"
# the daemon serving $MNT (RSS samples): started above in the foreground
tr '\0' ' ' <"/proc/$DAEMON_PID/cmdline" | grep -q -- " $MNT" ||
	fail "pid $DAEMON_PID is not the pmemfs daemon of $MNT"

for ((k = 0; k < NJOBS; k++)); do
	j=$(pc create-namespace -r region0 -s 8M -n "fio$k") ||
		fail "create-namespace fio$k failed"
	assert_eq "fio$k" "$(json_get "$j" .name)" "name of fio$k"
	assert_eq "$NS_SIZE" "$(stat -c %s "$MNT/region0/fio$k")" "size of fio$k's file"
done

# ---------------------------------------------------------------- fio
# fio_args K SEED: the job of fio process K, one loop with SEED
fio_args() {
	local k=$1
	local -a a=(--name="fio$k" --filename="$MNT/region0/fio$k" --size="$NS_SIZE"
		--verify=crc32c --verify_fatal=1 --do_verify=1 --end_fsync=1
		--verify_state_save=0
		--randseed="$2" --output="$T/fio$k.out")
	case $((k % 4)) in
	0) a+=(--ioengine=mmap --rw=randwrite --bs=4k --fsync=32) ;;
	1) a+=(--ioengine=psync --rw=randwrite --bs=16k --fsync=8) ;;
	2) a+=(--ioengine=mmap --rw=write --bs=64k --fsync=4) ;;
	3) a+=(--ioengine=psync --rw=write --bs=128k --fsync=2) ;;
	esac
	printf '%s\n' "${a[@]}"
}

# verify_errors FILE: lines where fio reports a verify failure
verify_errors() {
	local n
	n=$(grep -c -E 'verify failed|verify: bad|bad magic|bad header' "$1" 2>/dev/null)
	echo "${n:-0}"
}

fio_loop() { # K
	set +m +e
	local k=$1 loops=0 verr=0 seed rc n
	local -a args
	while [ ! -e "$STOP" ]; do
		seed=$((k * 1000000 + loops + 1))
		mapfile -t args < <(fio_args "$k" "$seed")
		rc=0
		fio "${args[@]}" >/dev/null 2>>"$T/fio$k.err" || rc=$?
		n=$(verify_errors "$T/fio$k.out")
		verr=$((verr + n))
		if [ "$rc" != 0 ] || [ "$n" != 0 ]; then
			unexpected "fio$k loop $((loops + 1)) (seed $seed): exit $rc, $n verify errors"
			cat "$T/fio$k.out" >>"$T/fio$k.failed"
			break
		fi
		loops=$((loops + 1))
		echo "$seed" >"$T/fio$k.seed"
	done
	echo "$loops $verr" >"$T/fio$k.count"
}

# ---------------------------------------------------------------- churn
# exists NAME: the namespace's file is in the mount
exists() { [ -e "$MNT/region0/$1" ]; }

churn_loop() {
	set +m +e
	local i=0 creates=0 destroys=0 busy=0 forced=0 hold_ms=0 name size j rc hp mode t0 ms
	while [ ! -e "$STOP" ]; do
		i=$((i + 1))
		name=c$i
		size=$(((1 + i % 3) * 2))M
		mode=$((i % 3))
		j=$(pc create-namespace -r region0 -s "$size" -n "$name" 2>"$T/churn.err") || {
			unexpected "create-namespace $name -s $size: exit $?: $(cat "$T/churn.err")"
			sleep 0.5
			continue
		}
		creates=$((creates + 1))
		if [ "$(printf '%s' "$j" | jq -r .name 2>/dev/null)" != "$name" ] || ! exists "$name"; then
			unexpected "create-namespace $name: bad reply or no file: $j"
		fi
		case $mode in
		0)	# written and read back, idle: disabled, then destroyed without -f
			"$NSIO" write "$MNT/region0/$name" 4096 65536 "$i" fsync 2>>"$T/churn.err" ||
				unexpected "pwrite+fsync on $name failed"
			"$NSIO" verify "$MNT/region0/$name" 4096 65536 "$i" 2>>"$T/churn.err" ||
				unexpected "read back of $name failed"
			rc=0
			pc disable-namespace "$name" 2>"$T/churn.err" &&
				pc destroy-namespace "$name" 2>"$T/churn.err" || rc=$?
			if [ "$rc" = 0 ]; then
				destroys=$((destroys + 1))
			else
				unexpected "disable + destroy-namespace $name (idle): exit $rc: $(cat "$T/churn.err")"
			fi
			;;
		1)	# mapped with dirty pages: EBUSY without -f, then -f
			# (emptied here: the child's own truncation comes later
			# than the first look for "ready")
			: >"$T/hold.out"
			"$NSIO" mmap-write "$MNT/region0/$name" 0 8192 "$i" hold \
				>"$T/hold.out" 2>"$T/hold.err" &
			hp=$!
			# its stores fault pages in through the daemon, and the
			# kernel may throttle them behind fio's dirty pages
			t0=$(date +%s%N)
			while ! grep -q ready "$T/hold.out" && kill -0 "$hp" 2>/dev/null &&
				(($(date +%s%N) - t0 < 30000000000)); do
				sleep 0.02
			done
			ms=$((($(date +%s%N) - t0) / 1000000))
			((ms > hold_ms)) && hold_ms=$ms
			grep -q ready "$T/hold.out" ||
				unexpected "holder of $name not ready after $ms ms: $(cat "$T/hold.err")"
			rc=0
			pc destroy-namespace "$name" 2>"$T/churn.err" || rc=$?
			if [ "$rc" = 240 ] && grep -q "is enabled and in use by pid $hp " "$T/churn.err"; then
				busy=$((busy + 1))
				exists "$name" || unexpected "$name's file gone after a refused destroy"
			else
				unexpected "destroy-namespace $name (mapped): exit $rc, expected 240: $(cat "$T/churn.err")"
			fi
			# disabled under the mapping: a destroy waits up to 1 s for
			# a RELEASE, then is refused
			rc=0
			pc disable-namespace -f "$name" 2>"$T/churn.err" || rc=$?
			[ "$rc" = 0 ] ||
				unexpected "disable-namespace -f $name (mapped): exit $rc: $(cat "$T/churn.err")"
			rc=0
			pc destroy-namespace "$name" 2>"$T/churn.err" || rc=$?
			if [ "$rc" = 240 ] && grep -q "is in use by pid $hp " "$T/churn.err"; then
				busy=$((busy + 1))
			else
				unexpected "destroy-namespace $name (disabled, mapped): exit $rc, expected 240: $(cat "$T/churn.err")"
			fi
			rc=0
			pc destroy-namespace -f "$name" 2>"$T/churn.err" || rc=$?
			if [ "$rc" = 0 ]; then
				destroys=$((destroys + 1))
				forced=$((forced + 1))
			else
				unexpected "destroy-namespace -f $name (mapped): exit $rc: $(cat "$T/churn.err")"
			fi
			kill -9 "$hp" 2>/dev/null
			wait "$hp" 2>/dev/null
			rc=$?
			[ "$rc" = 137 ] ||
				unexpected "holder of $name ended with status $rc before its kill"
			;;
		2)	# written through a mapping and msync, idle: -f anyway
			"$NSIO" mmap-write "$MNT/region0/$name" 12345 100000 "$i" msync 2>>"$T/churn.err" ||
				unexpected "mmap store+msync on $name failed"
			rc=0
			pc destroy-namespace -f "$name" 2>"$T/churn.err" || rc=$?
			if [ "$rc" = 0 ]; then
				destroys=$((destroys + 1))
				forced=$((forced + 1))
			else
				unexpected "destroy-namespace -f $name (idle): exit $rc: $(cat "$T/churn.err")"
			fi
			;;
		esac
		exists "$name" && unexpected "$name's file still there after its destroy"
	done
	echo "$creates $destroys $busy $forced $hold_ms" >"$T/churn.count"
}

# ---------------------------------------------------------------- list
list_loop() {
	set +m +e
	local runs=0 stats=0 list_ms=0 out rc k names t0 ms
	while [ ! -e "$STOP" ]; do
		rc=0
		t0=$(date +%s%N)
		out=$(pc list -R -N 2>"$T/list.err") || rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		((ms > list_ms)) && list_ms=$ms
		echo "list $ms" >>"$T/ctl.ms"
		runs=$((runs + 1))
		if [ "$rc" != 0 ]; then
			unexpected "list -R -N: exit $rc: $(cat "$T/list.err")"
		elif ! names=$(printf '%s' "$out" | jq -r \
			'.regions[] | select(.dev == "region0") | .namespaces[] |
			 select(.size == '"$NS_SIZE"') | .name' 2>"$T/list.err"); then
			unexpected "list -R -N: not the expected JSON: $(cat "$T/list.err"): $(printf '%s' "$out" | head -c 300)"
		else
			for ((k = 0; k < NJOBS; k++)); do
				grep -qx "fio$k" <<<"$names" ||
					unexpected "list -R -N run $runs does not show fio$k"
			done
		fi
		if ((runs % 10 == 0)); then
			rc=0
			t0=$(date +%s%N)
			out=$(pc stats 2>"$T/list.err") || rc=$?
			echo "stats $((($(date +%s%N) - t0) / 1000000))" >>"$T/ctl.ms"
			stats=$((stats + 1))
			if [ "$rc" != 0 ] || ! printf '%s' "$out" | jq -e 'length > 0' >/dev/null 2>&1; then
				unexpected "stats: exit $rc: $(cat "$T/list.err")"
			fi
		fi
		sleep 0.1
	done
	echo "$runs $stats $list_ms" >"$T/list.count"
}

# ---------------------------------------------------------------- run
loop_pids=()
stop_loops() {
	touch "$STOP"
	local p
	for p in "${loop_pids[@]}"; do
		kill -9 -- "-$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	loop_pids=()
}
at_exit stop_loops

# each loop in its own process group, so a failure kills it with its children
set -m
for ((k = 0; k < NJOBS; k++)); do
	fio_loop "$k" &
	loop_pids+=($!)
done
churn_loop &
loop_pids+=($!)
list_loop &
loop_pids+=($!)
"$OLC" probe "$SOCK" "$STOP" >"$T/probe.us" 2>"$T/probe.err" &
loop_pids+=($!)
set +m

start=$SECONDS
: >"$T/rss"
while ((SECONDS - start < DURATION)); do
	kill -0 "$DAEMON_PID" 2>/dev/null ||
		fail "the daemon died under load after $((SECONDS - start)) s"
	awk -v t=$((SECONDS - start)) '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 }
		END { print t, r, a }' "/proc/$DAEMON_PID/status" >>"$T/rss" 2>/dev/null ||
		fail "the daemon died under load after $((SECONDS - start)) s"
	sleep "$SAMPLE"
done
touch "$STOP"
# let every loop finish the iteration it is in (a fio loop: seconds)
for p in "${loop_pids[@]}"; do
	waited=0
	while kill -0 "$p" 2>/dev/null && ((waited < 120)); do
		sleep 0.5
		waited=$((waited + 1))
	done
	kill -0 "$p" 2>/dev/null && unexpected "loop $p still running 60 s after the end"
done
stop_loops
elapsed=$((SECONDS - start))
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died under load"

# ---------------------------------------------------------------- memory
nsamp=$(wc -l <"$T/rss")
((nsamp >= 4)) || fail "only $nsamp RSS samples"
half=$((nsamp / 2))
read -r rss_min rss_max anon_min anon_max < <(awk \
	'NR == 1 || $2 < rmin { rmin = $2 } $2 > rmax { rmax = $2 }
	 NR == 1 || $3 < amin { amin = $3 } $3 > amax { amax = $3 }
	 END { print rmin, rmax, amin, amax }' "$T/rss")
anon1=$(head -n "$half" "$T/rss" | awk '$3 > m { m = $3 } END { print m + 0 }')
anon2=$(tail -n +"$((half + 1))" "$T/rss" | awk '$3 > m { m = $3 } END { print m + 0 }')
growth=$((anon2 - anon1))

# ---------------------------------------------------------------- after
fio_loops=0 verr=0
for ((k = 0; k < NJOBS; k++)); do
	[ -s "$T/fio$k.count" ] || { unexpected "fio$k loop left no count"; continue; }
	read -r l v <"$T/fio$k.count"
	fio_loops=$((fio_loops + l))
	verr=$((verr + v))
	((l > 0)) || unexpected "fio$k: no loop completed"
done
read -r creates destroys busy forced hold_ms <"$T/churn.count" 2>/dev/null ||
	unexpected "churn loop left no count"
read -r lists stats list_ms <"$T/list.count" 2>/dev/null ||
	unexpected "list loop left no count"
# pct Q [FILE]: the Q-th percentile (nearest rank) of the times in FILE
pct() {
	awk '{ print $2 }' "${2:-$T/ctl.ms}" 2>/dev/null | sort -n |
		awk -v q="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "?"; exit }
			r = int(q * NR / 100); if (r < q * NR / 100) r++; if (r < 1) r = 1
			print v[r] }'
}
ctl_n=$(wc -l <"$T/ctl.ms" 2>/dev/null || echo 0)
ctl_p50=$(pct 50)
ctl_p99=$(pct 99)
ctl_max=$(pct 100)
grep -q '^error' "$T/probe.us" && unexpected "probe: $(grep -m1 '^error' "$T/probe.us")"
grep -E '^(list|stats) ' "$T/probe.us" | awk '{ print $1, int(($2 + 999) / 1000) }' >"$T/probe.ms"
probe_n=$(wc -l <"$T/probe.ms")
probe_p50=$(pct 50 "$T/probe.ms")
probe_p99=$(pct 99 "$T/probe.ms")
probe_max=$(pct 100 "$T/probe.ms")

# every churned namespace is gone: only the fio ones are listed
left=$(pc list -N | jq -r '(if type == "array" then .[] else . end) | .name' | sort | tr '\n' ' ')
want=$(for ((k = 0; k < NJOBS; k++)); do echo "fio$k"; done | sort | tr '\n' ' ')
[ "$left" = "$want" ] || unexpected "namespaces left after the load: '$left', expected '$want'"

declare -A sum dpa src
for ((k = 0; k < NJOBS; k++)); do
	[ -s "$T/fio$k.seed" ] || continue
	sum[$k]=$(sha256sum <"$MNT/region0/fio$k" | cut -d' ' -f1)
	dpa[$k]=$(pc list -N | jq -r --arg n "fio$k" \
		'(if type == "array" then .[] else . end) | select(.name == $n) | .dpa')
	# a region directory (PMEMFS_LAYOUT=dir): the namespace's file, at 0
	src[$k]=$R
	if [ -d "$R" ]; then
		src[$k]=$R/ns-$(pc list -N | jq -r --arg n "fio$k" \
			'(if type == "array" then .[] else . end) | select(.name == $n) | .uuid')
		dpa[$k]=0
	fi
done
pmemfs_stop
for k in "${!sum[@]}"; do
	s=$(dd if="${src[$k]}" bs=1M iflag=skip_bytes skip="${dpa[$k]}" count=8 status=none |
		sha256sum | cut -d' ' -f1)
	[ "$s" = "${sum[$k]}" ] ||
		unexpected "fio$k: the region file at dpa ${dpa[$k]} differs from what the mount showed"
done
start_daemon
final=0
for k in "${!sum[@]}"; do
	s=$(sha256sum <"$MNT/region0/fio$k" | cut -d' ' -f1)
	[ "$s" = "${sum[$k]}" ] || unexpected "fio$k: bytes differ after the remount"
	mapfile -t args < <(fio_args "$k" "$(cat "$T/fio$k.seed")")
	rc=0
	fio "${args[@]}" --verify_only=1 >/dev/null 2>>"$T/fio$k.err" || rc=$?
	n=$(verify_errors "$T/fio$k.out")
	verr=$((verr + n))
	if [ "$rc" != 0 ] || [ "$n" != 0 ]; then
		unexpected "fio$k verify-only after the remount: exit $rc, $n verify errors"
		cat "$T/fio$k.out" >>"$T/fio$k.failed"
	fi
	final=$((final + 1))
done
pmemfs_stop

nbad=$(wc -l <"$BAD")
echo "load: $elapsed s, $NJOBS fio jobs, $fio_loops fio loops (write+verify)," \
	"$final verified after remount, verify errors: $verr;" \
	"${creates:-?} creates, ${destroys:-?} destroys (${busy:-?} refused busy, ${forced:-?} forced," \
	"a holder mapped in ${hold_ms:-?} ms at most);" \
	"${lists:-?} list runs (at most ${list_ms:-?} ms), ${stats:-?} stats runs;" \
	"list/stats latency p50 $ctl_p50 ms, p99 $ctl_p99 ms, max $ctl_max ms ($ctl_n pmemctl runs)," \
	"on the socket p50 $probe_p50 ms, p99 $probe_p99 ms, max $probe_max ms ($probe_n requests)," \
	"bound p99 ${P99_BOUND/#0/none}; unexpected failures: $nbad;" \
	"daemon VmRSS ${rss_min}-${rss_max} KiB, RssAnon ${anon_min}-${anon_max} KiB" \
	"(peak first half $anon1, second half $anon2, growth $growth KiB, bound $RSS_BOUND)"
if [ "$nbad" != 0 ]; then
	# FAIL lines: scripts/run-long.sh shows them
	head -n 20 "$BAD" | sed "s/^/FAIL: $TEST_NAME: unexpected: /" >&2
	for ((k = 0; k < NJOBS; k++)); do
		if [ -s "$T/fio$k.failed" ]; then
			echo "--- fio$k" >&2
			grep -v '^ *$' "$T/fio$k.failed" | head -n 20 >&2
		fi
	done
	fail "$nbad unexpected failures"
fi
[ "$verr" = 0 ] || fail "$verr fio verify errors"
if grep -q 'runtime error:' "$T/daemon.log"; then
	grep -m 5 'runtime error:' "$T/daemon.log" >&2
	fail "UBSan reports in the daemon's log"
fi
((final == NJOBS)) || fail "$final of $NJOBS fio namespaces verified after the remount"
if ((P99_BOUND > 0)); then
	[ "$probe_p99" != "?" ] || fail "no list/stats times on the socket"
	if ((probe_p99 > P99_BOUND)); then
		sort -k2 -n "$T/probe.ms" | tail -n 5 | sed "s/^/slowest: /" >&2
		fail "list/stats p99 on the socket is $probe_p99 ms (bound $P99_BOUND ms)"
	fi
fi
((creates > 0 && busy > 0 && lists > 0)) || fail "a loop did nothing"
if grep -qa __asan_init "$PMEMFS"; then
	# ASan keeps freed blocks in quarantine (up to 256 MiB): no bound
	echo "note: ASan build of pmemfs: daemon memory growth printed, not checked" >&2
elif ((growth > RSS_BOUND)); then
	fail "daemon RssAnon grew by $growth KiB between the halves (bound $RSS_BOUND KiB)"
fi
FS_SHOW_LOG=0
echo "PASS: $TEST_NAME"
