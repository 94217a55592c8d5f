package io.parvirt.partition;

import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.StreamKey;
import io.parvirt.model.Allocation;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import java.util.List;

/**
 * What the source tells the target about the partition that moves: its definition and every
 * profile (MAC addresses written in, so it keeps them there), the profile it runs with, what it
 * holds, its running configuration as a launch ({@link LaunchSpec#current}: the target's QEMU must
 * match it device for device), the source's memory region size (PowerVM requires the same), and
 * its virtual SCSI disks, each a LUN of the SAN both systems see ({@link ScsiMobility}), and the
 * key of the stream's TLS session, made fresh for this migration (it travels only over the
 * daemons' authenticated channel), and the destination VIOS asked for each virtual SCSI client
 * adapter ({@code migrlpar -i virtual_scsi_mappings=}; none: the destination chooses).
 * A Not Activated partition (inactive mobility) has neither running configuration, allocation nor
 * stream key. A Suspended partition (inactive mobility too: nothing streams) has the machine it
 * ran and what it held, as its saved state records them, and {@code savedState}: the name of its
 * saved state file in the SAN's reserved storage ({@link ScsiMobility#reserved}), which both
 * systems' VIOSes reach; null for any other partition. {@code snapshots}: the partition's
 * snapshot records as the source keeps them (null or empty: none); their disk layers and memory
 * files stay where they are, on the SAN ({@link SnapshotMobility}).
 */
public record MigrationRequest(String sourceSystem, Partition partition, List<Profile> profiles, String profile,
        Allocation allocation, LaunchSpec spec, long lmbMb, List<Disk> disks, StreamKey streamKey,
        List<ScsiChoice> scsiChoices, String savedState, SnapshotRecords.Chain snapshots) {
    public MigrationRequest {
        profiles = List.copyOf(profiles);
        disks = disks == null ? List.of() : List.copyOf(disks); // a source without SAN disks may leave them out
        scsiChoices = scsiChoices == null ? List.of() : List.copyOf(scsiChoices); // an older source names none
    }

    /** A request for a partition that is not Suspended. */
    public MigrationRequest(String sourceSystem, Partition partition, List<Profile> profiles, String profile,
            Allocation allocation, LaunchSpec spec, long lmbMb, List<Disk> disks, StreamKey streamKey,
            List<ScsiChoice> scsiChoices) {
        this(sourceSystem, partition, profiles, profile, allocation, spec, lmbMb, disks, streamKey, scsiChoices, null);
    }

    /** A Suspended partition's request, or one with {@code savedState} null, without snapshots. */
    public MigrationRequest(String sourceSystem, Partition partition, List<Profile> profiles, String profile,
            Allocation allocation, LaunchSpec spec, long lmbMb, List<Disk> disks, StreamKey streamKey,
            List<ScsiChoice> scsiChoices, String savedState) {
        this(sourceSystem, partition, profiles, profile, allocation, spec, lmbMb, disks, streamKey, scsiChoices,
                savedState, null);
    }

    /** The same request with the partition's snapshot records. */
    MigrationRequest withSnapshots(SnapshotRecords.Chain chain) {
        return new MigrationRequest(sourceSystem, partition, profiles, profile, allocation, spec, lmbMb, disks,
                streamKey, scsiChoices, savedState, chain.snapshots().isEmpty() ? null : chain);
    }

    /** A request that leaves the choice of destination VIOSes to the destination. */
    public MigrationRequest(String sourceSystem, Partition partition, List<Profile> profiles, String profile,
            Allocation allocation, LaunchSpec spec, long lmbMb, List<Disk> disks, StreamKey streamKey) {
        this(sourceSystem, partition, profiles, profile, allocation, spec, lmbMb, disks, streamKey, List.of());
    }

    /** A request for a partition without virtual SCSI disks, streamed in the clear (tests of the messages). */
    public MigrationRequest(String sourceSystem, Partition partition, List<Profile> profiles, String profile,
            Allocation allocation, LaunchSpec spec, long lmbMb) {
        this(sourceSystem, partition, profiles, profile, allocation, spec, lmbMb, List.of(), null);
    }

    /**
     * A virtual SCSI disk that moves: the client adapter's slot and the LUN index it is at there
     * (kept, so the guest sees the same SCSI address), the source's target device name (the
     * destination takes it when free), and the SAN LUN behind it: its name and unique identifier
     * (the destination matches the identifier).
     */
    public record Disk(int clientSlot, int lun, String vtd, String lunName, String identifier) {
    }

    /**
     * One entry of {@code virtual_scsi_mappings=slot/[vios_name]/vios_id[/vios_slot]}: the client
     * adapter in {@code clientSlot} is served on the destination by VIOS {@code viosId} (whose name
     * must be {@code viosName} when given, null when not), in its virtual slot {@code viosSlot}
     * when given (0: its lowest free slot).
     */
    public record ScsiChoice(int clientSlot, String viosName, int viosId, int viosSlot) {
        /** How the VIOS is named in messages: as the user named it. */
        public String vios() {
            return viosName != null ? viosName + " (ID " + viosId + ")" : "with ID " + viosId;
        }
    }

    /** The destination VIOS asked for client adapter {@code slot}, if one was. */
    public java.util.Optional<ScsiChoice> choice(int slot) {
        return scsiChoices.stream().filter(c -> c.clientSlot() == slot).findFirst();
    }

    /**
     * Inactive mobility, nothing streams: a Not Activated partition (no running configuration nor
     * allocation, both null) or a {@link #suspended} one.
     */
    public boolean inactive() {
        return spec == null || savedState != null;
    }

    /** A Suspended partition: its definition moves with its saved state, which stays where it is on the SAN. */
    public boolean suspended() {
        return savedState != null;
    }
}
