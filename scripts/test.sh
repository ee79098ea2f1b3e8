#!/bin/bash
# Runs every test of mod_auth0 and prints a summary. Run as root on a fresh
# Debian 12 machine: it installs what it needs first.
#
#   scripts/test.sh            everything (what CI runs)
#   scripts/test.sh --quick    gcc build and its tests only (libauth0, Apache::Test under event)
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

scripts/install-deps.sh || exit 1

results=()
failed=0
failed_logs=()
# Each stage's output goes to the terminal and to build/logs/, so that the end of the run can repeat what
# a failed stage said last: CI keeps only the tail of a long output.
mkdir -p build/logs
rm -f build/logs/stage-*.log
stage() {
	local name=$1
	shift
	local log
	log=$(printf 'build/logs/stage-%02d.log' "${#results[@]}")
	echo
	echo "=== $name"
	local start=$SECONDS
	if "$@" 2>&1 | tee "$log"; then
		results+=("PASS  $name ($((SECONDS - start)) s)")
	else
		results+=("FAIL  $name ($((SECONDS - start)) s)")
		failed_logs+=("$name|$log")
		failed=1
	fi
}

jobs=$(nproc)
stage "fake tenant self-tests" prove -r -j"$(nproc)" t/tenant/t
# Each test program starts its own fake tenant (t/lib/run-test), so they can run in parallel.
stage "build (gcc, -Werror)" scripts/build.sh default
stage "libauth0 tests (gcc)" make -C build/default -j"$jobs" check
stage "mod_auth0 Apache::Test (event MPM)" t/apache/run --build build/default --mpm event

if [ $quick = 0 ]; then
	stage "build (clang, ASan + UBSan, -Werror)" scripts/build.sh asan
	stage "libauth0 tests (ASan + UBSan + LeakSanitizer)" \
		env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -C build/asan -j"$jobs" check
	stage "mod_auth0 Apache::Test (ASan + UBSan, event MPM; attack and fault matrices included)" \
		t/apache/run --build build/asan --mpm event
	# The attack matrix does not depend on the MPM and has run twice above: prefork runs the rest.
	stage "mod_auth0 Apache::Test (prefork MPM; fault matrix included)" \
		t/apache/run --build build/default --mpm prefork t/session t/api t/authz t/admin t/faults
	stage "browser test (headless Chromium: login, claims, admin page, logout)" t/browser/run --build build/default
	stage "soak (3 minutes of mixed load: no error, no leak in any httpd child)" \
		bench/soak --build build/default --duration 180 --warmup 60
	stage "build (clang, libFuzzer targets, ASan + UBSan)" scripts/build.sh fuzz
	stage "fuzz smoke (every target: its corpus, then 10 s)" fuzz/smoke build/fuzz 10
fi

echo
echo "=== summary"
printf '%s\n' "${results[@]}"
if [ $failed = 0 ]; then
	echo "ALL TESTS PASSED"
else
	echo "SOME TESTS FAILED"
	# Show the logs of failed automake tests to make CI output useful.
	for log in build/*/t/unit/*.log; do
		[ -f "$log" ] && grep -q '^not ok\|^ERROR\|^FAIL' "$log" && { echo "--- $log"; tail -40 "$log"; }
	done
	for entry in "${failed_logs[@]}"; do
		echo
		echo "--- the end of what \"${entry%%|*}\" printed (all of it: ${entry#*|})"
		tail -40 "${entry#*|}"
	done
	echo
	echo "=== summary, again"
	printf '%s\n' "${results[@]}"
	echo "SOME TESTS FAILED"
fi
exit $failed
