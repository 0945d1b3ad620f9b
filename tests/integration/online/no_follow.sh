#!/bin/bash
# SPDX-License-Identifier: MIT
# Files the daemon and pmemctl create are never created through a link
# nor in a place another user controls: a control socket directory that
# another user owns (pre-created, or a link to one) or that others may
# write (not sticky) is refused, saying why, and the mount still serves;
# read-labels -o replaces a link planted at its output, never writing
# through it (a link to a FIFO neither); a FIFO or device at the name
# itself, and /dev/stdout, are written as they are. The race (a FIFO at
# the name swapped for a link between the check and the open) is not
# reproduced here: the open checks the descriptor it got, by identity.
. "$(dirname "$0")/onlinelib.sh"

[ "$(id -u)" = 0 ] || skip "needs root: the attacker runs as uid 65534"
command -v setpriv >/dev/null || skip "setpriv not installed"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }

chmod 711 "$T"
printf 'precious\n' >"$T/secret"
chmod 600 "$T/secret"
secret_intact() {
	[ "$(cat "$T/secret")" = precious ] || fail "$1: the root-only file was rewritten"
}
R=$T/r.img
region_create "$R" 64M
"$PMEMCTL" create-namespace --file "$R" -s 4M -n a >/dev/null

# 1. the socket's directory pre-created by another user: refused
mkdir "$T/theirs"
chown 65534:65534 "$T/theirs"
pmemfs_start -o ctl="$T/theirs/ctl.sock" "$R"
[ -e "$MNT/region0/a" ] || fail "the mount does not serve"
wait_until 5 grep -q "belongs to uid 65534" "$T/daemon.log" || fail "no reason logged: $(tail -3 "$T/daemon.log")"
[ ! -e "$T/theirs/ctl.sock" ] || fail "control socket created in another user's directory"
pmemfs_stop

# 2. a link to such a directory: the same
ln -s "$T/theirs" "$T/link"
: >"$T/daemon.log"
pmemfs_start -o ctl="$T/link/ctl.sock" "$R"
wait_until 5 grep -q "belongs to uid 65534" "$T/daemon.log" || fail "no reason logged for the link"
[ ! -e "$T/theirs/ctl.sock" ] || fail "control socket created through a link to another user's directory"
pmemfs_stop

# 3. others may write it (not sticky): refused; sticky (as /tmp): fine
mkdir -m 777 "$T/open"
chmod 777 "$T/open"
: >"$T/daemon.log"
pmemfs_start -o ctl="$T/open/ctl.sock" "$R"
wait_until 5 grep -q "writable by others" "$T/daemon.log" || fail "no reason logged for mode 0777"
[ ! -e "$T/open/ctl.sock" ] || fail "control socket in a world-writable directory"
pmemfs_stop
chmod 1777 "$T/open"
online_start -o ctl="$T/open/ctl.sock" "$R"
[ -S "$T/open/ctl.sock" ] || fail "no socket in a sticky directory"
assert_eq "600 0" "$(stat -c '%a %u' "$T/open/ctl.sock")" "socket mode and owner"
expect_exit 0 "$PMEMCTL" list --socket "$T/open/ctl.sock"
assert_eq a "$(json_get "$out" '.[0].name')" "list through the socket"
pmemfs_stop

# 4. read-labels -o: a link planted at the output is replaced
mkdir "$T/out"
chown 65534:65534 "$T/out"
as_nobody ln -s "$T/secret" "$T/out/labels.bin"
expect_exit 0 "$PMEMCTL" read-labels --file "$R" -o "$T/out/labels.bin"
secret_intact "read-labels -o over a link"
[ -f "$T/out/labels.bin" ] && [ ! -L "$T/out/labels.bin" ] || fail "the link was not replaced"
assert_eq 131072 "$(stat -c %s "$T/out/labels.bin")" "label area written"
as_nobody ln -sf "$T/secret" "$T/out/labels.json"
expect_exit 0 "$PMEMCTL" read-labels -j --file "$R" -o "$T/out/labels.json"
secret_intact "read-labels -j -o over a link"
jq -e '.[0].index' "$T/out/labels.json" >/dev/null || fail "JSON not written"
# another user's link to a root-only FIFO (a reader waiting on it) is
# replaced, not written through: the dump never reaches root's FIFO
mkfifo -m 600 "$T/rootfifo"
timeout 20 cat "$T/rootfifo" >"$T/fifo.got" &
reader=$!
as_nobody ln -s "$T/rootfifo" "$T/out/fifo.bin"
expect_exit 0 "$PMEMCTL" read-labels --file "$R" -o "$T/out/fifo.bin"
[ -f "$T/out/fifo.bin" ] && [ ! -L "$T/out/fifo.bin" ] || fail "the link to a FIFO was not replaced"
assert_eq 131072 "$(stat -c %s "$T/out/fifo.bin")" "label area written beside the FIFO"
exec 9<>"$T/rootfifo"	# let the reader finish (read-write: never blocks)
exec 9>&-
wait $reader || true
assert_eq 0 "$(stat -c %s "$T/fifo.got")" "bytes written through the link into root's FIFO"
rm -f "$T/out/fifo.bin"
# /dev/stdout (root's link to /proc/self/fd/1) and our own descriptor links
# are followed: the output goes to the pipe
assert_eq 131072 "$("$PMEMCTL" read-labels --file "$R" -o /dev/stdout | wc -c)" "-o /dev/stdout to a pipe"
assert_eq 131072 "$("$PMEMCTL" read-labels --file "$R" -o /proc/self/fd/1 | wc -c)" "-o /proc/self/fd/1 to a pipe"
# stdout a file: written there, the link kept (a link like /dev/stdout in
# $T: broken code would replace it, and /dev/stdout is the machine's)
ln -s /proc/self/fd/1 "$T/stdout"
"$PMEMCTL" read-labels -j --file "$R" -o "$T/stdout" >"$T/stdout.json" || fail "-j -o STDOUT-LINK >FILE failed"
[ -s "$T/stdout.json" ] && jq -e ".[0].index" "$T/stdout.json" >/dev/null || fail "-j -o STDOUT-LINK >FILE: no JSON"
[ -L "$T/stdout" ] || fail "the link to /proc/self/fd/1 was replaced"
echo head >"$T/stdout.bin"
"$PMEMCTL" read-labels --file "$R" -o "$T/stdout" >>"$T/stdout.bin" || fail "-o STDOUT-LINK >>FILE failed"
assert_eq $((131072 + 5)) "$(stat -c %s "$T/stdout.bin")" "-o STDOUT-LINK appended to a file"
assert_eq head "$(head -1 "$T/stdout.bin")" "-o STDOUT-LINK >>FILE kept what was there"
[ -L "$T/stdout" ] || fail "the link to /proc/self/fd/1 was replaced"
# a link of ours to a directory: refused as the directory is
ln -s "$T/out" "$T/dirlink"
expect_exit 235 "$PMEMCTL" read-labels --file "$R" -o "$T/dirlink"
assert_contains "$err" "a directory" "-o LINK-TO-DIRECTORY"
[ -L "$T/dirlink" ] || fail "the link to a directory was replaced"
# a FIFO at the output name itself is written as it is
mkfifo "$T/out/pipe"
cat "$T/out/pipe" >"$T/pipe.got" &
reader=$!
expect_exit 0 "$PMEMCTL" read-labels --file "$R" -o "$T/out/pipe"
wait $reader
assert_eq 131072 "$(stat -c %s "$T/pipe.got")" "-o FIFO"
[ -p "$T/out/pipe" ] || fail "the FIFO was replaced"
rm -f "$T/out/pipe"
# a device is written as it is; nothing left behind
expect_exit 0 "$PMEMCTL" read-labels -j --file "$R" -o /dev/null
left=$(ls -A "$T/out" | grep -v -x -e labels.bin -e labels.json || true)
[ -z "$left" ] || fail "left behind: $left"
echo "PASS: $TEST_NAME"
