package io.parvirt.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The images under one directory ({@code PARVIRT_HOME/images}). An image appears by rename only:
 * it is built in a hidden directory beside its final place, so a build that dies half way leaves
 * nothing that {@link #list} or {@link #find} would take for an image.
 *
 * <p>Names starting with a dot are the store's own: {@code .cache} (downloaded packages, reused by
 * every build; delete it to fetch fresh ones), {@code .build-*} (builds in progress or abandoned,
 * removed by the next build), {@code .lock} (held while building; the cache has one too).
 */
public final class ImageStore {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** One holder per directory in this JVM; file locks keep other processes out. */
    private static final ConcurrentHashMap<Path, ReentrantLock> HOLDERS = new ConcurrentHashMap<>();

    private final Path imagesDir;
    private final Path cacheDir;

    public ImageStore(Path imagesDir) {
        this(imagesDir, imagesDir.resolve(".cache"));
    }

    /** With the package cache elsewhere, e.g. shared by tests that each build into a new directory. */
    public ImageStore(Path imagesDir, Path cacheDir) {
        this.imagesDir = imagesDir.toAbsolutePath().normalize();
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
    }

    public Path directory() {
        return imagesDir;
    }

    /** Every complete image, sorted by name; damaged and half-built ones are left out. */
    public List<PartitionImage> list() {
        if (!Files.isDirectory(imagesDir)) {
            return List.of();
        }
        List<PartitionImage> images = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(imagesDir)) {
            for (Path d : dirs.sorted().toList()) {
                String name = d.getFileName().toString();
                if (NAME.matcher(name).matches() && Files.isDirectory(d)) {
                    ImageDirectory.read(name, d).ifPresent(images::add);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        images.sort(Comparator.comparing(PartitionImage::name));
        return images;
    }

    public Optional<PartitionImage> find(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty(); // also keeps "../x" and ".cache" out
        }
        Path d = imagesDir.resolve(name);
        return Files.isDirectory(d) ? ImageDirectory.read(name, d) : Optional.empty();
    }

    /** The default image, built first if there is none yet (or it is damaged). */
    public PartitionImage ensureDefault(Consumer<String> progress) throws ImageException {
        Optional<PartitionImage> built = find(DefaultImage.NAME);
        if (built.isPresent()) {
            return built.get();
        }
        return exclusively(() -> {
            // Another builder may have finished while we waited for the lock.
            Optional<PartitionImage> meanwhile = find(DefaultImage.NAME);
            return meanwhile.isPresent() ? meanwhile.get() : buildImage(DefaultImage.NAME, List.of(), progress);
        });
    }

    /** Builds the default image afresh (reusing downloaded packages) and puts it in place. */
    public PartitionImage build(Consumer<String> progress) throws ImageException {
        return exclusively(() -> buildImage(DefaultImage.NAME, List.of(), progress));
    }

    /**
     * Builds image {@code name} afresh: the default recipe plus the programs and shared libraries of
     * each of {@code packages} (Debian package names; none gives the default recipe alone), and
     * puts it in place of any image of that name. Profiles boot it with {@code parvirt_image=name}.
     */
    public PartitionImage build(String name, List<String> packages, Consumer<String> progress)
            throws ImageException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ImageException("'" + name + "' is not an image name: use letters, digits, '.', '_' and '-',"
                    + " at most 64, starting with a letter or digit", null);
        }
        List<String> pkgs = new ArrayList<>();
        for (String p : packages) {
            if (!PackageContents.NAME.matcher(p).matches()) {
                throw new ImageException("'" + p + "' is not a Debian package name", null);
            }
            if (!pkgs.contains(p)) {
                pkgs.add(p);
            }
        }
        return exclusively(() -> buildImage(name, pkgs, progress));
    }

    private PartitionImage buildImage(String name, List<String> packages, Consumer<String> progress)
            throws ImageException {
        long started = System.nanoTime();
        Path tmp = imagesDir.resolve(".build-" + name + "-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        String what = name.equals(DefaultImage.NAME) ? "the default image" : "image " + name;
        try {
            removeAbandonedBuilds();
            Files.createDirectories(tmp);
            new DefaultImage(new DebianPackages(cacheDir, progress), packages, progress).writeTo(tmp);
            if (ImageDirectory.read(name, tmp).isEmpty()) {
                throw new ImageException("the image just built in " + tmp + " is incomplete", null);
            }
            replace(tmp, imagesDir.resolve(name));
        } catch (IOException e) {
            throw new ImageException("cannot write " + what + " under " + imagesDir + ": " + e.getMessage(),
                    null, e);
        } finally {
            try {
                FileTree.delete(tmp);
            } catch (IOException e) {
                progress.accept("warning: cannot remove " + tmp + ": " + e.getMessage());
            }
        }
        PartitionImage image = find(name).orElseThrow(
                () -> new ImageException(what + " vanished from " + imagesDir + " after its build", null));
        progress.accept((name.equals(DefaultImage.NAME) ? "default image" : "image " + name) + " ready in "
                + (System.nanoTime() - started) / 1_000_000 + " ms: " + image.description());
        return image;
    }

    /**
     * Moves a finished image into place. A directory cannot be renamed over a non-empty one, so an
     * old image is first moved aside; between the two renames the name is briefly absent.
     */
    private void replace(Path built, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = imagesDir.resolve(".build-" + target.getFileName() + "-replaced-" + System.nanoTime());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            FileTree.delete(old);
        }
    }

    /** Under the lock no build is running, so any .build-* directory was abandoned. */
    private void removeAbandonedBuilds() throws IOException {
        try (Stream<Path> s = Files.list(imagesDir)) {
            for (Path d : s.filter(p -> p.getFileName().toString().startsWith(".build-")).toList()) {
                FileTree.delete(d);
            }
        }
    }

    private interface Build {
        PartitionImage run() throws ImageException;
    }

    /**
     * Runs a build holding the images directory and then the package cache, in that order, both in
     * this JVM and against other processes (a daemon and a CLI command, or two test runs sharing a
     * cache).
     */
    private PartitionImage exclusively(Build build) throws ImageException {
        return cacheDir.equals(imagesDir) ? holding(imagesDir, build)
                : holding(imagesDir, () -> holding(cacheDir, build));
    }

    private static PartitionImage holding(Path dir, Build build) throws ImageException {
        Path key;
        try {
            key = Files.createDirectories(dir).toRealPath();
        } catch (IOException e) {
            throw new ImageException("cannot create " + dir + ": " + e.getMessage(), null, e);
        }
        // Keyed by the real path: a second lock on one file from this JVM would throw, not wait.
        ReentrantLock lock = HOLDERS.computeIfAbsent(key, d -> new ReentrantLock());
        lock.lock();
        try (FileChannel ch = FileChannel.open(key.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            ch.lock(); // released when the channel closes, also if this process dies
            return build.run();
        } catch (IOException e) {
            throw new ImageException("cannot lock " + dir + " for building: " + e.getMessage(), null, e);
        } finally {
            lock.unlock();
        }
    }
}
