# pipelines/plot-bars.gp: grouped bars, one colour per method, as the paper draws its
# comparisons.  Called as
#   gnuplot -e "data='FILE'; out='PNG'; heading='TITLE'" pipelines/plot-bars.gp
# where FILE is a table with a header line: the first column the bar group's name
# (e.g. recall@50), each further column a method's value (NA for none).
if (!exists("heading")) heading = ''
set terminal pngcairo size 900,480 font 'sans,11'
set output out
set datafile separator '\t'
set datafile missing 'NA'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top right noenhanced
set title heading noenhanced
set grid ytics
set yrange [0:*]
set xtics noenhanced
# the methods are the header's columns after the first
n = int(system("head -n 1 '" . data . "' | awk -F'\t' '{ print NF }'"))
rows = int(system("wc -l < '" . data . "'")) - 1
set xrange [-0.6:rows - 0.4]
plot for [c=2:n] data using c:xtic(1) title columnheader(c) linecolor c - 1
