# Shared by the bench/ scripts: JDK, build, throw-away homes with their own daemon, timing helpers.
# Sourced with $root set to the repository root.

. "$root/scripts/env.sh"
parvirt_find_jdk
export JAVA_HOME

BENCH_HOMES=()
BENCH_SNAP=
BENCH_PROVENANCE=

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
  chmod 711 "$BENCH_SNAP" # the confined QEMU user reads the images copied below it
  mkdir -p "$BENCH_SNAP/target" "$BENCH_SNAP/src" "$BENCH_SNAP/scripts"
  cp -p "$root/parvirt" "$BENCH_SNAP/"
  cp -p "$root/scripts/env.sh" "$BENCH_SNAP/scripts/"
  cp -p "$root/pom.xml" "$BENCH_SNAP/"
  cp -rp "$root/src/main" "$BENCH_SNAP/src/"
  cp -rp "$root/target/lib" "$BENCH_SNAP/target/"
  cp -p "$jar" "$BENCH_SNAP/target/"
  touch "$BENCH_SNAP/target/parvirt.jar"
  BENCH_PARVIRT="$BENCH_SNAP/parvirt"
  BENCH_PROVENANCE=$(bench_provenance)
}

# Makes a fresh home in /tmp with system sys1 on a free TCP port, in $BENCH_HOME (not printed: a
# command substitution would run in a subshell and the cleanup would never learn of the home).
bench_new_home() {
  BENCH_HOME=$(mktemp -d /tmp/parvirt-bench-XXXXXX)
  printf 'system.name=sys1\nlisten=127.0.0.1:0\n' > "$BENCH_HOME/parvirt.properties"
  BENCH_HOMES+=("$BENCH_HOME")
}

# A home for one configuration of the dispatch benches ($1): the run's copy of the images, and for
# "libvirt" dispatching off (parvirt only measures). Sets home and exports PARVIRT_HOME.
bench_dispatch_home() {
  bench_new_home
  home=$BENCH_HOME
  printf 'images.dir=%s\n' "$BENCH_SNAP/images" >> "$home/parvirt.properties"
  [ "$1" = libvirt ] && echo 'dispatch.enforce=false' >> "$home/parvirt.properties"
  # DISPATCH_PROPS: parvirt's own settings for an A/B of them, e.g. "dispatch.home_cores=false"
  if [ "$1" = parvirt ] && [ -n "${DISPATCH_PROPS:-}" ]; then
    printf '%s\n' $DISPATCH_PROPS >> "$home/parvirt.properties"
  fi
  export PARVIRT_HOME="$home"
}

# Stops the daemon of $1 (a home): ./parvirt daemon stop, then waits (at most 10 s) for the pid the
# home recorded to exit, and only then, if it still runs, kills that one pid. Returns 1 when the
# CLI's stop reported a failure (the daemon is stopped all the same): `parvirt daemon stop` can fail
# with "java.io.IOException: Broken pipe" although the daemon does stop (see bench/RESULTS.md).
bench_stop_daemon() {
  local h=$1 pid i rc=0
  pid=$(cat "$h/run/daemon.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0 # no daemon was ever started for this home (nor a CLI to run)
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

# Pids of the QEMU processes whose command line names a path inside home $1: the ones its daemon
# started (their sockets and pid file are in $1/run) and the ones a script started by hand with
# paths under $1. Other QEMUs on the machine (other homes, tests) never match.
bench_qemu_pids() {
  local h=$1 p
  # any QEMU binary: the system's, or another one given as qemu.binary (bookworm-backports' in target/qemu-bpo)
  for p in $(pgrep -f '^(/[^ ]*/)?qemu-system' 2>/dev/null || true); do
    if tr '\0' '\n' < "/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$h/"; then echo "$p"; fi
  done
}

# Stops (SIGTERM, then SIGKILL after 5 s) every QEMU of home $1, each by its pid; prints how many
# there were. QEMU outlives the daemon by design, so stopping the daemon alone would leak them.
bench_kill_qemus() {
  local h=$1 pids p i n=0
  pids=$(bench_qemu_pids "$h")
  for p in $pids; do kill "$p" 2>/dev/null || true; n=$((n + 1)); done
  for p in $pids; do
    for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p" 2>/dev/null || true; fi
  done
  echo "$n"
}

# The per-home cgroup directories parvirt makes for home $1 (DaemonConfig.homeTag: "h" and the
# first 4 bytes of the SHA-256 of the home's path), under each cgroup v1 CPU controller or v2.
bench_cgroup_dirs() {
  local tag c
  tag=h$(printf '%s' "$1" | sha256sum | cut -c1-8)
  for c in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpuacct /sys/fs/cgroup; do
    [ -d "$c/parvirt/$tag" ] && echo "$c/parvirt/$tag"
  done
  return 0
}

# Removes the (empty) cgroup directories of home $1 that parvirt left behind (rmdir only: a cgroup
# that still holds a process stays, and says so).
bench_remove_cgroups() {
  local d
  for d in $(bench_cgroup_dirs "$1"); do
    find "$d" -depth -mindepth 1 -type d -exec rmdir {} \; 2>/dev/null || true
    rmdir "$d" 2>/dev/null || echo "bench: cgroup $d not removed (not empty)" >&2
  done
}

# The median of the numbers on standard input, one a line (0 when there are none).
bench_median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Stops the VIOS storage servers of every home made here: they outlive their daemon (as a VIOS's
# server outlives a killed daemon), so bench_cleanup's daemon stop leaves them. For the EXIT trap,
# before bench_cleanup.
bench_stop_storage() {
  local h p
  for h in "${BENCH_HOMES[@]}"; do
    for p in $(pgrep -f "NbdServerMain .*$h/" || true); do kill "$p" 2>/dev/null || true; done
  done
}

# Stops the daemon of every home made here, then any QEMU left running for that home, removes the
# home's leftover cgroup directories, the homes and the frozen build. Installed as the EXIT trap.
# BENCH_KEEP=1 keeps the homes (their logs) for inspection, and says where they are.
bench_cleanup() {
  local h n
  for h in "${BENCH_HOMES[@]}"; do
    [ -d "$h" ] || continue
    bench_stop_daemon "$h" 2>/dev/null || true
    n=$(bench_kill_qemus "$h")
    if [ "$n" -gt 0 ]; then echo "bench: stopped $n QEMU process(es) left running for $h" >&2; fi
    bench_remove_cgroups "$h"
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

# The host's busy time, for the scripts that say where the cores went. /proc/stat's user and
# system times are sampled at the tick, and a group held by CFS bandwidth control is charged, and
# throttled, at a tick, so the tick nearly always finds it running: under the dispatcher's 10 ms
# quota periods the sampled busy time read 0.3-0.5 core more than the threads' own CPU
# times, 0.02-0.08 at 100 ms periods (three groups of busy loops, quotas 1.0 core in all, no QEMU:
# bench/RESULTS.md, 2026-12-05). Idle and iowait are measured exactly (idle entry and exit), so
# busy is what they and steal leave. bench_idle_ticks: idle + iowait + steal, in clock ticks;
# bench_busy_cores IDLE0 IDLE1 MICROSECONDS: the busy cores between two such readings.
# Summed utime + stime (clock ticks) of the given pids, all their threads (the kernel scales these
# to the exact run time, unlike /proc/stat's); a pid gone by now counts nothing.
bench_proc_ticks() {
  local p
  for p in "$@"; do sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }'; done | awk '{ s += $1 } END { print s + 0 }'
}
bench_idle_ticks() {
  awk '$1 == "cpu" { print $5 + $6 + $9 }' /proc/stat
}
bench_busy_cores() {
  awk -v i="$(( $2 - $1 ))" -v us="$3" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { b = n - i / hz / (us / 1e6); printf "%.3f", b < 0 ? 0 : b }'
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

# One line saying which build was measured: the commit, uncommitted changes under src/main and
# pom.xml (others edit the tree while benchmarks run), and the checksum of the frozen jar. Taken by
# bench_build when it freezes the copy; later calls repeat that line.
bench_provenance() {
  if [ -n "${BENCH_PROVENANCE:-}" ]; then echo "$BENCH_PROVENANCE"; return; fi
  local dirty
  dirty=$(cd "$root" && git status --porcelain -- src/main pom.xml 2>/dev/null | awk '{ print $2 }' | paste -sd' ' -)
  printf 'build: commit %s%s; jar sha256 %s\n' "$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "${dirty:+, uncommitted changes in $dirty}" \
    "$(sha256sum "${BENCH_SNAP:-$root}/target/parvirt.jar" | cut -c1-12)"
}

# The cpuset groups of this run's homes (bench_remove_cgroups looks at cpu and cpuacct); parvirt
# removes its empty ones when its daemon stops, this catches a run killed half way.
bench_cpuset_cleanup() {
  local h d
  for h in "${BENCH_HOMES[@]}"; do
    d=/sys/fs/cgroup/cpuset/parvirt/h$(printf '%s' "$h" | sha256sum | cut -c1-8)
    [ -d "$d" ] || continue
    find "$d" -depth -mindepth 1 -type d -exec rmdir {} \; 2>/dev/null || true
    rmdir "$d" 2>/dev/null || echo "bench: cgroup $d not removed" >&2
  done
}

# NOBUILD=1: freeze target/parvirt.jar as it is instead of building (another session may be editing
# src/main); the result file records which jar ran (BENCH_PROVENANCE).
bench_freeze_nobuild() {
  local jar="$root/target/parvirt.jar" stale
  BENCH_SNAP=$(mktemp -d /tmp/parvirt-bench-build-XXXXXX)
  chmod 711 "$BENCH_SNAP" # the confined QEMU user reads the images copied below it
  mkdir -p "$BENCH_SNAP/target" "$BENCH_SNAP/src" "$BENCH_SNAP/scripts"
  cp -p "$root/parvirt" "$root/pom.xml" "$BENCH_SNAP/"
  cp -p "$root/scripts/env.sh" "$BENCH_SNAP/scripts/"
  cp -rp "$root/src/main" "$BENCH_SNAP/src/"
  cp -rp "$root/target/lib" "$BENCH_SNAP/target/"
  cp -p "$jar" "$BENCH_SNAP/target/"
  unzip -tq "$BENCH_SNAP/target/parvirt.jar" >/dev/null || { echo "bench: $jar is not a complete jar (being rebuilt?)" >&2; exit 1; }
  touch "$BENCH_SNAP/target/parvirt.jar"
  BENCH_PARVIRT="$BENCH_SNAP/parvirt"
  stale=$(find "$root/src/main" "$root/pom.xml" -type f -newer "$jar" 2>/dev/null | wc -l)
  BENCH_PROVENANCE=$(printf 'build: NOBUILD=1, target/parvirt.jar of %s as it was (HEAD %s of %s; %s files under src/main newer than the jar, not in it); jar sha256 %s' \
    "$(date -u -r "$jar" '+%Y-%m-%d %H:%M:%S UTC')" "$(cd "$root" && git rev-parse --short HEAD)" \
    "$(cd "$root" && git log -1 --format=%cd --date=format-local:'%H:%M:%S' HEAD)" "$stale" \
    "$(sha256sum "$BENCH_SNAP/target/parvirt.jar" | cut -c1-12)")
}

# The shared default image ($IMAGES_DIR, default target/test-images), built with parvirt $1 in a
# throw-away home when missing; its directory is left in BENCH_IMAGES.
bench_images() {
  BENCH_IMAGES=${IMAGES_DIR:-$root/target/test-images}
  if [ ! -f "$BENCH_IMAGES/default/vmlinuz" ] || [ ! -f "$BENCH_IMAGES/default/initramfs.img" ]; then
    bench_new_home
    printf 'images.dir=%s\n' "$BENCH_IMAGES" >> "$BENCH_HOME/parvirt.properties"
    PARVIRT_HOME="$BENCH_HOME" "$1" image build >&2
  fi
}

# A fresh home ($home, exported as PARVIRT_HOME) whose own images directory holds image "fio"
# (`image build fio --with fio`), its packages taken from IMAGE_CACHE or the tests' cache when
# there is one; $1 is the parvirt launcher. QEMU runs as the daemon's user: the unprivileged QEMU
# user (issue 12) is not let through to an images.dir of the bench's own (the daemon grants passage
# only below its default layout). BENCH_PROPS: more settings (lines) for the home.
bench_fio_home() {
  local cache c
  bench_new_home
  home=$BENCH_HOME
  export PARVIRT_HOME="$home"
  printf 'images.dir=%s\nqemu.user=\n%s' "$home/images" "${BENCH_PROPS:-}" >> "$home/parvirt.properties"
  cache=${IMAGE_CACHE:-}
  if [ -z "$cache" ]; then
    for c in "$root/target/image-cache" "$root/target/test-images/.cache"; do [ -d "$c/debs" ] && { cache=$c; break; }; done
  fi
  mkdir -p "$home/images/.cache"
  if [ -n "$cache" ]; then cp -al "$cache/." "$home/images/.cache/" 2>/dev/null || cp -a "$cache/." "$home/images/.cache/"; fi
  "$1" image build fio --with fio 2> "$home/image-build.log" > /dev/null || { cat "$home/image-build.log" >&2; exit 1; }
}

# A VIOS (VIOS1) and its client fio1 (image fio, from bench_fio_home), 1 GiB each, started and
# Running: one pool of POOL_SIZE per name given, disk1 of DISK in the first, every byte of it random
# (a hole reads as zeros without touching the disk, on every path alike, but a write into a hole
# allocates). Sets `file` to disk1's backing file.
# Usage: bench_fio_vios_client PARVIRT DISK POOL_SIZE POOL [POOL...]
bench_fio_vios_client() {
  local pv=$1 disk=$2 size=$3 p i
  shift 3
  _fio_part() { # name env adapters image
    printf 'name=%s,profile_name=default,lpar_env=%s,min_mem=1024,desired_mem=1024,max_mem=1024,proc_mode=shared,min_proc_units=0.1,desired_proc_units=1.0,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=1,sharing_mode=uncap,uncap_weight=128,%s"virtual_scsi_adapters=%s"' \
      "$1" "$2" "${4:+parvirt_image=$4,}" "$3"
  }
  "$pv" mksyscfg -r lpar -m sys1 -i "$(_fio_part VIOS1 vioserver '2/server/any//any/1' '')"
  "$pv" mksyscfg -r lpar -m sys1 -i "$(_fio_part fio1 aixlinux '2/client//VIOS1/2/1' fio)"
  for p in "$@"; do "$pv" viosvrcmd -m sys1 -p VIOS1 -c "mksp -fb $p -size $size" >/dev/null; done
  "$pv" viosvrcmd -m sys1 -p VIOS1 -c "mkbdsp -sp $1 $disk -bd disk1 -vadapter vhost0" >/dev/null
  file=$(find "$home/vios" -type f -name disk1 | head -1)
  [ -f "$file" ] || { echo "bench: backing file disk1 not found under $home/vios" >&2; exit 1; }
  dd if=/dev/urandom of="$file" bs=1M count=$(( $(stat -c %s "$file") >> 20 )) conv=notrunc,fsync status=none
  for p in VIOS1 fio1; do
    "$pv" chsysstate -m sys1 -r lpar -o on -n "$p" -f default
    for ((i = 0; ; i++)); do
      case $("$pv" lssyscfg -r lpar -m sys1 --filter "lpar_names=$p" -F state) in
        Running) break ;;
        Error*) echo "bench: $p is in Error" >&2; exit 1 ;;
      esac
      [ "$i" -ge 240 ] && { echo "bench: $p not Running after 120 s" >&2; exit 1; }
      sleep 0.5
    done
  done
}

# The fio guest of bench_fio_home / bench_fio_vios_client, for the benches that run fio in it
# (snapfio.sh, diskmig.sh): defines gexec (a command in fio1 through the guest agent) and iops
# (read + write IOPS of fio's JSON), waits (at most 120 s) for the agent, and sets fio_args: 4 KiB
# $rw at depth $qd for $runtime s on /dev/sda. Uses $pv, $rw, $qd and $runtime.
bench_fio_guest() {
  gexec() { "$pv" guest exec -m sys1 -p fio1 --timeout 300 -- "$@"; }
  iops() { jq -r '.jobs[0] | (.read.iops + .write.iops) | round'; }
  local i
  for ((i = 0; i < 120; i++)); do gexec /bin/true >/dev/null 2>&1 && break; sleep 1; done
  fio_args="--name=r --filename=/dev/sda --direct=1 --ioengine=libaio --rw=$rw --bs=4K --iodepth=$qd --time_based --runtime=$runtime --randrepeat=0 --output-format=json"
}

# DISPATCH_TRACE=FILE (diagnosis): prints the JAVA_TOOL_OPTIONS under which a parvirt daemon started
# after them writes each dispatching interval's decisions (logger io.parvirt.dispatch.trace: a line per
# interval, a few µs each) to FILE; prints nothing without DISPATCH_TRACE. Needs BENCH_SNAP.
bench_dispatch_trace_opts() {
  [ -n "${DISPATCH_TRACE:-}" ] || return 0
  cat > "$BENCH_SNAP/trace-logback.xml" <<XML
<configuration>
  <appender name="T" class="ch.qos.logback.core.FileAppender"><file>$DISPATCH_TRACE</file><append>false</append>
    <encoder><pattern>%d{HH:mm:ss.SSS} %msg%n</pattern></encoder></appender>
  <logger name="io.parvirt.dispatch.trace" level="DEBUG" additivity="false"><appender-ref ref="T"/></logger>
  <root level="WARN"><appender-ref ref="T"/></root>
</configuration>
XML
  echo "-Dlogback.configurationFile=$BENCH_SNAP/trace-logback.xml"
}
