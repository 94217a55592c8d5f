#!/usr/bin/env bash
# Micro-partitioning (issue 4): the dispatching controller's own cost. Target: "with 50 partitions
# defined and 20 running: under 1 % of one core".
#
# One home with dispatching enforced (the default: an interval of 100 ms). 50 partitions are defined
# (256 MB, shared, 1 virtual processor (max 2), 0.05 processing units, uncapped, weight 128, default
# pool), lp01..lp20 are activated one after the other and waited for until all are Running, then
# after SETTLE s two windows of WINDOW s each are measured:
#   idle     : no load in the guests;
#   burning  : lp01..lp10 run one busy shell loop each (started with `parvirt guest exec`), so ten
#              uncapped partitions compete for the 2 cores and the controller has quotas to move.
# Per window, from GET /api/v1/dispatch at its start and end:
#   controller cost  = delta controllerCpuSeconds / delta wall seconds  (% of one core)
#   per interval     = delta controllerCpuSeconds / delta intervals     (us)
# For context, over the same window: the "dispatcher" thread's own CPU time read from
# /proc/<daemon>/task/<tid>/schedstat (an independent check of controllerCpuSeconds), the daemon
# JVM's whole CPU (utime + stime of /proc/<daemon pid>/stat: HTTP, agent pings, consoles,
# utilization sampling, GC, JIT), the host's busy time and this run's QEMUs' CPU.
#
# Usage: bench/dispatch-cost.sh   (no arguments; about 4 minutes)
# Env: WINDOW (default 60) and SETTLE (default 10) seconds; NOBUILD=1 and OTHER_WAIT as in
#      bench/dispatch.sh (freeze the jar as it is; budget to wait, before each window, for other
#      sessions' QEMUs to go away and for the host to be quiet: under 0.25 core to other load).
# Runs a frozen copy of the build and a private copy of the default image; the EXIT trap stops the
# daemon and every QEMU of the home, removes the home and its cgroup directories (cpuset's too).
# Writes bench/results/dispatch-cost.txt (OUT=FILE: FILE instead, e.g. for repeats).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
if [ $# -ne 0 ]; then echo "usage: $0   (no arguments)" >&2; exit 2; fi
window=${WINDOW:-60}
settle=${SETTLE:-10}
other_wait=${OTHER_WAIT:-300}
if ! [ "$window" -ge 5 ] 2>/dev/null || [ "$window" -gt 600 ]; then echo "WINDOW must be 5..600" >&2; exit 2; fi
if ! [ "$settle" -ge 0 ] 2>/dev/null || [ "$settle" -gt 300 ]; then echo "SETTLE must be 0..300" >&2; exit 2; fi
qemu=/usr/bin/qemu-system-x86_64
for c in "$qemu" python3 curl jq sha256sum; do
  command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }
done
out="$root/bench/results"
mkdir -p "$out"
result=${OUT:-$out/dispatch-cost.txt}
defined=50
running=20
burning=10
started=$EPOCHREALTIME

# cpuset groups of a run killed half way (bench_remove_cgroups looks at cpu and cpuacct only).
trap 'bench_cleanup; bench_cpuset_cleanup' EXIT

# --- the build, frozen (NOBUILD=1: as it is, see bench/dispatch.sh) -------------------------------
if [ "${NOBUILD:-0}" = 1 ]; then bench_freeze_nobuild; else bench_build; fi
pv="$BENCH_PARVIRT"
bench_images "$pv"
images=$BENCH_IMAGES
bench_new_home
home=$BENCH_HOME
export PARVIRT_HOME="$home"
# The images below the frozen build's directory, which the confined QEMU user may enter (the home may not).
mkdir -p "$BENCH_SNAP/images"
cp -rp "$images/default" "$BENCH_SNAP/images/"
printf 'images.dir=%s\n' "$BENCH_SNAP/images" >> "$home/parvirt.properties"

. "$root/bench/quiet.sh"
# DISPATCH_TRACE=FILE (diagnosis): the daemon writes each interval's decisions to FILE (which costs
# the controller a formatted line per interval: not for the cost figure itself).
trace_opts=$(bench_dispatch_trace_opts)
[ -z "$trace_opts" ] || export JAVA_TOOL_OPTIONS="$trace_opts"

# --- define 50, activate 20 ------------------------------------------------------------------------------
names=()
for ((i = 1; i <= defined; i++)); do
  names+=("$(printf 'lp%02d' "$i")")
  printf 'name=%s,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.05,desired_proc_units=0.05,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128\n' \
    "${names[-1]}"
done > "$home/partitions.txt"
"$pv" mksyscfg -r lpar -m sys1 -f "$home/partitions.txt"
token=$(cat "$home/run/token")
dpid=$(cat "$home/run/daemon.pid")
api() { curl -sS --fail --unix-socket "$home/run/api.sock" -H "Authorization: Bearer $token" "http://localhost$1"; }
cli() { # argv as JSON strings, through the API (no JVM per poll)
  curl -sS --fail --unix-socket "$home/run/api.sock" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "{\"argv\":[$1]}" http://localhost/api/v1/hmc/cli
}
n_def=$("$pv" lssyscfg -r lpar -m sys1 -F name | wc -l)
[ "$n_def" -eq "$defined" ] || { echo "bench: $n_def partitions defined, not $defined" >&2; exit 1; }
wait_others "activation"
t0=$EPOCHREALTIME
for nm in "${names[@]:0:running}"; do "$pv" chsysstate -m sys1 -r lpar -o on -n "$nm"; done
cmds_ms=$(ms_since "$t0")
for ((i = 0; ; i++)); do
  st=$(cli '"lssyscfg","-r","lpar","-m","sys1","-F","name,state"')
  if grep -q ',Error$' <<<"$st"; then
    echo "bench: in Error: $(grep ',Error$' <<<"$st" | paste -sd' ' -); the daemon log's last warnings:" >&2
    grep -E ' (WARN|ERROR) ' "$home/logs/daemon.log" | tail -5 >&2
    exit 1
  fi
  nrun=$(grep -c ',Running$' <<<"$st" || true)
  [ "$nrun" -eq "$running" ] && break
  [ "$i" -gt 1200 ] && { echo "bench: only $nrun of $running Running after 300 s" >&2; exit 1; }
  sleep 0.25
done
all_ms=$(ms_since "$t0")
echo "bench: $running of $defined Running after $all_ms ms (commands done after $cmds_ms ms)" >&2
sleep "$settle"

# --- the windows -------------------------------------------------------------------------------------------
# The dispatcher's native thread (the JVM names it "dispatcher").
dtid=$(grep -lx dispatcher /proc/"$dpid"/task/*/comm | head -1 | cut -d/ -f5)
[ -n "$dtid" ] || { echo "bench: no thread named dispatcher in daemon $dpid" >&2; exit 1; }
qpids() { bench_qemu_pids "$home" | paste -sd' ' -; }
hz=$(getconf CLK_TCK)
declare -A res=()
# window VARIANT: one WINDOW-second measurement
window() {
  local v=$1 j0 j1 t0 t1 d0 d1 s0 s1 b0 b1 q0 q1 qp
  wait_others "$v"
  qp=$(qpids)
  j0=$(api /api/v1/dispatch)
  t0=${EPOCHREALTIME/./}
  read -r d0 < <(bench_proc_ticks "$dpid")
  read -r s0 _ < "/proc/$dpid/task/$dtid/schedstat"
  b0=$(bench_idle_ticks)
  # shellcheck disable=SC2086
  q0=$(bench_proc_ticks $qp)
  sleep "$window"
  j1=$(api /api/v1/dispatch)
  t1=${EPOCHREALTIME/./}
  read -r d1 < <(bench_proc_ticks "$dpid")
  read -r s1 _ < "/proc/$dpid/task/$dtid/schedstat"
  b1=$(bench_idle_ticks)
  # shellcheck disable=SC2086
  q1=$(bench_proc_ticks $qp)
  res[$v]=$(jq -n --argjson a "$j0" --argjson b "$j1" --arg t "$((t1 - t0))" --arg d "$((d1 - d0))" --arg s "$((s1 - s0))" \
    --arg busy "$(bench_busy_cores "$b0" "$b1" "$((t1 - t0))")" --arg q "$((q1 - q0))" --arg hz "$hz" -r '
    ($t | tonumber / 1e6) as $secs | ($b.controllerCpuSeconds - $a.controllerCpuSeconds) as $c | ($b.intervals - $a.intervals) as $n |
    [$secs, $n, $c * 1000, 100 * $c / $secs, 1e6 * $c / $n, ($s | tonumber) / 1e7 / $secs, 100 * ($d | tonumber) / ($hz | tonumber) / $secs,
     ($busy | tonumber), ($q | tonumber) / ($hz | tonumber) / $secs, ($b.partitions | length), $b.enforced,
     ([$b.partitions[] | .usedCores] | add), ([$b.partitions[] | select(.wantsMore)] | length)] | @tsv')
  echo "bench: $v: $(tr '\t' ' ' <<<"${res[$v]}")" >&2
}

window idle
for nm in "${names[@]:0:burning}"; do
  "$pv" guest exec -m sys1 -p "$nm" -- /bin/sh -c '(while :; do :; done) >/dev/null 2>&1 & echo $! > /tmp/burn.pids' >/dev/null
done
sleep 5
window burning
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- shut down, check -------------------------------------------------------------------------------------
for nm in "${names[@]:0:running}"; do "$pv" chsysstate -m sys1 -r lpar -o shutdown --immed -n "$nm"; done
for i in $(seq 1 300); do
  [ -z "$(bench_qemu_pids "$home")" ] && [ -z "$(ls "$home/run/lpar" 2>/dev/null)" ] && break
  sleep 0.1
done
left=$(bench_qemu_pids "$home" | wc -l)
bench_stop_daemon "$home" || true
total_s=$(( $(ms_since "$started") / 1000 ))

# --- report ------------------------------------------------------------------------------------------------
row() { # variant label
  awk -F'\t' -v l="$2" '{ o = $8 - $9 - $7 / 100; if (o < 0) o = 0
    printf "| %s | %d / %d | %.1f | %d | %.1f | **%.3f %%** | %.0f | %.3f %% | %.2f %% | %.2f | %.2f | %.2f |\n", l, $10, '"$defined"', $1, $2, $3, $4, $5, $6, $7, $8, $9, o }' <<<"${res[$1]}"
}
verdict() { awk -F'\t' '{ print ($4 < 1.0) ? "PASS" : "FAIL" }' <<<"${res[$1]}"; }
{
  echo "# bench/dispatch-cost.sh  (WINDOW=$window SETTLE=$settle)"
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), run took $total_s s; host: nproc $(nproc), kernel $(uname -r), $($qemu --version | head -1)"
  echo "# $(bench_provenance)"
  echo "# $defined partitions defined (256 MB, shared, 1 VP (max 2), EC 0.05, uncapped, weight 128, DefaultPool), $running running; dispatch.interval_ms 100 (default)"
  echo "# activation: $running chsysstate -o on done after $cmds_ms ms, all Running after $all_ms ms; then $settle s settle"
  echo
  echo "| window | partitions dispatched / defined | seconds | intervals | controller CPU, ms | controller, % of one core | per interval, µs | dispatcher thread (schedstat), % of one core | daemon JVM, % of one core | host busy, cores (of 2) | this run's QEMUs, cores | everything else, cores |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  row idle "idle (no load in the guests)"
  row burning "10 of the 20 burning one loop each"
  echo
  echo "target: controller under 1 % of one core with $defined defined and $running running: idle $(verdict idle), burning $(verdict burning)"
  for v in idle burning; do
    awk -F'\t' -v v="$v" '{ printf "%s: enforced=%s; the partitions used %.2f cores in the last interval, %d of them wanting more\n", v, $11, $12, $13 }' <<<"${res[$v]}"
  done
  if [ "${#wait_log[@]}" -gt 0 ]; then printf 'other QEMUs: %s\n' "${wait_log[@]}"; else echo "other QEMUs: none to wait for"; fi
  echo "load average after the windows: $load_after; QEMUs of this home left after shutdown: $left"
  echo
  echo "command: ${OUT:+OUT=$OUT }bench/dispatch-cost.sh${NOBUILD:+  (NOBUILD=$NOBUILD)}"
} > "$result"
cat "$result"
if [ "$left" -ne 0 ]; then echo "bench: $left QEMU processes were left running" >&2; exit 1; fi
