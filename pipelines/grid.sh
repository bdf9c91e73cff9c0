#!/usr/bin/env bash
# grid.sh METHOD MODEL...: one row per model of a hyper-parameter search: its settings
# as its folder spells them, and its validation metric at the epoch it kept (the one
# train-mtl selected on, named by the model: NDCG@50 unless --valid-metric said else).
# An empty model is a diverged training: its score is NA, so it is never chosen.
set -eu -o pipefail
method=$1
shift
printf 'method\thp\tlr\tl2\tbeta\tvalid\tvalid_metric\tbest_epoch\tstopped\n'
for f in "$@"; do
	hp=$(basename "$(dirname "$f")")
	# the settings as the grid spelled them (lr-1e-3_l2-1e-4[_beta-2])
	lr=NA l2=NA beta=NA
	for p in ${hp//_/ }; do printf -v "${p%%-*}" '%s' "${p#*-}"; done
	if [ ! -s "$f" ]; then
		printf '%s\t%s\t%s\t%s\t%s\tNA\tNA\tNA\tdiverged\n' "$method" "$hp" "$lr" "$l2" "$beta"
		continue
	fi
	stream-cat -l "$f" | jq -r --arg m "$method" --arg hp "$hp" --arg lr "$lr" --arg l2 "$l2" \
		--arg beta "$beta" 'select(.section == "model") | .meta
		 | [$m, $hp, $lr, $l2, $beta, (.best_valid // "NA"),
		    (.epoch_columns[-1] | ltrimstr("valid_")), .best_epoch, .stopped]
		 | map(tostring) | join("\t")'
done
