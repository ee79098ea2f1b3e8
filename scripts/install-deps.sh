#!/bin/bash
# Installs the Debian 12 packages that mod_auth0 needs to build, test and run
# its demo. Does nothing when everything is already installed; otherwise, as root
# it installs what is missing, as another user it does so through sudo (which asks
# for the user's password), and without sudo it lists what is missing and fails.
#   scripts/install-deps.sh          everything: build, tests, demo, benchmarks (scripts/test.sh)
#   scripts/install-deps.sh demo     the build's packages and what the demo runs (scripts/demo.sh)
#   scripts/install-deps.sh build    only what scripts/build.sh default needs
#                                    (docker/Dockerfile's build stage)
set -euo pipefail

# what `scripts/build.sh default` needs (gcc; configure checks each of these)
build_packages=(
	build-essential autoconf automake libtool pkg-config
	apache2-dev libapr1-dev libaprutil1-dev
	libcurl4-openssl-dev libjansson-dev libssl-dev libcjose-dev zlib1g-dev libhiredis-dev
)
# what scripts/demo.sh runs besides the build: httpd, and the fake tenant (Perl: Mojolicious, CryptX,
# Crypt::JWT, IO::Socket::SSL for --tenant-tls; openssl makes its CA; curl checks and fetches a token),
# as docker/Dockerfile's demo target has them
demo_packages=(apache2 curl openssl perl libmojolicious-perl libio-socket-ssl-perl libcryptx-perl libcrypt-jwt-perl)
packages=("${build_packages[@]}" "${demo_packages[@]}"
	# the other builds (clang: asan, fuzz; libpcre2-dev, which apache2-dev pulls in anyway, for the
	# fuzz harness's regular expressions: configure --enable-fuzz checks it)
	clang libclang-rt-14-dev llvm libpcre2-dev
	# tests (besides httpd and the fake tenant, above): Apache::Test, caches, tools
	ca-certificates libapache2-mod-perl2 libwww-perl libhttp-cookies-perl redis-server memcached
	# t/apache/t/api/trust-clock.t: httpd under a clock the test moves (Auth0Test::Clock)
	faketime
	python3 openjdk-17-jre-headless
	# the browser test (t/browser): Debian's Chromium, driven by playwright-core from npm
	chromium
	# benchmarks (pgrep: bench/module-throughput; valgrind: its --instructions (callgrind); patch:
	# bench/session-path-ablation and its test)
	wrk procps valgrind patch
)

set=${1:-all}
case "$set" in
all) ;;
demo) packages=("${build_packages[@]}" "${demo_packages[@]}") ;;
build) packages=("${build_packages[@]}") ;;
*) echo "install-deps: unknown set '$set' (all, demo, build)" >&2; exit 2 ;;
esac

# WireMock (t/wire) and playwright-core (t/browser, pinned for this) run on any Node.js
# from 18 on: the CI machines have their own, Debian 12's (18) is installed only when
# there is none.
[ "$set" != all ] || command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages: ${missing[*]}" >&2
	if command -v sudo >/dev/null 2>&1; then
		# only this script runs as root: builds and tests stay the user's (no root-owned files in the clone)
		echo "install-deps: installing them with sudo" >&2
		exec sudo "$0" "$set"
	fi
	echo "install-deps: run this script as root to install them (there is no sudo here)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${missing[@]}"
