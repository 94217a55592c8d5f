package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target's list of partitions being received, as a restarted daemon finds it (issue 14). */
@Tag("unit")
class IncomingMigrationsTest {
    @TempDir
    Path dir;

    static IncomingMigrations.Arrival arrival(int id, String name) {
        return new IncomingMigrations.Arrival(id, name, "sys1", "default", false);
    }

    @Test
    void aRestartedDaemonFindsTheArrivalsThatNeverCompletedAndDropsThoseNeverDefined() throws Exception {
        Path file = dir.resolve("mobility/incoming.json");
        IncomingMigrations before = new IncomingMigrations();
        before.open(file, a -> true);
        before.add(arrival(3, "web"));
        before.add(arrival(4, "db"));
        before.add(arrival(5, "gone"));
        before.remove(4); // completed: the source was told it runs here
        assertThat(before.interrupted(3)).isFalse(); // received by this daemon: it may still complete

        // the daemon is killed; its successor has web defined, and gone never was (killed before defining it)
        IncomingMigrations after = new IncomingMigrations();
        var left = after.open(file, a -> Set.of("web").contains(a.name()));
        assertThat(left).containsExactly(arrival(3, "web"));
        assertThat(after.interrupted(3)).isTrue();
        assertThat(after.get(5)).isEmpty();
        assertThat(after.get(4)).isEmpty();
        assertThat(Files.readString(file)).contains("\"web\"").doesNotContain("gone");

        after.remove(3); // -o r removed it
        assertThat(after.interrupted(3)).isFalse();
        assertThat(Files.readString(file)).isEqualTo("[]");
        assertThat(new IncomingMigrations().open(file, a -> true)).isEmpty();
        assertThat(Files.list(file.getParent())).containsExactly(file); // no temporary file left
    }

    @Test
    void anUnreadableListIsTakenAsEmpty() throws Exception {
        Path file = dir.resolve("incoming.json");
        Files.writeString(file, "{not json");
        IncomingMigrations m = new IncomingMigrations();
        assertThat(m.open(file, a -> true)).isEmpty();
        assertThat(Files.readString(file)).isEqualTo("[]");
    }
}
