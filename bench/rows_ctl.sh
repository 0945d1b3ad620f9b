# SPDX-License-Identifier: MIT
# The bench's rows about the control path and the label area (sourced by
# bench/run.sh after the I/O rows, with its variables and bench/lib.sh):
# create + destroy through the daemon (region file, region directory),
# pmemctl's start-up, create + destroy among 10,000 namespaces, the open
# of a 64 MiB label area, list and daemon memory with 500 namespaces.
if want cd; then
	if [ "$HAVE_CTL" = 1 ]; then
		cds=
		for ((i = 0; i < CD_N; i++)); do
			a=$(ms_of "$PMEMCTL" create-namespace --mount "$MNT" -r region0 -s 2M -n cd$i) ||
				die "pmemctl create-namespace --mount '$MNT' failed"
			b=$(ms_of "$PMEMCTL" destroy-namespace -f --mount "$MNT" -r region0 cd$i 2>/dev/null) ||
				die "pmemctl destroy-namespace -f --mount '$MNT' failed"
			cds+=" $(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }')"
		done
		p50=$(pct 50 <<<"$cds") p99=$(pct 99 <<<"$cds")
		row cd_p50 "create + destroy through the daemon, p50" ms "" "$p50" "" "$p50" le 5 \
			"one create and one destroy -f (it is served), each a pmemctl process; $CD_N pairs" "$(samples_json pmemfs "$cds")"
		row cd_p99 "create + destroy through the daemon, p99" ms "" "$p99" "" "$p99" le 20 "" null
		# the daemon's share: the same over one connection, no process start-up
		read -r _ c50 _ c99 _ cc _ cdd < <("$CTLBENCH" "$MNT" region0 "$CD_N") ||
			die "ctlbench '$MNT' failed"
		row cd_conn_p50 "(info) the same over one control connection, p50" ms "" "$c50" "" "" "" "" \
			"create p50 $cc ms, destroy p50 $cdd ms (writes and persists 8 KiB of zeroes, then the labels); bench/ctlbench.c" null
		row cd_conn_p99 "(info) the same over one control connection, p99" ms "" "$c99" "" "" "" "" "" null
	else
		na_row cd_p50 "create + destroy through the daemon, p50" ms "needs the control socket"
		na_row cd_p99 "create + destroy through the daemon, p99" ms "needs the control socket"
	fi
fi

# --- the same on the region directory of the dir column: the create makes,
# preallocates and fsyncs the namespace's file and fsyncs the directory
# before the label commit; the destroy commits, then unlinks it and fsyncs
# the directory. Figures in the dir column.
if want cddir; then
	lbl="region directory: create + destroy through the daemon"
	if [ "$HAVE_CTL" = 0 ]; then
		na_row cddir_p50 "$lbl, p50" ms "needs the control socket"
		na_row cddir_p99 "$lbl, p99" ms "needs the control socket"
	elif [ "$HAVE_DIR" = 0 ]; then
		na_row cddir_p50 "$lbl, p50" ms "$DIR_WHY"
		na_row cddir_p99 "$lbl, p99" ms "$DIR_WHY"
	else
		cds=
		for ((i = 0; i < CD_N; i++)); do
			a=$(ms_of "$PMEMCTL" create-namespace --mount "$DMNT" -r $DRN -s 2M -n dcd$i) ||
				die "pmemctl create-namespace --mount '$DMNT' -r $DRN failed"
			b=$(ms_of "$PMEMCTL" destroy-namespace -f --mount "$DMNT" -r $DRN dcd$i 2>/dev/null) ||
				die "pmemctl destroy-namespace -f --mount '$DMNT' -r $DRN failed"
			cds+=" $(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }')"
		done
		p50=$(pct 50 <<<"$cds") p99=$(pct 99 <<<"$cds")
		left=$(find "$DREG" -maxdepth 1 -name 'ns-*' | wc -l)
		row cddir_p50 "$lbl, p50" ms "" "" "" "" "" "" \
			"one create and one destroy -f, each a pmemctl process; $CD_N pairs of 2 MiB; $left namespace files in the directory after (dns1, dns2$([ "$QEMU_EXTRA" = 0 ] || echo ", dvm"))" \
			"$(samples_json dir "$cds")" "$p50" "$p50" le 5
		row cddir_p99 "$lbl, p99" ms "" "" "" "" "" "" "" null "$p99" "$p99" le 20
		read -r _ c50 _ c99 _ cc _ cdd < <("$CTLBENCH" "$DMNT" $DRN "$CD_N") ||
			die "ctlbench '$DMNT' $DRN failed"
		row cddir_conn_p50 "(info) the same over one control connection, dir, p50" ms "" "" "" "" "" "" \
			"p99 $c99 ms; create p50 $cc ms, destroy p50 $cdd ms; bench/ctlbench.c" null "$c50" "" "" ""
	fi
fi

# --- pmemctl's start-up (issue 18: <= 2 ms for an online command): an
# online list of the small region above, --version (no socket), and
# /bin/true as the floor of a process start from this shell
if want startup; then
	if [ "$HAVE_CTL" = 1 ]; then
		so= sv= st=
		for ((i = 0; i < CD_N; i++)); do
			so+=" $(ms_of "$PMEMCTL" list --mount "$MNT")" ||
				die "pmemctl list --mount '$MNT' failed"
			sv+=" $(ms_of "$PMEMCTL" --version)"
			st+=" $(ms_of /bin/true)"
		done
		v=$(median <<<"$so")
		row startup "pmemctl list --mount, a process (start-up included)" ms "" "$v" "" "$v" le 2 \
			"median of $CD_N; pmemctl --version $(median <<<"$sv") ms, /bin/true $(median <<<"$st") ms (a process from this shell)" \
			"$(samples_json list "$so" version "$sv" true "$st")"
	else
		na_row startup "pmemctl list --mount, a process (start-up included)" ms "needs the control socket"
	fi
fi

# --- create + destroy with CD_MANY namespaces in the region (2 MiB v1.1
# label area, as the issue measured), over one control connection
if want cdmany; then
	MANYR=$DATA/many.img MANYMNT=$WORK/mnt-many
	mkdir -p "$MANYMNT"
	"$PMEMCTL" create-region --size 256M --label-size 2M -V 1.1 "$MANYR" >/dev/null
	python3 "$LSAGEN" "$MANYR" 2M "$CD_MANY" >/dev/null
	"$PMEMFS" -f "$MANYR" "$MANYMNT" >>"$WORK/pmemfs-many.log" 2>&1 &
	MANY_PID=$!
	PIDS+=("$MANY_PID")
	for ((i = 0; i < 1500; i++)); do
		grep -q " $MANYMNT " /proc/self/mountinfo && break
		kill -0 "$MANY_PID" 2>/dev/null || break
		sleep 0.02
	done
	if ! grep -q " $MANYMNT " /proc/self/mountinfo; then
		na_row cdmany_p50 "the same over one connection, $CD_MANY ns in the region, p50" ms \
			"the daemon did not mount $CD_MANY namespaces: $(tail -n 1 "$WORK/pmemfs-many.log")"
	elif read -r _ m50 _ m99 _ mc _ md < <("$CTLBENCH" "$MANYMNT" region0 "$CD_N"); then
		row cdmany_p50 "the same over one connection, $CD_MANY ns in the region, p50" ms "" "$m50" "" "$m50" le 1 \
			"p99 $m99 ms; create p50 $mc ms, destroy p50 $md ms; bench/ctlbench.c, labels from bench/lsagen.py" null
	else
		die "ctlbench '$MANYMNT' failed"
	fi
	# the same while a manager polls (libvirt, a script): pmemctl list and
	# stats every 200 ms; a change must not pay for what the queries show
	if grep -q " $MANYMNT " /proc/self/mountinfo; then
		(while :; do
			"$PMEMCTL" list -N --mount "$MANYMNT" >/dev/null 2>&1
			"$PMEMCTL" stats --mount "$MANYMNT" >/dev/null 2>&1
			sleep 0.2
		done) &
		POLL_PID=$!
		sleep 1
		if read -r _ m50 _ m99 _ mc _ md < <("$CTLBENCH" "$MANYMNT" region0 "$CD_N"); then
			row cdmany_poll_p50 "the same while list+stats poll every 200 ms, p50" ms "" \
				"$m50" "" "$m50" le 1 \
				"p99 $m99 ms; create p50 $mc ms, destroy p50 $md ms; polled by pmemctl" null
		else
			kill "$POLL_PID"
			die "ctlbench '$MANYMNT' (polled) failed"
		fi
		kill "$POLL_PID"
		wait "$POLL_PID" 2>/dev/null || true
	fi
	if grep -q " $MANYMNT " /proc/self/mountinfo; then
		unmount "$MANYMNT" "$MANY_PID"
	else
		kill "$MANY_PID" 2>/dev/null || true
		wait "$MANY_PID" 2>/dev/null || true
	fi
	rm -f "$MANYR"
fi

# --- open the largest label area the probe accepts: 64 MiB of v1.1
# labels, every slot a namespace (bench/nsopen.c: probe, read, build,
# classify; what list --file and the mount do first)
if want lsaopen; then
	BIGLSA=$DATA/biglsa.img
	"$PMEMCTL" create-region --size 2112M --label-size 64M -V 1.1 "$BIGLSA" >/dev/null
	nlab=$(python3 "$LSAGEN" "$BIGLSA" 64M max | awk '{ print $1 }')
	read -r _ o50 _ omax _ oc50 _ _ _ _ < <("$NSOPEN" "$BIGLSA" "$REPS") ||
		die "nsopen '$BIGLSA' failed"
	row lsaopen "open a 64 MiB v1.1 label area, $nlab labels, p50" ms "" "$o50" "" "$o50" le 1000 \
		"CPU p50 $oc50 ms, wall max $omax ms over $REPS; bench/nsopen.c" null
	rm -f "$BIGLSA"
fi

# --- a 64 GiB sparse region with 500 namespaces: list time, daemon memory
if want list || want rss; then
	"$PMEMCTL" create-region --size 64G "$BIG" >/dev/null
	for ((i = 0; i < NS_MANY; i++)); do
		"$PMEMCTL" create-namespace --file "$BIG" -s 128M -n m$i --sparse >/dev/null ||
			die "create-namespace m$i in '$BIG' failed"
	done
	lo=
	for ((i = 0; i < LIST_N; i++)); do
		lo+=" $(ms_of "$PMEMCTL" list --file "$BIG")"
	done
	"$PMEMFS" -f "$BIG" "$BIGMNT" >>"$WORK/pmemfs-big.log" 2>&1 &
	BIG_PID=$!
	PIDS+=("$BIG_PID")
	mount_wait "$BIGMNT" "$BIG_PID" "$WORK/pmemfs-big.log"
	rss_kb() { awk '$1 == "RssAnon:" { print $2 }' "/proc/$BIG_PID/status"; }
	r0=$(rss_kb)
	n=$(find "$BIGMNT/region0" -type f | wc -l)
	[ "$n" = "$NS_MANY" ] || die "$n namespace files under '$BIGMNT/region0', expected $NS_MANY"
	stat "$BIGMNT"/region0/* >/dev/null
	r1=$(rss_kb)
	if want list; then
		if [ "$HAVE_CTL" = 1 ]; then
			lm=
			for ((i = 0; i < LIST_N; i++)); do
				lm+=" $(ms_of "$PMEMCTL" list --mount "$BIGMNT")"
			done
			n=$("$PMEMCTL" list --mount "$BIGMNT" | jq length)
			[ "$n" = "$NS_MANY" ] || die "pmemctl list --mount shows $n namespaces, expected $NS_MANY"
			v=$(median <<<"$lm")
			row list "pmemctl list --mount, $NS_MANY namespaces" ms "" "$v" "" "$v" le 50 \
				"median of $LIST_N; offline list --file: $(median <<<"$lo") ms" \
				"$(samples_json mount "$lm" file "$lo")"
		else
			na_row list "pmemctl list --mount, $NS_MANY namespaces" ms "needs the control socket"
		fi
		v=$(median <<<"$lo")
		row list_file "(info) pmemctl list --file, $NS_MANY namespaces" ms "" "$v" "" "" "" "" \
			"offline, the same region file" "$(samples_json file "$lo")"
	fi
	if want rss; then
		mx=$((r1 > r0 ? r1 : r0))
		v=$(awk -v k=$mx 'BEGIN { printf "%.1f\n", k / 1024 }')
		row rss "daemon RssAnon, 64 GiB sparse region, $NS_MANY ns" MiB "" "$v" "" "$v" le 32 \
			"after mount $r0 kB, after stat of every file $r1 kB" null
	fi
	unmount "$BIGMNT" "$BIG_PID"
	rm -f "$BIG"
fi

