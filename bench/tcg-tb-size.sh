#!/usr/bin/env bash
# Exploratory (no target): what bounding TCG's translated-code buffer would save per partition.
# parvirt's QEMU command line (QemuCommandLine, -machine q35,accel=tcg) leaves QEMU 7.2's default
# buffer of 1 GiB reserved, of which ~55-58 MB is resident after a boot. Here the command line of
# bench/activation.sh's anchor as of commit b45c423 (a copy, below: compare it with the one
# activation.txt records; serial to a file, sockets and pid file in a throw-away home) is
# started by hand with the default, and with -machine q35 -accel tcg,tb-size=32 and =16 (MB),
# round by round; each is timed from exec to the ready line, then measured by bench/qemu-mem.py
# SETTLE s (default 10) after it, then killed by its pid.
# Usage: bench/tcg-tb-size.sh [ROUNDS]   (default 3, max 20). Writes bench/results/tcg-tb-size.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
rounds=${1:-3}
if ! [ "$rounds" -ge 1 ] 2>/dev/null || [ "$rounds" -gt 20 ]; then echo "usage: $0 [ROUNDS 1..20]" >&2; exit 2; fi
settle=${SETTLE:-10}
qemu=/usr/bin/qemu-system-x86_64
images=${IMAGES_DIR:-$root/target/test-images}
[ -f "$images/default/vmlinuz" ] || { echo "bench: no image in $images/default (run bench/activation.sh once, or ./parvirt image build)" >&2; exit 1; }
out="$root/bench/results"
mkdir -p "$out"
bench_new_home
d=$BENCH_HOME
cp -rp "$images/default" "$d/"

# $1: label; the rest: the accelerator options that replace "-machine q35,accel=tcg".
run() {
  local label=$1 r pid
  shift
  rm -f "$d/serial.log" "$d/qemu.pid"
  cmd=("$qemu" -name guest=lp1,debug-threads=on -uuid 11111111-2222-3333-4444-555555555555 "$@" -cpu max
    -m size=256M,slots=8,maxmem=512M -smp 1,maxcpus=2 -nodefaults -no-user-config -display none
    -kernel "$d/default/vmlinuz" -initrd "$d/default/initramfs.img"
    -append "console=ttyS0 quiet panic=0 swiotlb=noforce no_timer_check parvirt.hostname=lp1"
    -chardev "file,id=serial0,path=$d/serial.log" -serial chardev:serial0
    -chardev "socket,id=qmp,path=$d/qmp.sock,server=on,wait=off" -mon chardev=qmp,mode=control
    -device virtio-serial-pci,id=vser0 -chardev "socket,id=qga0,path=$d/qga.sock,server=on,wait=off"
    -device virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0 -device pvpanic
    -pidfile "$d/qemu.pid" -daemonize)
  r=$(python3 "$root/bench/ready-time.py" "$d/serial.log" "PARVIRT-READY host=lp1" 120 "${cmd[@]}" | cut -d' ' -f2)
  sleep "$settle"
  pid=$(cat "$d/qemu.pid")
  echo "$label $r $(python3 "$root/bench/qemu-mem.py" "$pid" 256)"
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

rows=()
for ((i = 1; i <= rounds; i++)); do
  rows+=("$(run default -machine q35,accel=tcg)")
  rows+=("$(run tb-size=32 -machine q35 -accel tcg,tb-size=32)")
  rows+=("$(run tb-size=16 -machine q35 -accel tcg,tb-size=16)")
  echo "bench: round $i done" >&2
done
{
  echo "# bench/tcg-tb-size.sh $rounds  (SETTLE=$settle)"
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs, $($qemu --version | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# command line (default variant; the others replace -machine q35,accel=tcg):"
  run_cmd=("$qemu" -name guest=lp1,debug-threads=on -uuid 11111111-2222-3333-4444-555555555555 -machine q35,accel=tcg -cpu max
    -m size=256M,slots=8,maxmem=512M -smp 1,maxcpus=2 -nodefaults -no-user-config -display none
    -kernel HOME/default/vmlinuz -initrd HOME/default/initramfs.img
    -append "console=ttyS0 quiet panic=0 swiotlb=noforce no_timer_check parvirt.hostname=lp1"
    -chardev file,id=serial0,path=HOME/serial.log -serial chardev:serial0
    -chardev socket,id=qmp,path=HOME/qmp.sock,server=on,wait=off -mon chardev=qmp,mode=control
    -device virtio-serial-pci,id=vser0 -chardev socket,id=qga0,path=HOME/qga.sock,server=on,wait=off
    -device virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0 -device pvpanic
    -pidfile HOME/qemu.pid -daemonize)
  printf '#'; printf ' %q' "${run_cmd[@]}"; echo
  echo
  echo "variant ready_ms | kB: vmrss pss guest_ram_rss tcg_rss file_rss other_anon_rss"
  printf '%s\n' "${rows[@]}"
  echo
  echo "medians: variant ready_ms, VmRSS - guest RAM resident (MB), TCG (MB)"
  for v in default tb-size=32 tb-size=16; do
    printf '%s\n' "${rows[@]}" | awk -v v="$v" '$1 == v' > "$d/v.txt"
    echo "$v $(cut -d' ' -f2 "$d/v.txt" | bench_stats | cut -d' ' -f1) \
$(awk '{ printf "%.1f\n", ($3 - $5) / 1024 }' "$d/v.txt" | bench_stats | cut -d' ' -f1) \
$(awk '{ printf "%.1f\n", $6 / 1024 }' "$d/v.txt" | bench_stats | cut -d' ' -f1)"
  done
} > "$out/tcg-tb-size.txt"
cat "$out/tcg-tb-size.txt"
