package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.MigrationOrder;
import io.parvirt.hypervisor.StreamKey;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.hypervisor.PartitionSupervisor;
import io.parvirt.hypervisor.qmp.Qmp;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.model.VirtualIo;
import io.parvirt.system.ManagedSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live Partition Mobility, the source's side ({@code migrlpar}): validation on both systems, the
 * migration itself (target prepared through its {@link MobilityTarget}, the stream run by the
 * partition's supervisor, the target confirmed, the source reclaimed), stop, recovery, and the
 * progress that {@code lslparmigr} lists. Never on neither, never on both: the source's guest
 * runs until the stream has completed and stays paused (not gone) until the target says it runs
 * the partition; only then is the source's QEMU ended and the definition removed here.
 *
 * <p>Once the stream has completed, only the target knows whether its copy was continued, so the
 * source never resumes on its own word: when the answer to {@code complete} is missing (the
 * target's daemon died between its {@code cont} and its answer, or the link broke), the target is
 * asked to {@link MobilityTarget#settle settle}; a target that cannot be asked leaves the partition
 * stopped here, shown {@code Migrating - Running} (what an HMC shows of a migration that has not
 * ended) with {@code lslparmigr} saying {@code Migration Failed}, until the target answers: asked
 * again in the background with a growing wait ({@link #settleRetry}), or at once by
 * {@code migrlpar -o r}. That state survives a restart of this daemon ({@link UnsettledMigrations}).
 *
 * <p>A Suspended partition moves as an inactive migration does, with the machine and allocation of
 * its saved state; the state file itself stays in the SAN's reserved storage, which the target
 * reaches ({@link ScsiMobility#RESERVED}), and the target's record names it from the complete step.
 */
public final class Mobility {
    private static final Logger LOG = LoggerFactory.getLogger(Mobility.class);
    /** Active migrations at once from one system unless set ({@code mobility.max_active}; PowerVM's default). */
    public static final int MAX_ACTIVE = 4;
    /** Inactive migrations at once unless set ({@code mobility.max_inactive}). */
    public static final int MAX_INACTIVE = 4;
    /** How long the target's guest gets to answer after the stream has completed. */
    static final Duration COMPLETE_WAIT = Duration.ofSeconds(60);
    /** How long the target may take to start its QEMU and listen. */
    static final Duration PREPARE_WAIT = Duration.ofSeconds(180);

    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final PartitionOperations operations;
    private final ScsiMobility scsi;
    private volatile long maxBandwidth;
    private volatile int maxActive = MAX_ACTIVE;
    private volatile boolean streamTls = true;
    private volatile int maxInactive = MAX_INACTIVE;
    private volatile Function<String, Optional<MobilityTarget>> targets = name -> Optional.empty();
    private final Map<Integer, Flight> flights = new ConcurrentHashMap<>();
    /** Partitions whose last migration failed, by id, until {@code -o r}: to which system. */
    private final Map<Integer, MigrationStatus> failed = new ConcurrentHashMap<>();
    /** Completed streams the target has not confirmed: the guest stopped here until settled. */
    private final UnsettledMigrations unsettled = new UnsettledMigrations();
    /** Held while a migration is settled: a recovery and the end of the failed flight never both act. */
    private final Object settling = new Object();
    /** The first wait before an unsettled migration is settled in the background, doubled up to the next. */
    static final Duration SETTLE_RETRY_FIRST = Duration.ofSeconds(2);
    static final Duration SETTLE_RETRY_LONGEST = Duration.ofSeconds(10);
    /** How long the background asks; then only {@code migrlpar -o r} does (a destination gone for good). */
    static final Duration SETTLE_RETRY_FOR = Duration.ofMinutes(30);
    private volatile boolean settleRetry = true;
    /** The partitions whose unsettled migration is being asked about in the background. */
    private final java.util.Set<Integer> retrying = ConcurrentHashMap.newKeySet();

    /** One migration in flight: its target, and its progress as QEMU last reported it. */
    private static final class Flight {
        final Partition partition;
        final MobilityTarget target;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile String state = "Migration Starting";
        volatile Qmp.MigrationInfo info;
        volatile boolean stopRequested;
        /** When migrlpar asked (nanoTime): the validation's time is the gap to the flight's start. */
        final long asked;
        /** What the target is told, built once while validating. */
        final MigrationRequest request;

        Flight(Partition partition, MobilityTarget target, MigrationRequest request, long asked) {
            this.partition = partition;
            this.target = target;
            this.request = request;
            this.asked = asked;
        }
    }

    Mobility(ManagedSystem sys, Hypervisor hypervisor, PartitionOperations operations, ScsiMobility scsi,
            long maxBandwidth) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.operations = operations;
        this.scsi = scsi;
        this.maxBandwidth = maxBandwidth;
    }

    /**
     * Keeps the unsettled migrations in {@code file} (the daemon's home) and takes those an earlier
     * daemon left there: their partitions stay stopped, Migration Failed, until {@code migrlpar -o r}.
     * Called before the partitions an earlier daemon left running are re-adopted.
     */
    public void remember(java.nio.file.Path file) {
        for (UnsettledMigrations.Unsettled u : unsettled.open(file, x -> sys.definition().partition(x.lparId())
                .filter(p -> p.name().equals(x.name())).isPresent())) {
            failed.put(u.lparId(), new MigrationStatus(u.lparId(), u.name(), "Migration Failed", u.destSystem(),
                    u.lparId(), u.transferred(), 0, false));
            LOG.warn("partition {}: its stream to {} completed and {} never confirmed that it runs there; it stays "
                    + "stopped here until {} answers (asked in the background) or migrlpar -o r", u.name(),
                    u.destSystem(), u.destSystem(), u.destSystem());
            retrySettle(u.lparId());
        }
    }

    /**
     * Whether an unsettled migration is settled in the background ({@code mobility.settle_retry},
     * true): asked again after 2 s, the wait doubling up to 10 s, for 30 minutes, as {@code
     * migrlpar -o r} would ask. Off, only {@code -o r} settles.
     */
    public void settleRetry(boolean on) {
        this.settleRetry = on;
    }

    /**
     * Asks the destination of partition {@code lparId}'s unsettled migration again and again in the
     * background until it answers, then settles as {@code migrlpar -o r} does (reclaimed here when
     * it runs there, resumed here when not); one asker per partition. It asks only while the
     * stopped QEMU is here (a restarted daemon has re-adopted it): without it, a "not there" answer
     * would have nothing to resume, so that case is left to {@code -o r}.
     */
    private void retrySettle(int lparId) {
        if (!settleRetry || !retrying.add(lparId)) {
            return;
        }
        Thread.ofVirtual().name("settle-" + lparId).start(() -> {
            try {
                Duration wait = SETTLE_RETRY_FIRST;
                long end = System.nanoTime() + SETTLE_RETRY_FOR.toNanos();
                while (System.nanoTime() < end) {
                    Thread.sleep(wait);
                    Optional<UnsettledMigrations.Unsettled> u = unsettled.get(lparId);
                    if (u.isEmpty()) {
                        return; // settled meanwhile (migrlpar -o r)
                    }
                    Partition p = sys.definition().partition(lparId).filter(x -> x.name().equals(u.get().name()))
                            .orElse(null);
                    if (p != null && !flights.containsKey(lparId) && hypervisor.supervisor(lparId).isPresent()) {
                        try {
                            settleOpen(p, u.get().destSystem());
                            LOG.info("partition {}: its migration to {} is settled (asked in the background)",
                                    p.name(), u.get().destSystem());
                            return;
                        } catch (ModelException e) {
                            LOG.debug("partition {}: {} still cannot settle: {}", p.name(), u.get().destSystem(),
                                    e.getMessage());
                        }
                    }
                    wait = wait.multipliedBy(2).compareTo(SETTLE_RETRY_LONGEST) > 0 ? SETTLE_RETRY_LONGEST
                            : wait.multipliedBy(2);
                }
                LOG.warn("partition {}: its destination did not answer for {} minutes; migrlpar -o r settles it",
                        lparId, SETTLE_RETRY_FOR.toMinutes());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                retrying.remove(lparId);
            }
        });
    }

    /** How a system named by {@code -t} is reached (the multi-system HMC's connections; tests in one JVM). */
    public void targets(Function<String, Optional<MobilityTarget>> lookup) {
        this.targets = lookup;
    }

    /** The migration stream's bandwidth cap, bytes per second (the default: the link is the limit). */
    public void bandwidth(long bytesPerSecond) {
        if (bytesPerSecond < 1 << 20) {
            throw new IllegalArgumentException("migration bandwidth " + bytesPerSecond + " B/s");
        }
        this.maxBandwidth = bytesPerSecond;
    }

    /**
     * Whether streams are TLS with a key made per migration (the default), or plain, on a migration
     * network the site trusts ({@code mobility.stream_tls=false}). With AES-128-GCM (its GnuTLS
     * priority: {@link StreamKey#TLS_PRIORITY}) TLS costs QEMU's stream a fraction of what it
     * cost with the ChaCha20 that GnuTLS chose by default (bench/RESULTS.md).
     */
    public void streamTls(boolean on) {
        this.streamTls = on;
    }

    /** How many active and inactive migrations this system runs at once (more are refused). */
    public void limits(int active, int inactive) {
        if (active < 1 || inactive < 1) {
            throw new IllegalArgumentException("migration limits " + active + "/" + inactive);
        }
        this.maxActive = active;
        this.maxInactive = inactive;
    }

    public int maxActive() {
        return maxActive;
    }

    public int maxInactive() {
        return maxInactive;
    }

    MobilityTarget target(String name) {
        return targets.apply(name).orElseThrow(() -> ModelException.of(ModelException.Kind.SYSTEM_NOT_FOUND,
                "The destination managed system " + name + " was not found or is not connected."));
    }

    /** {@code migrlpar -o v}: every failed check, on both systems; empty when the migration may go. */
    public List<ModelException> validate(Partition p, String targetSystem) {
        return validate(p, targetSystem, List.of());
    }

    /** {@code migrlpar -o v} with the destination VIOSes asked for ({@code -i virtual_scsi_mappings=}). */
    public List<ModelException> validate(Partition p, String targetSystem, List<MigrationRequest.ScsiChoice> choices) {
        List<ModelException> out = new ArrayList<>(sourceChecks(p, targetSystem));
        out.addAll(choiceChecks(p, choices));
        MobilityTarget t;
        try {
            t = target(targetSystem);
        } catch (ModelException e) {
            out.add(e);
            return out;
        }
        Optional<MigrationRequest> r = request(p, choices);
        r.ifPresent(x -> out.addAll(t.validate(x)));
        return out;
    }

    /** Each {@code virtual_scsi_mappings} entry must name a virtual SCSI client adapter of {@code p}, once. */
    private List<ModelException> choiceChecks(Partition p, List<MigrationRequest.ScsiChoice> choices) {
        List<ModelException> out = new ArrayList<>();
        java.util.Set<Integer> clients = new java.util.HashSet<>();
        sys.definition().profiles(p.id()).forEach(prof -> prof.io().scsi().stream()
                .filter(a -> a.type() == io.parvirt.model.AdapterType.CLIENT).forEach(a -> clients.add(a.slot())));
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (MigrationRequest.ScsiChoice c : choices) {
            if (!clients.contains(c.clientSlot())) {
                out.add(ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, p.name(), "The "
                        + "virtual_scsi_mappings entry for slot " + c.clientSlot() + " names no virtual SCSI client "
                        + "adapter of partition " + p.name() + "."));
            } else if (!seen.add(c.clientSlot())) {
                out.add(ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, p.name(), "The "
                        + "virtual_scsi_mappings attribute names slot " + c.clientSlot() + " of partition " + p.name()
                        + " more than once."));
            }
        }
        return out;
    }

    private List<ModelException> sourceChecks(Partition p, String targetSystem) {
        List<ModelException> out = new ArrayList<>();
        String n = p.name();
        if (targetSystem.equals(sys.definition().settings().name())) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, n, "The destination managed "
                    + "system " + targetSystem + " is the source managed system."));
        }
        if (p.env() == LparEnv.VIOSERVER) {
            out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, n, "Partition " + n + " is a "
                    + "Virtual I/O Server: a VIOS is not moved by partition mobility."));
        }
        if (p.options().migrationDisabled()) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, n, "Partition " + n + " has "
                    + "migration_disabled=1."));
        }
        Optional<PartitionStatus> st = hypervisor.status(p.id());
        LparState state = st.map(PartitionStatus::state).orElse(hypervisor.saved(p.id()).isPresent()
                ? LparState.SUSPENDED : LparState.NOT_ACTIVATED);
        if (flights.containsKey(p.id())) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, n, "Partition " + n + " is "
                    + "already being migrated."));
        } else if (state == LparState.NOT_ACTIVATED) {
            if (inactiveFlights() >= maxInactive) {
                out.add(ModelException.ofPartition(ModelException.Kind.INSUFFICIENT_RESOURCES, n, "The managed "
                        + "system " + sys.definition().settings().name() + " already runs " + inactiveFlights()
                        + " inactive migrations, the most it runs at once."));
            }
            return scsiChecks(p, out); // inactive mobility: no agent, no stream
        } else if (state == LparState.SUSPENDED) {
            if (inactiveFlights() >= maxInactive) {
                out.add(ModelException.ofPartition(ModelException.Kind.INSUFFICIENT_RESOURCES, n, "The managed "
                        + "system " + sys.definition().settings().name() + " already runs " + inactiveFlights()
                        + " inactive migrations, the most it runs at once."));
            }
            savedStateChecks(p, out);
            return scsiChecks(p, out); // inactive mobility with the saved state, which stays on the SAN
        } else if (state != LparState.RUNNING) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, n, "Partition " + n + " is "
                    + state.hmcName() + ": only a Running partition is migrated live, and only a Not Activated or "
                    + "Suspended one inactive."));
        } else if (st.get().paused()) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, n, "Partition " + n + " is "
                    + "paused: resume it (chsysstate -o resume) before migrating it."));
        } else if (!st.get().agentActive()) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, n, "Partition " + n + " has no "
                    + "RMC connection: its guest agent is not answering."));
        }
        if (activeFlights() >= maxActive && !flights.containsKey(p.id())) {
            out.add(ModelException.ofPartition(ModelException.Kind.INSUFFICIENT_RESOURCES, n, "The managed system "
                    + sys.definition().settings().name() + " already runs " + activeFlights() + " active "
                    + "migrations, the most it runs at once (mobility.max_active)."));
        }
        return scsiChecks(p, out);
    }

    /**
     * A Suspended partition moves only when its saved state is in the SAN's reserved storage (its
     * first virtual SCSI disk a SAN LUN: {@link Suspension#stateFile}), which the destination's
     * VIOSes reach as they reach its disks; a state file in a storage pool of a VIOS here or in the
     * home is this system's alone, and is not copied (see the README's mobility section).
     */
    private void savedStateChecks(Partition p, List<ModelException> out) {
        java.nio.file.Path file;
        try {
            file = hypervisor.saved(p.id()).map(Hypervisor.SavedState::file).orElse(null);
        } catch (IllegalStateException e) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The saved state record "
                    + "of suspended partition " + p.name() + " cannot be read: " + e.getMessage()));
            return;
        }
        if (file == null) {
            return; // resumed or shut down meanwhile: the state check above saw it Suspended
        }
        if (!file.equals(scsi.savedStateOnSan(p))) {
            out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, p.name(), "The saved state of "
                    + "suspended partition " + p.name() + " is on storage of the managed system "
                    + sys.definition().settings().name() + " alone (" + (file.startsWith(hypervisor.suspendDir())
                    ? "no virtual SCSI disk" : "a storage pool of its Virtual I/O Server") + "): a Suspended "
                    + "partition moves only when its first virtual SCSI disk is a SAN LUN, whose reserved storage "
                    + "keeps its saved state; resume it and migrate it live."));
        } else if (!java.nio.file.Files.isRegularFile(file)) {
            out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, p.name(), "The saved state of "
                    + "suspended partition " + p.name() + " (" + file.getFileName() + ") is missing from the SAN's "
                    + "reserved storage."));
        }
    }

    /** Each virtual SCSI device must be a disk of the SAN (see {@link ScsiMobility}); no Fibre Channel. */
    private List<ModelException> scsiChecks(Partition p, List<ModelException> out) {
        vhostDiskCheck(p, out);
        SnapshotMobility.Refusals snapshots = SnapshotMobility.sourceChecks(operations.snapshots(), p, scsi.san());
        out.addAll(scsi.sourceChecks(p, snapshots.devices()));
        out.addAll(snapshots.refusals());
        return out;
    }

    /**
     * A partition running (or suspended) with disks attached over vhost-user-blk
     * ({@code vios.disk_transport=vhost-user-blk}, issue 17) does not move: the storage server logs
     * the pages it writes as QEMU asks, but the destination's side (its disk ports and sockets)
     * is not built, so the move is refused before anything is asked of the destination.
     */
    private void vhostDiskCheck(Partition p, List<ModelException> out) {
        Optional<LaunchSpec> spec = hypervisor.supervisor(p.id()).map(s -> s.spec())
                .or(() -> hypervisor.saved(p.id()).map(Hypervisor.SavedState::spec));
        List<String> disks = spec.map(s -> s.scsi().stream().filter(LaunchSpec.ScsiDevice::vhostUser)
                .map(LaunchSpec.ScsiDevice::vtd).toList()).orElse(List.of());
        if (!disks.isEmpty()) {
            out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "Partition " + p.name()
                    + " has virtual SCSI disks attached as vhost-user-blk devices (" + String.join(", ", disks)
                    + "), which parvirt does not migrate: set vios.disk_transport=nbd in the daemon's settings and "
                    + "shut down and activate " + p.name() + " again, so that its disks go over NBD, before "
                    + "migrating it."));
        }
    }

    private int activeFlights() {
        return (int) flights.values().stream().filter(f -> !f.request.inactive()).count();
    }

    private int inactiveFlights() {
        return (int) flights.values().stream().filter(f -> f.request.inactive()).count();
    }

    /** The profile of a Not Activated partition whose definition is moving from here now, if it is. */
    Optional<String> movingInactive(int lparId) {
        Flight f = flights.get(lparId);
        return f != null && f.request.inactive() ? Optional.of(f.request.profile()) : Optional.empty();
    }

    /** What the target is told: the running configuration (asked of QEMU), the profiles with their MACs, the snapshots. */
    private Optional<MigrationRequest> request(Partition p, List<MigrationRequest.ScsiChoice> choices) {
        SnapshotRecords.Chain chain = operations.snapshots().map(s -> s.chainOf(p)).orElse(SnapshotRecords.Chain.EMPTY);
        return requestOf(p, choices).map(r -> r.withSnapshots(chain));
    }

    private Optional<MigrationRequest> requestOf(Partition p, List<MigrationRequest.ScsiChoice> choices) {
        Optional<Hypervisor.SavedState> saved = hypervisor.status(p.id()).isEmpty() ? hypervisor.saved(p.id())
                : Optional.empty();
        if (saved.isPresent()) {
            // A Suspended partition: the machine it ran and what it held, as its saved state records them.
            LaunchSpec spec = saved.get().spec();
            return Optional.of(new MigrationRequest(sys.definition().settings().name(), p,
                    sys.definition().profiles(p.id()).stream().map(x -> withMacs(x, spec)).toList(),
                    saved.get().profile(), saved.get().allocation(), spec, sys.definition().lmbMb(), scsi.disks(p),
                    null, choices, saved.get().file().getFileName().toString()));
        }
        if (hypervisor.status(p.id()).isEmpty()) {
            // Inactive mobility: the definition and every profile as they are, with the default profile.
            return Optional.of(new MigrationRequest(sys.definition().settings().name(), p,
                    List.copyOf(sys.definition().profiles(p.id())), p.defaultProfile(), null, null, sys.definition().lmbMb(),
                    scsi.disks(p), null, choices));
        }
        Optional<PartitionSupervisor> s = hypervisor.supervisor(p.id());
        if (s.isEmpty() || s.get().status().allocation() == null) {
            return Optional.empty();
        }
        LaunchSpec spec;
        try {
            spec = s.get().configuration().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        PartitionStatus st = s.get().status();
        List<Profile> profiles = sys.definition().profiles(p.id()).stream().map(x -> withMacs(x, spec)).toList();
        return Optional.of(new MigrationRequest(sys.definition().settings().name(), p, profiles, st.profile(),
                st.allocation(), spec, sys.definition().lmbMb(), scsi.disks(p), streamTls ? StreamKey.fresh() : null,
                choices));
    }

    /** The MAC addresses parvirt assigned here are written into the profile: the partition keeps them. */
    private static Profile withMacs(Profile prof, LaunchSpec spec) {
        List<VirtualEthernetAdapter> eth = prof.io().eth().stream().map(e -> {
            if (e.macAddr() != null) {
                return e;
            }
            String mac = spec.nics().stream().filter(n -> n.slot() == e.slot()).map(LaunchSpec.Nic::mac).findFirst()
                    .orElse(null);
            return mac == null ? e : new VirtualEthernetAdapter(e.slot(), e.ieee(), e.portVlanId(), e.addlVlanIds(),
                    e.trunkPriority(), e.required(), e.vswitch(), mac, e.allowedOsMacAddrs(), e.qosPriority());
        }).toList();
        VirtualIo io = new VirtualIo(prof.io().maxVirtualSlots(), prof.io().serial(), prof.io().scsi(), eth,
                prof.io().fc());
        return new Profile(prof.name(), prof.lparId(), prof.memory(), prof.processors(), io, prof.options());
    }

    /**
     * {@code migrlpar -o m}: validates (every failure refused at once, nothing changed), then
     * migrates; returns when the partition runs on the target and is gone here, or after
     * {@code wait} with the migration going on. The target is not asked to validate first: its
     * prepare step makes the same checks and refuses with nothing left behind, so a migration that
     * may go costs one round trip fewer; only a refused prepare asks for the target's whole list.
     */
    public void migrate(Partition p, String targetSystem, Duration wait) {
        migrate(p, targetSystem, wait, List.of());
    }

    /** {@code migrlpar -o m} with the destination VIOSes asked for ({@code -i virtual_scsi_mappings=}). */
    public void migrate(Partition p, String targetSystem, Duration wait, List<MigrationRequest.ScsiChoice> choices) {
        long asked = System.nanoTime();
        List<ModelException> refused = new ArrayList<>(sourceChecks(p, targetSystem));
        refused.addAll(choiceChecks(p, choices));
        MobilityTarget t = null;
        try {
            t = target(targetSystem);
        } catch (ModelException e) {
            refused.add(e);
        }
        Optional<MigrationRequest> r = refused.isEmpty() ? request(p, choices) : Optional.empty();
        if (refused.isEmpty() && r.isEmpty()) {
            refused.add(ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "Partition "
                    + p.name() + " stopped running."));
        }
        if (!refused.isEmpty()) {
            throw new MobilityRefusal(refused);
        }
        Flight f = new Flight(p, t, r.get(), asked);
        synchronized (this) {
            if ((r.get().inactive() ? inactiveFlights() >= maxInactive : activeFlights() >= maxActive)
                    || flights.putIfAbsent(p.id(), f) != null) {
                throw new MobilityRefusal(sourceChecks(p, targetSystem));
            }
        }
        Thread.ofVirtual().name("migrate-" + p.name()).start(() -> run(f));
        try {
            f.done.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MobilityRefusal m) {
                throw m;
            }
            throw e.getCause() instanceof ModelException m ? m : ModelException.ofPartition(
                    ModelException.Kind.INVALID_STATE, p.name(), "The migration of partition " + p.name() + " to "
                    + targetSystem + " failed: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw ModelException.ofPartition(ModelException.Kind.INCOMPLETE, p.name(), "The migration of partition "
                    + p.name() + " to " + targetSystem + " is still in progress after the wait time; follow it with "
                    + "lslparmigr -r lpar.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The target's prepare step; refused, the target's every check (nothing was changed there). */
    private String prepare(Flight f) {
        try {
            return f.target.prepare(f.request);
        } catch (ModelException e) {
            List<ModelException> all = f.target.validate(f.request);
            throw all.isEmpty() ? e : new MobilityRefusal(all);
        }
    }

    private void run(Flight f) {
        Partition p = f.partition;
        PartitionSupervisor s = hypervisor.supervisor(p.id()).orElse(null);
        long t0 = System.nanoTime();
        try {
            String uri = prepare(f);
            failed.remove(p.id());
            long t2 = System.nanoTime();
            if (f.request.inactive()) {
                moveInactive(f);
                return;
            }
            Qmp.MigrationInfo info;
            try {
                f.state = "Migration In Progress";
                if (f.stopRequested || s == null) {
                    throw new java.util.concurrent.CancellationException("stopped");
                }
                info = s.migrate(new MigrationOrder(uri, maxBandwidth, f.request.streamKey(), i -> f.info = i)).get();
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                f.target.abort(p.name());
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), (f.stopRequested
                        ? "The migration of partition " + p.name() + " was stopped; it runs on "
                        : "The migration of partition " + p.name() + " failed (" + cause(e) + "); it runs on ")
                        + sys.definition().settings().name() + ".");
            }
            f.info = info;
            // From here the target may run the guest: never resumed here without its word.
            long t3 = System.nanoTime();
            // The record is written (an fsync) while the target finishes loading the stream and runs
            // the guest, not before asking it: the target runs it on its own stream's end either
            // way, so a crash here leaves the same states (a stopped QEMU here, found on restart,
            // settled by -o r). It is on disk before anything is decided from the answer.
            long[] recorded = new long[1];
            CompletableFuture<Void> record = CompletableFuture.runAsync(() -> {
                unsettled.add(new UnsettledMigrations.Unsettled(p.id(), p.name(), f.target.systemName(),
                        info.transferred()));
                recorded[0] = System.nanoTime();
            }, r -> Thread.ofVirtual().name("unsettled-" + p.id()).start(r));
            try {
                try {
                    f.target.complete(p.name(), COMPLETE_WAIT);
                } finally {
                    record.join();
                }
            } catch (RuntimeException e) {
                synchronized (settling) {
                    if (!settle(p, f.target, s, e)) {
                        throw e;
                    }
                }
            }
            long t4 = System.nanoTime();
            reclaim(p, s);
            long t5 = System.nanoTime();
            LOG.info("partition {} migrated to {}: validated (configuration asked of QEMU) {} ms, target prepared {} "
                    + "ms, stream {} ms ({} bytes, QEMU's downtime {} ms), target running {} ms (the unsettled record "
                    + "written within {} ms), source reclaimed {} ms",
                    p.name(), f.target.systemName(), ms(t0 - f.asked), ms(t2 - t0), ms(t3 - t2),
                    info.transferred(), info.downtimeMs(), ms(t4 - t3), ms(recorded[0] - t3), ms(t5 - t4));
            f.done.complete(null);
        } catch (MobilityRefusal e) {
            f.done.completeExceptionally(e); // refused by the target before anything changed: not a failure
        } catch (ModelException e) {
            fail(f, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(f, ModelException.of(ModelException.Kind.INVALID_STATE, "interrupted"));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            fail(f, ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The migration of "
                    + "partition " + p.name() + " failed: " + cause(e)));
        } finally {
            flights.remove(p.id());
            if (unsettled.get(p.id()).isPresent()) {
                retrySettle(p.id()); // the destination could not be asked: the background asks until it answers
            }
        }
    }

    /**
     * Asks the target who runs {@code p} now that its stream has completed and the answer to
     * {@code complete} is missing ({@code why}, null on a recovery); true when the target runs it (the caller reclaims),
     * false when the target had no running copy and removed its own, and the guest runs on here.
     * A target that cannot be asked leaves the guest stopped here: the failure says so.
     */
    private boolean settle(Partition p, MobilityTarget t, PartitionSupervisor s, RuntimeException why)
            throws InterruptedException, ExecutionException, TimeoutException {
        boolean there;
        try {
            there = t.settle(p.name());
        } catch (RuntimeException unreachable) {
            LOG.warn("partition {}: {} did not confirm that it runs there ({}) and cannot be asked now ({})", p.name(),
                    t.systemName(), why == null ? "recovery" : why.getMessage(), unreachable.getMessage());
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The stream of partition "
                    + p.name() + " to " + t.systemName() + " completed, but " + t.systemName() + " did not confirm "
                    + "that it runs there and cannot be asked now: " + p.name() + " stays stopped on "
                    + sys.definition().settings().name() + " (Migrating - Running) until migrlpar -o r finds where "
                    + "it runs.");
        }
        if (!there) {
            if (s != null && hypervisor.supervisor(p.id()).isPresent()) {
                s.endMigration(true).get(30, TimeUnit.SECONDS); // the target removed its copy first
            }
            unsettled.remove(p.id());
        }
        return there;
    }

    /** After the target confirmed it runs {@code p}: its QEMU (if any), definition and mappings go here. */
    private void reclaim(Partition p, PartitionSupervisor s)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (s != null && hypervisor.supervisor(p.id()).isPresent()) {
            s.endMigration(false).get(60, TimeUnit.SECONDS);
        }
        ScsiMobility.Paired paired = scsi.pairedWith(p);
        sys.removePartition(p, "hypervisor");
        operations.forget(p);
        operations.snapshots().ifPresent(x -> x.release(p)); // the destination keeps them (the files on the SAN)
        scsi.reclaim(p, paired); // its disks are served by the destination's VIOS now
        unsettled.remove(p.id()); // after the definition: a daemon killed in between drops it when read
    }

    /**
     * Inactive mobility after the target defined it: nothing runs and nothing streams, so the
     * target confirms, then the definition and its profiles are removed here. Until then the
     * partition shows as Migrating - Not Activated on both systems and cannot be activated.
     */
    private void moveInactive(Flight f) {
        Partition p = f.partition;
        f.state = "Migration In Progress";
        if (f.stopRequested) {
            f.target.abort(p.name());
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The migration of partition "
                    + p.name() + " was stopped; it stays on " + sys.definition().settings().name() + ".");
        }
        try {
            f.target.complete(p.name(), COMPLETE_WAIT);
        } catch (RuntimeException e) {
            f.target.abort(p.name());
            throw e;
        }
        if (f.request.suspended()) {
            try {
                // the record first: a daemon killed before the definition goes leaves it Not Activated here,
                // never Suspended on both systems from one state file
                hypervisor.releaseSaved(p.id());
            } catch (java.io.IOException e) {
                LOG.warn("partition {}: its suspended record here was not removed: {}", p.name(), e.getMessage());
            }
        }
        ScsiMobility.Paired paired = scsi.pairedWith(p);
        sys.removePartition(p, "hypervisor");
        operations.forget(p);
        operations.snapshots().ifPresent(x -> x.release(p));
        scsi.reclaim(p, paired);
        LOG.info("partition {} ({}) moved to {} with its {} profiles", p.name(), f.request.suspended()
                ? "Suspended, its saved state left on the SAN" : "Not Activated", f.target.systemName(),
                f.request.profiles().size());
        f.done.complete(null);
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private void fail(Flight f, ModelException e) {
        Qmp.MigrationInfo i = f.info;
        if (!f.stopRequested) {
            failed.put(f.partition.id(), new MigrationStatus(f.partition.id(), f.partition.name(), "Migration Failed",
                    f.target.systemName(), f.partition.id(), i == null ? 0 : i.transferred(),
                    i == null ? 0 : i.remaining(), f.request.inactive()));
        }
        LOG.warn("partition {}: {}", f.partition.name(), e.getMessage());
        f.done.completeExceptionally(e);
    }

    private static String cause(Throwable e) {
        while ((e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    /** {@code migrlpar -o s}: the stream stops, the partition runs on here, the target is cleaned. */
    public void stop(Partition p) {
        Flight f = flights.get(p.id());
        if (f == null) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "Partition " + p.name()
                    + " is not being migrated.");
        }
        f.stopRequested = true;
        hypervisor.supervisor(p.id()).ifPresent(PartitionSupervisor::cancelMigration);
        try {
            f.done.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return; // stopped: the expected end
        } catch (TimeoutException e) {
            throw ModelException.ofPartition(ModelException.Kind.INCOMPLETE, p.name(), "The migration of partition "
                    + p.name() + " did not stop within 60 seconds.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code migrlpar -o r}: after a failed migration, removes what the target was left with and
     * makes sure the partition runs here; refused when there is nothing to recover. After a
     * completed stream whose end was never confirmed, the target decides instead ({@link #settle}):
     * the partition is reclaimed here when it runs there, and resumed here when it does not.
     */
    public void recover(Partition p, String targetSystem) {
        if (flights.containsKey(p.id())) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The migration of "
                    + "partition " + p.name() + " is still in progress: stop it with migrlpar -o s.");
        }
        MigrationStatus last = failed.get(p.id());
        Optional<UnsettledMigrations.Unsettled> open = unsettled.get(p.id());
        String to = targetSystem != null ? targetSystem : open.map(UnsettledMigrations.Unsettled::destSystem)
                .orElse(last == null ? null : last.destSystem());
        if (open.isPresent() || stoppedAfterStream(p)) {
            if (to == null) {
                throw ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, p.name(), "The stream of "
                        + "partition " + p.name() + " completed to a system this one has no record of: name it "
                        + "with -t.");
            }
            settleOpen(p, to);
            return;
        }
        // an unreachable target is an error here: the failed record stays for the next -o r
        boolean cleaned = to != null && target(to).recover(p.name());
        if (failed.remove(p.id()) == null && !cleaned) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "Partition " + p.name()
                    + " has no failed migration to recover.");
        }
    }

    /** A QEMU here stopped after its completed stream ({@code Migrating - Running} with no flight). */
    private boolean stoppedAfterStream(Partition p) {
        return hypervisor.supervisor(p.id()).map(s -> s.status().state() == LparState.MIGRATING_RUNNING)
                .orElse(false);
    }

    /**
     * Settles {@code p}'s completed stream to {@code to} with the destination ({@link #settle}):
     * reclaimed here when it runs there, resumed here when not; for {@code migrlpar -o r} and the
     * background retry alike, one at a time, and only while it is still to settle (the other may
     * have settled it just before). A destination that cannot be asked is an error: it stays
     * stopped here.
     */
    private void settleOpen(Partition p, String to) {
        MobilityTarget t = target(to);
        synchronized (settling) {
            if (unsettled.get(p.id()).isEmpty() && !stoppedAfterStream(p)) {
                failed.remove(p.id());
                return; // settled meanwhile
            }
            var s = hypervisor.supervisor(p.id());
            try {
                // an unreachable target is an error here: the partition stays stopped for the next try
                if (settle(p, t, s.orElse(null), null)) {
                    reclaim(p, s.orElse(null));
                    LOG.info("partition {}: recovered, it runs on {}; reclaimed here", p.name(), to);
                }
            } catch (ExecutionException | TimeoutException e) {
                throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The recovery "
                        + "of partition " + p.name() + " failed: " + cause(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "interrupted");
            }
            failed.remove(p.id());
        }
    }

    /**
     * {@code lslparmigr -r msp|procpool|virtualio} for partition {@code p} and destination {@code
     * targetSystem}: this system's running VIOSes as source MSPs, the destination's as destination
     * MSPs (parvirt's daemons move the memory themselves: see {@link MigrationOptions}), the
     * destination's shared pools with room for the partition's entitlement (what it holds when
     * running, its default profile's desired units when not; none for dedicated processors), and
     * for each virtual SCSI client adapter the destination's running VIOSes that see every SAN LUN
     * mapped to it (every running VIOS for an adapter with no disk).
     */
    public MigrationOptions options(Partition p, String targetSystem) {
        if (targetSystem.equals(sys.definition().settings().name())) {
            throw ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, p.name(), "The destination managed "
                    + "system " + targetSystem + " is the source managed system.");
        }
        MobilityTarget t = target(targetSystem);
        Optional<io.parvirt.model.Allocation> held = hypervisor.status(p.id()).map(PartitionStatus::allocation);
        Profile prof = sys.definition().defaultProfile(p);
        boolean shared = held.map(a -> !a.dedicated()).orElse(prof.processors().shared());
        io.parvirt.model.ProcUnits units = held.map(io.parvirt.model.Allocation::procUnits)
                .orElse(prof.processors().desiredUnits());
        List<String> luns = scsi.disks(p).stream().map(MigrationRequest.Disk::identifier).distinct().toList();
        MigrationOffer offer = t.offer(shared ? units : null, luns);
        List<MigrationOffer.Member> here = sys.definition().partitions().stream()
                .filter(x -> x.env() == LparEnv.VIOSERVER && hypervisor.status(x.id())
                        .map(st -> st.state() == LparState.RUNNING).orElse(false))
                .sorted(Comparator.comparingInt(Partition::id))
                .map(x -> new MigrationOffer.Member(x.id(), x.name())).toList();
        List<MigrationOptions.ScsiMapping> adapters = prof.io().scsi().stream()
                .filter(a -> a.type() == io.parvirt.model.AdapterType.CLIENT)
                .map(a -> new MigrationOptions.ScsiMapping(a.slot(), offer.hosting(scsi.identifiers(p, a.slot()))))
                .toList();
        return new MigrationOptions(here, offer.vioses(), offer.pools(), adapters);
    }

    /** {@code lslparmigr -r lpar}: each partition of this system, migrating or not. */
    public List<MigrationStatus> list() {
        List<MigrationStatus> out = new ArrayList<>();
        for (Partition p : sys.definition().partitions().stream().sorted(Comparator.comparingInt(Partition::id))
                .toList()) {
            Flight f = flights.get(p.id());
            if (f != null) {
                Qmp.MigrationInfo i = f.info;
                out.add(new MigrationStatus(p.id(), p.name(), f.state, f.target.systemName(), p.id(),
                        i == null ? 0 : i.transferred(), i == null ? 0 : i.remaining(), f.request.inactive()));
            } else {
                out.add(failed.getOrDefault(p.id(), new MigrationStatus(p.id(), p.name(), "Not Migrating", null, 0,
                        0, 0, false)));
            }
        }
        return out;
    }

    /** Active migrations in flight from this system now. */
    public int inProgress() {
        return activeFlights();
    }

    /** Inactive migrations in flight from this system now. */
    public int inactiveInProgress() {
        return inactiveFlights();
    }
}
