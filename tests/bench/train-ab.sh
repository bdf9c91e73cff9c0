#!/usr/bin/env bash
# tests/bench/train-ab.sh [BUILD_DIR [WORK_DIR]]: train-mtl's seconds per epoch of HCR on
# MMGCN, this tree against an older commit built beside it, as the ratio old / new
# (above 1: this tree is faster), exact and with --history, on two data sets:
#  - movielens: the demo's input (tests/bench/ab.inc), whole epochs; skipped without R
#    and dslabs;
#  - tiktok: the Tiktok-sized case of graph-features.sh (36,656 users, 76,085 items,
#    508,245 training clicks, three 128-d dense modalities), timed in two runs, of
#    BENCH_TT_BATCHES (default 4) and BENCH_TT_BATCHES + BENCH_TT_SPAN (default 20)
#    batches an epoch: the difference over the span is a batch's steady cost, without
#    the first batches' (memory first touched, arenas grown after a validation, which
#    made an extrapolation of the first 6 to 8 batches 60 % too high), extrapolated
#    to the epoch's 497, plus the epoch's validation, always run whole.
# A line compares the older commit's (exact) training with this tree's exact one, or
# with this tree's --history (the older commit has no such option): same data, seed
# and -j.
#
# The machine is shared and its speed drifts from minute to minute, so the two builds
# run alternately, BENCH_REPS times each (default 3; 1 for tiktok unless
# BENCH_TT_REPS says), and each reports the median of its runs; a ratio is of medians
# taken in the same command.  A run is --epochs 2 and its second epoch is timed
# (batches plus validation), so that the first epoch's one-time costs (the arenas
# growing to their size) are left out.  Besides the wall's seconds an epoch, a line
# gives the CPU seconds of the epoch's batches over all threads (steadier than the
# wall when other work shares the cores), extrapolated like the wall's, and the run's
# peak resident memory (GNU time).  BENCH_BATCHES=N times only the first N batches of
# a MovieLens epoch too, for a quick look.  BENCH_BASE (default: the merge base with
# main) is the commit compared against; BENCH_DATA ("movielens tiktok"), BENCH_MODES
# ("exact history") and BENCH_THREADS ("1 2") narrow the runs.  The old commit is
# built once into WORK_DIR/base-<commit>.
set -eu -o pipefail
[ -x /usr/bin/time ] || { echo "train-ab: needs /usr/bin/time (GNU time)"; exit 1; }
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-bench-train-ab}
batches=${BENCH_BATCHES:-0} tt_batches=${BENCH_TT_BATCHES:-4} tt_span=${BENCH_TT_SPAN:-20}
say() { echo "train-ab: $*"; }

. "$top/tests/bench/ab.inc"
cd "$work"

# run BIN DATA THREADS ARGS...: one run of two epochs; prints the second epoch's
# batches, of how many, wall seconds in them, validation seconds, CPU seconds in the
# batches, and the run's peak resident MiB
run() {
	local bin=$1 data=$2 j=$3
	shift 3
	/usr/bin/time -f '%M' -o mem.txt "$bin/train-mtl" -v --method hcr -j "$j" --epochs 2 \
		--patience 1000 "$@" "$data.mp" 2>log.txt >/dev/null || { cat log.txt >&2; return 1; }
	# "epoch E: B of N batches in T s (P s a batch), validation V s; cpu C s in the batches"
	awk -v kb="$(tail -1 mem.txt)" '/^train-mtl: epoch 2: .* batches in .* validation/ {
		sub(/;$/, "", $16); print $4, $6, $9, $16, $19, kb / 1024 }' log.txt
}

# epoch BIN DATA THREADS ARGS...: prints the wall seconds of an epoch (batches +
# validation) and its batches' CPU seconds, extrapolated to the whole epoch when it was
# cut short, and the peak resident MiB
epoch() {
	local bin=$1 data=$2 j=$3 a b
	shift 3
	if [ "$data" = tiktok ]; then
		a=$(run "$bin" "$data" "$j" --max-batches "$tt_batches" "$@") || return 1
		b=$(run "$bin" "$data" "$j" --max-batches $((tt_batches + tt_span)) "$@") || return 1
		echo "$a $b" | awk '{ d = $7 - $1; p = ($9 - $3) / d; c = ($11 - $5) / d
			printf "%.3f %.2f %.1f\n", p * $8 + $10, c * $8, ($12 > $6 ? $12 : $6) }'
		return
	fi
	[ "$batches" -gt 0 ] && set -- --max-batches "$batches" "$@"
	run "$bin" "$data" "$j" "$@" | awk '{ b = $1; n = $2
		printf "%.3f %.2f %.1f\n", (b == n ? $3 : $3 / b * n) + $4, $5 * n / b, $6 }'
}
median() { sort -g | awk '{ x[NR] = $1 } END { print NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v o="$1" -v n="$2" 'BEGIN { if (o > 0 && n > 0) printf "%5.2f", o / n; else print "    -" }'; }

say "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); HCR on MMGCN, this tree against ${base:0:12}, medians of alternating runs"
for data in ${BENCH_DATA:-movielens tiktok}; do
	if [ "$data" = movielens ]; then
		bench_movielens movielens.mp || { say "movielens: skipped, needs R with dslabs (make deps-demo)"; continue; }
		reps=${BENCH_REPS:-3}
	else
		bench_tiktok tiktok.mp
		reps=${BENCH_TT_REPS:-1}
	fi
	for mode in ${BENCH_MODES:-exact history}; do
		opt=()
		[ "$mode" = history ] && opt=(--history)
		for j in ${BENCH_THREADS:-1 2}; do
			: > old.txt
			: > new.txt
			for ((r = 0; r < reps; r++)); do
				epoch "$old/build/bin" "$data" "$j" >> old.txt
				epoch "$build/bin" "$data" "$j" "${opt[@]}" >> new.txt
			done
			o=$(cut -d' ' -f1 old.txt | median) n=$(cut -d' ' -f1 new.txt | median)
			oc=$(cut -d' ' -f2 old.txt | median) nc=$(cut -d' ' -f2 new.txt | median)
			om=$(cut -d' ' -f3 old.txt | median) nm=$(cut -d' ' -f3 new.txt | median)
			say "$(printf '%-9s %-7s -j %s  wall s/epoch old %7.2f new %7.2f old/new %s;  batches cpu s old %7.1f new %7.1f old/new %s;  peak MiB old %6.0f new %6.0f' \
				"$data" "$mode" "$j" "$o" "$n" "$(ratio "$o" "$n")" "$oc" "$nc" "$(ratio "$oc" "$nc")" "$om" "$nm")"
			say "  wall s/epoch, old: $(cut -d' ' -f1 old.txt | tr '\n' ' ')| new: $(cut -d' ' -f1 new.txt | tr '\n' ' ')"
		done
	done
done
