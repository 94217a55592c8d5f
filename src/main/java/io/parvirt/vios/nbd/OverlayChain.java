package io.parvirt.vios.nbd;

import io.parvirt.durable.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an overlay is made of, as its {@code chain} file records it: the layers above the base
 * file (each with its parent, 0 being the base), which one is the writable top, and the
 * snapshots (each the layer that is the highest one it includes). The file is replaced atomically
 * ({@link AtomicFile}), so after a crash it is the old description or the new one, never a mix:
 *
 * <pre>
 * parvirt-overlay 1
 * size 4294967296
 * layer 1 0
 * layer 2 1
 * top 2
 * snapshot before-upgrade 1 1764730000000
 * </pre>
 *
 * @param size the disk's size in bytes (the base file's when the first snapshot was taken)
 * @param parents each layer's parent, by id (0: the base file), in the order they were made
 * @param top the writable layer the client's writes go to
 * @param snapshots by name, in the order they were taken
 */
public record OverlayChain(long size, Map<Integer, Integer> parents, int top, Map<String, Snapshot> snapshots) {
    static final String FILE = "chain";
    private static final String MAGIC = "parvirt-overlay 1";
    /** Snapshot names are one word of the chain file and part of no path. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

    /**
     * @param name unique within the disk
     * @param below the highest layer the snapshot includes (0: only the base)
     * @param createdMillis when it was taken
     */
    public record Snapshot(String name, int below, long createdMillis) {
    }

    public OverlayChain {
        parents = Collections.unmodifiableMap(new LinkedHashMap<>(parents));
        snapshots = Collections.unmodifiableMap(new LinkedHashMap<>(snapshots));
        if (!parents.containsKey(top)) {
            throw new IllegalArgumentException("the top layer " + top + " is not a layer");
        }
        for (Snapshot s : snapshots.values()) {
            if (s.below() != 0 && !parents.containsKey(s.below())) {
                throw new IllegalArgumentException("snapshot " + s.name() + " is of layer " + s.below() + ", not a layer");
            }
            if (s.below() == top) {
                throw new IllegalArgumentException("snapshot " + s.name() + " is of the writable top");
            }
        }
    }

    /** The layers from {@code layer} down to the base's child, top first (the read path's order). */
    List<Integer> pathFrom(int layer) {
        List<Integer> path = new ArrayList<>();
        for (int l = layer; l != 0; l = parents.get(l)) {
            path.add(l);
        }
        return path;
    }

    List<Integer> childrenOf(int layer) {
        return parents.entrySet().stream().filter(e -> e.getValue() == layer).map(Map.Entry::getKey).toList();
    }

    Optional<Snapshot> snapshotOf(int layer) {
        return snapshots.values().stream().filter(s -> s.below() == layer).findFirst();
    }

    int nextId() {
        return parents.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
    }

    static Optional<OverlayChain> read(Path dir) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.isEmpty() || !lines.getFirst().equals(MAGIC)) {
            throw new IOException(dir.resolve(FILE) + ": not an overlay chain");
        }
        long size = -1;
        int top = -1;
        Map<Integer, Integer> parents = new LinkedHashMap<>();
        Map<String, Snapshot> snapshots = new LinkedHashMap<>();
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] w = line.split(" ");
                switch (w[0]) {
                    case "size" -> size = Long.parseLong(w[1]);
                    case "layer" -> parents.put(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
                    case "top" -> top = Integer.parseInt(w[1]);
                    case "snapshot" -> snapshots.put(w[1], new Snapshot(w[1], Integer.parseInt(w[2]), Long.parseLong(w[3])));
                    default -> throw new IOException(dir.resolve(FILE) + ": unknown line: " + line);
                }
            }
            return Optional.of(new OverlayChain(size, parents, top, snapshots));
        } catch (RuntimeException e) {
            throw new IOException(dir.resolve(FILE) + ": damaged: " + e.getMessage(), e);
        }
    }

    void write(Path dir) throws IOException {
        StringBuilder b = new StringBuilder(MAGIC).append('\n').append("size ").append(size).append('\n');
        parents.forEach((l, p) -> b.append("layer ").append(l).append(' ').append(p).append('\n'));
        b.append("top ").append(top).append('\n');
        snapshots.values().forEach(s -> b.append("snapshot ").append(s.name()).append(' ').append(s.below())
                .append(' ').append(s.createdMillis()).append('\n'));
        AtomicFile.replace(dir.resolve(FILE), b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
