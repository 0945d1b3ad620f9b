# SPDX-License-Identifier: MIT
# What the e2e initramfs builders share (mkinitramfs.sh and its
# additions mkinitramfs_fs.sh, mkinitramfs_pmemfs.sh; sourced after
# `set -eu`, with $prog set to the builder's name for its messages):
# a staging root in $root (removed at exit), the host's programs with
# every shared library they load, and the newc archive.

die() {
	echo "$prog: $*" >&2
	exit 1
}

command -v cpio >/dev/null || die "no cpio: run scripts/install-deps.sh --tests"
here=$(dirname "$0")
root=$(mktemp -d "${TMPDIR:-/tmp}/pmemfs-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

# copy_libs FILE [LIB...]: every shared library FILE loads (ldd), and each
# LIB, at the paths the loader looks in
copy_libs() {
	_f=$1
	shift
	{ ldd "$_f"; for _l in "$@"; do echo "$_l"; done; } |
		awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }' |
		while read -r lib; do
			[ -f "$lib" ] || continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
}

# pack OUT: the staging root as an uncompressed newc archive in OUT
pack() {
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$1.tmp"
	mv "$1.tmp" "$1"
}
