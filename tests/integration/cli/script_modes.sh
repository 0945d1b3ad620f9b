#!/bin/bash
# SPDX-License-Identifier: MIT
# Every script is executable in git (a clone gets the modes git records,
# not the ones of the working tree the commit was made in):
#  - each path ending in .sh or .py that README.md names is in git, and
#    it and every other script README.md names is 100755;
#  - each *.sh / *.py a meson.build names (files('x.sh'), the test name
#    lists of files(name + '.sh')) is 100755;
#  - every other tracked *.sh, *.py or file starting with "#!" is 100755
#    (the scripts the tests run and name: lsaedit.py, mkinitramfs.sh, ...).
# A tarball has no git modes: skipped there, saying so.
. "$PMEMFS_TESTLIB"
set -e

src=$PMEMFS_SOURCE_ROOT
[ -e "$src/.git" ] ||
	skip "$src has no .git (not a git checkout, e.g. a release tarball): there are no git modes to check"
command -v git >/dev/null || fail "git is not installed (scripts/install-deps.sh --tests)"
g() { git -c safe.directory='*' -C "$src" "$@"; }
g ls-files -s >"$T/modes" || fail "git ls-files -s failed in $src"
[ -s "$T/modes" ] || fail "git ls-files -s lists nothing in $src"

mode_of() { awk -F'\t' -v p="$1" '$2 == p { split($1, a, " "); print a[1]; exit }' "$T/modes"; }
bad=""
checked=0
seen=" "
check() { # PATH WHO
	local m
	case "$seen" in *" $1 "*) return 0 ;; esac
	seen="$seen$1 "
	m=$(mode_of "$1")
	checked=$((checked + 1))
	[ "$m" = 100755 ] || bad="$bad
  $1 (named by $2) is ${m:-not in git}"
}
is_script() { # PATH: *.sh, *.py or starts with #!
	case "$1" in
	*.sh | *.py) return 0 ;;
	esac
	[ "$(head -c 2 "$src/$1" 2>/dev/null | tr -d '\000')" = '#!' ]
}

# README.md: every path it names that is a script (or ends in .sh/.py);
# an absolute path (/lib/e2e/... inside a guest) is not the repository's
for p in $(grep -oE '/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+' "$src/README.md" | sort -u); do
	case "$p" in
	/*) ;;
	*.sh | *.py) check "$p" README.md ;;
	*) [ -n "$(mode_of "$p")" ] && is_script "$p" && check "$p" README.md ;;
	esac
done
# the README's two commands and the benchmark are among them, or the
# extraction above is broken
for p in scripts/demo.sh scripts/run-tests.sh bench/run.sh; do
	grep -q "$p" "$src/README.md" || fail "README.md no longer names $p: update this test"
done

# meson.build files: quoted script names, and the test-name lists of the
# loops that call files(name + '.sh'), relative to the meson.build
while IFS= read -r mb; do
	dir=$(dirname "$mb")
	names=$(grep -oE "'[A-Za-z0-9_./-]+\.(sh|py)'" "$src/$mb" | tr -d "'" || true)
	if grep -q "+ '.sh'" "$src/$mb"; then
		names="$names $(sed -n "s/^[[:space:]]*'\([A-Za-z0-9_.-]*\)'[,:].*/\1.sh/p" "$src/$mb")"
	fi
	for n in $names; do
		p=$dir/$n
		[ "$dir" = . ] && p=$n
		[ -n "$(mode_of "$p")" ] || continue	# a name that is not a file of this directory
		check "$p" "$mb"
	done
done < <(awk -F'\t' '$2 ~ /(^|\/)meson\.build$/ { print $2 }' "$T/modes")

# every other script in git
while IFS= read -r p; do
	[ -f "$src/$p" ] && is_script "$p" && check "$p" "being a script in git"
done < <(awk -F'\t' '{ print $2 }' "$T/modes")

[ -z "$bad" ] || fail "scripts that a clone gets without the executable bit (fix: git update-index --chmod=+x PATH):$bad"
[ "$checked" -gt 50 ] || fail "only $checked scripts checked: the name extraction is broken"
echo "script_modes: $checked scripts, each 100755 in git"
