package io.parvirt.hmc;

import io.parvirt.hmc.command.EventCommand;
import io.parvirt.hmc.command.HmcCommand;
import io.parvirt.hmc.command.HwresCommand;
import io.parvirt.hmc.command.HwresCommand.ChangePool;
import io.parvirt.hmc.command.HwresCommand.ChangeVswitch;
import io.parvirt.hmc.command.PowerCommand;
import io.parvirt.hmc.command.SyscfgCommand;
import io.parvirt.hmc.command.UserCommand;
import io.parvirt.hmc.command.UtilizationCommand;
import io.parvirt.hmc.command.ViosCommand;
import io.parvirt.model.DispatchReport;
import io.parvirt.model.ModelException;
import io.parvirt.model.Values;
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
 * Runs HMC commands: a command line ({@link #run}) is parsed once into its typed command, which
 * the API also builds from JSON ({@link #execute}). Every failure becomes one line on standard
 * output and exit 1; nothing is written to standard error, because HMC clients read standard output.
 */
public final class Hmc {
    private static final Logger LOG = LoggerFactory.getLogger(Hmc.class);
    private final SyscfgCommands syscfg;
    private final ConsoleCommands console;
    private final UtilizationCommands utilization;
    private final ResourceCommands resources;
    private final ViosCommands vios;
    private final ManagedSystem sys;
    private final HmcUsers users;
    private final PowerCommands power;
    private final MobilityCommands mobility;
    private final HwresCommands hwres;
    private final VirtualIoCommands virtualIo;
    private final PartitionOperations operations;
    private final ViosService viosService;
    private final VirtualEthernet network;
    private final InfoCommands info;
    private final LifecycleCommands lifecycle;
    private final BackupCommands backups;
    private final SnapshotCommands snapshots;
    private final ConnectedSystems connected;
    /** {@code hmc.only}: this console serves no managed system of its own, only connected ones. */
    private final boolean hmcOnly;
    private final ResourceRoles resourceRoles;
    private final AccessCommands access;

    /**
     * The services an HMC drives: partition operations (activation, DLPAR, consoles, dispatching
     * figures), the virtual Ethernet's port counters and the VIOS storage configuration. The network
     * and the VIOS may be null (definition-only tests), and so may the SSH client that
     * {@code mkauthkeys --ip} uses.
     */
    public record Services(PartitionOperations operations, VirtualEthernet network, ViosService vios,
            io.parvirt.remote.SystemConnections connections, boolean hmcOnly, RemoteConsoleKeys remoteKeys) {
        public Services {
            java.util.Objects.requireNonNull(operations, "operations");
        }

        public Services(PartitionOperations operations, VirtualEthernet network, ViosService vios,
                io.parvirt.remote.SystemConnections connections, boolean hmcOnly) {
            this(operations, network, vios, connections, hmcOnly, null);
        }

        /** A console of one system, connected to no other. */
        public Services(PartitionOperations operations, VirtualEthernet network, ViosService vios) {
            this(operations, network, vios, null, false);
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
        this.viosService = services.vios();
        this.power = new PowerCommands(sys, operations);
        this.mobility = new MobilityCommands(sys, operations);
        this.hwres = new HwresCommands(sys, operations);
        this.virtualIo = new VirtualIoCommands(sys, operations);
        this.syscfg = new SyscfgCommands(this);
        this.resourceRoles = new ResourceRoles(sys, users.store());
        this.access = new AccessCommands(users, resourceRoles);
        this.console = new ConsoleCommands(sys, users, resourceRoles, services.remoteKeys());
        this.utilization = new UtilizationCommands(sys);
        this.info = new InfoCommands(sys);
        this.lifecycle = new LifecycleCommands(sys, operations);
        this.backups = new BackupCommands(sys, operations);
        this.snapshots = new SnapshotCommands(sys, operations);
        this.connected = new ConnectedSystems(services.connections());
        this.hmcOnly = services.hmcOnly();
        this.resources = new ResourceCommands(sys, operations);
        this.vios = new ViosCommands(sys, services.vios() == null ? null : new ViosShell(services.vios(),
                new ViosEthernet(sys, operations, network)),
                operations, this::mayReachHost);
    }

    /** The virtual switches' ports with their counters (parvirt's own: the API, /metrics, {@code parvirt vswitch ports}). */
    public java.util.List<VirtualEthernet.PortStatus> ethernetPorts() {
        return network == null ? java.util.List.of() : network.ports();
    }

    /** Running partitions' virtual SCSI devices with their transport (not an HMC listing: served by the API). */
    public java.util.List<io.parvirt.partition.PartitionOperations.VirtualScsiDevice> virtualScsiDevices() {
        return operations.virtualScsiDevices();
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

    /** The VIOS storage configuration, where this console serves one. */
    java.util.Optional<ViosService> viosStorage() {
        return java.util.Optional.ofNullable(viosService);
    }

    /** The partition operations service (commands reach it through here). */
    PartitionOperations operations() {
        return operations;
    }

    /** parvirt's guest exec: runs a program in a running partition through its agent. */
    public GuestExecResult guestExec(String user, String partition, List<String> argv, java.time.Duration timeout) {
        authorize(user, "guestexec");
        ResourceTargets.check(partition, scopeOf(user), sys.definition(), user, "guest exec");
        return operations.exec(sys.partition(partition), argv, timeout);
    }

    /**
     * This system as a migration's target, asked by the source's daemon over the API (issue 14):
     * {@code step} is {@code validate}, {@code prepare}, {@code complete}, {@code abort} or {@code settle}, with the
     * source's JSON; the answer is JSON. Authorised as {@code migrlpar}, and recorded in the audit trail;
     * {@code offer} (what {@code lslparmigr -r msp|procpool|virtualio} asks) only reads, as {@code lslparmigr}.
     */
    public com.fasterxml.jackson.databind.JsonNode mobilityTarget(String user, String address, String step,
            com.fasterxml.jackson.databind.JsonNode body) {
        boolean reads = step.equals("validate") || step.equals("offer");
        authorize(user, step.equals("offer") ? "lslparmigr" : "migrlpar");
        if (hmcOnly) {
            throw ModelException.of(ModelException.Kind.SYSTEM_NOT_FOUND, "This console manages no system of its "
                    + "own (hmc.only): it cannot be the destination of a migration.");
        }
        String outcome = "done";
        try {
            return mobility.target(step, body);
        } catch (RuntimeException e) {
            outcome = "refused: " + HmcError.oneLine(e.getMessage());
            throw e;
        } finally {
            if (!reads) {
                sys.logEvent(user == null ? "parvirt" : user, "audit", "migration " + HmcError.oneLine(step)
                        + " (destination) by " + (user == null ? "the owner" : user) + " from " + address + ": "
                        + outcome);
            }
        }
    }

    /** The last {@code bytes} of a partition's console output (running or not). */
    public byte[] consoleTail(String user, String partition, int bytes) {
        // A console shows what the guest prints, passwords included: as mkvterm, not as a listing.
        authorize(user, "console");
        ResourceTargets.check(partition, scopeOf(user), sys.definition(), user, "the console output");
        return operations.consoleTail(sys.partition(partition), bytes);
    }

    /**
     * Who holds a partition's console keyboard and from where ("hscroot, mkvterm on this host"), if it
     * runs and anyone does: what a console's viewers are told. A console user's question, as mkvterm.
     */
    public java.util.Optional<String> vtermHolder(String user, String partition) {
        authorize(user, "console");
        ResourceTargets.check(partition, scopeOf(user), sys.definition(), user, "the console");
        return operations.vtermHolder(sys.partition(partition));
    }

    /** Activates partitions whose default profile has auto_start=1 (at daemon start). */
    public void autoStart() {
        operations.autoStart();
    }

    /** As {@link #autoStart()}: VIOSes first, then the others {@code delay} apart. */
    public void autoStart(java.time.Duration delay) {
        operations.autoStart(delay);
    }

    /** parvirt's itemised hypervisor memory (not an HMC listing: served by the API and /metrics). */
    public io.parvirt.system.MemoryReport memoryReport() {
        return io.parvirt.system.MemoryReport.of(sys.definition());
    }

    /** The task role table decides ({@link TaskRoles}); the home's owner (null or {@code local:}) may do anything. */
    private void authorize(String user, String command) {
        if (user == null || user.startsWith("local:")) {
            return;
        }
        String role = users.find(user).map(io.parvirt.store.HmcUser::role).orElse("none");
        if (!TaskRoles.allows(role, TaskRoles.taskOf(command))) {
            throw ModelException.of(ModelException.Kind.NOT_AUTHORIZED, "The user " + user + " does not have the "
                    + "authority to run " + command + " (task role " + role + ").");
        }
    }

    /**
     * The one authorization point of a typed command: its task role ({@link TaskRoles}), then its
     * managed-resource role ({@link ResourceTargets}); returns the scope its listings are narrowed to.
     */
    private ResourceScope authorize(String user, HmcCommand command) {
        authorize(user, command.verb());
        ResourceScope scope = scopeOf(user);
        ResourceTargets.check(command, scope, sys.definition(), user);
        return scope;
    }

    private ResourceScope scopeOf(String user) {
        return resourceRoles.scopeOf(user, user == null || user.startsWith("local:") ? java.util.Optional.empty()
                : users.find(user));
    }

    /** Runs a command authorised with {@code scope}, which narrows every listing it prints. */
    private HmcResult dispatch(HmcCommand command, String user, ResourceScope scope, String address) {
        return ScopedValue.where(ResourceScope.CURRENT, scope).where(PowerCommands.CLIENT, address)
                .call(() -> dispatch(command, user));
    }

    /**
     * Before parvirt's own whole-system figures (dispatching, memory, switch ports, metrics), which
     * name every partition: a user limited by a managed-resource role needs the managed system in it.
     */
    public void authorizeWholeSystem(String user) {
        ResourceScope scope = scopeOf(user);
        if (!scope.all() && !scope.system()) {
            throw ModelException.of(ModelException.Kind.NOT_AUTHORIZED, "The user " + user + " does not have the "
                    + "authority for the whole system's figures: its resource role does not hold the managed system.");
        }
    }

    /**
     * Before a command or request is relayed to a connected system: a managed-resource role names
     * this console's resources only, so a user limited by one reaches other systems only with
     * {@code ALL:} (parvirt's choice; the HMC's roles span the systems it manages).
     */
    private void authorizeConnected(String user) {
        if (!scopeOf(user).all()) {
            throw ModelException.of(ModelException.Kind.NOT_AUTHORIZED, "The user " + user + " does not have the "
                    + "authority on a connected managed system: its resource role holds resources of this one only.");
        }
    }

    /** The task role {@code user} acts with: the home's owner (null or {@code local:}) has every task. */
    public String roleOf(String user) {
        if (user == null || user.startsWith("local:")) {
            return "hmcsuperadmin";
        }
        return users.find(user).map(io.parvirt.store.HmcUser::role).orElse("none");
    }

    /** The home's owner (its local token) or an hmcsuperadmin: who may reach the host itself. */
    boolean mayReachHost(String user) {
        return user == null || user.startsWith("local:") || users.find(user)
                .map(u -> TaskRoles.allows(u.role(), TaskRoles.Task.HOST)).orElse(false);
    }

    /**
     * Before the daemon stops at {@code user}'s request: only the home's owner or an hmcsuperadmin
     * may stop it (it ends the HMC for everyone), and who did is recorded.
     */
    public void authorizeDaemonStop(String user) {
        if (!mayReachHost(user)) {
            String role = users.find(user).map(io.parvirt.store.HmcUser::role).orElse("hmcviewer");
            throw ModelException.of(ModelException.Kind.NOT_AUTHORIZED, "The user " + user + " does not have the "
                    + "authority to stop the daemon (task role " + role + "): only hmcsuperadmin may.");
        }
        sys.logEvent(user == null ? "parvirt" : user, "daemon", "The daemon was asked to stop by "
                + (user == null ? "its owner" : user) + ".");
    }

    /** The HMC commands offered (the words {@link #run} takes first), e.g. for the SSH shell's PATH. */
    public static List<String> commands() {
        return CommandParser.VERBS;
    }

    /**
     * Parses an HMC command line and runs it as {@link #execute} does; one whose {@code -m} names a
     * connected system is authorised here and run by that system's daemon ({@link ConnectedSystems}).
     */
    public HmcResult run(HmcInvocation inv) {
        String verb = inv.argv().isEmpty() ? "" : inv.argv().getFirst();
        if (HmcUsage.asked(inv.argv()) && CommandParser.VERBS.contains(verb)) {
            return HmcResult.text(HmcUsage.of(verb).orElseThrow()); // any role may read a command's usage
        }
        HmcResult r = guarded(verb, () -> {
            authorize(inv.user(), CommandParser.verb(inv.argv()));
            if (!ConnectedSystems.VERBS.contains(verb)) {
                var owner = connected.owner(inv.argv(), localNames());
                if (owner.isPresent()) {
                    authorizeConnected(inv.user());
                    if (verb.equals("rstlpar") && CommandParser.parse(inv)
                            instanceof io.parvirt.hmc.command.BackupCommand.RestorePartition restore) {
                        var sent = connected.restoreOn(owner.get(), restore, backups);
                        if (sent.isPresent()) {
                            return sent.get();
                        }
                    }
                    return connected.forward(owner.get(), inv);
                }
            }
            HmcCommand command = CommandParser.parse(inv);
            return dispatch(command, inv.user(), authorize(inv.user(), command), inv.address());
        });
        return audited(verb, inv.user(), inv.address(), r);
    }

    /** What {@code -m} may call this console's own system (nothing in an HMC-only console). */
    private java.util.Set<String> localNames() {
        return hmcOnly ? java.util.Set.of() : java.util.Set.of(sys.definition().settings().name(),
                SystemView.mtms(sys.host()));
    }

    /** {@code lssyscfg -r sys}: this system first (unless HMC-only), then every connected one. */
    List<Row> systemRows() {
        List<Row> rows = new java.util.ArrayList<>();
        if (!hmcOnly) {
            rows.add(SystemView.row(sys, null));
        }
        rows.addAll(connected.systemRows());
        return rows;
    }

    /**
     * An API request for {@code system}: empty when it is this console's own (the request is served
     * here), else the client of the connected system's daemon to relay it to, once {@code user} is
     * found to have {@code task}; HSCL8011 for a system this console does not reach.
     */
    public java.util.Optional<io.parvirt.remote.PeerClient> relayTarget(String user, String system,
            TaskRoles.Task task) {
        if (user != null && !user.startsWith("local:") && !TaskRoles.allows(roleOf(user), task)) {
            throw ModelException.of(ModelException.Kind.NOT_AUTHORIZED, "The user " + user + " does not have the "
                    + "authority for this request on " + Values.oneLine(system, 64, 64) + " (task role "
                    + roleOf(user) + ").");
        }
        var client = connected.relayTarget(system, localNames());
        if (client.isPresent()) {
            authorizeConnected(user);
        }
        return client;
    }

    /** What a relayed request came to: the connection's state follows; a failure is the HMC's HSCL8016. */
    public ModelException relayFailed(io.parvirt.remote.PeerClient client, io.parvirt.remote.RemoteException e) {
        return connected.relayFailed(client, e);
    }

    public void relayed(io.parvirt.remote.PeerClient client) {
        connected.relayed(client);
    }

    /** Whether this console serves no system of its own ({@code hmc.only}). */
    public boolean hmcOnly() {
        return hmcOnly;
    }

    /** Runs a typed command as {@code user} (null or {@code local:...}: the home's owner). */
    public HmcResult execute(HmcCommand command, String user) {
        return execute(command, user, "local");
    }

    /** Runs a typed command as {@code user} from {@code address} (the API's client). */
    public HmcResult execute(HmcCommand command, String user, String address) {
        HmcResult r = guarded(command.verb(), () -> dispatch(command, user, authorize(user, command), address));
        // a form validated as it is typed changes nothing: recording each check would bury the trail
        if (command instanceof io.parvirt.hmc.command.SyscfgCommand.MakePartition m && m.validateOnly()) {
            return r;
        }
        return audited(command.verb(), user, address, r);
    }

    /**
     * The audit trail (issue 12): every command but a listing is recorded with who ran it, from
     * where, and how it ended, refusals included, in the console events ({@code lssvcevents}).
     */
    private HmcResult audited(String verb, String user, String address, HmcResult r) {
        if (CommandParser.VERBS.contains(verb) && TaskRoles.taskOf(verb) == TaskRoles.Task.LIST) {
            return r;
        }
        String outcome = r.exitCode() == 0 ? "done" : "refused: " + HmcError.oneLine(r.stdout());
        try {
            sys.logEvent(user == null ? "parvirt" : user, "audit", HmcError.oneLine(verb) + " by "
                    + (user == null ? "the owner" : user) + " from " + address + ": " + (outcome.length() > 300
                    ? outcome.substring(0, 300) + "..." : outcome));
        } catch (RuntimeException e) {
            LOG.warn("audit record of {} not stored: {}", verb, e.toString()); // the store said why already
        }
        return r;
    }

    private HmcResult dispatch(HmcCommand command, String user) {
        if (hmcOnly && ownSystem(command)) {
            throw ModelException.of(ModelException.Kind.SYSTEM_NOT_FOUND, "This console manages no system of its "
                    + "own (hmc.only): name a connected system with -m (lssyscfg -r sys lists them).");
        }
        return switch (command) {
            case io.parvirt.hmc.command.SysconnCommand c -> connected.run(c);
            case SyscfgCommand c -> syscfg.run(c, user);
            case UtilizationCommand c -> utilization.run(c);
            case EventCommand.ListEvents c -> console.events(c);
            case UserCommand c -> console.users(c, user);
            case ViosCommand c -> vios.run(c, user);
            case ChangePool c -> resources.changePool(c, user);
            case ChangeVswitch c -> resources.changeVswitch(c, user);
            case HwresCommand.ListHwres c -> hwres.list(c);
            case HwresCommand.ChangeProcessors c -> hwres.changeProcessors(c, user);
            case HwresCommand.ChangeMemory c -> hwres.changeMemory(c, user);
            case HwresCommand.MoveToPool c -> hwres.moveToPool(c, user);
            case HwresCommand.ChangeVirtualAdapter c -> virtualIo.change(c, user);
            case HwresCommand.RestoreResources c -> hwres.restore(c, user);
            case PowerCommand c -> power.run(c, user);
            case io.parvirt.hmc.command.MobilityCommand c -> mobility.run(c);
            case io.parvirt.hmc.command.ConsoleInfoCommand c -> info.run(c);
            case io.parvirt.hmc.command.LifecycleCommand c -> lifecycle.run(c, user);
            case io.parvirt.hmc.command.AccessCommand c -> access.run(c, user);
            case io.parvirt.hmc.command.BackupCommand c -> backups.run(c, user);
            case io.parvirt.hmc.command.SnapshotCommand c -> snapshots.run(c);
        };
    }

    /** A command about this console's own managed system (its partitions, resources, firmware). */
    private static boolean ownSystem(HmcCommand command) {
        return switch (command) {
            case SyscfgCommand.ListSyscfg l -> l.resource() != SyscfgCommand.Resource.SYS || l.system() != null;
            case SyscfgCommand c -> true;
            case PowerCommand c -> true;
            case HwresCommand c -> true;
            case UtilizationCommand c -> true;
            case ViosCommand c -> true;
            case io.parvirt.hmc.command.BackupCommand c -> true;
            case io.parvirt.hmc.command.SnapshotCommand c -> true;
            case io.parvirt.hmc.command.ConsoleInfoCommand.ListLic c -> true;
            case io.parvirt.hmc.command.ConsoleInfoCommand.ListLed c -> true;
            case io.parvirt.hmc.command.ConsoleInfoCommand.ListCod c -> c.system() != null;
            default -> false;
        };
    }

    /**
     * Every failure of a command becomes its {@link HmcError}: one line on standard output and exit
     * 1 for the command line, a code and a status for the API. An exception no rule expected is
     * logged here with its trace, and the client gets one line naming it.
     */
    private static HmcResult guarded(String verb, java.util.function.Supplier<HmcResult> command) {
        try {
            return command.get();
        } catch (HmcException e) {
            return HmcResult.failed(HsclCode.syntax(e));
        } catch (ModelException e) {
            if (e.kind() == ModelException.Kind.STORE_FAILURE || e.kind() == ModelException.Kind.INTERNAL) {
                LOG.error("{} failed", verb, e); // ours, not the caller's: the trace is for the log
            }
            return HmcResult.failed(HsclCode.error(e));
        } catch (StoreException e) {
            LOG.error("store failure in {}", verb, e);
            return HmcResult.failed(HsclCode.error(HsclCode.storeFailure(e)));
        } catch (RuntimeException e) {
            LOG.error("unexpected failure in {}", verb, e);
            return HmcResult.failed(HsclCode.error(HsclCode.unexpected(e)));
        }
    }
}
