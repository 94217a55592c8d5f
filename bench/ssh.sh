#!/usr/bin/env bash
# Issue 15: `lssyscfg -r sys -F name` over the HMC's SSH endpoint, with the connection open and a
# new exec channel per command, beside the same command through ./parvirt and the REST API.
# Target: SSH exec channel median <= 50 ms. Usage: bench/ssh.sh [RUNS]  (default 100)
#   1. MINA's Java client: one connection, RUNS exec channels (src/test/.../bench/SshExecLatency);
#      the REST API with Java's HttpClient (keep-alive) in the same JVM.
#   2. OpenSSH: a ControlMaster connection, then RUNS `ssh` clients multiplexed on it (each a new
#      exec channel; the ssh process start is included); curl per request for the REST API.
#   3. ./parvirt lssyscfg -r sys -F name (a JVM per command), RUNS times.
# The home has a stand-in default image (no partition is started, and no image is built in the
# background while measuring). Writes bench/results/ssh.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
runs=${1:-100}
out="$root/bench/results"
mkdir -p "$out"
bench_build
(cd "$root" && mvn -q -B -DskipTests test-compile) >&2
bench_new_home
h=$BENCH_HOME
mkdir -p "$h/images/default"
python3 - "$h/images/default" <<'PY'
import sys, os
d = sys.argv[1]
k = bytearray(0x206); k[0x202:0x206] = b'HdrS'
open(os.path.join(d, 'vmlinuz'), 'wb').write(k)
open(os.path.join(d, 'initramfs.img'), 'wb').write(b'070701' + b'0' * 100)
open(os.path.join(d, 'image.properties'), 'w').write('description=stand-in\n')
PY
printf 'ssh.listen=127.0.0.1:0\nimages.dir=%s/images\n' "$h" >> "$h/parvirt.properties"
export PARVIRT_HOME=$h
pv=$BENCH_PARVIRT
"$pv" lssyscfg -r sys -F name >/dev/null 2>&1 || true # starts the daemon (its first start makes the host key)
for i in $(seq 1 300); do [ -f "$h/run/listen" ] && [ -f "$h/run/ssh-listen" ] && break; sleep 0.1; done
"$pv" mkhmcusr -u hscroot -a hmcsuperadmin --passwd abc123abc
sshport=$(cut -d: -f2 "$h/run/ssh-listen")
apiport=$(cut -d: -f2 "$h/run/listen")
token=$(cat "$h/run/token")
{
  echo "# bench/ssh.sh $runs, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
  bench_provenance
  cp="$root/target/test-classes:$root/target/classes:$root/target/lib/*"
  "$JAVA_HOME/bin/java" -cp "$cp" -Xlog:disable io.parvirt.bench.SshExecLatency "$sshport" hscroot abc123abc \
    "$apiport" "$token" "$runs" 2>/dev/null

  # The master logs in with a key (mkauthkeys): under sshpass a backgrounded master dies with sshpass's terminal.
  cm="$h/cm"
  ssh-keygen -q -t ed25519 -N '' -C bench@parvirt -f "$h/id"
  o=(-p "$sshport" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ControlPath="$cm"
     -i "$h/id" -o BatchMode=yes)
  sshpass -p abc123abc ssh "${o[@]/BatchMode=yes/BatchMode=no}" -n hscroot@127.0.0.1 "mkauthkeys -a '$(cat "$h/id.pub")'"
  ssh "${o[@]}" -o ControlMaster=yes -o ControlPersist=300 -fN hscroot@127.0.0.1
  for i in $(seq 1 20); do ssh "${o[@]}" hscroot@127.0.0.1 'lssyscfg -r sys -F name' >/dev/null; done
  for i in $(seq 1 "$runs"); do
    t0=$(bench_now_ns); ssh "${o[@]}" -n hscroot@127.0.0.1 'lssyscfg -r sys -F name' >/dev/null; t1=$(bench_now_ns)
    echo "scale=3; ($t1 - $t0) / 1000000" | bc
  done | bench_stats | awk '{ printf "OpenSSH ssh client multiplexed on an open connection (process start included): median %s ms, p90 %s ms, min %s ms, n %s\n", $1, $2, $3, $6 }'
  ssh "${o[@]}" -O exit hscroot@127.0.0.1 2>/dev/null || true

  body='{"argv":["lssyscfg","-r","sys","-F","name"]}'
  for i in $(seq 1 "$runs"); do
    t0=$(bench_now_ns)
    curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" \
      "http://127.0.0.1:$apiport/api/v1/hmc/cli"
    t1=$(bench_now_ns); echo "scale=3; ($t1 - $t0) / 1000000" | bc
  done | bench_stats | awk '{ printf "REST API, one curl process per request: median %s ms, p90 %s ms, min %s ms, n %s\n", $1, $2, $3, $6 }'

  for i in $(seq 1 "$runs"); do
    t0=$(bench_now_ns); "$pv" lssyscfg -r sys -F name >/dev/null; t1=$(bench_now_ns)
    echo "scale=3; ($t1 - $t0) / 1000000" | bc
  done | bench_stats | awk '{ printf "./parvirt lssyscfg -r sys -F name (a JVM per command): median %s ms, p90 %s ms, min %s ms, n %s\n", $1, $2, $3, $6 }'
} | tee "$out/ssh.txt"
