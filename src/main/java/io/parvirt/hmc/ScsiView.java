package io.parvirt.hmc;

import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.RunState;
import io.parvirt.model.AdapterType;
import io.parvirt.model.LparEnv;
import io.parvirt.model.Partition;
import io.parvirt.model.RemoteRef;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.model.VirtualScsiAdapter;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * {@code lshwres -r virtualio --rsubtype scsi --level lpar}: virtual SCSI client and server
 * adapters as the HMC lists them. A running partition shows the profile it runs with
 * ({@code state=1}), any other its default profile ({@code state=0}). The remote partition is
 * shown by both id and name, whichever the profile names; a server adapter open to any partition
 * or slot shows {@code any} (the HMC's form for it is unconfirmed).
 */
final class ScsiView {
    private ScsiView() {
    }

    static final Set<String> SCSI = Set.of("lpar_name", "lpar_id", "slot_num", "state", "is_required",
            "adapter_type", "remote_lpar_id", "remote_lpar_name", "remote_slot_num");

    static List<Row> rows(SystemDefinition def, Partition p, PartitionOperations ops) {
        var running = ops.state(p.id()).filter(RunState::hasProcess);
        Profile prof = running.flatMap(s -> def.profile(p.id(), s.profile())).orElse(def.defaultProfile(p));
        boolean active = running.isPresent();
        if (active && p.env() != LparEnv.VIOSERVER) {
            // A running client shows the client adapters it runs with (adapter DLPAR may have changed them).
            return running.get().scsiClients().stream().sorted(Comparator.comparingInt(RunState.ActiveScsiClient::slot))
                    .map(c -> row(def, p, new VirtualScsiAdapter(c.slot(), AdapterType.CLIENT, new RemoteRef(
                            c.remoteLparId(), "", c.remoteSlot(), false, false), required(prof, c.slot())), true))
                    .toList();
        }
        return prof.io().scsi().stream().sorted(Comparator.comparingInt(VirtualScsiAdapter::slot))
                .map(a -> row(def, p, a, active)).toList();
    }

    private static boolean required(Profile prof, int slot) {
        return prof.io().scsi().stream().anyMatch(a -> a.slot() == slot && a.required());
    }

    /**
     * An adapter's remote end as listings print it: the partition by id and name, whichever the
     * profile names (resolved when it exists), {@code any} for any partition or slot; {@code
     * anyName} is what a serial or SCSI listing prints as the name of any partition.
     */
    record Remote(String id, String name, String slot) {
        static Remote of(SystemDefinition def, RemoteRef r, String anyName) {
            Partition remote = r.lparId() != null ? def.partition(r.lparId()).orElse(null)
                    : r.lparName().isEmpty() ? null : def.partition(r.lparName()).orElse(null);
            String id = r.anyPartition() ? "any" : remote != null ? Integer.toString(remote.id())
                    : r.lparId() == null ? "" : r.lparId().toString();
            String name = r.anyPartition() ? anyName : remote != null ? remote.name() : r.lparName();
            return new Remote(id, name, r.anySlot() ? "any" : r.slot() == null ? "" : r.slot().toString());
        }
    }

    private static Row row(SystemDefinition def, Partition p, VirtualScsiAdapter a, boolean active) {
        Remote remote = Remote.of(def, a.remote(), "any");
        String id = remote.id();
        String name = remote.name();
        String slot = remote.slot();
        return new Row().put("lpar_name", p.name()).put("lpar_id", p.id()).put("slot_num", a.slot())
                .put("state", active ? "1" : "0").put("is_required", Values.flag(a.required()))
                .put("adapter_type", a.type().hmcName()).put("remote_lpar_id", id).put("remote_lpar_name", name)
                .put("remote_slot_num", slot);
    }
}
