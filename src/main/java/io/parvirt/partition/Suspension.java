package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchException;
import io.parvirt.model.Allocation;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.ViosService;
import io.parvirt.vswitch.VirtualEthernet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Suspend and resume ({@code chlparstate -o suspend|resume|shutdown}, issue 14). A suspend is a
 * migration whose target is a file: the partition's QEMU streams its memory and device state
 * (Suspending) into its saved state file, then ends; the partition is Suspended and holds nothing
 * (no QEMU, no cgroup or dispatch entitlement, no memory; its switch ports are released and join
 * again on resume). A resume starts a QEMU of the same machine (same devices, MACs, processors and
 * memory as it ran) waiting for a stream (Resuming), feeds it the file, and the guest goes on where
 * it was: its processes and open connections with it. Shutting a Suspended partition down deletes
 * its saved state; it is then Not Activated.
 *
 * <p><b>Where the saved state goes</b> (PowerVM's reserved storage device, served by a VIOS): into
 * the storage pool directory of the backing device of the partition's first virtual SCSI disk, on
 * the VIOS that serves it ({@code parvirt-suspend-<uuid>.state}), so it sits on the storage the
 * partition's disks are on; when that disk is a SAN LUN, in the SAN's reserved storage
 * ({@link ScsiMobility#RESERVED}), where another system on the SAN reaches it (a Suspended
 * partition moves by inactive mobility only then); a partition with no VIOS disk saves it in the home
 * ({@code <home>/suspended/<uuid>.state}). The record that makes it Suspended is kept by the
 * hypervisor ({@code hypervisor.SavedStates}).
 */
final class Suspension {
    /** How long a suspend's or resume's stream may take (a 1 GB guest streams in seconds here). */
    static final Duration STREAM_TIMEOUT = Duration.ofSeconds(300);

    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final VirtualEthernet network;
    private final ViosService vios;
    private final IntFunction<Optional<RunState>> states;
    private final long bandwidth;

    Suspension(ManagedSystem sys, Hypervisor hypervisor, VirtualEthernet network, ViosService vios,
            IntFunction<Optional<RunState>> states, long bandwidth) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.network = network;
        this.vios = vios;
        this.states = states;
        this.bandwidth = bandwidth;
    }

    /** The run state of a suspended partition (nothing running, nothing held), if it is one. */
    Optional<RunState> state(int lparId) {
        return hypervisor.saved(lparId).map(s -> RunState.suspended(lparId, s.profile()));
    }

    void suspend(Partition p) {
        if (p.env() == LparEnv.VIOSERVER) {
            throw refusal(ModelException.Kind.NOT_SUPPORTED, p, "The partition " + p.name() + " is a Virtual I/O "
                    + "Server and cannot be suspended: its clients' disks would stop.");
        }
        if (!p.options().suspendCapable()) {
            throw refusal(ModelException.Kind.NOT_SUPPORTED, p, "The partition " + p.name() + " is not suspend "
                    + "capable (suspend_capable=0): change it with chsyscfg -r lpar -i \"name=" + p.name()
                    + ",suspend_capable=1\" first.");
        }
        Optional<RunState> st = states.apply(p.id());
        LparState state = st.map(RunState::state).orElse(LparState.NOT_ACTIVATED);
        if (state != LparState.RUNNING || st.get().paused()) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " is "
                    + st.map(RunState::runState).orElse("Not Activated") + ": only a Running partition can be "
                    + "suspended.");
        }
        try {
            hypervisor.suspend(p.id(), stateFile(p), bandwidth, STREAM_TIMEOUT);
        } catch (IOException | IllegalStateException e) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " could not be "
                    + "suspended and runs on: " + e.getMessage());
        }
    }

    /** Serialised with activation by the caller: the capacity it checks is taken before anyone else looks. */
    void resume(Partition p) {
        movingRefused(p, "resumed");
        Hypervisor.SavedState saved = hypervisor.saved(p.id()).orElseThrow(() -> {
            LparState state = states.apply(p.id()).map(RunState::state).orElse(LparState.NOT_ACTIVATED);
            return refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " is "
                    + state.hmcName() + ": only a Suspended partition can be resumed.");
        });
        Allocation a = saved.allocation();
        Capacity c = sys.capacity();
        if (c.availMemMb() < a.memMb() || c.availProcUnits().compareTo(a.procUnits()) < 0) {
            throw refusal(ModelException.Kind.INSUFFICIENT_RESOURCES, p, "The partition " + p.name() + " needs "
                    + a.memMb() + " MB of memory and " + a.procUnits() + " processing units to resume; the managed "
                    + "system has " + c.availMemMb() + " MB and " + c.availProcUnits() + " available.");
        }
        try {
            PartitionNetwork.starting(network, saved.spec(), listening -> hypervisor.resume(p.id(), listening,
                    STREAM_TIMEOUT));
        } catch (IOException | LaunchException | RuntimeException e) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " could not be "
                    + "resumed and stays Suspended: " + e.getMessage());
        }
    }

    /** {@code chlparstate -o shutdown}: only of a Suspended partition, whose saved state is deleted. */
    void shutdown(Partition p) {
        movingRefused(p, "shut down");
        if (hypervisor.saved(p.id()).isEmpty()) {
            LparState state = states.apply(p.id()).map(RunState::state).orElse(LparState.NOT_ACTIVATED);
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " is "
                    + state.hmcName() + ": chlparstate shuts down only a Suspended partition (chsysstate -o "
                    + "shutdown shuts down an active one).");
        }
        try {
            hypervisor.discard(p.id());
        } catch (IOException e) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The saved state of partition " + p.name()
                    + " could not be deleted: " + e.getMessage());
        }
    }

    /** A Suspended partition that is moving to or arriving from another system is neither resumed nor shut down. */
    private void movingRefused(Partition p, String what) {
        LparState state = states.apply(p.id()).map(RunState::state).orElse(LparState.NOT_ACTIVATED);
        if (state == LparState.MIGRATING_NOT_ACTIVATED || state == LparState.MIGRATING_RUNNING) {
            throw refusal(ModelException.Kind.INVALID_STATE, p, "The partition " + p.name() + " is "
                    + state.hmcName() + ": it cannot be " + what + " while it moves between systems.");
        }
    }

    /** On the storage of the VIOS serving the partition's first disk, else in the home (see the class comment). */
    Path stateFile(Partition p) {
        // on a SAN LUN's reserved storage another system on the same SAN resumes it from there
        return (vios == null ? java.util.Optional.<Path>empty() : ScsiMobility.savedMemory(vios, p, stateFileName(p)))
                .orElseGet(() -> hypervisor.suspendDir().resolve(p.uuid() + ".state"));
    }

    /** The saved state file's name on VIOS storage: the partition's UUID, the same on every system. */
    static String stateFileName(Partition p) {
        return "parvirt-suspend-" + p.uuid() + ".state";
    }

    private static ModelException refusal(ModelException.Kind kind, Partition p, String sentence) {
        return ModelException.ofPartition(kind, p.name(), sentence);
    }
}
