#!/bin/bash
# SPDX-License-Identifier: MIT
# pmemctl's command line: help, version, usage errors (129), the commands
# that need a daemon (ENOTSUP 161), and online targets that are not there.
. "$PMEMFS_TESTLIB"
set -e

commands="create-region list create-namespace destroy-namespace rename-namespace
enable-namespace disable-namespace read-labels check-labels init-labels
zero-labels stats"

expect_exit 0 "$PMEMCTL" --help
for c in $commands; do
	assert_contains "$out" "$c" "pmemctl --help lists $c"
done
assert_contains "$out" "129" "pmemctl --help documents the exit codes"

expect_exit 0 "$PMEMCTL" --version
version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" "$PMEMFS_SOURCE_ROOT/meson.build" | head -n1)
assert_eq "$version" "$out" "pmemctl --version"

for c in $commands; do
	expect_exit 0 "$PMEMCTL" "$c" --help
	assert_contains "$out" "usage: pmemctl $c" "$c --help"
	assert_contains "$out" "exit codes:" "$c --help"
	assert_contains "$out" "129" "$c --help exit codes"
	assert_eq "" "$err" "$c --help writes nothing on stderr"
done
# each command's --help, checked against itself: the usage line names
# every option of the list and no other, the exit codes are the command's
# own (each once; the shared ones by a pointer to pmemctl --help), and the
# SIZE footer is there exactly when an option takes a SIZE or BYTES
all_cmds=$("$PMEMCTL" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ "$(echo "$all_cmds" | wc -w)" -ge 16 ] || fail "pmemctl --help lists only: $all_cmds"
for c in $all_cmds; do
	help=$("$PMEMCTL" "$c" --help)
	usage=$(printf '%s\n' "$help" | sed -n '1,/^$/p')
	opts=$(printf '%s\n' "$help" | sed -n '/^options:/,/^$/p' | grep -v -- '--help')
	[ -n "$opts" ] || fail "$c --help: no options"
	n=0
	while read -r short long; do
		[ "$short" != _ ] || short=$long
		printf '%s\n' "$usage" | grep -Eq -- "(^|[ [(|])($long|$short)([] )|]|$)" ||
			fail "$c --help: option $long ($short) is not in the usage line: $usage"
		n=$((n + 1))
	done < <(printf '%s\n' "$opts" | sed -n 's/^  -\([A-Za-z0-9]\), \(--[a-z0-9-]*\).*/-\1 \2/p; s/^      \(--[a-z0-9-]*\).*/_ \1/p')
	[ "$n" -ge 1 ] || fail "$c --help: no option found in: $opts"
	# (crash-test: after " -- " come the application's and checker's words)
	for w in $(printf '%s\n' "$usage" | sed 's/ -- .*//' | grep -oE -- '(^|[ [(|])--?[A-Za-z0-9][a-z0-9-]*' | sed 's/^[ [(|]//'); do
		printf '%s\n' "$opts" | grep -Eq -- "^  ($w, |    $w[ ]|-[A-Za-z0-9], $w[ ])" ||
			fail "$c --help: the usage line names $w, which is not in the options list"
	done
	codes=$(printf '%s\n' "$help" | sed -n '/^exit codes:/,/^$/s/^  \([0-9N][0-9]*\)  .*/\1/p')
	assert_eq "" "$(printf '%s\n' "$codes" | sort | uniq -d)" "$c --help: an exit code listed twice"
	case " $(echo $codes) " in
	*" N "*) fail "$c --help repeats the shared exit-code block" ;;
	" 0 129 "*) ;;
	*) fail "$c --help: exit codes do not start with 0 and 129: $codes" ;;
	esac
	assert_contains "$help" "pmemctl --help and pmemctl(8)" "$c --help points to the shared exit codes"
	sizes=$(printf '%s\n' "$opts" | grep -cE -- '--[a-z0-9-]* (SIZE|BYTES) ' || true)
	if [ "$sizes" -gt 0 ]; then
		printf '%s\n' "$help" | grep -Eq '^(SIZE|BYTES|SIZE, BYTES): bytes, or a number with k/m/g/t' ||
			fail "$c --help: takes a SIZE but does not say how to write one"
	else
		case "$help" in *"k/m/g/t"*) fail "$c --help explains SIZE, which it does not take" ;; esac
	fi
done
# zero-labels is offline only: no online target options in its help, and
# online-only commands show no --file (both still refused with a reason)
expect_exit 0 "$PMEMCTL" zero-labels --help
for o in --mount --socket --region ECONNREFUSED; do
	case "$out" in *"$o"*) fail "zero-labels --help mentions $o (offline only)" ;; esac
done
for c in enable-namespace disable-namespace stats power-fail crash-test; do
	expect_exit 0 "$PMEMCTL" "$c" --help
	case "$out" in *"--file"*) fail "$c --help lists --file (online only)" ;; esac
	# (crash-test takes one: --baseline-max SIZE; checked with the others above)
	[ "$c" = crash-test ] ||
		case "$out" in *"k/m/g/t"*) fail "$c --help explains SIZE, which it does not take" ;; esac
done
expect_exit 0 "$PMEMCTL" crash-test --help
assert_contains "$out" "[--verbose]" "crash-test usage line"
assert_contains "$out" "[--moment-after SECONDS] [--sweep] [--at-fsync K]" "crash-test crash points"
expect_exit 0 "$PMEMCTL" create-namespace --help
assert_contains "$out" "[-m raw]" "create-namespace usage line"
expect_exit 0 "$PMEMCTL" create-namespace --help
assert_contains "$out" "-s, --size SIZE" "create-namespace --help options"
assert_contains "$out" "--file PATH" "create-namespace --help options"
assert_contains "$out" "228" "create-namespace --help names ENOSPC"
expect_exit 0 "$PMEMCTL" help list
assert_contains "$out" "usage: pmemctl list" "pmemctl help list"

# usage errors: 129, one line naming the problem, then the usage line
expect_exit 129 "$PMEMCTL"
expect_exit 129 "$PMEMCTL" frobnicate
assert_contains "$err" "pmemctl: unknown command 'frobnicate'" "unknown command"
assert_not_contains "$err" "did you mean" "no suggestion for a word far from every command"
expect_exit 129 "$PMEMCTL" create-namespac
assert_contains "$err" "did you mean this?" "a mistyped command: a suggestion"
assert_contains "$err" "	create-namespace" "a mistyped command: the command suggested"
expect_exit 129 "$PMEMCTL" destory-namespace
assert_contains "$err" "	destroy-namespace" "two letters swapped: the command suggested"
expect_exit 129 "$PMEMCTL" power
assert_contains "$err" "	power-fail" "a prefix: the command suggested"
expect_exit 129 "$PMEMCTL" lst
assert_contains "$err" "	list" "a letter left out: the command suggested"
expect_exit 129 "$PMEMCTL" list --frobnicate --file "$T/x"
assert_contains "$err" "pmemctl list: unknown option '--frobnicate'" "unknown long option"
assert_contains "$err" "usage: pmemctl list" "usage line after a usage error"
expect_exit 129 "$PMEMCTL" create-namespace -Z --file "$T/x"
assert_contains "$err" "pmemctl create-namespace: unknown option '-Z'" "unknown short option"
expect_exit 129 "$PMEMCTL" create-namespace --file "$T/x" --size
assert_contains "$err" "option '--size' needs a value" "missing value of a long option"
expect_exit 129 "$PMEMCTL" create-namespace --file "$T/x" -s
assert_contains "$err" "option '-s' needs a value" "missing value of a short option"
# a mistake is reported as typed: a value given to a long option that takes
# none is not an unknown short option (its twin -u), whatever it abbreviates
expect_exit 129 "$PMEMCTL" list --hum=1 --file "$T/x"
assert_contains "$err" "pmemctl list: option '--human' takes no value (given '--hum=1')" "value to a flag"
expect_exit 129 "$PMEMCTL" list --regions=all --file "$T/x"
assert_contains "$err" "option '--regions' takes no value (given '--regions=all')" "value to a flag"
case "$err" in *"'-R'"* | *"'-u'"*) fail "a long option reported as its short twin: $err" ;; esac
expect_exit 129 "$PMEMCTL" stats --mount=/x --frob=1
assert_contains "$err" "pmemctl stats: unknown option '--frob'" "unknown long option with a value"
# an abbreviation of several options names them all
expect_exit 129 "$PMEMCTL" list --reg x --file "$T/x"
assert_contains "$err" "pmemctl list: option '--reg' is ambiguous: --region, --regions" "ambiguous prefix"
assert_contains "$err" "usage: pmemctl list" "usage line after an ambiguous prefix"
expect_exit 129 "$PMEMCTL" create-namespace --s 4M --file "$T/x"
assert_contains "$err" "option '--s' is ambiguous: --socket, --size, --sparse" "ambiguous prefix"
expect_exit 129 "$PMEMCTL" zero-labels --f "$T/x"
assert_contains "$err" "option '--f' is ambiguous: --file, --force" "ambiguous prefix"
# a unique prefix, --opt=value, -sVALUE, clusters, options after arguments
# and "--" work as with getopt_long
expect_exit 0 "$PMEMCTL" create-region "$T/p.img" --si=64M --label-s 128K
expect_exit 0 "$PMEMCTL" create-namespace --file="$T/p.img" -s4M -n first
expect_exit 0 "$PMEMCTL" create-namespace -n-dash --file "$T/p.img" -s 4M
expect_exit 0 "$PMEMCTL" list -iu --file "$T/p.img"
assert_contains "$out" '"name":"-dash"' "a value that starts with '-'"
expect_exit 0 "$PMEMCTL" rename-namespace first --file "$T/p.img" second
expect_exit 0 "$PMEMCTL" destroy-namespace --file "$T/p.img" second -- -dash
assert_contains "$err" "destroyed 2 namespaces" "arguments around options and after --"
expect_exit 129 "$PMEMCTL" list -iQ --file "$T/p.img"
assert_contains "$err" "pmemctl list: unknown option '-Q'" "unknown letter in a cluster"
expect_exit 129 "$PMEMCTL" list --file "$T/x" extra
assert_contains "$err" "unexpected argument 'extra'" "extra argument"
expect_exit 129 "$PMEMCTL" create-region "$T/r.img"
assert_contains "$err" "missing --size" "create-region without --size"
[ ! -e "$T/r.img" ] || fail "create-region without --size created the file"
expect_exit 129 "$PMEMCTL" destroy-namespace --file "$T/x"
assert_contains "$err" "no namespace given" "destroy-namespace without a namespace"
expect_exit 129 "$PMEMCTL" rename-namespace --file "$T/x" onlyone
expect_exit 129 "$PMEMCTL" read-labels --file "$T/x" -o

# no --file: online mode; a --mount that is not a pmemfs mount is ENOENT,
# --file with --mount a usage error, zero-labels offline only
for c in list create-namespace check-labels read-labels init-labels stats; do
	expect_exit 254 "$PMEMCTL" "$c" --mount "$T"
	assert_contains "$err" "pmemctl $c: '$T' is not a pmemfs mount" "$c --mount of a plain directory"
done
expect_exit 254 "$PMEMCTL" destroy-namespace ns1 --mount "$T"
expect_exit 254 "$PMEMCTL" rename-namespace a b --mount "$T"
expect_exit 129 "$PMEMCTL" list --file "$T/x" --mount "$T"
assert_contains "$err" "--file is offline, --mount and --socket online" "--file with --mount"
expect_exit 129 "$PMEMCTL" zero-labels --mount "$T"
assert_contains "$err" "zero-labels works offline only" "zero-labels online"
expect_exit 129 "$PMEMCTL" zero-labels --socket "$T/s"
assert_contains "$err" "zero-labels works offline only" "zero-labels online"
# a socket nobody listens on: ECONNREFUSED (145)
expect_exit 145 "$PMEMCTL" list --socket "$T/nosuch.sock"
assert_contains "$err" "pmemctl list: no pmemfs daemon at '$T/nosuch.sock'" "list --socket to nothing"

# runtime state of a daemon: not available offline, ENOTSUP (161)
for c in enable-namespace disable-namespace stats; do
	expect_exit 161 "$PMEMCTL" "$c" --file "$T/x" ns1
	assert_contains "$err" "pmemctl $c: needs a running pmemfs daemon (not available in offline mode)" "$c offline"
	assert_eq "" "$out" "$c prints nothing on stdout"
done
echo "PASS: $TEST_NAME"
