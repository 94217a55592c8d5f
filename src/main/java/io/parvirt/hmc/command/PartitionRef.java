package io.parvirt.hmc.command;

import io.parvirt.model.Limits;

/** How a command names a partition: {@code -n}/{@code -p NAME} or {@code --id N}. */
public sealed interface PartitionRef {

    record ByName(String name) implements PartitionRef {
        public ByName {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a partition name is not empty");
            }
        }
    }

    record ById(int id) implements PartitionRef {
        public ById {
            if (id < 1 || id > Limits.MAX_LPARS) {
                throw new IllegalArgumentException("partition id " + id + " is outside 1.." + Limits.MAX_LPARS);
            }
        }
    }

    static PartitionRef byName(String name) {
        return new ByName(name);
    }

    static PartitionRef byId(int id) {
        return new ById(id);
    }
}
