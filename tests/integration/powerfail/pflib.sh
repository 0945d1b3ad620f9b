# SPDX-License-Identifier: MIT
# Helpers for the power-fail and media-error tests, on top of the online
# helpers (onlinelib.sh: $MNT, online_start, pc, nsio as $NSIO).
. "$PMEMFS_SOURCE_ROOT/tests/integration/online/onlinelib.sh"

PFIO=$PMEMFS_BUILD_ROOT/tests/integration/powerfail/pfio
DEMO=$PMEMFS_BUILD_ROOT/contrib/examples/crash_demo
DEMO_BUGGY=$PMEMFS_BUILD_ROOT/contrib/examples/crash_demo_buggy
[ -x "$PFIO" ] || fail "pfio not built at $PFIO"
REGION=$T/r.img

# pf_setup SIZE NAME [create-namespace options]: region, mount, a namespace
# with crash testing on; sets $F (its file), $DPA, and $RNS and $ROFF:
# where its bytes are beside the daemon (the region file at the dpa; a
# region directory's namespace file, PMEMFS_LAYOUT=dir, at 0)
pf_setup() {
	local size=$1 name=$2 j
	shift 2
	region_create "$REGION" 64M
	online_start "$REGION"
	j=$(pc create-namespace -s "$size" -n "$name" "$@") || fail "create-namespace $name"
	F=$(json_get "$j" .path)
	DPA=$(json_get "$j" .dpa)
	[ -f "$F" ] || fail "no file $F"
	RNS=$REGION ROFF=$DPA
	if [ -d "$REGION" ]; then
		RNS=$REGION/ns-$(json_get "$j" .uuid) ROFF=0
	fi
}

# pf_status NAME FIELD: a field of power-fail --status
pf_status() {
	pc power-fail "$1" --status | jq -r ".$2"
}

# region_verify OFF LEN SEED: the namespace range holds nsio pattern SEED in
# the region file itself (read beside the daemon)
region_verify() {
	"$NSIO" verify "$REGION" $((DPA + $1)) "$2" "$3" ||
		fail "region file at dpa $DPA + $1: not pattern $3"
}

# pid_wait_gone PID: wait up to 5 s for PID to exit
pid_wait_gone() {
	local i
	for ((i = 0; i < 500; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.01
	done
	return 1
}

# wait_line FILE TEXT: wait up to 5 s for a line in FILE
wait_line() {
	local i
	for ((i = 0; i < 500; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	fail "no '$2' in $1: $(cat "$1" 2>/dev/null)"
}

# pf_state_checker SCRIPT LOG: a crash-test checker at SCRIPT (N [BAD]):
# logs the word "pfio state" prints for pages 0..N-1 to LOG (one a line),
# fails (1) when it is BAD
pf_state_checker() {
	cat >"$1" <<EOC
#!/bin/bash
w=\$("$PFIO" state "\$PMEMCTL_NAMESPACE_PATH" \$1) || exit 2
echo "\$w" >>"$2"
[ -n "\${2:-}" ] && [ "\$w" = "\$2" ] && { echo "bad state \$w"; exit 1; }
exit 0
EOC
	chmod +x "$1"
}

# pf_state_order N: the stated order of crash states for N pages, one word
# a line ('o' old, 'n' new per page): masks by popcount, then value; bit k
# is page k
pf_state_order() {
	local n=$1 c v k w
	for ((c = 0; c <= n; c++)); do
		for ((v = 0; v < 1 << n; v++)); do
			w=0
			for ((k = 0; k < n; k++)); do ((v >> k & 1)) && w=$((w + 1)); done
			((w == c)) || continue
			w=
			for ((k = 0; k < n; k++)); do
				if ((v >> k & 1)); then w+=n; else w+=o; fi
			done
			echo "$w"
		done
	done
}
