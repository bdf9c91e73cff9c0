# extract-features: a three-item file of each kind with its exact section, the
# counts (missing, empty, unknown, duplicates), standardisation, replacing on rerun,
# every malformed input with its exit code and first line of stderr.
. "$HCR_TESTS/lib.sh"
D=$HCR_DATA/features

feat() { # NAME < stream: feature NAME as one line: meta (less its source) and blocks
	stream-cat --full --section feature | jq -s -c --arg n "$1" '
		[foreach .[] as $o ({}; if $o.meta then {name: $o.meta.name} else . end;
		 if .name == $n then $o else empty end)]
		| {meta: (.[0].meta | del(.source)),
		   blocks: ([.[1:][] | select(.block) | {key: .block, value: .data}] | from_entries)}'
}
ef() { extract-features "$@" < split.mp; }

# Items in vocab order: 101 102 103 104 (104 is in no feature file).
mkdataset < "$D/clicks.txt" > split.mp
cp "$D"/* .

# ---- dense ----
t_eq "CSV with a header: rows aligned to the vocab, a zero row for 104" \
	'{"meta":{"name":"visual","role":"content","kind":"dense","items":4,"dim":3,"format":"csv","column":"","values":"dense","rows":3,"empty":0,"short":0,"unknown":0,"duplicates":0,"missing":1,"standardized":false},"blocks":{"x":[1.5,0,-2,0.25,4,0.00100000005,0.5,-1,2,0,0,0]}}' \
	"$(ef -m visual:content=visual.csv | feat visual)"
t_eq "TSV without a header (its first row is all numbers)" \
	'{"meta":{"name":"v","role":"exposure","kind":"dense","items":4,"dim":2,"format":"tsv","column":"","values":"dense","rows":3,"empty":0,"short":0,"unknown":0,"duplicates":0,"missing":1,"standardized":false},"blocks":{"x":[1,2,3,4,5,6,0,0]}}' \
	"$(ef -m v:exposure=visual.tsv | feat v)"
t_eq "Tiktok video JSON lines: an empty vector is no row" \
	'{"meta":{"name":"video","role":"content","kind":"dense","items":4,"dim":2,"format":"jsonl","column":"video_feature_dim_128","values":"dense","rows":3,"empty":1,"short":0,"unknown":0,"duplicates":0,"missing":2,"standardized":false},"blocks":{"x":[0.5,1.5,0,0,-1,0.200000003,0,0]}}' \
	"$(ef -m video:content=video.jsonl | feat video)"
t_eq "Tiktok audio JSON lines: a repeated item keeps its first row; key order is free" \
	'{"meta":{"name":"audio","role":"content","kind":"dense","items":4,"dim":2,"format":"jsonl","column":"audio_feature_128_dim","values":"dense","rows":3,"empty":0,"short":0,"unknown":0,"duplicates":1,"missing":2,"standardized":false},"blocks":{"x":[3,4,0,0,1,2,0,0]}}' \
	"$(ef -m audio:content=audio.jsonl | feat audio)"
mkdir cover
mknpy cover/101 1 '<f4' '(1, 3)' 0.5 1 -2
mknpy cover/102.npy 2 '<f8' '(3,)' 0.1 0 3
mknpy cover/103 3 '<f4' '(1, 3)' 7 8 9
mknpy cover/999 1 '<f4' '(1, 3)' 1 1 1
t_eq "a Kwai .npy folder: versions 1 to 3, float64 converted, an unknown photo counted" \
	'{"meta":{"name":"cover","role":"exposure","kind":"dense","items":4,"dim":3,"format":"npy","column":"","values":"dense","rows":4,"empty":0,"short":0,"unknown":1,"duplicates":0,"missing":1,"standardized":false},"blocks":{"x":[0.5,1,-2,0.100000001,0,3,7,8,9,0,0,0]}}' \
	"$(ef -m cover:exposure=cover | feat cover)"
t_eq "a RecBole float_seq field: one vector in one column" \
	'{"meta":{"name":"r","role":"content","kind":"dense","items":4,"dim":2,"format":"tsv","column":"vec:float_seq","values":"dense","rows":3,"empty":0,"short":0,"unknown":0,"duplicates":0,"missing":1,"standardized":false},"blocks":{"x":[1,2,3,4,5,6,0,0]}}' \
	"$(ef -m r:content@vec=items.item | feat r)"
# f1: mean (1.5+0.25+0.5)/3 = 0.75, sd sqrt((0.75^2+0.5^2+0.25^2)/3) = 0.5400617, so 101
# is 0.75/0.5400617 = 1.38873; f2: mean 1, sd sqrt(14/3) = 2.1602469; f3: mean 0.001/3,
# sd 1.6329932 (population deviations; 104 has no row and stays 0)
t_eq "--standardize: per column over the items with a row; missing rows stay 0" \
	'{"meta":{"name":"visual","role":"content","kind":"dense","items":4,"dim":3,"format":"csv","column":"","values":"dense","rows":3,"empty":0,"short":0,"unknown":0,"duplicates":0,"missing":1,"standardized":true},"blocks":{"x":[1.38873017,-0.462910056,-1.224949,-0.925820112,1.38873017,0.000408248306,-0.462910056,-0.925820112,1.22454071,0,0,0],"mean":[0.75,1,0.000333333359],"std":[0.540061712,2.16024685,1.63299322]}}' \
	"$(ef --standardize -m visual:content=visual.csv | feat visual)"

# ---- bags ----
t_eq "Tiktok title word counts: ids by first appearance, ascending per item" \
	'{"meta":{"name":"title","role":"exposure","kind":"bag","items":4,"vocab":3,"format":"jsonl","column":"title_features","values":"words","rows":3,"empty":1,"short":0,"unknown":0,"duplicates":0,"missing":2,"standardized":false},"blocks":{"offsets":[0,2,2,4,4],"ids":[0,1,1,2],"weights":[1,2,1,1],"tokens":["224","3363","17"]}}' \
	"$(ef -m title:exposure:words=title.jsonl | feat title)"
t_eq "Kwai cover text: word lists, 0 for none (--na 0), a repeated word counts twice" \
	'{"meta":{"name":"text","role":"exposure","kind":"bag","items":4,"vocab":2,"format":"tsv","column":"2","values":"words","rows":3,"empty":1,"short":0,"unknown":0,"duplicates":0,"missing":2,"standardized":false},"blocks":{"offsets":[0,2,2,3,3],"ids":[0,1,1],"weights":[2,1,1],"tokens":["12","7"]}}' \
	"$(ef --na 0 -m text:exposure:words=text.txt | feat text)"
t_eq "MovieLens title words: quotes and commas read, lower-cased, NA is no title" \
	'{"meta":{"name":"title","role":"exposure","kind":"bag","items":4,"vocab":4,"format":"csv","column":"title","values":"words","rows":4,"empty":1,"short":0,"unknown":0,"duplicates":1,"missing":2,"standardized":false},"blocks":{"offsets":[0,2,5,5,5],"ids":[0,1,1,2,3],"weights":[1,1,1,1,1],"tokens":["toy","story","sleepers","the"]}}' \
	"$(ef --item-column movieId -m title:exposure:words@title=movies.csv | feat title)"
t_eq "MovieLens genres: a bag of the |-separated labels" \
	'{"meta":{"name":"genres","role":"content","kind":"bag","items":4,"vocab":5,"format":"csv","column":"genres","values":"multi","rows":4,"empty":0,"short":0,"unknown":0,"duplicates":1,"missing":1,"standardized":false},"blocks":{"offsets":[0,3,4,5,5],"ids":[0,1,2,3,4],"weights":[1,1,1,1,1],"tokens":["Adventure","Animation","Children","Thriller","(no genres listed)"]}}' \
	"$(ef --item-column movieId -m genres:content:multi@genres=movies.csv | feat genres)"
t_eq "MovieLens decade from year: NA its own category" \
	'{"meta":{"name":"decade","role":"content","kind":"bag","items":4,"vocab":2,"format":"csv","column":"year","values":"decade","rows":4,"empty":0,"short":0,"unknown":0,"duplicates":1,"missing":1,"standardized":false},"blocks":{"offsets":[0,1,2,3,3],"ids":[0,0,1],"weights":[1,1,1],"tokens":["1990s","NA"]}}' \
	"$(ef --item-column movieId -m decade:content:decade@year=movies.csv | feat decade)"
t_eq "Taobao seller: a categorical column as a one-id bag" \
	'{"meta":{"name":"seller","role":"exposure","kind":"bag","items":4,"vocab":2,"format":"csv","column":"sel_ID","values":"category","rows":3,"empty":0,"short":0,"unknown":0,"duplicates":0,"missing":1,"standardized":false},"blocks":{"offsets":[0,1,2,3,3],"ids":[0,0,1],"weights":[1,1,1],"tokens":["s1","s2"]}}' \
	"$(ef --item-column ite_ID -m seller:exposure:category@sel_ID=taobao.csv | feat seller)"
t_eq "columns by number: the 4th column of a file read as data from its first row" \
	'{"offsets":[0,1,2,3,3],"ids":[0,1,0],"tokens":["c9","c8"]}' \
	"$(tail -n +2 taobao.csv > nohead.csv; ef --item-column 3 -m cat:exposure:category@4=nohead.csv | feat cat | jq -c '.blocks | {offsets, ids, tokens}')"
t_eq "JSON lines: a text field as words, an array as labels" \
	'[{"offsets":[0,2,3,3,3],"ids":[0,1,0],"tokens":["red","car"]},{"offsets":[0,2,3,3,3],"ids":[0,1,1],"tokens":["a b","c"]}]' \
	"$(printf '{"item_id": "101", "t": "Red car!", "g": ["a b", "c"]}\n{"item_id": "102", "t": "RED", "g": ["c"]}\n' > mix.jsonl
	   ef -m t:exposure:words@t=mix.jsonl -m g:content:multi@g=mix.jsonl | stream-cat --full --section feature |
	   jq -s -c '[.[] | select(.block?)] | [.[0:4], .[4:8]] | map(map({key: .block, value: .data}) | from_entries | {offsets, ids, tokens})')"

# ---- counts, streams and the section's life ----
printf 'item_id,f1\n101,1\n999,2\n101,3\n' > counts.csv
t_run "-v gives the counts" 0 \
	"extract-features: c (content, dense 1-d) from counts.csv (csv): 3 rows; 1 of 4 items have a row, 3 missing; 0 empty, 0 short, 1 unknown, 1 duplicates" \
	-- extract-features -v -m c:content=counts.csv split.mp
ef -m visual:content=visual.csv -m title:exposure:words=title.jsonl > f.mp
t_eq "the validating reader takes every section written" \
	'{"feature":"visual","role":"content","kind":"dense","items":4,"dim":3} {"feature":"title","role":"exposure","kind":"bag","items":4,"vocab":3,"ids":4}' \
	"$(readstream f.mp | tr '\n' ' ' | sed 's/ $//')"
t_ok "the input sections come through byte for byte" \
	cmp <(head -c "$(stat -c %s split.mp)" f.mp) split.mp
t_eq "a rerun replaces the modalities it writes, keeps the others" \
	'vocab split feature:title feature:visual' \
	"$(extract-features -m visual:content=visual.tsv f.mp | stream-cat -l | jq -r '.section + (if .meta.name then ":" + .meta.name else "" end)' | tr '\n' ' ' | sed 's/ $//')"
t_eq "--skip-short counts a vector of another length and goes on" '1 [1,2,0,0,0,0,0,0]' \
	"$(printf '{"item_id": 101, "v": [1, 2]}\n{"item_id": 102, "v": [3]}\n' > s.jsonl
	   ef --skip-short -m v:content=s.jsonl | feat v | jq -r -c '"\(.meta.short) \(.blocks.x)"')"
t_eq "--dim fixes the length" '[0,0,0,0,5,6,0,0]' \
	"$(printf '{"item_id": 101, "v": [1, 2, 3]}\n{"item_id": 103, "v": [5, 6]}\n' > s2.jsonl
	   ef --dim 2 --skip-short -m v:content=s2.jsonl | feat v | jq -c .blocks.x)"

# ---- malformed input: exit 3 and the place ----
bad() { # DESC FILE CONTENT FIRST-LINE-OF-STDERR [OPTIONS...]
	local desc=$1 file=$2 content=$3 e1=$4
	shift 4
	printf "$content" > "$file"
	t_run "$desc" 3 "$e1" -- extract-features "$@" -m "m:content=$file" split.mp
}
bad "a NaN in CSV" nan.csv 'item_id,f1,f2\n101,1,2\n102,nan,1\n' \
	"extract-features: nan.csv: line 3, column 2: expected a number, got 'nan'"
bad "an Inf in CSV" inf.csv '101,1,inf\n' \
	"extract-features: inf.csv: line 1, column 3: expected a number, got 'inf'"
bad "a short vector in CSV" short.csv '101,1,2\n102,1\n' \
	"extract-features: short.csv: line 2, column 3: expected 2 numbers (as on line 1), got 1"
bad "a long row in TSV" long.tsv '101\t1\t2\n102\t1\t2\t3\n' \
	"extract-features: long.tsv: line 2, column 4: expected 2 numbers (as on line 1), got 3"
bad "a non-number in CSV" word.csv 'item_id,f1,f2\n101,1,2\n102,1,x\n' \
	"extract-features: word.csv: line 3, column 3: expected a number, got 'x'"
bad "an empty field in CSV" gap.csv '101,1,2\n102,,2\n' \
	"extract-features: gap.csv: line 2, column 2: expected a number, got ''"
bad "a number beyond float range" big.csv '101,1e39\n' \
	"extract-features: big.csv: line 1, column 2: expected a number, got '1e39'"
bad "a stray quote in CSV" quote.csv 'item_id,f1\n101,1"2\n' \
	"extract-features: quote.csv: line 2, column 2: expected a field quoted from end to end (a quote inside doubled), got a stray quote"
bad "an unclosed quote in CSV" open.csv 'item_id,f1\n101,"1\n' \
	"extract-features: open.csv: line 2, column 2: expected a closing quote, got the end of the file"
bad "a NaN in JSON" nan.jsonl '{"item_id": 101, "v": [1, NaN]}\n' \
	"extract-features: nan.jsonl: line 1, column 27: expected valid JSON (invalid token), got 'NaN'"
bad "an Infinity in JSON" inf.jsonl '{"item_id": 101, "v": [1, 2]}\n{"item_id": 102, "v": [-Infinity, 2]}\n' \
	"extract-features: inf.jsonl: line 2, column 24: expected valid JSON (invalid token), got '-'"
bad "a short vector in JSON" short.jsonl '{"item_id": 101, "v": [1, 2]}\n{"item_id": 103, "v": [1]}\n' \
	"extract-features: short.jsonl: line 2, column 23: expected 2 numbers in 'v' (as on line 1), got 1"
bad "a non-number in JSON" word.jsonl '{"item_id": 101, "v": [1, 2]}\n\n{"item_id": 103, "v": [1, "x"]}\n' \
	"extract-features: word.jsonl: line 3, column 27: expected a number in 'v', got '\"x\"'"
bad "a number beyond float range in JSON" big.jsonl '{"item_id": 101, "v": [1, 1e39]}\n' \
	"extract-features: big.jsonl: line 1, column 27: expected a number within float range in 'v', got '1e39'"
bad "a bad JSON line" cut.jsonl '{"item_id": 101, "v": [1, 2]}\n{"item_id": 103, "v": [1, 2}\n' \
	"extract-features: cut.jsonl: line 2, column 28: expected valid JSON (']' expected), got '}'"
bad "a JSON line that is not an object" arr.jsonl '{"item_id": 101, "v": [1]}\n  [1, 2]\n' \
	"extract-features: arr.jsonl: line 2, column 3: expected a JSON object, got an array"
bad "a JSON line without its item id" noid.jsonl '{"item_id": 101, "v": [1]}\n{"id": 102, "v": [1]}\n' \
	"extract-features: noid.jsonl: line 2, column 1: expected the key 'item_id', got none"
bad "a JSON item id that is a real number" realid.jsonl '{"item_id": 101.5, "v": [1]}\n' \
	"extract-features: realid.jsonl: line 1, column 13: expected an integer or a string for 'item_id', got a real number"
bad "a repeated JSON key" dup.jsonl '{"item_id": 101, "v": [1], "v": [2]}\n' \
	"extract-features: dup.jsonl: line 1, column 28: expected valid JSON (duplicate object key), got '\"v\"'"
bad "a word count that is not positive" cnt.jsonl '{"item_id": 101, "t": {"7": 0}}\n' \
	"extract-features: cnt.jsonl: line 1, column 23: expected a positive count for word '7' in 't', got a number that is not"
bad "a year that is no number" year.csv 'movieId,year\n101,199x\n' \
	"extract-features: year.csv: line 2, column 2: expected a year (a whole number) or NA, got '199x'" \
	--item-column movieId -m d:content:decade@year=year.csv
bad "no row of a known item" other.csv 'item_id,f1\n555,1\n' \
	"extract-features: other.csv: no row gives an item of the vocabulary (1 rows: 0 empty, 0 short, 1 of unknown items); is the item column right?"
bad "an empty file" empty.csv '' \
	"extract-features: empty.csv: expected rows of item values, got none"
t_run "a column the header lacks" 3 \
	"extract-features: movies.csv: line 1: expected a column named 'name' (the values), got the header 'movieId,title,year,genres,userId,rating,timestamp'" \
	-- extract-features --item-column movieId -m t:exposure:words@name=movies.csv split.mp
t_run "an item column the header lacks" 3 \
	"extract-features: visual.csv: line 1: expected a column named 'movieId' (the item id), got the header 'item_id,f1,f2,f3'" \
	-- extract-features --item-column movieId -m v:content=visual.csv split.mp

npybad() { # DESC FIRST-LINE-OF-STDERR MKNPY-ARGS...: a folder of one bad file
	local desc=$1 e1=$2
	shift 2
	rm -rf np && mkdir np && "$@"
	t_run "$desc" 3 "$e1" -- extract-features -m n:exposure=np split.mp
}
npybad "not a .npy file" "extract-features: np/101: byte 0: expected the .npy magic '\\x93NUMPY', got 'garbage'" \
	sh -c 'printf garbage > np/101'
npybad "a .npy version 4" "extract-features: np/101: byte 6: expected .npy version 1, 2 or 3, got 4.0" \
	mknpy np/101 4 '<f4' '(3,)' 1 2 3
npybad "an unknown dtype" "extract-features: np/101: byte 20: expected dtype '<f4' or '<f8', got '<i4'" \
	mknpy np/101 1 '<i4' '(3,)' 1 2 3
npybad "big-endian floats" "extract-features: np/101: byte 20: expected dtype '<f4' or '<f8', got '>f4'" \
	mknpy np/101 1 '>f4' '(3,)' 1 2 3
npybad "a header without fortran_order" "extract-features: np/101: byte 10: expected the keys descr, fortran_order and shape, got no fortran_order" \
	mknpy -H "{'descr': '<f4', 'shape': (3,), }" np/101 1 '<f4' 1 2 3
npybad "a header that is not a dict" "extract-features: np/101: byte 10: expected '{' opening the header dict, got 'descr: <f4'" \
	mknpy -H "descr: <f4" np/101 1 '<f4' 1 2 3
npybad "a shape that is a list" "extract-features: np/101: byte 60: expected a tuple for shape, got '[3], }'" \
	mknpy -H "{'descr': '<f4', 'fortran_order': False, 'shape': [3], }" np/101 1 '<f4' 1 2 3
npybad "a header longer than the file" "extract-features: np/101: byte 8: expected a header of at most 3 bytes (the rest of the file), got a length of 118" \
	sh -c 'mknpy np/101 1 "<f4" "(3,)" 1 2 3 && head -c 13 np/101 > np/t && mv np/t np/101'
npybad "data shorter than the shape" "extract-features: np/101: byte 128: expected 12 bytes of data (3 values of <f4), got 8" \
	mknpy np/101 1 '<f4' '(1, 3)' 1 2
npybad "a matrix" "extract-features: np/101: byte 8: expected the shape of a vector, (D,) or (1, D), got 2 dimensions with 2 above 1" \
	mknpy np/101 1 '<f4' '(2, 2)' 1 2 3 4
npybad "a NaN in .npy" "extract-features: np/101: byte 132: expected a finite number within float range, got nan (value 2)" \
	mknpy np/101 3 '<f4' '(3,)' 1 nan 3
npybad "a float64 beyond float range" "extract-features: np/101: byte 136: expected a finite number within float range, got 1e+300 (value 2)" \
	mknpy np/101 2 '<f8' '(2,)' 1 1e300
rm -rf np && mkdir np && mknpy np/101 1 '<f4' '(3,)' 1 2 3 && mknpy np/102 1 '<f4' '(2,)' 1 2
t_run "vectors of two lengths in a folder" 3 "extract-features: np/102: expected 3 values (as in 101), got 2" \
	-- extract-features -m n:exposure=np split.mp

# ---- the command line ----
t_run "a file that is not there: exit 4 before any output" 4 \
	"extract-features: nothere.csv: cannot open: No such file or directory" \
	-- extract-features -m v:content=nothere.csv split.mp
t_eq "and nothing on standard output" 0 "$(stat -c %s "$OUT")"
t_run "no -m" 2 "extract-features: no modality: give at least one -m" -- extract-features split.mp
t_run "no role" 2 "extract-features: -m: expected NAME:ROLE[:VALUES][@COLUMN]=FILE, got 'v=visual.csv' (no role)" \
	-- extract-features -m v=visual.csv split.mp
t_run "an unknown role" 2 "extract-features: -m v: expected the role exposure or content, got 'seen'" \
	-- extract-features -m v:seen=visual.csv split.mp
t_run "unknown values" 2 "extract-features: -m v: expected the values dense, words, multi, decade or category, got 'pixels'" \
	-- extract-features -m v:content:pixels=visual.csv split.mp
t_run "a bad name" 2 "extract-features: -m: expected a NAME of 1 to 31 of A-Z a-z 0-9 _ . -, got 'a b'" \
	-- extract-features -m 'a b:content=visual.csv' split.mp
t_run "a name given twice" 2 "extract-features: -m: the name 'v' is given twice" \
	-- extract-features -m v:content=visual.csv -m v:exposure=visual.tsv split.mp
t_run "words from a .npy folder" 2 "extract-features: -m n: a folder of .npy files holds dense vectors, not words" \
	-- extract-features -m n:exposure:words=cover split.mp
t_run "JSON lines with two fields and none named" 2 \
	"extract-features: mix.jsonl: line 1: expected one field besides 'item_id' or one named with @FIELD, got 2" \
	-- extract-features -m m:content=mix.jsonl split.mp
t_run "a --separator of two characters" 2 "extract-features: --separator: expected one character, got '||'" \
	-- extract-features --separator '||' -m v:content=visual.csv split.mp
t_run "a stream without a vocab" 3 \
	"extract-features: <stdin>: no 'vocab' section (the stream holds a); expected a stream from split-chrono" \
	-- sh -c 'mkstream sections a | extract-features -m v:content=visual.csv'
t_run "-o on failure leaves no file" 3 "*" -- extract-features -o out.mp -m m:content=nan.csv split.mp
t_ok "no output file after a failure" test ! -e out.mp
t_ok "and no temporary file" sh -c '! ls -a | grep -q tmp'
t_run "--help" 0 "" -- extract-features --help
t_eq "--help prints the synopsis" "usage: extract-features [-v] -m NAME:ROLE[:VALUES][@COLUMN]=FILE ... [--item-column COL]" "$(head -n 1 "$OUT")"
t_run "--version" 0 "" -- extract-features --version
# ---- the benchmark data sets' item files, as released ----
# Coat's one-hot matrix with its column names beside it (NAME_map.txt, no final
# newline): items are the matrix's 0-based lines, the vocab order of split-chrono's
# Coat is 0 2 1 3.
C=$HCR_DATA/split-chrono/coat
split-chrono "$C" > coat.mp
CF=$C/user_item_features/item_features.ascii
t_eq "Coat: a group of columns as a bag of its columns' names" \
	'{"meta":{"name":"front","role":"exposure","kind":"bag","items":4,"vocab":2,"format":"ascii","column":"onfrontpage","values":"multi","rows":4,"empty":0,"short":0,"unknown":0,"duplicates":0,"missing":0,"standardized":false},"blocks":{"offsets":[0,1,2,3,4],"ids":[0,1,0,1],"weights":[1,1,1,1],"tokens":["onfrontpage:no","onfrontpage:yes"]}}' \
	"$(extract-features -m front:exposure@onfrontpage=$CF coat.mp | feat front)"
t_eq "Coat: two groups as a dense 0/1 vector" \
	'{"meta":{"name":"d","role":"content","kind":"dense","items":4,"dim":4,"format":"ascii","column":"gender,color","values":"dense","rows":4,"empty":0,"short":0,"unknown":0,"duplicates":0,"missing":0,"standardized":false},"blocks":{"x":[1,0,0,1,1,0,0,1,0,1,1,0,0,1,1,0]}}' \
	"$(extract-features -m d:content:dense@gender,color=$CF coat.mp | feat d)"
t_eq "Coat: every column, a category per group, as one bag" '[0,4,8,12,16] [0,1,2,3,0,2,5,7,3,4,5,6,1,4,6,7]' \
	"$(extract-features -m all:content=$CF coat.mp | stream-cat --full --section feature | jq -c 'select(.block? == "offsets" or .block? == "ids") | .data' | paste -sd' ')"
mkdir -p coatx
printf '1 0\r\n0 1\r\n1 0\r\n' > coatx/f.ascii
printf 'gender:men\r\ngender:women\r\n' > coatx/f_map.txt
t_eq "CRLF lines; a category takes the one column set; a line beyond the vocab is unknown" '["gender:men","gender:women"] 1' \
	"$(extract-features -m g:content:category@gender=coatx/f.ascii coat.mp | stream-cat --full --section feature | jq -c 'select(.block? == "tokens") | .data, select(.meta?) .meta.unknown' | head -n 1) $(extract-features -m g:content:category@gender=coatx/f.ascii coat.mp | stream-cat -H | jq 'select(.section? == "feature") | .meta.missing')"
printf '1 0\n0 2\n' > coatx/two.ascii; cp coatx/f_map.txt coatx/two_map.txt
t_run "a value not 0 or 1" 3 "extract-features: coatx/two.ascii: line 2, column 2: expected 0 or 1, got '2'" \
	-- extract-features -m g:content=coatx/two.ascii coat.mp
printf '1 0 1\n' > coatx/wide.ascii; cp coatx/f_map.txt coatx/wide_map.txt
t_run "a line wider than the map" 3 "extract-features: coatx/wide.ascii: line 1, column 3: expected 2 values (the columns of coatx/wide_map.txt), got more" \
	-- extract-features -m g:content=coatx/wide.ascii coat.mp
t_run "a group the map lacks" 3 "extract-features: $C/user_item_features/item_features_map.txt: expected a group of columns named 'colour', got the groups gender, jackettype, color, onfrontpage" \
	-- extract-features -m c:content@colour=$CF coat.mp
printf '1 1\n' > coatx/both.ascii; cp coatx/f_map.txt coatx/both_map.txt
t_run "a category with two columns set" 3 "extract-features: coatx/both.ascii: line 1: expected one 1 among the columns of gender (a category), got 2" \
	-- extract-features -m g:content:category@gender=coatx/both.ascii coat.mp
printf 'gender\n' > coatx/bad_map.txt; cp coatx/f.ascii coatx/bad.ascii
t_run "a map line without a group" 3 "extract-features: coatx/bad_map.txt: line 1: expected a column name GROUP:VALUE, got 'gender'" \
	-- extract-features -m g:content=coatx/bad.ascii coat.mp
t_run "words from a one-hot matrix" 2 "extract-features: -m g: a one-hot matrix (coatx/f.ascii) holds dense, multi or category values, not words" \
	-- extract-features -m g:content:words=coatx/f.ascii coat.mp
# KuaiRand's video features and KuaiRec's categories are CSV files the usual loaders read
KR=$HCR_DATA/split-chrono/kuairand/data
split-chrono --valid-fraction 0 "$KR/.." > kr.mp
t_eq "KuaiRand: tags (a quoted list) as words, the author as a category" '["12","65","4"] ["7","9","11"]' \
	"$(extract-features --item-column video_id -m tag:content:words@tag=$KR/video_features_basic_pure.csv \
	   -m author:exposure:category@author_id=$KR/video_features_basic_pure.csv kr.mp \
	   | stream-cat --full --section feature | jq -c 'select(.block? == "tokens") | .data' | paste -sd' ')"
KC=$HCR_DATA/split-chrono/kuairec/data
split-chrono --valid-fraction 0 "$KC/.." > kc.mp
t_eq "KuaiRec: item_categories' Python lists read as words" '[0,1,3,5] [0,1,2,0,3] ["8","27","9","11"]' \
	"$(extract-features --item-column video_id -m cat:content:words@feat=$KC/item_categories.csv kc.mp \
	   | stream-cat --full --section feature | jq -c 'select(.block? == "offsets" or .block? == "ids" or .block? == "tokens") | .data' | paste -sd' ')"
echo "1..$T_N"
