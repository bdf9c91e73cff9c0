# tests/lib.sh: helpers for the shell test scripts in tests/cases, printing TAP.
# A case is one line: what is run, and what must come out of it.
#
#   t_run DESC RC STDERR1 -- CMD...   run CMD; exit code must be RC and the first line
#                                     of stderr STDERR1 ('*' accepts any stderr);
#                                     stdout is left in $OUT, stderr in $ERR
#   t_out DESC FILE -- CMD...         run CMD; it must exit 0 and print exactly FILE
#   t_eq DESC WANT GOT                two strings are equal
#   t_near DESC WANT GOT TOL          two numbers differ by at most TOL
#   t_ok DESC CMD...                  CMD exits 0
set -u
T_N=0
# Every section header records the OpenBLAS kernel's name, whose length varies by
# machine: byte offsets in expected messages are written as BASE + headers * BLAS_LEN.
BLAS_LEN=$(mkstream sections a 2>/dev/null | stream-cat -H 2>/dev/null | head -n 1 | jq -r '.blas | length' 2>/dev/null || echo 8)
T_FAILED=0
OUT=$(mktemp) ERR=$(mktemp)
trap 'rm -f "$OUT" "$ERR"' EXIT

t_pass() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
t_fail() {
	T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	shift
	printf '%s\n' "$@" | sed 's/^/#   /'
}

t_run() {
	local desc=$1 rc=$2 e1=$3 got_rc got_e1
	shift 3; [ "$1" = -- ] && shift
	"$@" >"$OUT" 2>"$ERR" && got_rc=0 || got_rc=$?
	got_e1=$(head -n 1 "$ERR")
	if [ "$got_rc" != "$rc" ]; then
		t_fail "$desc" "exit code: got $got_rc, want $rc" "command: $*" "stderr: $(head -c 600 "$ERR")"
	elif [ "$e1" != '*' ] && [ "$got_e1" != "$e1" ]; then
		t_fail "$desc" "stderr, first line:" "  got:  $got_e1" "  want: $e1"
	else
		t_pass "$desc"
	fi
}

t_out() {
	local desc=$1 want=$2 got_rc
	shift 2; [ "$1" = -- ] && shift
	"$@" >"$OUT" 2>"$ERR" && got_rc=0 || got_rc=$?
	if [ "$got_rc" != 0 ]; then
		t_fail "$desc" "exit code $got_rc" "command: $*" "stderr: $(head -c 600 "$ERR")"
	elif ! cmp -s "$want" "$OUT"; then
		t_fail "$desc" "output differs from $want:" "$(diff "$want" "$OUT" | head -n 20)"
	else
		t_pass "$desc"
	fi
}

t_eq() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "got:  $3" "want: $2"; fi
}

t_near() {
	if awk -v w="$2" -v g="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; then
		t_pass "$1"
	else
		t_fail "$1" "got $3, want $2 within $4"
	fi
}

t_ok() {
	local desc=$1
	shift
	if "$@" >"$OUT" 2>"$ERR"; then t_pass "$desc"; else t_fail "$desc" "command failed: $*" "$(head -c 600 "$ERR")"; fi
}
