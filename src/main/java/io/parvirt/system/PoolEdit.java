package io.parvirt.system;

import static io.parvirt.model.ModelException.Kind.GRANULARITY;
import static io.parvirt.model.ModelException.Kind.INVALID_STATE;
import static io.parvirt.model.ModelException.Kind.NAME_IN_USE;
import static io.parvirt.model.ModelException.Kind.NOT_SUPPORTED;
import static io.parvirt.model.ModelException.Kind.OUT_OF_RANGE;

import io.parvirt.model.Allocation;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.ModelException;
import io.parvirt.model.Names;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Profile;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import java.util.List;

/** {@code chhwres -r procpool -o s}: rename a pool and set its maximum and reserved capacity. */
final class PoolEdit {
    private PoolEdit() {
    }

    static SharedProcessorPool apply(SystemDefinition def, Capacity cap, List<Allocation> active,
            SharedProcessorPool pool, List<Assignment> attrs) {
        if (pool.isDefault()) {
            throw ModelException.of(NOT_SUPPORTED, "The default shared processor pool (DefaultPool, id 0) cannot be "
                    + "changed: its size is the system's shared capacity. Configure one of SharedPool01 to "
                    + "SharedPool63 instead.");
        }
        String name = pool.name();
        int max = pool.maxPoolProcUnits();
        ProcUnits reserved = pool.reservedPoolProcUnits();
        for (Assignment a : attrs) {
            switch (a.name()) {
                case "new_name" -> name = Names.poolName("new_name", a.value());
                case "max_pool_proc_units" -> {
                    ProcUnits u = ProcUnits.parse("max_pool_proc_units", a.value());
                    if (!u.isWhole()) {
                        throw new ModelException(GRANULARITY, "max_pool_proc_units", "The value " + Values.quote(a.value())
                                + " for attribute max_pool_proc_units is not valid: the maximum of a shared "
                                + "processor pool is a whole number of processors.");
                    }
                    max = u.hundredths() / 100;
                }
                case "reserved_pool_proc_units" -> reserved = ProcUnits.parse("reserved_pool_proc_units", a.value());
                default -> throw new ModelException(ModelException.Kind.UNKNOWN_ATTRIBUTE, a.name(), "The attribute "
                        + Values.quote(a.name()) + " is not a valid attribute for a shared processor pool: use "
                        + "new_name, max_pool_proc_units or reserved_pool_proc_units.");
            }
        }
        final String newName = name;
        if (!newName.equals(pool.name()) && def.pool(newName).isPresent()) {
            throw new ModelException(NAME_IN_USE, "new_name", "The shared processor pool name " + newName
                    + " is already in use. Choose a different name.");
        }
        if (ProcUnits.ofCores(max).compareTo(cap.configurableProcUnits()) > 0) {
            throw new ModelException(OUT_OF_RANGE, "max_pool_proc_units", "The value " + max + " for attribute "
                    + "max_pool_proc_units is larger than the configurable processing units of the managed system ("
                    + cap.configurableProcUnits() + ").");
        }
        if (reserved.compareTo(ProcUnits.ofCores(max)) > 0) {
            throw new ModelException(OUT_OF_RANGE, "reserved_pool_proc_units", "The value " + reserved + " for "
                    + "attribute reserved_pool_proc_units is larger than max_pool_proc_units (" + max + ").");
        }
        ProcUnits held = reserved;
        List<String> holders = new java.util.ArrayList<>();
        for (Allocation a : active) {
            if (!a.dedicated() && a.poolId() == pool.id()) {
                held = held.plus(a.procUnits());
                holders.add(def.partition(a.lparId()).map(p -> p.name()).orElse("id " + a.lparId()));
            }
        }
        if (held.compareTo(ProcUnits.ofCores(max)) > 0) {
            throw new ModelException(OUT_OF_RANGE, "max_pool_proc_units", "The value " + max + " for attribute "
                    + "max_pool_proc_units of shared processor pool " + pool.name() + " is below what the pool holds: "
                    + held + " processing units (reserved " + reserved + (holders.isEmpty() ? "" : " and the "
                    + "entitlements of running partitions " + String.join(", ", holders)) + ").");
        }
        ProcUnits moreReserved = reserved.minus(pool.reservedPoolProcUnits());
        if (moreReserved.compareTo(cap.availProcUnits()) > 0) {
            throw new ModelException(ModelException.Kind.INSUFFICIENT_RESOURCES, "reserved_pool_proc_units",
                    "There are not enough processing units available to reserve " + moreReserved + " more for shared "
                    + "processor pool " + pool.name() + ": the managed system has " + cap.availProcUnits()
                    + " available.");
        }
        if (max == 0) {
            for (Profile p : def.allProfiles()) {
                if (p.processors().shared() && p.processors().poolId() == pool.id()) {
                    throw new ModelException(INVALID_STATE, "max_pool_proc_units", "The shared processor pool "
                            + pool.name() + " cannot be set to max_pool_proc_units=0: profile " + p.name()
                            + " of partition " + def.partition(p.lparId()).orElseThrow().name() + " uses it.");
                }
            }
        }
        return new SharedProcessorPool(pool.id(), newName, max, reserved);
    }
}
