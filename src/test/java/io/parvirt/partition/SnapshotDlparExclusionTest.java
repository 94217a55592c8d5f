package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.testing.InProcessSystem;
import io.parvirt.testing.SnapshotRig;
import io.parvirt.vios.DiskSnapshots;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a DLPAR change is refused while a snapshot of the partition is taken or reverted to,
 * and a snapshot while a DLPAR change runs: one HSCL line naming the partition and the operation
 * in progress, nothing changed. The snapshot is held in progress by its disk step (the VIOS's
 * storage server is asked whether it runs: the test answers only when told to), so no guest is
 * needed for the snapshot's side; the DLPAR side goes through {@code chhwres} as given.
 */
@Tag("unit")
class SnapshotDlparExclusionTest {
    @TempDir
    Path dir;

    @Test
    void aDlparIsRefusedWhileASnapshotIsTakenAndASnapshotWhileADlparRuns() throws Exception {
        try (InProcessSystem system = rig()) {
            Partition a = system.sys.partition("A");
            CountDownLatch inDiskStep = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            PartitionActivity activity = new PartitionActivity();
            PartitionSnapshots snaps = new PartitionSnapshots(system.sys, hypervisor(), null, system.vios,
                    new DiskSnapshots(system.vios, id -> {
                        inDiskStep.countDown();
                        await(release);
                        return Optional.empty();
                    }), id -> Optional.empty(), p -> Optional.empty(), new Object(), dir.resolve("home/snapshots"),
                    1L << 30, activity);
            CompletableFuture<Void> taking = CompletableFuture.runAsync(() -> snaps.take(a, "s1", true, ""));
            assertThat(inDiskStep.await(60, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> activity.begin(a, "a DLPAR change", "its processors are not changed"))
                    .isInstanceOf(ModelException.class).hasMessage("The partition A has a snapshot (s1) being taken "
                            + "in progress: its processors are not changed.");
            release.countDown();
            taking.get(60, TimeUnit.SECONDS);
            assertThat(snaps.list(a)).extracting(PartitionSnapshots.Listed::name).containsExactly("s1");

            try (PartitionActivity.Mark dlpar = activity.begin(a, "a DLPAR change", "its memory is not changed")) {
                assertThatThrownBy(() -> snaps.take(a, "s2", true, "")).isInstanceOf(ModelException.class)
                        .hasMessage("The partition A has a DLPAR change in progress: no snapshot taken.");
                assertThatThrownBy(() -> snaps.revert(a, "s1")).isInstanceOf(ModelException.class)
                        .hasMessage("The partition A has a DLPAR change in progress: not reverted.");
            }
            assertThat(snaps.list(a)).extracting(PartitionSnapshots.Listed::name).containsExactly("s1");
            snaps.take(a, "s2", true, ""); // the DLPAR over, the partition is free again
        }
    }

    @Test
    void chhwresOnAPartitionBeingRevertedIsRefusedWithOneLineAndChangesNothing() throws Exception {
        try (InProcessSystem system = rig()) {
            PartitionOperations ops = SnapshotRig.operations(system, dir);
            Hmc hmc = SnapshotRig.hmc(system, ops);
            String before = listings(hmc);
            try (PartitionActivity.Mark revert = ops.activity().begin(system.sys.partition("A"),
                    "a revert to snapshot s1", "not reverted")) {
                for (List<String> chhwres : List.of(
                        List.of("chhwres", "-m", "sys1", "-r", "proc", "-o", "a", "-p", "A", "--procs", "1"),
                        List.of("chhwres", "-m", "sys1", "-r", "mem", "-o", "a", "-p", "A", "-q", "256"),
                        List.of("chhwres", "-m", "sys1", "-r", "mem", "-o", "m", "-p", "B", "-t", "A", "-q", "256"),
                        List.of("chhwres", "-m", "sys1", "-r", "virtualio", "--rsubtype", "eth", "-o", "a", "-p", "A",
                                "-s", "7", "-a", "ieee_virtual_eth=0,port_vlan_id=3"),
                        List.of("rsthwres", "-m", "sys1", "-r", "mem"))) {
                    HmcResult r = SnapshotRig.run(hmc, chhwres.toArray(String[]::new));
                    assertThat(r.exitCode()).as(chhwres.toString()).isNotZero();
                    assertThat(r.stdout()).as(chhwres.toString()).matches("HSCL[0-9A-F]{4} The partition A has a "
                            + "revert to snapshot s1 in progress: its [a-z ]+ (?:are|is) not (?:changed|restored)\\.\n");
                }
            }
            assertThat(listings(hmc)).isEqualTo(before);
        }
    }

    private static String listings(Hmc hmc) {
        StringBuilder b = new StringBuilder();
        for (List<String> ls : List.of(List.of("lssyscfg", "-r", "lpar", "-m", "sys1"),
                List.of("lshwres", "-r", "proc", "-m", "sys1", "--level", "lpar"),
                List.of("lshwres", "-r", "mem", "-m", "sys1", "--level", "lpar"),
                List.of("lshwres", "-r", "virtualio", "--rsubtype", "eth", "-m", "sys1", "--level", "lpar"))) {
            b.append(SnapshotRig.run(hmc, ls.toArray(String[]::new)).stdout());
        }
        return b.toString();
    }

    private InProcessSystem rig() {
        return SnapshotRig.define(dir, true);
    }

    private Hypervisor hypervisor() {
        return SnapshotRig.hypervisor(dir);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
