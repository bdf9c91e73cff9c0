#!/usr/bin/env bash
# sweep-heads.sh TRUTH STREAM...: where the hidden quality V lands in a model's heads.
# For every ranking section of the streams (made with -k at least the catalogue, so a
# user's list is every item but his training ones) and for the simulator's two oracles,
# the per-user Pearson correlation of the score with V and with the price, averaged
# over users.  Products of sigmoids (HCR's rules, the oracles) are taken in logs, so
# that a head's share of a product adds; a ct score is an inner product, taken as is.
# A model R ranked by its own rule (hcr-c), R/hcr and R/hcr-t also gets the h2 heads:
# R/h2c = log(hcr-t) - log(hcr-c), centred, and R/h2 = log(hcr-t) - log(hcr), the paper's.
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
# One user'"'"'s correlations of x[1..c] with the V and price of items it[1..c], added to run.
function user_corr(run, c, x, it,   j, q, p, n, sx, sxx, sq, sqq, sxq, sp, spp, sxp, vx, vq, vp) {
	for (j = 1; j <= c; j++) {
		if (!(it[j] in V)) continue
		q = V[it[j]]; p = P[it[j]]; n++
		sx += x[j]; sxx += x[j] * x[j]
		sq += q; sqq += q * q; sxq += x[j] * q
		sp += p; spp += p * p; sxp += x[j] * p
	}
	runs[run] = 1
	if (n < 3) return
	vx = sxx - sx * sx / n; vq = sqq - sq * sq / n; vp = spp - sp * sp / n
	if (vx > 0 && vq > 0) { mq[run] += (sxq - sx * sq / n) / sqrt(vx * vq); nq[run]++ }
	if (vx > 0 && vp > 0) { mp[run] += (sxp - sx * sp / n) / sqrt(vx * vp); np[run]++ }
}
# The head name: log of the scores sc[1..c] of items ix[1..c] over those of base.
function h2_head(base, name, user, c, ix, sc,   lb, cb, bi, bs, j, m, it, x) {
	if (!((base, user) in BI)) return
	split("", lb)
	cb = split(BI[base, user], bi, ","); split(BS[base, user], bs, ",")
	for (j = 1; j <= cb; j++) if (bs[j] > 0) lb[bi[j]] = log(bs[j])
	m = 0
	for (j = 1; j <= c; j++)
		if (sc[j] > 0 && ix[j] in lb) { m++; it[m] = VI[ix[j] + 1]; x[m] = log(sc[j]) - lb[ix[j]] }
	user_corr(name, m, x, it)
	delete BI[base, user]; delete BS[base, user]
}
{ gsub(/"/, "") }
$1 == "item_ids" { ni = split($3, TI, ","); for (j = 1; j <= ni; j++) TJ[TI[j]] = j; next }
$1 == "user_ids" { c = split($3, x, ","); for (j = 1; j <= c; j++) TR[x[j]] = j - 1; next }
$1 == "quality" { c = split($3, x, ","); for (j = 1; j <= c; j++) V[TI[j]] = x[j]; next }
$1 == "price" { c = split($3, x, ","); for (j = 1; j <= c; j++) P[TI[j]] = x[j]; next }
# The oracles, flat: user row r, item column j at r * items + j.
$1 == "causal" || $1 == "correlational" {
	c = split($3, x, ","); o = $2 * ni
	for (j = 1; j <= c; j++) O[$1, o + j] = x[j]
	next
}
$1 == "vocab_users" { split($3, VU, ","); next }
$1 == "vocab_items" { split($3, VI, ","); next }
$1 == "rank" {
	run = $2; user = VU[$3 + 1]
	c = split($4, ix, ","); split($5, sc, ",")
	m = 0
	for (j = 1; j <= c; j++) {
		s = sc[j] + 0
		if (run !~ /^ct/) { if (s <= 0) continue; s = log(s) }
		m++; it[m] = VI[ix[j] + 1]; x[m] = s
	}
	user_corr(run, m, x, it)
	# The oracles, over the items of the first ranking of the user.
	if (!(user in odone) && user in TR) {
		odone[user] = 1
		split("causal correlational", ob, " ")
		for (b = 1; b <= 2; b++) {
			m = 0
			for (j = 1; j <= c; j++) {
				v = O[ob[b], TR[user] * ni + TJ[VI[ix[j] + 1]]]
				if (v > 0) { m++; it[m] = VI[ix[j] + 1]; x[m] = log(v) }
			}
			user_corr("oracle/" ob[b], m, x, it)
		}
	}
	# The h2 heads: the correlational rule over a front-door one, item by item: over the
	# model'"'"'s own (centred, hcr-c) it is h2c, over R/hcr the paper'"'"'s h2; both come
	# before R/hcr-t in the stream.
	if (run !~ /\// || run ~ /\/hcr$/) { BI[run, user] = $4; BS[run, user] = $5 }
	else if (run ~ /\/hcr-t$/) {
		model = substr(run, 1, length(run) - 6)
		h2_head(model, model "/h2c", user, c, ix, sc)
		h2_head(model "/hcr", model "/h2", user, c, ix, sc)
	}
	next
}
END {
	print "run\tusers\tcorr_quality\tcorr_price"
	for (r in runs)
		printf "%s\t%d\t%s\t%s\n", r, nq[r], nq[r] ? sprintf("%.4f", mq[r] / nq[r]) : "NA", \
			np[r] ? sprintf("%.4f", mp[r] / np[r]) : "NA"
}' | { IFS= read -r h; echo "$h"; sort; }
