# SPDX-License-Identifier: MIT
# The installed pmemfs@.service: `systemd-analyze verify` is clean, and its
# commands do what the unit promises when run as systemd runs them:
# ExecStartPre (failures ignored where marked '-') clears a dead mount,
# ExecStart (environment from the instance's config file) serves and
# reports READY=1 once the mount and the control socket answer (a stand-in
# NOTIFY_SOCKET; no running systemd needed), SIGTERM to the main process
# (KillMode=mixed) stops cleanly with STOPPING=1, exit 0 and the data in
# the region file, and a crash (exit != 0, Restart=on-failure) is followed
# by a start that works on the dead mount it left.
. "$PMEMFS_SOURCE_ROOT/tests/integration/ecosystem/ecolib.sh"
need_fuse
eco_install
UNIT=$D_UNIT
bindir=$(dirname "$I_PMEMFS")
PMEMCTL=$D_PMEMCTL
MNT=$T/mnt/pmem
R=$T/region0.img
MAINPID=
LISTENER=

cleanup() {
	[ -n "$MAINPID" ] && kill -9 "$MAINPID" 2>/dev/null
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
	if grep -q " $MNT " /proc/self/mountinfo; then fusermount3 -uz "$MNT" 2>/dev/null; fi
	return 0
}
at_exit cleanup

# --- the unit file --------------------------------------------------------
# unit_get SECTION KEY: every value of KEY in [SECTION], one per line
unit_get() {
	awk -v s="[$1]" -v k="$2" '
		/^\[/ { in_s = ($0 == s); next }
		in_s && index($0, k "=") == 1 { print substr($0, length(k) + 2) }' "$UNIT"
}
type=$(unit_get Service Type)
if [ "$PMEMFS_HAVE_LIBSYSTEMD" = 1 ]; then
	assert_eq notify "$type" "Type= of a build with libsystemd"
else
	assert_eq exec "$type" "Type= of a build without libsystemd"
fi
assert_contains "$(unit_get Unit Before)" libvirtd.service "Before="
assert_contains "$(unit_get Unit Before)" virtqemud.service "Before="
[ -n "$(unit_get Unit RequiresMountsFor)" ] || fail "no RequiresMountsFor="
assert_eq on-failure "$(unit_get Service Restart)" "Restart="
assert_eq mixed "$(unit_get Service KillMode)" "KillMode="
# systemd's default soft limit is 1024 (issue 16.5)
nofile=$(unit_get Service LimitNOFILE)
[ -n "$nofile" ] && [ "${nofile%%:*}" -ge 65536 ] || fail "LimitNOFILE= '$nofile' (want >= 65536)"
assert_contains "$(unit_get Service ExecStartPre)" "-fusermount3 -uz %f" "ExecStartPre="
assert_contains "$(unit_get Service ExecStart)" "$I_PMEMFS -f" "ExecStart= (the installed binary, foreground)"
assert_eq multi-user.target "$(unit_get Install WantedBy)" "WantedBy="

# --- systemd-analyze verify -------------------------------------------------
command -v systemd-analyze >/dev/null ||
	fail "systemd-analyze is not installed (package systemd): scripts/install-deps.sh --tests"
# an instance of the template; the installed pmemfs shown at its installed
# path in a private mount namespace (verify checks that ExecStart's program
# exists); the installed man pages for Documentation=
mkdir -p "$T/units"
cp "$UNIT" "$T/units/pmemfs@mnt-pmem.service"
mandir=$(dirname "$(dirname "$D_MAN_PMEMFS")")
rc=0
eco_overlay_run "$DEST$bindir" "$bindir" env MANPATH="$mandir" \
	systemd-analyze verify "$T/units/pmemfs@mnt-pmem.service" >"$T/verify.out" 2>&1 || rc=$?
if [ "$rc" = 125 ]; then
	# no private mount namespace (not root): the same unit with ExecStart's
	# program at its path in the destdir (install.sh checks the path itself)
	sed "s|^ExecStart=$bindir/|ExecStart=$DEST$bindir/|" "$UNIT" >"$T/units/pmemfs@mnt-pmem.service"
	grep -q "^ExecStart=$DEST$bindir/" "$T/units/pmemfs@mnt-pmem.service" ||
		fail "ExecStart= does not start with the installed bindir $bindir"
	rc=0
	MANPATH="$mandir" systemd-analyze verify "$T/units/pmemfs@mnt-pmem.service" \
		>"$T/verify.out" 2>&1 || rc=$?
fi
[ "$rc" = 0 ] && [ ! -s "$T/verify.out" ] ||
	fail "systemd-analyze verify (exit $rc): $(cat "$T/verify.out")"

# --- the unit's commands, run as systemd would ------------------------------
mkdir -p "$T/mnt"
"$PMEMCTL" create-region --size 64M "$R" >/dev/null || fail "create-region"
j=$("$PMEMCTL" create-namespace --file "$R" -s 8M -n vm1) || fail "create-namespace"
dpa=$(json_get "$j" .dpa)
# the instance's EnvironmentFile=, as pmemfs.conf.example shows it
envfile=$(unit_get Service EnvironmentFile)
assert_contains "$envfile" "/pmemfs/%i.conf" "EnvironmentFile="
cat >"$T/instance.conf" <<EOT
REGIONS="$R"
OPTIONS="-o mode=0640"
EOT

# unit_exec LINE: run one Exec line: prefix '-' (failure ignored),
# specifiers %f (the mount point) and %i, $VAR split into words and
# ${VAR} kept as one, from the EnvironmentFile; programs at the installed
# bindir run from the destdir. Background with "&" as the last argument.
unit_exec() {
	local line=$1 bg=${2-} ignore=0 w v
	local -a words out=()
	[ "${line:0:1}" = - ] && { ignore=1; line=${line:1}; }
	set -f
	read -ra words <<<"$line"
	for w in "${words[@]}"; do
		w=${w//%f/$MNT}
		w=${w//%i/mnt-pmem}
		case "$w" in
		'$'[A-Z]*) v=${w#\$}; out+=(${!v}) ;;
		'${'*'}') v=${w#\$\{}; v=${v%\}}; out+=("${!v}") ;;
		*) out+=("$w") ;;
		esac
	done
	set +f
	case "${out[0]}" in "$bindir"/*) out[0]=$DEST${out[0]} ;; esac
	if [ "$bg" = "&" ]; then
		NOTIFY_SOCKET=$T/notify "${out[@]}" >>"$T/daemon.log" 2>&1 &
		MAINPID=$!
		return 0
	fi
	"${out[@]}" >>"$T/pre.log" 2>&1 && return 0
	[ "$ignore" = 1 ] && return 0
	fail "'${out[*]}' failed: $(cat "$T/pre.log")"
}

# service_start: a fresh notification socket, ExecStartPre lines, ExecStart
service_start() {
	local l i
	# the EnvironmentFile, read as systemd reads it (KEY="value" lines)
	set -a
	. "$T/instance.conf"
	set +a
	rm -f "$T/notify" "$T/notify.out"
	python3 "$PMEMFS_SOURCE_ROOT/tests/integration/ecosystem/notify_listen.py" \
		"$T/notify" 20 >"$T/notify.out" 2>&1 &
	LISTENER=$!
	for ((i = 0; i < 250; i++)); do
		grep -q listening "$T/notify.out" 2>/dev/null && break
		sleep 0.02
	done
	while IFS= read -r l; do unit_exec "$l"; done < <(unit_get Service ExecStartPre)
	[ -d "$MNT" ] || fail "ExecStartPre did not make the mount point"
	unit_exec "$(unit_get Service ExecStart)" "&"
	# ready: READY=1 (Type=notify), or the mount (Type=exec)
	for ((i = 0; i < 250; i++)); do
		if [ "$type" = notify ]; then
			grep -qx READY=1 "$T/notify.out" && break
		else
			mounted_at "$MNT" && break
		fi
		kill -0 "$MAINPID" 2>/dev/null || fail "ExecStart exited: $(cat "$T/daemon.log")"
		sleep 0.02
	done
	[ "$i" -lt 250 ] || fail "not ready 5 s after ExecStart"
	# at READY=1 the mount and the control socket serve already
	mounted_at "$MNT" || fail "READY=1 before the mount was up"
	out=$("$PMEMCTL" list --mount "$MNT") || fail "READY=1 but pmemctl list --mount fails"
	assert_eq vm1 "$(json_get "$out" '.[0].name')" "namespace listed at READY=1"
	kill -0 "$MAINPID" 2>/dev/null || fail "the main process exited after READY=1 (must stay: -f)"
	assert_eq 640 "$(stat -c %a "$MNT/region0/vm1")" "OPTIONS from the EnvironmentFile"
}

# service_stop: what systemd does: SIGTERM to the main process, wait
service_stop() {
	local rc=0
	kill -TERM "$MAINPID"
	wait "$MAINPID" || rc=$?
	MAINPID=
	assert_eq 0 "$rc" "exit status after SIGTERM (non-zero would be a restart)"
	mounted_at "$MNT" && fail "still mounted after the stop"
	if [ "$type" = notify ]; then
		wait "$LISTENER" || fail "no STOPPING=1 from the daemon: $(cat "$T/notify.out")"
		grep -qx STOPPING=1 "$T/notify.out" || fail "no STOPPING=1"
	else
		kill "$LISTENER" 2>/dev/null
		wait "$LISTENER" 2>/dev/null || true
	fi
	LISTENER=
}

# 1. start with nothing mounted, write, stop
service_start
"$NSIO" write "$MNT/region0/vm1" 0 1048576 11 || fail "write (no fsync) through the mount"
service_stop
"$NSIO" verify "$R" "$dpa" 1048576 11 || fail "data written before the stop is not in the region file"

# 2. a crash leaves a dead mount; the restart clears it and serves
service_start
rc=0
exec 3>&2 2>/dev/null	# no "Killed" notice from bash
kill -9 "$MAINPID"
wait "$MAINPID" || rc=$?
exec 2>&3 3>&-
MAINPID=
[ "$rc" != 0 ] || fail "kill -9 should be a failure (Restart=on-failure)"
kill "$LISTENER" 2>/dev/null
wait "$LISTENER" 2>/dev/null || true
LISTENER=
grep -q " $MNT " /proc/self/mountinfo || fail "kill -9 left no mount (test expects a dead one)"
stat "$MNT/region0" >/dev/null 2>"$T/stat.err" && fail "the dead mount still answers"
assert_contains "$(cat "$T/stat.err")" "not connected" "stat on the dead mount"
service_start
"$NSIO" verify "$MNT/region0/vm1" 0 1048576 11 || fail "data after the restart"
service_stop
exit 0
