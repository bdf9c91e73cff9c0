#!/usr/bin/env bash
# bench-table.sh RESULTS DATA "BACKBONES" "METHODS" "COLS" "SEEDS" OUT.TSV [short]: the
# table of pipelines/bench.mk, as markdown on standard output and as TSV in OUT.TSV: for each
# backbone, a row per method of Table 2 (METHODS), per rule of HCR's models and for
# HCR-NS (Table 3), the columns COLS (pivot.awk's names) as mean ± sd over the seeds;
# then HCR's and its rules' paired comparisons with CT, seed by seed (pvalues.awk);
# then the data set's split and feature layout, and (but with `short`, the README's
# cut) the settings chosen.
set -eu -o pipefail
results=$1 data=$2 backbones=$3 methods=$4 cols=$5 seeds=$6 out=$7 short=${8:-}
P=$(cd "$(dirname "$0")" && pwd)
names="$(cat "$P/names") mf=MF mmgcn=MMGCN recall@10=Recall@10 ndcg@10=NDCG@10 recall@5=Recall@5 ndcg@5=NDCG@5"
feats=$results/data/$data/feats.mp

# the rows of HCR's rules, as table 2's summary has them
rules() { awk -F'\t' 'NR > 1 && $1 ~ /^hcr\// && !seen[$1]++ { printf " %s", $1 }' "$1"; }
pivot() { awk -f "$P/pivot.awk" -v part=test -v breakdown=overall -v group=all -v row=run \
	-v rowhead=method -v col=metric -v cols="$cols" -v rows="$2" "$1"; }

: > "$out"
echo "Made by pipelines/bench.mk from the files as released (never typed by hand); test part,"
echo "mean ± sample standard deviation over seeds $seeds.  xNDCG@5: NDCG over each user's"
echo "randomly exposed test pairs ranked by the model, gain 2^rating - 1, over the users with"
echo "a liked (rating >= 4) exposed pair; xRecall@5: of those liked pairs; AUC: per user,"
echo "liked against not liked; Recall@10 and NDCG@10: all-ranking (every item but the"
echo "user's training items) against the test likes of items not trained on (evaluate(1))."
for b in $backbones; do
	t2=$results/table2/$data-$b t3=$results/table3/$data-$b
	rows="$methods$(rules "$t2/summary.tsv")"
	{
		pivot "$t2/summary.tsv" "$rows"
		pivot "$t3/summary.tsv" hcr-ns | tail -n +2
	} > "$out.$b"
	awk -v b="$b" 'BEGIN { FS = OFS = "\t" } NR == 1 { print "backbone", $0; next } { print b, $0 }' \
		"$out.$b" | { [ -s "$out" ] && tail -n +2 || cat; } >> "$out"
	echo
	echo "### $data, $(awk -v n="$names" -v b="$b" 'BEGIN { split(n, kv, " "); for (i in kv) { split(kv[i], p, "="); if (p[1] == b) { print p[2]; exit } } print b }')"
	echo
	awk -f "$P/md.awk" -v names="$names" "$out.$b"
	echo
	echo "HCR against CT, paired over the users both rank, seed by seed: the mean difference"
	echo "over seeds, the median p-values (t-test, Wilcoxon signed-rank) and the seeds whose"
	echo "t-test p is below 0.05."
	echo
	seed_tsvs=()
	for s in $seeds; do seed_tsvs+=("$t2/seed-$s.tsv"); done
	awk -f "$P/pvalues.awk" -v runs=hcr -v metrics="$cols" -v names="$names" "${seed_tsvs[@]}" \
		| cut -f2- | awk -f "$P/md.awk" -v digits=4
	rm -f "$out.$b"
done
echo
stream-cat -l "$feats" | jq -r 'select(.section == "split") | .meta
	| "Split: \(.format) as released, mode \(.mode): \(.train) training pairs, \(.valid) validation pairs, \(.test) randomly exposed test pairs (\(.test_liked) liked); like: \(.like_rule); validation: \(.valid_rule); \(.test_in_train) test pairs also trained on (both kept)."'
echo
stream-cat -l "$feats" | jq -s -r '[.[] | select(.section == "feature") | .meta | "\(.name) (\(.role): \(if .column == "" then "every column" else .column end))"] | "Features: " + join(", ") + "."'
[ "$short" = short ] && exit 0
echo
echo "### Hyper-parameters chosen (the search on seed $(echo $seeds | cut -d' ' -f1))"
for b in $backbones; do
	echo
	echo "$b:"
	echo
	awk 'NR == 1 || FNR > 1' "$results/table2/$data-$b/hparams.tsv" "$results/table3/$data-$b/hparams.tsv" \
		| awk -F'\t' 'BEGIN { OFS = "\t" } !seen[$1]++' | awk -f "$P/md.awk" -v names="$names"
done
