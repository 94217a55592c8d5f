package io.parvirt.vios.nbd;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server on a test's own directory, with sparse backing files made on demand. Either made by a test
 * on a directory of its own ({@code new NbdRig(dir)}, closed by the test), or registered as a field,
 *
 * <pre>{@code
 * @RegisterExtension
 * final NbdRig rig = NbdRig.serving("lv01", SIZE); // .and("lv02", SIZE) ...
 * }</pre>
 *
 * which before each test starts a server on a fresh temporary directory with those sparse exports
 * ({@link #disk()}, {@link #endpoint}), and after it closes the server and deletes the directory.
 */
final class NbdRig implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    private final Map<String, Long> exports;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private boolean ownsDir;
    Path dir;
    Path sockets;
    NbdServer server;

    NbdRig(Path dir) throws IOException {
        this.exports = Map.of();
        open(dir);
    }

    private NbdRig(Map<String, Long> exports) {
        this.exports = exports;
    }

    /** An extension serving a sparse export of {@code size} bytes named {@code name}. */
    static NbdRig serving(String name, long size) {
        return new NbdRig(new LinkedHashMap<>()).and(name, size);
    }

    /** Another sparse export, served after those named before it. */
    NbdRig and(String name, long size) {
        exports.put(name, size);
        return this;
    }

    private void open(Path dir) throws IOException {
        this.dir = dir;
        this.sockets = Files.createDirectories(dir.resolve("s"));
        this.server = new NbdServer(sockets);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        ownsDir = true;
        open(Files.createTempDirectory("parvirt-nbd-test-"));
        for (var e : exports.entrySet()) {
            endpoints.put(e.getKey(), serve(e.getKey(), e.getValue()));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        close();
        endpoints.clear();
        if (ownsDir) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The endpoint of the export named when the rig was registered. */
    Endpoint endpoint(String name) {
        Endpoint e = endpoints.get(name);
        if (e == null) {
            throw new IllegalStateException("no export " + name + " in " + endpoints.keySet());
        }
        return e;
    }

    /** The endpoint of the only export named when the rig was registered. */
    Endpoint disk() {
        if (endpoints.size() != 1) {
            throw new IllegalStateException("exports " + endpoints.keySet() + ": name the one you mean");
        }
        return endpoints.values().iterator().next();
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
        if (server != null) {
            server.close();
        }
    }
}
