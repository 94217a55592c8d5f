package io.parvirt.model;

/**
 * One of the 64 shared processor pools. Pool 0 is {@code DefaultPool}, whose size is the whole
 * shared capacity and whose max and reserved show as {@code null}; pools 1..63 exist permanently
 * and become usable when {@code max_pool_proc_units} is above zero. The maximum is whole processors.
 */
public record SharedProcessorPool(int id, String name, int maxPoolProcUnits, ProcUnits reservedPoolProcUnits) {
    public static final int DEFAULT_POOL_ID = 0;
    public static final String DEFAULT_POOL_NAME = "DefaultPool";

    public SharedProcessorPool {
        if (id < 0 || id >= Limits.MAX_SHARED_PROC_POOLS) {
            throw new IllegalArgumentException("pool id " + id);
        }
        Names.poolName("name", name);
    }

    public static SharedProcessorPool initial(int id) {
        return id == DEFAULT_POOL_ID ? new SharedProcessorPool(0, DEFAULT_POOL_NAME, 0, ProcUnits.ZERO)
                : new SharedProcessorPool(id, String.format("SharedPool%02d", id), 0, ProcUnits.ZERO);
    }

    public boolean isDefault() {
        return id == DEFAULT_POOL_ID;
    }

    /** A user pool can hold partitions once it has a maximum above zero. */
    public boolean usable() {
        return isDefault() || maxPoolProcUnits > 0;
    }
}
