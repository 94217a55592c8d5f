package io.parvirt.partition;

import io.parvirt.model.Allocation;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.LparState;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.Profile;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.system.ManagedSystem;
import io.parvirt.system.MemoryChange;
import io.parvirt.system.ProcessorChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * {@code rsthwres -r proc|mem|io}: brings a running partition's current resources back to the
 * profile it was activated with (its desired processors, units, weight, sharing mode, pool and
 * memory), after a DLPAR that failed half-way or a series of changes to be undone. Every partition's
 * steps are checked whole before any is carried out (a refusal changes nothing); each step then is
 * an ordinary DLPAR (logged, recorded as a {@code config_change}, and synchronised to the profile
 * where {@code sync_curr_profile=1}). Without a partition, every running partition is restored,
 * the ones that give resources back first.
 */
final class ResourceRestore {
    /** How long a guest has for each step (rsthwres has no {@code -w}; chhwres's default). */
    static final Duration WAIT = Duration.ofMinutes(5);

    private final ManagedSystem sys;
    private final GuestDlpar guest;
    private final ProcessorDlpar processors;
    private final MemoryDlpar memory;
    private final IntFunction<Optional<RunState>> states;

    ResourceRestore(ManagedSystem sys, GuestDlpar guest, ProcessorDlpar processors, MemoryDlpar memory,
            IntFunction<Optional<RunState>> states) {
        this.sys = sys;
        this.guest = guest;
        this.processors = processors;
        this.memory = memory;
        this.states = states;
    }

    /** One partition's checked steps; {@code gives} when it hands resources back (run before those that take). */
    private record Plan(Partition partition, List<Runnable> steps, boolean gives) {
    }

    /**
     * {@code partition} null: every Running partition (one still starting has no DLPAR to undo yet);
     * one refusal refuses the whole command, before anything changes.
     */
    void restore(Partition partition, PartitionOperations.RestoredResource kind, String user) {
        if (kind == PartitionOperations.RestoredResource.IO) {
            return; // no physical I/O slots are ever assigned here: nothing is out of line with a profile
        }
        List<Partition> targets = partition != null ? List.of(partition) : sys.definition().partitions().stream()
                .filter(p -> states.apply(p.id()).map(s -> s.allocation().isPresent()
                        && s.state() == LparState.RUNNING).orElse(false)).toList();
        List<Plan> plans = new ArrayList<>();
        for (Partition p : targets) {
            plans.add(kind == PartitionOperations.RestoredResource.PROC ? processors(p, user) : memory(p, user));
        }
        plans.sort(Comparator.comparing(pl -> !pl.gives()));
        for (Plan pl : plans) {
            pl.steps().forEach(Runnable::run);
        }
    }

    private Profile profile(Partition p) {
        String name = states.apply(p.id()).map(RunState::profile).orElse(p.defaultProfile());
        return sys.profile(p, name);
    }

    private Plan memory(Partition p, String user) {
        Allocation a = guest.running(p);
        long target = profile(p).memory().desiredMb();
        long delta = target - a.memMb();
        if (delta == 0) {
            return new Plan(p, List.of(), false);
        }
        MemoryChange.memory(sys.capacity(), sys.definition().lmbMb(), p, a, delta > 0, Math.abs(delta));
        return new Plan(p, List.of(() -> memory.change(p, new MemoryRequest.Change(delta > 0, Math.abs(delta),
                WAIT), user)), delta < 0);
    }

    private Plan processors(Partition p, String user) {
        Allocation a = guest.running(p);
        ProcessorSettings want = profile(p).processors();
        if (want.shared() == a.dedicated()) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The processors of partition " + p.name()
                    + " cannot be restored to its profile " + profile(p).name() + ": the profile's proc_mode "
                    + want.mode().hmcName() + " differs from the mode it runs in. Reactivate the partition instead.");
        }
        SystemDefinition def = sys.definition();
        List<Allocation> active = sys.activeAllocations();
        int vcpus = want.desiredProcs();
        ProcessorDlpar.Steps count = processors.plan(p, a, vcpus, a.dedicated() ? null : want.desiredUnits(), WAIT,
                user);
        List<Runnable> steps = new ArrayList<>(count.steps());
        Allocation now = count.result();
        List<Assignment> policy = new ArrayList<>();
        if (now.sharingMode() != want.sharingMode()) {
            policy.add(new Assignment("sharing_mode", Op.SET, want.sharingMode().hmcName()));
        }
        if (!a.dedicated() && now.uncapWeight() != want.uncapWeight()) {
            policy.add(new Assignment("uncap_weight", Op.SET, Integer.toString(want.uncapWeight())));
        }
        if (!policy.isEmpty()) {
            now = ProcessorChange.attributes(def, active, p, now, policy);
            steps.add(() -> processors.change(p, new ProcessorRequest.Attributes(policy), user));
        }
        if (!a.dedicated() && now.poolId() != want.poolId()) {
            SharedProcessorPool pool = def.pool(want.poolId()).orElseThrow();
            ProcessorChange.pool(def, active, p, now, pool);
            steps.add(() -> processors.change(p, new ProcessorRequest.Pool(pool), user));
        }
        boolean gives = vcpus < a.vcpus() || now.procUnits().compareTo(a.procUnits()) < 0;
        return new Plan(p, steps, gives);
    }
}
