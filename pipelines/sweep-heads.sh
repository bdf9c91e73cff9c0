#!/usr/bin/env bash
# sweep-heads.sh TRUTH STREAM...: where the hidden quality V lands in a model's heads.
# For every ranking section of the streams (made with -k at least the catalogue, so a
# user's list is every item but his training ones) and for the simulator's two oracles,
# the per-user Pearson correlation of the score with V and with the price, averaged
# over users.  Products of sigmoids (HCR's rules, the oracles) are taken in logs, so
# that a head's share of a product adds; a ct score is an inner product, taken as is.
# A model with rules R and R/hcr-t also gets R/h2 = log(hcr-t) - log(R), the h2 head.
# Output, TSV with a header: run, users, corr_quality, corr_price.
set -eu -o pipefail
truth=$1
shift

{
	# One line per block of the truth and per ranking record, arrays joined by commas:
	# jq only reformats (by @csv: its join is quadratic), awk does the arithmetic.
	stream-cat --full --section truth "$truth" | jq -r '
	  select(type == "object" and (.block? | IN("user_ids", "item_ids", "quality", "price", "causal", "correlational")))
	  | [.block, (.row0 // 0), (.data | @csv)] | @tsv'
	for s in "$@"; do
		stream-cat --full "$s" | jq -n -r '
		  foreach inputs as $o ({};
		    if ($o | type) == "object" and $o.section? then .label = $o.meta.label | .sec = $o.section | .emit = null
		    elif ($o | type) == "object" and $o.block? and .sec == "vocab" then
		      .emit = ["vocab_" + $o.block, 0, ($o.data | @csv)]
		    elif ($o | type) == "array" and .sec == "ranking" then
		      .emit = ["rank", .label, $o[0], ($o[1] | @csv), ($o[2] | @csv)]
		    else .emit = null end;
		    .emit // empty | @tsv)'
	done
} | awk -F'\t' '
function add(run, user, x, item) {
	if (!(item in V)) return
	k = run SUBSEP user
	n[k]++; sx[k] += x; sxx[k] += x * x
	sy[k] += V[item]; syy[k] += V[item] * V[item]; sxy[k] += x * V[item]
	sz[k] += P[item]; szz[k] += P[item] * P[item]; sxz[k] += x * P[item]
	runs[run] = 1
}
function corr(k, sa, saa, sxa,   c, vx, va) {
	c = n[k]; vx = sxx[k] - sx[k] * sx[k] / c; va = saa - sa * sa / c
	return (vx > 0 && va > 0) ? (sxa - sx[k] * sa / c) / sqrt(vx * va) : "nan"
}
{ gsub(/"/, "") }
$1 == "item_ids" { ni = split($3, TI, ","); next }
$1 == "user_ids" { split($3, TU, ","); next }
$1 == "quality" { c = split($3, x, ","); for (j = 1; j <= c; j++) V[TI[j]] = x[j]; next }
$1 == "price" { c = split($3, x, ","); for (j = 1; j <= c; j++) P[TI[j]] = x[j]; next }
$1 == "causal" || $1 == "correlational" {
	c = split($3, x, ",")
	for (j = 1; j <= c; j++) O[$1, TU[$2 + 1 + int((j - 1) / ni)], TI[(j - 1) % ni + 1]] = x[j]
	next
}
$1 == "vocab_users" { split($3, VU, ","); next }
$1 == "vocab_items" { split($3, VI, ","); next }
$1 == "rank" {
	run = $2; user = VU[$3 + 1]
	c = split($4, it, ","); split($5, sc, ",")
	for (j = 1; j <= c; j++) {
		item = VI[it[j] + 1]; s = sc[j] + 0
		seen[user, item] = 1
		if (run ~ /^ct/) { add(run, user, s, item); continue }
		if (s <= 0) continue
		add(run, user, log(s), item)
		L[run, user, item] = log(s)
	}
	if (run ~ /\/hcr-t$/) tee[run] = 1
	next
}
END {
	# The h2 head: the correlational rule over the front-door one, item by item.
	for (t in tee) {
		base = substr(t, 1, length(t) - 6)
		for (k in L) {
			split(k, a, SUBSEP)
			if (a[1] != t || !((base, a[2], a[3]) in L)) continue
			add(base "/h2", a[2], L[k] - L[base, a[2], a[3]], a[3])
		}
	}
	# The oracles over the same items the rankings hold.
	for (k in O) {
		split(k, a, SUBSEP)
		if (!((a[2], a[3]) in seen) || O[k] <= 0) continue
		add("oracle/" a[1], a[2], log(O[k]), a[3])
	}
	print "run\tusers\tcorr_quality\tcorr_price"
	for (k in n) {
		split(k, a, SUBSEP)
		if (n[k] < 3) continue
		cq = corr(k, sy[k], syy[k], sxy[k]); cp = corr(k, sz[k], szz[k], sxz[k])
		if (cq != "nan") { mq[a[1]] += cq; nq[a[1]]++ }
		if (cp != "nan") { mp[a[1]] += cp; np[a[1]]++ }
	}
	for (r in runs)
		printf "%s\t%d\t%s\t%s\n", r, nq[r], nq[r] ? sprintf("%.4f", mq[r] / nq[r]) : "NA", \
			np[r] ? sprintf("%.4f", mp[r] / np[r]) : "NA"
}' | { IFS= read -r h; echo "$h"; sort; }
