#!/usr/bin/env bash
# tests/bench/rank.sh [BUILD_DIR [BENCH-RANK ARGS...]]: builds tests/bench-rank.c
# against the library and runs it: pairs per second of all-ranking under the hcr rule
# with top-100 selection against a plain sgemm of inner dimension 192, Tiktok-sized
# (76,085 items, d = 64) on 4,096 of the 36,656 users by default, extrapolated to all
# of them.  Prints its own lines.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
shift || true
[ $# -gt 0 ] || set -- -u 4096 -r 3 -j 2

make -s -C "$top" B="$build" "$build/libhcr.a" >&2
cflags=$(pkg-config --cflags openblas 2>/dev/null || true)
libs=$(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
${CC:-cc} -std=c11 -O2 -g -pthread -D_GNU_SOURCE -I"$top/lib" $cflags \
	-o "$build/bench-rank" "$top/tests/bench-rank.c" "$build/libhcr.a" $libs -lm -lpthread
"$build/bench-rank" "$@" | sed 's/^/rank: /'
