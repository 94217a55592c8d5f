package io.parvirt.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The modules of one unpacked kernel ({@code lib/modules/<version>}), and the order to load a
 * chosen few with their dependencies. Modules go into the initramfs uncompressed: busybox insmod
 * cannot be relied on to read .ko.xz or .ko.zst, and Java reads no xz, so the {@code xz} and
 * {@code zstd} programs unpack them at build time (Debian's 6.1 cloud kernel ships plain .ko).
 */
final class KernelModules {
    /** A module ready for the guest: its path under {@code lib/modules/<version>}, uncompressed. */
    record Module(String name, String path, byte[] content, boolean required) {
    }

    private static final List<String> SUFFIXES = List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz");

    private final Path dir;
    private final DebianPackages packages;
    private final Map<String, String> files = new HashMap<>();
    private final Set<String> builtin = new HashSet<>();
    private final Map<String, byte[]> contents = new HashMap<>();

    KernelModules(Path dir, DebianPackages packages) throws ImageException {
        this.dir = dir;
        this.packages = packages;
        try (Stream<Path> s = Files.walk(dir.resolve("kernel"))) {
            s.filter(Files::isRegularFile).forEach(p -> {
                String rel = dir.relativize(p).toString();
                if (suffix(rel) != null) {
                    files.putIfAbsent(name(rel), rel);
                }
            });
            Path list = dir.resolve("modules.builtin");
            if (Files.exists(list)) {
                Files.readAllLines(list).forEach(l -> builtin.add(name(l.strip())));
            }
        } catch (IOException e) {
            throw new ImageException("cannot read the kernel modules in " + dir + ": " + e.getMessage(), null, e);
        }
    }

    /**
     * The wanted modules, each after its dependencies. A module missing from this kernel is skipped
     * with a warning (one built in is skipped silently: it is there); a dependency is required when
     * a required module needs it.
     */
    List<Module> loadOrder(List<String> wanted, Set<String> optional, Consumer<String> progress)
            throws ImageException {
        Map<String, Module> order = new LinkedHashMap<>();
        for (String w : wanted) {
            String n = w.replace('-', '_');
            if (files.containsKey(n)) {
                visit(n, !optional.contains(w), order, new HashSet<>());
            } else if (!builtin.contains(n)) {
                progress.accept("warning: kernel module " + w + " is not in this kernel; skipped");
            }
        }
        return List.copyOf(order.values());
    }

    private void visit(String name, boolean required, Map<String, Module> order, Set<String> path)
            throws ImageException {
        Module done = order.get(name);
        if (done != null && (done.required() || !required)) {
            return;
        }
        if (!path.add(name)) {
            throw new ImageException("kernel modules depend on each other in a cycle through " + name, null);
        }
        for (String dep : dependencies(name)) {
            visit(dep, required, order, path);
        }
        path.remove(name);
        if (done != null) {
            // Pulled in before by an optional module, now needed by a required one: same place.
            order.put(name, new Module(name, done.path(), done.content(), true));
            return;
        }
        String rel = files.get(name);
        order.put(name, new Module(name, rel.substring(0, rel.length() - suffix(rel).length()) + ".ko",
                content(name), required));
    }

    /** What modpost recorded the module to need, minus what is built into the kernel. */
    private List<String> dependencies(String name) throws ImageException {
        List<String> deps = new ArrayList<>();
        for (String dep : ModInfo.read(content(name)).getOrDefault("depends", "").split(",")) {
            String d = dep.strip().replace('-', '_');
            if (d.isEmpty() || builtin.contains(d)) {
                continue;
            }
            if (!files.containsKey(d)) {
                throw new ImageException("kernel module " + name + " needs " + d + ", which this kernel lacks", null);
            }
            deps.add(d);
        }
        return deps;
    }

    private byte[] content(String name) throws ImageException {
        byte[] cached = contents.get(name);
        if (cached != null) {
            return cached;
        }
        String rel = files.get(name);
        Path file = dir.resolve(rel);
        byte[] c;
        try {
            c = switch (suffix(rel)) {
                case ".ko" -> Files.readAllBytes(file);
                case ".ko.gz" -> {
                    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                        yield in.readAllBytes();
                    }
                }
                case ".ko.xz" -> decompress("xz", "xz-utils", file);
                default -> decompress("zstd", "zstd", file);
            };
        } catch (IOException e) {
            throw new ImageException("cannot read kernel module " + file + ": " + e.getMessage(), null, e);
        }
        contents.put(name, c);
        return c;
    }

    private byte[] decompress(String program, String pkg, Path file) throws ImageException {
        List<String> command = List.of(program, "-dc", file.toString());
        HostProgram.Result r;
        try {
            r = HostProgram.run(null, Duration.ofMinutes(1), command);
        } catch (ImageException notInstalled) {
            if (!HostProgram.isRoot()) {
                throw notInstalled;
            }
            packages.installOnHost(List.of(pkg));
            r = HostProgram.run(null, Duration.ofMinutes(1), command);
        }
        if (!r.ok()) {
            throw new ImageException(program + " cannot unpack " + file + ": " + r.reason(), null);
        }
        return r.stdout();
    }

    private static String suffix(String rel) {
        return SUFFIXES.stream().filter(rel::endsWith).findFirst().orElse(null);
    }

    /** The module's name as the kernel knows it: file name without suffix, '-' read as '_'. */
    private static String name(String rel) {
        String f = rel.substring(rel.lastIndexOf('/') + 1);
        String s = suffix(f);
        return (s == null ? f : f.substring(0, f.length() - s.length())).replace('-', '_');
    }
}
