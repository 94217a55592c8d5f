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
#   ping gap the downtime as the network sees it: the host pings the guest every 10 ms (`ping -D -i
#            0.01`, as root) from a network namespace made here (parvirt-mig-PID, removed after):
#            a bridge br0 (10.9.0.1/24) on which each system's VIOS bridges its virtual switch (a
#            trunk adapter: vswitch.sea_netns/sea_bridge), and the anchor's QEMUs run in that
#            namespace with their NIC on a TAP of the same bridge. The longest gap between replies
#            across the migration, beside the longest in the 2.5 s before it (the pings' own jitter
#            with no migration). A clock inside the guest stops with it; these do not. PINGS=0 (or
#            not root) leaves them out (-1).
#   src_gone the source's memory: from parvirt's answer until the source's QEMU is gone (0: gone by
#            the answer, which follows the reclaim; Mobility's log line gives the stream's completion
#            to the answer: target running + source reclaimed). Target: freed within 1 s.
# The anchor: with parvirt's stream TLS (the default), it moves the guest both plain ("anchor") and
# over TLS set up as parvirt does it ("anchor-tls": PSK credentials, parvirt's GnuTLS priority,
# ffdhe2048 DH parameters, -incoming defer), alternately, so each side is compared with its like.
# Targets (issue): total <= anchor + 300 ms; downtime <= 50 ms idle.
# The two daemons are homes in one JVM (io.parvirt.bench.MigrationBench), joined by the in-process
# mobility target until the multi-system HMC connects daemons over their API.
# DIRTY_MBPS=N: the guest (parvirt's and the anchor's alike) also rewrites N MB of random data in
# tmpfs once a second, paced by /proc/uptime (the issue's busy case: downtime <= 300 ms at 50 MB/s).
# Usage: [DIRTY_MBPS=N] [STREAM_TLS=false] [PINGS=0] [ANCHOR_CGROUP=1] [DAEMON_CONFIG='k=v;k=v'] bench/migrate.sh [ROUNDS [MEM_MB]]
#        (default 5 rounds per side, 512 MB; the stream is TLS unless STREAM_TLS=false, as mobility.stream_tls;
#        the anchor then runs plain only). ANCHOR_CGROUP=1 (cgroup v1) runs the anchor's QEMUs in one group
#        under the cpu controller's parvirt group, where parvirt's QEMUs are, instead of at the root: on a
#        host with other work the root-level QEMUs each weigh as much as all of parvirt's together.
#        DAEMON_CONFIG adds settings to both daemons' configuration (e.g. dispatch.enforce=false).
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
ns=
cleanup() {
  rm -rf "$BENCH_SNAP"
  if [ -n "$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
}
trap cleanup EXIT
if [ "${PINGS:-1}" != 0 ] && [ "$(id -u)" = 0 ] && ! command -v ping >/dev/null && command -v apt-get >/dev/null; then
  apt-get install -y -qq iputils-ping >&2 || { apt-get update -qq >&2 && apt-get install -y -qq iputils-ping >&2; } || true
fi
if [ "${PINGS:-1}" != 0 ] && [ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v ping >/dev/null; then
  ns=parvirt-mig-$$
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add br0 type bridge
  ip -n "$ns" link set br0 address 02:00:0a:09:00:01 up   # fixed: a bridge takes its lowest port's otherwise
  ip -n "$ns" addr add 10.9.0.1/24 dev br0
  for tap in pvanc0 pvanc1; do                            # the anchor's QEMUs' NICs
    ip -n "$ns" tuntap add dev "$tap" mode tap
    ip -n "$ns" link set "$tap" master br0 up
  done
  export PING_NS=$ns
else
  echo "bench: no pings (PINGS=0, not root, or no ip/ping): the ping columns are -1" >&2
fi
mvn -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$BENCH_SNAP/cp.txt" >&2
cp -rp "$root/target/classes" "$root/target/test-classes" "$BENCH_SNAP/"
cp="$BENCH_SNAP/test-classes:$BENCH_SNAP/classes:$(cat "$BENCH_SNAP/cp.txt")"
echo "# bench/migrate.sh $*  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, load avg at start $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.parvirt.bench.MigrationBench "$rounds" "$mem" 2>"$out/migrate.log"
echo "# load avg at end $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/migrate.txt"
