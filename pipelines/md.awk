# md.awk TABLE.TSV: a TSV table as a markdown table; a column X followed by X_sd becomes
# one cell "mean ± sd", measurements are rounded to `digits` places (4), and labels are
# renamed by `names` ("ct=CT hcr=HCR ...").
BEGIN {
	FS = "\t"
	if (digits == "") digits = 4
	n = split(names, kv, " ")
	for (i = 1; i <= n; i++) { p = index(kv[i], "="); rename[substr(kv[i], 1, p - 1)] = substr(kv[i], p + 1) }
}
function label(s) { return (s in rename) ? rename[s] : s }
# measurements (a mean, a spread, a metric@K column) are rounded; settings stay as written
function num(s) { return s ~ /^-?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/ ? sprintf("%." digits "f", s) : s }
NR == 1 {
	nf = 0
	for (i = 1; i <= NF; i++) {
		if (i < NF && $(i + 1) == $i "_sd") { field[++nf] = i; sdcol[nf] = i + 1; i++ }
		else { field[++nf] = i; sdcol[nf] = 0 }
	}
	line = "|"; rule = "|"
	for (j = 1; j <= nf; j++) head[j] = $(field[j])
	for (j = 1; j <= nf; j++) { line = line " " label($(field[j])) " |"; rule = rule (j == 1 ? " --- |" : " ---: |") }
	print line; print rule
	next
}
{
	line = "|"
	for (j = 1; j <= nf; j++) {
		c = j == 1 ? label($(field[j])) : (sdcol[j] || index(head[j], "@") || head[j] == "valid") ? num($(field[j])) : $(field[j])
		if (sdcol[j] && $(sdcol[j]) != "NA") c = c " ± " num($(sdcol[j]))
		line = line " " c " |"
	}
	print line
}
