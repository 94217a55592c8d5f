package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchException;
import io.parvirt.hypervisor.PartitionSupervisor;
import io.parvirt.model.Allocation;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.DiskSnapshots;
import io.parvirt.vios.ViosService;
import io.parvirt.vswitch.VirtualEthernet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partition snapshots (issue 19: {@code mklparsnap}, {@code lslparsnap}, {@code rstlparsnap},
 * {@code rmlparsnap}). A snapshot is every VIOS-served disk of the partition at one point
 * ({@link DiskSnapshots}: copy-on-write layers in the VIOS's storage server, so the pause does not
 * grow with the disks) and, for a Running partition, its memory and device state at that same
 * point ({@link Hypervisor#snapshot}: the vCPUs stop, the disk point is taken, and QEMU's
 * background snapshot writes the RAM as it was then while the guest runs on).
 *
 * <ul>
 *   <li><b>Disk only</b> ({@code --nomem}, or a Not Activated partition): a running guest's file
 *       systems are frozen through its agent for the disk point, or, when the agent does not
 *       answer, its vCPUs are stopped for it.</li>
 *   <li><b>Revert</b> with memory: the partition's QEMU (if any) is stopped, its disks go back, and
 *       a QEMU of the machine it ran as starts from the memory file: Running at exactly that point.
 *       Without memory: a running partition is shut down at once, its disks go back, and it is left
 *       Not Activated (its guest would otherwise find its disks changed under it).</li>
 *   <li><b>Delete</b> merges what the snapshot held into its neighbour layer (a middle one too);
 *       its children take its parent.</li>
 * </ul>
 *
 * <p>The memory file goes where a suspend's saved state would: in the storage pool of the
 * partition's first disk ({@code parvirt-snap-<uuid>-<name>.mem}). Refused, changing nothing:
 * an unknown or used name, a partition that is not Running or Not Activated (paused, migrating,
 * suspended...), one with a backup, restore, copy or disk move in progress, a VIOS, one with no
 * VIOS-served disk. One snapshot operation at a time on the system.
 */
public final class PartitionSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionSnapshots.class);
    /** A snapshot's memory stream, or a revert's start from it (a 1 GB guest takes seconds here). */
    static final Duration STREAM_TIMEOUT = Duration.ofSeconds(300);
    /** How long a revert waits for the partition's QEMU to end. */
    static final Duration STOP_WAIT = Duration.ofSeconds(60);
    private static final Duration FREEZE = Duration.ofSeconds(10);

    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final VirtualEthernet network;
    private final ViosService vios;
    private final DiskSnapshots disks;
    private final IntFunction<Optional<RunState>> states;
    private final Function<Partition, Optional<String>> otherOperation;
    private final SnapshotRecords records;
    /** Held by activations: a revert that starts a partition takes capacity as one does. */
    private final Object activation;
    private final long bandwidth;
    /** Where a snapshot taken or reverted is marked, so that no DLPAR runs beside it. */
    private final PartitionActivity activity;

    /**
     * @param otherOperation the long operation in progress on the partition (a backup job...), if any
     * @param activation the lock activations hold
     * @param dir where the snapshot records are kept
     */
    PartitionSnapshots(ManagedSystem sys, Hypervisor hypervisor, VirtualEthernet network, ViosService vios,
            DiskSnapshots disks, IntFunction<Optional<RunState>> states,
            Function<Partition, Optional<String>> otherOperation, Object activation, Path dir, long bandwidth,
            PartitionActivity activity) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.network = network;
        this.vios = vios;
        this.disks = disks;
        this.states = states;
        this.otherOperation = otherOperation;
        this.activation = activation;
        this.records = new SnapshotRecords(dir);
        this.bandwidth = bandwidth;
        this.activity = activity;
    }

    /** One listed snapshot. */
    public record Listed(String name, String lparName, int lparId, java.time.Instant time, String parent,
            boolean withMemory, String stateAtSnapshot, String description) {
    }

    /** The VIOS service whose storage servers hold the snapshots' disk layers. */
    ViosService vios() {
        return vios;
    }

    /** The snapshots of {@code p}, oldest first. */
    public List<Listed> list(Partition p) {
        List<Listed> out = new ArrayList<>();
        for (SnapshotRecords.Snapshot s : records.of(p.uuid()).snapshots()) {
            out.add(new Listed(s.name(), p.name(), p.id(), java.time.Instant.ofEpochMilli(s.timeMillis()), s.parent(),
                    s.withMemory(), s.stateAtSnapshot(), s.description()));
        }
        return out;
    }

    /** {@code mklparsnap}: with memory when the partition runs, unless {@code withMemory} is false. */
    public synchronized void take(Partition p, String name, boolean withMemory, String description) {
        requireName(name);
        requireClient(p, "a snapshot taken");
        try (PartitionActivity.Mark m = activity.begin(p, "a snapshot (" + name + ") being taken",
                "no snapshot taken")) {
            takeMarked(p, name, withMemory, description);
        }
    }

    private void takeMarked(Partition p, String name, boolean withMemory, String description) {
        SnapshotRecords.Chain chain = records.of(p.uuid());
        if (chain.find(name).isPresent()) {
            throw refusal(ModelException.Kind.NAME_IN_USE, p, "The snapshot name " + name
                    + " is already used by partition " + p.name() + ".");
        }
        RunState st = requireSettled(p, "a snapshot taken");
        requireDisks(p);
        boolean running = st.state() == LparState.RUNNING;
        long now = System.currentTimeMillis();
        Hypervisor.SavedState machine = null;
        String profile = st.profile();
        if (running && withMemory) {
            machine = takeWithMemory(p, name, now);
            profile = machine.profile();
        } else if (running) {
            takeFrozen(p, name, now);
        } else {
            disks.take(p.id(), p.name(), name, now);
        }
        SnapshotRecords.Snapshot s = new SnapshotRecords.Snapshot(name, p.id(), p.name(), now, chain.current(),
                machine != null, st.state().hmcName(), profile == null ? "" : profile,
                description == null ? "" : description, machine);
        try {
            records.save(p.uuid(), chain.with(s));
        } catch (IOException | RuntimeException e) {
            undo(p, name, machine);
            throw refusal(ModelException.Kind.STORE_FAILURE, p, "The snapshot " + name + " of partition " + p.name()
                    + " could not be recorded: " + e.getMessage());
        }
    }

    private Hypervisor.SavedState takeWithMemory(Partition p, String name, long now) {
        Path file = memoryFile(p, name);
        ModelException[] diskFailure = new ModelException[1];
        boolean[] diskTaken = new boolean[1];
        try {
            return hypervisor.snapshot(p.id(), file, () -> {
                try {
                    disks.take(p.id(), p.name(), name, now);
                    diskTaken[0] = true;
                } catch (ModelException e) {
                    diskFailure[0] = e;
                    throw e;
                }
            }, bandwidth, STREAM_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            if (diskFailure[0] != null) {
                throw diskFailure[0];
            }
            if (diskTaken[0]) {
                undo(p, name, null);
            }
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The snapshot " + name + " of partition " + p.name()
                    + " could not be taken and the partition runs on: " + e.getMessage());
        }
    }

    /** A disk point of a running guest: its file systems frozen through its agent, else its vCPUs stopped. */
    private void takeFrozen(Partition p, String name, long now) {
        Optional<PartitionSupervisor> s = hypervisor.supervisor(p.id());
        boolean frozen = false;
        if (s.isPresent() && s.get().status().agentActive()) {
            try {
                s.get().agent().freezeFilesystems(FREEZE);
                frozen = true;
            } catch (IOException | RuntimeException e) {
                LOG.info("partition {}: its file systems could not be frozen ({}); its processors stop instead",
                        p.name(), e.getMessage());
            }
        }
        try {
            if (!frozen) {
                hypervisor.pause(p.id(), true);
            }
            disks.take(p.id(), p.name(), name, now);
        } catch (IOException e) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The snapshot " + name + " of partition " + p.name()
                    + " could not be taken: " + e.getMessage());
        } finally {
            try {
                if (frozen) {
                    s.get().agent().thawFilesystems(FREEZE);
                } else {
                    hypervisor.pause(p.id(), false);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("partition {}: not thawed after its snapshot: {}", p.name(), e.getMessage());
            }
        }
    }

    /** {@code rstlparsnap}: the partition returns to snapshot {@code name} (see the class comment). */
    public synchronized void revert(Partition p, String name) {
        synchronized (activation) {
            requireClient(p, "reverted");
            try (PartitionActivity.Mark m = activity.begin(p, "a revert to snapshot " + name, "not reverted")) {
                revertLocked(p, name);
            }
        }
    }

    private void revertLocked(Partition p, String name) {
        requireClient(p, "reverted");
        SnapshotRecords.Chain chain = records.of(p.uuid());
        SnapshotRecords.Snapshot s = known(p, chain, name);
        RunState st = requireSettled(p, "reverted");
        Hypervisor.SavedState machine = s.machine();
        if (machine != null) {
            if (!Files.isRegularFile(machine.file())) {
                throw refusal(ModelException.Kind.INVALID_STATE, p, "The memory of snapshot " + name + " of partition "
                        + p.name() + " is missing (" + machine.file() + "): delete the snapshot.");
            }
            requireCapacity(p, machine.allocation(), st);
        }
        if (st.state() == LparState.RUNNING) {
            stop(p);
        }
        disks.revert(p.id(), p.name(), name);
        try {
            records.save(p.uuid(), chain.at(name));
        } catch (IOException e) {
            LOG.warn("partition {}: reverted to {}, not recorded as its current snapshot: {}", p.name(), name,
                    e.getMessage());
        }
        if (machine != null) {
            try {
                // vhost-user ports connect before QEMU starts (it waits for the switch), as in a resume.
                PartitionNetwork.starting(network, machine.spec(),
                        listening -> hypervisor.restore(machine, listening, STREAM_TIMEOUT));
            } catch (IOException | LaunchException | RuntimeException e) {
                throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " has its disks at "
                        + "snapshot " + name + " but could not be started from its memory and is Not Activated: "
                        + e.getMessage());
            }
        }
    }

    /** {@code rmlparsnap}: the snapshot goes, what it held merged into its neighbour; the partition runs on. */
    public synchronized void delete(Partition p, String name) {
        SnapshotRecords.Chain chain = records.of(p.uuid());
        SnapshotRecords.Snapshot s = known(p, chain, name);
        if (otherOperation.apply(p).isPresent()) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " has "
                    + otherOperation.apply(p).get() + " in progress: its snapshot " + name + " cannot be deleted.");
        }
        disks.delete(p.id(), p.name(), name);
        try {
            records.save(p.uuid(), chain.without(s));
            if (s.machine() != null) {
                Files.deleteIfExists(s.machine().file());
            }
        } catch (IOException e) {
            throw refusal(ModelException.Kind.STORE_FAILURE, p, "The snapshot " + name + " of partition " + p.name()
                    + " was deleted from its disks but not from its record: " + e.getMessage());
        }
    }

    /**
     * A Not Activated partition being removed ({@code rmsyscfg -r lpar}) takes its snapshots with
     * it, as a deleted VM's snapshots go with it elsewhere: the HMC knows no snapshots to refuse
     * over, and left behind they would hold pool space under a UUID nothing names any more. Its disks
     * keep what they hold now (the layers merged into them), unless {@code disksGo} (they are removed
     * with it, layers and all); the memory files and the record go. Refused, changing nothing, while
     * a backup or copy of it runs, or while a linked clone's disk reads through one of its snapshots.
     */
    public synchronized void removeWith(Partition p, boolean disksGo) {
        if (p.env() == LparEnv.VIOSERVER) {
            return;
        }
        Optional<String> other = otherOperation.apply(p);
        if (other.isPresent()) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " has " + other.get()
                    + " in progress: it cannot be removed.");
        }
        disks.requireNoLinkedClones(p.id(), p.name(), null);
        SnapshotRecords.Chain chain = records.of(p.uuid());
        if (!disksGo) {
            disks.deleteAll(p.id(), p.name());
        }
        try {
            for (SnapshotRecords.Snapshot s : chain.snapshots()) {
                if (s.machine() != null) {
                    Files.deleteIfExists(s.machine().file());
                }
            }
            records.save(p.uuid(), SnapshotRecords.Chain.EMPTY);
        } catch (IOException e) {
            throw refusal(ModelException.Kind.STORE_FAILURE, p, "The snapshots of partition " + p.name() + " were "
                    + "merged into its disks but their records could not be deleted: " + e.getMessage());
        }
    }

    /** The partition's QEMU stopped at once; returns when it has ended. */
    private void stop(Partition p) {
        hypervisor.shutdown(p.id(), true, Duration.ZERO);
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (states.apply(p.id()).map(RunState::state).orElse(LparState.NOT_ACTIVATED) != LparState.NOT_ACTIVATED) {
            if (System.nanoTime() > deadline) {
                throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " did not stop "
                        + "within " + STOP_WAIT.toSeconds() + " s: not reverted.");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw refusal(ModelException.Kind.INVALID_STATE, p, "Interrupted while partition " + p.name()
                        + " stopped.");
            }
        }
    }

    private void undo(Partition p, String name, Hypervisor.SavedState machine) {
        try {
            disks.delete(p.id(), p.name(), name);
            if (machine != null) {
                Files.deleteIfExists(machine.file());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("partition {}: snapshot {} not fully undone: {}", p.name(), name, e.getMessage());
        }
    }

    // Refusals: each found before anything changes

    static void requireName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "-n", "The snapshot name "
                    + io.parvirt.model.Values.quote(String.valueOf(name)) + " is not valid: use 1 to 64 letters, "
                    + "digits, '.', '-' or '_', not starting with '.' or '-'.");
        }
    }

    private void requireClient(Partition p, String what) {
        if (p.env() == LparEnv.VIOSERVER) {
            throw refusal(ModelException.Kind.NOT_SUPPORTED, p, "The partition " + p.name() + " is a Virtual I/O "
                    + "Server: it has no snapshots to be " + what.replace("a snapshot taken", "taken") + ".");
        }
        if (hypervisor == null || vios == null) {
            throw refusal(ModelException.Kind.NOT_SUPPORTED, p, "This console keeps no partition snapshots: it runs "
                    + "no partitions or serves no Virtual I/O Server storage.");
        }
    }

    /** Running (not paused) or Not Activated, with no other long operation in progress. */
    private RunState requireSettled(Partition p, String what) {
        Optional<RunState> st = states.apply(p.id());
        LparState state = st.map(RunState::state).orElse(LparState.NOT_ACTIVATED);
        boolean paused = st.map(RunState::paused).orElse(false);
        if (paused || (state != LparState.RUNNING && state != LparState.NOT_ACTIVATED)) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " is "
                    + st.map(RunState::runState).orElse(state.hmcName()) + ": only a Running or Not Activated "
                    + "partition can have " + (what.equals("reverted") ? "a snapshot reverted to." : "a snapshot taken."));
        }
        Optional<String> other = otherOperation.apply(p);
        if (other.isPresent()) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " has " + other.get()
                    + " in progress: " + (what.equals("reverted") ? "not reverted." : "no snapshot taken."));
        }
        return st.orElse(RunState.notActivated(p.id()));
    }

    private void requireDisks(Partition p) {
        boolean any = vios.mappedDevicesOf(p.id()).stream().anyMatch(DiskSnapshots::layered);
        if (!any) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " has no virtual SCSI "
                    + "disk served by a Virtual I/O Server to take a snapshot of.");
        }
    }

    private void requireCapacity(Partition p, Allocation a, RunState st) {
        if (st.state() == LparState.RUNNING) {
            return; // what it holds now is freed by its stop; a snapshot's machine is the one it was activated as
        }
        Capacity c = sys.capacity();
        if (c.availMemMb() < a.memMb() || c.availProcUnits().compareTo(a.procUnits()) < 0) {
            throw refusal(ModelException.Kind.INSUFFICIENT_RESOURCES, p, "The partition " + p.name() + " needs "
                    + a.memMb() + " MB of memory and " + a.procUnits() + " processing units to run from its snapshot; "
                    + "the managed system has " + c.availMemMb() + " MB and " + c.availProcUnits() + " available.");
        }
    }

    private static SnapshotRecords.Snapshot known(Partition p, SnapshotRecords.Chain chain, String name) {
        return chain.find(name).orElseThrow(() -> refusal(ModelException.Kind.INVALID_REFERENCE, p, "The snapshot "
                + name + " of partition " + p.name() + " does not exist."));
    }

    /**
     * Where a suspend's saved state would be ({@link Suspension#stateFile}): beside the partition's
     * first disk when it is a pool's; in the SAN's reserved storage when it is a SAN LUN, where every
     * system on the SAN reads it (its layers are on the SAN too: the snapshot moves with the partition).
     */
    private Path memoryFile(Partition p, String name) {
        Path f = ScsiMobility.savedMemory(vios, p, memoryFileName(p, name)).orElseThrow(() -> refusal(
                ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " has no disk."));
        try {
            Files.createDirectories(f.getParent()); // the SAN's reserved storage, the first time
        } catch (IOException e) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The SAN's reserved storage " + f.getParent()
                    + " cannot be made: " + e.getMessage());
        }
        return f;
    }

    /** A memory file's name: the partition's UUID (the same on every system) and the snapshot's name. */
    static String memoryFileName(Partition p, String name) {
        return "parvirt-snap-" + p.uuid() + "-" + name + ".mem";
    }

    // Mobility (issue 19): the records move with the partition; disk layers and memory files stay on the SAN

    /** What {@code p}'s snapshots are, as a migration's request carries them (empty chain: none). */
    SnapshotRecords.Chain chainOf(Partition p) {
        return records.of(p.uuid());
    }

    /** The destination: {@code p} arrived for good with its snapshots, re-homed here. */
    synchronized void adopt(Partition p, SnapshotRecords.Chain chain) throws IOException {
        records.save(p.uuid(), chain);
    }

    /**
     * The source, once the destination runs {@code p}: its records go, nothing else (the layers and
     * memory files are the destination's now, on the same SAN).
     */
    synchronized void release(Partition p) {
        try {
            records.save(p.uuid(), SnapshotRecords.Chain.EMPTY);
        } catch (IOException e) {
            LOG.warn("partition {}: moved, but its snapshot records here were not removed: {}", p.name(),
                    e.getMessage());
        }
    }

    /** The destination's storage servers read the arrived disks' layers again, before its guest runs. */
    void reread(Partition p) throws IOException {
        disks.reread(p.id());
    }

    private static ModelException refusal(ModelException.Kind kind, Partition p, String sentence) {
        return ModelException.ofPartition(kind, p.name(), sentence);
    }
}
