package io.parvirt.hypervisor;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parvirt.durable.AtomicFile;
import io.parvirt.model.Allocation;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The records of suspended partitions, one file each ({@code <id>.json}) in a directory of the
 * home: what a resume starts from (the machine as it ran, with its MACs, the profile, what it
 * held) and where its saved state file is. Written whole and renamed into place, after the state
 * file is complete: a partition is Suspended exactly when its record is here, whatever happened to
 * the daemon; removing the record (resume done, or shut down) is the one step that ends it.
 */
final class SavedStates {
    private final Path dir;
    private final ObjectMapper json;

    SavedStates(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
    }

    private Path record(int lparId) {
        return dir.resolve(lparId + ".json");
    }

    Optional<Hypervisor.SavedState> find(int lparId) {
        Path f = record(lparId);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(f.toFile(), Hypervisor.SavedState.class));
        } catch (IOException e) {
            // written whole or not at all: an unreadable record is one that cannot be resumed
            throw new IllegalStateException("the suspended record " + f + " is unreadable: " + e.getMessage());
        }
    }

    void save(Hypervisor.SavedState s) throws IOException {
        Files.createDirectories(dir);
        AtomicFile.replace(record(s.spec().lparId()), json.writeValueAsBytes(s));
        syncDir();
    }

    /** The record goes first (the partition is no longer Suspended), then its state file. */
    void remove(Hypervisor.SavedState s) throws IOException {
        Files.deleteIfExists(record(s.spec().lparId()));
        syncDir();
        Files.deleteIfExists(s.file());
    }

    /**
     * Only the record goes: the partition is no longer Suspended here, and its state file, which
     * another system's record names now (a Suspended partition moved by mobility), stays.
     */
    void release(int lparId) throws IOException {
        Files.deleteIfExists(record(lparId));
        syncDir();
    }

    private void syncDir() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
