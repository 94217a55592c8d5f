package io.parvirt.partition.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a linked copy killed midway ({@code cplpar --linked}, its job never ended) left the
 * copy's hidden layer directory {@code .NAME.snap} beside the pool's files; a later device of that
 * name found it and read as a clone of the old source. The restarted daemon's jobs (a new
 * {@link LparJobs} on the same file, as {@code Daemon} makes it) delete it with the staging file,
 * but keep the layers of a device that was committed before the kill (its file exists).
 */
@Tag("unit")
class LparJobsTest {
    @TempDir
    Path home;

    @Test
    void aKilledLinkedCopysLayerDirectoryIsDeletedAtRestartUnlessItsDeviceWasCommitted() throws Exception {
        Path pool = Files.createDirectories(home.resolve("vios/pool1"));
        LparJobs before = new LparJobs();
        before.keepIn(home.resolve("lparjobs.json"));
        LparJobs.Job copy = before.start(LparJobs.Kind.CLONE, "A", "A2");
        Path staging = Files.writeString(pool.resolve(".bdA_1.staging"), "");
        Path layers = Files.createDirectories(pool.resolve(".bdA_1.snap/layers"));
        Files.writeString(layers.resolve("1"), "layer");
        Files.writeString(layers.resolveSibling("chain"), "chain");
        Files.writeString(pool.resolve("bdB"), "committed");
        Path committed = Files.createDirectories(pool.resolve(".bdB.snap"));
        Files.writeString(committed.resolve("chain"), "chain");
        copy.partial(staging);
        copy.partial(layers.getParent());
        copy.partial(committed);
        // SIGKILL here: the job never ends; a new daemon reads what it left

        LparJobs after = new LparJobs();
        after.keepIn(home.resolve("lparjobs.json"));
        assertThat(staging).doesNotExist();
        assertThat(pool.resolve(".bdA_1.snap")).doesNotExist();
        assertThat(committed.resolve("chain")).hasContent("chain");
        assertThat(after.listAll()).singleElement().satisfies(j -> {
            assertThat(j.status()).isEqualTo("interrupted");
            assertThat(j.reason()).endsWith("2 partial files removed");
        });
    }
}
