package io.parvirt.hmc;

import io.parvirt.hmc.command.HwresCommand.ChangePool;
import io.parvirt.hmc.command.HwresCommand.ChangeVswitch;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.system.ManagedSystem;

/**
 * The {@code chhwres} forms that change the system's resources rather than a running partition:
 * a shared processor pool's settings and the virtual switches.
 */
final class ResourceCommands {
    private final ManagedSystem sys;
    private final PartitionOperations operations;

    ResourceCommands(ManagedSystem sys, PartitionOperations operations) {
        this.sys = sys;
        this.operations = operations;
    }

    HmcResult changePool(ChangePool c, String user) {
        Systems.check(sys, c.system());
        sys.changePool(Systems.pool(sys, c.pool()), c.attributes(), user);
        operations.poolsChanged(); // a pool's new maximum applies to its running partitions now, not at the next tick
        return HmcResult.OK;
    }

    HmcResult changeVswitch(ChangeVswitch c, String user) {
        Systems.check(sys, c.system());
        sys.changeVswitch(c.vswitch(), c.add(), user);
        return HmcResult.OK;
    }
}
