# SPDX-License-Identifier: MIT
# The installed man pages: `man --warnings -l` renders them with nothing on
# stderr (man(7)'s macro warnings and groff's full set), pmemctl(8) has a
# section for every command of `pmemctl --help` with every option and exit
# code of `pmemctl COMMAND --help`, pmemfs(8) every option of
# `pmemfs --help`, and both carry the project's version.
. "$PMEMFS_SOURCE_ROOT/tests/integration/ecosystem/ecolib.sh"
command -v man >/dev/null || skip "man not installed (package man-db)"
command -v groff >/dev/null || skip "groff not installed (package groff-base)"
eco_install

render() { # PAGE OUT [WARNINGS]: rendered text in OUT, stderr checked
	local w=${3:+=$3}
	LC_ALL=C MANWIDTH=80 man --warnings$w -l "$1" >"$2" 2>"$T/man.err" ||
		fail "man -l $1 exited $?: $(cat "$T/man.err")"
	[ ! -s "$T/man.err" ] || fail "man --warnings$w -l $(basename "$1"): $(cat "$T/man.err")"
	[ -s "$2" ] || fail "man -l $1 rendered nothing"
}
for p in "$D_MAN_PMEMFS" "$D_MAN_PMEMCTL"; do
	render "$p" "$T/page.txt"
	render "$p" "$T/page.txt" w
	grep -q "pmemfs $PMEMFS_VERSION" "$T/page.txt" || fail "$(basename "$p"): no version $PMEMFS_VERSION"
	for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -qx "$s" "$T/page.txt" || fail "$(basename "$p"): no section $s"
	done
done

# --- pmemctl(8): one section per command --------------------------------------
PC=$D_PMEMCTL
render "$D_MAN_PMEMCTL" "$T/pmemctl.txt"
cmds=$("$PC" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -l)" -ge 12 ] || fail "pmemctl --help lists only: $cmds"
# section_of CMD: the rendered text of the command's subsection
section_of() {
	awk -v c="   $1" '
		$0 == c { on = 1; next }
		on && (/^   [a-z]/ || /^[A-Z]/) { exit }
		on' "$T/pmemctl.txt"
}
for c in $cmds; do
	grep -qx "   $c" "$T/pmemctl.txt" || fail "pmemctl(8) has no section for '$c'"
	section_of "$c" >"$T/sec.txt"
	grep -q "pmemctl $c" "$T/sec.txt" || fail "pmemctl(8) $c: no synopsis"
	for o in $("$PC" "$c" --help | sed -n '/^options:/,/^$/s/^  \(-[A-Za-z0-9], \|    \)\(--[a-z0-9-]*\).*/\2/p'); do
		grep -q -- "$o" "$T/sec.txt" || fail "pmemctl(8) $c: option $o missing"
	done
	# the synopsis (the first paragraph) names every option but --help,
	# by its short or long name, and no option the command does not list
	syn=$(awk 'NF == 0 { exit } { printf "%s ", $0 }' "$T/sec.txt" | tr -s ' ')
	case "$syn" in *"pmemctl $c"*) ;; *) fail "pmemctl(8) $c: synopsis '$syn'" ;; esac
	"$PC" "$c" --help | sed -n '/^options:/,/^$/p' | grep -v -- '--help' |
		sed -n 's/^  -\([A-Za-z0-9]\), \(--[a-z0-9-]*\).*/-\1 \2/p; s/^      \(--[a-z0-9-]*\).*/\1 \1/p' >"$T/opts.lst"
	[ -s "$T/opts.lst" ] || fail "pmemctl $c --help: no options found"
	while read -r short long; do
		printf '%s\n' "$syn" | grep -Eq -- "(^|[ [(|])($short|$long)([] )|]|$)" ||
			fail "pmemctl(8) $c: synopsis lacks $long ($short): $syn"
	done <"$T/opts.lst"
	case "$c" in
	zero-labels)
		for o in --mount --socket --region; do
			grep -q -- "$o " "$T/sec.txt" && fail "pmemctl(8) zero-labels (offline only) lists $o"
		done
		;;
	enable-namespace | disable-namespace | stats | power-fail | crash-test)
		grep -q -- "--file" "$T/sec.txt" && fail "pmemctl(8) $c (online only) lists --file"
		;;
	esac
	for code in $("$PC" "$c" --help | sed -n '/^exit codes:/,/^$/s/^  \([0-9][0-9]*\)  .*/\1/p'); do
		case "$code" in 0 | 129) continue ;; esac
		grep -Eq "^       $code +[^ ]" "$T/sec.txt" || fail "pmemctl(8) $c: exit code $code missing"
	done
done
awk '/^EXIT STATUS/ { on = 1 } on' "$T/pmemctl.txt" | grep -Eq '^       129 +usage error' ||
	fail "pmemctl(8): shared exit code 129 missing from EXIT STATUS"

# --- pmemfs(8): every option of pmemfs --help -----------------------------------
render "$D_MAN_PMEMFS" "$T/pmemfs.txt"
awk '/^OPTIONS/ { on = 1; next } on && /^[A-Z]/ { exit } on' "$T/pmemfs.txt" >"$T/opts.txt"
"$D_PMEMFS" --help | sed '/^libfuse options:/,$d' >"$T/help.txt"
n=0
for o in $(sed -n 's/^ *\(-o [a-z_]*\).*/\1/p; s/^    \(-[a-zA-Z]\)[ ,].*/\1/p' "$T/help.txt" | tr ' ' '@'); do
	o=${o//@/ }
	grep -q -- "$o" "$T/opts.txt" || fail "pmemfs(8) OPTIONS: '$o' (from pmemfs --help) missing"
	n=$((n + 1))
done
[ "$n" -ge 12 ] || fail "only $n options found in pmemfs --help: parser broken?"
for e in EPERM EROFS EOPNOTSUPP EIO ENOTCONN; do
	grep -q "^       $e" "$T/pmemfs.txt" || fail "pmemfs(8): error $e not described"
done
exit 0
