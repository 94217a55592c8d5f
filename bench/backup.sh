#!/usr/bin/env bash
# Backup throughput (issue 19): `parvirt bklpar` of a Not Activated partition whose one virtual SCSI
# disk is a sparse 2 GiB backing file with DATA_MB of data written into it (half random, half
# repeated text: some of it compresses), against the anchor `tar -S -cf - FILE | zstd -1 -T1 > OUT`
# of the same file, in the same run, rounds alternating (odd rounds parvirt first). The page cache
# holds the file for both (a warm-up read first). Throughput = the disk's data bytes / wall time.
# Target (issue): parvirt >= 0.8 x the anchor.
#
# Usage: bench/backup.sh [ROUNDS] (default 5, max 20); DATA_MB (default 512). Writes
# bench/results/backup.txt. The EXIT trap stops the daemon and removes the home.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
rounds=${1:-5}
if ! [ "$rounds" -ge 1 ] 2>/dev/null || [ "$rounds" -gt 20 ]; then echo "usage: $0 [ROUNDS 1..20]" >&2; exit 2; fi
data_mb=${DATA_MB:-512}
command -v zstd >/dev/null || { echo "bench: zstd is needed for the anchor (apt-get install zstd)" >&2; exit 2; }
bench_build
BENCH_PARVIRT="$BENCH_SNAP/parvirt"
bench_new_home
home=$BENCH_HOME
export PARVIRT_HOME="$home"
pv() { "$BENCH_PARVIRT" "$@"; }
pv mksyscfg -r lpar -m sys1 -i 'name=VIOS1,profile_name=default,lpar_env=vioserver,min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128,"virtual_scsi_adapters=2/server/any//any/1"' 2>/dev/null
pv mksyscfg -r lpar -m sys1 -i 'name=A,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128,virtual_scsi_adapters=2/client//VIOS1/2/1'
pv viosvrcmd -m sys1 -p VIOS1 -c 'mksp -fb pool1 -size 4G'
pv viosvrcmd -m sys1 -p VIOS1 -c 'mkbdsp -sp pool1 2G -bd diskA -vadapter vhost0'
disk=$(ls "$home"/vios/*/pools/pool1/diskA)
half=$((data_mb / 2))
# random data at 0, text from 1 GiB on: two extents with a hole between and after them
head -c $((half << 20)) /dev/urandom | dd of="$disk" bs=1M conv=notrunc status=none
(yes 'parvirt backup benchmark: a line of text that compresses' || true) | head -c $((half << 20)) \
  | dd of="$disk" bs=1M seek=1024 conv=notrunc status=none
sync
data_bytes=$(( (half << 20) * 2 ))
anchor_out="$home/anchor.tar.zst"
cat "$disk" > /dev/null
out=$root/bench/results/backup.txt
mkdir -p "$(dirname "$out")"
{
  echo "# bench/backup.sh $rounds (DATA_MB=$data_mb), $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  bench_provenance
  echo "# disk: 2 GiB sparse file, $data_mb MiB of data (half random, half text); times in ms"
} > "$out"
run_parvirt() {
  local t0 t1
  t0=$(bench_now_ns); pv bklpar -m sys1 -p A -f bench.bk --force; t1=$(bench_now_ns)
  echo $(( (t1 - t0) / 1000000 ))
}
run_anchor() {
  local t0 t1
  t0=$(bench_now_ns); tar -S -C "$(dirname "$disk")" -cf - diskA | zstd -1 -T1 -q -f -o "$anchor_out"; t1=$(bench_now_ns)
  echo $(( (t1 - t0) / 1000000 ))
}
run_parvirt > /dev/null; run_anchor > /dev/null # warm-up: JIT, page cache
: > "$home/p.ms"; : > "$home/a.ms"
for ((r = 1; r <= rounds; r++)); do
  if (( r % 2 )); then p=$(run_parvirt); a=$(run_anchor); else a=$(run_anchor); p=$(run_parvirt); fi
  echo "$p" >> "$home/p.ms"; echo "$a" >> "$home/a.ms"
  echo "round $r: parvirt $p ms, anchor $a ms" >> "$out"
done
read -r pm _ <<< "$(bench_stats < "$home/p.ms")"
read -r am _ <<< "$(bench_stats < "$home/a.ms")"
psize=$(stat -c %s "$home/backups/bench.bk"); asize=$(stat -c %s "$anchor_out")
awk -v pm="$pm" -v am="$am" -v b="$data_bytes" -v ps="$psize" -v as="$asize" 'BEGIN {
  printf "parvirt bklpar: median %.0f ms, %.0f MiB/s of data, archive %d bytes\n", pm, b / 1048576 / (pm / 1000), ps
  printf "tar -S | zstd -1: median %.0f ms, %.0f MiB/s of data, archive %d bytes\n", am, b / 1048576 / (am / 1000), as
  printf "ratio (parvirt throughput / anchor throughput): %.2f (target >= 0.8)\n", am / pm }' | tee -a "$out"
