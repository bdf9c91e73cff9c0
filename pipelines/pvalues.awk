# pvalues.awk -v runs='hcr ...' -v metrics='exposed:xndcg@5 ...' [-v names='a=A ...']
# SEED.TSV...: each run's
# paired comparison with the baseline (evaluate's compare rows, test part), seed by
# seed: the mean difference over seeds, the median t-test and Wilcoxon p-values, and in
# how many seeds the t-test's p is below 0.05.  A metric "exposed:NAME@K" is the exposed
# protocol's NAME at K (auc@0: its AUC), else all-ranking's.
BEGIN {
	FS = OFS = "\t"
	nr = split(runs, R, " "); nm = split(metrics, M, " ")
	nn = split(names, kv, " ")
	for (i = 1; i <= nn; i++) { p = index(kv[i], "="); rename[substr(kv[i], 1, p - 1)] = substr(kv[i], p + 1) }
}
FNR == 1 { next }
$2 == "test" && $3 == "compare" {
	key = $1 SUBSEP $5 "@" $6
	n[key]++
	v[key, n[key]] = $7
}
function median(key, a,   m, i, j, x, t) {
	m = 0
	for (i = 1; i <= n[key]; i++) if (v[key, i] != "NA") x[++m] = v[key, i] + 0
	if (m == 0) return "NA"
	for (i = 2; i <= m; i++) for (j = i; j > 1 && x[j - 1] > x[j]; j--) { t = x[j]; x[j] = x[j - 1]; x[j - 1] = t }
	return sprintf("%.3g", m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2)
}
END {
	print "method", "metric", "diff", "t_p", "wilcoxon_p", "seeds_t_p<0.05"
	for (i = 1; i <= nr; i++)
		for (j = 1; j <= nm; j++) {
			name = M[j]; sub(/^exposed:/, "", name); split(name, a, "@")
			mk = a[1] "@" a[2]
			d = R[i] SUBSEP "diff_" mk; tp = R[i] SUBSEP "t_p_" mk; wp = R[i] SUBSEP "wilcoxon_p_" mk
			s = 0; c = 0
			for (q = 1; q <= n[d]; q++) if (v[d, q] != "NA") { s += v[d, q]; c++ }
			low = 0; seeds = 0
			for (q = 1; q <= n[tp]; q++) if (v[tp, q] != "NA") { seeds++; low += v[tp, q] < 0.05 }
			print R[i], (M[j] in rename ? rename[M[j]] : M[j]), (c ? sprintf("%.4f", s / c) : "NA"),
			    median(tp), median(wp), low " of " seeds
		}
}
