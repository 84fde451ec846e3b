#!/usr/bin/env bash
# Google Benchmark's own compare.py (Debian's libbenchmark-tools) reads a run's
# JSON report and a comparison's JSON as one tool's files: the same names, the
# same time unit, and a CPU time that is the process's, every thread of it.
set -u
. "$(dirname "$0")/tap.sh"
COMPARE_PY=/usr/share/benchmark/compare.py
# Debian's python3, whose python3-scipy compare.py imports (not a python3 of
# another installation earlier on PATH)
PY=/usr/bin/python3
[ -x "$PY" ] || { not_ok "$PY is installed (make deps)"; tap_end; }
[ -r "$COMPARE_PY" ] || { not_ok "$COMPARE_PY is installed (make deps: libbenchmark-tools)"; tap_end; }
need sqlite3 || tap_end

D="$T/r.db"
for i in 1 2; do
	"$FL" run reaim_vunmap --param M=0,64 --reps 3 --rounds 16 --quiet \
		--json "$T/run$i.json" --db "$D" >"$T/out" 2>&1 ||
		{ not_ok "run $i"; sed 's/^/# /' "$T/out"; }
done
"$FL" compare 1 2 --db "$D" --json "$T/c.json" >"$T/out" 2>&1
rc=$?
check "compare 1 2 --json (exit $rc)" "[ $rc -le 1 ] && [ -s '$T/c.json' ]"

# The run's CPU time is the process's: two workers keep it near the wall time,
# where the main thread alone (which waits for them) gave 2% of it.
check "the run's cpu_time is the whole process's" "$PY - '$T/run1.json' <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
med = [b for b in d['benchmarks'] if b.get('aggregate_name') == 'median']
assert len(med) == 4, len(med)
for b in med:
    assert b['cpu_time'] > 0.25 * b['real_time'], (b['name'], b['cpu_time'], b['real_time'])
PYEOF"

check "the comparison names its entries as the run's report does" "$PY - '$T/run1.json' '$T/c.json' <<'PYEOF'
import json, sys
run = {b['name'] for b in json.load(open(sys.argv[1]))['benchmarks']}
cmp = json.load(open(sys.argv[2]))['benchmarks']
assert len(cmp) == 4, len(cmp)
for b in cmp:
    assert b['name'] in run, b['name']
    assert b['time_unit'] == 'us', b['time_unit']
PYEOF"

"$PY" "$COMPARE_PY" --no-color benchmarks "$T/run1.json" "$T/c.json" >"$T/cmp" 2>"$T/cmp.err"
rc=$?
check "compare.py benchmarks run.json compare.json: exit 0" "[ $rc -eq 0 ]"
rows=$(grep -c '^reaim_vunmap/[a-z]*/shim/M=[0-9]*,.*_median ' "$T/cmp")
check "... prints a row for each of the 4 benchmarks ($rows)" "[ '$rows' -eq 4 ]"
[ "$rc" -eq 0 ] && [ "$rows" -eq 4 ] || sed 's/^/# /' "$T/cmp" "$T/cmp.err" | head -20
tap_end
