package io.parvirt.hmc;

import io.parvirt.model.DispatchReport;
import io.parvirt.model.ModelException;
import io.parvirt.partition.GuestExecResult;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.store.StoreException;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.ViosService;
import io.parvirt.vios.ViosShell;
import io.parvirt.vswitch.VirtualEthernet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs HMC commands. Every failure becomes one line on standard output and exit 1; nothing is
 * written to standard error, because HMC clients read standard output.
 */
public final class Hmc {
    private static final Logger LOG = LoggerFactory.getLogger(Hmc.class);
    private final Map<String, Function<Context, HmcResult>> commands = new TreeMap<>();
    private final ManagedSystem sys;
    private final HmcUsers users;
    private final PowerCommands power;
    private final VirtualEthernet network;
    private final PartitionOperations operations;

    /**
     * The services an HMC drives: partition operations (activation, DLPAR, consoles, dispatching
     * figures), the virtual Ethernet's port counters and the VIOS storage configuration. The network
     * and the VIOS may be null (definition-only tests).
     */
    public record Services(PartitionOperations operations, VirtualEthernet network, ViosService vios) {
        public Services {
            java.util.Objects.requireNonNull(operations, "operations");
        }
    }

    public Hmc(ManagedSystem sys, HmcUsers users) {
        this(sys, users, new Services(PartitionOperations.definitionOnly(sys), null, null));
    }

    public Hmc(ManagedSystem sys, HmcUsers users, Services services) {
        this.network = services.network();
        this.sys = sys;
        this.users = users;
        this.operations = services.operations();
        this.power = new PowerCommands(operations);
        commands.put("chsysstate", power::chsysstate);
        commands.put("lsrefcode", power::lsrefcode);
        commands.put("mkvterm", power::mkvterm);
        commands.put("rmvterm", power::rmvterm);
        SyscfgCommands syscfg = new SyscfgCommands();
        commands.put("lssyscfg", syscfg::lssyscfg);
        commands.put("mksyscfg", syscfg::mksyscfg);
        commands.put("chsyscfg", syscfg::chsyscfg);
        commands.put("rmsyscfg", syscfg::rmsyscfg);
        HwresCommands hwres = new HwresCommands(operations);
        commands.put("lshwres", hwres::lshwres);
        commands.put("chhwres", hwres::chhwres);
        ConsoleCommands console = new ConsoleCommands();
        commands.put("lssvcevents", console::lssvcevents);
        commands.put("mkhmcusr", console::mkhmcusr);
        commands.put("lshmcusr", console::lshmcusr);
        commands.put("rmhmcusr", console::rmhmcusr);
        UtilizationCommands utilization = new UtilizationCommands();
        commands.put("lslparutil", utilization::lslparutil);
        ViosCommands vios = new ViosCommands(services.vios() == null ? null : new ViosShell(services.vios()),
                operations);
        commands.put("viosvrcmd", vios::viosvrcmd);
    }

    /** The virtual switches' ports with their counters (parvirt's own: the API, /metrics, {@code parvirt vswitch ports}). */
    public java.util.List<VirtualEthernet.PortStatus> ethernetPorts() {
        return network == null ? java.util.List.of() : network.ports();
    }

    /** parvirt's dispatching figures (not an HMC listing: served by the API and /metrics). */
    public DispatchReport dispatchReport() {
        return operations.dispatchReport();
    }

    public ManagedSystem system() {
        return sys;
    }

    public HmcUsers users() {
        return users;
    }

    /** The partition operations service (commands reach it through here). */
    PartitionOperations operations() {
        return operations;
    }

    /** parvirt's guest exec: runs a program in a running partition through its agent. */
    public GuestExecResult guestExec(String user, String partition, List<String> argv, java.time.Duration timeout) {
        authorize(user, "guestexec");
        return operations.exec(sys.partition(partition), argv, timeout);
    }

    /** The last {@code bytes} of a partition's console output (running or not). */
    public byte[] consoleTail(String partition, int bytes) {
        return operations.consoleTail(sys.partition(partition), bytes);
    }

    /** Activates partitions whose default profile has auto_start=1 (at daemon start). */
    public void autoStart() {
        operations.autoStart();
    }

    /** parvirt's itemised hypervisor memory (not an HMC listing: served by the API and /metrics). */
    public io.parvirt.system.MemoryReport memoryReport() {
        return io.parvirt.system.MemoryReport.of(sys.definition());
    }

    /** What a command needs: the system, the parsed words and the caller. */
    record Context(Hmc hmc, HmcInvocation inv) {
        List<String> args() {
            return Options.tail(inv.argv());
        }

        ManagedSystem sys() {
            return hmc.sys;
        }
    }

    /**
     * Task roles as on an HMC: hmcviewer may only list; hmcoperator may also change the system but
     * not manage users; hmcsuperadmin and the home's owner (the local token) may do everything.
     */
    private void authorize(String user, String command) {
        if (user == null || user.startsWith("local:")) {
            return;
        }
        String role = users.find(user).map(io.parvirt.store.HmcUser::role).orElse("hmcviewer");
        boolean lists = command.startsWith("ls");
        boolean usersCmd = command.endsWith("hmcusr") && !lists;
        if (role.equals("hmcsuperadmin") || lists || (role.equals("hmcoperator") && !usersCmd)) {
            return;
        }
        throw ModelException.of(ModelException.Kind.NOT_AUTHORIZED, "The user " + user + " does not have the "
                + "authority to run " + command + " (task role " + role + ").");
    }

    public HmcResult run(HmcInvocation inv) {
        if (inv.argv().isEmpty()) {
            return HmcResult.error("No command was entered. Valid commands are: " + String.join(", ", commands.keySet())
                    + ".");
        }
        Function<Context, HmcResult> cmd = commands.get(inv.argv().getFirst());
        if (cmd == null) {
            return HmcResult.error("The command " + inv.argv().getFirst() + " is not a valid command. Valid commands "
                    + "are: " + String.join(", ", commands.keySet()) + ".");
        }
        try {
            authorize(inv.user(), inv.argv().getFirst());
            return cmd.apply(new Context(this, inv));
        } catch (HmcException e) {
            return HmcResult.error(e.getMessage());
        } catch (ModelException e) {
            return HmcResult.error(e);
        } catch (StoreException e) {
            LOG.error("store failure in {}", inv.argv().getFirst(), e);
            return new HmcResult("HSCL130F The change could not be saved and was not made: " + e.getMessage() + "\n", 1,
                    null, "HSCL130F", 500, null);
        }
    }
}
