# Shared by ./parvirt and ./test: JDK discovery, Maven, and host packages.

parvirt_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local v
    v=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then export JAVA_HOME; return 0; fi
  fi
  local d
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*-2[5-9]-* /usr/lib/jvm/*-3[0-9]-*; do
    if [ -x "$d/bin/java" ]; then export JAVA_HOME="$d"; return 0; fi
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "parvirt: no JDK 25 found; installing openjdk-25-jdk-headless with apt-get" >&2
    apt-get update -qq >&2 && apt-get install -y -qq openjdk-25-jdk-headless >&2 || true
    for d in /usr/lib/jvm/*25*; do
      if [ -x "$d/bin/java" ]; then export JAVA_HOME="$d"; return 0; fi
    done
  fi
  echo "parvirt: a JDK 25 is needed: set JAVA_HOME to one, or install it (apt-get install openjdk-25-jdk-headless, or Temurin 25 under /usr/lib/jvm)" >&2
  exit 1
}

parvirt_need_maven() {
  if command -v mvn >/dev/null; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "parvirt: installing maven with apt-get" >&2
    apt-get update -qq >&2 && apt-get install -y -qq maven >&2 && return 0
  fi
  echo "parvirt: Apache Maven is needed to build: apt-get install maven" >&2
  exit 1
}

parvirt_build() {
  parvirt_need_maven
  echo "parvirt: building (mvn package)..." >&2
  (cd "$here" && mvn -q -B -Dmaven.test.skip=true package) >&2
  rm -f "$here/target/parvirt-cli.jsa"
}

# What the HMC-over-SSH tests drive the endpoint with (issue 15): OpenSSH's client tools
# (ssh, sftp, ssh-keygen) and sshpass, which answers the password prompt as HMC scripts do.
parvirt_need_ssh_tools() {
  local missing=()
  command -v ssh >/dev/null && command -v sftp >/dev/null && command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  command -v sshpass >/dev/null || missing+=(sshpass)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "parvirt: installing ${missing[*]} with apt-get" >&2
    (apt-get install -y -qq "${missing[@]}" >&2 || { apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2; }) && return 0
  fi
  echo "parvirt: the SSH tests need: sudo apt-get install ${missing[*]}" >&2
  return 1
}

# The guest image builder resolves "the newest Debian cloud kernel" from apt's package lists, and
# updates them itself when a download fails on stale lists. In the suite, two image builds run side
# by side (two test JVMs): one updating the lists while the other resolves the kernel read a half-
# updated set and built an older kernel than the rest of the run (ImageWithPackagesTest: "6.1.0-50"
# beside "6.1.0-57"). So the suite updates the lists once before it starts, when root, at most every
# 6 hours (stamp: target/.apt-lists-updated); no build needs to mid-run. A failed update (no
# registry) is said and the suite goes on with the lists it has.
parvirt_fresh_apt_lists() {
  local stamp=$1
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 0
  if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +360 -print 2>/dev/null)" ]; then return 0; fi
  echo "parvirt: updating apt's package lists (the guest image builds read them)" >&2
  if apt-get update -qq >&2; then
    mkdir -p "$(dirname "$stamp")" && touch "$stamp"
  else
    echo "parvirt: apt-get update failed; going on with the package lists as they are" >&2
  fi
}

# What activating partitions needs on the host: QEMU (the guest packages are fetched by parvirt's
# image builder with apt-get download, which needs no root).
parvirt_need_qemu() {
  local missing=()
  command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
  command -v qemu-img >/dev/null || missing+=(qemu-utils)
  command -v cpio >/dev/null || missing+=(cpio)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "parvirt: installing ${missing[*]} with apt-get" >&2
    (apt-get install -y -qq "${missing[@]}" >&2 || { apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2; }) && return 0
  fi
  echo "parvirt: partitions cannot be activated until you run: sudo apt-get install ${missing[*]}" >&2
  return 1
}

# A newer QEMU beside the system's, for vhost-user ports under TCG: bookworm's QEMU 7.2 crashes when
# a TCG guest's virtio-net driver starts a vhost-user device; bookworm-backports' QEMU 10 does not.
# Unpacked (dpkg -x, no install) into target/qemu-bpo/root with apt-get download and a private
# sources list, so the system's QEMU stays what every other test runs. Prints the binary's path.
parvirt_backports_qemu() {
  local dir="$here/target/qemu-bpo" bin
  bin="$dir/root/usr/bin/qemu-system-x86_64"
  if [ ! -x "$bin" ]; then
    command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
      echo "parvirt: no apt-get/dpkg: the vhost-user guest test needs QEMU 8 or later (qemu.binary)" >&2; return 1; }
    local mirror
    mirror=$(grep -hoE '(https?://[^ ]*/debian)/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
      2>/dev/null | grep -v security | head -1 | tr -d ' ')
    [ -n "$mirror" ] || mirror=$(grep -hoE '^URIs: *https?://[^ ]*/debian/?$' /etc/apt/sources.list.d/*.sources \
      2>/dev/null | head -1 | sed 's/^URIs: *//')
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    rm -rf "$dir" && mkdir -p "$dir/lists/partial" "$dir/debs"
    echo "deb ${mirror%/} bookworm-backports main" > "$dir/sources.list"
    local opts=(-o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$dir/lists" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root -qq)
    echo "parvirt: fetching QEMU from bookworm-backports into $dir (for the vhost-user guest test)" >&2
    if ! { apt-get "${opts[@]}" update >&2 && (cd "$dir/debs" && apt-get "${opts[@]}" download \
        qemu-system-x86/bookworm-backports qemu-system-common/bookworm-backports \
        qemu-system-data/bookworm-backports >&2); }; then
      echo "parvirt: could not fetch QEMU from bookworm-backports ($mirror); the vhost-user guest test is skipped" >&2
      return 1
    fi
    for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/root"; done
    chmod -R a+rX "$dir/root"
  fi
  "$bin" --version >/dev/null 2>&1 || { echo "parvirt: $bin does not run here" >&2; return 1; }
  echo "$bin"
}

# What the web console's browser tests need: Debian's Chromium and its driver (Selenium drives them;
# nothing is downloaded by the tests themselves).
parvirt_need_chromium() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "parvirt: installing ${missing[*]} with apt-get" >&2
    (apt-get install -y -qq "${missing[@]}" >&2 || { apt-get update -qq >&2 && apt-get install -y -qq "${missing[@]}" >&2; }) && return 0
  fi
  echo "parvirt: the browser tests need: sudo apt-get install ${missing[*]}" >&2
  return 1
}
