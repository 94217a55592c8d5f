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
