#!/usr/bin/env bash
# End-to-end latency of the CLI (JVM start included) with 1000 partitions defined:
#   ./parvirt lssyscfg -r lpar -m sys1          (every attribute, ~620 kB of text)
#   ./parvirt lssyscfg -r lpar -m sys1 -F name
# against the anchor of a bare JVM start of the same JDK (java -version), plus ./parvirt help
# (launcher + JVM + CLI classes, no daemon contact) to show where the time goes.
# Target (issue): CLI median < 0.5 s.  Usage: bench/cli-latency.sh [RUNS]   (default 30, max 500)
# Uses hyperfine when installed (apt-get install hyperfine), else (or with TIMER=loop) a bash loop
# over date +%s%N that interleaves the commands round by round, so that load from elsewhere on the
# machine falls evenly on all of them.
# Before timing, the daemon answers each measured command 100 times (curl over its Unix socket), so
# the figures are those of a long-running, warmed-up daemon rather than of its first requests.
# Runs a frozen copy of the build (see bench_build in bench/lib.sh); cleans up its home and daemon.
# Writes a summary to bench/results/cli-latency.txt (and hyperfine's JSON next to it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
runs=${1:-30}
if ! [ "$runs" -ge 1 ] 2>/dev/null || [ "$runs" -gt 500 ]; then echo "usage: $0 [RUNS 1..500]" >&2; exit 2; fi
warmup=3
out="$root/bench/results"
mkdir -p "$out"
bench_build
bench_new_home
export PARVIRT_HOME="$BENCH_HOME"
pv="$BENCH_PARVIRT"

# The first HMC command starts the home's daemon (and creates the launcher's CDS archive).
t0=$(bench_now_ns)
"$pv" lssyscfg -r sys -m sys1 -F name >/dev/null
t1=$(bench_now_ns)
daemon_start_ms=$(( (t1 - t0) / 1000000 ))

bench_partition_records 1000 > "$BENCH_HOME/partitions.txt"
t0=$(bench_now_ns)
"$pv" mksyscfg -r lpar -m sys1 -f "$BENCH_HOME/partitions.txt"
t1=$(bench_now_ns)
mksyscfg_ms=$(( (t1 - t0) / 1000000 ))
count=$("$pv" lssyscfg -r lpar -m sys1 -F name | wc -l)
if [ "$count" -ne 1000 ]; then echo "bench: expected 1000 partitions, found $count" >&2; exit 1; fi
bytes=$("$pv" lssyscfg -r lpar -m sys1 | wc -c)

# Warm the daemon up on the measured commands (its JIT, not the CLI's JVM).
token=$(cat "$BENCH_HOME/run/token")
for argv in '"lssyscfg","-r","lpar","-m","sys1"' '"lssyscfg","-r","lpar","-m","sys1","-F","name"'; do
  for ((k = 0; k < 100; k++)); do
    curl -sS -o /dev/null --unix-socket "$BENCH_HOME/run/api.sock" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' --data-binary "{\"argv\":[$argv]}" http://localhost/api/v1/hmc/cli
  done
done

names=(jvm help all name)
labels=("java -version" "./parvirt help" "./parvirt lssyscfg -r lpar -m sys1" "./parvirt lssyscfg -r lpar -m sys1 -F name")
cmds=("$JAVA_HOME/bin/java -version" "$pv help" "$pv lssyscfg -r lpar -m sys1" "$pv lssyscfg -r lpar -m sys1 -F name")
declare -A stats

if [ "${TIMER:-}" != loop ] && command -v hyperfine >/dev/null && command -v jq >/dev/null; then
  tool="hyperfine $(hyperfine --version | awk '{print $2}') (-N, --warmup $warmup, --runs $runs, output to /dev/null)"
  hargs=()
  for i in "${!names[@]}"; do hargs+=(-n "${labels[$i]}" "${cmds[$i]}"); done
  hyperfine -N --warmup "$warmup" --runs "$runs" --style basic --export-json "$out/cli-latency.json" \
    "${hargs[@]}" >&2
  for i in "${!names[@]}"; do
    stats[${names[$i]}]=$(jq -r ".results[$i].times[] * 1000" "$out/cli-latency.json" | bench_stats)
  done
else
  tool="bash loop, date +%s%N, interleaved ($warmup warmup rounds, $runs timed rounds, output to /dev/null)"
  for i in "${!names[@]}"; do : >"$BENCH_HOME/times-$i"; done
  for ((k = 0; k < warmup + runs; k++)); do
    for i in "${!names[@]}"; do
      read -r -a argv <<<"${cmds[$i]}"
      t0=$(bench_now_ns); "${argv[@]}" >/dev/null 2>&1; t1=$(bench_now_ns)
      if [ "$k" -ge "$warmup" ]; then
        awk -v d=$(( t1 - t0 )) 'BEGIN { printf "%.3f\n", d / 1e6 }' >>"$BENCH_HOME/times-$i"
      fi
    done
  done
  for i in "${!names[@]}"; do stats[${names[$i]}]=$(bench_stats <"$BENCH_HOME/times-$i"); done
fi

read -r jvm_med _ <<<"${stats[jvm]}"
{
  echo "# bench/cli-latency.sh  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, load avg $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "# timing: $tool; 1000 partitions; full lssyscfg output $bytes bytes"
  echo "# daemon auto-start + first command: ${daemon_start_ms} ms; mksyscfg -f of 1000 partitions (one CLI command): ${mksyscfg_ms} ms"
  printf '%-44s %9s %9s %9s %9s %7s\n' command median_ms p90_ms min_ms max_ms x_jvm
  for i in "${!names[@]}"; do
    read -r med p90 min max _ n <<<"${stats[${names[$i]}]}"
    ratio=$(awk -v a="$med" -v b="$jvm_med" 'BEGIN { printf "%.2f", a / b }')
    printf '%-44s %9s %9s %9s %9s %7s\n' "${labels[$i]}" "$med" "$p90" "$min" "$max" "$ratio"
  done
  for n in all name; do
    read -r med _ <<<"${stats[$n]}"
    verdict=$(awk -v m="$med" 'BEGIN { print (m < 500) ? "PASS" : "FAIL" }')
    echo "target: lssyscfg ($n) CLI median < 500 ms: $med ms -> $verdict"
  done
} | tee "$out/cli-latency${TIMER:+-$TIMER}.txt"
