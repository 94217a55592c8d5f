package io.parvirt.partition;

import java.util.List;

/**
 * What a migration's target could give a partition, as {@code lslparmigr -r msp|procpool|virtualio}
 * asks it ({@link MobilityTarget#offer}): its running Virtual I/O Servers and its shared processor
 * pools with room for the partition's entitlement (none for a partition of dedicated processors).
 */
public record MigrationOffer(List<Member> vioses, List<Member> pools) {
    public MigrationOffer {
        vioses = List.copyOf(vioses);
        pools = List.copyOf(pools);
    }

    /** A partition or a pool of the target: its id and name. */
    public record Member(int id, String name) {
    }
}
