#!/usr/bin/env bash
# tests/bench/scoring.sh [BUILD_DIR [WORK_DIR]]: score-frontdoor itself on a
# Tiktok-sized model stream (36,656 users, 76,085 items, d = 64, an hcr model whose
# representations are drawn at random), every user's top 100 under the hcr rule,
# against the rate of a plain sgemm of the same total inner dimension (three 64-d
# products: 192) measured in the same run by bench-rank (tests/bench/rank.sh).  Prints
# pairs per second of each and their ratio, for 1 and 2 threads; the goal is a ratio
# of at least 0.5.  The inputs are made once (fixed seed) in WORK_DIR.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-bench-scoring}
users=36656 items=76085 clicks=726065 dim=64 k=100
say() { echo "scoring: $*"; }

make -s -C "$top" B="$build" all "$build/testtools/mkdataset" "$build/testtools/mkmodel" >&2
export PATH="$build/bin:$build/testtools:$PATH"
mkdir -p "$work"
cd "$work"
if [ ! -s model.mp ]; then
	say "generating the inputs in $work"
	awk -v U=$users -v I=$items -v N=$clicks -f "$top/tests/bench/tiktok-clicks.awk" | mkdataset > split.mp
	# entries of sd 1: each logit of d = 64 has sd 8, as bench-rank draws them
	mkmodel hcr $dim 1 < split.mp > model.mp.tmp && mv model.mp.tmp model.mp
fi
say "model.mp $(du -h model.mp | cut -f1): $users users, $items items, d = $dim, hcr"

# The sgemm rates of this machine now: bench-rank's baseline columns (pairs per wall
# second and per CPU second), one row a thread count.
rates=$(bash "$top/tests/bench/rank.sh" "$build" -u 4096 -r 3 -j 2 | tee /dev/stderr |
	awk -F'\t' '$1 ~ /^rank: [0-9]+$/ { sub(/^rank: /, "", $1); print $1, $2, $6 }')

printf 'scoring: %-7s %12s %12s %6s %12s %12s %6s %9s %6s\n' threads sgemm192 rank ratio \
	sgemm192_cpu rank_cpu ratio whole_s ratio
for t in 1 2; do
	read -r gemm gemm_cpu < <(awk -v t=$t '$1 == t { print $2, $3 }' <<<"$rates")
	# the best of two runs, as bench-rank takes the best of its: other work on the
	# machine only slows a run down
	best=
	for rep in 1 2; do
		start=$(date +%s.%N)
		score-frontdoor -v -j $t -k $k model.mp 2> err.txt > ranked.mp
		end=$(date +%s.%N)
		# score-frontdoor -v: "... in S s, C CPU s (R pairs/s, Q pairs per CPU s)"
		line=$(sed -n 's/.*(\([0-9.e+]*\) pairs\/s, \([0-9.e+]*\) pairs per CPU s)$/\1 \2/p' err.txt)
		line="$line $(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')"
		best=$(printf '%s\n%s\n' "$best" "$line" | awk 'NF == 3 && $1 > r { r = $1; l = $0 } END { print l }')
	done
	read -r rank rank_cpu wall <<<"$best"
	awk -v t=$t -v g="$gemm" -v gc="$gemm_cpu" -v r="$rank" -v rc="$rank_cpu" -v w="$wall" \
	    -v n=$((users * items)) 'BEGIN {
		printf "scoring: %-7d %12.4g %12.4g %6.3f %12.4g %12.4g %6.3f %9.1f %6.3f\n", t, g, r, r / g, gc, rc,
		    rc / gc, w, n / w / g
	}'
done
say "pairs per wall second, then per CPU second of all threads (steadier on a busy machine),"
say "the best of 2 runs of score-frontdoor (bench-rank: of 3);"
say "rank: the ranking itself (score-frontdoor -v); whole_s: the whole command, reading the"
say "147 MB model and writing the rankings included, its ratio to sgemm192 per wall second"
rm -f ranked.mp err.txt
