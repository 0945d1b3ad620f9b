#!/bin/bash
# SPDX-License-Identifier: MIT
# Who may do what (SO_PEERCRED): with -o ctl_group a user of that group
# lists and reads statistics but may not change anything; without it the
# socket (0600) is not reachable and pmemctl says so.
. "$(dirname "$0")/onlinelib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to run the CLI as another user"
command -v setpriv >/dev/null || skip "setpriv not installed"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
as_nobody "$PMEMCTL" --version >/dev/null 2>&1 ||
	skip "user 65534 cannot run '$PMEMCTL' (directory permissions)"

R=$T/r.img
region_create "$R" 64M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null
online_start -o ctl_group=65534 "$R"
[ "$(stat -c '%a %g' "$SOCK")" = "660 65534" ] || fail "socket mode: $(stat -c '%a %g' "$SOCK")"

# queries: fine
expect_exit 0 as_nobody "$PMEMCTL" list --mount "$MNT"
assert_eq "a" "$(json_get "$out" '.[0].name')" "list as uid 65534"
expect_exit 0 as_nobody "$PMEMCTL" stats --mount "$MNT"
expect_exit 0 as_nobody "$PMEMCTL" read-labels -j --mount "$MNT"
expect_exit 0 as_nobody "$PMEMCTL" check-labels --mount "$MNT"
# changes: refused, nothing changed
before=$(pc list -i)
for cmd in "create-namespace -s 2M -n b:create namespaces" \
	"destroy-namespace a:destroy namespaces" \
	"rename-namespace a b:rename namespaces" \
	"disable-namespace a:disable namespaces" \
	"init-labels -f:initialise labels"; do
	# shellcheck disable=SC2086
	expect_exit 243 as_nobody "$PMEMCTL" ${cmd%%:*} --mount "$MNT"
	assert_contains "$err" "permission denied: uid 65534 may not ${cmd#*:} on $MNT" "${cmd%%:*}"
done
assert_eq "$before" "$(pc list -i)" "refused changes changed something"
[ -e "$MNT/region0/a" ] || fail "a's file gone"
pmemfs_stop

# without ctl_group the socket is root's alone
online_start "$R"
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "default socket mode $(stat -c %a "$SOCK")"
expect_exit 243 as_nobody "$PMEMCTL" list --mount "$MNT"
assert_contains "$err" "permission denied on control socket '$SOCK'" "EACCES on connect"
assert_contains "$err" "ctl_group" "EACCES suggests ctl_group"
pmemfs_stop
echo "PASS: $TEST_NAME"
