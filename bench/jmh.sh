#!/usr/bin/env bash
# JMH: lssyscfg -r lpar with 1000 partitions (real SQLite store), run by io.parvirt.bench.BenchMain
# (1 fork, warmup 3 x 1 s, measurement 5 x 1 s):
#   HmcLssyscfgBench  the command on the daemon's command layer (Hmc.run), no HTTP
#   LssyscfgBench     a real in-process daemon asked over loopback HTTP (POST /api/v1/hmc/cli)
# Target (issue): < 20 ms inside the daemon.
# JMH_NAME=NAME writes bench/results/NAME.* instead of jmh.* (another benchmark, e.g.
#   JMH_NAME=dispatch-tick bench/jmh.sh io.parvirt.dispatch.DispatchTickBench).
# Usage: bench/jmh.sh [JMH options...]   e.g. bench/jmh.sh -f 2 -i 10   (they override the defaults)
# Compiles the tests, freezes a copy of the compiled classes in /tmp (so a concurrent build in
# target/ cannot change them mid-run), and writes bench/results/jmh.txt and jmh.json.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
parvirt_need_maven
out="$root/bench/results"
name=${JMH_NAME:-jmh}
mkdir -p "$out"
cd "$root"
echo "bench: compiling (mvn test-compile)..." >&2
mvn -q -B test-compile >&2
list="$root/target/test-classes/META-INF/BenchmarkList"
if ! grep -q 'io.parvirt.bench.LssyscfgBench' "$list" 2>/dev/null || ! grep -q 'io.parvirt.bench.HmcLssyscfgBench' "$list"; then
  echo "bench: $list is missing or lacks the benchmarks: the JMH annotation processor did not run" >&2
  exit 1
fi
BENCH_SNAP=$(mktemp -d /tmp/parvirt-bench-jmh-XXXXXX)
mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$BENCH_SNAP/cp.txt" >&2
cp -rp "$root/target/classes" "$root/target/test-classes" "$BENCH_SNAP/"
cp="$BENCH_SNAP/test-classes:$BENCH_SNAP/classes:$(cat "$BENCH_SNAP/cp.txt")"
{
  echo "# bench/jmh.sh $*  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, load avg at start $(cut -d' ' -f1-3 /proc/loadavg)"
  "$JAVA_HOME/bin/java" -cp "$cp" io.parvirt.bench.BenchMain -rf json -rff "$out/$name.json" "$@" 2>&1
  echo "# load avg at end $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/$name.full.txt" | grep -v '^WARNING' 
# The table alone, for bench/RESULTS.md.
sed -n '/^Benchmark /,$p' "$out/$name.full.txt" | grep -v '^# load' > "$out/$name.txt"
