# Progress: on a terminal, one line rewritten in place ("\r", the text, clear to the
# end of the line) while a long step runs; in a log, the plain lines as before.  The
# terminal is a pseudo-terminal from script(1), 200 columns wide; HCR_METER_INTERVAL=0
# draws the line at every step, so that what it shows does not depend on timing.
. "$HCR_TESTS/lib.sh"

export HCR_METER_INTERVAL=0
ratings=$HCR_TOP/data/examples/ratings.csv
esc=$(printf '\033')
cr=$(printf '\r')

# on_tty COLUMNS CMD: runs CMD (a shell line) with standard error on a terminal of that
# width and standard output to tty.out; what the terminal showed goes to tty.err.
on_tty() {
	local cols=$1
	shift
	script -qec "stty cols $cols; $* 2>&1 >tty.out" /dev/null </dev/null >tty.err
}
# the text drawn in place, one line each time: what follows each "\r" up to the clear
drawn() { tr '\r' '\n' < tty.err | sed -n "s/$esc\[K\$//p" | grep -v '^$'; }
# the lines that stay: what is left once the drawn ones and the clears are taken out
plain() { tr '\r' '\n' < tty.err | grep -v "$esc\[K\$" | sed "s/^$esc\[K//" | grep -v '^$'; }

split-chrono --mode user --like-threshold 4 "$ratings" 2>/dev/null | build-graph |
	extract-features --item-column movieId -m title:exposure:words@title="$ratings" \
		-m genres:content:multi@genres="$ratings" -m decade:content:decade@year="$ratings" > feats.mp

# Training: the line says the epoch of at most how many, the batch (or the validation),
# the time so far, the time left (a range: patience could stop it sooner), the best
# validation so far; the plain epoch lines stay, above it.
t_ok "train-mtl on a terminal" on_tty 200 train-mtl --method ct --epochs 3 --batch 16 feats.mp -o ct.mp
drawn > train.lines
# (the time left is a range, "left 2m10s-9m50s", or "left about 0s" when both ends agree)
t_ok "shows epoch 1 of at most 3, batch by batch" grep -q '^train-mtl: epoch 1 of at most 3, batch 1/2, [0-9]*s, left [about0-9hms -]*$' train.lines
t_ok "then its validation" grep -q '^train-mtl: epoch 1 of at most 3, validating, ' train.lines
plain > train.plain
best1=$(sed -n 's/^train-mtl: epoch 1: .*valid ndcg@50 \([0-9.]*\) .*/\1/p' train.plain)
t_ok "in epoch 2, the best validation so far: epoch 1's, as its plain line says ($best1)" \
	grep -q "^train-mtl: epoch 2 of at most 3, batch 1/2, .*, best $best1 at 1\$" train.lines
t_eq "the plain epoch lines stay, one an epoch" "1 2 3" "$(sed -n 's/^train-mtl: epoch \([0-9]\): loss .*/\1/p' train.plain | xargs)"
t_eq "the line is erased at the end" "$cr$esc[K" "$(tail -c 4 tty.err)"
train-mtl --method ct --epochs 3 --batch 16 feats.mp 2>/dev/null | stream-cat --full --section model |
	tail -n +2 > plain.json
t_eq "and the model (every number) is the one trained without a terminal" "" \
	"$(stream-cat --full --section model ct.mp | tail -n +2 | cmp - plain.json 2>&1)"

# The width: the line never reaches the last column (the terminal would wrap it).
t_ok "train-mtl on a terminal of 40 columns" on_tty 40 train-mtl --method ct --epochs 2 --batch 16 feats.mp -o ct.mp
t_eq "cuts the line to 39 characters" "" "$(drawn | grep -v ': epoch [0-9]*: loss' | awk 'length > 39')"

# Without a terminal: the plain lines, and nothing drawn in place.
t_run "train-mtl --progress into a log" 0 "*" -- train-mtl --progress --method ct --epochs 3 --batch 16 feats.mp -o ct.mp
cp "$ERR" train.log
t_eq "writes a plain line an epoch, as before" 3 \
	"$(grep -c '^train-mtl: epoch [0-9]: loss [0-9.]* (like [0-9.]*), valid ndcg@50 [0-9.]* (best [0-9.]* at epoch [0-9]), [0-9.]* s$' train.log)"
t_eq "and nothing else" 3 "$(wc -l < train.log)"
t_eq "no carriage return, no escape" "" "$(tr -d -c "\r$esc" < train.log)"
t_run "train-mtl into a log without --progress" 0 "" -- train-mtl --method ct --epochs 2 feats.mp -o ct.mp

# Splitting a log: rows read and the share of the file.
gen-log 10000 50 80 > log.csv
t_ok "split-chrono on a terminal" on_tty 200 split-chrono log.csv -o split.mp
drawn > split.lines
t_ok "shows the rows read and the share of the file read" \
	grep -q '^split-chrono: log.csv: 4096 rows read, [0-9]* % of the file, [0-9]*s, about [0-9hms]* left$' split.lines
t_ok "and ends with a line of its own" grep -q '^split-chrono: log.csv: 10000 rows read in [0-9]*s$' split.lines
t_eq "which stays, with a newline" "rows read in" "$(tail -n 1 tty.err | grep -o 'rows read in')"
t_ok "from a pipe, whose size is unknown" on_tty 200 'cat log.csv | split-chrono -o split.mp'
drawn > split.lines
t_ok "shows the rows read" grep -q '^split-chrono: <stdin>: 8192 rows read, [0-9]*s$' split.lines
t_run "a quick split into a log with --progress" 0 "" -- split-chrono --progress log.csv -o split.mp
gen-log 1100000 50 80 > big.csv
t_run "a split of more than 2^20 rows into a log" 0 "split-chrono: big.csv: 1048576 rows read" -- \
	split-chrono --progress big.csv -o split.mp
t_eq "its one plain line, as before" 1 "$(wc -l < "$ERR")"
rm big.csv

# Simulating: users drawn so far.
t_ok "simulate on a terminal" on_tty 200 simulate -d sim -u 700 -i 300 -s 1
drawn > sim.lines
t_ok "shows the users drawn" grep -q '^simulate: drew the clicks of 512 of 700 users, [0-9]*s, about [0-9hms]* left$' sim.lines
t_ok "and ends with a line of its own" grep -q '^simulate: drew the clicks of 700 users in [0-9]*s$' sim.lines
t_run "simulate into a log with --progress" 0 "" -- simulate --progress -d sim -u 700 -i 300 -s 1

# Ranking: users ranked so far, and the time left.
split-chrono sim/log.csv 2>/dev/null | build-graph | train-mtl --backbone mf --epochs 1 2>/dev/null > model.mp
t_ok "score-frontdoor on a terminal" on_tty 200 score-frontdoor model.mp -o rank.mp
drawn > rank.lines
t_ok "shows the users ranked, block by block" grep -q '^score-frontdoor: hcr: 256 of [0-9]* users ranked, [0-9]*s, about [0-9ms]* left$' rank.lines
t_ok "and ends with a line of its own" grep -q '^score-frontdoor: hcr: [0-9]* users ranked in [0-9]*s$' rank.lines
t_run "score-frontdoor into a log with --progress" 0 "" -- score-frontdoor --progress model.mp -o rank.mp

echo "1..$T_N"
