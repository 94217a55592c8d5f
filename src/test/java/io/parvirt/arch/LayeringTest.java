package io.parvirt.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Imports point down (ARCHITECTURE.md, README "Code layout"), with no exceptions:
 * {@code cli, web → daemon → api → hmc → services (partition, vios, system) → mechanisms (hypervisor,
 * dispatch, vswitch, console, image, store, memory, cgroup, remote) → model}, and beneath them all
 * {@code durable} (files replaced whole) and {@code vhost} (vhost-user's protocol). Each package may use only the
 * packages listed for it; {@code hmc} only translates, so no type of the hypervisor (nor its QMP
 * and guest-agent protocols), the dispatcher, the consoles or the NBD server reaches it.
 */
@Tag("unit")
class LayeringTest {
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("model", Set.of()),
            Map.entry("home", Set.of()),
            // files replaced whole (crash-safe state files): JDK only, beneath every layer that keeps files
            Map.entry("durable", Set.of()),
            Map.entry("cgroup", Set.of()),
            Map.entry("console", Set.of()),
            Map.entry("image", Set.of()),
            // vhost-user's device-independent half (protocol, guest memory, virtqueues): JDK only, under the
            // switch and the VIOS storage server, which both serve vhost-user devices
            Map.entry("vhost", Set.of()),
            Map.entry("vswitch", Set.of("vhost", "durable")),
            // another host's daemon over its REST API (mksysconn, -m routing, mobility): JDK HTTP and Jackson only
            Map.entry("remote", Set.of("durable")),
            Map.entry("memory", Set.of("model")),
            Map.entry("store", Set.of("model")),
            Map.entry("hypervisor", Set.of("model", "console", "cgroup", "durable")),
            Map.entry("dispatch", Set.of("model", "cgroup")),
            Map.entry("system", Set.of("model", "memory", "store", "durable")),
            Map.entry("vios", Set.of("model", "store", "system", "vhost", "durable")),
            // remote: mobility reaches the target system's daemon (issue 14)
            Map.entry("partition", Set.of("model", "memory", "store", "system", "vios", "hypervisor", "dispatch",
                    "vswitch", "console", "image", "remote", "durable")),
            Map.entry("hmc", Set.of("model", "memory", "store", "system", "partition", "vios", "vswitch",
                    "remote")),
            Map.entry("api", Set.of("hmc", "model", "system", "remote")),
            Map.entry("ssh", Set.of("hmc", "model", "home", "durable")),
            Map.entry("daemon", Set.of("api", "hmc", "home", "memory", "model", "store", "system", "partition",
                    "hypervisor", "dispatch", "vswitch", "image", "vios", "cgroup", "ssh", "remote", "durable")),
            // hmc: a command's usage (VERB --help) is printed without starting a daemon to ask it
            Map.entry("cli", Set.of("daemon", "home", "image", "hmc")),
            // the web console's pages run in the browser and use only the REST API: no Java layer below
            Map.entry("web", Set.of()));

    /** Finer than packages: subpackages that a layer which may use their parent still must not. */
    static final Map<String, Set<String>> FORBIDDEN = Map.of(
            "hmc", Set.of("vios.nbd", "hypervisor", "hypervisor.qmp", "hypervisor.qga", "dispatch", "console"),
            "api", Set.of("partition", "vios", "hypervisor", "dispatch"));

    static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?io\\.parvirt\\.([a-z.]+?)\\.[A-Z]");
    static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\\n]|\\\\.)*\"");
    static final Pattern QUALIFIED = Pattern.compile("\\bio\\.parvirt\\.([a-z.]+?)\\.[A-Z]");

    @Test
    void everyPackageImportsOnlyTheLayersBelowIt() throws IOException {
        Path src = Path.of("src/main/java/io/parvirt");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = src.relativize(f).getName(0).toString();
                assertThat(ALLOWED).as("package %s is listed", pkg).containsKey(pkg);
                // A class named in a string is a process started by name (the storage server), not a use.
                String text = STRING.matcher(Files.readString(f)).replaceAll("\"\"");
                for (Pattern p : List.of(IMPORT, QUALIFIED)) {
                    Matcher m = p.matcher(text);
                    while (m.find()) {
                        String used = m.group(1);
                        String top = used.split("\\.")[0];
                        if (!top.equals(pkg) && !ALLOWED.get(pkg).contains(top)) {
                            violations.add(f + " uses " + used);
                        }
                        if (FORBIDDEN.getOrDefault(pkg, Set.of()).contains(used)) {
                            violations.add(f + " uses " + used + ", which " + pkg + " must not reach");
                        }
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void theNbdServerStandsAlone() throws IOException {
        // The storage server is its own process (the VIOS's operating system): JDK, SLF4J, Jackson,
        // durable (JDK only: files replaced whole) and vhost (JDK only: vhost-user) — nothing of the daemon.
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/parvirt/vios/nbd"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    assertThat(m.group(1)).as(f.toString()).isIn("vios.nbd", "durable", "vhost");
                }
            }
        }
    }

    @Test
    void everyPackageSaysWhatItIsFor() throws IOException {
        try (Stream<Path> dirs = Files.walk(Path.of("src/main/java/io/parvirt"))) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                boolean hasCode;
                try (Stream<Path> files = Files.list(d)) {
                    hasCode = files.anyMatch(f -> f.toString().endsWith(".java"));
                }
                if (hasCode) {
                    assertThat(d.resolve("package-info.java")).as(d.toString()).exists();
                }
            }
        }
    }
}
