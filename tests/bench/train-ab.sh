#!/usr/bin/env bash
# tests/bench/train-ab.sh [BUILD_DIR [WORK_DIR]]: train-mtl's seconds per epoch on the
# demo's MovieLens input, this tree against an older commit built beside it, as the
# ratio old / new (above 1: this tree is faster).
#
# The machine is shared and its speed drifts from minute to minute, so the two builds
# run alternately, BENCH_REPS times each (default 3), and each reports the median of
# its runs; a ratio is of medians taken in the same command.  A run is --epochs 2 and
# its second epoch is timed (batches plus validation), so that the first epoch's
# one-time costs (the arenas growing to their size) are left out; BENCH_BATCHES=N
# times only the first N batches of that epoch, extrapolated, for a quick look.
# BENCH_BASE (default: the merge base with main) is the commit compared against;
# BENCH_METHODS ("hcr ct") and BENCH_THREADS ("1 2") narrow the runs.  The old
# commit is built once into WORK_DIR/base-<commit>.  Skipped without R and dslabs.
set -eu -o pipefail
[ -x /usr/bin/time ] || { echo "train-ab: needs /usr/bin/time (GNU time)"; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-bench-train-ab}
reps=${BENCH_REPS:-3} batches=${BENCH_BATCHES:-0}
say() { echo "train-ab: $*"; }

. "$top/tests/bench/ab.inc"
cd "$work"
ab_movielens movielens.mp || { say "skipped, needs R with dslabs (make deps-demo)"; exit 0; }

# epoch BIN METHOD THREADS: the second epoch's wall seconds (batches + validation), and
# the CPU seconds of the whole run (user + system, all threads: steadier than the wall's
# when other work shares the cores)
epoch() {
	local limit=()
	[ "$batches" -gt 0 ] && limit=(--max-batches "$batches")
	/usr/bin/time -f '%U %S' -o cpu.txt "$1/train-mtl" -v --method "$2" -j "$3" --epochs 2 \
		--patience 1000 "${limit[@]}" movielens.mp 2>log.txt >/dev/null || { cat log.txt >&2; return 1; }
	# "epoch E: B of N batches in T s (P s a batch), validation V s"
	awk '/^train-mtl: epoch 2: .* batches in .* validation/ {
		b = $4; n = $6; t = $9; p = substr($11, 2); v = $16
		printf "%.3f ", (b == n ? t : p * n) + v }' log.txt
	awk '{ printf "%.2f\n", $1 + $2 }' cpu.txt
}
median() { sort -g | awk '{ x[NR] = $1 } END { print NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2 }'; }

say "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); this tree against ${base:0:12}, median of $reps runs each, alternating"
for method in ${BENCH_METHODS:-hcr ct}; do
	for j in ${BENCH_THREADS:-1 2}; do
		: > old.txt
		: > new.txt
		for ((r = 0; r < reps; r++)); do
			epoch "$old/build/bin" "$method" "$j" >> old.txt
			epoch "$build/bin" "$method" "$j" >> new.txt
		done
		o=$(cut -d' ' -f1 old.txt | median) n=$(cut -d' ' -f1 new.txt | median)
		oc=$(cut -d' ' -f2 old.txt | median) nc=$(cut -d' ' -f2 new.txt | median)
		say "$(printf '%-4s -j %s  wall old %6.2f new %6.2f s/epoch, old/new %4.2f;  cpu a run old %6.1f new %6.1f s, old/new %s' \
			"$method" "$j" "$o" "$n" "$(awk -v o="$o" -v n="$n" 'BEGIN { print o / n }')" "$oc" "$nc" \
			"$(awk -v o="$oc" -v n="$nc" 'BEGIN { if (o > 0 && n > 0) printf "%4.2f", o / n; else print "-" }')")"
		say "  wall s/epoch, old: $(cut -d' ' -f1 old.txt | tr '\n' ' ')| new: $(cut -d' ' -f1 new.txt | tr '\n' ' ')"
	done
done
