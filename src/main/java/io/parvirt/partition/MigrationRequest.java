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
 * daemons' authenticated channel).
 * A Not Activated partition (inactive mobility) has neither running configuration, allocation nor
 * stream key.
 */
public record MigrationRequest(String sourceSystem, Partition partition, List<Profile> profiles, String profile,
        Allocation allocation, LaunchSpec spec, long lmbMb, List<Disk> disks, StreamKey streamKey) {
    public MigrationRequest {
        profiles = List.copyOf(profiles);
        disks = disks == null ? List.of() : List.copyOf(disks); // a source without SAN disks may leave them out
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

    /** Inactive mobility: a Not Activated partition, no running configuration nor allocation (both null). */
    public boolean inactive() {
        return spec == null;
    }
}
