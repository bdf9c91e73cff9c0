#!/usr/bin/env bash
# tests/bench/same-models.sh [BUILD_DIR [WORK_DIR]]: does this tree make the same bytes
# as an older commit (BENCH_BASE, default the merge base with main)?  Both builds run
# the same short jobs: a simulated data set through every tool and every method (MF,
# and HCR and CT on MMGCN), and HCR and CT on MMGCN on the demo's MovieLens (without R
# and dslabs, that part is skipped), and HCR with --history on both when the older
# commit has it; each stream (data, models, rankings, reports) is compared whole.
# Prints one line a stream and ends with "same bytes" or "DIFFER"; exits 1 on a
# difference.  For changes meant to leave behaviour as it was.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-bench-same-models}
say() { echo "same-models: $*"; }

. "$top/tests/bench/ab.inc"
cd "$work"
export OPENBLAS_NUM_THREADS=1

# jobs BIN OUT: every stream of the short runs, made by the tools in BIN, into OUT/;
# the paths are the same for both, since stream headers record the arguments
jobs() {
	local bin=$1 out=. m
	rm -rf "$2" && mkdir -p "$2" && cd "$2"
	"$bin/simulate" -u 200 -i 300 -s 7 -d "$out/sim" 2>/dev/null
	"$bin/split-chrono" "$out/sim/log.csv" | "$bin/build-graph" |
		"$bin/extract-features" -m content:content="$out/sim/content.csv" \
		-m exposure:exposure="$out/sim/exposure.csv" > "$out/sim.mp"
	for m in hcr hcr-ns ct esmm cr multi-ipw multi-dr dcf; do
		"$bin/train-mtl" --method $m --backbone mf --epochs 3 --seed 2 "$out/sim.mp" \
			> "$out/sim-mf-$m.mp"
		"$bin/score-frontdoor" --all -k 20 --rule "$(rules $m)" "$out/sim-mf-$m.mp" \
			> "$out/sim-mf-$m.rank.mp"
	done
	for m in hcr ct; do
		"$bin/train-mtl" --method $m --epochs 2 --seed 2 -j 2 "$out/sim.mp" > "$out/sim-mmgcn-$m.mp"
	done
	if [ "$history" = 1 ]; then
		"$bin/train-mtl" --history --epochs 2 --seed 2 -j 2 "$out/sim.mp" > "$out/sim-mmgcn-history.mp"
	fi
	"$bin/train-mtl" --method ct --epochs 2 --seed 2 "$out/sim-mmgcn-hcr.mp" |
		"$bin/score-frontdoor" --all -k 20 |
		"$bin/evaluate" -k 10,20 --json - "$out/sim/truth.mp" > "$out/sim-mmgcn.json"
	if [ -s ../movielens.mp ]; then
		for m in hcr ct; do
			"$bin/train-mtl" --method $m --epochs 2 --max-batches 8 --seed 2 -j 2 - \
				< ../movielens.mp > "$out/movielens-$m.mp"
		done
		if [ "$history" = 1 ]; then
			"$bin/train-mtl" --history --epochs 2 --max-batches 8 --seed 2 -j 2 - \
				< ../movielens.mp > "$out/movielens-history.mp"
		fi
	fi
	cd ..
}
# rules METHOD: the method's rules (HCR's four; the default for the others)
rules() { [ "${1%-ns}" = hcr ] && echo hcr,hcr-t,hcr-s1,hcr-s2 || echo default; }

bench_movielens movielens.mp || say "MovieLens skipped: needs R with dslabs (make deps-demo)"
# HCR with --history too, when the older commit has it
history=0
"$old/build/bin/train-mtl" --help 2>&1 | grep -q -- --history && history=1 ||
	say "--history skipped: ${base:0:12} has no such option"
say "this tree against ${base:0:12}"
jobs "$old/build/bin" old
jobs "$build/bin" new
differ=0
for f in new/*.mp new/*.json new/sim/*; do
	name=${f#new/}
	if cmp -s "old/$name" "$f"; then
		say "  $name: same ($(sha256sum < "$f" | cut -c1-16))"
	else
		say "  $name: DIFFERS"
		differ=1
	fi
done
[ $differ = 0 ] && say "same bytes" || { say "DIFFER"; exit 1; }
