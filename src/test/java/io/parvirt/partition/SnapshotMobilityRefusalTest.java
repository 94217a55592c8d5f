package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hypervisor.Accelerator;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.model.Allocation;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharingMode;
import io.parvirt.testing.InProcessSystem;
import io.parvirt.testing.SnapshotRig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: mobility of a partition with snapshots refused where its snapshots cannot follow it,
 * one line per rule and nothing changed (the listings, the records and the pool's files as they
 * were). The source: snapshots of a disk in a storage pool, a linked clone in a pool. The
 * destination: a memory snapshot whose file its SAN does not have, a snapshot name that would be
 * a path. A migration that moves them is in {@code SanMobilityTest} (real guests, a shared SAN).
 */
@Tag("unit")
class SnapshotMobilityRefusalTest {
    @TempDir
    Path dir;

    @Test
    void aSourceWhoseSnapshotsOrCloneLayersAreInAPoolRefusesOneLineEachNamingThemAndTheFix() throws Exception {
        try (InProcessSystem system = SnapshotRig.define(dir, true)) {
            PartitionOperations ops = SnapshotRig.operations(system, dir);
            Hmc hmc = SnapshotRig.hmc(system, ops);
            // a destination that would take it (this system's own receiver): the source refuses before it is asked
            ops.mobility().targets(name -> name.equals("sys2") ? Optional.of(ops.mobilityTarget()) : Optional.empty());
            ok(hmc, "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s1");
            ok(hmc, "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s2");
            String before = state(hmc);

            HmcResult r = SnapshotRig.run(hmc, "migrlpar", "-o", "m", "-m", "sys1", "-t", "sys2", "-p", "A");
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.stdout()).isEqualTo("HSCLA24E The snapshots s1, s2 of partition A hold layers of virtual "
                    + "SCSI device vtscsi0 (bdA) in a storage pool of a Virtual I/O Server, which the destination "
                    + "managed system does not reach: only snapshots of SAN LUNs move with a partition; delete them "
                    + "with rmlparsnap before migrating it.\n");
            assertThat(state(hmc)).isEqualTo(before);

            // a linked clone in the pool: its own line (its disk's pool line is the same rule, not repeated)
            ok(hmc, "cplpar", "-m", "sys1", "-p", "A", "-n", "C", "--linked");
            ok(hmc, "rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "B"); // B's id for nothing else
            String cloned = state(hmc);
            HmcResult c = SnapshotRig.run(hmc, "migrlpar", "-o", "m", "-m", "sys1", "-t", "sys2", "-p", "C");
            assertThat(c.exitCode()).isNotZero();
            assertThat(c.stdout()).hasLineCount(1).startsWith("HSCLA24E The disk ").contains(" of partition C is a "
                    + "linked clone's, read through snapshot ").endsWith("which is not a SAN LUN the destination "
                    + "managed system reaches: make a full copy (cplpar) to migrate.\n");
            assertThat(state(hmc)).isEqualTo(cloned);
        }
    }

    @Test
    void aDestinationRefusesMemorySnapshotsItsSanDoesNotHaveAndNamesThatAreNotNames() throws Exception {
        try (InProcessSystem system = SnapshotRig.define(dir, true)) {
            PartitionOperations ops = SnapshotRig.operations(system, dir);
            Partition p = system.sys.definition().partition("B").orElseThrow();
            Partition moving = new Partition(9, p.name() + "x", p.env(), p.defaultProfile(), p.uuid(), p.options());
            LaunchSpec spec = new LaunchSpec("/usr/bin/qemu-system-x86_64", moving.name(), 9, p.uuid(), 256, 512, 1, 2,
                    Accelerator.TCG, Path.of("/img/vmlinuz"), Path.of("/img/initrd"), null, "console=ttyS0",
                    Path.of("/run/lpar/9"), List.of(), List.of(), null, 256, 10, List.of(), "parvirt-qemu", null);
            Allocation held = new Allocation(9, 256, new ProcUnits(10), 1, false, SharingMode.UNCAP, 128, 0, null,
                    256, 512);
            var profiles = system.sys.definition().profiles(p.id()).stream().map(x -> new io.parvirt.model.Profile(
                    x.name(), 9, x.memory(), x.processors(), x.io(), x.options())).toList();
            MigrationRequest r = new MigrationRequest("sys7", moving, profiles, "default", held, spec,
                    system.sys.definition().lmbMb(), List.of(), null, List.of());
            SnapshotRecords.Snapshot withMemory = new SnapshotRecords.Snapshot("s1", 9, moving.name(), 1L, "", true,
                    "Running", "default", "", new Hypervisor.SavedState(spec, "default", held,
                    Path.of("/san/.parvirt-reserved/x.mem")));
            List<String> before = Files.list(dir.resolve("home")).map(Path::toString).sorted().toList();

            assertThat(refusals(ops, r.withSnapshots(new SnapshotRecords.Chain("s1", List.of(withMemory)))))
                    .contains("UNREACHABLE_DEVICE The memory of snapshot s1 of partition Bx (in the SAN's reserved "
                            + "storage) is not reachable from the Virtual I/O Servers of the destination managed "
                            + "system sys1: they are on no SAN.");
            SnapshotRecords.Snapshot path = new SnapshotRecords.Snapshot("../../etc/x", 9, moving.name(), 1L, "", true,
                    "Running", "default", "", withMemory.machine());
            assertThat(refusals(ops, r.withSnapshots(new SnapshotRecords.Chain("", List.of(path)))))
                    .contains("INVALID_VALUE The migration request for Bx does not describe one partition "
                            + "consistently.").noneMatch(l -> l.contains("etc/x"));
            // a destination that serves no VIOS storage keeps no snapshots: it takes none
            PartitionOperations bare = new PartitionOperations(system.sys, SnapshotRig.hypervisor(dir.resolve("bare")),
                    new io.parvirt.image.ImageStore(dir.resolve("images")), null, null, null);
            assertThat(refusals(bare, r.withSnapshots(new SnapshotRecords.Chain("s1", List.of(withMemory)))))
                    .contains("NOT_SUPPORTED The destination managed system sys1 keeps no partition snapshots (it "
                            + "serves no Virtual I/O Server storage): delete the snapshots of Bx with rmlparsnap "
                            + "before migrating it there.");
            assertThat(refusals(ops, r)).as("the same request without snapshots").noneMatch(l -> l.contains("snapshot")
                    || l.contains("consistently"));
            assertThat(Files.list(dir.resolve("home")).map(Path::toString).sorted().toList()).isEqualTo(before);
        }
    }

    private static List<String> refusals(PartitionOperations ops, MigrationRequest r) {
        return ops.mobilityTarget().validate(r).stream().map(e -> e.kind() + " " + e.getMessage()).toList();
    }

    /** The listings, the snapshot records and the VIOS's files: what a refusal leaves as they were. */
    private String state(Hmc hmc) throws IOException {
        StringBuilder b = new StringBuilder(SnapshotRig.run(hmc, "lssyscfg", "-r", "lpar", "-m", "sys1", "-F",
                "name,state").stdout());
        b.append(SnapshotRig.run(hmc, "lslparsnap", "-m", "sys1", "-p", "A", "-F", "name,parent").stdout());
        for (Path root : List.of(dir.resolve("home/snapshots"), dir.resolve("vios"))) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.walk(root)) {
                    for (Path f : s.sorted().toList()) {
                        b.append(f).append(Files.isRegularFile(f) ? " " + Files.size(f) : "").append('\n');
                    }
                }
            }
        }
        return b.toString();
    }

    private static void ok(Hmc hmc, String... argv) {
        HmcResult r = SnapshotRig.run(hmc, argv);
        assertThat(r.exitCode()).as(String.join(" ", argv) + ": " + r.stdout()).isZero();
    }
}
