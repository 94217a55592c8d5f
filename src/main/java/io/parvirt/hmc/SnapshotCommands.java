package io.parvirt.hmc;

import io.parvirt.hmc.command.SnapshotCommand;
import io.parvirt.hmc.command.SnapshotCommand.ListSnapshots;
import io.parvirt.hmc.command.SnapshotCommand.RemoveSnapshot;
import io.parvirt.hmc.command.SnapshotCommand.RevertSnapshot;
import io.parvirt.hmc.command.SnapshotCommand.TakeSnapshot;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.PartitionSnapshots;
import io.parvirt.system.ManagedSystem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Partition snapshots, carried out by {@link PartitionSnapshots}. */
final class SnapshotCommands {
    /** {@code lslparsnap}'s attributes, in order. */
    static final Set<String> ATTRIBUTES = new java.util.LinkedHashSet<>(List.of("name", "lpar_name", "lpar_id",
            "time", "parent", "with_memory", "state_at_snapshot", "description"));

    private final ManagedSystem sys;
    private final PartitionOperations operations;

    SnapshotCommands(ManagedSystem sys, PartitionOperations operations) {
        this.sys = sys;
        this.operations = operations;
    }

    HmcResult run(SnapshotCommand command) {
        Systems.check(sys, command.system());
        if (command instanceof ListSnapshots l) {
            return list(l);
        }
        PartitionSnapshots snapshots = snapshots();
        switch (command) {
            case TakeSnapshot t -> snapshots.take(Systems.partition(sys, t.partition()), t.name(), t.withMemory(),
                    t.description());
            case RevertSnapshot r -> snapshots.revert(Systems.partition(sys, r.partition()), r.name());
            case RemoveSnapshot r -> snapshots.delete(Systems.partition(sys, r.partition()), r.name());
            case ListSnapshots l -> throw new IllegalStateException("listed above");
        }
        return HmcResult.OK;
    }

    private PartitionSnapshots snapshots() {
        return operations.snapshots().orElseThrow(() -> ModelException.of(ModelException.Kind.NOT_SUPPORTED,
                "This console keeps no partition snapshots: it runs no partitions or serves no Virtual I/O Server "
                + "storage."));
    }

    private HmcResult list(ListSnapshots l) {
        List<Partition> partitions = l.partition() != null ? List.of(Systems.partition(sys, l.partition()))
                : sys.definition().partitions().stream().sorted(Comparator.comparingInt(Partition::id)).toList();
        List<Row> rows = new ArrayList<>();
        if (operations.snapshots().isPresent()) {
            for (Partition p : partitions) {
                for (PartitionSnapshots.Listed s : operations.snapshots().get().list(p)) {
                    rows.add(new Row().put("name", s.name()).put("lpar_name", s.lparName()).put("lpar_id", s.lparId())
                            .put("time", s.time().toString()).put("parent", s.parent())
                            .put("with_memory", s.withMemory() ? 1 : 0).put("state_at_snapshot", s.stateAtSnapshot())
                            .put("description", s.description()));
                }
            }
        }
        return Listing.render(rows, l.format().fields(), l.format().header(), ATTRIBUTES);
    }
}
