package io.parvirt.vswitch;

import io.parvirt.durable.AtomicFile;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A partition's port counters as the daemon last saved them, in its run directory, so that its
 * ports come back with them when a restarted daemon re-adopts it. One line per count,
 * {@code <slot>.<name>=<value>} (names: {@link PortCounters#saved}); written whole to a temporary
 * file and renamed over the last, so a reader never finds half a checkpoint.
 *
 * <p>The daemon writes it every {@link VirtualEthernet#CHECKPOINT_EVERY} and when it stops: a
 * normal stop loses no count; a SIGKILL loses what crossed the ports since the last write (at most
 * that interval's traffic), and the counters then come back that much short, never reset to zero.
 */
final class CounterCheckpoint {
    static final String FILE = "port-counters.properties";

    private CounterCheckpoint() {
    }

    /** Counts by slot; empty when there is no checkpoint (a first activation) or it cannot be read. */
    static Map<Integer, Map<String, Long>> read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | IllegalArgumentException e) {
            return Map.of(); // a damaged file: the ports start from zero, as they would without one
        }
        Map<Integer, Map<String, Long>> out = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            int dot = key.indexOf('.');
            try {
                int slot = Integer.parseInt(key.substring(0, dot));
                long v = Long.parseLong(p.getProperty(key).strip());
                out.computeIfAbsent(slot, k -> new HashMap<>()).put(key.substring(dot + 1), v);
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                // not a count this daemon wrote: skipped
            }
        }
        return out;
    }

    /** Writes {@code counts} (by slot) atomically; false when the directory is gone (the partition ended). */
    static boolean write(Path file, Map<Integer, Map<String, Long>> counts) {
        if (!Files.isDirectory(file.getParent())) {
            return false;
        }
        Map<String, String> lines = new TreeMap<>();
        counts.forEach((slot, m) -> m.forEach((name, v) -> lines.put(slot + "." + name, Long.toString(v))));
        StringBuilder text = new StringBuilder();
        lines.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            // a fresh O_EXCL temporary file: the unprivileged QEMU may write in the run directory and
            // could have left a link at any fixed name
            AtomicFile.replace(file, text.toString());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
