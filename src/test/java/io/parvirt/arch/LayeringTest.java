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
import org.junit.jupiter.api.Test;

/** Imports point down (ARCHITECTURE.md): each package may use only the packages listed for it. */
class LayeringTest {
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("model", Set.of()),
            Map.entry("cgroup", Set.of()),
            Map.entry("home", Set.of()),
            Map.entry("memory", Set.of("model")),
            Map.entry("store", Set.of("model")),
            Map.entry("system", Set.of("model", "memory", "store")),
            Map.entry("hmc", Set.of("model", "memory", "store", "system", "hypervisor", "dispatch", "vswitch",
                    "image", "console", "vios")),
            Map.entry("vios", Set.of("model", "store", "system")),
            Map.entry("vswitch", Set.of()),
            Map.entry("hypervisor", Set.of("model", "console", "cgroup")),
            Map.entry("dispatch", Set.of("model", "cgroup")),
            Map.entry("console", Set.of()),
            Map.entry("image", Set.of()),
            Map.entry("api", Set.of("hmc", "model", "system")),
            Map.entry("daemon", Set.of("api", "hmc", "home", "memory", "model", "store", "system", "hypervisor", "dispatch",
                    "vswitch", "image", "vios")),
            Map.entry("cli", Set.of("daemon", "home", "image")));

    static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?io\\.parvirt\\.([a-z]+)\\.");
    static final Pattern QUALIFIED = Pattern.compile("\\bio\\.parvirt\\.([a-z]+)\\.[A-Z]");

    @Test
    void everyPackageImportsOnlyTheLayersBelowIt() throws IOException {
        Path src = Path.of("src/main/java/io/parvirt");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = src.relativize(f).getName(0).toString();
                assertThat(ALLOWED).as("package %s is listed", pkg).containsKey(pkg);
                String text = Files.readString(f);
                for (Pattern p : List.of(IMPORT, QUALIFIED)) {
                    Matcher m = p.matcher(text);
                    while (m.find()) {
                        String used = m.group(1);
                        if (!used.equals(pkg) && !ALLOWED.get(pkg).contains(used)) {
                            violations.add(f + " uses " + used);
                        }
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void everyPackageSaysWhatItIsFor() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("src/main/java/io/parvirt"))) {
            for (Path d : dirs.toList()) {
                assertThat(d.resolve("package-info.java")).as(d.toString()).exists();
            }
        }
    }
}
