package io.parvirt.partition;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A migration source's partitions whose stream has completed and whose destination has not said
 * (or not been heard to say) that the partition runs there: the guest is stopped here, and only
 * the destination can tell whether its copy was continued (issue 14, no split brain). Kept in a
 * file of the home as well as in memory, so a source daemon killed in that window comes back with
 * the partition still stopped and awaiting {@code migrlpar -o r}, never resuming it on its own.
 *
 * <p>An entry is written once the stream has completed, before the destination is asked, and
 * removed only after the partition was reclaimed here (it runs there) or resumed here (it does
 * not); the file is replaced whole through {@link AtomicFile}: a reader finds the old list or the new.
 */
final class UnsettledMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(UnsettledMigrations.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One partition whose completed stream went to {@code destSystem}; {@code transferred}: its bytes. */
    record Unsettled(int lparId, String name, String destSystem, long transferred) {
    }

    private final Map<Integer, Unsettled> entries = new ConcurrentHashMap<>();
    private Path file;

    /**
     * Reads what an earlier daemon left in {@code file} (kept there from now on); entries whose
     * partition is not {@code defined} here any more (reclaimed just before that daemon ended) are
     * dropped. Returns those kept.
     */
    synchronized List<Unsettled> open(Path file, Predicate<Unsettled> defined) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                for (Unsettled u : JSON.readValue(file.toFile(), new TypeReference<List<Unsettled>>() { })) {
                    if (defined.test(u)) {
                        entries.put(u.lparId(), u);
                    }
                }
            } catch (IOException e) {
                LOG.warn("the list of unsettled migrations {} is unreadable, taken as empty: {}", file, e.getMessage());
            }
            write();
        }
        return List.copyOf(entries.values());
    }

    synchronized void add(Unsettled u) {
        entries.put(u.lparId(), u);
        write();
    }

    synchronized void remove(int lparId) {
        if (entries.remove(lparId) != null) {
            write();
        }
    }

    Optional<Unsettled> get(int lparId) {
        return Optional.ofNullable(entries.get(lparId));
    }

    private void write() {
        IncomingMigrations.writeList(file, entries);
    }
}
