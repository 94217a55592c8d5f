package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The VIOS's NBD server: serves each export (each mapping of a backing device to a client) on its
 * own Unix socket in one directory. Exports come and go while others are served; stopping one
 * closes only its connections.
 */
public final class NbdServer implements AutoCloseable {
    private final Path socketDir;
    private final NbdSettings settings;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();

    public NbdServer(Path socketDir) {
        this(socketDir, NbdSettings.DEFAULTS);
    }

    public NbdServer(Path socketDir, NbdSettings settings) {
        if (!Files.isDirectory(socketDir)) {
            throw new IllegalArgumentException("socket directory " + socketDir + " does not exist");
        }
        this.socketDir = socketDir;
        this.settings = settings;
    }

    /** Starts serving {@code export} on {@code DIR/NAME.sock}. */
    public synchronized Endpoint serve(Export export) {
        if (endpoints.containsKey(export.name())) {
            throw new NbdException(NbdException.Kind.DUPLICATE_EXPORT, export.name(), export.file(),
                    "already served", null);
        }
        Endpoint e = Endpoint.open(export, socketDir, settings);
        endpoints.put(export.name(), e);
        return e;
    }

    public synchronized Optional<Endpoint> endpoint(String name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    public synchronized List<Endpoint> endpoints() {
        return List.copyOf(endpoints.values());
    }

    /**
     * Takes snapshot {@code name} of a served export's device while its clients go on: their
     * requests wait only for the snapshot's pause, whose length this returns (nanoseconds).
     */
    public long snapshot(String export, String name, long createdMillis) throws IOException {
        return overlayOf(export).snapshot(name, createdMillis);
    }

    /** Returns a served export's device to snapshot {@code name}; its clients read that state from their next request. */
    public void revert(String export, String name) throws IOException {
        overlayOf(export).revert(name);
    }

    /** Deletes snapshot {@code name} of a served export's device, merging its layer while clients go on. */
    public void deleteSnapshot(String export, String name) throws IOException {
        overlayOf(export).delete(name);
    }

    /**
     * Reads a served export's layers again from their files: another VIOS's server wrote them while
     * this one already served the device (the destination of a live migration, before its guest runs).
     */
    public void reread(String export) throws IOException {
        overlayOf(export).refresh();
    }

    public List<OverlayChain.Snapshot> snapshots(String export) {
        return overlayOf(export).snapshots();
    }

    /**
     * Starts moving a served export's device to {@code target} (a new file) while its clients go on,
     * copying at most {@code bytesPerSecond} (0: no cap) ({@link DiskMove}).
     */
    public DiskMove move(String export, Path target, long bytesPerSecond) throws IOException {
        return overlayOf(export).startMove(export, target, bytesPerSecond);
    }

    /** The export's move in progress, or its last one. */
    public Optional<DiskMove> moveOf(String export) {
        return Optional.ofNullable(overlayOf(export).move());
    }

    private Overlay overlayOf(String export) {
        Endpoint e = endpoint(export).orElseThrow(() -> new NbdException(NbdException.Kind.NOT_SERVED, export,
                null, "not served", null));
        if (e.overlay() == null) {
            throw new NbdException(NbdException.Kind.NO_SNAPSHOTS, export, e.export().file(),
                    "read-only media have no snapshots", null);
        }
        return e.overlay();
    }

    /** Stops serving one export; false when it was not served. */
    public boolean stop(String name) {
        Endpoint e;
        synchronized (this) {
            e = endpoints.remove(name);
        }
        if (e == null) {
            return false;
        }
        e.close();
        return true;
    }

    @Override
    public void close() {
        List<Endpoint> all;
        synchronized (this) {
            all = List.copyOf(endpoints.values());
            endpoints.clear();
        }
        for (Endpoint e : all) {
            e.close();
        }
    }
}
