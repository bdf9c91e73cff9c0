# The promises every tool keeps about its output (architecture.md), checked for each
# tool that exists: with -o FILE the file appears only when complete, so a tool killed
# while making it leaves neither the file nor its temporary; and when the reader of its
# output goes away, a tool ends quietly, by SIGPIPE with nothing on stderr, whether
# SIGPIPE is ignored or not.  A new tool must be added here (the last case says so).
. "$HCR_TESTS/lib.sh"

bindir=$(dirname "$(command -v split-chrono)")
covered="split-chrono build-graph extract-features train-mtl score-frontdoor evaluate stream-cat simulate"

# Inputs whose outputs outgrow a pipe and the stream writer's 1 MiB buffer.
gen-log 300000 5000 20000 7 > log.csv
split-chrono log.csv > split.mp
awk 'BEGIN { print "item_id,f1,f2,f3"; for (i = 0; i < 20000; i++) print "i" i "," i % 7 "," i % 3 "," i % 5 }' > items.csv

# killed TOOL SIG OUT FEED -- CMD...: CMD (TOOL, writing -o OUT) reads the fifo in.fifo,
# which is fed 3 MiB of FEED and kept open (killed_size: the temporary's size then), so that the tool waits for more with its
# temporary file made (and, if it copies its input through, partly written); then SIG.
killed() {
	local tool=$1 sig=$2 out=$3 feed=$4 pid rc i tmp
	shift 4
	[ "$1" = -- ] && shift
	rm -f in.fifo "$out"
	mkfifo in.fifo
	"$@" 2> killed.err &
	pid=$!
	exec 3> in.fifo
	head -c 3145728 "$feed" >&3
	for i in $(seq 200); do
		tmp=$(ls -a | grep "^\.$out\.tmp" || true)
		[ -n "$tmp" ] && break
		sleep 0.05
	done
	t_ok "$tool: its temporary file exists while it works" test -n "$tmp"
	killed_size=$(stat -c %s "$tmp" 2> /dev/null || echo 0)
	kill -"$sig" "$pid"
	{ wait "$pid"; } 2> /dev/null && rc=0 || rc=$?
	exec 3>&-
	t_eq "$tool: SIG$sig ends it as the signal does" "$((128 + $(kill -l "$sig")))" "$rc"
	t_ok "$tool: killed, it leaves no $out" test ! -e "$out"
	t_ok "$tool: nor its temporary file" sh -c "! ls -a | grep -q '^\.$out\.tmp'"
	t_eq "$tool: and says nothing" "" "$(cat killed.err)"
}

# closed TOOL -- CMD...: the reader of CMD's standard output takes 10 bytes and goes.
closed() {
	local tool=$1
	shift 2
	"$@" 2> pipe.err | head -c 10 > /dev/null
	t_eq "$tool: a reader going away ends it by SIGPIPE" 141 "${PIPESTATUS[0]}"
	t_eq "$tool: with nothing on stderr" "" "$(cat pipe.err)"
	(trap '' PIPE; "$@" 2> pipe.err | head -c 10 > /dev/null; echo "${PIPESTATUS[0]}" > pipe.rc)
	t_eq "$tool: with SIGPIPE ignored, by SIGPIPE still" 141 "$(cat pipe.rc)"
	t_eq "$tool: and quietly" "" "$(cat pipe.err)"
}

killed split-chrono TERM out.mp log.csv -- split-chrono -o out.mp in.fifo
closed split-chrono -- split-chrono log.csv

killed build-graph TERM out.mp split.mp -- build-graph -o out.mp in.fifo
t_ok "build-graph: killed in the middle of writing (it copies its input through)" \
	test "$killed_size" -gt 0
closed build-graph -- build-graph split.mp

killed extract-features TERM out.mp split.mp -- extract-features -m f:content=items.csv -o out.mp in.fifo
closed extract-features -- extract-features -m f:content=items.csv split.mp

# HCR tells exposure from content: a modality of each role
build-graph split.mp | extract-features -m f:content=items.csv -m g:exposure=items.csv > feats.mp
killed train-mtl TERM out.mp feats.mp -- train-mtl --epochs 1 --max-batches 1 -o out.mp in.fifo
closed train-mtl -- train-mtl --epochs 1 --max-batches 1 feats.mp

train-mtl --backbone mf --epochs 1 --max-batches 1 feats.mp > model.mp
killed score-frontdoor TERM out.mp model.mp -- score-frontdoor -k 100 -o out.mp in.fifo
closed score-frontdoor -- score-frontdoor -k 100 model.mp

# evaluate prints a short report; its per-user rows (344 kB here) outgrow a pipe
score-frontdoor -k 100 model.mp > ranked.mp
# evaluate makes its -o only once it has read everything: killed while reading, it
# leaves nothing at all
rm -f in.fifo out.txt; mkfifo in.fifo
evaluate -o out.txt in.fifo 2> killed.err &
pid=$!
exec 3> in.fifo
head -c 3145728 ranked.mp >&3
sleep 0.2
kill -TERM "$pid"
{ wait "$pid"; } 2> /dev/null && rc=0 || rc=$?
exec 3>&-
t_eq "evaluate: SIGTERM while reading ends it as the signal does" 143 "$rc"
t_ok "evaluate: killed, it leaves no out.txt nor a temporary" sh -c '! ls -a | grep -q "out\.txt"'
t_eq "evaluate: and says nothing" "" "$(cat killed.err)"
closed evaluate -- evaluate --per-user-tsv /dev/stdout -o /dev/null ranked.mp

killed stream-cat TERM out.json split.mp -- stream-cat --full -o out.json in.fifo
killed stream-cat HUP out.json split.mp -- stream-cat --full -o out.json in.fifo
closed stream-cat -- stream-cat --full split.mp

# simulate writes a folder, not standard output: killed while writing its truth (the
# largest file), it leaves the files it finished, no temporary, and no params.json,
# whose presence says the folder is complete.
# The truth takes a fraction of a second to write, so a try whose signal came too late
# (the run had finished) is tried again, up to ten times.
for try in $(seq 10); do
	rm -rf sim
	simulate -d sim -u 1000 -i 4000 -c 20 2> killed.err &
	pid=$!
	for i in $(seq 2000); do
		ls -a sim 2> /dev/null | grep -q "^\.truth\.mp\.tmp" && break
		sleep 0.002
	done
	kill -TERM "$pid" 2> /dev/null
	{ wait "$pid"; } 2> /dev/null && rc=0 || rc=$?
	[ "$rc" = 0 ] || break
done
t_eq "simulate: SIGTERM while writing its truth ends it" 143 "$rc"
t_ok "simulate: no temporary file left" sh -c '! ls -a sim | grep -q tmp'
t_ok "simulate: no params.json, so the folder reads as unfinished" test ! -e sim/params.json
t_ok "simulate: the files it finished are whole" test -s sim/log.csv

for t in $(ls "$bindir"); do
	case " $covered " in
	*" $t "*) ;;
	*) t_fail "$t: its -o and closed-pipe promises are tested here" "add $t to tests/cases/promises.sh" ;;
	esac
done
t_pass "every tool in $(basename "$bindir")/ is covered"
echo "1..$T_N"
