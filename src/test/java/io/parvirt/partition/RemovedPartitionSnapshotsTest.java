package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcResult;
import io.parvirt.testing.InProcessSystem;
import io.parvirt.testing.SnapshotRig;
import io.parvirt.vios.nbd.Overlay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: {@code rmsyscfg -r lpar} takes a partition's snapshots with it (records, memory files,
 * disk layers), through the HMC command as an administrator gives it. The VIOS does not run, so
 * the layers are changed on the pool's files (as {@code DiskSnapshotsTest} does); no guest is
 * needed for a Not Activated partition's removal.
 */
@Tag("unit")
class RemovedPartitionSnapshotsTest {
    @TempDir
    Path dir;

    @Test
    void removingAPartitionWithItsDisksLeavesNoLayerRecordOrMemoryFileAndThePoolsSpaceComesBack() throws Exception {
        try (InProcessSystem system = rig()) {
            Hmc hmc = hmc(system);
            String freeBefore = vios(hmc, "lssp");
            ok(hmc, "viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 16M -bd bdA -vadapter vhost0");
            takeTwoSnapshotsWritingBetween(hmc, system);
            Path memory = fakeMemoryFile(system);

            ok(hmc, "rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "A", "--vioscfg", "--vdisks");
            assertThat(pool()).isEmpty();
            assertThat(memory).doesNotExist();
            assertThat(records()).isEmpty();
            assertThat(vios(hmc, "lssp")).isEqualTo(freeBefore);
        }
    }

    @Test
    void removingAPartitionThatLeavesItsDisksMergesItsSnapshotsIntoThemKeepingWhatTheyHoldNow() throws Exception {
        try (InProcessSystem system = rig()) {
            Hmc hmc = hmc(system);
            ok(hmc, "viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "mkbdsp -sp pool1 16M -bd bdA -vadapter vhost0");
            Path disk = takeTwoSnapshotsWritingBetween(hmc, system);
            assertThat(Overlay.dirOf(disk)).isDirectory();

            ok(hmc, "rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "A");
            assertThat(Overlay.dirOf(disk)).doesNotExist();
            assertThat(records()).isEmpty();
            assertThat(pool()).containsExactly(disk);
            assertThat(read(disk, 0)).isEqualTo(1); // written before the first snapshot
            assertThat(read(disk, 1 << 20)).isEqualTo(3); // written after the last: the disk as it was
        }
    }

    /** Writes 1, snapshot s1, writes 2 then 3 with snapshot s2 between: returns the disk's file. */
    private Path takeTwoSnapshotsWritingBetween(Hmc hmc, InProcessSystem system) throws IOException {
        Path disk = pool().getFirst();
        write(disk, 0, 1);
        ok(hmc, "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s1");
        write(disk, 1 << 20, 2);
        ok(hmc, "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s2");
        write(disk, 1 << 20, 3);
        assertThat(run(hmc, "lslparsnap", "-m", "sys1", "-p", "A", "-F", "name").stdout()).isEqualTo("s1\ns2\n");
        assertThat(records()).hasSize(1);
        return disk;
    }

    /** A memory file where a running snapshot's would be, named in the record as one is. */
    private Path fakeMemoryFile(InProcessSystem system) throws IOException {
        Path record = records().getFirst();
        Path memory = pool().getFirst().resolveSibling("parvirt-snap-" + system.sys.partition("A").uuid() + "-s2.mem");
        Files.writeString(memory, "RAM");
        String json = Files.readString(record);
        // the record names it as a snapshot with memory does ("machine": {..., "file": ...})
        Files.writeString(record, json.replace("\"machine\":null", "\"machine\":{\"file\":\"" + memory + "\"}"));
        assertThat(Files.readString(record)).contains(memory.toString());
        return memory;
    }

    private static void write(Path disk, long at, int value) throws IOException {
        SnapshotRig.write(disk, at, value);
    }

    private static int read(Path disk, long at) throws IOException {
        return SnapshotRig.read(disk, at);
    }

    private List<Path> pool() throws IOException {
        Path p = dir.resolve("vios");
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(f -> Files.isRegularFile(f) && f.getParent().getFileName().toString().equals("pool1")
                    || f.toString().contains(".snap") || f.toString().endsWith(".mem")).sorted().toList();
        }
    }

    private List<Path> records() throws IOException {
        Path p = dir.resolve("home/snapshots");
        if (!Files.isDirectory(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.toList();
        }
    }

    private InProcessSystem rig() {
        return SnapshotRig.define(dir, false);
    }

    private Hmc hmc(InProcessSystem system) {
        return SnapshotRig.hmc(system, SnapshotRig.operations(system, dir));
    }

    private static String vios(Hmc hmc, String command) {
        return ok(hmc, "viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", command);
    }

    private static String ok(Hmc hmc, String... argv) {
        HmcResult r = run(hmc, argv);
        assertThat(r.exitCode()).as(String.join(" ", argv) + ": " + r.stdout()).isZero();
        return r.stdout();
    }

    private static HmcResult run(Hmc hmc, String... argv) {
        return SnapshotRig.run(hmc, argv);
    }
}
