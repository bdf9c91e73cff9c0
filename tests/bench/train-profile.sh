#!/usr/bin/env bash
# tests/bench/train-profile.sh [BUILD_DIR [WORK_DIR]]: where the batches of an exact
# HCR-MMGCN epoch spend their CPU time, by stage, and the floor those stages set: how
# fast an epoch could be if everything else cost nothing.  On the inputs of
# train-ab.sh: the demo's MovieLens (skipped without R and dslabs) and the Tiktok-sized
# case (its epochs cut to BENCH_TT_BATCHES batches, default 24).
#
# Two runs of three epochs each; the third epoch is measured, so that the first two
# epochs' one-time costs (memory touched first as the arenas grow to their size) are
# left out.  The first run is timed alone (train-mtl -v: wall and CPU seconds of the
# batches, the validation's seconds); the second has perf sampling it through its
# third epoch, and gives the stages' shares.  A batch's sample goes to the first stage
# its call stack names:
#   products  OpenBLAS's matrix products (their packing and zeroing included)
#   means     the sparse neighbourhood means, forward and transposed
#   update    Adam, its finiteness check, and the id table's gradient sum
#   plans     the batch's neighbourhoods and mean matrices
#   kernel    the kernel's work under any of them (memory touched first)
#   rest      everything else: normalisations, activations, copies, additions, bags,
#             gathers, losses (its five costliest functions are named)
# (the validation's samples are left out: its seconds are the timed run's), and the
# share of the products and means cut into row blocks, which the threads out of
# branches share.  A stage's seconds are its share of the timed run's CPU seconds in
# the batches over the thread count: what it would take alone, the threads never
# waiting.  The floor is the
# products', means', update's and plans' seconds plus the validation's: no fusion of
# the other passes makes an epoch faster than that; only fewer products or sparse
# reads would.  Needs perf allowed to profile its own processes (here: as root, or
# kernel.perf_event_paranoid at most 2); says so and stops otherwise.  BENCH_DATA
# ("movielens tiktok") and BENCH_THREADS (default 2) narrow the runs,
# BENCH_PERF_RATE (default 250) sets the samples a second.  Prints its own lines.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-bench-train-profile}
rate=${BENCH_PERF_RATE:-250} tt_batches=${BENCH_TT_BATCHES:-24}
say() { echo "train-profile: $*"; }

make -s -C "$top" B="$build" all >&2
mkdir -p "$work"
cd "$work"
if ! command -v perf >/dev/null || ! perf record -q -o perf.probe -- true >/dev/null 2>&1; then
	say "skipped: needs perf, allowed to profile (Debian: linux-perf; kernel.perf_event_paranoid at most 2)"
	exit 0
fi
rm -f perf.probe perf.probe.old
. "$top/tests/bench/inputs.inc"

# train DATA J ARGS...: train-mtl on DATA.mp for three epochs in the background, its
# log in log.txt; sets pid
train() {
	local data=$1 j=$2
	shift 2
	rm -f log.txt
	"$build/bin/train-mtl" -v --method hcr -j "$j" --epochs 3 --patience 1000 "$@" \
		"$data.mp" 2>log.txt >/dev/null &
	pid=$!
}

# timed DATA J ARGS...: prints the third epoch's batches' wall and CPU seconds, its
# validation's seconds, and its batches run and in all
timed() {
	train "$@"
	wait "$pid" || { cat log.txt >&2; return 1; }
	# "epoch E: B of N batches in T s (P s a batch), validation V s; cpu C s in the batches"
	awk '/^train-mtl: epoch 3: .* batches in .* validation/ { sub(/;$/, "", $16)
		print $9, $19, $16, $4, $6 }' log.txt
}

# until_logged LINE: waits for the run to log an epoch's LINE ("epoch 2:"); 1 if it
# ended first
until_logged() {
	until grep -q "^train-mtl: $1" log.txt 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
}

# sampled DATA J ARGS...: the stacks of perf's samples of the third epoch (until its
# validation is through, before the model is written), into stacks.txt
sampled() {
	local perf_pid
	train "$@"
	until_logged 'epoch 2:' || { wait "$pid" || true; cat log.txt >&2; return 1; }
	# dwarf stacks: the default build keeps no frame pointers
	perf record -q -F "$rate" --call-graph dwarf,8192 -o perf.data -p "$pid" >/dev/null 2>&1 &
	perf_pid=$!
	until_logged 'epoch 3:' || true
	kill -INT "$perf_pid" 2>/dev/null || true
	wait "$perf_pid" || true
	wait "$pid" || { cat log.txt >&2; return 1; }
	perf script -i perf.data -F ip,sym 2>/dev/null > stacks.txt
	rm -f perf.data perf.data.old
}

# report DATA J WALL CPU VALID B N: the stages from stacks.txt, scaled to the timed run
# of B batches of the epoch's N
report() {
	awk -v data="$1" -v j="$2" -v wall="$3" -v cpu="$4" -v valid="$5" -v b="$6" -v nb="$7" '
	function flush(   s) {
		if (depth == 0) return
		s = "rest"
		if (st ~ / (end_epoch|train_validate|bb_full|full_task|rank_users|fill_sigprod) /)
			s = "validation"
		else if (topip ~ /^ffff/) s = "kernel"
		else if (st ~ / cblas_[sd]gemm /) {
			s = "products"
			cut += st ~ / gemm_rows_task /
		}
		else if (st ~ / [a-z_]*spmm[a-z_]* /) {
			s = "means"
			cut += st ~ / spmm_block /
		}
		else if (st ~ / (adam_task|adam_run_ranges|id_reduce_task) /) s = "update"
		else if (st ~ / (bb_plan_build|bb_plan_build_history|step_plans_build) /) s = "plans"
		else leaf[top1]++
		if (s != "validation") { n[s]++; total++ }
		depth = 0; st = " "
	}
	/^[ \t]*[0-9a-f]+ / && NF >= 2 {
		if (depth++ == 0) { topip = $1; top1 = $2 }
		st = st $2 " "; next
	}
	/^[ \t]*$/ { flush() }
	END {
		flush()
		if (total == 0) { print "train-profile: " data " -j " j ": no samples of batches"; exit 1 }
		printf "train-profile: %s -j %d: %d of %d batches %.2f s (%.2f CPU s), validation %.2f s; %d samples of the batches:\n",
		    data, j, b, nb, wall, cpu, valid, total
		split("products means update plans kernel rest", order, " ")
		line = ""
		for (k = 1; k <= 6; k++) {
			s = order[k]
			line = line sprintf("  %s %.1f%% %.2f s", s, 100 * n[s] / total, n[s] / total * cpu / j)
		}
		print "train-profile:  " line
		printf "train-profile:   products and means in row blocks (which threads out of branches share): %.1f%%\n",
		    100 * cut / total
		f = (n["products"] + n["means"] + n["update"] + n["plans"]) / total * cpu / j
		# a cut epoch: its batches extrapolated to all of them
		x = nb / b
		printf "train-profile:   floor %.1f s an epoch (products, means, update, plans %.1f s + validation %.1f s), against %.1f s%s\n",
		    f * x + valid, f * x, valid, wall * x + valid,
		    b < nb ? sprintf(" (%d of %d batches run, extrapolated)", b, nb) : ""
		m = 0
		for (s in leaf) keys[++m] = s
		for (p = 1; p <= m; p++) for (q = p + 1; q <= m; q++)
			if (leaf[keys[q]] > leaf[keys[p]]) { t = keys[p]; keys[p] = keys[q]; keys[q] = t }
		line = ""
		for (p = 1; p <= m && p <= 5; p++)
			line = line sprintf("  %s %.1f%%", keys[p], 100 * leaf[keys[p]] / total)
		print "train-profile:   rest, costliest:" line
	}' stacks.txt
}

say "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); HCR on MMGCN, exact, the third epoch's batches"
for data in ${BENCH_DATA:-movielens tiktok}; do
	opt=()
	if [ "$data" = movielens ]; then
		bench_movielens movielens.mp || { say "movielens: skipped, needs R with dslabs (make deps-demo)"; continue; }
	else
		bench_tiktok tiktok.mp
		opt=(--max-batches "$tt_batches")
	fi
	for j in ${BENCH_THREADS:-2}; do
		t=$(timed "$data" "$j" "${opt[@]}")
		sampled "$data" "$j" "${opt[@]}"
		# shellcheck disable=SC2086
		report "$data" "$j" $t
	done
done
