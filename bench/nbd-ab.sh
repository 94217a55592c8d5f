#!/usr/bin/env bash
# Two builds of parvirt's NBD server, A and B, side by side under QEMU's own NBD client (the one a
# partition's QEMU uses), with the same file opened by qemu-img directly as the anchor: a quick A/B
# of a data-path change without guests (issue 17). No TCG here, so the figures are the host's, not a
# guest's; bench/guest-fio.sh is the measure that counts.
#
#   A, B   : java -cp JAR:target/lib/* io.parvirt.vios.nbd.NbdServerMain --export d=FILE (defaults)
#   direct : qemu-img bench -f raw -t writeback -i threads FILE (the guest anchors' cache and aio)
#   client : qemu-img bench --image-opts driver=nbd,server.type=unix,... (one connection)
# Rows (qemu-img bench): read-1M-qd4 and write-1M-qd4 (2000 requests of 1 MiB, 4 in flight,
# sequential), randwrite-4k-qd1 and randread-4k-qd1 (20000 requests of 4 KiB, one at a time, a
# 12 MiB stride). A warm-up round (JIT, page cache) is not counted; then ROUNDS rounds, each row on
# A, B and direct one after the other, so drift in the host's load falls on all three alike. Per row
# and path: the median of the rounds' seconds (qemu-img's "Run completed in"), and for A and B the
# server's CPU (utime+stime clock ticks of its JVM) over the run.
#
# Usage: bench/nbd-ab.sh A.jar B.jar   Env: ROUNDS (5), ROWS="read-1M-qd4 ..." (a subset),
# SIZE_MB (512: the file, random data, in /tmp). The libraries come from target/lib (mvn package).
# Prints the table on standard output; the load (uptime) before and after.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
if [ $# -ne 2 ]; then echo "usage: $0 A.jar B.jar" >&2; exit 2; fi
command -v qemu-img >/dev/null || { echo "bench: qemu-img is needed" >&2; exit 1; }
[ -d "$root/target/lib" ] || { echo "bench: no $root/target/lib: run mvn package first" >&2; exit 1; }
rounds=${ROUNDS:-5}
rows=${ROWS:-read-1M-qd4 write-1M-qd4 randwrite-4k-qd1 randread-4k-qd1}
dir=$(mktemp -d /tmp/parvirt-nbd-ab-XXXXXX)
img=$dir/disk.img
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"' EXIT
dd if=/dev/urandom of="$img" bs=1M count="${SIZE_MB:-512}" status=none # 1 MiB writes, as bench_fio_vios_client fills the guests' disk: the page cache then holds it in large folios, on which a write costs less than on small ones

serve() { # TAG JAR
  mkdir -p "$dir/$1"
  "$JAVA_HOME/bin/java" -Xmx256m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    --enable-native-access=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED -Dparvirt.log.dir="$dir/$1" -cp "$2:$root/target/lib/*" \
    io.parvirt.vios.nbd.NbdServerMain --socket-dir "$dir/$1" --export "d=$img" --log-dir "$dir/$1" \
    > "$dir/$1/out" 2>&1 &
  pids+=($!)
}
serve A "$1"
serve B "$2"
for _ in $(seq 100); do [ -S "$dir/A/d.sock" ] && [ -S "$dir/B/d.sock" ] && break; sleep 0.2; done
[ -S "$dir/A/d.sock" ] && [ -S "$dir/B/d.sock" ] || { echo "bench: a server did not start: $(cat "$dir"/*/out)" >&2; exit 1; }
declare -A pid=([A]=${pids[0]} [B]=${pids[1]})
declare -A args=([read-1M-qd4]="-c 2000 -d 4 -s 1M" [write-1M-qd4]="-w -c 2000 -d 4 -s 1M"
  [randwrite-4k-qd1]="-w -c 20000 -d 1 -s 4k -S 12M" [randread-4k-qd1]="-c 20000 -d 1 -s 4k -S 12M")
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
run() { # PATH ROW: seconds
  local a
  read -ra a <<< "${args[$2]}"
  if [ "$1" = direct ]; then qemu-img bench -f raw -t writeback -i threads "${a[@]}" "$img"
  else qemu-img bench "${a[@]}" --image-opts "driver=nbd,server.type=unix,server.path=$dir/$1/d.sock,export=d"; fi |
    sed -n 's/^Run completed in \(.*\) seconds\.$/\1/p'
}
for row in $rows; do for p in A B direct; do run "$p" "$row" > /dev/null; done; done # warm-up
echo "load before: $(uptime)"
declare -A secs cpu
for ((r = 1; r <= rounds; r++)); do
  for row in $rows; do
    for p in A B direct; do
      [ "$p" = direct ] || t0=$(ticks "${pid[$p]}")
      secs[$row,$p]+="$(run "$p" "$row") "
      [ "$p" = direct ] || cpu[$row,$p]+="$(( $(ticks "${pid[$p]}") - t0 )) "
    done
  done
done
echo "load after: $(uptime)"
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '| row | A s | B s | direct s | A speed / direct | B speed / direct | A server ticks | B server ticks |\n|---|---|---|---|---|---|---|---|\n'
for row in $rows; do
  a=$(median <<< "${secs[$row,A]}"); b=$(median <<< "${secs[$row,B]}"); d=$(median <<< "${secs[$row,direct]}")
  printf '| %s | %s | %s | %s | %.2f | %.2f | %s | %s |\n' "$row" "$a" "$b" "$d" \
    "$(echo "$d / $a" | bc -l)" "$(echo "$d / $b" | bc -l)" \
    "$(median <<< "${cpu[$row,A]}")" "$(median <<< "${cpu[$row,B]}")"
done
