#!/usr/bin/env bash
# Small frames between two vhost-user ports of parvirt's switch (issue 17), synthetic ends.
#
# io.parvirt.vswitch.VhostUserForwarding (test classes) runs the real VirtualEthernet (its one
# "vswitch" loop thread, real VhostUserPorts with their session threads) between two front ends
# in the same JVM that do what QEMU and a guest driver do: memfd guest memory handed over with
# SET_MEM_TABLE (SCM_RIGHTS), split rings, kick/call eventfds. S keeps its transmit ring full of
# one FRAME-byte frame (unicast to R, VLAN 10); R posts its receive buffers back as the switch
# fills them. Figure: frames delivered into R's ring per second over SECONDS after WARMUP, and the
# switch loop thread's CPU time (ThreadMXBean) in the same window, so "per switch-core-second" is
# measured. The front ends negotiate VIRTIO_RING_F_EVENT_IDX as a Linux guest does: S kicks only
# when the switch asked (avail_event), R never (the switch suppresses receive kicks) and reposts its
# buffers once per look at its used ring; the kicks are reported per run.
#
# The switch loop thread is moved alone to CPU SWITCH_CPU (default 1 when there are 2 CPUs or more;
# -1: not pinned) and the JVM started on the other CPUs (taskset), as bench/vswitch-forward.sh does,
# so the front ends' spinning threads do not take the switch's core. Before the runs, the generator
# alone (S's sender against a device in the same JVM that gives every chain back unread) shows what
# the sender can offer: it must be well above what the switch forwards for the figure to be the
# switch's.
#
# LOGS="off on" interleaves runs without and with R's dirty logging on (as during a live
# migration: every buffer and used entry the switch writes is marked); each line also gives the
# bytes the switch thread allocated per frame.
#
# Usage: bench/vhost-user-mpps.sh   (env: SECONDS_RUN=10 WARMUP=3 REPEATS=3 FRAME=64 LOGS=off SWITCH_CPU)
# Writes bench/results/vhost-user-mpps.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
: "${SECONDS_RUN:=10}" "${WARMUP:=3}" "${REPEATS:=3}" "${FRAME:=64}" "${LOGS:=off}"
if [ -z "${SWITCH_CPU:-}" ]; then
  if [ "$(nproc)" -ge 2 ]; then SWITCH_CPU=1; else SWITCH_CPU=-1; fi
fi
pin=()
if [ "$SWITCH_CPU" -ge 0 ]; then
  others=$(seq 0 $(($(nproc) - 1)) | grep -vx "$SWITCH_CPU" | paste -sd, -)
  pin=(taskset -c "$others")
fi
run() { # log mode
  "${pin[@]}" "$JAVA_HOME/bin/java" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp "$cp" \
    io.parvirt.vswitch.VhostUserForwarding "$SECONDS_RUN" "$WARMUP" "$FRAME" "$1" "$2" "$SWITCH_CPU" 2>/dev/null | grep '^frame='
}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -B -q -o test-compile
cp="target/classes:target/test-classes:$(ls target/lib/*.jar 2>/dev/null | tr '\n' ':')"
mkdir -p bench/results
out=bench/results/vhost-user-mpps.txt
{
  echo "# bench/vhost-user-mpps.sh  $(date -u '+%Y-%m-%d %H:%M UTC')  commit $(git rev-parse --short HEAD)"
  echo "# $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load avg at start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# switch thread on CPU $SWITCH_CPU, the JVM's other threads on ${others:-any}; SECONDS_RUN=$SECONDS_RUN WARMUP=$WARMUP FRAME=$FRAME"
} | tee "$out"
echo "generator alone: load=$(cut -d' ' -f1 /proc/loadavg) $(run off alone)" | tee -a "$out"
for rep in $(seq 1 "$REPEATS"); do
  for log in $LOGS; do
    echo "rep=$rep load=$(cut -d' ' -f1 /proc/loadavg) $(run "$log" switch)" | tee -a "$out"
  done
done
