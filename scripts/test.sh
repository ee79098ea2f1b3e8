#!/bin/bash
# Runs every test of mod_auth0 and prints a summary. On a fresh Debian 12 machine,
# run it as a normal user with sudo, or as root: it runs install-deps.sh first,
# which installs any missing package (through sudo for a normal user).
#
#   scripts/test.sh            everything (what CI runs)
#   scripts/test.sh --quick    gcc build and its tests only (libauth0, the demo, Apache::Test under event)
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

scripts/install-deps.sh || exit 1

# Each stage's output goes to build/logs/ (and to the terminal as it comes, or, for a stage of the
# background lane, when the lane ends), so that the end of the run can repeat what a failed stage said
# last: CI keeps only the tail of a long output. Results go to a file, which both lanes append to.
mkdir -p build/logs
rm -f build/logs/stage-* build/logs/lane-*
results_file=build/logs/results
failed_file=build/logs/failed
: >"$results_file"
: >"$failed_file"
lane=main
logs=0
# sets $log to the next stage's log (not in a $(...) subshell: the count must stay)
next_log() { logs=$((logs + 1)); printf -v log 'build/logs/stage-%s-%02d.log' "$lane" "$logs"; }
stage() {
	local name=$1 log start status
	shift
	next_log
	echo
	echo "=== $name"
	start=$SECONDS
	"$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	if ((status == 0)); then
		echo "PASS  $name ($((SECONDS - start)) s)" >>"$results_file"
	else
		echo "FAIL  $name ($((SECONDS - start)) s)" >>"$results_file"
		echo "$name|$log" >>"$failed_file"
	fi
}
# The Apache::Test suites spend most of their time waiting (for servers, the tenant's delays, timeouts),
# so a lane of them runs in the background beside the foreground's stages: in_background FUNCTION runs the
# stages FUNCTION runs, their output in the lane's log, which join_background prints when they are done.
# Suites that run at once listen on ports far apart (t/apache/run --port).
bg_pid='' bg_log=''
in_background() {
	bg_log=build/logs/lane-$1.log
	echo
	echo "=== started in the background: $1 (its output follows when it ends)"
	(
		lane=$1
		logs=0
		"$1"
	) >"$bg_log" 2>&1 &
	bg_pid=$!
}
join_background() {
	wait "$bg_pid"
	echo
	echo "=== what ran in the background ($bg_log)"
	cat "$bg_log"
}

jobs=$(nproc)
stage "fake tenant self-tests" prove -r -j"$(nproc)" t/tenant/t
# Each test program starts its own fake tenant (t/lib/run-test), so they can run in parallel.
stage "build (gcc, -Werror)" scripts/build.sh default
stage "libauth0 tests (gcc)" make -C build/default -j"$jobs" check
# where the demo and the suites put what httpd's workers read, and its modes (a second; most of it as root)
stage "httpd's work directories (scripts/httpd-work-dir: modes 600/700, mode-700 paths, noexec)" \
	scripts/httpd-work-dir-check
# the demo as README's newcomer starts it (plain-http tenant), on free ports: a few seconds
stage "demo (scripts/demo.sh: /, /protected/ to the tenant, /api/ with and without a token, clean stop)" \
	scripts/demo-check --build build/default

# the gcc build's suites, one after the other (the attack matrix does not depend on the MPM: prefork runs
# the rest)
gcc_suites() {
	stage "mod_auth0 Apache::Test (event MPM)" t/apache/run --build build/default --mpm event --port 9529
	stage "mod_auth0 Apache::Test (prefork MPM; fault matrix included)" \
		t/apache/run --build build/default --mpm prefork --port 9529 t/session t/api t/authz t/admin t/faults
}

if [ $quick = 1 ]; then
	stage "mod_auth0 Apache::Test (event MPM)" t/apache/run --build build/default --mpm event
else
	stage "build (clang, ASan + UBSan, -Werror)" scripts/build.sh asan
	in_background gcc_suites
	stage "libauth0 tests (ASan + UBSan + LeakSanitizer)" \
		env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -C build/asan -j"$jobs" check
	stage "mod_auth0 Apache::Test (ASan + UBSan, event MPM; attack and fault matrices included)" \
		t/apache/run --build build/asan --mpm event --port 8529
	stage "browser tests (headless Chromium: login, claims, admin page, logout; EventSource and WebSocket with query and cookie tokens)" \
		t/browser/run --build build/default
	stage "build (clang, libFuzzer targets, ASan + UBSan)" scripts/build.sh fuzz
	stage "fuzz smoke (every target: its corpus, then 10 s)" fuzz/smoke build/fuzz 10
	join_background
	# alone: it loads both cores and watches each httpd child's heap
	stage "soak (3 minutes of mixed load: no error, no leak in any httpd child)" \
		bench/soak --build build/default --duration 180 --warmup 60
fi

mapfile -t results <"$results_file"
mapfile -t failed_logs <"$failed_file"
failed=0
((${#failed_logs[@]} == 0)) || failed=1

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
