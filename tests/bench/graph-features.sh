#!/usr/bin/env bash
# tests/bench/graph-features.sh [BUILD_DIR [WORK_DIR]]: times build-graph and
# extract-features, with their peak memory, on a Tiktok-sized case: 36,656 users,
# 76,085 items, 726,065 clicks, three 128-d dense modalities (video and audio as
# JSON lines like the Tiktok files, a third as CSV).  The inputs are generated once
# (fixed seed) in WORK_DIR and reused by later runs.  Prints its own lines.
set -eu -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
work=${2:-${TMPDIR:-/tmp}/hcr-bench-graph-features}
users=36656 items=76085 clicks=726065 dim=128
say() { echo "graph-features: $*"; }

make -s -C "$top" B="$build" all "$build/testtools/mkdataset" >&2
export PATH="$build/bin:$build/testtools:$PATH"
[ -x /usr/bin/time ] || { say "needs /usr/bin/time (GNU time) for peak memory"; exit 1; }
mkdir -p "$work"
cd "$work"

if [ ! -s split.mp ] || [ ! -s visual.csv ]; then
	say "generating the inputs in $work"
	awk -v U=$users -v I=$items -v N=$clicks -f "$top/tests/bench/tiktok-clicks.awk" | mkdataset > split.mp
	# video: one line per item; audio: 1 % of items repeated, 0.5 % empty vectors
	awk -v I=$items -v D=$dim 'BEGIN {
		srand(1); OFS = ""
		for (i = 0; i < I; i++) {
			s = "{\"item_id\": " 100000 + i ", \"video_feature_dim_128\": ["
			for (j = 0; j < D; j++) s = s sprintf(j ? ", %.6f" : "%.6f", rand() * 2 - 1)
			print s "]}"
		}
	}' > video.jsonl
	awk -v I=$items -v D=$dim 'BEGIN {
		srand(2)
		for (i = 0; i < I; i++) {
			n = rand() < 0.005 ? 0 : D
			s = "{\"item_id\": " 100000 + i ", \"audio_feature_128_dim\": ["
			for (j = 0; j < n; j++) s = s sprintf(j ? ", %.6f" : "%.6f", rand() * 2 - 1)
			print s "]}"
			if (rand() < 0.01) print s "]}"
		}
	}' > audio.jsonl
	awk -v I=$items -v D=$dim 'BEGIN {
		srand(3)
		h = "item_id"; for (j = 1; j <= D; j++) h = h ",f" j; print h
		for (i = 0; i < I; i++) {
			s = 100000 + i
			for (j = 0; j < D; j++) s = s sprintf(",%.6f", rand() * 2 - 1)
			print s
		}
	}' > visual.csv
fi
say "inputs: split.mp $(du -h split.mp | cut -f1), video.jsonl $(du -h video.jsonl | cut -f1), audio.jsonl $(du -h audio.jsonl | cut -f1), visual.csv $(du -h visual.csv | cut -f1)"
say "$(stream-cat -l split.mp | jq -r -s 'map(.meta) | "vocab \(.[0].users) users, \(.[0].items) items; split \(.[1].clicks) records, \(.[1].train) train"')"

timed() { # LABEL CMD...: runs CMD under GNU time, prints seconds and peak memory
	local label=$1
	shift
	/usr/bin/time -v -o time.txt "$@"
	awk -v l="$label" -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k] }
		/Maximum resident set size/ { kb = $2 }
		END { printf "graph-features: %-44s %7.2f s  peak %7.1f MiB\n", l, s, kb / 1024 }' time.txt
}

timed "build-graph (click and like)" build-graph -o graph.mp split.mp
say "$(stream-cat -l graph.mp | jq -r 'select(.section == "graph") | "\(.meta.kind) graph: \(.meta.edges) edges"' | paste -sd ';' | sed 's/;/; /g')"
timed "extract-features video.jsonl (128-d)" extract-features -o f1.mp -m video:content=video.jsonl split.mp
timed "extract-features audio.jsonl (128-d)" extract-features -o f2.mp -m audio:content=audio.jsonl split.mp
timed "extract-features visual.csv (128-d)" extract-features -o f3.mp -m visual:content=visual.csv split.mp
timed "extract-features all three, --standardize" extract-features -o feats.mp --standardize \
	-m video:content=video.jsonl -m audio:content=audio.jsonl -m visual:content=visual.csv graph.mp
say "$(stream-cat -l feats.mp | jq -r 'select(.section == "feature") | .meta | "\(.name): \(.missing) missing, \(.empty) empty, \(.duplicates) duplicates"' | paste -sd ';' | sed 's/;/; /g')"
say "output: feats.mp $(du -h feats.mp | cut -f1)"
