package io.parvirt.durable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file's whole content: a new temporary file in the same directory (rename(2) is atomic
 * only within one file system), written, forced to disk, renamed over the target, and the directory
 * synced so that the rename itself is durable.
 *
 * <p>The temporary file is made with {@code O_EXCL} under a fresh name and mode {@code rw-------}: a
 * file or link that another user (an unprivileged QEMU writes in the run directories) left in the
 * directory is never written through, and secrets (tokens, credentials) are never readable by
 * others, not even for a moment. A target that must be readable by others is opened up by its caller
 * after the replace.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** Replaces {@code target}'s content with {@code content}; the parent directory must exist. */
    public static void replace(Path target, byte[] content) throws IOException {
        replace(target, content, true);
    }

    /**
     * The same, without forcing the file or its directory to disk: for a file that matters only
     * while this host stays up (a migration stream's key, removed when the stream is over), where
     * each fsync is time on a caller's clock. Atomic and private all the same.
     */
    public static void replaceVolatile(Path target, String text) throws IOException {
        replace(target, text.getBytes(StandardCharsets.UTF_8), false);
    }

    private static void replace(Path target, byte[] content, boolean durable) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                if (durable) {
                    ch.force(true);
                }
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (!durable) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // a file system that cannot sync a directory: the content is still replaced atomically
        }
    }

    /** Replaces {@code target}'s content with {@code text} in UTF-8. */
    public static void replace(Path target, String text) throws IOException {
        replace(target, text.getBytes(StandardCharsets.UTF_8));
    }
}
