package io.parvirt.hmc.command;

import java.util.Objects;

/** {@code chsysstate}, {@code chlparstate}, {@code lsrefcode}, {@code mkvterm}, {@code rmvterm}: running partitions. */
public sealed interface PowerCommand extends HmcCommand {

    /** {@code chsysstate -o}; PAUSE and RESUME are parvirt's (the vCPUs stop in place, memory stays). */
    enum Operation { ON, SHUTDOWN, OSSHUTDOWN, RESTART, PAUSE, RESUME }

    /**
     * {@code chsysstate -r lpar -o on|shutdown|osshutdown|restart}; {@code profile} ({@code -f}) is
     * null for the default profile; {@code test} ({@code --test}, parvirt's, with {@code -o on} only)
     * asks for the plan without starting anything.
     */
    @Verb("chsysstate")
    record ChangeState(String system, PartitionRef partition, Operation operation, String profile, boolean immediate,
            boolean restart, boolean test) implements PowerCommand {
        public ChangeState {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(operation);
            if (test && operation != Operation.ON) {
                throw new IllegalArgumentException("--test goes with -o on only");
            }
        }
    }

    /** {@code chlparstate -o}: suspend and resume, and the shutdown of a Suspended partition. */
    enum SuspendOperation { SUSPEND, RESUME, SHUTDOWN }

    /** {@code chlparstate -o suspend|resume|shutdown -m SYS {-p NAME | --id N}} (issue 14). */
    @Verb("chlparstate")
    record ChangeLparState(String system, PartitionRef partition, SuspendOperation operation)
            implements PowerCommand {
        public ChangeLparState {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(operation);
        }
    }

    /**
     * {@code chsysstate -r sys -o on|off [--immed]}: parvirt's power on and off of the managed
     * system (the host stays up): off shuts every active partition down, then the system shows
     * {@code Power Off}; on makes it Operating and starts the auto_start partitions.
     */
    @Verb("chsysstate")
    record ChangeSystemState(String system, boolean on, boolean immediate) implements PowerCommand {
        public ChangeSystemState {
            Objects.requireNonNull(system);
        }
    }

    /** {@code lsrefcode -r lpar}. */
    @Verb("lsrefcode")
    record ListRefcode(String system, Filters filter, Format format) implements PowerCommand {
        public ListRefcode {
            Objects.requireNonNull(system);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
        }
    }

    /**
     * {@code lsrunstate -r lpar}: parvirt's own listing of each partition's HMC state beside
     * parvirt's run state ({@code Paused} where the HMC's listings say Running).
     */
    @Verb("lsrunstate")
    record ListRunState(String system, Filters filter, Format format) implements PowerCommand {
        public ListRunState {
            Objects.requireNonNull(system);
            Objects.requireNonNull(filter);
            Objects.requireNonNull(format);
        }
    }

    /**
     * {@code mkvterm}: the console session socket of a running partition. parvirt's options: {@code
     * --view} joins read-only (any number may), {@code --take} takes the keyboard from whoever holds it.
     */
    @Verb("mkvterm")
    record OpenVterm(String system, PartitionRef partition, VtermMode mode) implements PowerCommand {
        public OpenVterm {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
            Objects.requireNonNull(mode);
        }

        public OpenVterm(String system, PartitionRef partition) {
            this(system, partition, VtermMode.KEYBOARD);
        }
    }

    /** How a console session is joined: typing (the one session), watching, or taking the keyboard over. */
    enum VtermMode {
        KEYBOARD, VIEW, TAKE
    }

    /** {@code rmvterm}. */
    @Verb("rmvterm")
    record CloseVterm(String system, PartitionRef partition) implements PowerCommand {
        public CloseVterm {
            Objects.requireNonNull(system);
            Objects.requireNonNull(partition);
        }
    }
}
