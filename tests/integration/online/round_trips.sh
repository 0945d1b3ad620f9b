#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl's start-up costs no more than it must (issue 18: <= 2 ms for an
# online command): /proc/self/mountinfo is read once per command, and an
# online command whose requests do not wait for each other costs one
# round trip on the control socket (the VERSION check goes in the same
# write as the request, docs/control-protocol.md "Connecting"). Counted
# with strace: a round trip is a run of sends after a receive (or at the
# start). Runs in a mount namespace of its own, where other pmemfs mounts
# of the machine are detached (plain "pmemctl list" needs the only mount).
if [ -z "${PMEMFS_IN_MNTNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a mount namespace" >&2; exit 77; }
	exec unshare -m --propagation private env PMEMFS_IN_MNTNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/onlinelib.sh"
command -v strace >/dev/null || fail "strace is not installed (scripts/install-deps.sh --tests)"

detach_other_mounts

R=$T/r.img
region_create "$R" 64M
ns_create "$R" 4M one >/dev/null
ns_create "$R" 4M two >/dev/null
online_start "$R"

# traced ARGS...: run pmemctl ARGS under strace (exit 0 expected); sets
# opens (mountinfo opens), trips (round trips) and sends (send calls)
# (LeakSanitizer cannot run under ptrace: off for pmemctl in ASan builds)
traced() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -o "$T/trace" \
			-e trace=openat,open,sendto,sendmsg,sendmmsg,write,recvmsg,recvfrom,read \
			"$PMEMCTL" "$@" >"$T/traced.out" 2>"$T/traced.err" ||
		fail "pmemctl $* failed: $(cat "$T/traced.err")"
	opens=$(grep -c 'open[at]*(.*"/proc/self/mountinfo"' "$T/trace") || true
	# sockets only: the descriptor of connect()'s socket is not known here,
	# but pmemctl sends and receives on nothing else (stdout is write(1))
	read -r trips sends < <(awk '
		/ (sendto|sendmsg|sendmmsg)\(/ { sends++; if (!insend) trips++; insend = 1; next }
		/ (recvmsg|recvfrom)\(/ { insend = 0 }
		END { print trips + 0, sends + 0 }' "$T/trace")
}

# expect WHAT OPENS TRIPS ARGS...
expect() {
	local what=$1 want_opens=$2 want_trips=$3
	shift 3
	traced "$@"
	assert_eq "$want_opens" "$opens" "$what: reads of /proc/self/mountinfo"
	assert_eq "$want_trips" "$trips" "$what: round trips to the daemon"
}

expect "list (the only mount)" 1 1 list
[ "$(jq length "$T/traced.out")" = 2 ] || fail "list: not the 2 namespaces: $(cat "$T/traced.out")"
expect "list -N" 1 1 list -N
# -v: LIST and STATUS (the status view) in the same round trip
expect "list -v" 1 1 list -v
assert_eq "$DAEMON_PID" "$(jq -r '.[0].daemon.pid' "$T/traced.out")" "list -v: the daemon's status"
expect "list -R --mount" 1 1 list -R --mount "$MNT"
assert_eq "$MNT" "$(jq -r '.[0].mount' "$T/traced.out")" "list -R --mount: the mount"
# --socket: no mountinfo at all; the mount point still comes from VERSION
expect "list --socket" 0 1 list --socket "$SOCK"
assert_eq "$MNT" "$(jq -r '.[0].mount' "$T/traced.out")" "list --socket: the mount from VERSION"
expect "create-namespace" 1 1 create-namespace -s 2M -n three
assert_eq "$MNT/region0/three" "$(jq -r .path "$T/traced.out")" "create-namespace: the file"
# destroy finds the namespace in a listing first: LIST, then DESTROY_NS
expect "destroy-namespace" 1 2 destroy-namespace -f three
[ -e "$MNT/region0/three" ] && fail "destroy-namespace: the file is still there"
# no daemon needed, no mount looked for
expect "--version" 0 0 --version

pmemfs_stop
echo "PASS: $TEST_NAME"
