#!/usr/bin/env bash
# Defining 1000 partitions through the REST API, one POST /api/v1/partitions per partition,
# sequential, over the home's Unix socket (TRANSPORT=tcp: over the daemon's loopback TCP port).
# Target (issue): under 10 s for the 1000.
# Two clients, each on a fresh home and daemon:
#   per-process : one curl process per partition (what a shell loop does; includes curl's start)
#   keep-alive  : one curl process sending the 1000 requests in turn on one connection (curl -K
#                 with "next"), so the figure is the daemon's own cost per request
#   anchor      : the per-process loop with a trivial authenticated GET /api/v1/daemon instead of the
#                 POST: the floor a shell loop of curl processes costs on this machine
# After each, ./parvirt lssyscfg -r lpar -m sys1 -F name must list exactly 1000 partitions.
# Usage: bench/define-1000.sh [COUNT]   (default 1000, max 1000: lpar ids end at 1000)
# Writes a summary to bench/results/define-1000-unix.txt (or -tcp.txt).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
n=${1:-1000}
if ! [ "$n" -ge 1 ] 2>/dev/null || [ "$n" -gt 1000 ]; then echo "usage: $0 [COUNT 1..1000]" >&2; exit 2; fi
transport=${TRANSPORT:-unix}
case "$transport" in unix | tcp) ;; *) echo "TRANSPORT must be unix or tcp" >&2; exit 2 ;; esac
command -v curl >/dev/null || { echo "bench: curl is needed (apt-get install curl)" >&2; exit 1; }
out="$root/bench/results"
mkdir -p "$out"
bench_build
pv="$BENCH_PARVIRT"

# Sets $json to the body for partition $1 (printf -v: no subshell, so the loop forks only curl).
body() {
  printf -v json '{"name":"lp%04d","profile_name":"default","lpar_env":"aixlinux","min_mem":256,"desired_mem":512,"max_mem":1024,"proc_mode":"shared","min_proc_units":0.05,"desired_proc_units":0.1,"max_proc_units":1.0,"min_procs":1,"desired_procs":1,"max_procs":2,"sharing_mode":"uncap","uncap_weight":128}' "$1"
}

# Starts the daemon of a fresh home (through the CLI's auto-start) and sets $url, $token, $conn
# (curl's --unix-socket option, or nothing for TCP).
start_home() {
  bench_new_home
  export PARVIRT_HOME="$BENCH_HOME"
  "$pv" lssyscfg -r sys -m sys1 -F name >/dev/null
  token=$(cat "$BENCH_HOME/run/token")
  if [ "$transport" = unix ]; then
    conn=(--unix-socket "$BENCH_HOME/run/api.sock")
    url=http://localhost/api/v1/partitions
  else
    conn=()
    url="http://$(cat "$BENCH_HOME/run/listen")/api/v1/partitions"
  fi
}

# Checks every request answered 201 and the CLI lists exactly $n partitions; prints the curl times.
verify() {
  local codes=$1 bad listed
  bad=$(awk '$1 != "201"' "$codes" | wc -l)
  if [ "$bad" -ne 0 ]; then
    echo "bench: $bad of $n requests did not answer 201, e.g.: $(awk '$1 != "201"' "$codes" | head -1)" >&2
    exit 1
  fi
  listed=$("$pv" lssyscfg -r lpar -m sys1 -F name | wc -l)
  if [ "$listed" -ne "$n" ]; then echo "bench: lssyscfg lists $listed partitions, not $n" >&2; exit 1; fi
  echo "$listed"
}

# CPU time (ms) the daemon of the current home has used so far: less sensitive than wall time to
# other load on the machine.
daemon_cpu_ms() {
  local pid
  pid=$(cat "$BENCH_HOME/run/daemon.pid")
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%d\n", ($12 + $13) * 1000 / hz }' "/proc/$pid/stat"
}

# Median curl time of the first and of the last 10% of requests: a per-request cost that grows with
# the number of partitions already defined shows here.
first_last() {
  local codes=$1 k=$(( n / 10 > 0 ? n / 10 : 1 ))
  echo "$(head -n "$k" "$codes" | awk '{ printf "%.3f\n", $2 * 1000 }' | bench_stats | cut -d' ' -f1)" \
    "$(tail -n "$k" "$codes" | awk '{ printf "%.3f\n", $2 * 1000 }' | bench_stats | cut -d' ' -f1)"
}

# Stops the daemon; a failed `parvirt daemon stop` (the daemon stops all the same) is counted.
stop_failures=0
stop_home() {
  bench_stop_daemon "$BENCH_HOME" || stop_failures=$((stop_failures + 1))
}

# 1. One curl process per partition.
start_home
codes="$BENCH_HOME/codes-per-process.txt"
c0=$(daemon_cpu_ms)
t0=$(bench_now_ns)
for ((i = 1; i <= n; i++)); do
  body "$i"
  curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' "${conn[@]}" -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data-binary "$json" \
    "$url" >>"$codes"
done
t1=$(bench_now_ns)
pp_ms=$(( (t1 - t0) / 1000000 ))
pp_cpu=$(( $(daemon_cpu_ms) - c0 ))
pp_fl=$(first_last "$codes")
pp_listed=$(verify "$codes")
pp_curl=$(awk '{ printf "%.3f\n", $2 * 1000 }' "$codes" | bench_stats)

# Anchor, on the same daemon: the same loop, a trivial GET per iteration.
acodes="$BENCH_HOME/codes-anchor.txt"
t0=$(bench_now_ns)
for ((i = 1; i <= n; i++)); do
  curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' "${conn[@]}" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "${url%/partitions}/daemon" >>"$acodes"
done
t1=$(bench_now_ns)
an_ms=$(( (t1 - t0) / 1000000 ))
if [ "$(awk '$1 != "200"' "$acodes" | wc -l)" -ne 0 ]; then echo "bench: anchor GET did not answer 200" >&2; exit 1; fi
an_curl=$(awk '{ printf "%.3f\n", $2 * 1000 }' "$acodes" | bench_stats)
stop_home

# 2. One curl process, one connection, the requests in turn.
start_home
codes="$BENCH_HOME/codes-keepalive.txt"
cfg="$BENCH_HOME/curl.cfg"
(
  umask 077
  for ((i = 1; i <= n; i++)); do
    if [ "$transport" = unix ]; then echo "unix-socket = \"$BENCH_HOME/run/api.sock\""; fi
    echo "url = \"$url\""
    echo "request = \"POST\""
    echo "header = \"Authorization: Bearer $token\""
    echo "header = \"Content-Type: application/json\""
    body "$i"
    echo "data-binary = \"${json//\"/\\\"}\""
    echo "output = \"/dev/null\""
    echo 'write-out = "%{http_code} %{time_total}\n"'
    echo "silent"
    echo "show-error"
    if [ "$i" -lt "$n" ]; then echo next; fi
  done >"$cfg"
)
c0=$(daemon_cpu_ms)
t0=$(bench_now_ns)
curl -K "$cfg" >"$codes"
t1=$(bench_now_ns)
ka_ms=$(( (t1 - t0) / 1000000 ))
ka_cpu=$(( $(daemon_cpu_ms) - c0 ))
ka_fl=$(first_last "$codes")
ka_listed=$(verify "$codes")
ka_curl=$(awk '{ printf "%.3f\n", $2 * 1000 }' "$codes" | bench_stats)
stop_home

{
  echo "# bench/define-1000.sh  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc) cores, load avg $(cut -d' ' -f1-3 /proc/loadavg), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(curl --version | head -1 | cut -d' ' -f1-2)"
  echo "# $n x POST /api/v1/partitions, sequential, over $transport; each client on a fresh home and daemon; target: 1000 in < 10 s"
  printf '%-12s %8s %10s %9s %9s %9s %11s %11s %10s %6s %6s\n' client total_s per_req_ms req_per_s curl_med curl_p90 \
    first10%med last10%med daemon_cpu listed target
  for c in per-process keep-alive; do
    if [ "$c" = per-process ]; then ms=$pp_ms; st=$pp_curl; fl=$pp_fl; cpu=$pp_cpu; listed=$pp_listed
    else ms=$ka_ms; st=$ka_curl; fl=$ka_fl; cpu=$ka_cpu; listed=$ka_listed; fi
    read -r med p90 _ <<<"$st"
    read -r first last <<<"$fl"
    awk -v c="$c" -v ms="$ms" -v n="$n" -v med="$med" -v p90="$p90" -v f="$first" -v l="$last" -v cpu="$cpu" \
      -v listed="$listed" 'BEGIN {
      printf "%-12s %8.2f %10.2f %9.1f %9s %9s %11s %11s %9.1fs %6s %6s\n", c, ms / 1000, ms / n, n * 1000 / ms, med, p90,
        f, l, cpu / 1000, listed, (n == 1000 && ms < 10000) ? "PASS" : (n == 1000 ? "FAIL" : "n/a") }'
  done
  read -r amed ap90 _ <<<"$an_curl"
  awk -v ms="$an_ms" -v n="$n" -v med="$amed" -v p90="$ap90" 'BEGIN {
    printf "%-12s %8.2f %10.2f %9.1f %9s %9s %11s %11s %10s %6s %6s\n", "anchor-GET", ms / 1000, ms / n, n * 1000 / ms,
      med, p90, "-", "-", "-", "-", "-" }'
  echo "# ratio per-process POST loop / anchor GET loop: $(awk -v a="$pp_ms" -v b="$an_ms" 'BEGIN { printf "%.2f", a / b }')"
  echo "# per_req_ms = total / $n; curl_med/p90 and first/last 10% medians: curl's own time_total per request"
  echo "# (connect to last byte), in ms; daemon_cpu = CPU time the daemon used during the $n requests"
  echo "# 'parvirt daemon stop' failures (daemon stopped all the same): $stop_failures of 2"
  echo "# ratio total / 10 s target: per-process $(awk -v ms="$pp_ms" 'BEGIN { printf "%.2f", ms / 10000 }'), keep-alive $(awk -v ms="$ka_ms" 'BEGIN { printf "%.2f", ms / 10000 }')"
} | tee "$out/define-1000-$transport.txt"
