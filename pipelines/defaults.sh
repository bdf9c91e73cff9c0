#!/usr/bin/env bash
# pipelines/defaults.sh: measure train-mtl's settings (lr, L2, beta) for HCR on several data sets:
# does the like head train, and how far is validation NDCG@50 from the best (issue 19).
#
#   pipelines/defaults.sh BIN OUT      e.g.  pipelines/defaults.sh build/bin results/defaults
#   awk -f pipelines/defaults-table.awk results/defaults/results.tsv     (the tables)
#
# BIN: the folder of the hcr tools; OUT: where data, runs and the TSV go.  Prints the
# TSV (one row per training) on standard output and writes it to OUT/results.tsv.
# Rerunnable: a training whose OUT/runs/*.json exists is not trained again.
#
# Environment (defaults in brackets):
#   DATASETS       [movielens sim sim-u2000-i1000-k2 coat]
#   PHASES         [data mf mmgcn]
#   PAR            trainings at once [2]; each is nice -n 10, -j 1, one BLAS thread
#   SEED           [1]
#   LRS L2S BETAS  the grid [1e-4 5e-4 1e-3] [1e-4 1e-3 1e-2] [1 2 3 5]
#   MF_EPOCHS      [200]   MMGCN_EPOCHS [40]   PATIENCE [10]
#   MMGCN_DATA     data set of the MMGCN runs [movielens]
#   MMGCN_TOP      best MF settings (by valid NDCG@50 on MMGCN_DATA) also run on MMGCN [1]
#   MMGCN_EXTRA    more HCR settings for MMGCN, "lr,l2,beta ..." [1e-3,1e-4,5: the
#                  setting proposed as the default from the MF grid]
#   MMGCN_CT       CT settings for MMGCN, "lr,l2 ..." [1e-3,1e-4: CT's best MF setting
#                  on MovieLens]
#   (HCR at the default 1e-3,1e-3,1 is always run on MMGCN.)
#   MOVIELENS_CSV  a ratings CSV instead of exporting dslabs::movielens with R
#   COAT           the Coat folder as released (train.ascii, test.ascii,
#                  user_item_features/); without it Coat is skipped
# The measurement behind train-mtl(1)'s defaults, run with train-mtl's defaults of then
# (--lr 1e-3 --l2 1e-3 --beta 1), is pipelines/results-defaults.tsv: about three hours
# on two shared cores.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 BIN OUT" >&2
	exit 2
fi
BIN=$(cd "$1" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
export PATH="$BIN:$PATH"
export OPENBLAS_NUM_THREADS=1
export LC_ALL=C

DATASETS=${DATASETS:-movielens sim sim-u2000-i1000-k2 coat}
PHASES=${PHASES:-data mf mmgcn}
PAR=${PAR:-2}
SEED=${SEED:-1}
LRS=${LRS:-1e-4 5e-4 1e-3}
L2S=${L2S:-1e-4 1e-3 1e-2}
BETAS=${BETAS:-1 2 3 5}
MF_EPOCHS=${MF_EPOCHS:-200}
MMGCN_EPOCHS=${MMGCN_EPOCHS:-40}
PATIENCE=${PATIENCE:-10}
MMGCN_DATA=${MMGCN_DATA:-movielens}
MMGCN_TOP=${MMGCN_TOP:-1}
MMGCN_EXTRA=${MMGCN_EXTRA:-1e-3,1e-4,5}
MMGCN_CT=${MMGCN_CT:-1e-3,1e-4}
COAT=${COAT:-}
# the features the demo and the experiments share, when they exist
TOP=$(cd "$(dirname "$0")/.." && pwd)
MAIN_FEATS=$TOP/results/data/movielens/feats.mp

for t in split-chrono build-graph extract-features train-mtl simulate stream-cat; do
	[ -x "$BIN/$t" ] || { echo "$0: $BIN/$t: not found" >&2; exit 2; }
done
command -v jq > /dev/null || { echo "$0: jq is needed" >&2; exit 2; }

has_phase() { [[ " $PHASES " == *" $1 "* ]]; }
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

# ---------------------------------------------------------------- data sets
# Each data set ends as OUT/data/NAME/feats.mp: split, graphs, item features.

# data_mk DATA NAME [make settings]: OUT/data/NAME/feats.mp as pipelines/data.mk makes
# DATA for every experiment (in OUT/sets/NAME, linked), once.
data_mk() {
	local data=$1 name=$2
	shift 2
	[ -f "$OUT/data/$name/feats.mp" ] && return
	log "$name: pipelines/data.mk DATA=$data $*"
	make -s -f "$TOP/pipelines/data.mk" DATA="$data" RESULTS="$OUT/sets/$name" BIN="$BIN" "$@" data
	mkdir -p "$OUT/data"
	ln -sfn "$OUT/sets/$name/data/$data" "$OUT/data/$name"
}

prep_movielens() {
	if [ -z "${MOVIELENS_CSV:-}" ] && [ -f "$MAIN_FEATS" ] && [ ! -f "$OUT/data/movielens/feats.mp" ]; then
		log "movielens: copying $MAIN_FEATS"
		mkdir -p "$OUT/data/movielens"
		cp "$MAIN_FEATS" "$OUT/data/movielens/feats.mp"
		return
	fi
	data_mk movielens movielens RAW="${MOVIELENS_CSV:-}"
}

# Coat (Schnabel et al. 2016): train.ascii and test.ascii, 290 x 300, 0 = unrated.
# Every train rating a click at time 1, every test rating a click at time 2; a like is a
# rating of 4 or more.  A global cut at 6960 / 11600 = 0.6 puts exactly the train
# ratings in training; the later likes (test) are halved per user into valid and test.
# Items: onfrontpage is exposure; gender, jacket type and colour are content.  (The
# measurement predates split-chrono --mode given, by which pipelines/data.mk reads
# Coat now: this keeps its data as measured.)
prep_coat() {
	local d=$OUT/data/coat
	[ -f "$d/feats.mp" ] && return
	if [ -z "$COAT" ] || [ ! -s "$COAT/train.ascii" ]; then
		log "coat: skipped, COAT names no folder with train.ascii"
		return
	fi
	mkdir -p "$d"
	log "coat: converting $COAT"
	{
		echo "user,item,time,click,like"
		awk '{ for (i = 1; i <= NF; i++) if ($i > 0) printf "u%d,i%d,1,1,%d\n", NR, i, ($i >= 4) }' "$COAT/train.ascii"
		awk '{ for (i = 1; i <= NF; i++) if ($i > 0) printf "u%d,i%d,2,1,%d\n", NR, i, ($i >= 4) }' "$COAT/test.ascii"
	} > "$d/coat.csv"
	# item_features.ascii: 33 one-hot columns named in item_features_map.txt
	# (group:value); one column per group, the value of its hot column.
	awk 'NR == FNR { split($0, a, ":"); g[NR] = a[1]; v[NR] = a[2]; next }
	     FNR == 1 { printf "item,gender,jackettype,color,onfrontpage\n" }
	     { delete val; for (k = 1; k <= NF; k++) if ($k == 1) val[g[k]] = v[k]
	       printf "i%d,%s,%s,%s,%s\n", FNR, val["gender"], val["jackettype"], val["color"], val["onfrontpage"] }' \
	    "$COAT/user_item_features/item_features_map.txt" "$COAT/user_item_features/item_features.ascii" \
	    > "$d/items.csv"
	split-chrono -f csv -c user=user,item=item,time=time,click=click,like=like -t 0.6 -v \
	    "$d/coat.csv" 2> "$d/split.log" \
	  | build-graph \
	  | extract-features --item-column item \
	      -m onfrontpage:exposure:category@onfrontpage="$d/items.csv" \
	      -m gender:content:category@gender="$d/items.csv" \
	      -m jackettype:content:category@jackettype="$d/items.csv" \
	      -m color:content:category@color="$d/items.csv" -o "$d/feats.mp"
}

prep() {
	case $1 in
	movielens) prep_movielens ;;
	sim) data_mk sim sim SIM_ARGS="-u 1000 -i 2000 -s 1" ;;
	sim-u2000-i1000-k2) data_mk sim "$1" SIM_ARGS="-u 2000 -i 1000 --confounding 2 -s 1" ;;
	coat) prep_coat ;;
	*) echo "$0: unknown data set $1" >&2; exit 2 ;;
	esac
}

if has_phase data; then
	for ds in $DATASETS; do prep "$ds"; done
fi

# ---------------------------------------------------------------- trainings
# One training: data backbone method lr l2 beta epochs.  Its model section's meta (the
# settings and the epoch log) goes to OUT/runs/ID.json with the wall seconds; the model
# itself is not kept.  A failed training leaves ID.json with its exit status.

mkdir -p "$OUT/runs"

train() {
	local ds=$1 bb=$2 m=$3 lr=$4 l2=$5 beta=$6 ep=$7
	local id="$ds.$bb.$m.lr$lr.l2$l2.b$beta.e$ep.s$SEED"
	local j=$OUT/runs/$id.json t0 t1 rc=0
	[ -f "$j" ] && return 0
	t0=$(date +%s.%N)
	nice -n 10 train-mtl --method "$m" --backbone "$bb" --lr "$lr" --l2 "$l2" \
	    $([ "$m" = ct ] || echo --beta "$beta") --epochs "$ep" --patience "$PATIENCE" \
	    --seed "$SEED" -j 1 -v "$OUT/data/$ds/feats.mp" -o "$OUT/runs/$id.mp" \
	    2> "$OUT/runs/$id.log" || rc=$?
	t1=$(date +%s.%N)
	if [ $rc -eq 0 ]; then
		stream-cat -l "$OUT/runs/$id.mp" \
		  | jq -c --arg ds "$ds" --argjson s "$(echo "$t1 - $t0" | bc)" \
		      'select(.section == "model") | .meta | {data: $ds, seconds: $s} + .' > "$j.tmp"
		rm -f "$OUT/runs/$id.mp"
	else
		jq -nc --arg ds "$ds" --arg bb "$bb" --arg m "$m" --argjson lr "$lr" --argjson l2 "$l2" \
		    --argjson beta "$beta" --argjson ep "$ep" --argjson rc "$rc" \
		    '{data: $ds, method: $m, backbone: $bb, settings: {lr: $lr, l2: $l2, beta: $beta, epochs: $ep},
		      stopped: "exit \($rc)", epoch_log: []}' > "$j.tmp"
	fi
	mv "$j.tmp" "$j"
	log "done $id (exit $rc)"
}

# Run the lines of standard input (train arguments) PAR at a time.
run_jobs() {
	local args
	while read -r args; do
		[ -n "$args" ] || continue
		while [ "$(jobs -rp | wc -l)" -ge "$PAR" ]; do wait -n || true; done
		# shellcheck disable=SC2086
		train $args &
	done
	wait
}

if has_phase mf; then
	{
		for ds in $DATASETS; do
			[ -f "$OUT/data/$ds/feats.mp" ] || continue
			for lr in $LRS; do for l2 in $L2S; do
				for beta in $BETAS; do echo "$ds mf hcr $lr $l2 $beta $MF_EPOCHS"; done
				echo "$ds mf ct $lr $l2 1 $MF_EPOCHS"
			done; done
		done
	} | run_jobs
fi

if has_phase mmgcn; then
	# The default setting, the best MMGCN_TOP settings of the MF grid on MMGCN_DATA,
	# and MMGCN_EXTRA; CT at MMGCN_CT.
	files=("$OUT"/runs/"$MMGCN_DATA".mf.hcr.*.e"$MF_EPOCHS".s"$SEED".json)
	[ -e "${files[0]}" ] || files=(/dev/null)
	# (spelt as in LRS, L2S and BETAS, so that a setting keeps one file name)
	top=$(cat "${files[@]}" \
	  | jq -rs --argjson n "$MMGCN_TOP" --arg lrs "$LRS" --arg l2s "$L2S" --arg betas "$BETAS" '
	      def spell($v; $list): ([$list | splits(" +") | select(length > 0 and tonumber == $v)][0])
	        // ($v | tostring);
	      map(select(.best_valid != null)) | sort_by(-.best_valid) | .[:$n][]
	      | "\(spell(.settings.lr; $lrs)),\(spell(.settings.l2; $l2s)),\(spell(.settings.beta; $betas))"')
	{
		for s in 1e-3,1e-3,1 $top $MMGCN_EXTRA; do
			IFS=, read -r lr l2 beta <<< "$s"
			echo "$MMGCN_DATA mmgcn hcr $lr $l2 $beta $MMGCN_EPOCHS"
		done
		for s in $MMGCN_CT; do
			IFS=, read -r lr l2 <<< "$s"
			echo "$MMGCN_DATA mmgcn ct $lr $l2 1 $MMGCN_EPOCHS"
		done
	} | awk '!seen[$0]++' | run_jobs
fi

# ---------------------------------------------------------------- the table
# One row per training.  like_/click_eN: the loss parts at epoch N (like unweighted by
# beta); _best: at the selected epoch; like_min: the lowest like part of the run;
# like_rate and like_h0: the training like rate p and its entropy -p ln p - (1-p) ln(1-p),
# the like loss of the best constant predictor; like_e10: at epoch 10; first_below_h0: the
# first epoch whose like part is below like_h0 - 0.01 (NA: never).  For ct the like part
# is CT's own loss (likes against unclicked items) and the click parts are NA.
{
	printf 'data\tbackbone\tmethod\tlr\tl2\tbeta\tbest_epoch\tepochs_run\tstopped\t'
	printf 'like_e1\tclick_e1\tlike_e3\tclick_e3\tlike_best\tclick_best\tlike_min\t'
	printf 'valid_ndcg50\tlike_rate\tlike_h0\tlike_e10\tfirst_below_h0\tseconds\n'
	for ds in $DATASETS; do
		[ -f "$OUT/data/$ds/feats.mp" ] || continue
		rate=$(stream-cat -l "$OUT/data/$ds/feats.mp" \
		  | jq 'select(.section == "split") | .meta.train_liked / .meta.train_clicks')
		files=("$OUT"/runs/"$ds".*.s"$SEED".json)
		[ -e "${files[0]}" ] || continue
		cat "${files[@]}" \
		  | jq -r --argjson p "$rate" '
		      (-($p * ($p | log)) - ((1 - $p) * ((1 - $p) | log))) as $h0 |
		      def col(n): (.epoch_columns // []) | index(n);
		      def at($e; $n): col($n) as $c | if $c == null or $e == null then null
		        else ([.epoch_log[] | select(.[0] == $e)][0] // null) | if . == null then null else .[$c] end end;
		      def f: if . == null then "NA" elif type == "number" then (. * 1e6 | round / 1e6 | tostring) else tostring end;
		      [ .data, .backbone, .method, .settings.lr, .settings.l2,
		        (if .method == "ct" then "NA" else .settings.beta end),
		        .best_epoch, (.epoch_log | length), .stopped,
		        at(1; "like"), at(1; "click"), at(3; "like"), at(3; "click"),
		        at(.best_epoch; "like"), at(.best_epoch; "click"),
		        ((col("like")) as $c | if $c == null or (.epoch_log | length) == 0 then null
		           else [.epoch_log[][$c]] | min end),
		        .best_valid, $p, $h0, at(10; "like"),
		        ((col("like")) as $c | if $c == null then null
		           else [.epoch_log[] | select(.[$c] < $h0 - 0.01) | .[0]] | (.[0] // null) end),
		        .seconds ]
		      | map(f) | @tsv'
	done | sort -t$'\t' -k1,1 -k2,2 -k3,3 -k4,4g -k5,5g -k6,6g
} > "$OUT/results.tsv.tmp"
mv "$OUT/results.tsv.tmp" "$OUT/results.tsv"
cat "$OUT/results.tsv"
