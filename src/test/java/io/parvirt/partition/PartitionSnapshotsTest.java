package io.parvirt.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.testing.InProcessSystem;
import io.parvirt.vios.DiskSnapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: the snapshot service's decisions on a Not Activated partition whose VIOS is not
 * running (its disk layers are made on the pool's files, as {@code DiskSnapshotsTest} does): a
 * disk-only snapshot is taken, listed with its parent, refused under a used name, reverted and
 * deleted; every refusal (a bad or unknown name, a VIOS, a partition with no VIOS disk, a partition
 * that is paused, migrating or suspended, or busy with a backup) changes neither the records nor
 * the pool's files. The run states are given as the partition operations would report them: a
 * paused or migrating partition needs a guest, which these decisions do not.
 */
@Tag("unit")
class PartitionSnapshotsTest {
    @TempDir
    Path dir;

    @Test
    void aNotActivatedPartitionsDiskSnapshotsAreTakenListedRevertedAndDeleted() throws Exception {
        try (InProcessSystem system = rig()) {
            Partition a = system.sys.partition("A");
            PartitionSnapshots snaps = service(system, id -> Optional.empty(), p -> Optional.empty());
            snaps.take(a, "s1", true, "first");
            snaps.take(a, "s2", true, "");
            assertThat(snaps.list(a)).extracting(PartitionSnapshots.Listed::name, PartitionSnapshots.Listed::parent,
                    PartitionSnapshots.Listed::withMemory, PartitionSnapshots.Listed::stateAtSnapshot)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("s1", "", false, "Not Activated"),
                            org.assertj.core.groups.Tuple.tuple("s2", "s1", false, "Not Activated"));
            assertThatThrownBy(() -> snaps.take(a, "s1", true, "")).isInstanceOf(ModelException.class)
                    .hasMessageContaining("already used by partition A");
            snaps.revert(a, "s1");
            snaps.delete(a, "s1");
            assertThat(snaps.list(a)).extracting(PartitionSnapshots.Listed::name, PartitionSnapshots.Listed::parent)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("s2", ""));
            snaps.delete(a, "s2");
            assertThat(snaps.list(a)).isEmpty();
        }
    }

    @Test
    void refusalsChangeNeitherTheRecordsNorThePoolsFiles() throws Exception {
        try (InProcessSystem system = rig()) {
            Partition a = system.sys.partition("A");
            PartitionSnapshots idle = service(system, id -> Optional.empty(), p -> Optional.empty());
            idle.take(a, "s1", true, "");
            List<PartitionSnapshots.Listed> listed = idle.list(a);
            Map<Path, Long> files = files();

            refused(() -> idle.take(a, "-bad", true, ""), "The snapshot name \"-bad\" is not valid");
            refused(() -> idle.take(a, "a/b", true, ""), "is not valid");
            refused(() -> idle.revert(a, "nosuch"), "The snapshot nosuch of partition A does not exist.");
            refused(() -> idle.delete(a, "nosuch"), "does not exist");
            refused(() -> idle.take(system.sys.partition("vios1"), "x", true, ""), "is a Virtual I/O Server");
            refused(() -> idle.take(system.sys.partition("B"), "x", true, ""), "has no virtual SCSI disk");
            for (RunState st : List.of(run(a, LparState.RUNNING, true), run(a, LparState.MIGRATING_RUNNING, false),
                    run(a, LparState.SUSPENDED, false), run(a, LparState.STARTING, false))) {
                PartitionSnapshots busy = service(system, id -> Optional.of(st), p -> Optional.empty());
                refused(() -> busy.take(a, "s2", true, ""), "A is " + st.runState() + ": only a Running or Not "
                        + "Activated partition can have a snapshot taken.");
                refused(() -> busy.revert(a, "s1"), "A is " + st.runState());
            }
            PartitionSnapshots backedUp = service(system, id -> Optional.empty(), p -> Optional.of("a backup (job 7)"));
            refused(() -> backedUp.take(a, "s2", true, ""), "A has a backup (job 7) in progress");
            refused(() -> backedUp.revert(a, "s1"), "A has a backup (job 7) in progress");
            refused(() -> backedUp.delete(a, "s1"), "A has a backup (job 7) in progress");

            assertThat(idle.list(a)).isEqualTo(listed);
            assertThat(files()).isEqualTo(files);
        }
    }

    private InProcessSystem rig() {
        return io.parvirt.testing.SnapshotRig.define(dir, true);
    }

    private PartitionSnapshots service(InProcessSystem system, java.util.function.IntFunction<Optional<RunState>> states,
            java.util.function.Function<Partition, Optional<String>> other) {
        Hypervisor hv = io.parvirt.testing.SnapshotRig.hypervisor(dir);
        return new PartitionSnapshots(system.sys, hv, null, system.vios, new DiskSnapshots(system.vios,
                id -> Optional.empty()), states, other, new Object(), dir.resolve("home/snapshots"), 1L << 30,
                new PartitionActivity());
    }

    private Map<Path, Long> files() throws Exception {
        try (Stream<Path> s = Files.walk(dir.resolve("vios"))) {
            return s.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toMap(f -> f,
                    f -> f.toFile().length() ^ f.toFile().lastModified()));
        }
    }

    private static void refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String words) {
        assertThatThrownBy(call).isInstanceOf(ModelException.class).hasMessageContaining(words);
    }

    private static RunState run(Partition p, LparState state, boolean paused) {
        return new RunState(p.id(), state, "", "", "", Instant.now(), "default", Optional.empty(), "Unknown",
                List.of(), true, List.of(), List.of(), paused);
    }
}
