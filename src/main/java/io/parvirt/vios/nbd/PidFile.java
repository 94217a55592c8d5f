package io.parvirt.vios.nbd;

import io.parvirt.durable.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's pid file: its pid and a newline, written atomically once the server is ready, so
 * its existence is the readiness signal the host daemon waits for. Removed on a clean stop, but
 * only while it still holds this process's pid: a server started later on the same file keeps it.
 */
final class PidFile {
    private final Path path;
    private final String content;

    private PidFile(Path path, String content) {
        this.path = path;
        this.content = content;
    }

    static PidFile write(Path path) throws IOException {
        String content = ProcessHandle.current().pid() + "\n";
        AtomicFile.replace(path, content.getBytes(StandardCharsets.US_ASCII));
        return new PidFile(path, content);
    }

    void remove() {
        try {
            if (content.equals(Files.readString(path, StandardCharsets.US_ASCII))) {
                Files.delete(path);
            }
        } catch (IOException ignored) {
            // already gone, or replaced by another server's
        }
    }
}
