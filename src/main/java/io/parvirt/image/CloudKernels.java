package io.parvirt.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's cloud kernel packages, {@code linux-image-<abi>-cloud-amd64}: built for virtual
 * machines, small, with the virtio drivers as modules. The ABI is in the package name, so "the
 * newest" is a name to find before anything is downloaded.
 */
final class CloudKernels {
    static final Pattern PACKAGE = Pattern.compile("linux-image-\\d[^\\s<>]*-cloud-amd64");
    private static final String METAPACKAGE = "linux-image-cloud-amd64";
    private static final Duration LOCAL = Duration.ofMinutes(2);

    private final DebianPackages apt;
    private final Consumer<String> progress;

    CloudKernels(DebianPackages apt, Consumer<String> progress) {
        this.apt = apt;
        this.progress = progress;
    }

    /**
     * The newest {@code linux-image-<abi>-cloud-amd64} apt knows: what the metapackage depends on,
     * else the highest such name in apt's lists, else (no lists, cannot update) the newest cached.
     */
    String newest() throws ImageException {
        for (int attempt = 0; ; attempt++) {
            Optional<String> named = ofMetapackage().or(this::newestInLists);
            if (named.isPresent()) {
                return named.get();
            }
            if (attempt == 0 && apt.updateLists()) {
                continue;
            }
            Optional<String> cached = newestCached();
            if (cached.isPresent()) {
                progress.accept("apt knows no cloud kernel; using the cached " + cached.get());
                return cached.get();
            }
            throw new ImageException("apt knows no " + METAPACKAGE + " package (are its package lists missing?)",
                    HostProgram.asRoot("apt-get update"));
        }
    }

    /**
     * Removes every cached cloud kernel but {@code keep}: an unpacked kernel is about 100 MB, and
     * only the newest is ever built into the default image.
     */
    void forgetAllBut(String keep) throws ImageException {
        for (Path dir : List.of(apt.debs, apt.unpacked)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    String pkg = p.getFileName().toString().split("_", 2)[0];
                    if (PACKAGE.matcher(pkg).matches() && !pkg.equals(keep)) {
                        progress.accept("removing the cached " + p.getFileName());
                        FileTree.delete(p);
                    }
                }
            } catch (IOException e) {
                throw new ImageException("cannot clean the package cache " + dir + ": " + e.getMessage(), null, e);
            }
        }
    }

    private Optional<String> ofMetapackage() throws ImageException {
        HostProgram.Result r = HostProgram.run(null, LOCAL, List.of("apt-cache", "depends", METAPACKAGE));
        if (!r.ok()) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("Depends:\\s*<?(" + PACKAGE.pattern() + ")").matcher(r.out());
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found.stream().max(VersionOrder.INSTANCE);
    }

    private Optional<String> newestInLists() {
        try {
            HostProgram.Result r = HostProgram.run(null, LOCAL,
                    List.of("apt-cache", "search", "--names-only", "^" + PACKAGE.pattern() + "$"));
            return r.out().lines().map(l -> l.split(" ", 2)[0]).filter(n -> PACKAGE.matcher(n).matches())
                    .max(VersionOrder.INSTANCE);
        } catch (ImageException e) {
            return Optional.empty();
        }
    }

    private Optional<String> newestCached() throws ImageException {
        if (!Files.isDirectory(apt.debs)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(apt.debs)) {
            return s.map(p -> p.getFileName().toString().split("_", 2)[0])
                    .filter(n -> PACKAGE.matcher(n).matches()).max(VersionOrder.INSTANCE);
        } catch (IOException e) {
            throw new ImageException("cannot read the package cache " + apt.debs + ": " + e.getMessage(), null, e);
        }
    }
}
