#!/bin/bash
# SPDX-License-Identifier: MIT
# Command line: --help lists the options, --version, usage errors, uid/gid/
# mode, mount(8)'s options passed on, and the bdi settings of the mount.
. "$(dirname "$0")/fslib.sh"

run_cmd "$PMEMFS" --help
assert_eq 0 "$rc" "--help"
for o in uid= gid= mode= allow_other default_permissions ctl= ctl_group= label_size= \
	dirty_ratio= readahead_kb= strict_limit= backing= splice= dev,suid -f -d -s MAP_SYNC; do
	assert_contains "$out" "$o" "--help"
done
run_cmd "$PMEMFS" --version
assert_eq 0 "$rc" "--version"
assert_contains "$out" "pmemfs " "--version"
run_cmd "$PMEMFS" "$MNT"
[ "$rc" != 0 ] || fail "no region accepted"
assert_contains "$err" "usage" "usage error"

R=$T/r.img
region_create "$R" 16M
ns_create "$R" 2M ns1 >/dev/null
run_cmd "$PMEMFS" -f -o no_such_option "$R" "$MNT"
[ "$rc" != 0 ] || fail "an unknown option was accepted"
mounted && fail "mounted despite an unknown option"

pmemfs_start -o uid=4321,gid=8765,mode=0660,dev,suid,rw,label_size=128K \
	-o dirty_ratio=40,readahead_kb=512,strict_limit=0 "$R"
assert_eq "4321 8765 660" "$(stat -c '%u %g %a' "$MNT/region0/ns1")" "uid/gid/mode"
assert_eq "4321 8765 755" "$(stat -c '%u %g %a' "$MNT/region0")" "region directory"

# bdi: found from mountinfo, set, logged
dev=$(awk -v m="$MNT" '$5 == m { print $3 }' /proc/self/mountinfo | tail -n 1)
bdi=/sys/class/bdi/$dev
for ((i = 0; i < 100; i++)); do grep -q "bdi $dev" "$T/daemon.log" && break; sleep 0.05; done
grep -q "bdi $dev" "$T/daemon.log" || fail "bdi settings not logged"
if [ -d "$bdi" ]; then
	assert_eq 40 "$(cat "$bdi/max_ratio")" "bdi max_ratio"
	assert_eq 512 "$(cat "$bdi/read_ahead_kb")" "bdi read_ahead_kb"
	if [ -e "$bdi/strict_limit" ]; then
		assert_eq 0 "$(cat "$bdi/strict_limit")" "bdi strict_limit"
	else
		grep -q "no strict_limit" "$T/daemon.log" || fail "missing strict_limit not logged"
	fi
fi
pmemfs_stop
