# The README's commands as a new user types them: its pipe runs as written, on the
# small ratings file of the tests (data/examples/ratings.csv, MovieLens's columns) in
# place of the export make demo leaves, the file's path the one word changed; its
# PATH and MANPATH line finds the tools and their pages.
. "$HCR_TESTS/lib.sh"

readme=$HCR_TOP/README.md
ratings=$HCR_TOP/data/examples/ratings.csv
ml=results/data/movielens/movielens.csv

# The pipe: the indented lines from "ml=" to the blank line after them.
awk '/^    ml=/ { on = 1 } on && !/^    / { exit } on { print substr($0, 5) }' "$readme" > pipe.sh
t_eq "the README's pipe names the ratings make demo leaves" "ml=$ml" "$(head -n 1 pipe.sh)"
t_ok "and pipes split-chrono to evaluate" grep -q '| evaluate -k 50,100 --baseline ct$' pipe.sh
sed "1s|^ml=$ml\$|ml=$ratings|" pipe.sh > small.sh
t_eq "only the file changes" "1" "$(diff pipe.sh small.sh | grep -c '^>')"
t_run "runs as written" 0 "*" -- bash -e -o pipefail small.sh
cp "$OUT" report.txt
t_eq "and reports CT and HCR on validation and test" "ct valid
ct test
hcr valid
hcr test" "$(awk '/^overall:/ { on = 1; next } on && /^run/ { next } on && NF == 0 { exit } on { print $1, $2 }' report.txt)"
t_eq "with HCR's paired tests against CT" 8 \
	"$(awk '/^compare:/ { on = 1; next } on && $1 == "hcr" { n++ } END { print n }' report.txt)"

# PATH and MANPATH, from the top of the tree, in a shell as a user has it (MANPATH unset).
set +u
unset MANPATH
line=$(grep -m 1 '^    export PATH=' "$readme" | sed 's/^    //')
t_eq "the README puts build/bin and man/ first" 'export PATH=$PWD/build/bin:$PATH MANPATH=$PWD/man:$MANPATH' "$line"
t_eq "on PATH, the tools of the tree" "$HCR_TOP/build/bin" \
	"$(cd "$HCR_TOP" && eval "$line" && echo "${PATH%%:*}")"
if command -v man >/dev/null && man -w man >/dev/null 2>&1; then
	t_eq "and man finds their pages" "$HCR_TOP/man/man1/evaluate.1 $HCR_TOP/man/man5/hcr-stream.5" \
		"$(cd "$HCR_TOP" && eval "$line" && echo $(man -w evaluate hcr-stream))"
	t_ok "and still the system's" sh -c "cd '$HCR_TOP' && $line && man -w man"
else
	t_pass "man finds their pages # SKIP no man(1) here"
fi

echo "1..$T_N"
