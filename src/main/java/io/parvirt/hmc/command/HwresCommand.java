package io.parvirt.hmc.command;

import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ProcUnits;
import java.util.List;
import java.util.Objects;

/**
 * {@code lshwres} and {@code chhwres}: processors, memory, shared processor pools, virtual I/O.
 * ({@link ChangePool} and {@link ChangeVswitch} run through their typed handler; the listing and
 * the changes to running partitions are parsed here but still run through their old handler until
 * the partition operations have moved out of {@code hmc}.)
 */
public sealed interface HwresCommand extends HmcCommand {

    /** {@code lshwres -r}. */
    /** {@code IO} (physical slots) and {@code MEMPOOL} (shared memory): parvirt has none, the lists are empty. */
    enum Resource { PROC, MEM, PROCPOOL, VIRTUALIO, IO, MEMPOOL }

    /**
     * {@code lshwres}: {@code level} is null for {@code -r procpool} and {@code --rsubtype vswitch};
     * {@code rsubtype} only for {@code -r virtualio}; {@code maxMemMb}/{@code hptRatio} only for
     * {@code -r mem --level sys --maxmem} (the ratio null for the system's default).
     */
    @Verb("lshwres")
    record ListHwres(String system, Resource resource, String level, String rsubtype, Long maxMemMb,
            HptRatio hptRatio, Filters filter, Format format) implements HwresCommand {
        public ListHwres {
            Objects.requireNonNull(system);
            Objects.requireNonNull(resource);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
        }
    }

    /** {@code chhwres -r procpool -o s {--poolname P | --id N} -a "..."}: a pool's settings. */
    @Verb("chhwres")
    record ChangePool(String system, PoolRef pool, List<Assignment> attributes) implements HwresCommand {
        public ChangePool {
            Objects.requireNonNull(system);
            Objects.requireNonNull(pool);
            attributes = List.copyOf(attributes);
            if (attributes.isEmpty()) {
                throw new IllegalArgumentException("a pool change sets at least one attribute");
            }
        }
    }

    /** {@code chhwres -r procpool -o s -p LPAR {--poolname P | --id N}}: moves a running partition. */
    @Verb("chhwres")
    record MoveToPool(String system, String partition, PoolRef pool) implements HwresCommand {
        public MoveToPool {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(pool);
        }
    }

    /** {@code chhwres -r virtualio --rsubtype vswitch -o a|r --vswitch NAME}. */
    @Verb("chhwres")
    record ChangeVswitch(String system, String vswitch, boolean add) implements HwresCommand {
        public ChangeVswitch {
            Objects.requireNonNull(system);
            Objects.requireNonNull(vswitch);
        }
    }

    /** {@code chhwres -r virtualio --rsubtype eth|scsi -o}: add, remove, set. */
    enum AdapterOperation { ADD, REMOVE, SET }

    /**
     * {@code chhwres -r virtualio --rsubtype eth|scsi -o a|r|s -s SLOT [-a "..."]}: virtual adapter
     * DLPAR on a running partition; {@code waitMinutes} ({@code -w}) null for the default.
     */
    @Verb("chhwres")
    record ChangeVirtualAdapter(String system, PartitionRef partition, String rsubtype, AdapterOperation operation,
            int slot, List<Assignment> attributes, Integer waitMinutes) implements HwresCommand {
        public ChangeVirtualAdapter {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(operation);
            attributes = List.copyOf(attributes);
            if (!rsubtype.equals("eth") && !rsubtype.equals("scsi")) {
                throw new IllegalArgumentException("adapters of rsubtype eth or scsi only");
            }
        }
    }

    /** {@code chhwres -r proc -o}: add, remove, set, move. */
    enum ProcOperation { ADD, REMOVE, SET, MOVE }

    /**
     * {@code chhwres -r proc}: processor DLPAR on a running partition. {@code attributes} ({@code -a},
     * with {@code -o s}) may be empty; {@code units} is null when {@code --procunits} is absent,
     * {@code procs} when {@code --procs} is; {@code target} only for {@code -o m};
     * {@code waitMinutes} ({@code -w}) null for the default.
     */
    @Verb("chhwres")
    record ChangeProcessors(String system, PartitionRef partition, ProcOperation operation,
            List<Assignment> attributes, ProcUnits units, PartitionRef target, Integer procs, Integer waitMinutes)
            implements HwresCommand {
        public ChangeProcessors {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(operation);
            attributes = List.copyOf(attributes);
            if ((operation == ProcOperation.MOVE) != (target != null)) {
                throw new IllegalArgumentException("only a move names a target partition");
            }
            if (procs != null && procs < 1) {
                throw new IllegalArgumentException("--procs is a count above 0 added, removed, moved or set");
            }
        }
    }

    /** {@code chhwres -r mem -o}: add, remove, move. */
    enum MemOperation { ADD, REMOVE, MOVE }

    /**
     * {@code chhwres -r mem -o a|r|m -q MB}: memory DLPAR on a running partition; {@code target}
     * only for {@code -o m}; {@code waitMinutes} ({@code -w}) null for the default.
     */
    @Verb("chhwres")
    record ChangeMemory(String system, PartitionRef partition, MemOperation operation, long mb, PartitionRef target,
            Integer waitMinutes) implements HwresCommand {
        public ChangeMemory {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(operation);
            if ((operation == MemOperation.MOVE) != (target != null)) {
                throw new IllegalArgumentException("only a move names a target partition");
            }
        }
    }

    /** {@code rsthwres -r}: processors, memory, physical I/O. */
    enum RestoreResource { PROC, MEM, IO }

    /**
     * {@code rsthwres -r proc|mem|io -m SYS [-p LPAR | --id N]}: a running partition's current
     * resources brought back to its profile after a failed DLPAR; {@code partition} null: every
     * running partition.
     */
    @Verb("rsthwres")
    record RestoreResources(String system, RestoreResource resource, PartitionRef partition)
            implements HwresCommand {
        public RestoreResources {
            Objects.requireNonNull(system);
            Objects.requireNonNull(resource);
        }
    }
}
