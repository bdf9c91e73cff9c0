# sweep: pipelines/sweep.mk at a tiny scale (two strengths, one seed, MF, two epochs):
# the summary has every run, metric and strength; no method beats the causal oracle on
# the truth; without confounding the two oracles agree; a rerun has nothing to do.
. "$HCR_TESTS/lib.sh"

# The sub-make must not inherit make check's jobserver.
sweep() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -f "$HCR_TOP/pipelines/sweep.mk" \
		BIN="$(dirname "$(command -v train-mtl)")" R=sw KAPPAS="0 2" SEEDS=1 BACKBONES=mf \
		SIM="-u 60 -i 80" EPOCHS=2 "$@"
}

# First without hcr-item, then with it: the widened grid must evaluate it too.
t_run "the tiny sweep runs, without hcr-item" 0 '*' -- sweep -j2 METHODS="ct hcr" sw/sweep.md sw/sweep.tsv
t_run "and with it, reusing the rest" 0 '*' -- sweep -j2 sw/sweep.md sw/sweep.tsv
t_eq "only hcr-item was trained the second time" "hcr-item hcr-item" \
	"$(grep -o -- '--label [a-z-]*' "$OUT" | cut -d' ' -f2 | paste -sd' ')"
t_eq "sweep.tsv's columns" "backbone	kappa	run	metric	n	mean	sd" "$(head -n 1 sw/sweep.tsv)"
rules="hcr hcr-c-s2 hcr-cg hcr-s1 hcr-s2 hcr-t"
runs="ct hcr hcr-item $(for m in hcr-item hcr; do for r in h2 h2c $rules; do echo $m/$r; done; done | sort | paste -sd' ') oracle/causal oracle/correlational"
t_eq "every run has the heads' correlations at both strengths" \
	"$(for k in 0 2; do for r in $runs; do echo "$k $r"; done; done)" \
	"$(awk -F'\t' '$4 == "heads_corr_quality" { print $2, $3 }' sw/sweep.tsv | sort -k1,1n -k2,2)"
t_eq "every ranking has the five evaluation metrics (recall, NDCG, truth NDCG, tau, rho) at both strengths" \
	"$(for k in 0 2; do for r in $runs; do [[ $r = */h2 || $r = */h2c ]] || echo "$k $r 5"; done; done)" \
	"$(awk -F'\t' '$4 ~ /^(overall|truth)_/ { n[$2 " " $3]++ } END { for (k in n) print k, n[k] }' sw/sweep.tsv | sort -k1,1n -k2,2)"
t_eq "one seed: n is 1, the spread NA, every mean a number" 0 \
	"$(awk -F'\t' 'NR > 1 && ($5 != 1 || $7 != "NA" || $6 !~ /^-?[0-9.]+$/)' sw/sweep.tsv | wc -l)"
t_eq "no ranking beats the causal oracle on the truth" 0 \
	"$(awk -F'\t' '$4 == "truth_ndcg" { v[$2, $3] = $6; k[$2] = 1 }
		END { for (x in v) { split(x, a, SUBSEP); if (v[x] > v[a[1], "oracle/causal"] + 1e-9) print x } }' sw/sweep.tsv | wc -l)"
t_eq "without confounding the two oracles rank alike" 1 \
	"$(awk -F'\t' '$2 == 0 && $4 == "truth_ndcg" && $3 ~ /^oracle/ { print $6 + 0 }' sw/sweep.tsv | sort -u | paste -sd' ')"
t_eq "with it, the correlational oracle falls short" 1 \
	"$(awk -F'\t' '$2 == 2 && $4 == "truth_ndcg" && $3 == "oracle/correlational" { print ($6 < 0.99) }' sw/sweep.tsv)"
t_eq "the markdown table has a row for each ranking and strength" 34 \
	"$(grep -c '^| [02] | ' sw/sweep.md)"
t_run "a rerun has nothing to do" 0 "" -- sweep -q sw/sweep.md sw/sweep.tsv
