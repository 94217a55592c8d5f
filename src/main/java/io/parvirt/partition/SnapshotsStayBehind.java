package io.parvirt.partition;

import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.vios.MappedDevice;
import io.parvirt.vios.nbd.Overlay;
import java.util.ArrayList;
import java.util.List;

/**
 * Mobility's rule for snapshots (issue 19): a partition with snapshots, or whose disks are layers
 * over another's snapshot (a linked clone), is not migrated. Its snapshots' records and memory
 * files are this system's, and a memory snapshot's machine names this host's devices; its disk
 * layers are open in this system's VIOS storage server. Carrying them across would make the
 * destination's VIOS serve a chain another storage server also holds, so {@code migrlpar} refuses
 * with one line naming the fix (delete the snapshots, or migrate the clone's source and the clone
 * as full copies) and changes nothing.
 */
final class SnapshotsStayBehind {
    private SnapshotsStayBehind() {
    }

    /** The refusals for {@code p}: none when it has no snapshot and no layered disk. */
    static List<ModelException> checks(PartitionOperations operations, Partition p) {
        List<ModelException> out = new ArrayList<>();
        if (operations.snapshots().isEmpty()) {
            return out; // no VIOS storage served here: no snapshot and no layer
        }
        PartitionSnapshots snapshots = operations.snapshots().get();
        List<String> names = snapshots.list(p).stream().map(PartitionSnapshots.Listed::name).toList();
        if (!names.isEmpty()) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "Partition " + p.name()
                    + " has " + names.size() + " snapshot" + (names.size() == 1 ? "" : "s") + " (" + String.join(", ",
                    names) + "): snapshots do not move with a partition; delete them with rmlparsnap (and any linked "
                    + "clone made from it) before migrating it."));
            return out;
        }
        for (MappedDevice d : snapshots.vios().mappedDevicesOf(p.id())) {
            if (d.kind() == MappedDevice.Kind.DISK && d.file() != null && Overlay.hasChain(d.file())) {
                out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The disk " + d.vtd()
                        + " of partition " + p.name() + " has snapshot layers (it is a linked clone's): snapshot "
                        + "layers do not move with a partition; make a full copy (cplpar) to migrate."));
                break;
            }
        }
        return out;
    }
}
