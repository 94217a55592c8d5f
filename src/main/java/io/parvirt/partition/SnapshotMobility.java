package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.vios.DiskSnapshots;
import io.parvirt.vios.MappedDevice;
import io.parvirt.vios.San;
import io.parvirt.vios.nbd.LinkedClones;
import io.parvirt.vios.nbd.Overlay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Mobility of a partition with snapshots (issue 19). Nothing of a snapshot is copied: its disk
 * layers are in {@code .LUN.snap/} beside each SAN LUN and its memory file in the SAN's reserved
 * storage ({@link ScsiMobility#RESERVED}, where a suspend's saved state goes too), both on the
 * storage every system on the SAN reaches at the same path, so only the records travel (in the
 * {@link MigrationRequest}). Copying a memory file (as large as the guest's memory, per snapshot)
 * in the migration would make its downtime grow with the snapshots kept; on the SAN the move costs
 * nothing more. The destination rebuilds each memory snapshot's machine for its own host (its QEMU,
 * run directory, image and the disks its VIOS serves, as for the partition itself) and keeps the
 * records from its prepare step; the source drops its records once the destination runs the
 * partition, never the files. The source's VIOS stops serving the LUNs with the mappings it loses
 * (its storage server closes their layers); the destination's VIOS serves them and, for a live
 * migration, reads their layers again once the stream has arrived and before the guest runs there,
 * because the source's server wrote the top layer until the source's last flush.
 *
 * <p>Refused at validation, one line each, nothing changed: a snapshot whose layers are on a disk
 * of a storage pool (only this system reaches it), a memory snapshot whose memory file is not in
 * the SAN's reserved storage, and a linked clone, unless its disk and the disk it reads through
 * are both SAN LUNs (the clone's origin names its source by path, the same on every system of the
 * SAN); a clone in a pool is refused as before (make a full copy, cplpar). The disks' own refusal
 * ({@code HSCLA24E}) is left out for a disk the snapshot's line names already.
 */
final class SnapshotMobility {
    private SnapshotMobility() {
    }

    /** The source's refusals, and the virtual target devices they cover. */
    record Refusals(List<ModelException> refusals, Set<String> devices) {
        static final Refusals NONE = new Refusals(List.of(), Set.of());
    }

    /** The source's checks for {@code p} on SAN {@code san}. */
    static Refusals sourceChecks(Optional<PartitionSnapshots> snapshots, Partition p, San san) {
        if (snapshots.isEmpty()) {
            return Refusals.NONE; // no VIOS storage served here: no snapshot and no layer
        }
        List<ModelException> out = new ArrayList<>();
        Set<String> covered = new LinkedHashSet<>();
        SnapshotRecords.Chain chain = snapshots.get().chainOf(p);
        List<MappedDevice> disks = snapshots.get().vios().mappedDevicesOf(p.id()).stream()
                .filter(DiskSnapshots::layered).toList();
        String n = p.name();
        if (!chain.snapshots().isEmpty()) {
            List<String> names = chain.snapshots().stream().map(SnapshotRecords.Snapshot::name).toList();
            List<String> local = new ArrayList<>();
            for (MappedDevice d : disks) {
                if (d.kind() != MappedDevice.Kind.PV) {
                    local.add(d.vtd() + " (" + d.file().getFileName() + ")");
                    covered.add(d.vtd());
                }
            }
            if (!local.isEmpty()) {
                out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, n, "The snapshot"
                        + (names.size() == 1 ? " " : "s ") + String.join(", ", names) + " of partition " + n
                        + (names.size() == 1 ? " holds" : " hold") + " layers of virtual SCSI device" + (local.size() == 1 ? " " : "s ")
                        + String.join(", ", local) + " in a storage pool of a Virtual I/O Server, which the "
                        + "destination managed system does not reach: only snapshots of SAN LUNs move with a "
                        + "partition; delete them with rmlparsnap before migrating it."));
            }
            for (SnapshotRecords.Snapshot s : chain.snapshots()) {
                Hypervisor.SavedState m = s.machine();
                if (m == null || !local.isEmpty()) {
                    continue;
                }
                Path onSan = ScsiMobility.reserved(san, PartitionSnapshots.memoryFileName(p, s.name()));
                if (!m.file().equals(onSan) || !Files.isRegularFile(m.file())) {
                    out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, n, "The memory of "
                            + "snapshot " + s.name() + " of partition " + n + " (" + m.file() + ") is "
                            + (Files.isRegularFile(m.file()) ? "not in the SAN's reserved storage, which the "
                            + "destination managed system reaches" : "missing") + ": delete the snapshot with "
                            + "rmlparsnap before migrating the partition."));
                }
            }
        }
        for (MappedDevice d : disks) {
            Optional<LinkedClones.Origin> origin;
            try {
                origin = Overlay.hasChain(d.file()) ? LinkedClones.originOf(d.file()) : Optional.empty();
            } catch (IOException e) {
                out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, n, "The layers of disk "
                        + d.vtd() + " of partition " + n + " cannot be read: " + e.getMessage()));
                continue;
            }
            if (origin.isPresent() && !(d.kind() == MappedDevice.Kind.PV && onSan(origin.get(), san))) {
                out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, n, "The disk " + d.vtd()
                        + " of partition " + n + " is a linked clone's, read through snapshot "
                        + origin.get().snapshot() + " of " + origin.get().source().getFileName() + ", which is not "
                        + "a SAN LUN the destination managed system reaches: make a full copy (cplpar) to migrate."));
                covered.add(d.vtd());
            }
        }
        return new Refusals(out, covered);
    }

    /** Whether a clone's source (and its own source, if a clone too) is a LUN of {@code san}. */
    private static boolean onSan(LinkedClones.Origin o, San san) {
        if (san.dir() == null || !o.source().toAbsolutePath().getParent().equals(san.dir().toAbsolutePath())) {
            return false;
        }
        try {
            Optional<LinkedClones.Origin> further = LinkedClones.originOf(o.source());
            return further.isEmpty() || onSan(further.get(), san);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The destination's checks of the snapshots a request brings: valid names (a name becomes a
     * file name here), each memory file in this system's SAN reserved storage under the name the
     * partition and snapshot give it (the request names no file of this host), and the image each
     * memory snapshot's machine booted here; a destination that keeps no snapshots takes none.
     */
    static List<ModelException> targetChecks(MigrationRequest r, boolean keepsSnapshots, San san, String here,
            java.util.function.Function<String, Boolean> imageHere) {
        List<ModelException> out = new ArrayList<>();
        Partition p = r.partition();
        if (r.snapshots() == null) {
            return out;
        }
        if (!keepsSnapshots) {
            out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "The destination "
                    + "managed system " + here + " keeps no partition snapshots (it serves no Virtual I/O Server "
                    + "storage): delete the snapshots of " + p.name() + " with rmlparsnap before migrating it there."));
            return out;
        }
        for (SnapshotRecords.Snapshot s : r.snapshots().snapshots()) {
            try {
                PartitionSnapshots.requireName(s.name());
            } catch (ModelException e) {
                out.add(ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, p.name(), "The migration "
                        + "request for " + p.name() + " does not describe one partition consistently."));
                return out;
            }
            if (s.machine() == null) {
                continue;
            }
            Path f = ScsiMobility.reserved(san, PartitionSnapshots.memoryFileName(p, s.name()));
            if (f == null || !Files.isRegularFile(f)) {
                out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, p.name(), "The memory "
                        + "of snapshot " + s.name() + " of partition " + p.name() + " (in the SAN's reserved storage) "
                        + "is not reachable from the Virtual I/O Servers of the destination managed system " + here
                        + (f == null ? ": they are on no SAN." : ": their SAN does not have it.")));
            }
            if (!imageHere.apply(s.machine().profile())) {
                out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "The destination "
                        + "managed system " + here + " does not have the partition image snapshot " + s.name()
                        + " of " + p.name() + " runs from."));
            }
        }
        return out;
    }
}
