#!/usr/bin/env bash
# pipelines/history-quality.sh [BUILD_DIR [WORK_DIR]]: what train-mtl --history costs in
# quality and gains in speed.  HCR on MMGCN, trained exactly and with --history (the
# historical embeddings of GNNAutoScale), each with three seeds (SEEDS, default
# "1 2 3") and the default early stopping, on two data sets:
#  - movielens: the demo's input (needs R with dslabs);
#  - sim: the simulator (simulate -u 1000 -i 2000 -s 1, its content and exposure
#    modalities);
# both made by pipelines/data.mk, as every experiment makes them.  HQ_DATA="sim" (or
# "movielens") runs one of them, HQ_MODES="history" (or "exact") one mode.  Each
# model is ranked by its default rule (hcr-c, the centred split) and measured on the
# test part: NDCG@50 and Recall@50 as evaluate(1) reports them.  Prints a line a run, then per
# data set and mode the mean and sample sd over the seeds, and the CPU seconds an epoch
# (user + system over the run, divided by its epochs, the first pass that fills the
# histories included).  Runs one training at a time with -j J (default 2), under nice.
# A few hours on two shared cores; the runs are kept in WORK_DIR and reused.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-history-quality}
seeds=${SEEDS:-1 2 3} j=${J:-2} modes=${HQ_MODES:-exact history}
bin=$build/bin
say() { echo "history-quality: $*"; }

make -s -C "$top" B="$build" all >&2
[ -x /usr/bin/time ] || { say "needs /usr/bin/time (GNU time)"; exit 1; }
mkdir -p "$work"
cd "$work"
export OPENBLAS_NUM_THREADS=1

# feats DATA: the data set as every experiment makes it (pipelines/data.mk), in
# WORK_DIR/data/DATA/feats.mp, made once; 1 for movielens without R and dslabs.
feats() {
	if [ "$1" = movielens ] && [ ! -s "data/movielens/feats.mp" ] &&
	    ! { command -v Rscript >/dev/null && Rscript -e 'library(dslabs)' >/dev/null 2>&1; }; then
		say "movielens: skipped, needs R with dslabs (make deps-demo)" >&2
		return 1
	fi
	make -s -f "$top/pipelines/data.mk" DATA="$1" RESULTS="$work" BIN="$bin" data >&2
}

# run DATA MODE SEED: trains (once), ranks, measures; prints "ndcg recall epochs cpu"
run() {
	local data=$1 mode=$2 seed=$3 out=$1-$2-$3 opt=()
	[ "$mode" = history ] && opt=(--history)
	if [ ! -s "$out.json" ]; then
		nice /usr/bin/time -f '%U %S' -o "$out.time" "$bin/train-mtl" --method hcr --seed "$seed" \
			-j "$j" "${opt[@]}" -o "$out.mp" "data/$data/feats.mp" 2> "$out.log"
		"$bin/score-frontdoor" -k 50 -j "$j" "$out.mp" | "$bin/evaluate" -k 50 --json - > "$out.json.tmp"
		mv "$out.json.tmp" "$out.json"
	fi
	printf '%s %s %s %s\n' \
		"$(jq -r '.runs.hcr.test["ndcg@50"]' "$out.json")" \
		"$(jq -r '.runs.hcr.test["recall@50"]' "$out.json")" \
		"$("$bin/stream-cat" -H "$out.mp" | jq -r 'select(.section == "model") | .meta.epoch_log | length')" \
		"$(awk '{ print $1 + $2 }' "$out.time")"
}

# mean and sample sd of column C of a file
msd() { awk -v c="$1" '{ x[NR] = $c; s += $c } END { m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
	printf "%.4f +- %.4f", m, (NR > 1 ? sqrt(v / (NR - 1)) : 0) }' "$2"; }

say "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); HCR on MMGCN, seeds $seeds, -j $j"
for data in ${HQ_DATA:-movielens sim}; do
	feats "$data" || continue
	for mode in $modes; do
		: > "$data-$mode.txt"
		for seed in $seeds; do
			r=$(run "$data" "$mode" "$seed")
			echo "$r" >> "$data-$mode.txt"
			read -r nd rc ep cpu <<< "$r"
			say "$(printf '%-9s %-7s seed %s  test ndcg@50 %.4f recall@50 %.4f  %3d epochs  %6.1f cpu s (%.2f s an epoch)' \
				"$data" "$mode" "$seed" "$nd" "$rc" "$ep" "$cpu" "$(awk -v c="$cpu" -v e="$ep" 'BEGIN { print c / e }')")"
		done
	done
	for mode in $modes; do
		awk '{ print $4 / $3 }' "$data-$mode.txt" > "$data-$mode.cpu"
		say "$(printf '%-9s %-7s test ndcg@50 %s  recall@50 %s  cpu s an epoch %s' "$data" "$mode" \
			"$(msd 1 "$data-$mode.txt")" "$(msd 2 "$data-$mode.txt")" "$(msd 1 "$data-$mode.cpu")")"
	done
done
