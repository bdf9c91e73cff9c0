#!/usr/bin/env bash
# grid.sh METHOD MODEL...: one row per model of a hyper-parameter search, its settings
# read back from the model itself and its validation NDCG@50 at the epoch it kept.
# An empty model is a diverged training: its score is NA, so it is never chosen.
set -eu -o pipefail
method=$1
shift
printf 'method\thp\tlr\tl2\tbeta\tvalid_ndcg@50\tbest_epoch\tstopped\n'
for f in "$@"; do
	hp=$(basename "$(dirname "$f")")
	if [ ! -s "$f" ]; then
		printf '%s\t%s\tNA\tNA\tNA\tNA\tNA\tdiverged\n' "$method" "$hp"
		continue
	fi
	stream-cat -l "$f" | jq -r --arg m "$method" --arg hp "$hp" \
		'select(.section == "model") | .meta
		 | [$m, $hp, .settings.lr, .settings.l2, (.settings.beta // "NA"),
		    (.best_valid // "NA"), .best_epoch, .stopped] | map(tostring) | join("\t")'
done
