# --help: every tool prints its usage, then each option on a line of its own with what
# it does, GNU style; the options are those its man page lists, no more, no fewer.
. "$HCR_TESTS/lib.sh"

# man_options PAGE [SECTION...]: the options a page names, -x and --long, sorted, from
# the .It lines of its option list (or the SYNOPSIS, given SYNOPSIS).
man_options() {
	awk -v want="${2:-DESCRIPTION OPTIONS}" '
	/^\.Sh / { on = index(" " want " ", " " $2 " ") > 0; next }
	on && (want == "SYNOPSIS" || /^\.It Fl/) {
		for (i = 1; i < NF; i++) if ($i == "Fl") {
			t = $(i + 1); gsub(/\\/, "", t)
			if (t ~ /^-/) print "-" t
			else for (j = 1; j <= length(t); j++) print "-" substr(t, j, 1)
		}
	}' "$1" | sort -u
}
# help_options TOOL: the options of its --help lines, the column before the text.
help_options() {
	"$1" --help | awk '/^  +-/ { sub(/^ +/, ""); sub(/  .*/, ""); gsub(/,/, "")
		for (i = 1; i <= NF; i++) if ($i ~ /^-/) print $i }' | sort -u
}

for page in "$HCR_TOP"/man/man1/*.1; do
	tool=$(basename "$page" .1)
	t_run "$tool --help" 0 "" -- "$tool" --help
	cp "$OUT" help.out
	t_ok "$tool --help: the usage first" grep -q "^usage: $tool " <(head -n 1 help.out)
	t_eq "$tool --help: an option a line, with what it does, as the man page's list" \
		"$(man_options "$page" | xargs)" "$(help_options "$tool" | xargs)"
	t_eq "$tool --help: every option of the SYNOPSIS" "" \
		"$(comm -23 <(man_options "$page" SYNOPSIS) <(help_options "$tool") | xargs)"
	t_eq "$tool --help: every option line within 80 columns" "" "$(grep -E '^ {2}-|^ {6}--' help.out | awk 'length > 80')"
	t_ok "$tool --help: and the man page for the rest" grep -qx "Every option in full: $tool(1)." help.out
done

echo "1..$T_N"
