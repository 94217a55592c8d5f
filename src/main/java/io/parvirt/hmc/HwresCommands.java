package io.parvirt.hmc;

import io.parvirt.hmc.command.HwresCommand;
import io.parvirt.hmc.command.HwresCommand.ChangeMemory;
import io.parvirt.hmc.command.HwresCommand.ChangeProcessors;
import io.parvirt.hmc.command.HwresCommand.ListHwres;
import io.parvirt.hmc.command.HwresCommand.MoveToPool;
import io.parvirt.hmc.command.HwresCommand.Resource;
import io.parvirt.model.Allocation;
import io.parvirt.model.HptRatio;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.partition.MemoryRequest;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.ProcessorRequest;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import io.parvirt.system.ProcessorChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code lshwres -r proc|mem|procpool|virtualio} and the {@code chhwres} forms that change a
 * running partition: {@code -r proc} (processor DLPAR: entitlement, weight, sharing mode, pool,
 * virtual processors or cores), {@code -r mem} (memory DLPAR) and {@code -r procpool -o s -p LPAR}
 * (moving it to another pool), carried out by {@link PartitionOperations}.
 */
final class HwresCommands {
    private final ManagedSystem sys;
    private final PartitionOperations operations;

    HwresCommands(ManagedSystem sys, PartitionOperations operations) {
        this.sys = sys;
        this.operations = operations;
    }

    /** The allocation of a running (or starting) partition, else null (what the views take). */
    private Allocation running(int lparId) {
        return operations.allocation(lparId).orElse(null);
    }

    HmcResult list(ListHwres c) {
        Systems.check(sys, c.system());
        SystemDefinition def = sys.definition();
        Filter f = new Filter(c.filter().values());
        String fields = c.format().fields();
        boolean header = c.format().header();
        if (c.resource() == Resource.VIRTUALIO) {
            return virtualio(c, def, f);
        }
        if (c.resource() == Resource.IO || c.resource() == Resource.MEMPOOL) {
            // No physical I/O slots are assigned and no shared memory pool exists: the HMC's empty answer.
            return Listing.render(List.of(), fields, header, c.resource() == Resource.IO ? HwresView.IO_SLOT
                    : HwresView.MEMPOOL);
        }
        if (c.resource() == Resource.PROCPOOL) {
            List<Row> rows = new ArrayList<>();
            for (SharedProcessorPool p : def.pools()) {
                if (matches(f.get("pool_names"), p.name()) && matches(f.get("pool_ids"), Integer.toString(p.id()))) {
                    rows.add(HwresView.procpool(def, p, this::running));
                }
            }
            return Listing.render(rows, fields, header, HwresView.PROCPOOL);
        }
        Capacity cap = sys.capacity();
        boolean proc = c.resource() == Resource.PROC;
        switch (c.level()) {
            case "sys" -> {
                if (proc) {
                    return Listing.render(List.of(HwresView.procSys(cap)), fields, header, HwresView.PROC_SYS);
                }
                if (c.maxMemMb() != null) {
                    HptRatio ratio = c.hptRatio() != null ? c.hptRatio() : def.settings().defaultHptRatio();
                    return Listing.render(List.of(HwresView.memRequired(c.maxMemMb(), ratio)), fields, header,
                            Set.of("required_partition_mem"));
                }
                return Listing.render(List.of(HwresView.memSys(cap, def.lmbMb())), fields, header, HwresView.MEM_SYS);
            }
            case "pool" -> {
                return Listing.render(List.of(HwresView.procPool(cap, sys.activeAllocations())), fields, header,
                        HwresView.PROC_POOL);
            }
            default -> {
                List<Row> rows = new ArrayList<>();
                for (Partition p : SyscfgCommands.partitions(def, f)) {
                    rows.add(proc ? HwresView.procLpar(def, p, running(p.id()))
                            : HwresView.memLpar(def, p, running(p.id())));
                }
                return Listing.render(rows, fields, header, proc ? HwresView.PROC_LPAR : HwresView.MEM_LPAR);
            }
        }
    }

    /**
     * {@code lshwres -r virtualio --rsubtype eth|scsi --level lpar} and {@code --rsubtype vswitch}. A
     * running partition shows the adapters it runs with ({@code state=1}), any other its default
     * profile's ({@code state=0}), each with the MAC address it has or will have.
     */
    private HmcResult virtualio(ListHwres c, SystemDefinition def, Filter f) {
        String fields = c.format().fields();
        boolean header = c.format().header();
        if (c.rsubtype().equals("fc")) {
            // No virtual Fibre Channel adapters exist here (vfc is refused in profiles): the empty answer.
            return Listing.render(List.of(), fields, header, HwresView.VIRTUAL_FC);
        }
        if (c.rsubtype().equals("vswitch")) {
            Map<String, TreeSet<Integer>> vlans = new LinkedHashMap<>();
            for (String sw : def.settings().vswitches()) {
                vlans.put(sw, new TreeSet<>());
            }
            for (Partition p : def.partitions()) {
                for (EthView.Adapter a : EthView.adapters(def, p, operations)) {
                    TreeSet<Integer> v = vlans.computeIfAbsent(a.vswitch(), k -> new TreeSet<>());
                    v.add(a.pvid());
                    v.addAll(a.addlVlanIds());
                }
            }
            List<Row> rows = new ArrayList<>();
            for (var e : vlans.entrySet()) {
                rows.add(EthView.vswitch(e.getKey(), e.getValue()));
            }
            return Listing.render(rows, fields, header, EthView.VSWITCH);
        }
        List<Row> rows = new ArrayList<>();
        if (c.rsubtype().equals("serial") || c.rsubtype().equals("slot")) {
            String prefix = SystemView.locationPrefix(sys.host());
            for (Partition p : SyscfgCommands.partitions(def, f)) {
                if (c.rsubtype().equals("slot") && c.level().equals("lpar")) {
                    rows.add(SlotView.slotsOf(def, p, operations));
                    continue;
                }
                for (Row r : c.rsubtype().equals("serial") ? SlotView.serial(def, p, operations)
                        : SlotView.slots(def, p, operations, prefix)) {
                    if (matches(f.get("slots"), r.get("slot_num"))) {
                        rows.add(r);
                    }
                }
            }
            return Listing.render(rows, fields, header, c.rsubtype().equals("serial") ? SlotView.SERIAL
                    : c.level().equals("lpar") ? SlotView.SLOT_LPAR : SlotView.SLOT_SLOT);
        }
        if (c.rsubtype().equals("scsi")) {
            for (Partition p : SyscfgCommands.partitions(def, f)) {
                for (Row r : ScsiView.rows(def, p, operations)) {
                    if (matches(f.get("slots"), r.get("slot_num"))) {
                        rows.add(r);
                    }
                }
            }
            return Listing.render(rows, fields, header, ScsiView.SCSI);
        }
        if (c.level().equals("sys")) {
            return Listing.render(List.of(EthView.system(operations.macPrefix().orElse(null))), fields, header,
                    EthView.ETH_SYS);
        }
        for (Partition p : SyscfgCommands.partitions(def, f)) {
            for (EthView.Adapter a : EthView.adapters(def, p, operations)) {
                if (matches(f.get("slots"), Integer.toString(a.slot()))
                        && (f.get("vlans") == null || f.get("vlans").contains(Integer.toString(a.pvid()))
                        || a.addlVlanIds().stream().anyMatch(v -> f.get("vlans").contains(Integer.toString(v))))) {
                    rows.add(EthView.eth(p, a));
                }
            }
        }
        return Listing.render(rows, fields, header, EthView.ETH);
    }

    private static boolean matches(List<String> wanted, String v) {
        return wanted == null || wanted.contains(v);
    }

    /**
     * {@code chhwres -r procpool -o s -p LPAR {--poolname P | --id N}}: moves a running
     * partition to another shared processor pool (how the HMC CLI names this is unconfirmed; the
     * same move is {@code chhwres -r proc -o s -a shared_proc_pool_name=P}).
     */
    HmcResult moveToPool(MoveToPool c, String user) {
        Systems.check(sys, c.system());
        SharedProcessorPool pool = Systems.pool(sys, c.pool());
        operations.changeProcessors(sys.partition(c.partition()), new ProcessorRequest.Pool(pool), user);
        return HmcResult.OK;
    }

    /** {@code chhwres -r proc -o a|r|s|m}: the processor policy of a running partition, at once. */
    HmcResult changeProcessors(ChangeProcessors c, String user) {
        Systems.check(sys, c.system());
        Partition p = Systems.partition(sys, c.partition());
        if (c.procs() != null) {
            return changeProcs(c, p, user);
        }
        if (!c.attributes().isEmpty()) {
            operations.changeProcessors(p, new ProcessorRequest.Attributes(c.attributes()), user);
            if (c.units() == null) {
                return HmcResult.OK;
            }
        }
        ProcessorRequest request = switch (c.operation()) {
            case MOVE -> new ProcessorRequest.MoveUnits(Systems.partition(sys, c.target()), c.units());
            case ADD -> new ProcessorRequest.Units(ProcessorChange.Op.ADD, c.units());
            case REMOVE -> new ProcessorRequest.Units(ProcessorChange.Op.REMOVE, c.units());
            case SET -> new ProcessorRequest.Units(ProcessorChange.Op.SET, c.units());
        };
        operations.changeProcessors(p, request, user);
        return HmcResult.OK;
    }

    /**
     * {@code --procs N} (virtual processors or dedicated cores), with {@code --procunits} too when
     * given: an add takes the units first (the new processors need their 0.05 each), a removal
     * lets the processors go first.
     */
    private HmcResult changeProcs(ChangeProcessors c, Partition p, String user) {
        Duration wait = waitOf(c.waitMinutes());
        if (c.operation() == HwresCommand.ProcOperation.SET) {
            if (!c.attributes().isEmpty()) {
                operations.changeProcessors(p, new ProcessorRequest.Attributes(c.attributes()), user);
            }
            operations.changeProcessors(p, new ProcessorRequest.SetProcs(c.procs(), c.units(), wait), user);
            return HmcResult.OK;
        }
        ProcessorRequest procs = switch (c.operation()) {
            case MOVE -> new ProcessorRequest.MoveProcs(Systems.partition(sys, c.target()), c.procs(), wait);
            case ADD -> new ProcessorRequest.Procs(ProcessorChange.Op.ADD, c.procs(), wait);
            case REMOVE -> new ProcessorRequest.Procs(ProcessorChange.Op.REMOVE, c.procs(), wait);
            case SET -> throw new IllegalStateException("-o s --procs is one request");
        };
        ProcessorRequest units = c.units() == null ? null : switch (c.operation()) {
            case MOVE -> new ProcessorRequest.MoveUnits(Systems.partition(sys, c.target()), c.units());
            case ADD -> new ProcessorRequest.Units(ProcessorChange.Op.ADD, c.units());
            case REMOVE -> new ProcessorRequest.Units(ProcessorChange.Op.REMOVE, c.units());
            case SET -> throw new IllegalStateException("-o s --procs is one request");
        };
        boolean unitsFirst = c.operation() == HwresCommand.ProcOperation.ADD;
        if (units != null && unitsFirst) {
            operations.changeProcessors(p, units, user);
        }
        operations.changeProcessors(p, procs, user);
        if (units != null && !unitsFirst) {
            operations.changeProcessors(p, units, user);
        }
        return HmcResult.OK;
    }

    /** {@code chhwres -r mem -o a|r|m -q MB}: memory DLPAR of a running partition. */
    HmcResult changeMemory(ChangeMemory c, String user) {
        Systems.check(sys, c.system());
        Partition p = Systems.partition(sys, c.partition());
        Duration wait = waitOf(c.waitMinutes());
        MemoryRequest request = switch (c.operation()) {
            case ADD -> new MemoryRequest.Change(true, c.mb(), wait);
            case REMOVE -> new MemoryRequest.Change(false, c.mb(), wait);
            case MOVE -> new MemoryRequest.Move(Systems.partition(sys, c.target()), c.mb(), wait);
        };
        operations.changeMemory(p, request, user);
        return HmcResult.OK;
    }

    /**
     * {@code rsthwres -r proc|mem|io [-p LPAR]}: the partition service brings current resources
     * back to the profile (every running partition without {@code -p}).
     */
    HmcResult restore(HwresCommand.RestoreResources c, String user) {
        Systems.check(sys, c.system());
        Partition p = c.partition() == null ? null : Systems.partition(sys, c.partition());
        operations.restoreResources(p, PartitionOperations.RestoredResource.valueOf(c.resource().name()), user);
        return HmcResult.OK;
    }

    /** {@code -w MINUTES}; absent: five minutes (the HMC's default is not documented); 0: no limit. */
    private static Duration waitOf(Integer minutes) {
        if (minutes == null) {
            return Duration.ofMinutes(5);
        }
        return minutes == 0 ? Duration.ofDays(1) : Duration.ofMinutes(minutes);
    }
}
