package io.parvirt.hmc.command;

import io.parvirt.model.Limits;

/** How a command names a shared processor pool: {@code --poolname NAME} or {@code --id N}. */
public sealed interface PoolRef {

    record ByName(String name) implements PoolRef {
        public ByName {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a pool name is not empty");
            }
        }
    }

    record ById(int id) implements PoolRef {
        public ById {
            if (id < 0 || id >= Limits.MAX_SHARED_PROC_POOLS) {
                throw new IllegalArgumentException("pool id " + id + " is outside 0.."
                        + (Limits.MAX_SHARED_PROC_POOLS - 1));
            }
        }
    }
}
