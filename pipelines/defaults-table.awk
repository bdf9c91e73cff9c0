# defaults-table.awk: pipelines/defaults.sh's TSV as tables, one per data set and
# backbone: HCR's settings, its like part at the kept epoch against H0 (the like loss of
# predicting the training like rate), validation NDCG@50 and its ratio to the best HCR
# setting of the table; "h0" marks a like head that learnt nothing (like part not below
# H0 - 0.01).  Then, per table, CT's best and the settings' worst ratio over the tables.
#   awk -f pipelines/defaults-table.awk pipelines/results-defaults.tsv
BEGIN { FS = "\t" }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	t = $c["data"] " " $c["backbone"]
	if (!(t in seen)) { seen[t] = 1; T[++nt] = t }
	if ($c["method"] == "ct") {
		if ($c["valid_ndcg50"] + 0 > ctbest[t] + 0) { ctbest[t] = $c["valid_ndcg50"]; ctset[t] = $c["lr"] ", " $c["l2"] }
		next
	}
	n = ++rows[t]
	set = $c["lr"] ", " $c["l2"] ", " $c["beta"]
	S[t, n] = set; ndcg[t, n] = $c["valid_ndcg50"]; like[t, n] = $c["like_best"]; h0[t] = $c["like_h0"]
	kept[t, n] = $c["best_epoch"] "/" $c["epochs_run"]
	if ($c["valid_ndcg50"] + 0 > best[t] + 0) best[t] = $c["valid_ndcg50"]
}
END {
	for (i = 1; i <= nt; i++) {
		t = T[i]
		printf "%s: H0 %.3f, best HCR valid NDCG@50 %.4f, best CT %.4f (%s)\n", t, h0[t], best[t], ctbest[t], ctset[t]
		printf "  %-18s %9s %8s %10s %6s\n", "lr, l2, beta", "like kept", "epochs", "NDCG@50", "ratio"
		for (n = 1; n <= rows[t]; n++) {
			r = best[t] > 0 ? ndcg[t, n] / best[t] : 0
			printf "  %-18s %9.4f %8s %10.4f %6.3f%s\n", S[t, n], like[t, n], kept[t, n], ndcg[t, n], r,
				(like[t, n] >= h0[t] - 0.01 ? "  h0" : "")
			if (!((S[t, n]) in worst) || r < worst[S[t, n]]) worst[S[t, n]] = r
			tables[S[t, n]]++
		}
		printf "\n"
	}
	printf "worst ratio over the %d tables, for the settings run on all of them:\n", nt
	for (s in worst) if (tables[s] == nt) printf "  %-18s %.3f\n", s, worst[s]
}
