#!/usr/bin/env bash
# faultline compare, history and bisect from the outside: exit codes, bad input,
# reports on stored runs with known answers, and the worktree build of two refs
# (and a bisection) on a throw-away git repository made from this tree.
set -u
. "$(dirname "$0")/tap.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
need sqlite3 python3 git tar || tap_end

# expect NAME RC PATTERN CMD...: exits RC; PATTERN (if any) on stderr, one line.
expect() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && { [ -z "$pat" ] ||
		{ [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q -- "$pat" "$T/err"; }; }; then
		ok "$name"
	else
		not_ok "$name"
		echo "# rc=$rc (want $want) stderr: $(head -c 300 "$T/err")"
	fi
}

# ---- bad input and an empty database --------------------------------------------

# empty_db FILE: a results database with its schema and no run (a tiny run, deleted).
empty_db() {
	"$FL" run reaim_vunmap --variant new --param M=0 --reps 1 --rounds 1 --quiet \
		--db "$1" >"$T/out" 2>&1 || { not_ok "a database in $1"; sed 's/^/# /' "$T/out"; }
	sqlite3 "$1" "DELETE FROM verdicts; DELETE FROM samples; DELETE FROM benchmarks;
		DELETE FROM runs; DELETE FROM sqlite_sequence"
}
E="$T/empty.db"
empty_db "$E"
# A repository of one commit, for the answers about refs (this tree may be an
# unpacked archive, not a checkout).
G="$T/git"
git init -q "$G" && git -C "$G" -c user.name=test -c user.email=test@test \
	commit -q --allow-empty -m one || not_ok "a scratch repository in $G"
expect "compare --help" 0 "" "$FL" compare --help
expect "history --help" 0 "" "$FL" history --help
expect "bisect --help" 0 "" "$FL" bisect --help
expect "compare: one side only" 2 "name two sides" "$FL" compare 1 --db "$E"
expect "compare: unknown option" 2 "unknown or incomplete option '--fast'" \
	"$FL" compare 1 2 --fast --db "$E"
expect "compare: bad --alpha" 2 "--alpha" "$FL" compare 1 2 --alpha 7 --db "$E"
expect "compare: empty database" 2 "has no run 1" "$FL" compare 1 2 --db "$E"
expect "compare: unknown label" 2 "no run with label 'nightly'" \
	"$FL" compare label:nightly 2 --db "$E"
expect "compare: unknown git ref" 2 "is not a run id, a label or kernel" \
	"$FL" compare no-such-ref-anywhere 1 --db "$E"
expect "compare: unknown ref: form" 2 "names no commit" \
	"$FL" compare ref:no-such-ref-anywhere 1 --db "$E" --repo "$G"
expect "compare: not an executable" 2 "is not an executable" \
	"$FL" compare exe:/nonexistent 1 --db "$E"
expect "compare --noise-floors: nothing learned" 2 "holds no A/A comparison" \
	"$FL" compare --noise-floors --db "$E"
expect "history: empty database" 2 "holds no run yet" "$FL" history reaim_vunmap --db "$E"
expect "bisect: GOOD BAD missing" 2 "BENCHMARK GOOD BAD" "$FL" bisect reaim_vunmap/new --db "$E"
expect "bisect: unknown ref" 2 "names no commit" \
	"$FL" bisect reaim_vunmap/new no-such-ref HEAD --db "$E" --repo "$G"

# Commands that only read never make a database of a mistyped name.
for c in "compare 2 3" "compare label:x kernel:y" "compare --noise-floors" \
	"history reaim_vunmap"; do
	expect "$c: a missing database, exit 2" 2 "no such results database" \
		"$FL" $c --db "$T/typo.db"
done
check "... none of them created it" "[ -z \"\$(ls '$T' | grep typo)\" ]"
expect "compare: an empty side" 2 "side A is empty" "$FL" compare "" 3 --db "$E"
expect "compare: an empty --db" 2 "file name is empty" "$FL" compare 1 2 --db ""

# ---- stored runs with known answers ----------------------------------------------
# Made by hand in SQL: 10 repetitions a run; "slow" is 20% slower on new's
# task clock and 20% lower on its throughput; the rest is the same.

D="$T/known.db"
empty_db "$D"
run() { # run LABEL SUITE KERNEL SCALE
	sqlite3 "$D" "
	INSERT INTO runs (label, suite, backend, git_commit, host, kernel_release,
		kernel_config_fp, counter_source, topology, cpu_model, cmdline, virt)
	VALUES ('$1', '$2', 'shim', 'c0ffee', 'testhost', '$3', 'fp1', 'tsc+task-clock',
		'1 package, 2 cores', 'cpu', 'ro', '');
	INSERT INTO benchmarks (run_id, workload, variant, backend, params) VALUES
		(last_insert_rowid(), 'reaim_vunmap', 'new', 'shim', 'M=0,P=2'),
		((SELECT max(id) FROM runs), 'reaim_vunmap', 'old', 'shim', 'M=0,P=2');
	WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < 9)
	INSERT INTO samples (benchmark_id, repetition, metric, unit, value, source)
	SELECT b.id, r.i, m.metric, m.unit,
		CASE WHEN b.variant = 'new' AND m.metric = 'task_clock_ns_per_round'
			THEN (1000 + r.i) * $4
		     WHEN b.variant = 'new' AND m.metric = 'jobs_per_min'
			THEN (5000 + r.i) / $4
		     ELSE (m.base + r.i) END, 'wall'
	FROM r, benchmarks b,
		(SELECT 'task_clock_ns_per_round' AS metric, 'ns/round' AS unit, 1000 AS base
		 UNION ALL SELECT 'jobs_per_min', 'jobs/min', 5000) m
	WHERE b.run_id = (SELECT max(id) FROM runs);"
}
run base quick 6.1.0 1	# 1
run same quick 6.1.0 1	# 2
run slow quick 6.1.0 1.2	# 3
run custom custom 6.1.0 1	# 4
run otherkernel quick 6.12.0 1	# 5
run slow2 quick 6.1.0 1.2	# 6
run big custom 6.1.0 3	# 7

expect "A/A of identical runs: exit 0" 0 "" "$FL" compare 1 2 --db "$D"
check "... every row 'no change'" "[ \$(grep -c '^no change' '$T/out') -eq 4 ]"
expect "a 20% slowdown, two runs a side: exit 1" 1 "" "$FL" compare 1,2 3,6 --db "$D"
check "... task clock +20%, the worst row first" \
	"sed -n '/^verdict/{n;p}' '$T/out' | grep -q '^REGRESSION .*task_clock_ns_per_round .*+20.0%'"
check "... throughput -16.7% flagged too" \
	"grep -q '^REGRESSION .*jobs_per_min .*-16.7%' '$T/out'"
check "... old unchanged" "[ \$(grep -c '^no change .*reaim_vunmap/old' '$T/out') -eq 2 ]"
check "... no A/A: judged against the sides' own runs" \
	"grep -q \"no A/A: the sides' own runs\" '$T/out' && grep -q 'learn them here: faultline compare A A --aa' '$T/out'"
expect "the other way round: an improvement, exit 0" 0 "" "$FL" compare 3,6 1,2 --db "$D"
check "... flagged as improvement" "grep -q '^improvement .*task_clock' '$T/out'"
expect "labels select runs" 0 "" "$FL" compare label:base label:slow --db "$D"
check "... runs 1 and 3" "grep -q '^  A: runs 1$' '$T/out' && grep -q '^  B: runs 3$' '$T/out'"
# One run a side and nothing learned: the floor is unknown, and only a change
# past the conservative default fails.
check "... one run a side, no A/A: 20% is not failed on an unknown floor" \
	"grep -q '^within noise .*task_clock_ns_per_round .*+20.0%.*one run a side: unknown' '$T/out' &&
	 grep -q 'unknown (one run a side: flagged only beyond 75%)' '$T/out'"
expect "... but a 3x slowdown is" 1 "" "$FL" compare 4 7 --db "$D"
expect "kernel: selects runs, --suite and --last narrow them" 0 "" \
	"$FL" compare kernel:6.1.0 5 --suite quick --last 2 --db "$D"
check "... to the newest two quick runs on 6.1.0" "grep -q '^  A: runs 3, 6$' '$T/out'"
expect "runs of different suites: exit 2" 2 "runs of different suites" \
	"$FL" compare 1 4 --db "$D"
expect "a run on both sides: exit 2" 2 "run 1 is on both sides" "$FL" compare 1 1,2 --db "$D"
expect "an unknown run id: exit 2" 2 "has no run 99" "$FL" compare 1 99 --db "$D"
expect "a metric no run has: exit 2" 2 "share no benchmark" \
	"$FL" compare 1 2 --metric nosuch --db "$D"
expect "a different kernel: compared, said loudly" 0 "" "$FL" compare 1 5 --db "$D"
check "... DIFFERENT KERNEL" "grep -q '^!!! DIFFERENT KERNEL: A 6.1.0 | B 6.12.0' '$T/out'"

expect "markdown and json" 1 "" "$FL" compare 1,2 3,6 --db "$D" --format markdown \
	--json "$T/c.json"
check "... markdown says regression" "grep -q '^## faultline compare: :red_circle: \*\*regression\*\*' '$T/out'"
check "... markdown table row" "grep -q '^| :red_circle: \*\*regression\*\* | reaim_vunmap/new | task_clock_ns_per_round |' '$T/out'"
check "... json: Google Benchmark entries" "python3 - '$T/c.json' <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
b = {e['name']: e for e in d['benchmarks']}
e = b['reaim_vunmap/new/shim/M=0,P=2']
assert e['run_type'] == 'aggregate' and e['aggregate_name'] == 'median'
assert e['time_unit'] == 'ns' and e['repetitions'] == 20
assert abs(e['task_clock_ns_per_round'] - 1.2 * 1004.5) < 1e-6
assert abs(e['task_clock_ns_per_round_change_pct'] - 20) < 1e-6
assert e['label'].startswith('regression')
assert d['context']['faultline_compare']['exit_code'] == 1
assert d['context']['faultline_compare']['b']['runs'] == [3, 6]
assert len(d['faultline_rows']) == 4
EOF"

before=$(sqlite3 "$D" "SELECT count(*) FROM comparisons")
expect "--json into a missing directory: exit 2" 2 "cannot create it in /nonexistent/" \
	"$FL" compare 1 3 --db "$D" --json /nonexistent/x.json
check "... and nothing stored" \
	"[ \$(sqlite3 '$D' 'SELECT count(*) FROM comparisons') = $before ]"

# Code sides run here in pairs: 8 or more pairs are judged by pair, fewer pooled.
# (--min-change 1000: how the rows are judged is under test here, not this
# machine's noise, which nothing taught a floor of.)
pairs="reaim_vunmap --variant new --param M=0 --reps 2 --rounds 16"
for runs in 8 2; do
	expect "compare exe: A/A, --runs $runs" 0 "" "$FL" compare "exe:$FL" "exe:$FL" \
		--runs $runs --run-args "$pairs" --db "$T/pairs.db" --no-store --json "$T/p.json" \
		--min-change 1000
	check "... judged by $([ $runs = 8 ] && echo pair || echo pooled samples)" \
		"python3 - '$T/p.json' $runs <<'EOF'
import json, sys
runs = int(sys.argv[2])
r = [e for e in json.load(open(sys.argv[1]))['faultline_rows']
     if e['metric'] == 'task_clock_ns_per_round'][0]
assert r['pairs'] == (runs if runs >= 8 else 0), r
assert r['test'] == ('signed-rank' if runs >= 8 else 'mann-whitney'), r
EOF"
done

# A/A comparisons teach the floors; a learned floor of 0% keeps the verdict.
expect "--aa is stored as A/A" 0 "" "$FL" compare 1 2 --aa --db "$D"
expect "--aa refuses different code" 2 "not the same code" \
	sh -c "sqlite3 '$D' \"UPDATE runs SET git_commit = 'beef' WHERE id = 2\" &&
	       '$FL' compare 1 2 --aa --db '$D'"
sqlite3 "$D" "UPDATE runs SET git_commit = 'c0ffee' WHERE id = 2"
check "comparisons stored, one of them A/A" \
	"[ \"\$(sqlite3 '$D' \"SELECT sum(kind = 'aa') || '/' || count(*) FROM comparisons\")\" = 1/9 ]"
expect "--noise-floors lists what was learned" 0 "" "$FL" compare --noise-floors \
	--host testhost --db "$D"
check "... a floor of 0% from 1 A/A comparison" \
	"grep -q 'reaim_vunmap/new/shim/M=0,P=2 *task_clock_ns_per_round *0.00% *0.00% *1 *20' '$T/out'"
expect "a learned floor is used" 1 "" "$FL" compare 1 3 --db "$D"
check "... and says what it rests on" "grep -q '1.0% (1 A/A, 20 samples)' '$T/out'"

# ---- history: a series with a known step ----------------------------------------

H="$T/hist.db"
empty_db "$H"
for i in $(seq 1 16); do
	level=1000
	[ "$i" -gt 10 ] && level=1300
	sqlite3 "$H" "
	INSERT INTO runs (label, suite, git_commit, kernel_release, host)
		VALUES ('h$i', 'quick', printf('%040d', $i), '6.1.0', 'testhost');
	INSERT INTO benchmarks (run_id, workload, variant, backend, params)
		VALUES (last_insert_rowid(), 'reaim_vunmap', 'new', 'shim', 'M=0,P=2');
	WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < 4)
	INSERT INTO samples (benchmark_id, repetition, metric, unit, value)
	SELECT (SELECT max(id) FROM benchmarks), r.i, 'jobs_per_min', 'jobs/min',
		$level + ((r.i * 7 + $i * 3) % 11) FROM r;"
done
expect "history of a series with a step" 0 "" "$FL" history reaim_vunmap/new/M=0 \
	--db "$H" --plot "$T/plots"
check "... one change point, before run 11" \
	"grep -q '^1 change point' '$T/out' && grep -q 'from run 11 ' '$T/out'"
check "... marked in the table, +30%" \
	"grep -B1 '^ *11 *11 ' '$T/out' | grep -Eq 'change point: .*\\(\\+(29|30|31)\\.[0-9]%\\)'"
need gnuplot && check "... plotted (PNG and SVG)" \
	"[ -s '$T/plots/history-reaim_vunmap-new-shim-M-0-P-2-jobs_per_min.png' ] &&
	 [ -s '$T/plots/history-reaim_vunmap-new-shim-M-0-P-2-jobs_per_min.svg' ]"
expect "history: ambiguous benchmark" 2 "names 2 benchmarks" \
	sh -c "sqlite3 '$H' \"INSERT INTO benchmarks (run_id, workload, variant, backend, params)
	  VALUES (1, 'reaim_vunmap', 'old', 'shim', 'M=0,P=2');
	  INSERT INTO samples (benchmark_id, repetition, metric, unit, value)
	  VALUES (last_insert_rowid(), 0, 'jobs_per_min', 'jobs/min', 1)\" &&
	  '$FL' history reaim_vunmap/M=0 --db '$H' --no-plot"
expect "history: no such benchmark" 2 "holds no benchmark" \
	"$FL" history reaim_vunmap/new/M=5 --db "$H" --no-plot

# ---- two refs, each built in its own worktree ------------------------------------

R="$T/repo"
mkdir -p "$R"
# This tree as it is, committed in a repository of its own (nothing here is
# touched): a checkout or an unpacked archive alike; its .gitignore leaves out
# what a build or a bench run left.
tar -C "$ROOT" --exclude=./.git --exclude=./.ci --exclude=./build -cf - . |
	tar -C "$R" --no-same-owner -xf - ||
	not_ok "copy of the tree into $R"
g() { git -C "$R" -c user.name=test -c user.email=test@test "$@"; }
g init -q && g add -A && g commit -qm base
echo "# comment" >>"$R/README.md"
g commit -qam "a change that changes nothing"
tiny="reaim_vunmap --variant new --param M=0 --reps 5 --rounds 32"

expect "compare HEAD~1 HEAD: built in worktrees, run, judged" 0 "" \
	"$FL" compare HEAD~1 HEAD --repo "$R" --runs 2 --run-args "$tiny" --db "$T/wt.db" \
	--metric syncs_per_round
check "... run in pairs, A B or B A" \
	"case \$(grep -o 'run [0-9] of 4: [AB]' '$T/err' | sed 's/.*: //' | tr -d '\\n') in
	 ABAB|ABBA|BAAB|BABA) true ;; *) false ;; esac"
check "... four runs stored, A's at HEAD~1, B's at HEAD" \
	"[ \"\$(sqlite3 '$T/wt.db' \"SELECT group_concat(substr(git_commit, 1, 12) || ':' || label, ' ')
	  FROM runs ORDER BY id\")\" = \"$(g rev-parse --short=12 HEAD~1):compare:HEAD~1 $(g rev-parse --short=12 HEAD~1):compare:HEAD~1 $(g rev-parse --short=12 HEAD):compare:HEAD $(g rev-parse --short=12 HEAD):compare:HEAD\" ]"
check "... its worktrees removed" "[ \$(git -C '$R' worktree list | wc -l) -eq 1 ]"
check "... the checkout untouched" "[ -z \"\$(git -C '$R' status --porcelain)\" ]"

# A commit that makes variant new three times as expensive (the sensitivity
# test's flag, switched on in the source).
sed -i '0,/^#include/s//#define FL_INJECT_SLOWDOWN_PCT 200\n#include/' "$R/workloads/vmap_jobs.c"
g commit -qam "new: 200% more work per job"
echo "# later" >>"$R/README.md"
g commit -qam "a later change"
expect "compare finds a 3x slowdown of new between two refs" 1 "" \
	"$FL" compare HEAD~2 HEAD --repo "$R" --runs 2 --run-args "$tiny" --db "$T/wt.db" \
	--metric task_clock_ns_per_round --min-change 50
check "... as a regression of new's task clock" \
	"grep -q '^REGRESSION *reaim_vunmap/new *task_clock_ns_per_round' '$T/out'"
expect "a build that fails: exit 2" 2 "" \
	"$FL" compare HEAD HEAD --repo "$R" --make "CC=false" --run-args "$tiny" --db "$T/wt.db"
check "... naming its log and make's error" \
	"grep -q '^faultline: building [0-9a-f]* failed (make exit 2, log .*): make: .*Error' '$T/err'"

expect "bisect finds the commit" 0 "" "$FL" bisect reaim_vunmap/new/M=0 HEAD~3 HEAD \
	--repo "$R" --runs 2 --reps 5 --rounds 32 --metric task_clock_ns_per_round \
	--db "$T/wt.db"
check "... named: new: 200% more work per job" \
	"grep -q '^faultline bisect: first commit with BAD.s task_clock_ns_per_round: [0-9a-f]* new: 200% more work per job' '$T/out'"
check "... GOOD and BAD run by pairs, as compare runs its sides" \
	"[ \$(grep -c '^faultline bisect: run [1-4] of 4: \(good\|bad\) ' '$T/err') -eq 4 ]"
check "... its worktrees removed, no bisection left" \
	"[ \$(git -C '$R' worktree list | wc -l) -eq 1 ] && ! git -C '$R' bisect log >/dev/null 2>&1"
expect "bisect: GOOD and BAD the same" 2 "the same commit" \
	"$FL" bisect reaim_vunmap/new/M=0 HEAD HEAD --repo "$R" --db "$T/wt.db"

tap_end
