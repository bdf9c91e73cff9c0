# Rows per second and peak memory of split-chrono on a generated log in the default
# format, beside `sort -t, -k3,3n` ordering the same file, and their ratio.
# ROWS, USERS, ITEMS set the size (10 million rows, 100 thousand users, 50 thousand
# items); each command runs REPEAT times (3) and the run of median wall time is shown,
# with its CPU time (sort uses several threads) and peak resident memory.
set -eu -o pipefail
rows=${ROWS:-10000000} users=${USERS:-100000} items=${ITEMS:-50000} repeat=${REPEAT:-3}
[ -x /usr/bin/time ] || { echo "split-chrono bench: needs GNU time (/usr/bin/time)" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/hcr-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
gen-log "$rows" "$users" "$items" > "$dir/log.csv"
bytes=$(stat -c %s "$dir/log.csv")

# measure NAME CMD...: runs CMD (output thrown away) REPEAT times, prints its line
measure() {
	local name=$1 k
	shift
	: > "$dir/runs"
	for k in $(seq "$repeat"); do
		/usr/bin/time -f '%e %U %S %M' -o "$dir/time" "$@" > /dev/null
		cat "$dir/time" >> "$dir/runs"
	done
	sort -n "$dir/runs" | sed -n "$(( (repeat + 1) / 2 ))p" | awk -v n="$name" -v r="$rows" -v b="$bytes" '{
		printf "%s: %d rows (%.0f MB): %.2f s, %.0f rows/s (CPU %.2f s, %.0f rows/s), peak RSS %.0f MB (%.1f bytes a row)\n",
		    n, r, b / 1e6, $1, r / $1, $2 + $3, r / ($2 + $3), $4 / 1024, $4 * 1024 / r }'
}
measure "split-chrono" split-chrono "$dir/log.csv" | tee "$dir/a"
measure "sort -t, -k3,3n" sort -t, -k3,3n "$dir/log.csv" | tee "$dir/b"
paste -d' ' "$dir/a" "$dir/b" | awk '{
	# fields: the wall seconds follow "MB):", the CPU seconds "(CPU", the RSS "RSS"
	for (i = 1; i <= NF; i++) {
		if ($i == "MB):") w[++nw] = $(i + 1)
		if ($i == "(CPU") c[++nc] = $(i + 1)
		if ($i == "RSS") m[++nm] = $(i + 1)
	}
	printf "split-chrono / sort: %.2f times the rows per second (%.2f by CPU time), %.2f times the peak memory\n",
	    w[2] / w[1], c[2] / c[1], m[1] / m[2] }'
