#!/usr/bin/env bash
# Disk migration's effect on the guest (issue 19): fio in a TCG partition on a virtual SCSI disk
# served by the VIOS, 4 KiB random I/O, measured while `migrdisk` moves that disk to another storage
# pool of the running VIOS, against the same fio on the same disk with no move (the anchor), in the
# same run, interleaved: anchor, during (pool1 -> pool2), anchor, during (pool2 -> pool1), ...
#
#   Setup as bench/guest-fio.sh: `parvirt image build fio --with fio`; VIOS1 (vioserver) and fio1
#   (parvirt_image=fio, 1 VP, 1.0 units uncapped, 1024 MB); pools pool1 and pool2; a DISK backing
#   device filled with random data (no holes: the whole disk is copied).
#   A "during" sample: migrdisk starts (no rate cap unless RATE MB/s), and once lslparjob lists it
#   fio runs RUNTIME s; the sample counts only if the move was still copying when fio ended (else it
#   is reported and the row says how many samples overlapped the copy).
#
# Usage: bench/diskmig.sh   (RUNS=3, RUNTIME=4 s, DISK=2G, RW=randrw, QD=16; RATE=0)
# Writes bench/results/diskmig.txt (raw) and .md (table).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
if [ $# -ne 0 ]; then echo "usage: $0   (no arguments; RUNS, RUNTIME, DISK, RW, QD, RATE, NOBUILD in the environment)" >&2; exit 2; fi
for c in python3 jq; do command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }; done
runs=${RUNS:-3}
runtime=${RUNTIME:-4}
disk=${DISK:-2G}
rw=${RW:-randrw}
qd=${QD:-16}
rate=${RATE:-0}
out="$root/bench/results"
mkdir -p "$out"
prefix=$out/diskmig
trap 'bench_stop_storage; bench_cleanup; bench_cpuset_cleanup' EXIT

if [ "${NOBUILD:-0}" = 1 ]; then bench_freeze_nobuild; else bench_build; fi
pv="$BENCH_PARVIRT"
bench_fio_home "$pv"

bench_fio_vios_client "$pv" "$disk" 8G pool1 pool2
bench_fio_guest
raw=()
declare -a before=() during=()
pools=(pool1 pool2)
gexec /usr/bin/fio ${fio_args/--runtime=$runtime/--runtime=2} > /dev/null # warm-up
for ((r = 1; r <= runs; r++)); do
  raw+=("round $r load: $(uptime | sed 's/.*load average/load average/')")
  v=$(gexec /usr/bin/fio $fio_args | iops)
  before+=("$v")
  raw+=("round $r anchor (no move): $v IOPS")
  to=${pools[$(( r % 2 ))]}
  t0=$EPOCHREALTIME
  "$pv" migrdisk -m sys1 -p VIOS1 -bd disk1 -sp "$to" --rate "$rate" > "$home/migrdisk.$r" 2>&1 &
  mpid=$!
  for ((i = 0; i < 200; i++)); do "$pv" lslparjob -m sys1 -F phase | grep -q copying && break; sleep 0.05; done
  v=$(gexec /usr/bin/fio $fio_args | iops)
  still=$("$pv" lslparjob -m sys1 -F phase,percent_done | head -1)
  wait "$mpid" || { echo "bench: migrdisk failed: $(cat "$home/migrdisk.$r")" >&2; exit 1; }
  ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
  if [[ $still == copying* ]]; then during+=("$v"); ok=overlapped; else ok="NOT overlapped (the move ended first)"; fi
  raw+=("round $r during the move to $to: $v IOPS; at fio's end the job was: ${still:-gone} ($ok); the move took $ms ms")
  echo "bench: ${raw[-1]}" >&2
done
mb=$(printf '%s\n' "${before[@]}" | bench_median)
md=$(printf '%s\n' "${during[@]}" | bench_median)
cmd="${RUNS:+RUNS=$RUNS }${RUNTIME:+RUNTIME=$RUNTIME }${DISK:+DISK=$DISK }${RW:+RW=$RW }${QD:+QD=$QD }${RATE:+RATE=$RATE }bench/diskmig.sh"
{ printf '%s\n' "${raw[@]}"; echo "command: $cmd"; } > "$prefix.txt"
{
  echo "# Disk migration (migrdisk) under fio in the guest"
  echo
  echo "$(date -u '+%Y-%m-%d'), $(bench_provenance | sed 's/^build: //'). Host: $(nproc) cores, shared. Guest fio1 (image fio), 1 VP, TCG; disk $disk of random data; fio $rw 4 KiB qd $qd, $runtime s; copy rate cap ${rate} MB/s (0: none)."
  echo
  echo "| | IOPS (median) | samples |"
  echo "|---|---|---|"
  echo "| no move (anchor) | $mb | ${#before[@]} |"
  echo "| during the move | $md | ${#during[@]} of $runs overlapped the copy |"
  echo "| during / anchor | **$(awk -v a="$md" -v b="$mb" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')** | target >= 0.70 |"
  echo
  echo "Command: \`$cmd\` (raw: [diskmig.txt](diskmig.txt))."
} > "$prefix.md"
cat "$prefix.md"
