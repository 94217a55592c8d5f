#!/usr/bin/env bash
# Activation overhead: from `./parvirt chsysstate -m sys1 -r lpar -o on -n lp1` to the guest's ready
# line (PARVIRT-READY host=lp1) in the partition's console log, against the anchor of the SAME QEMU
# command line started by hand, timed from its exec to the same ready line in its serial output.
# Target (issue): parvirt <= 1.10x the hand-started QEMU.
#
#   parvirt : ready-time.py starts the CLI (JVM start, HTTP to the warm daemon, the daemon's checks,
#             QEMU launch with -daemonize, cgroup, console connect) and polls logs/console/lp1.log
#             every 2 ms for the ready line written after the command started.
#   anchor  : the command line of a parvirt-started QEMU, read from /proc/<pid>/cmdline during a
#             warm-up activation, with only its paths changed: the serial chardev becomes
#             `file,id=serial0,path=...` (QEMU writes the guest's output itself, nobody has to
#             connect), the QMP and agent sockets and the pid file move to the anchor's directory.
#             Same binary, image, accelerator, machine, memory, CPUs, devices and -daemonize. Timed
#             by the same ready-time.py, from exec to the ready line in the serial file.
# Runs alternate (odd rounds parvirt first, even rounds the anchor first), one guest at a time,
# after one warm-up of each. Between runs the partition is shut down with --immed and the anchor's
# QEMU killed by its pid; the next run starts when the previous QEMU is gone.
#
# Profile (PROFILE_RUNS, default 5, 0 to skip): a second home whose qemu.binary is a bash wrapper
# that records when the daemon execs QEMU and when QEMU's -daemonize parent exits (QEMU's setup is
# done), so the parvirt time splits into CLI + daemon up to the exec, QEMU setup, and guest boot.
# The wrapper costs a bash start (~2 ms), so the profile runs are not used for the ratio. Also
# timed: a trivial CLI round trip (lssyscfg -r sys), and the time from the ready line to `Running`
# (the agent answering), polled over the API every 50 ms.
#
# Usage: bench/activation.sh [RUNS]   (default 10 per side, max 50)
# The image is a private copy of $IMAGES_DIR/default (default /work/main/target/test-images, built
# with `./parvirt image build` when missing), so a concurrent rebuild or `mvn clean` cannot change
# it mid-run. Runs a frozen copy of the build (bench_build); the EXIT trap stops the daemons, any
# QEMU of its homes (the anchor's included), and removes the homes and their cgroup directories.
# Writes bench/results/activation.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
runs=${1:-10}
if ! [ "$runs" -ge 1 ] 2>/dev/null || [ "$runs" -gt 50 ]; then echo "usage: $0 [RUNS 1..50]" >&2; exit 2; fi
profile_runs=${PROFILE_RUNS:-5}
if ! [ "$profile_runs" -ge 0 ] 2>/dev/null || [ "$profile_runs" -gt 50 ]; then echo "PROFILE_RUNS must be 0..50" >&2; exit 2; fi
qemu=/usr/bin/qemu-system-x86_64
for c in "$qemu" python3 curl sha256sum; do
  command -v "$c" >/dev/null || { echo "bench: $c is needed" >&2; exit 1; }
done
out="$root/bench/results"
mkdir -p "$out"
result="$out/activation.txt"
timer="python3 $root/bench/ready-time.py"
ready='PARVIRT-READY host=lp1'
bench_build
pv="$BENCH_PARVIRT"
lpar='name=lp1,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.05,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128'

# The shared default image, built when missing (a throw-away home whose images.dir points at it).
bench_images "$pv"
images=$BENCH_IMAGES

# A fresh home with a private copy of the image and partition lp1 defined; sets $home. $1: extra
# properties lines.
new_home() {
  bench_new_home
  home=$BENCH_HOME
  mkdir -p "$home/images"
  cp -rp "$images/default" "$home/images/"
  printf 'images.dir=%s\n%s' "$home/images" "${1:-}" >> "$home/parvirt.properties"
  PARVIRT_HOME="$home" "$pv" mksyscfg -r lpar -m sys1 -i "$lpar"
}

state() { PARVIRT_HOME="$1" "$pv" lssyscfg -r lpar -m sys1 -F state --filter lpar_names=lp1; }

# Shuts lp1 of home $1 down at once and waits (at most 30 s) until its QEMU is gone, the state is
# Not Activated and the run directory is removed (the supervisor's cleanup is over).
parvirt_stop() {
  local h=$1 i
  PARVIRT_HOME="$h" "$pv" chsysstate -m sys1 -r lpar -o shutdown --immed -n lp1
  for i in $(seq 1 300); do
    if [ -z "$(bench_qemu_pids "$h")" ] && [ ! -e "$h/run/lpar/1" ] && [ "$(state "$h")" = "Not Activated" ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "bench: lp1 of $h did not stop within 30 s (state $(state "$h"))" >&2
  exit 1
}

# One parvirt activation of home $1; prints "cmd_ms ready_ms t0_epoch_ns".
parvirt_run() {
  PARVIRT_HOME="$1" $timer "$1/logs/console/lp1.log" "$ready" 300 \
    "$pv" chsysstate -m sys1 -r lpar -o on -n lp1
}

# One hand-started QEMU (the anchor command line); prints "cmd_ms ready_ms t0_epoch_ns".
anchor_run() {
  rm -f "$adir/serial.log" "$adir/qemu.pid"
  $timer "$adir/serial.log" "$ready" 300 "${anchor[@]}"
}

anchor_stop() {
  local pid i
  pid=$(cat "$adir/qemu.pid")
  tr '\0' '\n' < "/proc/$pid/cmdline" | grep -qF -- "$adir/" || { echo "bench: pid $pid is not the anchor" >&2; exit 1; }
  kill "$pid"
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# --- main home, warm-up, the anchor's command line ------------------------------------------------
new_home ''
main=$home
t=$(parvirt_run "$main")
qpid=$(cat "$main"/run/lpar/1/qemu.pid)
mapfile -d '' -t cmdline < "/proc/$qpid/cmdline"
echo "bench: warm-up parvirt activation: $t" >&2
parvirt_stop "$main"

adir="$main/anchor"
mkdir -p "$adir"
run1="$main/run/lpar/1"
anchor=()
for a in "${cmdline[@]}"; do
  case "$a" in
    socket,id=serial0,path=*) a="file,id=serial0,path=$adir/serial.log" ;;
    *"$run1/"*) a=${a//"$run1/"/"$adir/"} ;;
  esac
  anchor+=("$a")
done
if printf '%s\n' "${anchor[@]}" | grep -qF -- "$main/run/"; then
  echo "bench: the anchor command line still names $main/run" >&2; exit 1
fi
t=$(anchor_run)
echo "bench: warm-up anchor: $t" >&2
anchor_stop

# --- alternating measured runs ----------------------------------------------------------------------
# Three sides, in an order that rotates every round: parvirt (the CLI), api (the same chsysstate
# through the daemon's REST API with curl: no JVM start on the client side) and the anchor.
token=$(cat "$main/run/token")
api_run() {
  PARVIRT_HOME="$main" $timer "$main/logs/console/lp1.log" "$ready" 300 \
    curl -sS -o /dev/null --fail --unix-socket "$main/run/api.sock" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    --data-binary '{"argv":["chsysstate","-m","sys1","-r","lpar","-o","on","-n","lp1"]}' http://localhost/api/v1/hmc/cli
}
# CPU time (ms) the main home's daemon has used so far.
daemon_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%d\n", ($12 + $13) * 1000 / hz }' \
    "/proc/$(cat "$main/run/daemon.pid")/stat"
}
declare -A ready_of cmd_of cpu_of
sides=(parvirt api anchor)
rows=()
for ((i = 1; i <= runs; i++)); do
  for ((k = 0; k < 3; k++)); do
    side=${sides[$(( (i - 1 + k) % 3 ))]}
    l=$(load); c=; r=; cpu0=$(daemon_cpu)
    case "$side" in
      parvirt) read -r c r _ < <(parvirt_run "$main") || true ;;
      api) read -r c r _ < <(api_run) || true ;;
      anchor) read -r c r _ < <(anchor_run) || true ;;
    esac
    [ -n "${r:-}" ] || { echo "bench: $side run $i failed" >&2; exit 1; }
    cpu=$(( $(daemon_cpu) - cpu0 ))
    if [ "$side" = anchor ]; then anchor_stop; cpu=-; else parvirt_stop "$main"; fi
    ready_of[$side]+="$r "; cmd_of[$side]+="$c "
    [ "$side" = anchor ] || cpu_of[$side]+="$cpu "
    rows+=("$(printf '%-3d %-8s %9s %9s %6s   %s' "$i" "$side" "$c" "$r" "$cpu" "$l")")
    echo "bench: round $i $side: command ${c} ms, ready ${r} ms, daemon CPU $cpu ms (load $l)" >&2
  done
done
st() { printf '%s\n' $1 | bench_stats; }
p_stats=$(st "${ready_of[parvirt]}")
i_stats=$(st "${ready_of[api]}")
a_stats=$(st "${ready_of[anchor]}")
pc_stats=$(st "${cmd_of[parvirt]}")
ic_stats=$(st "${cmd_of[api]}")
ac_stats=$(st "${cmd_of[anchor]}")
p_med=${p_stats%% *}
i_med=${i_stats%% *}
a_med=${a_stats%% *}
ratio=$(awk -v p="$p_med" -v a="$a_med" 'BEGIN { printf "%.3f", p / a }')
api_ratio=$(awk -v p="$i_med" -v a="$a_med" 'BEGIN { printf "%.3f", p / a }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.10 ? "PASS" : "FAIL") }')
api_verdict=$(awk -v r="$api_ratio" 'BEGIN { print (r <= 1.10 ? "PASS" : "FAIL") }')
# Pairwise: each round's parvirt (api) time over the same round's anchor time, in %.
pairwise() {
  paste -d' ' <(printf '%s\n' $1) <(printf '%s\n' ${ready_of[anchor]}) |
    awk '{ printf "%.2f\n", 100 * $1 / $2 }' | bench_stats
}
pair=$(pairwise "${ready_of[parvirt]}")
api_pair=$(pairwise "${ready_of[api]}")

# --- profile ------------------------------------------------------------------------------------
prof_lines=()
if [ "$profile_runs" -gt 0 ]; then
  wrap="$BENCH_SNAP/qemu-wrap"
  wlog="$BENCH_SNAP/wrap.log"
  cat > "$wrap" <<EOF
#!/usr/bin/env bash
# Records when the daemon runs QEMU and when QEMU's -daemonize parent exits (bench/activation.sh).
echo "exec \$EPOCHREALTIME" >> "$wlog"
$qemu "\$@"
rc=\$?
echo "daemonized \$EPOCHREALTIME \$rc" >> "$wlog"
exit \$rc
EOF
  chmod +x "$wrap"
  new_home "qemu.binary=$wrap
"
  prof=$home
  # the home's daemon is started by new_home's mksyscfg, after the properties were written
  token=$(cat "$prof/run/token")
  parvirt_run "$prof" >/dev/null   # warm-up
  parvirt_stop "$prof"
  declare -a f_cli f_exec f_setup f_boot f_ready f_running f_trivial
  for ((i = 1; i <= profile_runs; i++)); do
    s0=$(bench_now_ns); PARVIRT_HOME="$prof" "$pv" lssyscfg -r sys -m sys1 -F name >/dev/null; s1=$(bench_now_ns)
    f_trivial+=("$(( (s1 - s0) / 1000 ))e-3")
    : > "$wlog"; t0=
    read -r c r t0 < <(parvirt_run "$prof") || true
    [ -n "${t0:-}" ] || { echo "bench: profile run $i failed" >&2; exit 1; }
    # time to Running: poll the API (no JVM start per poll) every 50 ms from the ready line on
    for k in $(seq 1 600); do
      st=$(curl -sS --unix-socket "$prof/run/api.sock" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data-binary '{"argv":["lssyscfg","-r","lpar","-m","sys1","-F","state"]}' \
        http://localhost/api/v1/hmc/cli)
      [ "$st" = Running ] && break
      sleep 0.05
    done
    trun=$(bench_now_ns)
    ex=$(awk '$1 == "exec" { print $2 }' "$wlog")
    dz=$(awk '$1 == "daemonized" { print $2 }' "$wlog")
    read -r e_ms d_ms < <(awk -v t0="$t0" -v e="$ex" -v d="$dz" 'BEGIN { printf "%.1f %.1f\n", e * 1000 - t0 / 1e6, (d - e) * 1000 }')
    f_cli+=("$c"); f_exec+=("$e_ms"); f_setup+=("$d_ms")
    f_boot+=("$(awk -v r="$r" -v e="$e_ms" -v d="$d_ms" 'BEGIN { printf "%.1f", r - e - d }')")
    f_ready+=("$r")
    f_running+=("$(awk -v t="$trun" -v t0="$t0" -v r="$r" 'BEGIN { printf "%.1f", (t - t0) / 1e6 - r }')")
    echo "bench: profile $i: CLI $c ms, QEMU exec at $e_ms ms, setup $d_ms ms, ready $r ms, Running +${f_running[-1]} ms" >&2
    parvirt_stop "$prof"
  done
  med() { printf '%s\n' "$@" | awk '{ printf "%.3f\n", $1 }' | bench_stats | cut -d' ' -f1; }
  prof_lines+=("trivial CLI round trip (lssyscfg -r sys -m sys1 -F name), median: $(med "${f_trivial[@]}") ms")
  prof_lines+=("chsysstate -o on, CLI exit, median:                        $(med "${f_cli[@]}") ms")
  prof_lines+=("CLI start -> daemon execs QEMU, median:                    $(med "${f_exec[@]}") ms")
  prof_lines+=("QEMU exec -> -daemonize parent exits (QEMU setup), median: $(med "${f_setup[@]}") ms")
  prof_lines+=("parent exit -> ready line in the console log, median:      $(med "${f_boot[@]}") ms")
  prof_lines+=("CLI start -> ready line (with the 2 ms wrapper), median:   $(med "${f_ready[@]}") ms")
  prof_lines+=("ready line -> state Running (agent answered), median:      $(med "${f_running[@]}") ms (50 ms polls)")
fi
# The anchor's own QEMU setup time: its timed command is QEMU itself, which returns when daemonized.

{
  echo "# bench/activation.sh $runs  (PROFILE_RUNS=$profile_runs)"
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $($qemu --version | head -1)"
  echo "# accelerator: $(printf '%s\n' "${cmdline[@]}" | grep -m1 accel=), guest: 256 MB, 1 vCPU (maxcpus 2), Debian cloud kernel + parvirt initramfs"
  echo "# $(bench_provenance)"
  echo "# endpoint: '$ready' in the console log (parvirt) / serial file (anchor), polled every 2 ms"
  echo
  echo "QEMU command line (from /proc/<pid>/cmdline of the parvirt-started QEMU):"
  printf '  %q' "${cmdline[@]}"; echo
  echo "anchor command line (same, paths changed):"
  printf '  %q' "${anchor[@]}"; echo
  echo
  echo "round side     cmd_ms  ready_ms daemon_cpu_ms   loadavg(1 5 15) before the run"
  printf '%s\n' "${rows[@]}"
  echo
  echo "stats: median p90 min max mean n (ms)"
  echo "parvirt ready: $p_stats"
  echo "api     ready: $i_stats"
  echo "anchor  ready: $a_stats"
  echo "parvirt CLI (chsysstate -o on) exit: $pc_stats"
  echo "api curl (chsysstate -o on) exit: $ic_stats"
  echo "anchor QEMU exec -> -daemonize parent exit: $ac_stats"
  echo "daemon CPU per activation (CLI start -> ready line), parvirt: $(st "${cpu_of[parvirt]}")"
  echo "daemon CPU per activation (curl start -> ready line), api: $(st "${cpu_of[api]}")"
  echo "pairwise ratio parvirt/anchor per round, in %: $pair"
  echo "pairwise ratio api/anchor per round, in %: $api_pair"
  echo
  echo "median ratio parvirt/anchor: $ratio  (target <= 1.10: $verdict)"
  echo "median ratio api/anchor:     $api_ratio  (same target: $api_verdict)"
  if [ ${#prof_lines[@]} -gt 0 ]; then
    echo
    echo "profile ($profile_runs parvirt runs, QEMU run through a timing wrapper):"
    printf '  %s\n' "${prof_lines[@]}"
  fi
} > "$result"
cat "$result"
