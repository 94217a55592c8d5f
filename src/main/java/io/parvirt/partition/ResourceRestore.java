package io.parvirt.partition;

import io.parvirt.model.Allocation;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.Profile;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.system.Capacity;
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

    /** {@code partition} null: every running partition. */
    void restore(Partition partition, PartitionOperations.RestoredResource kind, String user) {
        if (kind == PartitionOperations.RestoredResource.IO) {
            return; // no physical I/O slots are ever assigned here: nothing is out of line with a profile
        }
        List<Partition> targets = partition != null ? List.of(partition) : sys.definition().partitions().stream()
                .filter(p -> states.apply(p.id()).map(s -> s.allocation().isPresent() && s.state().active())
                        .orElse(false)).toList();
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
        Capacity cap = sys.capacity();
        List<Allocation> active = sys.activeAllocations();
        int vcpus = want.desiredProcs();
        List<Runnable> steps = new ArrayList<>();
        Allocation now = a;
        if (!a.dedicated() && !a.procUnits().equals(want.desiredUnits())) {
            // Units and processors go in the order whose step in between is valid (0.05..1.0 units per VP).
            ProcUnits units = want.desiredUnits();
            Allocation unitsFirst = tryUnits(def, cap, active, p, a, units);
            boolean first = unitsFirst != null && tryProcs(cap, p, unitsFirst, vcpus) != null;
            if (first) {
                now = ProcessorChange.procs(cap, p, unitsFirst, ProcessorChange.Op.SET, vcpus);
                steps.add(() -> processors.change(p, new ProcessorRequest.Units(ProcessorChange.Op.SET, units), user));
                addProcs(steps, p, a.vcpus(), vcpus, user);
            } else {
                Allocation procsFirst = ProcessorChange.procs(cap, p, a, ProcessorChange.Op.SET, vcpus);
                now = ProcessorChange.units(def, cap, active, p, procsFirst, ProcessorChange.Op.SET, units);
                addProcs(steps, p, a.vcpus(), vcpus, user);
                steps.add(() -> processors.change(p, new ProcessorRequest.Units(ProcessorChange.Op.SET, units), user));
            }
        } else {
            now = ProcessorChange.procs(cap, p, a, ProcessorChange.Op.SET, vcpus);
            addProcs(steps, p, a.vcpus(), vcpus, user);
        }
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

    private void addProcs(List<Runnable> steps, Partition p, int from, int to, String user) {
        if (from != to) {
            ProcessorChange.Op op = to > from ? ProcessorChange.Op.ADD : ProcessorChange.Op.REMOVE;
            steps.add(() -> processors.change(p, new ProcessorRequest.Procs(op, Math.abs(to - from), WAIT), user));
        }
    }

    private static Allocation tryUnits(SystemDefinition def, Capacity cap, List<Allocation> active, Partition p,
            Allocation a, ProcUnits units) {
        try {
            return ProcessorChange.units(def, cap, active, p, a, ProcessorChange.Op.SET, units);
        } catch (ModelException e) {
            return null;
        }
    }

    private static Allocation tryProcs(Capacity cap, Partition p, Allocation a, int vcpus) {
        try {
            return ProcessorChange.procs(cap, p, a, ProcessorChange.Op.SET, vcpus);
        } catch (ModelException e) {
            return null;
        }
    }
}
