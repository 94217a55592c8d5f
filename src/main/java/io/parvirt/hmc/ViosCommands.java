package io.parvirt.hmc;

import io.parvirt.hmc.command.ViosCommand;
import io.parvirt.model.LparEnv;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.ViosShell;
import java.util.function.Predicate;

/**
 * {@code viosvrcmd -m SYS {-p VIOS | --id N} -c "COMMAND"}: runs a VIOS command and prints its
 * output. The VIOS need not be running: its storage configuration is the daemon's (a real HMC
 * needs RMC to the VIOS); a running VIOS's storage server is told of every change to its mappings.
 * A VIOS command's refusal is printed as the VIOS prints it, exit 1.
 */
final class ViosCommands {
    private final ManagedSystem sys;
    private final ViosShell shell;
    private final PartitionOperations operations;
    /** Whether a user may name any host file (the home's owner, hmcsuperadmin), else only the import directory's. */
    private final Predicate<String> mayReachHost;

    ViosCommands(ManagedSystem sys, ViosShell shell, PartitionOperations operations, Predicate<String> mayReachHost) {
        this.sys = sys;
        this.shell = shell;
        this.operations = operations;
        this.mayReachHost = mayReachHost;
    }

    HmcResult run(ViosCommand command, String user) {
        Systems.check(sys, command.system());
        Partition p = Systems.partition(sys, command.vios());
        if (p.env() != LparEnv.VIOSERVER) {
            throw new ModelException(ModelException.Kind.INVALID_STATE, p.name(), "lpar_env", p.env().hmcName(),
                    "The partition " + p.name() + " is not a Virtual I/O Server partition (lpar_env="
                    + p.env().hmcName() + "): viosvrcmd runs only on a partition with lpar_env=vioserver.", null);
        }
        if (shell == null) {
            throw new ModelException(ModelException.Kind.NOT_SUPPORTED, "viosvrcmd", "This daemon serves no "
                    + "Virtual I/O Server storage.");
        }
        String loc = SystemView.locationPrefix(sys.host());
        ViosShell.Result r = shell.run(p, command.command(), loc, new ViosShell.Caller(user,
                mayReachHost.test(user)));
        if (r.exitCode() == 0) {
            operations.viosChanged(p); // a running VIOS serves a new mapping at once; clients see it at activation
        }
        return r.exitCode() == 0 ? new HmcResult(r.stdout(), 0, null, null, null)
                : HmcResult.failed(HsclCode.viosRefusal(r.stdout()));
    }
}
