#!/usr/bin/env bash
# Processor and memory DLPAR (issue 13) under TCG: parvirt's chhwres against the same operations
# done by hand with QMP and the guest agent on a plain QEMU of the same command line (the anchor).
# Targets (issue): VP add -> online in the guest <= 2 s and <= 1.2x the anchor; 512 MB add ->
# visible (MemTotal) <= 5 s; 512 MB removed from an idle guest <= 10 s.
#
#   parvirt : partition lp1 (boots with min_mem 1024 MB, max_mem 1536, 1 VP of at most RUNS+1),
#             each operation one `chhwres` through the REST API (POST /api/v1/hmc/cli over the
#             home's Unix socket, curl's time_total): it returns once the guest has the change
#             (vCPU online through guest-set-vcpus; MemTotal grown; virtio-mem size shrunk).
#             Checked after each, untimed: nproc and MemTotal through `guest exec`.
#               vp_add     chhwres -r proc -o a --procs 1     (1 -> 2 ... -> RUNS+1 VPs, a new
#                          vCPU plugged each time: device_add, as the anchor)
#               mem_add    chhwres -r mem -o a -q 512
#               mem_remove chhwres -r mem -o r -q 512         (the guest idle)
#   anchor  : bench/dlpar-anchor.py: the same QEMU command line (QemuCommandLine for that profile),
#             its own sockets, the same QMP commands and agent calls in the same order, one
#             connection per agent call, 50 ms polls (as parvirt's GuestHotplug).
# One guest at a time: parvirt's partition is shut down before the anchor's QEMU starts. Before each
# side the script waits (OTHER_WAIT s budget, default 300) for other sessions' QEMUs to go away and
# for the host to be quiet (under 0.25 core of other load over 2 s), and reports what it waited for.
#
# Usage: bench/dlpar.sh [RUNS]   (default 10, max 20). Writes bench/results/dlpar.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
runs=${1:-10}
if ! [ "$runs" -ge 1 ] 2>/dev/null || [ "$runs" -gt 20 ]; then echo "usage: $0 [RUNS 1..20]" >&2; exit 2; fi
for c in /usr/bin/qemu-system-x86_64 python3 curl; do
  command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }
done
other_wait=${OTHER_WAIT:-300}
out="$root/bench/results"
mkdir -p "$out"
result="$out/dlpar.txt"
bench_build
pv="$BENCH_PARVIRT"
bench_images "$pv"
bench_new_home
home=$BENCH_HOME
mkdir -p "$home/images"
cp -rp "$BENCH_IMAGES/default" "$home/images/"
printf 'images.dir=%s\naccel=tcg\n' "$home/images" >> "$home/parvirt.properties"
. "$root/bench/quiet.sh"
maxp=$((runs + 1))
PARVIRT_HOME="$home" "$pv" mksyscfg -r lpar -m sys1 -i "name=lp1,profile_name=default,lpar_env=aixlinux,min_mem=1024,desired_mem=1024,max_mem=1536,proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.6,max_proc_units=2.0,min_procs=1,desired_procs=1,max_procs=$maxp,sharing_mode=uncap,uncap_weight=128"

# POST one HMC command to the daemon; prints "EXIT SECONDS"; the body goes to $home/last.out.
api() {
  local argv json
  argv=$(printf '"%s",' "$@")
  json="{\"argv\":[${argv%,}]}"
  curl -s --unix-socket "$home/run/api.sock" -H "Authorization: Bearer $(cat "$home/run/token")" \
    -X POST localhost/api/v1/hmc/cli -d "$json" -o "$home/last.out" -D "$home/last.hdr" -w '%{time_total}\n' \
    | { read -r t; printf '%s %s\n' "$(grep -i '^X-Parvirt-Exit-Code' "$home/last.hdr" | tr -dc '0-9')" "$t"; }
}
guest() { # runs a command in lp1, prints its stdout
  local argv
  argv=$(printf '"%s",' "$@")
  curl -s --unix-socket "$home/run/api.sock" -H "Authorization: Bearer $(cat "$home/run/token")" \
    -X POST localhost/api/v1/partitions/lp1/exec -d "{\"argv\":[${argv%,}]}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["stdout"].strip())'
}
memtotal_mb() { guest cat /proc/meminfo | awk '/^MemTotal:/ { print int($2 / 1024) }'; }
state() { PARVIRT_HOME="$home" "$pv" lssyscfg -r lpar -m sys1 -F state --filter lpar_names=lp1; }
timed() { # OP CHECK-DESCRIPTION chhwres-args...: one timed operation, appended to $home/OP.ms
  local op=$1 r ec t
  shift
  r=$(api chhwres -m sys1 "$@")
  ec=${r% *}
  t=${r#* }
  if [ "$ec" != 0 ]; then echo "bench: chhwres $* failed: $(cat "$home/last.out")" >&2; exit 1; fi
  awk -v t="$t" 'BEGIN { printf "%.1f\n", t * 1000 }' >> "$home/$op.ms"
}

# --- parvirt ----------------------------------------------------------------------------------------
PARVIRT_HOME="$home" "$pv" chsysstate -m sys1 -r lpar -o on -n lp1
for i in $(seq 1 1200); do [ "$(state)" = Running ] && break; sleep 0.25; done
[ "$(state)" = Running ] || { echo "bench: lp1 did not reach Running" >&2; exit 1; }
wait_others "parvirt"
for i in $(seq 1 "$runs"); do
  timed vp_add -r proc -o a -p lp1 --procs 1 -w 2
  n=$(guest nproc)
  [ "$n" = $((i + 1)) ] || { echo "bench: nproc is $n after add $i" >&2; exit 1; }
done
base=$(memtotal_mb)
for i in $(seq 1 "$runs"); do
  timed mem_add -r mem -o a -p lp1 -q 512 -w 2
  m=$(memtotal_mb)
  [ "$m" -ge $((base + 507)) ] || { echo "bench: MemTotal $m MB after adding 512 to $base" >&2; exit 1; }
  timed mem_remove -r mem -o r -p lp1 -q 512 -w 2
  m=$(memtotal_mb)
  [ "$m" -le $((base + 5)) ] || { echo "bench: MemTotal $m MB after removing 512 (base $base)" >&2; exit 1; }
done
PARVIRT_HOME="$home" "$pv" chsysstate -m sys1 -r lpar -o shutdown --immed -n lp1
for i in $(seq 1 300); do [ -z "$(bench_qemu_pids "$home")" ] && break; sleep 0.1; done

# --- anchor -----------------------------------------------------------------------------------------
wait_others "anchor"
python3 "$root/bench/dlpar-anchor.py" "$home/anchor" "$home/images/default/vmlinuz" \
  "$home/images/default/initramfs.img" "$runs" > "$home/anchor.out"
for op in vp_add mem_add mem_remove; do
  awk -v op="$op" '$2 == op { printf "%.1f\n", $3 * 1000 }' "$home/anchor.out" > "$home/anchor_$op.ms"
done

# --- report -----------------------------------------------------------------------------------------
med() { bench_stats < "$1" | cut -d' ' -f1; }
{
  echo "bench/dlpar.sh $runs  ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, QEMU $(/usr/bin/qemu-system-x86_64 --version | head -1 | awk '{ print $4 }'), TCG)"
  bench_provenance
  if [ "${#wait_log[@]}" -gt 0 ]; then printf 'quiet: %s\n' "${wait_log[@]}"; else echo "quiet: no other QEMU and under 0.25 core of other load before each side"; fi
  echo "stats: median p90 min max mean n (ms)"
  for op in vp_add mem_add mem_remove; do
    printf '%-11s parvirt %s | anchor %s\n' "$op" "$(bench_stats < "$home/$op.ms")" "$(bench_stats < "$home/anchor_$op.ms")"
  done
  vp=$(med "$home/vp_add.ms"); avp=$(med "$home/anchor_vp_add.ms")
  ma=$(med "$home/mem_add.ms"); mr=$(med "$home/mem_remove.ms")
  awk -v p="$vp" -v a="$avp" 'BEGIN { r = p / a; printf "VP add: median %.0f ms (target <= 2000: %s), %.2fx the anchor (target <= 1.2: %s)\n", p, p <= 2000 ? "met" : "MISSED", r, r <= 1.2 ? "met" : "MISSED" }'
  awk -v p="$ma" 'BEGIN { printf "512 MB add -> MemTotal: median %.0f ms (target <= 5000: %s)\n", p, p <= 5000 ? "met" : "MISSED" }'
  awk -v p="$mr" 'BEGIN { printf "512 MB remove (idle guest): median %.0f ms (target <= 10000: %s)\n", p, p <= 10000 ? "met" : "MISSED" }'
} | tee "$result"
