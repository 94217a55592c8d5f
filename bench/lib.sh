# Shared by the bench/ scripts: JDK, build, throw-away homes with their own daemon, timing helpers.
# Sourced with $root set to the repository root.

. "$root/scripts/env.sh"
parvirt_find_jdk
export JAVA_HOME

BENCH_HOMES=()
BENCH_SNAP=

# Builds the jar when missing or older than the sources (the same rule as ./parvirt), once, up front,
# then freezes a private copy of the launcher, jar, libraries and sources in /tmp ($BENCH_SNAP).
# Benchmarks run $BENCH_SNAP/parvirt, so an edit to src/main by someone else during a run can neither
# rebuild the jar mid-measurement nor replace it under a running daemon. The copied sources keep the
# launcher's staleness check (a find over src/main) as costly as in the real tree; the copied jar is
# touched so that check never finds it stale.
bench_build() {
  local jar="$root/target/parvirt.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; then
    parvirt_need_maven
    echo "bench: building (mvn package)..." >&2
    (cd "$root" && mvn -q -B -DskipTests package) >&2
    rm -f "$root/target/parvirt-cli.jsa"
  fi
  BENCH_SNAP=$(mktemp -d /tmp/parvirt-bench-build-XXXXXX)
  mkdir -p "$BENCH_SNAP/target" "$BENCH_SNAP/src" "$BENCH_SNAP/scripts"
  cp -p "$root/parvirt" "$BENCH_SNAP/"
  cp -p "$root/scripts/env.sh" "$BENCH_SNAP/scripts/"
  cp -p "$root/pom.xml" "$BENCH_SNAP/"
  cp -rp "$root/src/main" "$BENCH_SNAP/src/"
  cp -rp "$root/target/lib" "$BENCH_SNAP/target/"
  cp -p "$jar" "$BENCH_SNAP/target/"
  touch "$BENCH_SNAP/target/parvirt.jar"
  BENCH_PARVIRT="$BENCH_SNAP/parvirt"
}

# Makes a fresh home in /tmp with system sys1 on a free TCP port, in $BENCH_HOME (not printed: a
# command substitution would run in a subshell and the cleanup would never learn of the home).
bench_new_home() {
  BENCH_HOME=$(mktemp -d /tmp/parvirt-bench-XXXXXX)
  printf 'system.name=sys1\nlisten=127.0.0.1:0\n' > "$BENCH_HOME/parvirt.properties"
  BENCH_HOMES+=("$BENCH_HOME")
}

# Stops the daemon of $1 (a home): ./parvirt daemon stop, then waits (at most 10 s) for the pid the
# home recorded to exit, and only then, if it still runs, kills that one pid. Returns 1 when the
# CLI's stop reported a failure (the daemon is stopped all the same): `parvirt daemon stop` can fail
# with "java.io.IOException: Broken pipe" although the daemon does stop (see bench/RESULTS.md).
bench_stop_daemon() {
  local h=$1 pid i rc=0
  pid=$(cat "$h/run/daemon.pid" 2>/dev/null || true)
  PARVIRT_HOME="$h" "${BENCH_PARVIRT:-$root/parvirt}" daemon stop >"$h/stop.log" 2>&1 || rc=1
  if [ -n "$pid" ]; then
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  fi
  if [ "$rc" -ne 0 ]; then
    echo "bench: 'parvirt daemon stop' failed for $h: $(grep -m1 -v '^[[:space:]]*at ' "$h/stop.log")" >&2
  fi
  return "$rc"
}

# Stops the daemon of every home made here, removes the homes and the frozen build. Installed as
# the EXIT trap. BENCH_KEEP=1 keeps the homes (their logs) for inspection, and says where they are.
bench_cleanup() {
  local h
  for h in "${BENCH_HOMES[@]}"; do
    [ -d "$h" ] || continue
    bench_stop_daemon "$h" 2>/dev/null || true
    if [ "${BENCH_KEEP:-}" = 1 ]; then echo "bench: kept $h" >&2; else rm -rf "$h"; fi
  done
  if [ -n "$BENCH_SNAP" ]; then rm -rf "$BENCH_SNAP"; fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# One mksyscfg -f record per partition, lp0001..lpNNNN.
bench_partition_records() {
  local n=$1 i
  for ((i = 1; i <= n; i++)); do
    printf 'name=lp%04d,profile_name=default,lpar_env=aixlinux,min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.05,desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,sharing_mode=uncap,uncap_weight=128\n' "$i"
  done
}

bench_now_ns() {
  date +%s%N
}

# Reads one number per line (ms) on stdin; prints "median p90 min max mean n".
bench_stats() {
  sort -g | awk '{ v[NR] = $1; s += $1 }
    END {
      if (NR == 0) { print "nan nan nan nan nan 0"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      p = int(0.9 * NR + 0.999999); if (p < 1) p = 1
      printf "%.1f %.1f %.1f %.1f %.1f %d\n", m, v[p], v[1], v[NR], s / NR, NR
    }'
}
