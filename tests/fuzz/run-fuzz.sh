#!/bin/bash
# SPDX-License-Identifier: MIT
# One bounded libFuzzer run of a target (the CI smoke run and the long run):
#   run-fuzz.sh TARGET SECONDS WORKDIR SEEDDIR [REGRESSDIR] [-- LIBFUZZER_ARGS...]
# 1. replays every input in REGRESSDIR (crashes found before) and SEEDDIR;
# 2. fuzzes for SECONDS, new inputs kept in WORKDIR/corpus (never in the
#    source tree), crash inputs written to WORKDIR/artifacts/;
# 3. prints one line: target, execs, exec/s, corpus size, findings.
# Exit status: 0 no finding; 1 a crash, leak, timeout or OOM (the input is
# named: copy it to tests/fuzz/regress/<target>/ with the fix).
set -u
target=$1 secs=$2 work=$3 seeds=$4
shift 4
regress=
if [ $# -gt 0 ] && [ "$1" != -- ]; then
	regress=$1
	shift
fi
[ "${1:-}" = -- ] && shift
name=$(basename "$target")
mkdir -p "$work/corpus" "$work/artifacts"
log=$work/fuzz.log

if [ -n "$regress" ] && [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
	if ! "$target" -runs=0 "$regress" >"$work/regress.log" 2>&1; then
		cat "$work/regress.log" >&2
		echo "FAIL: $name: a regression input crashes again (inputs in $regress)" >&2
		exit 1
	fi
fi

rc=0
"$target" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
	-rss_limit_mb=2560 -artifact_prefix="$work/artifacts/" \
	"$@" "$work/corpus" "$seeds" >"$log" 2>&1 || rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
ncorp=$(find "$work/corpus" -type f | wc -l)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
arts=$(find "$work/artifacts" -type f -newer "$work/corpus" 2>/dev/null)
[ -n "$arts" ] || arts=$(find "$work/artifacts" -type f)
echo "$name: ${execs:-?} execs in ${secs} s (${rate:-?}/s), ${cov:-cov: ?}, corpus $ncorp files, exit $rc"
if [ "$rc" != 0 ]; then
	grep -E -A40 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|invariant broken|==[0-9]+==' "$log" | head -n 80 >&2
	echo "FAIL: $name: finding, inputs: $arts" >&2
	exit 1
fi
exit 0
