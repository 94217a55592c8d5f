package io.parvirt.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Debian packages fetched for the guest with {@code apt-get download} and unpacked with
 * {@code dpkg-deb -x} into parvirt's image cache: nothing is installed on the host, except the
 * libraries the agent links against when the host lacks them (ldd must resolve them).
 *
 * <p>Cache layout: {@code debs/*.deb}, and {@code unpacked/<deb name>/} for each; both appear by
 * rename only, so an interrupted download or unpack is never taken for a finished one.
 */
final class DebianPackages {
    private static final Duration DOWNLOAD = Duration.ofMinutes(15);
    private static final Duration LOCAL = Duration.ofMinutes(2);

    final Path debs;
    final Path unpacked;
    private final Consumer<String> progress;
    private boolean listsUpdated;

    DebianPackages(Path cacheDir, Consumer<String> progress) {
        this.debs = cacheDir.resolve("debs");
        this.unpacked = cacheDir.resolve("unpacked");
        this.progress = progress;
    }

    /** The package's files, unpacked into the cache (downloaded first unless cached). */
    Path unpack(String pkg) throws ImageException {
        Optional<Path> cached = cachedDeb(pkg);
        Path deb = cached.isPresent() ? cached.get() : download(pkg);
        Path root = unpacked.resolve(deb.getFileName().toString().replaceFirst("\\.deb$", ""));
        if (Files.isDirectory(root)) {
            return root;
        }
        progress.accept("unpacking " + pkg);
        HostProgram.Result r = extract(deb, root);
        if (!r.ok() && cached.isPresent()) {
            // A damaged cached package (a full disk, a crash) is fetched again, once.
            progress.accept("cached " + deb.getFileName() + " is damaged (" + r.reason() + "); fetching it again");
            delete(deb);
            deb = download(pkg);
            root = unpacked.resolve(deb.getFileName().toString().replaceFirst("\\.deb$", ""));
            r = extract(deb, root);
        }
        if (!r.ok()) {
            throw new ImageException("cannot unpack " + deb.getFileName() + ": " + r.reason(), null);
        }
        return root;
    }

    private HostProgram.Result extract(Path deb, Path root) throws ImageException {
        try {
            Path tmp = scratch(unpacked, root.getFileName().toString());
            Files.createDirectories(tmp);
            HostProgram.Result r = HostProgram.run(null, LOCAL,
                    List.of("dpkg-deb", "-x", deb.toString(), tmp.toString()));
            if (r.ok()) {
                Files.move(tmp, root, StandardCopyOption.ATOMIC_MOVE);
            } else {
                FileTree.delete(tmp);
            }
            return r;
        } catch (IOException e) {
            throw new ImageException("cannot unpack " + deb.getFileName() + " into " + unpacked + ": "
                    + e.getMessage(), null, e);
        }
    }

    private static void delete(Path file) throws ImageException {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new ImageException("cannot remove the damaged " + file + ": " + e.getMessage(), null, e);
        }
    }

    /** The cached .deb of a package, as downloaded. */
    Optional<Path> cachedDeb(String pkg) throws ImageException {
        if (!Files.isDirectory(debs)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(debs)) {
            return s.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                    && p.getFileName().toString().endsWith(".deb")).max(Comparator.naturalOrder());
        } catch (IOException e) {
            throw new ImageException("cannot read the package cache " + debs + ": " + e.getMessage(), null, e);
        }
    }

    /** A control field of a cached package, e.g. Version or Depends. */
    String field(String pkg, String name) throws ImageException {
        Path deb = cachedDeb(pkg).orElseThrow(() -> new IllegalStateException(pkg + " is not cached"));
        return HostProgram.check(null, LOCAL, List.of("dpkg-deb", "-f", deb.toString(), name)).out().strip();
    }

    /** The packages a cached package depends on, the first of each set of alternatives. */
    List<String> depends(String pkg) throws ImageException {
        List<String> names = new ArrayList<>();
        for (String clause : field(pkg, "Depends").split(",")) {
            String first = clause.split("\\|")[0].strip().split("[\\s(:]")[0];
            if (!first.isEmpty()) {
                names.add(first);
            }
        }
        return names;
    }

    /**
     * Installs packages on the host; only done for libraries ldd could not find. Packages already
     * installed are left out, so that this never upgrades one (libc6, say) as a side effect.
     */
    void installOnHost(List<String> wanted) throws ImageException {
        List<String> packages = notInstalled(wanted);
        if (packages.isEmpty()) {
            return; // nothing to install would help: the caller reports what is still missing
        }
        String command = "apt-get install -y --no-install-recommends " + String.join(" ", packages);
        if (!HostProgram.isRoot()) {
            throw new ImageException("the host lacks libraries a guest program needs", "sudo " + command);
        }
        progress.accept("installing on the host: " + String.join(" ", packages));
        List<String> args = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
        args.addAll(packages);
        HostProgram.Result r = HostProgram.run(null, DOWNLOAD, args);
        if (!r.ok() && updateLists()) {
            r = HostProgram.run(null, DOWNLOAD, args);
        }
        if (!r.ok()) {
            throw new ImageException("cannot install " + String.join(" ", packages) + ": " + r.reason(), command);
        }
    }

    /** Those of {@code packages} dpkg does not know as installed. */
    private static List<String> notInstalled(List<String> packages) throws ImageException {
        List<String> args = new ArrayList<>(List.of("dpkg-query", "-W",
                "--showformat=${Package} ${db:Status-Abbrev}\\n"));
        args.addAll(packages);
        // Exit code 1 for a package dpkg has never heard of: that one is simply not installed.
        HostProgram.Result r = HostProgram.run(null, LOCAL, args);
        Set<String> installed = new HashSet<>();
        for (String line : r.out().lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2 && f[1].startsWith("ii")) {
                installed.add(f[0].replaceFirst(":.*$", ""));
            }
        }
        return packages.stream().filter(p -> !installed.contains(p.replaceFirst(":.*$", ""))).toList();
    }

    private Path download(String pkg) throws ImageException {
        progress.accept("downloading " + pkg);
        // Into a private directory first: apt-get writes the final name as it goes.
        try {
            Path tmp = scratch(debs, "download-" + pkg);
            Files.createDirectories(tmp);
            HostProgram.Result r = HostProgram.run(tmp, DOWNLOAD, List.of("apt-get", "download", pkg));
            if (!r.ok() && updateLists()) {
                r = HostProgram.run(tmp, DOWNLOAD, List.of("apt-get", "download", pkg));
            }
            if (!r.ok()) {
                throw new ImageException("apt-get download " + pkg + " failed: " + r.reason(),
                        HostProgram.asRoot("apt-get update"));
            }
            Path fetched;
            try (Stream<Path> s = Files.list(tmp)) {
                fetched = s.filter(p -> p.toString().endsWith(".deb")).findFirst().orElseThrow(
                        () -> new ImageException("apt-get download " + pkg + " left no .deb in " + tmp, null));
            }
            Path deb = debs.resolve(fetched.getFileName());
            Files.move(fetched, deb, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileTree.delete(tmp);
            return deb;
        } catch (IOException e) {
            throw new ImageException("cannot download " + pkg + " into " + debs + ": " + e.getMessage(), null, e);
        }
    }

    /**
     * A private working directory named after this process. A builder killed half way leaves its
     * apt-get or dpkg-deb running for a while; the next builder must not write into, or delete,
     * the directory that orphan still fills. Directories of builders that are gone are removed.
     */
    private static Path scratch(Path parent, String what) throws IOException {
        Path dir = Files.createDirectories(parent);
        String prefix = "." + what + ".tmp-";
        try (Stream<Path> s = Files.list(dir)) {
            for (Path old : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                String pid = old.getFileName().toString().substring(prefix.length());
                boolean alive = pid.chars().allMatch(Character::isDigit) && !pid.isEmpty()
                        && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                    FileTree.delete(old);
                }
            }
        }
        Path tmp = dir.resolve(prefix + ProcessHandle.current().pid());
        FileTree.delete(tmp);
        return tmp;
    }

    /** Runs apt-get update once per build, only as root; false when it cannot or did not help. */
    boolean updateLists() throws ImageException {
        if (listsUpdated || !HostProgram.isRoot()) {
            return false;
        }
        listsUpdated = true;
        progress.accept("updating apt package lists");
        HostProgram.Result r = HostProgram.run(null, DOWNLOAD, List.of("apt-get", "update"));
        if (!r.ok()) {
            progress.accept("apt-get update failed: " + r.reason());
        }
        return r.ok();
    }
}
