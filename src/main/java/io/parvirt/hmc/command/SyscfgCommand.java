package io.parvirt.hmc.command;

import io.parvirt.model.AttributeInput.Assignment;
import java.util.List;
import java.util.Objects;

/** {@code lssyscfg}, {@code mksyscfg}, {@code chsyscfg}, {@code rmsyscfg}: the system, partitions and profiles. */
public sealed interface SyscfgCommand extends HmcCommand {

    /** What {@code lssyscfg -r} lists. */
    enum Resource { SYS, LPAR, PROF }

    /** {@code lssyscfg -r sys|lpar|prof}; {@code system} (-m) may be null for {@code -r sys}. */
    @Verb("lssyscfg")
    record ListSyscfg(Resource resource, String system, Filters filter, Format format) implements SyscfgCommand {
        public ListSyscfg {
            Objects.requireNonNull(resource);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
            if (system == null && resource != Resource.SYS) {
                throw new IllegalArgumentException("listing partitions or profiles names the managed system");
            }
        }
    }

    /**
     * {@code mksyscfg -r lpar}: one partition per record. {@code validateOnly}: every rule applied,
     * nothing stored (the web console's form asks this as the user types).
     */
    @Verb("mksyscfg")
    record MakePartition(String system, List<List<Assignment>> records, boolean validateOnly)
            implements SyscfgCommand {
        public MakePartition {
            records = Records.check(system, records);
        }

        public MakePartition(String system, List<List<Assignment>> records) {
            this(system, records, false);
        }
    }

    /** {@code mksyscfg -r prof}: one profile per record, each naming its partition. */
    @Verb("mksyscfg")
    record MakeProfile(String system, List<List<Assignment>> records) implements SyscfgCommand {
        public MakeProfile {
            records = Records.check(system, records);
        }
    }

    /**
     * {@code mksyscfg -r prof -m SYS -o save {-p LPAR | --id N} -n PROFILE [--force]}: the running
     * partition's current configuration saved as a profile; an existing one is replaced only with
     * {@code force}.
     */
    @Verb("mksyscfg")
    record SaveProfile(String system, PartitionRef partition, String profile, boolean force)
            implements SyscfgCommand {
        public SaveProfile {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(profile);
        }
    }

    /** {@code chsyscfg -r lpar}: each record names its partition ({@code name} or {@code lpar_id}). */
    @Verb("chsyscfg")
    record ChangePartition(String system, List<List<Assignment>> records) implements SyscfgCommand {
        public ChangePartition {
            records = Records.check(system, records);
        }
    }

    /** {@code chsyscfg -r prof}: each record names its partition and profile. */
    @Verb("chsyscfg")
    record ChangeProfile(String system, List<List<Assignment>> records) implements SyscfgCommand {
        public ChangeProfile {
            records = Records.check(system, records);
        }
    }

    /**
     * {@code chsyscfg -r lpar -o apply {-p LPAR | --id N} [-n PROFILE]}: the profile becomes the
     * configuration the partition activates with (its default profile); a null profile is the
     * default profile itself (nothing to change).
     */
    @Verb("chsyscfg")
    record ApplyProfile(String system, PartitionRef partition, String profile) implements SyscfgCommand {
        public ApplyProfile {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
        }
    }

    /** {@code chsyscfg -r sys}: exactly one record. */
    @Verb("chsyscfg")
    record ChangeSystem(String system, List<Assignment> attributes) implements SyscfgCommand {
        public ChangeSystem {
            attributes = Records.check(system, List.of(attributes)).getFirst();
        }
    }

    /**
     * {@code rmsyscfg -r lpar}: {@code vioscfg} also removes a VIOS's storage, or a client's mappings
     * on its VIOSes; {@code vdisks} (with it) also the client's backing devices.
     */
    @Verb("rmsyscfg")
    record RemovePartition(String system, PartitionRef partition, boolean vioscfg, boolean vdisks)
            implements SyscfgCommand {
        public RemovePartition {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
        }

        public RemovePartition(String system, PartitionRef partition, boolean vioscfg) {
            this(system, partition, vioscfg, false);
        }

        public RemovePartition(String system, PartitionRef partition) {
            this(system, partition, false, false);
        }
    }

    /** {@code rmsyscfg -r prof}. */
    @Verb("rmsyscfg")
    record RemoveProfile(String system, PartitionRef partition, String profile) implements SyscfgCommand {
        public RemoveProfile {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(profile);
        }
    }

    /** The checks every record-carrying command shares. */
    final class Records {
        private Records() {
        }

        static List<List<Assignment>> check(String system, List<List<Assignment>> records) {
            Objects.requireNonNull(system);
            if (records.isEmpty() || records.stream().anyMatch(List::isEmpty)) {
                throw new IllegalArgumentException("a command carries at least one record, each with attributes");
            }
            return records.stream().map(List::copyOf).toList();
        }
    }
}
