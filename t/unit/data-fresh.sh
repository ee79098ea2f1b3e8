#!/bin/sh
# data/auth0-api/ holds byte-for-byte copies of the reference data in
# ../shared/auth0-api/ (CI machines may lack /work/shared). When that
# directory exists next to the repository, the copies must not differ.
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
shared=$srcdir/../shared/auth0-api
files="management-operations.json wiremock-mappings.json management-operations.crosscheck.json"
if [ ! -d "$shared" ]; then
	echo "1..0 # SKIP no $shared to compare with"
	exit 0
fi
n=0
fail=0
for f in $files; do
	n=$((n + 1))
	if cmp -s "$shared/$f" "$srcdir/data/auth0-api/$f"; then
		echo "ok $n - data/auth0-api/$f is identical to ../shared/auth0-api/$f"
	else
		echo "not ok $n - data/auth0-api/$f differs from ../shared/auth0-api/$f (copy it again, then make regen)"
		fail=1
	fi
done
echo "1..$n"
exit $fail
