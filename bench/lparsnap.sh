#!/usr/bin/env bash
# Partition snapshots (issue 19): the guest's pause for `mklparsnap` (disks and memory) of a running
# 512 MB TCG partition whose one disk a running VIOS serves, with a 4 GiB and a 16 GiB disk (64 MiB
# of random data written into each first), beside QEMU's own `savevm` of the same guest (same
# kernel, initramfs, memory) on a qcow2 disk of the same size: the anchor, in the same run
# (bench/savevm-anchor.py).
#
#   parvirt's pause: the daemon's own figure ("guest stopped about N ms" in its log): with
#   background-snapshot, our stop + disk point + migrate plus QEMU's reported downtime of its setup;
#   with the pre-copy fallback, QEMU's downtime plus the wait for its finalization, the disk point
#   and cont. Also the command's wall time (CLI included: the guest runs during most of it).
#   QEMU_USER= (default, QEMU runs as root: background-snapshot) or QEMU_USER=parvirt-qemu
#   (confined: userfaultfd refused while vm.unprivileged_userfaultfd=0, so pre-copy).
#
# Usage: bench/lparsnap.sh [ROUNDS]   (default 5). Writes bench/results/lparsnap.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
rounds=${1:-5}
trap 'bench_stop_storage; bench_cleanup' EXIT
bench_build
bench_images "$BENCH_PARVIRT"
bench_new_home
home=$BENCH_HOME
export PARVIRT_HOME="$home"
printf 'images.dir=%s\nqemu.user=%s\n' "$BENCH_IMAGES" "${QEMU_USER:-}" >> "$home/parvirt.properties"
pv() { "$BENCH_PARVIRT" "$@"; }
out=$root/bench/results/lparsnap.txt
mkdir -p "$(dirname "$out")"
{
  echo "# bench/lparsnap.sh $rounds (QEMU_USER=${QEMU_USER:-}), $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  bench_provenance
} > "$out"
common='proc_mode=shared,min_proc_units=0.1,desired_proc_units=1.0,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=1,sharing_mode=uncap,uncap_weight=128'
pv mksyscfg -r lpar -m sys1 -i "name=VIOS1,profile_name=default,lpar_env=vioserver,min_mem=256,desired_mem=256,max_mem=256,$common,\"virtual_scsi_adapters=2/server/any//any/1\""
pv mksyscfg -r lpar -m sys1 -i "name=A,profile_name=default,lpar_env=aixlinux,min_mem=512,desired_mem=512,max_mem=512,$common,virtual_scsi_adapters=2/client//VIOS1/2/1"
pv viosvrcmd -m sys1 -p VIOS1 -c 'mksp -fb pool1 -size 40G' > /dev/null
await_state() { # name state
  local i
  for ((i = 0; i < 600; i++)); do
    [ "$(pv lssyscfg -r lpar -m sys1 --filter "lpar_names=$1" -F state)" = "$2" ] && return 0
    sleep 0.5
  done
  echo "bench: $1 not $2" >&2; exit 1
}
pv chsysstate -m sys1 -r lpar -o on -n VIOS1 -f default
await_state VIOS1 Running
for size in 4G 16G; do
  pv viosvrcmd -m sys1 -p VIOS1 -c "mkbdsp -sp pool1 $size -bd diskA -vadapter vhost0" > /dev/null
  disk=$(ls "$home"/vios/*/pools/pool1/diskA)
  head -c $((64 << 20)) /dev/urandom | dd of="$disk" bs=1M conv=notrunc status=none
  pv chsysstate -m sys1 -r lpar -o on -n A -f default
  await_state A Running
  for ((i = 0; i < 120; i++)); do pv guest exec -m sys1 -p A -- /bin/true > /dev/null 2>&1 && break; sleep 1; done
  for ((r = 1; r <= rounds; r++)); do
    before=$(grep -c 'memory snapshot' "$home/logs/daemon.log" || true)
    t0=$(bench_now_ns); pv mklparsnap -m sys1 -p A -n "r$r"; t1=$(bench_now_ns)
    line=$(grep 'memory snapshot' "$home/logs/daemon.log" | sed -n "$((before + 1))p")
    pause=$(sed -n 's/.*guest stopped about \([0-9]*\) ms.*/\1/p' <<< "$line")
    engine=$(sed -n 's/.*memory snapshot (\([a-z-]*\)).*/\1/p' <<< "$line")
    echo "parvirt $size round $r: pause $pause ms ($engine), mklparsnap $(( (t1 - t0) / 1000000 )) ms, load $(cut -d' ' -f1 /proc/loadavg)" >> "$out"
    echo "$pause" >> "$home/p-$size.ms"
    pv rmlparsnap -m sys1 -p A -n "r$r"
  done
  pv chsysstate -m sys1 -r lpar -o shutdown --immed -n A
  await_state A "Not Activated"
  pv viosvrcmd -m sys1 -p VIOS1 -c "rmbdsp -vtd vtscsi0" # the mapping and its device
  python3 "$root/bench/savevm-anchor.py" "$(command -v qemu-system-x86_64)" "$BENCH_IMAGES/default/vmlinuz" \
    "$BENCH_IMAGES/default/initramfs.img" 512 "$size" "$home/anchor" "$rounds" > "$home/a-$size.ms"
  r=0; while read -r a; do r=$((r + 1)); echo "savevm $size round $r: pause $a ms" >> "$out"; done < "$home/a-$size.ms"
done
for size in 4G 16G; do
  echo "parvirt $size pause: $(bench_stats < "$home/p-$size.ms")" >> "$out"
  echo "savevm  $size pause: $(bench_stats < "$home/a-$size.ms")" >> "$out"
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
cat "$out"
