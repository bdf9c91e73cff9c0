#!/usr/bin/env bash
# tests/bench/near-models.sh [BUILD_DIR [WORK_DIR]]: how far this tree's HCR on MMGCN is
# from an older commit's (BENCH_BASE, default the merge base with main), for changes
# that reorder exact arithmetic and so move the last bits (same-models.sh is for those
# that move none).  Both builds train HCR with the same seed for BENCH_NEAR_EPOCHS
# epochs (default 3) on two simulations (sim as same-models.sh makes it, 300 items;
# sim2k, 2,000 items, whose batches reach more than 512 items) and on the demo's
# MovieLens (skipped without R and dslabs).  A float training amplifies any change of
# rounding from step to step, so the yardstick is the older commit against itself on
# another of OpenBLAS's kernels (OPENBLAS_CORETYPE, Haswell, or Sandybridge where the
# machine's is Haswell): a change of rounding and nothing else.  For each data set and
# pair, prints the first epoch's loss apart (relative), the largest difference of the
# validation NDCG@50 over the epochs, and of a representation block relative to its
# largest value.  Ends with "same model to rounding" when this tree is no further from
# the older commit than twice the yardstick (or 1e-4 in NDCG and 1e-3 in the blocks),
# else "APART" (exit 1).
set -eu -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-bench-near-models}
epochs=${BENCH_NEAR_EPOCHS:-3}
say() { echo "near-models: $*"; }

. "$top/tests/bench/ab.inc"
cd "$work"
export OPENBLAS_NUM_THREADS=1

# blocks FILE: every model block's values, a line each: "block value"
blocks() {
	"$build/bin/stream-cat" --full --section model "$1" |
		jq -r 'select(.block) | .block as $b | .data[] | "\($b) \(.)"'
}
# ndcg FILE: the validation NDCG@50 of every epoch, a line each
ndcg() { "$build/bin/stream-cat" -H "$1" | jq -r 'select(.section == "model") | .meta.epoch_log[] | .[-1]'; }

bench_movielens movielens.mp || say "MovieLens skipped: needs R with dslabs (make deps-demo)"
# sim: batches of fewer than 512 items; sim2k: of more, so that a dense modality's
# products run in several blocks (ad_l2norm_mlp)
for s in "sim:-u 200 -i 300" "sim2k:-u 1000 -i 2000"; do
	name=${s%%:*}
	[ -s $name.mp ] && continue
	rm -rf $name && "$build/bin/simulate" ${s#*:} -s 7 -d $name 2>/dev/null
	"$build/bin/split-chrono" $name/log.csv | "$build/bin/build-graph" |
		"$build/bin/extract-features" -m content:content=$name/content.csv \
		-m exposure:exposure=$name/exposure.csv > $name.mp
done
core=$(OPENBLAS_NUM_THREADS=1 "$old/build/bin/train-mtl" --method hcr --epochs 1 --max-batches 1 sim.mp 2>/dev/null |
	"$build/bin/stream-cat" -H | jq -r 'select(.section == "model") | .blas')
other=Haswell
[ "$core" = Haswell ] && other=Sandybridge
say "this tree against ${base:0:12}: HCR on MMGCN, $epochs epochs, seed 2, -j 2; yardstick: ${base:0:12} on OpenBLAS's $other kernel against its $core"
# apart A B: "loss1 ndcg reps" differences of model streams A and B
apart() {
	local l n r
	l=$(paste -d' ' <("$build/bin/stream-cat" -H "$1" | jq -r 'select(.section == "model") | .meta.epoch_log[0][1]') \
		<("$build/bin/stream-cat" -H "$2" | jq -r 'select(.section == "model") | .meta.epoch_log[0][1]') |
		awk '{ d = ($1 - $2) / $1; printf "%.2g", d < 0 ? -d : d }')
	n=$(paste -d' ' <(ndcg "$1") <(ndcg "$2") | awk '
		{ d = $1 - $2; d = d < 0 ? -d : d; if (d > w) w = d } END { printf "%.2g", w }')
	r=$(paste -d' ' <(blocks "$1") <(blocks "$2" | cut -d' ' -f2) | awk '
		{ d = $2 - $3; d = d < 0 ? -d : d; a = $2 < 0 ? -$2 : $2
		  if (d > md[$1]) md[$1] = d; if (a > ma[$1]) ma[$1] = a }
		END { for (b in md) if (ma[b] > 0 && md[b] / ma[b] > w) w = md[b] / ma[b]; printf "%.2g", w }')
	echo "$l $n $r"
}
far=0
for data in sim sim2k movielens; do
	[ -s $data.mp ] || continue
	"$old/build/bin/train-mtl" --method hcr --epochs "$epochs" --patience 1000 --seed 2 -j 2 \
		$data.mp > $data-old.mp 2>/dev/null
	OPENBLAS_CORETYPE=$other "$old/build/bin/train-mtl" --method hcr --epochs "$epochs" \
		--patience 1000 --seed 2 -j 2 $data.mp > $data-kernel.mp 2>/dev/null
	"$build/bin/train-mtl" --method hcr --epochs "$epochs" --patience 1000 --seed 2 -j 2 \
		$data.mp > $data-new.mp 2>/dev/null
	read -r yl yn yr <<< "$(apart $data-old.mp $data-kernel.mp)"
	read -r nl nn nr <<< "$(apart $data-old.mp $data-new.mp)"
	say "  $data: this tree:   epoch 1 loss apart $nl, validation ndcg@50 by at most $nn, representations by $nr of a block's largest value"
	say "  $data: yardstick:   epoch 1 loss apart $yl, validation ndcg@50 by at most $yn, representations by $yr"
	awk -v nn="$nn" -v nr="$nr" -v yn="$yn" -v yr="$yr" \
		'BEGIN { exit !((nn <= 2 * yn || nn <= 1e-4) && (nr <= 2 * yr || nr <= 1e-3)) }' || far=1
done
[ $far = 0 ] && say "same model to rounding" || { say "APART"; exit 1; }
