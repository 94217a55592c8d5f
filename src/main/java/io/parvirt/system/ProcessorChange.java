package io.parvirt.system;

import static io.parvirt.model.ModelException.Kind.INSUFFICIENT_RESOURCES;
import static io.parvirt.model.ModelException.Kind.INVALID_STATE;
import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.NOT_SUPPORTED;
import static io.parvirt.model.ModelException.Kind.OUT_OF_RANGE;
import static io.parvirt.model.ModelException.Kind.POOL_NOT_FOUND;
import static io.parvirt.model.ModelException.Kind.UNKNOWN_ATTRIBUTE;

import io.parvirt.model.Allocation;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SharingMode;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import java.util.List;

/**
 * Processor policy DLPAR on a running partition ({@code chhwres -r proc}): entitlement added,
 * removed or set, uncapped weight, sharing mode and shared processor pool. Each change is checked
 * whole against the partition's running minimum and maximum, 0.05 units per virtual processor,
 * the system's free units and the pools' maxima; a rejected change alters nothing.
 */
public final class ProcessorChange {
    private ProcessorChange() {
    }

    /** What {@code -o a|r|s} does with the units given. */
    public enum Op { ADD, REMOVE, SET }

    /** {@code -o a|r|s --procunits}: the entitlement after the operation, checked. */
    public static Allocation units(SystemDefinition def, Capacity cap, List<Allocation> active, Partition p,
            Allocation a, Op op, ProcUnits n) {
        requireShared(p, a, "--procunits");
        ProcUnits next = switch (op) {
            case ADD -> a.procUnits().plus(n);
            case REMOVE -> {
                if (n.compareTo(a.procUnits()) > 0) {
                    throw below(p, a, "0.0");
                }
                yield new ProcUnits(a.procUnits().hundredths() - n.hundredths());
            }
            case SET -> n;
        };
        var limits = a.limits();
        if (next.compareTo(limits.minUnits()) < 0) {
            throw below(p, a, next.toString());
        }
        if (next.compareTo(limits.maxUnits()) > 0) {
            throw new ModelException(OUT_OF_RANGE, "proc_units", "The processing units of partition " + p.name()
                    + " would be " + next + ", above its current maximum of " + limits.maxUnits() + " (curr_max_proc_units). "
                    + "Change max_proc_units in the profile and reactivate to go higher.");
        }
        if (next.compareTo(ProcUnits.MIN_PER_VP.times(a.vcpus())) < 0) {
            throw new ModelException(OUT_OF_RANGE, "proc_units", "The processing units of partition " + p.name()
                    + " would be " + next + ": each of its " + a.vcpus() + " virtual processors needs at least "
                    + ProcUnits.MIN_PER_VP + " units (minimum " + ProcUnits.MIN_PER_VP.times(a.vcpus()) + ").");
        }
        if (next.compareTo(ProcUnits.ofCores(a.vcpus())) > 0) {
            throw new ModelException(OUT_OF_RANGE, "proc_units", "The processing units of partition " + p.name()
                    + " would be " + next + ", more than its " + a.vcpus() + " virtual processors can use (1.0 each).");
        }
        ProcUnits more = next.minus(a.procUnits());
        if (more.compareTo(cap.availProcUnits()) > 0) {
            throw ModelException.of(INSUFFICIENT_RESOURCES, "There are not enough processing units available to add "
                    + more + " to partition " + p.name() + ": the managed system has " + cap.availProcUnits()
                    + " available (curr_avail_sys_proc_units).");
        }
        ProcUnits room = Capacity.poolRoom(def, active, a.poolId());
        if (more.compareTo(room) > 0) {
            throw ModelException.of(INSUFFICIENT_RESOURCES, "Adding " + more + " processing units to partition "
                    + p.name() + " would exceed max_pool_proc_units of shared processor pool "
                    + def.pool(a.poolId()).orElseThrow().name() + ", which has " + room + " units left.");
        }
        return a.withUnits(next);
    }

    /**
     * {@code -o a|r --procs N}: the virtual processors (shared) or dedicated cores after the
     * operation, checked against curr_min_procs/curr_max_procs, 0.05..1.0 units per virtual
     * processor (a shared partition's entitlement stays), and for cores the system's free ones.
     */
    public static Allocation procs(Capacity cap, Partition p, Allocation a, Op op, int n) {
        if (n <= 0) {
            throw new ModelException(OUT_OF_RANGE, "procs", "The value " + n + " for --procs is not valid: give a "
                    + "whole number of processors greater than 0.");
        }
        int next = switch (op) {
            case ADD -> a.vcpus() + n;
            case REMOVE -> a.vcpus() - n;
            case SET -> n;
        };
        String what = a.dedicated() ? "dedicated processors" : "virtual processors";
        var limits = a.limits();
        if (next < limits.minProcs()) {
            throw new ModelException(OUT_OF_RANGE, "procs", "The partition " + p.name() + " would have " + next + " "
                    + what + ", below its current minimum of " + limits.minProcs() + " (curr_min_procs); it has "
                    + a.vcpus() + ".");
        }
        if (next > limits.maxProcs()) {
            throw new ModelException(OUT_OF_RANGE, "procs", "The partition " + p.name() + " would have " + next + " "
                    + what + ", above its current maximum of " + limits.maxProcs() + " (curr_max_procs); it has "
                    + a.vcpus() + ". Change max_procs in the profile and reactivate to go higher.");
        }
        if (a.dedicated()) {
            int more = next - a.vcpus();
            if (more > 0 && ProcUnits.ofCores(more).compareTo(cap.availProcUnits()) > 0) {
                throw ModelException.of(INSUFFICIENT_RESOURCES, "There are not enough processors available to add "
                        + more + " to partition " + p.name() + ": the managed system has " + cap.availProcUnits()
                        + " processing units available (curr_avail_sys_proc_units), and dedicated processors are "
                        + "whole cores.");
            }
            return a.withVcpus(next);
        }
        if (a.procUnits().compareTo(ProcUnits.MIN_PER_VP.times(next)) < 0) {
            throw new ModelException(OUT_OF_RANGE, "procs", "The partition " + p.name() + " cannot have " + next
                    + " virtual processors with " + a.procUnits() + " processing units: each needs at least "
                    + ProcUnits.MIN_PER_VP + " (" + ProcUnits.MIN_PER_VP.times(next) + " in all). Add processing "
                    + "units first (--procunits).");
        }
        if (a.procUnits().compareTo(ProcUnits.ofCores(next)) > 0) {
            throw new ModelException(OUT_OF_RANGE, "procs", "The partition " + p.name() + " cannot have " + next
                    + " virtual processors with " + a.procUnits() + " processing units: a virtual processor uses "
                    + "at most 1.0. Remove processing units first (--procunits).");
        }
        return a.withVcpus(next);
    }

    /** {@code -o s -a "uncap_weight=W,sharing_mode=M,shared_proc_pool_id=N|shared_proc_pool_name=P"}. */
    public static Allocation attributes(SystemDefinition def, List<Allocation> active, Partition p, Allocation a,
            List<Assignment> attrs) {
        Allocation next = a;
        for (Assignment at : attrs) {
            switch (at.name()) {
                case "uncap_weight" -> {
                    requireShared(p, a, "uncap_weight");
                    next = next.withWeight(Values.parseInt("uncap_weight", at.value(), 0, 255));
                }
                case "sharing_mode" -> {
                    SharingMode m = Values.parseEnum("sharing_mode", at.value(), SharingMode.class);
                    if (m.forShared() == a.dedicated()) {
                        throw new ModelException(INVALID_VALUE, "sharing_mode", "The value " + at.value()
                                + " for attribute sharing_mode is not valid for partition " + p.name() + ", which uses "
                                + (a.dedicated() ? "dedicated processors: use keep_idle_procs, share_idle_procs, "
                                + "share_idle_procs_active or share_idle_procs_always."
                                : "shared processors: use cap or uncap."));
                    }
                    next = next.withSharingMode(m);
                }
                case "shared_proc_pool_id", "shared_proc_pool_name" -> {
                    requireShared(p, a, at.name());
                    SharedProcessorPool pool = at.name().endsWith("_id")
                            ? def.pool(Values.parseInt(at.name(), at.value(), 0, 63)).orElseThrow()
                            : def.pool(at.value()).orElseThrow(() -> ModelException.of(POOL_NOT_FOUND, "The shared "
                                    + "processor pool named " + Values.quote(at.value()) + " was not found."));
                    next = next.withPool(pool(def, active, p, a, pool));
                }
                default -> throw new ModelException(UNKNOWN_ATTRIBUTE, at.name(), "The attribute "
                        + Values.quote(at.name()) + " cannot be changed with chhwres -r proc -o s: use uncap_weight, "
                        + "sharing_mode, shared_proc_pool_id or shared_proc_pool_name.");
            }
        }
        return next;
    }

    /** Moving a running partition to another pool: the pool must be usable and have room for its entitlement. */
    public static int pool(SystemDefinition def, List<Allocation> active, Partition p, Allocation a,
            SharedProcessorPool target) {
        requireShared(p, a, "shared_proc_pool_id");
        if (target.id() == a.poolId()) {
            return target.id();
        }
        if (!target.usable()) {
            throw new ModelException(INVALID_STATE, "shared_proc_pool_id", "The shared processor pool " + target.name()
                    + " has max_pool_proc_units=0 and cannot hold partitions. Set its maximum with chhwres -r procpool "
                    + "first.");
        }
        ProcUnits room = Capacity.poolRoom(def, active, target.id());
        if (a.procUnits().compareTo(room) > 0) {
            throw ModelException.of(INSUFFICIENT_RESOURCES, "Partition " + p.name() + " cannot move to shared "
                    + "processor pool " + target.name() + ": its " + a.procUnits() + " processing units exceed the "
                    + room + " units the pool has left below max_pool_proc_units.");
        }
        return target.id();
    }

    private static void requireShared(Partition p, Allocation a, String what) {
        if (a.dedicated()) {
            throw new ModelException(NOT_SUPPORTED, what, "The partition " + p.name() + " uses dedicated processors: "
                    + what + " applies only to shared processor partitions.");
        }
    }

    private static ModelException below(Partition p, Allocation a, String next) {
        return new ModelException(OUT_OF_RANGE, "proc_units", "The processing units of partition " + p.name()
                + " would be " + next + ", below its current minimum of " + a.limits().minUnits()
                + " (curr_min_proc_units).");
    }
}
