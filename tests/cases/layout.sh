#!/usr/bin/env bash
# lib/'s layout (lib/README): folders by stage, each including only itself and the
# folders below it, no include cycle, and the ranking tools compiled against only what
# they use.
. "$HCR_TESTS/lib.sh"
layout=$HCR_TESTS/lib-layout

t_run "lib/: layers respected, no include cycle" 0 '' -- "$layout"
reach() { "$layout" --reach "$1" | tr '\n' ' '; }
t_eq "evaluate reaches nothing of training or scoring" "" \
	"$(reach evaluate | tr ' ' '\n' | grep -E '^(train/|rank/scoring|rank/rulekeys|rank/repset)' | tr '\n' ' ')"
t_eq "score-frontdoor reaches no autodiff, backbone or training loop" "" \
	"$(reach score-frontdoor | tr ' ' '\n' | grep -E '^train/(autodiff|backbone|train|adam|branches)$' | tr '\n' ' ')"
# every method file of train/methods is a row of the table
rows=$(sed -n 's/^\tX(\([a-z_]*\)).*/\1/p' "$HCR_TOP/lib/train/methods/table.c" | sort | tr '\n' ' ')
defined=$(cat "$HCR_TOP"/lib/train/methods/*.c | sed -n 's/^const struct method method_\([a-z_]*\) = .*/\1/p' | sort | tr '\n' ' ')
t_eq "every method defined in train/methods is in the table" "$defined" "$rows"

# the checker finds what it is for, on a copy of lib/ made wrong on purpose
mkdir -p bad && cp -r "$HCR_TOP/lib" "$HCR_TOP/filters" "$HCR_TOP/tests" bad/
echo '#include "train/train.h"' >> bad/lib/rank/topk.c
t_run "a rank file that includes training is named" 1 \
	"layer: lib/rank/topk includes lib/train/train (train is not below rank)" -- bad/tests/lib-layout bad
sed -i '$d' bad/lib/rank/topk.c
echo '#include "rank/scoring.h"' >> bad/lib/rank/ranking.h
t_run "a cycle (ranking and scoring need each other) is named" 1 "cycle: tsort: -: input contains a loop:" -- \
	bad/tests/lib-layout bad

echo "1..$T_N"
exit $((T_FAILED > 0))
