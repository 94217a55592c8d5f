#!/usr/bin/env bash
# Guest-to-guest TCP throughput (iperf3) through parvirt's virtual Ethernet switch, against the
# anchor: the same two guests, same QEMU command line, joined by a Linux bridge and TAP devices.
# Both in one run, interleaved.
#
#   parvirt : a fresh home; `parvirt image build iperf3 --with iperf3` (the default recipe plus
#             iperf3 and its libraries); partitions srv and cli, each 512 MB, 1 virtual processor,
#             shared uncapped with 1.0 processing units (so the dispatcher's quota never holds a
#             vCPU below a whole core: 2 x 1.0 is all the 2 cores of this host), profile
#             parvirt_image=iperf3 and one virtual Ethernet adapter, PVID 10 on ETHERNET0
#             (virtual_eth_adapters=2/0/10//0/0). Frames go guest -> virtio-net -> QEMU's
#             `-netdev stream` Unix socket -> parvirt's switch (the daemon's `vswitch` thread) -> the
#             other QEMU's socket -> guest. Addresses 10.0.10.1/24 (srv), 10.0.10.2/24 (cli) set
#             in the guests with `parvirt guest exec`.
#   anchor  : the command line of each parvirt QEMU, read from /proc/<pid>/cmdline, with only
#             this changed: `-netdev stream,id=netN,...` becomes `-netdev tap,id=netN,ifname=TAP,
#             script=no,downscript=no` (no vhost: QEMU's default), and the run-directory paths
#             (sockets, pid file), -name, -uuid and the host name on -append are the anchor's own.
#             So: same binary, kernel, initramfs, accelerator (TCG), machine (q35), -cpu, memory,
#             vCPUs, virtio-net-pci device (same MAC and PCI address). The two TAPs are enslaved
#             to a bridge in a network namespace made here (parvirt-iperf-<pid>); the QEMUs run in
#             it (`ip netns exec NS qemu-system-x86_64 ...`). Same addresses, set through the
#             guest agent's socket with bench/qga.py (guest-exec, what `parvirt guest exec` does).
#             The anchor's QEMUs are in no parvirt cgroup (parvirt's are, without a binding limit).
#
# In every guest pair `iperf3 -s -D` runs in srv (started once; `guest exec` returns as soon as
# iperf3 has daemonized). Each measurement is `iperf3 -c 10.0.10.1 -t $DURATION -J` run in cli;
# the figure is the receiver's throughput (end.sum_received.bits_per_second). One warm-up of 3 s
# per side first (not counted), then RUNS rounds, each parvirt then anchor (all four guests stay
# up; the idle pair's CPU is reported). Before each measurement the script waits (OTHER_WAIT
# budget, bench/quiet.sh) for other sessions' QEMUs and other load to go away; a run during which
# over 0.25 core went to other load (or was stolen by the hypervisor under this host) is discarded
# and measured again (at most twice), and listed.
#
# CPU: from 1.5 s after the client is started to 1.5 s before it ends (the steady state), per
# process and thread (schedstat) and the host's busy cores (/proc/stat), by bench/cpu-snap.py. TCG
# guests are CPU bound: each guest's vCPU thread is a host thread that runs the translated guest
# code, the guest's TCP stack included, and wants a whole core; with 2 cores, the two vCPUs, two
# QEMU main loops (the NIC's I/O) and, for parvirt, the switch thread compete for them.
#
# TRANSPORT=vhost-user: parvirt's NICs are vhost-user ports (vswitch.transport=vhost-user): the
#             switch reads and writes the guests' virtqueues in their shared memory and carries the
#             virtio-net header, so the guests negotiate checksum and TSO offloads as over a TAP. Under
#             TCG that needs QEMU 8 or later: QEMU (default: bookworm-backports' QEMU 10 that ./test
#             unpacks into target/qemu-bpo, fetched here if missing) is parvirt's qemu.binary, and so
#             the anchor's too (it runs parvirt's command lines). The anchor drops the NIC's
#             `-chardev socket` and turns `-netdev vhost-user` into the same `-netdev tap`; it keeps
#             the shared memfd boot memory (`memory-backend-memfd,share=on`), so memory is the same.
#
# Usage: bench/iperf3.sh   (RUNS=3 rounds, DURATION=10 s each; about 2 minutes)
# Env: NOBUILD=1 freezes target/parvirt.jar as it is (others editing src/main); OTHER_WAIT (300);
#      PORT_BUFFER_KB: vswitch.port_buffer_kb for the home (default: parvirt's, 256), to see what
#      the switch's per-port queue does to TCP (its queue_full drops are reported per run);
#      ANCHOR_VNET_HDR=off: the anchor's TAPs without the virtio-net header, so its guests cannot
#      negotiate checksum and TSO offloads either (parvirt's `-netdev stream` carries no such header:
#      its guests send MTU-sized frames with checksums computed in the guest; the features and the
#      frames' average size are reported per side), to tell the switch's own cost from the offloads';
#      IMAGE_CACHE: a package cache to hard-link into the fresh home's image store (default
#      target/image-cache, else target/test-images/.cache; none: the packages are downloaded).
# Needs root (network namespace, bridge, TAPs), qemu-system-x86_64, python3, jq, iproute2.
# The EXIT trap stops the daemon and every QEMU of the home (the anchor's are under it too),
# deletes the namespace (its bridge and TAPs with it), the home and the frozen build.
# Writes bench/results/iperf3.txt (raw) and bench/results/iperf3.md (table); OUT=PREFIX writes
# PREFIX.txt and PREFIX.md instead.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
. "$root/bench/quiet.sh" # wait_others, ms_since; reads $home, set below
if [ $# -ne 0 ]; then echo "usage: $0   (no arguments; RUNS, DURATION, NOBUILD, OTHER_WAIT in the environment)" >&2; exit 2; fi
transport=${TRANSPORT:-stream}
case "$transport" in
  stream) qemu=${QEMU:-/usr/bin/qemu-system-x86_64} ;;
  vhost-user)
    here=$root
    . "$root/scripts/env.sh"
    qemu=${QEMU:-$(parvirt_backports_qemu)} || { echo "bench: TRANSPORT=vhost-user needs QEMU 8 or later (QEMU=...)" >&2; exit 1; } ;;
  *) echo "bench: TRANSPORT must be stream or vhost-user, not $transport" >&2; exit 2 ;;
esac
for c in "$qemu" python3 jq curl ip sha256sum; do
  command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespace, bridge, TAPs)" >&2; exit 1; }
[ -c /dev/net/tun ] || { echo "bench: /dev/net/tun is missing" >&2; exit 1; }
runs=${RUNS:-3}
duration=${DURATION:-10}
other_wait=${OTHER_WAIT:-300}
out="$root/bench/results"
mkdir -p "$out"
prefix=${OUT:-$out/iperf3}
result_txt=$prefix.txt
result_md=$prefix.md
qga="python3 $root/bench/qga.py"
cpusnap="python3 $root/bench/cpu-snap.py"
started=$EPOCHREALTIME

ns=parvirt-iperf-$$
netns_cleanup() {
  if ip netns list 2>/dev/null | grep -qw "$ns"; then ip netns del "$ns" || echo "bench: cannot delete netns $ns" >&2; fi
}
# bench_cleanup first: the anchor's QEMUs (their paths are under the home) hold the TAPs.
trap 'bench_cleanup; netns_cleanup; bench_cpuset_cleanup' EXIT

# --- build, home, image --------------------------------------------------------------------------------
if [ "${NOBUILD:-0}" = 1 ]; then bench_freeze_nobuild; else bench_build; fi
pv="$BENCH_PARVIRT"
bench_new_home
home=$BENCH_HOME
export PARVIRT_HOME="$home"
# QEMU as the daemon's user (root), as the anchor's: the home and its images are the daemon's own (0700)
printf 'images.dir=%s\nqemu.user=\n' "$home/images" >> "$home/parvirt.properties"
[ "$transport" = stream ] || printf 'vswitch.transport=%s\nqemu.binary=%s\n' "$transport" "$qemu" >> "$home/parvirt.properties"
[ "$qemu" = /usr/bin/qemu-system-x86_64 ] || grep -q '^qemu.binary=' "$home/parvirt.properties" || printf 'qemu.binary=%s\n' "$qemu" >> "$home/parvirt.properties"
[ -z "${PORT_BUFFER_KB:-}" ] || printf 'vswitch.port_buffer_kb=%s\n' "$PORT_BUFFER_KB" >> "$home/parvirt.properties"
cache=${IMAGE_CACHE:-}
if [ -z "$cache" ]; then
  for c in "$root/target/image-cache" "$root/target/test-images/.cache"; do [ -d "$c/debs" ] && { cache=$c; break; }; done
fi
mkdir -p "$home/images/.cache"
if [ -n "$cache" ]; then cp -al "$cache/." "$home/images/.cache/" 2>/dev/null || cp -a "$cache/." "$home/images/.cache/"; fi
t0=$EPOCHREALTIME
"$pv" image build iperf3 --with iperf3 2> "$home/image-build.log" > /dev/null ||
  { cat "$home/image-build.log" >&2; exit 1; }
image_ms=$(ms_since "$t0")
image_line=$("$pv" image list | grep '^name=iperf3,')
echo "bench: image built in $image_ms ms: $image_line" >&2

# --- parvirt partitions ---------------------------------------------------------------------------------
lpar() {
  printf 'name=%s,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=512,max_mem=512,proc_mode=shared,min_proc_units=0.1,desired_proc_units=1.0,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=1,sharing_mode=uncap,uncap_weight=128,parvirt_image=iperf3,"virtual_eth_adapters=2/0/10//0/0"' "$1"
}
state() { "$pv" lssyscfg -r lpar -m sys1 -F name,state; }
for n in srv cli; do "$pv" mksyscfg -r lpar -m sys1 -i "$(lpar "$n")"; done
t0=$EPOCHREALTIME
for n in srv cli; do "$pv" chsysstate -m sys1 -r lpar -o on -n "$n" -f default; done
for ((i = 0; ; i++)); do
  st=$(state)
  grep -q ',Error' <<<"$st" && { echo "bench: a partition is in Error: $st" >&2; grep -hE "WARN|ERROR" "$home/logs/daemon.log" | tail -5 >&2; tail -n 3 "$home"/run/lpar/*/qemu.err >&2; exit 1; }
  [ "$(grep -c ',Running$' <<<"$st")" -eq 2 ] && break
  [ "$i" -gt 240 ] && { echo "bench: not Running after 120 s: $(paste -sd' ' <<<"$st")" >&2; exit 1; }
  sleep 0.5
done
boot_parvirt_ms=$(ms_since "$t0")
declare -A pid=() lparid=()
for n in srv cli; do
  lparid[$n]=$("$pv" lssyscfg -r lpar -m sys1 --filter "lpar_names=$n" -F lpar_id)
  pid[p$n]=$(cat "$home/run/lpar/${lparid[$n]}/qemu.pid")
done
daemon_pid=$(cat "$home/run/daemon.pid")

# --- the anchor: the same command lines, TAPs on a bridge in a namespace ------------------------------------
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
ip -n "$ns" link set br0 up
declare -A cmdline=()
for n in srv cli; do
  tap=tap-$n
  ip -n "$ns" tuntap add dev "$tap" mode tap
  ip -n "$ns" link set "$tap" master br0
  ip -n "$ns" link set "$tap" up
  rundir="$home/run/lpar/${lparid[$n]}"
  dir="$home/anchor/$n"
  mkdir -p "$dir"
  mapfile -d '' -t src < "/proc/${pid[p$n]}/cmdline"
  argv=()
  prev=
  netdevs=0
  vhost_chardev=
  for a in "${src[@]}"; do
    if [[ $prev = -netdev && $a =~ ^vhost-user,id=([^,]+),chardev=([^,]+) ]]; then vhost_chardev=${BASH_REMATCH[2]}; fi
    prev=$a
  done
  prev=
  skip=0
  for a in "${src[@]}"; do
    # a vhost-user NIC's `-chardev socket,id=CHARDEV,...` (the switch's socket): not on the anchor
    if [ -n "$vhost_chardev" ] && [ "$a" = -chardev ]; then skip=1; prev=$a; continue; fi
    if [ "$skip" = 1 ]; then
      skip=0
      if [[ $a = socket,id=$vhost_chardev,* ]]; then prev=; continue; fi
      argv+=(-chardev)
    fi
    case "$prev" in
      -name) a="guest=anchor-$n,debug-threads=on" ;;
      -uuid) a=$(cat /proc/sys/kernel/random/uuid) ;;
      -append) a=${a//parvirt.hostname=$n/parvirt.hostname=anchor-$n} ;;
      -netdev)
        [[ $a =~ ^(stream|vhost-user),id=([^,]+), ]] || { echo "bench: unexpected -netdev $a" >&2; exit 1; }
        a="tap,id=${BASH_REMATCH[2]},ifname=$tap,script=no,downscript=no${ANCHOR_VNET_HDR:+,vnet_hdr=$ANCHOR_VNET_HDR}"
        netdevs=$((netdevs + 1)) ;;
    esac
    a=${a//$rundir\//$dir/}
    argv+=("$a")
    prev=$a
  done
  [ "$netdevs" -eq 1 ] || { echo "bench: expected one -netdev on $n's command line, found $netdevs" >&2; exit 1; }
  if printf '%s\n' "${argv[@]}" | grep -qF -- "$rundir/"; then echo "bench: $rundir still on the anchor's command line" >&2; exit 1; fi
  cmdline[p$n]=$(printf '%q ' "${src[@]}")
  cmdline[a$n]="ip netns exec $ns $(printf '%q ' "${argv[@]}")"
  if printf '%s\n' "${argv[@]}" | grep -qx -- -daemonize; then
    ip netns exec "$ns" "${argv[@]}" 2> "$dir/qemu.err" || { cat "$dir/qemu.err" >&2; exit 1; }
  else
    # parvirt starts QEMU in the foreground in a session of its own (setsid; no -daemonize under its sandbox)
    ip netns exec "$ns" setsid "${argv[@]}" < /dev/null > /dev/null 2> "$dir/qemu.err" &
    for i in $(seq 1 300); do [ -s "$dir/qemu.pid" ] && break; sleep 0.1; done
    [ -s "$dir/qemu.pid" ] || { echo "bench: anchor QEMU for $n did not start: $(cat "$dir/qemu.err")" >&2; exit 1; }
  fi
  pid[a$n]=$(cat "$dir/qemu.pid")
done
t0=$EPOCHREALTIME
for n in srv cli; do $qga "$home/anchor/$n/qga.sock" --wait 120; done
boot_anchor_ms=$(ms_since "$t0")

# --- in the guests -----------------------------------------------------------------------------------------
gexec() { # side name argv...: a program in a guest, through parvirt's CLI or the anchor's agent socket
  local side=$1 n=$2
  shift 2
  if [ "$side" = parvirt ]; then "$pv" guest exec -m sys1 -p "$n" --timeout 120 -- "$@"
  else $qga "$home/anchor/$n/qga.sock" --timeout 120 -- "$@"; fi
}
declare -A addr=([srv]=10.0.10.1 [cli]=10.0.10.2)
for side in parvirt anchor; do
  for n in srv cli; do
    gexec "$side" "$n" /bin/sh -c "ip link set eth0 up && ip addr add ${addr[$n]}/24 dev eth0" >/dev/null
  done
  gexec "$side" cli ping -c 3 -W 5 10.0.10.1 >/dev/null || { echo "bench: $side: cli cannot reach srv" >&2; exit 1; }
  gexec "$side" srv iperf3 -s -D >/dev/null
  gexec "$side" srv /bin/sh -c 'pidof iperf3 >/dev/null' || { echo "bench: $side: iperf3 -s is not running" >&2; exit 1; }
done
guest_kernel=$(gexec parvirt srv uname -r)
iperf_version=$(gexec parvirt srv iperf3 --version | head -1)
guest_nic=$(gexec parvirt srv /bin/sh -c 'cat /sys/class/net/eth0/mtu; readlink /sys/class/net/eth0/device/driver' | paste -sd' ' -)
# The virtio-net feature bits the guest negotiated (bit 0 first): 0 CSUM, 1 GUEST_CSUM, 7 GUEST_TSO4,
# 11 HOST_TSO4 (the guest may hand the NIC 64 KB TCP segments and no checksums).
declare -A features=()
for side in parvirt anchor; do
  features[$side]=$(gexec "$side" cli cat /sys/class/net/eth0/device/features)
done
offloads() { # the named bits that are set
  local f=$1 b out=
  for b in 0:CSUM 1:GUEST_CSUM 7:GUEST_TSO4 11:HOST_TSO4 15:MRG_RXBUF; do
    [ "${f:${b%%:*}:1}" = 1 ] && out+="${b#*:} "
  done
  out=${out% }
  echo "${out:-none of CSUM, GUEST_CSUM, GUEST_TSO4, HOST_TSO4, MRG_RXBUF}"
}
txcount() { # side: "packets bytes" the cli guest's eth0 has sent
  gexec "$1" cli /bin/sh -c 'cat /sys/class/net/eth0/statistics/tx_packets /sys/class/net/eth0/statistics/tx_bytes' | paste -sd' ' -
}

# the switch's port counters (parvirt's API; the anchor's run shows parvirt's switch idle)
ports() {
  curl -sS --fail --unix-socket "$home/run/api.sock" -H "Authorization: Bearer $(cat "$home/run/token")" \
    http://localhost/api/v1/vswitch/ports
}

# --- one measurement ---------------------------------------------------------------------------------------
declare -A res=()
measure_once() { # side run secs
  local side=$1 r=$2 secs=$3 p o j snaps b
  [ "$side" = parvirt ] && p=p || p=a
  [ "$side" = parvirt ] && o=a || o=p
  wait_others "$side run $r"
  j="$home/$side-$r.json"
  snaps="srv=${pid[${p}srv]} cli=${pid[${p}cli]} idle-srv=${pid[${o}srv]} idle-cli=${pid[${o}cli]} daemon=$daemon_pid"
  ports0=$(ports)
  tx0=$(txcount "$side")
  gexec "$side" cli iperf3 -c 10.0.10.1 -t "$secs" -J > "$j" 2> "$home/$side-$r.err" &
  b=$!
  if [ "$secs" -ge 6 ]; then
    sleep 1.5
    # shellcheck disable=SC2086
    $cpusnap snap $snaps > "$home/$side-$r.cpu0"
    sleep "$(awk -v s="$secs" 'BEGIN { printf "%.1f", s - 3 }')"
    # shellcheck disable=SC2086
    $cpusnap snap $snaps > "$home/$side-$r.cpu1"
  fi
  wait "$b" || { echo "bench: $side run $r: iperf3 -c failed: $(cat "$home/$side-$r.err") $(head -c 600 "$j")" >&2; exit 1; }
  res[$side,$r,ports]=$(jq -rn --argjson a "$ports0" --argjson b "$(ports)" '[$b[] as $p | ($a[] | select(.lpar == $p.lpar)) as $q
    | "\($p.lpar): rxFrames +\($p.rxFrames - $q.rxFrames), txFrames +\($p.txFrames - $q.txFrames), drops "
      + ([$p.drops | to_entries[] | select(.value > ($q.drops[.key] // 0)) | "\(.key) +\(.value - ($q.drops[.key] // 0))"]
         | if length == 0 then "none" else join(", ") end)] | join("; ")')
  res[$side,$r,frames]=$(awk -v a="$tx0" -v b="$(txcount "$side")" 'BEGIN { split(a, x, " "); split(b, y, " ")
    p = y[1] - x[1]; printf "%d frames, %.0f bytes each on average", p, p ? (y[2] - x[2]) / p : 0 }')
  jq -e '.end.sum_received.bits_per_second > 0' "$j" >/dev/null || { echo "bench: $side run $r: no result: $(head -c 600 "$j")" >&2; exit 1; }
  res[$side,$r]=$(jq -r '.end.sum_received.bits_per_second / 1e6 | . * 10 | round / 10' "$j")
  res[$side,$r,sent]=$(jq -r '.end.sum_sent.bits_per_second / 1e6 | . * 10 | round / 10' "$j")
  res[$side,$r,retr]=$(jq -r '.end.sum_sent.retransmits // "n/a"' "$j")
  res[$side,$r,iv]=$(jq -r '[.intervals[].sum.bits_per_second / 1e6 | round] | map(tostring) | join(" ")' "$j")
  res[$side,$r,iperfcpu]=$(jq -r '.end.cpu_utilization_percent | "sender \(.host_total * 10 | round / 10) %, receiver \(.remote_total * 10 | round / 10) %"' "$j")
  [ "$secs" -ge 6 ] || return 0
  res[$side,$r,cpu]=$($cpusnap diff "$home/$side-$r.cpu0" "$home/$side-$r.cpu1")
  res[$side,$r,host]=$(awk '$1 == "host_busy" { print $2 }' <<<"${res[$side,$r,cpu]}")
  res[$side,$r,rest]=$(awk '$1 == "rest" || $1 == "steal" { s += $2 } END { printf "%.3f", s }' <<<"${res[$side,$r,cpu]}")
  echo "bench: $side run $r: ${res[$side,$r]} Mbit/s (host busy ${res[$side,$r,host]} cores, ${res[$side,$r,rest]} of them not this run's)" >&2
}

# A run during which over 0.25 core went to anything but this run's QEMUs and daemon (another
# session's load, or steal by the hypervisor under this host) is discarded and measured again, at most twice, within the OTHER_WAIT budget.
disturbed=()
measure() { # side run secs
  local try
  for try in 1 2 3; do
    measure_once "$@"
    [ "$3" -ge 6 ] || return 0
    awk -v r="${res[$1,$2,rest]}" 'BEGIN { exit !(r > 0.25) }' || return 0
    if [ "$try" -lt 3 ] && [ "$waited_total" -lt "$other_wait" ]; then
      disturbed+=("$1 run $2 try $try (discarded): ${res[$1,$2]} Mbit/s, ${res[$1,$2,rest]} cores to other load")
      echo "bench: $1 run $2: disturbed by other load, measuring again in 10 s" >&2
      sleep 10
      waited_total=$((waited_total + 10 + $3))
    else
      disturbed+=("$1 run $2 try $try (KEPT, no retry left): ${res[$1,$2]} Mbit/s, ${res[$1,$2,rest]} cores to other load")
      return 0
    fi
  done
}

for side in parvirt anchor; do measure "$side" warmup 3; done
for ((r = 1; r <= runs; r++)); do
  for side in parvirt anchor; do measure "$side" "$r" "$duration"; done
done

# --- teardown (the EXIT trap then finds nothing left to stop) ----------------------------------------------
for n in srv cli; do "$pv" chsysstate -m sys1 -r lpar -o shutdown --immed -n "$n"; done
for n in srv cli; do kill "${pid[a$n]}" 2>/dev/null || true; done
for i in $(seq 1 300); do [ -z "$(bench_qemu_pids "$home")" ] && break; sleep 0.1; done
[ -z "$(bench_qemu_pids "$home")" ] || echo "bench: QEMUs still running 30 s after shutdown --immed / kill: $(bench_qemu_pids "$home" | paste -sd' ' -)" >&2

# --- report ------------------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A med=() hostmed=()
for side in parvirt anchor; do
  med[$side]=$(for ((r = 1; r <= runs; r++)); do echo "${res[$side,$r]}"; done | median)
  hostmed[$side]=$(for ((r = 1; r <= runs; r++)); do echo "${res[$side,$r,host]}"; done | median)
done
ratio=$(awk -v a="${med[parvirt]}" -v b="${med[anchor]}" 'BEGIN { printf "%.2f", a / b }')
# cores per component, median over the runs, from the cpu-snap lines
comp() { # side label
  for ((r = 1; r <= runs; r++)); do awk -v l="$2" '$1 == l { print $2 }' <<<"${res[$1,$r,cpu]}"; done | median
}
thread() { # side label thread-name
  for ((r = 1; r <= runs; r++)); do
    grep "^$2 " <<<"${res[$1,$r,cpu]}" | grep -o "$3 [0-9.]*" | awk '{ print $NF }' | head -1 | grep . || echo 0
  done | median
}
total_s=$(( $(ms_since "$started") / 1000 ))
{
  echo "# bench/iperf3.sh"
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), run took $total_s s; host: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r), $($qemu --version | head -1)"
  echo "# $(bench_provenance)"
  echo "# image (built in $image_ms ms): $image_line"
  echo "# guest: kernel $guest_kernel, $iperf_version, eth0 mtu/driver: $guest_nic"
  echo "# boot to Running/agent answering: parvirt ${boot_parvirt_ms} ms (both, from the first chsysstate), anchor ${boot_anchor_ms} ms (both, from the second QEMU's daemonize)"
  echo "# virtio-net features negotiated by cli's eth0 (bit 0 first): parvirt ${features[parvirt]} ($(offloads "${features[parvirt]}"))"
  echo "#                                                        anchor  ${features[anchor]} ($(offloads "${features[anchor]}"))"
  echo "# parvirt transport: $transport (QEMU $qemu for both sides)"
  echo "# home configuration: $(grep -v '^images.dir=' "$home/parvirt.properties" | paste -sd' ' -)"
  echo "# per run: iperf3 -c 10.0.10.1 -t $duration -J in cli (server iperf3 -s -D in srv); Mbit/s = end.sum_received"
  echo
  echo "parvirt srv QEMU: ${cmdline[psrv]}"
  echo "anchor  srv QEMU: ${cmdline[asrv]}"
  echo "parvirt cli QEMU: ${cmdline[pcli]}"
  echo "anchor  cli QEMU: ${cmdline[acli]}"
  echo "anchor network: netns $ns, bridge br0, TAPs tap-srv and tap-cli (iproute2 tuntap, no vhost${ANCHOR_VNET_HDR:+, vnet_hdr=$ANCHOR_VNET_HDR})"
  echo
  for r in warmup $(seq 1 "$runs"); do
    for side in parvirt anchor; do
      echo "$side run $r: received ${res[$side,$r]} Mbit/s, sent ${res[$side,$r,sent]} Mbit/s, retransmits ${res[$side,$r,retr]}"
      echo "  per second (Mbit/s): ${res[$side,$r,iv]}"
      echo "  iperf3's own CPU figures (of the guests' 1 vCPU): ${res[$side,$r,iperfcpu]}"
      echo "  cli's eth0 sent (guest counters, the iperf3 exec included): ${res[$side,$r,frames]}"
      echo "  parvirt switch ports over the run: ${res[$side,$r,ports]}"
      [ "$r" = warmup ] && continue
      echo "  cores used from 1.5 s after the start to 1.5 s before the end (process total (by thread)):"
      sed 's/^/    /' <<<"${res[$side,$r,cpu]}"
    done
  done
  echo
  echo "median of $runs: parvirt ${med[parvirt]} Mbit/s, anchor (bridge+TAP) ${med[anchor]} Mbit/s, ratio parvirt/anchor $ratio"
  echo "host busy cores (user+nice+system+irq+softirq, median): parvirt ${hostmed[parvirt]}, anchor ${hostmed[anchor]} of $(nproc)"
  if [ "${#wait_log[@]}" -gt 0 ]; then printf 'waits: %s\n' "${wait_log[@]}"; else echo "waits: none (no other QEMU, host quiet before every run)"; fi
  if [ "${#disturbed[@]}" -gt 0 ]; then printf 'disturbed: %s\n' "${disturbed[@]}"; else echo "disturbed runs (over 0.25 core to other load): none"; fi
  echo
  echo "command: ${OUT:+OUT=$OUT }${TRANSPORT:+TRANSPORT=$TRANSPORT }${QEMU:+QEMU=$QEMU }${PORT_BUFFER_KB:+PORT_BUFFER_KB=$PORT_BUFFER_KB }${ANCHOR_VNET_HDR:+ANCHOR_VNET_HDR=$ANCHOR_VNET_HDR }${RUNS:+RUNS=$RUNS }${DURATION:+DURATION=$DURATION }bench/iperf3.sh${NOBUILD:+  (NOBUILD=$NOBUILD)}"
} > "$result_txt"
{
  echo "# iperf3 guest to guest: parvirt switch vs Linux bridge + TAP"
  echo
  echo "$(date -u '+%Y-%m-%d'), $(bench_provenance | sed 's/^build: //'). Host: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), $($qemu --version | head -1 | sed 's/ Copyright.*//'), TCG."
  echo "Each side: two guests of the iperf3 image (\`parvirt image build iperf3 --with iperf3\`: Debian cloud kernel $guest_kernel, $iperf_version),"
  echo "q35, -cpu max, 1 vCPU, 512 MB, virtio-net-pci; the anchor runs parvirt's own QEMU command lines with \`-netdev tap\` on a bridge instead of \`-netdev $transport\` to the switch (parvirt transport: $transport, QEMU: $($qemu --version | head -1 | sed 's/ Copyright.*//'))${ANCHOR_VNET_HDR:+ (here with \`vnet_hdr=$ANCHOR_VNET_HDR\`: no offloads for the anchor either)}."
  echo "parvirt home: $(grep -v '^images.dir=' "$home/parvirt.properties" | paste -sd' ' -); partitions shared uncapped, 1.0 processing units, 1 virtual processor each."
  echo "\`iperf3 -c 10.0.10.1 -t $duration -J\` in cli against \`iperf3 -s -D\` in srv, receiver's throughput; $runs runs per side, interleaved (parvirt, anchor, parvirt, ...), after a 3 s warm-up each."
  echo
  echo "| run | parvirt switch (Mbit/s) | bridge + TAP (Mbit/s) | parvirt / bridge | TCP retransmits parvirt / bridge |"
  echo "|---|---|---|---|---|"
  for ((r = 1; r <= runs; r++)); do
    printf '| %s | %s | %s | %s | %s / %s |\n' "$r" "${res[parvirt,$r]}" "${res[anchor,$r]}" \
      "$(awk -v a="${res[parvirt,$r]}" -v b="${res[anchor,$r]}" 'BEGIN { printf "%.2f", a / b }')" \
      "${res[parvirt,$r,retr]}" "${res[anchor,$r,retr]}"
  done
  printf '| **median** | **%s** | **%s** | **%s** | |\n' "${med[parvirt]}" "${med[anchor]}" "$ratio"
  echo
  echo "Frames the client guest's NIC sent per run (guest counters): parvirt $(for ((r = 1; r <= runs; r++)); do printf '%s; ' "${res[parvirt,$r,frames]}"; done)"
  echo "bridge + TAP $(for ((r = 1; r <= runs; r++)); do printf '%s; ' "${res[anchor,$r,frames]}"; done)"
  echo "virtio-net offloads the guests negotiated: parvirt $(offloads "${features[parvirt]}"); bridge + TAP $(offloads "${features[anchor]}")."
  echo
  echo "parvirt switch port counters over each parvirt run:"
  echo
  for ((r = 1; r <= runs; r++)); do echo "- run $r: ${res[parvirt,$r,ports]}"; done
  echo
  echo "CPU, cores (median over the runs, steady state: 1.5 s after the start to 1.5 s before the end; $(nproc) cores in all):"
  echo
  echo "| | parvirt | bridge + TAP |"
  echo "|---|---|---|"
  echo "| host busy | ${hostmed[parvirt]} | ${hostmed[anchor]} |"
  echo "| cli QEMU (iperf3 client), of which vCPU | $(comp parvirt cli), $(thread parvirt cli 'CPU 0/TCG') | $(comp anchor cli), $(thread anchor cli 'CPU 0/TCG') |"
  echo "| srv QEMU (iperf3 server), of which vCPU | $(comp parvirt srv), $(thread parvirt srv 'CPU 0/TCG') | $(comp anchor srv), $(thread anchor srv 'CPU 0/TCG') |"
  echo "| parvirt daemon, of which the \`vswitch\` thread | $(comp parvirt daemon), $(thread parvirt daemon vswitch) | (idle) $(comp anchor daemon) |"
  echo "| rest of the host (kernel threads, softirqs, other processes) | $(comp parvirt rest) | $(comp anchor rest) |"
  echo "| stolen by the hypervisor under this host | $(comp parvirt steal) | $(comp anchor steal) |"
  echo "| the other side's two idle guests | $(awk -v a="$(comp parvirt idle-srv)" -v b="$(comp parvirt idle-cli)" 'BEGIN { printf "%.3f", a + b }') | $(awk -v a="$(comp anchor idle-srv)" -v b="$(comp anchor idle-cli)" 'BEGIN { printf "%.3f", a + b }') |"
  echo
  if [ "${#disturbed[@]}" -gt 0 ]; then
    echo "Runs measured again because over 0.25 core went to other load (another session) or steal: $(printf '%s; ' "${disturbed[@]}")"
  else
    echo "No run was disturbed by other load (over 0.25 core not this run's)."
  fi
  echo
  echo "Command: \`${OUT:+OUT=$OUT }${TRANSPORT:+TRANSPORT=$TRANSPORT }${QEMU:+QEMU=$QEMU }${PORT_BUFFER_KB:+PORT_BUFFER_KB=$PORT_BUFFER_KB }${ANCHOR_VNET_HDR:+ANCHOR_VNET_HDR=$ANCHOR_VNET_HDR }${RUNS:+RUNS=$RUNS }${DURATION:+DURATION=$DURATION }flock /tmp/parvirt-heavy.lock bench/iperf3.sh\` (raw output: [$(basename "$result_txt")]($(basename "$result_txt")))."
} > "$result_md"
cat "$result_md"
