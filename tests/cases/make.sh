# The top Makefile's own promises, checked with make -n (nothing is built or installed).
. "$HCR_TESTS/lib.sh"

# make from the top of the tree, as a user types it, not as the make running the tests
topmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$HCR_TOP" "$@"; }

# Make deletes the intermediate files of chained pattern rules when it ends ("rm
# FILE ..." in its dry run); the programs' objects must not be among them, or the
# make after make check (make demo) compiles every tool again.
t_run "a dry run of make check from nothing" 0 "*" -- topmake -n B="$PWD/fresh" check
cp "$OUT" dry-check
t_eq "deletes no object when it ends" "" "$(grep -E '^rm [^-]' dry-check)"
t_ok "though it compiles the tools' objects" grep -q -- "-o $PWD/fresh/filters/evaluate.o" dry-check

echo "1..$T_N"
