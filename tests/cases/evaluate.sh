# evaluate: Recall and NDCG and every breakdown on a data set small enough to work out
# by hand (tests/data/evaluate/hand.csv, its rankings and truth); the JSON shape; the
# same numbers from a ranking as a stream and as a TSV, from shards and from the
# whole; p-values against R; hostile input with its exit code and first stderr line.
. "$HCR_TESTS/lib.sh"
D=$HCR_DATA/evaluate
t_file() { # DESC WANT GOT
	if cmp -s "$2" "$3"; then t_pass "$1"; else t_fail "$1" "$(diff "$2" "$3" | head -n 20)"; fi
}
# jq on the JSON of an evaluation: EXPR, then evaluate's arguments.
q() { local e=$1; shift; evaluate --json "$@" | jq -c "$e"; }

# The hand case.  hand.csv trains 21 clicks of users A-F on items i1-i10; later likes:
# A i5 | i6 i7, B - | i2, F i1 i2 | i4 i5 (valid | test); C clicks i8 unliked.
# Vocab order: items i1 i2 i3 i4 i9 i5 i6 i7 i8 i10, users A-F.  ct.vec scores each
# item by one number per user, so that the top 3 are (score-frontdoor lists them all):
#   A i5 i6 i8 (i1, 0.9, is A's training item), B i4 i2 i3 (i2 ties i3: lower index),
#   C i10 i9 i8, D i1 i5 i4, E i6 i3 i8, F i1 i5 i4.
# g(r) = 1 / log2(r + 2) for a hit at 0-based rank r; IDCG over min(|P|, K) ranks.
split-chrono "$D/hand.csv" > hand.mp
mkmodel ct 1 @"$D/ct.vec" < hand.mp | score-frontdoor > ct.mp
mktruth < "$D/truth.txt" > truth.mp
R1=(--rankings "$D/r1.tsv" --label r1)
R2=(--rankings "$D/r2.tsv" --label r2)

# valid: A {i5} hit at 0 -> recall 1, ndcg 1; F {i1, i2}: i1 at 0 -> recall 1/2,
# ndcg@1 = 1, ndcg@2,3 = 1 / (1 + g(1)) = 0.613147.
# test: A {i6, i7}: i6 at 1 -> 1/2, g(1) / (1 + g(1)) = 0.386853 from K = 2;
# B {i2} (one positive, fewer than K): at 1 -> 1, g(1) = 0.630930 from K = 2;
# F {i4, i5} at 2 and 1: K = 2: 1/2, 0.386853; K = 3: 1, (g(1) + g(2)) / (1 + g(1)) = 0.693426.
# C has no later like and D, E none either: not counted.
t_eq "overall, valid: users, recall@1,2,3, ndcg@1,2,3" '[2,0.75,0.75,0.75,1,0.806574,0.806574]' \
	"$(q '.runs.ct.valid | [.users, .["recall@1"], .["recall@2"], .["recall@3"], .["ndcg@1"], .["ndcg@2"], .["ndcg@3"]] | map(. * 1e6 | round / 1e6)' -k 1,2,3 ct.mp)"
t_eq "overall, test" '[3,0,0.666667,0.833333,0,0.468212,0.570403]' \
	"$(q '.runs.ct.test | [.users, .["recall@1"], .["recall@2"], .["recall@3"], .["ndcg@1"], .["ndcg@2"], .["ndcg@3"]] | map(. * 1e6 | round / 1e6)' -k 1,2,3 ct.mp)"
# Beyond the top 3: F's list goes on i2 (1.0), i8: i2 at 3 gives recall 1 and ndcg
# (1 + g(3)) / (1 + g(1)) = 0.877215.
t_eq "-k 50,100 by default; a K beyond the list counts what the list holds" '["recall@50","recall@100","ndcg@50","ndcg@100"] [1,0.938608]' \
	"$(q '.runs.ct.valid | (keys_unsorted - ["users", "groups", "periods", "items"]), ([.["recall@100"], .["ndcg@100"]] | map(. * 1e6 | round / 1e6))' ct.mp | paste -sd' ')"

# An outside ranking: r1.tsv by rank, rows in any order, an extra column; A's i1 is a
# training item (dropped); C has no later like.  A i6 i5 i8 i7, B i2 i3, F i4 i8 i1 i5.
# valid: A i5 at 1: 0 / 1 (K=1), 1 and g(1) = 0.630930 (K >= 2); F i1 at 2: 1/2 and
# g(2) / (1 + g(1)) = 0.306574 at K = 3 only.  test: A i6 at 0: 1/2, 1 (K=1), 0.613147;
# B i2 at 0: 1, 1; F i4 at 0: 1/2, 1, 0.613147.
t_eq "an outside ranking by rank, valid" '[2,0,0.5,0.75,0,0.315465,0.468752]' \
	"$(q '.runs.r1.valid | [.users, .["recall@1"], .["recall@2"], .["recall@3"], .["ndcg@1"], .["ndcg@2"], .["ndcg@3"]] | map(. * 1e6 | round / 1e6)' -k 1,2,3 "${R1[@]}" ct.mp)"
t_eq "an outside ranking by rank, test" '[3,0.666667,0.666667,0.666667,1,0.742098,0.742098]' \
	"$(q '.runs.r1.test | [.users, .["recall@1"], .["recall@2"], .["recall@3"], .["ndcg@1"], .["ndcg@2"], .["ndcg@3"]] | map(. * 1e6 | round / 1e6)' -k 1,2,3 "${R1[@]}" ct.mp)"
# r2.tsv by score, with ties: A i6 and i7 both 0.5 -> i6 (index 6) before i7 (7); F i2
# and i5 both 0.8 -> i2 (1) before i5 (5); A's i9 (0.95) is trained on: dropped.
# A i5 i6 i7 i8, F i2 i5 i1, B i3 i2.  valid F {i1, i2} at 0 and 2: K = 3: 1 and
# (1 + g(2)) / (1 + g(1)) = 0.919721.
t_eq "an outside ranking by score, ties by item index" '[0.75,1,0.75,0.806574,1,0.95986]' \
	"$(q '.runs.r2.valid | [.["recall@1"], .["ndcg@1"], .["recall@2"], .["ndcg@2"], .["recall@3"], .["ndcg@3"]] | map(. * 1e6 | round / 1e6)' -k 1,2,3 "${R2[@]}" ct.mp)"
t_eq "training items of an outside ranking are dropped and counted" \
	"evaluate: $D/r1.tsv: ranking 'r1' of 4 users; 1 rows of training items dropped, 0 rows of unknown ids skipped" \
	"$(evaluate -v "${R1[@]}" ct.mp 2>&1 >/dev/null | head -n 1)"

# The text table for people, kept as it is.
evaluate -k 2,3 "${R1[@]}" ct.mp > got.txt
t_file "the text table of ct and r1" "$D/hand.txt.want" got.txt

# Activity groups (--active 0.4): training clicks A 5, F 5, E 4, B 3, C 2, D 2; the top
# round(0.4 x 6) = 2, ties by lower user index: A and F.  valid has positives of
# active users only: the less-active group has none.
t_eq "groups: the active users' test metrics (A, F at K = 3)" '{"users":2,"recall@3":0.75,"ndcg@3":0.54014}' \
	"$(q '.runs.ct.test.groups.active | {users, "recall@3": .["recall@3"], "ndcg@3": (.["ndcg@3"] * 1e6 | round / 1e6)}' -k 3 ct.mp)"
t_eq "a group with no positives: no users, no value" '{"users":0,"recall@3":null,"ndcg@3":null}' \
	"$(q '.runs.ct.valid.groups["less-active"]' -k 3 ct.mp)"
t_eq "--active 0.5: the top 3 (A, F, E); E has no later like" '{"users":2,"recall@3":0.75}' \
	"$(q '.runs.ct.test.groups.active | {users, "recall@3": .["recall@3"]}' -k 3 --active 0.5 ct.mp)"
# gain of r1 over ct, test, less-active (B): recall@3 1 vs 1 -> 0; ndcg@3 1 vs g(1) ->
# 1 / 0.630930 - 1 = 0.584963.
t_eq "the relative gain over the baseline, per group" '[0,0.584963]' \
	"$(q '.runs.r1.test.groups["less-active"] | [.["gain_recall@3"], .["gain_ndcg@3"]] | map(. * 1e6 | round / 1e6)' -k 3 "${R1[@]}" ct.mp)"
t_eq "the baseline has no gain" 'false' "$(q '.runs.ct.test.groups.active | has("gain_recall@3")' -k 3 "${R1[@]}" ct.mp)"

# Periods: later likes A i5 i6 i7 (n = 3), B i2 (n = 1), F i1 i2 i4 i5 (n = 4); position j
# in period p when floor(p n / 4) <= j < floor((p + 1) n / 4): A in 2, 3, 4; B in 4;
# F in 1, 2, 3, 4.  ct at K = 3: period 1 F i1 at 0: 1, 1; period 2 A i5 at 0: 1, 1, F
# i2 missed: 0 -> 1/2, 1/2; period 3 A i6 at 1, F i4 at 2: 1, (g(1) + g(2)) / 2 =
# 0.565465; period 4 A i7 missed, B i2 at 1, F i5 at 1: 2/3, 2 g(1) / 3 = 0.420620.
t_eq "periods: users, recall@3, ndcg@3" '[[1,1,1],[2,0.5,0.5],[2,1,0.565465],[3,0.666667,0.42062]]' \
	"$(q '[.runs.ct.test.periods[] | [.users, .["recall@3"], .["ndcg@3"]] | map(. * 1e6 | round / 1e6)]' -k 3 ct.mp)"
t_eq "each period's drop from the first" '[0,0.5,0,0.333333]' \
	"$(q '[.runs.ct.test.periods[] | .["drop_recall@3"] * 1e6 | round / 1e6]' -k 3 ct.mp)"
t_eq "--periods 2: A in 1, 2; B in 2; F in 1, 2" '[2,3]' "$(q '[.runs.ct.test.periods[].users]' -k 3 --periods 2 ct.mp)"
t_eq "periods are reported under the test part only" 'false' "$(q '.runs.ct.valid | has("periods")' ct.mp)"

# Item groups: training like/click ratios i8 1; i1, i2, i3 2/3; i4, i9, i5, i6, i7 1/2;
# i10 0.  high = the top round(10 / 3) = 3, ties by lower index: i8, i1, i2.
# test, K = 3: B {i2} (high) has i2 in its top 3, which holds one high item: R = 1, share
# 1/3; A {i6, i7} and F {i4, i5} (low): R 1/2 and 1, share 2/3 each.
t_eq "items: high: users, recall, share, nrecall = recall / share" '[1,1,0.333333,3]' \
	"$(q '.runs.ct.test.items.high | [.users, .["recall@3"], .["share@3"], .["nrecall@3"]] | map(. * 1e6 | round / 1e6)' -k 3 ct.mp)"
t_eq "items: low, the pooled ratio (0.75 / (2/3))" '[2,0.75,0.666667,1.125]' \
	"$(q '.runs.ct.test.items.low | [.users, .["recall@3"], .["share@3"], .["nrecall@3"]] | map(. * 1e6 | round / 1e6)' -k 3 ct.mp)"
t_eq "an item group absent from every top 1: share 0, no normalised recall" '{"users":1,"recall@1":0,"share@1":0,"nrecall@1":null}' \
	"$(q '.runs.ct.test.items.high' -k 1 ct.mp)"

# The truth (truth.txt): users A and F (Z is not in the data: skipped), items in an order
# of their own (i99 never clicked: skipped).  NDCG@K with the causal score as gain, IDCG
# over the items not trained on.  A: ct lists i5 i6 i8 (.2 .8 .4), ideal i6 i7 i8 (.8 .6
# .4): K = 1 .25; K = 3 (.2 + .8 g(1) + .2) / (.8 + .6 g(1) + .2) = 0.656298.  F: i1 i5
# i4 (.5 .2 .15), ideal i8 i1 i2 (.6 .5 .4): K = 1 .833333; K = 3 0.628609.  Kendall's
# tau over the top 3 of scores and truth: A -1/3, F 1; Spearman's rho (ranks 3 2 1
# against A's 1 3 2: 1 - 6 (4 + 1 + 1) / (3 (9 - 1))) A -1/2, F 1.
# (The truth is in floats: five places.)
t_eq "truth: users, ndcg@1, ndcg@3, kendall, spearman" '[2,0.54167,0.64245,0.33333,0.25]' \
	"$(q '.runs.ct.test.truth | [.users, .["ndcg@1"], .["ndcg@3"], .kendall, .spearman] | map(. * 1e5 | round / 1e5)' -k 1,3 ct.mp truth.mp)"
t_eq "the truth's users and items as skipped" \
	"evaluate: truth.mp: the truth holds 2 users of the vocabulary (1 rows of others skipped) and 1 items more than the vocabulary's" \
	"$(evaluate -v ct.mp truth.mp 2>&1 >/dev/null | head -n 1)"
t_eq "the oracles are runs of their own, after the rankings" '["ct","oracle/causal","oracle/correlational"]' \
	"$(q '.runs | keys_unsorted' ct.mp truth.mp)"
t_eq "the causal oracle is the ceiling: NDCG 1, tau 1, rho 1" '[1,1,1,1]' \
	"$(q '.runs["oracle/causal"].test.truth | [.["ndcg@1"], .["ndcg@3"], .kendall, .spearman] | map(. * 1e6 | round / 1e6)' -k 1,3 ct.mp truth.mp)"
# A's correlational scores put the confounded i5 (.9) first: i5 i6 i7; DCG .2 + .8 g(1) +
# .6 g(2) over IDCG 1.378558 = 0.728843, tau -1/3, rho -1/2; F's are its causal ones: 1, 1 and 1.
t_eq "the correlational oracle: what fitting the confounded data gives" '[0.86442,0.33333,0.25]' \
	"$(q '.runs["oracle/correlational"].test.truth | [.["ndcg@3"], .kendall, .spearman] | map(. * 1e5 | round / 1e5)' -k 3 ct.mp truth.mp)"
t_eq "the oracles rank only the truth's users (A, F with a test like)" '2' \
	"$(q '.runs["oracle/causal"].test.users' ct.mp truth.mp)"
t_eq "the truth may come first" "$(q . ct.mp truth.mp)" "$(q . truth.mp ct.mp)"

# The JSON shape (architecture.md).
evaluate --json -k 50 "${R1[@]}" ct.mp truth.mp > all.json
t_eq "top level: runs, baseline, compare" '["runs","baseline","compare"]' "$(jq -c 'keys_unsorted' all.json)"
t_eq "runs by label, then part" '["valid","test"]' "$(jq -c '.runs.r1 | keys_unsorted' all.json)"
t_eq "a part: users, metrics, the breakdowns" '["users","recall@50","ndcg@50","groups","periods","items","truth"]' \
	"$(jq -c '.runs.ct.test | keys_unsorted' all.json)"
t_eq "groups, items, periods" '["active","less-active"] ["high","low"] 4' \
	"$(jq -c '.runs.ct.test | (.groups | keys_unsorted), (.items | keys_unsorted), (.periods | length)' all.json | paste -sd' ')"
t_eq "the baseline: ct when present" '"ct"' "$(jq -c .baseline all.json)"
t_eq "compare: run, part, metric: diff, t_p, wilcoxon_p" '["users","recall@50","ndcg@50"] ["diff","t_p","wilcoxon_p"]' \
	"$(jq -c '.compare.r1.test | keys_unsorted, (.["ndcg@50"] | keys_unsorted)' all.json | paste -sd' ')"
t_eq "every run but the baseline is compared" '["r1","oracle/causal","oracle/correlational"]' "$(jq -c '.compare | keys_unsorted' all.json)"
t_eq "--baseline names another" '"r1" ["ct"]' "$(q '.baseline, (.compare | keys_unsorted)' --baseline r1 "${R1[@]}" ct.mp | paste -sd' ')"

# The TSV: one number a row, the JSON's numbers.
evaluate --tsv -k 50 "${R1[@]}" ct.mp truth.mp > all.tsv
t_eq "the TSV header" "$(printf 'run\tpart\tbreakdown\tgroup\tmetric\tk\tvalue\tusers')" "$(head -n 1 all.tsv)"
t_eq "as many rows as the JSON has numbers and nulls, user counts aside" \
	"$(jq '[.runs, .compare | .. | objects | to_entries[] | select(.key != "users" and (.value | type == "number" or type == "null"))] | length' all.json)" \
	"$(($(wc -l < all.tsv) - 1))"
t_eq "a row of each breakdown" "$(printf 'ct\ttest\toverall\tall\tndcg\t50\nct\ttest\tperiods\t4\tdrop_recall\t50\nct\ttest\ttruth\tall\tkendall\t50\nr1\ttest\tcompare\tct\tt_p_ndcg\t50')" \
	"$(awk -F'\t' -v OFS='\t' '$2 == "test" && ($1 == "ct" && ($3 == "overall" && $5 == "ndcg" || $3 == "periods" && $4 == 4 && $5 == "drop_recall" || $3 == "truth" && $5 == "kendall") || $1 == "r1" && $3 == "compare" && $5 == "t_p_ndcg") { print $1, $2, $3, $4, $5, $6 }' all.tsv)"
t_eq "NA for what is not defined" "$(printf 'ct\tvalid\tgroups\tless-active\trecall\t50\tNA\t0')" \
	"$(awk -F'\t' '$1 == "ct" && $2 == "valid" && $4 == "less-active" && $5 == "recall"' all.tsv)"

# The same ranking as a stream and as a TSV: every number equal.
stream-cat --full ct.mp | jq -r -s '
  (map(select(.block? == "users")) | .[0].data) as $u | (map(select(.block? == "items")) | .[0].data) as $i |
  "user_id\titem_id\trank\tscore", (.[] | select(type == "array" and length == 3 and (.[1] | type) == "array") |
    . as $r | range(0; $r[1] | length) | [$u[$r[0]], $i[$r[1][.]], . + 1, $r[2][.]] | @tsv)' > ct.tsv
evaluate --tsv -k 1,2,3 --rankings ct.tsv --label ct hand.mp truth.mp > tsv.out
evaluate --tsv -k 1,2,3 ct.mp truth.mp > stream.out
t_file "a ranking as TSV gives the numbers of the same ranking as a stream" stream.out tsv.out
t_run "a TSV ranking under a stream ranking's label: not shards of one run" 3 \
	"evaluate: <stdin>: ranking 'ct' (an outside ranking, top 100) cannot join the one of that label in ct.mp (ct/ct, top 100): rankings of one label must be shards of one run" \
	-- evaluate --rankings - --label ct ct.mp < ct.tsv
t_eq "the TSV ranking has the stream's lists" "$(evaluate --per-user-tsv - -o main.txt ct.mp | md5sum)" \
	"$(evaluate --per-user-tsv - -o main.txt --rankings ct.tsv --label ct hand.mp | md5sum)"

# Per user: a TSV and an evaluation section, the same records.
evaluate -k 2,3 --per-user-tsv users.tsv --per-user users.mp -o main.txt "${R1[@]}" ct.mp truth.mp
t_eq "per-user columns" "$(printf 'run\tpart\tuser\tgroup\tpositives\trecall@2\trecall@3\tndcg@2\tndcg@3\ttruth_ndcg@2\ttruth_ndcg@3\tkendall\tspearman')" \
	"$(head -n 1 users.tsv)"
t_eq "a record per run, part and user with a positive (4 runs x (2 + 3), oracles 2 + 2)" "18" "$(($(wc -l < users.tsv) - 1))"
t_eq "B's record: less-active, outside the truth" "$(printf 'ct\ttest\tB\tless-active\t1\t1\t1\t0.6309297536\t0.6309297536\tNA\tNA\tNA\tNA')" \
	"$(awk -F'\t' '$1 == "ct" && $2 == "test" && $3 == "B"' users.tsv)"
t_eq "the evaluation section: its meta" '{"columns":13,"runs":["ct","r1","oracle/causal","oracle/correlational"],"baseline":"ct","k":[2,3],"periods":4,"truth":true}' \
	"$(stream-cat -l users.mp | jq -c '.meta | .columns |= length | del(.active)')"
t_eq "the section's records are the TSV's" "$(tail -n +2 users.tsv | md5sum)" \
	"$(stream-cat users.mp | jq -r 'select(type == "array") | map(if . == null then "NA" elif type == "number" and . != (. | floor) then (. * 1e10 | round / 1e10 | tostring) else tostring end) | @tsv' | md5sum)"

# p-values against R 4.2.2.  pairs.csv: 12 users train on f g h (U1 on e too), then like
# a b (valid) and c d (test).  x.tsv and y.tsv put c and d at these ranks of a top 3:
#   x: 01 0 02 1 01 2 0 12 01 - 02 1    y: 0 1 - 12 2 0 - 1 02 2 1 -
# so that, with g <- function(s) if (length(s) == 0) 0 else sum(1/log2(s+2))/(1+1/log2(3)),
#   px <- list(c(0,1), 0, c(0,2), 1, c(0,1), 2, 0, c(1,2), c(0,1), c(), c(0,2), 1)
#   py <- list(0, 1, c(), c(1,2), 2, 0, c(), 1, c(0,2), 2, 1, c())
#   rx <- sapply(px, length) / 2; ry <- sapply(py, length) / 2; nx <- sapply(px, g); ny <- sapply(py, g)
#   t.test(rx, ry, paired = TRUE)$p.value         0.081864231165694371
#   wilcox.test(rx, ry, paired = TRUE)$p.value    0.095335425284999289 (ties: normal)
#   t.test(nx, ny, paired = TRUE)$p.value         0.044328327372491691
#   wilcox.test(nx, ny, paired = TRUE)$p.value    0.048894371608086268
#   mean(nx - ny)                                 0.26885786546090973
split-chrono --train 0.435 "$D/pairs.csv" > pairs.mp
evaluate --json -k 3 --baseline y --rankings "$D/x.tsv" --label x --rankings "$D/y.tsv" --label y pairs.mp > p.json
t_eq "paired over 12 users" 12 "$(jq '.compare.x.test.users' p.json)"
t_near "recall@3: t-test p as R's t.test" 0.081864231165694371 "$(jq '.compare.x.test["recall@3"].t_p' p.json)" 1e-9
t_near "recall@3: Wilcoxon p as R's wilcox.test (ties)" 0.095335425284999289 "$(jq '.compare.x.test["recall@3"].wilcoxon_p' p.json)" 1e-9
t_near "ndcg@3: t-test p" 0.044328327372491691 "$(jq '.compare.x.test["ndcg@3"].t_p' p.json)" 1e-9
t_near "ndcg@3: Wilcoxon p" 0.048894371608086268 "$(jq '.compare.x.test["ndcg@3"].wilcoxon_p' p.json)" 1e-9
t_near "ndcg@3: the mean difference" 0.26885786546090973 "$(jq '.compare.x.test["ndcg@3"].diff' p.json)" 1e-9
# wilcox.test(c(0, 0), c(1, 1), paired = TRUE)$p.value: 0.34577858615116025 (ties);
# t.test stops ("data are essentially constant"): no value.
t_eq "r1 against ct, valid, ndcg@1: differences all -1" '{"diff":-1,"t_p":null,"wilcoxon_p":0.3457785862}' \
	"$(q '.compare.r1.valid["ndcg@1"]' -k 1 "${R1[@]}" ct.mp)"

# Shards: evaluate treats the ranking sections of one label from several streams as one.
simulate -d sim -u 600 -i 120 -c 10 -s 5
split-chrono sim/log.csv | mkmodel hcr 8 1 > sim.mp
score-frontdoor sim.mp > whole.mp
for s in 1 2 3; do score-frontdoor --shard $s/3 sim.mp > shard$s.mp; done
t_eq "the evaluation of the shards is the evaluation of the whole" "$(evaluate --json whole.mp sim/truth.mp)" \
	"$(evaluate --json shard1.mp shard2.mp shard3.mp sim/truth.mp)"
t_eq "in any order" "$(evaluate --json whole.mp)" "$(evaluate --json shard3.mp shard1.mp shard2.mp)"
t_run "a shard given twice" 3 "evaluate: shard1.mp: ranking 'hcr' has two rows for user '$(stream-cat --full --section vocab sim.mp | jq -r 'select(.block? == "users") | .data[0]')' (records 1 and 257): are two inputs the same shard?" \
	-- evaluate shard1.mp shard1.mp
t_run "a shard missing: the means are over the users ranked" 0 \
	"evaluate: ranking 'hcr' lacks $(evaluate --per-user-tsv - -o main.txt shard1.mp | awk -F'\t' 'NR > 1 { u[$3] } END { print length(u) }') of the $(evaluate --per-user-tsv - -o main.txt whole.mp | awk -F'\t' 'NR > 1 { u[$3] } END { print length(u) }') users with a later like; its means are over the users it ranks" \
	-- evaluate shard2.mp shard3.mp

# Hostile input.
score-frontdoor -k 3 ct.mp > ct3.mp
head -c $(($(stat -c %s ct3.mp) - 22)) ct3.mp > cut.mp
t_run "a ranking stream cut before its trailer" 3 \
	"evaluate: cut.mp: byte $(stat -c %s cut.mp), section 'ranking' record 7: the stream is cut: section 'ranking' has no trailer (end of input after 6 records)" \
	-- evaluate -k 3 cut.mp
printf 'user_id\titem_id\trank\nA\ti5\t1\nA\ti6\tx\n' > bad.tsv
t_run "a TSV with a bad line" 3 "evaluate: bad.tsv: line 3, column 3: expected a rank (a whole number from 1), got 'x'" \
	-- evaluate --rankings bad.tsv --label bad hand.mp
printf 'user_id\titem_id\tscore\nA\ti5\t0.5\nA\ti6\tnan\n' > nan.tsv
t_run "a score that is not a number" 3 "evaluate: nan.tsv: line 3, column 3: expected a score (a finite number), got 'nan'" \
	-- evaluate --rankings nan.tsv --label bad hand.mp
printf 'user_id\titem_id\trank\nA\ti5\t1\nB\ti2\t1\nA\ti5\t2\n' > twice.tsv
t_run "an item twice for a user" 3 "evaluate: twice.tsv: line 4: expected each item once a user, got user 'A' and item 'i5' again (first on line 2)" \
	-- evaluate --rankings twice.tsv --label bad hand.mp
printf 'user\titem_id\trank\nA\ti5\t1\n' > header.tsv
t_run "a header without user_id" 3 "evaluate: header.tsv: line 1: expected a header naming user_id, item_id and rank or score, got 'user\\titem_id\\trank'" \
	-- evaluate --rankings header.tsv --label bad hand.mp
printf 'user_id\titem_id\trank\nA\ti5\t1\nB\n' > short.tsv
t_run "a short line" 3 "evaluate: short.tsv: line 3: expected 3 fields, as the header has, got 1" \
	-- evaluate --rankings short.tsv --label bad hand.mp
printf 'user_id\titem_id\trank\nA\ti5\t1\nZ\ti5\t1\nB\ti99\t1\nB\ti2\t2\n' > unknown.tsv
t_run "an unknown user" 3 "evaluate: unknown.tsv: line 3, column 1: expected a user id of the vocabulary, got 'Z'" \
	-- evaluate --rankings unknown.tsv --label u hand.mp
t_run "unknown ids with --skip-unknown: counted and skipped" 0 \
	"evaluate: unknown.tsv: ranking 'u' of 2 users; 0 rows of training items dropped, 2 rows of unknown ids skipped" \
	-- evaluate -v --skip-unknown --rankings unknown.tsv --label u hand.mp
: > empty.tsv
t_run "an empty TSV" 3 "evaluate: empty.tsv: line 1: expected a header naming user_id, item_id and rank or score, got the end of the file" \
	-- evaluate --rankings empty.tsv --label u hand.mp
split-chrono "$HCR_TOP/data/examples/log.csv" | mkmodel ct 4 1 | score-frontdoor > other.mp
t_run "a stream of another vocabulary" 3 \
	"evaluate: other.mp: its vocab differs from the one evaluated (fingerprint $(stream-cat -l other.mp | jq -r 'select(.section == "ranking") | .meta.vocab'), not $(stream-cat -l ct.mp | jq -r 'select(.section == "ranking") | .meta.vocab')): streams of other data" \
	-- evaluate ct.mp other.mp
tail -c +$(($(stream-cat -l other.mp | jq 'select(.section == "ranking") | .offset') + 1)) other.mp > other-ranking.mp
t_run "a ranking of another vocabulary" 3 \
	"evaluate: other-ranking.mp: byte 0, header of section 'ranking': ranking 'ct' was made on another vocabulary (fingerprint $(stream-cat -l other.mp | jq -r 'select(.section == "ranking") | .meta.vocab'), not $(stream-cat -l ct.mp | jq -r 'select(.section == "ranking") | .meta.vocab'))" \
	-- evaluate hand.mp other-ranking.mp
split-chrono --mode user "$D/hand.csv" | mkmodel ct 1 @"$D/ct.vec" | score-frontdoor -k 3 > user-split.mp
t_run "a stream of another split of the same data" 3 '*' -- evaluate ct.mp user-split.mp
t_eq "(named as such)" 1 "$(grep -c '^evaluate: user-split.mp: its split differs from the one evaluated' "$ERR")"
t_run "a ranking before the data it ranks" 3 \
	"evaluate: other-ranking.mp: byte 0, header of section 'ranking': a ranking before the vocab and split it ranks: give the stream that holds them first" \
	-- evaluate other-ranking.mp hand.mp
t_run "K beyond the ranking's lists" 3 "evaluate: ct3.mp: ranking 'ct' lists 3 items a user, fewer than K = 100: rank more (score-frontdoor -k) or ask for less (-k)" \
	-- evaluate ct3.mp
t_run "no ranking" 3 "evaluate: no ranking to evaluate: expected ranking sections (from score-frontdoor) or --rankings FILE --label NAME" \
	-- evaluate hand.mp
t_run "no stream" 3 "evaluate: no vocab and split sections in the input: expected a stream from split-chrono" \
	-- evaluate truth.mp
printf 'items i1 i2 i3 i4 i5 i6 i7 i8 i9\ncausal A 1 1 1 1 1 1 1 1 1\n' | mktruth > short-truth.mp
t_run "a truth lacking an item of the data" 3 "evaluate: short-truth.mp: the truth lacks item 'i10' of the vocabulary: is it the truth of other data?" \
	-- evaluate -k 3 ct.mp short-truth.mp
t_run "--rankings without --label" 2 "evaluate: --rankings r.tsv: expected --label NAME after it" -- evaluate --rankings r.tsv ct.mp
t_run "--label without --rankings" 2 "evaluate: --label x: expected it after a --rankings FILE of its own" -- evaluate --label x ct.mp
t_run "--baseline of no ranking" 2 "evaluate: --baseline cr: no ranking of that label" -- evaluate -k 3 --baseline cr ct.mp
t_run "--json and --tsv" 2 "evaluate: --json and --tsv: give one" -- evaluate --json --tsv ct.mp
t_run "-k of too many" 2 "evaluate: -k: at most 16 cut-offs" -- evaluate -k 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 ct.mp
t_run "-k 0" 2 "evaluate: -k: expected a whole number from 1 to 1048576, got '0'" -- evaluate -k 0 ct.mp
t_run "--active 2" 2 "evaluate: --active: expected a number from 0 to 1, got '2'" -- evaluate --active 2 ct.mp
mkfifo fifo
cat fifo > from-fifo.txt &
evaluate -k 3 -o fifo ct.mp
wait
t_eq "-o naming a fifo writes into it, and leaves it a fifo" "fifo $(evaluate -k 3 ct.mp | md5sum)" \
	"$(stat -c %F fifo | cut -c1-4) $(md5sum < from-fifo.txt)"
t_run "a missing TSV" 4 "evaluate: nothere.tsv: cannot open: No such file or directory" \
	-- evaluate --rankings nothere.tsv --label x hand.mp
# ---- the exposed protocol: each user's exposed test pairs, ranked by a ranking of them ----
# Coat's fixture (tests/data/split-chrono/coat, no validation); ct's 2-d vectors
# (coat-ct.vec) score user 0 by x, user 1 by y, user 2 by x; items 0 2 1 3 have
# x = .4 .9 .4 .1, y = .5 0 0 .5.  Test pairs (grade, like): user 0: 1 (2, no), 2 (5, yes);
# user 1: 0 (4, yes), 3 (1, no); user 2: 1 (3, no), 3 (5, yes).  Ranked: user 0 2 1, user 1
# 0 3 (a tie at .5: lower index first), user 2 1 3 (wrong way round).
# User 2, gain 2^g - 1: K = 1: 7 / 31; K = 2: (7 + 31/log2 3) / (31 + 7/log2 3) = 0.749900;
# linear: 3/5, (3 + 5/log2 3) / (5 + 3/log2 3) = 0.892911; users 0 and 1 are 1.
# AUC: user 0 1, user 1 0.5 (the tie), user 2 0.  Recall@1: 1, 1, 0.
split-chrono --valid-fraction 0 "$HCR_DATA/split-chrono/coat" | mkmodel ct 2 @"$D/coat-ct.vec" \
	| score-frontdoor -k 4 | score-frontdoor --pairs test > cx.mp
xq() { evaluate -k 1,2 --json cx.mp | jq -r ".runs.ct.test.exposed.all$1"; }
t_near "exposed xndcg@1 (gain 2^g - 1), by hand" 0.741935 "$(xq '["xndcg@1"]')" 5e-7
t_near "exposed xndcg@2, by hand" 0.916633 "$(xq '["xndcg@2"]')" 5e-6
t_near "exposed xndcg_lin@1 (gain g)" 0.866667 "$(xq '["xndcg_lin@1"]')" 5e-7
t_near "exposed xndcg_lin@2" 0.964304 "$(xq '["xndcg_lin@2"]')" 5e-6
t_near "exposed xrecall@1" 0.666667 "$(xq '["xrecall@1"]')" 5e-7
t_near "exposed per-user AUC, a tie counting a half" 0.5 "$(xq '.auc')" 1e-12
t_eq "exposed: 3 users with a liked pair, the groups split them" '[3,1,2]' \
	"$(evaluate -k 1,2 --json cx.mp | jq -c '.runs.ct.test.exposed | [.all.users, .active.users, ."less-active".users]')"
t_eq "all-ranking's positives leave out test likes of training items (users 0 and 2)" 1 \
	"$(evaluate -k 1,2 --json cx.mp | jq '.runs.ct.test.users')"
t_eq "-v counts them" "evaluate: all-ranking leaves out the later likes of training items, which it never ranks: 0 of validation, 2 of test" \
	"$(evaluate -v -k 1,2 cx.mp 2>&1 >/dev/null)"
t_eq "per user: the all-ranking's users, then those only the exposed protocol has" \
	"$(printf 'ct test 1 less-active 1 1 1 1 1 2 1 1 1 1 1 1 1 0.5\nct test 0 active 0 NA NA NA NA 2 1 1 1 1 1 1 1 1\nct test 2 less-active 0 NA NA NA NA 2 1 0.2258064516 0.7498995145 0.6 0.8929112055 0 1 0')" \
	"$(evaluate -k 1,2 --per-user-tsv - -o /dev/null cx.mp | tail -n +2 | tr '\t' ' ')"
t_eq "--protocol exposed alone: no all-ranking rows" '["exposed"]' \
	"$(evaluate -k 1 --protocol exposed --tsv cx.mp | tail -n +2 | cut -f3 | sort -u | jq -R . | jq -s -c .)"
t_eq "AUC has no K: its k is 0, its JSON key plain" '0 "auc"' \
	"$(evaluate -k 1 --tsv cx.mp | awk -F'\t' '$5 == "auc" && $4 == "all" { print $6 }') $(evaluate -k 1 --json cx.mp | jq -c '.runs.ct.test.exposed.all | keys_unsorted | map(select(. == "auc")) | .[0]')"
split-chrono --valid-fraction 0 "$HCR_DATA/split-chrono/coat" | mkmodel ct 2 @"$D/coat-ct.vec" > cm.mp
score-frontdoor -k 4 cm.mp > top.mp
t_run "--protocol exposed without a ranking of pairs" 3 "evaluate: --protocol exposed: no ranking of pairs to evaluate: expected rankings from score-frontdoor --pairs test" \
	-- evaluate -k 1 --protocol exposed top.mp
score-frontdoor --pairs test cm.mp > pairs.mp
t_run "pairs alone: the exposed protocol by default" 0 "" -- evaluate -k 1 pairs.mp
t_run "--protocol all with pairs alone" 3 "evaluate: --protocol all: no all-ranking to evaluate, only rankings of pairs: give the top-K rankings (score-frontdoor -k) or --protocol exposed" \
	-- evaluate --protocol all pairs.mp
t_run "an unknown protocol" 2 "evaluate: --protocol: expected all, exposed or all,exposed, got 'random'" -- evaluate --protocol random cx.mp
t_run "a ranking of pairs of another split" 3 "*" -- sh -c 'split-chrono --valid-fraction 0.5 "$HCR_DATA/split-chrono/coat" | evaluate - pairs.mp'
echo "1..$T_N"
[ "$T_FAILED" = 0 ]
