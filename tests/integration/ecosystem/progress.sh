# SPDX-License-Identifier: MIT
# Long operations show progress on a terminal and nothing otherwise:
# create-region --prealloc and offline create-namespace (preallocation) of
# 256 MiB or more print one line updated in place (\r) on stderr from 0%
# to 100% when stderr is a terminal (script(1) gives them one); with stderr
# a file or pipe, or a small job, or --sparse, stderr stays empty. The
# JSON on stdout and the allocation itself are the same either way.
. "$PMEMFS_SOURCE_ROOT/tests/integration/ecosystem/ecolib.sh"
command -v script >/dev/null || skip "script(1) not installed (package bsdutils)"
PC=$PMEMCTL
MiB=1048576

# on_tty OUT CMD: run the shell command CMD with a terminal as stdin,
# stdout and stderr; its output (\r\n from the terminal made \n) in OUT
on_tty() {
	script -qec "$2" /dev/null </dev/null >"$T/tty.raw" 2>&1 ||
		fail "'$2' on a terminal exited $?: $(cat "$T/tty.raw")"
	sed 's/\r$//' "$T/tty.raw" >"$1"
}
# progress_lines FILE: each state of the in-place line, one per line
progress_lines() {
	tr '\r' '\n' <"$1" | sed 's/\x1b\[K//g' | grep 'preallocating' || true
}
# check_progress FILE WHAT TOTAL: 0% first, 100% last, rising, one line
check_progress() {
	local f=$1 what=$2 total=$3 lines first last prev=-1 p
	lines=$(progress_lines "$f")
	[ -n "$lines" ] || fail "$what: no progress shown on a terminal: $(cat "$f")"
	first=$(printf '%s\n' "$lines" | head -1)
	last=$(printf '%s\n' "$lines" | tail -1)
	assert_contains "$first" "$what:   0% (0.00 MiB of $total)" "first progress state"
	assert_contains "$last" "$what: 100% ($total of $total)" "last progress state"
	for p in $(printf '%s\n' "$lines" | sed -n 's/.*: *\([0-9]*\)% (.*/\1/p'); do
		[ "$p" -gt "$prev" ] || fail "$what: progress went from $prev% to $p%"
		prev=$p
	done
	[ "$(printf '%s\n' "$lines" | wc -l)" -ge 4 ] || fail "$what: fewer than 4 progress states"
	# updated in place: the whole display is one terminal line, ended by
	# a newline before anything else is printed
	[ "$(grep -c 'preallocating' "$f")" = 1 ] || fail "$what: progress spread over several lines"
	grep -q "100% ($total of $total)"$'\x1b\\[K$' "$f" || fail "$what: the 100% state does not end its line"
}
allocated() { echo $(($(stat -c %b "$1") * $(stat -c %B "$1"))); }

# 1. create-region --prealloc 512 MiB on a terminal
R=$T/tty.img
on_tty "$T/out1" "'$PC' create-region --prealloc --size 512M '$R'"
check_progress "$T/out1" "pmemctl create-region: preallocating '$R'" "512.00 MiB"
grep -q '"file_size":536870912' "$T/out1" || fail "no region JSON on the terminal: $(cat "$T/out1")"
[ "$(allocated "$R")" -ge $((512 * MiB)) ] || fail "tty: region not preallocated"

# 2. the same with stderr a file: nothing on stderr, the same JSON
R2=$T/file.img
"$PC" create-region --prealloc --size 512M "$R2" >"$T/out2" 2>"$T/err2" || fail "create-region (no tty)"
[ ! -s "$T/err2" ] || fail "progress printed without a terminal: $(od -c "$T/err2" | head -3)"
jq -e '.file_size == 536870912' "$T/out2" >/dev/null || fail "JSON without a terminal: $(cat "$T/out2")"
[ "$(allocated "$R2")" -ge $((512 * MiB)) ] || fail "no tty: region not preallocated"
# stdout a terminal, stderr not: still quiet (progress goes to stderr)
R3=$T/half.img
on_tty "$T/out3" "'$PC' create-region --prealloc --size 512M '$R3' 2>'$T/err3'"
[ ! -s "$T/err3" ] || fail "progress on a non-terminal stderr: $(od -c "$T/err3" | head -3)"
[ -z "$(progress_lines "$T/out3")" ] || fail "progress shown on stdout"

# 3. a small region on a terminal: no progress for a short job
R4=$T/small.img
on_tty "$T/out4" "'$PC' create-region --prealloc --size 64M '$R4'"
[ -z "$(progress_lines "$T/out4")" ] || fail "progress for a 64 MiB region: $(cat "$T/out4")"

# 4. offline create-namespace preallocates its range: progress on a terminal
R5=$T/ns.img
"$PC" create-region --size 2G "$R5" >/dev/null
on_tty "$T/out5" "'$PC' create-namespace --file '$R5' -s 384M -n big"
check_progress "$T/out5" "pmemctl create-namespace: preallocating namespace in '$R5'" "384.00 MiB"
grep -q '"name":"big"' "$T/out5" || fail "no namespace JSON: $(cat "$T/out5")"
# --sparse: nothing to preallocate, no progress
on_tty "$T/out6" "'$PC' create-namespace --file '$R5' -s 384M -n sparse --sparse"
[ -z "$(progress_lines "$T/out6")" ] || fail "progress for --sparse"
# no terminal: quiet
"$PC" create-namespace --file "$R5" -s 384M -n quiet >/dev/null 2>"$T/err7" || fail "create-namespace (no tty)"
[ ! -s "$T/err7" ] || fail "create-namespace printed without a terminal: $(cat "$T/err7")"
exit 0
