# pivot.awk SUMMARY.TSV: one table out of summarize.awk's long rows: a row for each of
# `rows`, a mean and an _sd column for each of `cols`.  row and col name the fields
# they run over (run, group or metric, a metric being metric@K, prefixed by its
# breakdown, as truth:ndcg@50, when that is not `breakdown`); part, breakdown and
# run/group/metric fix the rest.  A missing number is NA.
BEGIN {
	FS = OFS = "\t"
	nr = split(rows, R, " "); nc = split(cols, C, " ")
	if (rowhead == "") rowhead = row
}
NR == 1 { next }
$2 == part {
	v["run"] = $1; v["group"] = $4
	v["metric"] = ($3 == breakdown ? "" : $3 ":") $5 "@" $6
	if (index(v["metric"], ":") && row != "metric" && col != "metric") next
	if ($3 != breakdown && !index(v["metric"], ":")) next
	if (run != "" && row != "run" && col != "run" && v["run"] != run) next
	if (group != "" && row != "group" && col != "group" && v["group"] != group) next
	if (metric != "" && row != "metric" && col != "metric" && v["metric"] != metric) next
	mean[v[row], v[col]] = $7; sd[v[row], v[col]] = $8
}
END {
	printf "%s", rowhead
	for (j = 1; j <= nc; j++) printf "\t%s\t%s_sd", C[j], C[j]
	print ""
	for (i = 1; i <= nr; i++) {
		printf "%s", R[i]
		for (j = 1; j <= nc; j++) {
			k = R[i] SUBSEP C[j]
			printf "\t%s\t%s", (k in mean ? mean[k] : "NA"), (k in sd ? sd[k] : "NA")
		}
		print ""
	}
}
