# tests/tap.sh - sourced by the shell tests (*.t): the faultline binary under
# test as an absolute path in FL, a scratch directory T removed at exit, and
# TAP output: ok, not_ok, check NAME 'SHELL TEST', and tap_end for the plan
# and the exit status that prove reads.
FL=${FAULTLINE:-build/faultline}
FL=$(cd "$(dirname "$FL")" && pwd)/$(basename "$FL")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
tap_end() { echo "1..$n"; exit $((fails > 0)); }
# need PROG...: a program the test runs; each missing one is a failed test
# that names it (make deps installs them all).  Non-zero when any is missing.
need() {
	local p rc=0
	for p; do
		command -v "$p" >/dev/null || { not_ok "$p is installed (make deps)"; rc=1; }
	done
	return $rc
}
