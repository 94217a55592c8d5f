package io.parvirt.model;

import static io.parvirt.model.ModelException.Kind.GRANULARITY;
import static io.parvirt.model.ModelException.Kind.INVALID_REFERENCE;
import static io.parvirt.model.ModelException.Kind.INVALID_VALUE;
import static io.parvirt.model.ModelException.Kind.ORDERING;
import static io.parvirt.model.ModelException.Kind.OUT_OF_RANGE;
import static io.parvirt.model.ModelException.Kind.SLOT_CONFLICT;

import java.util.HashSet;
import java.util.Set;

/**
 * The PowerVM rules a profile must satisfy (reference §3): min ≤ desired ≤ max, memory in whole
 * LMBs, processing units per virtual processor between 0.05 and 1.00, unique virtual slots below
 * {@code max_virtual_slots}, and references to partitions that exist.
 */
public final class ProfileRules {
    private ProfileRules() {
    }

    public static void check(Profile p, LparEnv env, SystemContext ctx) {
        memory(p.memory(), ctx.lmbMb());
        processors(p.processors());
        slots(p.io());
        references(p, env, ctx);
    }

    private static void memory(MemorySettings m, long lmb) {
        granular("min_mem", m.minMb(), lmb);
        granular("desired_mem", m.desiredMb(), lmb);
        granular("max_mem", m.maxMb(), lmb);
        if (m.minMb() < lmb) {
            throw new ModelException(OUT_OF_RANGE, "min_mem", "The value " + m.minMb() + " for attribute min_mem "
                    + "is too small: a partition needs at least one memory region of " + lmb + " MB.");
        }
        ordered("mem", m.minMb(), m.desiredMb(), m.maxMb(), String::valueOf);
        long factor = m.minMb() < 256 ? 16 : 64;
        if (m.maxMb() > m.minMb() * factor) {
            throw new ModelException(OUT_OF_RANGE, "max_mem", "The value " + m.maxMb() + " for attribute max_mem "
                    + "is too large: the maximum memory may be at most " + factor + " times min_mem (" + m.minMb()
                    + " MB).");
        }
    }

    private static void granular(String attr, long mb, long lmb) {
        if (mb % lmb != 0) {
            throw new ModelException(GRANULARITY, attr, "The value " + mb + " for attribute " + attr + " is not a "
                    + "multiple of the memory region size (" + lmb + " MB).");
        }
    }

    private static <T extends Comparable<T>> void ordered(String suffix, T min, T desired, T max,
            java.util.function.Function<T, String> show) {
        if (min.compareTo(desired) > 0) {
            throw new ModelException(ORDERING, "min_" + suffix, "The value " + show.apply(min) + " for attribute min_"
                    + suffix + " is greater than desired_" + suffix + " (" + show.apply(desired) + "): minimum, "
                    + "desired and maximum must satisfy min <= desired <= max.");
        }
        if (desired.compareTo(max) > 0) {
            throw new ModelException(ORDERING, "desired_" + suffix, "The value " + show.apply(desired)
                    + " for attribute desired_" + suffix + " is greater than max_" + suffix + " (" + show.apply(max)
                    + "): minimum, desired and maximum must satisfy min <= desired <= max.");
        }
    }

    private static void processors(ProcessorSettings c) {
        ordered("procs", c.minProcs(), c.desiredProcs(), c.maxProcs(), Object::toString);
        if (!c.shared()) {
            if (c.sharingMode().forShared()) {
                throw new ModelException(INVALID_VALUE, "sharing_mode", "The value " + c.sharingMode().hmcName()
                        + " for attribute sharing_mode applies only to shared processors: a partition with "
                        + "proc_mode=ded uses keep_idle_procs or a share_idle_procs mode.");
            }
            return;
        }
        if (!c.sharingMode().forShared()) {
            throw new ModelException(INVALID_VALUE, "sharing_mode", "The value " + c.sharingMode().hmcName()
                    + " for attribute sharing_mode applies only to dedicated processors: a partition with "
                    + "proc_mode=shared uses cap or uncap.");
        }
        ordered("proc_units", c.minUnits(), c.desiredUnits(), c.maxUnits(), ProcUnits::toString);
        perVp("min", c.minUnits(), c.minProcs());
        perVp("desired", c.desiredUnits(), c.desiredProcs());
        perVp("max", c.maxUnits(), c.maxProcs());
    }

    /** ceil(units) <= procs <= units / 0.05: a VP gets at least 0.05 and at most one whole core. */
    private static void perVp(String level, ProcUnits units, int procs) {
        if (units.compareTo(ProcUnits.MIN_PER_VP.times(procs)) < 0) {
            throw new ModelException(OUT_OF_RANGE, level + "_proc_units", "The value " + units + " for attribute "
                    + level + "_proc_units is too small for " + level + "_procs=" + procs + ": each virtual "
                    + "processor needs at least " + ProcUnits.MIN_PER_VP + " processing units.");
        }
        if (units.compareTo(ProcUnits.ofCores(procs)) > 0) {
            throw new ModelException(OUT_OF_RANGE, level + "_proc_units", "The value " + units + " for attribute "
                    + level + "_proc_units is too large for " + level + "_procs=" + procs + ": a virtual processor "
                    + "can use at most 1.0 processing units.");
        }
    }

    private static void slots(VirtualIo io) {
        Set<Integer> used = new HashSet<>();
        for (VirtualAdapter a : io.all()) {
            String attr = attrOf(a);
            if (a.slot() >= io.maxVirtualSlots()) {
                throw new ModelException(OUT_OF_RANGE, attr, "The virtual slot number " + a.slot() + " in attribute "
                        + attr + " is not valid: slot numbers must be below max_virtual_slots ("
                        + io.maxVirtualSlots() + ").");
            }
            if (!used.add(a.slot())) {
                throw new ModelException(SLOT_CONFLICT, attr, "The virtual slot number " + a.slot()
                        + " in attribute " + attr + " is already used by another virtual adapter: each adapter "
                        + "needs its own slot.");
            }
            if (!(a instanceof VirtualSerialAdapter) && a.slot() < 2) {
                throw new ModelException(OUT_OF_RANGE, attr, "The virtual slot number " + a.slot() + " in attribute "
                        + attr + " is reserved for the virtual serial (console) adapters.");
            }
        }
    }

    static String attrOf(VirtualAdapter a) {
        return switch (a) {
            case VirtualSerialAdapter s -> VirtualSerialAdapter.ATTR;
            case VirtualScsiAdapter s -> VirtualScsiAdapter.ATTR;
            case VirtualEthernetAdapter e -> VirtualEthernetAdapter.ATTR;
            case VirtualFcAdapter f -> VirtualFcAdapter.ATTR;
        };
    }

    private static void references(Profile p, LparEnv env, SystemContext ctx) {
        boolean vios = env == LparEnv.VIOSERVER;
        for (VirtualEthernetAdapter e : p.io().eth()) {
            if (e.isTrunk() && !vios) {
                throw new ModelException(INVALID_VALUE, VirtualEthernetAdapter.ATTR, "The virtual Ethernet adapter in "
                        + "slot " + e.slot() + " has trunk_priority " + e.trunkPriority() + ", but only a Virtual I/O "
                        + "Server partition may have trunk adapters: use trunk_priority 0.");
            }
            if (!ctx.vswitches().contains(e.vswitch())) {
                throw new ModelException(INVALID_REFERENCE, VirtualEthernetAdapter.ATTR, "The virtual Ethernet "
                        + "adapter in slot " + e.slot() + " names virtual switch " + e.vswitch() + ", which does not "
                        + "exist: create it with chhwres -r virtualio --rsubtype vswitch -o a --vswitch "
                        + e.vswitch() + ", or use one of " + String.join(", ", ctx.vswitches()) + ".");
            }
        }
        for (VirtualScsiAdapter s : p.io().scsi()) {
            pair(VirtualScsiAdapter.ATTR, s.slot(), s.type(), s.remote(), vios, p.lparId(), ctx);
        }
        for (VirtualFcAdapter f : p.io().fc()) {
            pair(VirtualFcAdapter.ATTR, f.slot(), f.type(), f.remote(), vios, p.lparId(), ctx);
        }
        for (VirtualSerialAdapter s : p.io().serial()) {
            if (s.remote().namesPartition() && !s.remote().anyPartition()) {
                remotePartition(VirtualSerialAdapter.ATTR, s.slot(), s.remote(), p.lparId(), ctx);
            }
        }
        for (int id : p.options().powerCtrlLparIds()) {
            if (ctx.partition(id).isEmpty()) {
                throw new ModelException(INVALID_REFERENCE, "power_ctrl_lpar_ids", "The partition with id " + id
                        + " in attribute power_ctrl_lpar_ids does not exist.");
            }
        }
    }

    private static void pair(String attr, int slot, AdapterType type, RemoteRef remote, boolean vios, int self,
            SystemContext ctx) {
        if (type == AdapterType.SERVER && !vios) {
            throw new ModelException(INVALID_VALUE, attr, "The server adapter in slot " + slot + " of attribute "
                    + attr + " is not allowed: only a Virtual I/O Server partition (lpar_env=vioserver) may have "
                    + "server adapters.");
        }
        if (!remote.namesPartition() || remote.anyPartition()) {
            return;
        }
        Partition other = remotePartition(attr, slot, remote, self, ctx);
        if (type == AdapterType.CLIENT && other.env() != LparEnv.VIOSERVER) {
            throw new ModelException(INVALID_REFERENCE, attr, "The client adapter in slot " + slot + " of attribute "
                    + attr + " names partition " + other.name() + ", which is not a Virtual I/O Server.");
        }
    }

    private static Partition remotePartition(String attr, int slot, RemoteRef remote, int self, SystemContext ctx) {
        Partition byId = remote.lparId() == null ? null : ctx.partition(remote.lparId()).orElseThrow(() ->
                new ModelException(INVALID_REFERENCE, attr, "The adapter in slot " + slot + " of attribute " + attr
                        + " names remote partition id " + remote.lparId() + ", which does not exist."));
        Partition byName = remote.lparName().isEmpty() ? null : ctx.partition(remote.lparName()).orElseThrow(() ->
                new ModelException(INVALID_REFERENCE, attr, "The adapter in slot " + slot + " of attribute " + attr
                        + " names remote partition " + Values.quote(remote.lparName()) + ", which does not exist."));
        if (byId != null && byName != null && byId.id() != byName.id()) {
            throw new ModelException(INVALID_REFERENCE, attr, "The adapter in slot " + slot + " of attribute " + attr
                    + " names remote partition id " + remote.lparId() + " and name " + Values.quote(remote.lparName())
                    + ", which are different partitions.");
        }
        Partition other = byId != null ? byId : byName;
        if (other.id() == self) {
            throw new ModelException(INVALID_REFERENCE, attr, "The adapter in slot " + slot + " of attribute " + attr
                    + " names its own partition as the remote partition.");
        }
        if (remote.slot() != null && remote.slot() >= ctx.maxVirtualSlots(other.id())) {
            throw new ModelException(INVALID_REFERENCE, attr, "The adapter in slot " + slot + " of attribute " + attr
                    + " names remote slot " + remote.slot() + ", but partition " + other.name() + " has only "
                    + ctx.maxVirtualSlots(other.id()) + " virtual slots.");
        }
        return other;
    }
}
