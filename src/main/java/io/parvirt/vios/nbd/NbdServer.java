package io.parvirt.vios.nbd;

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
