package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchException;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.image.ImageStore;
import io.parvirt.image.PartitionImage;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemDefinition;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vswitch.VirtualEthernet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target's side of Live Partition Mobility in this process: checks what it must host, defines
 * the arriving partition, starts its QEMU waiting for the stream, and removes it again if the
 * migration does not complete. The partitions it is receiving are remembered, in memory and in a
 * file of the home ({@link IncomingMigrations}), so {@link #abort} never removes one that has
 * arrived for good, and a daemon killed mid-migration knows afterwards which partitions are
 * arrivals that never completed: it refuses to complete them, shows them migrating, and removes
 * them on the source's abort ({@code migrlpar -o r}). When the source's stream completed but its
 * complete step got no answer, the source asks to {@link #settle}: a copy whose guest executes here
 * stays for good, any other is removed (the source runs the partition).
 */
public final class MobilityReceiver implements MobilityTarget {
    private static final Logger LOG = LoggerFactory.getLogger(MobilityReceiver.class);
    /** How long an aborted target's QEMU gets to end. */
    private static final Duration ABORT_WAIT = Duration.ofSeconds(20);

    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final VirtualEthernet network;
    private final ImageStore images;
    private final ScsiMobility scsi;
    /** This system's snapshots (the arriving partition's records are kept there). */
    private final java.util.function.Supplier<Optional<PartitionSnapshots>> snapshots;
    /** Where the incoming stream is listened for: the address the daemon's API listens on. */
    private volatile String listenHost;
    /** Partitions being received: defined here by prepare, neither completed nor aborted. */
    private final IncomingMigrations receiving = new IncomingMigrations();
    /** Suspended partitions being received: the record each gets here when its move completes. */
    private final Map<Integer, Hypervisor.SavedState> arrivingSuspended = new java.util.concurrent.ConcurrentHashMap<>();
    /** Fault injection for tests only ({@code mobility.fault}); {@link Fault#NONE} in any real use. */
    private volatile Fault fault = Fault.NONE;

    /**
     * A failure a test makes happen at one exact point of the target's side ({@code mobility.fault}
     * in the daemon's configuration, read once at start). Never for real use: it ends the daemon.
     */
    public enum Fault {
        NONE,
        /**
         * The daemon halts (as SIGKILL would end it) right after its guest runs here and before it
         * answers the source's complete step: the answer that the partition runs here is lost.
         */
        EXIT_AFTER_CONT
    }

    /** Sets the fault to inject (tests only; see {@link Fault}). */
    public void fault(Fault f) {
        if (f != Fault.NONE) {
            LOG.warn("FAULT INJECTION mobility.fault={}: this daemon ends itself during migrations it receives",
                    f.name().toLowerCase(java.util.Locale.ROOT));
        }
        this.fault = f;
    }

    MobilityReceiver(ManagedSystem sys, Hypervisor hypervisor, VirtualEthernet network, ImageStore images,
            ScsiMobility scsi, String listenHost, java.util.function.Supplier<Optional<PartitionSnapshots>> snapshots) {
        this.sys = sys;
        this.snapshots = snapshots;
        this.hypervisor = hypervisor;
        this.network = network;
        this.images = images;
        this.scsi = scsi;
        this.listenHost = streamHost(listenHost);
    }

    /**
     * Keeps the partitions being received in {@code file} (the daemon's home) and takes those an
     * earlier daemon left there: arrivals that never completed. Called before the partitions an
     * earlier daemon left running are re-adopted, and before the API answers.
     */
    public void remember(Path file) {
        for (IncomingMigrations.Arrival a : receiving.open(file, x -> sys.definition().partition(x.lparId())
                .filter(p -> p.name().equals(x.name())).isPresent())) {
            LOG.warn("partition {}: its migration from {} was interrupted (this system's daemon ended); migrlpar -o r "
                    + "on {} settles it: kept here if its guest runs here, else removed", a.name(), a.source(),
                    a.source());
        }
    }

    /** Whether {@code lparId} is an arrival whose receiving daemon ended: a shell that never runs here. */
    public boolean interrupted(int lparId) {
        return receiving.interrupted(lparId);
    }

    /** Listens for incoming streams on {@code host} (the daemon's API address; loopback until told). */
    public void listenOn(String host) {
        this.listenHost = streamHost(host);
    }

    /** {@code host} as QEMU's {@code tcp:HOST:PORT} wants it: an IPv6 literal in brackets. */
    static String streamHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    @Override
    public String systemName() {
        return sys.definition().settings().name();
    }

    @Override
    public List<ModelException> validate(MigrationRequest r) {
        List<ModelException> out = new ArrayList<>();
        SystemDefinition def = sys.definition();
        Partition p = r.partition();
        String here = def.settings().name();
        if (def.partition(p.name()).isPresent()) {
            out.add(ModelException.ofPartition(ModelException.Kind.NAME_IN_USE, p.name(), "A partition named "
                    + p.name() + " already exists on the destination managed system " + here + "."));
        }
        if (def.partition(p.id()).isPresent()) {
            out.add(ModelException.ofPartition(ModelException.Kind.ID_IN_USE, p.name(), "The partition ID " + p.id()
                    + " of " + p.name() + " is in use on the destination managed system " + here + " (by "
                    + def.partition(p.id()).get().name() + ")."));
        }
        if (def.lmbMb() != r.lmbMb()) {
            out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "The memory region "
                    + "size of the destination managed system " + here + " (" + def.lmbMb() + " MB) differs from "
                    + "the source's (" + r.lmbMb() + " MB)."));
        }
        if (r.inactive() && !r.suspended()) {
            return validateInactive(r, out);
        }
        Capacity c = sys.capacity();
        if (c.availMemMb() < r.allocation().memMb()) {
            out.add(ModelException.ofPartition(ModelException.Kind.INSUFFICIENT_RESOURCES, p.name(), "The "
                    + "destination managed system " + here + " has " + c.availMemMb() + " MB of memory available; "
                    + "partition " + p.name() + " needs " + r.allocation().memMb() + " MB."));
        }
        if (c.availProcUnits().compareTo(r.allocation().procUnits()) < 0) {
            out.add(ModelException.ofPartition(ModelException.Kind.INSUFFICIENT_RESOURCES, p.name(), "The "
                    + "destination managed system " + here + " has " + c.availProcUnits() + " processing units "
                    + "available; partition " + p.name() + " needs " + r.allocation().procUnits() + "."));
        }
        if (r.allocation().vcpus() > c.configurableProcUnits().hundredths() / 100 * 10) {
            out.add(ModelException.ofPartition(ModelException.Kind.INSUFFICIENT_RESOURCES, p.name(), "The "
                    + "destination managed system " + here + " cannot give partition " + p.name() + " its "
                    + r.allocation().vcpus() + " virtual processors (at most 10 per configurable processor)."));
        }
        for (LaunchSpec.Nic n : r.spec().nics()) {
            if (!def.settings().vswitches().contains(n.vswitch())) {
                out.add(ModelException.ofPartition(ModelException.Kind.INVALID_REFERENCE, p.name(), "The virtual "
                        + "switch " + n.vswitch() + " of the virtual Ethernet adapter in slot " + n.slot() + " of "
                        + p.name() + " does not exist on the destination managed system " + here + "."));
            }
        }
        // The source describes the machine; what it may not ask of this host is a disk, a device or a
        // process of its choosing (the request comes over the network, from whoever may migrlpar here):
        // its virtual SCSI disks are attached from this system's VIOSes, on SAN LUNs they see.
        if (r.spec().disk() != null || r.spec().storageServer() != null
                || r.spec().nics().stream().anyMatch(LaunchSpec.Nic::trunk)) {
            out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "Partition " + p.name()
                    + " has a disk image or trunk adapters: the destination managed system " + here + " does not "
                    + "take them by mobility yet."));
        }
        out.addAll(scsi.targetChecks(r));
        out.addAll(SnapshotMobility.targetChecks(r, snapshots.get().isPresent(), scsi.san(), here,
                prof -> imageOf(r, prof) != null));
        if (r.spec().lparId() != p.id() || !r.spec().name().equals(p.name()) || r.allocation().lparId() != p.id()) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, p.name(), "The migration request "
                    + "for " + p.name() + " does not describe one partition consistently."));
        }
        if (image(r) == null) {
            out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "The destination "
                    + "managed system " + here + " does not have the partition image of " + p.name() + "."));
        }
        if (r.suspended()) {
            savedStateChecks(r, out);
        }
        return out;
    }

    /**
     * A Suspended partition: the capacity, switches and disks it resumes with are checked as for a
     * live migration (a resume here needs them); its saved state must be the file of its own name
     * in the reserved storage of the SAN this system's VIOSes are on. The request names only the
     * file's name, checked to be the partition's own: no other file of this host is ever named.
     */
    private void savedStateChecks(MigrationRequest r, List<ModelException> out) {
        Partition p = r.partition();
        if (!r.savedState().equals(Suspension.stateFileName(p))) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, p.name(), "The migration request "
                    + "for " + p.name() + " does not describe one partition consistently."));
            return;
        }
        java.nio.file.Path f = scsi.savedStateOnSan(p);
        if (f == null || !java.nio.file.Files.isRegularFile(f)) {
            out.add(ModelException.ofPartition(ModelException.Kind.UNREACHABLE_DEVICE, p.name(), "The saved state of "
                    + "suspended partition " + p.name() + " (" + r.savedState() + " in the SAN's reserved storage) "
                    + "is not reachable from the Virtual I/O Servers of the destination managed system "
                    + systemName() + (f == null ? ": they are on no SAN." : ": their SAN does not have it.")));
        }
    }

    /**
     * Inactive mobility: nothing runs here yet, so no capacity is taken; the profiles must name
     * switches that exist here and an image this system has, and bring no virtual SCSI, Fibre
     * Channel or trunk adapter (their devices and bridges are not moved).
     */
    private List<ModelException> validateInactive(MigrationRequest r, List<ModelException> out) {
        Partition p = r.partition();
        String here = systemName();
        if (r.allocation() != null || r.profiles().stream().noneMatch(x -> x.name().equals(r.profile()))
                || r.profiles().stream().anyMatch(x -> x.lparId() != p.id())) {
            out.add(ModelException.ofPartition(ModelException.Kind.INVALID_VALUE, p.name(), "The migration request "
                    + "for " + p.name() + " does not describe one partition consistently."));
            return out;
        }
        for (var prof : r.profiles()) {
            for (var e : prof.io().eth()) {
                String vswitch = e.vswitch() == null ? io.parvirt.model.VirtualEthernetAdapter.DEFAULT_VSWITCH : e.vswitch();
                if (!sys.definition().settings().vswitches().contains(vswitch)) {
                    out.add(ModelException.ofPartition(ModelException.Kind.INVALID_REFERENCE, p.name(), "The virtual "
                            + "switch " + vswitch + " of the virtual Ethernet adapter in slot " + e.slot() + " of "
                            + "profile " + prof.name() + " of " + p.name() + " does not exist on the destination "
                            + "managed system " + here + "."));
                }
            }
            if (!prof.io().fc().isEmpty() || prof.io().eth().stream().anyMatch(e -> e.trunkPriority() > 0)) {
                out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "Profile "
                        + prof.name() + " of " + p.name() + " has Fibre Channel or trunk adapters: the "
                        + "destination managed system " + here + " does not take them by mobility yet."));
            }
            String image = prof.options().image();
            if (image != null && images.find(image).isEmpty()) {
                out.add(ModelException.ofPartition(ModelException.Kind.NOT_SUPPORTED, p.name(), "The destination "
                        + "managed system " + here + " does not have the partition image " + image + " of profile "
                        + prof.name() + " of " + p.name() + "."));
            }
        }
        out.addAll(scsi.targetChecks(r));
        out.addAll(SnapshotMobility.targetChecks(r, snapshots.get().isPresent(), scsi.san(), here,
                prof -> imageOf(r, prof) != null));
        return out;
    }

    @Override
    public MigrationOffer offer(ProcUnits units, List<String> identifiers) {
        SystemDefinition def = sys.definition();
        List<MigrationOffer.Member> vioses = def.partitions().stream()
                .filter(x -> x.env() == LparEnv.VIOSERVER && hypervisor.status(x.id())
                        .map(st -> st.state() == LparState.RUNNING).orElse(false))
                .sorted(java.util.Comparator.comparingInt(Partition::id))
                .map(x -> new MigrationOffer.Member(x.id(), x.name())).toList();
        List<MigrationOffer.Member> pools = units == null ? List.of() : def.pools().stream()
                .filter(x -> x.usable() && sys.poolRoom(x.id()).compareTo(units) >= 0)
                .map(x -> new MigrationOffer.Member(x.id(), x.name())).toList();
        return new MigrationOffer(vioses, pools, scsi.hosts(identifiers, vioses));
    }

    /** The profile of a Not Activated partition defined here by an inactive migration not yet complete, if it is. */
    Optional<String> arrivingInactive(int lparId) {
        return receiving.get(lparId).filter(IncomingMigrations.Arrival::inactive).map(IncomingMigrations.Arrival::profile);
    }

    /** The profile of a partition being received, if it is (an interrupted arrival shows it). */
    Optional<String> arriving(int lparId) {
        return receiving.get(lparId).map(IncomingMigrations.Arrival::profile);
    }

    /**
     * The target's copy of the image the partition booted from (the same name: its profile's
     * parvirt_image or the default image), or null. A disk image is not moved (the disk would have
     * to be on shared storage): only direct-kernel images are taken.
     */
    private PartitionImage image(MigrationRequest r) {
        return r.spec().disk() != null ? null : imageOf(r, r.profile());
    }

    /** The target's copy of the direct-kernel image profile {@code profile} of the request boots, or null. */
    private PartitionImage imageOf(MigrationRequest r, String profile) {
        String name = r.profiles().stream().filter(x -> x.name().equals(profile)).findFirst()
                .map(x -> x.options().image()).orElse(null);
        PartitionImage i = images.find(name != null ? name : "default").orElse(null);
        return i == null || i.disk() != null ? null : i;
    }

    /**
     * The arriving partition's snapshots, kept here from its prepare step (an abort removes them):
     * each memory snapshot's machine rebuilt for this host as the partition's own is, its memory
     * file the one of its name in this system's SAN reserved storage (checked by validate).
     */
    private void adoptSnapshots(MigrationRequest r, Partition p, Map<Integer, ScsiMobility.Placement> placed) {
        if (r.snapshots() == null || snapshots.get().isEmpty()) {
            return;
        }
        List<SnapshotRecords.Snapshot> here = new ArrayList<>();
        for (SnapshotRecords.Snapshot s : r.snapshots().snapshots()) {
            Hypervisor.SavedState m = s.machine();
            if (m != null) {
                PartitionImage image = imageOf(r, m.profile());
                LaunchSpec spec = scsi.rehomed(m.spec().rehomed(hypervisor.config().qemuBinary(),
                        hypervisor.runDir(p.id()), image.kernel(), image.initramfs(), hypervisor.config().qemuUser()),
                        p, placed);
                m = new Hypervisor.SavedState(spec, m.profile(), m.allocation(), ScsiMobility.reserved(scsi.san(),
                        PartitionSnapshots.memoryFileName(p, s.name())));
            }
            here.add(new SnapshotRecords.Snapshot(s.name(), p.id(), p.name(), s.timeMillis(), s.parent(),
                    s.withMemory(), s.stateAtSnapshot(), s.profile(), s.description(), m));
        }
        try {
            snapshots.get().get().adopt(p, new SnapshotRecords.Chain(r.snapshots().current(), here));
        } catch (java.io.IOException e) {
            throw ModelException.ofPartition(ModelException.Kind.STORE_FAILURE, p.name(), "The snapshot records of "
                    + "partition " + p.name() + " could not be written on the destination managed system "
                    + systemName() + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized String prepare(MigrationRequest r) {
        long t0 = System.nanoTime();
        List<ModelException> refused = validate(r);
        if (!refused.isEmpty()) {
            throw refused.getFirst();
        }
        Partition p = r.partition();
        Map<Integer, ScsiMobility.Placement> placed = scsi.place(r);
        long t1 = System.nanoTime();
        // written before the definition: a daemon killed in between leaves an arrival that is dropped when read
        receiving.add(new IncomingMigrations.Arrival(p.id(), p.name(), r.sourceSystem(), r.profile(), r.inactive()));
        try {
            sys.addMigrated(p, ScsiMobility.rehomed(r.profiles(), placed), r.sourceSystem(), "hypervisor");
        } catch (RuntimeException e) {
            receiving.remove(p.id());
            throw e;
        }
        try {
            // the VIOS serves the disks before the QEMU that opens them starts
            scsi.serve(p, placed, r.disks());
            adoptSnapshots(r, p, placed);
        } catch (RuntimeException e) {
            abort(p.name());
            throw e;
        }
        if (r.suspended()) {
            try {
                // the machine it resumes as, rebuilt for this system; the saved state stays where it is (the SAN)
                PartitionImage image = image(r);
                LaunchSpec spec = scsi.rehomed(r.spec().rehomed(hypervisor.config().qemuBinary(),
                        hypervisor.runDir(p.id()), image.kernel(), image.initramfs(), hypervisor.config().qemuUser()),
                        p, placed);
                arrivingSuspended.put(p.id(), new Hypervisor.SavedState(spec, r.profile(), r.allocation(),
                        scsi.savedStateOnSan(p)));
            } catch (RuntimeException e) {
                abort(p.name());
                throw e;
            }
        }
        if (r.inactive()) {
            return ""; // nothing streams: complete or abort follows
        }
        try {
            PartitionImage image = image(r);
            LaunchSpec spec = scsi.rehomed(r.spec().rehomed(hypervisor.config().qemuBinary(), hypervisor.runDir(p.id()),
                    image.kernel(), image.initramfs(), hypervisor.config().qemuUser()), p, placed);
            long t2 = System.nanoTime();
            // A vhost-user NIC's QEMU connects to the switch while it starts: the port listens first
            // (as at activation). Its guest runs on the source until the switch-over: the ports take
            // over its addresses with its first frame here (announce-self's RARP).
            boolean listenFirst = spec.sharesMemory();
            if (listenFirst) {
                PartitionNetwork.connect(network, spec, true);
            }
            // the source's storage server wrote the layers of snapshotted disks until its last flush
            Runnable reread = r.snapshots() == null || snapshots.get().isEmpty() ? () -> { } : () -> {
                try {
                    snapshots.get().get().reread(p);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("its disks' layers could not be read again: " + e.getMessage(), e);
                }
            };
            int port = hypervisor.receive(spec, r.profile(), r.allocation(), listenHost, r.streamKey(), reread);
            long t3 = System.nanoTime();
            if (!listenFirst) {
                PartitionNetwork.connect(network, spec, true);
            }
            LOG.info("partition {} prepared to arrive: checks {} ms, definition {} ms, QEMU listening {} ms, "
                    + "switch ports {} ms", p.name(), Mobility.ms(t1 - t0), Mobility.ms(t2 - t1), Mobility.ms(t3 - t2),
                    Mobility.ms(System.nanoTime() - t3));
            return "tcp:" + listenHost + ":" + port;
        } catch (LaunchException | RuntimeException e) {
            abort(p.name());
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, p.name(), "The destination managed "
                    + "system " + systemName() + " could not prepare partition " + p.name() + ": " + e.getMessage());
        }
    }

    @Override
    public void complete(String name, Duration timeout) {
        Partition p = sys.partition(name);
        if (receiving.interrupted(p.id())) {
            // The daemon that received the stream ended: nothing here can say the copy is whole, so
            // the source keeps running the partition and this copy is removed (abort).
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, name, "Partition " + name
                    + " did not arrive on the destination managed system " + systemName() + ": its daemon ended "
                    + "during the migration.");
        }
        if (arrivingInactive(p.id()).isPresent()) {
            Hypervisor.SavedState st = arrivingSuspended.get(p.id());
            if (st != null) {
                try {
                    hypervisor.adoptSaved(st); // Suspended here from now on; the source drops its record next
                } catch (java.io.IOException e) {
                    throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, name, "The suspended record "
                            + "of partition " + name + " could not be written on the destination managed system "
                            + systemName() + ": " + e.getMessage());
                }
                arrivingSuspended.remove(p.id());
            }
            receiving.remove(p.id());
            return;
        }
        // The supervisor says when the guest runs here: no poll interval between the stream and the answer.
        long asked = System.nanoTime();
        var s = hypervisor.supervisor(p.id());
        Exception why = null;
        if (s.isPresent()) {
            try {
                s.get().arrival().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                why = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                why = e;
            }
        }
        LparState st = hypervisor.status(p.id()).map(x -> x.state()).orElse(LparState.NOT_ACTIVATED);
        if (why == null && st == LparState.RUNNING) {
            if (fault == Fault.EXIT_AFTER_CONT) {
                LOG.error("FAULT INJECTION: partition {} runs here; this daemon halts before it answers", name);
                Runtime.getRuntime().halt(137);
            }
            long arrived = System.nanoTime();
            receiving.remove(p.id());
            LOG.debug("partition {}: complete asked, running here after {} ms, the arrival record removed in {} ms",
                    name, Mobility.ms(arrived - asked), Mobility.ms(System.nanoTime() - arrived));
            return;
        }
        throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, name, "Partition " + name
                + " did not start running on the destination managed system " + systemName() + " (it is "
                + st.hmcName() + ").");
    }

    /**
     * The source lost the answer to its complete step (or never asked it) after its stream had
     * completed, so its guest waits, stopped, for this decision: a guest that executes here (its QEMU
     * continued it, before or after a restart of this daemon) keeps the partition here for good; any
     * other copy (still receiving, paused, gone) is removed as by {@link #abort}, and the source runs
     * it. A partition that completed its arrival here earlier is here for good; one not here is not.
     */
    @Override
    public synchronized boolean settle(String name) {
        Partition p = sys.definition().partition(name).orElse(null);
        if (p == null) {
            return false;
        }
        if (receiving.get(p.id()).filter(a -> a.name().equals(name)).isEmpty()) {
            return true;
        }
        IncomingMigrations.Arrival a = receiving.get(p.id()).get();
        var s = hypervisor.supervisor(p.id());
        boolean executes;
        try {
            executes = s.isPresent() && !a.inactive() && s.get().guestExecutes();
        } catch (java.io.IOException | RuntimeException e) {
            // its QEMU runs but cannot be asked yet (this daemon is attaching to it): the source asks again
            throw ModelException.ofPartition(ModelException.Kind.INVALID_STATE, name, "The destination managed "
                    + "system " + systemName() + " cannot tell yet whether partition " + name + " runs there ("
                    + e.getMessage() + "); ask again.");
        }
        if (executes) {
            receiving.remove(p.id()); // from now on an ordinary partition of this system
            LOG.info("partition {}: its guest runs here; the migration from {} is settled here", name, a.source());
            return true;
        }
        abort(name);
        return false;
    }

    @Override
    public synchronized boolean abort(String name) {
        Partition p = sys.definition().partition(name).orElse(null);
        if (p == null || receiving.get(p.id()).filter(a -> a.name().equals(name)).isEmpty()) {
            return false;
        }
        if (hypervisor.supervisor(p.id()).isPresent()) {
            hypervisor.shutdown(p.id(), true, Duration.ZERO);
            long deadline = System.nanoTime() + ABORT_WAIT.toNanos();
            while (hypervisor.supervisor(p.id()).isPresent() && System.nanoTime() < deadline) {
                sleep(50);
            }
        }
        if (network != null) {
            network.disconnect(p.id());
        }
        hypervisor.forget(p.id());
        arrivingSuspended.remove(p.id());
        if (hypervisor.saved(p.id()).isPresent()) {
            // a Suspended arrival whose record was written and whose completion was never heard: the record
            // goes, never the saved state file (the source's record names it, and it stays Suspended there)
            try {
                hypervisor.releaseSaved(p.id());
            } catch (java.io.IOException e) {
                LOG.warn("partition {}: its suspended record here was not removed: {}", name, e.getMessage());
            }
        }
        ScsiMobility.Paired paired = scsi.pairedWith(p);
        snapshots.get().ifPresent(x -> x.release(p)); // the source keeps its records, and the files are the SAN's
        sys.removePartition(p, "hypervisor");
        scsi.reclaim(p, paired); // the source's VIOS serves the disks on
        receiving.remove(p.id()); // after the definition: a daemon killed in between finds it and removes it again
        LOG.info("partition {}: the migration to {} did not complete; removed here", name, systemName());
        return true;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "Interrupted while waiting for a migration.");
        }
    }
}
