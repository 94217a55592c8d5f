package io.parvirt.hmc;

import io.parvirt.model.Allocation;
import io.parvirt.model.AttributeInput;
import io.parvirt.model.HptRatio;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.ProcessorRequest;
import io.parvirt.system.Capacity;
import io.parvirt.system.ProcessorChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code lshwres -r proc|mem|procpool}, {@code chhwres -r procpool} (pool settings, and moving a
 * running partition to another pool) and {@code chhwres -r proc} (processor policy DLPAR on a
 * running partition: entitlement, weight, sharing mode, pool).
 */
final class HwresCommands {
    private final PartitionOperations operations;

    HwresCommands(PartitionOperations operations) {
        this.operations = operations;
    }

    /** The allocation of a running (or starting) partition, else null (what the views expect). */
    private Allocation running(int lparId) {
        return operations.allocation(lparId).orElse(null);
    }

    HmcResult lshwres(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "--level", "--filter", "--maxmem", "--hptratio", "--rsubtype")
                .withFields().parse(c.args());
        String r = o.oneOf("-r", "proc", "mem", "procpool", "virtualio");
        Systems.check(c.sys(), o.require("-m"));
        SystemDefinition def = c.sys().definition();
        Capacity cap = c.sys().capacity();
        if (r.equals("virtualio")) {
            return virtualio(c, o, def);
        }
        if (r.equals("procpool")) {
            Filter f = Filter.parse(o.get("--filter"), Set.of("pool_names", "pool_ids"));
            List<Row> rows = new ArrayList<>();
            for (SharedProcessorPool p : def.pools()) {
                if (matches(f.get("pool_names"), p.name()) && matches(f.get("pool_ids"), Integer.toString(p.id()))) {
                    rows.add(HwresView.procpool(def, p, this::running));
                }
            }
            return Listing.render(rows, o.fields(), o.header(), HwresView.PROCPOOL);
        }
        String level = r.equals("proc") ? o.oneOf("--level", "sys", "lpar", "pool")
                : o.oneOf("--level", "sys", "lpar");
        if (level.equals("sys")) {
            Filter.parse(o.get("--filter"), Set.of());
            if (r.equals("proc")) {
                return Listing.render(List.of(HwresView.procSys(cap)), o.fields(), o.header(), HwresView.PROC_SYS);
            }
            if (o.has("--maxmem")) {
                long max = parse(() -> Values.parseLong("--maxmem", o.get("--maxmem"), 1, 64L * 1024 * 1024),
                        "--maxmem");
                HptRatio ratio = o.has("--hptratio") ? parse(() -> HptRatio.parse("--hptratio", o.get("--hptratio")),
                        "--hptratio") : def.settings().defaultHptRatio();
                return Listing.render(List.of(HwresView.memRequired(max, ratio)), o.fields(), o.header(),
                        Set.of("required_partition_mem"));
            }
            return Listing.render(List.of(HwresView.memSys(cap, def.lmbMb())), o.fields(), o.header(),
                    HwresView.MEM_SYS);
        }
        if (level.equals("pool")) {
            Filter.parse(o.get("--filter"), Set.of());
            return Listing.render(List.of(HwresView.procPool(cap, c.sys().activeAllocations())), o.fields(), o.header(),
                    HwresView.PROC_POOL);
        }
        Filter f = Filter.parse(o.get("--filter"), Set.of("lpar_names", "lpar_ids", "pools"));
        List<Row> rows = new ArrayList<>();
        for (Partition p : SyscfgCommands.partitions(def, f)) {
            rows.add(r.equals("proc") ? HwresView.procLpar(def, p, running(p.id())) : HwresView.memLpar(def, p));
        }
        return Listing.render(rows, o.fields(), o.header(), r.equals("proc") ? HwresView.PROC_LPAR
                : HwresView.MEM_LPAR);
    }

    /**
     * {@code lshwres -r virtualio --rsubtype eth|scsi --level lpar} and {@code --rsubtype vswitch}. A
     * running partition shows the adapters it runs with ({@code state=1}), any other its default
     * profile's ({@code state=0}), each with the MAC address it has or will have.
     */
    private HmcResult virtualio(Hmc.Context c, Options o, SystemDefinition def) {
        String sub = o.oneOf("--rsubtype", "eth", "vswitch", "scsi");
        if (sub.equals("vswitch")) {
            Filter.parse(o.get("--filter"), Set.of());
            java.util.Map<String, java.util.TreeSet<Integer>> vlans = new java.util.LinkedHashMap<>();
            for (String sw : def.settings().vswitches()) {
                vlans.put(sw, new java.util.TreeSet<>());
            }
            for (Partition p : def.partitions()) {
                for (EthView.Adapter a : EthView.adapters(def, p, operations)) {
                    java.util.TreeSet<Integer> v = vlans.computeIfAbsent(a.vswitch(), k -> new java.util.TreeSet<>());
                    v.add(a.pvid());
                    v.addAll(a.addlVlanIds());
                }
            }
            List<Row> rows = new ArrayList<>();
            for (var e : vlans.entrySet()) {
                rows.add(EthView.vswitch(e.getKey(), e.getValue()));
            }
            return Listing.render(rows, o.fields(), o.header(), EthView.VSWITCH);
        }
        o.oneOf("--level", "lpar");
        if (sub.equals("scsi")) {
            Filter f = Filter.parse(o.get("--filter"), Set.of("lpar_names", "lpar_ids", "slots"));
            List<Row> rows = new ArrayList<>();
            for (Partition p : SyscfgCommands.partitions(def, f)) {
                for (Row r : ScsiView.rows(def, p, operations)) {
                    if (matches(f.get("slots"), r.get("slot_num"))) {
                        rows.add(r);
                    }
                }
            }
            return Listing.render(rows, o.fields(), o.header(), ScsiView.SCSI);
        }
        Filter f = Filter.parse(o.get("--filter"), Set.of("lpar_names", "lpar_ids", "slots", "vlans"));
        List<Row> rows = new ArrayList<>();
        for (Partition p : SyscfgCommands.partitions(def, f)) {
            for (EthView.Adapter a : EthView.adapters(def, p, operations)) {
                if (matches(f.get("slots"), Integer.toString(a.slot()))
                        && (f.get("vlans") == null || f.get("vlans").contains(Integer.toString(a.pvid()))
                        || a.addlVlanIds().stream().anyMatch(v -> f.get("vlans").contains(Integer.toString(v))))) {
                    rows.add(EthView.eth(p, a));
                }
            }
        }
        return Listing.render(rows, o.fields(), o.header(), EthView.ETH);
    }

    private static boolean matches(List<String> wanted, String v) {
        return wanted == null || wanted.contains(v);
    }

    private static <T> T parse(java.util.function.Supplier<T> s, String option) {
        try {
            return s.get();
        } catch (ModelException e) {
            throw HmcException.badParameter(option);
        }
    }

    HmcResult chhwres(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "-o", "--poolname", "--id", "-a", "-p", "-w", "-d", "-t",
                "--tid", "--procs", "--procunits", "--rsubtype", "--vswitch").flags("--force").parse(c.args());
        String r = o.oneOf("-r", "procpool", "proc", "virtualio");
        Systems.check(c.sys(), o.require("-m"));
        if (r.equals("proc")) {
            return chhwresProc(c, o);
        }
        if (r.equals("virtualio")) {
            o.oneOf("--rsubtype", "vswitch");
            String op = o.oneOf("-o", "a", "r");
            c.sys().changeVswitch(o.require("--vswitch"), op.equals("a"), c.inv().user());
            return HmcResult.OK;
        }
        o.oneOf("-o", "s");
        if (o.has("-p")) {
            return movePartition(c, o);
        }
        String[] sel = o.exactlyOne("--poolname", "--id");
        SystemDefinition def = c.sys().definition();
        SharedProcessorPool pool;
        if (sel[0].equals("--id")) {
            int id = parse(() -> Values.parseInt("--id", sel[1], 0, Limits.MAX_SHARED_PROC_POOLS - 1), "--id");
            pool = def.pool(id).orElseThrow();
        } else {
            pool = def.pool(sel[1]).orElseThrow(() -> ModelException.of(ModelException.Kind.POOL_NOT_FOUND,
                    "The shared processor pool named " + Values.quote(sel[1]) + " was not found."));
        }
        c.sys().changePool(pool, AttributeInput.parseRecord(o.require("-a")), c.inv().user());
        operations.poolsChanged();
        return HmcResult.OK;
    }

    /**
     * {@code chhwres -r procpool -o s -p LPAR {--poolname P | --id N}}: moves a running
     * partition to another shared processor pool (how the HMC CLI names this is unconfirmed; the
     * same move is {@code chhwres -r proc -o s -a shared_proc_pool_name=P}).
     */
    private HmcResult movePartition(Hmc.Context c, Options o) {
        String[] sel = o.exactlyOne("--poolname", "--id");
        SystemDefinition def = c.sys().definition();
        SharedProcessorPool pool = sel[0].equals("--poolname")
                ? def.pool(sel[1]).orElseThrow(() -> ModelException.of(ModelException.Kind.POOL_NOT_FOUND,
                        "The shared processor pool named " + Values.quote(sel[1]) + " was not found."))
                : def.pool(parse(() -> Values.parseInt(sel[0], sel[1], 0, Limits.MAX_SHARED_PROC_POOLS - 1), sel[0]))
                        .orElseThrow();
        Partition p = c.sys().partition(o.require("-p"));
        operations.changeProcessors(p, new ProcessorRequest.Pool(pool), c.inv().user());
        return HmcResult.OK;
    }

    /** {@code chhwres -r proc -o a|r|s|m}: the processor policy of a running partition, at once. */
    private HmcResult chhwresProc(Hmc.Context c, Options o) {
        String op = o.oneOf("-o", "a", "r", "s", "m");
        String[] who = o.exactlyOne("-p", "--id");
        Partition p = who[0].equals("-p") ? c.sys().partition(who[1])
                : c.sys().partition(parse(() -> Values.parseInt("--id", who[1], 1, Limits.MAX_LPARS), "--id"));
        if (o.has("--procs")) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "Changing the number of processors of a "
                    + "running partition (--procs) is not supported yet: change desired_procs in the profile of "
                    + p.name() + " and restart it.");
        }
        if (op.equals("s") && o.has("-a")) {
            operations.changeProcessors(p, new ProcessorRequest.Attributes(AttributeInput.parseRecord(o.get("-a")),
                    o.get("-a")), c.inv().user());
            if (!o.has("--procunits")) {
                return HmcResult.OK;
            }
        }
        ProcUnits n = parse(() -> ProcUnits.parse("--procunits", o.require("--procunits")), "--procunits");
        if (op.equals("m")) {
            String[] to = o.exactlyOne("-t", "--tid");
            Partition target = to[0].equals("-t") ? c.sys().partition(to[1])
                    : c.sys().partition(parse(() -> Values.parseInt("--tid", to[1], 1, Limits.MAX_LPARS), "--tid"));
            operations.changeProcessors(p, new ProcessorRequest.MoveUnits(target, n), c.inv().user());
            return HmcResult.OK;
        }
        ProcessorChange.Op kind = switch (op) {
            case "a" -> ProcessorChange.Op.ADD;
            case "r" -> ProcessorChange.Op.REMOVE;
            default -> ProcessorChange.Op.SET;
        };
        operations.changeProcessors(p, new ProcessorRequest.Units(kind, n), c.inv().user());
        return HmcResult.OK;
    }
}
