package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What parvirt knows of a partition's snapshots beyond its disks' layers: one JSON file per
 * partition ({@code <home>/snapshots/<uuid>.json}), written whole and renamed into place after the
 * disk point and the memory file exist, so a daemon killed in between leaves a snapshot that is
 * not listed (its disk layers are found by the next delete of that name) rather than a listed one
 * that is not whole.
 */
final class SnapshotRecords {
    /**
     * One snapshot. {@code machine}: with memory, the machine as it ran and its memory file (what
     * a revert starts); null for a disk-only snapshot. {@code parent}: the snapshot the partition
     * was at when this one was taken (empty for the first).
     */
    record Snapshot(String name, int lparId, String lparName, long timeMillis, String parent, boolean withMemory,
            String stateAtSnapshot, String profile, String description, Hypervisor.SavedState machine) {
        Snapshot withParent(String p) {
            return new Snapshot(name, lparId, lparName, timeMillis, p, withMemory, stateAtSnapshot, profile,
                    description, machine);
        }
    }

    /** A partition's snapshots, oldest first, and the one it is at now (its last taken or reverted to). */
    record Chain(String current, List<Snapshot> snapshots) {
        static final Chain EMPTY = new Chain("", List.of());

        Optional<Snapshot> find(String name) {
            return snapshots.stream().filter(s -> s.name().equals(name)).findFirst();
        }

        Chain with(Snapshot s) {
            List<Snapshot> next = new ArrayList<>(snapshots);
            next.add(s);
            return new Chain(s.name(), next);
        }

        Chain at(String name) {
            return new Chain(name, snapshots);
        }

        /** Without {@code s}: its children take its parent, and so does the partition if it was at it. */
        Chain without(Snapshot s) {
            List<Snapshot> next = new ArrayList<>();
            for (Snapshot x : snapshots) {
                if (!x.name().equals(s.name())) {
                    next.add(x.parent().equals(s.name()) ? x.withParent(s.parent()) : x);
                }
            }
            return new Chain(current.equals(s.name()) ? s.parent() : current, next);
        }
    }

    private final Path dir;

    SnapshotRecords(Path dir) {
        this.dir = dir;
    }

    Chain of(String uuid) {
        Path f = dir.resolve(uuid + ".json");
        if (!Files.exists(f)) {
            return Chain.EMPTY;
        }
        try {
            return Hypervisor.decode(Files.readAllBytes(f), Chain.class);
        } catch (IOException e) {
            throw new IllegalStateException("the snapshot record " + f + " is unreadable: " + e.getMessage(), e);
        }
    }

    void save(String uuid, Chain c) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(uuid + ".json");
        if (c.snapshots().isEmpty()) {
            Files.deleteIfExists(f);
            return;
        }
        io.parvirt.durable.AtomicFile.replace(f, Hypervisor.encode(c));
    }
}
