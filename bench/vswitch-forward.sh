#!/usr/bin/env bash
# Virtual switch forwarding capacity, whole system, against the Linux kernel bridge; and memory
# under a flood.
#
# parvirt: io.parvirt.bench.ForwardingCapacity runs the real VirtualEthernet (its one "vswitch"
#   loop thread, real StreamPorts) between synthetic QEMU ends speaking QEMU's -netdev stream
#   transport (Unix socket, QEMU listens, 4-byte big-endian length + frame). Partition S sends
#   unicast to partition R in VLAN 10 for $SECONDS_RUN s after $WARMUP s of warm-up; R's end reads
#   and counts every frame. The JVM runs on CPU 0 (sender and receiver threads, JIT, GC) and the
#   switch thread alone on CPU 1 ("one core"); its CPU time is measured (ThreadMXBean), so
#   "frames per switch-core-second" is measured, not assumed. Configurations:
#     batched   the sender writes 64 KiB of length-prefixed frames per write(2)
#     qemu-like the sender writes one frame per write(2), as QEMU's stream netdev does (one
#               writev per frame): the socket then holds one skb per frame
#     tagged    batched, R is an 802.1Q adapter (PVID 1, additional VLAN 10): a tag is inserted
# kernel (the anchor): in a network namespace made here, a Linux bridge (STP off) and two veth
#   pairs, a0|a1 and b0|b1, with a1 and b1 on the bridge; a0 and b0 have the parvirt ports' MACs,
#   b0's is a static fdb entry (as the switch knows a partition's MAC from attach). This kernel has
#   no CONFIG_BRIDGE_VLAN_FILTERING (nor 8021q), so the bridge does not filter VLANs: it does less
#   per frame than the asked-for anchor (and than parvirt, which classifies and checks the VLAN
#   and source of every frame). bench/afpacket-send.c sends the same frames on a0 (AF_PACKET,
#   qdisc bypass, sendmmsg of 256 frames, or 1 for qemu-like), pinned to CPU 0; delivered = b0's
#   rx_packets delta. Configurations (placement by RPS on the veths' rx queues):
#     bridge-core     generator alone on CPU 0; the bridge, and b0's receive, on CPU 1 (a1's RPS
#                     -> CPU 1): like parvirt, the forwarding has a core of its own
#     rx-on-gen-core  as bridge-core, but b0's receive back on CPU 0 (b0's RPS -> CPU 0), where
#                     parvirt's receiving thread is
#     one-core        no RPS: generator, bridge and receive all on CPU 0
#   The forwarding core's busy share comes from /proc/stat (tick-sampled: trustworthy when the core
#   is saturated and the softirqs run in ksoftirqd, as in bridge-core; not in rx-on-gen-core, where
#   the bridge core wakes from idle for each batch and most of its work escapes the ticks).
# Frame sizes 64 and 1500 bytes, counted from the destination address on, without FCS (as QEMU
# hands frames over); Gbit/s counts those bytes (on a wire, add 24 bytes a frame). Each figure is
# the median of $REPEATS runs, each in its own JVM / generator process, each after a wait for a
# quiet host (under 0.25 core busy over 2 s, at most $QUIET_WAIT s; the run's line says if not).
#
# flood: F floods 1500-byte frames as fast as it can to R, whose end never reads ($FLOOD_SECONDS
#   s), then floods broadcasts ($FLOOD_SECONDS s), while C and D exchange 64-byte frames at 10,000
#   frame/s each way; the JVM's RSS, heap used and direct memory are sampled every 250 ms, the
#   pair's delivery every second, every port's drops by reason per phase; live heap after a full
#   GC at the start and at the end.
#
# Usage: bench/vswitch-forward.sh   (as root: it makes a network namespace; about 10 minutes)
# Env: REPEATS (3), SECONDS_RUN (5), WARMUP (3), FLOOD_SECONDS (20), QUIET_WAIT (120).
# Writes bench/results/vswitch-forward.txt (every run, the medians, the flood's time series).
# Run it under flock /tmp/parvirt-heavy.lock when other sessions share the machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/env.sh"
parvirt_find_jdk
parvirt_need_maven
REPEATS=${REPEATS:-3}
SECONDS_RUN=${SECONDS_RUN:-5}
WARMUP=${WARMUP:-3}
FLOOD_SECONDS=${FLOOD_SECONDS:-20}
QUIET_WAIT=${QUIET_WAIT:-120}
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespace, RPS)" >&2; exit 1; }
for c in ip bridge taskset gcc; do
  command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "bench: needs 2 CPUs (0 and 1)" >&2; exit 1; }
out="$root/bench/results"
mkdir -p "$out"
raw="$out/vswitch-forward.txt"

NS=parvirt-fwd-$$
SNAP=
cleanup() {
  ip netns del "$NS" 2>/dev/null || true
  [ -n "$SNAP" ] && rm -rf "$SNAP"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$root"
echo "bench: compiling (mvn test-compile)..." >&2
mvn -q -B test-compile >&2
SNAP=$(mktemp -d /tmp/parvirt-bench-fwd-XXXXXX)
mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$SNAP/cp.txt" >&2
cp -rp target/classes target/test-classes "$SNAP/"
cp="$SNAP/test-classes:$SNAP/classes:$(cat "$SNAP/cp.txt")"
gcc -O2 -Wall -o "$SNAP/afpacket-send" bench/afpacket-send.c

# Cores busy (whole host) over 2 s.
host_busy() {
  local a b
  a=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
  sleep 2
  b=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
  awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz / 2 }'
}
QUIET_NOTE=
wait_quiet() {
  local t0=$SECONDS r
  while :; do
    r=$(host_busy)
    if awk -v r="$r" 'BEGIN { exit !(r < 0.25) }'; then QUIET_NOTE="quiet_before=$r"; return 0; fi
    if [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ]; then QUIET_NOTE="NOT_QUIET_before=$r"; return 0; fi
    echo "bench: waiting for a quiet host ($r cores busy)" >&2
  done
}

# /proc/stat fields of cpu$1: "busy total" in ticks.
cpu_ticks() {
  awk -v c="cpu$1" '$1 == c { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat
}

{
  echo "# bench/vswitch-forward.sh  $(date -u '+%Y-%m-%d %H:%M UTC')  commit $(git rev-parse --short HEAD)$(git status --porcelain -- src bench ":!bench/results" | grep -q . && echo ' (with uncommitted changes)')"
  echo "# $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); kernel $(uname -r); $(free -g | awk '/Mem:/ { print $2 }') GiB RAM"
  echo "# $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p); JVM flags -XX:+UseSerialGC (the daemon's); load avg at start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# repeats=$REPEATS warmup=${WARMUP}s measure=${SECONDS_RUN}s flood=${FLOOD_SECONDS}s per phase"
} | tee "$raw"

# ---- parvirt ---------------------------------------------------------------------------------------
run_parvirt() { # config size mode batch-bytes
  local config=$1 size=$2 mode=$3 bb=$4 rep line
  for rep in $(seq 1 "$REPEATS"); do
    wait_quiet
    line=$(taskset -c 0 "$JAVA_HOME/bin/java" -XX:+UseSerialGC -cp "$cp" io.parvirt.bench.ForwardingCapacity capacity \
      --size "$size" --mode "$mode" --batch-bytes "$bb" --warmup "$WARMUP" --seconds "$SECONDS_RUN" --repeats 1 \
      --switch-cpu 1 2>&1 | grep '^RUN' || true)
    [ -n "$line" ] || { echo "bench: the parvirt run printed no result" >&2; exit 1; }
    echo "$line" | sed "s/^RUN parvirt /RUN parvirt config=$config /; s/ rep=1 / rep=$rep /; s/\$/ $QUIET_NOTE/" | tee -a "$raw"
  done
}
for size in 64 1500; do
  run_parvirt batched "$size" untagged 65536
  run_parvirt qemu-like "$size" untagged 1
  run_parvirt tagged "$size" tagged 65536
done

# ---- the kernel bridge -----------------------------------------------------------------------------
X="ip netns exec $NS"
ip netns add "$NS"
$X sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
$X ip link add br0 type bridge stp_state 0 forward_delay 0
$X ip link add a0 address 0e:50:56:00:10:02 type veth peer name a1
$X ip link add b0 address 0e:50:56:00:20:02 type veth peer name b1
$X ip link set a1 master br0
$X ip link set b1 master br0
for d in br0 a0 a1 b0 b1; do $X ip link set "$d" up; done
$X bridge fdb add 0e:50:56:00:20:02 dev b1 master static
sleep 1
{
  echo "# kernel anchor: netns $NS; $($X ip -d link show br0 | grep -o 'bridge forward_delay.*vlan_filtering [0-9]*' | cut -c1-200)"
  echo "# bridge ports: $($X bridge link | sed 's/^[0-9]*: //' | paste -sd';' -)"
} | tee -a "$raw"

stat_of() { $X cat "/sys/class/net/$1/statistics/$2"; }
run_kernel() { # config size batch
  local config=$1 size=$2 batch=$3 rep a1rps b0rps fwdcpu t0 t1 tx0 tx1 rx0 rx1 c0a c0b f0 f1 gen secs
  case $config in
    bridge-core) a1rps=2 b0rps=0 fwdcpu=1 ;;
    rx-on-gen-core) a1rps=2 b0rps=1 fwdcpu=1 ;;
    one-core) a1rps=0 b0rps=0 fwdcpu=0 ;;
  esac
  $X sh -c "echo $a1rps > /sys/class/net/a1/queues/rx-0/rps_cpus; echo $b0rps > /sys/class/net/b0/queues/rx-0/rps_cpus"
  for rep in $(seq 1 "$REPEATS"); do
    wait_quiet
    $X taskset -c 0 "$SNAP/afpacket-send" a0 $((WARMUP + SECONDS_RUN + 1)) "$size" 0e:50:56:00:20:02 0e:50:56:00:10:02 "$batch" \
      > "$SNAP/gen.out" 2>&1 &
    gen=$!
    sleep "$WARMUP"
    t0=$(date +%s%N); tx0=$(stat_of a0 tx_packets); rx0=$(stat_of b0 rx_packets); c0a=$(cpu_ticks 0); f0=$(cpu_ticks "$fwdcpu")
    sleep "$SECONDS_RUN"
    t1=$(date +%s%N); tx1=$(stat_of a0 tx_packets); rx1=$(stat_of b0 rx_packets); c0b=$(cpu_ticks 0); f1=$(cpu_ticks "$fwdcpu")
    wait "$gen" || { cat "$SNAP/gen.out" >&2; exit 1; }
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    awk -v config="$config" -v size="$size" -v batch="$batch" -v rep="$rep" -v s="$secs" -v tx=$((tx1 - tx0)) \
      -v rx=$((rx1 - rx0)) -v c0a="$c0a" -v c0b="$c0b" -v f0="$f0" -v f1="$f1" -v q="$QUIET_NOTE" 'BEGIN {
        split(c0a, a, " "); split(c0b, b, " "); g = (b[1] - a[1]) / (b[2] - a[2])
        split(f0, a, " "); split(f1, b, " "); f = (b[1] - a[1]) / (b[2] - a[2])
        printf "RUN kernel config=%s size=%d batch=%d rep=%d seconds=%s offered_fps=%.0f delivered_fps=%.0f delivered_gbps=%.3f cpu0_busy=%.2f fwd_cpu%s_busy=%.2f fps_per_fwd_cpu_s=%.0f %s\n",
          config, size, batch, rep, s, tx / s, rx / s, rx * size * 8 / s / 1e9, g, (config == "one-core" ? "0" : "1"), f,
          (f > 0 ? rx / s / f : 0), q }' | tee -a "$raw"
  done
}
for size in 64 1500; do
  run_kernel bridge-core "$size" 256
  run_kernel rx-on-gen-core "$size" 256
  run_kernel one-core "$size" 256
  run_kernel bridge-core "$size" 1 # one frame per system call, like the qemu-like parvirt rows
done
echo "# softnet_stat per CPU at the end (hex: processed dropped squeezed): $(cut -d' ' -f1-3 /proc/net/softnet_stat | paste -sd';' -)" | tee -a "$raw"
ip netns del "$NS"

# ---- medians ---------------------------------------------------------------------------------------
{
  echo "## medians (the run with the median delivered frame/s of each row)"
  grep '^RUN ' "$raw" | awk '
    { key = $2 " " $3 " " $4 " " $5
      for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "delivered_fps") v = kv[2] }
      n[key]++; val[key, n[key]] = v; line[key, n[key]] = $0; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
    END {
      for (j = 1; j <= k; j++) { key = order[j]; m = n[key]
        for (a = 1; a <= m; a++) idx[a] = a
        for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (val[key, idx[b]] < val[key, idx[a]]) { t = idx[a]; idx[a] = idx[b]; idx[b] = t }
        lo = val[key, idx[1]]; hi = val[key, idx[m]]
        l = line[key, idx[int((m + 1) / 2)]]; sub(/^RUN /, "MEDIAN ", l); sub(/ rep=[0-9]+/, "", l)
        printf "%s min_fps=%s max_fps=%s n=%d\n", l, lo, hi, m }
    }'
} | tee -a "$raw"

# ---- flood -----------------------------------------------------------------------------------------
wait_quiet
echo "## flood ($QUIET_NOTE)" | tee -a "$raw"
taskset -c 0 "$JAVA_HOME/bin/java" -XX:+UseSerialGC -cp "$cp" io.parvirt.bench.ForwardingCapacity flood \
  --seconds "$FLOOD_SECONDS" --baseline 5 --switch-cpu 1 2>&1 | grep -v '^WARNING' | tee -a "$raw"
echo "# load avg at end $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$raw"
