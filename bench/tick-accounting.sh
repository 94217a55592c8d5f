#!/usr/bin/env bash
# How much CPU /proc/stat's tick-sampled user and system times add under CFS bandwidth control
# (why bench/lib.sh's bench_busy_cores reads busy time from idle instead). No parvirt, no QEMU:
# three cgroup v1 cpu groups of busy shell loops, quotas 0.2 core (1 loop), 0.5 (2 loops) and 0.3
# (2 loops), 1.0 core in all, at each quota period given; over SECONDS per period it prints the
# loops' own CPU (utime+stime of their /proc/PID/stat, which the kernel scales to the exact run
# time), the host's busy time as user+nice+system+irq+softirq+steal (tick-sampled) and as the
# cores minus idle and iowait (measured at idle entry and exit), and the throttled periods.
#
# Usage: bench/tick-accounting.sh [PERIOD_US ...]   (default 10000 100000; SECONDS_EACH=10)
# Needs root and cgroup v1's cpu controller at /sys/fs/cgroup/cpu; a quiet host (other load shows
# up in both busy figures alike).
set -euo pipefail
if [ $# -gt 0 ]; then periods=("$@"); else periods=(10000 100000); fi
secs=${SECONDS_EACH:-10}
base=/sys/fs/cgroup/cpu/bench-tick-$$
[ -w /sys/fs/cgroup/cpu/tasks ] || { echo "bench: cgroup v1 cpu must be mounted and writable (run as root)" >&2; exit 1; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for g in "$base"/*/; do [ -d "$g" ] && rmdir "$g" 2>/dev/null; done
  [ -d "$base" ] && rmdir "$base" 2>/dev/null
  return 0
}
trap cleanup EXIT
stat_line() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
loops_ticks() { local p s=0; for p in "${pids[@]}"; do s=$((s + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }'))); done; echo "$s"; }
hz=$(getconf CLK_TCK)
n=$(nproc)
echo "| quota period | loops' CPU, cores | busy, tick-sampled | busy, cores minus idle | tick-sampled minus loops | throttled periods |"
echo "|---|---|---|---|---|---|"
for period in "${periods[@]}"; do
  pids=()
  mkdir -p "$base"
  for spec in "g1 0.2 1" "g2 0.5 2" "g3 0.3 2"; do
    read -r g q k <<<"$spec"
    mkdir -p "$base/$g"
    echo "$period" > "$base/$g/cpu.cfs_period_us"
    awk -v q="$q" -v p="$period" 'BEGIN { printf "%d\n", q * p }' > "$base/$g/cpu.cfs_quota_us"
    for ((t = 0; t < k; t++)); do
      sh -c "echo \$\$ > $base/$g/tasks; exec sh -c 'while :; do :; done'" &
      pids+=($!)
    done
  done
  sleep 2
  read -r b0 i0 < <(stat_line); l0=$(loops_ticks); t0=${EPOCHREALTIME/./}
  sleep "$secs"
  read -r b1 i1 < <(stat_line); l1=$(loops_ticks); t1=${EPOCHREALTIME/./}
  thr=$(cat "$base"/g*/cpu.stat | awk '$1 == "nr_throttled" { s += $2 } END { print s }')
  cleanup
  awk -v b="$((b1 - b0))" -v i="$((i1 - i0))" -v l="$((l1 - l0))" -v us="$((t1 - t0))" -v hz="$hz" -v n="$n" -v p="$period" -v thr="$thr" \
    'BEGIN { s = us / 1e6; printf "| %d ms | %.3f | %.3f | %.3f | %.3f | %d |\n", p / 1000, l / hz / s, b / hz / s, n - i / hz / s, (b - l) / hz / s, thr }'
done
