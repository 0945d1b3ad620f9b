# SPDX-License-Identifier: MIT
# The bench's helpers (sourced by bench/run.sh, which sets DATA, WORK,
# ROWS_JSON, DIR_SERVED, DIR_WHY and die before calling them): machine
# facts, mounts, medians and ratios, and the table line + JSON of a row.

CAN_DROP=0
[ -w /proc/sys/vm/drop_caches ] && CAN_DROP=1
drop_caches() {
	sync
	[ "$CAN_DROP" = 0 ] || echo 3 >/proc/sys/vm/drop_caches
}
# cpu_ticks PID: user + system time of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
fstype() { findmnt -n -o FSTYPE -T "$DATA" 2>/dev/null || stat -f -c %T "$DATA"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# mount_wait DIR PID LOG: until DIR is a mount point, or fail if PID died
mount_wait() {
	local i
	for ((i = 0; i < 500; i++)); do
		grep -q " $1 " /proc/self/mountinfo && return 0
		kill -0 "$2" 2>/dev/null || die "daemon for '$1' exited: $(tail -n 5 "$3")"
		sleep 0.02
	done
	die "'$1' not mounted after 10 s: $(tail -n 5 "$3")"
}
# unmount DIR PID
unmount() {
	fusermount3 -u "$1" || die "fusermount3 -u '$1' failed"
	wait "$2" 2>/dev/null || true
}

# --- numbers
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
	if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2];
	else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "null" || b == "null" || b == 0) print "null"; else printf "%.3f\n", a / b }'; }
# met VALUE OP LIMIT: yes/no (OP ge or le)
met() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "null") print "n/a";
	else if ((op == "ge" && v >= l) || (op == "le" && v <= l)) print "yes"; else print "no" }'; }
fmt() { awk -v v="$1" 'BEGIN { if (v == "null" || v == "") print "-";
	else if (v >= 1000) printf "%.0f", v; else if (v >= 10) printf "%.1f", v; else printf "%.2f", v }'; }
jnum() { [ -n "$1" ] && [ "$1" != "null" ] && echo "$1" || echo null; }
# ms_of CMD...: run CMD, print its wall time in ms
ms_of() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null || return 1
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}
pct() { tr ' ' '\n' | grep -v '^$' | sort -g | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100) + 1; if (i > NR) i = NR; print v[i] }'; }

# --- the table
ROW_FMT='%-52s %10s %10s %10s %10s %7s %8s %4s %7s %8s %4s\n'
# print_header: the dir column's line (how its namespaces were served),
# then the column titles
print_header() {
	echo "dir column: $DIR_SERVED"
	# shellcheck disable=SC2059 # ROW_FMT: the table's one format
	printf "$ROW_FMT" row plain pmemfs dir passthru ratio target met dir/pl dtarget dmet
}
# target_str OP TARGET: ">=0.95", "<=1.2" or "-"
target_str() {
	if [ -z "$1" ]; then echo -; elif [ "$1" = ge ]; then echo ">=$2"; else echo "<=$2"; fi
}

# row ID LABEL UNIT PLAIN PMEMFS PT RATIO OP TARGET NOTE SAMPLES_JSON
#     [DIR DIR_RATIO DIR_OP DIR_TARGET]
# RATIO is what the target is about (OP ge/le, TARGET a number); an empty
# OP means information only. DIR...: the row has a dir column (the region
# directory's figure, its ratio and target; DIR_WHY says why it has no
# figure). Prints the table line, appends the JSON.
row() {
	local id=$1 label=$2 unit=$3 pl=$4 pm=$5 pt=$6 ra=$7 op=$8 tg=$9 note=${10} samples=${11:-null}
	local hasdir=0 dv= dra= dop= dtg= m=n/a dm= dtstr=
	if [ $# -ge 12 ]; then
		hasdir=1 dv=${12} dra=${13:-} dop=${14:-} dtg=${15:-} dm=n/a
		[ -z "$dop" ] || dm=$(met "$dra" "$dop" "$dtg")
		dtstr=$(target_str "$dop" "$dtg")
	fi
	[ -z "$op" ] || m=$(met "$ra" "$op" "$tg")
	# shellcheck disable=SC2059 # ROW_FMT: the table's one format
	printf "$ROW_FMT" "$label ($unit)" "$(fmt "$pl")" "$(fmt "$pm")" \
		"$([ $hasdir = 1 ] && fmt "$dv")" "$(fmt "$pt")" "$(fmt "$ra")" "$(target_str "$op" "$tg")" "$m" \
		"$([ $hasdir = 1 ] && fmt "$dra")" "$dtstr" "$dm" | sed 's/ *$//'
	[ -z "$note" ] || printf '    %s\n' "$note"
	jq -cn --arg id "$id" --arg lbl "$label" --arg unit "$unit" \
		--argjson plain "$(jnum "$pl")" --argjson pmemfs "$(jnum "$pm")" \
		--argjson passthrough_ll "$(jnum "$pt")" --argjson ratio "$(jnum "$ra")" \
		--arg op "$op" --arg target "$tg" --arg met "$m" --arg note "$note" \
		--arg load "$(loadavg)" --argjson samples "$samples" \
		--argjson hasdir $hasdir --argjson dir "$(jnum "$dv")" --argjson dra "$(jnum "$dra")" \
		--arg dop "$dop" --arg dtg "$dtg" --arg dmet "$dm" --arg dwhy "${DIR_WHY:-}" \
		'{id: $id, "label": $lbl, unit: $unit, plain: $plain, pmemfs: $pmemfs,
		  passthrough_ll: $passthrough_ll, ratio: $ratio,
		  target: (if $op == "" then null else {op: $op, value: ($target | tonumber)} end),
		  met: $met, note: $note, loadavg_after: $load, samples: $samples}
		 + (if $hasdir == 0 then {} else {dir: $dir, dir_ratio: $dra,
		  dir_target: (if $dop == "" then null else {op: $dop, value: ($dtg | tonumber)} end),
		  dir_met: $dmet} end)
		 + (if $hasdir == 1 and $dir == null and $dwhy != "" then {dir_na: $dwhy} else {} end)' \
		>>"$ROWS_JSON"
}
na_row() { # ID LABEL UNIT WHY
	printf '%-52s %s\n' "$2 ($3)" "n/a: $4"
	jq -cn --arg id "$1" --arg lbl "$2" --arg unit "$3" --arg why "$4" \
		'{id: $id, "label": $lbl, unit: $unit, na: $why}' >>"$ROWS_JSON"
}
# samples_json NAME "v1 v2" NAME "v1 v2" ...: {"NAME": [v1, v2], ...}
samples_json() {
	local out='{}' k v
	while [ $# -gt 1 ]; do
		k=$1 v=$2
		shift 2
		out=$(jq -c --arg k "$k" --arg v "$v" \
			'. + {($k): ($v | split(" ") | map(select(. != "") | tonumber))}' <<<"$out")
	done
	echo "$out"
}
