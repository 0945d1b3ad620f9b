# SPDX-License-Identifier: MIT
# The installed bash completion for pmemctl, called as bash calls it
# (COMP_WORDS, COMP_CWORD, then the function `complete -p` names): the
# commands, each command's options, option values, and region and
# namespace names from `pmemctl list` offline (--file) and online (a real
# mount, --mount; and the mount points of pmemfs mounts); names with blanks
# completed quoted; without --mount the names of the only mount, none when
# there are several. Runs in a mount namespace of its own, where other
# pmemfs mounts of the machine are detached.
if [ -z "${PMEMFS_IN_MNTNS:-}" ] && [ "$(id -u)" = 0 ] &&
	unshare -m --propagation private true 2>/dev/null; then
	exec unshare -m --propagation private env PMEMFS_IN_MNTNS=1 bash "$0" "$@"
fi
. "$PMEMFS_SOURCE_ROOT/tests/integration/ecosystem/ecolib.sh"
eco_install
PC=$D_PMEMCTL

# comp WORD...: the completions of the last word, sorted, space-separated
comp() {
	bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		spec=$(complete -p pmemctl) || exit 1
		fn=${spec#*-F }
		fn=${fn%% *}
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$fn"
		printf "%s\n" "${COMPREPLY[@]}"' comp "$D_COMPLETION" "$PC" "$@" |
		sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}
expect_comp() { # EXPECTED WORD...
	local want=$1 got
	shift
	got=$(comp "$@")
	[ "$got" = "$want" ] || fail "completing 'pmemctl $*': expected '$want', got '$got'"
}

bash --norc -c ". '$D_COMPLETION' && complete -p pmemctl" | grep -q -- "-F _pmemctl pmemctl" ||
	fail "the script does not register a completion for pmemctl"

# commands: exactly those of pmemctl --help, plus help
cmds=$("$PC" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | sort | tr '\n' ' ')
expect_comp "$(printf '%s\n' $cmds help | sort | tr '\n' ' ' | sed 's/ $//')" ""
expect_comp "create-namespace create-region" create
expect_comp "destroy-namespace disable-namespace" help d
expect_comp "--help --version" --
# --help once (it is in every command's options list)
expect_comp "--help" list --hel
# list -H (--health), read from its --help as every option
expect_comp "--health --help" list --he
expect_comp "--help" zero-labels --h

# options of a command, from its --help
expect_comp "--size --socket --sparse" create-namespace --s
expect_comp "--label-size --label-version" create-region --label
all=$(comp list --)
for o in --mount --socket --file --region --regions --namespaces --human --idle --help; do
	case " $all " in *" $o "*) ;; *) fail "list --: '$o' not offered (got: $all)" ;; esac
done
# option values
expect_comp "1.1 1.2" create-region -V ""
expect_comp "raw" create-namespace -m ""
expect_comp "pmem" create-namespace -t ""
expect_comp "pmem" create-namespace --type ""
expect_comp "1 2 5" list --watch ""
# nvdimm slots: create-region and move-region
expect_comp "--nvdimm-slot" create-region --nv
expect_comp "--nvdimm-slot" move-region --nv
expect_comp "0 1 2 3 4 5 6 7" move-region --nvdimm-slot ""
expect_comp "1" create-region --nvdimm-slot 1
expect_comp "--layout" create-region --lay
expect_comp "dir file" create-region --layout ""
# convert-region: --layout's values, its options, SOURCE and DEST as files
expect_comp "--layout" convert-region --lay
expect_comp "dir file" convert-region --layout ""
expect_comp "--dry-run" convert-region --dr
# values spelled out in the help ("--mode fsync|moment|both")
want=$("$PC" crash-test --help 2>/dev/null | sed -n 's/^ *--mode \([a-z|]*\) .*/\1/p' | tr '|' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
if [ -n "$want" ]; then
	expect_comp "$want" crash-test --mode ""
fi
# crash-test's crash-point options (from its --help)
expect_comp "--sweep" crash-test --sw
expect_comp "--moment-after" crash-test --moment-a
expect_comp "--at-fsync" crash-test --at-
# its crash-state options
expect_comp "--max-subset" crash-test --max-
expect_comp "--torn" crash-test --to
expect_comp "--samples" crash-test --sa
expect_comp "--state --states" crash-test --stat
# no completion for a value that is the user's to choose
expect_comp "" create-namespace --size ""

# offline: names from the region file given with --file (also --file=PATH)
R=$T/region0.img
"$PC" create-region --size 64M "$R" >/dev/null
"$PC" create-namespace --file "$R" -s 4M -n alpha >/dev/null
"$PC" create-namespace --file "$R" -s 4M -n beta >/dev/null
"$PC" create-namespace --file "$R" -s 4M >/dev/null	# no name: device name only
expect_comp "all alpha beta namespace0.0 namespace0.1 namespace0.2" destroy-namespace --file "$R" ""
expect_comp "beta" destroy-namespace --file "$R" -f b
expect_comp "all alpha beta namespace0.0 namespace0.1 namespace0.2" destroy-namespace --file = "$R" ""
expect_comp "alpha" rename-namespace --file "$R" al
expect_comp "" rename-namespace --file "$R" alpha ""
expect_comp "all region0" list --file "$R" -r ""
# names with blanks and shell characters: offered quoted, matched as the
# shell reads the word (backslashes, quotes)
"$PC" create-namespace --file "$R" -s 4M -n "with space" >/dev/null
"$PC" create-namespace --file "$R" -s 4M -n 'it'"'"'s $x' >/dev/null
expect_comp 'with\ space' destroy-namespace --file "$R" w
expect_comp 'with\ space' destroy-namespace --file "$R" 'with\ s'
expect_comp 'with\ space' destroy-namespace --file "$R" '"with s'
expect_comp 'with\ space' rename-namespace --file "$R" "'with"
expect_comp "it\\'s\\ \\\$x" clear-errors --file "$R" i
expect_comp "" destroy-namespace --file "$R" 'with\ x'
expect_comp 'with\ space' list --file "$R" -n w
expect_comp 'with\ space' list --file "$R" --namespace '"with s'
# a quoted region file (a path with a blank)
cp "$R" "$T/my region.img"
expect_comp 'with\ space' destroy-namespace --file "$T/my\ region.img" w
expect_comp 'with\ space' destroy-namespace --file="'$T/my region.img'" w
rm -f "$T/my region.img"
"$PC" destroy-namespace --file "$R" "with space" "it's \$x" >/dev/null 2>&1 ||
	fail "destroying the names with blanks"
expect_comp "all alpha beta namespace0.0 namespace0.1 namespace0.2" list --file "$R" -n ""
expect_comp "alpha" list --file "$R" --namespace alp
# files where a path is expected
expect_comp "$R" create-region "$T/region"
expect_comp "$R" convert-region --layout dir "$T/region"
expect_comp "$R" convert-region --layout dir "$R" "$T/region"
expect_comp "" convert-region --layout dir "$R" "$T/x" "$T/region"
expect_comp "$R" list --file "$T/reg"

# online: a real mount, names through its control socket
need_fuse
MNT=$T/mnt
mkdir -p "$MNT"
# gone PID: wait (up to 10 s) until the daemon that served a mount has
# exited: it saves its region's health file beside the region at its
# end, after the unmount returned, which $T's removal must not race
gone() {
	local i
	for ((i = 0; i < 1000; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.01
	done
}
"$D_PMEMFS" "$R" "$MNT" || fail "pmemfs did not mount"
pid1=$("$PC" list -R -v --mount "$MNT" | jq -r '.[0].daemon.pid')
at_exit "fusermount3 -u '$MNT' 2>/dev/null || fusermount3 -uz '$MNT' 2>/dev/null; gone $pid1"
expect_comp "all alpha beta namespace0.0 namespace0.1 namespace0.2" disable-namespace --mount "$MNT" ""
expect_comp "alpha" stats --mount "$MNT" a
"$PC" rename-namespace --mount "$MNT" beta gamma >/dev/null 2>&1 || fail "online rename"
expect_comp "gamma" enable-namespace --mount "$MNT" g
# --mount offers the pmemfs mount points
case " $(comp list --mount "") " in
*" $MNT "*) ;;
*) fail "list --mount: '$MNT' not offered (got: $(comp list --mount ""))" ;;
esac
# without --mount: the names of the only pmemfs mount (the one pmemctl
# uses); with a second mount none (pmemctl would refuse), until --mount
# or --socket chooses
if [ -n "${PMEMFS_IN_MNTNS:-}" ]; then
	awk '$0 ~ / - fuse\.pmemfs / { print $5 }' /proc/self/mountinfo | while read -r m; do
		m=$(printf '%b' "$m")
		[ "$m" = "$MNT" ] || umount -l "$m" 2>/dev/null || true
	done
	expect_comp "all alpha gamma namespace0.0 namespace0.1 namespace0.2" destroy-namespace ""
	expect_comp "alpha" stats a
	expect_comp "all region0" list -r ""
	R2=$T/region1.img
	"$PC" create-region --size 32M "$R2" >/dev/null
	"$PC" create-namespace --file "$R2" -s 4M -n other >/dev/null
	mkdir -p "$T/mnt two"
	"$D_PMEMFS" "$R2" "$T/mnt two" || fail "second pmemfs did not mount"
	pid2=$("$PC" list -R -v --mount "$T/mnt two" | jq -r '.[0].daemon.pid')
	at_exit "fusermount3 -u '$T/mnt two' 2>/dev/null || fusermount3 -uz '$T/mnt two' 2>/dev/null; gone $pid2"
	expect_exit 129 "$PC" destroy-namespace other
	expect_comp "all" destroy-namespace ""
	expect_comp "" stats ""
	expect_comp "all" list -r ""
	expect_comp "all namespace0.0 other" destroy-namespace --mount "$T/mnt two" ""
	expect_comp "all namespace0.0 other" destroy-namespace --mount "$T/mnt\ two" ""
	expect_comp "alpha" stats --mount "$MNT" a
	# both mount points offered, the one with a blank quoted
	got=$(comp list --mount "")
	for m in "$MNT" "$T/mnt\ two"; do
		case " $got " in
		*" $m "*) ;;
		*) fail "list --mount: '$m' not offered (got: $got)" ;;
		esac
	done
	fusermount3 -u "$T/mnt two" || fail "unmounting the second mount"
else
	echo "SKIP part: the only mount (needs root for a mount namespace)" >&2
fi
# a command line that names no daemon that answers: no names, no error text
out=$(comp destroy-namespace --socket "$T/nothing.sock" "" 2>&1)
assert_eq "all" "$out" "completion without a daemon"
exit 0
