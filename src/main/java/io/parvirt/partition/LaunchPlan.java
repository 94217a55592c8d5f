package io.parvirt.partition;

import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.model.Allocation;
import java.util.List;

/**
 * What an activation will do: the resources it takes ({@code curr_*}) and the process it starts,
 * with that process's command line (QEMU, or a VIOS's storage server).
 */
public record LaunchPlan(String profile, Allocation allocation, LaunchSpec spec, List<String> commandLine) {
    public LaunchPlan {
        commandLine = List.copyOf(commandLine);
    }
}
