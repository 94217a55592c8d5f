package io.parvirt.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One build of the default image per test run, into a fresh images directory; the downloaded
 * packages stay in {@code target/image-cache}, so a rerun fetches nothing.
 */
public final class TestImages {
    static final Path CACHE = Path.of("target/image-cache").toAbsolutePath();

    /** What the shared build left behind, and what it took. */
    public record Build(ImageStore store, PartitionImage image, long millis, Path abandoned) {
    }

    private static Build build;

    private TestImages() {
    }

    public static synchronized Build defaultImage() throws ImageException, IOException {
        if (build == null) {
            Path dir = Files.createTempDirectory("parvirt-images");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    FileTree.delete(dir);
                } catch (IOException e) {
                    // a temp directory; the OS cleans it eventually
                }
            }));
            // What a build killed half way leaves: complete-looking files in a hidden directory.
            Path abandoned = Files.createDirectories(dir.resolve(".build-default-1-1"));
            Files.writeString(abandoned.resolve(ImageDirectory.PROPERTIES), "description=half\n");
            ImageStore store = new ImageStore(dir, CACHE);
            long t = System.nanoTime();
            PartitionImage image = store.ensureDefault(line -> System.out.println("image build: " + line));
            build = new Build(store, image, (System.nanoTime() - t) / 1_000_000, abandoned);
            System.out.println("image build took " + build.millis() + " ms");
        }
        return build;
    }
}
