#!/usr/bin/env bash
# The VIOS data path (issue 6): parvirt's NBD server against qemu-nbd and nbdkit (Debian's), all
# three serving the same backing file over a Unix socket to the same client, fio's nbd engine
# (libnbd). Target: parvirt >= 1.0x qemu-nbd on every row.
#
# Rows (fio, one job = one NBD connection, iodepth DEPTH, RUNTIME s each, 1 s ramp not counted):
#   seq-read-1M, seq-write-1M, rand-read-4k, rand-write-4k at iodepth DEPTH (16), and the two
#   random rows again at iodepth 1, where each request's own cost (not batching) decides.
# Order: all three servers run at once (an idle one costs nothing); every round measures each row
# on each server, one after the other, and rounds repeat REPEATS times, so drift in the machine's
# load (2 cores shared with other sessions) falls on all three alike. A warm-up round (2 s per run,
# JIT and page cache) is not counted. Per row and server: the median of the rounds, and the
# server process's CPU time per second of the run (utime + stime from /proc/PID/stat).
#
# The servers, configured alike: no cache of their own beyond the host's page cache, FLUSH (and
# FUA) = fdatasync, several connections allowed:
#   parvirt : java io.parvirt.vios.nbd.NbdServerMain --socket-dir D --export bench=FILE
#             (its default: a connection polls up to 32 us for the next request before sleeping)
#   parvirt-nopoll: the same with --poll-us 0 (always sleeps), to show what polling buys and costs
#   qemu-nbd: qemu-nbd -f raw --cache=writeback --aio=threads -t -e 16 -x bench --socket=S FILE
#             (--cache=writeback is qemu-nbd's default: page cache used, flushes honoured)
#   nbdkit  : nbdkit -f -U S file file=FILE   (16 threads, its default; cache=default, fdatasync)
# The backing file (SIZE_MB, default 1024 MiB of random data) is on /tmp's file system and in
# the page cache before the first run, as a pool's file would be.
#
# Usage: bench/nbd.sh   Env: RUNTIME (5) REPEATS (3) DEPTH (16) SIZE_MB (1024) NOBUILD=1 (use
# target/parvirt.jar as it is), ROWS="rand-read-4k-qd1 ..." (only the rows named). Run under `flock /tmp/parvirt-heavy.lock` on a shared machine.
# Writes bench/results/nbd.txt (OUT=FILE: FILE instead).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
runtime=${RUNTIME:-5}
repeats=${REPEATS:-3}
depth=${DEPTH:-16}
size_mb=${SIZE_MB:-1024}
out="$root/bench/results"
mkdir -p "$out"
result=${OUT:-$out/nbd.txt}

need=()
command -v fio >/dev/null || need+=(fio)
command -v qemu-nbd >/dev/null || need+=(qemu-utils)
command -v nbdkit >/dev/null || need+=(nbdkit)
command -v jq >/dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq "${need[@]}" >&2; else echo "bench: needs ${need[*]}" >&2; exit 1; fi
fi
fio --enghelp=nbd >/dev/null 2>&1 || { echo "bench: this fio has no nbd engine" >&2; exit 1; }

if [ "${NOBUILD:-0}" = 1 ]; then bench_freeze_nobuild; else bench_build; fi
cp="$BENCH_SNAP/target/parvirt.jar:$BENCH_SNAP/target/lib/*"

work=$(mktemp -d /tmp/parvirt-nbd-bench-XXXXXX)
pids=()
nbd_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  rm -rf "$work"
  bench_cleanup
}
trap nbd_cleanup EXIT

file=$work/disk.img
echo "bench: writing the ${size_mb} MiB backing file" >&2
dd if=/dev/urandom of="$file" bs=1M count="$size_mb" status=none
sync "$file"

mkdir -p "$work/parvirt"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED -Dparvirt.log.dir="$work" -cp "$cp" \
  io.parvirt.vios.nbd.NbdServerMain --socket-dir "$work/parvirt" --export "bench=$file" >"$work/parvirt.out" 2>&1 &
pids+=($!); pid_parvirt=$!
mkdir -p "$work/nopoll"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED -Dparvirt.log.dir="$work/nopoll" -cp "$cp" \
  io.parvirt.vios.nbd.NbdServerMain --socket-dir "$work/nopoll" --export "bench=$file" --poll-us 0 >"$work/nopoll.out" 2>&1 &
pids+=($!); pid_nopoll=$!
qemu-nbd -f raw --cache=writeback --aio=threads -t -e 16 -x bench --socket="$work/qemu.sock" "$file" >"$work/qemu.out" 2>&1 &
pids+=($!); pid_qemu=$!
nbdkit -f -U "$work/nbdkit.sock" file file="$file" >"$work/nbdkit.out" 2>&1 &
pids+=($!); pid_nbdkit=$!
for s in "$work/parvirt/bench.sock" "$work/nopoll/bench.sock" "$work/qemu.sock" "$work/nbdkit.sock"; do
  for _ in $(seq 1 200); do [ -S "$s" ] && break; sleep 0.05; done
  [ -S "$s" ] || { echo "bench: no socket $s" >&2; cat "$work"/*.out >&2; exit 1; }
done
declare -A uri=(
  [parvirt]="nbd+unix:///bench?socket=$work/parvirt/bench.sock"
  [parvirt-nopoll]="nbd+unix:///bench?socket=$work/nopoll/bench.sock"
  [qemu-nbd]="nbd+unix:///bench?socket=$work/qemu.sock"
  [nbdkit]="nbd+unix:///bench?socket=$work/nbdkit.sock"
)
declare -A pid=([parvirt]=$pid_parvirt [parvirt-nopoll]=$pid_nopoll [qemu-nbd]=$pid_qemu [nbdkit]=$pid_nbdkit)
servers=(parvirt parvirt-nopoll qemu-nbd nbdkit)
rows=("seq-read-1M read 1M $depth" "seq-write-1M write 1M $depth" "rand-read-4k randread 4k $depth"
  "rand-write-4k randwrite 4k $depth" "rand-read-4k-qd1 randread 4k 1" "rand-write-4k-qd1 randwrite 4k 1")
if [ -n "${ROWS:-}" ]; then # ROWS="name ...": only those rows
  picked=()
  for r in "${rows[@]}"; do [[ " $ROWS " == *" ${r%% *} "* ]] && picked+=("$r"); done
  [ ${#picked[@]} -gt 0 ] || { echo "bench: ROWS names none of: ${rows[*]%% *}" >&2; exit 2; }
  rows=("${picked[@]}")
fi

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# run SERVER RW BS DEPTH SECONDS -> "MiB/s IOPS server-CPU-%"
run() {
  local s=$1 rw=$2 bs=$3 qd=$4 secs=$5 t0 t1 c0 c1 json
  c0=$(cpu_ticks "${pid[$s]}")
  t0=$EPOCHREALTIME
  json=$(fio --name=nbd --ioengine=nbd --uri="${uri[$s]}" --rw="$rw" --bs="$bs" --iodepth="$qd" --numjobs=1 \
    --size="${size_mb}M" --time_based --runtime="$secs" --ramp_time=1 --randrepeat=0 --output-format=json \
    | sed -n '/^{/,$p')  # fio prints "connected to NBD server" before its JSON
  t1=$EPOCHREALTIME
  c1=$(cpu_ticks "${pid[$s]}")
  jq -r --arg c "$((c1 - c0))" --arg hz "$(getconf CLK_TCK)" --arg t "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
    '.jobs[0] | (if .read.io_bytes > 0 then .read else .write end) as $d
     | "\($d.bw / 1024 | . * 10 | round / 10) \($d.iops | round) \(($c | tonumber) / ($hz | tonumber) / ($t | tonumber) * 100 | round)"' <<<"$json"
}

{
  echo "# bench/nbd.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "# $(bench_provenance)"
  echo "# host: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; kernel $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(qemu-nbd --version | head -1); $(nbdkit --version); $(fio --version)"
  echo "# backing file: ${size_mb} MiB of random data on $(df -T "$work" | awk 'NR == 2 { print $2 }'), in page cache"
  echo "# fio --ioengine=nbd --numjobs=1 --time_based --runtime=$runtime --ramp_time=1 --size=${size_mb}M; iodepth per row"
  echo "# each line: round row server MiB/s IOPS server-CPU-% (of one core)"
} | tee "$result"

echo "bench: warm-up round" >&2
for r in "${rows[@]}"; do
  read -r name rw bs qd <<<"$r"
  for s in "${servers[@]}"; do run "$s" "$rw" "$bs" "$qd" 2 >/dev/null; done
done

for ((round = 1; round <= repeats; round++)); do
  for r in "${rows[@]}"; do
    read -r name rw bs qd <<<"$r"
    for s in "${servers[@]}"; do
      echo "$round $name $s $(run "$s" "$rw" "$bs" "$qd" "$runtime")" | tee -a "$result"
    done
  done
done

summary=$(
  echo
  echo "# median of $repeats rounds, MiB/s; ratio = parvirt / qemu-nbd; cpu = the server process, % of one core"
  printf '%-18s' row; for s in "${servers[@]}"; do printf ' %14s' "$s"; done
  printf ' %8s' ratio; for s in "${servers[@]}"; do printf ' %14s' "cpu-$s"; done; echo
  for r in "${rows[@]}"; do
    read -r name _ <<<"$r"
    grep -v '^#' "$result" | awk -v row="$name" -v list="${servers[*]}" '
      function median(a, k,   i, j, t) {
        for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
      }
      $2 == row { k[$3]++; bw[$3, k[$3]] = $4; cpu[$3, k[$3]] = $6 }
      END {
        n = split(list, s, " ")
        for (i = 1; i <= n; i++) {
          for (j = 1; j <= k[s[i]]; j++) { a[j] = bw[s[i], j]; c[j] = cpu[s[i], j] }
          m[s[i]] = median(a, k[s[i]]); u[s[i]] = median(c, k[s[i]])
        }
        printf "%-18s", row; for (i = 1; i <= n; i++) printf " %14.1f", m[s[i]]
        printf " %7.2fx", m["parvirt"] / m["qemu-nbd"]; for (i = 1; i <= n; i++) printf " %13d%%", u[s[i]]; printf "\n"
      }'
  done
)
echo "$summary" | tee -a "$result"
