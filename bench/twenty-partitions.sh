#!/usr/bin/env bash
# 20 partitions of 256 MB activated together: the time until all are `Running` (target: within
# 60 s), then each QEMU's resident memory beyond guest memory, against one hand-started QEMU with
# the same command line, and what parvirt counts for it in sys_firmware_mem (qemu.overhead_mb).
#
#   activation : lp01..lp20 (desired_mem 256, max_mem 512, 0.1 shared units, 1 virtual processor,
#                max 2) are defined in one mksyscfg -f; then 20 `./parvirt chsysstate -o on`
#                commands run back to back (MODE=parallel: all 20 at once, in the background). The
#                clock starts before the first command; `lssyscfg -F name,state` is polled over the
#                API (curl, no JVM start per poll) every 250 ms until every partition is Running.
#   memory     : SETTLE seconds (default 10) after the last one is Running, for each partition:
#                `./parvirt guest exec -- cat /proc/meminfo` (the guest's own MemTotal - MemFree),
#                then bench/qemu-mem.py on its QEMU: VmRSS, Pss (smaps_rollup), the Rss of the guest
#                RAM mapping (what the guest has touched, as the host sees it), the TCG code buffer,
#                file-backed and other anonymous memory. QEMU's own memory = VmRSS - guest RAM Rss;
#                as the issue words it, also VmRSS - the guest's own used memory. Sampled again
#                LATE seconds (default 60) after all were Running, to show growth.
#   anchor     : before the 20, the command line of a parvirt-started lp01 QEMU (from
#                /proc/<pid>/cmdline), paths changed as in bench/activation.sh, started by hand,
#                measured by qemu-mem.py SETTLE s after its ready line (alone on the machine).
#   accounting : lshwres -r mem --level sys (sys_firmware_mem, curr_avail_sys_mem) with none and
#                with all 20 active; the daemon's own VmRSS; the host's MemAvailable drop.
# At the end every partition is shut down (--immed), and no QEMU of this run may remain (checked).
# Usage: bench/twenty-partitions.sh [COUNT]   (default 20, max 40)
# Env: MODE, SETTLE, LATE, KERNEL_EXTRA (below), OUT (the result file).
# Runs a frozen copy of the build and a private copy of the image (see bench/activation.sh); the
# EXIT trap stops the daemon and any QEMU of its home. Writes bench/results/twenty-partitions.txt
# (MODE=parallel: twenty-partitions-parallel.txt; another COUNT: ...-nCOUNT.txt; OUT=FILE: FILE).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
n=${1:-20}
if ! [ "$n" -ge 1 ] 2>/dev/null || [ "$n" -gt 40 ]; then echo "usage: $0 [COUNT 1..40]" >&2; exit 2; fi
mode=${MODE:-serial}
case "$mode" in serial | parallel) ;; *) echo "MODE must be serial or parallel" >&2; exit 2 ;; esac
settle=${SETTLE:-10}
late=${LATE:-60}
qemu=/usr/bin/qemu-system-x86_64
for c in "$qemu" python3 curl sha256sum; do
  command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }
done
out="$root/bench/results"
mkdir -p "$out"
# The committed figures are those of 20 partitions; other counts write beside them.
result="$out/twenty-partitions$([ "$mode" = serial ] || echo "-$mode")$([ "$n" -eq 20 ] || echo "-n$n").txt"
result=${OUT:-$result}
mem_mb=256
bench_build
pv="$BENCH_PARVIRT"

bench_images "$pv"
images=$BENCH_IMAGES
bench_new_home
home=$BENCH_HOME
export PARVIRT_HOME="$home"
mkdir -p "$home/images"
cp -rp "$images/default" "$home/images/"
printf 'images.dir=%s\n' "$home/images" >> "$home/parvirt.properties"
# KERNEL_EXTRA (e.g. no_timer_check): words appended to the guest kernel's command line, through a
# qemu.binary wrapper that rewrites QEMU's -append argument and execs QEMU (parvirt has no setting
# for it): to try a guest-side fix without changing parvirt.
kernel_extra=${KERNEL_EXTRA:-}
if [ -n "$kernel_extra" ]; then
  case "$kernel_extra" in *[!A-Za-z0-9_=.,\ -]*) echo "bench: KERNEL_EXTRA: letters, digits, _ = . , - and blanks only" >&2; exit 2 ;; esac
  cat > "$BENCH_SNAP/qemu-append" <<EOF
#!/usr/bin/env bash
# bench/twenty-partitions.sh: appends "$kernel_extra" to the -append argument, then runs QEMU.
args=() prev=
for a in "\$@"; do
  if [ "\$prev" = -append ]; then a="\$a $kernel_extra"; fi
  args+=("\$a"); prev=\$a
done
exec $qemu "\${args[@]}"
EOF
  chmod +x "$BENCH_SNAP/qemu-append"
  printf 'qemu.binary=%s\n' "$BENCH_SNAP/qemu-append" >> "$home/parvirt.properties"
fi

names=()
for ((i = 1; i <= n; i++)); do
  names+=("$(printf 'lp%02d' "$i")")
  printf 'name=%s,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=%d,max_mem=512,proc_mode=shared,min_proc_units=0.05,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128\n' \
    "${names[-1]}" "$mem_mb"
done > "$home/partitions.txt"
"$pv" mksyscfg -r lpar -m sys1 -f "$home/partitions.txt"
token=$(cat "$home/run/token")
cli() { # argv as JSON strings, through the API
  curl -sS --unix-socket "$home/run/api.sock" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "{\"argv\":[$1]}" http://localhost/api/v1/hmc/cli
}
declare -A id
while IFS=, read -r nm i; do id[$nm]=$i; done < <("$pv" lssyscfg -r lpar -m sys1 -F name,lpar_id)
mem_sys() { "$pv" lshwres -r mem -m sys1 --level sys -F sys_firmware_mem,curr_avail_sys_mem; }
host_avail() { awk '/MemAvailable/ { print $2 }' /proc/meminfo; }
mem_none=$(mem_sys)
ready() { printf 'PARVIRT-READY host=%s' "$1"; }

# Waits (at most $2 s) for the ready line of $1 in file $3.
wait_line() {
  local line=$1 max=$2 f=$3 i
  for ((i = 0; i < max * 10; i++)); do
    grep -qF -- "$line" "$f" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: '$line' did not appear in $f within $max s" >&2; exit 1
}

# --- the anchor: lp01's command line, by hand -------------------------------------------------------
"$pv" chsysstate -m sys1 -r lpar -o on -n lp01
wait_line "$(ready lp01)" 300 "$home/logs/console/lp01.log"
run1="$home/run/lpar/${id[lp01]}"
mapfile -d '' -t cmdline < "/proc/$(cat "$run1/qemu.pid")/cmdline"
"$pv" chsysstate -m sys1 -r lpar -o shutdown --immed -n lp01
for i in $(seq 1 300); do [ -e "$run1" ] || break; sleep 0.1; done
adir="$home/anchor"
mkdir -p "$adir"
anchor=()
for a in "${cmdline[@]}"; do
  case "$a" in
    socket,id=serial0,path=*) a="file,id=serial0,path=$adir/serial.log" ;;
    *"$run1/"*) a=${a//"$run1/"/"$adir/"} ;;
  esac
  anchor+=("$a")
done
"${anchor[@]}"
wait_line "$(ready lp01)" 300 "$adir/serial.log"
sleep "$settle"
apid=$(cat "$adir/qemu.pid")
anchor_mem=$(python3 "$root/bench/qemu-mem.py" "$apid" "$mem_mb")
kill "$apid"
for i in $(seq 1 100); do kill -0 "$apid" 2>/dev/null || break; sleep 0.1; done
echo "bench: anchor (hand-started QEMU) memory, kB: $anchor_mem" >&2

# --- activate all ---------------------------------------------------------------------------------
avail_before=$(host_avail)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
sleep 1
# CPU accounting over the activation window, to tell this run's load from anybody else's:
# /proc/stat's busy and steal time of the whole machine, and the CPU time of this run's QEMUs.
stat_cpu() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
other_qemus=$( { pgrep -f '^/usr/bin/qemu-system|^qemu-system' || true; } | wc -l)
read -r busy0 steal0 total0 < <(stat_cpu)
dcpu0=$(bench_proc_ticks "$(cat "$home/run/daemon.pid")")
t0=$(bench_now_ns)
if [ "$mode" = serial ]; then
  for nm in "${names[@]}"; do "$pv" chsysstate -m sys1 -r lpar -o on -n "$nm"; done
else
  pids=()
  for nm in "${names[@]}"; do "$pv" chsysstate -m sys1 -r lpar -o on -n "$nm" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p"; done
fi
t_cmds=$(bench_now_ns)
declare -A running_ms=()
deadline=$((t0 + 300 * 1000000000))
while :; do
  now=$(bench_now_ns)
  while IFS=, read -r nm st; do
    case "$st" in
      Running) [ -n "${running_ms[$nm]:-}" ] || running_ms[$nm]=$(( (now - t0) / 1000000 )) ;;
      Error)
        err="$nm is in Error $(( (now - t0) / 1000000 )) ms after the first command: $(cli '"lsrefcode","-r","lpar","-m","sys1","--filter","lpar_names='"$nm"'"')"
        printf '# bench/twenty-partitions.sh %s  (MODE=%s), %s\n# %s\nFAIL: %s\n' "$n" "$mode" \
          "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$(bench_provenance)" "$err" > "$result"
        echo "bench: $err" >&2
        exit 1 ;;
    esac
  done < <(cli '"lssyscfg","-r","lpar","-m","sys1","-F","name,state"')
  [ "${#running_ms[@]}" -eq "$n" ] && break
  if [ "$now" -gt "$deadline" ]; then echo "bench: not all Running after 300 s (${#running_ms[@]} of $n)" >&2; exit 1; fi
  sleep 0.25
done
t_all=$(bench_now_ns)
read -r busy1 steal1 total1 < <(stat_cpu)
qpids=()
for nm in "${names[@]}"; do qpids+=("$(cat "$home/run/lpar/${id[$nm]}/qemu.pid")"); done
qcpu=$(bench_proc_ticks "${qpids[@]}")
dcpu=$(( $(bench_proc_ticks "$(cat "$home/run/daemon.pid")") - dcpu0 ))
# shares of the machine's CPU time over the window (all CPUs = 100 %)
cpu_line=$(awk -v b="$((busy1 - busy0))" -v st="$((steal1 - steal0))" -v t="$((total1 - total0))" -v q="$qcpu" -v d="$dcpu" \
  'BEGIN { printf "machine busy %.0f %%, steal %.0f %%; this run'"'"'s QEMUs %.0f %%, its daemon %.0f %%, everything else (CLIs, polls, other users) %.0f %%", 100 * b / t, 100 * st / t, 100 * q / t, 100 * d / t, 100 * (b - q - d) / t }')
all_ms=$(( (t_all - t0) / 1000000 ))
cmds_ms=$(( (t_cmds - t0) / 1000000 ))
verdict=$([ "$all_ms" -le 60000 ] && echo PASS || echo FAIL)
ready_ms=$(printf '%s\n' "${running_ms[@]}" | bench_stats)
echo "bench: all $n Running after $all_ms ms (commands done after $cmds_ms ms): $verdict" >&2
mem_all=$(mem_sys)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- memory -----------------------------------------------------------------------------------------
sleep "$settle"
rows=()
for nm in "${names[@]}"; do
  mi=$("$pv" guest exec -m sys1 -p "$nm" -- cat /proc/meminfo)
  used=$(awk '/^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 } END { print t - f, t }' <<<"$mi")
  pid=$(cat "$home/run/lpar/${id[$nm]}/qemu.pid")
  m=$(python3 "$root/bench/qemu-mem.py" "$pid" "$mem_mb")
  rows+=("$nm $pid $m $used")
done
avail_all=$(host_avail)
dpid=$(cat "$home/run/daemon.pid")
daemon_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$dpid/status")
daemon_pss=$(awk '/^Pss:/ { print $2 }' "/proc/$dpid/smaps_rollup")

# Later sample: growth of QEMU's own memory with uptime (TCG code buffer, mostly).
now=$(bench_now_ns)
wait_s=$(( late - (now - t_all) / 1000000000 ))
[ "$wait_s" -gt 0 ] && sleep "$wait_s"
late_rows=()
for nm in "${names[@]}"; do
  pid=$(cat "$home/run/lpar/${id[$nm]}/qemu.pid")
  late_rows+=("$nm $pid $(python3 "$root/bench/qemu-mem.py" "$pid" "$mem_mb")")
done

# --- shut down, verify nothing is left -----------------------------------------------------------------
for nm in "${names[@]}"; do "$pv" chsysstate -m sys1 -r lpar -o shutdown --immed -n "$nm"; done
for i in $(seq 1 300); do
  [ -z "$(bench_qemu_pids "$home")" ] && [ -z "$(ls "$home/run/lpar" 2>/dev/null)" ] && break
  sleep 0.1
done
left=$(bench_qemu_pids "$home" | wc -l)
states=$("$pv" lssyscfg -r lpar -m sys1 -F state | sort | uniq -c | awk '{ $1 = $1; print }' | paste -sd, -)
mem_after=$(mem_sys)
cg_left=$(for d in $(bench_cgroup_dirs "$home"); do find "$d" -mindepth 1 -maxdepth 1 -type d; done | wc -l)
cg_home=$(bench_cgroup_dirs "$home" | wc -l)
cgroup_warnings=$(grep -c 'not removed' "$home/logs/daemon.log" || true)

# --- report -----------------------------------------------------------------------------------------
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# columns: name pid vmrss pss guest tcg file other gused gtotal
col_stats() { # $1: awk expression over the row fields, in kB -> stats in MB
  printf '%s\n' "${rows[@]}" | awk "{ printf \"%.1f\\n\", ($1) / 1024 }" | bench_stats
}
s_rss=$(col_stats '$3')
s_pss=$(col_stats '$4')
s_guest=$(col_stats '$5')
s_gused=$(col_stats '$9')
s_own=$(col_stats '$3 - $5')
s_own_pss=$(col_stats '$4 - $5')
s_own_gused=$(col_stats '$3 - $9')
s_tcg=$(col_stats '$6')
s_file=$(col_stats '$7')
s_other=$(col_stats '$8')
l_own=$(printf '%s\n' "${late_rows[@]}" | awk '{ printf "%.1f\n", ($3 - $5) / 1024 }' | bench_stats)
l_own_pss=$(printf '%s\n' "${late_rows[@]}" | awk '{ printf "%.1f\n", ($4 - $5) / 1024 }' | bench_stats)
l_tcg=$(printf '%s\n' "${late_rows[@]}" | awk '{ printf "%.1f\n", $6 / 1024 }' | bench_stats)
sum_pss=$(printf '%s\n' "${rows[@]}" | awk '{ s += $4 } END { printf "%.1f", s / 1024 }')
read -r a_rss a_pss a_guest a_tcg a_file a_other <<<"$anchor_mem"
a_own=$(awk -v r="$a_rss" -v g="$a_guest" 'BEGIN { printf "%.1f", (r - g) / 1024 }')
a_own_pss=$(awk -v r="$a_pss" -v g="$a_guest" 'BEGIN { printf "%.1f", (r - g) / 1024 }')
own_med=${s_own%% *}
own_ratio=$(awk -v p="$own_med" -v a="$a_own" 'BEGIN { printf "%.2f", p / a }')
host_drop=$(awk -v b="$avail_before" -v a="$avail_all" 'BEGIN { printf "%.0f", (b - a) / 1024 }')

{
  echo "# bench/twenty-partitions.sh $n  (MODE=$mode SETTLE=$settle LATE=$late)"
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $($qemu --version | head -1)"
  echo "# $n partitions: desired_mem $mem_mb MB (max 512), 1 virtual processor (max 2), 0.1 shared units; $(printf '%s\n' "${cmdline[@]}" | grep -m1 accel=)"
  echo "# $(bench_provenance)"
  echo "# transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
  echo "# guest kernel command line: $(printf '%s\n' "${cmdline[@]}" | grep -A1 -x -- -append | tail -1)${kernel_extra:+  (KERNEL_EXTRA=$kernel_extra)}"
  echo
  echo "activation ($mode): load average before $load_before, after $load_after"
  echo "  $n chsysstate -o on commands done after: $cmds_ms ms"
  echo "  all $n Running after:                      $all_ms ms   (target <= 60000 ms: $verdict)"
  echo "  CPU over that window: $cpu_line"
  echo "  QEMU processes on the machine before the activation (other homes, tests): $other_qemus"
  echo "  per partition, time to Running (ms; median p90 min max mean n): $ready_ms"
  echo "  per partition, ms to Running: $(for nm in "${names[@]}"; do printf '%s=%s ' "$nm" "${running_ms[$nm]}"; done)"
  echo
  echo "memory, kB, $settle s after all were Running (guest_used = the guest's MemTotal - MemFree):"
  echo "  name pid vmrss pss guest_ram_rss tcg_rss file_rss other_anon_rss guest_used guest_memtotal"
  printf '  %s\n' "${rows[@]}"
  echo "anchor (hand-started QEMU, alone, $settle s after its ready line), kB:"
  echo "  vmrss pss guest_ram_rss tcg_rss file_rss other_anon_rss: $anchor_mem"
  echo
  echo "per partition, MB (median p90 min max mean n):"
  echo "  VmRSS                              $s_rss"
  echo "  Pss                                $s_pss"
  echo "  guest RAM resident (host view)     $s_guest"
  echo "  guest used (MemTotal - MemFree)    $s_gused"
  echo "  VmRSS - guest RAM resident         $s_own      anchor: $a_own   (ratio of medians $own_ratio)"
  echo "  Pss - guest RAM resident           $s_own_pss      anchor: $a_own_pss (alone: nothing shared)"
  echo "  VmRSS - guest used                 $s_own_gused"
  echo "  of which TCG code buffer           $s_tcg      anchor: $(mb "$a_tcg")"
  echo "  of which file-backed               $s_file      anchor: $(mb "$a_file")"
  echo "  of which other anonymous           $s_other      anchor: $(mb "$a_other")"
  echo "  at ${late} s after all Running: VmRSS - guest RAM $l_own; Pss - guest RAM $l_own_pss; TCG $l_tcg"
  echo "  sum of the $n QEMUs' Pss: $sum_pss MB; host MemAvailable fell by $host_drop MB"
  echo "  parvirt daemon: VmRSS $(mb "$daemon_rss") MB, Pss $(mb "$daemon_pss") MB"
  echo
  echo "lshwres -r mem --level sys -F sys_firmware_mem,curr_avail_sys_mem:"
  echo "  none active: $mem_none;  $n active: $mem_all;  after shutdown: $mem_after"
  echo
  echo "after shutdown: states $states; QEMU processes of this home left: $left;"
  echo "  per-partition cgroups left: $cg_left; per-home cgroup directories left by parvirt: $cg_home; daemon log 'not removed' warnings: $cgroup_warnings"
} > "$result"
cat "$result"
if [ "$left" -ne 0 ]; then echo "bench: $left QEMU processes were left running" >&2; exit 1; fi
