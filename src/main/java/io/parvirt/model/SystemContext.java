package io.parvirt.model;

import java.util.Optional;

/** What validation needs to know of the rest of the managed system. */
public interface SystemContext {
    /** Logical memory block size in MB. */
    long lmbMb();

    Optional<SharedProcessorPool> pool(int id);

    Optional<SharedProcessorPool> pool(String name);

    Optional<Partition> partition(int id);

    Optional<Partition> partition(String name);

    /** The hpt_ratio a profile gets when it names none (the system's {@code hpt_ratio} setting). */
    default HptRatio defaultHptRatio() {
        return HptRatio.DEFAULT;
    }

    /** The virtual switches adapters may name. */
    default java.util.List<String> vswitches() {
        return java.util.List.of(VirtualEthernetAdapter.DEFAULT_VSWITCH);
    }

    /** The max_virtual_slots of a partition's default profile, for checking remote slot references. */
    int maxVirtualSlots(int lparId);
}
