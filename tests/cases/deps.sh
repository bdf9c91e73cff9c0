# The install step (pipelines/ensure-packages, what make deps and make demo run) waits
# while another apt or dpkg holds a lock, then goes on.  Nothing here runs a real apt or
# touches /var/lib/dpkg: apt-get, dpkg-query and sudo are fakes that write what they are
# asked into a log, and the lock is a file of this folder, held by flock(1).
. "$HCR_TESTS/lib.sh"

ensure=$HCR_TOP/pipelines/ensure-packages
mkdir fake
# every package is installed but those named hcr-missing-*
cat > fake/dpkg-query <<'SH'
#!/bin/sh
for p; do :; done
case $p in hcr-missing-*) exit 1 ;; *) echo "install ok installed" ;; esac
SH
printf '#!/bin/sh\necho "apt-get $*" >> "$EVENTS"\n' > fake/apt-get
printf '#!/bin/sh\nexec "$@"\n' > fake/sudo
chmod +x fake/*
export PATH="$PWD/fake:$PATH" EVENTS=$PWD/events APT_LOCKS=$PWD/lock APT_LOCK_WAIT=60
: > lock

# hold LOCK for as long as the file go exists: the holder says when it lets go (before
# flock(1) drops the lock), and this returns once the lock is held.
hold() {
	rm -f held; : > go
	flock lock -c 'touch held; while [ -e go ]; do sleep 0.1; done; echo released >> "$EVENTS"' &
	holder=$!
	while [ ! -e held ]; do sleep 0.1; done
}

t_run "nothing missing: nothing to install" 0 "" -- "$ensure" make gcc
t_ok "and apt-get is not run" test ! -e events

# The step starts while the lock is held; the holder lets go once the step has said
# that it waits (so the test does not hang on timing).
hold
: > "$ERR"
(for i in $(seq 600); do grep -q '^deps: waiting for' "$ERR" && break; sleep 0.1; done
	sleep 1; rm -f go) &
t_run "a missing package while another process holds the lock" 0 \
	"deps: installing hcr-missing-one" -- "$ensure" gcc hcr-missing-one
wait "$holder"
cp "$ERR" wait.err
t_ok "says it waits, for which lock and whose" \
	grep -q "^deps: waiting for $PWD/lock, held by process $holder (flock lock -c" wait.err
t_ok "and how long it may wait" grep -q "waiting up to 60 s in all (APT_LOCK_WAIT=seconds" wait.err
t_ok "says when the lock is free" grep -q "^deps: the lock is free after [0-9]* s; going on" wait.err
t_eq "apt-get runs once the holder has let go, then installs only what is missing" "released
apt-get -o DPkg::Lock::Timeout=$APT_LOCK_WAIT update -qq
apt-get -o DPkg::Lock::Timeout=$APT_LOCK_WAIT install -y -qq --no-install-recommends hcr-missing-one" \
	"$(sed 's/Timeout=[0-9]*/Timeout=60/' events)"

# Through the Makefile, as make demo runs it, with the lock free.
rm -f events
t_run "make deps runs the step" 0 "deps: installing hcr-missing-two" -- env -u MAKEFLAGS -u MAKELEVEL \
	make -s -C "$HCR_TOP" B="$PWD/b" deps DEB_BUILD=hcr-missing-two DEB_CHECK=
t_eq "with the lock free, at once" "apt-get -o DPkg::Lock::Timeout=60 update -qq
apt-get -o DPkg::Lock::Timeout=60 install -y -qq --no-install-recommends hcr-missing-two" \
	"$(sed 's/Timeout=[0-9]*/Timeout=60/' events)"

# A holder that does not let go in time: the step gives up and says so.
rm -f events
hold
t_run "a lock held longer than APT_LOCK_WAIT" 1 "deps: installing hcr-missing-one" -- \
	env APT_LOCK_WAIT=1 "$ensure" hcr-missing-one
cp "$ERR" giveup.err
rm -f go
wait "$holder"
t_ok "gives up saying why and what to do" \
	grep -q "^deps: gave up after waiting [0-9]* s for $PWD/lock, held by process $holder .*run make again" giveup.err
t_eq "without running apt-get" "released" "$(cat events)"
t_run "a wait that is not a number" 2 "deps: APT_LOCK_WAIT: expected whole seconds, got 'soon'" -- \
	env APT_LOCK_WAIT=soon "$ensure" hcr-missing-one

echo "1..$T_N"
