# simulate: the files of a data set, in the formats their readers expect; the same
# seed gives the same bytes; the truth section; bad options and folders.
. "$HCR_TESTS/lib.sh"

t_run "a small data set" 0 "" -- simulate -d a -u 200 -i 300 -s 7
t_eq "the log's header is split-chrono's default format" "user_id,item_id,timestamp,click,like" \
	"$(head -n 1 a/log.csv)"
t_eq "the content modality: k noisy content columns and the price last" \
	"item_id,$(seq -s, -f 'f%g' 1 17)" "$(head -n 1 a/content.csv)"
t_eq "the exposure modality" "item_id,f1,f2,f3,f4" "$(head -n 1 a/exposure.csv)"
t_eq "one content row per item" 301 "$(wc -l < a/content.csv)"
t_eq "one exposure row per item" 301 "$(wc -l < a/exposure.csv)"
t_eq "one log row per click" "$(jq .data.clicks a/params.json)" "$(($(wc -l < a/log.csv) - 1))"
t_eq "the likes of the log are the likes counted" "$(jq .data.likes a/params.json)" \
	"$(awk -F, 'NR > 1 { s += $5 } END { print s }' a/log.csv)"
t_eq "every row a click, every like 0 or 1, times in order, ids as drawn" 0 \
	"$(awk -F, 'NR > 1 && ($4 != 1 || ($5 != 0 && $5 != 1) || $3 < t || $1 !~ /^u[0-9]+$/ || $2 !~ /^i[0-9]+$/) { n++ }
		NR > 1 { t = $3 } END { print n + 0 }' a/log.csv)"
t_eq "no user clicks an item twice" 0 "$(tail -n +2 a/log.csv | cut -d, -f1,2 | sort | uniq -d | wc -l)"
t_eq "params.json records the seed and the knobs" "7 200 300 1" \
	"$(jq -j '.knobs.seed, " ", .knobs.users, " ", .knobs.items, " ", .knobs.confounding' a/params.json)"

# The truth: one section, every user, the blocks evaluate reads.
t_eq "the truth is one complete section" '{"section":"truth","records":9}' \
	"$(stream-cat -l a/truth.mp | jq -c '{section, records}')"
t_eq "its meta" '{"users":200,"items":300,"rows":200,"sampled":false,"price_column":"f17"}' \
	"$(stream-cat -l a/truth.mp | jq -c '.meta | {users, items, rows, sampled, price_column}')"
t_eq "its blocks" 'user_ids str [200]
item_ids str [300]
causal <f4 [200,300]
correlational <f4 [200,300]
correlational_late <f4 [200,300]
quality <f8 [300]
quality_late <f8 [300]
price <f8 [300]
appeal <f8 [300]' \
	"$(stream-cat a/truth.mp | jq -r 'select(.block?) | "\(.block) \(.dtype) \(.shape | tojson)"')"
stream-cat --full a/truth.mp > a.jsonl
t_eq "the users and items by their ids, in the order drawn" '["u0","u1","u199","i0","i299"]' \
	"$(jq -s -c 'map(select(.block?)) | [.[0].data[0], .[0].data[1], .[0].data[199], .[1].data[0], .[1].data[299]]' a.jsonl)"
t_eq "every score is a probability" 0 \
	"$(jq -s '[.[] | select(.block? == "causal" or .block? == "correlational") | .data[] | select(. <= 0 or . >= 1)] | length' a.jsonl)"
t_eq "the price column of content.csv is the truth's price" 0 \
	"$(paste -d, <(tail -n +2 a/content.csv | cut -d, -f18) \
		<(jq -r 'select(.block? == "price") | .data[]' a.jsonl) |
		awk -F, '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-6 * (1 + ($2 < 0 ? -$2 : $2))) n++ } END { print n + 0 }')"
t_eq "items.csv: the header, and a row per item" "item_id,price,quality,quality_late 301" \
	"$(head -n 1 a/items.csv) $(wc -l < a/items.csv)"
t_eq "its price and quality are the truth's" 0 \
	"$(paste -d, <(tail -n +2 a/items.csv | cut -d, -f2,3) \
		<(jq -r 'select(.block? == "price") | .data[]' a.jsonl) \
		<(jq -r 'select(.block? == "quality") | .data[]' a.jsonl) |
		awk -F, '{ for (k = 1; k <= 2; k++) { d = $k - $(k + 2); if (d < 0) d = -d
			if (d > 1e-6 * (1 + ($(k + 2) < 0 ? -$(k + 2) : $(k + 2)))) n++ } } END { print n + 0 }')"

# The same command line, the same bytes (the truth's header records the arguments,
# so the second run is in another folder under the same name); another seed, other
# bytes.
mkdir again
t_run "the same command again" 0 "" -- sh -c 'cd again && simulate -d a -u 200 -i 300 -s 7'
for f in log.csv content.csv exposure.csv items.csv truth.mp params.json; do
	t_ok "the same seed gives the same $f" cmp a/$f again/a/$f
done
t_run "another seed" 0 "" -- simulate -d c -u 200 -i 300 -s 8
for f in log.csv content.csv truth.mp; do
	t_ok "another seed changes $f" sh -c "! cmp -s a/$f c/$f"
done
t_run "rerunning into a folder replaces its files" 0 "" -- simulate -d again/a -u 200 -i 300 -s 8
t_ok "with the new data" cmp again/a/log.csv c/log.csv

# Without confounding the causal and the correlational score are one; a sample of
# users for the truth.
t_run "kappa = 0, a truth sample of 20 users" 0 "" -- simulate -d k0 -u 200 -i 300 --confounding 0 --truth-users 20
stream-cat --full k0/truth.mp > k0.jsonl
t_eq "kappa = 0: causal equals correlational" true \
	"$(jq -s 'map(select(.block? == "causal" or .block? == "correlational") | .data) | .[0] == .[1]' k0.jsonl)"
t_eq "the sample is 20 users in ascending order" '20 true true' \
	"$(jq -s -j 'map(select(.block? == "user_ids"))[0].data | map(.[1:] | tonumber) | length, " ", (. == sort), " ", (. == unique)' k0.jsonl)"
t_eq "and says so" '{"rows":20,"sampled":true}' \
	"$(stream-cat -l k0/truth.mp | jq -c '.meta | {rows, sampled}')"

# The price as a modality of its own, for experiments that route it apart.
t_run "--price-apart" 0 "" -- simulate -d pa -u 200 -i 300 -s 7 --price-apart
t_eq "the price file" "item_id,f1" "$(head -n 1 pa/price.csv)"
t_eq "the content without the price" "item_id,$(seq -s, -f 'f%g' 1 16)" "$(head -n 1 pa/content.csv)"
t_ok "the same prices as in the last column of the content" \
	cmp <(cut -d, -f1,18 a/content.csv | tail -n +2) <(tail -n +2 pa/price.csv)
t_ok "the same content otherwise" cmp <(cut -d, -f1-17 a/content.csv) pa/content.csv
t_ok "the same log" cmp a/log.csv pa/log.csv
t_eq "the truth says where the price is" '{"price_file":"price.csv","price_column":"f1"}' \
	"$(stream-cat -l pa/truth.mp | jq -c '.meta | {price_file, price_column}')"

# Bad command lines: exit 2 and one line saying what was expected.
t_run "no folder" 2 "simulate: expected -d DIR, the folder to write the data set into" -- simulate -u 10
t_run "an operand" 2 "simulate: unexpected operand 'x': the output folder is given by -d" -- simulate -d d x
t_run "no users" 2 "simulate: --users: expected a whole number from 1 to 2147483647, got '0'" -- simulate -d d -u 0
t_run "a drift beyond 1" 2 "simulate: --drift: expected a number from 0 to 1, got '1.5'" -- simulate -d d --drift 1.5
t_run "a negative confounding" 2 "simulate: --confounding: expected a number from 0 to 20, got '-1'" -- simulate -d d --confounding -1
t_run "a price correlation that is not a number" 2 "simulate: --price-corr: expected a number from 0 to 1, got 'high'" -- simulate -d d --price-corr high
t_run "more clicks than items" 2 "simulate: --min-clicks 50 is more than the 20 items: a user clicks an item at most once" -- simulate -d d -i 20 --min-clicks 50
t_run "a truth sample larger than the users" 2 "simulate: --truth-users 11 is more than the 10 users" -- simulate -d d -u 10 --truth-users 11
t_run "an unknown option" 2 "simulate: unknown option --bogus" -- simulate -d d --bogus
t_run "a missing argument" 2 "simulate: option --seed needs an argument" -- simulate -d d --seed
t_ok "a bad command line writes nothing" test ! -e d

# Folders that cannot be made: exit 4.
t_run "a folder under a missing one" 4 "simulate: nothere/d: cannot create the folder: No such file or directory" -- simulate -d nothere/d -u 5 -i 10
touch afile
t_run "a file in the way" 4 "simulate: afile: cannot create the folder: a file of that name is in the way" -- simulate -d afile -u 5 -i 10

t_run "--help" 0 "" -- simulate --help
t_eq "--help prints the synopsis" "usage: simulate -d DIR [-u USERS] [-i ITEMS] [-k DIM] [-c CLICKS] [-s SEED]" "$(head -n 1 "$OUT")"
t_run "--version" 0 "" -- simulate --version
echo "1..$T_N"
