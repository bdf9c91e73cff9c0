# build-graph: the exact CSR of a five-node graph by hand, the like graph, isolated
# nodes, replacing on rerun, teeing, the validating reader, and the tool's promises.
. "$HCR_TESTS/lib.sh"

blocks() { # KIND < stream: the graph of KIND as one line: meta, offsets, targets, degree
	stream-cat --full --section graph | jq -s -c --arg k "$1" '
		[foreach .[] as $o ({}; if $o.meta then {kind: $o.meta.kind} else . end;
		 if .kind == $k then $o else empty end)]
		| {meta: (.[0].meta), offsets: (.[1].data), targets: (.[2].data), degree: (.[3].data)}'
}

same() { # two streams alike but for the arguments in their headers
	cmp -s <(stream-cat --full "$1" | jq -c 'del(.args)') <(stream-cat --full "$2" | jq -c 'del(.args)')
}

mkdataset < "$HCR_DATA/graph/five.txt" > five.mp
build-graph five.mp > g.mp
t_eq "the click graph: deduplicated, both directions, sorted, with degrees" \
	'{"meta":{"kind":"click","users":2,"items":3,"edges":3},"offsets":[0,2,3,4,6,6],"targets":[2,3,3,0,0,1],"degree":[2,1,1,2,0]}' \
	"$(blocks click < g.mp)"
t_eq "the like graph: liked training records only" \
	'{"meta":{"kind":"like","users":2,"items":3,"edges":2},"offsets":[0,1,2,2,4,4],"targets":[3,3,0,1],"degree":[1,1,0,2,0]}' \
	"$(blocks like < g.mp)"
t_eq "sections in order: the input's, then click, then like" 'vocab split graph graph' \
	"$(stream-cat -l g.mp | jq -r .section | tr '\n' ' ' | sed 's/ $//')"
t_ok "the input sections come through byte for byte" \
	cmp <(head -c "$(stat -c %s five.mp)" g.mp) five.mp
t_eq "the validating reader takes both graphs" \
	'{"graph":"click","nodes":5,"edges":3} {"graph":"like","nodes":5,"edges":2}' \
	"$(readstream g.mp | tr '\n' ' ' | sed 's/ $//')"

# Users and items without an edge stay as nodes of degree 0.
{ cat "$HCR_DATA/graph/five.txt"; echo "user u9"; echo "item z"; } | mkdataset > iso.mp
t_eq "an isolated user and item are nodes of degree 0" \
	'{"meta":{"kind":"click","users":3,"items":4,"edges":3},"offsets":[0,2,3,3,4,6,6,6],"targets":[3,4,4,0,0,1],"degree":[2,1,0,1,2,0,0]}' \
	"$(build-graph -k click iso.mp | blocks click)"

t_run "-v reports nodes, edges and degree quantiles" 0 \
	"build-graph: click graph: 5 nodes (2 users, 3 items), 3 edges; isolated: users 0, items 1" \
	-- build-graph -v five.mp
t_eq "all of -v" "build-graph: click graph: 5 nodes (2 users, 3 items), 3 edges; isolated: users 0, items 1
build-graph: click graph: user degree min 1, 25% 1, median 1, 75% 1, max 2
build-graph: click graph: item degree min 0, 25% 0, median 1, 75% 1, max 2
build-graph: like graph: 5 nodes (2 users, 3 items), 2 edges; isolated: users 0, items 2
build-graph: like graph: user degree min 1, 25% 1, median 1, 75% 1, max 1
build-graph: like graph: item degree min 0, 25% 0, median 0, 75% 0, max 2" "$(cat "$ERR")"

# -k chooses; a rerun replaces the graphs it writes and keeps the others.
t_eq "-k like writes the like graph only" 'like' \
	"$(build-graph -k like five.mp | stream-cat -l | jq -r 'select(.section == "graph") | .meta.kind')"
t_eq "a rerun replaces both graphs" 'vocab split graph graph' \
	"$(build-graph g.mp | stream-cat -l | jq -r .section | tr '\n' ' ' | sed 's/ $//')"
t_eq "a rerun of one kind keeps the other" 'vocab:- split:- graph:like graph:click' \
	"$(build-graph -k click g.mp | stream-cat -l | jq -r '.section + ":" + (.meta.kind // "-")' | tr '\n' ' ' | sed 's/ $//')"
build-graph < five.mp > stdin.mp
t_ok "reading from standard input gives the same stream" same g.mp stdin.mp

# The validating reader: every inconsistency a trainer could trip over.
t_run "a graph of an unknown kind" 3 \
	"readstream: <stdin>: byte $((247 + BLAS_LEN)), header of section 'graph': graph kind 'view', expected 'click' or 'like'" \
	-- sh -c 'mkbad graph kind | readstream'
t_run "a graph of another vocabulary" 3 \
	"readstream: <stdin>: byte $((248 + BLAS_LEN)), header of section 'graph': the click graph has 3 users and 3 items, the vocab 2 and 3" \
	-- sh -c 'mkbad graph users | readstream'
t_run "neighbours out of order" 3 \
	"readstream: <stdin>: byte $((560 + 2 * BLAS_LEN)), section 'graph' record 3: the click graph's neighbours of node 0 are not ascending and distinct (2 after 3)" \
	-- sh -c 'mkbad graph order | readstream'
t_run "a user linked to a user" 3 \
	"readstream: <stdin>: byte $((560 + 2 * BLAS_LEN)), section 'graph' record 3: the click graph links node 1 to 0, outside the item nodes 2..4" \
	-- sh -c 'mkbad graph range | readstream'
t_run "an edge stored one way" 3 \
	"readstream: <stdin>: byte $((556 + 2 * BLAS_LEN)), section 'graph' record 3: the click graph links user node 1 to item node 4 but not back" \
	-- sh -c 'mkbad graph sym | readstream'
t_run "a degree that disagrees with the offsets" 3 \
	"readstream: <stdin>: byte $((562 + 2 * BLAS_LEN)), section 'graph' record 3: the click graph gives node 1 degree 5, its offsets 1" \
	-- sh -c 'mkbad graph degree | readstream'
t_run "decreasing offsets" 3 \
	"readstream: <stdin>: byte $((564 + 2 * BLAS_LEN)), section 'graph' record 3: the click graph's offsets decrease or overrun at node 1 (2 then 1)" \
	-- sh -c 'mkbad graph offsets | readstream'
t_run "a record after the blocks" 3 \
	"readstream: <stdin>: byte $((631 + 2 * BLAS_LEN)), section 'graph' record 4: section 'graph' has a record after its three blocks" \
	-- sh -c 'mkbad graph extra | readstream'
t_run "a trainer asking for a graph the stream lacks" 3 \
	"readstream: <stdin>: no click graph (the stream holds the like graph only); expected the output of build-graph --kind click" \
	-- sh -c 'build-graph -k like five.mp | readstream - click'
t_run "no graph at all" 3 \
	"readstream: <stdin>: no 'graph' section (the stream holds vocab, split); expected the output of build-graph" \
	-- sh -c 'readstream - like < five.mp'

# Input that is not a split.
t_run "a stream without a vocab" 3 \
	"build-graph: <stdin>: no 'vocab' section (the stream holds a); expected a stream from split-chrono" \
	-- sh -c 'mkstream sections a | build-graph'
t_run "an empty input" 3 \
	"build-graph: <stdin>: no 'vocab' section (the stream holds no sections); expected a stream from split-chrono" \
	-- sh -c 'build-graph < /dev/null'
t_run "a file that is not there" 4 "build-graph: nothere.mp: cannot open: No such file or directory" \
	-- build-graph nothere.mp
t_run "-o on failure leaves no file" 3 "*" -- sh -c 'mkstream sections a | build-graph -o out.mp'
t_ok "no output file after a failure" test ! -e out.mp
t_run "-o writes the file when complete" 0 "" -- build-graph -o out.mp five.mp
t_ok "the -o file is the stream" same out.mp g.mp

# The promises of every tool.
t_run "--help" 0 "" -- build-graph --help
t_eq "--help prints the synopsis" "usage: build-graph [-v] [-k click|like] [-o FILE] [FILE]" "$(head -n 1 "$OUT")"
t_run "--version" 0 "" -- build-graph --version
t_run "an unknown kind" 2 "build-graph: -k: expected 'click' or 'like', got 'view'" -- build-graph -k view
t_run "two inputs" 2 "build-graph: one input stream at most, got 2" -- build-graph a b
t_run "binary output is refused on a terminal" 2 "*" -- script -qec "build-graph $PWD/five.mp" /dev/null
echo "1..$T_N"
