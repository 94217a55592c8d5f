#!/usr/bin/env bash
# Disk I/O from inside a partition (issue 17): fio in a TCG guest on a virtual SCSI disk served by the
# VIOS (parvirt's NBD server), against the same QEMU with the same backing file attached directly.
#
#   vios       : a fresh home; `parvirt image build fio --with fio`; partition VIOS1 (vioserver,
#                server adapter 2) and client fio1 (parvirt_image=fio, 1 virtual processor, 1.0
#                processing units uncapped, 1024 MB (all of it at boot: the 90 MB initramfs and its unpacked copy must fit), client adapter 2 -> VIOS1/2); `mksp -fb pool1`,
#                `mkbdsp -sp pool1 SIZE -bd disk1 -vadapter vhost0`. In fio1 the disk is /dev/sda:
#                virtio-scsi -> scsi-hd -> QEMU's NBD client (`-blockdev driver=nbd`, one connection)
#                -> the VIOS's Unix socket -> NbdServerMain (its own JVM) -> pread/pwrite on the file.
#   direct-scsi: fio1's QEMU command line, read from /proc/<pid>/cmdline, with only this changed:
#                the NBD -blockdev becomes `-drive file=FILE,format=raw,if=none,id=<same node>,
#                cache=writeback,aio=threads,file.locking=off` under the same scsi-hd; run-directory
#                paths, -name and -uuid are the anchor's own. Same binary, kernel, initramfs, TCG,
#                machine, CPU, memory, controller. /dev/sda in the anchor guest.
#   virtio-blk : in the same anchor QEMU, the same file again as `-device virtio-blk-pci` on a free
#                root port (/dev/vda), same -drive options.
# Cache mode, the same on every path: the host's page cache, flushes honoured (QEMU's cache=writeback
# for the anchors; the NBD client's default, which sends FLUSH, and a server that writes to the page
# cache and answers FLUSH with fdatasync). The file is filled with random data first (no holes), and
# file.locking=off because the VIOS (which takes no lock) and the anchor hold the same file; only one
# path is driven at a time.
#
# Rows (fio 3.33 in the guest, --direct=1 --ioengine=libaio on the raw device, first SPAN of it,
# RUNTIME s per run after a 1 s ramp): 4 KiB randread/randwrite at iodepth 1 and 16, 1 MiB
# sequential read/write at iodepth 4. A warm-up round (2 s per run, JIT and page cache) is not
# counted; then RUNS rounds, each measuring every row on every path, interleaved (row by row: vios,
# direct-scsi, virtio-blk), so drift in the load of this shared host falls on all paths alike.
# Per row and path: the median of the rounds; the ratio vios / direct-scsi (and / virtio-blk). The
# storage server's CPU (utime+stime of its JVM per second of run) is reported for the vios runs.
# The load (`uptime`) is recorded before and after every round: the host has 2 cores shared with
# other sessions, which are not waited for (they never all stop); interleaving is the defence.
#
# Usage: bench/guest-fio.sh   (RUNS=3, RUNTIME=5 s, SPAN=512M, DISK=1G; about 12 minutes)
# Env: ROWS="randread-4k-qd1 ..." (a subset of the rows, in the form RW-BS-qdN);
#      NOBUILD=1 (freeze target/parvirt.jar as it is); IMAGE_CACHE (as bench/iperf3.sh);
#      JFR=FILE: record a JDK Flight Recording of the storage server over the measured rounds
#      (jcmd JFR.start on its pid; `jfr print --events jdk.ExecutionSample FILE` to read it).
#      DISK_TRANSPORT=vhost-user-blk: the VIOS path is fio1's disk as a vhost-user-blk device
#      (vios.disk_transport=vhost-user-blk: the storage server serves the guest's virtqueue from its
#      shared memory; /dev/vdX in fio1). That needs QEMU 8 or later under TCG: QEMU=BINARY, by
#      default bookworm-backports' QEMU 10 that ./test unpacks into target/qemu-bpo; fio1 and the
#      anchor both run on it (qemu.binary), so only the path differs. The anchor then drops the
#      vhost-user-blk chardev and device and attaches the file as a scsi-hd on fio1's (otherwise
#      empty) virtio-scsi controller and as virtio-blk on the freed disk port. QEMU=BINARY with the
#      default (NBD) path runs fio1 and the anchor on that QEMU too, for an A/B on one QEMU.
# Writes bench/results/guest-fio.txt (raw) and .md (table); OUT=PREFIX writes PREFIX.txt/.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
if [ $# -ne 0 ]; then echo "usage: $0   (no arguments; RUNS, RUNTIME, SPAN, DISK, NOBUILD, JFR in the environment)" >&2; exit 2; fi
qemu=/usr/bin/qemu-system-x86_64
transport=${DISK_TRANSPORT:-nbd}
case $transport in
  nbd)
    if [ -n "${QEMU:-}" ]; then # the NBD path on another QEMU (both fio1 and the anchor), e.g. to compare with vhost-user-blk on it
      qemu=$QEMU
      export BENCH_PROPS
      BENCH_PROPS=$(printf 'qemu.binary=%s\n' "$qemu")
    fi ;;
  vhost-user-blk)
    qemu=${QEMU:-$root/target/qemu-bpo/root/usr/bin/qemu-system-x86_64}
    [ -x "$qemu" ] || { echo "bench: DISK_TRANSPORT=vhost-user-blk needs QEMU 8 or later under TCG: set QEMU=BINARY (./test guest unpacks bookworm-backports' QEMU 10 into target/qemu-bpo)" >&2; exit 1; }
    export BENCH_PROPS
    BENCH_PROPS=$(printf 'vios.disk_transport=vhost-user-blk\nqemu.binary=%s\n' "$qemu") ;;
  *) echo "bench: DISK_TRANSPORT must be nbd or vhost-user-blk, not $transport" >&2; exit 2 ;;
esac
for c in "$qemu" python3 jq sha256sum; do command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }; done
runs=${RUNS:-3}
runtime=${RUNTIME:-5}
span=${SPAN:-512M}
disk=${DISK:-1G}
out="$root/bench/results"
mkdir -p "$out"
prefix=${OUT:-$out/guest-fio}
qga="python3 $root/bench/qga.py"
spid=
# The VIOS's storage server is a JVM of its own that outlives the daemon: stopped here by its pid.
trap 'bench_stop_storage; bench_cleanup; bench_cpuset_cleanup' EXIT
ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }

# --- build, home, image --------------------------------------------------------------------------
if [ "${NOBUILD:-0}" = 1 ]; then bench_freeze_nobuild; else bench_build; fi
pv="$BENCH_PARVIRT"
bench_fio_home "$pv"
echo "bench: $("$pv" image list | grep '^name=fio,')" >&2

# --- the VIOS and its client -----------------------------------------------------------------------
bench_fio_vios_client "$pv" "$disk" 4G pool1
cid=$("$pv" lssyscfg -r lpar -m sys1 --filter lpar_names=fio1 -F lpar_id)
vid=$("$pv" lssyscfg -r lpar -m sys1 --filter lpar_names=VIOS1 -F lpar_id)
qpid=$(cat "$home/run/lpar/$cid/qemu.pid")
spid=$(cat "$home/run/lpar/$vid/qemu.pid" 2>/dev/null || pgrep -f "NbdServerMain.*$home/run/lpar/$vid/" | head -1)
grep -q NbdServerMain "/proc/$spid/cmdline" || { echo "bench: storage server pid $spid is not NbdServerMain" >&2; exit 1; }

# --- the anchor: the same command line, the file attached directly --------------------------------
rundir="$home/run/lpar/$cid"
adir="$home/anchor"
mkdir -p "$adir"
mapfile -d '' -t src < "/proc/$qpid/cmdline"
opts="format=raw,if=none,cache=writeback,aio=threads,file.locking=off"
argv=()
prev=
nbd=0
vhost=0
vport=
used_ports=" "
for a in "${src[@]}"; do
  if [ "$transport" = vhost-user-blk ]; then
    # the vhost-user-blk disk's chardev goes; its device becomes the file as a scsi-hd on fio1's controller
    if [ "$a" = -chardev ]; then prev=$a; continue; fi
    if [ "$prev" = -chardev ]; then
      [[ $a =~ ^socket,id=vblk ]] && { prev=; continue; }
      argv+=(-chardev)
    fi
    if [ "$prev" = -device ] && [[ $a =~ ^vhost-user-blk-pci,.*bus=(vdisk[0-9]+) ]]; then
      vport=${BASH_REMATCH[1]}
      ctl=$(printf '%s\n' "${src[@]}" | sed -n 's/^virtio-scsi-pci,id=\(vscsi[0-9]*\),.*/\1/p' | head -1)
      argv[-1]=-drive
      argv+=("file=$file,id=direct0,$opts" -device "scsi-hd,id=direct0dev,bus=$ctl.0,channel=0,scsi-id=0,lun=0,drive=direct0")
      vhost=$((vhost + 1))
      prev=
      continue
    fi
  fi
  case "$prev" in
    -name) a="guest=anchor-fio,debug-threads=on" ;;
    -uuid) a=$(cat /proc/sys/kernel/random/uuid) ;;
    -append) a=${a//parvirt.hostname=fio1/parvirt.hostname=anchor-fio} ;;
  esac
  [[ $a =~ bus=(vslot[0-9]+) ]] && used_ports+="${BASH_REMATCH[1]} "
  if [ "$prev" = -blockdev ] && [[ $a =~ ^driver=nbd,node-name=([^,]+), ]]; then
    argv[-1]=-drive
    a="file=$file,id=${BASH_REMATCH[1]},$opts"
    nbd=$((nbd + 1))
  fi
  a=${a//$rundir\//$adir/}
  argv+=("$a")
  prev=$a
done
if [ "$transport" = vhost-user-blk ]; then
  [ "$vhost" -eq 1 ] && [ "$nbd" -eq 0 ] || { echo "bench: expected one vhost-user-blk device and no NBD -blockdev on fio1's command line, found $vhost and $nbd" >&2; exit 1; }
else
  [ "$nbd" -eq 1 ] || { echo "bench: expected one NBD -blockdev on fio1's command line, found $nbd" >&2; exit 1; }
fi
port=$vport
for a in "${src[@]}"; do
  [ -n "$port" ] && break
  if [[ $a =~ ^pcie-root-port,id=(vslot[0-9]+), ]] && [[ $used_ports != *" ${BASH_REMATCH[1]} "* ]]; then port=${BASH_REMATCH[1]}; break; fi
done
[ -n "$port" ] || { echo "bench: no free root port for virtio-blk" >&2; exit 1; }
i=$(( ${#argv[@]} ))
for ((k = 0; k < ${#argv[@]}; k++)); do [ "${argv[$k]}" = -pidfile ] && i=$k; done
argv=("${argv[@]:0:i}" -drive "file=$file,id=vblk0,$opts" -device "virtio-blk-pci,id=vblk0dev,drive=vblk0,bus=$port" "${argv[@]:i}")
if printf '%s\n' "${argv[@]}" | grep -qF -- "$rundir/"; then echo "bench: $rundir still on the anchor's command line" >&2; exit 1; fi
"${argv[@]}" 2> "$adir/qemu.err" & # parvirt starts it the same way: setsid, not daemonized
for ((k = 0; k < 100; k++)); do [ -s "$adir/qemu.pid" ] && break; sleep 0.2; done
[ -s "$adir/qemu.pid" ] || { echo "bench: the anchor QEMU did not start: $(cat "$adir/qemu.err")" >&2; exit 1; }
# The anchor's QEMU joins fio1's cgroups (cpu, cpuacct, cpuset): left in the root group it would
# compete as a peer of the whole parvirt/ tree, every session's guests together, and on this shared
# host get many times the CPU fio1 gets (a first run measured the direct paths 3-30x faster so).
# The two guests are never busy at once, so sharing the group costs neither anything.
cgmoved=0
for c in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpuset /sys/fs/cgroup; do
  g=$(awk -F: -v c="${c##*/}" '$2 == c || ($2 == "" && c == "cgroup") { print $3 }' "/proc/$qpid/cgroup" | head -1)
  [ -n "$g" ] && [ "$g" != / ] && [ -w "$c$g/cgroup.procs" ] || continue
  echo "$(cat "$adir/qemu.pid")" > "$c$g/cgroup.procs" && cgmoved=$((cgmoved + 1))
done
# and each thread the group of fio1's thread of the same name (the vCPU thread sits in the
# partition's vcpus group, under the dispatcher's quota)
apid=$(cat "$adir/qemu.pid")
for t in /proc/"$apid"/task/*; do
  name=$(cat "$t/comm")
  for u in /proc/"$qpid"/task/*; do
    [ "$(cat "$u/comm")" = "$name" ] || continue
    for c in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpuset; do
      g=$(awk -F: -v c="${c##*/}" '$2 == c { print $3 }' "$u/cgroup")
      [ -n "$g" ] && [ -w "$c$g/tasks" ] && echo "${t##*/}" > "$c$g/tasks"
    done
    break
  done
done
echo "bench: the anchor QEMU joined fio1's cgroups in $cgmoved hierarchies: $(grep -E ':(cpu|cpuset):' "/proc/$qpid/cgroup" | paste -sd' ' -)" >&2
$qga "$adir/qga.sock" --wait 180

# --- fio in the guests -----------------------------------------------------------------------------
gexec() { # path argv...
  local p=$1
  shift
  if [ "$p" = vios ]; then "$pv" guest exec -m sys1 -p fio1 --timeout 300 -- "$@"
  else $qga "$adir/qga.sock" --timeout 300 -- "$@"; fi
}
declare -A dev=([vios]=/dev/sda [direct-scsi]=/dev/sda [virtio-blk]=/dev/vda)
if [ "$transport" = vhost-user-blk ]; then
  # fio1's vhost-user-blk disk: the virtio-blk disk whose ID is disk1's virtual target device
  dev[vios]=/dev/$(gexec vios /bin/sh -c 'for b in /sys/block/vd*; do case "$(cat $b/serial)" in vtscsi*) echo ${b##*/};; esac; done' | head -1)
fi
for p in vios direct-scsi virtio-blk; do
  sz=$(gexec "$p" /bin/cat "/sys/block/${dev[$p]#/dev/}/size")
  [ "$sz" -eq $(( $(stat -c %s "$file") / 512 )) ] || { echo "bench: $p: ${dev[$p]} has $sz sectors, the file $(stat -c %s "$file") bytes" >&2; exit 1; }
done
guest_kernel=$(gexec vios /bin/uname -r)
fio_version=$(gexec vios /usr/bin/fio --version)
read -r -a rows <<<"${ROWS:-randread-4k-qd1 randwrite-4k-qd1 randread-4k-qd16 randwrite-4k-qd16 read-1M-qd4 write-1M-qd4}"
paths=(vios direct-scsi virtio-blk)
fio_args() { # row secs
  local rw bs qd
  IFS=- read -r rw bs qd <<<"$1"
  echo "--name=$1 --filename=DEV --direct=1 --ioengine=libaio --rw=$rw --bs=${bs/k/K} --iodepth=${qd#qd} --size=$span --time_based --runtime=$2 --ramp_time=1 --randrepeat=0 --output-format=json"
}
# Nanoseconds the storage server's threads have waited on a run queue, runnable but not running
# (/proc/PID/task/*/schedstat, second field): on this shared host, what a request spends waiting for
# the server's thread to be scheduled.
runq_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $2 } END { printf "%d", s }'; }
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
declare -A res=()
raw=()
measure() { # round row path secs
  local a j t0 c0 c1 q0 q1 n ms v
  a=$(fio_args "$2" "$4")
  a=${a//DEV/${dev[$3]}}
  c0=$(cpu_ticks "$spid")
  q0=$(runq_ns "$spid")
  t0=$EPOCHREALTIME
  # shellcheck disable=SC2086
  j=$(gexec "$3" /usr/bin/fio $a)
  ms=$(ms_since "$t0")
  c1=$(cpu_ticks "$spid")
  q1=$(runq_ns "$spid")
  case "$2" in
    *read-1M* | *write-1M*) v=$(jq -r '.jobs[0] | (.read.bw + .write.bw) / 1024 | . * 10 | round / 10' <<<"$j") ;; # MiB/s
    *) v=$(jq -r '.jobs[0] | (.read.iops + .write.iops) | round' <<<"$j") ;;
  esac
  res[$1,$2,$3]=$v
  res[$1,$2,$3,lat]=$(jq -r '.jobs[0] | [.read, .write] | map(select(.io_bytes > 0)) | .[0].clat_ns.mean / 1000 | round' <<<"$j")
  res[$1,$2,$3,cpu]=$(awk -v d="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v ms="$ms" 'BEGIN { printf "%.2f", d / hz / (ms / 1000) }')
  n=$(awk -v v="$v" -v s="$4" 'BEGIN { printf "%d", v * s }') # requests: IOPS x s, or MiB/s x s of 1 MiB each
  res[$1,$2,$3,runq]=$(awk -v q="$((q1 - q0))" -v n="$n" 'BEGIN { r = n > 0 ? q / n / 1000 : 0; printf "%.0f", r }')
  raw+=("round $1 $2 $3: $v (mean completion latency ${res[$1,$2,$3,lat]} us; storage server ${res[$1,$2,$3,cpu]} cores over the exec, its threads waited ${res[$1,$2,$3,runq]} us on a run queue per request)")
  echo "bench: ${raw[-1]}" >&2
}
loads=()
for r in warmup $(seq 1 "$runs"); do
  [ "$r" = 1 ] && [ -n "${JFR:-}" ] && "$JAVA_HOME/bin/jcmd" "$spid" JFR.start name=bench settings=profile filename="$JFR" >/dev/null
  loads+=("before round $r: $(uptime | sed 's/.*load average/load average/')")
  for row in "${rows[@]}"; do
    for p in "${paths[@]}"; do measure "$r" "$row" "$p" "$([ "$r" = warmup ] && echo 2 || echo "$runtime")"; done
  done
done
loads+=("after: $(uptime | sed 's/.*load average/load average/')")
[ -n "${JFR:-}" ] && "$JAVA_HOME/bin/jcmd" "$spid" JFR.stop name=bench >/dev/null

# --- medians ---------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A med=()
for row in "${rows[@]}"; do
  for p in "${paths[@]}"; do
    med[$row,$p]=$(for ((r = 1; r <= runs; r++)); do echo "${res[$r,$row,$p]}"; done | median)
    med[$row,$p,lat]=$(for ((r = 1; r <= runs; r++)); do echo "${res[$r,$row,$p,lat]}"; done | median)
  done
  med[$row,runq]=$(for ((r = 1; r <= runs; r++)); do echo "${res[$r,$row,vios,runq]}"; done | median)
  med[$row,cpu]=$(for ((r = 1; r <= runs; r++)); do echo "${res[$r,$row,vios,cpu]}"; done | median)
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cmd="${DISK_TRANSPORT:+DISK_TRANSPORT=$DISK_TRANSPORT }${QEMU:+QEMU=$QEMU }${OUT:+OUT=$OUT }${ROWS:+ROWS=\"$ROWS\" }${RUNS:+RUNS=$RUNS }${RUNTIME:+RUNTIME=$RUNTIME }${SPAN:+SPAN=$SPAN }${DISK:+DISK=$DISK }${JFR:+JFR=$JFR }${NOBUILD:+NOBUILD=$NOBUILD }bench/guest-fio.sh"
{
  printf '%s\n' "${raw[@]}"
  printf '%s\n' "${loads[@]}"
  echo "anchor: $(printf '%q ' "${argv[@]}")"
  echo "command: $cmd"
} > "$prefix.txt"
{
  echo "# fio inside a partition: virtual SCSI through the VIOS vs the same file attached directly"
  echo
  echo "$(date -u '+%Y-%m-%d'), $(bench_provenance | sed 's/^build: //'). Host: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), shared with other sessions, $($qemu --version | head -1 | sed 's/ Copyright.*//'), TCG."
  echo "Guest: image \`fio\` (\`parvirt image build fio --with fio\`: Debian cloud kernel $guest_kernel, $fio_version), q35, -cpu max, 1 vCPU, 1024 MB."
  echo "Disk: a $disk backing device (mkbdsp) filled with random data; fio \`--direct=1 --ioengine=libaio\` on the raw device, first $span, ${runtime} s per run after 1 s ramp; $runs rounds, interleaved row by row (vios, direct-scsi, virtio-blk), after a warm-up round. Cache mode on every path: host page cache, flushes honoured (anchors \`$opts\`)."
  echo "CPU: the anchor's QEMU runs in fio1's own cgroups ($cgmoved hierarchies), so both guests have the same share of this shared host; the VIOS's storage server runs in the VIOS partition's."
  echo "Load (\`uptime\`, the host is shared; other sessions' guests were not waited for): $(printf '%s; ' "${loads[@]}")"
  echo
  echo "VIOS path: $transport$([ "$transport" = vhost-user-blk ] && echo " (fio1's disk ${dev[vios]}: vhost-user-blk-pci, served by the storage server from the guest's shared memory; both QEMUs: $qemu)")."
  echo
  echo "| row | VIOS ($transport) | direct scsi-hd | virtio-blk | VIOS / direct scsi-hd | VIOS / virtio-blk | mean latency us VIOS / direct / virtio-blk | storage server cores | server run-queue wait per request (us) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for row in "${rows[@]}"; do
    unit=IOPS
    [[ $row == *1M* ]] && unit=MiB/s
    printf '| %s (%s) | %s | %s | %s | **%s** | %s | %s / %s / %s | %s | %s |\n' "$row" "$unit" "${med[$row,vios]}" "${med[$row,direct-scsi]}" "${med[$row,virtio-blk]}" \
      "$(ratio "${med[$row,vios]}" "${med[$row,direct-scsi]}")" "$(ratio "${med[$row,vios]}" "${med[$row,virtio-blk]}")" \
      "${med[$row,vios,lat]}" "${med[$row,direct-scsi,lat]}" "${med[$row,virtio-blk,lat]}" "${med[$row,cpu]}" "${med[$row,runq]}"
  done
  echo
  echo "Command: \`$cmd\` (raw: [$(basename "$prefix").txt]($(basename "$prefix").txt))."
} > "$prefix.md"
cat "$prefix.md"
