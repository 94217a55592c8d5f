package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server process's exports, kept equal to a list: the command line's, or the exports file's
 * at start and after each SIGHUP. One change at a time (every method holds this object's lock),
 * and none after {@link #close}, which the shutdown hook calls.
 */
final class ServedExports implements AutoCloseable {
    private final NbdServer server;
    private final StatusLines status;
    private boolean closed;

    ServedExports(NbdServer server, StatusLines status) {
        this.server = server;
        this.status = status;
    }

    /** Serves every one of {@code exports} or, at the first that cannot be, throws (the {@code --export} mode). */
    synchronized void serveAll(List<Export> exports) {
        for (Export e : exports) {
            if (closed) {
                return;
            }
            announce(server.serve(e));
        }
    }

    /**
     * Makes the served exports {@code wanted}: serves the new ones, stops the ones no longer
     * wanted, stops and serves again the ones whose file or mode changed, leaves the others (and
     * their connections) alone. One that cannot be served is reported and skipped: the others are
     * still served, and the next change tries it again.
     */
    synchronized void follow(List<Export> wanted) {
        if (closed) {
            return;
        }
        Map<String, Export> byName = new LinkedHashMap<>();
        for (Export e : wanted) {
            byName.put(e.name(), e);
        }
        for (Endpoint ep : server.endpoints()) {
            if (!ep.export().equals(byName.get(ep.export().name()))) {
                server.stop(ep.export().name());
                status.event("withdrawn " + ep.export().name());
            }
        }
        for (Export e : wanted) {
            if (server.endpoint(e.name()).isEmpty()) {
                try {
                    announce(server.serve(e));
                } catch (NbdException x) {
                    status.problem("cannot serve " + e.name() + ": " + x.reason());
                } catch (RuntimeException x) { // whatever it is, the other exports go on
                    status.problem("cannot serve " + e.name() + ": " + x);
                }
            }
        }
    }

    /** Re-reads {@code file} and follows it; a file that cannot be read changes nothing. */
    synchronized void reload(Path file) {
        if (closed) {
            return;
        }
        List<Export> wanted;
        try {
            wanted = ExportsFile.read(file);
        } catch (IOException e) {
            status.problem("reload failed: " + e.getMessage() + "; the served exports are unchanged");
            return;
        }
        follow(wanted);
        status.event("reloaded " + wanted.size() + " exports");
    }

    private void announce(Endpoint ep) {
        status.event("serving " + ep.export().name() + " " + ep.size() + " " + ep.socket());
    }

    /** Stops every export; nothing is served after it. */
    @Override
    public synchronized void close() {
        closed = true;
        server.close();
    }
}
