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
 * the key of the stream's TLS session, made fresh for this migration (it travels only over the
 * daemons' authenticated channel).
 * A Not Activated partition (inactive mobility) has neither running configuration, allocation nor
 * stream key.
 */
public record MigrationRequest(String sourceSystem, Partition partition, List<Profile> profiles, String profile,
        Allocation allocation, LaunchSpec spec, long lmbMb, StreamKey streamKey) {
    public MigrationRequest {
        profiles = List.copyOf(profiles);
    }

    /** Inactive mobility: a Not Activated partition, no running configuration nor allocation (both null). */
    public boolean inactive() {
        return spec == null;
    }
}
