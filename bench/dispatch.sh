#!/usr/bin/env bash
# Micro-partitioning (issue 4), the acceptance scenario: parvirt's dispatcher against what libvirt's
# <cputune> mapping gives, side by side, in one run, one configuration after the other.
#
# Scenario: pool1 (SharedPool01 renamed, max_pool_proc_units=1) holds three shared partitions of
# 256 MB, each with 0.20 processing units: A capped with 1 virtual processor, B uncapped weight 192
# with 2, C uncapped weight 64 with 2. Every vCPU burns (one busy shell loop per vCPU in the guest).
# PowerVM gives each its entitlement, then water-fills the pool's spare (1 - 0.60) by weight among
# the uncapped ones that want more:
#   phase 1, all burning (20 s):                     A 0.20, B 0.20+0.40*192/256 = 0.50, C 0.30
#   phase 2, B's weight set to 64, 2 s, then 10 s:   A 0.20, B 0.40, C 0.40
#   phase 3, C's loops stopped, 2 s, then 10 s:      A 0.20, B 0.80 (the pool's rest), C ~0
#   phase 4, C bursts (its 2 VPs busy 500 ms together, then idle 500 ms), 2 s, then 20 s:
#     A 0.20; C, per window, 0.40 (0.20 + the spare 0.40 split 64:64) times the share of the window
#     in which any of its vCPU threads was runnable (schedstat run + wait, per thread and 50 ms
#     sample, each thread's share cut at 1 with the excess given back to the samples before it,
#     since schedstat counts a wait when the thread next runs; the busiest thread's: PowerVM gives
#     a partition its entitlement and share in every 10 ms dispatch window in which it has work,
#     with one busy VP as with two, and C's two loops, started and stopped together, still begin
#     and end a turn some ms apart); B the rest of the pool, 0.80 minus C's figure. Phase 4 also
#     reports the windows in which C neither woke nor slept (bench/dispatch-trace.py).
# Phase 2 also times the reaction: from the weight change command to the end of the first 250 ms
# window in which B and C both use 0.40 +- 0.05 core (windows back to back from the command's return,
# for at most 5 s).
#
# Consumption is measured here, not taken from parvirt: the sum over each partition's vCPU threads
# of the first field of /proc/<pid>/task/<tid>/schedstat (ns on a CPU), its delta over the window
# divided by the wall-clock ns. The threads are those /api/v1/dispatch names (QEMU's query-cpus-fast),
# checked against their names ("CPU n/TCG", QEMU runs with debug-threads=on).
#
# Configurations:
#   parvirt  : a home with dispatching enforced (the default).
#   libvirt  : a second home with dispatch.enforce=false (parvirt only measures), and what libvirt
#              does for <cputune>, done here by hand in cgroup v1 `cpu`:
#                /sys/fs/cgroup/cpu/bench-libvirt-<pid>/pool1  cfs_quota 100000 / period 100000
#                                                              (the pool's maximum, 1 core)
#                  .../pool1/A  cfs_quota 20000 / 100000 (A capped at its 0.20), shares 1024
#                  .../pool1/B  shares 192*1024/128 = 1536, no quota  (after the change: 512)
#                  .../pool1/C  shares  64*1024/128 =  512, no quota
#              each partition's vCPU threads written to its group's `tasks`. No controller runs.
# QEMU's other threads stay where parvirt put them (its per-partition cgroup, no limit) in both.
#
# Besides the means, each phase reports its 250 ms and 100 ms windows, back to back over the
# phase (which starts 2-3 s after its transition, so no window straddles one): how many have every
# partition within 0.05 of PowerVM's figure, and the spread. bench/dispatch-trace.py samples every
# thread's schedstat every 50 ms on an absolute schedule and cuts the windows from that trace. Also
# each vCPU thread's cores and the share of samples in which it last ran on CPU 0 (placement), and
# where the rest of the host's CPU went.
#
# Usage: bench/dispatch.sh   (no arguments; about 4 minutes)
# Env: NOBUILD=1 freezes target/parvirt.jar as it is, without rebuilding it when src/main is newer
#      (for when others are editing src/main; the result file then says which jar ran).
#      CONFIGS (default "parvirt libvirt"): the configurations run; CONFIGS=parvirt for A/B runs of two
#      builds (the libvirt mapping does not depend on the build; its columns are then empty).
#      OTHER_WAIT (default 300): at most this many seconds, in all, to wait before a measurement
#      phase for other sessions' QEMUs to go away and then for the host to be quiet (under 0.25 core
#      used over 2 s by anything but this run), and to measure disturbed phases again. QEMUs whose
#      home directory no longer exists (left behind by an ended test) are not waited for. Where the
#      host's CPU went is reported per phase; a phase in which over 0.25 core went to other load is
#      measured again (at most twice), and every such window is listed.
# Runs a frozen copy of the build and a private copy of the default image. The EXIT trap moves the
# vCPU threads out of the bench-libvirt cgroups and removes them, then stops the daemons, any QEMU of
# the homes, and removes the homes and their cgroup directories (the cpuset ones too).
# Writes bench/results/dispatch.txt (OUT=FILE: FILE instead, e.g. for repeats).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
if [ $# -ne 0 ]; then echo "usage: $0   (no arguments)" >&2; exit 2; fi
qemu=/usr/bin/qemu-system-x86_64
for c in "$qemu" python3 curl jq sha256sum; do
  command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }
done
for f in /sys/fs/cgroup/cpu/tasks /sys/fs/cgroup/cpuset/tasks; do
  [ -w "$f" ] || { echo "bench: cgroup v1 cpu and cpuset must be mounted and writable (run as root)" >&2; exit 1; }
done
out="$root/bench/results"
mkdir -p "$out"
result=${OUT:-$out/dispatch.txt}
other_wait=${OTHER_WAIT:-300}
started=$EPOCHREALTIME

# --- cleanup: the libvirt mapping's cgroups, then lib.sh's, then the homes' cpuset directories ----
lv_root=/sys/fs/cgroup/cpu/bench-libvirt-$$
declare -A lv_orig=() # tid -> the cpu cgroup it was in before
lv_cleanup() {
  local d tid
  [ -d "$lv_root" ] || return 0
  for d in "$lv_root"/pool1/*/ "$lv_root"/pool1/ "$lv_root"/; do
    [ -f "$d/tasks" ] || continue
    while read -r tid; do
      echo "$tid" > "${lv_orig[$tid]:-/sys/fs/cgroup/cpu}/tasks" 2>/dev/null ||
        echo "$tid" > /sys/fs/cgroup/cpu/tasks 2>/dev/null || true
    done < "$d/tasks"
  done
  for d in "$lv_root"/pool1/*/ "$lv_root"/pool1/ "$lv_root"/; do
    [ -d "$d" ] && { rmdir "$d" 2>/dev/null || echo "bench: cgroup $d not removed" >&2; }
  done
  return 0
}
# cpuset groups of a run killed half way (bench_remove_cgroups looks at cpu and cpuacct only).
trap 'lv_cleanup; bench_cleanup; bench_cpuset_cleanup' EXIT

# --- the build, frozen ----------------------------------------------------------------------------
if [ "${NOBUILD:-0}" = 1 ]; then bench_freeze_nobuild; else bench_build; fi
pv="$BENCH_PARVIRT"
bench_images "$pv"
images=$BENCH_IMAGES
mkdir -p "$BENCH_SNAP/images"
cp -rp "$images/default" "$BENCH_SNAP/images/"

names=(A B C)
declare -A vps=([A]=1 [B]=2 [C]=2)
lpar() { # name sharing_mode weight procs
  printf 'name=%s,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.05,desired_proc_units=0.2,max_proc_units=2.0,min_procs=1,desired_procs=%s,max_procs=2,sharing_mode=%s,uncap_weight=%s,shared_proc_pool_name=pool1' \
    "$1" "$4" "$2" "$3"
}
declare -A expect=(
  [1,A]=0.20 [1,B]=0.50 [1,C]=0.30
  [2,A]=0.20 [2,B]=0.40 [2,C]=0.40
  [3,A]=0.20 [3,B]=0.80 [3,C]=0.00
)
expect_pool=([1]=1.00 [2]=1.00 [3]=1.00)
declare -A phase_title=([1]="phase 1: all burning, 20 s" [2]="phase 2: B's weight 192 -> 64, 2 s later, 10 s"
  [3]="phase 3: C's loops stopped, 2 s later, 10 s" [4]="phase 4: C bursts (500 ms busy, 500 ms idle), 2 s later, 20 s")
declare -A phase_secs=([1]=20 [2]=10 [3]=10 [4]=20)
# PowerVM's figures per window, as bench/dispatch-trace.py takes them (phase 4: see the header)
declare -A phase_expect=([1]="A=0.20,B=0.50,C=0.30" [2]="A=0.20,B=0.40,C=0.40" [3]="A=0.20,B=0.80,C=0.00"
  [4]="A=0.20,B=rest:0.80:C,C=burst:0.40")
phases=(1 2 3 4)

api() { # GET path of home $home
  curl -sS --fail --unix-socket "$home/run/api.sock" -H "Authorization: Bearer $token" "http://localhost$1"
}
cli() { # argv as JSON strings, through the API (no JVM per poll)
  curl -sS --fail --unix-socket "$home/run/api.sock" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "{\"argv\":[$1]}" http://localhost/api/v1/hmc/cli
}
. "$root/bench/quiet.sh"

# --- sampling ------------------------------------------------------------------------------------------
# snap ARRAY: per partition the summed on-CPU ns of its vCPU threads, t = wall us, idle = the host's
# idle ticks (bench_idle_ticks: its busy time is what they leave), other = on-CPU ns of every other
# QEMU's threads (other sessions').
declare -A thr=() # name -> "pid:tid pid:tid"
snap() {
  local -n _s=$1
  local n x v s p f k line
  local -a st
  _s[t]=${EPOCHREALTIME/./}
  for n in "${names[@]}"; do
    s=0
    k=0
    for x in ${thr[$n]}; do
      read -r v _ < "/proc/${x%%:*}/task/${x##*:}/schedstat" || v=0
      s=$((s + v))
      _s[$n$k]=$v
      # the CPU the thread last ran on: field 39 of its stat, the 37th after the command name
      read -r line < "/proc/${x%%:*}/task/${x##*:}/stat" || line=
      read -r -a st <<<"${line##*) }"
      _s[cpu$n$k]=${st[36]:-}
      k=$((k + 1))
    done
    _s[$n]=$s
  done
  _s[idle]=$(bench_idle_ticks)
  s=0
  for p in $other_pids; do
    for f in /proc/"$p"/task/*/schedstat; do read -r v _ < "$f" 2>/dev/null && s=$((s + v)); done
  done
  _s[other]=$s
}
cores() { # ns0 ns1 us0 us1 -> cores
  awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" 'BEGIN { printf "%.3f", (b - a) / ((t1 - t0) * 1000) }'
}
# CPU ticks of every process (all its threads, ended ones included): "pid comm ticks" per line.
procs() {
  python3 -c '
import os
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        s = open("/proc/%s/stat" % p).read()
    except OSError:
        continue
    r = s.rfind(")")
    f = s[r + 2:].split()
    print(p, s[s.find("(") + 1:r].replace(" ", "_"), int(f[11]) + int(f[12]))'
}
# Where the host's CPU went over a window (cores): this run's QEMUs beyond their vCPU threads, its
# daemon, other QEMUs, and the rest with its top three processes. Sets att_* .
attribute() { # procs0 procs1 seconds vcpu_cores host_busy_cores
  local mine_q dpid
  mine_q=" $(bench_qemu_pids "$home" | paste -sd' ' -) "
  dpid=$(cat "$home/run/daemon.pid")
  read -r att_qemu att_daemon att_oq att_rest att_top < <(awk -v mq="$mine_q" -v dp="$dpid" -v oq=" $other_pids " \
    -v secs="$3" -v vc="$4" -v busy="$5" -v hz="$(getconf CLK_TCK)" '
    NR == FNR { t0[$1] = $3; next }
    { d = $3 - ($1 in t0 ? t0[$1] : 0); if (d <= 0) next; c = d / hz / secs
      if (index(mq, " " $1 " ")) q += c; else if ($1 == dp) dm += c; else if (index(oq, " " $1 " ")) o += c;
      else { r += c; by[$2] += c } }
    END {
      top = ""
      for (k = 0; k < 3; k++) { best = ""; for (n in by) if (best == "" || by[n] > by[best]) best = n
        if (best == "" || by[best] < 0.005) break; top = top (top == "" ? "" : ",") best "=" sprintf("%.2f", by[best]); delete by[best] }
      rest = busy - vc - (q - vc) - dm - o; if (rest < 0) rest = 0
      printf "%.3f %.3f %.3f %.3f %s\n", q - vc, dm, o, rest, (top == "" ? "-" : top) }' "$1" "$2")
}
declare -A res=()
disturbed=()
# measure CFG PHASE: one window of phase_secs. A window in which more than 0.25 core went to
# anything but this run (other sessions' builds, QEMUs, ...) is measured again after 10 s, at most
# twice, within the OTHER_WAIT budget; every disturbed window is listed in the result.
measure() {
  local cfg=$1 ph=$2 n try vc x k
  local -A s0=() s1=()
  for try in 1 2 3; do
    wait_others "$cfg phase $ph"
    other_pids=$(others | cut -d: -f1 | paste -sd' ' -)
    procs > "$BENCH_SNAP/procs0"
    snap s0
    # the phase traced every 50 ms: its 250 ms and 100 ms windows, not only its mean
    local spec=()
    for n in "${names[@]}"; do spec+=("$n=$(tr ' ' ',' <<<"${thr[$n]}" | sed 's/,$//')"); done
    python3 "$root/bench/dispatch-trace.py" record "${phase_secs[$ph]}" "$BENCH_SNAP/trace-$cfg-$ph" "${spec[@]}"
    snap s1
    procs > "$BENCH_SNAP/procs1"
    res[$cfg,$ph,thr]=$(for n in "${names[@]}"; do for ((k = 0; k < ${vps[$n]}; k++)); do
      awk -v n="$n$k" -v a="${s0[$n$k]}" -v b="${s1[$n$k]}" -v t="$((s1[t] - s0[t]))" \
        'BEGIN { printf "%s %.3f  ", n, (b - a) / t / 1000 }'; done; done)
    res[$cfg,$ph,win]=$(python3 "$root/bench/dispatch-trace.py" windows "$BENCH_SNAP/trace-$cfg-$ph" "${phase_expect[$ph]}")
    cp "$BENCH_SNAP/trace-$cfg-$ph" "$out/dispatch-trace-$cfg-$ph.txt" 2>/dev/null || true
    for n in "${names[@]}"; do res[$cfg,$ph,$n]=$(cores "${s0[$n]}" "${s1[$n]}" "${s0[t]}" "${s1[t]}"); done
    res[$cfg,$ph,pool]=$(awk -v a="${res[$cfg,$ph,A]}" -v b="${res[$cfg,$ph,B]}" -v c="${res[$cfg,$ph,C]}" 'BEGIN { printf "%.3f", a + b + c }')
    res[$cfg,$ph,host]=$(bench_busy_cores "${s0[idle]}" "${s1[idle]}" "$((s1[t] - s0[t]))")
    res[$cfg,$ph,other]=$(cores "${s0[other]}" "${s1[other]}" "${s0[t]}" "${s1[t]}")
    res[$cfg,$ph,nother]=$(wc -w <<<"$other_pids")
    attribute "$BENCH_SNAP/procs0" "$BENCH_SNAP/procs1" "$(awk -v t="$((s1[t] - s0[t]))" 'BEGIN { print t / 1e6 }')" \
      "${res[$cfg,$ph,pool]}" "${res[$cfg,$ph,host]}"
    res[$cfg,$ph,att]="QEMUs' other threads $att_qemu, daemon $att_daemon, other QEMUs $att_oq, everything else $att_rest (top: $att_top)"
    echo "bench: $cfg phase $ph: A ${res[$cfg,$ph,A]} B ${res[$cfg,$ph,B]} C ${res[$cfg,$ph,C]}; host busy ${res[$cfg,$ph,host]} cores: ${res[$cfg,$ph,att]}" >&2
    vc=$(awk -v r="$att_rest" -v o="$att_oq" 'BEGIN { print (r + o > 0.25) ? 1 : 0 }')
    [ "$vc" = 0 ] && break
    if [ "$try" -lt 3 ] && [ "$waited_total" -lt "$other_wait" ]; then
      disturbed+=("$cfg phase $ph try $try (discarded): A ${res[$cfg,$ph,A]} B ${res[$cfg,$ph,B]} C ${res[$cfg,$ph,C]}; host busy ${res[$cfg,$ph,host]}: ${res[$cfg,$ph,att]}")
      echo "bench: $cfg phase $ph: disturbed by other load, measuring again in 10 s" >&2
      sleep 10
      waited_total=$((waited_total + 10 + ${phase_secs[$ph]}))
    else
      disturbed+=("$cfg phase $ph try $try (KEPT, no retry left): A ${res[$cfg,$ph,A]} B ${res[$cfg,$ph,B]} C ${res[$cfg,$ph,C]}; host busy ${res[$cfg,$ph,host]}: ${res[$cfg,$ph,att]}")
      break
    fi
  done
}

burn() { # name loops
  PARVIRT_HOME="$home" "$pv" guest exec -m sys1 -p "$1" -- /bin/sh -c \
    "i=0; while [ \$i -lt $2 ]; do (while :; do :; done) >/dev/null 2>&1 & echo \$! >> /tmp/burn.pids; i=\$((i+1)); done" >/dev/null
}
burst() { # name loops: the loops busy 500 ms together, then all idle 500 ms, for ever
  # One shell starts and stops all the loops, so the partition's vCPUs wake and sleep together: a
  # loop each that kept its own time drifted from the other by the fork, kill and sleep of every
  # turn in a throttled TCG guest, until the partition was seldom idle at all (C's figure over the
  # phase 0.35-0.37 of its 0.40 peak, where bursts in step give 0.20). Killed, it stops its loops.
  PARVIRT_HOME="$home" "$pv" guest exec -m sys1 -p "$1" -- /bin/sh -c \
    "(trap 'kill \$ps; exit' TERM; while :; do ps=; i=0; while [ \$i -lt $2 ]; do (while :; do :; done) & ps=\"\$ps \$!\"; i=\$((i+1)); done; sleep 0.5; kill \$ps; ps=; sleep 0.5; done) >/dev/null 2>&1 & echo \$! >> /tmp/burn.pids" >/dev/null
}
unburn() {
  PARVIRT_HOME="$home" "$pv" guest exec -m sys1 -p "$1" -- /bin/sh -c 'kill $(cat /tmp/burn.pids); rm -f /tmp/burn.pids' >/dev/null
}

# --- one configuration ---------------------------------------------------------------------------------
run_config() {
  local cfg=$1 n i st x tid pid json nt t0 w try vc b c
  echo "bench: --- $cfg ---" >&2
  bench_dispatch_home "$cfg"
  "$pv" chhwres -r procpool -m sys1 -o s --poolname SharedPool01 -a "new_name=pool1,max_pool_proc_units=1"
  "$pv" mksyscfg -r lpar -m sys1 -i "$(lpar A cap 128 1)"
  "$pv" mksyscfg -r lpar -m sys1 -i "$(lpar B uncap 192 2)"
  "$pv" mksyscfg -r lpar -m sys1 -i "$(lpar C uncap 64 2)"
  token=$(cat "$home/run/token")
  res[$cfg,mechanism]=$(api /api/v1/dispatch | jq -r '"enforced=\(.enforced), \(.mechanism)\(if .problem != "" then " (" + .problem + ")" else "" end)"')
  t0=$EPOCHREALTIME
  for n in "${names[@]}"; do "$pv" chsysstate -m sys1 -r lpar -o on -n "$n" -f default; done
  for ((i = 0; ; i++)); do
    st=$(cli '"lssyscfg","-r","lpar","-m","sys1","-F","name,state"')
    grep -q ',Error' <<<"$st" && { echo "bench: $cfg: a partition is in Error: $st" >&2; exit 1; }
    [ "$(grep -c ',Running$' <<<"$st")" -eq 3 ] && break
    [ "$i" -gt 600 ] && { echo "bench: $cfg: not all Running after 150 s: $(paste -sd' ' <<<"$st")" >&2; exit 1; }
    sleep 0.25
  done
  res[$cfg,boot]=$(ms_since "$t0")
  # the vCPU threads, as the dispatcher knows them (with enforce=false too), checked by name
  for ((i = 0; ; i++)); do
    json=$(api /api/v1/dispatch)
    nt=$(jq '[.partitions[] | .vcpuThreads | length] | add // 0' <<<"$json")
    [ "$nt" -eq 5 ] && break
    [ "$i" -gt 100 ] && { echo "bench: $cfg: /api/v1/dispatch lists $nt vCPU threads, not 5" >&2; exit 1; }
    sleep 0.1
  done
  for n in "${names[@]}"; do
    pid=$(jq -r --arg n "$n" '.partitions[] | select(.name == $n) | .pid' <<<"$json")
    thr[$n]=""
    i=0
    for tid in $(jq -r --arg n "$n" '.partitions[] | select(.name == $n) | .vcpuThreads[]' <<<"$json"); do
      x=$(cat "/proc/$pid/task/$tid/comm")
      [ "$x" = "CPU $i/TCG" ] || [ "$x" = "CPU $i/KVM" ] || { echo "bench: $cfg: thread $tid of $n is '$x', not CPU $i" >&2; exit 1; }
      thr[$n]+="$pid:$tid "
      i=$((i + 1))
    done
    [ "$i" -eq "${vps[$n]}" ] || { echo "bench: $cfg: $n has $i vCPU threads, not ${vps[$n]}" >&2; exit 1; }
  done
  res[$cfg,threads]=$(for n in "${names[@]}"; do printf '%s=%s ' "$n" "$(tr ' ' '\n' <<<"${thr[$n]}" | sed 's/^.*://' | paste -sd, -)"; done)

  if [ "$cfg" = libvirt ]; then
    mkdir "$lv_root" "$lv_root/pool1"
    echo 100000 > "$lv_root/pool1/cpu.cfs_period_us"
    echo 100000 > "$lv_root/pool1/cpu.cfs_quota_us"
    for n in "${names[@]}"; do
      mkdir "$lv_root/pool1/$n"
      echo 100000 > "$lv_root/pool1/$n/cpu.cfs_period_us"
    done
    echo 20000 > "$lv_root/pool1/A/cpu.cfs_quota_us"
    echo 1024 > "$lv_root/pool1/A/cpu.shares"
    echo 1536 > "$lv_root/pool1/B/cpu.shares"
    echo 512 > "$lv_root/pool1/C/cpu.shares"
    for n in "${names[@]}"; do
      for x in ${thr[$n]}; do
        tid=${x##*:}
        lv_orig[$tid]=/sys/fs/cgroup/cpu$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3 }' "/proc/${x%%:*}/task/$tid/cgroup")
        echo "$tid" > "$lv_root/pool1/$n/tasks"
      done
    done
  fi

  burn A 1
  burn B 2
  burn C 2
  sleep 3 # let the loops start and the controller settle before the first window
  measure "$cfg" 1

  # phase 2: the weight change, and how long until B and C are at 0.40 +- 0.05. A reaction disturbed
  # by other load (as in measure) is undone (weight 192 again, 3 s) and measured again, at most twice.
  local -A w0=() w1=() r0=() r1=()
  for try in 1 2 3; do
    wait_others "$cfg phase 2 (reaction)"
    procs > "$BENCH_SNAP/procs0"
    snap r0
    t0=$EPOCHREALTIME
    if [ "$cfg" = parvirt ]; then
      "$pv" chhwres -r proc -m sys1 -o s -p B -a "uncap_weight=64"
    else
      echo 512 > "$lv_root/pool1/B/cpu.shares"
    fi
    res[$cfg,cmd]=$(ms_since "$t0")
    snap w0
    res[$cfg,react]=""
    res[$cfg,windows]=""
    while [ "$(ms_since "$t0")" -lt $((5000 + ${res[$cfg,cmd]})) ]; do
      sleep 0.25
      snap w1
      b=$(cores "${w0[B]}" "${w1[B]}" "${w0[t]}" "${w1[t]}")
      c=$(cores "${w0[C]}" "${w1[C]}" "${w0[t]}" "${w1[t]}")
      res[$cfg,windows]+="$b/$c "
      if awk -v b="$b" -v c="$c" 'BEGIN { exit !((b - 0.4) ^ 2 <= 0.0025 && (c - 0.4) ^ 2 <= 0.0025) }'; then
        res[$cfg,react]=$(( (${w1[t]} - ${t0/./}) / 1000 ))
        break
      fi
      for x in "${!w1[@]}"; do w0[$x]=${w1[$x]}; done
    done
    snap r1
    procs > "$BENCH_SNAP/procs1"
    [ -n "${res[$cfg,react]}" ] && res[$cfg,react]+=" ms" || res[$cfg,react]="none within 5 s"
    attribute "$BENCH_SNAP/procs0" "$BENCH_SNAP/procs1" "$(awk -v t="$((r1[t] - r0[t]))" 'BEGIN { print t / 1e6 }')" \
      "$(awk -v t="$((r1[t] - r0[t]))" -v a="$((r1[A] - r0[A]))" -v b="$((r1[B] - r0[B]))" -v c="$((r1[C] - r0[C]))" 'BEGIN { printf "%.3f", (a + b + c) / t / 1000 }')" \
      "$(bench_busy_cores "${r0[idle]}" "${r1[idle]}" "$((r1[t] - r0[t]))")"
    res[$cfg,reactatt]="other QEMUs $att_oq, everything else $att_rest"
    echo "bench: $cfg reaction: ${res[$cfg,react]} (command ${res[$cfg,cmd]} ms; B/C per window: ${res[$cfg,windows]}; ${res[$cfg,reactatt]})" >&2
    vc=$(awk -v r="$att_rest" -v o="$att_oq" 'BEGIN { print (r + o > 0.25) ? 1 : 0 }')
    [ "$vc" = 0 ] && break
    if [ "$try" -lt 3 ] && [ "$waited_total" -lt "$other_wait" ]; then
      disturbed+=("$cfg reaction try $try (discarded): ${res[$cfg,react]}, B/C per window ${res[$cfg,windows]}; ${res[$cfg,reactatt]}")
      echo "bench: $cfg reaction: disturbed by other load, undone and measured again" >&2
      if [ "$cfg" = parvirt ]; then
        "$pv" chhwres -r proc -m sys1 -o s -p B -a "uncap_weight=192"
      else
        echo 1536 > "$lv_root/pool1/B/cpu.shares"
      fi
      sleep 3
      waited_total=$((waited_total + 8))
    else
      disturbed+=("$cfg reaction try $try (KEPT, no retry left): ${res[$cfg,react]}; ${res[$cfg,reactatt]}")
      break
    fi
  done
  w=$(( 2000 - $(ms_since "$t0") ))
  [ "$w" -gt 0 ] && sleep "$(awk -v w="$w" 'BEGIN { printf "%.3f", w / 1000 }')"
  measure "$cfg" 2

  # phase 3
  unburn C
  sleep 2
  measure "$cfg" 3

  # phase 4: C bursts beside B (busy, uncapped)
  burst C 2
  sleep 2
  measure "$cfg" 4
  res[$cfg,dispatch]=$(api /api/v1/dispatch | jq -r '"intervals \(.intervals) (\(.watchedIntervals // 0) early, on a watch step), controller CPU \(.controllerCpuSeconds * 1000 | round) ms; /api/v1/dispatch for the last interval: " + ([.partitions[] | "\(.name) used \(.usedCores * 100 | round / 100) granted \(.grantedCores * 100 | round / 100) quota \(.quotaCores * 100 | round / 100)"] | join(", "))')

  # teardown
  if [ "$cfg" = libvirt ]; then lv_cleanup; fi
  for n in "${names[@]}"; do "$pv" chsysstate -m sys1 -r lpar -o shutdown --immed -n "$n"; done
  for i in $(seq 1 300); do
    [ -z "$(bench_qemu_pids "$home")" ] && [ -z "$(ls "$home/run/lpar" 2>/dev/null)" ] && break
    sleep 0.1
  done
  [ -z "$(bench_qemu_pids "$home")" ] || { echo "bench: $cfg: QEMUs still running 30 s after shutdown --immed" >&2; exit 1; }
  bench_stop_daemon "$home" || true
  unset PARVIRT_HOME
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# DISPATCH_TRACE=FILE (diagnosis): parvirt's daemon writes each interval's decisions to FILE.
trace_opts=$(bench_dispatch_trace_opts)
for cfg in ${CONFIGS:-parvirt libvirt}; do
  if [ "$cfg" = parvirt ] && [ -n "$trace_opts" ]; then export JAVA_TOOL_OPTIONS="$trace_opts"; fi
  run_config "$cfg"
  unset JAVA_TOOL_OPTIONS
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
total_s=$(( $(ms_since "$started") / 1000 ))

# --- report ------------------------------------------------------------------------------------------
set +u # CONFIGS=parvirt leaves the libvirt mapping's figures unset: its columns stay empty
err() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; printf "%.3f", d < 0 ? -d : d }'; }
declare -A maxerr=([parvirt]=0 [libvirt]=0)
tables=$(
  for ph in "${phases[@]}"; do
    echo "${phase_title[$ph]}"
    if [ "$ph" = 4 ]; then
      echo
      echo "parvirt:"; echo "${res[parvirt,$ph,win]}"
      echo "libvirt mapping:"; echo "${res[libvirt,$ph,win]}"
      echo "per vCPU thread, cores: parvirt: ${res[parvirt,$ph,thr]}; libvirt: ${res[libvirt,$ph,thr]}"
      echo "host busy, cores of 2: parvirt ${res[parvirt,$ph,host]} (${res[parvirt,$ph,att]}); libvirt ${res[libvirt,$ph,host]} (${res[libvirt,$ph,att]})"
      echo
      continue
    fi
    echo
    echo "| partition | expected (PowerVM) | parvirt | \|error\| | libvirt mapping | \|error\| |"
    echo "|---|---|---|---|---|---|"
    for n in "${names[@]}"; do
      e=${expect[$ph,$n]}
      printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$e" "${res[parvirt,$ph,$n]}" "$(err "${res[parvirt,$ph,$n]}" "$e")" \
        "${res[libvirt,$ph,$n]}" "$(err "${res[libvirt,$ph,$n]}" "$e")"
    done
    printf '| pool1 (A+B+C) | %s max | %s | | %s | |\n' "${expect_pool[$ph]}" "${res[parvirt,$ph,pool]}" "${res[libvirt,$ph,pool]}"
    echo
    echo "windows, parvirt:"; echo "${res[parvirt,$ph,win]}"
    echo "windows, libvirt mapping:"; echo "${res[libvirt,$ph,win]}"
    echo "per vCPU thread, cores:"
    echo "  parvirt: ${res[parvirt,$ph,thr]}"
    echo "  libvirt: ${res[libvirt,$ph,thr]}"
    echo "host busy, cores of 2: parvirt ${res[parvirt,$ph,host]} (vCPUs ${res[parvirt,$ph,pool]}, ${res[parvirt,$ph,att]})"
    echo "                       libvirt ${res[libvirt,$ph,host]} (vCPUs ${res[libvirt,$ph,pool]}, ${res[libvirt,$ph,att]})"
    echo "other sessions' QEMUs running: ${res[parvirt,$ph,nother]} (parvirt), ${res[libvirt,$ph,nother]} (libvirt)"
    echo
  done
)
for cfg in parvirt libvirt; do
  m=0
  for ph in 1 2 3; do for n in "${names[@]}"; do
    m=$(awk -v m="$m" -v e="$(err "${res[$cfg,$ph,$n]}" "${expect[$ph,$n]}")" 'BEGIN { print (e > m) ? e : m }')
  done; done
  maxerr[$cfg]=$m
done
{
  echo "# bench/dispatch.sh"
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), run took $total_s s; host: nproc $(nproc), kernel $(uname -r), $($qemu --version | head -1), cgroup v1 cpu/cpuset"
  echo "# $(bench_provenance)"
  echo "# parvirt settings beside the defaults: ${DISPATCH_PROPS:-none}"
  echo "# load average before $load_before, after $load_after"
  echo "# consumption = delta of the summed schedstat run time of each partition's vCPU threads / wall time (cores)"
  echo "# pool1: max_pool_proc_units=1; A cap EC 0.20 1 VP; B uncap w192 EC 0.20 2 VPs; C uncap w64 EC 0.20 2 VPs; every vCPU burning"
  echo
  echo "$tables"
  echo
  echo "max |error| over the 9 partition figures: parvirt ${maxerr[parvirt]}, libvirt mapping ${maxerr[libvirt]}"
  echo
  echo "reaction to the weight change (command start to the end of the first 250 ms window with B and C both 0.40 +- 0.05):"
  echo "  parvirt (chhwres -r proc -o s -p B -a uncap_weight=64, CLI, returned after ${res[parvirt,cmd]} ms): ${res[parvirt,react]}"
  echo "  libvirt mapping (echo 512 > B/cpu.shares, ${res[libvirt,cmd]} ms): ${res[libvirt,react]}"
  echo "  B/C per window, parvirt: ${res[parvirt,windows]}  (over the reaction: ${res[parvirt,reactatt]})"
  echo "  B/C per window, libvirt: ${res[libvirt,windows]}  (over the reaction: ${res[libvirt,reactatt]})"
  echo
  for cfg in parvirt libvirt; do
    echo "$cfg: dispatching ${res[$cfg,mechanism]}"
    echo "  3 partitions Running ${res[$cfg,boot]} ms after the first chsysstate; vCPU threads $(echo "${res[$cfg,threads]}")"
    echo "  at the end: ${res[$cfg,dispatch]}"
  done
  echo "libvirt mapping: cpu/bench-libvirt-<pid>/pool1 cfs_quota_us=100000 cfs_period_us=100000; A cfs_quota_us=20000 of 100000, shares 1024; B shares 1536 (phase 2+: 512); C shares 512"
  if [ "${#wait_log[@]}" -gt 0 ]; then printf 'other QEMUs: %s\n' "${wait_log[@]}"; else echo "other QEMUs: none to wait for"; fi
  if [ "${#disturbed[@]}" -gt 0 ]; then printf 'disturbed (over 0.25 core to other load): %s\n' "${disturbed[@]}"; else echo "disturbed windows (over 0.25 core to other load): none"; fi
  echo
  echo "command: ${OUT:+OUT=$OUT }${CONFIGS:+CONFIGS=\"$CONFIGS\" }bench/dispatch.sh${NOBUILD:+  (NOBUILD=$NOBUILD)}"
} > "$result"
cat "$result"
