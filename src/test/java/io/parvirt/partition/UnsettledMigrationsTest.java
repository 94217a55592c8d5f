package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source's completed streams that the destination never confirmed (issue 14, no split brain)
 * outlive the daemon: a new one reads them back, drops those whose partition was reclaimed, and an
 * entry once settled is gone from the file.
 */
@Tag("unit")
class UnsettledMigrationsTest {
    @TempDir
    Path dir;

    @Test
    void anUnsettledMigrationOutlivesTheDaemonUntilSettled() throws Exception {
        Path file = dir.resolve("mobility/outgoing.json");
        UnsettledMigrations first = new UnsettledMigrations();
        assertThat(first.open(file, u -> true)).isEmpty();
        first.add(new UnsettledMigrations.Unsettled(3, "mob", "sys3", 1234));
        first.add(new UnsettledMigrations.Unsettled(4, "gone", "sys3", 99));

        // a daemon killed here: the next reads both, keeps only what is still defined here
        UnsettledMigrations next = new UnsettledMigrations();
        assertThat(next.open(file, u -> u.lparId() == 3)).containsExactly(
                new UnsettledMigrations.Unsettled(3, "mob", "sys3", 1234));
        assertThat(next.get(3)).map(UnsettledMigrations.Unsettled::destSystem).hasValue("sys3");
        assertThat(next.get(4)).isEmpty();
        assertThat(Files.readString(file)).doesNotContain("gone");

        next.remove(3);
        assertThat(Files.readString(file)).isEqualTo("[]");
        assertThat(new UnsettledMigrations().open(file, u -> true)).isEmpty();
    }
}
