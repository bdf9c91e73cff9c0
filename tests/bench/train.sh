#!/usr/bin/env bash
# tests/bench/train.sh [BUILD_DIR [WORK_DIR]]: seconds per epoch and peak memory of
# train-mtl for HCR and CT, MMGCN and MF, -j 1 and -j 2, on two data sets:
#  - movielens: the demo's data as pipelines/data.mk makes it (dslabs::movielens split
#    per user, a rating of 4 or more a like, title words as exposure, genres and decade
#    as content), whole
#    epochs (BENCH_EPOCHS, default 2, averaged); skipped when R or dslabs is missing;
#  - tiktok: the Tiktok-sized case of graph-features.sh (36,656 users, 76,085 items,
#    726,065 clicks, three 128-d dense modalities, video taken as exposure), timed on
#    the first BENCH_BATCHES (default 12) batches of one epoch, their median
#    extrapolated to the epoch's batch count (the mean of the first few is up to 60 %
#    too high: memory is touched first then), plus the epoch's validation, which is
#    always run whole.
# An epoch is its batches plus validation (the full-graph pass and the ranking); cpu is
# the run's user + system time, peak its maximum resident set (GNU time).  Inputs are
# made once in WORK_DIR and reused.  BENCH_THREADS (default "1 2"), BENCH_DATA (default
# "movielens tiktok"), BENCH_METHODS ("hcr ct") and BENCH_BACKBONES ("mmgcn mf") narrow
# the runs.  Prints its own lines.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-bench-train}
epochs=${BENCH_EPOCHS:-2} batches=${BENCH_BATCHES:-12}
say() { echo "train: $*"; }

make -s -C "$top" B="$build" all "$build/testtools/mkdataset" >&2
export PATH="$build/bin:$build/testtools:$PATH"
[ -x /usr/bin/time ] || { say "needs /usr/bin/time (GNU time) for peak memory"; exit 1; }
mkdir -p "$work"
cd "$work"

. "$top/tests/bench/inputs.inc"
movielens() { # makes movielens.mp, or says why not
	bench_movielens movielens.mp && return 0
	say "movielens: skipped, needs R with dslabs (make deps-demo)"
	return 1
}
tiktok() { bench_tiktok tiktok.mp; }

# run DATA METHOD BACKBONE THREADS: one timed run, one line
run() {
	local data=$1 method=$2 backbone=$3 j=$4 limit
	if [ "$data" = movielens ]; then limit=(--epochs "$epochs")
	else limit=(--epochs 1 --max-batches "$batches"); fi
	/usr/bin/time -v -o time.txt train-mtl -v --method "$method" --backbone "$backbone" \
		-j "$j" "${limit[@]}" --patience 1000 "$data.mp" 2>log.txt >/dev/null ||
		{ say "$data $method $backbone -j $j: failed"; cat log.txt >&2; return 1; }
	awk -v what="$(printf '%-9s %-6s %-5s -j %s' "$data" "$method" "$backbone" "$j")" -F': ' '
		/batches in .* validation/ {
			# "epoch E: B of N batches in T s (P s a batch), validation V s; cpu C s in
			# the batches; median batch M s"
			split($3, w, " ")
			b = w[1]; n = w[3]; t = w[6]; p = substr(w[8], 2); v = w[13]
			if (match($0, /median batch [0-9.]+/)) p = substr($0, RSTART + 13, RLENGTH - 13)
			if (b == n) { sum += t + v; full++ } else { sum += p * n + v; part++ }
			bsum += p; vsum += v; cnt++; nb = n; tb = b
		}
		/Elapsed \(wall clock\)/ { k = split($2, q, ":"); wall = 0; for (i = 1; i <= k; i++) wall = wall * 60 + q[i] }
		/User time/ { cpu += $2 }
		/System time/ { cpu += $2 }
		/Maximum resident set size/ { kb = $2 }
		END {
			if (!cnt) { printf "train: %s: no epoch line\n", what; exit 1 }
			note = part ? sprintf("extrapolated from %d of %d batches", tb, nb) : sprintf("%d epoch%s", full, full > 1 ? "s" : "")
			printf "train: %s  %8.2f s/epoch (%4d batches x %.4f s + validation %6.2f s)  cpu %8.1f s  peak %7.1f MiB  [%s]\n",
				what, sum / cnt, nb, bsum / cnt, vsum / cnt, cpu, kb / 1024, note
		}' log.txt time.txt
}

say "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for data in ${BENCH_DATA:-movielens tiktok}; do
	$data || continue
	say "$data: $(stream-cat -l $data.mp | jq -r -s 'map(select(.section == "vocab" or .section == "split")) | "\(.[0].meta.users) users, \(.[0].meta.items) items, \(.[1].meta.train) training clicks"')"
	for method in ${BENCH_METHODS:-hcr ct}; do
		for backbone in ${BENCH_BACKBONES:-mmgcn mf}; do
			for j in ${BENCH_THREADS:-1 2}; do
				run "$data" "$method" "$backbone" "$j" || true
			done
		done
	done
done
