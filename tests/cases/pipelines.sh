# pipelines: the paper's experiments end to end on a tiny simulated data set (MF, two
# epochs, one setting): the tables' rows and columns, the search's record, reruns that
# redo only what changed.  The PNGs are checked only where gnuplot is installed.
. "$HCR_TESTS/lib.sh"

# The make running the suite must not lend this one its jobs or its variables.
unset MAKEFLAGS MFLAGS MAKELEVEL
P=$HCR_TOP/pipelines
SMALL=(DATA=sim "SIM_ARGS=-u 60 -i 80 -s 3" BACKBONE=mf EPOCHS=2 PATIENCE=2 LRS=1e-3 L2S=1e-3
	BETAS=1 K=10,20 RESULTS=r BIN="$(dirname "$(command -v train-mtl)")")
pmake() { make -s -f "$P/$1.mk" "${SMALL[@]}" "${@:2}"; }
cols() { head -n 1 "$1" | tr '\t' ' '; }
rows() { tail -n +2 "$1" | cut -f1 | tr '\n' ' '; }
nas() { tail -n +2 "$1" | awk -F'\t' '{ for (i = 2; i <= NF; i += 2) if ($i == "NA") n++ } END { print n + 0 }'; }

t_ok "table 3 on two seeds" pmake table3 tables SEEDS="1 2"
t_eq "each training says where it stands: in the search, then on the other seed" \
	"train hcr/lr-1e-3_l2-1e-3_beta-1/seed-1: setting 1 of 1 of hcr's search
train hcr/lr-1e-3_l2-1e-3_beta-1/seed-2: the chosen setting on seed 2 of 2" "$(grep '^train hcr/' "$ERR")"
T=r/table3/sim
t_eq "table 3's columns: each metric at each K, its spread, the truth's NDCG" \
	"method recall@10 recall@10_sd recall@20 recall@20_sd ndcg@10 ndcg@10_sd ndcg@20 ndcg@20_sd truth:ndcg@10 truth:ndcg@10_sd truth:ndcg@20 truth:ndcg@20_sd" \
	"$(cols $T/table3.tsv)"
t_eq "table 3's rows: HCR's rules in its model's order (its own hcr-c, the paper's, HCR-T, -S1, -S2, the exact sum, h1c alone) and HCR-NS" \
	"hcr hcr/hcr hcr/hcr-t hcr/hcr-s1 hcr/hcr-s2 hcr/hcr-cg hcr/hcr-c-s2 hcr-ns " "$(rows $T/table3.tsv)"
t_eq "every mean of table 3 is there" 0 "$(nas $T/table3.tsv)"
t_eq "two seeds give a spread" 0 "$(tail -n +2 $T/table3.tsv | cut -f3 | grep -c NA)"
# the first table of a markdown page: its lines up to the first blank after it
table1() { awk '/^\|/ { on = 1 } on && !/^\|/ { exit } on' "$1"; }
t_eq "the markdown: a header, a rule and eight rows, each mean with its spread" \
	"10 8" "$(table1 $T/table3.md | wc -l) $(table1 $T/table3.md | grep -c '^| HCR[^|]* | [0-9.]* ± ')"
t_eq "the markdown's first table, from the first row" "| method | recall@10 | recall@20 | ndcg@10 | ndcg@20 | truth:ndcg@10 | truth:ndcg@20 |" \
	"$(grep -m 1 '^| method' $T/table3.md)"
t_eq "the settings chosen, beside the results" "method hp lr l2 beta
hcr lr-1e-3_l2-1e-3_beta-1 1e-3 1e-3 1
hcr-ns lr-1e-3_l2-1e-3_beta-1 1e-3 1e-3 1" \
	"$(cut -f1-5 $T/hparams.tsv | tr '\t' ' ')"
t_eq "one evaluation per seed, and their summary" "seed-1.tsv seed-2.tsv summary.tsv" \
	"$(cd $T && ls seed-*.tsv summary.tsv | tr '\n' ' ' | sed 's/ $//')"
t_run "run again, nothing is left to do" 0 "" -- make -q -f "$P/table3.mk" "${SMALL[@]}" SEEDS="1 2" tables

model=$(ls r/data/sim/mf-e2-p2/hcr/lr-1e-3_l2-1e-3_beta-1/seed-1.model.mp)
before=$(stat -c %Y.%y "$model")
t_ok "another K" pmake table3 tables SEEDS="1 2" K=5,10
t_eq "evaluates again" "method recall@5 recall@5_sd" "$(cols $T/table3.tsv | cut -d' ' -f1-3)"
t_eq "and trains nothing again" "$before" "$(stat -c %Y.%y "$model")"

t_ok "a wider grid" pmake table3 tables SEEDS=1 L2S="1e-3 1e-2" BETAS="1 3"
t_eq "trains the settings it lacks, saying which of the grid's each is" \
	"train hcr/lr-1e-3_l2-1e-3_beta-3/seed-1: setting 2 of 4 of hcr's search
train hcr/lr-1e-3_l2-1e-2_beta-1/seed-1: setting 3 of 4 of hcr's search
train hcr/lr-1e-3_l2-1e-2_beta-3/seed-1: setting 4 of 4 of hcr's search" "$(grep '^train hcr/' "$ERR" | sort -k4,4n)"
t_eq "searches every setting once" 4 "$(tail -n +2 r/data/sim/mf-e2-p2/hcr/grid.tsv | wc -l)"
t_eq "and records how many were tried" 4 "$(awk -F'\t' 'NR == 2 { print $NF }' $T/hparams.tsv)"
t_eq "the choice is the best validation NDCG@50" \
	"$(tail -n +2 r/data/sim/mf-e2-p2/hcr/grid.tsv | sort -s -t$'\t' -k6,6gr | head -n 1 | cut -f2)" \
	"$(awk -F'\t' 'NR == 2 { print $2 }' $T/hparams.tsv)"

t_ok "table 2 on one seed" pmake table2 tables SEEDS=1
t_eq "table 2's rows: every method" "ct esmm cr multi-ipw multi-dr dcf hcr " "$(rows r/table2/sim/table2.tsv)"
t_eq "every mean of table 2 is there" 0 "$(nas r/table2/sim/table2.tsv)"
t_eq "one seed: no spread in the markdown" "9 0" \
	"$(table1 r/table2/sim/table2.md | wc -l) $(table1 r/table2/sim/table2.md | grep -c '±')"

t_ok "figures 5, 6 and 7 as tables" bash -c 'for f in fig5 fig6 fig7; do make -s -f "$0/$f.mk" "${@}" SEEDS=1 tables || exit; done' \
	"$P" "${SMALL[@]}"
t_eq "figure 5a: recall@20 of CT and HCR by activity" "group ct ct_sd hcr hcr_sd|active less-active " \
	"$(cols r/fig5/sim/fig5a.tsv)|$(rows r/fig5/sim/fig5a.tsv)"
t_eq "figure 5b: HCR's gains over CT" "group gain_recall@20 gain_recall@20_sd gain_ndcg@20 gain_ndcg@20_sd" \
	"$(cols r/fig5/sim/fig5b.tsv)"
t_eq "figure 6a: the gain in each of four periods" "period gain_recall@20 gain_recall@20_sd gain_ndcg@20 gain_ndcg@20_sd|1 2 3 4 " \
	"$(cols r/fig6/sim/fig6a.tsv)|$(rows r/fig6/sim/fig6a.tsv)"
t_eq "figure 6b: each method's drop in the later three" "period ct ct_sd hcr hcr_sd|2 3 4 " \
	"$(cols r/fig6/sim/fig6b.tsv)|$(rows r/fig6/sim/fig6b.tsv)"
t_eq "figure 7: normalised recall by like/click ratio" "items ct ct_sd hcr hcr_sd|high low " \
	"$(cols r/fig7/sim/fig7.tsv)|$(rows r/fig7/sim/fig7.tsv)"
t_eq "the figures' numbers are there" "0 0 0 0 0" "$(for f in fig5/sim/fig5a fig5/sim/fig5b fig6/sim/fig6a fig6/sim/fig6b fig7/sim/fig7; do nas r/$f.tsv; done | tr '\n' ' ' | sed 's/ $//')"
t_eq "CT and HCR were trained once for all three" 1 "$(ls r/data/sim/mf-e2-p2/ct/*/seed-1.model.mp | wc -l)"

if command -v gnuplot >/dev/null; then
	t_ok "figure 7 drawn" pmake fig7 SEEDS=1
	t_eq "as a PNG" PNG "$(head -c 4 r/fig7/sim/fig7.png | tail -c 3)"
else
	t_pass "# SKIP no gnuplot: figures not drawn"
fi

# Every data set's preparation, from small files laid out as released.
sections() { stream-cat -l "$1" | jq -r 'select(.section == "feature") | "\(.meta.name):\(.meta.role)"' | tr '\n' ' '; }
t_ok "MovieLens from a CSV of dslabs' layout" make -s -f "$P/table3.mk" RESULTS=r \
	RAW="$HCR_DATA/split-chrono/movielens.csv" data
t_eq "its three modalities" "title:exposure genres:content decade:content " "$(sections r/data/movielens/feats.mp)"
t_eq "split per user" user "$(stream-cat -l r/data/movielens/feats.mp | jq -r 'select(.section == "split") | .meta.mode')"
mkdir -p taobao tiktok kwai/visual
cp "$HCR_DATA/split-chrono/ijcai2016_taobao.csv" taobao/
t_ok "Taobao" make -s -f "$P/table3.mk" RESULTS=r DATA=taobao RAW=taobao data
t_eq "seller and category, both exposure" "seller:exposure category:exposure " "$(sections r/data/taobao/feats.mp)"
printf '1\t5\t101\t7\t5\t0\t0\t0\t11\t6\t53085\t10\n2\t5\t102\t7\t5\t0\t1\t0\t11\t6\t53085\t10\n' > tiktok/final_track2_train.txt
cp "$HCR_DATA/features/video.jsonl" tiktok/track2_video_features.txt
cp "$HCR_DATA/features/audio.jsonl" tiktok/track2_audio_features.txt
cp "$HCR_DATA/features/title.jsonl" tiktok/track2_title.txt
t_ok "Tiktok" make -s -f "$P/table3.mk" RESULTS=r DATA=tiktok RAW=tiktok data
t_eq "visual, acoustic and title" "visual:content acoustic:content title:exposure " "$(sections r/data/tiktok/feats.mp)"
cp "$HCR_DATA/split-chrono/train_interaction.txt" kwai/
for i in 100 101 102 103; do mknpy kwai/visual/$i 1 '<f4' '(1, 2)' 0.5 1; done
printf '100\t12,7\n101\t0\n102\t7\n103\t3\n' > kwai/train_text.txt
t_ok "Kwai" make -s -f "$P/table3.mk" RESULTS=r DATA=kwai RAW=kwai data
t_eq "cover and text, both exposure" "cover:exposure text:exposure " "$(sections r/data/kwai/feats.mp)"
# Data sets released with a randomly exposed test set, from small files laid out as
# released: the given parts, each data set's modalities, and the test's pairs ranked.
S=$HCR_DATA/split-chrono
t_ok "Coat" make -s -f "$P/table3.mk" RESULTS=r DATA=coat RAW="$S/coat" VALID_SPLIT="--valid-fraction 0" data
t_eq "front page exposure; gender, jacket type and colour content" \
	"front:exposure gender:content type:content colour:content " "$(sections r/data/coat/feats.mp)"
t_eq "given parts, the test every exposed pair" "given 6" \
	"$(stream-cat -l r/data/coat/feats.mp | jq -r 'select(.section == "split") | "\(.meta.mode) \(.meta.test)"')"
t_ok "Yahoo! R3" make -s -f "$P/table3.mk" RESULTS=r DATA=yahoo RAW="$S/yahoo" VALID_SPLIT="--valid-fraction 0" data
t_eq "no modality" "" "$(sections r/data/yahoo/feats.mp)"
t_ok "KuaiRand" make -s -f "$P/table3.mk" RESULTS=r DATA=kuairand RAW="$S/kuairand" VALID_SPLIT="--valid-fraction 0" data
t_eq "the author exposure; tags and music content" "author:exposure tag:content music:content " \
	"$(sections r/data/kuairand/feats.mp)"
mkdir -p kuairec && cp "$S/kuairec/data/"* kuairec/
printf 'video_id,date,author_id,video_type\n148,20200705,3,NORMAL\n148,20200706,3,NORMAL\n183,20200705,4,AD\n200,20200705,3,NORMAL\n' \
	> kuairec/item_daily_features.csv
t_ok "KuaiRec" make -s -f "$P/table3.mk" RESULTS=r DATA=kuairec RAW=kuairec VALID_SPLIT="--valid-fraction 0" data
t_eq "the author exposure; categories content" "author:exposure category:content " "$(sections r/data/kuairec/feats.mp)"
# A Coat look-alike big enough to train on: 12 users, 10 items, a pattern of ratings.
mkdir -p coat/user_item_features
awk 'BEGIN { for (u = 0; u < 12; u++) { s = ""; for (i = 0; i < 10; i++) s = s (i ? " " : "") \
	((u * 7 + i * 3) % 11 < 6 ? 1 + (u + i) % 5 : 0); print s } }' > coat/train.ascii
awk 'BEGIN { for (u = 0; u < 12; u++) { s = ""; for (i = 0; i < 10; i++) s = s (i ? " " : "") \
	((u * 5 + i * 7) % 10 < 4 ? 1 + (u * i) % 5 : 0); print s } }' > coat/test.ascii
awk 'BEGIN { for (i = 0; i < 10; i++) print i % 2, 1 - i % 2, (i % 5 < 2), (i % 5 >= 2), (i % 3 == 0), \
	(i % 3 != 0), (i % 4 == 0), (i % 4 != 0) }' > coat/user_item_features/item_features.ascii
cp "$S/coat/user_item_features/item_features_map.txt" coat/user_item_features/
t_ok "the Coat bench: Table 2 and 3, one backbone, two seeds, its table" \
	make -s -f "$P/bench.mk" RAW=coat BACKBONES=mf SEEDS="1 2" LRS=1e-3 L2S=1e-3 BETAS=1 EPOCHS=2 \
	PATIENCE=2 RESULTS=r BIN="$(dirname "$(command -v train-mtl)")"
t_eq "every method, every rule of HCR's model, HCR-NS" \
	"mf ct|mf esmm|mf cr|mf multi-ipw|mf multi-dr|mf dcf|mf hcr|mf hcr/hcr|mf hcr/hcr-t|mf hcr/hcr-s1|mf hcr/hcr-s2|mf hcr/hcr-cg|mf hcr/hcr-c-s2|mf hcr-ns|" \
	"$(tail -n +2 r/bench/coat/coat.tsv | cut -f1,2 | tr '\t\n' ' |')"
t_eq "the exposed protocol beside all-ranking" \
	"backbone method exposed:xndcg@5 exposed:xndcg@5_sd exposed:xrecall@5 exposed:xrecall@5_sd exposed:auc@0 exposed:auc@0_sd recall@10 recall@10_sd ndcg@10 ndcg@10_sd" \
	"$(cols r/bench/coat/coat.tsv)"
t_eq "every number of it is there" 0 "$(tail -n +2 r/bench/coat/coat.tsv | cut -f3- | tr '\t' '\n' | grep -c NA)"
t_eq "HCR against CT: a line per metric" 5 "$(grep -c '^| \(xNDCG@5\|xRecall@5\|AUC\|Recall@10\|NDCG@10\) | ' r/bench/coat/coat.md)"
t_eq "the whole table has the settings chosen, the README's cut not" "1 0" \
	"$(grep -c '^### Hyper-parameters' r/bench/coat/coat.md) $(grep -c '^### Hyper-parameters' r/bench/coat/readme.md)"
t_eq "the rankings hold each user's test pairs" test \
	"$(stream-cat -H r/data/coat/mf-e2-p2/ct/lr-1e-3_l2-1e-3/seed-1.top10+test.mp | jq -r 'select(.section? == "ranking") | .meta.candidates // empty' | sort -u)"
t_run "a real data set needs its files" 2 '*' -- make -s -f "$P/table3.mk" RESULTS=r DATA=kwai data
t_run "an unknown data set" 2 '*' -- make -s -f "$P/table3.mk" RESULTS=r DATA=netflix data

# LAUNCH's shell, pipelines/launch (cases/slurm.sh runs these experiments through Slurm):
# a launcher that exits 0 though no job ran the line (srun does, when a task cannot start).
t_run "a launched line that no job ran fails" 1 "launch: x/t: no job ran the line (see true's messages above)" \
	-- "$P/launch" 1 1G x/t true -- -ec 'echo ran > x/t'
