#!/usr/bin/env bash
# Live Partition Mobility (issue 14): `migrlpar -o m` of a running TCG guest (default 512 MB, idle,
# one virtual Ethernet adapter) between two daemons, beside the anchor: QEMU's own migration of
# the same guest (the command line read from parvirt's running QEMU) between two hand-started
# QEMUs, same capabilities (auto-converge) and bandwidth cap, same loopback link.
#   total    parvirt: the migrlpar request over the API to its answer (validation on both systems,
#            target prepared, stream, target running, source reclaimed); anchor: the exec of its
#            -incoming QEMU to query-migrate saying completed.
#   downtime seen from outside the guest: the guest writes a line to its serial console every 10 ms
#            and the host timestamps each line as it arrives; the longest gap across the migration,
#            beside the longest gap in 2.5 s before it (the tick's own jitter under TCG).
# Targets (issue): total <= anchor + 300 ms; downtime <= 50 ms idle.
# The two daemons are homes in one JVM (io.parvirt.bench.MigrationBench), joined by the in-process
# mobility target until the multi-system HMC connects daemons over their API.
# Usage: [STREAM_TLS=false] bench/migrate.sh [ROUNDS [MEM_MB]]   (default 5 rounds per side, 512 MB;
#        the stream is TLS unless STREAM_TLS=false, as mobility.stream_tls; the anchor is always plain)
# Writes bench/results/migrate.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
parvirt_need_maven
rounds=${1:-5}
mem=${2:-512}
if ! [ "$rounds" -ge 1 ] 2>/dev/null || [ "$rounds" -gt 50 ]; then echo "usage: $0 [ROUNDS 1..50 [MEM_MB]]" >&2; exit 2; fi
out="$root/bench/results"
mkdir -p "$out"
cd "$root"
echo "bench: compiling (mvn test-compile)..." >&2
mvn -q -B -o test-compile >&2
BENCH_SNAP=$(mktemp -d /tmp/parvirt-bench-migrate-XXXXXX)
trap 'rm -rf "$BENCH_SNAP"' EXIT
mvn -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$BENCH_SNAP/cp.txt" >&2
cp -rp "$root/target/classes" "$root/target/test-classes" "$BENCH_SNAP/"
cp="$BENCH_SNAP/test-classes:$BENCH_SNAP/classes:$(cat "$BENCH_SNAP/cp.txt")"
echo "# bench/migrate.sh $*  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, load avg at start $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.parvirt.bench.MigrationBench "$rounds" "$mem" 2>"$out/migrate.log"
echo "# load avg at end $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/migrate.txt"
