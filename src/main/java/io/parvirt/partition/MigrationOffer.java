package io.parvirt.partition;

import java.util.List;

/**
 * What a migration's target could give a partition, as {@code lslparmigr -r msp|procpool|virtualio}
 * asks it ({@link MobilityTarget#offer}): its running Virtual I/O Servers, its shared processor
 * pools with room for the partition's entitlement (none for a partition of dedicated processors),
 * and for each SAN LUN asked about, the running VIOSes that see it and could map it.
 */
public record MigrationOffer(List<Member> vioses, List<Member> pools, List<LunHosts> luns) {
    public MigrationOffer {
        vioses = List.copyOf(vioses);
        pools = List.copyOf(pools);
        luns = luns == null ? List.of() : List.copyOf(luns);
    }

    public MigrationOffer(List<Member> vioses, List<Member> pools) {
        this(vioses, pools, List.of());
    }

    /** The VIOSes that could serve the LUN of unique identifier {@code identifier}. */
    public record LunHosts(String identifier, List<Member> vioses) {
        public LunHosts {
            vioses = List.copyOf(vioses);
        }
    }

    /** The VIOSes that see every LUN of {@code identifiers} (all running VIOSes when none is asked). */
    public List<Member> hosting(List<String> identifiers) {
        List<Member> out = new java.util.ArrayList<>(vioses);
        for (String id : identifiers) {
            List<Member> seeing = luns.stream().filter(l -> l.identifier().equals(id)).findFirst()
                    .map(LunHosts::vioses).orElse(List.of());
            out.retainAll(seeing);
        }
        return out;
    }

    /** A partition or a pool of the target: its id and name. */
    public record Member(int id, String name) {
    }
}
