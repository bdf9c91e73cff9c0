# sweep-plot.gp: truth NDCG against the confounding strength, one line per run, one
# panel per backbone, error bars the spread over seeds.  Called with -e "tsv='...';
# out='...'; backbones='mf mmgcn'; runs='ct hcr ...'" by pipelines/sweep.mk, which
# leaves out the oracles: the causal one is 1 by definition and would flatten the rest.
set terminal pngcairo size 1400,500 font ",10" noenhanced
set output out
set datafile separator "\t"
nb = words(backbones)
set multiplot layout 1, nb
set xlabel "confounding kappa"
set ylabel "truth NDCG@50"
set key outside right font ",9"
set grid
set offsets 0.1, 0.1, 0, 0
do for [i = 1:nb] {
    b = word(backbones, i)
    set title b . " (the causal oracle is 1)"
    # Colours repeat after eight, point types do not: no two runs alike.
    plot for [j = 1:words(runs)] sprintf("< awk -F'\t' '$1 == \"%s\" && $3 == \"%s\" && $4 == \"truth_ndcg\" { print $2 \"\t\" $6 \"\t\" ($7 == \"NA\" ? 0 : $7) }' %s", b, word(runs, j), tsv) \
        using 1:2:3 with yerrorlines lt j pt j title word(runs, j)
}
unset multiplot
