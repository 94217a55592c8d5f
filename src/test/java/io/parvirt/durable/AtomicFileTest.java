package io.parvirt.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheWholeContentOwnerOnlyAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("run.json");
        Files.writeString(f, "old content, longer than the new");
        AtomicFile.replace(f, "new");
        assertThat(Files.readString(f)).isEqualTo("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        try (var all = Files.list(dir)) {
            assertThat(all.map(p -> p.getFileName().toString())).containsExactly("run.json");
        }
    }

    @Test
    void aLinkInThePlaceOfTheTargetIsReplacedNotWrittenThrough() throws IOException {
        // Another user (an unprivileged QEMU in a run directory) may leave a link where the file goes.
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "host file");
        Path f = dir.resolve("state.json");
        Files.createSymbolicLink(f, victim);
        AtomicFile.replace(f, "state");
        assertThat(Files.readString(victim)).isEqualTo("host file");
        assertThat(Files.isSymbolicLink(f)).isFalse();
        assertThat(Files.readString(f)).isEqualTo("state");
    }

    @Test
    void theVolatileReplaceIsAsPrivateAndAsSafeAgainstLinks() throws IOException {
        // A migration stream's key: not forced to disk, but never readable by others nor written through a link.
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "host file");
        Path f = dir.resolve("keys.psk");
        Files.createSymbolicLink(f, victim);
        AtomicFile.replaceVolatile(f, "parvirt-migration:00ff\n");
        assertThat(Files.readString(victim)).isEqualTo("host file");
        assertThat(Files.isSymbolicLink(f)).isFalse();
        assertThat(Files.readString(f)).isEqualTo("parvirt-migration:00ff\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        try (var all = Files.list(dir)) {
            assertThat(all.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("keys.psk", "victim");
        }
    }

    @Test
    void aFailedReplaceKeepsTheOldContent() throws IOException {
        Path f = dir.resolve("kept");
        Files.writeString(f, "old");
        Files.createDirectory(dir.resolve("sub"));
        Path inDir = dir.resolve("sub");
        // The target is a non-empty directory: the rename fails, the temporary file goes.
        Files.writeString(inDir.resolve("x"), "x");
        assertThatThrownBy(() -> AtomicFile.replace(inDir, "new")).isInstanceOf(IOException.class);
        assertThat(Files.readString(f)).isEqualTo("old");
        try (var all = Files.list(dir)) {
            assertThat(all.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("kept", "sub");
        }
    }
}
