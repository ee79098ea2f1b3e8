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
# Each stage's output goes to build/logs/ (and, for a stage in the foreground, to the terminal as it
# comes), so that the end of the run can repeat what a failed stage said last: CI keeps only the tail of
# a long output.
mkdir -p build/logs
rm -f build/logs/stage-*
logs=0
next_log() { logs=$((logs + 1)); printf 'build/logs/stage-%02d.log' "$logs"; }
record() { # record NAME LOG STATUS SECONDS
	if (($3 == 0)); then
		results+=("PASS  $1 ($4 s)")
	else
		results+=("FAIL  $1 ($4 s)")
		failed_logs+=("$1|$2")
		failed=1
	fi
}
stage() {
	local name=$1 log start status
	shift
	log=$(next_log)
	echo
	echo "=== $name"
	start=$SECONDS
	"$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	record "$name" "$log" "$status" $((SECONDS - start))
}
# A stage that mostly waits (an Apache::Test suite: its servers, the tenant's delays, timeouts) runs in
# the background beside the foreground stages that follow, its output only in its log; join_stage waits
# for it and prints that log. Suites that run at once listen on ports far apart (t/apache/run --port).
bg_name='' bg_log='' bg_pid=''
background_stage() {
	bg_name=$1
	shift
	bg_log=$(next_log)
	echo
	echo "=== $bg_name: started in the background (its output follows when it ends)"
	(
		start=$SECONDS
		"$@" >"$bg_log" 2>&1
		status=$?
		echo "$((SECONDS - start))" >"$bg_log.seconds"
		exit $status
	) &
	bg_pid=$!
}
join_stage() {
	local status=0
	wait "$bg_pid" || status=$?
	echo
	echo "=== $bg_name (ran in the background)"
	cat "$bg_log"
	record "$bg_name" "$bg_log" "$status" "$(cat "$bg_log.seconds" 2>/dev/null || echo '?')"
}

jobs=$(nproc)
stage "fake tenant self-tests" prove -r -j"$(nproc)" t/tenant/t
# Each test program starts its own fake tenant (t/lib/run-test), so they can run in parallel.
stage "build (gcc, -Werror)" scripts/build.sh default
stage "libauth0 tests (gcc)" make -C build/default -j"$jobs" check

if [ $quick = 1 ]; then
	stage "mod_auth0 Apache::Test (event MPM)" t/apache/run --build build/default --mpm event
else
	stage "build (clang, ASan + UBSan, -Werror)" scripts/build.sh asan
	# The Apache::Test suites spend most of their time waiting, so two run at once: the gcc build's beside
	# the sanitizer build's, then prefork beside the browser test and the fuzz targets.
	background_stage "mod_auth0 Apache::Test (event MPM)" \
		t/apache/run --build build/default --mpm event --port 9529
	stage "libauth0 tests (ASan + UBSan + LeakSanitizer)" \
		env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -C build/asan -j"$jobs" check
	stage "mod_auth0 Apache::Test (ASan + UBSan, event MPM; attack and fault matrices included)" \
		t/apache/run --build build/asan --mpm event --port 8529
	join_stage
	# The attack matrix does not depend on the MPM and has run twice above: prefork runs the rest.
	background_stage "mod_auth0 Apache::Test (prefork MPM; fault matrix included)" \
		t/apache/run --build build/default --mpm prefork --port 9529 t/session t/api t/authz t/admin t/faults
	stage "browser test (headless Chromium: login, claims, admin page, logout)" t/browser/run --build build/default
	stage "build (clang, libFuzzer targets, ASan + UBSan)" scripts/build.sh fuzz
	stage "fuzz smoke (every target: its corpus, then 10 s)" fuzz/smoke build/fuzz 10
	join_stage
	# alone: it loads both cores and watches each httpd child's heap
	stage "soak (3 minutes of mixed load: no error, no leak in any httpd child)" \
		bench/soak --build build/default --duration 180 --warmup 60
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
