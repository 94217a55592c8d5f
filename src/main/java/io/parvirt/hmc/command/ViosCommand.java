package io.parvirt.hmc.command;

import java.util.Objects;

/** {@code viosvrcmd -m SYS {-p VIOS | --id N} -c "COMMAND"}: one command for a Virtual I/O Server. */
@Verb("viosvrcmd")
public record ViosCommand(String system, PartitionRef vios, String command) implements HmcCommand {
    public ViosCommand {
        Objects.requireNonNull(system);
        Objects.requireNonNull(vios);
        Objects.requireNonNull(command);
    }
}
