package io.parvirt.hmc.command;

import io.parvirt.model.AttributeInput.Assignment;
import java.util.List;
import java.util.Objects;

/** {@code migrlpar} and {@code lslparmigr}: Live Partition Mobility. */
public sealed interface MobilityCommand extends HmcCommand {

    /** {@code migrlpar -o}: validate, migrate (validate first), stop, recover. */
    enum Operation { VALIDATE, MIGRATE, STOP, RECOVER }

    /**
     * {@code migrlpar -o v|m|s|r -m SRC [-t DST] {-p NAME|--id N}}; {@code target} is null for
     * {@code -o s} (and may be for {@code -o r}); {@code waitMinutes} ({@code -w}) 0 for no bound;
     * {@code attributes}: the {@code -i} attributes as given (only {@code virtual_scsi_mappings} is
     * used; the others are accepted and not used yet).
     */
    @Verb("migrlpar")
    record Migrate(String system, String target, PartitionRef partition, Operation operation, String profile,
            int waitMinutes, List<Assignment> attributes) implements MobilityCommand {
        public Migrate(String system, String target, PartitionRef partition, Operation operation, String profile,
                int waitMinutes) {
            this(system, target, partition, operation, profile, waitMinutes, List.of());
        }

        public Migrate {
            attributes = attributes == null ? List.of() : List.copyOf(attributes);
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(operation);
            if (target == null && (operation == Operation.VALIDATE || operation == Operation.MIGRATE)) {
                throw new IllegalArgumentException("-t is required with -o v and -o m");
            }
        }
    }

    /** What {@code lslparmigr -r} lists. */
    enum Listed { SYS, LPAR, MSP, PROCPOOL, VIRTUALIO }

    /**
     * {@code lslparmigr -r sys|lpar -m SYS}, or {@code -r msp|procpool|virtualio -m SRC -t DST
     * --filter lpar_names=X} (what DST could give partition X; {@code target} null for the others).
     */
    @Verb("lslparmigr")
    record ListMigrations(String system, Listed listed, String target, Filters filter, Format format)
            implements MobilityCommand {
        public ListMigrations {
            Objects.requireNonNull(system);
            Objects.requireNonNull(listed);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
            if ((target == null) != (listed == Listed.SYS || listed == Listed.LPAR)) {
                throw new IllegalArgumentException("-t goes with -r msp, procpool and virtualio only");
            }
        }

        public boolean lpars() {
            return listed == Listed.LPAR;
        }
    }
}
