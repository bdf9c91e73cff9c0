# bars.gp: grouped bars of a pivot.awk table, a cluster per row and a colour per column
# pair (mean, sd), the spread over seeds as error bars, as the paper draws its figures.
#   gnuplot -e "tsv='t.tsv'; out='t.png'; title='...'; ylabel='...'; titles='CT HCR'" bars.gp
if (!exists("title")) title = ""
if (!exists("ylabel")) ylabel = ""
if (!exists("titles")) titles = ""
set terminal pngcairo size 640,420 font "sans,11" noenhanced
set output out
set datafile separator "\t"
set style data histogram
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top right noautotitle
set grid ytics lc rgb "#dddddd"
set title title
set ylabel ylabel
# bars grow from zero: the axis always holds it
set yrange [*<0:0<*]
set xzeroaxis lt -1
# the paper's palette: blue, orange, green, red, purple, brown
array colour[6] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
# a row's first line gives the column count: (fields - 1) / 2 bars per cluster
ncol = system(sprintf("head -n 1 '%s' | awk -F'\\t' '{ print (NF - 1) / 2 }'", tsv)) + 0
sd(c) = (strcol(c) eq "NA") ? 0 : column(c)
plot for [j = 1:ncol] tsv skip 1 using (column(2 * j)):(sd(2 * j + 1)):xtic(1) \
	lc rgb colour[(j - 1) % 6 + 1] title (words(titles) >= j ? word(titles, j) : "")
