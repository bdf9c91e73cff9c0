# score-frontdoor: top-K lists worked out by hand from one-dimensional models (a
# training item that would rank first is masked; ties go to the lower item index);
# the rule's value as the score; users, rules, models and labels; shards and threads
# equal to the whole; bad input with its exit code and first line of stderr.
. "$HCR_TESTS/lib.sh"
D=$HCR_DATA/evaluate

# The records of the ranking sections, ids for indices: [label, user, [items], [scores]].
records() {
	stream-cat --full "$1" | jq -c -s '
	  (map(select(.block? == "users")) | .[0].data) as $u |
	  (map(select(.block? == "items")) | .[0].data) as $i |
	  foreach .[] as $o (null; if ($o | type) == "object" and $o.section? then $o.meta.label else . end;
	    if ($o | type) == "array" and ($o | length) == 3 and ($o[1] | type) == "array"
	    then [., $u[$o[0]], [$o[1][] | $i[.]], [$o[2][] | . * 1e6 | round / 1e6]] else empty end)'
}

split-chrono "$D/hand.csv" > hand.mp
mkmodel ct 1 @"$D/ct.vec" < hand.mp > ct.mp
t_run "a ct model, top 3" 0 "" -- score-frontdoor -k 3 -o r.mp ct.mp
t_eq "every user with a training click, in index order; i1 (0.9) is A's training item" \
'["ct","A",["i5","i6","i8"],[0.8,0.6,0.4]]
["ct","B",["i4","i2","i3"],[0.7,0.5,0.5]]
["ct","C",["i10","i9","i8"],[-0.1,-0.3,-0.4]]
["ct","D",["i1","i5","i4"],[0.9,0.8,0.7]]
["ct","E",["i6","i3","i8"],[0.6,0.5,0.4]]
["ct","F",["i1","i5","i4"],[1.8,1.6,1.4]]' "$(records r.mp)"
t_eq "the section's meta" '{"label":"ct","method":"ct","rule":"ct","model":"ct","k":3,"users":6,"shard":[1,1]}' \
	"$(stream-cat -l r.mp | jq -c 'select(.section == "ranking") | .meta | del(.vocab, .split)')"
t_eq "fingerprints of the vocab and the split: 16 hex digits each" "true true" \
	"$(stream-cat -l r.mp | jq -r 'select(.section == "ranking") | .meta | [(.vocab, .split) | test("^[0-9a-f]{16}$")] | join(" ")')"
t_eq "the input's sections come first, unchanged" "vocab split model ranking" \
	"$(stream-cat -l r.mp | jq -r .section | paste -sd' ')"
t_eq "-k larger than the catalogue lists every item not trained on (10 less 5, 3, 2, 2, 4, 5)" \
	"5 7 8 8 6 5" "$(score-frontdoor -k 50 ct.mp | records - | jq -r '.[2] | length' | paste -sd' ')"

# hcr: only the click tower's z group varies, so hcr = sigmoid(x) / 4, hcr-t = / 16.
mkmodel hcr 1 @"$D/hcr.vec" < hand.mp > hcr.mp
score-frontdoor -k 3 --rule hcr-c,hcr-t,hcr-s1,hcr-s2 hcr.mp > r4.mp
t_eq "one ranking per rule, labelled MODEL or MODEL/RULE" "hcr hcr/hcr-t hcr/hcr-s1 hcr/hcr-s2" \
	"$(stream-cat -l r4.mp | jq -r 'select(.section == "ranking") | .meta.label' | paste -sd' ')"
t_eq "the scores are the rule's values: sigmoid(0.8)/4, /16, /2 for hcr-c (h1 constant: centring moves nothing), hcr-t, hcr-s1; 1/2 for hcr-s2" \
	"0.172494 0.043123 0.344987 0.5" \
	"$(records r4.mp | jq -r 'select(.[1] == "A") | .[3][0]' | paste -sd' ')"
t_eq "hcr-s2 is constant here: every item tied, so the lowest indices not trained on" '["i5","i6","i7"]' \
	"$(records r4.mp | jq -c 'select(.[0] == "hcr/hcr-s2" and .[1] == "A") | .[2]')"
t_eq "--rule default is the method's own, labelled by the model" "hcr" \
	"$(score-frontdoor --rule default hcr.mp | stream-cat -l | jq -r 'select(.section == "ranking") | .meta.label')"
t_eq "rerunning replaces the rankings of the labels it writes" "1 2" \
	"$(score-frontdoor -k 2 r4.mp | stream-cat -l | jq -r 'select(.section == "ranking" and .meta.label == "hcr") | .meta.k' | wc -l) $(score-frontdoor -k 2 r4.mp | records - | jq -r 'select(.[0] == "hcr" and .[1] == "A") | .[2] | length')"
t_eq "--label names the ranking" "mine" \
	"$(score-frontdoor --label mine hcr.mp | stream-cat -l | jq -r 'select(.section == "ranking") | .meta.label')"

# Several models: the last, one by label, or each.
mkmodel ct 1 @"$D/ct.vec" < hcr.mp > both.mp
t_eq "by default the last model is ranked" "ct" \
	"$(score-frontdoor both.mp | stream-cat -l | jq -r 'select(.section == "ranking") | .meta.label')"
t_eq "--model LABEL ranks that one" "hcr" \
	"$(score-frontdoor --model hcr both.mp | stream-cat -l | jq -r 'select(.section == "ranking") | .meta.label')"
t_eq "--all ranks each" "hcr ct" \
	"$(score-frontdoor --all both.mp | stream-cat -l | jq -r 'select(.section == "ranking") | .meta.label' | paste -sd' ')"

# --users: original ids, in file order.
printf 'F\n# a comment\n\nA\n' > users.txt
t_eq "--users ranks the listed users in file order" '["ct","F",["i1","i5","i4"],[1.8,1.6,1.4]] ["ct","A",["i5","i6","i8"],[0.8,0.6,0.4]]' \
	"$(score-frontdoor -k 3 --users users.txt ct.mp | records - | paste -sd' ')"

# Shards and threads: 700 users in three blocks of 256; every record equal to the whole.
simulate -d sim -u 700 -i 150 -c 12 -s 3
split-chrono sim/log.csv | mkmodel hcr 8 1 > sim.mp
score-frontdoor sim.mp > whole.mp
for s in 1 2 3; do score-frontdoor --shard $s/3 sim.mp > shard$s.mp; done
t_eq "shards cut at whole blocks of 256 users" "256 256 $(($(records whole.mp | wc -l) - 512))" \
	"$(for s in 1 2 3; do records shard$s.mp | wc -l; done | paste -sd' ')"
t_ok "shards 1..3 in order are the whole run's records, bit for bit" \
	cmp <(for s in 1 2 3; do stream-cat --full --section ranking shard$s.mp | grep '^\['; done) \
	<(stream-cat --full --section ranking whole.mp | grep '^\[')
t_eq "each shard says which it is" "[1,3] [2,3] [3,3]" \
	"$(for s in 1 2 3; do stream-cat -l shard$s.mp | jq -c 'select(.section == "ranking") | .meta.shard'; done | paste -sd' ')"
t_ok "-j 2 gives the records of -j 1" \
	cmp <(score-frontdoor -j 2 sim.mp | stream-cat --full --section ranking | grep '^\[') \
	<(stream-cat --full --section ranking whole.mp | grep '^\[')
t_ok "more shards than blocks: the spare ones are empty, the rest the whole" \
	cmp <(for s in 1 2 3 4 5; do score-frontdoor --shard $s/5 sim.mp | stream-cat --full --section ranking | grep '^\[' || true; done) \
	<(stream-cat --full --section ranking whole.mp | grep '^\[')

# Bad input and bad options.
t_run "no model" 3 "score-frontdoor: <stdin>: no 'model' section (the stream holds vocab, split); expected the output of train-mtl" \
	-- score-frontdoor < hand.mp
t_run "--model of no model" 3 "score-frontdoor: both.mp: no model labelled 'cr' among the stream's 2" \
	-- score-frontdoor --model cr both.mp
t_run "a rule the method lacks" 2 "score-frontdoor: --rule hcr-t: model 'ct' (method ct) has no such rule, or lacks what it needs; its rules: ct" \
	-- score-frontdoor --rule hcr-t ct.mp
t_run "two rankings of one label" 2 "score-frontdoor: two rankings would be labelled 'hcr'" \
	-- score-frontdoor --rule default,hcr-c hcr.mp
t_run "--label with two rules" 2 "score-frontdoor: --label names one ranking, not one for each rule or model" \
	-- score-frontdoor --label x --rule hcr,hcr-t hcr.mp
t_run "--shard K/N with K > N" 2 "score-frontdoor: --shard: expected K/N with K <= N, got '3/2'" \
	-- score-frontdoor --shard 3/2 ct.mp
t_run "--shard without N" 2 "score-frontdoor: --shard: expected K/N, got '3'" -- score-frontdoor --shard 3 ct.mp
printf 'A\nZ\n' > unknown.txt
t_run "--users naming an unknown user" 3 "score-frontdoor: unknown.txt: line 2: expected a user id of the vocabulary, got 'Z'" \
	-- score-frontdoor --users unknown.txt ct.mp
printf 'A\nB\nA\n' > twice.txt
t_run "--users naming a user twice" 3 "score-frontdoor: twice.txt: line 3: expected each user once, got 'A' again (first on line 1)" \
	-- score-frontdoor --users twice.txt ct.mp
t_run "--users of a missing file" 4 "score-frontdoor: nothere.txt: cannot open: No such file or directory" \
	-- score-frontdoor --users nothere.txt ct.mp
head -c $(($(stat -c %s ct.mp) - 30)) ct.mp > cut.mp
t_run "a cut model stream" 3 '*' -- score-frontdoor cut.mp
t_eq "and its message says so" "1" "$(grep -c 'the stream is cut' "$ERR")"
split-chrono "$HCR_TOP/data/examples/log.csv" | mkmodel ct 1 0.5 > other.mp
{ cat hand.mp; tail -c +$(($(stream-cat -l other.mp | jq 'select(.section == "model") | .offset') + 1)) other.mp; } > mixed.mp
t_run "a model of other data" 3 "score-frontdoor: mixed.mp: byte $(stat -c %s hand.mp), header of section 'model': the model is of 6 users and 15 items, the vocab has 6 and 10" \
	-- score-frontdoor mixed.mp
# --effects: ct's one head, 1/z, has item effects mu_i = <abar, b_i> = 5/6 b_i (the users'
# rows 1 1 -1 1 1 2), every item trained on: exactly linear in b, so r = 1 and -1; a
# column with four items missing pairs six; one without spread correlates 0.
printf 'item_id\ttwice\tneg\tpartial\tconst\n' > cols.tsv
paste <(printf 'i%s\n' 1 2 3 4 9 5 6 7 8 10) <(tr ' ' '\n' <<< "0.9 0.5 0.5 0.7 0.3 0.8 0.6 0.2 0.4 0.1") |
	awk -F'\t' '{ printf "%s\t%g\t%g\t%s\t3\n", $1, 2 * $2 + 1, -$2, NR <= 4 ? "NA" : $2 }' >> cols.tsv
printf 'i99\t1\t1\t1\t1\n' >> cols.tsv
t_run "--effects: each head against each column" 0 "" -- \
	score-frontdoor --effects eff.tsv --item-columns cols.tsv -o /dev/null ct.mp
t_eq "by hand: r = 1, -1, 1 over six, 0 without spread" "model	head	column	items	pearson
ct	1/z	twice	10	1.0000
ct	1/z	neg	10	-1.0000
ct	1/z	partial	6	1.0000
ct	1/z	const	10	0.0000" "$(cat eff.tsv)"
t_run "-v counts the rows of items outside the data" 0 \
	"score-frontdoor: cols.tsv: 11 rows, 1 of items not in the data skipped, 0 repeated" -- \
	score-frontdoor -v --effects eff.tsv --item-columns cols.tsv -o /dev/null ct.mp
printf 'item_id,x\ni1,0.5\ni2,high\n' > bad.csv
t_run "a column value that is no number" 3 \
	"score-frontdoor: bad.csv: line 3, column 2: expected a number, NA or nothing, got 'high'" -- \
	score-frontdoor --effects eff.tsv --item-columns bad.csv -o /dev/null ct.mp
t_run "--effects without --item-columns" 2 \
	"score-frontdoor: --effects and --item-columns go together: the item effects of the heads are compared with the columns" -- \
	score-frontdoor --effects eff.tsv ct.mp

# ---- --pairs: exactly the pairs of a part, training items included ----
# Coat's fixture, no validation; coat-ct.vec: items 0 2 1 3 (indices 0 to 3) score, for
# user 0, .4 .9 .4 .1; user 1 .5 0 0 .5; user 2 as user 0.  Test pairs: user 0 items 1 2
# (2 also trained), user 1 items 0 3 (3 trained), user 2 items 1 3 (3 trained).
split-chrono --valid-fraction 0 "$HCR_DATA/split-chrono/coat" \
	| mkmodel ct 2 @"$HCR_DATA/evaluate/coat-ct.vec" > cm.mp
score-frontdoor -k 2 cm.mp | score-frontdoor --pairs test > cp.mp
t_eq "--pairs test: each user's test pairs in score order (a tie by lower index), training items kept" \
	'[0,[1,2]] [1,[0,3]] [2,[2,3]]' \
	"$(stream-cat --section ranking cp.mp | jq -c 'select(type == "array") | [.[0], .[1]]' | tail -n 3 | paste -sd' ')"
t_eq "the ranking of pairs says so; k is the most pairs a user has; the top-K ranking stays" \
	'["ct",2,null] ["ct",2,"test"]' \
	"$(stream-cat -H cp.mp | jq -c 'select(.section? == "ranking") | .meta | [.label, .k, .candidates]' | paste -sd' ')"
score-frontdoor --pairs test cp.mp > cp2.mp
t_eq "again: its ranking of pairs replaced, the top-K one kept" 2 \
	"$(stream-cat -H cp2.mp | jq -c 'select(.section? == "ranking")' | wc -l)"
t_run "-k with --pairs" 2 "score-frontdoor: --pairs scores every pair of a user, so -k has no meaning with it" \
	-- score-frontdoor -k 5 --pairs test cm.mp
t_run "--pairs of no part" 2 "score-frontdoor: --pairs: expected valid or test (the part whose pairs are scored), got 'train'" \
	-- score-frontdoor --pairs train cm.mp
t_eq "--rule all: a ranking under each rule the model's method lists" \
	'"hcr" "hcr/hcr" "hcr/hcr-t" "hcr/hcr-s1" "hcr/hcr-s2" "hcr/hcr-cg" "hcr/hcr-c-s2"' \
	"$(score-frontdoor --rule all hcr.mp | stream-cat -H | jq -c 'select(.section? == "ranking") | .meta.label' | paste -sd' ')"
t_run "--rule all with --label" 2 "score-frontdoor: --label names one ranking, not one for each rule or model" \
	-- score-frontdoor --rule all --label x hcr.mp
echo "1..$T_N"
[ "$T_FAILED" = 0 ]
