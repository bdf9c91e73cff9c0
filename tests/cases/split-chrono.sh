# split-chrono: every input format read as released, the three split modes against
# outputs worked out by hand (tests/data/split-chrono/*.want), and malformed input
# with its exit code and the first line of stderr.
. "$HCR_TESTS/lib.sh"
D=$HCR_DATA/split-chrono

# The records with their original ids: [user, item, time, like, part].
show() {
	stream-cat --full "$1" | jq -c -s '
	  (map(select(.block? == "users")) | .[0].data) as $u |
	  (map(select(.block? == "items")) | .[0].data) as $i |
	  .[] | select(type == "array") | [$u[.[0]], $i[.[1]], .[2], .[3], ["train", "valid", "test"][.[4]]]
	    + (if length > 5 then [.[5]] else [] end)'
}
meta() { stream-cat -H "$1" | jq -c "select(.section? == \"split\") | .meta | $2"; }
# What a format case compares: the format read, the vocabularies, the reader's counts,
# the records.
digest() {
	meta "$1" .format
	stream-cat --section vocab --full "$1" | jq -c 'select(.block?) | .data'
	meta "$1" '{rows, ignored_rows, repaired_likes, implied_clicks, input_clicks, input_likes, repeated_clicks}'
	show "$1"
}
t_file() { # DESC WANT GOT: the files are equal, else the difference
	if cmp -s "$2" "$3"; then t_pass "$1"; else t_fail "$1" "$(diff "$2" "$3" | head -n 20)"; fi
}

# ---- formats, each read as released: detected, then named ----
while read -r file format args; do
	[ "$args" = - ] && args=
	split-chrono --train 1 $args "$D/$file" > s.mp 2> err && digest s.mp > got || cat err > got
	t_file "$file: detected as $format and read exactly" "$D/$file.want" got
	split-chrono --train 1 --format "$format" $args "$D/$file" > s.mp 2> err && digest s.mp > got || cat err > got
	t_file "$file: read with --format $format" "$D/$file.want" got
done <<'EOF'
edges.csv csv -
spaces.tsv tsv -
ml.inter recbole -l 4
flags.inter recbole -
movielens.csv ratings -
ratings.tsv uirt -
ratings3.tsv uirt -
final_track2_train.txt tiktok -
train_interaction.txt kwai -
ijcai2016_taobao.csv taobao -
UserBehavior.csv userbehavior -
events.csv retailrocket -
EOF
t_eq "movielens is another name of ratings" '"ratings"' \
	"$(split-chrono --format movielens "$D/movielens.csv" | stream-cat -H | jq -c 'select(.section? == "split") | .meta.format')"
split-chrono --train 0.5 "$D/ijcai2016_taobao.csv" > s.mp
{ meta s.mp '{users_left_out, likes_left_out}' | tr -d '{}'; show s.mp; } > got
t_file "taobao: a buy on the day of the cut but after it in the file is a later like" "$D/taobao-half.want" got
split-chrono -l 5 "$D/movielens.csv" > s.mp
t_eq "--like-threshold moves the ratings' likes" 1 "$(meta s.mp .input_likes)"

printf 'uid;iid;ts;lk\nu1;i1;5;1\nu1;i2;3;0\n' > renamed.csv
split-chrono --train 1 -d ';' --columns user=uid,item=iid,time=ts,like=lk renamed.csv > s.mp
t_eq "--columns and -d: no click column, every row a click" '["u1","i2",3,0,"train"] ["u1","i1",5,1,"train"]' "$(show s.mp | paste -sd' ')"
printf 'user_id,item_id,timestamp,click,like\nu1,i1,5,0,1\nu1,i2,3,0,0\n' > noclick.csv
split-chrono --train 1 --columns click= noclick.csv > s.mp
t_eq "--columns click= ignores the click column" '["u1","i2",3,0,"train"] ["u1","i1",5,1,"train"]' "$(show s.mp | paste -sd' ')"
printf 'user_id,item_id,timestamp,rating\na,x,1,3\na,y,2,4\n' > rated.csv
split-chrono --train 1 -l 3.5 rated.csv > s.mp
t_eq "--like-threshold on a csv reads the rating column" '["a","x",1,0,"train"] ["a","y",2,1,"train"]' "$(show s.mp | paste -sd' ')"
printf 'user_id\titem_id\ttimestamp\tclick\tlike\r\n"a\tb"\tx\t1\t1\t1\r\n' > quoted.tsv
split-chrono --train 1 quoted.tsv > s.mp
t_eq "a tsv may quote a field holding a tab" '["a\tb","x",1,1,"train"]' "$(show s.mp)"

# ---- given parts: data sets as released, files of parts, a part column ----
# What a given split's case compares: as digest, with the given split's counts.
gdigest() {
	meta "$1" .format
	stream-cat --section vocab --full "$1" | jq -c 'select(.block?) | .data'
	meta "$1" '{rows, ignored_rows, unclicked_exposures, untimed_rows, rand_mismatch, input_clicks, input_likes, repeated_clicks, repeated_exposures, test_in_train, test_likes_in_train, users_left_out, exposures_left_out, like_rule, valid_rule}'
	show "$1"
}
while read -r want args; do
	split-chrono --valid-fraction 0 $args > s.mp 2> err && gdigest s.mp > got || cat err > got
	t_file "given: $args read exactly" "$D/$want" got
done <<CASES
coat.want $D/coat
yahoo.want $D/yahoo
kuairand.want $D/kuairand
kuairec.want $D/kuairec
recbole.want -l 4 $D/recbole
parts.csv.want --mode given $D/parts.csv
CASES
split-chrono -f coat --train-file "$D/coat/train.ascii" --test-file "$D/coat/test.ascii" --valid-fraction 0 > s.mp && gdigest s.mp > got
t_file "given: coat from --train-file and --test-file" "$D/coat.want" got
split-chrono --mode given --train-file "$D/recbole/ml.train.inter" --valid-file "$D/recbole/ml.valid.inter" \
	--test-file "$D/recbole/ml.test.inter" -l 4 > s.mp && gdigest s.mp > got
t_file "given: RecBole's benchmark files named one by one" "$D/recbole.want" got
split-chrono -f kuairand "$D/kuairand/data" --valid-fraction 0 > s.mp && gdigest s.mp > got
t_file "given: a folder holding the files itself, not in data/" "$D/kuairand.want" got
split-chrono -v --valid-fraction 0 "$D/coat" 2> err > s.mp
t_eq "given -v: pairs in train and in test, both kept" "split-chrono: pairs in train and in test: 3 (2 liked in test), both records kept; in train and in validation: 0" "$(grep 'pairs in train' err)"
t_eq "given -v: a line per file, then the parts" "split-chrono: $D/coat/test.ascii: format coat, part test: 3 rows read: 6 kept (0 shown and not clicked), 0 neither click nor like" "$(sed -n 2p err)"
t_eq "given: the meta says mode, exposure parts, graded, and the section is version 2" '["given",["valid","test"],true,2]' \
	"$(stream-cat -H s.mp | jq -c 'select(.section? == "split") | [.meta.mode, .meta.exposure, .meta.graded, .version]')"
split-chrono -l 5 --valid-fraction 0 "$D/coat" > s.mp
t_eq "given: --like-threshold moves Coat's likes, not its ratings" '"rating >= 5" 3 [5,3,4,1,2,4,2,5,4,1,3,5]' \
	"$(meta s.mp .like_rule) $(meta s.mp .input_likes) $(stream-cat s.mp | jq -c -s '[.[] | select(type == "array") | .[5]]')"
# the validation part drawn: round(f n) of each user's pairs, at random, by the seed
split-chrono --valid-from test --valid-fraction 0.5 "$D/coat" > s.mp
t_eq "--valid-from test 0.5: each user's 2 test pairs give 1 to validation" '{"train":6,"valid":3,"test":3}' "$(meta s.mp '{train, valid, test}')"
split-chrono --valid-fraction 0 "$D/coat" > a.mp
t_eq "validation and test together are the test pairs" "$(show a.mp | grep test | cut -d, -f1,2 | sort | tr -d '\n')" \
	"$(show s.mp | grep -v train | cut -d, -f1,2 | sort | tr -d '\n')"
t_eq "the rule in the meta" "\"0.5 of each user's test pairs, drawn at random (seed 1)\"" "$(meta s.mp .valid_rule)"
split-chrono --valid-from test --valid-fraction 0.5 "$D/coat" > a.mp
t_ok "the same seed draws the same validation" cmp s.mp a.mp
split-chrono --valid-from test --valid-fraction 0.5 --seed 3 "$D/kuairec" > s.mp
t_eq "--seed is the stream's seed" 3 "$(stream-cat -H s.mp | jq 'select(.section? == "split") | .seed')"
split-chrono --valid-fraction 0.5 "$D/coat" > s.mp
t_eq "--valid-from train (the default): 1 of each user's 2 training pairs" '{"train":3,"valid":3,"test":6}' "$(meta s.mp '{train, valid, test}')"
split-chrono --valid-fraction 1 "$D/coat" > s.mp
t_eq "from train, a user keeps one training pair" '{"train":3,"valid":3}' "$(meta s.mp '{train, valid}')"
split-chrono --valid-from test --valid-by users --valid-fraction 0.34 "$D/coat" > s.mp
t_eq "--valid-by users: round(0.34 x 3) = 1 user's 2 test pairs validate" '[1,2,4]' \
	"$(stream-cat s.mp | jq -c -s '[.[] | select(type == "array")] | [(map(select(.[4] == 1) | .[0]) | unique | length), (map(select(.[4] == 1)) | length), (map(select(.[4] == 2)) | length)]')"
t_run "--valid-by users from train" 2 "split-chrono: --valid-by users draws whole users' test pairs: it needs --valid-from test (a user whose training pairs all validate cannot be scored)" -- split-chrono --valid-by users "$D/coat"
# --valid-fraction in the chronological modes: each user's later likes in time order,
# the first floor(F m) validate.  Two users, each liking i1..i12 at times 1..12: with
# -t 0.5 each trains i1..i6 and has m = 6 later likes, i7..i12.
{ echo user_id,item_id,timestamp,click,like
  for u in 1 2; do for t in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "u$u,i$t,$t,1,1"; done; done; } > later.csv
split-chrono -m user -t 0.5 --valid-fraction 0.34 later.csv > vf.mp
t_eq "--valid-fraction 0.34: floor(0.34 x 6) = 2 of each user's 6 later likes validate" \
	'{"train":12,"valid":4,"test":8,"valid_share_num":34,"valid_share_den":100}' \
	"$(meta vf.mp '{train, valid, test, valid_share_num, valid_share_den}')"
t_eq "the earliest two, i7 and i8 (items 6 and 7 of the vocabulary), for each user" "6 6 7 7" \
	"$(stream-cat --section split vf.mp | jq -r -s '[.[] | select(type == "array") | select(.[4] == 1) | .[1]] | sort | map(tostring) | join(" ")')"
split-chrono -t 0.5 later.csv > half.mp
t_eq "the default halves (3 and 3) and records no share" '{"valid":6,"test":6,"valid_share_num":null}' \
	"$(meta half.mp '{valid, test, valid_share_num}')"
t_eq "--valid-fraction 0.5 is the default, the split byte for byte" "$(stream-cat --section split half.mp | tail -n +2 | md5sum)" \
	"$(split-chrono -t 0.5 --valid-fraction 0.5 later.csv | stream-cat --section split | tail -n +2 | md5sum)"
t_eq "--valid-fraction 0 in the global mode: every later like tests" '{"valid":0,"test":12}' \
	"$(split-chrono -t 0.5 --valid-fraction 0 later.csv | stream-cat -H | jq -c 'select(.section == "split") | .meta | {valid, test}')"
t_eq "-v says the share" "split-chrono: validation: the first 0.34 of each user's later likes, in time order" \
	"$(split-chrono -m user -t 0.5 --valid-fraction 0.34 -v later.csv 2>&1 >/dev/null | grep '^split-chrono: validation')"
t_run "--valid-fraction with --mode loo" 2 "split-chrono: --valid-fraction has no meaning with --mode loo (one validation like a user)" -- split-chrono -m loo --valid-fraction 0.3 later.csv
t_run "--valid-from without --mode given" 2 "split-chrono: --valid-from, --valid-by and --seed apply to --mode given" -- split-chrono --valid-from test "$D/rules.csv"
t_run "--train with given parts" 2 "split-chrono: --train has no meaning with --mode given" -- split-chrono --train 0.5 "$D/coat"
t_run "given without a test part" 2 "split-chrono: --mode given: expected a train and a test part (--train-file FILE --test-file FILE), a data set's folder, or one FILE with a part column" -- split-chrono --mode given --train-file "$D/coat/train.ascii"
t_run "a folder of no data set" 4 "split-chrono: $D: expected the files of a data set as released (coat: train.ascii; yahoo: ydata-ymusic-rating-study-v1_0-train.txt; kuairand: log_standard_*.csv; kuairec: big_matrix.csv; recbole: NAME.train.inter), found none" -- split-chrono "$D"
mkdir -p half && cp "$D/coat/train.ascii" half/
t_run "a folder without its test file" 4 "split-chrono: half: expected test.ascii (the test part of coat as released), found none" -- split-chrono half
t_run "a part column with a format that has none" 2 "split-chrono: $D/final_track2_train.txt: the tiktok format has no part column: give its parts as files (--train-file, --test-file) or its folder" -- split-chrono --mode given "$D/final_track2_train.txt"
printf 'user_id,item_id,timestamp,like,part\nu1,i1,1,1,training\n' > badpart.csv
t_run "a part that is not train, valid or test" 3 "split-chrono: badpart.csv: line 2, column 5: expected train, valid or test (part), got 'training'" -- split-chrono --mode given badpart.csv
printf '0 1 6\n' > bad.ascii
t_run "a Coat rating out of range" 3 "split-chrono: bad.ascii: line 1, column 3: expected a rating from 0 to 5 (0: not rated), got '6'" -- split-chrono -f coat --train-file bad.ascii --test-file bad.ascii
printf '0 1 3\n1 0\n' > short.ascii
t_run "a Coat line shorter than the first" 3 "split-chrono: short.ascii: line 2, column 3: expected 3 ratings as on the first line, got 2" -- split-chrono -f coat --train-file short.ascii --test-file short.ascii
printf '0 1 3\n1 0 0\n' > wide.ascii
printf '0 1\n1 0\n' > narrow.ascii
t_run "Coat parts of two shapes" 3 "split-chrono: narrow.ascii: 2 lines of 2 ratings, where wide.ascii has 2 of 3: expected the same users and items in every part" -- split-chrono -f coat --train-file wide.ascii --test-file narrow.ascii
printf '1\t2\t7\r\n' > y.txt
t_run "a Yahoo rating out of range" 3 "split-chrono: y.txt: line 1, column 3: expected a rating from 1 to 5 (rating), got '7'" -- split-chrono -f yahoo --train-file y.txt --test-file y.txt
sed '1s/is_rand,tab/tab,is_rand/' "$D/kuairand/data/log_random_4_22_to_5_08_pure.csv" > log_random_x.csv
t_run "KuaiRand's columns out of order" 3 "split-chrono: log_random_x.csv: line 1, column 18: expected the 19 columns of KuaiRand's logs in order (user_id, video_id, date, ..., tab), got 'tab' as column 18 where 'is_rand' belongs" -- split-chrono -f kuairand --train-file "$D/kuairand/data/log_standard_4_22_to_5_08_pure.csv" --test-file log_random_x.csv
cp "$D/kuairand/data/log_standard_4_22_to_5_08_pure.csv" log_random_y.csv
t_run "KuaiRand rows whose is_rand disagrees with their file: a warning" 0 "split-chrono: 2 KuaiRand rows have an is_rand that disagrees with their file (log_random_* should hold 1, log_standard_* 0): kept as their file says" -- split-chrono --train-file "$D/kuairand/data/log_standard_4_22_to_5_08_pure.csv" --test-file log_random_y.csv
mkdir -p notime
printf 'user_id:token\titem_id:token\tlike:float\na\tx\t1\nb\tx\t0\n' > notime/d.train.inter
printf 'user_id:token\titem_id:token\tlike:float\nb\ty\t1\n' > notime/d.test.inter
t_eq "given parts need no time column: the line number stands for it" '["a","x",2,1,"train",1] ["b","x",3,0,"train",0] ["b","y",2,1,"test",1]' \
	"$(split-chrono --valid-fraction 0 notime | show /dev/stdin | paste -sd' ')"
t_run "--columns part= without given parts" 2 "split-chrono: $D/rules.csv: --columns part= applies to --mode given with the parts in a column" -- split-chrono --columns part=p "$D/rules.csv"

# ---- the split rules, worked out by hand ----
for mode in global user loo; do
	split-chrono --mode "$mode" "$D/rules.csv" > s.mp && show s.mp > got
	t_file "--mode $mode: the records of rules.csv" "$D/rules-$mode.want" got
done
split-chrono "$D/rules.csv" > s.mp
t_eq "global: the counts" '{"train":20,"valid":1,"test":4,"train_clicks":22,"repeated_clicks":6,"users_left_out":1,"likes_left_out":1,"users_unscored":1,"likes_of_train_items":2,"items_train":8}' \
	"$(meta s.mp '{train, valid, test, train_clicks, repeated_clicks, users_left_out, likes_left_out, users_unscored, likes_of_train_items, items_train}')"
t_eq "users in order of first appearance in the file" '["D","A","C","B","E"]' \
	"$(stream-cat --section vocab --full s.mp | jq -c 'select(.block? == "users") | .data')"
t_eq "items in order of first appearance, those never trained kept" '["u","p","r","w","z","t","q","x","s","y","v"]' \
	"$(stream-cat --section vocab --full s.mp | jq -c 'select(.block? == "items") | .data')"
t_eq "the meta names mode, fraction and format" '["global",0.7,"csv",5,11,25]' \
	"$(meta s.mp '[.mode, .train_fraction, .format, .users, .items, .clicks]')"
split-chrono --mode user "$D/rules.csv" > s.mp
t_eq "user: the counts (15 clicks: round(10.5) = 11 train)" '{"train":20,"valid":2,"test":3,"train_clicks":23,"likes_of_train_items":2}' \
	"$(meta s.mp '{train, valid, test, train_clicks, likes_of_train_items}')"
split-chrono --mode user --train 0.4 "$D/rules.csv" > s.mp
t_eq "user: round(0.4) = 0, so D's one click is a later like, D left out" '{"users_left_out":1,"likes_left_out":1,"users_train":3}' \
	"$(meta s.mp '{users_left_out, likes_left_out, users_train}')"
split-chrono --mode loo "$D/rules.csv" > s.mp
t_eq "loo: the counts, one earlier click of a held-out item" '{"train":16,"valid":3,"test":3,"train_clicks":20,"heldout_clicks":1,"users_left_out":1,"train_fraction":0}' \
	"$(meta s.mp '{train, valid, test, train_clicks, heldout_clicks, users_left_out, train_fraction}')"
split-chrono --train 0 "$D/rules.csv" > s.mp
t_eq "--train 0: nothing trains, every user with a like left out" '[0,0,0,4]' "$(meta s.mp '[.train, .valid, .test, .users_left_out]')"
split-chrono --train 1 "$D/rules.csv" > s.mp
t_eq "--train 1: every pair trains" '[26,0,0]' "$(meta s.mp '[.train, .valid, .test]')"

split-chrono -v "$D/rules.csv" 2> err > s.mp
t_eq "-v: the cut" "split-chrono: global cut: 22 of 32 clicks train (0.6875); last training click at 20, next click at 20 (the cut falls inside a run of equal times)" "$(sed -n 3p err)"
t_eq "-v: who is left out of evaluation, and why" "split-chrono: left out of evaluation: 1 user without a training click (1 later likes); 1 user with no later like of a new item; 2 later likes of items the user clicked in training" "$(sed -n 6p err)"
t_eq "-v: six lines" 6 "$(wc -l < err)"
split-chrono "$D/rules.csv" > a.mp
split-chrono "$D/rules.csv" > b.mp
t_ok "two runs write the same bytes" cmp a.mp b.mp
split-chrono < "$D/rules.csv" > a.mp
split-chrono - < "$D/rules.csv" > b.mp
t_eq "standard input, and -, read the same log" "$(show a.mp)" "$(show b.mp)"
t_run "-o writes the file" 0 "" -- split-chrono -o out.mp "$D/rules.csv"
t_ok "-o's file is a whole stream" stream-cat -H out.mp

# ---- malformed input: exit 3, one line naming the file, the place, the expectation ----
h='user_id,item_id,timestamp,click,like'
bad() { # NAME CONTENT: a file holding the header and CONTENT
	printf '%s\n%b' "$h" "$2" > "$1"
}
bad short.csv 'u1,i1,5,1,0\nu1,i2,6,1\n'
t_run "a short row" 3 "split-chrono: short.csv: line 3, column 5: expected 5 fields as in the header, got 4" -- split-chrono short.csv
bad long.csv 'u1,i1,5,1,0,9\n'
t_run "a long row" 3 "split-chrono: long.csv: line 2, column 6: expected 5 fields as in the header, got 6" -- split-chrono long.csv
bad nan.csv 'u1,i1,5,1,0\nu1,i2,soon,1,0\n'
t_run "a time that is not a number" 3 "split-chrono: nan.csv: line 3, column 3: expected a number (timestamp), got 'soon'" -- split-chrono nan.csv
bad flag.csv 'u1,i1,5,2,0\n'
t_run "a click that is not 0 or 1" 3 "split-chrono: flag.csv: line 2, column 4: expected 0 or 1 (click), got '2'" -- split-chrono flag.csv
bad after.csv 'u1,"i1"x,5,1,0\n'
t_run "text after a closing quote" 3 "split-chrono: after.csv: line 2, column 2: expected a delimiter or the end of the line after a closing quote, got 'x'" -- split-chrono after.csv
bad inside.csv 'u1,i"1,5,1,0\n'
t_run "a quote inside an unquoted field" 3 "split-chrono: inside.csv: line 2, column 2: expected a quote only around a whole field, got '\"'" -- split-chrono inside.csv
bad open.csv 'u1,i1,5,1,0\nu2,"i2,6,1,0\nu3,i3,7,1,0\n'
t_run "a quote never closed names the line it opened on" 3 "split-chrono: open.csv: line 3, column 2: expected a closing quote, got the end of the input" -- split-chrono open.csv
bad span.csv 'u1,"i\n1",x,1,0\n'
t_run "an error in a row of two lines names its first" 3 "split-chrono: span.csv: line 2, column 3: expected a number (timestamp), got 'x'" -- split-chrono span.csv
printf '%s\r\nu1,i1,5,1,0\r\n\r\nu1,i1,x,1,0\r\n' "$h" > crlf.csv
t_run "CRLF and blank lines keep the line count" 3 "split-chrono: crlf.csv: line 4, column 3: expected a number (timestamp), got 'x'" -- split-chrono crlf.csv
bad empty-id.csv ',i1,5,1,0\n'
t_run "an empty user id" 3 "split-chrono: empty-id.csv: line 2, column 1: expected a user id (user_id), got ''" -- split-chrono empty-id.csv
printf "%s\nu\0001,i1,5,1,0\n" "$h" > nul.csv
t_run "a NUL byte in an id" 3 "split-chrono: nul.csv: line 2, column 1: expected a user id (user_id) without a NUL byte, got 'u\\x001'" -- split-chrono nul.csv
printf 'uid,item_id,timestamp,click,like\nu1,i1,5,1,0\n' > nocol.csv
t_run "a missing column" 3 "split-chrono: nocol.csv: line 1: expected a column 'user_id' in the header (see --columns), got none among its 5 columns" -- split-chrono nocol.csv
printf 'user_id,item_id,timestamp,click,item_id\n' > dup.csv
t_run "a column named twice" 3 "split-chrono: dup.csv: line 1, column 5: expected one column 'item_id', got a second (columns 2 and 5)" -- split-chrono dup.csv
printf 'user_id,item_id,timestamp,click\nu1,i1,5,1\n' > nolike.csv
t_run "no like column and no threshold" 3 "split-chrono: nolike.csv: line 1: expected a column 'like' in the header (see --columns), got none among its 4 columns" -- split-chrono nolike.csv
t_run "an empty input has no header" 3 "split-chrono: <stdin>: line 1: expected a header naming the columns, got the end of the input" -- split-chrono --format csv < /dev/null
t_run "an empty raw log is an empty log" 0 "" -- split-chrono --format tiktok < /dev/null
printf 'user_id:token\titem_id:token\ttimestamp:float\tlike:int\n' > type.inter
t_run "a RecBole type RecBole does not know" 3 "split-chrono: type.inter: line 1, column 4: type 'int' from field 'like' is not supported: expected token, token_seq, float or float_seq" -- split-chrono type.inter
printf 'user_id:token\titem_id:token\ttimestamp:float\tlike\n' > untyped.inter
t_run "a RecBole field without a type" 3 "split-chrono: untyped.inter: line 1, column 4: expected a RecBole header field name:type, got 'like'" -- split-chrono --format recbole untyped.inter
printf 'use_ID,sel_ID,ite_ID,cat_ID,act_ID,time\n1,2,3,4,2,20150701\n' > act.csv
t_run "a Taobao act that is neither click nor buy" 3 "split-chrono: act.csv: line 2, column 5: expected 0 or 1 (act_ID), got '2'" -- split-chrono act.csv
printf '1,10,5,pv,1511544070\n1,10,5,clik,1511544071\n' > behavior.csv
t_run "an unknown UserBehavior behaviour" 3 "split-chrono: behavior.csv: line 2, column 4: expected pv, buy, cart or fav (behavior_type), got 'clik'" -- split-chrono --format userbehavior behavior.csv
printf 'timestamp,visitorid,event,itemid,transactionid\n1,2,buy,3,\n' > event.csv
t_run "an unknown Retailrocket event" 3 "split-chrono: event.csv: line 2, column 3: expected view, transaction or addtocart (event), got 'buy'" -- split-chrono event.csv
head -c -4 "$D/final_track2_train.txt" > cut.txt
t_run "a Tiktok row cut short" 3 "split-chrono: cut.txt: line 4, column 12: expected 12 fields, got 11" -- split-chrono --format tiktok cut.txt
printf '1\t100\t1\t0\t0\t7616\tlong\t11\n' > play.txt
t_run "a Kwai playing time that is not a number" 3 "split-chrono: play.txt: line 1, column 7: expected a number (playing_time), got 'long'" -- split-chrono --format kwai play.txt
printf '7\t100\t5\t300\n7\t200\t3\n' > ragged.tsv
t_run "uirt rows keep the first row's width" 3 "split-chrono: ragged.tsv: line 2, column 4: expected 4 fields, got 3" -- split-chrono ragged.tsv
t_run "-o leaves no file after an error" 3 "*" -- split-chrono -o bad.mp short.csv
t_eq "neither the file nor its temporary" "" "$(ls -a | grep 'bad\.mp' || true)"
t_run "a file that is not there" 4 "split-chrono: nothere.csv: cannot open: No such file or directory" -- split-chrono nothere.csv

# ---- the command line ----
t_run "an unknown format" 2 "split-chrono: --format: expected auto, csv, tsv, recbole, ratings, uirt, tiktok, kwai, taobao, userbehavior, retailrocket, yahoo, coat, kuairand or kuairec, got 'xml'" -- split-chrono --format xml "$D/rules.csv"
t_run "an unknown mode" 2 "split-chrono: --mode: expected global, user, loo or given, got 'random'" -- split-chrono --mode random "$D/rules.csv"
t_run "a fraction above 1" 2 "split-chrono: --train: expected a decimal fraction from 0 to 1 (at most 9 decimals), got '1.5'" -- split-chrono --train 1.5 "$D/rules.csv"
t_run "a fraction as a percentage" 2 "*" -- split-chrono --train 70% "$D/rules.csv"
t_run "--train with loo" 2 "split-chrono: --train has no meaning with --mode loo" -- split-chrono --mode loo --train 0.8 "$D/rules.csv"
t_run "two inputs" 2 "split-chrono: expected one input file, got 2" -- split-chrono "$D/rules.csv" "$D/rules.csv"
t_run "a --columns entry without =" 2 "split-chrono: --columns: expected ROLE=NAME with ROLE one of user, item, time, click, like, rating, got 'uid'" -- split-chrono --columns uid "$D/rules.csv"
t_run "--columns on a format without a header" 2 "split-chrono: $D/final_track2_train.txt: --columns applies to formats with a header; the tiktok format has none" -- split-chrono --columns user=uid "$D/final_track2_train.txt"
t_run "--columns for a column the format lacks" 2 "split-chrono: $D/events.csv: --columns: the retailrocket format has no like column" -- split-chrono --columns like=x "$D/events.csv"
t_run "--like-threshold on a log without ratings" 2 "split-chrono: $D/events.csv: --like-threshold applies to the formats with ratings (csv, tsv, recbole, ratings, uirt, yahoo, coat, kuairec), not retailrocket" -- split-chrono -l 3 "$D/events.csv"
t_run "a delimiter that is a quote" 2 "split-chrono: -d: expected one character (or 'tab'), not a quote or a line end, got '\"'" -- split-chrono -d '"' "$D/rules.csv"
t_run "--help" 0 "" -- split-chrono --help
t_eq "--help prints the synopsis" "usage: split-chrono [-f FORMAT] [-m global|user|loo] [-t FRACTION] [-c ROLE=NAME,...]" "$(head -n 1 "$OUT")"
t_run "--version" 0 "" -- split-chrono --version
t_eq "--version names the package" "split-chrono (hcr)" "$(cut -d' ' -f1,2 "$OUT")"
