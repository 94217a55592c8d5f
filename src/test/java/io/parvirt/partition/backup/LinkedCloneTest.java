package io.parvirt.partition.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcResult;
import io.parvirt.testing.InProcessSystem;
import io.parvirt.testing.SnapshotRig;
import io.parvirt.vios.nbd.LinkedClones;
import io.parvirt.vios.nbd.Overlay;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: {@code cplpar --linked} of a Not Activated partition whose VIOS is not running (the
 * layers are made on the pool's files; a Running source is frozen for its snapshot as
 * {@code mklparsnap --nomem} does, which {@code PartitionSnapshotTest} runs on a guest). The copy
 * gets a new name, id and UUID, its disk is a new backing device that reads the source's disk as
 * of the copy while the source writes on, and nothing of the source's disk is copied, and its
 * virtual Ethernet adapter has a MAC address of its own (so has a full copy's); the
 * snapshot it reads through, the source's disk and the source partition cannot be removed while
 * it exists (one line each, nothing changed), and can once it is gone. A copy refused leaves no
 * snapshot behind. Neither the source (it has a snapshot) nor the copy (its disk is layers) is
 * migrated: snapshots stay on their system.
 */
@Tag("unit")
class LinkedCloneTest {
    @TempDir
    Path dir;

    @Test
    void aLinkedCloneReadsTheSourcesDiskAsOfTheCopyAndKeepsItsSourceFromBeingRemoved() throws Exception {
        try (InProcessSystem system = rig()) {
            Hmc hmc = hmc(system);
            Path source = find("bdA");
            put(source, 4096, 0x19);
            ok(hmc, "chsyscfg", "-r", "prof", "-m", "sys1", "-i", "name=default,lpar_name=A,"
                    + "\"virtual_eth_adapters=3/0/1//0/0/ETHERNET0/02AABBCCDD01/all/none\""); // a MAC set by hand
            ok(hmc, "cplpar", "-m", "sys1", "-p", "A", "-n", "F1"); // a full copy, before A's disk has layers
            ok(hmc, "cplpar", "-m", "sys1", "-p", "A", "-n", "A2", "--linked");
            // each copy's virtual Ethernet adapter is its own: same slot, a MAC address of its own
            List<String> macs = run(hmc, "lshwres", "-r", "virtualio", "--rsubtype", "eth", "--level", "lpar", "-m",
                    "sys1", "--filter", "lpar_names=A,A2,F1", "-F", "slot_num,mac_addr").stdout().lines().toList();
            assertThat(macs).hasSize(3).allMatch(l -> l.matches("3,[0-9A-F]{12}")).doesNotHaveDuplicates()
                    .contains("3,02AABBCCDD01");
            assertThat(run(hmc, "lslparsnap", "-m", "sys1", "-p", "A", "-F", "name").stdout())
                    .isEqualTo("linked.A2\n");
            assertThat(run(hmc, "lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_id").stdout())
                    .contains("A,5\n", "A2,", "F1,");
            String uuids = run(hmc, "lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=A,A2", "-F",
                    "uuid").stdout();
            assertThat(uuids.lines().distinct().count()).isEqualTo(2);
            Path clone = find("bdA_2"); // bdA_1 is the full copy F1's
            assertThat(LinkedClones.originOf(clone))
                    .contains(new LinkedClones.Origin(source.toAbsolutePath(), "linked.A2"));
            assertThat(Files.size(clone)).isEqualTo(Files.size(source));
            assertThat(dataBytes(clone)).as("nothing copied").isZero();

            write(source, 4096, 0x20); // the source writes on
            assertThat(read(clone, 4096)).isEqualTo(0x19);
            write(clone, 8192, 0x21);
            assertThat(read(source, 8192)).isZero();
            assertThat(read(clone, 8192)).isEqualTo(0x21);

            String before = state(hmc);
            refused(hmc, "hold the disk of a linked clone", "rmlparsnap", "-m", "sys1", "-p", "A", "-n", "linked.A2");
            refused(hmc, "hold the disk of a linked clone", "rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "A");
            refused(hmc, "hold the disk of a linked clone", "rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "A",
                    "--vioscfg", "--vdisks");
            refused(hmc, "holds the disk of linked clone", "viosvrcmd", "-m", "sys1", "-p", "vios1", "-c",
                    "rmbdsp -vtd vtscsi0");
            refused(hmc, "already exists", "cplpar", "-m", "sys1", "-p", "A", "-n", "A2", "--linked");
            // a Not Activated partition's disk with layers is not its file: not copied as one
            refused(hmc, "has snapshot layers", "bklpar", "-m", "sys1", "-p", "A2", "-f", "a2.bk");
            refused(hmc, "has snapshot layers", "cplpar", "-m", "sys1", "-p", "A", "-n", "A4");
            // snapshots and a linked clone's layers in a pool stay on this system: migrlpar names the rule among
            // its refusals (SnapshotMobilityRefusalTest has them alone)
            assertThat(run(hmc, "migrlpar", "-o", "v", "-m", "sys1", "-t", "sys2", "-p", "A").stdout().lines())
                    .contains("HSCLA24E The snapshot linked.A2 of partition A holds layers of virtual SCSI device "
                            + "vtscsi0 (bdA) in a storage pool of a Virtual I/O Server, which the destination managed "
                            + "system does not reach: only snapshots of SAN LUNs move with a partition; delete them "
                            + "with rmlparsnap before migrating it.");
            assertThat(run(hmc, "migrlpar", "-o", "m", "-m", "sys1", "-t", "sys2", "-p", "A2").stdout().lines())
                    .anyMatch(l -> l.matches("HSCLA24E The disk vtscsi\\d+ of partition A2 is a linked clone's, read "
                            + "through snapshot linked.A2 of bdA, .*make a full copy \\(cplpar\\) to migrate."));
            assertThat(state(hmc)).isEqualTo(before);

            ok(hmc, "rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "A2", "--vioscfg", "--vdisks");
            assertThat(clone).doesNotExist();
            ok(hmc, "rmlparsnap", "-m", "sys1", "-p", "A", "-n", "linked.A2");
            assertThat(read(source, 4096)).isEqualTo(0x20);
        }
    }

    private String state(Hmc hmc) {
        StringBuilder b = new StringBuilder();
        for (List<String> ls : List.of(List.of("lssyscfg", "-r", "lpar", "-m", "sys1"),
                List.of("lslparsnap", "-m", "sys1"),
                List.of("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "lsmap -all"),
                List.of("viosvrcmd", "-m", "sys1", "-p", "vios1", "-c", "lssp"))) {
            b.append(run(hmc, ls.toArray(String[]::new)).stdout());
        }
        try (Stream<Path> s = Files.walk(dir.resolve("vios"))) {
            s.sorted().forEach(p -> b.append(p).append(' ').append(p.toFile().length()).append('\n'));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toString();
    }

    private static void refused(Hmc hmc, String words, String... argv) {
        HmcResult r = run(hmc, argv);
        assertThat(r.exitCode()).as(String.join(" ", argv)).isNotZero();
        assertThat(r.stdout()).as(String.join(" ", argv)).startsWith("HSCL").contains(words).hasLineCount(1);
    }

    private Path find(String name) throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("vios"))) {
            return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }

    private static long dataBytes(Path file) throws IOException {
        return io.parvirt.vios.nbd.DataExtents.of(file, Files.size(file)).stream()
                .mapToLong(io.parvirt.vios.nbd.DataExtents.Extent::length).sum();
    }

    private static void put(Path plain, long at, int value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(plain.toFile(), "rw")) {
            f.seek(at);
            f.writeInt(value);
        }
    }

    private static void write(Path disk, long at, int value) throws IOException {
        SnapshotRig.write(disk, at, value);
    }

    private static int read(Path disk, long at) throws IOException {
        return SnapshotRig.read(disk, at);
    }

    private InProcessSystem rig() {
        return SnapshotRig.define(dir, true);
    }

    private Hmc hmc(InProcessSystem system) {
        return SnapshotRig.hmc(system, SnapshotRig.operations(system, dir));
    }

    private static void ok(Hmc hmc, String... argv) {
        HmcResult r = run(hmc, argv);
        assertThat(r.exitCode()).as(String.join(" ", argv) + ": " + r.stdout()).isZero();
    }

    private static HmcResult run(Hmc hmc, String... argv) {
        return SnapshotRig.run(hmc, argv);
    }
}
