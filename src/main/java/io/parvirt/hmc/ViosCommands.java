package io.parvirt.hmc;

import io.parvirt.model.LparEnv;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.vios.ViosShell;

/**
 * {@code viosvrcmd -m SYS {-p VIOS | --id N} -c "COMMAND"}: runs a VIOS command and prints its
 * output. The VIOS need not be running: its storage configuration is the daemon's (a real HMC
 * needs RMC to the VIOS); a running VIOS's storage server is told of every change to its mappings.
 * A VIOS command's refusal is printed as the VIOS prints it, exit 1.
 */
final class ViosCommands {
    private final ViosShell shell;
    private final PartitionOperations operations;

    ViosCommands(ViosShell shell, PartitionOperations operations) {
        this.shell = shell;
        this.operations = operations;
    }

    HmcResult viosvrcmd(Hmc.Context c) {
        Options o = new Options().values("-m", "-p", "--id", "-c").parse(c.args());
        Systems.check(c.sys(), o.require("-m"));
        String[] sel = o.exactlyOne("-p", "--id");
        String command = o.require("-c");
        Partition p = Systems.partition(c.sys(), sel);
        if (p.env() != LparEnv.VIOSERVER) {
            throw new ModelException(ModelException.Kind.INVALID_STATE, "lpar_env", "The partition " + p.name()
                    + " is not a Virtual I/O Server partition (lpar_env=" + p.env().hmcName() + "): viosvrcmd "
                    + "runs only on a partition with lpar_env=vioserver.");
        }
        if (shell == null) {
            throw new ModelException(ModelException.Kind.NOT_SUPPORTED, "viosvrcmd", "This daemon serves no "
                    + "Virtual I/O Server storage.");
        }
        String loc = "U" + SystemView.TYPE_MODEL.replace('-', '.') + "." + c.sys().host().serial();
        ViosShell.Result r = shell.run(p, command, loc, c.inv().user());
        if (r.exitCode() == 0) {
            operations.viosChanged(p); // a running VIOS serves a new mapping at once; clients see it at activation
        }
        return new HmcResult(r.stdout(), r.exitCode(), null, null, r.exitCode() == 0 ? 200 : 400, null);
    }
}
