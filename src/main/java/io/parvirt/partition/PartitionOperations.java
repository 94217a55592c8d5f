package io.parvirt.partition;

import io.parvirt.console.VirtualConsole;
import io.parvirt.dispatch.Dispatcher;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchException;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.hypervisor.PartitionSupervisor;
import io.parvirt.image.ImageException;
import io.parvirt.image.ImageStore;
import io.parvirt.model.Allocation;
import io.parvirt.model.DispatchReport;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.ViosService;
import io.parvirt.vswitch.VirtualEthernet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one service that changes partitions' running state: activation (planned by
 * {@link LaunchPlanner}, then started by the hypervisor and wired to the switch), shutdown,
 * restart, processor and memory DLPAR, consoles and guest commands. Without a hypervisor (a console that only
 * defines partitions) every operation is refused with {@code HSCL130B}.
 */
public final class PartitionOperations {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionOperations.class);
    /** A delayed shutdown: the OS, then the ACPI button, then a hard stop once this has passed. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
    /** How long a client's activation waits for a VIOS that is still applying a change to serve it. */
    static final long SOCKET_WAIT_MS = 10_000;

    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final ImageStore images;
    private final VirtualEthernet network;
    private final ViosExports exports;
    private final LaunchFacts facts;
    private final ProcessorDlpar processors;
    private final MemoryDlpar memory;
    private final AdapterDlpar adapters;
    private final LiveMappings mappings;
    private final ConfigChanges configChanges;
    private final CurrentProfile currentProfile;
    private final ResourceRestore restore;
    private final Dispatcher dispatcher;
    private final Mobility mobility;
    private final MobilityReceiver receiver;
    private final Suspension suspension;
    private final io.parvirt.partition.backup.PartitionBackups backups;
    private final PartitionSnapshots snapshots;
    /** A snapshot taken or reverted and a DLPAR change, which must not overlap on one partition. */
    private final PartitionActivity activity = new PartitionActivity();
    /** mkvterm/rmvterm and their audit trail; null without a hypervisor (no console to open). */
    private final ConsoleSessions consoleSessions;
    /**
     * The migration stream's bandwidth cap (bytes/s): QEMU's own default (32 MiB/s) would stretch
     * a migration needlessly; the link is the limit.
     */
    static final long MIGRATION_BANDWIDTH = 10L << 30;
    /** The delay between auto-started clients, kept for {@code chsysstate -r sys -o on}. */
    private volatile Duration autoStartDelay = Duration.ZERO;

    public PartitionOperations(ManagedSystem sys, Hypervisor hypervisor, ImageStore images, VirtualEthernet network,
            ViosService vios, Dispatcher dispatcher) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.images = images;
        this.network = network;
        this.exports = vios == null ? null : new ViosExports(vios);
        this.facts = hypervisor == null ? null : new LaunchFacts(sys, hypervisor, images, vios);
        this.consoleSessions = hypervisor == null ? null : new ConsoleSessions(sys);
        this.currentProfile = new CurrentProfile(sys, this::state);
        this.configChanges = new ConfigChanges(currentProfile::sync);
        GuestDlpar guest = new GuestDlpar(sys, hypervisor, dispatcher, configChanges);
        this.processors = new ProcessorDlpar(sys, hypervisor, dispatcher, guest, configChanges);
        this.memory = new MemoryDlpar(sys, guest);
        this.adapters = new AdapterDlpar(sys, hypervisor, network, configChanges);
        this.mappings = hypervisor == null || vios == null ? null : new LiveMappings(hypervisor, vios);
        this.restore = new ResourceRestore(sys, guest, processors, memory, this::state);
        this.dispatcher = dispatcher;
        ScsiMobility scsiMobility = hypervisor == null ? null : new ScsiMobility(sys, hypervisor, vios,
                this::viosChanged);
        this.mobility = hypervisor == null ? null : new Mobility(sys, hypervisor, this, scsiMobility,
                MIGRATION_BANDWIDTH);
        // Listens on loopback until the multi-system layer names this host's migration address.
        this.receiver = hypervisor == null ? null : new MobilityReceiver(sys, hypervisor, network, images,
                scsiMobility, "127.0.0.1", this::snapshots);
        this.suspension = hypervisor == null ? null : new Suspension(sys, hypervisor, network, vios, this::state,
                MIGRATION_BANDWIDTH);
        this.backups = vios == null ? null : new io.parvirt.partition.backup.PartitionBackups(sys, vios, this,
                hypervisor);
        this.snapshots = hypervisor == null || vios == null ? null : new PartitionSnapshots(sys, hypervisor, network,
                vios, new io.parvirt.vios.DiskSnapshots(vios, id -> hypervisor.supervisor(id)
                        .filter(s -> s.spec().runsStorageServer())
                        .map(s -> io.parvirt.hypervisor.StorageServerProcess.controlSocket(s.spec()))),
                this::state, p -> longOperation(p, vios), this, hypervisor.suspendDir().resolveSibling("snapshots"),
                MIGRATION_BANDWIDTH, activity);
    }

    /** What is in progress on partitions that must not overlap (a snapshot, a DLPAR change). */
    PartitionActivity activity() {
        return activity;
    }

    /** Partition snapshots (issue 19); empty where no partitions run or no VIOS storage is served. */
    public Optional<PartitionSnapshots> snapshots() {
        return Optional.ofNullable(snapshots);
    }

    /**
     * The backup, restore, copy or disk move in progress on {@code p} (or on a disk a VIOS serves
     * it), if any: what a snapshot must not run beside.
     */
    private Optional<String> longOperation(Partition p, ViosService vios) {
        if (backups == null) {
            return Optional.empty();
        }
        java.util.Set<Integer> servers = new java.util.HashSet<>();
        vios.mappedDevicesOf(p.id()).forEach(d -> servers.add(d.viosId()));
        for (io.parvirt.partition.backup.LparJobs.Job j : backups.jobs().list()) {
            boolean itsVios = j.kind() == io.parvirt.partition.backup.LparJobs.Kind.DISK_MIGRATION && servers.stream()
                    .anyMatch(id -> sys.definition().partition(id).map(v -> v.name().equals(j.partition())).orElse(false));
            if (j.partition().equals(p.name()) || itsVios) {
                return Optional.of("a " + j.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + " (job " + j.id() + ")");
            }
        }
        return Optional.empty();
    }

    /** Backup, restore and full clone of partitions (issue 19); empty where no VIOS storage is served. */
    public Optional<io.parvirt.partition.backup.PartitionBackups> backups() {
        return Optional.ofNullable(backups);
    }

    /** Live Partition Mobility from this system ({@code migrlpar}, {@code lslparmigr}). */
    public Mobility mobility() {
        hypervisor();
        return mobility;
    }

    /** This system as a migration's target: what another system's {@link Mobility} drives. */
    public MobilityReceiver mobilityTarget() {
        hypervisor();
        return receiver;
    }

    /** A console that defines partitions but runs none (tests of the definition layer). */
    public static PartitionOperations definitionOnly(ManagedSystem sys) {
        return new PartitionOperations(sys, null, null, null, null, null);
    }

    private Hypervisor hypervisor() {
        if (hypervisor == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "Partitions cannot be activated here: this "
                    + "console has no hypervisor.");
        }
        return hypervisor;
    }

    /**
     * Re-adopts the partitions an earlier daemon left running and joins their adapters to the
     * switches again, with the counters that daemon saved; returns their ids.
     */
    public List<Integer> recover() {
        List<Integer> adopted = hypervisor().recover();
        for (int id : adopted) {
            hypervisor.supervisor(id).ifPresent(s -> PartitionNetwork.resume(network, s.spec()));
        }
        return adopted;
    }

    /** The run state of a partition; empty when it is simply Not Activated. */
    public Optional<RunState> state(int lparId) {
        if (hypervisor == null) {
            return Optional.empty();
        }
        Optional<RunState> st = hypervisor.status(lparId).map(x -> RunStates.of(x, hypervisor.supervisor(lparId)));
        if (receiver.interrupted(lparId)) {
            // An arrival whose receiving daemon ended: a shell the source's migrlpar -o r removes, never
            // run, activated or resumed here (the source runs the partition).
            return Optional.of(st.map(x -> x.as(LparState.MIGRATING_RUNNING)).orElseGet(() -> RunState.movingInactive(
                    lparId, receiver.arriving(lparId).orElse(""))));
        }
        if (st.isEmpty()) {
            Optional<String> moving = mobility.movingInactive(lparId).or(() -> receiver.arrivingInactive(lparId));
            return moving.map(profile -> RunState.movingInactive(lparId, profile))
                    .or(() -> suspension.state(lparId));
        }
        return st;
    }

    private LparState lparState(int lparId) {
        return state(lparId).map(RunState::state).orElse(LparState.NOT_ACTIVATED);
    }

    /** What activating {@code p} with {@code profile} would do, without doing it ({@code --test}). */
    public synchronized LaunchPlan plan(Partition p, String profile) {
        hypervisor();
        requireInactive(p);
        Profile prof = sys.profile(p, profile);
        return LaunchPlanner.plan(sys.definition(), p, prof, facts.of(p, prof));
    }

    /**
     * Activation takes from what is free: desired if it fits, down to the minimums, else refused.
     * Serialised, so two activations never both take the same free resources.
     */
    public synchronized LaunchPlan activate(Partition p, String profile) {
        requireOperating(p);
        Hypervisor h = hypervisor();
        requireInactive(p);
        Profile prof = sys.profile(p, profile);
        if (p.env() != LparEnv.VIOSERVER && prof.options().image() == null) {
            ensureDefaultImage(p);
        }
        LaunchEnvironment env = facts.of(p, prof);
        LaunchPlan plan = LaunchPlanner.plan(sys.definition(), p, prof, env);
        LaunchSpec spec = plan.spec();
        if (spec.runsStorageServer() && exports != null) {
            exports.write(p, spec.storageServer().exportsFile());
        }
        for (LaunchEnvironment.ScsiMapping m : env.scsi()) {
            awaitServed(p, m.device(), env.runRoot());
        }
        // A vhost-user NIC's QEMU connects to the switch while it starts: the port listens first.
        boolean listenFirst = spec.sharesMemory();
        if (listenFirst) {
            PartitionNetwork.connect(network, spec);
        }
        try {
            h.activate(spec, prof.name(), plan.allocation());
            if (!listenFirst) {
                PartitionNetwork.connect(network, spec);
            }
        } catch (LaunchException e) {
            if (listenFirst && network != null) {
                network.disconnect(spec.lparId());
            }
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name()
                    + " could not be activated (" + e.refCode().code() + "): " + e.getMessage());
        }
        return plan;
    }

    private void requireInactive(Partition p) {
        LparState state = lparState(p.id());
        if (state.active() || state == LparState.MIGRATING_NOT_ACTIVATED) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is already "
                    + state.hmcName() + ".");
        }
        if (state == LparState.SUSPENDED) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The partition " + p.name()
                    + " is Suspended: resume it (chlparstate -o resume) or shut it down (chlparstate -o shutdown) "
                    + "before activating it.");
        }
    }

    private void ensureDefaultImage(Partition p) {
        try {
            images.ensureDefault(line -> LOG.info("image: {}", line));
        } catch (ImageException e) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The partition image for " + p.name()
                    + " is not available: " + e.getMessage());
        }
    }

    /** A VIOS that is reloading its exports may need a moment before it serves a new mapping. */
    private void awaitServed(Partition client, io.parvirt.vios.MappedDevice d, Path runRoot) {
        if (d.file() == null) {
            return; // an empty optical drive: nothing is served for it
        }
        Path socket = LaunchPlanner.nbdSocket(runRoot, d.viosId(), d.vtd());
        long deadline = System.nanoTime() + SOCKET_WAIT_MS * 1_000_000;
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                String v = sys.definition().partition(d.viosId()).map(Partition::name).orElse("ID " + d.viosId());
                throw new ModelException(ModelException.Kind.INVALID_STATE, "virtual_scsi_adapters", "The partition "
                        + client.name() + " cannot be activated: Virtual I/O Server " + v + " does not serve "
                        + "virtual target device " + d.vtd() + ". Its console (mkvterm -p " + v
                        + ") says why; restart " + v + " if it does not recover.");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public void shutdown(Partition p, boolean immediate) {
        if (lparState(p.id()) == LparState.SUSPENDED) {
            hypervisor();
            suspension.shutdown(p); // its saved state is deleted: Not Activated
            return;
        }
        if (lparState(p.id()) == LparState.NOT_ACTIVATED) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name()
                    + " is Not Activated: there is nothing to shut down.");
        }
        hypervisor().shutdown(p.id(), immediate, SHUTDOWN_TIMEOUT);
    }

    public void restart(Partition p, boolean immediate) {
        LparState state = lparState(p.id());
        if (state != LparState.RUNNING && state != LparState.STARTING) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is "
                    + state.hmcName() + ": only a running partition can be restarted.");
        }
        try {
            hypervisor().restart(p.id(), immediate);
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name()
                    + " could not be restarted: " + e.getMessage());
        }
    }

    /**
     * {@code chlparstate -o suspend}: the partition's memory and device state go to its saved state
     * file and its resources are freed ({@link Suspension}); refused, changing nothing, unless it is a
     * Running (not paused) suspend-capable client partition.
     */
    public void suspend(Partition p) {
        hypervisor();
        suspension.suspend(p);
    }

    /** {@code chlparstate -o resume}: under the activation lock, as it takes capacity as an activation does. */
    public synchronized void resumeSuspended(Partition p) {
        hypervisor();
        suspension.resume(p);
    }

    /** {@code chlparstate -o shutdown}: a Suspended partition's saved state is deleted; refused for any other. */
    public void shutdownSuspended(Partition p) {
        hypervisor();
        suspension.shutdown(p);
    }

    /**
     * parvirt's pause ({@code true}) and resume: the partition's processors stop where they are,
     * its memory and devices stay, and the dispatcher gives it nothing until it resumes. Only a
     * Running client partition (a VIOS's clients would lose their disks).
     */
    public void pause(Partition p, boolean pause) {
        Hypervisor h = hypervisor();
        if (p.env() == LparEnv.VIOSERVER) {
            throw ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "The partition " + p.name()
                    + " is a Virtual I/O Server and cannot be paused: its clients' disks would stop.");
        }
        Optional<RunState> st = state(p.id());
        boolean paused = st.map(RunState::paused).orElse(false);
        if (st.map(RunState::state).orElse(LparState.NOT_ACTIVATED) != LparState.RUNNING || paused == pause) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The partition " + p.name()
                    + " is " + st.map(RunState::runState).orElse("Not Activated") + ": only a "
                    + (pause ? "Running partition can be paused." : "Paused partition can be resumed."));
        }
        try {
            h.pause(p.id(), pause);
        } catch (IOException | IllegalStateException e) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The partition " + p.name()
                    + " could not be " + (pause ? "paused" : "resumed") + ": " + e.getMessage());
        }
    }

    /** Forgets a removed partition: its last error and its console history (kept per UUID). */
    public void forget(Partition p) {
        if (hypervisor != null) {
            hypervisor.forget(p.id());
            Path logs = hypervisor.config().consoleLogDir().resolve(p.uuid());
            try (var files = Files.walk(logs)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // it never ran here
            } catch (IOException e) {
                LOG.warn("console logs of removed partition {} not deleted from {}: {}", p.name(), logs, e.toString());
            }
        }
    }

    private void requireOperating(Partition p) {
        if (!sys.operating()) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The managed system "
                    + sys.definition().settings().name() + " is Power Off: partition " + p.name() + " can be "
                    + "activated only when it is Operating (chsysstate -r sys -o on).");
        }
    }

    /**
     * {@code chsysstate -r sys -o off}: no activation from now on; every active partition is shut
     * down (clients first, then the VIOSes that serve their disks; delayed, or at once with
     * {@code immediate}; one still up after the shutdown timeout is stopped at once), then the
     * system is Power Off. The daemon, its listings and the definitions stay available.
     */
    public void powerOff(boolean immediate) {
        synchronized (this) {
            sys.operating(false, null); // under the activation lock: none can start after this
        }
        // Every state change the daemon reports releases a permit: the wait below wakes when a
        // partition ends, and a change between the check and the wait is not lost. The one-second
        // bound covers a system whose owner reports no state changes.
        Semaphore changes = new Semaphore(0);
        Runnable listener = changes::release;
        sys.onChange(listener);
        try {
            for (boolean vios : new boolean[] {false, true}) {
                List<Partition> up = sys.definition().partitions().stream()
                        .filter(p -> (p.env() == LparEnv.VIOSERVER) == vios && lparState(p.id()).active()).toList();
                for (Partition p : up) {
                    try {
                        hypervisor().shutdown(p.id(), immediate, SHUTDOWN_TIMEOUT);
                    } catch (ModelException e) {
                        LOG.info("power off: {} ({})", p.name(), e.getMessage()); // it ended meanwhile
                    }
                }
                long deadline = System.nanoTime() + SHUTDOWN_TIMEOUT.plusSeconds(30).toNanos();
                while (up.stream().anyMatch(p -> lparState(p.id()).active())) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    changes.tryAcquire(Math.min(left, 1_000_000_000L), TimeUnit.NANOSECONDS);
                }
                up.stream().filter(p -> lparState(p.id()).active()).forEach(p -> hypervisor().shutdown(p.id(), true,
                        SHUTDOWN_TIMEOUT));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sys.removeChangeListener(listener);
        }
    }

    /** {@code chsysstate -r sys -o on}: Operating again, and the auto_start partitions start. */
    public void powerOn() {
        if (!sys.operating()) {
            sys.operating(true, null);
            autoStart(autoStartDelay);
        }
    }
    /**
     * Activates partitions whose default profile has auto_start=1 (at daemon start), in the order
     * of a system profile: the VIOSes first, each until Running, then the others by id, each
     * {@code delay} after the one before (so that many guests do not boot at once).
     */
    public void autoStart(Duration delay) {
        this.autoStartDelay = delay;
        List<SystemProfileStart.Step> steps = new java.util.ArrayList<>();
        for (Partition p : sys.definition().partitions()) {
            if (sys.definition().defaultProfile(p).options().autoStart() && state(p.id()).isEmpty()) {
                steps.add(new SystemProfileStart.Step(p, p.defaultProfile()));
            }
        }
        boolean first = true;
        for (SystemProfileStart.Step s : SystemProfileStart.ordered(steps)) {
            try {
                if (!first && s.partition().env() != LparEnv.VIOSERVER && !delay.isZero()) {
                    Thread.sleep(delay);
                }
                first = false;
                activate(s.partition(), s.profile());
                if (s.partition().env() == LparEnv.VIOSERVER) {
                    SystemProfileStart.awaitRunning(s.partition(), this::lparState, SystemProfileStart.VIOS_WAIT);
                }
            } catch (ModelException e) {
                LOG.warn("auto start of partition {} failed: {}", s.partition().name(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Activates partitions whose default profile has auto_start=1, one after the other. */
    public void autoStart() {
        autoStart(Duration.ZERO);
    }

    /**
     * {@code chsysstate -r sysprof -o on}: every member's plan is checked first (a member already
     * active, a missing profile, resources short for one of them: nothing starts); then the VIOSes
     * start, each until Running, then the clients in the order listed. {@code test}: the plans only.
     */
    public List<LaunchPlan> activate(io.parvirt.model.SystemProfile sp, boolean test) {
        hypervisor();
        List<SystemProfileStart.Step> steps = SystemProfileStart.steps(sys.definition(), sp);
        List<Integer> vioses = steps.stream().map(SystemProfileStart.Step::partition)
                .filter(p -> p.env() == LparEnv.VIOSERVER).map(Partition::id).toList();
        List<LaunchPlan> plans = new java.util.ArrayList<>();
        synchronized (this) {
            for (SystemProfileStart.Step s : steps) {
                requireInactive(s.partition());
                Profile prof = sys.profile(s.partition(), s.profile());
                plans.add(LaunchPlanner.plan(sys.definition(), s.partition(), prof, facts.of(s.partition(), prof)
                        .assumingRunning(vioses)));
            }
        }
        if (test) {
            return plans;
        }
        for (SystemProfileStart.Step s : steps) {
            activate(s.partition(), s.profile());
            if (s.partition().env() == LparEnv.VIOSERVER) {
                SystemProfileStart.awaitRunning(s.partition(), this::lparState, SystemProfileStart.VIOS_WAIT);
            }
        }
        return plans;
    }

    /** The prefix of the MAC addresses parvirt assigns; empty on a console without a hypervisor. */
    public Optional<String> macPrefix() {
        return hypervisor == null ? Optional.empty() : Optional.of(hypervisor.config().macPrefix());
    }

    /** What a running (or starting) partition holds; empty when it has no process. */
    public Optional<Allocation> allocation(int lparId) {
        return hypervisor == null ? Optional.empty()
                : hypervisor.supervisor(lparId).map(s -> s.status().allocation());
    }

    /** Processor DLPAR on a running partition: checked whole, recorded, then dispatched at once. */
    public void changeProcessors(Partition p, ProcessorRequest request, String user) {
        Partition target = switch (request) {
            case ProcessorRequest.MoveProcs m -> m.target();
            case ProcessorRequest.MoveUnits m -> m.target();
            default -> null;
        };
        try (PartitionActivity.Mark m = dlpar(p, target, "its processors are not changed")) {
            processors.change(p, request, user);
        }
    }

    /** Marks a DLPAR change on {@code p} (and the target of a move), refused beside a snapshot. */
    private PartitionActivity.Mark dlpar(Partition p, Partition target, String refused) {
        return activity.begin(target == null ? List.of(p) : List.of(p, target), "a DLPAR change", refused);
    }

    /**
     * Memory DLPAR on a running partition: checked whole, the system's free memory taken at once,
     * then the guest's part (virtio-mem); what the guest did not finish is reported.
     */
    public void changeMemory(Partition p, MemoryRequest request, String user) {
        try (PartitionActivity.Mark m = dlpar(p, request instanceof MemoryRequest.Move mv ? mv.target() : null,
                "its memory is not changed")) {
            memory.change(p, request, user);
        }
    }

    /** What {@code rsthwres -r} restores; parvirt partitions have no physical I/O, so {@code IO} has nothing to do. */
    public enum RestoredResource { PROC, MEM, IO }

    /**
     * {@code rsthwres}: a running partition's current resources brought back to the profile it runs
     * with ({@code partition} null: every running partition), checked whole first.
     */
    public void restoreResources(Partition partition, RestoredResource resource, String user) {
        List<Partition> ps = partition != null ? List.of(partition) : List.copyOf(sys.definition().partitions());
        try (PartitionActivity.Mark m = activity.begin(ps, "a DLPAR change", "its resources are not restored")) {
            restore.restore(partition, resource, user);
        }
    }

    /** {@code mksyscfg -r prof -o save}: the running partition's current configuration as profile {@code name}. */
    public void saveCurrentConfiguration(Partition p, String name, boolean force, String user) {
        currentProfile.save(p, name, force, user);
    }

    /**
     * Virtual adapter DLPAR on a running partition: checked against the adapters it runs with, then
     * hot-plugged on (or unplugged from) the slot's PCIe root port; a NIC joins or leaves its switch.
     */
    public void changeAdapter(Partition p, AdapterRequest request, String user) {
        try (PartitionActivity.Mark m = dlpar(p, null, "its virtual adapters are not changed")) {
            adapters.change(p, request, user);
        }
    }

    /**
     * Tells {@code listener} of every DLPAR (the partition's id) once it has been recorded: the
     * daemon's utilization sampler stores a {@code config_change} event.
     */
    public void onConfigChange(java.util.function.IntConsumer listener) {
        configChanges.listener = listener;
    }

    /** The shared processor pools' settings changed: the dispatcher applies them now. */
    public void poolsChanged() {
        processors.wake();
    }

    /**
     * A running partition's virtual SCSI device and how it reaches its VIOS's storage server:
     * {@code vhost-user-blk} or {@code nbd} (issue 17). parvirt's own view, for the API; the HMC's
     * listings ({@code lsmap}, {@code lshwres}) show the mappings as they always did.
     */
    public record VirtualScsiDevice(String lpar, int clientSlot, int lun, String vtd, String transport) {
    }

    /** Every running partition's virtual SCSI devices, by partition id, then slot and LUN. */
    public List<VirtualScsiDevice> virtualScsiDevices() {
        List<VirtualScsiDevice> out = new java.util.ArrayList<>();
        if (hypervisor == null) {
            return out; // an HMC that runs nothing
        }
        for (var st : hypervisor.running()) {
            hypervisor.supervisor(st.lparId()).ifPresent(s -> s.spec().scsi().forEach(d -> out.add(
                    new VirtualScsiDevice(s.spec().name(), d.clientSlot(), d.lun(), d.vtd(), d.transport()))));
        }
        return out;
    }

    /** parvirt's dispatching figures (the API and /metrics; not an HMC listing). */
    public DispatchReport dispatchReport() {
        return dispatcher == null ? new DispatchReport(false, "none", "this HMC has no dispatcher", 0, 0, 0, List.of(),
                List.of()) : dispatcher.report();
    }

    /**
     * After a VIOS command: a running VIOS serves its mappings as they now are, and running clients
     * see them: a device whose mapping went leaves its guest before the VIOS stops serving it; a
     * new one is plugged once it is served.
     */
    public void viosChanged(Partition vios) {
        if (hypervisor != null && exports != null) {
            mappings.release();
            hypervisor.supervisor(vios.id()).ifPresent(s -> exports.refresh(vios, s));
            mappings.attach();
        }
    }

    /**
     * {@code mkvterm}: the console session socket a client attaches to, claimed for {@code user}
     * (from {@code origin}, for the audit trail: see {@link ConsoleSessions}).
     */
    public Path openVterm(Partition p, String user, String origin) {
        return consoleSessions().open(p, running(p).console(), user, origin);
    }

    /** parvirt's {@code mkvterm --view}: the socket of read-only viewers, who may join at any time. */
    public Path viewVterm(Partition p, String user, String origin) {
        return consoleSessions().view(p, running(p).console(), user, origin);
    }

    /**
     * parvirt's {@code mkvterm --take}: the keyboard for {@code user}. Whoever held it is told by
     * {@code user} and ends, as after {@code rmvterm} (viewers stay); true in {@link TakenVterm#tookOver}.
     */
    public TakenVterm takeVterm(Partition p, String user, String origin) {
        return consoleSessions().take(p, running(p).console(), user, origin);
    }

    /** The keyboard socket after a take-over, and whether a session had to give it up. */
    public record TakenVterm(Path socket, boolean tookOver) {
    }

    /** {@code rmvterm} by {@code user}: closes the partition's console session and its viewers, if any are open. */
    public void closeVterm(Partition p, String user) {
        hypervisor().supervisor(p.id()).ifPresent(s -> consoleSessions().close(s.console(), user));
    }

    /** Who holds the partition's console keyboard and from where (as claimed), if it runs and anyone does. */
    public Optional<String> vtermHolder(Partition p) {
        return hypervisor().supervisor(p.id()).flatMap(s -> s.console().holderAndOrigin());
    }

    private ConsoleSessions consoleSessions() {
        hypervisor(); // the same refusal as before, without a hypervisor
        return consoleSessions;
    }

    /** The last {@code bytes} of a partition's console output (running or not). */
    public byte[] consoleTail(Partition p, int bytes) {
        var s = hypervisor().supervisor(p.id());
        if (s.isPresent()) {
            return s.get().console().tail(bytes);
        }
        // An unstarted console binds nothing and reads the log and its rotated files.
        Hypervisor.Config cfg = hypervisor().config();
        return new VirtualConsole(p.name(), cfg.runRoot().resolve("none"), cfg.consoleLogDir().resolve(p.uuid()),
                cfg.vtermDir().resolve("none"), 1 << 20).tail(bytes);
    }

    /** parvirt's guest exec: runs a program in a running partition through its agent. */
    public GuestExecResult exec(Partition p, List<String> argv, Duration timeout) {
        PartitionSupervisor s = running(p);
        if (s.spec().runsStorageServer()) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is a Virtual "
                    + "I/O Server: its operating system is parvirt's storage server, which runs no guest commands. "
                    + "Use viosvrcmd.");
        }
        PartitionStatus st = s.status();
        if (!st.agentActive()) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is "
                    + st.state().hmcName() + ": its guest agent is not answering yet.");
        }
        try {
            // The supervisor decides whether its agent may be asked; the wait is bounded by the agent's timeout.
            var r = s.exec(argv.getFirst(), argv.subList(1, argv.size()), timeout).get();
            return new GuestExecResult(r.exitCode(), r.stdout(), r.stderr());
        } catch (java.util.concurrent.ExecutionException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The command could not be run in partition "
                    + p.name() + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The command in partition " + p.name()
                    + " was interrupted.");
        }
    }

    private PartitionSupervisor running(Partition p) {
        return hypervisor().supervisor(p.id()).orElseThrow(() -> ModelException.of(
                ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is not activated."));
    }
}
