# The main job (pipelines/demo.mk, README's `make demo`) end to end on the MovieLens-
# shaped example instead of the dslabs export: every step runs, the report is the one
# the tools give when piped by hand, and the README's results are spliced in from it.
. "$HCR_TESTS/lib.sh"

ratings=$HCR_TOP/data/examples/ratings.csv
bin=$(dirname "$(command -v train-mtl)")
demo() { make --no-print-directory -s -j2 -f "$HCR_TOP/pipelines/demo.mk" BIN="$bin" \
	MOVIELENS="$ratings" RESULTS=out EPOCHS=3 PLOTS=no "$@"; }

t_run "the main job runs on a small ratings file" 0 "*" -- demo R=out
cp "$OUT" demo.out
cp "$ERR" demo.err
t_eq "it says which of its five stages it is in" "[1/5] MovieLens:
[2/5] training
[3/5] ranking
[4/5] evaluating:
[5/5] the" "$(grep '^\[' demo.out | cut -d' ' -f1-2)"
t_ok "the trainings' epoch lines, of at most how many" grep -q '^train-mtl \[hcr\]: epoch 3 of at most 3, [0-9]*m[0-9][0-9]s in: loss ' demo.err
t_ok "it prints why it splits per user" grep -q "per-user chronological split" demo.out
blas=$(stream-cat -H --section model out/hcr.mp | head -n 1 | jq -r .blas)
t_ok "and the OpenBLAS kernel the models were trained with ($blas)" grep -q "^OpenBLAS kernel: $blas (" demo.out
t_ok "which the README's part has too" grep -q "^OpenBLAS kernel: $blas (" out/readme.md
t_ok "and the table" grep -q "^overall: users with a positive in the part" demo.out
t_ok "it leaves the features where the experiments find them" test -s out/data/movielens/feats.mp
for f in hcr.mp ct.mp hcr.rank.mp ct.rank.mp report.txt report.json report.tsv \
	summary.txt blas.txt readme.md split.log; do
	t_ok "it leaves out/$f" test -s "out/$f"
done
t_ok "no temporary file is left" sh -c '! ls -a out | grep -q tmp'

# The same steps by hand, as evaluate(1)'s example pipes them.
split-chrono --mode user --like-threshold 4 "$ratings" 2> /dev/null | build-graph |
	extract-features --item-column movieId -m title:exposure:words@title="$ratings" \
		-m genres:content:multi@genres="$ratings" -m decade:content:decade@year="$ratings" > feats.mp
for m in hcr ct; do
	rules=; [ $m = hcr ] && rules="--rule hcr-c,hcr,hcr-t"
	train-mtl --method $m --epochs 3 --patience 10 --seed 1 feats.mp | score-frontdoor -k 100 $rules > $m.mp
done
evaluate -k 50,100 --baseline ct hcr.mp ct.mp > report.txt
t_eq "its report is the tools' own" "$(sed 's|out/||g' report.txt)" "$(sed 's|out/||g' out/report.txt)"
t_eq "the summary: HCR (by hcr-c, hcr and hcr-t) and CT on validation and test" "hcr valid
hcr test
hcr/hcr valid
hcr/hcr test
hcr/hcr-t valid
hcr/hcr-t test
ct valid
ct test" "$(awk '/^overall:/ { on = 1; next } on && /^run/ { next } on && NF == 0 { exit } on { print $1, $2 }' out/summary.txt)"
t_eq "with the paired tests against CT" 8 "$(awk '/^compare:/ { on = 1; next } on && $1 == "hcr" { n++ } END { print n }' out/summary.txt)"
t_eq "the JSON's test NDCG@50 is the table's" \
	"$(awk '/^overall:/ { on = 1 } on && $1 == "hcr" && $2 == "test" { print $6; exit }' out/summary.txt)" \
	"$(jq -r '.runs.hcr.test["ndcg@50"] * 10000 | round / 10000 | tostring' out/report.json | awk '{ printf "%.4f", $1 }')"
t_run "the plots' tables, without gnuplot" 0 "*" -- demo R=out out/valid.bars out/test.bars
t_eq "the bars' table for the test plot: a metric a row, a run a column" "metric hcr hcr_sd ct ct_sd
recall@50
recall@100
ndcg@50
ndcg@100" "$(cut -f1 out/test.bars | sed '1s/.*/metric hcr hcr_sd ct ct_sd/')"
t_eq "its header" "metric hcr hcr_sd ct ct_sd" "$(head -n 1 out/test.bars | tr '\t' ' ')"
t_eq "its HCR NDCG@50 is the report's" \
	"$(awk '/^overall:/ { on = 1 } on && $1 == "hcr" && $2 == "test" { print $6; exit }' out/summary.txt)" \
	"$(awk -F'\t' '$1 == "ndcg@50" { printf "%.4f", $2 }' out/test.bars)"

# Rerunning with nothing changed redoes nothing; a new setting redoes only the trainings on.
t_run "a rerun with nothing changed" 0 "*" -- demo R=out
t_eq "announces no stage" "" "$(grep '^\[' "$OUT")"
t_ok "makes nothing new" sh -c '[ ! out/data/movielens/feats.mp -nt out/report.txt ] && [ ! out/hcr.mp -nt out/report.txt ]'
cp -p out/data/movielens/feats.mp feats.before
t_run "a rerun with another epoch count" 0 "*" -- demo R=out EPOCHS=2 -B out/hcr.mp out/ct.mp
t_ok "keeps the features" cmp -s out/data/movielens/feats.mp feats.before

# The README's results section comes from the run.
printf '# x\n\n<!-- demo:begin -->\nold numbers\n<!-- demo:end -->\n\nafter\n' > README.md
t_run "readme-results splices the table in" 0 "*" -- "$HCR_TOP/pipelines/readme-results" README.md out figs
t_eq "between the markers, the run's readme.md" "$(cat out/readme.md)" \
	"$(awk '/^<!-- demo:end -->$/ { on = 0 } on; /^<!-- demo:begin -->$/ { on = 1 }' README.md)"
t_ok "and the rest of the README kept" sh -c 'head -n 1 README.md | grep -q "^# x$" && tail -n 1 README.md | grep -q "^after$"'
printf '# no markers\n' > bare.md
t_run "a README without the markers is refused" 3 "*" -- "$HCR_TOP/pipelines/readme-results" bare.md out figs
t_ok "and left as it was" grep -qx '# no markers' bare.md

t_run "a missing ratings file stops the job" 2 "*" -- demo R=bad RESULTS=bad MOVIELENS=/nonexistent.csv
t_ok "and leaves no stream" test ! -e bad/data/movielens/feats.mp
echo "1..$T_N"
