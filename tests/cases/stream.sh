# The stream format: round trips through stream-cat, and every kind of hostile
# input with its exit code and the first line of stderr.
. "$HCR_TESTS/lib.sh"

mkstream values > v.mp
size=$(stat -c %s v.mp)
stream-cat v.mp | tail -n +2 > got.jsonl
t_ok "every value kind prints as expected" cmp "$HCR_DATA/stream/values.jsonl" got.jsonl
t_eq "the header names tool, args, seed and threads" 'mkstream ["values"] null 1' \
	"$(stream-cat -H v.mp | head -n 1 | jq -c -j '.tool, " ", .args, " ", .seed, " ", .threads')"
t_eq "header keys in order" '["hcr","section","version","tool","tool_version","args","seed","threads","blas","meta"]' \
	"$(stream-cat -H v.mp | head -n 1 | jq -c keys_unsorted)"
t_eq "--list gives one line per section" '{"section":"test","records":25}' \
	"$(stream-cat -l v.mp | jq -c '{section, records}')"
t_eq "the string block in full" '["a","","café","tab\there"]' \
	"$(stream-cat --full v.mp | jq -c 'select(.block? == "str") | .data')"
t_eq "a preview counts the values" '{"count":6,"preview":[0.5,-1.25,2.99999989e-08,1.00000002e+30,0,-0]}' \
	"$(stream-cat v.mp | jq -c 'select(.block? == "f4") | .data')"
cat v.mp v.mp > vv.mp
t_eq "concatenated streams are one stream" 2 "$(stream-cat -l vv.mp | wc -l)"
t_run "standard input is read when no file is given" 0 "" -- sh -c 'stream-cat -H < v.mp'
t_run "- is standard input" 0 "" -- sh -c 'stream-cat -H - < v.mp'

# A block of 100 MiB travels as two chunks and comes back whole.
mkstream big 100 > big.mp
t_eq "a large block is cut in 64 MiB chunks" '[[65536,256],[36864,256]]' \
	"$(stream-cat --section test big.mp | jq -s -c '[.[] | select(.block?) | .shape]')"
t_eq "row0 of the second chunk" 65536 \
	"$(stream-cat big.mp | jq -s -c '[.[] | select(.block?)][1].row0')"

# Hostile input: one line on stderr naming the tool, the input, the place, the expectation.
t_run "a stream cut in a record" 3 \
	"stream-cat: <stdin>: byte $((size - 19)), section 'test' record 26: the stream is cut in the middle of a record (16 of at least 18 bytes)" \
	-- sh -c "head -c $((size - 3)) v.mp | stream-cat"
t_run "a stream cut on an object boundary (no trailer)" 3 \
	"stream-cat: <stdin>: byte $((size - 19)), section 'test' record 26: the stream is cut: section 'test' has no trailer (end of input after 25 records)" \
	-- sh -c "head -c $((size - 19)) v.mp | stream-cat"
mkstream sections a > a.mp
asize=$(stat -c %s a.mp)
t_run "a cut stream followed by another" 3 \
	"stream-cat: <stdin>: byte $((size - 19)), section 'test' record 26: section 'test' is not closed: a new section begins here (was the stream before it cut?)" \
	-- sh -c "{ head -c $((size - 19)) v.mp; cat a.mp; } | stream-cat"
t_run "garbage bytes" 3 \
	'stream-cat: <stdin>: byte 0: not an hcr stream: expected a section header (a map whose first key is "hcr"), got an integer' \
	-- sh -c "printf 'user_id,item_id\n' | stream-cat"
t_run "a byte msgpack never uses" 3 \
	"stream-cat: <stdin>: byte 0: not msgpack of an hcr stream: byte 0xc1, which msgpack never uses" \
	-- sh -c "printf '\301' | stream-cat"
t_run "a bin claiming 4 GiB" 3 \
	"stream-cat: <stdin>: byte $((asize - 17)), section 'a' record 1: not msgpack of an hcr stream: a length of 4294967295 bytes, beyond the 65 MiB limit of one object" \
	-- sh -c "{ head -c $((asize - 17)) a.mp; printf '\306\377\377\377\377'; } | stream-cat"
t_run "an array claiming 4 billion elements" 3 \
	"stream-cat: <stdin>: byte $((asize - 17)), section 'a' record 1: not msgpack of an hcr stream: an array of 4294967295 elements, more than the 4194304 an object may hold" \
	-- sh -c "{ head -c $((asize - 17)) a.mp; printf '\335\377\377\377\377'; } | stream-cat"
t_run "a string claiming 2 GiB, then end of input" 3 \
	"stream-cat: <stdin>: byte $((asize - 17)), section 'a' record 1: not msgpack of an hcr stream: a length of 2147483647 bytes, beyond the 65 MiB limit of one object" \
	-- sh -c "{ head -c $((asize - 17)) a.mp; printf '\333\177\377\377\377'; } | stream-cat"
t_run "nesting 20 levels deep" 3 \
	"stream-cat: <stdin>: byte $((asize - 1)), section 'a' record 1: not msgpack of an hcr stream: nesting deeper than 16 levels" \
	-- sh -c "{ head -c $((asize - 17)) a.mp; printf '\221%.0s' \$(seq 20); printf '\000'; } | stream-cat"
t_run "an unknown section version" 3 \
	"stream-cat: <stdin>: byte 0: section 'split' has version 99; this tool reads version 1 to 2 (was it written by a newer hcr?)" \
	-- sh -c "mkstream version split 99 | stream-cat"
t_run "an unknown stream format" 3 \
	"stream-cat: <stdin>: byte 0: stream format version 2 is not supported (this tool reads version 1)" \
	-- sh -c "printf '\201\243hcr\002' | stream-cat"
t_run "a trailer that miscounts" 3 \
	"stream-cat: <stdin>: byte $((asize - 16)), section 'a' record 2: the trailer of section 'a' counts 5 records, but 1 came before it" \
	-- sh -c "{ head -c $((asize - 1)) a.mp; printf '\005'; } | stream-cat"
# A message quotes the input; a control byte there neither breaks its line nor reaches the terminal.
t_run "a section name holding a newline and an escape: one line, escaped" 3 \
	"stream-cat: <stdin>: byte 41, section 'a\\nb\\x1b' record 1: the stream is cut: section 'a\\nb\\x1b' has no trailer (end of input after 0 records)" \
	-- sh -c "printf '\\205\\243hcr\\001\\247section\\244a\\nb\\033\\247version\\001\\244tool\\241t\\244meta\\200' | stream-cat > /dev/null"
t_eq "and it is one line" 1 "$(wc -l < "$ERR")"
t_run "a missing section" 3 "stream-cat: v.mp: no 'graph' section (the stream holds test)" \
	-- stream-cat --section graph v.mp
t_run "an empty input is an empty stream" 0 "" -- sh -c "stream-cat < /dev/null"
t_run "a file that is not there" 4 "stream-cat: nothere.mp: cannot open: No such file or directory" \
	-- stream-cat nothere.mp

# The promises of every tool.
t_run "--help" 0 "" -- stream-cat --help
t_eq "--help prints the synopsis" "usage: stream-cat [-l] [-H] [--full] [-n N] [--section NAME] [-o FILE] [FILE ...]" "$(head -n 1 "$OUT")"
t_run "--version" 0 "" -- stream-cat --version
t_eq "--version names the package" "stream-cat (hcr) $(stream-cat --version | awk '{print $3}')" "$(cat "$OUT")"
t_run "an unknown option" 2 "stream-cat: unknown option --bogus" -- stream-cat --bogus
t_run "a missing option argument" 2 "stream-cat: option --section needs an argument" -- stream-cat --section
t_run "a bad number" 2 "stream-cat: -n: expected a whole number from 0 to 4611686018427387904, got 'x'" -- stream-cat -n x
# script(1) gives the tool a terminal; what the tool says comes back on script's stdout.
t_run "binary output is refused on a terminal" 2 "*" -- script -qec "mkstream values" /dev/null
t_eq "saying why" \
	"mkstream: refusing to write a binary stream to a terminal; pipe it, redirect it, or give -o FILE" \
	"$(tr -d '\r' < "$OUT")"
t_run "-o on failure leaves no file" 3 "*" -- sh -c "printf x | stream-cat -o out.json"
t_ok "no output file after a failure" test ! -e out.json
t_ok "no temporary file after a failure" sh -c '! ls -a | grep -q tmp'
t_run "-o /dev/null writes into the device" 0 "" -- stream-cat -o /dev/null v.mp
t_ok "and leaves it a device, not a file renamed over it" test -c /dev/null
t_run "-o writes the file when complete" 0 "" -- stream-cat -o out.json v.mp
t_eq "the -o file is whole" "$(cat got.jsonl)" "$(tail -n +2 out.json)"
stream-cat --full big.mp > /dev/null &
pid=$!
sleep 0.3
( stream-cat --full -o killed.json big.mp & p=$!; sleep 0.5; kill -TERM $p; wait $p ) 2>/dev/null
wait $pid
t_ok "a tool killed while writing -o leaves no file" test ! -e killed.json
t_ok "and no temporary file" sh -c '! ls -a | grep -q killed'

# A closed pipe ends a writer quietly, whether SIGPIPE is ignored or not.
stream-cat --full big.mp 2>err1 | head -c 10 > /dev/null
t_eq "a reader going away ends the writer by SIGPIPE" 141 "${PIPESTATUS[0]}"
t_eq "with nothing on stderr" "" "$(cat err1)"
(trap '' PIPE; stream-cat --full big.mp 2>err2 | head -c 10 > /dev/null; echo "${PIPESTATUS[0]}" > rc2)
t_eq "with SIGPIPE ignored too" 141 "$(cat rc2)"
t_eq "still quietly" "" "$(cat err2)"
(trap '' PIPE; mkstream big 100 2>err3 | head -c 10 > /dev/null; echo "${PIPESTATUS[0]}" > rc3)
t_eq "a binary writer likewise" 141 "$(cat rc3)"
echo "1..$T_N"
