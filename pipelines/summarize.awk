# summarize.awk SEED.TSV...: evaluate's --tsv rows of several seeds folded into one row
# per number: its mean, its sample standard deviation (NA with one seed), the seeds
# that gave a value, and the mean of their users.
BEGIN { FS = OFS = "\t" }
FNR == 1 { next }
{
	key = $1 FS $2 FS $3 FS $4 FS $5 FS $6
	if (!(key in n)) { order[++nk] = key; n[key] = 0 }
	if ($7 != "NA") { n[key]++; x[key, n[key]] = $7 + 0; users[key] += $8 }
}
END {
	print "run", "part", "breakdown", "group", "metric", "k", "mean", "sd", "seeds", "users"
	for (j = 1; j <= nk; j++) {
		key = order[j]; m = n[key]
		if (m == 0) { print key, "NA", "NA", 0, "NA"; continue }
		s = 0; for (i = 1; i <= m; i++) s += x[key, i]
		mean = s / m
		if (m > 1) {
			ss = 0; for (i = 1; i <= m; i++) ss += (x[key, i] - mean) ^ 2
			sd = sprintf("%.10g", sqrt(ss / (m - 1)))
		} else sd = "NA"
		printf "%s\t%.10g\t%s\t%d\t%.10g\n", key, mean, sd, m, users[key] / m
	}
}
