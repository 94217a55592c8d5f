package io.parvirt.partition;

import io.parvirt.durable.AtomicFile;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions a migration's target is receiving: prepared, neither completed nor aborted. Kept
 * in a file of the home as well as in memory, so a target daemon killed mid-migration comes back
 * knowing which of its partitions are arrivals that never completed (issue 14): they are shown as
 * migrating, cannot be activated or resumed, and {@code migrlpar -o r} on the source removes them.
 *
 * <p>Order makes the file safe without a transaction with the store: an arrival is written
 * before its definition is added, and removed once the partition is gone (abort) or only just
 * before the source is told it runs here (complete). A daemon killed in between finds an arrival
 * whose partition is not defined (dropped when the file is read) or a defined partition that the
 * source never heard runs here, so the source runs it and this copy must not. The file is written
 * whole to a temporary file, forced, and renamed into place: a reader finds the old list or the new.
 */
final class IncomingMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(IncomingMigrations.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One partition being received: from which system, with which profile, by active or inactive mobility. */
    record Arrival(int lparId, String name, String source, String profile, boolean inactive) {
    }

    private final Map<Integer, Arrival> arrivals = new ConcurrentHashMap<>();
    /** Arrivals found in the file at start: the daemon that received them ended, so they never complete. */
    private final Set<Integer> interrupted = ConcurrentHashMap.newKeySet();
    private Path file;

    /**
     * Reads the list an earlier daemon left in {@code file} (kept there from now on); arrivals
     * whose partition is not {@code defined} here (the daemon ended before defining it, or after
     * removing it) are dropped. Returns the interrupted arrivals.
     */
    synchronized List<Arrival> open(Path file, Predicate<Arrival> defined) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                List<Arrival> left = JSON.readValue(file.toFile(), new TypeReference<List<Arrival>>() { });
                for (Arrival a : left) {
                    if (defined.test(a)) {
                        arrivals.put(a.lparId(), a);
                        interrupted.add(a.lparId());
                    }
                }
            } catch (IOException e) {
                LOG.warn("the list of incoming migrations {} is unreadable, taken as empty: {}", file, e.getMessage());
            }
            write();
        }
        return arrivals.values().stream().filter(a -> interrupted.contains(a.lparId())).toList();
    }

    synchronized void add(Arrival a) {
        arrivals.put(a.lparId(), a);
        interrupted.remove(a.lparId());
        write();
    }

    synchronized void remove(int lparId) {
        interrupted.remove(lparId);
        if (arrivals.remove(lparId) != null) {
            write();
        }
    }

    Optional<Arrival> get(int lparId) {
        return Optional.ofNullable(arrivals.get(lparId));
    }

    /** Whether {@code lparId} arrived to a daemon that has ended since: it never completes. */
    boolean interrupted(int lparId) {
        return interrupted.contains(lparId);
    }

    private void write() {
        writeList(file, arrivals);
    }

    /**
     * Writes {@code entries}' values, by key, as a JSON list to {@code file} whole (AtomicFile);
     * nothing when {@code file} is null (a system with no home: tests of one process keep memory only).
     */
    static void writeList(Path file, Map<Integer, ?> entries) {
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            AtomicFile.replace(file, JSON.writeValueAsBytes(new TreeMap<>(entries).values()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
