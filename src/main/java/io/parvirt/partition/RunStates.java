package io.parvirt.partition;

import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.hypervisor.PartitionSupervisor;
import java.util.List;
import java.util.Optional;

/** The hypervisor's status of a partition as the console's {@link RunState}. */
final class RunStates {
    private RunStates() {
    }

    static RunState of(PartitionStatus st, Optional<PartitionSupervisor> s) {
        List<RunState.ActiveNic> nics = s.map(x -> x.spec().nics().stream().map(RunStates::nic).toList())
                .orElse(List.of());
        return new RunState(st.lparId(), st.state(), st.refCode().code(), st.refCode().text(), st.refDetail(),
                st.refTime(), st.profile(), Optional.ofNullable(st.allocation()), st.facts().osVersion(),
                st.facts().ipv4(), st.agentActive(), nics, s.map(x -> x.spec().scsiClients().stream()
                        .map(c -> new RunState.ActiveScsiClient(c.slot(), c.remoteLparId(), c.remoteSlot())).toList())
                        .orElse(List.of()), st.paused());
    }

    private static RunState.ActiveNic nic(LaunchSpec.Nic n) {
        return new RunState.ActiveNic(n.slot(), n.mac(), n.vswitch(), n.pvid(), n.ieee8021q(), n.addlVlanIds(),
                n.trunkPriority(), n.qosPriority());
    }
}
