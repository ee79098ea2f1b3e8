#!/bin/sh
# The generated Management API (src/include/auth0/management_operations.h,
# src/management_ops.c, t/wire/wire_calls.c) is committed. This regenerates
# it from data/auth0-api/ into a temporary directory and fails when the
# committed files differ: run `make regen` after changing the data or
# tools/gen-management.py.
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
python=${PYTHON3:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 not found"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gen-fresh.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=1
if "$python" "$srcdir/tools/gen-management.py" --srcdir "$srcdir" --outdir "$tmp" 2>"$tmp/stderr"; then
	echo "ok 1 - tools/gen-management.py runs"
else
	echo "not ok 1 - tools/gen-management.py runs"
	sed 's/^/# /' "$tmp/stderr"
	echo "1..1"
	exit 1
fi
fail=0
for f in src/include/auth0/management_operations.h src/management_ops.c t/wire/wire_calls.c; do
	n=$((n + 1))
	if cmp -s "$tmp/$f" "$srcdir/$f"; then
		echo "ok $n - $f is up to date"
	else
		echo "not ok $n - $f is stale: run 'make regen'"
		diff -u "$srcdir/$f" "$tmp/$f" | head -n 20 | sed 's/^/# /'
		fail=1
	fi
done
echo "1..$n"
exit $fail
