#!/bin/bash
# Builds libauth0, its CLI and mod_auth0 out of tree.
#   scripts/build.sh            -> build/default (gcc, -Werror)
#   scripts/build.sh asan       -> build/asan    (clang, AddressSanitizer + UndefinedBehaviorSanitizer)
#   scripts/build.sh clang      -> build/clang   (clang, -Werror)
#   scripts/build.sh fuzz       -> build/fuzz    (clang, libFuzzer targets of fuzz/ with ASan + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
variant=${1:-default}

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ ! -f build-aux/tap-driver.sh ]; then
	autoreconf -fi
fi

case "$variant" in
default) args=() ;;
clang) args=(CC=clang) ;;
asan) args=(CC=clang --enable-sanitizers) ;;
fuzz) args=(CC=clang --enable-fuzz) ;;
*) echo "build.sh: unknown variant '$variant' (default, clang, asan, fuzz)" >&2; exit 2 ;;
esac

mkdir -p "build/$variant"
cd "build/$variant"
if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ]; then
	"$top/configure" --enable-silent-rules "${args[@]}"
fi
make -j"$(nproc)"
