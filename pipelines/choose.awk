# choose.awk GRID.TSV: the header and the row of the best validation metric (the first
# such row on a tie, in the grid's order), with the number of settings tried.
BEGIN { FS = OFS = "\t" }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; header = $0; next }
{ n++ }
$col["valid"] != "NA" && (best == "" || $col["valid"] + 0 > bestv) {
	best = $0; bestv = $col["valid"] + 0
}
END {
	if (best == "") { print FILENAME ": no setting trained without diverging" > "/dev/stderr"; exit 1 }
	print header, "settings"
	print best, n
}
