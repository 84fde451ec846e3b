#!/usr/bin/env bash
# The CLI's answers to bad input: one line, a non-zero exit, nothing half-written.
set -u
. "$(dirname "$0")/tap.sh"
need sqlite3 sha256sum setpriv || tap_end

# expect_error NAME PATTERN CMD...: exits non-zero, one line on stderr matching.
expect_error() {
	local name=$1 pat=$2 rc lines
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$T/err"; then
		ok "$name"
	else
		not_ok "$name"
		echo "# rc=$rc stderr: $(head -c 300 "$T/err")"
	fi
}

tiny="--reps 2 --rounds 2 --quiet"

expect_error "unknown command" "unknown command" "$FL" frobnicate
expect_error "unknown workload" "unknown workload 'nope'" "$FL" run nope --db "$T/a.db"
expect_error "unknown parameter" "has no parameter 'Q'" "$FL" run reaim_vunmap --param Q=1 --db "$T/a.db"
expect_error "parameter out of range" "out of range" "$FL" run reaim_vunmap --param P=0 --db "$T/a.db"
expect_error "parameter not a number" "not a whole number" "$FL" run reaim_vunmap --param M=lots --db "$T/a.db"
expect_error "unknown variant" "no variant 'older'" "$FL" run reaim_vunmap --variant older --db "$T/a.db"
expect_error "unknown backend" "unknown backend 'gpu'" "$FL" run reaim_vunmap --backend gpu --db "$T/a.db"
expect_error "bad repetitions" "out of range" "$FL" run reaim_vunmap --reps 0 --db "$T/a.db"
expect_error "unknown option" "unknown or incomplete option" "$FL" run reaim_vunmap --fast --db "$T/a.db"
expect_error "unknown suite" "unknown suite" "$FL" run --suite slow --db "$T/a.db"
expect_error "a value the module refuses, refused here" "kmod: M=100000 out of range \[0, 65536\]" \
	"$FL" run reaim_vunmap --backend kmod --param M=100000 --db "$T/a.db"
expect_error "an octal-looking value" "'0x10' is not a whole number" \
	"$FL" run reaim_vunmap --param M=0x10 --db "$T/a.db"
expect_error "an empty value in a list" "an empty value in '0,,1000'" \
	"$FL" run reaim_vunmap --param M=0,,1000 --db "$T/a.db"
expect_error "a trailing comma" "an empty value" "$FL" run reaim_vunmap --param M=0, --db "$T/a.db"
expect_error "--cpus not a CPU list" "--cpus 'x': expected CPU numbers" \
	"$FL" run reaim_vunmap --cpus x $tiny --db "$T/cpus.db"
expect_error "--cpus beyond the machine" "--cpus '4095': not all of them are CPUs this run may use" \
	"$FL" run reaim_vunmap --cpus 4095 $tiny --db "$T/cpus.db"
check "a bad --cpus writes no database" "[ ! -e '$T/cpus.db' ]"
expect_error "an empty --db" "file name is empty" "$FL" run reaim_vunmap --db ""
[ ! -e "$T/a.db" ] && ok "bad input creates no database" || not_ok "bad input creates no database"

expect_error "unwritable database" "results.db" "$FL" run reaim_vunmap $tiny --db "$T/no/such/dir/results.db"

head -c 8192 /dev/urandom >"$T/corrupt.db"
sum=$(sha256sum <"$T/corrupt.db")
expect_error "corrupt database" "corrupt.db" "$FL" run reaim_vunmap $tiny --db "$T/corrupt.db"
[ "$(sha256sum <"$T/corrupt.db")" = "$sum" ] && ok "corrupt database left as it was" ||
	not_ok "corrupt database left as it was"

expect_error "claims on a missing database" "no run" "$FL" claims --db "$T/empty.db"
expect_error "bad run id" "bad run id" "$FL" claims --db "$T/empty.db" --run x
for c in show claims plot; do
	expect_error "$c on a missing database" "no such results database" "$FL" $c --db "$T/typo.db"
done
check "... none of them created it" "[ -z \"\$(ls '$T' | grep typo)\" ]"

# A small real run, then what reads it.
if "$FL" run reaim_vunmap --param M=0,64,128 $tiny --db "$T/r.db" >"$T/out" 2>&1; then
	ok "a small run is stored"
else
	not_ok "a small run is stored"; sed 's/^/# /' "$T/out" | head -5
fi
line=$("$FL" claims --db "$T/r.db" --format tsv | grep '^vmalloc-sync')
case "$line" in
vmalloc-sync$'\t'80$'\t'*$'\t'*) ok "claims --format tsv: id, published, measured, verdict" ;;
*) not_ok "claims --format tsv: id, published, measured, verdict"; echo "# $line" ;;
esac
# What a person reads while a run goes on: one progress line per benchmark,
# not Google Benchmark's table, which --verbose shows (a per-minute rate not
# as "/s"); and nothing reads "nan".
"$FL" run reaim_vunmap --param M=0,64 --reps 2 --rounds 4 --db "$T/p.db" >"$T/out" 2>"$T/err"
check "run: a progress line per benchmark, k of n, elapsed, time left" \
	"[ \$(grep -c '^faultline: \[[1-4]/4\] *[0-9]* s, about .* left *done reaim_vunmap/' '$T/err') -eq 4 ]"
check "... and no table" "! grep -q 'Iterations' '$T/out' '$T/err'"
"$FL" run reaim_vunmap --param M=0,64 --reps 2 --rounds 4 --verbose --db "$T/p.db" >"$T/out" 2>"$T/err"
check "run --verbose: Google Benchmark's table, jobs/min not shown as /s" \
	"grep -q 'jobs_per_min' '$T/out' && ! grep -Eq '[0-9][kMG]?/s( |\$)' '$T/out'"
"$FL" run reaim_vunmap --param M=0 --reps 2 --rounds 4 --quiet --db "$T/p.db" >"$T/out" 2>"$T/err"
check "run --quiet: only the line that says where the run is stored" \
	"[ ! -s '$T/err' ] && [ \$(wc -l <'$T/out') -eq 1 ]"

# In pairs, the variants of a point run back to back, repetition by repetition:
# in the order the samples were stored, each (M, repetition) has old and new
# next to each other, and the run says how it was ordered.
"$FL" run reaim_vunmap --param M=0,64 --reps 3 --rounds 2 --quiet --pairs --db "$T/pairs.db" >"$T/out" 2>&1
check "run --pairs: the run's order is recorded" \
	"[ \"\$(sqlite3 '$T/pairs.db' 'SELECT schedule FROM runs')\" = pairs ] &&
	 '$FL' show --db '$T/pairs.db' | grep -q 'order pairs'"
sqlite3 "$T/pairs.db" "SELECT b.params || ' ' || s.repetition FROM samples s
	JOIN benchmarks b ON b.id = s.benchmark_id WHERE s.metric = 'jobs_per_min'
	ORDER BY s.id" >"$T/order"
check "... old and new of each point and repetition stored next to each other" \
	"[ \$(wc -l <'$T/order') -eq 12 ] && [ \$(uniq '$T/order' | wc -l) -eq 6 ] &&
	 [ \$(uniq -c '$T/order' | awk '\$1 != 2' | wc -l) -eq 0 ]"
check "... repetitions 0, 1, 2 of each" \
	"[ \"\$(awk '{ print \$2 }' '$T/order' | sort | uniq -c | awk '{ print \$1 }' | tr '\n' ' ')\" = '4 4 4 ' ]"
"$FL" run reaim_vunmap --param M=0 $tiny --db "$T/io.db" >"$T/out" 2>&1
check "a custom run is interleaved at random unless asked" \
	"[ \"\$(sqlite3 '$T/io.db' 'SELECT schedule FROM runs')\" = interleaved ]"
check "claims --format tsv: 7 columns, the interval's ends last" \
	"'$FL' claims --db '$T/pairs.db' --format tsv | awk -F '\t' 'NF != 7 { bad = 1 } END { exit bad }'"
# Judged on the first 2 of 3 pairs, repetition 2 does not count.  The run's
# largest M is renamed the judged one (a test's data, so that the claim has
# a number to give), and old's repetition 2 then made a thousand times faster:
# pair 2's ratio, which the full run's interval then reaches.
"$FL" run reaim_vunmap --param M=0,1000,2000 --reps 3 --rounds 2 --quiet --pairs \
	--db "$T/p3.db" >"$T/out" 2>&1
sqlite3 "$T/p3.db" "UPDATE benchmarks SET params = replace(params, 'M=2000,', 'M=384000,')"
first2=$("$FL" claims --db "$T/p3.db" --format tsv --pairs 2 | grep '^vmalloc-sync')
all3=$("$FL" claims --db "$T/p3.db" --format tsv | grep '^vmalloc-sync')
sqlite3 "$T/p3.db" "UPDATE samples SET value = value * 1000 WHERE repetition = 2 AND
	benchmark_id IN (SELECT id FROM benchmarks WHERE variant = 'old')"
check "claims --pairs 2 judges on the first two repetitions only" \
	"[ \"\$('$FL' claims --db '$T/p3.db' --format tsv --pairs 2 | grep '^vmalloc-sync')\" = '$first2' ] &&
	 [ \"\$('$FL' claims --db '$T/p3.db' --format tsv | grep '^vmalloc-sync')\" != '$all3' ] &&
	 [ \"\$(echo '$first2' | cut -f3)\" != - ]"
expect_error "claims --pairs 1" "out of range \[2, 1000\]" "$FL" claims --db "$T/pairs.db" --pairs 1
expect_error "pairs and in order are two orders" "two orders" \
	"$FL" run reaim_vunmap --pairs --no-interleave --db "$T/a.db"

# The live fork workloads fork from fl-forker beside the binary; without it,
# one line that names it.
if [ "$(id -u)" = 0 ]; then
	"$FL" run fork_vmap_stack --backend live --param P=1 --param J=8 --reps 1 --rounds 2 \
		--quiet --db "$T/fork.db" >"$T/out" 2>&1
	check "fork_vmap_stack --backend live runs, forking from fl-forker" \
		"[ \"\$(sqlite3 '$T/fork.db' \"SELECT count(*) FROM samples WHERE metric = 'forks_per_min'
		  AND value > 0\")\" = 1 ]"
	mkdir -p "$T/lone"
	cp "$FL" "$T/lone/faultline"
	expect_error "a live fork run without fl-forker" "lone/fl-forker not found" \
		"$T/lone/faultline" run fork_vmap_stack --backend live --reps 1 --rounds 1 --db "$T/fork.db"
else
	n=$((n + 1)); echo "ok $n # SKIP the live backend needs root"
	n=$((n + 1)); echo "ok $n # SKIP the live backend needs root"
fi

# The exact A/A bound (compare --max-change): two runs made alike to the last
# digit (run 2's values set to run 1's, as two exact boots give) pass it; one
# metric moved by 1% fails it, named on stderr.  --exact goes with --vm only.
"$FL" run reaim_vunmap --param M=0 --reps 3 --rounds 2 --quiet --db "$T/aa.db" >"$T/out" 2>&1
"$FL" run reaim_vunmap --param M=0 --reps 3 --rounds 2 --quiet --db "$T/aa.db" >"$T/out" 2>&1
sqlite3 "$T/aa.db" "UPDATE samples SET value = (SELECT s1.value FROM samples s1
	JOIN benchmarks b1 ON b1.id = s1.benchmark_id JOIN benchmarks b2 ON b2.id = samples.benchmark_id
	WHERE b1.run_id = 1 AND b1.workload = b2.workload AND b1.variant = b2.variant
	AND b1.backend = b2.backend AND b1.params = b2.params AND s1.metric = samples.metric
	AND s1.repetition = samples.repetition)
	WHERE benchmark_id IN (SELECT id FROM benchmarks WHERE run_id = 2)"
"$FL" compare 1 2 --aa --no-store --max-change 0.5 --db "$T/aa.db" >"$T/out" 2>"$T/err"
check "compare --max-change 0.5: two identical runs pass" "[ $? -eq 0 ] && [ ! -s '$T/err' ]"
sqlite3 "$T/aa.db" "UPDATE samples SET value = value * 1.01 WHERE metric = 'jobs_per_min'
	AND benchmark_id IN (SELECT id FROM benchmarks WHERE run_id = 2 AND variant = 'new')"
"$FL" compare 1 2 --aa --no-store --max-change 0.5 --db "$T/aa.db" >"$T/out" 2>"$T/err"
check "... one metric moved by 1% fails it, and is named" \
	"[ $? -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] &&
	 grep -q 'reaim_vunmap/new/shim/M=0,P=2,J=64,T=4,S=8 jobs_per_min moved +1.000%, beyond the bound of 0.5%' '$T/err'"
"$FL" compare 1 2 --no-store --db "$T/aa.db" >"$T/out" 2>&1
check "between timed runs, a side of one run is judged on the 75% default floor" \
	"grep -q '75.0% (no A/A, one run a side: unknown)' '$T/out'"
sqlite3 "$T/aa.db" "UPDATE runs SET counter_source = 'icount'"
"$FL" compare 1 2 --no-store --db "$T/aa.db" >"$T/out" 2>&1
check "between exact runs (counter source icount), on a default floor of 1%" \
	"grep -q '1.0% (no A/A, one run a side: unknown)' '$T/out' && ! grep -q '75.0%' '$T/out'"
expect_error "run --exact without --vm" "--exact goes with --vm" "$FL" run fault_cost --exact --db "$T/a.db"

# Exit status: 1 from the commands of a run, 2 from the command line itself.
"$FL" frobnicate 2>"$T/err"
check "an unknown command exits 2" "[ $? -eq 2 ]"
"$FL" run nope --db "$T/a.db" 2>"$T/err"
check "bad input to run exits 1" "[ $? -eq 1 ]"

# A run short of the claim's points is not judged at its own largest M.
"$FL" run reaim_vunmap --param M=0,1000,2000 $tiny --db "$T/short.db" >"$T/out" 2>&1
line=$("$FL" claims --db "$T/short.db" --format tsv | grep '^vmalloc-sync')
check "a run up to M=2000: vmalloc-sync is not applicable here" \
	"[ \"\$(echo '$line' | cut -f4)\" = 'not applicable here' ]"
check "... naming what it lacks" \
	"'$FL' claims --db '$T/short.db' | grep -q 'up to M=2000 only' &&
	 '$FL' claims --db '$T/short.db' | grep -q '^  the loss is judged at M=384000'"
check "... and no nan anywhere" "! '$FL' claims --db '$T/short.db' | grep -qi nan"
check "... and its mechanism (5th column) not judged from runs too short to purge" \
	"[ \"\$(echo '$line' | cut -f5)\" = 'not applicable here' ] &&
	 '$FL' claims --db '$T/short.db' | grep -q 'old made no lazy purge'"
check "... both stored with the run" \
	"[ \"\$(sqlite3 '$T/short.db' \"SELECT verdict || '/' || mechanism FROM verdicts
	  WHERE claim_id = 'vmalloc-sync'\")\" = 'not applicable here/not applicable here' ]"

# Every stored row says who measured it; without a PMU that is the fallback.
sources=$(sqlite3 "$T/r.db" "SELECT DISTINCT source FROM samples ORDER BY 1" | tr '\n' ' ')
run_source=$(sqlite3 "$T/r.db" "SELECT counter_source FROM runs")
if [ -e /sys/bus/event_source/devices/cpu/type ] && [ -n "$(ls /sys/bus/event_source/devices/cpu/events 2>/dev/null)" ]; then
	n=$((n + 1)); echo "ok $n # SKIP this machine has a PMU"
else
	case "$sources|$run_source" in
	*tsc+task-clock*"wall "*"|tsc+task-clock"*) ok "no PMU: the fallback is recorded on the run and its rows" ;;
	*) not_ok "no PMU: the fallback is recorded on the run and its rows"; echo "# $sources|$run_source" ;;
	esac
fi
nulls=$(sqlite3 "$T/r.db" "SELECT count(*) FROM samples WHERE source IS NULL OR source = ''")
[ "$nulls" = 0 ] && ok "no row without a source" || not_ok "no row without a source"

expect_error "claims of an unknown run" "has no run 99" "$FL" claims --db "$T/r.db" --run 99
expect_error "show --metric of no such metric" "has no metric 'nosuch'" \
	"$FL" show --db "$T/r.db" --metric nosuch
"$FL" show --db "$T/r.db" >"$T/show" 2>&1
check "show: sorted by benchmark, M=64 before M=128, with units" \
	"grep -q '^benchmark  *metric  *unit ' '$T/show' &&
	 awk 'NR > 2 { print \$1 }' '$T/show' | uniq | tr '\n' ' ' |
	 grep -q '^reaim_vunmap/new/shim/M=0,[^ ]* reaim_vunmap/new/shim/M=64,[^ ]* reaim_vunmap/new/shim/M=128,[^ ]* reaim_vunmap/old/shim/M=0,'"

# A database the user may read but not write is read all the same.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -m 755 "$T/ro" && cp "$T/r.db" "$T/ro/r.db" && chmod 444 "$T/ro/r.db" && chmod 555 "$T/ro"
	chmod 755 "$T"
	for c in show claims; do
		check "$c reads a database it cannot write" \
			"setpriv --reuid=65534 --regid=65534 --clear-groups '$FL' $c --db '$T/ro/r.db' >'$T/out' 2>&1 && grep -q '^run 1 ' '$T/out'"
	done
else
	n=$((n + 1)); echo "ok $n # SKIP needs root to read as another user"
fi
expect_error "plot without gnuplot" "gnuplot not found" env PATH=/nonexistent "$FL" plot --db "$T/r.db" --out "$T/p"

# A locked database: another process holds a write lock past the busy timeout.
( sqlite3 "$T/r.db" <<'SQL'
BEGIN EXCLUSIVE;
SELECT count(*) FROM runs;
.shell sleep 8
COMMIT;
SQL
) >/dev/null 2>&1 &
locker=$!
sleep 1
expect_error "locked database" "locked" "$FL" run reaim_vunmap $tiny --db "$T/r.db"
wait $locker

# A run killed half-way leaves no run behind.
before=$(sqlite3 "$T/r.db" "SELECT count(*) FROM runs")
"$FL" run reaim_vunmap --param M=0,64 --reps 50 --rounds 50 --quiet --db "$T/r.db" >/dev/null 2>&1 &
sleep 1
kill -9 $! 2>/dev/null
wait $! 2>/dev/null
after=$(sqlite3 "$T/r.db" "SELECT count(*) FROM runs")
check=$(sqlite3 "$T/r.db" "PRAGMA integrity_check")
[ "$before" = "$after" ] && [ "$check" = ok ] && ok "SIGKILL mid-run leaves no run" ||
	not_ok "SIGKILL mid-run leaves no run"

# Temporary files go with the run, however it ends: at its end, on SIGINT,
# SIGTERM and SIGHUP, and after SIGKILL at the next faultline's start.
mkdir "$T/tmp"
for sig in INT TERM HUP KILL; do
	# perl: a background job of a script starts with SIGINT ignored
	TMPDIR="$T/tmp" perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
		"$FL" run reaim_vunmap --param M=0,64 --reps 50 --rounds 50 --quiet --db "$T/k.db" &
	pid=$!
	for i in $(seq 50); do [ -n "$(ls "$T/tmp")" ] && break; sleep 0.1; done
	kill -$sig $pid
	wait $pid 2>>"$T/jobs"	# the shell's own "Killed" notices
	if [ $sig = KILL ]; then
		left=$(ls "$T/tmp")
		TMPDIR="$T/tmp" "$FL" list >/dev/null
		check "SIGKILL leaves a temporary file ($left) that the next start sweeps" \
			"[ -n '$left' ] && [ -z \"\$(ls '$T/tmp')\" ]"
	else
		check "SIG$sig: no temporary file left" "[ -z \"\$(ls '$T/tmp')\" ]"
	fi
done
TMPDIR="$T/tmp" expect_error "--json into a missing directory" "cannot create it in /nonexistent/" \
	"$FL" run reaim_vunmap $tiny --json /nonexistent/x.json --db "$T/k.db"
check "... no temporary file left" "[ -z \"\$(ls '$T/tmp')\" ]"

# The live backend measures the kernel: without root it must say so.
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
if [ "$(id -u)" -eq 0 ] && [ "$paranoid" -gt 1 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T"
	mkdir -m 777 "$T/nobody"
	expect_error "live backend without root" "root" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$FL" run reaim_vunmap --backend live $tiny --db "$T/nobody/r.db"
else
	n=$((n + 1)); echo "ok $n # SKIP needs root, setpriv and perf_event_paranoid > 1"
fi

# A metric a backend does not measure is not stored, not stored as 0.
if [ "$(id -u)" -eq 0 ] || [ "$paranoid" -le 1 ]; then
	"$FL" run ebizzy_like --backend shim,live --param T=1 $tiny --db "$T/m.db" >"$T/out" 2>&1 ||
		sed 's/^/# /' "$T/out"
	got=$(sqlite3 "$T/m.db" "SELECT DISTINCT b.backend || ':' || s.metric FROM samples s
		JOIN benchmarks b ON b.id = s.benchmark_id
		WHERE s.metric IN ('spf_share', 'per_vma_locks') ORDER BY 1" | tr '\n' ' ')
	check "live rows have per_vma_locks and no spf_share, shim rows the reverse ($got)" \
		"[ '$got' = 'live:per_vma_locks shim:spf_share ' ]"
else
	n=$((n + 1)); echo "ok $n # SKIP the live backend needs root or perf_event_paranoid <= 1"
fi

for c in list run claims plot doctor; do
	"$FL" $c --help >/dev/null 2>&1 && ok "$c --help" || not_ok "$c --help"
done

tap_end
