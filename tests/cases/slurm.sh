# slurm: the pipelines' test (cases/pipelines.sh) run twice side by side, here and with
# every training, ranking and evaluation a job of a one-node Slurm started for it
# (LAUNCH=srun, pipelines/launch.mk): both pass, and every table, TSV, model and
# ranking is the same bytes (the training logs hold times).  The Slurm is Debian's
# slurm-wlm and munge on localhost, its files in a folder of its own, every daemon
# stopped at the end; where it cannot start (no packages, not root, a machine that
# will not run its jobs) a single line skips, saying why.
. "$HCR_TESTS/lib.sh"

unset MAKEFLAGS MFLAGS MAKELEVEL LAUNCH
export PATH=$PATH:/usr/sbin:/sbin
skip() { t_pass "a one-node Slurm # SKIP $*"; exit 0; }

for c in munged slurmctld slurmd srun sinfo scancel; do
	command -v $c >/dev/null || skip "no $c here (Debian's slurm-wlm and munge, which make check installs as root)"
done
[ "$(id -u)" = 0 ] || skip "not root: slurmd runs a job as its user only as root"

# munged wants its socket's folder open to all, its key to its user alone.
S=$(mktemp -d)
chmod 755 "$S"
export SLURM_CONF=$S/slurm.conf
pids=()
stop() { # cancels what runs, stops the daemons started, last first, and removes their files
	[ ${#pids[@]} -gt 1 ] && timeout 10 scancel --quiet --user=root 2>/dev/null
	local i p
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		p=${pids[i]}
		kill "$p" 2>/dev/null
		for _ in {1..50}; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$S" "$OUT" "$ERR"
}
trap stop EXIT
trap 'exit 1' INT TERM HUP
# why LOG...: the first error the daemons logged that matters
why() {
	grep -h -i -E 'fatal|error' "$@" 2>/dev/null | grep -v -i -E 'pmix|state file|NOTE:|MailProg' \
		| head -n 1 | sed 's/^\[[^]]*\] //'
}

head -c 1024 /dev/urandom > "$S/munge.key"
chmod 600 "$S/munge.key"
munged -F --key-file="$S/munge.key" --socket="$S/munge.socket" --pid-file="$S/munged.pid" \
	--log-file="$S/munged.log" --seed-file="$S/munged.seed" >"$S/munged.out" 2>&1 &
pids+=($!)
for _ in {1..50}; do [ -S "$S/munge.socket" ] || sleep 0.1; done
[ -S "$S/munge.socket" ] || skip "munged did not start: $(tail -n 1 "$S/munged.out")"

# Two free ports for slurmctld and slurmd, on the loopback only (NoInAddrAny).
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + $$ % 20000))
until free $port && free $((port + 1)); do port=$((port + 2)); done
mem=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
cat > "$SLURM_CONF" <<EOF
ClusterName=hcrtest
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
CommunicationParameters=NoInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$S/jobs.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=localhost CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=10 State=UP
EOF
mkdir "$S/state" "$S/spool"
slurmctld -D -f "$SLURM_CONF" >"$S/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N localhost >"$S/slurmd.out" 2>&1 &
pids+=($!)
for _ in {1..100}; do
	[ "$(timeout 5 sinfo -h -n localhost -o %t 2>/dev/null)" = idle ] && break
	sleep 0.2
done
[ "$(timeout 5 sinfo -h -n localhost -o %t 2>/dev/null)" = idle ] ||
	skip "Slurm did not start: $(why "$S"/slurm*.log "$S"/slurm*.out)"
# srun exits 0 even when the task could not start: what it printed tells.
[ "$(timeout 60 srun --time=1 --quiet echo ran 2>"$S/srun.err")" = ran ] ||
	skip "Slurm runs no job here: $(head -n 1 "$S/srun.err") $(why "$S"/slurmd.log)"

# Both runs at once, each on one core; a job may take 5 minutes, a run 10.
mkdir here slurm
(cd here && exec timeout 600 bash "$HCR_TESTS/cases/pipelines.sh") >here.tap 2>&1 &
local_run=$!
(cd slurm && LAUNCH="srun --time=5" exec timeout 600 bash "$HCR_TESTS/cases/pipelines.sh") >slurm.tap 2>&1 &
slurm_run=$!
wait $local_run
wait $slurm_run
# TAP: "passes" when every case of it passed, else what failed
verdict() {
	local p f
	p=$(grep -c '^ok ' "$1") f=$(grep -c '^not ok ' "$1")
	if [ "$p" -gt 0 ] && [ "$f" = 0 ]; then echo passes; else echo "$p passed, $f failed"; grep -m 3 -A 3 '^not ok ' "$1"; fi
}
t_eq "the pipelines' test passes here" passes "$(verdict here.tap)"
t_eq "and through Slurm" passes "$(verdict slurm.tap)"

# Every file the experiments wrote, but the training logs, the same bytes.
results() { [ -d "$1/r" ] && (cd "$1/r" && find . -type f ! -name '*.log' | sort); }
t_eq "the same files" "$(results here)" "$(results slurm)"
t_eq "the same bytes: tables, TSVs, models, rankings" "" \
	"$(results here | while read -r f; do cmp -s "here/r/$f" "slurm/r/$f" || echo "$f"; done)"
t_eq "the tables among them" 9 "$(results slurm | grep -c -E '/(table[23]|fig[567][ab]?)\.tsv$')"

# Slurm's record of its jobs (written as each job ends, a moment after its srun):
# one a model, ranking and evaluation, each made there.
for _ in {1..50}; do [ -z "$(timeout 5 squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
jobs() { sed -n 's/.* Name=r\/\([^ ]*\) .*/.\/\1/p' "$S/jobs.txt" | sort -u; }
made=$(cd slurm/r 2>/dev/null && find . -name '*.model.mp' -o -name '*.top*.mp' -o -name 'seed-*.tsv' | sort)
t_eq "each model, ranking and evaluation was a job" "$made" "$(jobs)"
t_eq "all completed" "" "$(grep -v 'JobState=COMPLETED' "$S/jobs.txt" | head -n 3)"
t_eq "a training asked for one core and 1G" "cpu=1,mem=1G" \
	"$(grep 'Name=[^ ]*\.model\.mp ' "$S/jobs.txt" | sed -n 's/.* Tres=\(cpu=[0-9]*,mem=[^,]*\),.*/\1/p' | sort -u)"
