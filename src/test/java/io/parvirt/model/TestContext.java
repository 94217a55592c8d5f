package io.parvirt.model;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A small managed system for validation tests. LMB 256 MB by default; partition 1 {@code vios1}
 * (vioserver) and 2 {@code lp2} (aixlinux), each with 20 virtual slots. Pools are modelled as on a
 * real system (all 64 ids exist): 0 is DefaultPool (usable), 1 is SharedPool01 with max 0
 * (unusable), 2 is {@code prodpool} with max 4 (usable) and 3..63 are unconfigured.
 */
final class TestContext implements SystemContext {
    static final int VIOS_ID = 1;
    static final int AIX_ID = 2;
    /** The id of the partition a test profile is written for: it does not exist yet (mksyscfg). */
    static final int NEW_ID = 3;
    static final int REMOTE_MAX_SLOTS = 20;

    private static final List<Partition> PARTITIONS = List.of(
            new Partition(VIOS_ID, "vios1", LparEnv.VIOSERVER, "default", "uuid-1",
                    PartitionOptions.defaults(LparEnv.VIOSERVER)),
            new Partition(AIX_ID, "lp2", LparEnv.AIXLINUX, "default", "uuid-2",
                    PartitionOptions.defaults(LparEnv.AIXLINUX)));

    private static final List<SharedProcessorPool> POOLS = IntStream.range(0, Limits.MAX_SHARED_PROC_POOLS)
            .mapToObj(i -> i == 2 ? new SharedProcessorPool(2, "prodpool", 4, ProcUnits.ZERO)
                    : SharedProcessorPool.initial(i))
            .toList();

    private final long lmb;

    TestContext(long lmb) {
        this.lmb = lmb;
    }

    static TestContext standard() {
        return new TestContext(256);
    }

    @Override
    public long lmbMb() {
        return lmb;
    }

    @Override
    public Optional<SharedProcessorPool> pool(int id) {
        return id >= 0 && id < POOLS.size() ? Optional.of(POOLS.get(id)) : Optional.empty();
    }

    @Override
    public Optional<SharedProcessorPool> pool(String name) {
        return POOLS.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    @Override
    public Optional<Partition> partition(int id) {
        return PARTITIONS.stream().filter(p -> p.id() == id).findFirst();
    }

    @Override
    public Optional<Partition> partition(String name) {
        return PARTITIONS.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    @Override
    public int maxVirtualSlots(int lparId) {
        return partition(lparId).isPresent() ? REMOTE_MAX_SLOTS : 0;
    }

    /** Parses an HMC record, applies it to a new draft for {@code lparId} and builds it. */
    Profile build(LparEnv env, int lparId, String record) {
        ProfileDraft d = ProfileDraft.create("prof1", lparId);
        for (AttributeInput.Assignment a : AttributeInput.parseRecord(record)) {
            ProfileAttributes.apply(d, a);
        }
        return d.build(env, this);
    }
}
