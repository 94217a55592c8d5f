package io.parvirt.partition;

import io.parvirt.dispatch.Dispatcher;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.model.Allocation;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemDefinition;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import io.parvirt.system.ProcessorChange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Processor DLPAR of running partitions: each change checked whole by {@link ProcessorChange},
 * recorded beside the partition before it takes effect (a re-adopting daemon keeps it), logged,
 * and handed to the dispatcher at once.
 */
final class ProcessorDlpar {
    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final Dispatcher dispatcher;
    private final GuestDlpar guest;
    private final ConfigChanges changes;

    ProcessorDlpar(ManagedSystem sys, Hypervisor hypervisor, Dispatcher dispatcher, GuestDlpar guest,
            ConfigChanges changes) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.dispatcher = dispatcher;
        this.guest = guest;
        this.changes = changes;
    }

    void change(Partition p, ProcessorRequest request, String user) {
        SystemDefinition def = sys.definition();
        switch (request) {
            case ProcessorRequest.Units u -> apply(p, a -> ProcessorChange.units(def, sys.capacity(),
                    sys.activeAllocations(), p, a, u.op(), u.units()), user, switch (u.op()) {
                        case ADD -> "added ";
                        case REMOVE -> "removed ";
                        case SET -> "set to ";
                    } + u.units() + " processing units");
            case ProcessorRequest.Attributes at -> apply(p, a -> ProcessorChange.attributes(def,
                    sys.activeAllocations(), p, a, at.attributes()), user, "processor attributes set: " + at.text());
            case ProcessorRequest.Pool pool -> apply(p, a -> a.withPool(ProcessorChange.pool(def,
                    sys.activeAllocations(), p, a, pool.pool())), user, "moved to shared processor pool "
                    + pool.pool().name());
            case ProcessorRequest.MoveUnits m -> moveUnits(p, m.target(), m.units(), user);
            case ProcessorRequest.Procs n -> guest.run(p, a -> ProcessorChange.procs(sys.capacity(), p, a, n.op(),
                    n.procs()), n.timeout(), user, (n.op() == ProcessorChange.Op.ADD ? "added " : "removed ")
                    + processors(p, n.procs()));
            case ProcessorRequest.MoveProcs m -> moveProcs(p, m.target(), m.procs(), m.timeout(), user);
            case ProcessorRequest.SetProcs set -> plan(p, guest.running(p), set.procs(), set.units(), set.timeout(),
                    user).steps().forEach(Runnable::run);
        }
    }

    /** Checked steps that bring a partition to a processor count and entitlement, and what it will hold then. */
    record Steps(Allocation result, List<Runnable> steps) {
    }

    /**
     * {@code -o s --procs N [--procunits X]} and {@code rsthwres}: {@code vcpus} processors and
     * {@code units} (null: as they are), checked whole before anything changes. Units and virtual
     * processors go in the order whose step in between is valid (0.05..1.0 units per VP): an
     * entitlement that the old count cannot carry waits until the processors have changed.
     */
    Steps plan(Partition p, Allocation a, int vcpus, ProcUnits units, java.time.Duration wait, String user) {
        SystemDefinition def = sys.definition();
        Capacity cap = sys.capacity();
        List<Allocation> active = sys.activeAllocations();
        List<Runnable> steps = new ArrayList<>();
        Runnable setUnits = () -> change(p, new ProcessorRequest.Units(ProcessorChange.Op.SET, units), user);
        Runnable setProcs = () -> change(p, new ProcessorRequest.Procs(vcpus > a.vcpus() ? ProcessorChange.Op.ADD
                : ProcessorChange.Op.REMOVE, Math.abs(vcpus - a.vcpus()), wait), user);
        Allocation result;
        if (units == null || (!a.dedicated() && units.equals(a.procUnits()))) {
            result = ProcessorChange.procs(cap, p, a, ProcessorChange.Op.SET, vcpus);
        } else {
            Allocation unitsFirst = orNull(() -> ProcessorChange.units(def, cap, active, p, a, ProcessorChange.Op.SET,
                    units));
            Allocation both = unitsFirst == null ? null
                    : orNull(() -> ProcessorChange.procs(cap, p, unitsFirst, ProcessorChange.Op.SET, vcpus));
            if (both != null) {
                result = both;
                steps.add(setUnits);
            } else {
                // the other order, whose refusal (if it is refused too) names the figures
                result = ProcessorChange.units(def, cap, active, p, ProcessorChange.procs(cap, p, a,
                        ProcessorChange.Op.SET, vcpus), ProcessorChange.Op.SET, units);
            }
        }
        if (vcpus != a.vcpus()) {
            steps.add(setProcs);
        }
        if (units != null && !steps.contains(setUnits) && !result.procUnits().equals(a.procUnits())
                && !a.dedicated()) {
            steps.add(setUnits);
        }
        return new Steps(result, steps);
    }

    private static Allocation orNull(java.util.function.Supplier<Allocation> check) {
        try {
            return check.get();
        } catch (ModelException e) {
            return null;
        }
    }

    private String processors(Partition p, int n) {
        boolean dedicated = guest.running(p).dedicated();
        return n + (dedicated ? " dedicated processor" : " virtual processor") + (n == 1 ? "" : "s");
    }

    /**
     * {@code -o m --procs}: both sides are checked first (the target as if the source's processors
     * were already free); then the source lets them go and the target takes them. If the target's
     * guest fails, the source gets them back.
     */
    private void moveProcs(Partition from, Partition to, int n, java.time.Duration wait, String user) {
        Allocation a = guest.running(from);
        Allocation b = guest.running(to);
        Capacity cap = sys.capacity();
        Allocation fromNext = ProcessorChange.procs(cap, from, a, ProcessorChange.Op.REMOVE, n);
        ProcessorChange.procs(withFreed(cap, a.procUnits().minus(fromNext.procUnits()), 0), to, b,
                ProcessorChange.Op.ADD, n);
        guest.run(from, x -> ProcessorChange.procs(sys.capacity(), from, x, ProcessorChange.Op.REMOVE, n), wait, user,
                "moved " + processors(from, n) + " to " + to.name());
        try {
            guest.run(to, x -> ProcessorChange.procs(sys.capacity(), to, x, ProcessorChange.Op.ADD, n), wait, user,
                    "received " + processors(to, n) + " from " + from.name());
        } catch (ModelException e) {
            guest.run(from, x -> ProcessorChange.procs(sys.capacity(), from, x, ProcessorChange.Op.ADD, n), wait,
                    user, "took back " + processors(from, n) + " that " + to.name() + " could not take");
            throw e;
        }
    }

    /** The system's capacity with {@code units} and {@code memMb} more free (what a move's source releases). */
    static Capacity withFreed(Capacity c, ProcUnits units, long memMb) {
        return new Capacity(c.installedProcUnits(), c.configurableProcUnits(), c.availProcUnits().plus(units),
                c.installedMemMb(), c.configurableMemMb(), c.firmwareMemMb(), c.availMemMb() + memMb);
    }

    /** {@code -o m}: units leave one partition and join another, both checked before either changes. */
    private void moveUnits(Partition from, Partition to, ProcUnits n, String user) {
        Allocation a = require(from);
        Allocation b = require(to);
        SystemDefinition def = sys.definition();
        Allocation fromNext = ProcessorChange.units(def, sys.capacity(), sys.activeAllocations(), from, a,
                ProcessorChange.Op.REMOVE, n);
        List<Allocation> after = new ArrayList<>();
        for (Allocation x : sys.activeAllocations()) {
            after.add(x.lparId() == from.id() ? fromNext : x);
        }
        Capacity freed = sys.capacity();
        Capacity withFreed = new Capacity(freed.installedProcUnits(), freed.configurableProcUnits(),
                freed.availProcUnits().plus(n), freed.installedMemMb(), freed.configurableMemMb(),
                freed.firmwareMemMb(), freed.availMemMb());
        ProcessorChange.units(def, withFreed, after, to, b, ProcessorChange.Op.ADD, n);
        apply(from, x -> fromNext, user, "moved " + n + " processing units to " + to.name());
        apply(to, x -> ProcessorChange.units(def, withFreed, after, to, x, ProcessorChange.Op.ADD, n), user,
                "received " + n + " processing units from " + from.name());
    }

    private Allocation require(Partition p) {
        return (hypervisor == null ? java.util.Optional.<Allocation>empty()
                : hypervisor.supervisor(p.id()).map(s -> s.status().allocation()))
                .orElseThrow(() -> ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name()
                        + " is not running: processor resources can be changed dynamically only on a running "
                        + "partition. Change its profile with chsyscfg -r prof instead."));
    }

    /** Applies a checked change to a running partition, logs it, and has the dispatcher act on it now. */
    private void apply(Partition p, UnaryOperator<Allocation> edit, String user, String what) {
        require(p);
        // The check and the change run under the hypervisor's lock: two changes never both take the
        // same free units.
        try {
            hypervisor.change(p.id(), edit);
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The change to partition " + p.name()
                    + " could not be recorded: " + e.getMessage());
        } catch (IllegalStateException e) {
            require(p); // it stopped meanwhile: say so as for any partition that is not running
            throw e;
        }
        sys.logEvent(user == null ? "hmc" : user, "dlpar", "Partition " + p.name() + " (id " + p.id() + "): " + what);
        wake();
        changes.changed(p.id());
    }

    void wake() {
        if (dispatcher != null) {
            dispatcher.wake();
        }
    }
}
