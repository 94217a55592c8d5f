#!/usr/bin/env bash
# Disk I/O inside the guest after snapshots (issue 19: "disk I/O inside the guest after 3 snapshots
# >= 0.8 x before, fio, 4 KiB random"). fio in a TCG partition on a virtual SCSI disk served by the
# VIOS, against the same fio on the same disk with no snapshot (the anchor), in the same run,
# interleaved: a round is fio with no snapshot, then three `mklparsnap --nomem` (each one a
# copy-on-write layer more in the VIOS's storage server), then fio again with the three layers in
# place, then `rmlparsnap` of the three (merged back), so every round starts from a flat disk.
#   The "after" fio writes into the top layer and reads through the chain: a block written before
#   the snapshots is found in the base (three layers looked through), a block the fio rewrote
#   since in the top. Both rows (read, write) are mixed in one randrw job, as bench/diskmig.sh does.
#   Setup as bench/guest-fio.sh: `parvirt image build fio --with fio`; VIOS1 (vioserver) and fio1
#   (parvirt_image=fio, 1 VP, 1.0 units uncapped, 1024 MB); pool pool1; a DISK backing device
#   filled with random data (no holes).
#
# Usage: bench/snapfio.sh   (RUNS=5, RUNTIME=5 s, DISK=1G, RW=randrw, QD=16, SNAPS=3)
# Writes bench/results/snapfio.txt (raw) and .md (table).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
if [ $# -ne 0 ]; then echo "usage: $0   (no arguments; RUNS, RUNTIME, DISK, RW, QD, SNAPS, NOBUILD in the environment)" >&2; exit 2; fi
for c in python3 jq; do command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }; done
runs=${RUNS:-5}
runtime=${RUNTIME:-5}
disk=${DISK:-1G}
rw=${RW:-randrw}
qd=${QD:-16}
snaps=${SNAPS:-3}
out="$root/bench/results"
mkdir -p "$out"
prefix=$out/snapfio
trap 'bench_stop_storage; bench_cleanup; bench_cpuset_cleanup' EXIT

if [ "${NOBUILD:-0}" = 1 ]; then bench_freeze_nobuild; else bench_build; fi
pv="$BENCH_PARVIRT"
bench_fio_home "$pv"
bench_fio_vios_client "$pv" "$disk" 8G pool1
bench_fio_guest
raw=()
declare -a before=() after=()
gexec /usr/bin/fio ${fio_args/--runtime=$runtime/--runtime=2} > /dev/null # warm-up
for ((r = 1; r <= runs; r++)); do
  raw+=("round $r load: $(uptime | sed 's/.*load average/load average/')")
  v=$(gexec /usr/bin/fio $fio_args | iops)
  before+=("$v")
  raw+=("round $r no snapshot (anchor): $v IOPS")
  for ((s = 1; s <= snaps; s++)); do
    "$pv" mklparsnap -m sys1 -p fio1 -n "r$r-s$s" --nomem
  done
  layers=$("$pv" lslparsnap -m sys1 -p fio1 -F name | wc -l)
  v=$(gexec /usr/bin/fio $fio_args | iops)
  after+=("$v")
  raw+=("round $r after $snaps snapshots ($layers listed): $v IOPS")
  echo "bench: ${raw[-2]} / ${raw[-1]}" >&2
  for ((s = snaps; s >= 1; s--)); do
    "$pv" rmlparsnap -m sys1 -p fio1 -n "r$r-s$s"
  done
done
mb=$(printf '%s\n' "${before[@]}" | bench_median)
ma=$(printf '%s\n' "${after[@]}" | bench_median)
cmd="${RUNS:+RUNS=$RUNS }${RUNTIME:+RUNTIME=$RUNTIME }${DISK:+DISK=$DISK }${RW:+RW=$RW }${QD:+QD=$QD }${SNAPS:+SNAPS=$SNAPS }bench/snapfio.sh"
{ printf '%s\n' "${raw[@]}"; echo "command: $cmd"; } > "$prefix.txt"
{
  echo "# fio in the guest after $snaps snapshots, against none"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(bench_provenance | sed 's/^build: //'). Host: $(nproc) cores. Guest fio1 (image fio), 1 VP, TCG; disk $disk of random data through the VIOS; fio $rw 4 KiB qd $qd, $runtime s."
  echo
  echo "| | IOPS (median) | rounds | each |"
  echo "|---|---|---|---|"
  echo "| no snapshot (anchor) | $mb | ${#before[@]} | ${before[*]} |"
  echo "| after $snaps snapshots | $ma | ${#after[@]} | ${after[*]} |"
  echo "| after / anchor | **$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')** | target >= 0.80 | |"
  echo
  echo "Command: \`$cmd\` (raw: [snapfio.txt](snapfio.txt))."
} > "$prefix.md"
cat "$prefix.md"
