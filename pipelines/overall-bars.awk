# pipelines/overall-bars.awk: evaluate's TSV (--tsv) into the table plot-bars.gp draws:
# one line per metric@K of the overall breakdown of one part, one column per run.
#   awk -v part=test -f pipelines/overall-bars.awk report.tsv
BEGIN { FS = OFS = "\t"; if (part == "") part = "test" }
NR == 1 {
	if ($1 != "run" || $3 != "breakdown" || $7 != "value") {
		print "overall-bars.awk: " FILENAME ": not a TSV of evaluate --tsv" > "/dev/stderr"
		exit 3
	}
	next
}
$3 == "overall" && $2 == part {
	key = $5 "@" $6
	if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
	if (!($1 in known)) { known[$1] = 1; runs[++nr] = $1 }
	value[key, $1] = $7
}
END {
	if (nk == 0) {
		print "overall-bars.awk: " FILENAME ": no overall rows of part '" part "'" > "/dev/stderr"
		exit 3
	}
	line = "metric"
	for (j = 1; j <= nr; j++) line = line OFS runs[j]
	print line
	for (i = 1; i <= nk; i++) {
		line = keys[i]
		for (j = 1; j <= nr; j++) line = line OFS ((keys[i], runs[j]) in value ? value[keys[i], runs[j]] : "NA")
		print line
	}
}
