# SPDX-License-Identifier: MIT
# meson install --destdir: every file where its kind goes (binaries in
# bindir, where mount.fuse3's sh looks; man pages in man8; the completion
# where bash-completion loads it; the unit where systemd reads units;
# examples in the doc dir), nothing else (no test programs), the installed
# binaries run and print the project's version.
. "$PMEMFS_SOURCE_ROOT/tests/integration/ecosystem/ecolib.sh"
eco_install

opt() { "$PMEMFS_MESON" introspect "$PMEMFS_BUILD_ROOT" --buildoptions |
	jq -r --arg n "$1" '.[] | select(.name == $n) | .value'; }
abs() { case "$1" in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
prefix=$(opt prefix)
bindir=$(abs "$(opt bindir)")
mandir=$(abs "$(opt mandir)")
datadir=$(abs "$(opt datadir)")
sysconfdir=$(abs "$(opt sysconfdir)")
[ -n "$prefix" ] || fail "no prefix from meson introspect"

assert_eq "$bindir/pmemfs" "$I_PMEMFS" "pmemfs installed"
assert_eq "$bindir/pmemctl" "$I_PMEMCTL" "pmemctl installed"
assert_eq "$mandir/man8/pmemfs.8" "$I_MAN_PMEMFS" "pmemfs(8) installed"
assert_eq "$mandir/man8/pmemctl.8" "$I_MAN_PMEMCTL" "pmemctl(8) installed"
compdir=$(pkg-config --variable=completionsdir --define-variable=prefix="$prefix" \
	bash-completion 2>/dev/null) || compdir=
[ -n "$compdir" ] || compdir=$datadir/bash-completion/completions
assert_eq "$compdir/pmemctl" "$I_COMPLETION" "bash completion installed"
unitdir=$prefix/lib/systemd/system
if [ "$prefix" = /usr ] && pkg-config --exists systemd 2>/dev/null; then
	unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
fi
assert_eq "$unitdir/pmemfs@.service" "$I_UNIT" "systemd unit installed"
[ -d "$DEST$sysconfdir/pmemfs" ] || fail "no $sysconfdir/pmemfs for the unit's config files"
ex=$datadir/doc/pmemfs/examples
for f in fstab.example pmemfs.conf.example pmem2_hello.c pmem2_file.h pmemobj_list.c crash_demo.c \
	pmemfs-domain.xml; do
	[ -f "$DEST$ex/$f" ] || fail "example $ex/$f not installed"
done
# pmemfs-qemu is a tool: on PATH with pmemfs and pmemctl, executable, and
# it runs from there (its --help is its own header; exit 129 as usage)
[ -x "$DEST$bindir/pmemfs-qemu" ] || fail "pmemfs-qemu not installed executable in $bindir"
expect_exit 129 "$DEST$bindir/pmemfs-qemu" --help
assert_contains "$err" "pmemfs-qemu [options] FILE..." "installed pmemfs-qemu --help"
# the examples compiled, where README points (libexecdir/pmemfs/examples)
libexecdir=$(abs "$(opt libexecdir)")
exb=$libexecdir/pmemfs/examples
for f in pmem2_hello crash_demo crash_demo_buggy; do
	[ -x "$DEST$exb/$f" ] || fail "example program $exb/$f not installed"
done
if [ -f "$PMEMFS_BUILD_ROOT/contrib/examples/pmemobj_list" ]; then
	[ -x "$DEST$exb/pmemobj_list" ] || fail "pmemobj_list built but not installed in $exb"
fi
grep -q "libexec/pmemfs/examples" "$PMEMFS_SOURCE_ROOT/README.md" ||
	fail "README does not say where the compiled examples are"
# an installed example runs without the build tree (no build rpath)
truncate -s 2M "$T/ex.img"
out=$(env -u LD_LIBRARY_PATH "$DEST$exb/pmem2_hello" "$T/ex.img" "installed example" 2>&1) ||
	fail "installed pmem2_hello failed: $out"
assert_eq "installed example" "$(head -c 17 "$T/ex.img")" "pmem2_hello wrote its message"
[ -x "$D_PMEMFS" ] && [ -x "$D_PMEMCTL" ] || fail "binaries not executable"

# nothing but these (no test or bench programs)
(cd "$DEST" && find . -type f | sed 's/^\.//' | sort) >"$T/files"
jq -r '.[]' "$T/installed.json" | sort >"$T/expected"
diff -u "$T/expected" "$T/files" >"$T/diff" || fail "installed files differ from meson's list: $(cat "$T/diff")"
n=$(wc -l <"$T/files")
[ "$n" -ge 12 ] || fail "only $n files installed"

# the installed binaries run (no build-tree rpath needed) and print the
# project's version
out=$(env -u LD_LIBRARY_PATH "$D_PMEMCTL" --version) || fail "installed pmemctl --version"
assert_eq "$PMEMFS_VERSION" "$out" "pmemctl --version"
out=$(env -u LD_LIBRARY_PATH "$D_PMEMFS" --version) || fail "installed pmemfs --version"
case "$out" in
"pmemfs $PMEMFS_VERSION (libfuse "*")") ;;
*) fail "pmemfs --version: '$out', expected 'pmemfs $PMEMFS_VERSION (libfuse ...)'" ;;
esac
expect_exit 0 "$D_PMEMCTL" --help
expect_exit 0 "$D_PMEMFS" --help
# the unit and the man page name the installed binary
grep -q "^ExecStart=$I_PMEMFS -f " "$D_UNIT" || fail "the unit does not start $I_PMEMFS"
grep -q "$sysconfdir/pmemfs/%i.conf" "$D_UNIT" || fail "the unit's EnvironmentFile is not in $sysconfdir/pmemfs"
# where that is, as README and pmemfs(8) say: /etc with prefix /usr,
# PREFIX/etc with the default sysconfdir (/usr/local/etc with meson's
# default prefix), an absolute -Dsysconfdir as given
case "$prefix:$(opt sysconfdir)" in
/usr:*) assert_eq /etc "$sysconfdir" "sysconfdir with prefix /usr" ;;
*:etc) assert_eq "$prefix/etc" "$sysconfdir" "sysconfdir with prefix $prefix" ;;
esac
grep -q "^\.I $sysconfdir/pmemfs/INSTANCE.conf\$" "$D_MAN_PMEMFS" ||
	fail "pmemfs(8) does not name $sysconfdir/pmemfs/INSTANCE.conf"
grep -q "^EnvironmentFile=$sysconfdir/pmemfs/%i.conf\$" "$D_UNIT" ||
	fail "the unit's EnvironmentFile line is not $sysconfdir/pmemfs/%i.conf"

# mount.fuse3 runs pmemfs through /bin/sh with mount(8)'s cleaned PATH
case "$prefix" in
/usr | /usr/local)
	case ":$(eco_clean_path):" in
	*":$bindir:"*) ;;
	*) fail "bindir '$bindir' not in the PATH mount(8) helpers get: $(eco_clean_path)" ;;
	esac
	;;
*) echo "note: prefix $prefix: mount -t fuse.pmemfs will not find $bindir/pmemfs" >&2 ;;
esac
exit 0
