# SPDX-License-Identifier: MIT
# The bench's rows about pmemctl crash-test's restore between runs (sourced
# by bench/run.sh after the crash states rows, with its variables and
# bench/lib.sh): the starting content put back before every run, from the
# daemon's baseline (the pages the run and its checker changed) and, in the
# note, from a copy of the whole namespace (--baseline-max 0: what every
# run did before the baseline, and still does with an older daemon), in
# one sitting. The application is crash_demo append 16 (16 records, an
# FSYNC each), crashed at an FSYNC, checked by crash_demo check, on a 4 MiB
# and a 64 MiB namespace. Figures: the crash-test's restore_ms (the mean
# of a sitting's restores) and states_per_s (crash points per second: the
# restore, the application's run, the revert and the checker).
if want restore; then
	demo=$BUILD/contrib/examples/crash_demo
	rruns=$([ "$QUICK" = 1 ] && echo 10 || echo 50)
	for sz in 4 64; do
		lr="crash-test restore per run, $sz MiB namespace"
		lc="crash points per second, crash_demo append 16, $sz MiB namespace"
		if [ "$HAVE_CTL" = 0 ] || [ ! -x "$demo" ]; then
			why=$([ "$HAVE_CTL" = 0 ] && echo "needs the control socket" ||
				echo "crash_demo not built ($demo)")
			na_row restore_${sz}m "$lr" ms "$why"
			na_row crashpts_${sz}m "$lc" /s "$why"
			continue
		fi
		if ! "$PMEMCTL" create-namespace --mount "$MNT" -r region0 -s ${sz}M -n crs >/dev/null 2>&1; then
			na_row restore_${sz}m "$lr" ms "no room for a $sz MiB namespace in region0"
			na_row crashpts_${sz}m "$lc" /s "no room for a $sz MiB namespace in region0"
			continue
		fi
		rfile=$MNT/region0/crs
		"$demo" init "$rfile" >/dev/null || die "crash_demo init of $rfile failed"
		vb= vc= pb= pcopy=
		for ((r = 0; r < REPS; r++)); do
			for how in baseline copy; do
				j=$("$PMEMCTL" crash-test --mount "$MNT" crs --mode fsync --runs $rruns \
					--seed $((r + 1)) $([ $how = copy ] && echo --baseline-max 0) -- \
					"$demo" append {} 16 --check "$demo" check {} 2>/dev/null) ||
					die "pmemctl crash-test ($how) of a $sz MiB namespace failed"
				[ "$(jq -r .restore <<<"$j")" = "$how" ] ||
					die "crash-test restored by $(jq -r .restore <<<"$j"), not $how"
				if [ $how = baseline ]; then
					vb+=" $(jq -r .restore_ms <<<"$j")" pb+=" $(jq -r .states_per_s <<<"$j")"
				else
					vc+=" $(jq -r .restore_ms <<<"$j")" pcopy+=" $(jq -r .states_per_s <<<"$j")"
				fi
			done
		done
		mb=$(median <<<"$vb") mc=$(median <<<"$vc")
		row restore_${sz}m "$lr" ms "" "$mb" "" "" "" "" \
			"from the baseline (the pages a run changed); from a copy of the namespace (--baseline-max 0, as before): $mc ms; $rruns runs; median of $REPS" \
			"$(samples_json baseline "$vb" copy "$vc")"
		row crashpts_${sz}m "$lc" /s "" "$(median <<<"$pb")" "" "" "" "" \
			"restored from the baseline; from the copy: $(median <<<"$pcopy")/s; checker crash_demo check; median of $REPS" \
			"$(samples_json baseline "$pb" copy "$pcopy")"
		"$PMEMCTL" destroy-namespace -f --mount "$MNT" -r region0 crs >/dev/null 2>&1 || true
	done
fi
