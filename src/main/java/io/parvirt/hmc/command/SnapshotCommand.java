package io.parvirt.hmc.command;

import java.util.Objects;

/**
 * parvirt's own commands for partition snapshots (issue 19; the HMC has none), in the HMC's style:
 * {@code mklparsnap}, {@code lslparsnap}, {@code rstlparsnap} (revert) and {@code rmlparsnap}.
 */
public sealed interface SnapshotCommand extends HmcCommand {
    String system();

    /** {@code mklparsnap -m SYS {-p NAME | --id N} -n SNAPSHOT [--nomem] [-d DESCRIPTION]}. */
    @Verb("mklparsnap")
    record TakeSnapshot(String system, PartitionRef partition, String name, boolean withMemory, String description)
            implements SnapshotCommand {
        public TakeSnapshot {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(name);
            description = description == null ? "" : description;
        }
    }

    /** {@code lslparsnap -m SYS [{-p NAME | --id N}] [-F ...] [--header]}: a null partition lists every one's. */
    @Verb("lslparsnap")
    record ListSnapshots(String system, PartitionRef partition, Format format) implements SnapshotCommand {
        public ListSnapshots {
            Objects.requireNonNull(system);
            Objects.requireNonNull(format);
        }
    }

    /** {@code rstlparsnap -m SYS {-p NAME | --id N} -n SNAPSHOT}: the partition returns to the snapshot. */
    @Verb("rstlparsnap")
    record RevertSnapshot(String system, PartitionRef partition, String name) implements SnapshotCommand {
        public RevertSnapshot {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(name);
        }
    }

    /** {@code rmlparsnap -m SYS {-p NAME | --id N} -n SNAPSHOT}. */
    @Verb("rmlparsnap")
    record RemoveSnapshot(String system, PartitionRef partition, String name) implements SnapshotCommand {
        public RemoveSnapshot {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(name);
        }
    }
}
