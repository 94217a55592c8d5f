# Waiting for a quiet host before a measurement: other sessions' QEMUs and other load on the same
# cores would be measured with ours. Sourced by bench/dispatch.sh and bench/dispatch-cost.sh; reads
# their variables: home (the measured home), BENCH_HOMES, other_wait (the budget, s), and appends
# to waited_total and wait_log.
ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }

# --- other sessions' QEMUs ---------------------------------------------------------------------------
mine() { # is QEMU $1 one of this run's homes'?
  local h
  for h in "${BENCH_HOMES[@]}"; do
    tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$h/" && return 0
  done
  return 1
}
orphan() { # QEMU $1's -pidfile directory is gone: its home was deleted (an ended test's leftover)
  local f
  f=$(tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | grep -A1 -x -- -pidfile | tail -1)
  [ -n "$f" ] && [ ! -d "$(dirname "$f")" ]
}
others() { # other QEMUs: "pid:o" for orphans, "pid:w" for those to wait for
  local p
  for p in $(pgrep -f '^/usr/bin/qemu-system|^qemu-system' 2>/dev/null || true); do
    mine "$p" && continue
    if orphan "$p"; then echo "$p:o"; else echo "$p:w"; fi
  done
}
waited_total=0
wait_log=()
wait_others() { # before a measurement: wait (within the OTHER_WAIT budget) for others' QEMUs, then for quiet
  local o w r t0=$EPOCHREALTIME
  while :; do
    o=$(others)
    w=$(grep -c ':w' <<<"$o" || true)
    [ "$w" -eq 0 ] && break
    if [ $(( waited_total + $(ms_since "$t0") / 1000 )) -ge "$other_wait" ]; then
      wait_log+=("$1: $w other QEMU(s) still running after the ${other_wait} s budget; measured anyway")
      echo "bench: $1: measuring with $w other QEMU(s) running" >&2
      break
    fi
    [ "$(ms_since "$t0")" -lt 1000 ] && echo "bench: $1: waiting for $w other QEMU(s) to go away: $(grep ':w' <<<"$o" | cut -d: -f1 | paste -sd' ' -)" >&2
    sleep 5
  done
  local s=$(( $(ms_since "$t0") / 1000 ))
  waited_total=$((waited_total + s))
  [ "$s" -gt 0 ] && wait_log+=("$1: waited $s s for other sessions' QEMUs to go away")
  # then for the host to be quiet: under 0.25 core, over 2 s, to anything but this run
  t0=$EPOCHREALTIME
  while :; do
    r=$(other_load)
    awk -v r="$r" 'BEGIN { exit !(r < 0.25) }' && break
    if [ $(( waited_total + $(ms_since "$t0") / 1000 )) -ge "$other_wait" ]; then
      wait_log+=("$1: other load still $r cores after the ${other_wait} s budget; measured anyway")
      break
    fi
    [ "$(ms_since "$t0")" -lt 2500 ] && echo "bench: $1: waiting for other load ($r cores) to end" >&2
  done
  s=$(( $(ms_since "$t0") / 1000 ))
  waited_total=$((waited_total + s))
  [ "$s" -gt 2 ] && wait_log+=("$1: waited $s s for other load to end")
  return 0
}
# Cores used over 2 s by anything but this run's QEMUs and daemon (the host's busy time, as
# bench_busy_cores reads it, minus theirs).
other_load() {
  local i0 i1 m0 m1 t0 us ps
  ps="$(bench_qemu_pids "$home") $(cat "$home/run/daemon.pid" 2>/dev/null)"
  t0=${EPOCHREALTIME/./}
  i0=$(bench_idle_ticks)
  # shellcheck disable=SC2086
  m0=$(bench_proc_ticks $ps)
  sleep 2
  i1=$(bench_idle_ticks)
  # shellcheck disable=SC2086
  m1=$(bench_proc_ticks $ps)
  us=$(( ${EPOCHREALTIME/./} - t0 ))
  awk -v b="$(bench_busy_cores "$i0" "$i1" "$us")" -v m="$((m1 - m0))" -v us="$us" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { r = b - m / hz / (us / 1e6); printf "%.2f", r < 0 ? 0 : r }'
}
