package io.parvirt.vios.nbd;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** A server on a test's own directory, with sparse backing files made on demand. */
final class NbdRig implements AutoCloseable {
    final Path dir;
    final Path sockets;
    final NbdServer server;

    NbdRig(Path dir) throws IOException {
        this.dir = dir;
        this.sockets = Files.createDirectories(dir.resolve("s"));
        this.server = new NbdServer(sockets);
    }

    /** A sparse file of {@code size} bytes. */
    Path sparse(String name, long size) throws IOException {
        Path f = dir.resolve(name + ".img");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
        return f;
    }

    Endpoint serve(String name, long size) throws IOException {
        return server.serve(new Export(name, sparse(name, size), false));
    }

    @Override
    public void close() {
        server.close();
    }
}
